package dev.devmap.harness.oracle;

import dev.devmap.harness.scenario.Paths;
import dev.devmap.model.Action;
import dev.devmap.model.Reason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the checked observations exercised: the spec's actions taken, the refusal reasons seen,
 * and how device accesses went (direct path versus fallback).
 */
public final class ObservedCoverage {
    private final Map<String, Long> actions = new HashMap<>();
    private final Map<String, Long> refusals = new HashMap<>();
    private final Map<String, Long> paths = new HashMap<>();
    private final Map<Paths.Cell, Long> cells = new HashMap<>();
    private long ops;
    private long busy;
    private long kernelWaits;
    private long truncateWaits;
    private long heldForDma;
    private long endedUnderDma;
    private long endedUnderDmaByKernel;
    private ObservedCoverage decided;

    /** What the answers the kernel decided ({@code "by":"kernel"}) exercised (created on first use). */
    public ObservedCoverage decided() {
        if (decided == null) decided = new ObservedCoverage();
        return decided;
    }

    /** EBUSY answers (a truncate or punch refused over a pin). */
    public long busy() { return busy; }

    void busyAnswer() { busy++; }

    /**
     * Layout changes the kernel answered {@code started} and ended itself ({@code inv_end} in a later
     * answer it decided) after an acknowledgement that came after the start: waits observed
     * ({@link HeldInvalidations}).
     */
    public long kernelWaits() { return kernelWaits; }

    /** Of those, the truncates and punches (what L4 is about). */
    public long truncateWaits() { return truncateWaits; }

    /** Of those, the ones whose range had a DMA in flight at the start that drained before the kernel's inv_end. */
    public long heldForDma() { return heldForDma; }

    /**
     * Layout changes that give a page another block, reported ended ({@code inv_end}) while a DMA in
     * flight to it since before the change had not drained: evidence against S1, whatever the model said.
     */
    public long endedUnderDma() { return endedUnderDma; }

    /** Of those, the ones whose inv_end came in an answer the kernel decided. */
    public long endedUnderDmaByKernel() { return endedUnderDmaByKernel; }

    void kernelWait(boolean truncateOrPunch) {
        kernelWaits++;
        if (truncateOrPunch) truncateWaits++;
    }

    void heldOneForDma() { heldForDma++; }

    void endedUnderDma(boolean byKernel) {
        endedUnderDma++;
        if (byKernel) endedUnderDmaByKernel++;
    }

    void action(String name) { actions.merge(name, 1L, Long::sum); }

    void refusal(String reason) { refusals.merge(reason, 1L, Long::sum); }

    void path(String p) { paths.merge(p, 1L, Long::sum); }

    void refusalPath(String reason, boolean pin, boolean w, boolean at, int pages) {
        Paths.Flags f = Paths.Flags.of(pin, w, at);
        if (f != null) cells.merge(new Paths.Cell(Reason.of(reason), f, Paths.Cell.sizeClass(pages)), 1L, Long::sum);
    }

    /** Refusals seen per cell of the matrix (reason x flags x range size). */
    public Map<Paths.Cell, Long> cells() { return new HashMap<>(cells); }

    /** The applicable cells of the refusal matrix no observation reached: holes. */
    public List<Paths.Cell> holes() {
        List<Paths.Cell> out = new ArrayList<>();
        for (Paths.Cell c : Paths.applicable()) if (!cells.containsKey(c)) out.add(c);
        return out;
    }

