package cxg.gateway.store;

/** The store could not complete an operation; nothing of the failed write was committed. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
