package dev.devmap.harness.oracle;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Kernel;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.kernelapi.Outcomes;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.model.Action;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Grant;
import dev.devmap.model.Pending;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The oracle: the reference model tracks the set of states the protocol allows, given everything
 * observed so far. An observation is accepted only if some allowed state explains it; the set then
 * shrinks to the states that do. Values read are checked, not only return codes, so silent
 * corruption shows up as a value no allowed state gives.
 *
 * <p>Internal steps the device reports (events) are applied in the order reported. Internal steps
 * the device declares it may take silently are closed over before each observation. {@code settle}
 * is the bounded liveness check: afterwards some allowed state must have nothing left to do.
 */
public final class Oracle {
    private static final int MAX_STATES = 20_000;

    private final Kernel kernel;
    private final Capabilities caps;
    private final DutConfig cfg;
    private final Predicate<Event> silent;
    private final boolean checkAddresses;
    private final boolean checkDmabufs;
    private final Map<Integer, String> dmabufs = new HashMap<>();
    private final boolean observesBar;
    private final List<TraceItem> trace = new ArrayList<>();
    private final ObservedCoverage coverage = new ObservedCoverage();
    private final Map<String, List<Long>> addrs = new HashMap<>();
    private boolean truncated;
    private List<State> atFailure = List.of();
    private Op lastOp;
    private final HeldInvalidations held = new HeldInvalidations();
    private java.util.function.BiConsumer<Integer, List<Semantics.Result>> onMove = (k, rs) -> { };
    /** The allowed states right after the model accepted the last operation's answer (null: it did not). */
    private List<State> opened;
    /** The allowed states just before that operation. */
    private List<State> openedFrom;
    /** Pages per file within the file's size, for a device that declares {@link DutConfig#fileSize()}. */
    private final Map<String, Integer> size = new HashMap<>();

    public Oracle(DutConfig cfg, Capabilities caps) {
        this(new Semantics(new DeviceMapModel(cfg.reference())), cfg, caps, true);
    }

    /** An oracle with another model (the diagnosis replays traces under the spec's variants). */
    public Oracle(Semantics sem, DutConfig cfg, Capabilities caps, boolean checkAddresses) {
        this.kernel = new Kernel(sem);
        this.caps = caps;
        this.cfg = cfg;
        Set<Event.Type> quiet = caps.silent();
        this.silent = quiet.isEmpty() ? null : e -> quiet.contains(e.kind());
        this.checkAddresses = checkAddresses && caps.observes("addrs");
        this.checkDmabufs = checkAddresses && caps.observes("dmabuf");
        this.observesBar = caps.observes("bar");
    }

    /** An oracle that starts from the given allowed states (mutation testing: is a changed answer explained?). */
    public Oracle(Semantics sem, DutConfig cfg, Capabilities caps, java.util.Collection<State> from) {
        this.kernel = new Kernel(sem, from);
        this.caps = caps;
        this.cfg = cfg;
        Set<Event.Type> quiet = caps.silent();
        this.silent = quiet.isEmpty() ? null : e -> quiet.contains(e.kind());
        this.checkAddresses = false;
        this.checkDmabufs = false;
        this.observesBar = caps.observes("bar");
    }

    public Kernel kernel() { return kernel; }

    /**
     * The allowed states just before the observation the last failing {@link #check} rejected: before
     * the event, or before the operation (after the events reported before it).
     */
    public List<State> atFailure() { return List.copyOf(atFailure); }

    /** Called with the trace step and the transitions after every move of the state set (for the diagnosis). */
    public Oracle onMove(java.util.function.BiConsumer<Integer, List<Semantics.Result>> listener) {
        this.onMove = listener;
        return this;
    }

    public List<TraceItem> trace() { return trace; }

    public ObservedCoverage coverage() { return coverage; }

    public DutConfig config() { return cfg; }

    /** True when a closure over silent steps hit the bound of states (the check got weaker). */
    public boolean truncated() { return truncated; }

    /** The request for op: with the value a write writes (the model's next value). */
    public Request request(Op op) {
        if (op instanceof Op.WriteCall || op instanceof Op.DevWriteCall
                || (op instanceof Op.DmaStartCall d && d.op() == dev.devmap.model.DmaOp.WRITE)) {
            return new Request(op, kernel.states().get(0).nextv() + 1);
        }
        return new Request(op);
    }

