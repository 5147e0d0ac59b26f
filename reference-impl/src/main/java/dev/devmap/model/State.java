package dev.devmap.model;

import java.util.List;
import java.util.Set;

/**
 * One state of the spec: the same variables, with the same meaning. Per-page variables
 * ({@code extent}, {@code cache}, {@code lastw}) are flattened to index {@code file * NOff + (o - 1)}
 * (see {@link Constants#page}); {@code data} is indexed by {@code block - 1}; {@code inv},
 * {@code vflag} and {@code dtag} by file index ({@code dtag} as a mask: bit {@code o - 1} is page o). Sets are unordered, as in TLA+, and
 * iterate in TLC's canonical order ({@link Canonical}): the same in every run.
 */
public record State(List<Extent> extent, List<Integer> data, List<Page> cache, List<Integer> lastw, int nextv,
                    Set<String> vma, Set<Grant> maps, Set<Pending> pend, Set<Dma> dma, List<Inv> inv,
                    List<Boolean> vflag, int bar, Exp exp, Set<String> rev, List<Integer> dtag) {
    public State {
        extent = List.copyOf(extent);
        data = List.copyOf(data);
        cache = List.copyOf(cache);
        lastw = List.copyOf(lastw);
        vma = Canonical.strings(vma);
        maps = Canonical.set(maps, Canonical.GRANT);
        pend = Canonical.set(pend, Canonical.PENDING);
        dma = Canonical.set(dma, Canonical.DMA);
        inv = List.copyOf(inv);
        vflag = List.copyOf(vflag);
        rev = Canonical.strings(rev);
        dtag = List.copyOf(dtag);
    }

    // copy-with: this state with one variable replaced
    public State withExtent(List<Extent> v) { return new State(v, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withData(List<Integer> v) { return new State(extent, v, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withCache(List<Page> v) { return new State(extent, data, v, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withLastw(List<Integer> v) { return new State(extent, data, cache, v, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withNextv(int v) { return new State(extent, data, cache, lastw, v, vma, maps, pend, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withVma(Set<String> v) { return new State(extent, data, cache, lastw, nextv, v, maps, pend, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withMaps(Set<Grant> v) { return new State(extent, data, cache, lastw, nextv, vma, v, pend, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withPend(Set<Pending> v) { return new State(extent, data, cache, lastw, nextv, vma, maps, v, dma, inv, vflag, bar, exp, rev, dtag); }
    public State withDma(Set<Dma> v) { return new State(extent, data, cache, lastw, nextv, vma, maps, pend, v, inv, vflag, bar, exp, rev, dtag); }
    public State withInv(List<Inv> v) { return new State(extent, data, cache, lastw, nextv, vma, maps, pend, dma, v, vflag, bar, exp, rev, dtag); }
    public State withVflag(List<Boolean> v) { return new State(extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, v, bar, exp, rev, dtag); }
    public State withBar(int v) { return new State(extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, v, exp, rev, dtag); }
    public State withExp(Exp v) { return new State(extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, v, rev, dtag); }
    public State withRev(Set<String> v) { return new State(extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, v, dtag); }
    public State withDtag(List<Integer> v) { return new State(extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, rev, v); }

    /** The variable names, in the spec's order. */
    public static final List<String> VARIABLES = List.of("extent", "data", "cache", "lastw", "nextv", "vma", "maps",
            "pend", "dma", "inv", "vflag", "bar", "exp", "rev", "dtag");
}
