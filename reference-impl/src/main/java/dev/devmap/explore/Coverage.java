package dev.devmap.explore;

import dev.devmap.model.Action;
import dev.devmap.model.Action.*;
import dev.devmap.model.Cause;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Exp;
import dev.devmap.model.Grant;
import dev.devmap.model.Inv;
import dev.devmap.model.Pending;
import dev.devmap.model.Reason;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reachability coverage of a model: over every reachable state and every step of its state graph
 * (the Java explorer's, which the mirror check proves equal to TLC's), how often each path of the
 * spec is taken: every action of Next, both DMA directions, every refusal reason with each flag
 * combination it applies to, every invalidation cause with and without DMA in flight, each
 * exporter state, pin and unpin, every branch of {@code WritePage}, {@code ReadPage} and
 * {@code Apply} and of {@code WriteBlock} (fs-dax's write), and two importers' grants, prepared
 * maps and DMA at once (where an importer's name in a guard, {@code g.i = i}, decides anything). A
 * row at 0 over a set of models is a hole: a bug on that path is invisible to TLC.
 */
public final class Coverage {
    /** The flag combinations of the table: {@code <<PIN, WRITE, ATOMIC>>}. */
    public enum Flags {
        NONE("none", false, false, false), PIN("PIN", true, false, false), WRITE("WRITE", false, true, false),
        PIN_WRITE("PIN+WRITE", true, true, false), ATOMIC("ATOMIC", false, false, true);

        final String text;
        final boolean pin, w, at;

        Flags(String text, boolean pin, boolean w, boolean at) {
            this.text = text;
            this.pin = pin;
            this.w = w;
            this.at = at;
        }
    }

    /** Causes whose actions call Invalidate, in the spec's order. */
    static final List<Cause> CAUSES = List.of(Cause.TRUNCATE, Cause.PUNCH, Cause.FALLOCATE, Cause.RELOCATE, Cause.COW,
            Cause.REFLINK, Cause.POPULATE, Cause.MUNMAP, Cause.RECLAIM);

    /** The rows of the table, in order, all at 0. */
    public static List<String> rows() {
        List<String> rows = new ArrayList<>();
        for (String a : Action.NAMES) rows.add("action " + a);
        for (DmaOp op : DmaOp.values()) rows.add("DmaStart " + op.tla());
        for (DmaOp op : DmaOp.values()) rows.add("DmaEnd " + op.tla());
        for (Reason r : Reason.values()) for (Flags f : Flags.values()) if (applies(r, f)) rows.add("refusal " + r.tla() + " " + f.text);
        for (Flags f : Flags.values()) rows.add("granted " + f.text);
        for (Cause c : CAUSES) {
            rows.add("invalidate " + c.tla() + " without DMA in flight");
            rows.add("invalidate " + c.tla() + " with DMA in flight");
        }
        for (Exp e : Exp.values()) rows.add("exporter " + e.tla());
        rows.add("pin: MapCommit of a PIN grant");
        rows.add("pin survives Munmap");
        rows.add("unpin: DmaBufRelease");
        rows.add("unpin: RevokeAck of a pinned grant");
        rows.add("WritePage: write-through to a pinned block");
        rows.add("WritePage: invalidate the grants first");
        rows.add("WritePage: into the page cache");
        rows.add("WriteBlock: invalidate a shared block's grants first");
        rows.add("WriteBlock: in place");
        rows.add("WriteBlock: to a new block (a hole's or a shared one's copy)");
        rows.add("ReadPage: invalidate the writable grants first");
        rows.add("ReadPage: into the page cache");
        rows.add("Invalidate: notify importers");
        rows.add("Invalidate: apply at once");
        rows.add("Apply: Holes (truncate, punch)");
        rows.add("Apply: fallocate an unwritten extent");
        rows.add("Apply: Move to a free block, data copied");
        rows.add("Apply: Move without a free block (unchanged)");
        rows.add("Apply: reflink");
        rows.add("Apply: OTHER (populate, munmap, reclaim)");
        rows.add("two importers: grants at once");
        rows.add("two importers: prepared maps at once");
        rows.add("two importers: DMA in flight at once");
        return rows;
    }

    /** Whether reason r can be the answer for flags f at all (shared: WRITE or PIN, ...). */
    static boolean applies(Reason r, Flags f) {
        return switch (r) {
            case SHARED -> f.pin || f.w;
            case PIN_UNSUPPORTED -> f.pin;
            case NO_ATOMIC_ROUTE -> f.at;
            case WRITE_NOT_ALLOWED -> f.w;
            default -> true;
        };
    }

    /** Row name to count, in the order of {@link #rows()}. */
    public static Map<String, Long> of(DeviceMapModel m) {
        Map<String, Long> count = new LinkedHashMap<>();
        for (String r : rows()) count.put(r, 0L);
        Explorer.Result g = new Explorer(m, List.of(), List.of()).keepGraph(true).run();
        for (State s : g.states()) stateRows(m, s, count);
        for (Explorer.Edge e : g.edges()) stepRows(m, g.states().get(e.from()), e.action(), g.states().get(e.to()), count);
        return count;
    }

    private static void hit(Map<String, Long> count, String row) {
        Long n = count.get(row);
        if (n == null) throw new IllegalStateException("no coverage row '" + row + "'");
        count.put(row, n + 1);
    }

    private static void stateRows(DeviceMapModel m, State s, Map<String, Long> count) {
        hit(count, "exporter " + s.exp().tla());
        if (s.maps().stream().map(Grant::i).distinct().count() > 1) hit(count, "two importers: grants at once");
        if (s.pend().stream().map(Pending::i).distinct().count() > 1) hit(count, "two importers: prepared maps at once");
        if (s.dma().stream().map(Dma::i).distinct().count() > 1) hit(count, "two importers: DMA in flight at once");
        var c = m.constants();
        for (String i : c.importers()) for (String f : c.files()) {
            for (int lo = 1; lo <= c.nOff(); lo++) for (int hi = lo; hi <= c.nOff(); hi++) {
                if (m.mapPrepareWaits(s, i, f, lo, hi) != null) continue;
                for (Flags fl : Flags.values()) {
                    Reason r = m.refusal(s, i, f, lo, hi, fl.pin, fl.w, fl.at);
                    hit(count, r == null ? "granted " + fl.text : "refusal " + r.tla() + " " + fl.text);
                }
            }
        }
    }

    private static void stepRows(DeviceMapModel m, State s, Action a, State t, Map<String, Long> count) {
        hit(count, "action " + a.name());
        if (a instanceof DmaStart x) hit(count, "DmaStart " + x.op().tla());
        if (a instanceof DmaEnd x) {
            for (Dma d : s.dma()) if (d.i().equals(x.i())) hit(count, "DmaEnd " + d.op().tla());
        }
        if (a instanceof MapCommit x) {
            for (Grant g : t.maps()) if (g.pin() && g.i().equals(x.i()) && !s.maps().contains(g)) hit(count, "pin: MapCommit of a PIN grant");
        }
        if (a instanceof DmaBufRelease) hit(count, "unpin: DmaBufRelease");
        if (a instanceof RevokeAck x) {
            for (Grant g : s.maps()) if (g.pin() && g.i().equals(x.i())) hit(count, "unpin: RevokeAck of a pinned grant");
        }
        if (a instanceof Munmap x) {
            for (Grant g : s.maps()) if (g.pin() && g.f().equals(x.f()) && t.maps().contains(g)) hit(count, "pin survives Munmap");
        }
        String f = fileOf(a);
        Cause cause = causeOf(a, f, s, t, m);
        boolean started = f != null && !m.inv(s, f).on() && m.inv(t, f).on();
        if (a instanceof CpuWrite || a instanceof DevFallbackWrite) {
            int o = a instanceof CpuWrite w ? w.o() : ((DevFallbackWrite) a).o();
            hit(count, started ? "WritePage: invalidate the grants first"
                    : m.pinnedAt(s, f, o) ? "WritePage: write-through to a pinned block" : "WritePage: into the page cache");
            if (!m.constants().pageCache() && !m.pinnedAt(s, f, o)) {   // WriteBlock
                int b = m.extent(s, f, o).b();
                hit(count, started ? "WriteBlock: invalidate a shared block's grants first"
                        : b != 0 && b == m.extent(t, f, o).b() ? "WriteBlock: in place"
                        : "WriteBlock: to a new block (a hole's or a shared one's copy)");
            }
        }
        if (a instanceof CpuRead || a instanceof DevFallbackRead) {
            hit(count, started ? "ReadPage: invalidate the writable grants first" : "ReadPage: into the page cache");
        }
        if (cause != null) {
            hit(count, "invalidate " + cause.tla() + (s.dma().isEmpty() ? " without" : " with") + " DMA in flight");
            hit(count, started ? "Invalidate: notify importers" : "Invalidate: apply at once");
            if (!started) applyRow(m, s, f, cause, count);
        }
        if (a instanceof InvEnd x) {
            Inv r = m.inv(s, x.f());
            if (!r.done()) applyRow(m, s, x.f(), r.cause(), count);
        }
    }

    private static void applyRow(DeviceMapModel m, State s, String f, Cause cause, Map<String, Long> count) {
        boolean free = !m.freeBlocks(s).isEmpty();
        hit(count, switch (cause) {
            case TRUNCATE, PUNCH -> "Apply: Holes (truncate, punch)";
            case FALLOCATE -> free ? "Apply: fallocate an unwritten extent" : "Apply: OTHER (populate, munmap, reclaim)";
            case RELOCATE, COW -> free ? "Apply: Move to a free block, data copied" : "Apply: Move without a free block (unchanged)";
            case REFLINK -> "Apply: reflink";
            default -> "Apply: OTHER (populate, munmap, reclaim)";
        });
    }

    private static String fileOf(Action a) {
        if (a instanceof Munmap x) return x.f();
        if (a instanceof Truncate x) return x.f();
        if (a instanceof PunchHole x) return x.f();
        if (a instanceof Fallocate x) return x.f();
        if (a instanceof Relocate x) return x.f();
        if (a instanceof Unshare x) return x.f();
        if (a instanceof Reflink x) return x.f();
        if (a instanceof CpuWrite x) return x.f();
        if (a instanceof CpuRead x) return x.f();
        if (a instanceof DevFallbackWrite x) return x.f();
        if (a instanceof DevFallbackRead x) return x.f();
        if (a instanceof BarReclaim x) return x.f();
        return null;
    }

    /** The cause of the invalidation the step starts or applies at once, or null if it calls no Invalidate. */
    private static Cause causeOf(Action a, String f, State s, State t, DeviceMapModel m) {
        if (a instanceof Munmap) return Cause.MUNMAP;
        if (a instanceof Truncate) return Cause.TRUNCATE;
        if (a instanceof PunchHole) return Cause.PUNCH;
        if (a instanceof Fallocate) return Cause.FALLOCATE;
        if (a instanceof Relocate) return Cause.RELOCATE;
        if (a instanceof Unshare) return Cause.COW;
        if (a instanceof Reflink) return Cause.REFLINK;
        if (a instanceof BarReclaim) return Cause.RECLAIM;
        if (f != null && !m.inv(s, f).on() && m.inv(t, f).on() && m.inv(t, f).cause() == Cause.POPULATE) return Cause.POPULATE;
        return null;
    }

    /** The rows no model of the set reaches. */
    public static List<String> holes(Map<String, Map<String, Long>> byModel) {
        List<String> out = new ArrayList<>();
        for (String r : rows()) {
            long total = 0;
            for (Map<String, Long> c : byModel.values()) total += c.get(r);
            if (total == 0) out.add(r);
        }
        return out;
    }

    /** The table: one row per path, one column per model and the total; holes marked. */
    public static String table(Map<String, Map<String, Long>> byModel) {
        StringBuilder sb = new StringBuilder();
        int w = rows().stream().mapToInt(String::length).max().orElse(10);
        sb.append(String.format("%-" + w + "s", "path"));
        for (String name : byModel.keySet()) sb.append(String.format(" %12s", name));
        sb.append(String.format(" %12s%n", "total"));
        for (String r : rows()) {
            long total = 0;
            sb.append(String.format("%-" + w + "s", r));
            for (Map<String, Long> c : byModel.values()) {
                sb.append(String.format(java.util.Locale.ROOT, " %,12d", c.get(r)));
                total += c.get(r);
            }
            sb.append(String.format(java.util.Locale.ROOT, " %,12d%s%n", total, total == 0 ? "  HOLE" : ""));
        }
        return sb.toString();
    }
}
