package cxg.gateway.transport;

import cxg.gateway.policy.Member;
import cxg.gateway.policy.PolicyRepository;
import cxg.gateway.policy.PolicySet;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.jboss.logging.Logger;

/**
 * Establishes who calls, once per call: the TLS peer certificate (already verified against
 * the member CA during the handshake) must carry the certificate subject of a member in
 * policy, and must not have been revoked since the connection was made. Otherwise the call ends
 * UNAUTHENTICATED and the attempt is logged with the certificate's subject and serial, and audited
 * with the subject.
 *
 * <p>What depends on the certificate alone (its subject as text, its serial) is worked out once per
 * certificate, and its member once per policy set; revocation is asked on every call
 * ({@link RevocationCheckingTrustManager#isRevoked}, which bounds how stale its CRL may be).
 */
@GlobalInterceptor
@ApplicationScoped
public class CallerIdentityInterceptor implements ServerInterceptor, Prioritized {

    private static final Logger LOG = Logger.getLogger(CallerIdentityInterceptor.class);

    static final String UNKNOWN_MEMBER_RULE = "unknown-member";

    static final String REVOKED_RULE = "certificate-revoked";

    /** Certificates remembered; far more than the members' live certificates. */
    static final int KNOWN_CERTIFICATES = 1_000;

    private final PolicyRepository policies;
    private final RevocationCheckingTrustManager revocations;
    private final AuditedRefusals refusals;
    private final ConcurrentHashMap<X509Certificate, Known> known = new ConcurrentHashMap<>();

    /** A certificate's subject and serial as logged and compared, and the member it was found to be under a policy set. */
    private static final class Known {
        final String subject;
        final String serial;
        /** The policy set {@link #member} was looked up in, paired with it so that a reload is never half seen. */
        volatile MemberUnder lookup;

        Known(X509Certificate cert) {
            this.subject = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
            this.serial = RevocationCheckingTrustManager.serialHex(cert);
        }

        Optional<Member> member(PolicySet policy) {
            MemberUnder seen = lookup;
            if (seen == null || seen.policy() != policy) {
                seen = new MemberUnder(policy, policy.memberByCertificateSubject(subject));
                lookup = seen;
            }
            return seen.member();
        }
    }

    private record MemberUnder(PolicySet policy, Optional<Member> member) {
    }

    public CallerIdentityInterceptor(PolicyRepository policies, GatewayTls tls, AuditedRefusals refusals) {
        this.policies = policies;
        this.revocations = tls.trustManager();
        this.refusals = refusals;
    }

    @Override
    public int getPriority() {
        // run before any other interceptor: nothing else sees an unidentified call
        return Integer.MAX_VALUE;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Optional<X509Certificate> certificate = peerCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (certificate.isEmpty()) {
            LOG.warnf("refused %s: the connection carries no verified client certificate", method);
            return StatusMapping.refuse(call, Failure.unauthenticated("no client certificate"));
        }
        X509Certificate cert = certificate.get();
        Known identified = known(cert);
        String subject = identified.subject;
        String serial = identified.serial;
        // the handshake refuses revoked certificates; this catches connections opened before the revocation
        if (revocations.isRevoked(cert)) {
            LOG.warnf("refused %s: certificate subject \"%s\" (serial %s) is revoked", method, subject, serial);
            return refusals.refuse(call, Failure.unauthenticated("certificate serial " + serial + " is revoked"),
                    subject, null, REVOKED_RULE);
        }
        Optional<Member> member = identified.member(policies.current());
        if (member.isEmpty()) {
            LOG.warnf("refused %s: certificate subject \"%s\" (serial %s) is not a member", method, subject, serial);
            return refusals.refuse(call, Failure.unauthenticated("certificate subject " + subject + " is not a member"),
                    subject, null, UNKNOWN_MEMBER_RULE);
        }
        LOG.debugf("%s called by member %s (certificate serial %s)", method, member.get().id(), serial);
        Context context = Context.current().withValue(Caller.KEY, new Caller(member.get(), cert));
        return Contexts.interceptCall(context, call, headers, next);
    }

    private Known known(X509Certificate cert) {
        Known k = known.get(cert);
        if (k == null) {
            if (known.size() >= KNOWN_CERTIFICATES) {
                known.clear();
            }
            k = new Known(cert);
            known.put(cert, k);
        }
        return k;
    }

    private static Optional<X509Certificate> peerCertificate(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? Optional.of(x) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
