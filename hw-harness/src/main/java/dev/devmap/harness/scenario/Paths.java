package dev.devmap.harness.scenario;

import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.oracle.Protects;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.model.Cause;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Variant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static dev.devmap.harness.Requirement.*;
import static dev.devmap.harness.scenario.Guided.*;

/**
 * Guided scenarios generated from the model, over every path the protocol's decisions take:
 *
 * <ul>
 * <li>every refusal reason with every flag combination it applies to, on a single page and on a
 *     multi-page range, then the map that succeeds once the cause is gone. Which flags a reason
 *     applies to is asked of the model: its {@code Refusal} is evaluated in the state the reason's
 *     set-up leads to ({@link #applicable()});</li>
 * <li>every invalidation cause with a DMA in flight (the causes the model lets a grant's range
 *     have: a fallocated page is a hole, which no grant covers);</li>
 * <li>a map between a BAR reclaim's start and its acknowledgement;</li>
 * <li>every ordering of pin, munmap, truncate and unplug.</li>
 * </ul>
 */
public final class Paths {
    private Paths() { }

    /** The flag combinations of device_map. */
    public enum Flags {
        NONE("none"), PIN("PIN"), WRITE("WRITE"), PIN_WRITE("PIN+WRITE"), ATOMIC("ATOMIC");

        private final String label;

        Flags(String label) { this.label = label; }

        public String label() { return label; }

        public boolean pin() { return this == PIN || this == PIN_WRITE; }

        public boolean write() { return this == WRITE || this == PIN_WRITE; }

        public boolean atomic() { return this == ATOMIC; }

        String[] names() {
            List<String> out = new ArrayList<>();
            if (pin()) out.add("PIN");
            if (write()) out.add("WRITE");
            if (atomic()) out.add("ATOMIC");
            return out.toArray(new String[0]);
        }

        public static Flags of(boolean pin, boolean w, boolean at) {
            if (at && !pin && !w) return ATOMIC;
            if (at) return null;   // ATOMIC with PIN or WRITE: not a column of the matrix
            return pin ? (w ? PIN_WRITE : PIN) : (w ? WRITE : NONE);
        }
    }

    /** The range sizes of the matrix: one page, and more than one. */
    public static final List<Integer> SIZES = List.of(1, 2);

    /** One cell of the refusal matrix: a reason, the flags, the range size (1 or 2 = more than one). */
    public record Cell(Reason reason, Flags flags, int size) {
        public static int sizeClass(int pages) { return pages <= 1 ? 1 : 2; }
    }

    /** How a reason is brought about on pages 1..n, and taken away again. */
    private record Setup(Reason reason, String importer, List<Op> cause, List<Op> remove, String grantee,
                         boolean dropPin, UnaryOperator<DutConfig> configure, List<Scenario.Need> needs) {}

    private static List<Op> pages(int n) {
        int[] ps = new int[n];
        for (int k = 0; k < n; k++) ps[k] = k + 1;
        return written(ps);
    }

    private static Setup setup(Reason r, int n) {
        UnaryOperator<DutConfig> same = c -> c;
        switch (r) {
            case HOLE: {
                // pages 1..n-1 written, page n a hole
                List<Op> cause = n == 1 ? List.of(mmap(F1)) : pages(n - 1);
                return new Setup(r, GPU, cause, List.of(write(n), writeback(n), evict(n)), GPU, false, same, List.of());
            }
            case CACHED:
                return new Setup(r, GPU, seq(pages(n), read(n)), List.of(evict(n)), GPU, false, same, List.of());
            case SHARED:
                return new Setup(r, GPU, seq(pages(n), reflink(n, 3)), List.of(unshare(n)), GPU, false, same, List.of());
            case PIN_UNSUPPORTED:
                return new Setup(r, GPU, pages(n), List.of(), GPU, true, c -> c.withPinSupport(false),
                        List.of(new Scenario.Need("needs a filesystem without PIN support (the device supports PIN)",
                                c -> !c.pinSupport())));
            case EXPORTER_GONE:
                return new Setup(r, GPU, seq(pages(n), unplug()), null, GPU, false, same, List.of());
            case NO_ROUTE:
                return new Setup(r, FPGA, pages(n), List.of(), GPU, false, same, List.of());
            case NO_ATOMIC_ROUTE:
                return new Setup(r, NIC, pages(n), List.of(), GPU, false, same, List.of());
            case WRITE_NOT_ALLOWED:
                return new Setup(r, NIC, pages(n), List.of(), GPU, false, same, List.of());
            case BAR_FULL:
                // another importer holds all but n - 1 BAR pages: a map of n pages is one page short
                return new Setup(r, GPU, seq(pages(3), map(NIC, n, 3)), List.of(unmap(NIC, n)), GPU, false, same,
                        List.of());
            default:
                throw new IllegalArgumentException(r.tla());
        }
    }