    private void close() {
        if (silent != null && !kernel.closeUnder(silent, MAX_STATES)) truncated = true;
    }

    /** Checks one observation; null when some allowed state explains it. */
    public Failure check(Request req, Response r) {
        opened = null;
        openedFrom = null;
        Failure f = checked(req, r);
        // what each invalidation was held for, from the answer as reported (an inv_end the model rejects counts too)
        held.observe(trace.size(), req.op(), r, kernel.semantics().model(), openedFrom, opened, coverage);
        return f;
    }

    private Failure checked(Request req, Response r) {
        trace.add(new TraceItem(req, r));
        int step = trace.size();
        coverage.op();
        for (Event e : r.before()) {
            Failure f = event(step, e, r.byKernel());
            if (f != null) return f;
        }
        close();
        Op op = req.op();
        if (beyondSize(op, r)) {   // nothing happened: the model's states stay as they are
            lastOp = op;
            return null;
        }
        atFailure = kernel.states();
        Outcomes os = kernel.apply(op);
        Outcome seen = r.outcome();
        if (!os.observe(x -> matches(x, seen))) {
            List<String> allowed = new ArrayList<>();
            for (Outcome o : os.allowed()) allowed.add(observable(o).show());
            return new Failure(step, Failure.Mismatch.OUTCOME, op.show() + " -> " + r.show(), allowed,
                    describe(op, seen, os.allowed()));
        }
        lastOp = op;
        opened = kernel.states();
        openedFrom = atFailure;
        resized(op, seen);
        account(seen, coverage);
        if (r.byKernel()) account(seen, coverage.decided());
        onMove.accept(step, kernel.lastResults());
        if (checkAddresses) {
            Failure f = addresses(step, req, r);
            if (f != null) return f;
        }
        if (checkDmabufs) {
            Failure f = dmabuf(step, req, r);
            if (f != null) return f;
        }
        for (Event e : r.after()) {
            Failure f = event(step, e, r.byKernel());
            if (f != null) return f;
        }
        if (op instanceof Op.SettleCall) {
            close();
            if (!kernel.retain(kernel::quiescent)) {
                List<String> owed = new ArrayList<>();
                for (Event e : kernel.internal()) owed.add(e.show());
                return new Failure(step, Failure.Mismatch.LIVENESS, "settle -> idle", owed,
                        "the device stopped, but it still owes: " + String.join(", ", owed));
            }
        }
        return null;
    }

    private int size(String f) { return size.getOrDefault(f, cfg.pages()); }

    /**
     * A device access without a grant to a page beyond the file's size, answered EFAULT, by a device
     * whose files have a size (the spec has none: there the page is a hole, read as 0). Only where no
     * allowed state has a grant covering the page.
     */
    private boolean beyondSize(Op op, Response r) {
        if (!cfg.fileSize() || r.outcome().kind() != Outcome.Answer.ERROR || !"EFAULT".equals(r.errno())) return false;
        String i;
        String f;
        int o;
        if (op instanceof Op.DevReadCall x) { i = x.i(); f = x.f(); o = x.o(); }
        else if (op instanceof Op.DevWriteCall x) { i = x.i(); f = x.f(); o = x.o(); }
        else return false;
        if (o <= size(f)) return false;
        for (State st : kernel.states()) {
            if (Semantics.covering(st, i, f, o, op instanceof Op.DevWriteCall) != null) return false;
        }
        return true;
    }

    /** The file's size after an accepted operation: truncate sets it, writes, fallocate and reflink extend it. */
    private void resized(Op op, Outcome seen) {
        if (!cfg.fileSize()) return;
        Outcome.Answer k = seen.kind();
        boolean took = k == Outcome.Answer.DONE || k == Outcome.Answer.STARTED;
        if (!took) return;
        if (op instanceof Op.TruncateCall x) size.put(x.f(), x.n());
        else if (op instanceof Op.WriteCall x) size.put(x.f(), Math.max(size(x.f()), x.o()));
        else if (op instanceof Op.FallocateCall x) size.put(x.f(), Math.max(size(x.f()), x.o()));
        else if (op instanceof Op.ReflinkCall x) size.put(x.f(), Math.max(size(x.f()), x.p()));
    }

