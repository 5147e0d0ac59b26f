package dev.devmap.harness;

import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

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
        private final SimulatedDevice sim = new SimulatedDevice();
        private final boolean kernelRefuses;
        private final boolean kernelDecidesAll;

        KernelLike(boolean kernelRefuses) { this(kernelRefuses, false); }

        KernelLike(boolean kernelRefuses, boolean kernelDecidesAll) {
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
        assertThat(run.kernelHeadline()).startsWith("witnessed by the real kernel: 1 of 20 (S10)");
    }

    /**
     * Invalidations the kernel ended and a DMA in the run do not make S1 kernel-decided: nothing ties
     * the DMA to the invalidation's end (S2, the ordering of the invalidation itself, still is).
     */
    @Test
    void invalidationsEndedByTheKernelAndADmaDoNotPromoteS1() throws Exception {
        RunResult run = run(new KernelLike(true, true), "ack-waits-for-dma");
        assertThat(run.results).hasSize(1).allMatch(r -> r.status() == dev.devmap.harness.scenario.ScenarioResult.Status.PASS);
        assertThat(row(run, Requirement.S2).witness()).isEqualTo("kernel-decided");
        assertThat(row(run, Requirement.S1).witness()).isNotEqualTo("kernel-decided");
        assertThat(run.kernelHeadline()).startsWith("witnessed by the real kernel: ")
                .doesNotMatch("witnessed by the real kernel: \\d+ of 20 \\([^)]*\\bS1\\b.*");
    }

    @Test
    void theAgentsOwnRefusalIsAgentDecided() throws Exception {
        RunResult run = run(new KernelLike(false), "map-refused-hole");
        assertThat(row(run, Requirement.S10).witness()).isEqualTo("agent-decided");
        assertThat(row(run, Requirement.S1).status()).isNotEqualTo("pass");
        // S10 among the agent-decided (the end-of-scenario data audit adds its reads, S5, to them)
        assertThat(run.kernelHeadline()).startsWith("witnessed by the real kernel: 0 of 20")
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
