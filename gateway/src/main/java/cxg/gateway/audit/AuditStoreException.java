package cxg.gateway.audit;

/** The audit store could not make something durable or read it back; callers fail closed. */
public final class AuditStoreException extends RuntimeException {

    public AuditStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public AuditStoreException(String message) {
        super(message);
    }
}
