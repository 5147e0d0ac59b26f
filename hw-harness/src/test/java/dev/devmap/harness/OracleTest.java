package dev.devmap.harness;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.oracle.Failure;
import dev.devmap.harness.oracle.Oracle;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The oracle: data checked, not only return codes; internal steps a device does not report are closed over. */
class OracleTest {
    @TempDir
    Path tmp;

    /** A device that takes every acknowledgement and invalidation end by itself and reports none of them. */
    static final class SilentAcks implements DeviceUnderTest {
        final SimulatedDevice sim = new SimulatedDevice(List.of(), 0);
        final boolean declare;

        SilentAcks(boolean declare) { this.declare = declare; }

        public String name() { return "silent"; }

        public Capabilities capabilities() {
            Capabilities c = sim.capabilities();
            return new Capabilities("silent", 1, c.ops(), declare ? Set.of(Event.Type.ACK, Event.Type.INV_END) : Set.of(),
                    c.observes(), c.unsupported(), c.config());
        }

        public DutConfig reset(DutConfig c) { return sim.reset(c); }

        public Response perform(Request r) {
            Response x = sim.perform(r);
            List<Event> after = new ArrayList<>();
            for (Event e : x.after()) if (e.kind() != Event.Type.ACK && e.kind() != Event.Type.INV_END) after.add(e);
            List<Event> before = new ArrayList<>();
            for (Event e : x.before()) if (e.kind() != Event.Type.ACK && e.kind() != Event.Type.INV_END) before.add(e);
            return new Response(before, x.outcome(), after, x.blocks(), x.addrs(), x.dmabuf(), x.errno(), x.message());
        }

        public void close() { }
    }

    @Test
    void silentInternalStepsAreClosedOverWhenTheDeviceDeclaresThem() throws Exception {
        Support.Run run = Support.conform(new SilentAcks(true), 8, 10, false, tmp);
        assertThat(run.result().conformant()).as(run.ktap()).isTrue();
    }

    @Test
    void anUnreportedStepIsCaughtWhenTheDeviceClaimsToReportThem() throws Exception {
        Support.Run run = Support.conform(new SilentAcks(false), 8, 0, false, tmp);
        assertThat(run.result().conformant()).isFalse();
    }

    /** A wrong value with the right return code: silent corruption is a failure (S5). */
    @Test
    void aWrongValueIsAFailureEvenWithTheRightReturnCode() {
        SimulatedDevice sim = new SimulatedDevice();
        DutConfig cfg = sim.reset(DutConfig.standard());
        Oracle o = new Oracle(cfg, sim.capabilities());
        for (Op op : List.of(new Op.MmapCall("f1"), new Op.WriteCall("f1", 1))) {
            Request req = o.request(op);
            assertThat(o.check(req, sim.perform(req))).isNull();
        }
        Request read = o.request(new Op.ReadCall("f1", 1));
        Response right = sim.perform(read);
        assertThat(right.outcome().value()).isEqualTo(1);
        Response wrong = Response.of(right.outcome().withValue(2));
        Failure f = o.check(read, wrong);
        assertThat(f).isNotNull();
        assertThat(f.kind()).isEqualTo(Failure.Mismatch.OUTCOME);
        assertThat(f.allowed()).containsExactly(new Outcome(Outcome.Answer.VALUE, null, 1, Outcome.Path.PAGE_CACHE, null, 0)
                .show());
    }
}
