package dev.devmap.model;

import dev.devmap.model.Action.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The spec {@code DeviceMap.tla} as a pure step function: {@link #step} gives the next state of an
 * action or says why it is disabled; {@link #successors} gives every enabled action of {@code Next}.
 * Operators keep the spec's names ({@code Refusal}, {@code Invalidate}, {@code Apply}, ...), and each
 * action is written guard first, as in the spec.
 */
public final class DeviceMapModel {
    private final Constants c;

    public DeviceMapModel(Constants c) { this.c = c; }

    public Constants constants() { return c; }

    // ---------------------------------------------------------------- Init

    public State init() {
        int pages = c.files().size() * c.nOff();
        List<Extent> extent = new ArrayList<>(pages);
        List<Page> cache = new ArrayList<>(pages);
        List<Integer> lastw = new ArrayList<>(pages);
        for (int k = 0; k < pages; k++) {
            extent.add(Extent.HOLE);
            cache.add(Page.ABSENT);
            lastw.add(0);
        }
        List<Integer> data = new ArrayList<>();
        for (int b = 1; b <= c.nBlocks(); b++) data.add(0);
        List<Inv> inv = new ArrayList<>();
        List<Boolean> vflag = new ArrayList<>();
        List<Integer> dtag = new ArrayList<>();
        for (String f : c.files()) {
            inv.add(Inv.IDLE);
            vflag.add(true);
            dtag.add(0);
        }
        return new State(extent, data, cache, lastw, 0, Set.of(), Set.of(), Set.of(), Set.of(), inv, vflag, 0, Exp.UP,
                Set.of(), dtag);
    }

    // ---------------------------------------------------------------- helpers (the spec's operators)

    public Extent extent(State s, String f, int o) { return s.extent().get(c.page(f, o)); }

    public Page cache(State s, String f, int o) { return s.cache().get(c.page(f, o)); }

    public int lastw(State s, String f, int o) { return s.lastw().get(c.page(f, o)); }

    public Inv inv(State s, String f) { return s.inv().get(c.fileIndex(f)); }

    /** {@code Cardinality(Owners(b))}: how many pages point at block b (b = 0 counts holes, as in the spec). */
    public int owners(State s, int b) {
        int n = 0;
        for (Extent e : s.extent()) if (e.b() == b) n++;
        return n;
    }

    public boolean shared(State s, int b) { return owners(s, b) > 1; }

    public List<Integer> freeBlocks(State s) {
        List<Integer> free = new ArrayList<>();
        for (int b = 1; b <= c.nBlocks(); b++) if (owners(s, b) == 0) free.add(b);
        return free;
    }

    /** {@code MinFree}; callers check {@code FreeBlocks # {}} first. */
    public int minFree(State s) { return freeBlocks(s).get(0); }

    public int diskVal(State s, String f, int o) {
        Extent e = extent(s, f, o);
        return e.k() == ExtentKind.WRITTEN ? dataAt(s.data(), e.b()) : 0;
    }

    public int visible(State s, String f, int o) {
        Page p = cache(s, f, o);
        return p.st() == CacheState.ABSENT ? diskVal(s, f, o) : p.v();
    }

    /** {@code MirrorsCache}: kernel choice pagecache-mirror-maps-cache, a grant maps the page-cache page. */
    public boolean mirrorsCache() { return c.is(Variant.PAGECACHE_MIRROR_MAPS_CACHE); }

    /** {@code DevVal(f, o, b)}: what a device access through a grant of (f, o) on block b reads. */
    public int devVal(State s, String f, int o, int b) {
        Page p = cache(s, f, o);
        return mirrorsCache() && p.st() != CacheState.ABSENT ? p.v() : dataAt(s.data(), b);
    }

    /**
     * {@code DropsBusy}: kernel choice pagecache-reflink-drops-busy-folio, the reflink's truncate of its
     * target drops the file's large folio whole when a DMA's reference stops its split.
     */
    private boolean dropsBusy() { return c.is(Variant.PAGECACHE_REFLINK_DROPS_BUSY_FOLIO); }

    /** {@code Busy(f)}: f's pages under a DMA not yet orphaned, unpinned and not dirty. */
    private Set<Integer> busy(State s, String f) {
        Set<Integer> out = new HashSet<>();
        for (Dma d : s.dma()) {
            if (d.f().equals(f) && d.b() != 0 && cache(s, f, d.o()).st() != CacheState.DIRTY && !pinnedAt(s, f, d.o())) {
                out.add(d.o());
            }
        }
        return out;
    }

    private static int dataAt(List<Integer> data, int b) {
        if (b < 1 || b > data.size()) {
            throw new IllegalStateException("data[" + b + "] is outside DOMAIN data (TLC would stop here)");
        }
        return data.get(b - 1);
    }

    /** {@code Pages(gs)}: distinct (importer, file, page) triples held by the grants. */
    public static int pages(java.util.Collection<Grant> gs) {
        Set<List<Object>> triples = new HashSet<>();
        for (Grant g : gs) for (int k = g.lo(); k <= g.hi(); k++) triples.add(List.of(g.i(), g.f(), k));
        return triples.size();
    }

    public int held(State s) {
        List<Grant> prepared = new ArrayList<>();
        for (Pending p : s.pend()) prepared.add(p.grant());
        return pages(s.maps()) + pages(prepared);
    }

    public boolean hasPend(State s, String i) {
        for (Pending p : s.pend()) if (p.i().equals(i)) return true;
        return false;
    }

    public boolean hasDma(State s, String i) {
        for (Dma d : s.dma()) if (d.i().equals(i)) return true;
        return false;
    }

    /** Is some grant in maps a victim of an invalidation of f's lo..hi? */
    private static boolean anyVictim(State s, String f, int lo, int hi, boolean wonly) {
        for (Grant g : s.maps()) if (victim(g, f, lo, hi, wonly)) return true;
        return false;
    }

    /** Does importer i hold a grant on f overlapping lo..hi (writable only, if asked)? */
    private static boolean holds(State s, String i, String f, int lo, int hi, boolean writableOnly) {
        for (Grant g : s.maps()) {
            if (g.i().equals(i) && g.f().equals(f) && g.overlaps(lo, hi) && (!writableOnly || g.w())) return true;
        }
        return false;
    }

    /**
     * Is (f, o) read and written at its block, with no page-cache copy: a pinned page, or any page
     * without a page cache ({@code PinnedAt(f, o) \/ ~PageCache}).
     */
    public boolean readsBlock(State s, String f, int o) { return !c.pageCache() || pinnedAt(s, f, o); }

    public boolean pinnedAt(State s, String f, int o) {
        for (Grant g : s.maps()) if (g.pin() && g.f().equals(f) && g.in(o)) return true;
        return false;
    }

    public boolean pinnedIn(State s, String f, int lo, int hi) {
        for (int o = lo; o <= hi; o++) if (pinnedAt(s, f, o)) return true;
        return false;
    }

    public boolean invOver(State s, String f, int lo, int hi) {
        Inv r = inv(s, f);
        return r.on() && (r.overlaps(lo, hi) || wholeFile(r.cause()));
    }

    /**
     * {@code WholeFile(cause)}: kernel choice dax-punch-whole-file, punch invalidates the whole file;
     * dax-fallocate-breaks-layouts, every fallocate call does ({@code FallocBreaks}).
     */
    private boolean wholeFile(Cause cause) {
        return c.is(Variant.DAX_PUNCH_WHOLE_FILE) && cause == Cause.PUNCH
                || fallocBreaks() && (cause == Cause.PUNCH || cause == Cause.FALLOCATE || cause == Cause.UNSHARE);
    }

    /** {@code FallocKeepsCache}: kernel choice pagecache-fallocate-keeps-cache. */
    private boolean fallocKeepsCache() { return c.is(Variant.PAGECACHE_FALLOCATE_KEEPS_CACHE); }

    /** {@code UnshareAllocates}: kernel choice pagecache-unshare-allocates. */
    private boolean unshareAllocates() { return c.is(Variant.PAGECACHE_UNSHARE_ALLOCATES); }

    /** {@code FallocBreaks}: kernel choice dax-fallocate-breaks-layouts. */
    private boolean fallocBreaks() { return c.is(Variant.DAX_FALLOCATE_BREAKS_LAYOUTS); }

    /** {@code UnshareApplies(f, o)}: the cause of an unshare's change (pagecache-unshare-allocates: fallocate). */
    public Cause unshareApplies(State s, String f, int o) {
        if (unshareAllocates() && !sharedAt(s, f, o)) return Cause.FALLOCATE;
        return fallocBreaks() ? Cause.UNSHARE : Cause.COW;   // spec: UnshareCause
    }

    /** {@code SharedAt(f, o)}: the page has a block another page shares. */
    public boolean sharedAt(State s, String f, int o) {
        int b = extent(s, f, o).b();
        return b != 0 && shared(s, b);
    }

    /** {@code PinIgnored}: truncate and punch do not wait for (or refuse over) pins. */
    private boolean pinIgnored() {
        return c.is(Variant.TRUNCATE_IGNORES_PIN) || c.is(Variant.READ_PIN_IGNORES_TRUNCATE);
    }

    /**
     * {@code CowOnFault(f, lo, hi, pin, w)}: kernel choice write-shared-cow-on-fault: the faults of lo..hi,
     * in order, leave every page of the range unshared.
     */
    private boolean cowOnFault(State s, String f, int lo, int hi, boolean pin, boolean w) {
        if (!c.is(Variant.WRITE_SHARED_COW_ON_FAULT) || !w || pin || freeBlocks(s).isEmpty()) return false;
        Extent[] e2 = cowPages(s, f, lo, hi);
        for (int o = lo; o <= hi; o++) {
            int b = e2[c.page(f, o)].b();
            if (b != 0 && owners(e2, b) > 1) return false;
        }
        return true;
    }

    /**
     * {@code CowPages(extent, f, lo, hi)}: the extent map after the write faults of f's pages lo..hi in
     * order, each page still shared at its fault moved to the lowest free block.
     */
    private Extent[] cowPages(State s, String f, int lo, int hi) {
        Extent[] e = s.extent().toArray(new Extent[0]);
        for (int o = lo; o <= hi; o++) {
            Extent x = e[c.page(f, o)];
            if (x.b() == 0 || owners(e, x.b()) <= 1) continue;
            for (int b = 1; b <= c.nBlocks(); b++) {
                if (owners(e, b) == 0) {
                    e[c.page(f, o)] = new Extent(x.k(), b);
                    break;
                }
            }
        }
        return e;
    }

    private static int owners(Extent[] e, int b) {
        int n = 0;
        for (Extent x : e) if (x.b() == b) n++;
        return n;
    }

    /** {@code BreakLayouts(f)}: kernel choice dax-map-during-break-layouts, for a truncate or punch of f. */
    private boolean breakLayouts(State s, String f) {
        Cause cause = inv(s, f).cause();
        return c.is(Variant.DAX_MAP_DURING_BREAK_LAYOUTS) && (cause == Cause.TRUNCATE || cause == Cause.PUNCH);
    }

    /** {@code NewRefExtends(h)}: kernel choice dax-new-ref-extends-wait. */
    private boolean newRefExtends(Inv r) {
        return c.is(Variant.DAX_NEW_REF_EXTENDS_WAIT) && (r.cause() == Cause.TRUNCATE || r.cause() == Cause.PUNCH);
    }

    /** {@code AcksWithDma(cause)}: kernel choice dax-munmap-acks-with-dma, munmap's ack does not wait for DMA. */
    private boolean acksWithDma(Cause cause) {
        return c.is(Variant.DAX_MUNMAP_ACKS_WITH_DMA) && cause == Cause.MUNMAP || c.is(Variant.PAGECACHE_ACKS_WITH_DMA);
    }

    /** {@code RefHeld(i, f, lo, hi, cause)}: a layout change waits for every page reference (DMA) of its range. */
    private boolean refHeld(State s, String i, String f, int lo, int hi, Cause cause) {
        if (!c.is(Variant.DAX_MUNMAP_ACKS_WITH_DMA) || !LAYOUT_BREAKS.contains(cause)) return false;
        for (Dma d : s.dma()) if (d.i().equals(i) && d.f().equals(f) && lo <= d.o() && d.o() <= hi) return true;
        return false;
    }

    private static final Set<Cause> LAYOUT_BREAKS = Set.of(Cause.TRUNCATE, Cause.PUNCH, Cause.FALLOCATE,
            Cause.RELOCATE, Cause.COW, Cause.UNSHARE);

    /** {@code Late(f)}: once every importer has acked, the grants of the range still live (made during the wait). */
    private static Set<Grant> late(State s, Inv r, String f) {
        Set<Grant> out = new HashSet<>();
        for (Grant g : s.maps()) if (victim(g, f, r.lo(), r.hi(), r.wonly())) out.add(g);
        return out;
    }

    public static boolean victim(Grant g, String f, int lo, int hi, boolean wonly) {
        return g.f().equals(f) && g.overlaps(lo, hi) && !g.pin() && (!wonly || g.w());
    }

    public static boolean dmaOn(State s, String i, Set<Grant> gs) {
        for (Dma d : s.dma()) {
            for (Grant g : gs) {
                if (d.i().equals(i) && g.i().equals(i) && d.f().equals(g.f()) && g.in(d.o())) return true;
            }
        }
        return false;
    }

    private boolean stale(State s, Pending p) {
        return c.is(Variant.VALID_FLAG) ? !s.vflag().get(c.fileIndex(p.f())) : p.retry();
    }

    // ---------------------------------------------------------------- device_map's decision

    /** {@code Refusal(i, f, lo, hi, pin, w, at)}: null means granted. */
    public Reason refusal(State s, String i, String f, int lo, int hi, boolean pin, boolean w, boolean at) {
        boolean writeToHole = c.is(Variant.WRITE_TO_HOLE) && w;
        if (pin && !c.pinSupport() && c.is(Variant.PIN_REFUSED_FIRST)) return Reason.PIN_UNSUPPORTED;
        for (int o = lo; o <= hi; o++) {
            if (extent(s, f, o).k() != ExtentKind.WRITTEN && !writeToHole) return Reason.HOLE;
        }
        for (int o = lo; o <= hi; o++) {
            if (cache(s, f, o).st() != CacheState.ABSENT && !(c.is(Variant.MAP_WHILE_CACHED) && w)
                    && !(mirrorsCache() && !pin)) {
                return Reason.CACHED;
            }
        }
        boolean readPinIgnoresShared = c.is(Variant.READ_PIN_IGNORES_SHARED) && pin && !w;
        if ((w || pin) && !readPinIgnoresShared) {
            for (int o = lo; o <= hi; o++) {
                if (shared(s, extent(s, f, o).b()) && !writeToHole && !cowOnFault(s, f, lo, hi, pin, w)) return Reason.SHARED;
            }
        }
        if (pin && !c.pinSupport()) return Reason.PIN_UNSUPPORTED;
        if (pin && w && c.is(Variant.READ_PIN_IGNORES_TRUNCATE)) return Reason.PIN_UNSUPPORTED;
        if (s.exp() != Exp.UP) return Reason.EXPORTER_GONE;
        if (!c.route().contains(i)) return Reason.NO_ROUTE;
        if (at && !c.atomicRoute().contains(i) && !c.is(Variant.ATOMIC_WITHOUT_ROUTE)) return Reason.NO_ATOMIC_ROUTE;
        if (w && !c.writeOK().contains(i)) return Reason.WRITE_NOT_ALLOWED;
        if (s.bar() + (hi - lo + 1) > c.barSize() && !c.is(Variant.BAR_OVERCOMMIT)) return Reason.BAR_FULL;
        return null;
    }

    // ---------------------------------------------------------------- mutable working copy of one step

    private final class Work {
        final State s;
        // copy on write: a field is copied the first time the step changes it
        private Extent[] extent;
        private int[] data;
        private Page[] cache;
        private int[] lastw;
        int nextv;
        private Set<String> vma;
        private Set<Grant> maps;
        private Set<Pending> pend;
        private Set<Dma> dma;
        private Inv[] inv;
        private Boolean[] vflag;
        int bar;
        Exp exp;
        private Set<String> rev;
        private int[] dtag;

        Work(State s) {
            this.s = s;
            nextv = s.nextv();
            bar = s.bar();
            exp = s.exp();
        }

        Extent[] extent() { if (extent == null) extent = s.extent().toArray(new Extent[0]); return extent; }
        int[] data() { if (data == null) data = ints(s.data()); return data; }
        Page[] cache() { if (cache == null) cache = s.cache().toArray(new Page[0]); return cache; }
        int[] lastw() { if (lastw == null) lastw = ints(s.lastw()); return lastw; }
        Set<String> vma() { if (vma == null) vma = new HashSet<>(s.vma()); return vma; }
        Set<Grant> maps() { if (maps == null) maps = new HashSet<>(s.maps()); return maps; }
        Set<Pending> pend() { if (pend == null) pend = new HashSet<>(s.pend()); return pend; }
        Set<Dma> dma() { if (dma == null) dma = new HashSet<>(s.dma()); return dma; }
        Inv[] inv() { if (inv == null) inv = s.inv().toArray(new Inv[0]); return inv; }
        Boolean[] vflag() { if (vflag == null) vflag = s.vflag().toArray(new Boolean[0]); return vflag; }
        Set<String> rev() { if (rev == null) rev = new HashSet<>(s.rev()); return rev; }
        int[] dtag() { if (dtag == null) dtag = ints(s.dtag()); return dtag; }

        /** Spec: {@code Tagged(f, lo..hi)}: the pages' DAX entries tagged dirty (kernel choice dax-writeback-mkclean). */
        void tag(String f, int lo, int hi) {
            if (daxTag()) setTags(f, tags(f) | pagesMask(lo, hi));
        }

        /** {@code [dtag EXCEPT ![f] = @ \ (lo..hi)]}. */
        void untag(String f, int lo, int hi) { setTags(f, tags(f) & ~pagesMask(lo, hi)); }

        /** f's tags as this step has them so far (copied only once a step changes them). */
        private int tags(String f) { return dtag == null ? s.dtag().get(c.fileIndex(f)) : dtag[c.fileIndex(f)]; }

        private void setTags(String f, int m) { if (m != tags(f)) dtag()[c.fileIndex(f)] = m; }

        Step done() {
            return new Step.Next(new State(
                    extent == null ? s.extent() : List.of(extent),
                    data == null ? s.data() : boxed(data),
                    cache == null ? s.cache() : List.of(cache),
                    lastw == null ? s.lastw() : boxed(lastw), nextv,
                    vma == null ? s.vma() : vma, maps == null ? s.maps() : maps, pend == null ? s.pend() : pend,
                    dma == null ? s.dma() : dma, inv == null ? s.inv() : List.of(inv),
                    vflag == null ? s.vflag() : List.of(vflag), bar, exp, rev == null ? s.rev() : rev,
                    dtag == null ? s.dtag() : boxed(dtag)));
        }

        /** {@code [data EXCEPT ![b] = v]}: unchanged when b is outside DOMAIN data, as in TLA+. */
        void setData(int b, int v) {
            if (b >= 1 && b <= c.nBlocks()) data()[b - 1] = v;
        }

        /** {@code Apply(f, lo, hi, cause, arg)}, reading the pre-state. */
        void apply(String f, int lo, int hi, Cause cause, int arg) {
            Extent[] e2 = s.extent().toArray(new Extent[0]);
            boolean wb = cause == Cause.WRITEBACK && c.pageCache() && canWb(s, f, lo);   // spec: wb
            switch (cause) {
                case TRUNCATE, PUNCH -> {
                    for (int o = lo; o <= hi; o++) e2[c.page(f, o)] = Extent.HOLE;
                }
                case FALLOCATE -> {
                    if (DeviceMapModel.this.extent(s, f, lo).equals(Extent.HOLE) && !freeBlocks(s).isEmpty()) {
                        e2[c.page(f, lo)] = new Extent(ExtentKind.UNWRITTEN, minFree(s));
                    }
                }
                case RELOCATE, COW -> {
                    if (!freeBlocks(s).isEmpty()) e2[c.page(f, lo)] = new Extent(DeviceMapModel.this.extent(s, f, lo).k(), minFree(s));
                }
                case UNSHARE -> {   // spec: cause = "unshare" /\ SharedAt(f, lo) -> Move(f, lo)
                    if (sharedAt(s, f, lo) && !freeBlocks(s).isEmpty()) {
                        e2[c.page(f, lo)] = new Extent(DeviceMapModel.this.extent(s, f, lo).k(), minFree(s));
                    }
                }
                case REFLINK -> e2[c.page(f, arg)] = DeviceMapModel.this.extent(s, f, lo);
                default -> {
                    if (wb) e2[c.page(f, lo)] = new Extent(ExtentKind.WRITTEN, DeviceMapModel.this.wbBlock(s, f, lo));
                }
            }
            // d1: a moved page takes its data along
            int[] oldData = ints(s.data());
            int[] d1 = oldData.clone();
            boolean changed = !List.of(e2).equals(s.extent());
            if ((cause == Cause.RELOCATE || cause == Cause.COW || cause == Cause.UNSHARE) && changed) {
                int nb = e2[c.page(f, lo)].b();
                int ob = DeviceMapModel.this.extent(s, f, lo).b();
                if (nb >= 1 && nb <= d1.length) d1[nb - 1] = dataAt(s.data(), ob);
            } else if (wb) {
                int nb = wbBlock(s, f, lo);
                if (nb >= 1 && nb <= d1.length) d1[nb - 1] = DeviceMapModel.this.cache(s, f, lo).v();
            }
            // Discard(d1, Freed(extent, e2))
            Set<Integer> before = new HashSet<>();
            for (Extent e : s.extent()) before.add(e.b());
            for (Extent e : e2) before.remove(e.b());
            for (int b : before) if (b >= 1 && b <= d1.length) d1[b - 1] = 0;
            if (changed) extent = e2;
            if (!Arrays.equals(d1, oldData)) data = d1;
            if (cause == Cause.TRUNCATE || cause == Cause.PUNCH) {
                for (int o = lo; o <= hi; o++) {
                    cache()[c.page(f, o)] = Page.ABSENT;
                    lastw()[c.page(f, o)] = 0;
                }
            } else if (cause == Cause.REFLINK) {
                lastw()[c.page(f, arg)] = s.lastw().get(c.page(f, lo));
            } else if (wb) {
                cache()[c.page(f, lo)] = new Page(CacheState.CLEAN, DeviceMapModel.this.cache(s, f, lo).v());
            }
            if (dropsBusy() && cause == Cause.REFLINK) {   // spec: Busy(f) dropped, Orphaned(f)
                Set<Integer> busy = busy(s, f);
                for (int o : busy) cache()[c.page(f, o)] = Page.ABSENT;
                for (Dma d : s.dma()) {
                    if (!d.f().equals(f) || !busy.contains(d.o())) continue;
                    dma().remove(d);
                    dma().add(new Dma(d.i(), d.f(), d.o(), 0, d.op(),
                            d.op() == DmaOp.READ ? devVal(s, f, d.o(), d.b()) : d.v()));
                }
            }
            if (cause == Cause.MUNMAP) vma().remove(f);
            if (cause == Cause.TRUNCATE || cause == Cause.PUNCH) untag(f, lo, hi);
            else if (cause == Cause.WRITEBACK || cause == Cause.REFLINK) untag(f, lo, lo);
        }

        /** {@code BumpSeq(f, lo, hi)}. */
        void bumpSeq(String f, int lo, int hi) {
            bumped(f, lo, hi);
            if (c.is(Variant.VALID_FLAG)) vflag()[c.fileIndex(f)] = false;
        }

        /** {@code pend' = Bumped(f, lo, hi)}. */
        void bumped(String f, int lo, int hi) {
            Set<Pending> p2 = new HashSet<>();
            for (Pending p : s.pend()) p2.add(p.f().equals(f) && p.overlaps(lo, hi) ? p.withRetry() : p);
            pend = p2;
        }

        /** {@code Invalidate(f, lo, hi, cause, arg, wonly)}. */
        void invalidate(String f, int lo, int hi, Cause cause, int arg, boolean wonly) {
            boolean whole = wholeFile(cause);
            int wlo = whole ? 1 : lo;
            int whi = whole ? c.nOff() : hi;
            Set<Grant> vs = new HashSet<>();
            if (!(c.is(Variant.COW_WITHOUT_INVALIDATE) && cause == Cause.COW)) {
                for (Grant g : s.maps()) if (victim(g, f, wlo, whi, wonly)) vs.add(g);
            }
            Set<String> hs = new HashSet<>();
            for (Grant g : vs) hs.add(g.i());
            for (String i : c.importers()) if (refHeld(s, i, f, lo, hi, cause)) hs.add(i);
            bumpSeq(f, wlo, whi);
            if (hs.isEmpty()) {
                apply(f, lo, hi, cause, arg);
            } else {
                boolean noAckWait = c.is(Variant.NO_ACK_WAIT);
                inv()[c.fileIndex(f)] = new Inv(true, lo, hi, cause, arg, wonly, hs, vs, noAckWait);
                if (noAckWait) apply(f, lo, hi, cause, arg);
            }
        }
    }

    // ---------------------------------------------------------------- the actions

    /** {@code step(state, action)}: the spec's action applied to a state. */
    public Step step(State s, Action a) {
        if (a instanceof Mmap x) return mmap(s, x.f());
        if (a instanceof Munmap x) return munmap(s, x.f());
        if (a instanceof CpuWrite x) return writePage(s, x.f(), x.o(), false);
        if (a instanceof CpuRead x) return readPage(s, x.f(), x.o());
        if (a instanceof Truncate x) return truncate(s, x.f(), x.n());
        if (a instanceof PunchHole x) return punchHole(s, x.f(), x.lo(), x.hi());
        if (a instanceof Fallocate x) return fallocate(s, x.f(), x.o());
        if (a instanceof Reflink x) return reflink(s, x.f(), x.o(), x.p());
        if (a instanceof Writeback x) return writeback(s, x.f(), x.o());
        if (a instanceof Evict x) return evict(s, x.f(), x.o());
        if (a instanceof Relocate x) return relocate(s, x.f(), x.o());
        if (a instanceof Unshare x) return unshare(s, x.f(), x.o());
        if (a instanceof InvAck x) return invAck(s, x.i(), x.f());
        if (a instanceof InvEnd x) return invEnd(s, x.f());
        if (a instanceof MapPrepare x) return mapPrepare(s, x.i(), x.f(), x.lo(), x.hi(), x.pin(), x.w(), x.at());
        if (a instanceof MapCommit x) return mapCommit(s, x.i());
        if (a instanceof MapRetry x) return mapRetry(s, x.i());
        if (a instanceof DeviceUnmap x) return unmap(s, named(s, x.i(), x.f(), x.lo()), false);
        if (a instanceof DmaBufRelease x) return unmap(s, named(s, x.i(), x.f(), x.lo()), true);
        if (a instanceof DmaStart x) return dmaStart(s, x.i(), named(s, x.i(), x.f(), x.lo()), x.o(), x.op());
        if (a instanceof DmaEnd x) return dmaEnd(s, x.i());
        if (a instanceof DevFallbackRead x) return devFallbackRead(s, x.i(), x.f(), x.o());
        if (a instanceof DevFallbackWrite x) return devFallbackWrite(s, x.i(), x.f(), x.o());
        if (a instanceof BarReclaim x) return barReclaim(s, named(s, x.i(), x.f(), x.lo()));
        if (a instanceof UnplugStart x) return unplugStart(s);
        if (a instanceof RevokeAck x) return revokeAck(s, x.i());
        if (a instanceof UnplugEnd x) return unplugEnd(s);
        throw new IllegalArgumentException("unknown action " + a);
    }

    /** Spec: {@code Mmap(f)}. */
    private Step mmap(State s, String f) {
        if (s.vma().contains(f)) return Step.disabled(Guard.ALREADY_MMAPPED, () -> f + " is already mmapped");
        Work w = new Work(s);
        w.vma().add(f);
        return w.done();
    }

    /** Spec: {@code Munmap(f)}. */
    private Step munmap(State s, String f) {
        if (!s.vma().contains(f)) return Step.disabled(Guard.NOT_MMAPPED, () -> f + " is not mmapped");
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running");
        Work w = new Work(s);
        w.invalidate(f, 1, c.nOff(), Cause.MUNMAP, 0, false);
        return w.done();
    }

    /** Spec: {@code WritePage(f, o, fromDev)} (used by CpuWrite, DevFallbackWrite). */
    private Step writePage(State s, String f, int o, boolean fromDev) {
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running (invalidate_lock)");
        if (s.nextv() >= c.maxVal()) return Step.disabled(Guard.NO_FRESH_VALUE, () -> "no fresh data value left (MaxVal)");
        Work w = new Work(s);
        int k = c.page(f, o);
        if (pinnedAt(s, f, o)) {
            w.setData(s.extent().get(k).b(), s.nextv() + 1);
            w.lastw()[k] = s.nextv() + 1;
            w.nextv = s.nextv() + 1;
        } else if (!c.pageCache()) {
            return writeBlock(s, f, o, fromDev);
        } else if (!mirrorsCache() && anyVictim(s, f, o, o, false)) {
            w.invalidate(f, o, o, Cause.POPULATE, 0, false);
        } else {
            boolean keepClean = c.is(Variant.GUP_NO_DIRTY) && fromDev && s.cache().get(k).st() == CacheState.CLEAN;
            w.cache()[k] = new Page(keepClean ? CacheState.CLEAN : CacheState.DIRTY, s.nextv() + 1);
            w.lastw()[k] = s.nextv() + 1;
            w.nextv = s.nextv() + 1;
            w.bumpSeq(f, o, o);
        }
        return w.done();
    }

    /** {@code WriteBlock(f, o, fromDev)}: without a page cache a write goes to the block (allocated, unshared first); a device's write fault tags the page dirty. */
    private Step writeBlock(State s, String f, int o, boolean fromDev) {
        Extent e = extent(s, f, o);
        Work w = new Work(s);
        if (e.b() != 0 && shared(s, e.b()) && anyVictim(s, f, o, o, false)) {
            w.invalidate(f, o, o, Cause.COW, 0, false);
            return w.done();
        }
        boolean inPlace = e.b() != 0 && !shared(s, e.b());
        if (!inPlace && freeBlocks(s).isEmpty()) return Step.disabled(Guard.NO_FREE_BLOCK, () -> "ENOSPC");
        int nb = inPlace ? e.b() : minFree(s);
        int k = c.page(f, o);
        w.extent()[k] = new Extent(ExtentKind.WRITTEN, nb);
        w.setData(nb, s.nextv() + 1);
        w.lastw()[k] = s.nextv() + 1;
        w.nextv = s.nextv() + 1;
        w.bumpSeq(f, o, o);
        if (fromDev) w.tag(f, o, o);
        return w.done();
    }

    /** Spec: {@code ReadPage(f, o)} (used by CpuRead, DevFallbackRead). */
    private Step readPage(State s, String f, int o) {
        if (!c.pageCache()) return Step.disabled(Guard.NO_PAGE_CACHE, () -> "no page cache: the read is served by the block");
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running (invalidate_lock)");
        if (cache(s, f, o).st() != CacheState.ABSENT) return Step.disabled(Guard.PAGE_CACHED, () -> "page is cached already");
        if (pinnedAt(s, f, o)) return Step.disabled(Guard.PINNED_PAGE_READ, () -> "pinned page: read from its block, nothing changes");
        Work w = new Work(s);
        if (!mirrorsCache() && anyVictim(s, f, o, o, true)) {
            w.invalidate(f, o, o, Cause.POPULATE, 0, true);
        } else {
            w.cache()[c.page(f, o)] = new Page(CacheState.CLEAN, diskVal(s, f, o));
            w.bumpSeq(f, o, o);
        }
        return w.done();
    }

    /** Does f's lo..hi hold anything a truncate or punch would remove (a block or a cached page)? */
    public boolean anythingIn(State s, String f, int lo, int hi) {
        for (int o = lo; o <= hi; o++) {
            if (!extent(s, f, o).equals(Extent.HOLE) || !cache(s, f, o).equals(Page.ABSENT)) return true;
        }
        return false;
    }

    /** Spec: {@code Truncate(f, n)}. */
    private Step truncate(State s, String f, int n) {
        if (n < 0 || n > c.nOff() - 1) return Step.disabled(Guard.BAD_ARGUMENT, () -> "size " + n + " outside 0.." + (c.nOff() - 1));
        return removeRange(s, f, n + 1, c.nOff(), Cause.TRUNCATE);
    }

    /** Spec: {@code PunchHole(f, lo, hi)}. */
    private Step punchHole(State s, String f, int lo, int hi) {
        if (lo < 1 || hi > c.nOff() || lo > hi) return Step.disabled(Guard.BAD_ARGUMENT, () -> "not a range");
        return removeRange(s, f, lo, hi, Cause.PUNCH);
    }

    /** The conjuncts Truncate and PunchHole share (spec: their bodies, written out in each). */
    private Step removeRange(State s, String f, int lo, int hi, Cause cause) {
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running");
        if (!anythingIn(s, f, lo, hi)) return Step.disabled(Guard.NOTHING_TO_REMOVE, () -> "nothing to remove");
        if (pinnedIn(s, f, lo, hi) && !pinIgnored()) {
            return Step.disabled(Guard.PINNED, () -> "EBUSY: a dma_buf pins the range");
        }
        Work w = new Work(s);
        w.invalidate(f, lo, hi, cause, 0, false);
        return w.done();
    }

    /** Spec: {@code Fallocate(f, o)}. */
    private Step fallocate(State s, String f, int o) {
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running");
        if (fallocKeepsCache() && !extent(s, f, o).equals(Extent.HOLE)) return new Work(s).done();   // allocated already
        boolean nop = fallocBreaks() && !extent(s, f, o).equals(Extent.HOLE);   // an allocated page: a no-op
        if (!nop) {
            if (!extent(s, f, o).equals(Extent.HOLE)) return Step.disabled(Guard.NOT_A_HOLE, () -> "not a hole");
            if (!cache(s, f, o).equals(Page.ABSENT) && !fallocKeepsCache()) {   // spec: FallocKeepsCache keeps it
                return Step.disabled(Guard.PAGE_CACHED, () -> "page is cached");
            }
            if (freeBlocks(s).isEmpty()) return Step.disabled(Guard.NO_FREE_BLOCK, () -> "ENOSPC");
        }
        Work w = new Work(s);
        w.invalidate(f, o, o, Cause.FALLOCATE, 0, false);
        return w.done();
    }

    /** Spec: {@code Reflink(f, o, p)}. */
    private Step reflink(State s, String f, int o, int p) {
        if (o == p) return Step.disabled(Guard.SAME_PAGE, () -> "source and target are the same page");
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running");
        boolean cloneHole = c.is(Variant.CLONE_HOLE) && extent(s, f, o).equals(Extent.HOLE);
        if (extent(s, f, o).k() != ExtentKind.WRITTEN && !cloneHole) return Step.disabled(Guard.NOT_WRITTEN, () -> "source is not written");
        if (cache(s, f, o).st() == CacheState.DIRTY) return Step.disabled(Guard.PAGE_DIRTY, () -> "source is dirty");
        if (!extent(s, f, p).equals(Extent.HOLE) || !cache(s, f, p).equals(Page.ABSENT)) {
            return Step.disabled(Guard.TARGET_NOT_A_HOLE, () -> "target is not an uncached hole");
        }
        if (pinnedAt(s, f, o)) return Step.disabled(Guard.PINNED, () -> "EBUSY: source is pinned");
        Work w = new Work(s);
        w.invalidate(f, o, o, Cause.REFLINK, p, !c.is(Variant.REFLINK_UNMAPS_SOURCE));   // spec: ReflinkWonly
        return w.done();
    }

    /** Spec: {@code Writeback(f, o)}. */
    private Step writeback(State s, String f, int o) {
        return c.pageCache() ? pageWriteback(s, f, o) : daxMkclean(s, f, o);
    }

    /** Spec: {@code DaxMkclean(f, o)}: kernel choice dax-writeback-mkclean: a page tagged dirty is written back, every unpinned grant of it invalidated. */
    private Step daxMkclean(State s, String f, int o) {
        if (!daxTag()) return Step.disabled(Guard.NOT_DIRTY, () -> "no page cache: nothing to write back");
        if (!tagged(s, f, o)) return Step.disabled(Guard.NOT_DIRTY, () -> "the page's DAX entry is not tagged dirty: nothing to write back");
        return mkcleanInvalidate(s, f, o);   // every unpinned grant of the page: the mirror drops them all
    }

    /**
     * Spec: {@code FaultsFirst(i, f, lo, hi, pin, w, at)}, given the map's refusal: kernel choice
     * dax-exclusive-faults-first refuses an ATOMIC map no-atomic-route only after its write faults.
     */
    public boolean faultsFirst(boolean at, Reason why) {
        return c.is(Variant.DAX_EXCLUSIVE_FAULTS_FIRST) && at && why == Reason.NO_ATOMIC_ROUTE;
    }

    /** Spec: {@code DaxTag}: kernel choice dax-writeback-mkclean keeps the DAX entries' dirty tags. */
    public boolean daxTag() { return c.is(Variant.DAX_WRITEBACK_MKCLEAN); }

    /** Spec: {@code o \in dtag[f]}. */
    public boolean tagged(State s, String f, int o) { return (s.dtag().get(c.fileIndex(f)) & pagesMask(o, o)) != 0; }

    /** The mask of pages lo..hi (bit o - 1 is page o), as {@code dtag} holds them. */
    public static int pagesMask(int lo, int hi) {
        int m = 0;
        for (int o = lo; o <= hi; o++) m |= 1 << (o - 1);
        return m;
    }

    /** Spec: {@code MkcleanInvalidate(f, o)}: writeback's write-protect of a mapped page, under f's invalidate_lock. */
    private Step mkcleanInvalidate(State s, String f, int o) {
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running");
        Work w = new Work(s);
        w.invalidate(f, o, o, Cause.WRITEBACK, 0, false);
        return w.done();
    }

    /** Spec: {@code WbInPlace(f, o)}: the page's block is its own. */
    private boolean wbInPlace(State s, String f, int o) {
        Extent e = extent(s, f, o);
        return e.b() != 0 && !shared(s, e.b());
    }

    /** Spec: {@code WbBlock(f, o)}: where writeback puts the page. */
    private int wbBlock(State s, String f, int o) {
        return wbInPlace(s, f, o) ? extent(s, f, o).b() : minFree(s);
    }

    /** Spec: {@code CanWb(f, o)}. */
    private boolean canWb(State s, String f, int o) {
        return cache(s, f, o).st() == CacheState.DIRTY && (wbInPlace(s, f, o) || !freeBlocks(s).isEmpty());
    }

    /**
     * Spec: {@code PageWriteback(f, o)}; kernel choice pagecache-writeback-mkclean: with an unpinned grant
     * of the page, writeback invalidates it first ({@code PcMkclean}: folio_mkclean's mmu-notifier event).
     */
    private Step pageWriteback(State s, String f, int o) {
        if (!pcDirty(s, f, o)) return Step.disabled(Guard.NOT_DIRTY, () -> "page is not dirty");
        if (invOver(s, f, o, o)) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation covers the page");
        if (pcMkclean(s, f, o, false)) return mkcleanInvalidate(s, f, o);
        if (!canWb(s, f, o)) return Step.disabled(Guard.NO_FREE_BLOCK, () -> "ENOSPC");
        Work w = new Work(s);
        w.apply(f, o, o, Cause.WRITEBACK, 0);
        return w.done();
    }

    /** Spec: {@code PcMkclean(f, o)} (wonly false); with wonly true, PcDirty's writable-mirror clause. */
    private boolean pcMkclean(State s, String f, int o, boolean wonly) {
        if (!c.is(Variant.PAGECACHE_WRITEBACK_MKCLEAN)) return false;
        for (Grant g : s.maps()) if (victim(g, f, o, o, wonly)) return true;
        return false;
    }

    /** Spec: {@code PcDirty(f, o)}: dirty, or under a writable mirror whose fault dirtied it. */
    private boolean pcDirty(State s, String f, int o) {
        return cache(s, f, o).st() == CacheState.DIRTY || pcMkclean(s, f, o, true);
    }

    /** Spec: {@code Evict(f, o)}. */
    private Step evict(State s, String f, int o) {
        if (cache(s, f, o).st() == CacheState.ABSENT) return Step.disabled(Guard.NOT_CACHED, () -> "page is not cached");
        if (cache(s, f, o).st() != CacheState.CLEAN) return Step.disabled(Guard.DIRTY_NOT_EVICTABLE, () -> "page is dirty");
        Work w = new Work(s);
        w.cache()[c.page(f, o)] = Page.ABSENT;
        return w.done();
    }

    /** Spec: {@code Relocate(f, o)}. */
    private Step relocate(State s, String f, int o) {
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running");
        Extent e = extent(s, f, o);
        if (e.k() != ExtentKind.WRITTEN || shared(s, e.b())) return Step.disabled(Guard.NOT_WRITTEN, () -> "not a written, unshared page");
        if (cache(s, f, o).st() == CacheState.DIRTY) return Step.disabled(Guard.PAGE_DIRTY, () -> "page is dirty");
        if (pinnedAt(s, f, o)) return Step.disabled(Guard.PINNED, () -> "pinned");
        if (freeBlocks(s).isEmpty()) return Step.disabled(Guard.NO_FREE_BLOCK, () -> "no free block");
        Work w = new Work(s);
        w.invalidate(f, o, o, Cause.RELOCATE, 0, false);
        return w.done();
    }

    /** Spec: {@code Unshare(f, o)}. */
    private Step unshare(State s, String f, int o) {
        if (inv(s, f).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + f + " is running");
        if (unshareAllocates() && !sharedAt(s, f, o)) {   // spec: UnshareAllocates, an allocating fallocate
            if (!extent(s, f, o).equals(Extent.HOLE)) return new Work(s).done();   // nothing shared, nothing to allocate
            if (freeBlocks(s).isEmpty()) return Step.disabled(Guard.NO_FREE_BLOCK, () -> "ENOSPC");
            Work w = new Work(s);
            w.invalidate(f, o, o, Cause.FALLOCATE, 0, false);
            return w.done();
        }
        boolean nop = fallocBreaks() && !sharedAt(s, f, o);   // an unshared page: a no-op
        if (!nop) {
            if (!sharedAt(s, f, o)) return Step.disabled(Guard.NOT_SHARED, () -> "not shared");
            if (cache(s, f, o).st() == CacheState.DIRTY) return Step.disabled(Guard.PAGE_DIRTY, () -> "page is dirty");
            if (freeBlocks(s).isEmpty()) return Step.disabled(Guard.NO_FREE_BLOCK, () -> "no free block");
        }
        Work w = new Work(s);
        w.invalidate(f, o, o, fallocBreaks() ? Cause.UNSHARE : Cause.COW, 0, false);   // spec: UnshareCause
        return w.done();
    }

    /** Spec: {@code InvAck(i, f)}. */
    private Step invAck(State s, String i, String f) {
        Inv r = inv(s, f);
        if (!r.on() || !r.await().contains(i)) return Step.disabled(Guard.NOT_AWAITED, () -> i + " owes no acknowledgement for " + f);
        Work w = new Work(s);
        if (!c.is(Variant.EARLY_TLB_FLUSH)) {
            Set<Grant> gone = new HashSet<>();
            for (Grant g : r.victims()) if (s.maps().contains(g) && g.i().equals(i)) gone.add(g);
            if (dmaOn(s, i, gone) && !acksWithDma(r.cause())) return Step.disabled(Guard.DMA_IN_FLIGHT, () -> "DMA of " + i + " to the range has not drained");
            if (refHeld(s, i, f, r.lo(), r.hi(), r.cause())) {
                return Step.disabled(Guard.DMA_IN_FLIGHT, () -> "a page reference (DMA) of " + i + " to the range is held");
            }
            w.maps().removeAll(gone);
            w.bar = s.bar() - pages(gone);
        }
        Set<String> await = new HashSet<>(r.await());
        await.remove(i);
        w.inv()[c.fileIndex(f)] = new Inv(r.on(), r.lo(), r.hi(), r.cause(), r.arg(), r.wonly(), await, r.victims(),
                r.done());
        return w.done();
    }

    /** Spec: {@code InvEnd(f)}. */
    private Step invEnd(State s, String f) {
        Inv r = inv(s, f);
        if (!r.on()) return Step.disabled(Guard.NO_INVALIDATION, () -> "no invalidation of " + f);
        if (!r.await().isEmpty()) return Step.disabled(Guard.ACKS_OUTSTANDING, () -> "acknowledgements outstanding: " + r.await());
        Work w = new Work(s);
        boolean breakLayouts = breakLayouts(s, f);
        if (breakLayouts) {
            Set<Grant> late = late(s, r, f);
            if (!late.isEmpty()) {
                // xfs_break_layouts loops: another round for the grants made during the wait
                Set<String> hs = new HashSet<>();
                for (Grant g : late) hs.add(g.i());
                w.inv()[c.fileIndex(f)] = new Inv(r.on(), r.lo(), r.hi(), r.cause(), r.arg(), r.wonly(), hs, late, r.done());
                return w.done();
            }
            w.bumped(f, r.lo(), r.hi());
        }
        Set<Grant> left = new HashSet<>(r.victims());
        left.retainAll(s.maps());
        if (!r.done()) w.apply(f, r.lo(), r.hi(), r.cause(), r.arg());
        w.maps().removeAll(left);
        w.bar = s.bar() - pages(left);
        w.inv()[c.fileIndex(f)] = Inv.IDLE;
        if (c.is(Variant.VALID_FLAG)) w.vflag()[c.fileIndex(f)] = true;
        return w.done();
    }

    /**
     * MapPrepare's guards before {@code Refusal}: null when device_map gets to its decision, else
     * why not (the coverage table counts the decisions reached).
     */
    public Step mapPrepareWaits(State s, String i, String f, int lo, int hi) {
        if (lo < 1 || hi > c.nOff() || lo > hi) return Step.disabled(Guard.BAD_ARGUMENT, () -> "not a range");
        if (!s.vma().contains(f)) return Step.disabled(Guard.NO_VMA, () -> f + " has no vma");
        if (hasPend(s, i)) return Step.disabled(Guard.PREPARED_PENDING, () -> i + " has a prepared map already");
        if (holds(s, i, f, lo, hi, false)) {
            return Step.disabled(Guard.OVERLAPPING_GRANT, () -> i + " maps part of the range already");
        }
        if (invOver(s, f, lo, hi) && !c.is(Variant.VALID_FLAG) && !breakLayouts(s, f)) {
            return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "mmu_interval_read_begin waits: invalidation running");
        }
        return null;
    }

    /** Spec: {@code MapPrepare(i, f, lo, hi, pin, w, at)}. */
    private Step mapPrepare(State s, String i, String f, int lo, int hi, boolean pin, boolean wr, boolean at) {
        Step waits = mapPrepareWaits(s, i, f, lo, hi);
        if (waits != null) return waits;
        Reason why = refusal(s, i, f, lo, hi, pin, wr, at);
        if (why != null && faultsFirst(at, why)) {   // spec: MapFaultsRefused(f, lo, hi)
            Work w = new Work(s);
            w.tag(f, lo, hi);
            return w.done();
        }
        if (why != null) return Step.refused(why);
        boolean anyShared = false;
        for (int o = lo; o <= hi; o++) anyShared |= sharedAt(s, f, o);
        boolean cow = anyShared && cowOnFault(s, f, lo, hi, pin, wr);
        List<Integer> moved = new ArrayList<>();
        Extent[] e2 = cow ? cowPages(s, f, lo, hi) : null;
        if (cow) {
            for (int o = lo; o <= hi; o++) if (e2[c.page(f, o)].b() != extent(s, f, o).b()) moved.add(o);
            for (Grant g : s.maps()) {
                for (int o : moved) {
                    if (g.f().equals(f) && g.in(o)) {
                        return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "the COW fault waits: another mapping of the page");
                    }
                }
            }
        }
        Work w = new Work(s);
        if (cow) {
            // CowPages(extent, f, lo, hi), each moved page's data along; a prepared map of a moved page retries
            for (int o : moved) {
                w.extent()[c.page(f, o)] = e2[c.page(f, o)];
                w.setData(e2[c.page(f, o)].b(), dataAt(s.data(), extent(s, f, o).b()));
            }
            Set<Pending> p2 = new HashSet<>();
            for (Pending p : s.pend()) {
                boolean hit = false;
                for (int o : moved) hit |= p.f().equals(f) && p.overlaps(o, o);
                p2.add(hit ? p.withRetry() : p);
            }
            w.pend().clear();
            w.pend().addAll(p2);
        }
        List<Integer> bs = new ArrayList<>();
        for (int o = lo; o <= hi; o++) bs.add(w.extent == null ? extent(s, f, o).b() : w.extent[c.page(f, o)].b());
        w.pend().add(new Pending(i, f, lo, hi, bs, wr, at, pin, false));
        w.bar = s.bar() + (hi - lo + 1);
        if (c.is(Variant.VALID_FLAG)) w.vflag()[c.fileIndex(f)] = true;
        if (wr) w.tag(f, lo, hi);
        return w.done();
    }

    private Pending pendingOf(State s, String i) {
        for (Pending p : s.pend()) if (p.i().equals(i)) return p;
        return null;
    }

    /** Spec: {@code MapCommit(i)}. */
    private Step mapCommit(State s, String i) {
        Pending p = pendingOf(s, i);
        if (p == null) return Step.disabled(Guard.NO_PREPARED_MAP, () -> i + " has no prepared map");
        if (stale(s, p)) return Step.disabled(Guard.STALE, () -> "mmu_interval_read_retry: the sequence count moved");
        Work w = new Work(s);
        w.maps().add(p.grant());
        w.pend().remove(p);
        return w.done();
    }

    /** Spec: {@code MapRetry(i)}. */
    private Step mapRetry(State s, String i) {
        Pending p = pendingOf(s, i);
        if (p == null) return Step.disabled(Guard.NO_PREPARED_MAP, () -> i + " has no prepared map");
        if (!stale(s, p)) return Step.disabled(Guard.NOT_STALE, () -> "the prepared map is still valid");
        Work w = new Work(s);
        w.pend().remove(p);
        w.bar = s.bar() - p.size();
        return w.done();
    }

    /** {@code Named(g, i, f, lo)}: the grant of i on f starting at lo, or null. */
    public Grant named(State s, String i, String f, int lo) {
        for (Grant g : s.maps()) if (g.i().equals(i) && g.f().equals(f) && g.lo() == lo) return g;
        return null;
    }

    /** Spec: {@code Unmap(i, g)} (used by DeviceUnmap, DmaBufRelease). */
    private Step unmap(State s, Grant g, boolean pinned) {
        if (g == null) return Step.disabled(Guard.NO_SUCH_GRANT, () -> "no such grant");
        if (g.pin() != pinned) return Step.disabled(Guard.WRONG_RELEASE, () -> pinned ? "grant is not pinned: DeviceUnmap" : "grant is pinned: DmaBufRelease");
        String i = g.i();
        if (dmaOn(s, i, Set.of(g))) return Step.disabled(Guard.DMA_IN_FLIGHT, () -> "DMA in flight through the grant");
        Work w = new Work(s);
        w.maps().remove(g);
        if (!c.is(Variant.UNMAP_KEEPS_BAR)) w.bar = s.bar() - g.size();
        return w.done();
    }

    /** Spec: {@code DmaStart(i, f, lo, o, op)}. */
    private Step dmaStart(State s, String i, Grant g, int o, DmaOp op) {
        if (g == null || !g.in(o)) return Step.disabled(Guard.NO_SUCH_GRANT, () -> "no grant of " + i + " covers the page");
        if (hasDma(s, i)) return Step.disabled(Guard.DMA_IN_FLIGHT, () -> i + " has a DMA in flight");
        if (s.exp() == Exp.GONE) return Step.disabled(Guard.EXPORTER_GONE, () -> "exporter gone");
        if (s.exp() == Exp.REMOVING && s.rev().contains(i)) return Step.disabled(Guard.REVOKING, () -> "exporter revoking " + i);
        for (Inv r : s.inv()) {
            if (r.on() && r.await().contains(i) && r.victims().contains(g) && !newRefExtends(r)) {
                return Step.disabled(Guard.BEING_INVALIDATED, () -> "grant is being invalidated");
            }
        }
        if (op == DmaOp.WRITE && !g.w()) return Step.disabled(Guard.NOT_WRITABLE, () -> "the grant is not writable");
        if (op == DmaOp.WRITE && s.nextv() >= c.maxVal()) return Step.disabled(Guard.NO_FRESH_VALUE, () -> "no fresh data value left (MaxVal)");
        Work w = new Work(s);
        w.dma().add(new Dma(i, g.f(), o, g.blk(o), op, op == DmaOp.WRITE ? s.nextv() + 1 : 0));
        if (op == DmaOp.WRITE) w.nextv = s.nextv() + 1;
        return w.done();
    }

    private static int[] ints(List<Integer> xs) {
        int[] out = new int[xs.size()];
        for (int k = 0; k < out.length; k++) out[k] = xs.get(k);
        return out;
    }

    private static List<Integer> boxed(int[] xs) {
        Integer[] b = new Integer[xs.length];
        for (int k = 0; k < xs.length; k++) b[k] = xs[k];
        return List.of(b);
    }

    /** Spec: {@code DmaEnd(i)}. */
    private Step dmaEnd(State s, String i) {
        Dma d = null;
        for (Dma x : s.dma()) if (x.i().equals(i)) d = x;
        if (d == null) return Step.disabled(Guard.NO_DMA, () -> i + " has no DMA in flight");
        Work w = new Work(s);
        w.dma().remove(d);
        if (d.op() == DmaOp.WRITE) {
            int k = c.page(d.f(), d.o());
            if (dropsBusy() && d.b() == 0) {
                // its page left the file: the write is lost
            } else if (mirrorsCache() && !pinnedAt(s, d.f(), d.o())) {
                w.cache()[k] = new Page(CacheState.DIRTY, d.v());
            } else {
                w.setData(d.b(), d.v());
            }
            w.lastw()[k] = d.v();
        }
        return w.done();
    }

    /** Spec: {@code DevFallbackRead(i, f, o)}. */
    private Step devFallbackRead(State s, String i, String f, int o) {
        if (!s.vma().contains(f)) return Step.disabled(Guard.NO_VMA, () -> f + " has no vma");
        if (holds(s, i, f, o, o, false)) {
            return Step.disabled(Guard.DIRECT_GRANT, () -> i + " maps the page directly");
        }
        return readPage(s, f, o);
    }

    /** Spec: {@code DevFallbackWrite(i, f, o)}. */
    private Step devFallbackWrite(State s, String i, String f, int o) {
        if (!s.vma().contains(f)) return Step.disabled(Guard.NO_VMA, () -> f + " has no vma");
        if (holds(s, i, f, o, o, true)) {
            return Step.disabled(Guard.DIRECT_GRANT, () -> i + " maps the page writable directly");
        }
        return writePage(s, f, o, true);
    }

    /** Spec: {@code BarReclaim(i, f, lo)}. */
    private Step barReclaim(State s, Grant g) {
        if (!c.bdevCanInvalidate()) return Step.disabled(Guard.CANNOT_INVALIDATE, () -> "the block device cannot invalidate");
        if (s.exp() != Exp.UP) return Step.disabled(Guard.EXPORTER_NOT_UP, () -> "exporter not up");
        if (g == null) return Step.disabled(Guard.NO_SUCH_GRANT, () -> "no such grant");
        if (g.pin()) return Step.disabled(Guard.PINNED, () -> "a pinned grant is not reclaimed");
        if (inv(s, g.f()).on()) return Step.disabled(Guard.INVALIDATION_RUNNING, () -> "an invalidation of " + g.f() + " is running");
        Work w = new Work(s);
        w.invalidate(g.f(), g.lo(), g.hi(), Cause.RECLAIM, 0, false);
        return w.done();
    }

    /** Spec: {@code UnplugStart}. */
    private Step unplugStart(State s) {
        if (s.exp() != Exp.UP) return Step.disabled(Guard.EXPORTER_NOT_UP, () -> "exporter not up");
        Work w = new Work(s);
        if (c.is(Variant.UNPLUG_WITHOUT_INVALIDATE)) {
            w.exp = Exp.GONE;
        } else {
            w.exp = Exp.REMOVING;
            Set<String> holders = new HashSet<>();
            if (c.bdevCanInvalidate()) for (Grant g : s.maps()) holders.add(g.i());
            w.rev = holders;
            Set<Pending> p2 = new HashSet<>();
            for (Pending p : s.pend()) p2.add(p.withRetry());
            w.pend = p2;
        }
        return w.done();
    }

    /** Spec: {@code RevokeAck(i)}. */
    private Step revokeAck(State s, String i) {
        if (s.exp() != Exp.REMOVING || !s.rev().contains(i)) return Step.disabled(Guard.NO_REVOKE_PENDING, () -> "no revoke pending for " + i);
        if (hasDma(s, i)) return Step.disabled(Guard.DMA_IN_FLIGHT, () -> "DMA of " + i + " in flight");
        Work w = new Work(s);
        Set<Grant> gone = new HashSet<>();
        for (Grant g : s.maps()) if (g.i().equals(i)) gone.add(g);
        w.maps().removeAll(gone);
        w.bar = s.bar() - pages(gone);
        w.rev().remove(i);
        return w.done();
    }

    /** Spec: {@code UnplugEnd}. */
    private Step unplugEnd(State s) {
        if (s.exp() != Exp.REMOVING) return Step.disabled(Guard.NOT_REMOVING, () -> "exporter not being removed");
        if (!s.rev().isEmpty() || !s.maps().isEmpty() || !s.pend().isEmpty() || !s.dma().isEmpty()) {
            return Step.disabled(Guard.REMOVAL_OUTSTANDING, () -> "mappings, prepared maps, DMA or revokes outstanding");
        }
        Work w = new Work(s);
        w.exp = Exp.GONE;
        return w.done();
    }

    // ---------------------------------------------------------------- Next

    private List<Action> fixedCandidates;

    /** Every action of {@code Next} with its parameters, enabled or not, for state s. */
    public List<Action> candidates(State s) {
        if (fixedCandidates == null) fixedCandidates = List.copyOf(fixedCandidates());
        if (s.maps().isEmpty()) return fixedCandidates;
        List<Action> out = new ArrayList<>(fixedCandidates);
        for (Grant g : s.maps()) {
            String i = g.i();
            out.add(new DeviceUnmap(i, g.f(), g.lo()));
            out.add(new DmaBufRelease(i, g.f(), g.lo()));
            out.add(new BarReclaim(i, g.f(), g.lo()));
            for (int o = 1; o <= c.nOff(); o++) {
                out.add(new DmaStart(i, g.f(), g.lo(), o, DmaOp.READ));
                out.add(new DmaStart(i, g.f(), g.lo(), o, DmaOp.WRITE));
            }
        }
        return out;
    }

    /** The actions whose parameters range over constants only. */
    private List<Action> fixedCandidates() {
        List<Action> out = new ArrayList<>();
        int n = c.nOff();
        for (String f : c.files()) {
            out.add(new Mmap(f));
            out.add(new Munmap(f));
            for (int k = 0; k <= n - 1; k++) out.add(new Truncate(f, k));
            for (int lo = 1; lo <= n; lo++) for (int hi = lo; hi <= n; hi++) out.add(new PunchHole(f, lo, hi));
            for (int o = 1; o <= n; o++) {
                out.add(new CpuWrite(f, o));
                out.add(new CpuRead(f, o));
                out.add(new Fallocate(f, o));
                out.add(new Writeback(f, o));
                out.add(new Evict(f, o));
                out.add(new Relocate(f, o));
                out.add(new Unshare(f, o));
                for (int p = 1; p <= n; p++) out.add(new Reflink(f, o, p));
            }
            out.add(new InvEnd(f));
        }
        for (String i : c.importers()) {
            for (String f : c.files()) {
                out.add(new InvAck(i, f));
                for (int lo = 1; lo <= n; lo++) {
                    for (int hi = lo; hi <= n; hi++) {
                        for (boolean pin : BOOLS) for (boolean w : BOOLS) for (boolean at : BOOLS) {
                            out.add(new MapPrepare(i, f, lo, hi, pin, w, at));
                        }
                    }
                }
                for (int o = 1; o <= n; o++) {
                    out.add(new DevFallbackRead(i, f, o));
                    out.add(new DevFallbackWrite(i, f, o));
                }
            }
            out.add(new MapCommit(i));
            out.add(new MapRetry(i));
            out.add(new DmaEnd(i));
            out.add(new RevokeAck(i));
        }
        out.add(new UnplugStart());
        out.add(new UnplugEnd());
        return out;
    }

    private static final boolean[] BOOLS = {false, true};

    /** {@code Next}: every enabled action and its successor. */
    public List<Transition> successors(State s) {
        List<Transition> out = new ArrayList<>();
        for (Action a : candidates(s)) {
            if (step(s, a) instanceof Step.Next nx) out.add(new Transition(a, nx.state()));
        }
        return out;
    }
}
