package dev.devmap.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The spec's invariants (state predicates) and its step properties (S2, S11-S13, S15, and the kernel choices'
 * witnesses W_*), under the spec's names.
 * Each check returns the first offending detail, so a report says what broke, not only which name.
 */
public final class SafetyProperties {
    private final DeviceMapModel m;
    private final Constants c;
    private final Map<String, Predicate<State>> invariants = new LinkedHashMap<>();
    private final Map<String, BiPredicate<State, State>> stepProperties = new LinkedHashMap<>();

    public SafetyProperties(DeviceMapModel m) {
        this.m = m;
        this.c = m.constants();
        invariants.put("TypeOK", this::typeOK);
        invariants.put("S1_NoStaleBlock", this::s1);
        invariants.put("S3_NoEstablishDuringInvalidate", this::s3);
        invariants.put("S4_AckBeforeProceed", this::s4);
        invariants.put("S5_CacheExclusion", this::s5);
        invariants.put("S6_WritebackCoherence", this::s6);
        invariants.put("S7_PinFreeze", this::s7);
        invariants.put("S8_ExporterLifetime", this::s8);
        invariants.put("S9_BarAccounting", this::s9);
        invariants.put("S10_Capability", this::s10);
        invariants.put("S14_RefusalOrder", this::s14);
        invariants.put("S16_GrantNeedsVma", this::s16);
        invariants.put("S17_CallsTakeEffect", this::s17);
        invariants.put("S18_RefusalHasNoEffect", this::s18);
        stepProperties.put("S2_InvalidateBeforeLayoutChange", this::layoutSafe);
        stepProperties.put("S11_PinLifetime", this::pinEnds);
        stepProperties.put("S12_BarReturnedOnUnmap", this::barReturned);
        stepProperties.put("S13_ReadsLastWrite", this::readsLast);
        stepProperties.put("S15_InvalidationKept", this::invKept);
        stepProperties.put("W_PunchUnmapsFile", this::punchUnmapsFile);
        stepProperties.put("W_WriteMapsShared", this::writeMapsShared);
        stepProperties.put("W_DaxWritebackUnmaps", this::daxWritebackUnmaps);
        stepProperties.put("W_MunmapAcksWithDma", this::munmapAcksWithDma);
        stepProperties.put("W_WaitsForPageRef", this::waitsForPageRef);
        stepProperties.put("W_FallocateUnmaps", this::fallocateUnmaps);
        stepProperties.put("W_UnshareUnmaps", this::unshareUnmaps);
        stepProperties.put("W_FallocateUnmapsFile", this::fallocateUnmapsFile);
        stepProperties.put("W_ReflinkUnmapsReadOnly", this::reflinkUnmapsReadOnly);
        stepProperties.put("W_CachedHoleAllocated", this::cachedHoleAllocated);
    }

    public List<String> invariantNames() { return List.copyOf(invariants.keySet()); }

    public List<String> stepPropertyNames() { return List.copyOf(stepProperties.keySet()); }

    public boolean holds(String name, State s) {
        Predicate<State> p = invariants.get(name);
        if (p == null) throw new IllegalArgumentException("unknown invariant '" + name + "'");
        return p.test(s);
    }

    public boolean holdsOnStep(String name, State s, State t) {
        BiPredicate<State, State> p = stepProperties.get(name);
        if (p == null) throw new IllegalArgumentException("unknown step property '" + name + "'");
        return p.test(s, t);
    }

    /** The first of {@code names} (in their order) that state s violates. */
    public Optional<String> firstViolated(List<String> names, State s) {
        for (String n : names) if (invariants.containsKey(n) && !invariants.get(n).test(s)) return Optional.of(n);
        return Optional.empty();
    }

    public Optional<String> firstViolatedOnStep(List<String> names, State s, State t) {
        for (String n : names) {
            if (stepProperties.containsKey(n) && !stepProperties.get(n).test(s, t)) return Optional.of(n);
        }
        return Optional.empty();
    }

    public List<String> allViolated(State s) {
        List<String> out = new ArrayList<>();
        invariants.forEach((n, p) -> { if (!p.test(s)) out.add(n); });
        return out;
    }

    // ------------------------------------------------------------------ the properties

