package dev.devmap.harness.scenario;

import dev.devmap.kernelapi.Op;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Requirement;
import dev.devmap.model.DmaOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static dev.devmap.harness.Requirement.*;

/**
 * The spec-guided scenarios: each takes the system to a state where one of the model's actions or
 * refusal reasons applies, or where one of the races the spec's comments name can happen (an
 * invalidation against a prepared map, a DMA in flight, a second importer, a pin), and observes
 * results, values and notifications there. Together they take every action of the spec's Next and
 * give every refusal reason (the run prints the coverage it measured).
 */
public final class Guided {
    private Guided() { }

    static final String F1 = "f1", GPU = "gpu", NIC = "nic", FPGA = "fpga";

    // ---- a small DSL
    static Op mmap(String f) { return new Op.MmapCall(f); }
    static Op munmap(String f) { return new Op.MunmapCall(f); }
    static Op write(int o) { return new Op.WriteCall(F1, o); }
    static Op read(int o) { return new Op.ReadCall(F1, o); }
    static Op writeback(int o) { return new Op.WritebackCall(F1, o); }
    static Op evict(int o) { return new Op.EvictCall(F1, o); }
    static Op truncate(int n) { return new Op.TruncateCall(F1, n); }
    static Op punch(int lo, int hi) { return new Op.PunchHoleCall(F1, lo, hi); }
    static Op fallocate(int o) { return new Op.FallocateCall(F1, o); }
    static Op reflink(int o, int p) { return new Op.ReflinkCall(F1, o, p); }
    static Op relocate(int o) { return new Op.RelocateCall(F1, o); }
    static Op unshare(int o) { return new Op.UnshareCall(F1, o); }
    static Op map(String i, int lo, int hi, String... flags) { return map(i, lo, hi, true, flags); }
    static Op prepare(String i, int lo, int hi, String... flags) { return map(i, lo, hi, false, flags); }

    static Op map(String i, int lo, int hi, boolean commit, String... flags) {
        Set<String> f = new LinkedHashSet<>(Arrays.asList(flags));
        return new Op.DeviceMapCall(i, F1, lo, hi, f.contains("PIN"), f.contains("WRITE"), f.contains("ATOMIC"), commit);
    }

    static Op commit(String i) { return new Op.MapCommitCall(i); }
    static Op unmap(String i, int lo) { return new Op.DeviceUnmapCall(i, F1, lo); }
    static Op unpin(String i, int lo) { return new Op.UnpinCall(i, F1, lo); }
    static Op dmaStart(String i, int o, DmaOp op) { return new Op.DmaStartCall(i, F1, o, op); }
    static Op dmaEnd(String i) { return new Op.DmaEndCall(i); }
    static Op devRead(String i, int o) { return new Op.DevReadCall(i, F1, o); }
    static Op devWrite(String i, int o) { return new Op.DevWriteCall(i, F1, o); }
    static Op ack(String i) { return new Op.InvAckCall(i, F1); }
    static Op revokeAck(String i) { return new Op.RevokeAckCall(i); }
    static Op reclaim(String i, int lo) { return new Op.BarReclaimCall(i, F1, lo); }
    static Op unplug() { return new Op.UnplugCall(); }

    /** mmap f1, then write, write back and evict each page: written blocks, nothing cached. */
    static List<Op> written(int... pages) {
        List<Op> out = new ArrayList<>();
        out.add(mmap(F1));
        for (int o : pages) {
            out.add(write(o));
            out.add(writeback(o));
            out.add(evict(o));
        }
        return out;
    }

    static List<Op> seq(List<Op> prefix, Op... more) {
        List<Op> out = new ArrayList<>(prefix);
        out.addAll(Arrays.asList(more));
        return out;
    }

    static Scenario s(String id, String title, List<Requirement> req, List<Op> ops) {
        return s(id, title, req, ops, c -> c, List.of());
    }

    static Scenario s(String id, String title, List<Requirement> req, List<Op> ops,
                      UnaryOperator<DutConfig> configure, List<Scenario.Need> extra) {
        List<Scenario.Need> needs = new ArrayList<>(importersAsStandard(ops));
        needs.addAll(extra);
        return new Scenario(id, "guided", title, req, ops, configure, needs, 0, 0);
    }

