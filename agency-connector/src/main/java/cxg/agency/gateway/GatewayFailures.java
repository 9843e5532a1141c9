package cxg.agency.gateway;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/** The one place where a gRPC status from the gateway becomes a {@link GatewayFailure}. */
final class GatewayFailures {

    /** Trailer in which the gateway may name the deciding policy rule. */
    static final Metadata.Key<String> RULE_TRAILER = Metadata.Key.of("cxg-rule", Metadata.ASCII_STRING_MARSHALLER);

    /** The gateway writes "field.path: what is wrong" into INVALID_ARGUMENT descriptions. */
    private static final Pattern FIELD_PREFIX = Pattern.compile(
            "([A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+])?(?:\\.[A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+])?)*): (.+)", Pattern.DOTALL);

    /** TLS alerts by which a server refuses the client's certificate. */
    private static final Pattern CERTIFICATE_REFUSED = Pattern.compile(
            "bad_certificate|unknown_ca|certificate_required|certificate_revoked|certificate_unknown|certificate_expired|access_denied");

    private GatewayFailures() {
    }

    static GatewayFailure from(StatusRuntimeException e, GatewaySettings settings) {
        Status status = e.getStatus();
        String description = status.getDescription() == null ? "" : status.getDescription().strip();
        switch (status.getCode()) {
            case INVALID_ARGUMENT:
                return invalidArgument(e, description);
            case UNAUTHENTICATED:
                return new GatewayFailure(FailureKind.UNAUTHENTICATED, null,
                        orDefault(description, "the gateway did not accept member '" + settings.member() + "'"), null);
            case PERMISSION_DENIED:
                return new GatewayFailure(FailureKind.PERMISSION_DENIED, null,
                        orDefault(description, "denied by policy"), rule(e));
            case RESOURCE_EXHAUSTED:
                return new GatewayFailure(FailureKind.RESOURCE_EXHAUSTED, null,
                        orDefault(description, "quota exhausted"), rule(e));
            case DEADLINE_EXCEEDED:
                return GatewayFailure.of(FailureKind.DEADLINE_EXCEEDED, "no answer from the gateway at "
                        + settings.endpoint() + " within " + settings.deadline().toMillis() + " ms");
            case UNAVAILABLE:
                return unavailable(status, settings);
            default:
                return GatewayFailure.of(FailureKind.INTERNAL, "the gateway failed: " + status.getCode()
                        + (description.isEmpty() ? "" : " (" + description + ")"));
        }
    }

    private static GatewayFailure invalidArgument(StatusRuntimeException e, String description) {
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details != null) {
            for (Any any : details.getDetailsList()) {
                if (any.is(BadRequest.class)) {
                    try {
                        BadRequest badRequest = any.unpack(BadRequest.class);
                        if (badRequest.getFieldViolationsCount() > 0) {
                            BadRequest.FieldViolation violation = badRequest.getFieldViolations(0);
                            return new GatewayFailure(FailureKind.INVALID_ARGUMENT, violation.getField(),
                                    violation.getDescription(), null);
                        }
                    } catch (InvalidProtocolBufferException ignored) {
                        // Fall back to the description.
                    }
                }
            }
        }
        Matcher m = FIELD_PREFIX.matcher(description);
        if (m.matches()) {
            return new GatewayFailure(FailureKind.INVALID_ARGUMENT, m.group(1), m.group(2), null);
        }
        return new GatewayFailure(FailureKind.INVALID_ARGUMENT, null, orDefault(description, "invalid request"), null);
    }

    private static String rule(StatusRuntimeException e) {
        Metadata trailers = e.getTrailers();
        if (trailers != null && trailers.get(RULE_TRAILER) != null) {
            return trailers.get(RULE_TRAILER);
        }
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details != null) {
            for (Any any : details.getDetailsList()) {
                if (any.is(ErrorInfo.class)) {
                    try {
                        String rule = any.unpack(ErrorInfo.class).getMetadataOrDefault("rule", "");
                        if (!rule.isEmpty()) {
                            return rule;
                        }
                    } catch (InvalidProtocolBufferException ignored) {
                        // No rule then.
                    }
                }
            }
        }
        return null;
    }

    private static GatewayFailure unavailable(Status status, GatewaySettings settings) {
        for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return GatewayFailure.of(FailureKind.UNAVAILABLE, "the certificate of the gateway at "
                        + settings.endpoint() + " is not trusted by " + settings.pkiDir().resolve("ca.crt"));
            }
            if (t instanceof SSLException && t.getMessage() != null) {
                Matcher alert = CERTIFICATE_REFUSED.matcher(t.getMessage().toLowerCase(Locale.ROOT));
                if (alert.find()) {
                    return GatewayFailure.of(FailureKind.UNAUTHENTICATED, "the gateway refused the certificate of member '"
                            + settings.member() + "' (TLS alert " + alert.group() + ")");
                }
            }
            if (t instanceof ConnectException) {
                return GatewayFailure.of(FailureKind.UNAVAILABLE,
                        "gateway at " + settings.endpoint() + " unavailable: connection refused");
            }
        }
        return GatewayFailure.of(FailureKind.UNAVAILABLE, "gateway at " + settings.endpoint() + " unavailable");
    }

    private static String orDefault(String text, String fallback) {
        return text.isEmpty() ? fallback : text;
    }
}