    boolean typeOK(State s) {
        int pages = c.files().size() * c.nOff();
        if (s.extent().size() != pages || s.cache().size() != pages || s.lastw().size() != pages) return false;
        if (s.data().size() != c.nBlocks()) return false;
        for (Extent e : s.extent()) if (e.b() < 0 || e.b() > c.nBlocks()) return false;
        for (int v : s.data()) if (v < 0 || v > c.maxVal()) return false;
        for (Page p : s.cache()) if (p.v() < 0 || p.v() > c.maxVal()) return false;
        for (int v : s.lastw()) if (v < 0 || v > c.maxVal()) return false;
        if (s.nextv() < 0 || s.nextv() > c.maxVal()) return false;
        for (String i : c.importers()) {   // at most one DMA and one prepared map per importer (loops: hot in exploration)
            int dmas = 0;
            int pends = 0;
            for (Dma d : s.dma()) if (d.i().equals(i)) dmas++;
            for (Pending p : s.pend()) if (p.i().equals(i)) pends++;
            if (dmas > 1 || pends > 1) return false;
        }
        if (!c.importers().containsAll(s.rev())) return false;
        if (s.dtag().size() != c.files().size()) return false;
        for (int t : s.dtag()) if (t < 0 || t >= 1 << c.nOff()) return false;   // dtag[f] \subseteq Offsets
        return s.bar() >= 0;
    }

    boolean s1(State s) {
        for (Grant g : s.maps()) {
            for (int o = g.lo(); o <= g.hi(); o++) {
                if (g.blk(o) == 0 || m.extent(s, g.f(), o).b() != g.blk(o)) return false;
            }
        }
        for (Dma d : s.dma()) if (d.b() == 0 || m.extent(s, d.f(), d.o()).b() != d.b()) return false;
        return true;
    }

    /** The step property behind S2: a changed extent is covered by no mapping or DMA afterwards. */
    boolean layoutSafe(State s, State t) {
        for (String f : c.files()) {
            for (int o = 1; o <= c.nOff(); o++) {
                if (m.extent(t, f, o).equals(m.extent(s, f, o))) continue;
                for (Grant g : t.maps()) if (g.f().equals(f) && g.in(o)) return false;
                for (Dma d : t.dma()) if (d.f().equals(f) && d.o() == o) return false;
            }
        }
        return true;
    }

    boolean s3(State s) {
        for (String f : c.files()) {
            Inv r = m.inv(s, f);
            if (!r.on()) continue;
            for (Grant g : s.maps()) {
                if (DeviceMapModel.victim(g, f, r.lo(), r.hi(), r.wonly()) && !r.victims().contains(g)) return false;
            }
        }
        return true;
    }

    boolean s4(State s) {
        for (Inv r : s.inv()) if (r.on() && r.done() && !r.await().isEmpty()) return false;
        return true;
    }

    boolean s5(State s) {
        for (Grant g : s.maps()) {
            if (!g.w()) continue;
            for (int o = g.lo(); o <= g.hi(); o++) if (m.cache(s, g.f(), o).st() != CacheState.ABSENT) return false;
        }
        for (String f : c.files()) {
            for (int o = 1; o <= c.nOff(); o++) if (m.visible(s, f, o) != m.lastw(s, f, o)) return false;
        }
        for (Grant g : s.maps()) {
            for (int o = g.lo(); o <= g.hi(); o++) {
                int b = g.blk(o);
                if (b < 1 || b > c.nBlocks()) {
                    throw new IllegalStateException("data[" + b + "] is outside DOMAIN data (TLC would stop here)");
                }
                if (m.devVal(s, g.f(), o, b) != m.lastw(s, g.f(), o)) return false;
            }
        }
        return true;
    }

    boolean s6(State s) {
        for (String f : c.files()) {
            for (int o = 1; o <= c.nOff(); o++) {
                Page p = m.cache(s, f, o);
                if (p.st() == CacheState.CLEAN && p.v() != m.diskVal(s, f, o)) return false;
            }
        }
        return true;
    }

    boolean s7(State s) {
        for (Grant g : s.maps()) {
            if (!g.pin()) continue;
            for (int o = g.lo(); o <= g.hi(); o++) {
                if (!m.extent(s, g.f(), o).equals(new Extent(ExtentKind.WRITTEN, g.blk(o)))) return false;
            }
        }
        return true;
    }

