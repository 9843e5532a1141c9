package cxg.agency.gateway;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/** The one place where a gRPC status from the gateway becomes a {@link GatewayFailure}. */
final class GatewayFailures {

    /** Trailers in which the gateway names the offending field and the deciding policy rule. */
    static final Metadata.Key<String> FIELD_TRAILER = Metadata.Key.of("cxg-field", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> RULE_TRAILER = Metadata.Key.of("cxg-rule", Metadata.ASCII_STRING_MARSHALLER);

    /** Descriptions read "field.path: what is wrong" and "denied by RULE: why"; used when a trailer is missing. */
    private static final Pattern FIELD_PREFIX = Pattern.compile(
            "([A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+])?(?:\\.[A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+])?)*): (.+)", Pattern.DOTALL);

    private static final Pattern DENIED_BY = Pattern.compile("denied by (\\S+): (.+)", Pattern.DOTALL);

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
                return denied(e, description);
            case RESOURCE_EXHAUSTED:
                return new GatewayFailure(FailureKind.RESOURCE_EXHAUSTED, null,
                        orDefault(description, "quota exhausted"), trailer(e, RULE_TRAILER));
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
        String field = trailer(e, FIELD_TRAILER);
        if (field != null && description.startsWith(field + ": ")) {
            return new GatewayFailure(FailureKind.INVALID_ARGUMENT, field, description.substring(field.length() + 2), null);
        }
        Matcher m = FIELD_PREFIX.matcher(description);
        if (field == null && m.matches()) {
            return new GatewayFailure(FailureKind.INVALID_ARGUMENT, m.group(1), m.group(2), null);
        }
        return new GatewayFailure(FailureKind.INVALID_ARGUMENT, field, orDefault(description, "invalid request"), null);
    }

    private static GatewayFailure denied(StatusRuntimeException e, String description) {
        String rule = trailer(e, RULE_TRAILER);
        Matcher m = DENIED_BY.matcher(description);
        if (m.matches() && (rule == null || rule.equals(m.group(1)))) {
            return new GatewayFailure(FailureKind.PERMISSION_DENIED, null, m.group(2), m.group(1));
        }
        return new GatewayFailure(FailureKind.PERMISSION_DENIED, null, orDefault(description, "denied by policy"), rule);
    }

    private static String trailer(StatusRuntimeException e, Metadata.Key<String> key) {
        Metadata trailers = e.getTrailers();
        String value = trailers == null ? null : trailers.get(key);
        return value == null || value.isBlank() ? null : value;
    }

    private static GatewayFailure unavailable(Status status, GatewaySettings settings) {
        String gateway = "gateway at " + settings.endpoint();
        boolean tls = false;
        for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return GatewayFailure.of(FailureKind.UNAVAILABLE, "the certificate of the " + gateway
                        + " is not trusted by " + settings.pkiDir().resolve("ca.crt"));
            }
            if (t instanceof SSLException && t.getMessage() != null) {
                Matcher alert = CERTIFICATE_REFUSED.matcher(t.getMessage().toLowerCase(Locale.ROOT));
                if (alert.find()) {
                    return GatewayFailure.of(FailureKind.UNAUTHENTICATED, "the gateway refused the certificate of member '"
                            + settings.member() + "' (TLS alert " + alert.group() + ")");
                }
            }
            if (t instanceof ConnectException) {
                return GatewayFailure.of(FailureKind.UNAVAILABLE, gateway + " unavailable: connection refused");
            }
            tls |= t instanceof SSLException;
        }
        return GatewayFailure.of(FailureKind.UNAVAILABLE, gateway + " unavailable" + (tls ? ": TLS handshake failed" : ""));
    }

    private static String orDefault(String text, String fallback) {
        return text.isEmpty() ? fallback : text;
    }
}
