package dev.devmap.harness;

import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.Quirk;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** dmap conform against the embedded simulated device, clean and with each quirk alone. */
class ConformanceTest {
    @TempDir
    Path tmp;

    @Test
    void conformPassesOnTheCleanSimulatedDevice() throws Exception {
        Support.Cli r = Support.dmap("conform", "--seed", "7", "--report-dir", tmp.toString(), "--no-tlc");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("KTAP version 1");
        assertThat(lines).contains("# dmap conform: device sim (devmap-sim 0.1), seed 7", "1..3", "ok 1 guided",
                "ok 2 random", "ok 3 requirements");
        int paths = dev.devmap.harness.scenario.Paths.applicable().size();
        assertThat(lines).contains("# coverage: actions 27/27, refusal reasons 9/9, refusal paths " + paths + "/" + paths);
        assertThat(lines).noneMatch(l -> l.contains("not ok"));
        assertThat(r.err()).contains("dmap conform: CONFORMANT").contains("seed 7");
        Path run = tmp.resolve("latest");   // the run's own directory
        assertThat(run.toRealPath().getFileName().toString()).matches("\\d{8}-\\d{6}-seed7");
        String report = Files.readString(run.resolve("report.txt"));
        assertThat(report).contains("result:    CONFORMANT").contains("S4   AckBeforeProceed")
                .contains("Access paths: ").contains("Coverage:     actions 27/27, refusal reasons 9/9, refusal paths")
                .doesNotContainPattern("HOLE( |\\R)");
        Document junit = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(run.resolve("junit.xml").toFile());
        assertThat(junit.getDocumentElement().getAttribute("failures")).isEqualTo("0");
        int guided = dev.devmap.harness.scenario.Guided.all().size();
        assertThat(junit.getElementsByTagName("testcase").getLength()).isEqualTo(guided + 20 + Requirement.values().length);
        assertThat(Files.readAllLines(run.resolve("results.jsonl"))).hasSize(guided + 20);
    }

    @Test
    void theSeedReproducesTheRun() throws Exception {
        Support.Run a = Support.conform(new SimulatedDevice(), 99, 6, true, tmp.resolve("a"));
        Support.Run b = Support.conform(new SimulatedDevice(), 99, 6, true, tmp.resolve("b"));
        assertThat(a.ktap().replaceAll("# report: .*", "")).isEqualTo(b.ktap().replaceAll("# report: .*", ""));
        assertThat(a.ktap()).contains("seed 99");
    }

    static Stream<Quirk> quirks() { return Quirks.all().stream(); }

    /** Each quirk alone: non-conformant, with the requirement it breaks and a trace of a few steps. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("quirks")
    void eachQuirkAloneIsReportedWithTheRequirementItBreaks(Quirk q) throws Exception {
        Support.Run run = Support.conform(new SimulatedDevice(List.of(q), -1), 3, 5, true, tmp);
        RunResult r = run.result();
        assertThat(r.conformant()).isFalse();
        Requirement want = Requirement.valueOf(q.breaks());
        ScenarioResult best = Support.shortest(r, want).orElseThrow(() -> new AssertionError(q.name() + " reported "
                + r.rows().stream().filter(x -> x.status().equals("FAIL")).map(x -> x.requirement().name()).toList()));
        assertThat(best.trace().size()).as(q.name()).isLessThanOrEqualTo(10);
        assertThat(best.failure().step()).isEqualTo(best.trace().size());
        assertThat(r.rows()).anyMatch(x -> x.requirement() == want && x.status().equals("FAIL"));
        // its row and the rows the quirk table names beside it, nothing else (no "Reference" where an S or L row applies)
        assertThat(r.rows().stream().filter(x -> x.status().equals("FAIL")).map(x -> x.requirement().name()))
                .as(q.name()).isSubsetOf(q.rows());
        assertThat(run.ktap()).contains("not ok").contains(want.spec() + " (failure ");
    }

    /** BAR addresses are not in the spec: a failure of that check is labelled harness-only and gets no TLA+ module. */
    @Test
    void aHarnessOnlyFailureComesWithoutATlaModule() throws Exception {
        Support.Run run = Support.conform(new SimulatedDevice(List.of(Quirks.of(Quirks.BAR_SLOT_REUSE)), -1), 3, 0, true, tmp);
        RunResult.Numbered n = run.result().failures.stream()
                .filter(x -> x.result.failure().kind().harnessOnly()).findFirst().orElseThrow();
        assertThat(n.tlaModule).isNull();
        assertThat(n.tlc).contains("harness-only check");
        assertThat(Files.readString(tmp.resolve("report.txt"))).contains("[harness-only check]");
    }

    /** A harness crash loses nothing already checked: the journal and the report are written as results come. */
    @Test
    void resultsAreWrittenAsTheyCome() throws Exception {
        SimulatedDevice sim = new SimulatedDevice();
        DeviceUnderTest dying = new DeviceUnderTest() {
            int resets;

            public String name() { return "dying"; }

            public Capabilities capabilities() { return sim.capabilities(); }

            public DutConfig reset(DutConfig c) {
                if (++resets == 6) throw new IllegalStateException("the harness dies");
                return sim.reset(c);
            }

            public Response perform(Request r) { return sim.perform(r); }

            public void close() { }
        };
        try {
            Support.conform(dying, 1, 0, false, tmp);
        } catch (IllegalStateException expected) {
            // the run died in the sixth scenario
        }
        assertThat(Files.readAllLines(tmp.resolve("results.jsonl"))).hasSize(5)
                .allMatch(l -> l.contains("\"status\":\"pass\""));
        assertThat(Files.readString(tmp.resolve("report.txt"))).contains("INCOMPLETE").contains("5 scenarios: 5 pass");
    }

    @Test
    void acknowledgementsTheDeviceTakesByItselfAreChecked() throws Exception {
        for (int delay : new int[] {0, 2}) {
            SimulatedDevice sim = new SimulatedDevice(List.of(), delay);
            Support.Run run = Support.conform(sim, 11, 10, false, tmp.resolve("d" + delay));
            assertThat(run.result().conformant()).as(run.ktap()).isTrue();
            assertThat(run.result().coverage.actions()).containsKeys("InvAck", "InvEnd", "RevokeAck");
        }
    }
}
