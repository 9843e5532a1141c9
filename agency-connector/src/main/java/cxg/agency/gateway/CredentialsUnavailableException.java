package cxg.agency.gateway;

/** The member's certificate, key or the CA certificate could not be found or read. */
public final class CredentialsUnavailableException extends Exception {

    private final transient GatewayFailure failure;

    CredentialsUnavailableException(String field, String message) {
        super(message, null, false, false);
        this.failure = new GatewayFailure(FailureKind.CREDENTIALS, field, message, null);
    }

    public GatewayFailure failure() {
        return failure;
    }
}
