package cxg.agency.gateway;

/**
 * A failed query. {@code field} is the offending input field (e.g. {@code subject.value}) and
 * {@code rule} the policy rule that refused it, each when known; {@code message} is fit to show
 * to the user and never carries a subject identifier.
 */
public record GatewayFailure(FailureKind kind, String field, String message, String rule) {

    public static GatewayFailure of(FailureKind kind, String message) {
        return new GatewayFailure(kind, null, message, null);
    }
}