    private Failure event(int step, Event e, boolean byKernel) {
        close();
        atFailure = kernel.states();
        if (kernel.event(e)) {
            coverage.action(e.action().name());
            if (byKernel) coverage.decided().action(e.action().name());
            onMove.accept(step, kernel.lastResults());
            return null;
        }
        List<String> allowed = new ArrayList<>();
        for (Event x : kernel.internal()) allowed.add(x.show());
        return new Failure(step, Failure.Mismatch.EVENT, "event " + e.show(), allowed,
                "the device reported " + e.show() + ", which no allowed state permits");
    }

    private void account(Outcome seen, ObservedCoverage into) {
        for (Semantics.Result res : kernel.lastResults()) {
            for (Action a : res.actions()) into.action(a.name());
            break;
        }
        if (seen.kind() == Outcome.Answer.REFUSED) {
            into.refusal(seen.reason());
            if (lastOp instanceof Op.DeviceMapCall d) into.refusalPath(seen.reason(), d.pin(), d.w(), d.at(), d.hi() - d.lo() + 1);
        }
        if (seen.kind() == Outcome.Answer.BUSY) into.busyAnswer();
        if (seen.path() != null) into.path(seen.path().wire());
    }

    /** The model's outcome as the device can be expected to report it. */
    private Outcome observable(Outcome model) {
        return observesBar ? model : model.withBar(null);
    }

    /** Whether the device's outcome is the model's, on the fields the device reports. */
    boolean matches(Outcome model, Outcome seen) {
        if (model.kind() != seen.kind()) return false;
        if (!Objects.equals(model.reason(), seen.reason())) return false;
        if (model.path() != seen.path()) return false;
        if (!Objects.equals(model.value(), seen.value())) {
            // a write's value is given by the request; a device may leave it out of the answer
            if (!(seen.value() == null && model.kind() == Outcome.Answer.DONE)) return false;
        }
        if (!sameSet(model.notified(), seen.notified())) return false;
        return !observesBar || seen.bar() == null || Objects.equals(model.bar(), seen.bar());
    }

    private static boolean sameSet(Set<String> a, Set<String> b) {
        Set<String> x = a == null ? Set.of() : a;
        Set<String> y = b == null ? Set.of() : b;
        return x.equals(y);
    }

    private String describe(Op op, Outcome seen, Set<Outcome> allowed) {
        StringBuilder sb = new StringBuilder();
        sb.append(op.show()).append(": the device reported ").append(seen.show()).append("; the model allows ");
        List<String> xs = new ArrayList<>();
        for (Outcome o : allowed) xs.add(observable(o).show());
        sb.append(xs.size() == 1 ? xs.get(0) : "one of " + xs);
        return sb.toString();
    }

    // ------------------------------------------------------------------ dma_buf handles

    /** A granted PIN map carries a dma_buf that no other live pin holds; a map without PIN carries none. */
    private Failure dmabuf(int step, Request req, Response r) {
        Outcome o = r.outcome();
        if (o.kind() != Outcome.Answer.PREPARED && o.kind() != Outcome.Answer.GRANTED) return null;
        Boolean pin = null;
        String key = null;
        if (req.op() instanceof Op.DeviceMapCall d) {
            pin = d.pin();
            key = key(d.i(), d.f(), d.lo());
        } else if (req.op() instanceof Op.MapCommitCall c) {
            for (Semantics.Result res : kernel.lastResults()) {
                for (Grant g : res.next().maps()) {
                    if (g.i().equals(c.i()) && !res.from().maps().contains(g)) {
                        pin = g.pin();
                        key = key(g.i(), g.f(), g.lo());
                    }
                }
            }
        }
        if (pin == null) return null;
        Set<String> live = new HashSet<>();
        for (State s : kernel.states()) {
            for (Grant g : s.maps()) if (g.pin()) live.add(key(g.i(), g.f(), g.lo()));
            for (Pending p : s.pend()) if (p.pin()) live.add(key(p.i(), p.f(), p.lo()));
        }
        dmabufs.values().retainAll(live);
        String shown = req.op().show() + " -> dmabuf " + r.dmabuf();
        if (pin && r.dmabuf() == null) {
            return new Failure(step, Failure.Mismatch.PIN_WITHOUT_DMABUF, shown, List.of("a dma_buf"),
                    "the device granted a PIN map without a dma_buf: nothing holds the pin");
        }
        if (!pin && r.dmabuf() != null) {
            return new Failure(step, Failure.Mismatch.DMABUF_WITHOUT_PIN, shown, List.of("no dma_buf"),
                    "the device handed out a dma_buf for a map without PIN");
        }
        if (pin) {
            String other = dmabufs.get(r.dmabuf());
            if (other != null && !other.equals(key)) {
                return new Failure(step, Failure.Mismatch.DMABUF_ALIAS, shown, List.of("a dma_buf no live pin holds"),
                        "dma_buf " + r.dmabuf() + " is still held by the pin " + other.replace('|', ' '));
            }
            dmabufs.put(r.dmabuf(), key);
        }
        return null;
    }

