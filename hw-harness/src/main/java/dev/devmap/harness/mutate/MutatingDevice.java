package dev.devmap.harness.mutate;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.harness.oracle.Oracle;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Variant;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reference (simulated) device with one {@link Mutation} applied to its answers: a relay in
 * process, like a driver bug between the harness and a correct device. The count of places the
 * mutation fits restarts at every reset, so each scenario (and each shrinking attempt) sees it at the
 * same place.
 *
 * <p>Beside it runs a shadow oracle fed with the true answers: where the mutation is applied, it
 * asks whether the model explains the changed answer from the same states and keeps every state the
 * true answer allows. When that holds at every place, no later observation can tell the two apart:
 * the mutation is equivalent.
 */
public final class MutatingDevice implements DeviceUnderTest {
    private final SimulatedDevice sim = new SimulatedDevice();
    private final Mutation m;
    private final Capabilities caps;
    private DutConfig cfg;
    private Oracle shadow;
    private int seen;
    private List<Event> delayed = new ArrayList<>();
    private int applied;
    private boolean allExplained = true;
    // the first place the mutation was applied since mark(), and what a probe oracle (fed with what the
    // harness sees from there, a forged report left out) found first: what Expected derives the row from
    private Expected.Site site;
    private Oracle probe;
    private Event siteEvent;
    private Response siteWithout;

    public MutatingDevice(Mutation m) {
        this.m = m;
        this.caps = sim.capabilities();
    }

    @Override
    public String name() { return "sim (mutated: " + m.id() + ")"; }

    @Override
    public Capabilities capabilities() { return caps; }

    /** How often the mutation was applied (over all scenarios and shrinking attempts). */
    public int applied() { return applied; }

    /** Whether every application kept the answer one the model explains with no state lost (equivalence). */
    public boolean allExplained() { return allExplained; }

    /** Forget the last place: the next application is the first of the next scenario's first execution. */
    public void mark() {
        site = null;
        probe = null;
    }

    /** The first place the mutation was applied since {@link #mark()}, with the probe's first failure (null: none yet). */
    public Expected.Site site() { return site; }

    /** The model the device's answers are checked against (the reference protocol of its configuration). */
    public Semantics semantics() { return shadow.kernel().semantics(); }

    @Override
    public DutConfig reset(DutConfig proposed) {
        probe = null;   // the probe follows only the execution the site is in (not the shrinking runs)
        cfg = sim.reset(proposed);
        shadow = new Oracle(new Semantics(new DeviceMapModel(cfg.constants(Variant.NONE))), cfg, caps, true);
        seen = 0;
        delayed = new ArrayList<>();
        return cfg;
    }

    @Override
    public Response perform(Request req) {
        Response truth = sim.perform(req);
        List<State> pre = shadow.kernel().states();
        Response out = mutate(req, truth);
        if (!delayed.isEmpty() && out == truth) {
            // events delayed from the previous answer arrive before this one
            List<Event> before = new ArrayList<>(delayed);
            before.addAll(truth.before());
            out = with(truth, before, truth.outcome(), truth.after(), truth.blocks(), truth.addrs(), truth.dmabuf());
            delayed = new ArrayList<>();
        }
        if (out != truth) equivalence(pre, req, truth, out);
        if (out != truth && site == null) {
            Response seen = m.how() == Mutation.EventChange.FORGE && siteWithout != null ? siteWithout : out;
            probe = new Oracle(shadow.kernel().semantics(), cfg, caps, pre);
            site = new Expected.Site(req, truth, out, pre, cfg, siteEvent, null, false, null);
            probe(req, seen);
        } else if (probe != null) {
            probe(req, out);
        }
        shadow.check(req, truth);
        return out;
    }