    boolean s8(State s) {
        return s.exp() != Exp.GONE || (s.maps().isEmpty() && s.pend().isEmpty() && s.dma().isEmpty());
    }

    boolean s9(State s) { return s.bar() <= c.barSize() && s.bar() >= m.held(s); }

    boolean s10(State s) {
        List<Grant> all = new ArrayList<>(s.maps());
        for (Pending p : s.pend()) all.add(p.grant());
        for (Grant g : all) {
            if (!c.route().contains(g.i())) return false;
            if (g.at() && !c.atomicRoute().contains(g.i())) return false;
            if (g.w() && !c.writeOK().contains(g.i())) return false;
            if (g.pin() && !c.pinSupport()) return false;
        }
        for (Pending p : s.pend()) {
            if (!((p.w() || p.pin()) && !p.retry())) continue;
            for (int o = p.lo(); o <= p.hi(); o++) {
                Extent e = m.extent(s, p.f(), o);
                if (e.k() != ExtentKind.WRITTEN || e.b() != p.blk(o) || m.shared(s, p.blk(o))) return false;
            }
        }
        return true;
    }

    /** {@code PinEnds}, the step property behind S11. */
    boolean pinEnds(State s, State t) {
        for (Grant g : s.maps()) {
            if (!g.pin() || t.maps().contains(g)) continue;
            Set<Grant> rest = new HashSet<>(s.maps());
            rest.remove(g);
            boolean released = t.maps().equals(rest) && t.inv().equals(s.inv()) && t.vma().equals(s.vma());
            boolean revoked = s.exp() == Exp.REMOVING && s.rev().contains(g.i()) && !t.rev().contains(g.i());
            if (!released && !revoked) return false;
        }
        return true;
    }

    /** S12's antecedent ({@code maps' \subseteq maps /\ pend' = pend}): the step s -> t only takes grants away. */
    public boolean onlyTakesGrants(State s, State t) {
        return s.maps().containsAll(t.maps()) && t.pend().equals(s.pend());
    }

    /** {@code BarReturned}, the step property behind S12. */
    boolean barReturned(State s, State t) {
        if (!onlyTakesGrants(s, t)) return true;
        return s.bar() - t.bar() == DeviceMapModel.pages(s.maps()) - DeviceMapModel.pages(t.maps());
    }

    /** {@code ReadsLast}, the step property behind S13. */
    boolean readsLast(State s, State t) {
        for (String f : c.files()) {
            for (int o = 1; o <= c.nOff(); o++) {
                Page after = m.cache(t, f, o);
                if (m.cache(s, f, o).st() == CacheState.ABSENT && after.st() == CacheState.CLEAN
                        && after.v() != m.lastw(s, f, o)) return false;
            }
        }
        for (Dma d : s.dma()) {
            if (t.dma().contains(d) || d.op() != DmaOp.READ) continue;
            if (d.b() < 1 || d.b() > c.nBlocks() || m.devVal(s, d.f(), d.o(), d.b()) != m.lastw(s, d.f(), d.o())) return false;
        }
        return true;
    }

    /** {@code InvKept}, the step property behind S15: a running invalidation keeps its range, cause, argument and victim rule. */
    boolean invKept(State s, State t) {
        for (String f : c.files()) {
            Inv a = m.inv(s, f);
            Inv b = m.inv(t, f);
            if (!a.on() || !b.on()) continue;
            if (a.lo() != b.lo() || a.hi() != b.hi() || a.cause() != b.cause() || a.arg() != b.arg()
                    || a.wonly() != b.wonly()) return false;
        }
        return true;
    }

    // The kernel choices' witnesses (the spec's W_ properties): each holds until its choice's own
    // behaviour happens; every model keeps them, the choice's check violates them.

    /** The invalidation of f that starts in step s -> t, if its cause is one of {@code causes}. */
    private Inv starts(State s, State t, String f, Set<Cause> causes) {
        Inv a = m.inv(s, f);
        Inv b = m.inv(t, f);
        return !a.on() && b.on() && causes.contains(b.cause()) ? b : null;
    }

