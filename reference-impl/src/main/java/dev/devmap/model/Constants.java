package dev.devmap.model;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The spec's CONSTANTS. Built from the same models.json entry that drives TLC
 * ({@link dev.devmap.model.tla.TlaBridge#constants}), so the two cannot drift apart.
 */
public record Constants(List<String> files, int nOff, int nBlocks, List<String> importers, Set<String> route,
                        Set<String> atomicRoute, Set<String> writeOK, int barSize, int maxVal, boolean pinSupport,
                        boolean bdevCanInvalidate, boolean pageCache, Variant variant) {
    /** With a page cache ({@code PageCache = TRUE}): every filesystem but fs-dax. */
    public Constants(List<String> files, int nOff, int nBlocks, List<String> importers, Set<String> route,
                     Set<String> atomicRoute, Set<String> writeOK, int barSize, int maxVal, boolean pinSupport,
                     boolean bdevCanInvalidate, Variant variant) {
        this(files, nOff, nBlocks, importers, route, atomicRoute, writeOK, barSize, maxVal, pinSupport, bdevCanInvalidate,
                true, variant);
    }

    public Constants {
        files = List.copyOf(new TreeSet<>(files));
        importers = List.copyOf(new TreeSet<>(importers));
        route = Canonical.strings(route);
        atomicRoute = Canonical.strings(atomicRoute);
        writeOK = Canonical.strings(writeOK);
        if (nOff < 1 || nBlocks < 1 || barSize < 0 || maxVal < 0 || files.isEmpty() || importers.isEmpty()) {
            throw new IllegalArgumentException("constants out of range: NOff, NBlocks >= 1, BarSize, MaxVal >= 0, "
                    + "Files and Importers not empty");
        }
        for (Set<String> s : List.of(route, atomicRoute, writeOK)) {
            if (!importers.containsAll(s)) {
                throw new IllegalArgumentException("Route, AtomicRoute and WriteOK must be subsets of Importers");
            }
        }
    }

    public int fileIndex(String f) {
        if (files.size() == 1 && files.get(0).equals(f)) return 0;
        int i = files.indexOf(f);
        if (i < 0) throw new IllegalArgumentException("unknown file '" + f + "'");
        return i;
    }

    public int importerIndex(String i) {
        int k = importers.indexOf(i);
        if (k < 0) throw new IllegalArgumentException("unknown importer '" + i + "'");
        return k;
    }

    /** Index of (f, o) in the flattened per-page lists of {@link State}. */
    public int page(String f, int o) {
        if (o < 1 || o > nOff) throw new IllegalArgumentException("offset " + o + " outside 1.." + nOff);
        return fileIndex(f) * nOff + (o - 1);
    }

    public Constants withVariant(Variant v) {
        return new Constants(files, nOff, nBlocks, importers, route, atomicRoute, writeOK, barSize, maxVal, pinSupport,
                bdevCanInvalidate, pageCache, v);
    }

    /** The spec's {@code Is(v)}: {@code v \in Combines(Variant)}. */
    public boolean is(Variant v) { return variant == v || variant.combination() && variant.combines().contains(v); }
}