    /** The state the set-up's operations lead to, in the spec's model (the clean simulated device runs it). */
    private static State after(DutConfig cfg, List<Op> ops) {
        try (SimulatedDevice sim = new SimulatedDevice()) {
            sim.reset(cfg);
            for (Op op : ops) sim.perform(new Request(op));
            return sim.state();
        }
    }

    /** The outcomes the spec's model gives the operations, in order. */
    static List<Outcome> predict(DutConfig cfg, List<Op> ops) {
        List<Outcome> out = new ArrayList<>();
        try (SimulatedDevice sim = new SimulatedDevice()) {
            sim.reset(cfg);
            for (Op op : ops) out.add(sim.perform(new Request(op)).outcome());
        }
        return out;
    }

    private static Map<Cell, Boolean> table;

    /**
     * The refusal matrix's applicable cells, asked of the model: a reason applies to flags and a range
     * size when the spec's {@code Refusal} gives it in the state the reason's set-up leads to.
     */
    public static synchronized Set<Cell> applicable() {
        if (table == null) {
            Map<Cell, Boolean> t = new LinkedHashMap<>();
            for (Reason r : Reason.values()) {
                for (int n : SIZES) {
                    Setup st = setup(r, n);
                    DutConfig cfg = st.configure().apply(DutConfig.standard());
                    DeviceMapModel m = new DeviceMapModel(cfg.constants(Variant.NONE));
                    State s = after(cfg, st.cause());
                    for (Flags f : Flags.values()) {
                        t.put(new Cell(r, f, n), m.refusal(s, st.importer(), F1, 1, n, f.pin(), f.write(), f.atomic()) == r);
                    }
                }
            }
            table = t;
        }
        Set<Cell> out = new LinkedHashSet<>();
        table.forEach((c, yes) -> { if (yes) out.add(c); });
        return out;
    }

    public static List<Scenario> all() {
        List<Scenario> out = new ArrayList<>();
        Set<Cell> cells = applicable();
        for (Reason r : Reason.values()) for (int n : SIZES) out.add(refusal(r, n, cells));
        out.addAll(invalidationsWithDmaInFlight());
        out.add(s("map-during-bar-reclaim", "a map between a BAR reclaim's start and its acknowledgement waits",
                List.of(S3, S9), seq(written(1), map(GPU, 1, 1), reclaim(GPU, 1), map(GPU, 1, 1), map(NIC, 1, 1), ack(GPU),
                        map(NIC, 1, 1), devRead(NIC, 1))));
        out.addAll(orderings());
        return out;
    }

    /** Reason r on pages 1..n: each applicable flag combination refused, then granted once the cause is gone. */
    private static Scenario refusal(Reason r, int n, Set<Cell> cells) {
        Setup st = setup(r, n);
        List<Op> ops = new ArrayList<>(st.cause());
        List<Flags> fs = new ArrayList<>();
        for (Flags f : Flags.values()) if (cells.contains(new Cell(r, f, n))) fs.add(f);
        for (Flags f : fs) ops.add(map(st.importer(), 1, n, f.names()));
        String title = r.tla() + " on " + (n == 1 ? "one page" : n + " pages") + " for " + labels(fs);
        if (st.remove() != null) {
            ops.addAll(st.remove());
            Set<Flags> granted = new LinkedHashSet<>();
            for (Flags f : fs) granted.add(st.dropPin() ? (f.write() ? Flags.WRITE : Flags.NONE) : f);
            for (Flags f : granted) {
                ops.add(map(st.grantee(), 1, n, f.names()));
                ops.add(f.pin() ? unpin(st.grantee(), 1) : unmap(st.grantee(), 1));
            }
            title += ", then granted " + (st.dropPin() ? "without PIN" : st.grantee().equals(st.importer())
                    ? "once the cause is gone" : "to an importer with the capability");
        } else {
            title += " (the cause cannot be taken away: the exporter does not come back)";
        }
        return s("refusal-" + r.tla() + "-" + n, title, List.of(Protects.of(r)), ops, st.configure(), st.needs());
    }

