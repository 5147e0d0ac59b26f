package dev.devmap.packed;

import dev.devmap.model.Action;
import dev.devmap.model.CacheState;
import dev.devmap.model.Cause;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Exp;
import dev.devmap.model.Extent;
import dev.devmap.model.Grant;
import dev.devmap.model.Inv;
import dev.devmap.model.ExtentKind;
import dev.devmap.model.Page;
import dev.devmap.model.Pending;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Variant;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link DeviceMapModel} on a flat {@code long[]} working copy of a state (no allocation per step),
 * with a canonical bit-packed encoding of the state for the queue and its fingerprint. Every action
 * is a line-by-line port of the record model's, under the same names; that the two are the same
 * relation is checked mechanically (PackedModelTest: every reachable state of ci and of every
 * variant, every action, decoded result equal to {@link DeviceMapModel#step}'s), not assumed.
 *
 * <p>Working-copy layout (one {@code long} per slot): per page {@code p = f * NOff + o - 1} the
 * extent ({@code kind << 8 | block}), the cache ({@code state << 8 | value}) and {@code lastw};
 * {@code data} by block; then nextv, the vma/vflag file masks, bar, exp, the rev importer mask;
 * per file an invalidation (header, await mask, victim count, victims); the sets maps, pend and dma
 * as a count and sorted elements. A grant is one long ({@link #grant}), so set equality is array
 * equality and the encoding of equal states is equal.
 */
public final class PackedModel {
    // action opcodes, one per action of Next
    static final int MMAP = 0, MUNMAP = 1, CPU_WRITE = 2, CPU_READ = 3, TRUNCATE = 4, PUNCH = 5, FALLOCATE = 6,
            REFLINK = 7, WRITEBACK = 8, EVICT = 9, RELOCATE = 10, UNSHARE = 11, INV_ACK = 12, INV_END = 13,
            MAP_PREPARE = 14, MAP_COMMIT = 15, MAP_RETRY = 16, DEVICE_UNMAP = 17, DMABUF_RELEASE = 18, DMA_START = 19,
            DMA_END = 20, DEV_FALLBACK_READ = 21, DEV_FALLBACK_WRITE = 22, BAR_RECLAIM = 23, UNPLUG_START = 24,
            REVOKE_ACK = 25, UNPLUG_END = 26;

    static final int HOLE = 0, UNWRITTEN = 1, WRITTEN = 2;           // Kind ordinals
    static final int ABSENT = 0, CLEAN = 1, DIRTY = 2;               // CacheState ordinals
    static final int UP = 0, REMOVING = 1, GONE = 2;                 // Exp ordinals
    static final int C_NONE = 0, C_TRUNCATE = 1, C_PUNCH = 2, C_FALLOCATE = 3, C_RELOCATE = 4, C_COW = 5,
            C_REFLINK = 6, C_POPULATE = 7, C_MUNMAP = 8, C_RECLAIM = 9;     // Cause ordinals
    private static final long RETRY = 1L << 60;

    final Constants c;
    final int nFiles, nOff, nPages, nBlocks, nImp, maxVal;
    private final Variant variant;
    final int routeMask, atomicMask, writeMask;
    // working-copy layout
    final int maxG, maxP, maxD;
    final int oExt, oCache, oLastw, oData, oNextv, oVma, oVflag, oBar, oExp, oRev, oInv, invW, oMaps, oPend,
            oDma;
    /** Slots in a working copy. */
    public final int len;
    // encoding widths
    private final int bw, vw, nw, iw, fw, cw, gcw, pcw, dcw;
    /** The most words an encoded state can take. */
    public final int maxWords;
    private final int[] fixed;   // the action codes whose parameters range over constants only
    private final int[] segEnd;  // fixed split into runs of one gate: run k is fixed[segEnd[k-1] .. segEnd[k])
    private final int[] segGate;

        /**
     * The variants and kernel choices the packed steps implement, ported one by one and each checked
     * against the record explorer by PackedModelTest. Any other (a kernel choice landed after the
     * port) is refused by name: a new choice is not packed until it is ported and listed here.
     */
    public static final Set<Variant> PACKED = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(Variant.NONE,
            Variant.NO_ACK_WAIT, Variant.VALID_FLAG, Variant.MAP_WHILE_CACHED, Variant.TRUNCATE_IGNORES_PIN,
            Variant.UNPLUG_WITHOUT_INVALIDATE, Variant.BAR_OVERCOMMIT, Variant.ATOMIC_WITHOUT_ROUTE, Variant.WRITE_TO_HOLE,
            Variant.UNBOUNDED_REVOKE, Variant.EARLY_TLB_FLUSH, Variant.GUP_NO_DIRTY, Variant.UNMAP_KEEPS_BAR,
            Variant.COW_WITHOUT_INVALIDATE, Variant.DAX_MAP_DURING_BREAK_LAYOUTS, Variant.DAX_NEW_REF_EXTENDS_WAIT,
            Variant.DAX_PUNCH_WHOLE_FILE, Variant.WRITE_SHARED_COW_ON_FAULT, Variant.READ_PIN_IGNORES_TRUNCATE,
            Variant.PAGECACHE_ACKS_WITH_DMA));

    /** Whether the packed steps implement the variant or choice (else the constructor refuses it). */
    public static boolean packs(Variant v) {
        return PACKED.contains(v);
    }

    public PackedModel(Constants c) {
        if (!packs(c.variant())) {   // a kernel choice landed after the packed port: not ported yet
            throw new IllegalArgumentException("the packed model has no kernel choice " + c.variant().tla() + " yet: use the record explorer");
        }
        this.c = c;
        nFiles = c.files().size();
        nOff = c.nOff();
        nPages = nFiles * nOff;
        nBlocks = c.nBlocks();
        nImp = c.importers().size();
        maxVal = c.maxVal();
        variant = c.variant();
        if (nFiles > 15 || nOff > 8 || nBlocks > 31 || nImp > 15 || maxVal > 255) {
            throw new IllegalArgumentException("packed explorer: at most 15 files, 8 pages, 31 blocks, 15 importers, MaxVal 255");
        }
        routeMask = mask(c.route());
        atomicMask = mask(c.atomicRoute());
        writeMask = mask(c.writeOK());
        maxG = nImp * nFiles * nOff;   // an importer's grants on a file never overlap
        if (maxG > 64) throw new IllegalArgumentException("packed explorer: Importers x Files x NOff at most 64");
        maxP = 2 * nImp;                // TypeOK allows one each; room to see a second
        maxD = 2 * nImp;
        int k = 0;
        oExt = k; k += nPages;
        oCache = k; k += nPages;
        oLastw = k; k += nPages;
        oData = k; k += nBlocks;
        oNextv = k++;
        oVma = k++;
        oVflag = k++;
        oBar = k++;
        oExp = k++;
        oRev = k++;
        oInv = k;
        invW = 3 + maxG;
        k += nFiles * invW;
        oMaps = k; k += 1 + maxG;
        oPend = k; k += 1 + maxP;
        oDma = k; k += 1 + maxD;
        len = k;
        bw = bits(nBlocks);
        vw = Math.max(1, bits(maxVal));
        nw = bits(nOff);
        iw = bits(nImp - 1);
        fw = bits(nFiles - 1);
        cw = bits(maxG);
        gcw = bits(maxG);
        pcw = bits(maxP);
        dcw = bits(maxD);
        int grantBits = iw + fw + 2 * nw + 3 + nOff * bw;
        int fixedBits = nPages * (2 + bw + 2 + vw + vw) + nBlocks * vw + vw + 2 * nFiles + 8 + 2 + nImp;
        int invBits = 1 + 2 * nw + 4 + nw + 2 + nImp + cw + maxG * grantBits;
        int total = fixedBits + nFiles * invBits + gcw + maxG * grantBits + pcw + maxP * (grantBits + 1)
                + dcw + maxD * (iw + fw + nw + bw + 1 + vw);
        maxWords = (total + 63) / 64;
        fixed = fixedCandidates();
        List<Integer> ends = new ArrayList<>();
        List<Integer> gates = new ArrayList<>();
        for (int j = 0; j < fixed.length; j++) {
            int g = gate(fixed[j]);
            if (gates.isEmpty() || gates.get(gates.size() - 1).intValue() != g) {
                gates.add(g);
                ends.add(j + 1);
            } else {
                ends.set(ends.size() - 1, j + 1);
            }
        }
        segEnd = ends.stream().mapToInt(Integer::intValue).toArray();
        segGate = gates.stream().mapToInt(Integer::intValue).toArray();
    }

    private int mask(Set<String> importers) {
        int m = 0;
        for (String i : importers) m |= 1 << c.importerIndex(i);
        return m;
    }

    static int bits(int x) { return x <= 0 ? 0 : 32 - Integer.numberOfLeadingZeros(x); }

    // ------------------------------------------------------------------ grants, pendings, DMAs as longs

    /** A grant: importer, file, lo, hi, flags w/at/pin, then one 5-bit block per page. */
    static long grant(int i, int f, int lo, int hi, boolean w, boolean at, boolean pin) {
        return i | (long) f << 4 | (long) lo << 8 | (long) hi << 12 | (w ? 1L << 16 : 0) | (at ? 1L << 17 : 0)
                | (pin ? 1L << 18 : 0);
    }

    static int gi(long g) { return (int) (g & 15); }
    static int gf(long g) { return (int) (g >>> 4 & 15); }
    static int glo(long g) { return (int) (g >>> 8 & 15); }
    static int ghi(long g) { return (int) (g >>> 12 & 15); }
    static boolean gw(long g) { return (g >>> 16 & 1) != 0; }
    static boolean gat(long g) { return (g >>> 17 & 1) != 0; }
    static boolean gpin(long g) { return (g >>> 18 & 1) != 0; }
    static int gblk(long g, int o) { return (int) (g >>> (19 + 5 * (o - glo(g))) & 31); }
    static long withBlk(long g, int o, int b) { return g | (long) b << (19 + 5 * (o - glo(g))); }
    static int gsize(long g) { return ghi(g) - glo(g) + 1; }
    static boolean gin(long g, int o) { return glo(g) <= o && o <= ghi(g); }
    static boolean overlaps(long g, int l, int h) { return glo(g) <= h && l <= ghi(g); }
    static boolean retry(long p) { return (p & RETRY) != 0; }
    static long asGrant(long p) { return p & ~RETRY; }

    /** A DMA: importer, file, page, block, op (1 = write), value. */
    static long dma(int i, int f, int o, int b, boolean write, int v) {
        return i | (long) f << 4 | (long) o << 8 | (long) b << 12 | (write ? 1L << 17 : 0) | (long) v << 18;
    }

    static int di(long d) { return (int) (d & 15); }
    static int df(long d) { return (int) (d >>> 4 & 15); }
    static int dO(long d) { return (int) (d >>> 8 & 15); }
    static int db(long d) { return (int) (d >>> 12 & 31); }
    static boolean dwrite(long d) { return (d >>> 17 & 1) != 0; }
    static int dv(long d) { return (int) (d >>> 18 & 255); }

    /** An invalidation's header: on, lo, hi, cause, arg, wonly, done. */
    static long invHeader(boolean on, int lo, int hi, int cause, int arg, boolean wonly, boolean done) {
        return (on ? 1 : 0) | (long) lo << 1 | (long) hi << 5 | (long) cause << 9 | (long) arg << 13
                | (wonly ? 1L << 17 : 0) | (done ? 1L << 18 : 0);
    }

    private static final long IDLE_HEADER = invHeader(false, 1, 1, C_NONE, 0, false, false);

    static boolean ron(long h) { return (h & 1) != 0; }
    static int rlo(long h) { return (int) (h >>> 1 & 15); }
    static int rhi(long h) { return (int) (h >>> 5 & 15); }
    static int rcause(long h) { return (int) (h >>> 9 & 15); }
    static int rarg(long h) { return (int) (h >>> 13 & 15); }
    static boolean rwonly(long h) { return (h >>> 17 & 1) != 0; }
    static boolean rdone(long h) { return (h >>> 18 & 1) != 0; }

    // ------------------------------------------------------------------ sorted long sets in the working copy

    static boolean setHas(long[] s, int at, long x) {
        int n = (int) s[at];
        for (int k = 1; k <= n; k++) if (s[at + k] == x) return true;
        return false;
    }

    private static void setAdd(long[] s, int at, int cap, long x) {
        int n = (int) s[at];
        int k = 1;
        while (k <= n && s[at + k] < x) k++;
        if (k <= n && s[at + k] == x) return;
        if (n == cap) throw fail("packed explorer: a set outgrew its room (%d)", cap);
        System.arraycopy(s, at + k, s, at + k + 1, n - k + 1);
        s[at + k] = x;
        s[at] = n + 1;
    }

    private static void setRemove(long[] s, int at, long x) {
        int n = (int) s[at];
        for (int k = 1; k <= n; k++) {
            if (s[at + k] == x) {
                System.arraycopy(s, at + k + 1, s, at + k, n - k);
                s[at + n] = 0;
                s[at] = n - 1;
                return;
            }
        }
    }

    private static void setClear(long[] s, int at, int cap) {
        Arrays.fill(s, at, at + cap + 1, 0);
    }

    // ------------------------------------------------------------------ the spec's operators on a working copy

    int pg(int f, int o) { return f * nOff + o - 1; }
    long ext(long[] s, int f, int o) { return s[oExt + pg(f, o)]; }
    static int kind(long e) { return (int) (e >>> 8); }
    static int blk(long e) { return (int) (e & 255); }
    static int cst(long p) { return (int) (p >>> 8); }
    static int cval(long p) { return (int) (p & 255); }
    long cache(long[] s, int f, int o) { return s[oCache + pg(f, o)]; }
    int inv(int f) { return oInv + f * invW; }
    boolean invOn(long[] s, int f) { return ron(s[inv(f)]); }
    private boolean is(Variant v) { return variant == v; }

    int owners(long[] s, int b) {
        int n = 0;
        for (int p = 0; p < nPages; p++) if (blk(s[oExt + p]) == b) n++;
        return n;
    }

    boolean shared(long[] s, int b) { return owners(s, b) > 1; }

    /** {@code MinFree}, or 0 when {@code FreeBlocks = {}}. */
    int minFree(long[] s) {
        for (int b = 1; b <= nBlocks; b++) if (owners(s, b) == 0) return b;
        return 0;
    }

    long dataAt(long[] s, int b) {
        if (b < 1 || b > nBlocks) throw fail("data[%d] is outside DOMAIN data (TLC would stop here)", b);
        return s[oData + b - 1];
    }

    int diskVal(long[] s, int f, int o) {
        long e = ext(s, f, o);
        return kind(e) == WRITTEN ? (int) dataAt(s, blk(e)) : 0;
    }

    int visible(long[] s, int f, int o) {
        long p = cache(s, f, o);
        return cst(p) == ABSENT ? diskVal(s, f, o) : cval(p);
    }

    /** {@code Pages(gs)} of the grants in set {@code at}, or of the pending maps when {@code pending}. */
    long pageMask(long[] s, int at, long acc) {
        int n = (int) s[at];
        for (int k = 1; k <= n; k++) {
            long g = s[at + k];
            for (int o = glo(g); o <= ghi(g); o++) acc |= 1L << ((gi(g) * nFiles + gf(g)) * nOff + o - 1);
        }
        return acc;
    }

    int pages(long[] s, int at) { return Long.bitCount(pageMask(s, at, 0)); }

    int held(long[] s) { return pages(s, oMaps) + pages(s, oPend); }

    boolean hasPend(long[] s, int i) {
        int n = (int) s[oPend];
        for (int k = 1; k <= n; k++) if (gi(s[oPend + k]) == i) return true;
        return false;
    }

    boolean hasDma(long[] s, int i) {
        int n = (int) s[oDma];
        for (int k = 1; k <= n; k++) if (di(s[oDma + k]) == i) return true;
        return false;
    }

    static boolean victim(long g, int f, int lo, int hi, boolean wonly) {
        return gf(g) == f && overlaps(g, lo, hi) && !gpin(g) && (!wonly || gw(g));
    }

    private boolean anyVictim(long[] s, int f, int lo, int hi, boolean wonly) {
        int n = (int) s[oMaps];
        for (int k = 1; k <= n; k++) if (victim(s[oMaps + k], f, lo, hi, wonly)) return true;
        return false;
    }

    private boolean holds(long[] s, int i, int f, int lo, int hi, boolean writableOnly) {
        int n = (int) s[oMaps];
        for (int k = 1; k <= n; k++) {
            long g = s[oMaps + k];
            if (gi(g) == i && gf(g) == f && overlaps(g, lo, hi) && (!writableOnly || gw(g))) return true;
        }
        return false;
    }

    private boolean pinnedAt(long[] s, int f, int o) {
        int n = (int) s[oMaps];
        for (int k = 1; k <= n; k++) {
            long g = s[oMaps + k];
            if (gpin(g) && gf(g) == f && gin(g, o)) return true;
        }
        return false;
    }

    private boolean pinnedIn(long[] s, int f, int lo, int hi) {
        for (int o = lo; o <= hi; o++) if (pinnedAt(s, f, o)) return true;
        return false;
    }

    private boolean invOver(long[] s, int f, int lo, int hi) {
        long h = s[inv(f)];
        return ron(h) && ((rlo(h) <= hi && lo <= rhi(h)) || wholeFile(rcause(h)));
    }

    private boolean wholeFile(int cause) { return is(Variant.DAX_PUNCH_WHOLE_FILE) && cause == C_PUNCH; }

    /** Spec: {@code AcksWithDma(cause)}. */
    private boolean acksWithDma(int cause) {
        return is(Variant.DAX_MUNMAP_ACKS_WITH_DMA) && cause == C_MUNMAP || is(Variant.PAGECACHE_ACKS_WITH_DMA);
    }

    private boolean pinIgnored() { return is(Variant.TRUNCATE_IGNORES_PIN) || is(Variant.READ_PIN_IGNORES_TRUNCATE); }

    /** Spec: {@code CowOnFault(f, lo, hi, pin, w)}: the faults of lo..hi in order leave every page unshared. */
    private boolean cowOnFault(long[] s, int f, int lo, int hi, boolean pin, boolean w) {
        if (!is(Variant.WRITE_SHARED_COW_ON_FAULT) || !w || pin || minFree(s) == 0) return false;
        long[] e = cowPages(s, f, lo, hi);
        for (int o = lo; o <= hi; o++) {
            int b = blk(ext(e, f, o));
            if (b != 0 && owners(e, b) > 1) return false;
        }
        return true;
    }

    /** Spec: {@code CowPages(extent, f, lo, hi)}, on a copy of s: each page still shared at its fault moves to MinFree. */
    private long[] cowPages(long[] s, int f, int lo, int hi) {
        long[] e = s.clone();
        for (int o = lo; o <= hi; o++) {
            long x = ext(e, f, o);
            if (blk(x) == 0 || owners(e, blk(x)) <= 1) continue;
            int nb = minFree(e);
            if (nb != 0) e[oExt + pg(f, o)] = (long) kind(x) << 8 | nb;
        }
        return e;
    }

    private boolean breakLayouts(long[] s, int f) {
        int cause = rcause(s[inv(f)]);
        return is(Variant.DAX_MAP_DURING_BREAK_LAYOUTS) && (cause == C_TRUNCATE || cause == C_PUNCH);
    }

    private boolean newRefExtends(long h) {
        return is(Variant.DAX_NEW_REF_EXTENDS_WAIT) && (rcause(h) == C_TRUNCATE || rcause(h) == C_PUNCH);
    }

    /** {@code DmaOn(i, gs)} for the grants gs[0..n). */
    private boolean dmaOn(long[] s, int i, long[] gs, int n) {
        int nd = (int) s[oDma];
        for (int k = 1; k <= nd; k++) {
            long d = s[oDma + k];
            if (di(d) != i) continue;
            for (int j = 0; j < n; j++) {
                long g = gs[j];
                if (gi(g) == i && df(d) == gf(g) && gin(g, dO(d))) return true;
            }
        }
        return false;
    }

    boolean stale(long[] s, long p) { return is(Variant.VALID_FLAG) ? (s[oVflag] >>> gf(p) & 1) == 0 : retry(p); }

    /** {@code Refusal(i, f, lo, hi, pin, w, at)} as a {@link Reason} ordinal, or -1 when granted. */
    int refusal(long[] s, int i, int f, int lo, int hi, boolean pin, boolean w, boolean at) {
        boolean writeToHole = is(Variant.WRITE_TO_HOLE) && w;
        for (int o = lo; o <= hi; o++) if (kind(ext(s, f, o)) != WRITTEN && !writeToHole) return Reason.HOLE.ordinal();
        for (int o = lo; o <= hi; o++) {
            if (cst(cache(s, f, o)) != ABSENT && !(is(Variant.MAP_WHILE_CACHED) && w)) return Reason.CACHED.ordinal();
        }
        if (w || pin) {
            for (int o = lo; o <= hi; o++) {
                if (shared(s, blk(ext(s, f, o))) && !writeToHole && !cowOnFault(s, f, lo, hi, pin, w)) return Reason.SHARED.ordinal();
            }
        }
        if (pin && !c.pinSupport()) return Reason.PIN_UNSUPPORTED.ordinal();
        if (pin && w && is(Variant.READ_PIN_IGNORES_TRUNCATE)) return Reason.PIN_UNSUPPORTED.ordinal();
        if (s[oExp] != UP) return Reason.EXPORTER_GONE.ordinal();
        if ((routeMask >>> i & 1) == 0) return Reason.NO_ROUTE.ordinal();
        if (at && (atomicMask >>> i & 1) == 0 && !is(Variant.ATOMIC_WITHOUT_ROUTE)) return Reason.NO_ATOMIC_ROUTE.ordinal();
        if (w && (writeMask >>> i & 1) == 0) return Reason.WRITE_NOT_ALLOWED.ordinal();
        if (s[oBar] + (hi - lo + 1) > c.barSize() && !is(Variant.BAR_OVERCOMMIT)) return Reason.BAR_FULL.ordinal();
        return -1;
    }

    // ------------------------------------------------------------------ the mutations (s: pre-state, t: result)

    private void setData(long[] t, int b, long v) {
        if (b >= 1 && b <= nBlocks) t[oData + b - 1] = v;
    }

    /** {@code Apply(f, lo, hi, cause, arg)}, reading the pre-state s; e2 and d1 are scratch. */
    private void apply(long[] s, long[] t, int f, int lo, int hi, int cause, int arg, Scratch x) {
        long[] e2 = x.e2;
        System.arraycopy(s, oExt, e2, 0, nPages);
        switch (cause) {
            case C_TRUNCATE, C_PUNCH -> { for (int o = lo; o <= hi; o++) e2[pg(f, o)] = 0; }
            case C_FALLOCATE -> { int b = minFree(s); if (b != 0) e2[pg(f, lo)] = (long) UNWRITTEN << 8 | b; }
            case C_RELOCATE, C_COW -> {
                int b = minFree(s);
                if (b != 0) e2[pg(f, lo)] = (long) kind(ext(s, f, lo)) << 8 | b;
            }
            case C_REFLINK -> e2[pg(f, arg)] = ext(s, f, lo);
            default -> { }
        }
        long[] d1 = x.d1;
        System.arraycopy(s, oData, d1, 0, nBlocks);
        boolean changed = !Arrays.equals(e2, 0, nPages, s, oExt, oExt + nPages);
        if ((cause == C_RELOCATE || cause == C_COW) && changed) {
            int nb = blk(e2[pg(f, lo)]);
            int ob = blk(ext(s, f, lo));
            if (nb >= 1 && nb <= nBlocks) d1[nb - 1] = dataAt(s, ob);
        }
        // Discard(d1, Freed(extent, e2)): blocks owned before and by no page after
        for (int p = 0; p < nPages; p++) {
            int b = blk(s[oExt + p]);
            if (b < 1 || b > nBlocks) continue;
            boolean still = false;
            for (int q = 0; q < nPages && !still; q++) still = blk(e2[q]) == b;
            if (!still) d1[b - 1] = 0;
        }
        if (changed) System.arraycopy(e2, 0, t, oExt, nPages);
        if (!Arrays.equals(d1, 0, nBlocks, s, oData, oData + nBlocks)) System.arraycopy(d1, 0, t, oData, nBlocks);
        if (cause == C_TRUNCATE || cause == C_PUNCH) {
            for (int o = lo; o <= hi; o++) {
                t[oCache + pg(f, o)] = 0;
                t[oLastw + pg(f, o)] = 0;
            }
        } else if (cause == C_REFLINK) {
            t[oLastw + pg(f, arg)] = s[oLastw + pg(f, lo)];
        }
        if (cause == C_MUNMAP) t[oVma] &= ~(1L << f);
    }

    private void bumpSeq(long[] s, long[] t, int f, int lo, int hi) {
        bumped(s, t, f, lo, hi);
        if (is(Variant.VALID_FLAG)) t[oVflag] &= ~(1L << f);
    }

    /** {@code pend' = Bumped(f, lo, hi)}: built from the pre-state's pend. */
    private void bumped(long[] s, long[] t, int f, int lo, int hi) {
        int n = (int) s[oPend];
        setClear(t, oPend, maxP);
        for (int k = 1; k <= n; k++) {
            long p = s[oPend + k];
            setAdd(t, oPend, maxP, gf(p) == f && overlaps(p, lo, hi) ? p | RETRY : p);
        }
    }

    private void invalidate(long[] s, long[] t, int f, int lo, int hi, int cause, int arg, boolean wonly, Scratch x) {
        boolean whole = wholeFile(cause);
        int wlo = whole ? 1 : lo;
        int whi = whole ? nOff : hi;
        int nv = 0;
        long[] vs = x.vs;
        int hs = 0;
        if (!(is(Variant.COW_WITHOUT_INVALIDATE) && cause == C_COW)) {
            int n = (int) s[oMaps];
            for (int k = 1; k <= n; k++) {
                long g = s[oMaps + k];
                if (victim(g, f, wlo, whi, wonly)) {
                    vs[nv++] = g;
                    hs |= 1 << gi(g);
                }
            }
        }
        bumpSeq(s, t, f, wlo, whi);
        if (hs == 0) {
            apply(s, t, f, lo, hi, cause, arg, x);
        } else {
            boolean noAckWait = is(Variant.NO_ACK_WAIT);
            setInv(t, f, invHeader(true, lo, hi, cause, arg, wonly, noAckWait), hs, vs, nv);
            if (noAckWait) apply(s, t, f, lo, hi, cause, arg, x);
        }
    }

    /** inv[f] := header, await, victims vs[0..n) (sorted: vs comes from a sorted set). */
    private void setInv(long[] t, int f, long header, int await, long[] vs, int n) {
        int at = inv(f);
        t[at] = header;
        t[at + 1] = await;
        Arrays.fill(t, at + 2, at + invW, 0);
        t[at + 2] = n;
        System.arraycopy(vs, 0, t, at + 3, n);
    }

    // ------------------------------------------------------------------ the actions

    /** Reusable per-thread scratch for the steps (no allocation in the hot path). */
    public final class Scratch {
        final long[] e2 = new long[nPages];
        final long[] d1 = new long[Math.max(1, nBlocks)];
        final long[] vs = new long[maxG];
        final long[] gone = new long[maxG];
    }

    public Scratch scratch() { return new Scratch(); }

    /**
     * The action {@code code} in state s: true and its successor in t (a working copy of
     * {@link #len} slots), or false when the action is not enabled (t is then garbage).
     */
    public boolean step(long[] s, int code, long[] t, Scratch x) {
        System.arraycopy(s, 0, t, 0, len);
        return stepOn(s, code, t, x);
    }

    /**
     * {@link #step} on a t that equals s already (the explorer's hot path: no copy per candidate).
     * A disabled action leaves t equal to s (every guard is decided before t is written; checked
     * by PackedModelTest on every reachable state of ci and dax), so t needs restoring only after
     * an enabled one.
     */
    public boolean stepOn(long[] s, int code, long[] t, Scratch x) {
        int op = code & 31, i = code >>> 5 & 15, f = code >>> 9 & 15, a = code >>> 13 & 15, b = code >>> 17 & 15;
        int fl = code >>> 21 & 7;
        return switch (op) {
            case MMAP -> {
                if ((s[oVma] >>> f & 1) != 0) yield false;
                t[oVma] |= 1L << f;
                yield true;
            }
            case MUNMAP -> {
                if ((s[oVma] >>> f & 1) == 0 || invOn(s, f)) yield false;
                invalidate(s, t, f, 1, nOff, C_MUNMAP, 0, false, x);
                yield true;
            }
            case CPU_WRITE -> writePage(s, t, f, a, false, x);
            case CPU_READ -> readPage(s, t, f, a, x);
            case TRUNCATE -> removeRange(s, t, f, a + 1, nOff, C_TRUNCATE, x);
            case PUNCH -> removeRange(s, t, f, a, b, C_PUNCH, x);
            case FALLOCATE -> {
                if (invOn(s, f) || ext(s, f, a) != 0 || cache(s, f, a) != 0 || minFree(s) == 0) yield false;
                invalidate(s, t, f, a, a, C_FALLOCATE, 0, false, x);
                yield true;
            }
            case REFLINK -> {
                int o = a, p = b;
                if (o == p || invOn(s, f) || kind(ext(s, f, o)) != WRITTEN || cst(cache(s, f, o)) == DIRTY) yield false;
                if (ext(s, f, p) != 0 || cache(s, f, p) != 0 || pinnedAt(s, f, o)) yield false;
                invalidate(s, t, f, o, o, C_REFLINK, p, true, x);
                yield true;
            }
            case WRITEBACK -> {
                long pgv = cache(s, f, a);
                if (cst(pgv) != DIRTY || invOver(s, f, a, a)) yield false;
                long e = ext(s, f, a);
                boolean inPlace = blk(e) != 0 && !shared(s, blk(e));
                int free = minFree(s);
                if (!inPlace && free == 0) yield false;
                int nb = inPlace ? blk(e) : free;
                t[oExt + pg(f, a)] = (long) WRITTEN << 8 | nb;
                setData(t, nb, cval(pgv));
                t[oCache + pg(f, a)] = (long) CLEAN << 8 | cval(pgv);
                yield true;
            }
            case EVICT -> {
                if (cst(cache(s, f, a)) != CLEAN) yield false;
                t[oCache + pg(f, a)] = 0;
                yield true;
            }
            case RELOCATE -> {
                long e = ext(s, f, a);
                if (invOn(s, f) || kind(e) != WRITTEN || shared(s, blk(e)) || cst(cache(s, f, a)) == DIRTY) yield false;
                if (pinnedAt(s, f, a) || minFree(s) == 0) yield false;
                invalidate(s, t, f, a, a, C_RELOCATE, 0, false, x);
                yield true;
            }
            case UNSHARE -> {
                long e = ext(s, f, a);
                if (invOn(s, f) || blk(e) == 0 || !shared(s, blk(e)) || cst(cache(s, f, a)) == DIRTY || minFree(s) == 0) yield false;
                invalidate(s, t, f, a, a, C_COW, 0, false, x);
                yield true;
            }
            case INV_ACK -> invAck(s, t, i, f, x);
            case INV_END -> invEnd(s, t, f, x);
            case MAP_PREPARE -> mapPrepare(s, t, i, f, a, b, (fl & 4) != 0, (fl & 2) != 0, (fl & 1) != 0, x);
            case MAP_COMMIT -> {
                long p = pendingOf(s, i);
                if (p == -1 || stale(s, p)) yield false;
                setAdd(t, oMaps, maxG, asGrant(p));
                setRemove(t, oPend, p);
                yield true;
            }
            case MAP_RETRY -> {
                long p = pendingOf(s, i);
                if (p == -1 || !stale(s, p)) yield false;
                setRemove(t, oPend, p);
                t[oBar] = s[oBar] - gsize(p);
                yield true;
            }
            case DEVICE_UNMAP, DMABUF_RELEASE -> {
                long g = named(s, i, f, a);
                if (g == -1 || gpin(g) != (op == DMABUF_RELEASE)) yield false;
                x.gone[0] = g;
                if (dmaOn(s, gi(g), x.gone, 1)) yield false;
                setRemove(t, oMaps, g);
                if (!is(Variant.UNMAP_KEEPS_BAR)) t[oBar] = s[oBar] - gsize(g);
                yield true;
            }
            case DMA_START -> dmaStart(s, t, i, named(s, i, f, a), b, (fl & 1) != 0);
            case DMA_END -> {
                long d = -1;
                int n = (int) s[oDma];
                for (int k = 1; k <= n; k++) if (di(s[oDma + k]) == i) d = s[oDma + k];
                if (d == -1) yield false;
                setRemove(t, oDma, d);
                if (dwrite(d)) {
                    setData(t, db(d), dv(d));
                    t[oLastw + pg(df(d), dO(d))] = dv(d);
                }
                yield true;
            }
            case DEV_FALLBACK_READ -> {
                if ((s[oVma] >>> f & 1) == 0 || holds(s, i, f, a, a, false)) yield false;
                yield readPage(s, t, f, a, x);
            }
            case DEV_FALLBACK_WRITE -> {
                if ((s[oVma] >>> f & 1) == 0 || holds(s, i, f, a, a, true)) yield false;
                yield writePage(s, t, f, a, true, x);
            }
            case BAR_RECLAIM -> {
                if (!c.bdevCanInvalidate() || s[oExp] != UP) yield false;
                long g = named(s, i, f, a);
                if (g == -1 || gpin(g) || invOn(s, gf(g))) yield false;
                invalidate(s, t, gf(g), glo(g), ghi(g), C_RECLAIM, 0, false, x);
                yield true;
            }
            case UNPLUG_START -> {
                if (s[oExp] != UP) yield false;
                if (is(Variant.UNPLUG_WITHOUT_INVALIDATE)) {
                    t[oExp] = GONE;
                } else {
                    t[oExp] = REMOVING;
                    int holders = 0;
                    if (c.bdevCanInvalidate()) {
                        int n = (int) s[oMaps];
                        for (int k = 1; k <= n; k++) holders |= 1 << gi(s[oMaps + k]);
                    }
                    t[oRev] = holders;
                    int n = (int) s[oPend];
                    setClear(t, oPend, maxP);
                    for (int k = 1; k <= n; k++) setAdd(t, oPend, maxP, s[oPend + k] | RETRY);
                }
                yield true;
            }
            case REVOKE_ACK -> {
                if (s[oExp] != REMOVING || (s[oRev] >>> i & 1) == 0 || hasDma(s, i)) yield false;
                int n = (int) s[oMaps];
                int ng = 0;
                for (int k = 1; k <= n; k++) if (gi(s[oMaps + k]) == i) x.gone[ng++] = s[oMaps + k];
                for (int k = 0; k < ng; k++) setRemove(t, oMaps, x.gone[k]);
                t[oBar] = s[oBar] - pagesOf(x.gone, ng);
                t[oRev] &= ~(1L << i);
                yield true;
            }
            case UNPLUG_END -> {
                if (s[oExp] != REMOVING) yield false;
                if (s[oRev] != 0 || s[oMaps] != 0 || s[oPend] != 0 || s[oDma] != 0) yield false;
                t[oExp] = GONE;
                yield true;
            }
            default -> throw fail("unknown action code %d", code);
        };
    }

    /**
     * The exception of a hot method's failure, built out of line: a string concatenation inlined
     * into the step, encode and decode methods makes their JIT compilation (part of a cold run)
     * several times longer.
     */
    private static IllegalStateException fail(String format, long a) { return new IllegalStateException(String.format(format, a)); }

    private static IllegalStateException fail(String format, long a, long b) {
        return new IllegalStateException(String.format(format, a, b));
    }

    private boolean writePage(long[] s, long[] t, int f, int o, boolean fromDev, Scratch x) {
        if (invOn(s, f) || s[oNextv] >= maxVal) return false;
        int k = pg(f, o);
        long nv = s[oNextv] + 1;
        if (pinnedAt(s, f, o)) {
            setData(t, blk(s[oExt + k]), nv);
            t[oLastw + k] = nv;
            t[oNextv] = nv;
        } else if (!c.pageCache()) {
            return writeBlock(s, t, f, o, x);
        } else if (anyVictim(s, f, o, o, false)) {
            invalidate(s, t, f, o, o, C_POPULATE, 0, false, x);
        } else {
            boolean keepClean = is(Variant.GUP_NO_DIRTY) && fromDev && cst(s[oCache + k]) == CLEAN;
            t[oCache + k] = (long) (keepClean ? CLEAN : DIRTY) << 8 | nv;
            t[oLastw + k] = nv;
            t[oNextv] = nv;
            bumpSeq(s, t, f, o, o);
        }
        return true;
    }

    /** {@code WriteBlock(f, o)}: without a page cache a write goes to the block (allocated, unshared first). */
    private boolean writeBlock(long[] s, long[] t, int f, int o, Scratch x) {
        int k = pg(f, o);
        int b = blk(s[oExt + k]);
        if (b != 0 && shared(s, b) && anyVictim(s, f, o, o, false)) {
            invalidate(s, t, f, o, o, C_COW, 0, false, x);
            return true;
        }
        boolean inPlace = b != 0 && !shared(s, b);
        if (!inPlace && minFree(s) == 0) return false;
        int nb = inPlace ? b : minFree(s);
        long nv = s[oNextv] + 1;
        t[oExt + k] = (long) WRITTEN << 8 | nb;
        setData(t, nb, nv);
        t[oLastw + k] = nv;
        t[oNextv] = nv;
        bumpSeq(s, t, f, o, o);
        return true;
    }

    private boolean readPage(long[] s, long[] t, int f, int o, Scratch x) {
        if (!c.pageCache()) return false;   // served by the block, nothing changes
        if (invOn(s, f) || cst(cache(s, f, o)) != ABSENT || pinnedAt(s, f, o)) return false;
        if (anyVictim(s, f, o, o, true)) {
            invalidate(s, t, f, o, o, C_POPULATE, 0, true, x);
        } else {
            t[oCache + pg(f, o)] = (long) CLEAN << 8 | diskVal(s, f, o);
            bumpSeq(s, t, f, o, o);
        }
        return true;
    }

    private boolean removeRange(long[] s, long[] t, int f, int lo, int hi, int cause, Scratch x) {
        if (invOn(s, f)) return false;
        boolean anything = false;
        for (int o = lo; o <= hi && !anything; o++) anything = ext(s, f, o) != 0 || cache(s, f, o) != 0;
        if (!anything) return false;
        if (pinnedIn(s, f, lo, hi) && !pinIgnored()) return false;
        invalidate(s, t, f, lo, hi, cause, 0, false, x);
        return true;
    }

    private boolean invAck(long[] s, long[] t, int i, int f, Scratch x) {
        int at = inv(f);
        long h = s[at];
        if (!ron(h) || (s[at + 1] >>> i & 1) == 0) return false;
        if (!is(Variant.EARLY_TLB_FLUSH)) {
            int nv = (int) s[at + 2];
            int ng = 0;
            for (int k = 0; k < nv; k++) {
                long g = s[at + 3 + k];
                if (gi(g) == i && setHas(s, oMaps, g)) x.gone[ng++] = g;
            }
            if (dmaOn(s, i, x.gone, ng) && !acksWithDma(rcause(h))) return false;
            for (int k = 0; k < ng; k++) setRemove(t, oMaps, x.gone[k]);
            t[oBar] = s[oBar] - pagesOf(x.gone, ng);
        }
        t[at + 1] = s[at + 1] & ~(1L << i);
        return true;
    }

    int pagesOf(long[] gs, int n) {
        long m = 0;
        for (int k = 0; k < n; k++) {
            long g = gs[k];
            for (int o = glo(g); o <= ghi(g); o++) m |= 1L << ((gi(g) * nFiles + gf(g)) * nOff + o - 1);
        }
        return Long.bitCount(m);
    }

    private boolean invEnd(long[] s, long[] t, int f, Scratch x) {
        int at = inv(f);
        long h = s[at];
        if (!ron(h) || s[at + 1] != 0) return false;
        if (breakLayouts(s, f)) {
            int nl = 0;
            int hs = 0;
            int n = (int) s[oMaps];
            for (int k = 1; k <= n; k++) {
                long g = s[oMaps + k];
                if (victim(g, f, rlo(h), rhi(h), rwonly(h))) {
                    x.vs[nl++] = g;
                    hs |= 1 << gi(g);
                }
            }
            if (nl > 0) {
                setInv(t, f, h, hs, x.vs, nl);
                return true;
            }
            bumped(s, t, f, rlo(h), rhi(h));
        }
        int nv = (int) s[at + 2];
        int nl = 0;
        for (int k = 0; k < nv; k++) {
            long g = s[at + 3 + k];
            if (setHas(s, oMaps, g)) x.gone[nl++] = g;
        }
        if (!rdone(h)) apply(s, t, f, rlo(h), rhi(h), rcause(h), rarg(h), x);
        for (int k = 0; k < nl; k++) setRemove(t, oMaps, x.gone[k]);
        t[oBar] = s[oBar] - pagesOf(x.gone, nl);
        setInv(t, f, IDLE_HEADER, 0, x.vs, 0);
        if (is(Variant.VALID_FLAG)) t[oVflag] |= 1L << f;
        return true;
    }

    private boolean mapPrepare(long[] s, long[] t, int i, int f, int lo, int hi, boolean pin, boolean w, boolean at,
                               Scratch x) {
        if ((s[oVma] >>> f & 1) == 0 || hasPend(s, i) || holds(s, i, f, lo, hi, false)) return false;
        if (invOver(s, f, lo, hi) && !is(Variant.VALID_FLAG) && !breakLayouts(s, f)) return false;
        if (refusal(s, i, f, lo, hi, pin, w, at) >= 0) return false;
        boolean anyShared = false;
        for (int o = lo; o <= hi; o++) anyShared |= shared(s, blk(ext(s, f, o)));
        if (anyShared && cowOnFault(s, f, lo, hi, pin, w)) {
            long[] e = cowPages(s, f, lo, hi);
            int n = (int) s[oMaps];
            for (int o = lo; o <= hi; o++) {
                if (blk(ext(e, f, o)) == blk(ext(s, f, o))) continue;
                for (int k = 1; k <= n; k++) {
                    long g = s[oMaps + k];
                    if (gf(g) == f && gin(g, o)) return false;   // another mapping of a moved page: the fault waits
                }
            }
            long movedMask = 0;
            for (int o = lo; o <= hi; o++) {
                long was = ext(s, f, o);
                int nb = blk(ext(e, f, o));
                if (nb == blk(was)) continue;
                movedMask |= 1L << o;
                t[oExt + pg(f, o)] = ext(e, f, o);
                setData(t, nb, dataAt(s, blk(was)));
            }
            int np = (int) s[oPend];
            setClear(t, oPend, maxP);
            for (int k = 1; k <= np; k++) {
                long p = s[oPend + k];
                boolean hit = false;
                for (int o = lo; o <= hi; o++) hit |= (movedMask >>> o & 1) != 0 && gf(p) == f && overlaps(p, o, o);
                setAdd(t, oPend, maxP, hit ? p | RETRY : p);
            }
        }
        long p = grant(i, f, lo, hi, w, at, pin);
        for (int o = lo; o <= hi; o++) p = withBlk(p, o, blk(t[oExt + pg(f, o)]));
        setAdd(t, oPend, maxP, p);
        t[oBar] = s[oBar] + (hi - lo + 1);
        if (is(Variant.VALID_FLAG)) t[oVflag] |= 1L << f;
        return true;
    }

    private long pendingOf(long[] s, int i) {
        int n = (int) s[oPend];
        for (int k = 1; k <= n; k++) if (gi(s[oPend + k]) == i) return s[oPend + k];
        return -1;
    }

    private long named(long[] s, int i, int f, int lo) {
        int n = (int) s[oMaps];
        for (int k = 1; k <= n; k++) {
            long g = s[oMaps + k];
            if (gi(g) == i && gf(g) == f && glo(g) == lo) return g;
        }
        return -1;
    }

    private boolean dmaStart(long[] s, long[] t, int i, long g, int o, boolean write) {
        if (g == -1 || !gin(g, o) || hasDma(s, i) || s[oExp] == GONE) return false;
        if (s[oExp] == REMOVING && (s[oRev] >>> i & 1) != 0) return false;
        for (int f = 0; f < nFiles; f++) {
            int at = inv(f);
            long h = s[at];
            if (!ron(h) || (s[at + 1] >>> i & 1) == 0 || newRefExtends(h)) continue;
            int nv = (int) s[at + 2];
            for (int k = 0; k < nv; k++) if (s[at + 3 + k] == g) return false;
        }
        if (write && (!gw(g) || s[oNextv] >= maxVal)) return false;
        setAdd(t, oDma, maxD, dma(i, gf(g), o, gblk(g, o), write, write ? (int) s[oNextv] + 1 : 0));
        if (write) t[oNextv] = s[oNextv] + 1;
        return true;
    }

    // ------------------------------------------------------------------ Next: the candidate actions

    static int code(int op, int i, int f, int a, int b, int flags) {
        return op | i << 5 | f << 9 | a << 13 | b << 17 | flags << 21;
    }

    private int[] fixedCandidates() {
        List<Integer> out = new ArrayList<>();
        int n = nOff;
        for (int f = 0; f < nFiles; f++) {
            out.add(code(MMAP, 0, f, 0, 0, 0));
            out.add(code(MUNMAP, 0, f, 0, 0, 0));
            for (int k = 0; k <= n - 1; k++) out.add(code(TRUNCATE, 0, f, k, 0, 0));
            for (int lo = 1; lo <= n; lo++) for (int hi = lo; hi <= n; hi++) out.add(code(PUNCH, 0, f, lo, hi, 0));
            for (int o = 1; o <= n; o++) {
                out.add(code(CPU_WRITE, 0, f, o, 0, 0));
                out.add(code(CPU_READ, 0, f, o, 0, 0));
                out.add(code(FALLOCATE, 0, f, o, 0, 0));
                out.add(code(WRITEBACK, 0, f, o, 0, 0));
                out.add(code(EVICT, 0, f, o, 0, 0));
                out.add(code(RELOCATE, 0, f, o, 0, 0));
                out.add(code(UNSHARE, 0, f, o, 0, 0));
                for (int p = 1; p <= n; p++) out.add(code(REFLINK, 0, f, o, p, 0));
            }
            out.add(code(INV_END, 0, f, 0, 0, 0));
        }
        for (int i = 0; i < nImp; i++) {
            for (int f = 0; f < nFiles; f++) {
                out.add(code(INV_ACK, i, f, 0, 0, 0));
                for (int lo = 1; lo <= n; lo++) {
                    for (int hi = lo; hi <= n; hi++) {
                        for (int fl = 0; fl < 8; fl++) {
                            // the record model's order: pin, then w, then at, each false before true
                            out.add(code(MAP_PREPARE, i, f, lo, hi, fl));
                        }
                    }
                }
                for (int o = 1; o <= n; o++) {
                    out.add(code(DEV_FALLBACK_READ, i, f, o, 0, 0));
                    out.add(code(DEV_FALLBACK_WRITE, i, f, o, 0, 0));
                }
            }
            out.add(code(MAP_COMMIT, i, 0, 0, 0, 0));
            out.add(code(MAP_RETRY, i, 0, 0, 0, 0));
            out.add(code(DMA_END, i, 0, 0, 0, 0));
            out.add(code(REVOKE_ACK, i, 0, 0, 0, 0));
        }
        out.add(code(UNPLUG_START, 0, 0, 0, 0, 0));
        out.add(code(UNPLUG_END, 0, 0, 0, 0, 0));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Every action of Next with its parameters for state s, into out; returns how many. */
    public int candidates(long[] s, int[] out) {
        System.arraycopy(fixed, 0, out, 0, fixed.length);
        int n = fixed.length;
        int ng = (int) s[oMaps];
        for (int k = 1; k <= ng; k++) {
            long g = s[oMaps + k];
            int i = gi(g), f = gf(g), lo = glo(g);
            out[n++] = code(DEVICE_UNMAP, i, f, lo, 0, 0);
            out[n++] = code(DMABUF_RELEASE, i, f, lo, 0, 0);
            out[n++] = code(BAR_RECLAIM, i, f, lo, 0, 0);
            for (int o = 1; o <= nOff; o++) {
                out[n++] = code(DMA_START, i, f, lo, o, 0);
                out[n++] = code(DMA_START, i, f, lo, o, 1);
            }
        }
        return n;
    }

    // gates: a necessary condition of a whole run of candidates, read off their guards (type | i << 8 | f << 12 | o << 16)
    private static final int G_ALWAYS = 0, G_VMA_OFF = 1, G_MUNMAP = 2, G_INV_OFF = 3, G_WRITE = 4, G_CACHE_DIRTY = 5,
            G_CACHE_CLEAN = 6, G_INV_ON = 7, G_AWAIT = 8, G_PREPARE = 9, G_VMA_ON = 10, G_PEND = 11, G_DMA = 12,
            G_REVOKE = 13, G_EXP_UP = 14, G_EXP_REMOVING = 15;

    private static int gate(int code) {
        int op = code & 31, i = code >>> 5 & 15, f = code >>> 9 & 15, a = code >>> 13 & 15;
        int type = switch (op) {
            case MMAP -> G_VMA_OFF;
            case MUNMAP -> G_MUNMAP;
            case CPU_WRITE -> G_WRITE;
            case CPU_READ, TRUNCATE, PUNCH, FALLOCATE, REFLINK, RELOCATE, UNSHARE -> G_INV_OFF;
            case WRITEBACK -> G_CACHE_DIRTY;
            case EVICT -> G_CACHE_CLEAN;
            case INV_END -> G_INV_ON;
            case INV_ACK -> G_AWAIT;
            case MAP_PREPARE -> G_PREPARE;
            case DEV_FALLBACK_READ, DEV_FALLBACK_WRITE -> G_VMA_ON;
            case MAP_COMMIT, MAP_RETRY -> G_PEND;
            case DMA_END -> G_DMA;
            case REVOKE_ACK -> G_REVOKE;
            case UNPLUG_START -> G_EXP_UP;
            case UNPLUG_END -> G_EXP_REMOVING;
            default -> G_ALWAYS;
        };
        boolean page = type == G_CACHE_DIRTY || type == G_CACHE_CLEAN;
        return type | i << 8 | f << 12 | (page ? a : 0) << 16;
    }

    private boolean open(long[] s, int g) {
        int i = g >>> 8 & 15, f = g >>> 12 & 15, o = g >>> 16 & 15;
        return switch (g & 255) {
            case G_VMA_OFF -> (s[oVma] >>> f & 1) == 0;
            case G_MUNMAP -> (s[oVma] >>> f & 1) != 0 && !invOn(s, f);
            case G_INV_OFF -> !invOn(s, f);
            case G_WRITE -> !invOn(s, f) && s[oNextv] < maxVal;
            case G_CACHE_DIRTY -> cst(cache(s, f, o)) == DIRTY;
            case G_CACHE_CLEAN -> cst(cache(s, f, o)) == CLEAN;
            case G_INV_ON -> invOn(s, f);
            case G_AWAIT -> invOn(s, f) && (s[inv(f) + 1] >>> i & 1) != 0;
            case G_PREPARE -> (s[oVma] >>> f & 1) != 0 && !hasPend(s, i);
            case G_VMA_ON -> (s[oVma] >>> f & 1) != 0;
            case G_PEND -> hasPend(s, i);
            case G_DMA -> hasDma(s, i);
            case G_REVOKE -> s[oExp] == REMOVING && (s[oRev] >>> i & 1) != 0;
            case G_EXP_UP -> s[oExp] == UP;
            case G_EXP_REMOVING -> s[oExp] == REMOVING;
            default -> true;
        };
    }

    /**
     * {@link #candidates} without the runs of actions whose gate (a condition every one of their
     * guards requires: the file mmapped, no invalidation running, a pending map, ...) is closed in
     * s, in the same order. The explorer's list: what it drops is disabled (PackedModelTest checks
     * that on every reachable state of ci and dax), so the successors are the same.
     */
    public int liveCandidates(long[] s, int[] out) {
        int n = 0;
        for (int k = 0, from = 0; k < segEnd.length; from = segEnd[k++]) {
            if (!open(s, segGate[k])) continue;
            System.arraycopy(fixed, from, out, n, segEnd[k] - from);
            n += segEnd[k] - from;
        }
        int ng = (int) s[oMaps];
        for (int k = 1; k <= ng; k++) {
            long g = s[oMaps + k];
            int i = gi(g), f = gf(g), lo = glo(g);
            out[n++] = code(DEVICE_UNMAP, i, f, lo, 0, 0);
            out[n++] = code(DMABUF_RELEASE, i, f, lo, 0, 0);
            out[n++] = code(BAR_RECLAIM, i, f, lo, 0, 0);
            if (hasDma(s, i) || s[oExp] == GONE) continue;
            for (int o = lo; o <= ghi(g); o++) {
                out[n++] = code(DMA_START, i, f, lo, o, 0);
                out[n++] = code(DMA_START, i, f, lo, o, 1);
            }
        }
        return n;
    }

    /** Room for {@link #candidates}. */
    public int maxCandidates() { return fixed.length + maxG * (3 + 2 * nOff); }

    /** The readable action of a code, for traces and labelled edges. */
    public Action action(int code) {
        int op = code & 31, i = code >>> 5 & 15, f = code >>> 9 & 15, a = code >>> 13 & 15, b = code >>> 17 & 15;
        int fl = code >>> 21 & 7;
        String fi = c.files().get(f);
        String im = c.importers().get(i);
        return switch (op) {
            case MMAP -> new Action.Mmap(fi);
            case MUNMAP -> new Action.Munmap(fi);
            case CPU_WRITE -> new Action.CpuWrite(fi, a);
            case CPU_READ -> new Action.CpuRead(fi, a);
            case TRUNCATE -> new Action.Truncate(fi, a);
            case PUNCH -> new Action.PunchHole(fi, a, b);
            case FALLOCATE -> new Action.Fallocate(fi, a);
            case REFLINK -> new Action.Reflink(fi, a, b);
            case WRITEBACK -> new Action.Writeback(fi, a);
            case EVICT -> new Action.Evict(fi, a);
            case RELOCATE -> new Action.Relocate(fi, a);
            case UNSHARE -> new Action.Unshare(fi, a);
            case INV_ACK -> new Action.InvAck(im, fi);
            case INV_END -> new Action.InvEnd(fi);
            case MAP_PREPARE -> new Action.MapPrepare(im, fi, a, b, (fl & 4) != 0, (fl & 2) != 0, (fl & 1) != 0);
            case MAP_COMMIT -> new Action.MapCommit(im);
            case MAP_RETRY -> new Action.MapRetry(im);
            case DEVICE_UNMAP -> new Action.DeviceUnmap(im, fi, a);
            case DMABUF_RELEASE -> new Action.DmaBufRelease(im, fi, a);
            case DMA_START -> new Action.DmaStart(im, fi, a, b, (fl & 1) != 0 ? DmaOp.WRITE : DmaOp.READ);
            case DMA_END -> new Action.DmaEnd(im);
            case DEV_FALLBACK_READ -> new Action.DevFallbackRead(im, fi, a);
            case DEV_FALLBACK_WRITE -> new Action.DevFallbackWrite(im, fi, a);
            case BAR_RECLAIM -> new Action.BarReclaim(im, fi, a);
            case UNPLUG_START -> new Action.UnplugStart();
            case REVOKE_ACK -> new Action.RevokeAck(im);
            case UNPLUG_END -> new Action.UnplugEnd();
            default -> throw new IllegalArgumentException("unknown action code " + code);
        };
    }

    /**
     * The spec's fair actions ({@link dev.devmap.model.Liveness#fairActions}, their one home), in its
     * order, as the codes of this model's candidates that decode to them.
     */
    public int[] fairActions() {
        List<Action> fair = dev.devmap.model.Liveness.fairActions(c);
        int[] out = new int[fair.size()];
        for (int a = 0; a < out.length; a++) {
            int found = -1;
            for (int code : fixed) if (action(code).equals(fair.get(a))) found = code;
            if (found < 0) throw new IllegalStateException("no packed code for fair action " + fair.get(a));
            out[a] = found;
        }
        return out;
    }

    // ------------------------------------------------------------------ records <-> working copy

    /** The working copy of a record state. */
    public long[] of(State st) {
        for (int t : st.dtag()) {   // dtag lives only in kernel choice dax-writeback-mkclean, which is not packed
            if (t != 0) throw new IllegalArgumentException("the packed model has no DAX dirty tags (dtag): use the record explorer");
        }
        long[] s = new long[len];
        for (int p = 0; p < nPages; p++) {
            Extent e = st.extent().get(p);
            s[oExt + p] = (long) e.k().ordinal() << 8 | e.b();
            Page pc = st.cache().get(p);
            s[oCache + p] = (long) pc.st().ordinal() << 8 | pc.v();
            s[oLastw + p] = st.lastw().get(p);
        }
        for (int b = 0; b < nBlocks; b++) s[oData + b] = st.data().get(b);
        s[oNextv] = st.nextv();
        for (String f : st.vma()) s[oVma] |= 1L << c.fileIndex(f);
        for (int f = 0; f < nFiles; f++) if (st.vflag().get(f)) s[oVflag] |= 1L << f;
        s[oBar] = st.bar();
        s[oExp] = st.exp().ordinal();
        for (String i : st.rev()) s[oRev] |= 1L << c.importerIndex(i);
        for (int f = 0; f < nFiles; f++) {
            Inv r = st.inv().get(f);
            int at = inv(f);
            s[at] = invHeader(r.on(), r.lo(), r.hi(), r.cause().ordinal(), r.arg(), r.wonly(), r.done());
            for (String i : r.await()) s[at + 1] |= 1L << c.importerIndex(i);
            long[] vs = new long[r.victims().size()];
            int k = 0;
            for (Grant g : r.victims()) vs[k++] = of(g);
            Arrays.sort(vs);
            s[at + 2] = vs.length;
            System.arraycopy(vs, 0, s, at + 3, vs.length);
        }
        for (Grant g : st.maps()) setAdd(s, oMaps, maxG, of(g));
        for (Pending p : st.pend()) setAdd(s, oPend, maxP, of(p.grant()) | (p.retry() ? RETRY : 0));
        for (Dma d : st.dma()) {
            setAdd(s, oDma, maxD, dma(c.importerIndex(d.i()), c.fileIndex(d.f()), d.o(), d.b(), d.op() == DmaOp.WRITE, d.v()));
        }
        return s;
    }

    private long of(Grant g) {
        long x = grant(c.importerIndex(g.i()), c.fileIndex(g.f()), g.lo(), g.hi(), g.w(), g.at(), g.pin());
        for (int o = g.lo(); o <= g.hi(); o++) x = withBlk(x, o, g.blk(o));
        return x;
    }

    private Grant grantOf(long g) {
        List<Integer> bs = new ArrayList<>();
        for (int o = glo(g); o <= ghi(g); o++) bs.add(gblk(g, o));
        return new Grant(c.importers().get(gi(g)), c.files().get(gf(g)), glo(g), ghi(g), bs, gw(g), gat(g), gpin(g));
    }

    private Set<String> importers(long m) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < nImp; i++) if ((m >>> i & 1) != 0) out.add(c.importers().get(i));
        return out;
    }

    /** The record state of a working copy. */
    public State state(long[] s) {
        List<Extent> extent = new ArrayList<>();
        List<Page> cache = new ArrayList<>();
        List<Integer> lastw = new ArrayList<>();
        for (int p = 0; p < nPages; p++) {
            extent.add(new Extent(ExtentKind.values()[kind(s[oExt + p])], blk(s[oExt + p])));
            cache.add(new Page(CacheState.values()[cst(s[oCache + p])], cval(s[oCache + p])));
            lastw.add((int) s[oLastw + p]);
        }
        List<Integer> data = new ArrayList<>();
        for (int b = 0; b < nBlocks; b++) data.add((int) s[oData + b]);
        Set<String> vma = new HashSet<>();
        List<Boolean> vflag = new ArrayList<>();
        List<Inv> inv = new ArrayList<>();
        List<Integer> dtag = new ArrayList<>();
        for (int f = 0; f < nFiles; f++) {
            dtag.add(0);
            if ((s[oVma] >>> f & 1) != 0) vma.add(c.files().get(f));
            vflag.add((s[oVflag] >>> f & 1) != 0);
            int at = inv(f);
            long h = s[at];
            Set<Grant> vs = new HashSet<>();
            for (int k = 0; k < s[at + 2]; k++) vs.add(grantOf(s[at + 3 + k]));
            inv.add(new Inv(ron(h), rlo(h), rhi(h), Cause.values()[rcause(h)], rarg(h), rwonly(h), importers(s[at + 1]),
                    vs, rdone(h)));
        }
        Set<Grant> maps = new HashSet<>();
        for (int k = 1; k <= s[oMaps]; k++) maps.add(grantOf(s[oMaps + k]));
        Set<Pending> pend = new HashSet<>();
        for (int k = 1; k <= s[oPend]; k++) {
            long p = s[oPend + k];
            Grant g = grantOf(asGrant(p));
            pend.add(new Pending(g.i(), g.f(), g.lo(), g.hi(), g.bs(), g.w(), g.at(), g.pin(), retry(p)));
        }
        Set<Dma> dma = new HashSet<>();
        for (int k = 1; k <= s[oDma]; k++) {
            long d = s[oDma + k];
            dma.add(new Dma(c.importers().get(di(d)), c.files().get(df(d)), dO(d), db(d), dwrite(d) ? DmaOp.WRITE : DmaOp.READ,
                    dv(d)));
        }
        return new State(extent, data, cache, lastw, (int) s[oNextv], vma, maps, pend, dma, inv, vflag, (int) s[oBar],
                Exp.values()[(int) s[oExp]], importers(s[oRev]), dtag);
    }

    // ------------------------------------------------------------------ the canonical bit encoding

    /**
     * Encodes working copy s into out from word 0; returns the words used. Equal states give equal
     * words (the sets are sorted), so the words are the state's identity and fingerprint input.
     */
    public int encode(long[] s, long[] out) { return (int) ((encodeAt(s, out, 0) + 63) >>> 6); }

    /**
     * Encodes working copy s into out from bit {@code bit} on (the bits of out from there on are
     * written, those before it kept); returns the bit after it. States appended this way to one
     * array take their exact bit length each (the queue's batches).
     */
    public long encodeAt(long[] s, long[] out, long bit) {
        Bits w = new Bits(out, bit);
        for (int p = 0; p < nPages; p++) {
            w.put(kind(s[oExt + p]), 2).put(blk(s[oExt + p]), bw);
            w.put(cst(s[oCache + p]), 2).put(cval(s[oCache + p]), vw).put(s[oLastw + p], vw);
        }
        for (int b = 0; b < nBlocks; b++) w.put(s[oData + b], vw);
        w.put(s[oNextv], vw).put(s[oVma], nFiles).put(s[oVflag], nFiles).put(s[oBar] + 128, 8).put(s[oExp], 2)
                .put(s[oRev], nImp);
        for (int f = 0; f < nFiles; f++) {
            int at = inv(f);
            long h = s[at];
            if (!ron(h)) {
                if (h != IDLE_HEADER || s[at + 1] != 0 || s[at + 2] != 0) throw new IllegalStateException("an idle inv that is not IDLE");
                w.put(0, 1);
                continue;
            }
            w.put(1, 1).put(rlo(h), nw).put(rhi(h), nw).put(rcause(h), 4).put(rarg(h), nw).put(rwonly(h) ? 1 : 0, 1)
                    .put(rdone(h) ? 1 : 0, 1).put(s[at + 1], nImp).put(s[at + 2], cw);
            for (int k = 0; k < s[at + 2]; k++) putGrant(w, s[at + 3 + k]);
        }
        w.put(s[oMaps], gcw);
        for (int k = 1; k <= s[oMaps]; k++) putGrant(w, s[oMaps + k]);
        w.put(s[oPend], pcw);
        for (int k = 1; k <= s[oPend]; k++) {
            putGrant(w, asGrant(s[oPend + k]));
            w.put(retry(s[oPend + k]) ? 1 : 0, 1);
        }
        w.put(s[oDma], dcw);
        for (int k = 1; k <= s[oDma]; k++) {
            long d = s[oDma + k];
            w.put(di(d), iw).put(df(d), fw).put(dO(d) - 1, nw).put(db(d), bw).put(dwrite(d) ? 1 : 0, 1).put(dv(d), vw);
        }
        return w.pos;
    }

    private void putGrant(Bits w, long g) {
        w.put(gi(g), iw).put(gf(g), fw).put(glo(g) - 1, nw).put(ghi(g) - 1, nw).put(g >>> 16 & 7, 3);
        for (int o = glo(g); o <= ghi(g); o++) w.put(gblk(g, o), bw);
    }

    private long getGrant(Bits r) {
        int i = (int) r.get(iw), f = (int) r.get(fw), lo = (int) r.get(nw) + 1, hi = (int) r.get(nw) + 1;
        long g = grant(i, f, lo, hi, false, false, false) | r.get(3) << 16;
        for (int o = lo; o <= hi; o++) g = withBlk(g, o, (int) r.get(bw));
        return g;
    }

    /** Decodes the state at in[from..] into working copy s; returns the index after it. */
    public int decode(long[] in, int from, long[] s) { return (int) ((decodeAt(in, 64L * from, s) + 63) >>> 6); }

    /** Decodes the state at bit {@code bit} of in into working copy s; returns the bit after it. */
    public long decodeAt(long[] in, long bit, long[] s) {
        Arrays.fill(s, 0, len, 0);
        Bits r = new Bits(in, bit);
        for (int p = 0; p < nPages; p++) {
            long k = r.get(2);
            s[oExt + p] = k << 8 | r.get(bw);
            long st = r.get(2);
            s[oCache + p] = st << 8 | r.get(vw);
            s[oLastw + p] = r.get(vw);
        }
        for (int b = 0; b < nBlocks; b++) s[oData + b] = r.get(vw);
        s[oNextv] = r.get(vw);
        s[oVma] = r.get(nFiles);
        s[oVflag] = r.get(nFiles);
        s[oBar] = r.get(8) - 128;
        s[oExp] = r.get(2);
        s[oRev] = r.get(nImp);
        for (int f = 0; f < nFiles; f++) {
            int at = inv(f);
            if (r.get(1) == 0) {
                s[at] = IDLE_HEADER;
                continue;
            }
            int lo = (int) r.get(nw), hi = (int) r.get(nw), cause = (int) r.get(4), arg = (int) r.get(nw);
            boolean wonly = r.get(1) != 0, done = r.get(1) != 0;
            s[at] = invHeader(true, lo, hi, cause, arg, wonly, done);
            s[at + 1] = r.get(nImp);
            int nv = (int) r.get(cw);
            s[at + 2] = nv;
            for (int k = 0; k < nv; k++) s[at + 3 + k] = getGrant(r);
        }
        int ng = (int) r.get(gcw);
        s[oMaps] = ng;
        for (int k = 1; k <= ng; k++) s[oMaps + k] = getGrant(r);
        int np = (int) r.get(pcw);
        s[oPend] = np;
        for (int k = 1; k <= np; k++) {
            long g = getGrant(r);
            s[oPend + k] = r.get(1) != 0 ? g | RETRY : g;
        }
        int nd = (int) r.get(dcw);
        s[oDma] = nd;
        for (int k = 1; k <= nd; k++) {
            int i = (int) r.get(iw), f = (int) r.get(fw), o = (int) r.get(nw) + 1, b = (int) r.get(bw);
            boolean write = r.get(1) != 0;
            s[oDma + k] = dma(i, f, o, b, write, (int) r.get(vw));
        }
        return r.pos;
    }

    /**
     * The fingerprint of a working copy. Working copies are canonical (sets sorted, unused slots 0,
     * an idle invalidation's header IDLE: decoding a state's encoding gives the working copy back,
     * PackedModelTest checks it for every successor of ci and dax), so equal states have equal
     * fingerprints without being encoded first; only new states are encoded.
     */
    public long fingerprint(long[] s) {
        long h = 0x27D4EB2F165667C5L + len;
        for (int k = 0; k < len; k++) h = Long.rotateLeft(h + s[k] * 0xC2B2AE3D27D4EB4FL, 31) * 0x9E3779B185EBCA87L;
        return FpSet.mix(h);
    }

    /** A bit cursor over a long[]: put/get n low bits at a time, little-endian within words. */
    static final class Bits {
        private final long[] a;
        long pos;   // in bits from the start of a

        Bits(long[] a, long pos) {
            this.a = a;
            this.pos = pos;
        }

        Bits put(long v, int n) {
            if (n == 0) return this;
            if (v < 0 || (n < 64 && v >>> n != 0)) throw fail("value %d does not fit %d bits", v, n);
            int w = (int) (pos >>> 6);
            int off = (int) (pos & 63);
            if (off == 0) a[w] = 0;
            a[w] |= v << off;
            if (off + n > 64) a[w + 1] = v >>> (64 - off);
            pos += n;
            return this;
        }

        long get(int n) {
            if (n == 0) return 0;
            int w = (int) (pos >>> 6);
            int off = (int) (pos & 63);
            long v = a[w] >>> off;
            if (off + n > 64) v |= a[w + 1] << (64 - off);
            pos += n;
            return n == 64 ? v : v & ((1L << n) - 1);
        }

    }
}
