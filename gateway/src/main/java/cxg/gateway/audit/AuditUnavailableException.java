package cxg.gateway.audit;

/** An audit entry could not be made durable; the request it records must fail with UNAVAILABLE. */
public final class AuditUnavailableException extends RuntimeException {

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