    /** No invalidation with one of {@code causes} starts in s -> t taking a grant outside its range. */
    private boolean noneOutside(State s, State t, Set<Cause> causes) {
        for (String f : c.files()) {
            Inv b = starts(s, t, f, causes);
            if (b != null && b.victims().stream().anyMatch(g -> !g.overlaps(b.lo(), b.hi()))) return false;
        }
        return true;
    }

    /** W_PunchUnmapsFile (dax-punch-whole-file): a punch's invalidation takes a grant outside the range. */
    boolean punchUnmapsFile(State s, State t) {
        return noneOutside(s, t, Set.of(Cause.PUNCH));
    }

    /** W_FallocateUnmapsFile (dax-fallocate-breaks-layouts): a fallocate's or unshare's, outside its page. */
    boolean fallocateUnmapsFile(State s, State t) {
        return noneOutside(s, t, Set.of(Cause.FALLOCATE, Cause.UNSHARE));
    }

    /** W_WriteMapsShared (write-shared-cow-on-fault): a WRITE map is prepared over a page that was shared. */
    boolean writeMapsShared(State s, State t) {
        for (Pending p : t.pend()) {
            if (s.pend().contains(p) || p.retry() || !p.w()) continue;
            for (int o = p.lo(); o <= p.hi(); o++) if (m.sharedAt(s, p.f(), o)) return false;
        }
        return true;
    }

    /** W_DaxWritebackUnmaps (dax-writeback-mkclean): writeback without a page cache invalidates a mapping. */
    boolean daxWritebackUnmaps(State s, State t) {
        if (c.pageCache()) return true;
        for (String f : c.files()) if (starts(s, t, f, Set.of(Cause.WRITEBACK)) != null) return false;
        return true;
    }

    /** W_MunmapAcksWithDma (dax-munmap-acks-with-dma): munmap's invalidation acked with a DMA through the grant. */
    boolean munmapAcksWithDma(State s, State t) {
        for (String f : c.files()) {
            Inv a = m.inv(s, f);
            if (!a.on() || a.cause() != Cause.MUNMAP) continue;
            for (String i : a.await()) {
                if (m.inv(t, f).await().contains(i)) continue;
                Set<Grant> gone = new HashSet<>();
                for (Grant g : a.victims()) if (g.i().equals(i) && s.maps().contains(g)) gone.add(g);
                if (DeviceMapModel.dmaOn(s, i, gone)) return false;
            }
        }
        return true;
    }

    /** W_WaitsForPageRef (dax-munmap-acks-with-dma): an invalidation awaits an importer without a victim grant. */
    boolean waitsForPageRef(State s, State t) {
        for (String f : c.files()) {
            Inv b = m.inv(t, f);
            for (String i : b.await()) if (b.victims().stream().noneMatch(g -> g.i().equals(i))) return false;
        }
        return true;
    }

    /** W_FallocateUnmaps (dax-fallocate-breaks-layouts): a fallocate of an allocated page invalidates a mapping. */
    boolean fallocateUnmaps(State s, State t) {
        for (String f : c.files()) {
            Inv b = starts(s, t, f, Set.of(Cause.FALLOCATE));
            if (b != null && !m.extent(s, f, b.lo()).equals(Extent.HOLE)) return false;
        }
        return true;
    }

    /** W_UnshareUnmaps (dax-fallocate-breaks-layouts): an unshare of a page that shares nothing invalidates one. */
    boolean unshareUnmaps(State s, State t) {
        for (String f : c.files()) {
            Inv b = starts(s, t, f, Set.of(Cause.UNSHARE));
            if (b != null && !m.sharedAt(s, f, b.lo())) return false;
        }
        return true;
    }

    /** W_ReflinkUnmapsReadOnly (reflink-unmaps-source): a reflink's invalidation takes a read-only grant. */
    boolean reflinkUnmapsReadOnly(State s, State t) {
        for (String f : c.files()) {
            Inv b = starts(s, t, f, Set.of(Cause.REFLINK));
            if (b != null && b.victims().stream().anyMatch(g -> !g.w())) return false;
        }
        return true;
    }

