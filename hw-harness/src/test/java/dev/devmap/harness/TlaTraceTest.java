package dev.devmap.harness;

import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.report.TlaTrace;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The failure trace as a TLA+ trace module, checked by TLC (a child JVM). */
class TlaTraceTest {
    @TempDir
    Path tmp;

    @Test
    void tlcConfirmsThatAQuirksFailureTraceIsNotABehaviourOfTheSpec() throws Exception {
        RunResult r = Support.conform(new SimulatedDevice(Quirks.parse("no-ack-wait"), -1), 1, 0, true, tmp).result();
        ScenarioResult f = Support.shortest(r, Requirement.S4).orElseThrow();
        TlaTrace t = new TlaTrace("DmapTrace_t", DutConfig.standard(), f.trace());
        assertThat(t.module()).contains("EXTENDS DeviceMap, TLC").contains("NotAtEnd == k # " + (t.steps() + 1));
        TlaTrace.Confirmation c = t.confirm(Support.SPEC);
        assertThat(c.ran()).as(c.text()).isTrue();
        assertThat(c.behaviour()).as(c.text()).isFalse();
        // the spec explains every step before the failing one, and none takes it
        assertThat(c.explained()).isEqualTo(t.steps() - 1);
        assertThat(c.text()).startsWith("TLC: not a behaviour of DeviceMap");
    }

    @Test
    void aDataCorruptionTraceIsNotABehaviourEither() throws Exception {
        RunResult r = Support.conform(new SimulatedDevice(Quirks.parse("dma-misdirect"), -1), 1, 0, true, tmp).result();
        ScenarioResult f = Support.shortest(r, Requirement.S5).orElseThrow();
        TlaTrace.Confirmation c = new TlaTrace("DmapTrace_d", DutConfig.standard(), f.trace()).confirm(Support.SPEC);
        assertThat(c.behaviour()).as(c.text()).isFalse();
        assertThat(c.ran()).isTrue();
    }

    /** The encoding is not vacuous: the traces of a conformant device are behaviours of the spec. */
    @Test
    void tlcAcceptsTheTracesOfTheCleanDevice() throws Exception {
        RunResult r = Support.conform(new SimulatedDevice(), 4, 2, false, tmp).result();
        int checked = 0;
        for (ScenarioResult s : r.results) {
            if (!s.scenario().id().equals("random-1") && !s.scenario().id().equals("unplug-revokes")
                    && !s.scenario().id().equals("pin-survives-munmap")) continue;
            TlaTrace t = new TlaTrace("DmapTrace_ok" + checked, DutConfig.standard(), s.trace());
            TlaTrace.Confirmation c = t.confirm(Support.SPEC);
            assertThat(c.behaviour()).as(s.scenario().id() + ": " + c.text()).isTrue();
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }
}
