package dev.devmap.props;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Grant;
import dev.devmap.model.Guard;
import dev.devmap.model.Inv;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.tla.TlaBridge;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one action chain: the model's state, the run so far as numbered readable steps,
 * the test's last-write oracle, and the first property the run broke. Every step is checked at
 * once against every property (see {@link #check}); after the first violation the run stops.
 *
 * <p>The chain's steps are program and system operations: a spec action (applied when enabled),
 * a device_map call (granted, or refused with a reason), a truncate or punch that may be refused
 * with EBUSY, or a read(2) of a page. A step is drawn among those possible in the current state;
 * when shrinking replays it in a state where it is not possible, it is skipped (it does not happen,
 * is not logged and is not checked), so that jqwik can drop steps one at a time even when a later
 * step depended on an earlier one: the later one becomes a no-op and goes next.
 */
public final class Run {
    public static final String S2 = "S2_InvalidateBeforeLayoutChange";

    final String model;
    final Constants c;
    final DeviceMapModel m;
    private final SafetyProperties props;
    private final List<String> invariants;
    /** The model's step properties beyond S2 (S11-S13, as models.json lists them), checked after the test's own oracles. */
    private final List<String> stepProperties;
    private final Drain drain;
    private final boolean liveness;
    private final Oracles.LastWrites last;

    State state;
    /** Every state the run went through, Init first. */
    final List<State> visited = new ArrayList<>();
    /** The run so far: a heading per step, and the states around it (changes are rendered on failure only). */
    private final List<Entry> log = new ArrayList<>();

    private record Entry(String head, State before, State after) {}
    private int steps;
    private int skipped;
    /** The operations that happened, in order (skipped ones left out): what a replay repeats. */
    private final List<Replay> ops = new ArrayList<>();

    /** One operation of a chain, replayable on a fresh run. */
    sealed interface Replay {
        void on(Run r);

        record Apply(Action a) implements Replay { public void on(Run r) { r.apply(a); } }
        record DeviceMap(Action.MapPrepare a) implements Replay { public void on(Run r) { r.deviceMap(a); } }
        record Layout(Action a, String f, int lo, int hi) implements Replay { public void on(Run r) { r.layoutChange(a, f, lo, hi); } }
        record Read(String f, int o) implements Replay { public void on(Run r) { r.read(f, o); } }
    }
    private Violation violation;

    // what the run exercised, for jqwik's statistics
    final List<String> actions = new ArrayList<>();
    final List<String> refusals = new ArrayList<>();
    final Set<String> races = new HashSet<>();
    final Set<String> kinds = new HashSet<>();

    /**
     * @param model      name for the report ("large", "variant no-ack-wait")
     * @param invariants the spec invariants to check, in the manifest's order (most specific first)
     * @param liveness   whether to check the bounded liveness properties after every step
     */
    public Run(String model, Constants c, List<String> invariants, boolean liveness) {
        this(model, c, invariants, List.of(), liveness);
    }

    /**
     * @param properties the model's properties (models.json "properties"): those that are step
     *                   properties of {@link SafetyProperties} besides S2 are checked after every step
     */
    public Run(String model, Constants c, List<String> invariants, List<String> properties, boolean liveness) {
        this.model = model;
        this.c = c;
        this.m = new DeviceMapModel(c);
        this.props = new SafetyProperties(m);
        this.invariants = List.copyOf(invariants);
        List<String> steps = new ArrayList<>(properties);
        steps.retainAll(props.stepPropertyNames());
        steps.remove(S2);
        this.stepProperties = List.copyOf(steps);
        this.drain = new Drain(m);
        this.liveness = liveness;
        this.last = new Oracles.LastWrites(c);
        this.state = m.init();
        visited.add(state);
        check(null, null, state);
    }

    public Optional<Violation> violation() { return Optional.ofNullable(violation); }

    public int steps() { return steps; }

    /** Throws the violation, if any (from the property method, so jqwik sees its class). */
    public void verify() {
        if (violation != null) throw violation;
    }

    // ------------------------------------------------------------------ the chain's steps

    /** A spec action; it must be enabled (it was when generated). */
    void apply(Action a) {
        if (violation != null) return;
        Step st = m.step(state, a);
        if (st instanceof Step.Disabled) {
            skipped++;
            return;
        }
        ops.add(new Replay.Apply(a));
        next(a, ((Step.Next) st).state(), null);
    }

    /**
     * device_map: granted (the spec's MapPrepare) or refused with a reason. Aborts when the driver
     * would not call it at all (a prepared map pending, an overlapping own grant, the range under
     * invalidation, the file not mmapped).
     */
    void deviceMap(Action.MapPrepare a) {
        if (violation != null) return;
        Step st = m.step(state, a);
        if (st instanceof Step.Next nx) {
            ops.add(new Replay.DeviceMap(a));
            next(a, nx.state(), null);
            return;
        }
        if (Step.guardOf(st) != Guard.REFUSED) {   // the model says the driver would not call it
            skipped++;
            return;
        }
        ops.add(new Replay.DeviceMap(a));
        State s = state;
        Reason why = ((Step.Disabled) st).reason();
        steps++;
        refusals.add(why.tla());
        kinds.add("device_map refused");
        log.add(new Entry(steps + ". device_map" + Describe.action(a).substring("MapPrepare".length()) + " refused: "
                + why.tla() + ", decided by the " + why.decidedBy() + "; no state change",
                null, null));
        List<Reason> allowed = Oracles.reasons(c, s, a.i(), a.f(), a.lo(), a.hi(), a.pin(), a.w(), a.at());
        if (!allowed.contains(why)) {
            fail(Violation.REFUSAL_REASON, "refused with '" + why.tla() + "', which does not apply; applicable: " + names(allowed));
        } else if (allowed.get(0) != why) {
            // the check of the first reason was skipped: as for a grant, named after what it protects
            fail(protectedBy(allowed.get(0)), "refused with '" + why.tla() + "' but the protocol decides '"
                    + allowed.get(0).tla() + "' first (filesystem before block device): " + names(allowed));
        }
    }

    /** truncate(2) / punch: applied when enabled, refused with EBUSY under a pin; else aborts. */
    void layoutChange(Action a, String f, int lo, int hi) {
        if (violation != null) return;
        Step st = m.step(state, a);
        if (st instanceof Step.Next nx) {
            ops.add(new Replay.Layout(a, f, lo, hi));
            next(a, nx.state(), null);
            return;
        }
        if (!ebusy(state, a)) {
            skipped++;
            return;
        }
        ops.add(new Replay.Layout(a, f, lo, hi));
        steps++;
        kinds.add("truncate/punch EBUSY");
        races.add("truncate/punch refused under a pin (EBUSY)");
        log.add(new Entry(steps + ". " + Describe.action(a) + " refused: EBUSY, a dma_buf pins the range; no state change",
                null, null));
    }

    /** Whether the model refuses this truncate/punch with EBUSY: it asks the model's guard, never re-derives it. */
    boolean ebusy(State s, Action a) {
        return Step.guardOf(m.step(s, a)) == Guard.PINNED;
    }

    /** read(2) of one page: must return the last write. */
    void read(String f, int o) {
        if (violation != null) return;
        ops.add(new Replay.Read(f, o));
        steps++;
        kinds.add("read(2)");
        int got = Oracles.readValue(c, state, f, o);
        log.add(new Entry(steps + ". read(2) " + f + "[" + o + "] returns " + got + "; no state change", null, null));
        if (got != last.get(f, o)) {
            fail(Violation.READS_LAST_WRITE, "read(2) of " + f + "[" + o + "] returned " + got + ", the last write was "
                    + last.get(f, o));
        }
    }

    // ------------------------------------------------------------------ bookkeeping and checks

    private void next(Action a, State t, String note) {
        State s = state;
        steps++;
        actions.add(a.name());
        kinds.add(a.name());
        races(s, a, t);
        log.add(new Entry(steps + ". " + Describe.action(a) + (note == null ? "" : "  (" + note + ")"), s, t));
        int readBefore = readOf(a, s, t);
        last.step(a, s, t);
        state = t;
        visited.add(t);
        if (readBefore != Integer.MIN_VALUE) {
            // the value a read step returned, against the last write before it
            checkRead(a, s, readBefore);
        }
        check(s, a, t);
    }

    /** The value a read step returns (CPU/fallback read filling the cache, DMA read completing), or MIN_VALUE. */
    private int readOf(Action a, State s, State t) {
        if (a instanceof Action.CpuRead x) return filled(x.f(), x.o(), s, t);
        if (a instanceof Action.DevFallbackRead x) return filled(x.f(), x.o(), s, t);
        if (a instanceof Action.DmaEnd x) {
            for (Dma d : s.dma()) if (d.i().equals(x.i()) && d.op() == DmaOp.READ) return Oracles.blockValue(s, d.b());
        }
        return Integer.MIN_VALUE;
    }

    private int filled(String f, int o, State s, State t) {
        boolean was = s.cache().get(c.page(f, o)).st() == dev.devmap.model.CacheState.ABSENT;
        boolean is = t.cache().get(c.page(f, o)).st() != dev.devmap.model.CacheState.ABSENT;
        return was && is ? t.cache().get(c.page(f, o)).v() : Integer.MIN_VALUE;
    }

    private void checkRead(Action a, State s, int got) {
        String f;
        int o;
        if (a instanceof Action.CpuRead x) { f = x.f(); o = x.o(); }
        else if (a instanceof Action.DevFallbackRead x) { f = x.f(); o = x.o(); }
        else {
            Dma d = s.dma().stream().filter(x -> x.i().equals(((Action.DmaEnd) a).i())).findFirst().orElseThrow();
            f = d.f();
            o = d.o();
        }
        // the read is linearized at this step; no write to (f, o) happens in a read step
        if (got != last.get(f, o) && violation == null) {
            fail(Violation.READS_LAST_WRITE, Describe.action(a) + " read " + (got < 0 ? "no block" : Integer.toString(got))
                    + " from " + f + "[" + o + "], the last write was " + last.get(f, o));
        }
    }

    /** Every property after step s -a-> t (s and a null for the initial state). */
    private void check(State s, Action a, State t) {
        if (violation != null) return;
        Optional<String> broken;
        String err = "";
        try {
            broken = props.firstViolated(invariants, t);
        } catch (RuntimeException e) {
            // an invariant that cannot even be evaluated (TLC would stop with an error) is broken
            broken = Optional.of(firstUnevaluable(t));
            err = " (evaluating it fails: " + e.getMessage() + ")";
        }
        if (broken.isPresent()) {
            List<String> all = new ArrayList<>();
            try {
                all = props.allViolated(t);
            } catch (RuntimeException ignored) {
                // reported above
            }
            fail(broken.get(), "does not hold in the state after step " + steps + err
                    + (all.size() > 1 ? "; the state also violates " + all : ""));
            return;
        }
        if (s == null) return;
        if (!props.holdsOnStep(S2, s, t)) {
            fail(S2, "step " + steps + " changed the extent map under a live mapping or DMA");
            return;
        }
        if (!checkPins(s, a, t) || !checkBar(s, a, t) || !checkGrantedMap(s, a)) return;
        String ghost = last.disagreementWith(t);
        if (!ghost.isEmpty()) {
            fail(Violation.GHOST_LAST_WRITE, ghost);
            return;
        }
        Optional<String> stepBroken = props.firstViolatedOnStep(stepProperties, s, t);
        if (stepBroken.isPresent()) {
            fail(stepBroken.get(), "step " + steps + " (" + Describe.action(a) + ") breaks it");
            return;
        }
        if (liveness) {
            Optional<String[]> bad = drain.check(t);
            if (bad.isPresent()) fail(bad.get()[0], bad.get()[1]);
        }
    }

    private String firstUnevaluable(State t) {
        for (String inv : invariants) {
            try {
                if (!props.holds(inv, t)) return inv;
            } catch (RuntimeException e) {
                return inv;
            }
        }
        return invariants.get(invariants.size() - 1);
    }

    private boolean checkPins(State s, Action a, State t) {
        for (Grant g : s.maps()) {
            if (!g.pin() || t.maps().contains(g)) continue;
            if (a instanceof Action.Munmap) {
                fail(Violation.PIN_SURVIVES_MUNMAP, "munmap dropped the pinned grant " + Describe.grant(g));
                return false;
            }
            boolean released = a instanceof Action.DmaBufRelease r && names(r.i(), r.f(), r.lo(), g);
            boolean revoked = a instanceof Action.RevokeAck r && r.i().equals(g.i());
            if (!released && !revoked) {
                fail(Violation.PIN_DIES_WITH_DMA_BUF, Describe.action(a) + " dropped the pinned grant " + Describe.grant(g)
                        + " (only its dma_buf's release or the exporter's revoke may)");
                return false;
            }
        }
        if (a instanceof Action.DmaBufRelease r && m.named(t, r.i(), r.f(), r.lo()) != null) {
            fail(Violation.PIN_DIES_WITH_DMA_BUF, "the grant outlived its dma_buf's release");
            return false;
        }
        return true;
    }

    private static boolean names(String i, String f, int lo, Grant g) {
        return g.i().equals(i) && g.f().equals(f) && g.lo() == lo;
    }

    private boolean checkBar(State s, Action a, State t) {
        Grant g = a instanceof Action.DeviceUnmap u ? m.named(s, u.i(), u.f(), u.lo())
                : a instanceof Action.DmaBufRelease r ? m.named(s, r.i(), r.f(), r.lo()) : null;
        if (g != null && t.bar() != s.bar() - g.size()) {
            fail(Violation.BAR_RETURNED_ON_UNMAP, "unmapping " + g.size() + " page(s) took the BAR from " + s.bar()
                    + " to " + t.bar());
            return false;
        }
        return true;
    }

    /** The property a refusal reason protects (the model's {@link Reason#protects}), checked at device_map. */
    private static String protectedBy(Reason first) {
        return Violation.atDeviceMap(first.protects());
    }

    /** A granted device_map: no refusal reason of the protocol applied. */
    private boolean checkGrantedMap(State s, Action a) {
        if (a instanceof Action.MapPrepare p) {
            List<Reason> applies = Oracles.reasons(c, s, p.i(), p.f(), p.lo(), p.hi(), p.pin(), p.w(), p.at());
            if (!applies.isEmpty()) {
                fail(protectedBy(applies.get(0)), "device_map granted although the protocol refuses it: " + names(applies));
                return false;
            }
        }
        return true;
    }

    private void races(State s, Action a, State t) {
        boolean invOn = s.inv().stream().anyMatch(Inv::on);
        boolean startsInv = t.inv().stream().filter(Inv::on).count() > s.inv().stream().filter(Inv::on).count();
        boolean pinned = s.maps().stream().anyMatch(Grant::pin);
        if (a instanceof Action.MapPrepare && invOn) races.add("map prepared while an invalidation runs");
        if (a instanceof Action.MapRetry) races.add("prepared map overtaken (MapRetry)");
        if (a instanceof Action.MapCommit && invOn) races.add("map committed while an invalidation runs");
        if (!s.pend().isEmpty() && (startsInv || t.pend().stream().anyMatch(p -> p.retry() && !s.pend().contains(p)))) {
            races.add("invalidation while a map is prepared");
        }
        if ((a instanceof Action.Truncate || a instanceof Action.PunchHole) && pinned) {
            races.add("truncate/punch next to a pinned grant");
        }
        if (a instanceof Action.Munmap && pinned) races.add("munmap with a pinned grant");
        if (a instanceof Action.UnplugStart && !s.dma().isEmpty()) races.add("unplug with DMA in flight");
        if (a instanceof Action.InvAck && !s.dma().isEmpty()) races.add("acknowledgement with DMA in flight");
    }

    private void fail(String property, String detail) {
        if (violation != null) return;
        violation = Violation.of(property, detail, render(property), steps);
        violation.source = this;
    }

    private static String names(List<Reason> rs) {
        List<String> out = new ArrayList<>();
        for (Reason r : rs) out.add(r.tla());
        return out.toString();
    }

    /** The run as numbered steps, each with the variables it changed, and the last state. */
    public String render(String property) {
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        sb.append("Counterexample for ").append(property).append(" (model ").append(model).append(", ")
                .append(steps).append(" step").append(steps == 1 ? "" : "s").append(" from Init):").append(nl);
        for (Entry e : log) {
            sb.append("  ").append(e.head()).append(nl);
            if (e.before() != null) {
                for (String ch : Describe.changes(c, e.before(), e.after())) sb.append("       ").append(ch).append(nl);
            }
        }
        sb.append("State after the last step:").append(nl);
        for (String l : new TlaBridge(c).toTla(state).print().split("\n")) sb.append("    ").append(l).append(nl);
        return sb.toString();
    }

    /** A fresh run on the same model that performs these operations. */
    Run replay(List<Replay> operations) {
        Run r = new Run(model, c, invariants, stepProperties, liveness);
        for (Replay op : operations) op.on(r);
        return r;
    }

    /**
     * The shortest run this reduction finds that still breaks the same property: it drops chunks
     * of operations (halves, quarters, ... single ones) and then pairs of nearby operations while
     * the property still fails, replaying each candidate from Init. A dropped operation that a later
     * one needed makes that one impossible, and it is skipped; pairs catch steps that only go
     * together (fallocate then punch, munmap then mmap).
     */
    Violation minimize() {
        if (violation == null) throw new IllegalStateException("nothing to minimize");
        String property = violation.property();
        List<Replay> best = List.copyOf(ops);
        Run bestRun = this;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int size = Math.max(1, best.size() / 2); size >= 1; size /= 2) {
                for (int start = 0; start + size <= best.size(); ) {
                    List<Replay> cand = new ArrayList<>(best.subList(0, start));
                    cand.addAll(best.subList(start + size, best.size()));
                    Run r = replay(cand);
                    if (r.violation != null && r.violation.property().equals(property)) {
                        best = List.copyOf(r.ops);
                        bestRun = r;
                        progress = true;
                    } else {
                        start += size;
                    }
                }
                if (size == 1) break;
            }
            for (int i = 0; !progress && i < best.size(); i++) {
                for (int j = i + 1; !progress && j < best.size() && j <= i + 8; j++) {
                    List<Replay> cand = new ArrayList<>(best);
                    cand.remove(j);
                    cand.remove(i);
                    Run r = replay(cand);
                    if (r.violation != null && r.violation.property().equals(property)) {
                        best = List.copyOf(r.ops);
                        bestRun = r;
                        progress = true;
                    }
                }
            }
        }
        return bestRun.violation;
    }

    /** Feeds what this run exercised to jqwik's statistics. */
    public void collectStatistics() {
        for (String a : actions) Statistics.label("action").collect(a);
        for (String r : refusals) Statistics.label("refusal").collect(r);
        for (String r : races) Statistics.label("interleaving").collect(r);
        for (String k : kinds) Statistics.label("chains with").collect(k);
        Statistics.label("chain length").collect(steps < 20 ? "<20" : steps < 40 ? "20-39" : steps < 60 ? "40-59" : ">=60");
    }
}
