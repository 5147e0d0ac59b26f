package dev.devmap.harness;

import dev.devmap.harness.agent.AgentDevice;
import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.Quirk;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent line protocol end to end: dmap agent-sim as a child process. */
class AgentEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void conformPassesThroughTheAgentProtocol() throws Exception {
        Support.Cli r = Support.dmap("conform", "--device", "agent:" + Support.agentSim(), "--seed", "5", "--random", "4",
                "--report-dir", tmp.toString(), "--no-tlc", "--scratch", tmp.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(0);
        assertThat(r.out()).contains("(devmap-sim 0.1), seed 5").contains("# agent started (pid ")
                .contains("ok 3 requirements").doesNotContain("not ok");
        // the scratch subdirectory the run created for the agent is gone, and nothing else was left behind
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("dmap-scratch-"));
        }
    }

    static Stream<Quirk> quirks() { return Quirks.all().stream(); }

    /**
     * Each quirk through the agent protocol, on the scenarios it fails in process (at most 8) and two
     * it passes: the agent run must give each of them the same status and requirement, and the
     * quirk's own requirement a short trace. (All 80 guided scenarios per quirk made this class 105 s
     * of {@code mvn verify}; what the agent path must carry is the same.) The in-process run picks the
     * scenarios and their outcomes without shrinking: a shrunk failure keeps its requirement (the
     * shrinker accepts only candidates diagnosed with it) and its status, so the outcome compared is
     * the same, and shrinking stays where it is tested, through the agent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("quirks")
    void eachQuirkIsReportedThroughTheAgentToo(Quirk q) throws Exception {
        Map<String, String> inProcess = new java.util.LinkedHashMap<>();
        try (SimulatedDevice sim = new SimulatedDevice(Quirks.parse(q.name()), -1)) {
            RunResult r = Support.conform(sim, 3, 0, false, tmp.resolve("sim")).result();
            r.results.stream().filter(x -> x.status() == ScenarioResult.Status.FAIL).limit(8)
                    .forEach(x -> inProcess.put(x.scenario().id(), outcome(x)));
            r.results.stream().filter(x -> x.status() == ScenarioResult.Status.PASS).limit(2)
                    .forEach(x -> inProcess.put(x.scenario().id(), outcome(x)));
        }
        Requirement want = Requirement.valueOf(q.breaks());
        try (AgentDevice a = new AgentDevice(Support.agentSim("--quirk", q.name()), Duration.ofSeconds(20), Map.of(),
                l -> { })) {
            RunResult r = Support.conform(a, 3, 0, true, tmp.resolve("agent"), List.copyOf(inProcess.keySet())).result();
            Map<String, String> viaAgent = new java.util.LinkedHashMap<>();
            for (ScenarioResult x : r.results) viaAgent.put(x.scenario().id(), outcome(x));
            assertThat(viaAgent).isEqualTo(inProcess);
            ScenarioResult best = Support.shortest(r, want).orElseThrow(() -> new AssertionError(q.name() + " reported "
                    + r.rows().stream().filter(x -> x.status().equals("FAIL")).map(x -> x.requirement().name()).toList()));
            assertThat(best.trace().size()).isLessThanOrEqualTo(10);
            assertThat(r.count(ScenarioResult.Status.ERROR)).isZero();
            assertThat(a.starts()).isEqualTo(1);
        }
    }

    private static String outcome(ScenarioResult x) {
        return x.status() + (x.verdict() == null ? "" : " " + x.verdict().requirement());
    }
}