    private static String labels(List<Flags> fs) {
        List<String> out = new ArrayList<>();
        for (Flags f : fs) out.add(f.label());
        return String.join(", ", out);
    }

    /** Each invalidation cause while the importer's DMA is in flight: the ack waits for the DMA to drain. */
    static List<Scenario> invalidationsWithDmaInFlight() {
        List<Scenario> out = new ArrayList<>();
        for (Cause c : Cause.values()) {
            List<Op> pre = new ArrayList<>();
            Op trigger;
            DmaOp dma = DmaOp.WRITE;
            switch (c) {
                case TRUNCATE -> { pre.addAll(seq(written(1), map(GPU, 1, 1, "WRITE"))); trigger = truncate(0); }
                case PUNCH -> { pre.addAll(seq(written(1), map(GPU, 1, 1, "WRITE"))); trigger = punch(1, 1); }
                case RELOCATE -> { pre.addAll(seq(written(1), map(GPU, 1, 1, "WRITE"))); trigger = relocate(1); }
                case COW -> {
                    pre.addAll(seq(written(1), reflink(1, 2), map(GPU, 1, 1)));
                    trigger = unshare(1);
                    dma = DmaOp.READ;
                }
                case REFLINK -> { pre.addAll(seq(written(1), map(GPU, 1, 1, "WRITE"))); trigger = reflink(1, 2); }
                case POPULATE -> { pre.addAll(seq(written(1), map(GPU, 1, 1, "WRITE"))); trigger = read(1); }
                case MUNMAP -> { pre.addAll(seq(written(1), map(GPU, 1, 1, "WRITE"))); trigger = munmap(F1); }
                case RECLAIM -> { pre.addAll(seq(written(1), map(GPU, 1, 1, "WRITE"))); trigger = reclaim(GPU, 1); }
                default -> { continue; }   // none; fallocate: its page is a hole, which no grant covers
            }
            pre.add(dmaStart(GPU, 1, dma));
            pre.add(trigger);
            List<Outcome> os = predict(DutConfig.standard(), pre);
            Outcome t = os.get(os.size() - 1);
            if (t.kind() != Outcome.Answer.STARTED || !t.notified().contains(GPU)) {
                throw new IllegalStateException("the model does not start an invalidation (" + c.tla() + ") here: " + t);
            }
            out.add(s("dma-inflight-" + c.tla(), c.tla() + " invalidates a grant with DMA in flight: the ack waits for it",
                    List.of(S1, S4, L2), seq(pre, ack(GPU), dmaEnd(GPU), ack(GPU), read(1), devRead(GPU, 1))));
        }
        return out;
    }

    /** The causes {@link #invalidationsWithDmaInFlight} covers. */
    public static List<String> causesWithDmaInFlight() {
        List<String> out = new ArrayList<>();
        for (Scenario sc : invalidationsWithDmaInFlight()) out.add(sc.id().substring("dma-inflight-".length()));
        return out;
    }

    /** Every ordering of a pin, munmap, truncate and unplug. */
    static List<Scenario> orderings() {
        List<Op> four = List.of(map(GPU, 1, 1, "PIN"), munmap(F1), truncate(0), unplug());
        List<String> names = List.of("pin", "munmap", "truncate", "unplug");
        List<Scenario> out = new ArrayList<>();
        permute(new ArrayList<>(List.of(0, 1, 2, 3)), 0, p -> {
            List<Op> ops = new ArrayList<>(written(1));
            List<String> id = new ArrayList<>();
            for (int k : p) {
                ops.add(four.get(k));
                id.add(names.get(k));
            }
            ops.add(devRead(GPU, 1));
            ops.add(unpin(GPU, 1));
            ops.add(truncate(0));
            out.add(s("order-" + String.join("-", id), String.join(", ", id) + " in this order, then the pin released",
                    List.of(S7, S8, L5), ops));
        });
        return out;
    }

    private static void permute(List<Integer> xs, int k, java.util.function.Consumer<List<Integer>> each) {
        if (k == xs.size()) {
            each.accept(List.copyOf(xs));
            return;
        }
        for (int j = k; j < xs.size(); j++) {
            java.util.Collections.swap(xs, k, j);
            permute(xs, k + 1, each);
            java.util.Collections.swap(xs, k, j);
        }
    }
}
