package dev.devmap.harness;

import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.model.DmaOp;
import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a real kernel a scenario promotes a requirement only through answers the kernel decided
 * ({@code "by":"kernel"}) that the requirement is about, never through the scenario's tag alone:
 * {@code map-refused-hole} is tagged S10 and S1, but a hole refusal says nothing about stale blocks.
 */
class KernelEvidenceTest {
    @TempDir Path dir;

    /** The simulated device dressed as a kernel: an empty self-test; refusals marked by the kernel when asked. */
    static final class KernelLike implements DeviceUnderTest {
        private final SimulatedDevice sim;
        private final boolean kernelRefuses;
        private final boolean kernelDecidesAll;

        KernelLike(boolean kernelRefuses) { this(kernelRefuses, false); }

        KernelLike(boolean kernelRefuses, boolean kernelDecidesAll) { this(new SimulatedDevice(), kernelRefuses, kernelDecidesAll); }

        /** A planted device: sim as it is (a quirk, a choice, importers acking by themselves), every answer by the kernel. */
        KernelLike(SimulatedDevice sim) { this(sim, true, true); }

        private KernelLike(SimulatedDevice sim, boolean kernelRefuses, boolean kernelDecidesAll) {
            this.sim = sim;
            this.kernelRefuses = kernelRefuses;
            this.kernelDecidesAll = kernelDecidesAll;
        }

        @Override public String name() { return "kernel-like"; }
        @Override public Capabilities capabilities() { return sim.capabilities(); }
        @Override public DutConfig reset(DutConfig proposed) { return sim.reset(proposed); }

        @Override
        public Response perform(Request request) throws DutException {
            Response r = sim.perform(request);
            boolean by = kernelDecidesAll || kernelRefuses && r.outcome().kind() == Outcome.Answer.REFUSED;
            return new Response(r.before(), r.outcome(), r.after(), r.blocks(), r.addrs(), r.dmabuf(), r.errno(), r.message(), by);
        }

        @Override public KernelWitness kernelWitness() { return KernelWitness.parse("test kernel", List.of("1..0"), 1); }
        @Override public void close() { sim.close(); }
    }

    private RunResult run(DeviceUnderTest dut, String scenario) throws Exception {
        Conformance.Options o = new Conformance.Options(1, 0, 40, List.of(scenario), false, false, 0, null, dir, "test");
        return Conformance.run(dut, dut.capabilities(), o, new PrintWriter(new StringWriter()), new Conformance.Log());
    }

    private static RunResult.Row row(RunResult run, Requirement q) {
        return run.rows().stream().filter(r -> r.requirement() == q).findFirst().orElseThrow();
    }

    @Test
    void aScenarioTagAloneCannotPromoteARequirement() throws Exception {
        RunResult run = run(new KernelLike(true), "map-refused-hole");
        assertThat(run.results).hasSize(1).allMatch(r -> r.status() == dev.devmap.harness.scenario.ScenarioResult.Status.PASS);
        assertThat(run.results.get(0).scenario().exercises()).contains(Requirement.S1);
        // the kernel refused: S10 is kernel-decided; S1, the scenario's other tag, is not shown by it at all
        assertThat(row(run, Requirement.S10).witness()).isEqualTo("kernel-decided");
        assertThat(row(run, Requirement.S10).detail()).contains("capability refusals by the kernel");
        assertThat(row(run, Requirement.S1).status()).isNotEqualTo("pass");
        assertThat(row(run, Requirement.S1).witness()).isNotEqualTo("kernel-decided");
        assertThat(run.kernelHeadline()).startsWith("witnessed by the real kernel: 1 of 24 (S10)");
    }

    /** A scenario of the given operations on file f1 (planted: no guided scenario has this shape). */
    private static RunResult runOps(DeviceUnderTest dut, List<Op> ops) throws Exception {
        Scenario sc = new Scenario("planted", "guided", "planted", List.of(), ops, c -> c, List.of(), 0, 0);
        RunResult run = new RunResult(dut.name(), dut.capabilities(), 1, "test");
        run.kernel = dut.kernelWitness();
        run.add(new Runner(dut, dut.capabilities(), false).run(sc));
        return run;
    }

    private static final Pattern KERNEL_DECIDED_S1 = Pattern.compile("witnessed by the real kernel: \\d+ of 24 \\([^)]*\\bS1\\b.*");
    private static final Pattern KERNEL_DECIDED_S4 = Pattern.compile("witnessed by the real kernel: \\d+ of 24 \\([^)]*\\bS4\\b.*");

    /**
     * Invalidations the kernel ended and DMAs in the run do not make S1 kernel-decided when no DMA was
     * in flight to the invalidated range across it: one drained before the punch started, one went to
     * another page across it, one started after it ended (S4 is: the punch waited for the ack).
     */
    @Test
    void aDmaBeforeAfterOrBesideAnInvalidationDoesNotPromoteS1() throws Exception {
        RunResult run = runOps(new KernelLike(new SimulatedDevice()), List.of(
                new Op.MmapCall("f1"), new Op.WriteCall("f1", 1), new Op.WritebackCall("f1", 1), new Op.EvictCall("f1", 1),
                new Op.WriteCall("f1", 2), new Op.WritebackCall("f1", 2), new Op.EvictCall("f1", 2),
                new Op.DeviceMapCall("gpu", "f1", 1, 1, false, true, false, true),
                new Op.DeviceMapCall("nic", "f1", 2, 2, false, false, false, true),
                new Op.DmaStartCall("gpu", "f1", 1, DmaOp.WRITE), new Op.DmaEndCall("gpu"),   // before
                new Op.DmaStartCall("nic", "f1", 2, DmaOp.READ),                              // beside, across
                new Op.PunchHoleCall("f1", 1, 1), new Op.InvAckCall("gpu", "f1"),
                new Op.DmaEndCall("nic"),
                new Op.DmaStartCall("nic", "f1", 2, DmaOp.READ), new Op.DmaEndCall("nic")));   // after
        assertThat(run.results).hasSize(1).allMatch(r -> r.status() == ScenarioResult.Status.PASS);
        assertThat(run.results.get(0).trace().stream().map(t -> t.show()).toList())
                .anyMatch(t -> t.contains("punch") && t.contains("started")).anyMatch(t -> t.contains("dma_start nic f1 2 read -> done"));
        assertThat(run.coverage.heldForDma()).isZero();
        assertThat(run.coverage.kernelWaits()).isEqualTo(1);
        assertThat(row(run, Requirement.S4).witness()).isEqualTo("kernel-decided");
        assertThat(row(run, Requirement.S1).witness()).isNotEqualTo("kernel-decided");
        assertThat(row(run, Requirement.S2).witness()).isEqualTo("kernel-decided");
        assertThat(run.kernelHeadline()).doesNotMatch(KERNEL_DECIDED_S1);
    }