    // ------------------------------------------------------------------ DMA addresses

    private Failure addresses(int step, Request req, Response r) {
        Outcome o = r.outcome();
        if (o.kind() != Outcome.Answer.PREPARED && o.kind() != Outcome.Answer.GRANTED) return null;
        // forget the addresses of grants that no allowed state holds any more
        Set<String> live = new HashSet<>();
        for (State s : kernel.states()) {
            for (Grant g : s.maps()) live.add(key(g.i(), g.f(), g.lo()));
            for (Pending p : s.pend()) live.add(key(p.i(), p.f(), p.lo()));
        }
        addrs.keySet().retainAll(live);
        String key = grantKey(req.op());
        if (key == null) return null;
        List<Long> as = r.addrs();
        int pages = pages(key);
        if (as.size() != pages) {
            return new Failure(step, Failure.Mismatch.ADDRESS_COUNT, req.op().show() + " -> addrs " + hex(as),
                    List.of(pages + " page addresses in the BAR"),
                    "the device gave " + as.size() + " DMA addresses for " + pages + " pages");
        }
        for (Long a : as) {
            if (!cfg.inBar(a)) {
                return new Failure(step, Failure.Mismatch.ADDRESS_OUTSIDE_BAR, req.op().show() + " -> addrs " + hex(as),
                        List.of("addresses in the BAR window " + hex(List.of(cfg.barBase())) + " + " + cfg.barPages()
                                + " pages"), "DMA address " + hex(List.of(a)) + " lies outside the exporter's BAR");
            }
        }
        Set<Long> mine = new HashSet<>(as);
        if (mine.size() != as.size()) {
            return new Failure(step, Failure.Mismatch.ADDRESS_REPEATED, req.op().show() + " -> addrs " + hex(as),
                    List.of("distinct addresses"), "two pages of one mapping share a BAR address");
        }
        for (Map.Entry<String, List<Long>> e : addrs.entrySet()) {
            if (e.getKey().equals(key)) continue;
            for (Long a : e.getValue()) {
                if (mine.contains(a)) {
                    return new Failure(step, Failure.Mismatch.ADDRESS_ALIAS, req.op().show() + " -> addrs " + hex(as),
                            List.of("addresses no live mapping holds"), "BAR address " + hex(List.of(a))
                            + " is still mapped by the grant " + e.getKey().replace('|', ' '));
                }
            }
        }
        addrs.put(key, as);
        return null;
    }

    private String grantKey(Op op) {
        if (op instanceof Op.DeviceMapCall d) return key(d.i(), d.f(), d.lo());
        if (op instanceof Op.MapCommitCall c) {
            for (Semantics.Result res : kernel.lastResults()) {
                for (Grant g : res.next().maps()) {
                    if (g.i().equals(c.i()) && !res.from().maps().contains(g)) return key(g.i(), g.f(), g.lo());
                }
            }
        }
        return null;
    }

    private int pages(String key) {
        String[] k = key.split("\\|");
        for (State s : kernel.states()) {
            for (Grant g : s.maps()) if (key(g.i(), g.f(), g.lo()).equals(key)) return g.size();
            for (Pending p : s.pend()) if (key(p.i(), p.f(), p.lo()).equals(key)) return p.size();
        }
        return Integer.parseInt(k[2]) > 0 ? 1 : 0;
    }

    private static String key(String i, String f, int lo) { return i + "|" + f + "|" + lo; }

    static String hex(List<Long> as) {
        List<String> out = new ArrayList<>();
        for (Long a : as) out.add("0x" + Long.toHexString(a));
        return out.size() == 1 ? out.get(0) : out.toString();
    }
}