    /** W_CachedHoleAllocated (pagecache-unshare-allocates, pagecache-fallocate-keeps-cache): a cached hole gets an unwritten extent. */
    boolean cachedHoleAllocated(State s, State t) {
        for (String f : c.files()) {
            for (int o = 1; o <= c.nOff(); o++) {
                if (m.extent(s, f, o).equals(Extent.HOLE) && !m.cache(s, f, o).equals(Page.ABSENT)
                        && m.extent(t, f, o).k() == ExtentKind.UNWRITTEN) return false;
            }
        }
        return true;
    }

    /** S16: a grant that is not pinned lives only while its file is mmapped. */
    boolean s16(State s) {
        for (Grant g : s.maps()) if (!g.pin() && !s.vma().contains(g.f())) return false;
        return true;
    }

    /**
     * S17: no step of a program call, or of the end of an invalidation, that applies a change lacks
     * the change's effect ({@code CallEffect}); over every such step the state allows, as the spec's
     * {@code ~ENABLED (A /\ ~CallEffect(...))}: a call whose change is lost may be a step that changes
     * nothing.
     */
    boolean s17(State s) {
        for (String f : c.files()) {
            Inv r = m.inv(s, f);
            if (r.on()) {   // spec: IF inv[f].on (every call needs ~inv[f].on)
                State t = next(s, new Action.InvEnd(f));
                if (t != null && applied(s, t, f) && !callEffect(s, t, f, r.lo(), r.hi(), r.cause(), r.arg())) return false;
                continue;
            }
            if (!takesEffect(s, new Action.Munmap(f), f, 1, c.nOff(), Cause.MUNMAP, 0)) return false;
            for (int n = 0; n < c.nOff(); n++) {
                if (!takesEffect(s, new Action.Truncate(f, n), f, n + 1, c.nOff(), Cause.TRUNCATE, 0)) return false;
            }
            for (int lo = 1; lo <= c.nOff(); lo++) for (int hi = lo; hi <= c.nOff(); hi++) {
                if (!takesEffect(s, new Action.PunchHole(f, lo, hi), f, lo, hi, Cause.PUNCH, 0)) return false;
            }
            for (int o = 1; o <= c.nOff(); o++) {
                if (!takesEffect(s, new Action.Fallocate(f, o), f, o, o, Cause.FALLOCATE, 0)) return false;
                if (!takesEffect(s, new Action.Relocate(f, o), f, o, o, Cause.RELOCATE, 0)) return false;
                if (!takesEffect(s, new Action.Unshare(f, o), f, o, o, m.unshareApplies(s, f, o), 0)) return false;
                for (int p = 1; p <= c.nOff(); p++) {
                    if (!takesEffect(s, new Action.Reflink(f, o, p), f, o, o, Cause.REFLINK, p)) return false;
                }
            }
        }
        return true;
    }

    /** The state action a leads to from s, or null when a is not enabled (the spec's actions are deterministic). */
    private State next(State s, Action a) {
        return m.step(s, a) instanceof Step.Next nx ? nx.state() : null;
    }

    /** {@code ~ENABLED (a /\ AtOnce(f) /\ ~CallEffect(f, lo, hi, cause, arg))}. */
    private boolean takesEffect(State s, Action a, String f, int lo, int hi, Cause cause, int arg) {
        State t = next(s, a);
        return t == null || !atOnce(t, f) || callEffect(s, t, f, lo, hi, cause, arg);
    }

    /** {@code AtOnce(f)}: the step leaves no invalidation of f running (no-ack-wait: one marked done). */
    private boolean atOnce(State t, String f) {
        Inv b = m.inv(t, f);
        return !b.on() || b.done();
    }

    /** {@code Applied(f)}: the step ends f's invalidation, whose change was not applied before. */
    private boolean applied(State s, State t, String f) {
        Inv a = m.inv(s, f);
        return a.on() && !a.done() && !m.inv(t, f).on();
    }

