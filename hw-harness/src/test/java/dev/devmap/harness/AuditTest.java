package dev.devmap.harness;

import dev.devmap.kernelapi.Op;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The data audit at the end of every scenario catches a lost effect that no operation of the scenario reads back. */
class AuditTest {
    private static final List<Op> NO_READS = List.of(new Op.MmapCall("f1"), new Op.WriteCall("f1", 1), new Op.WritebackCall("f1", 1));

    private static ScenarioResult run(SimulatedDevice sim) {
        Scenario sc = new Scenario("no-reads", "guided", "a write written back, never read", List.of(), NO_READS,
                c -> c, List.of(), 0, 0);
        return new Runner(sim, sim.capabilities(), true).run(sc);
    }

    @Test
    void theAuditReadsBackWhatTheScenarioNeverReads() {
        ScenarioResult clean = run(new SimulatedDevice());
        assertThat(clean.status()).isEqualTo(ScenarioResult.Status.PASS);
        // settle, then every page by the CPU, the fallback path, writeback + evict, and the CPU from the disk
        assertThat(clean.trace()).hasSizeGreaterThan(NO_READS.size() + 20);
        assertThat(clean.trace()).anyMatch(t -> t.request().op() instanceof Op.DevReadCall)
                .anyMatch(t -> t.request().op() instanceof Op.EvictCall);
    }

    @Test
    void aLostWritebackIsCaughtByTheAudit() {
        ScenarioResult r = run(new SimulatedDevice(List.of(Quirks.of(Quirks.LOST_WRITEBACK)), -1));
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.verdict().requirement()).isEqualTo(Requirement.S5);
        // the failing observation is a read of the audit, after the scenario's own operations and settle
        assertThat(r.failure().step()).isGreaterThan(NO_READS.size() + 1);
        assertThat(r.trace().get(r.failure().step() - 1).request().op()).isInstanceOf(Op.ReadCall.class);
    }
}
