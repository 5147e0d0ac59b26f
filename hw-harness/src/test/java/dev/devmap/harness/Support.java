package dev.devmap.harness;

import dev.devmap.cli.Main;
import dev.devmap.harness.agent.CommandSplitter;
import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.scenario.ScenarioResult;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;

/** Helpers for the harness tests. */
public final class Support {
    private Support() { }

    /** The spec directory of the work tree. */
    public static final Path SPEC = Paths.get("..", "spec");

    public record Cli(int code, String out, String err) {}

    public static Cli dmap(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** {@code java -cp <this JVM's class path> dev.devmap.cli.Main agent-sim ARGS}, quoted for the agent: device form. */
    public static String agentSim(String... args) {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder sb = new StringBuilder(CommandSplitter.quote(java)).append(" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp ")
                .append(CommandSplitter.quote(System.getProperty("java.class.path"))).append(" dev.devmap.cli.Main agent-sim");
        for (String a : args) sb.append(' ').append(CommandSplitter.quote(a));
        return sb.toString();
    }


    public record Run(RunResult result, String ktap) {}

    /** A conformance run in process. */
    public static Run conform(DeviceUnderTest dut, long seed, int randoms, boolean shrink, Path reportDir)
            throws Exception {
        return conform(dut, seed, randoms, shrink, reportDir, List.of());
    }

    /** A conformance run in process of only these scenarios (all when empty). */
    public static Run conform(DeviceUnderTest dut, long seed, int randoms, boolean shrink, Path reportDir, List<String> only)
            throws Exception {
        StringWriter out = new StringWriter();
        Capabilities caps = dut.capabilities();
        Conformance.Options o = new Conformance.Options(seed, randoms, 40, only, shrink, false, 0, null, reportDir,
                "test");
        RunResult r = Conformance.run(dut, caps, o, new PrintWriter(out), new Conformance.Log());
        return new Run(r, out.toString());
    }

    /** The shortest failure trace diagnosed with requirement q. */
    public static Optional<ScenarioResult> shortest(RunResult r, Requirement q) {
        return r.results.stream()
                .filter(x -> x.status() == ScenarioResult.Status.FAIL && x.verdict().requirement() == q)
                .min((a, b) -> Integer.compare(a.trace().size(), b.trace().size()));
    }
}