    private void probe(Request req, Response seen) {
        List<State> before = probe.kernel().states();
        dev.devmap.harness.oracle.Failure f = probe.check(req, seen);
        if (f == null) return;
        // settle's own answer (not a report it carries) rejected: the device stopped with steps owed
        boolean settle = req.op() instanceof dev.devmap.kernelapi.Op.SettleCall
                && f.kind() != dev.devmap.harness.oracle.Failure.Mismatch.EVENT;
        site = site.withProbe(f, settle, f.kind() == dev.devmap.harness.oracle.Failure.Mismatch.LIVENESS || settle
                ? before : probe.atFailure());
        probe = null;
    }

    private void equivalence(List<State> pre, Request req, Response truth, Response mutated) {
        applied++;
        if (m.field() == Mutation.Field.ADDRS || m.field() == Mutation.Field.DMABUF || m.how() == Mutation.EventChange.DELAY) {
            allExplained = false;   // checked beside the model (addresses, handles) or over two answers: not shown here
            return;
        }
        Semantics sem = shadow.kernel().semantics();
        Oracle a = new Oracle(sem, cfg, caps, pre);
        Oracle b = new Oracle(sem, cfg, caps, pre);
        if (a.check(req, mutated) != null || b.check(req, truth) != null
                || !new HashSet<>(a.kernel().states()).containsAll(b.kernel().states())) {
            allExplained = false;
        }
    }

    private Response mutate(Request req, Response r) {
        if (m.onEvent()) return mutateEvent(r);
        Outcome o = r.outcome();
        if (o.kind() != m.answer() || !fits(m.field(), r)) return r;
        if (++seen != m.occurrence()) return r;
        return change(r);
    }

    /** Whether the field is there to change in this answer. */
    static boolean fits(Mutation.Field field, Response r) {
        Outcome o = r.outcome();
        switch (field) {
            case RESULT: return true;
            case REASON: return o.reason() != null;
            case VALUE: return o.value() != null;
            case PATH: return o.path() != null;
            case NOTIFIED: return o.notified() != null;
            case BAR: return o.bar() != null;
            case ADDRS: return !r.addrs().isEmpty();
            case BLOCKS: return !r.blocks().isEmpty();
            case DMABUF: return o.kind() == Outcome.Answer.GRANTED || o.kind() == Outcome.Answer.PREPARED;
            default: return false;
        }
    }

    private Response change(Response r) {
        Outcome o = r.outcome();
        switch (m.field()) {
            case RESULT:
                return with(r, r.before(), new Outcome(otherKind(o.kind()), o.kind() == Outcome.Answer.GRANTED ? "hole" : null,
                        o.value(), o.path(), o.notified(), o.bar()), r.after(), r.blocks(), r.addrs(), r.dmabuf());
            case REASON: {
                Reason[] rs = Reason.values();
                Reason next = rs[(Reason.of(o.reason()).ordinal() + 1) % rs.length];
                return with(r, r.before(), o.withReason(next.tla()), r.after(), r.blocks(), r.addrs(), r.dmabuf());
            }
            case VALUE:
                return with(r, r.before(), o.withValue(o.value() + 1), r.after(), r.blocks(), r.addrs(), r.dmabuf());
            case PATH:
                return with(r, r.before(), o.withPath(o.path() == Outcome.Path.DIRECT ? Outcome.Path.PAGE_CACHE
                        : Outcome.Path.DIRECT), r.after(), r.blocks(), r.addrs(), r.dmabuf());
            case NOTIFIED: {
                Set<String> n = new TreeSet<>(o.notified());
                if (n.isEmpty()) n.add(cfg.importerNames().get(0)); else n.remove(n.iterator().next());
                return with(r, r.before(), o.withNotified(n), r.after(), r.blocks(), r.addrs(), r.dmabuf());
            }
            case BAR:
                return with(r, r.before(), o.withBar(o.bar() + 1), r.after(), r.blocks(), r.addrs(), r.dmabuf());
            case ADDRS: {
                // the first page's address one page past the BAR window
                List<Long> as = new ArrayList<>(r.addrs());
                as.set(0, cfg.barBase() + cfg.barPages() * DutConfig.PAGE);
                return with(r, r.before(), o, r.after(), r.blocks(), as, r.dmabuf());
            }
            case BLOCKS: {
                List<Integer> bs = new ArrayList<>(r.blocks());
                bs.set(0, bs.get(0) + 1);
                return with(r, r.before(), o, r.after(), bs, r.addrs(), r.dmabuf());
            }
            default:
                return with(r, r.before(), o, r.after(), r.blocks(), r.addrs(), r.dmabuf() == null ? 99 : null);
        }
    }