    /**
     * The refusal matrix: a row per reason, a column per flag combination and range size (1 page,
     * more); each cell the refusals seen, "n/a" where the model says the reason does not apply, and
     * "HOLE" where it applies but nothing reached it.
     */
    public List<String> matrix() {
        List<String> out = new ArrayList<>();
        StringBuilder h1 = new StringBuilder(String.format("%-18s", "reason \\ flags"));
        StringBuilder h2 = new StringBuilder(String.format("%-18s", "range (pages)"));
        for (Paths.Flags f : Paths.Flags.values()) {
            h1.append(String.format("%-14s", f.label()));
            h2.append(String.format("%-7s%-7s", "1", "2+"));
        }
        out.add(h1.toString().stripTrailing());
        out.add(h2.toString().stripTrailing());
        java.util.Set<Paths.Cell> app = Paths.applicable();
        for (Reason r : Reason.values()) {
            StringBuilder sb = new StringBuilder(String.format("%-18s", r.tla()));
            for (Paths.Flags f : Paths.Flags.values()) {
                for (int n : Paths.SIZES) {
                    Paths.Cell c = new Paths.Cell(r, f, n);
                    Long k = cells.get(c);
                    sb.append(String.format("%-7s", !app.contains(c) ? (k == null ? "n/a" : "n/a!" + k) : k == null ? "HOLE" : k));
                }
            }
            out.add(sb.toString().stripTrailing());
        }
        return out;
    }

    void op() { ops++; }

    public Map<String, Long> actions() { return new TreeMap<>(actions); }

    public Map<String, Long> refusals() { return new TreeMap<>(refusals); }

    public Map<String, Long> paths() { return new TreeMap<>(paths); }

    public long ops() { return ops; }

    public long direct() { return paths.getOrDefault("direct", 0L); }

    public long fallback() { return paths.getOrDefault("page-cache", 0L) + paths.getOrDefault("block", 0L); }

    public void add(ObservedCoverage o) {
        o.actions.forEach((k, v) -> actions.merge(k, v, Long::sum));
        o.refusals.forEach((k, v) -> refusals.merge(k, v, Long::sum));
        o.paths.forEach((k, v) -> paths.merge(k, v, Long::sum));
        o.cells.forEach((k, v) -> cells.merge(k, v, Long::sum));
        ops += o.ops;
        busy += o.busy;
        kernelWaits += o.kernelWaits;
        truncateWaits += o.truncateWaits;
        heldForDma += o.heldForDma;
        endedUnderDma += o.endedUnderDma;
        endedUnderDmaByKernel += o.endedUnderDmaByKernel;
        if (o.decided != null) decided().add(o.decided);
    }

    public List<String> missingActions() {
        List<String> out = new ArrayList<>();
        for (String a : Action.NAMES) if (!actions.containsKey(a)) out.add(a);
        return out;
    }

    public List<String> missingReasons() {
        List<String> out = new ArrayList<>();
        for (Reason r : Reason.values()) if (!refusals.containsKey(r.tla())) out.add(r.tla());
        return out;
    }

    /** One line: {@code actions 27/27, refusal reasons 9/9}, with what is missing. */
    public String summary() {
        int na = Action.NAMES.size();
        int nr = Reason.values().length;
        List<String> ma = missingActions();
        List<String> mr = missingReasons();
        StringBuilder sb = new StringBuilder();
        sb.append("actions ").append(na - ma.size()).append('/').append(na);
        if (!ma.isEmpty()) sb.append(" (missing ").append(String.join(", ", ma)).append(')');
        sb.append(", refusal reasons ").append(nr - mr.size()).append('/').append(nr);
        if (!mr.isEmpty()) sb.append(" (missing ").append(String.join(", ", mr)).append(')');
        int np = Paths.applicable().size();
        List<Paths.Cell> holes = holes();
        sb.append(", refusal paths ").append(np - holes.size()).append('/').append(np);
        if (!holes.isEmpty()) {
            List<String> hs = new ArrayList<>();
            for (Paths.Cell c : holes) hs.add(c.reason().tla() + " " + c.flags().label() + " " + (c.size() == 1 ? "1" : "2+"));
            sb.append(" (holes: ").append(String.join(", ", hs.size() > 6 ? hs.subList(0, 6) : hs))
                    .append(hs.size() > 6 ? ", ..." : "").append(')');
        }
        return sb.toString();
    }
}
