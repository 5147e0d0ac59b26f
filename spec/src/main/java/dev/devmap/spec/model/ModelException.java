package dev.devmap.spec.model;

/**
 * A problem with the models manifest or a model / variant name. The message is one line and
 * names the manifest file and the problem.
 */
public final class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