    /**
     * The importers a scenario uses must have the standard roles: route and writable always,
     * atomics only when the scenario asks that importer for an ATOMIC map (no other step of the
     * protocol depends on it, so a device without atomics still runs the others).
     */
    static List<Scenario.Need> importersAsStandard(List<Op> ops) {
        Set<String> used = new LinkedHashSet<>();
        Set<String> atomic = new LinkedHashSet<>();
        for (Op op : ops) {
            String s = op.show();
            for (String i : List.of(GPU, NIC, FPGA)) if (s.contains(" " + i + " ") || s.endsWith(" " + i)) used.add(i);
            if (op instanceof Op.DeviceMapCall m && m.at()) atomic.add(m.i());
        }
        List<Scenario.Need> out = new ArrayList<>();
        DutConfig std = DutConfig.standard();
        for (String i : used) {
            DutConfig.Importer want = std.importer(i);
            boolean atomics = atomic.contains(i);
            out.add(new Scenario.Need("needs importer " + i + " with " + (want.route() ? "a P2P route" : "no P2P route")
                    + (atomics ? (want.atomic() ? ", atomics" : ", no atomics") : "") + (want.write() ? ", writable" : ""),
                    c -> c.importer(i) != null && c.importer(i).route() == want.route() && c.importer(i).write() == want.write()
                            && (!atomics || c.importer(i).atomic() == want.atomic())));
        }
        out.add(new Scenario.Need("needs a file f1 of 3 pages, 4 blocks and a BAR of 3 pages",
                c -> c.files().contains(F1) && c.pages() == 3 && c.blocks() >= 4 && c.barPages() == 3));
        return out;
    }

