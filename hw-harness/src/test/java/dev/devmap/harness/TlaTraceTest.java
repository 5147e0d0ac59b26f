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
        // a module TLC rejects keeps its failure a check of the spec: not labelled harness-only
        RunResult.Numbered n = r.failureOf(f);
        Conformance.confirmed(n, c);
        assertThat(n.acceptedByTlc).isFalse();
        assertThat(n.harnessOnly()).isFalse();
        assertThat(n.tlc).startsWith("TLC: not a behaviour of DeviceMap");
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
            if (s.scenario().id().equals("unplug-revokes")) plantedFailureIsLabelledHarnessOnly(s, t, c);
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }

    /**
     * A failure whose trace module TLC accepts is labelled a harness-only check with the check that
     * found it, never presented as a trace TLC rejects. Planted: a conformant scenario's trace (TLC
     * just accepted its module) reported as a failure of the answer at its last step.
     */
    private static void plantedFailureIsLabelledHarnessOnly(ScenarioResult pass, TlaTrace t, TlaTrace.Confirmation c) {
        int last = pass.trace().size();
        dev.devmap.harness.oracle.Failure planted = new dev.devmap.harness.oracle.Failure(last,
                dev.devmap.harness.oracle.Failure.Mismatch.OUTCOME, "planted", java.util.List.of(), "a planted failure");
        ScenarioResult failed = new ScenarioResult(pass.scenario(), ScenarioResult.Status.FAIL, null, planted,
                new dev.devmap.harness.oracle.Verdict(Requirement.S4, "planted", null, java.util.List.of()), pass.trace(),
                pass.ops(), pass.coverage(), last, 0);
        RunResult run = new RunResult("planted", new SimulatedDevice().capabilities(), 4, "");
        RunResult.Numbered f = run.failures.get(run.add(failed) - 1);
        f.trace = t;
        f.tlaModule = "failure-1/" + t.name() + ".tla";
        Conformance.confirmed(f, c);
        assertThat(f.acceptedByTlc).isTrue();
        assertThat(f.harnessOnly()).isTrue();
        assertThat(f.tlc).startsWith("harness-only check (the oracle's check of the answer at step " + last + ")")
                .contains("not a trace TLC rejects").doesNotContain("not a behaviour of DeviceMap");
        String report = dev.devmap.harness.report.TextReport.render(run);
        assertThat(report).contains("S4_AckBeforeProceed [harness-only check] in scenario unplug-revokes")
                .contains("TLC accepts it: a behaviour of the spec, not a counterexample");
    }
}
