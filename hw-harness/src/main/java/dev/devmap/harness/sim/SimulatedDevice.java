package dev.devmap.harness.sim;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Grant;
import dev.devmap.model.Guard;
import dev.devmap.model.Inv;
import dev.devmap.model.Pending;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.Variant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An in-process simulated PCIe setup: a filesystem on a block device that exports blocks through
 * its BAR (finite, with bus addresses), and importer devices with device TLBs (their grants) and
 * DMA in flight. Its behaviour is the spec's model, so the clean device conforms by construction;
 * each {@link Quirk} removes one protection (a spec variant) or adds a device fault.
 *
 * <p>Internal steps: the filesystem ends an invalidation as soon as the last acknowledgement is in,
 * the exporter finishes removal as soon as it can (reported as events after the operation).
 * Importers acknowledge when told to ({@code inv_ack}, {@code revoke_ack}) or, with an ack delay,
 * by themselves that many operations after being notified; {@code settle} lets them finish everything.
 */
public final class SimulatedDevice implements DeviceUnderTest {
    public static final String AGENT = "devmap-sim 0.1";

    private final List<Quirk> quirks;
    private final List<String> choices;
    private final Set<String> device = new HashSet<>();
    private final Variant variant;
    private final int ackDelay;
    /** fs=dax: the facts fs-dax declares (no page cache, no long-term pins), whatever is proposed. */
    private final boolean fsDax;
    private DutConfig cfg;
    private Semantics sem;
    private DeviceMapModel model;
    private State s;
    private final Map<String, long[]> slots = new HashMap<>();
    private final Set<Long> leaked = new HashSet<>();
    private final Map<String, Integer> dmabufs = new HashMap<>();
    private final Map<String, Integer> ackTimers = new LinkedHashMap<>();
    private int nextDmabuf = 3;
    /** dax-page-cache: the copies CPU reads cached although the device declared no page cache. */
    private final Map<String, Integer> daxCache = new HashMap<>();

    public SimulatedDevice() { this(List.of(), -1); }

    /**
     * @param quirks   the faults to switch on (at most one SPEC quirk)
     * @param ackDelay -1: importers acknowledge only when told to; n >= 0: by themselves n operations
     *                 after being notified
     */
    public SimulatedDevice(List<Quirk> quirks, int ackDelay) {
        this(quirks, ackDelay, List.of());
    }

    /**
     * @param choices the protocol choices it lists in its capabilities (models.json "choices"), as a
     *                kernel facility lists the documented choices it makes
     */
    public SimulatedDevice(List<Quirk> quirks, int ackDelay, List<String> choices) {
        this(quirks, ackDelay, choices, false);
    }

