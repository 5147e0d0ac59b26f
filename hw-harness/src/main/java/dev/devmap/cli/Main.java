package dev.devmap.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code dmap} command: a thin top command; every subcommand lives in its own class and is
 * registered here.
 *
 * <p>Exit codes ({@link ExitCodes}): 0 all properties hold, 1 a property is violated, 2 bad
 * input (unknown model, malformed manifest, spec parse error, bad argument), 3 TLC or dmap
 * failed otherwise ({@code conform}: 0 conformant, 1 non-conformant, 2 bad input, 3 harness error).
 * Errors print one line {@code dmap: error: ...} to stderr, never a stack trace.
 */
@Command(name = "dmap",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Model checking and conformance of the device_map / device_unmap protocol.",
        subcommands = {
                CheckCommand.class,
                ModelsCommand.class,
                VariantsCommand.class,
                ConformCommand.class,
                QuirksCommand.class,
                AgentSimCommand.class,
                MirrorCommand.class,
                MutateCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given streams and returns the exit code (for tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(out, err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The configured command line: other modules' tests may add subcommands to it. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("dmap: error: " + oneLine(ex.getMessage())
                    + " (see 'dmap " + commandPath(ex.getCommandLine()) + "--help')");
            return ExitCodes.BAD_INPUT;
        });
        exitCodeList(cl);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            e.println("dmap: error: " + Errors.message(ex));
            return Errors.exitCode(ex);
        });
        return cl;
    }

    /** The one exit-code table under the help of dmap and of every subcommand. */
    private static void exitCodeList(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes (ExitCodes):%n").exitCodeList(ExitCodes.MEANINGS);
        for (CommandLine sub : cl.getSubcommands().values()) exitCodeList(sub);
    }

    private static String commandPath(CommandLine cl) {
        StringBuilder sb = new StringBuilder();
        for (CommandLine c = cl; c != null && c.getParent() != null; c = c.getParent()) {
            sb.insert(0, c.getCommandName() + " ");
        }
        return sb.toString();
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public void run() {
        // no subcommand
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a command");
    }

    /** Version from the jar manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dmap " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
