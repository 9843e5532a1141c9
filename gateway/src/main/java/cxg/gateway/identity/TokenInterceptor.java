package cxg.gateway.identity;

import java.util.SortedSet;
import java.util.TreeSet;


import cxg.gateway.transport.AuditedRefusals;
import cxg.gateway.transport.Caller;
import cxg.gateway.transport.Failure;
import cxg.gateway.transport.StatusMapping;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import org.jboss.logging.Logger;

/**
 * The second authentication of every call: after {@code CallerIdentityInterceptor} has found the member
 * from the TLS certificate, the call's bearer token must verify ({@link TokenVerifier}: realm keys,
 * audience, lifetime, bound to this very certificate, issued to this member), and its realm roles must
 * include the role the service needs ({@link ServiceRoles}). Refusals are logged with the member and the
 * reason, never with the token, and audited ({@link AuditedRefusals}) with the rule that refused.
 */
@GlobalInterceptor
@ApplicationScoped
public class TokenInterceptor implements ServerInterceptor, Prioritized {

    /**
     * The header's bytes as received, not decoded into a ~1 KB string per call; grpc's trusted marshaller hands over
     * its own array, which {@link TokenVerifier} only reads.
     */
    static final Metadata.Key<byte[]> AUTHORIZATION = InternalMetadata.keyOf("authorization", new RawAscii());
    static final String ROLE_RULE = "role-separation";

    private static final Logger LOG = Logger.getLogger(TokenInterceptor.class);

    private final TokenChecks checks;
    private final AuditedRefusals refusals;

    TokenInterceptor(TokenChecks checks, AuditedRefusals refusals) {
        this.checks = checks;
        this.refusals = refusals;
    }

    @Override
    public int getPriority() {
        // right after the certificate check, before anything else sees the call
        return Integer.MAX_VALUE - 1;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (checks.verifier().isEmpty()) {
            return next.startCall(call, headers);
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        Caller caller;
        try {
            caller = Caller.current();
        } catch (IllegalStateException e) {
            return StatusMapping.refuse(call, Failure.unauthenticated("no client certificate"));
        }
        String member = caller.member().id();
        TokenCheck check = checks.verifier().get().verify(headers.get(AUTHORIZATION), caller.certificate(), member);
        if (!check.isAccepted()) {
            LOG.warnf("refused %s from member %s: %s", method, member, check.problem());
            return refusals.refuse(call, Failure.unauthenticated(check.problem()), member, caller.member().kind().name(),
                    check.rule());
        }
        String service = call.getMethodDescriptor().getServiceName();
        SortedSet<String> roles = ServiceRoles.allowedRoles(service);
        if (!hasAnyOf(check.token(), roles)) {
            String message = (roles.isEmpty() ? "no role may call " + service
                    : (roles.size() == 1 ? "only role " : "only roles ") + String.join(" or ", roles) + " may call " + service)
                    + "; member " + member + " has roles " + new TreeSet<>(check.token().roles());
            LOG.warnf("refused %s: %s", method, message);
            return refusals.refuse(call, Failure.permissionDenied(ROLE_RULE, message), member, caller.member().kind().name(),
                    ROLE_RULE);
        }
        return next.startCall(call, headers);
    }

    private static final class RawAscii implements InternalMetadata.TrustedAsciiMarshaller<byte[]> {
        @Override
        public byte[] toAsciiString(byte[] value) {
            return value;
        }

        @Override
        public byte[] parseAsciiString(byte[] serialized) {
            return serialized;
        }
    }

    private static boolean hasAnyOf(VerifiedToken token, SortedSet<String> roles) {
        for (String role : roles) {
            if (token.hasRole(role)) {
                return true;
            }
        }
        return false;
    }
}
