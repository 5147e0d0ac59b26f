package dev.devmap.harness;

import dev.devmap.harness.agent.Wire;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.kernelapi.Op;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A device whose files' blocks come from a whole filesystem (the linux fs devices) has more blocks
 * than the model's few: where the model's step is disabled only because its blocks are all in use
 * (guard NO_FREE_BLOCK) and the device goes ahead, the scenario is beyond the model's bounds and
 * ends there as skipped, with the step and the device's word (hello "beyond"); the same device
 * without that declaration fails, and a device that keeps the bound passes.
 */
class BeyondBoundsTest {
    static final String WHY = "the files are on a filesystem with 80,000 free blocks";

    /** The simulated device with twice the blocks it answers at reset (the agent answers the config's). */
    static final class MoreBlocks implements DeviceUnderTest {
        final SimulatedDevice sim = new SimulatedDevice();
        final boolean declares;

        MoreBlocks(boolean declares) { this.declares = declares; }

        public String name() { return "more-blocks"; }

        public Capabilities capabilities() {
            Capabilities c = sim.capabilities();
            return new Capabilities(c.agent(), 1, c.ops(), c.silent(), c.observes(), c.unsupported(), c.config(),
                    c.choices(), declares ? Map.of("blocks", WHY) : Map.of());
        }

        public DutConfig reset(DutConfig c) {
            sim.reset(new DutConfig(c.files(), c.pages(), 2 * c.blocks(), c.importers(), c.barPages(), c.barBase(),
                    c.pinSupport(), c.bdevInvalidate(), c.pageCache(), c.fileSize()));
            return c;
        }

        public Response perform(Request r) { return sim.perform(r); }

        public void close() { }
    }

    /** Two blocks in the config; the third written page's writeback needs a third. */
    static Scenario threeWritebacks() {
        List<Op> ops = List.of(new Op.MmapCall("f1"), new Op.WriteCall("f1", 1), new Op.WritebackCall("f1", 1),
                new Op.WriteCall("f1", 2), new Op.WritebackCall("f1", 2), new Op.WriteCall("f1", 3),
                new Op.WritebackCall("f1", 3));
        return new Scenario("three-writebacks", "guided", "three pages written back with two blocks", List.of(), ops,
                c -> new DutConfig(c.files(), c.pages(), 2, c.importers(), c.barPages(), c.barBase(), c.pinSupport(),
                        c.bdevInvalidate(), c.pageCache(), c.fileSize()), List.of(), 0, 0);
    }

    @Test
    void aDeviceThatDeclaresMoreBlocksGoesBeyondTheModelAndIsSkippedThere() {
        MoreBlocks dut = new MoreBlocks(true);
        ScenarioResult r = new Runner(dut, dut.capabilities(), true).run(threeWritebacks());
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.SKIP);
        assertThat(r.reason()).startsWith("beyond the model's bounds at step 7: writeback f1 3")
                .contains("NO_FREE_BLOCK: all 2 of its blocks in use").contains(WHY).contains("steps 1-6 agreed");
    }

    @Test
    void withoutTheDeclarationItIsAFailureAndADeviceWithinTheBoundPasses() {
        MoreBlocks undeclared = new MoreBlocks(false);
        ScenarioResult r = new Runner(undeclared, undeclared.capabilities(), true).run(threeWritebacks());
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.verdict().why()).contains("NO_FREE_BLOCK");
        SimulatedDevice sim = new SimulatedDevice();
        assertThat(new Runner(sim, sim.capabilities(), true).run(threeWritebacks()).status())
                .isEqualTo(ScenarioResult.Status.PASS);   // it refuses the third writeback, as the model does
    }

    @Test
    void theHelloCarriesBeyondAndAnUnknownBoundIsBadInput() throws Exception {
        Capabilities c = new MoreBlocks(true).capabilities();
        String hello = Wire.helloReply(c);
        assertThat(hello).contains("\"beyond\":{\"blocks\":\"" + WHY + "\"}");
        assertThat(Wire.parseHello(Wire.parse(hello)).beyond()).containsEntry("blocks", WHY);
        String bad = hello.replace("\"beyond\":{\"blocks\"", "\"beyond\":{\"values\"");
        assertThatThrownBy(() -> Wire.parseHello(Wire.parse(bad))).hasMessageContaining("unknown bound 'values'");
    }
}