    /** A DMA in flight to the truncated page since before the truncate, drained before the kernel's inv_end: S1's in-flight half. */
    @Test
    void aDmaDrainedBeforeTheKernelsInvEndPromotesS1() throws Exception {
        RunResult run = run(new KernelLike(new SimulatedDevice()), "ack-waits-for-dma");
        assertThat(run.results).hasSize(1).allMatch(r -> r.status() == ScenarioResult.Status.PASS);
        assertThat(run.coverage.heldForDma()).isEqualTo(1);
        assertThat(row(run, Requirement.S1).witness()).isEqualTo("kernel-decided");
        assertThat(row(run, Requirement.S1).detail()).contains("1 layout change the kernel held")
                .contains("dma_end before the inv_end");
        assertThat(run.kernelHeadline()).matches(KERNEL_DECIDED_S1);
    }

    /**
     * The kernel ends the truncate while the DMA to the page is still in flight (the page cache's
     * choice, pagecache-acks-with-dma, listed: a difference, not a failure): evidence against S1, and
     * the report says so; S1 is not kernel-decided.
     */
    @Test
    void anInvEndWhileTheDmaIsInFlightIsEvidenceAgainstS1() throws Exception {
        String choice = "pagecache-acks-with-dma";
        RunResult run = run(new KernelLike(new SimulatedDevice(List.of(Quirks.of(choice)), -1, List.of(choice))),
                "ack-waits-for-dma");
        assertThat(run.results).hasSize(1);
        assertThat(run.results.get(0).status()).isIn(ScenarioResult.Status.DIFFERENCE, ScenarioResult.Status.FAIL);
        assertThat(run.coverage.endedUnderDma()).isEqualTo(1);
        assertThat(run.coverage.heldForDma()).isZero();
        assertThat(row(run, Requirement.S1).status()).isEqualTo("FAIL");
        assertThat(row(run, Requirement.S1).detail()).contains("evidence against S1: 1 layout change reported ended")
                .contains("had not drained").contains("ack-waits-for-dma");
        assertThat(run.kernelHeadline()).doesNotMatch(KERNEL_DECIDED_S1).contains("shown broken: S1").doesNotContain("FAIL");
    }

    /**
     * S4 counts only waits: a kernel whose importers acknowledge at once answers the truncate
     * {@code started} with its ack and inv_end in the same answer (nothing waited). The old count
     * (every layout change the kernel answered, with any inv_end of the kernel) called that a wait.
     */
    @Test
    void aLayoutChangeEndedInItsOwnAnswerIsNoWait() throws Exception {
        RunResult run = run(new KernelLike(new SimulatedDevice(List.of(), 0)), "truncate-waits-for-ack");
        assertThat(run.results).hasSize(1).allMatch(r -> r.status() == ScenarioResult.Status.PASS);
        assertThat(run.coverage.decided().actions()).containsKeys("Truncate", "InvEnd");   // what the old count counted
        assertThat(run.coverage.kernelWaits()).isZero();
        assertThat(row(run, Requirement.S4).witness()).isNotEqualTo("kernel-decided");
        assertThat(run.kernelHeadline()).doesNotMatch(KERNEL_DECIDED_S4);
        // the control: the same scenario with the program's ack is a wait, in those words
        RunResult waited = run(new KernelLike(new SimulatedDevice()), "truncate-waits-for-ack");
        assertThat(row(waited, Requirement.S4).witness()).isEqualTo("kernel-decided");
        assertThat(row(waited, Requirement.S4).detail()).contains("1 layout change the kernel answered started and ended "
                + "with its own inv_end in a later answer, after the acks");
    }

    @Test
    void theAgentsOwnRefusalIsAgentDecided() throws Exception {
        RunResult run = run(new KernelLike(false), "map-refused-hole");
        assertThat(row(run, Requirement.S10).witness()).isEqualTo("agent-decided");
        assertThat(row(run, Requirement.S1).status()).isNotEqualTo("pass");
        // S10 among the agent-decided (the end-of-scenario data audit adds its reads, S5, to them)
        assertThat(run.kernelHeadline()).startsWith("witnessed by the real kernel: 0 of 24")
                .matches(".*agent-decided only: [^;]*\\bS10\\b.*");
    }

    @Test
    void onTheSimulatedDeviceTheTagStillCounts() throws Exception {
        // the control: without a kernel the same scenario passes S1 by its tag, as the report always did
        try (SimulatedDevice sim = new SimulatedDevice()) {
            RunResult run = run(sim, "map-refused-hole");
            assertThat(row(run, Requirement.S1).status()).isEqualTo("pass");
        }
    }
}
