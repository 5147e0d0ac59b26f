package dev.devmap.harness;

import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.kernelapi.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A prepare-only map ({@code commit:false}) needs {@code map_commit}: a device without the
 * prepare/commit split (the linux agent: test_hmm prepares and commits inside one ioctl) does not
 * list map_commit, and the scenarios with a prepare are skipped with its reason, not failed; random
 * sequences never send it one.
 */
class PrepareCapabilityTest {
    static final String WHY = "device_map is one step here: no prepare/commit split";

    @TempDir
    Path tmp;

    /** The simulated device without map_commit; a prepare-only map is a test failure. */
    static final class NoPrepare implements DeviceUnderTest {
        final SimulatedDevice sim = new SimulatedDevice(List.of(), 0);
        int prepares;

        public String name() { return "no-prepare"; }

        public Capabilities capabilities() {
            Capabilities c = sim.capabilities();
            Set<String> ops = new java.util.LinkedHashSet<>(c.ops());
            ops.remove("map_commit");
            Map<String, String> uns = new TreeMap<>(c.unsupported());
            uns.put("map_commit", WHY);
            return new Capabilities("no-prepare", 1, ops, c.silent(), c.observes(), uns, c.config());
        }

        public DutConfig reset(DutConfig c) { return sim.reset(c); }

        public Response perform(Request r) {
            if (r.op() instanceof Op.DeviceMapCall m && !m.commit()) prepares++;
            return sim.perform(r);
        }

        public void close() { }
    }

    @Test
    void aPrepareOnlyMapNeedsMapCommit() {
        Op prepare = new Op.DeviceMapCall("gpu", "f1", 1, 1, false, true, false, false);
        Op map = new Op.DeviceMapCall("gpu", "f1", 1, 1, false, true, false, true);
        assertThat(Capabilities.needed(prepare)).containsExactly("device_map", "map_commit");
        assertThat(Capabilities.needed(map)).containsExactly("device_map");
        Capabilities caps = new NoPrepare().capabilities();
        assertThat(caps.supports(map)).isTrue();
        assertThat(caps.supports(prepare)).isFalse();
    }

    @Test
    void scenariosWithAPrepareAreSkippedWithTheDevicesReasonAndRandomOnesSendNone() throws Exception {
        NoPrepare dut = new NoPrepare();
        Support.Run run = Support.conform(dut, 11, 20, false, tmp);
        Set<String> skippedForIt = new HashSet<>();
        for (ScenarioResult r : run.result().results) {
            if (r.status() == ScenarioResult.Status.SKIP && WHY.equals(r.reason())) skippedForIt.add(r.scenario().id());
        }
        assertThat(skippedForIt).contains("settle-finishes", "prepared-map-retries");
        assertThat(dut.prepares).as("prepare-only maps sent to a device without map_commit").isZero();
        if (!run.result().conformant()) fail(run.ktap());
    }
}
