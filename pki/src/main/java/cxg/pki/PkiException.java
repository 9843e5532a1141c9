package cxg.pki;

/** A problem the user can fix (bad name, missing PKI, unknown member); the message is one line. */
public final class PkiException extends RuntimeException {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
