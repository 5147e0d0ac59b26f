package dev.devmap.harness;

import dev.devmap.harness.scenario.Paths;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.model.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.devmap.harness.scenario.Paths.Flags.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The generated scenarios over every refusal path, and the coverage matrix that fails on a hole. */
class PathsTest {
    @TempDir
    Path tmp;

    /** What the model says applies is what the spec's Refusal reads: each reason with the flags it is decided for. */
    @Test
    void theModelAppliesEachReasonToTheFlagsTheSpecDecidesItFor() {
        Map<Reason, Set<Paths.Flags>> want = Map.of(
                Reason.HOLE, Set.of(Paths.Flags.values()), Reason.CACHED, Set.of(Paths.Flags.values()),
                Reason.SHARED, Set.of(PIN, WRITE, PIN_WRITE), Reason.PIN_UNSUPPORTED, Set.of(PIN, PIN_WRITE),
                Reason.EXPORTER_GONE, Set.of(Paths.Flags.values()), Reason.NO_ROUTE, Set.of(Paths.Flags.values()),
                Reason.NO_ATOMIC_ROUTE, Set.of(ATOMIC), Reason.WRITE_NOT_ALLOWED, Set.of(WRITE, PIN_WRITE),
                Reason.BAR_FULL, Set.of(Paths.Flags.values()));
        Set<Paths.Cell> cells = Paths.applicable();
        for (Reason r : Reason.values()) {
            for (int n : Paths.SIZES) {
                Set<Paths.Flags> got = new TreeSet<>();
                for (Paths.Flags f : Paths.Flags.values()) if (cells.contains(new Paths.Cell(r, f, n))) got.add(f);
                assertThat(got).as("%s on %d page(s)", r.tla(), n).isEqualTo(want.get(r));
            }
        }
    }

    @Test
    void everyInvalidationCauseAGrantCanMeetIsDrivenWithDmaInFlight() {
        assertThat(Paths.causesWithDmaInFlight()).containsExactly("truncate", "punch", "relocate", "cow", "reflink",
                "populate", "munmap", "reclaim");
    }

    @Test
    void aRunWithoutTheGeneratedScenariosHasHolesAndSaysWhere() throws Exception {
        List<String> handWritten = new ArrayList<>();
        for (Scenario s : dev.devmap.harness.scenario.Guided.all()) {
            if (!s.id().startsWith("refusal-") && !s.id().startsWith("order-") && !s.id().startsWith("dma-inflight-")) {
                handWritten.add(s.id());
            }
        }
        SimulatedDevice sim = new SimulatedDevice();
        Conformance.Options o = new Conformance.Options(5, 0, 40, handWritten, false, false, 0, null, tmp, "test");
        var r = Conformance.run(sim, sim.capabilities(), o, new java.io.PrintWriter(new java.io.StringWriter()),
                new Conformance.Log());
        assertThat(r.coverage.holes()).isNotEmpty().contains(new Paths.Cell(Reason.SHARED, PIN_WRITE, 2));
        assertThat(r.coverage.summary()).contains("refusal paths").contains("holes: ");
        assertThat(String.join("\n", r.coverage.matrix())).contains("HOLE");
    }
}
