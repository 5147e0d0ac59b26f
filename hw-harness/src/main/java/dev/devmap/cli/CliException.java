package dev.devmap.cli;

/** An error to report as one line {@code dmap: error: MESSAGE} with the given exit code. */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public static CliException badInput(String message) {
        return new CliException(ExitCodes.BAD_INPUT, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
