package dev.devmap.cli;

import dev.devmap.spec.model.ModelException;
import dev.devmap.spec.tla.TlaParseException;
import dev.devmap.spec.tlc.TlcException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Maps exceptions to the one-line message and the exit code. */
final class Errors {
    private Errors() {
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof CliException c) {
            return c.exitCode();
        }
        if (ex instanceof ModelException) {
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.FAILED;
    }

    static String message(Throwable ex) {
        if (dev.devmap.spec.io.Supervisor.isExiting()) {
            // a signal: TLC and the agents were killed under the running work, which then failed
            return "stopped: the harness is exiting (a signal); what was written so far (tables, records) is kept";
        }
        if (ex instanceof CliException || ex instanceof ModelException || ex instanceof TlcException) {
            return Main.oneLine(ex.getMessage());
        }
        if (ex instanceof TlaParseException) {
            return "cannot parse TLC's output: " + Main.oneLine(ex.getMessage());
        }
        if (ex instanceof IOException || ex instanceof UncheckedIOException) {
            return "I/O: " + Main.oneLine(ex.getMessage());
        }
        if (ex instanceof InterruptedException) {
            return "interrupted";
        }
        return "internal: " + ex.getClass().getSimpleName() + ": " + Main.oneLine(ex.getMessage());
    }
}
