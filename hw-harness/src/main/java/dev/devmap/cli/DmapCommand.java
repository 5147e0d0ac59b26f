package dev.devmap.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * The base of every {@code dmap} subcommand: its output streams, the one validation of
 * {@code --workers}, and an exit code from {@link ExitCodes} (picocli shows that table under each
 * command's help, {@link Main#commandLine}). Commands that read the spec extend {@link SpecCommand}.
 */
abstract class DmapCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Results: stdout (or the stream a test gave). */
    final PrintWriter out() { return spec.commandLine().getOut(); }

    /** Progress and errors: stderr (or the stream a test gave). */
    final PrintWriter err() { return spec.commandLine().getErr(); }

    /** n itself; bad input (exit 2) when it is below 1. */
    static int workers(int n) { return Workers.atLeastOne(n); }
}