    public static List<Scenario> all() {
        List<Scenario> out = new ArrayList<>();
        // ---- device_map: every refusal reason, decided by the filesystem first, then the block device
        out.add(s("map-refused-hole", "WRITE over a hole is refused: hole", List.of(S10, S1),
                List.of(mmap(F1), map(GPU, 1, 1, "WRITE"))));
        out.add(s("map-refused-cached", "a writable map of a cached page is refused: cached", List.of(S5),
                List.of(mmap(F1), write(1), writeback(1), map(GPU, 1, 1, "WRITE"))));
        out.add(s("map-refused-shared", "WRITE over a reflinked (shared) block is refused: shared", List.of(S10),
                seq(written(1), reflink(1, 2), map(GPU, 1, 1, "WRITE"))));
        out.add(s("map-refused-no-route", "an importer without a P2P route is refused: no-route", List.of(S10),
                seq(written(1), map(FPGA, 1, 1))));
        out.add(s("map-refused-no-atomic-route", "ATOMIC without atomic routing is refused: no-atomic-route",
                List.of(S10), seq(written(1), map(NIC, 1, 1, "ATOMIC"))));
        out.add(s("map-refused-write-not-allowed", "WRITE for an importer the exporter keeps read-only is refused",
                List.of(S10), seq(written(1), map(NIC, 1, 1, "WRITE"))));
        out.add(s("map-refused-bar-full", "a map beyond the BAR is refused: bar-full; an unmap gives the space back",
                List.of(S9, L6), seq(written(1), reflink(1, 2), reflink(1, 3), map(GPU, 1, 3), map(NIC, 1, 1),
                        unmap(GPU, 1), map(NIC, 1, 1))));
        out.add(s("map-refused-pin-unsupported", "PIN on a filesystem without PIN support is refused",
                List.of(S10), seq(written(1), map(GPU, 1, 1, "PIN")), c -> c.withPinSupport(false),
                List.of(new Scenario.Need("needs a filesystem without PIN support (the device supports PIN)",
                        c -> !c.pinSupport()))));
        out.add(s("map-refused-exporter-gone", "after hot-unplug every map is refused: exporter-gone",
                List.of(S8, L5), seq(written(1), unplug(), map(GPU, 1, 1))));
        // ---- the direct path and the fallback path, with data checked
        out.add(s("direct-write-then-read", "a DMA write through a writable grant is what the CPU reads next",
                List.of(S5, S1, L1), seq(written(1), map(GPU, 1, 1, "WRITE"), devWrite(GPU, 1), devRead(GPU, 1),
                        read(1), ack(GPU), read(1))));
        out.add(s("read-only-beside-cache", "a read-only grant coexists with a clean page; a CPU write revokes it",
                List.of(S5, S3), seq(written(1), map(NIC, 1, 1), read(1), devRead(NIC, 1), write(1), ack(NIC), write(1),
                        devRead(NIC, 1))));
        out.add(s("fallback-paths", "without a grant the device faults page-cache pages (reads and writes)",
                List.of(S5, S6), List.of(mmap(F1), write(1), devRead(GPU, 1), devWrite(GPU, 2), devRead(GPU, 3),
                        writeback(2), evict(2), read(2))));
        out.add(s("fallback-write-dirties", "a fallback (GUP) write to a clean page dirties it; writeback keeps it",
                List.of(S6), List.of(mmap(F1), write(1), writeback(1), devWrite(GPU, 1), writeback(1), evict(1),
                        read(1))));
        out.add(s("fallback-coherent", "without a grant, device and CPU accesses of the page cache see each other's writes",
                List.of(S5), List.of(mmap(F1), write(1), devRead(GPU, 1), devWrite(GPU, 2), read(2), write(2), devRead(NIC, 2),
                        truncate(1), devRead(GPU, 1), read(1))));
        out.add(s("writeback-evict", "writeback and eviction keep the last write", List.of(S6, S5),
                List.of(mmap(F1), write(2), writeback(2), evict(2), read(2), write(2), evict(2), read(2))));
        out.add(s("writeback-after-unmap", "writeback of a page once mapped writable, now mapped read-only: "
                        + "nothing is dirty, the reader keeps its mapping", List.of(S6),
                seq(written(1), map(GPU, 1, 1, "WRITE"), unmap(GPU, 1), map(NIC, 1, 1), writeback(1), read(1))));
        out.add(s("writeback-after-refused-atomic", "a refused ATOMIC map changes nothing: writeback of the page "
                        + "leaves a reader mapped since", List.of(S6, S10),
                seq(written(1), map(NIC, 1, 1, "ATOMIC"), map(GPU, 1, 1), writeback(1), read(1))));
        // ---- invalidation
        out.add(s("truncate-waits-for-ack", "truncate of a mapped range waits for the importer's acknowledgement",
                List.of(S4, S1, S2, L4), seq(written(1), map(GPU, 1, 1, "WRITE"), truncate(0), devRead(GPU, 1), ack(GPU),
                        devRead(GPU, 1))));
        out.add(s("ack-waits-for-dma", "an importer acknowledges only after its DMA in flight has drained",
                List.of(S4, S1, L2), seq(written(1), map(GPU, 1, 1, "WRITE"), dmaStart(GPU, 1, DmaOp.WRITE), truncate(0),
                        ack(GPU), dmaEnd(GPU), ack(GPU), read(1))));
        out.add(s("two-importers-invalidated", "an invalidation notifies every importer; none uses its grant after acking",
                List.of(S1, S3), seq(written(1), map(GPU, 1, 1), map(NIC, 1, 1), truncate(0), ack(GPU), devRead(GPU, 1),
                        ack(NIC), devRead(GPU, 1))));
        out.add(s("map-waits-for-invalidation", "device_map of a range being invalidated waits (read_begin)",
                List.of(S3), seq(written(1), map(NIC, 1, 1), truncate(0), map(GPU, 1, 1), ack(NIC), map(GPU, 1, 1))));
        out.add(s("prepared-map-retries", "a map prepared before an invalidation must retry (sequence count)",
                List.of(S3, L3), seq(written(1, 2), prepare(GPU, 1, 1, "WRITE"), relocate(1), commit(GPU), map(GPU, 1, 1),
                        devRead(GPU, 1))));
        out.add(s("punch-invalidates", "punching part of a mapped range invalidates the grant first",
                List.of(S2, L4), seq(written(1, 2), map(GPU, 1, 2), punch(2, 2), ack(GPU), map(GPU, 1, 1),
                        devRead(GPU, 1))));
        out.add(s("cow-break-invalidates", "a COW break (unshare) of a reflinked page invalidates its mappings",
                List.of(S1, S2), seq(written(1), map(GPU, 1, 1), reflink(1, 2), unshare(1), ack(GPU), devRead(GPU, 1))));
        out.add(s("relocate-invalidates", "relocating a mapped page invalidates first; a new map sees the new block",
                List.of(S1, S2), seq(written(1), map(GPU, 1, 1), relocate(1), ack(GPU), map(GPU, 1, 1), devRead(GPU, 1))));
        out.add(s("fallocate-unwritten", "an unwritten extent reads as zeros and is refused as a hole",
                List.of(S10), List.of(mmap(F1), fallocate(1), map(GPU, 1, 1), read(1))));
        out.add(s("munmap-invalidates", "munmap tears down the importers' mappings of the vma", List.of(S1),
                seq(written(1), map(GPU, 1, 1), munmap(F1), ack(GPU), devRead(GPU, 1))));
        // ---- pins, BAR, the exporter
        out.add(s("pin-survives-munmap", "a pinned grant survives munmap, blocks truncate (EBUSY) until released",
                List.of(S7, S1, S5), seq(written(1), map(GPU, 1, 1, "PIN", "WRITE"), munmap(F1), devWrite(GPU, 1),
                        write(1), devRead(GPU, 1), truncate(0), punch(1, 1), unpin(GPU, 1), truncate(0))));
        out.add(s("bar-reclaim", "BAR reclaim invalidates a grant through the reverse map", List.of(S9, L6),
                seq(written(1), map(GPU, 1, 1), reclaim(GPU, 1), ack(GPU), map(NIC, 1, 1), devRead(GPU, 1))));
        out.add(s("unplug-revokes", "hot-unplug revokes every grant, pinned ones too, then finishes",
                List.of(S8, L5), seq(written(1), map(GPU, 1, 1, "PIN"), map(NIC, 1, 1), unplug(), devRead(GPU, 1),
                        revokeAck(GPU), revokeAck(NIC), map(GPU, 1, 1))));
        out.add(s("settle-finishes", "when the program stops, DMA, acknowledgements and prepared maps all finish",
                List.of(L1, L2, L3), seq(written(1), map(NIC, 1, 1), dmaStart(NIC, 1, DmaOp.READ), prepare(GPU, 1, 1, "WRITE"),
                        truncate(0))));
        out.addAll(Paths.all());
        return out;
    }
}
