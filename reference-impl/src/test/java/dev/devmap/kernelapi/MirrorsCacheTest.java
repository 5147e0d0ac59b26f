package dev.devmap.kernelapi;

import dev.devmap.model.Action;
import dev.devmap.model.CacheState;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.State;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kernel choice pagecache-mirror-maps-cache (the spec's MirrorsCache and DevVal): a grant maps the
 * page-cache page, so a map of a cached page is granted, a device write through it dirties that
 * page (not the block), and every reader, device or CPU, reads it back with no invalidation.
 */
class MirrorsCacheTest {
    static Constants constants(Variant v) {
        return new Constants(List.of("f1"), 2, 3, List.of("gpu", "nic"), Set.of("gpu", "nic"), Set.of(),
                Set.of("gpu"), 2, 100, true, true, v);
    }

    private static State cachedAndGranted(DeviceMapModel m) {
        return SemanticsGuardTest.run(m, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1), new Action.Writeback("f1", 1),
                new Action.MapPrepare("gpu", "f1", 1, 1, false, true, false), new Action.MapCommit("gpu"));
    }

    @Test
    void aDeviceWriteThroughTheMirrorIsTheCachedPageEveryReaderSees() {
        DeviceMapModel m = new DeviceMapModel(constants(Variant.PAGECACHE_MIRROR_MAPS_CACHE));
        Semantics sem = new Semantics(m);
        State s = cachedAndGranted(m);   // a WRITE map of a clean cached page: granted
        Semantics.Result w = sem.apply(s, new Op.DevWriteCall("gpu", "f1", 1));
        State t = w.next();
        assertThat(m.cache(t, "f1", 1).st()).isEqualTo(CacheState.DIRTY);
        assertThat(m.cache(t, "f1", 1).v()).isEqualTo(2);
        assertThat(m.diskVal(t, "f1", 1)).as("the block keeps the old value until writeback").isEqualTo(1);
        assertThat(sem.apply(t, new Op.DevReadCall("gpu", "f1", 1)).outcome().value()).isEqualTo(2);
        Semantics.Result cpu = sem.apply(t, new Op.ReadCall("f1", 1));
        assertThat(cpu.outcome().kind()).isEqualTo(Outcome.Answer.VALUE);
        assertThat(cpu.outcome().value()).isEqualTo(2);
        // a CPU write of the mapped page invalidates nothing and the device reads it
        Semantics.Result cw = sem.apply(t, new Op.WriteCall("f1", 1));
        assertThat(cw.outcome().kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(m.inv(cw.next(), "f1").on()).isFalse();
        assertThat(sem.apply(cw.next(), new Op.DevReadCall("gpu", "f1", 1)).outcome().value()).isEqualTo(3);
    }

    @Test
    void theProtocolRefusesTheCachedPageAndAPinStillIs() {
        DeviceMapModel ref = new DeviceMapModel(constants(Variant.NONE));
        State s = SemanticsGuardTest.run(ref, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1), new Action.Writeback("f1", 1));
        assertThat(ref.refusal(s, "gpu", "f1", 1, 1, false, true, false)).isEqualTo(dev.devmap.model.Reason.CACHED);
        DeviceMapModel m = new DeviceMapModel(constants(Variant.PAGECACHE_MIRROR_MAPS_CACHE));
        assertThat(m.refusal(s, "gpu", "f1", 1, 1, false, true, false)).isNull();
        // a long-term pin is not the mirror: still refused cached
        assertThat(m.refusal(s, "gpu", "f1", 1, 1, true, false, false)).isEqualTo(dev.devmap.model.Reason.CACHED);
    }
}
