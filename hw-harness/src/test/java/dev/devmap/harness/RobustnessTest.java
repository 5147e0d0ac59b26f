package dev.devmap.harness;

import dev.devmap.harness.scenario.Guided;
import dev.devmap.harness.scenario.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** An agent that crashes, hangs, writes garbage or is killed: reported, restarted, and the run goes on. */
class RobustnessTest {
    @TempDir
    Path tmp;

    /**
     * The scenarios these runs use: the first 16 hand-written guided ones (refusals, direct and
     * fallback paths, writeback, truncate, acks) and both random sequences, about 500 requests: each
     * fault (at request 100-150) strikes mid-run with scenarios after it. All 80 guided scenarios
     * made this class 154 s of {@code mvn verify}; the faults are the same.
     */
    static final String SUBSET = String.join(",", Guided.all().subList(0, 16).stream().map(Scenario::id).toList())
            + ",random-1,random-2";

    private Support.Cli conform(String agentArgs, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("conform", "--device", "agent:" + Support.agentSim(agentArgs.split(" ")),
                "--seed", "1", "--random", "2", "--only", SUBSET, "--no-tlc", "--no-shrink", "--report-dir", tmp.toString()));
        args.addAll(List.of(more));
        return Support.dmap(args.toArray(new String[0]));
    }

    private static void theRunWentOn(Support.Cli r, String fault) {
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("    not ok ") && l.contains("# ERROR the agent " + fault));
        assertThat(lines).anyMatch(l -> l.contains("agent restarting"));
        // the run finished: all three subtests and the requirement rows are there, later scenarios passed
        assertThat(lines).anyMatch(l -> l.matches("(not )?ok 3 requirements"));
        assertThat(lines).anyMatch(l -> l.matches("    not ok \\d+ Agent # \\d+ scenario\\(s\\) lost to agent faults: .*"));
        int lastError = 0;
        for (int k = 0; k < lines.size(); k++) if (lines.get(k).contains("# ERROR")) lastError = k;
        assertThat(lines.subList(0, lastError)).anyMatch(l -> l.startsWith("    ok "));
        assertThat(r.err()).contains("agent errors");
    }

    @Test
    void aCrashingAgentIsReportedRestartedAndTheRunGoesOn() {
        Support.Cli r = conform("--crash-after 120");
        theRunWentOn(r, "crashed");
        assertThat(r.out()).contains("exited (exit status 137)").contains("crashing on request 121 (--crash-after)");
    }

    @Test
    void aHangingAgentTimesOut() {
        Support.Cli r = conform("--hang-after 150", "--timeout", "1000");
        theRunWentOn(r, "hung");
        assertThat(r.out()).contains("no answer within 1000 ms");
    }

    @Test
    void anAgentWritingGarbageIsReported() {
        Support.Cli r = conform("--garbage-after 100");
        theRunWentOn(r, "wrote garbage");
        assertThat(r.out()).contains("not JSON: Segmentation fault?");
    }

    /** Killing the agent from outside in the middle of a run. */
    @Test
    void killingTheAgentMidRunIsReportedAndTheRunFinishes() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread run = new Thread(() -> code.set(dev.devmap.cli.Main.run(new PrintWriter(out), new PrintWriter(err),
                "conform", "--device", "agent:" + Support.agentSim("--delay-ms", "3"), "--seed", "1", "--random", "2",
                "--only", SUBSET, "--no-tlc", "--no-shrink", "--report-dir", tmp.toString())));
        run.start();
        Optional<ProcessHandle> agent = Optional.empty();
        for (int k = 0; k < 200 && agent.isEmpty(); k++) {
            Thread.sleep(50);
            agent = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("agent-sim")).findFirst();
        }
        assertThat(agent).as("the agent-sim child process").isPresent();
        // kill it once some scenarios are done (StringWriter is synchronized)
        for (int k = 0; k < 600 && !out.toString().contains("    ok 5 "); k++) Thread.sleep(50);
        assertThat(out.toString()).contains("    ok 5 ");
        assertThat(agent.get().destroyForcibly()).isTrue();
        run.join(120_000);
        assertThat(run.isAlive()).isFalse();
        assertThat(code.get()).as(err.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("# ERROR the agent crashed").contains("agent restarting")
                .containsPattern("(not )?ok 3 requirements");
    }
}