    /**
     * @param fsDax the device declares fs-dax's facts as the {@code linux-qemu:fs=dax} agent does
     *              ({@code page_cache:false}, no long-term pin support), so a run of a choice's model
     *              reproduces the kernel's configuration without a kernel
     */
    public SimulatedDevice(List<Quirk> quirks, int ackDelay, List<String> choices, boolean fsDax) {
        this.fsDax = fsDax;
        this.choices = List.copyOf(choices);
        this.quirks = List.copyOf(quirks);
        Variant v = Variant.NONE;
        for (Quirk q : quirks) {
            if (q.kind() == Quirk.Origin.SPEC) v = q.variant();
            else device.add(q.name());
        }
        this.variant = v;
        this.ackDelay = ackDelay;
        try {
            reset(DutConfig.standard());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Quirk> quirks() { return quirks; }

    @Override
    public String name() {
        if (quirks.isEmpty() && choices.isEmpty() && !fsDax) return "sim";
        StringBuilder sb = new StringBuilder("sim:");
        for (int k = 0; k < quirks.size(); k++) sb.append(k == 0 ? "" : ",").append(quirks.get(k).name());
        if (fsDax) sb.append(quirks.isEmpty() ? "" : ",").append("fs=dax");
        if (!choices.isEmpty()) sb.append(quirks.isEmpty() && !fsDax ? "" : ",").append("choices=").append(String.join("+", choices));
        return sb.toString();
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(AGENT, 1, new java.util.LinkedHashSet<>(dev.devmap.kernelapi.OpSchema.WIRE_NAMES), Set.of(), Set.of("bar", "addrs", "blocks", "dmabuf"),
                Map.of(), declared(DutConfig.standard()), choices);
    }

    private DutConfig declared(DutConfig proposed) {
        return fsDax ? proposed.withPageCache(false).withPinSupport(false) : proposed;
    }

    @Override
    public DutConfig reset(DutConfig proposed) {
        // dax-page-cache: the device says it has no page cache (fs-dax), whatever was proposed
        if (device.contains(Quirks.DAX_PAGE_CACHE)) proposed = proposed.withPageCache(false);
        proposed = declared(proposed);
        this.cfg = proposed;
        Constants c = proposed.constants(variant);   // with the variant's capability constants of models.json
        this.model = new DeviceMapModel(c);
        this.sem = new Semantics(model);
        this.s = model.init();
        slots.clear();
        leaked.clear();
        dmabufs.clear();
        ackTimers.clear();
        daxCache.clear();
        return proposed;
    }

    /** The device's current state in the spec's terms (for tests and benchmarks). */
    public State state() { return s; }

    @Override
    public Response perform(Request req) {
        Op op = req.op();
        List<Event> after = new ArrayList<>();
        Response r;
        if (op instanceof Op.SettleCall) {
            // settle's steps happen first; then the device reports that it is idle
            List<Event> steps = new ArrayList<>();
            settle(steps);
            r = new Response(steps, Outcome.of(Outcome.Answer.IDLE).withBar(s.bar()), List.of(), null, null, null, null,
                    null);
        } else {
            r = operate(op);
        }
        tick(after);
        return after.isEmpty() ? r : r.withAfter(after);
    }

    private Response operate(Op op) {
        State before = s;
        Semantics.Result res;
        if (device.contains(Quirks.LOST_ACK) && op instanceof Op.InvAckCall x) {
            res = lostAck(x);
        } else if (device.contains(Quirks.ACK_WITHOUT_DRAIN) && op instanceof Op.InvAckCall x) {
            res = ackWithoutDrain(x);
        } else if (device.contains(Quirks.SKIP_NOTIFY)) {
            res = skipNotify(op);
        } else {
            res = sem.apply(s, op);
        }
        State next = res.next();
        if (device.contains(Quirks.DMA_MISDIRECT)) next = misdirect(res.from(), res.actions(), next);
        if (device.contains(Quirks.LOST_WRITEBACK) && op instanceof Op.WritebackCall && !res.actions().isEmpty()) {
            next = next.withData(before.data());
        }
        s = next;
        Outcome o = res.outcome().withBar(s.bar());
        if (device.contains(Quirks.DAX_PAGE_CACHE)) o = daxCache(op, o);
        List<Long> addrs = null;
        Integer dmabuf = null;
        if (o.kind() == Outcome.Answer.PREPARED || o.kind() == Outcome.Answer.GRANTED) {
            Op.DeviceMapCall dm = op instanceof Op.DeviceMapCall x ? x : null;
            String key = dm != null ? key(dm.i(), dm.f(), dm.lo()) : pendingKey(before, ((Op.MapCommitCall) op).i());
            addrs = addresses(key, res.blocks().size());
            boolean pin = dm != null ? dm.pin() : pendingPin(before, ((Op.MapCommitCall) op).i());
            if (pin) dmabuf = dmabufs.computeIfAbsent(key, k -> nextDmabuf++);
        }
        release(res.from(), s, res.actions());
        if (ackDelay >= 0) for (String i : notifiedNow(before)) ackTimers.putIfAbsent(i, ackDelay);
        return new Response(List.of(), o, List.of(), res.blocks(), addrs, dmabuf, res.errno(), res.why());
    }

    // ------------------------------------------------------------------ device quirks

    /**
     * dax-page-cache: a CPU read is answered from a page-cache copy, the one an earlier read cached
     * (kept until that page is evicted) or the block's value, cached now; writes go to the block.
     */
    private Outcome daxCache(Op op, Outcome o) {
        if (op instanceof Op.EvictCall x) daxCache.remove(x.f() + ":" + x.o());
        if (!(op instanceof Op.ReadCall x) || o.kind() != Outcome.Answer.VALUE) return o;
        Integer v = daxCache.computeIfAbsent(x.f() + ":" + x.o(), k -> o.value());
        return new Outcome(o.kind(), o.reason(), v, Outcome.Path.PAGE_CACHE, o.notified(), o.bar());
    }

    /** ack-without-drain: the acknowledgement does not wait for the importer's DMA in flight. */
    private Semantics.Result ackWithoutDrain(Op.InvAckCall x) {
        Semantics.Result r = sem.apply(s, x);
        if (r.guard() != Guard.DMA_IN_FLIGHT) return r;   // the model's InvAck waits for nothing else it skips
        Set<Dma> inflight = new HashSet<>();
        for (Dma d : s.dma()) if (d.i().equals(x.i())) inflight.add(d);
        State without = with(s, s.maps(), diff(s.dma(), inflight));
        Semantics.Result r2 = sem.apply(without, x);
        Set<Dma> dma = new HashSet<>(r2.next().dma());
        dma.addAll(inflight);
        State t = with(r2.next(), r2.next().maps(), dma);
        return new Semantics.Result(r2.outcome(), t, r2.actions(), r2.blocks(), r2.errno(), r2.why(), s);
    }

    /** lost-ack: the importer drops its mapping and acknowledges, but the filesystem never hears of it. */
    private Semantics.Result lostAck(Op.InvAckCall x) {
        Semantics.Result r = sem.apply(s, x);
        if (r.outcome().kind() != Outcome.Answer.DONE) return r;
        State t = r.next();
        List<Inv> inv = new ArrayList<>(t.inv());
        int fi = cfg.files().indexOf(x.f());
        Inv old = inv.get(fi);
        Set<String> await = new HashSet<>(old.await());
        await.add(x.i());
        inv.set(fi, new Inv(old.on(), old.lo(), old.hi(), old.cause(), old.arg(), old.wonly(), await, old.victims(),
                old.done()));
        State u = t.withInv(inv);
        return new Semantics.Result(r.outcome(), u, r.actions(), r.blocks(), r.errno(), r.why(), s);
    }

    /** skip-notify: the filesystem notifies only the first importer that holds a mapping of the range. */
    private Semantics.Result skipNotify(Op op) {
        Semantics.Result r = sem.apply(s, op);
        Set<String> n = r.outcome().notified();
        if (n == null || n.size() < 2 || op instanceof Op.UnplugCall) return r;
        String first = new TreeSet<>(n).first();
        Set<Grant> hidden = new HashSet<>();
        for (Grant g : s.maps()) if (n.contains(g.i()) && !g.i().equals(first)) hidden.add(g);
        State without = with(s, diff(s.maps(), hidden), s.dma());
        Semantics.Result r2 = sem.apply(without, op);
        Set<Grant> maps = new HashSet<>(r2.next().maps());
        maps.addAll(hidden);
        State t = with(r2.next(), maps, r2.next().dma());
        return new Semantics.Result(r2.outcome(), t, r2.actions(), r2.blocks(), r2.errno(), r2.why(), s);
    }

    /** dma-misdirect: a DMA write that ends lands in the neighbouring block instead of its own. */
    private State misdirect(State from, List<Action> actions, State next) {
        if (from == null) return next;
        State cur = from;
        for (Action a : actions) {
            Step st = model.step(cur, a);
            if (!(st instanceof Step.Next nx)) return next;
            if (a instanceof Action.DmaEnd e) {
                for (Dma d : cur.dma()) {
                    if (d.i().equals(e.i()) && d.op() == DmaOp.WRITE && d.b() >= 1 && d.b() <= cur.data().size()) {
                        List<Integer> data = new ArrayList<>(nx.state().data());
                        int wrong = d.b() % data.size() + 1;
                        data.set(d.b() - 1, cur.data().get(d.b() - 1));
                        data.set(wrong - 1, d.v());
                        State t = nx.state();
                        State fixed = t.withData(data);
                        return actions.get(actions.size() - 1) == a ? fixed : next;
                    }
                }
            }
            cur = nx.state();
        }
        return next;
    }

    private static <T> Set<T> diff(Set<T> a, Set<T> b) {
        Set<T> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static State with(State t, Set<Grant> maps, Set<Dma> dma) {
        return t.withMaps(maps).withDma(dma);
    }

    // ------------------------------------------------------------------ internal steps

    /** Importers newly awaited by an invalidation or a revoke since state {@code before}. */
    private Set<String> notifiedNow(State before) {
        Set<String> out = new HashSet<>();
        for (String f : cfg.files()) {
            Inv r = model.inv(s, f);
            if (r.on() && !model.inv(before, f).on()) for (String i : r.await()) out.add(i + "|" + f);
        }
        for (String i : s.rev()) if (!before.rev().contains(i)) out.add(i + "|");
        return out;
    }

    /** The steps the system takes by itself after an operation. */
    private void tick(List<Event> events) {
        if (ackDelay >= 0) {
            for (Map.Entry<String, Integer> e : new ArrayList<>(ackTimers.entrySet())) {
                if (e.getValue() > 0) {
                    ackTimers.put(e.getKey(), e.getValue() - 1);
                    continue;
                }
                String[] kf = e.getKey().split("\\|", -1);
                Event ev = kf[1].isEmpty() ? Event.revokeAck(kf[0]) : Event.ack(kf[0], kf[1]);
                if (ev.kind() == Event.Type.ACK && device.contains(Quirks.LOST_ACK)) {
                    ackTimers.remove(e.getKey());
                    continue;
                }
                State t = sem.event(s, ev);
                if (t != null) {
                    s = t;
                    events.add(ev);
                    ackTimers.remove(e.getKey());
                } else if (!stillOwed(ev)) {
                    ackTimers.remove(e.getKey());
                }
            }
        } else {
            ackTimers.clear();
        }
        boolean moved = true;
        while (moved) {
            moved = false;
            for (String f : cfg.files()) {
                State t = sem.event(s, Event.invEnd(f));   // null: the model's InvEnd is disabled
                if (t != null) {
                    s = t;
                    events.add(Event.invEnd(f));
                    moved = true;
                }
            }
            State t = sem.event(s, Event.unplugEnd());
            if (t != null) {
                s = t;
                events.add(Event.unplugEnd());
                moved = true;
            }
        }
        dropStaleSlots();
    }

    /** Is the acknowledgement ev still owed (disabled for now, e.g. by DMA in flight, not by having nothing to ack)? */
    private boolean stillOwed(Event ev) {
        Guard g = Step.guardOf(model.step(s, ev.action()));
        return g != Guard.NOT_AWAITED && g != Guard.NO_REVOKE_PENDING;
    }

    /** settle: every importer finishes what it owes (DMA, acknowledgements, commits), the system settles. */
    private void settle(List<Event> events) {
        for (int n = 0; n < 1000; n++) {
            Event next = null;
            for (Event e : sem.internal(s)) {
                if (e.kind() == Event.Type.ACK && device.contains(Quirks.LOST_ACK)) continue;
                next = e;
                break;
            }
            if (next == null) break;
            State before = s;
            State t = sem.event(s, next);
            if (t == null) break;
            if (device.contains(Quirks.DMA_MISDIRECT) && next.kind() == Event.Type.DMA_END) {
                t = misdirect(before, List.of(next.action()), t);
            }
            s = t;
            events.add(next);
        }
        ackTimers.clear();
    }

    // ------------------------------------------------------------------ BAR addresses

    private static String key(String i, String f, int lo) { return i + "|" + f + "|" + lo; }

    private static String pendingKey(State s, String i) {
        for (Pending p : s.pend()) if (p.i().equals(i)) return key(p.i(), p.f(), p.lo());
        return key(i, "?", 0);
    }

    private static boolean pendingPin(State s, String i) {
        for (Pending p : s.pend()) if (p.i().equals(i)) return p.pin();
        return false;
    }

    /** The bus addresses of a grant's pages: its BAR slots, allocated lowest first. */
    private List<Long> addresses(String key, int pages) {
        long[] sl = slots.get(key);
        if (sl == null || sl.length != pages) {
            sl = new long[pages];
            Set<Long> used = new HashSet<>(leaked);
            for (long[] x : slots.values()) for (long v : x) used.add(v);
            long next = 0;
            for (int k = 0; k < pages; k++) {
                if (device.contains(Quirks.BAR_SLOT_REUSE)) {
                    sl[k] = k;
                    continue;
                }
                while (used.contains(next)) next++;
                sl[k] = next;
                used.add(next);
            }
            slots.put(key, sl);
        }
        List<Long> out = new ArrayList<>(pages);
        for (long v : sl) out.add(cfg.barBase() + v * DutConfig.PAGE);
        return out;
    }

    /**
     * The slots of a grant an unmap ended leak when the model's step gave none of its BAR pages back
     * (variant unmap-keeps-bar): the addresses stay as used as the model's BAR count says.
     */
    private void release(State from, State to, List<Action> actions) {
        if (from == null || to.bar() != from.bar()) return;
        for (Action a : actions) {
            String k = null;
            if (a instanceof Action.DeviceUnmap x) k = key(x.i(), x.f(), x.lo());
            if (a instanceof Action.DmaBufRelease x) k = key(x.i(), x.f(), x.lo());
            if (k != null && slots.containsKey(k)) for (long v : slots.remove(k)) leaked.add(v);
        }
    }

    private void dropStaleSlots() {
        if (slots.isEmpty() || slots.size() == s.maps().size() + s.pend().size()) return;
        Set<String> live = new HashSet<>();
        for (Grant g : s.maps()) live.add(key(g.i(), g.f(), g.lo()));
        for (Pending p : s.pend()) live.add(key(p.i(), p.f(), p.lo()));
        slots.keySet().retainAll(live);
        dmabufs.keySet().retainAll(live);
    }

    @Override
    public void close() { }
}