    private static Outcome.Answer otherKind(Outcome.Answer k) {
        switch (k) {
            case DONE: return Outcome.Answer.ERROR;
            case STARTED: return Outcome.Answer.DONE;
            case WAIT: return Outcome.Answer.DONE;
            case BUSY: return Outcome.Answer.DONE;
            case VALUE: return Outcome.Answer.ERROR;
            case PREPARED: return Outcome.Answer.GRANTED;
            case GRANTED: return Outcome.Answer.REFUSED;
            case REFUSED: return Outcome.Answer.GRANTED;
            case RETRY: return Outcome.Answer.GRANTED;
            case ERROR: return Outcome.Answer.DONE;
            default: return Outcome.Answer.DONE;
        }
    }

    private Response mutateEvent(Response r) {
        List<Event> before = new ArrayList<>(r.before());
        List<Event> after = new ArrayList<>(r.after());
        for (List<Event> list : List.of(before, after)) {
            for (int k = 0; k < list.size(); k++) {
                Event e = list.get(k);
                if (e.kind() != m.event()) continue;
                if (++seen != m.occurrence()) continue;
                siteEvent = e;
                List<Event> b0 = new ArrayList<>(r.before());
                List<Event> a0 = new ArrayList<>(r.after());
                (list == before ? b0 : a0).remove(k);
                siteWithout = with(r, b0, r.outcome(), a0, r.blocks(), r.addrs(), r.dmabuf());
                switch (m.how()) {
                    case DROP -> list.remove(k);
                    case DUPLICATE -> list.add(k + 1, e);
                    case DELAY -> {
                        list.remove(k);
                        delayed.add(e);
                    }
                    case REORDER -> {
                        if (k + 1 < list.size()) {
                            list.set(k, list.get(k + 1));
                            list.set(k + 1, e);
                        } else if (k > 0) {
                            list.set(k, list.get(k - 1));
                            list.set(k - 1, e);
                        } else if (list == after) {
                            after.remove(k);
                            before.add(e);     // reported before the operation that caused it
                        } else {
                            before.remove(k);
                            after.add(0, e);   // reported after the operation it came before
                        }
                    }
                    default -> list.set(k, forged(e));
                }
                Response out = with(r, before, r.outcome(), after, r.blocks(), r.addrs(), r.dmabuf());
                return out;
            }
        }
        return r;
    }

    /** The same kind of event, for another importer (or file): one the device never took. */
    private Event forged(Event e) {
        if (e.imp() != null) {
            List<String> is = cfg.importerNames();
            String other = is.get((is.indexOf(e.imp()) + 1) % is.size());
            return new Event(e.kind(), other, e.file(), e.value());
        }
        if (e.file() != null) {
            List<String> fs = cfg.files();
            return new Event(e.kind(), e.imp(), fs.get((fs.indexOf(e.file()) + 1) % fs.size()), e.value());
        }
        return new Event(Event.Type.UNPLUG_END == e.kind() ? Event.Type.INV_END : e.kind(), null, cfg.files().get(0), null);
    }

    private static Response with(Response r, List<Event> before, Outcome o, List<Event> after, List<Integer> blocks,
                                 List<Long> addrs, Integer dmabuf) {
        return new Response(before, o, after, blocks, addrs, dmabuf, r.errno(), r.message());
    }

    @Override
    public void close() { sim.close(); }
}