    /** {@code CallEffect(f, lo, hi, cause, arg)}: the step s -> t shows the change's effect. */
    public boolean callEffect(State s, State t, String f, int lo, int hi, Cause cause, int arg) {
        List<Integer> free = m.freeBlocks(s);
        Extent before = m.extent(s, f, lo);
        Extent after = m.extent(t, f, lo);
        switch (cause) {
            case TRUNCATE, PUNCH -> {
                for (int o = lo; o <= hi; o++) {
                    if (!m.extent(t, f, o).equals(Extent.HOLE) || !m.cache(t, f, o).equals(Page.ABSENT)) return false;
                }
                return true;
            }
            case FALLOCATE -> {
                return !before.equals(Extent.HOLE) || free.isEmpty()
                        || after.k() == ExtentKind.UNWRITTEN && free.contains(after.b());
            }
            case RELOCATE, COW, UNSHARE -> {
                if (cause == Cause.UNSHARE && !m.sharedAt(s, f, lo)) return true;
                return free.isEmpty() || after.k() == before.k() && free.contains(after.b());
            }
            case REFLINK -> { return m.extent(t, f, arg).equals(before); }
            case MUNMAP -> { return !t.vma().contains(f); }
            default -> { return true; }
        }
    }

    /** {@code Applies(r, i, f, lo, hi, pin, w, at)}: the condition of one refusal reason, on its own. */
    public boolean applies(State s, Reason r, String i, String f, int lo, int hi, boolean pin, boolean w, boolean at) {
        switch (r) {
            case HOLE: for (int o = lo; o <= hi; o++) if (m.extent(s, f, o).k() != ExtentKind.WRITTEN) return true; return false;
            case CACHED: for (int o = lo; o <= hi; o++) if (m.cache(s, f, o).st() != CacheState.ABSENT) return true; return false;
            case SHARED:
                if (!(w || pin)) return false;
                for (int o = lo; o <= hi; o++) if (m.shared(s, m.extent(s, f, o).b())) return true;
                return false;
            case PIN_UNSUPPORTED: return pin && !c.pinSupport();
            case EXPORTER_GONE: return s.exp() != Exp.UP;
            case NO_ROUTE: return !c.route().contains(i);
            case NO_ATOMIC_ROUTE: return at && !c.atomicRoute().contains(i);
            case WRITE_NOT_ALLOWED: return w && !c.writeOK().contains(i);
            case BAR_FULL: return s.bar() + (hi - lo + 1) > c.barSize();
            default: throw new IllegalArgumentException(r.toString());
        }
    }

    /** {@code FirstReason(i, f, lo, hi, pin, w, at)}: the first reason, in the protocol's order, whose condition holds; null ("none") when none does. */
    public Reason firstReason(State s, String i, String f, int lo, int hi, boolean pin, boolean w, boolean at) {
        for (Reason r : Reason.values()) if (applies(s, r, i, f, lo, hi, pin, w, at)) return r;
        return null;
    }

    /**
     * S18: a refused device_map leaves nothing behind: where the model's Refusal gives a reason, no
     * MapPrepare step of that call changes the state ({@code ~ENABLED (MapPrepare(...) /\ vars' # vars)}).
     */
    boolean s18(State s) {
        return everyMapCall((i, f, lo, hi, pin, w, at) -> {
            if (m.refusal(s, i, f, lo, hi, pin, w, at) == null) return true;
            State t = next(s, new Action.MapPrepare(i, f, lo, hi, pin, w, at));
            return t == null || t.equals(s);
        });
    }

    /** S14: Refusal answers with {@code FirstReason}. */
    boolean s14(State s) {
        return everyMapCall((i, f, lo, hi, pin, w, at) ->
                m.refusal(s, i, f, lo, hi, pin, w, at) == firstReason(s, i, f, lo, hi, pin, w, at));
    }

    /** A property of one device_map call (importer, file, range, flags). */
    private interface MapCall {
        boolean holds(String i, String f, int lo, int hi, boolean pin, boolean w, boolean at);
    }

    /** {@code \A i \in Importers, f \in Files, r \in Ranges, fl \in Flags : p}. */
    private boolean everyMapCall(MapCall p) {
        for (String i : c.importers()) for (String f : c.files()) {
            for (int lo = 1; lo <= c.nOff(); lo++) for (int hi = lo; hi <= c.nOff(); hi++) {
                for (int fl = 0; fl < 8; fl++) {
                    if (!p.holds(i, f, lo, hi, (fl & 4) != 0, (fl & 2) != 0, (fl & 1) != 0)) return false;
                }
            }
        }
        return true;
    }
}
