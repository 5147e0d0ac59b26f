package dev.devmap.harness.oracle;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.Response;
import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Exp;
import dev.devmap.model.Grant;
import dev.devmap.model.Liveness;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.Variant;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names the requirement an unexplained observation breaks, by measuring it on the spec's states:
 *
 * <ol>
 * <li>Hypotheses: the trace is replayed under each known mistake (the spec's variants: the same
 *     model with one protection removed). A variant whose model explains every observation tells
 *     which states the device went through; the spec's invariants (and S2) are evaluated on them,
 *     in the order models.json lists them. If none is violated yet, a bounded lookahead over the
 *     system's own steps (acknowledgements, DMA, commits, the end of the invalidation) finds the
 *     damage the mistake leads to; if still none, the state the system settles in is checked for
 *     what liveness promises (an invalidation, DMA, prepared map or removal left over, BAR leaked).</li>
 * <li>Otherwise, by what was observed: a value read that is not the last write is S5 (silent
 *     corruption); an importer that should have been told to invalidate and was not is replayed
 *     with its grants hidden from the invalidation; a harness-only check (BAR addresses, dma_buf
 *     handles) is the row {@link Protects} gives it; a device that stops owing steps is the liveness row of the step it owes; anything
 *     else is the Reference row.</li>
 * </ol>
 */
public final class Diagnosis {
    private static final int LOOKAHEAD_DEPTH = 4;
    private static final int LOOKAHEAD_STATES = 20_000;

    private final DutConfig cfg;
    private final Capabilities caps;

    public Diagnosis(DutConfig cfg, Capabilities caps) {
        this.cfg = cfg;
        this.caps = caps;
    }

    /** The hypotheses: every known mistake of the spec, as the constants of its model (DutConfig#constants). */
    public List<Constants> hypotheses() {
        List<Constants> out = new ArrayList<>();
        for (Variant v : Variant.values()) {
            if (v == Variant.NONE || v.choice()) continue;   // a kernel's choice is a difference, not a mistake
            out.add(cfg.constants(v));   // with the variant's capability constants of models.json
        }
        return out;
    }

    public Verdict diagnose(List<TraceItem> trace, Failure f) {
        String consistent = null;
        // the spec's variants model no addresses: they cannot explain an address failure
        for (Constants c : f.kind().harnessOnly() ? List.<Constants>of() : hypotheses()) {
            explained = false;
            Verdict v = underHypothesis(c, trace, f);
            if (v != null) return v;
            if (explained && consistent == null) consistent = c.variant().tla();
        }
        Verdict v = fallback(trace, f, consistent != null);
        String breaks = consistent == null ? null : dev.devmap.harness.sim.Quirks.of(consistent).breaks();
        if (breaks != null && v.requirement() == Requirement.REF) {
            // no S or L row measured on these states: the row of the known mistake the trace matches
            Requirement r = Requirement.valueOf(breaks);
            return new Verdict(r, v.why() + " (consistent with the known mistake '" + consistent + "', which breaks "
                    + r.spec() + " (TLC's counterexample for that variant); the damage itself is not reached in this trace)",
                    consistent, v.consequence());
        }
        if (consistent != null && v.like() == null) {
            return new Verdict(v.requirement(), v.why() + " (consistent with the known mistake '" + consistent + "')",
                    consistent, v.consequence());
        }
        return v;
    }

    private boolean explained;

    /** The guards that stand for a bound of the model (Protects' limits) a device can declare it exceeds ("beyond"). */
    private static final Map<dev.devmap.model.Guard, String> BOUNDS = Map.of(dev.devmap.model.Guard.NO_FREE_BLOCK, "blocks");

    /**
     * Whether the failure is the device going beyond a bound of the model it declared it exceeds
     * ({@link Capabilities#beyond}): an answer that goes ahead (not an error, a refusal or a wait) where
     * every state the model allows disables the step by that bound's guard alone (NO_FREE_BLOCK: the
     * model's blocks are all in use). The trace is replayed under variant v's model (NONE: the
     * protocol). Returns a sentence for the report, or null.
     */
    public String beyondBound(List<TraceItem> trace, Failure f, Variant v) {
        if (f.kind() != Failure.Mismatch.OUTCOME || caps.beyond().isEmpty()) return null;
        Semantics sem = new Semantics(new DeviceMapModel(v == Variant.NONE ? cfg.reference() : cfg.constants(v)));
        Oracle o = new Oracle(sem, cfg, caps, false);
        for (int k = 0; k < f.step() - 1; k++) {
            TraceItem it = trace.get(k);
            if (o.check(it.request(), it.response()) != null) return null;
        }
        TraceItem it = trace.get(f.step() - 1);
        List<State> before = new ArrayList<>(o.kernel().states());
        Failure again = o.check(it.request(), it.response());
        if (again == null || again.kind() != f.kind()) return null;
        List<State> pre = o.atFailure().isEmpty() ? before : o.atFailure();
        if (pre.isEmpty() || declines(it.response().outcome().kind())) return null;
        dev.devmap.model.Guard bound = null;
        for (State s : pre) {
            dev.devmap.model.Guard g = sem.apply(s, it.request().op()).guard();
            if (g == null || !BOUNDS.containsKey(g) || (bound != null && g != bound)) return null;
            bound = g;
        }
        String name = BOUNDS.get(bound);
        String why = caps.beyond().get(name);
        if (why == null) return null;
        return "beyond the model's bounds at step " + f.step() + ": " + f.observed() + " where the model's step is disabled "
                + "only by its bound (" + bound + ": all " + cfg.blocks() + " of its " + name + " in use); the device has "
                + "more (" + why + "); steps 1-" + (f.step() - 1) + " agreed with the model";
    }

    // ------------------------------------------------------------------ hypotheses

    private Verdict underHypothesis(Constants c, List<TraceItem> trace, Failure f) {
        DeviceMapModel m = new DeviceMapModel(c);
        Semantics sem = new Semantics(m);
        SafetyProperties props = new SafetyProperties(m);
        Oracle o = new Oracle(sem, cfg, caps, false);
        Requirement[] found = {null};
        int[] at = {0};
        o.onMove((step, results) -> {
            if (found[0] != null || results.isEmpty()) return;
            Requirement r = null;
            for (Semantics.Result res : results) {
                Requirement x = firstViolation(m, props, res.from(), res.actions());
                if (x == null) return;
                if (r == null) r = x;
            }
            found[0] = r;
            at[0] = step;
        });
        for (int k = 0; k < f.step(); k++) {
            TraceItem it = trace.get(k);
            if (o.check(it.request(), it.response()) != null) return null;
        }
        explained = true;
        String name = c.variant().tla();
        if (found[0] != null) {
            return new Verdict(found[0], "the device behaves like the known mistake '" + name + "': after step " + at[0]
                    + " the states it must be in violate " + found[0].spec(), name, List.of());
        }
        for (State s : o.kernel().states()) {
            List<String> path = new ArrayList<>();
            Requirement r = lookahead(m, props, s, path);
            if (r != null) {
                return new Verdict(r, "the device behaves like the known mistake '" + name + "'; the system's own steps "
                        + String.join(", ", path) + " then violate " + r.spec(), name, path);
            }
            List<String> steps = new ArrayList<>();
            Requirement l = settled(sem, m, s, steps);
            if (l != null) {
                return new Verdict(l, "the device behaves like the known mistake '" + name + "'; when the system settles"
                        + (steps.isEmpty() ? "" : " (" + String.join(", ", steps) + ")") + ", " + livenessWhy(l), name,
                        steps);
            }
            break;
        }
        return null;
    }

    /** The first requirement (in the report's order) violated along the path of actions from s. */
    static Requirement firstViolation(DeviceMapModel m, SafetyProperties props, State s, List<Action> actions) {
        State cur = s;
        for (Action a : actions) {
            Step st = m.step(cur, a);
            if (!(st instanceof Step.Next n)) return null;
            Requirement r = violated(props, n.state());
            if (r == null && !holdsS2(props, cur, n.state())) r = Requirement.S2;
            if (r != null) return r;
            cur = n.state();
        }
        return null;
    }

    static Requirement violated(SafetyProperties props, State s) {
        for (Requirement r : Requirement.INVARIANT_ORDER) {
            try {
                if (!props.holds(r.spec(), s)) return r;
            } catch (RuntimeException e) {
                return r;   // TLC would stop on this state with an evaluation error: the invariant does not hold
            }
        }
        return null;
    }

    private static boolean holdsS2(SafetyProperties props, State s, State t) {
        try {
            return props.holdsOnStep(Requirement.S2.spec(), s, t);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** FairSpec's fair actions ({@link Liveness#FAIR}) and DmaStart: a device may start a DMA by itself. */
    private static boolean systemStep(Action a) {
        return Liveness.isFair(a) || a instanceof Action.DmaStart;
    }

    /** Breadth-first over the system's own steps from s: the shortest path to a violated requirement. */
    static Requirement lookahead(DeviceMapModel m, SafetyProperties props, State s, List<String> path) {
        record Node(State s, Node parent, Action via, int depth) {}
        ArrayDeque<Node> q = new ArrayDeque<>();
        Set<State> seen = new HashSet<>();
        q.add(new Node(s, null, null, 0));
        seen.add(s);
        while (!q.isEmpty()) {
            Node n = q.poll();
            if (n.depth() >= LOOKAHEAD_DEPTH) continue;
            for (Action a : m.candidates(n.s())) {
                if (!systemStep(a)) continue;
                Step st = m.step(n.s(), a);
                if (!(st instanceof Step.Next nx)) continue;
                Requirement r = violated(props, nx.state());
                if (r == null && !holdsS2(props, n.s(), nx.state())) r = Requirement.S2;
                Node child = new Node(nx.state(), n, a, n.depth() + 1);
                if (r != null) {
                    List<String> rev = new ArrayList<>();
                    for (Node x = child; x.via() != null; x = x.parent()) rev.add(0, show(x.via()));
                    path.addAll(rev);
                    return r;
                }
                if (seen.add(nx.state()) && seen.size() < LOOKAHEAD_STATES) q.add(child);
            }
        }
        return null;
    }

    static String show(Action a) {
        String s = a.toString();
        int k = s.indexOf('[');
        return k < 0 ? s : a.name() + "(" + s.substring(k + 1, s.length() - 1).replaceAll("\\w+=", "") + ")";
    }

    /** Lets the system settle from s (its internal steps, first enabled first) and checks what liveness promises. */
    static Requirement settled(Semantics sem, DeviceMapModel m, State s, List<String> steps) {
        State cur = s;
        for (int n = 0; n < 200; n++) {
            List<Event> es = sem.internal(cur);
            if (es.isEmpty()) break;
            State t = sem.event(cur, es.get(0));
            if (t == null) break;
            steps.add(show(es.get(0).action()));
            cur = t;
        }
        return Liveness.firstOwed(m, cur).map(o -> Requirement.valueOf(o.property().id())).orElse(null);
    }

    static String livenessWhy(Requirement r) {
        switch (r) {
            case L1: return "an invalidation is still running and nothing will end it (bounded check)";
            case L4: return "a truncate or punch is still waiting and nothing will end it (bounded check)";
            case L2: return "a DMA is still in flight (bounded check)";
            case L3: return "a prepared map is neither committed nor retried (bounded check)";
            case L5: return "the exporter is still being removed and nothing will finish it (bounded check)";
            case L6: return "BAR pages stay accounted although no mapping holds them (bounded check)";
            default: return r.spec() + " is violated";
        }
    }

    // ------------------------------------------------------------------ by observation

    private Verdict fallback(List<TraceItem> trace, Failure f, boolean explained) {
        DeviceMapModel m = new DeviceMapModel(cfg.reference());
        Semantics sem = new Semantics(m);
        Oracle o = new Oracle(sem, cfg, caps, false);
        for (int k = 0; k < f.step() - 1; k++) {
            TraceItem it = trace.get(k);
            if (o.check(it.request(), it.response()) != null) break;
        }
        TraceItem it = trace.get(f.step() - 1);
        List<State> before = new ArrayList<>(o.kernel().states());
        // the states just before the rejected observation (after the events the same answer reported first)
        Failure again = o.check(it.request(), it.response());
        List<State> pre = again != null && again.kind() == f.kind() ? o.atFailure() : before;
        switch (f.kind()) {
            case LIVENESS:
                return liveness(m, o.kernel().states(), o.kernel().internal());
            case ADDRESS_COUNT:
            case ADDRESS_OUTSIDE_BAR:
            case ADDRESS_REPEATED:
            case ADDRESS_ALIAS:
            case PIN_WITHOUT_DMABUF:
            case DMABUF_ALIAS:
            case DMABUF_WITHOUT_PIN: {
                Protects p = Protects.of(f.kind());
                return new Verdict(p.row(), f.detail() + " (harness-only: " + p.why() + ")", null, List.of());
            }
            case EVENT:
                return event(m, sem, trace, f, it, pre, explained);
            case OUTCOME: {
                Outcome seen = it.response().outcome();
                Op op = it.request().op();
                boolean valueOnly = false;
                for (State s : pre) {
                    Outcome x = sem.apply(s, op).outcome();
                    if (x.kind() == seen.kind() && x.path() == seen.path() && x.value() != null && seen.value() != null
                            && !x.value().equals(seen.value())) {
                        valueOnly = true;
                    }
                }
                if (op instanceof Op.SettleCall) {
                    // the device stopped with steps still owed: what it owes is the row, not the BAR count it shows
                    Set<Event> owed = new dev.devmap.kernelapi.Kernel(sem, pre).internal();
                    if (!owed.isEmpty()) return liveness(m, pre, owed);
                }
                // a BAR count off by what a known mistake explains (and heals later) is not a leak
                Verdict bar = explained ? null : barOnly(sem, pre, op, seen, f);
                if (bar != null) return bar;
                if (valueOnly) {
                    return new Verdict(Requirement.S5, "silent data corruption: " + f.detail()
                            + " (a read must return the last write)", null, List.of());
                }
                Verdict skipped = skippedRefusal(sem, pre, op, seen, f);
                if (skipped != null) return skipped;
                Verdict pin = pinVanished(m, sem, pre, op, seen, f);
                if (pin != null) return pin;
                if (it.response().before().isEmpty()) {
                    Verdict v = hiddenImporters(m, sem, pre, op, seen);
                    if (v != null) return v;
                    v = ackBeforeDrain(m, sem, pre, op, seen);
                    if (v != null) return v;
                }
                return byModel(sem, pre, op, seen, f);
            }
            default:
                return new Verdict(Requirement.REF, f.detail(), null, List.of());
        }
    }

    /** An outcome the device calls done where the model declines it (and the other way round). */
    private static boolean declines(Outcome.Answer k) {
        return k == Outcome.Answer.WAIT || k == Outcome.Answer.BUSY || k == Outcome.Answer.ERROR || k == Outcome.Answer.REFUSED;
    }

    private static boolean startsDma(Op op) {
        return op instanceof Op.DmaStartCall || op instanceof Op.DevReadCall || op instanceof Op.DevWriteCall;
    }

    /**
     * The row from the model's typed facts, for an outcome no earlier rule explained: the guard that
     * disables the step the device performed anyway ({@link Protects}), or the kind of answer
     * (an operation done before its invalidation's acknowledgements: S4; a path the model does not
     * take: S5); else "Reference" with the reason no S or L row applies.
     */
    private static Verdict byModel(Semantics sem, List<State> pre, Op op, Outcome seen, Failure f) {
        Semantics.Result first = null;
        for (State s : pre) {
            Semantics.Result x = sem.apply(s, op);
            if (first == null) first = x;
            Outcome mo = x.outcome();
            if (x.guard() != null && x.guard() != dev.devmap.model.Guard.REFUSED && mo.kind() != seen.kind()
                    && !declines(seen.kind())) {
                Protects p = Protects.of(x.guard(), startsDma(op));
                if (p.row() != null) {
                    return new Verdict(p.row(), f.detail() + ": the model's step is disabled (" + x.guard() + "), and the "
                            + "device went ahead; that guard protects " + p.row().spec() + ": " + p.why(), null, List.of());
                }
                return new Verdict(Requirement.REF, f.detail() + ": the device went ahead where the model's guard "
                        + x.guard() + " disables the step, which protects no S or L row: " + p.why(), null, List.of());
            }
            if (mo.kind() == Outcome.Answer.STARTED && seen.kind() == Outcome.Answer.DONE) {
                return new Verdict(Requirement.S4, f.detail() + ": the operation must wait for the acknowledgements of the "
                        + "invalidation it started; the device reports it done without them", null, List.of());
            }
            if (mo.kind() == seen.kind() && mo.path() != null && seen.path() != null && mo.path() != seen.path()) {
                Verdict cached = cachedWithout(sem.model(), s, op, seen, f);
                if (cached != null) return cached;
                return new Verdict(Requirement.S5, f.detail() + ": the access took another path than the one that holds the "
                        + "page's current copy (" + mo.path().wire() + "): a write that way splits the page's value "
                        + "(page cache vs block), a read that way can miss the last write", null, List.of());
            }
        }
        String why;
        Outcome mo = first == null ? null : first.outcome();
        if (mo == null) {
            why = "no allowed state to compare with";
        } else if (mo.kind() == Outcome.Answer.ERROR && first.guard() == null) {
            why = "the model answers " + first.errno() + " (" + first.why() + "): an argument check before any of the spec's "
                    + "actions, so no state of the spec is reached in which an S or L property could fail";
        } else if (declines(seen.kind()) && !declines(mo.kind())) {
            why = "the device declined (" + seen.kind().wire() + ") an operation the protocol allows here: the state stays "
                    + "as it was, which no S property forbids, and no L row promises that a program's operation succeeds";
        } else if (declines(seen.kind()) && declines(mo.kind())) {
            why = "the device declined the operation as " + seen.kind().wire() + " where the model declines it as "
                    + mo.kind().wire() + ": both leave the state unchanged; no S or L row separates them";
        } else if (mo.kind() == Outcome.Answer.PREPARED && seen.kind() == Outcome.Answer.GRANTED) {
            why = "the device committed a map it was asked only to prepare: the commit is a step the model allows right "
                    + "then, so no S or L property separates the two; only the answer's kind is wrong";
        } else if (mo.kind() == seen.kind() && seen.notified() != null && mo.notified() != null
                && seen.notified().containsAll(mo.notified())) {
            why = "the device notified an importer that holds no grant the operation revokes: a superfluous notice takes "
                    + "nothing away and moves no block, so no S or L property is at stake";
        } else {
            why = "the answer's kind (" + seen.kind().wire() + " for " + mo.kind().wire() + ") is not one the operation "
                    + "has; no state of the spec follows from it";
        }
        return new Verdict(Requirement.REF, f.detail() + " (" + why + ")", null, List.of());
    }

    /**
     * A read the device served from a page-cache copy where the model reads the block: the step the
     * device took is the spec's {@code ReadPage} (it filled the cache), and the guard that disables
     * it (a device that declared no page cache, fs-dax: {@code NO_PAGE_CACHE}) names the row through
     * {@link Protects}. Null when that step is enabled or disabled by another guard.
     */
    private static Verdict cachedWithout(DeviceMapModel m, State s, Op op, Outcome seen, Failure f) {
        if (seen.path() != Outcome.Path.PAGE_CACHE) return null;
        Action read;
        if (op instanceof Op.ReadCall x) read = new Action.CpuRead(x.f(), x.o());
        else if (op instanceof Op.DevReadCall x) read = new Action.DevFallbackRead(x.i(), x.f(), x.o());
        else return null;
        dev.devmap.model.Guard g = Step.guardOf(m.step(s, read));
        // only the guard that forbids a page-cache copy at all: ReadPage's others (an invalidation running,
        // a pinned page read from its block) do not say the copy is what is wrong
        if (g != dev.devmap.model.Guard.NO_PAGE_CACHE) return null;
        Protects p = Protects.of(g, false);
        if (p.row() == null) return null;
        return new Verdict(p.row(), f.detail() + ": the device answered from a page-cache copy, so it took "
                + read.getClass().getSimpleName() + ", which the model's guard " + g + " disables; that guard protects "
                + p.row().spec() + ": " + p.why(), null, List.of());
    }

    /**
     * An event no allowed state permits: named by the guard that disables its step (an end of an
     * invalidation some importer has not acknowledged: S4; an acknowledgement with DMA in flight:
     * S1; a commit the sequence count forbids: S3; the end of a removal with something mapped: S8)
     * or by its value (a DMA that completes with another value: S5). A step with nothing to act on
     * (a duplicated or forged report) is set aside and the rest of the same answer checked without
     * it: what it hid (the true report it replaced) is named there; else "Reference".
     */
    private Verdict event(DeviceMapModel m, Semantics sem, List<TraceItem> trace, Failure f, TraceItem it,
                          List<State> pre, boolean explained) {
        Event e = find(it.response().before(), f);
        if (e == null) e = find(it.response().after(), f);
        if (e == null) return new Verdict(Requirement.REF, f.detail(), null, List.of());
        dev.devmap.model.Guard guard = null;
        for (State s : pre) {
            Step st = m.step(s, e.action());
            if (st instanceof Step.Next) {
                return new Verdict(Requirement.S5, f.detail() + ": the step is one the model takes, with another value "
                        + "(a read must return the last write)", null, List.of());
            }
            dev.devmap.model.Guard g = Step.guardOf(st);
            Protects p = Protects.of(g, e.action() instanceof Action.DmaStart);
            if (p.row() != null) {
                return new Verdict(p.row(), f.detail() + ": its step is disabled (" + g + "); that guard protects "
                        + p.row().spec() + ": " + p.why(), null, List.of());
            }
            if (guard == null) guard = g;
        }
        Protects p = Protects.of(guard, false);
        Verdict hidden = withoutEvent(trace, f, it, e, explained);
        if (hidden != null) {
            return new Verdict(hidden.requirement(), f.detail() + " (" + guard + ": nothing to act on); set aside, the same "
                    + "answer shows what it stands in for: " + hidden.why(), null, hidden.consequence());
        }
        return new Verdict(Requirement.REF, f.detail() + " (" + guard + ": " + p.why() + ")", null, List.of());
    }

    private static Event find(List<Event> es, Failure f) {
        for (Event x : es) if (f.observed().equals("event " + x.show())) return x;
        return null;
    }

    /** The same trace with the one event removed from its answer: the diagnosis of what then fails there, or null. */
    private Verdict withoutEvent(List<TraceItem> trace, Failure f, TraceItem it, Event e, boolean explained) {
        Response r = it.response();
        List<Event> b = new ArrayList<>(r.before());
        List<Event> a = new ArrayList<>(r.after());
        if (!b.remove(e)) a.remove(e);
        List<TraceItem> t = new ArrayList<>(trace.subList(0, f.step() - 1));
        t.add(new TraceItem(it.request(), new Response(b, r.outcome(), a, r.blocks(), r.addrs(), r.dmabuf(), r.errno(),
                r.message(), r.byKernel())));
        Oracle o = new Oracle(new Semantics(new DeviceMapModel(cfg.reference())), cfg, caps, false);
        Failure g = null;
        for (TraceItem x : t) {
            g = o.check(x.request(), x.response());
            if (g != null) break;
        }
        if (g == null || g.step() != f.step()) return null;
        Verdict v = fallback(t, g, explained);
        return v.requirement() == Requirement.REF ? null : v;
    }

    /**
     * device_map: the model refuses with a reason and the device grants, or refuses for a later
     * reason whose condition holds too (the check was skipped: named after what it protects,
     * {@link Protects#of(Reason)}); or the device refuses for a reason whose condition does not hold,
     * or where the model grants (S14: the answer is the first reason whose condition holds, and a
     * grant when none holds).
     */
    private static Verdict skippedRefusal(Semantics sem, List<State> pre, Op op, Outcome seen, Failure f) {
        if (!(op instanceof Op.DeviceMapCall)) return null;
        if (seen.kind() != Outcome.Answer.GRANTED && seen.kind() != Outcome.Answer.PREPARED
                && seen.kind() != Outcome.Answer.REFUSED) {
            return null;
        }
        for (State s : pre) {
            Outcome x = sem.apply(s, op).outcome();
            if (x.kind() != Outcome.Answer.REFUSED) {
                if (seen.kind() == Outcome.Answer.REFUSED && (x.kind() == Outcome.Answer.GRANTED || x.kind() == Outcome.Answer.PREPARED)) {
                    return new Verdict(Requirement.S14, f.detail() + ": the device refused it as " + seen.reason()
                            + " although no refusal's condition holds (device_map grants when none holds)", null, List.of());
                }
                continue;
            }
            if (x.reason().equals(seen.reason())) continue;
            Reason r = Reason.of(x.reason());
            Op.DeviceMapCall d = (Op.DeviceMapCall) op;
            if (seen.kind() == Outcome.Answer.REFUSED && !(Reason.of(seen.reason()).ordinal() > r.ordinal()
                    && new SafetyProperties(sem.model()).applies(s, Reason.of(seen.reason()), d.i(), d.f(), d.lo(), d.hi(),
                            d.pin(), d.w(), d.at()))) {
                return new Verdict(Requirement.S14, f.detail() + ": the device refused it as " + seen.reason()
                        + " where the first reason in the protocol's order whose condition holds is '" + r.tla() + "'",
                        null, List.of());
            }
            // granted, or refused for a later reason that applies: the check for r was skipped
            Requirement row = Protects.of(r);
            String did = seen.kind() == Outcome.Answer.REFUSED ? "refused it for the later reason " + seen.reason() : "granted it";
            return new Verdict(row, f.detail() + ": the device " + did + " although the check '" + r.tla()
                    + "' (decided by the " + r.decidedBy() + ") applies; that check protects " + row.spec(), null, List.of());
        }
        return null;
    }

    /** Is the page op accesses pinned (a CPU or fallback access of a page a pinned grant covers: the model's PinnedAt)? */
    private static boolean pinnedPage(DeviceMapModel m, State s, Op op) {
        if (op instanceof Op.ReadCall x) return m.pinnedAt(s, x.f(), x.o());
        if (op instanceof Op.WriteCall x) return m.pinnedAt(s, x.f(), x.o());
        if (op instanceof Op.DevReadCall x) return m.pinnedAt(s, x.f(), x.o());
        if (op instanceof Op.DevWriteCall x) return m.pinnedAt(s, x.f(), x.o());
        return false;
    }

    /** Is the grant a device access goes through ({@link Semantics#covering}, as the model's step takes it) pinned? */
    private static boolean throughPinnedGrant(State s, Op op) {
        Grant g = null;
        if (op instanceof Op.DevReadCall r) g = Semantics.covering(s, r.i(), r.f(), r.o(), false);
        if (op instanceof Op.DevWriteCall w) g = Semantics.covering(s, w.i(), w.f(), w.o(), true);
        return g != null && g.pin();
    }

    /**
     * A pin that vanishes: a truncate, punch or relocate the model disables by its guard
     * {@link dev.devmap.model.Guard#PINNED} (EBUSY: a dma_buf pins the range) goes ahead (the pinned
     * blocks change: S7), or an access the model takes through a pinned grant (which survives
     * munmap) takes another path (the pin ended early: S11).
     */
    private static Verdict pinVanished(DeviceMapModel m, Semantics sem, List<State> pre, Op op, Outcome seen, Failure f) {
        for (State s : pre) {
            Semantics.Result x = sem.apply(s, op);
            Outcome o = x.outcome();
            if (x.guard() == dev.devmap.model.Guard.PINNED
                    && (seen.kind() == Outcome.Answer.DONE || seen.kind() == Outcome.Answer.STARTED)
                    && (op instanceof Op.TruncateCall || op instanceof Op.PunchHoleCall || op instanceof Op.RelocateCall)) {
                return new Verdict(Requirement.S7, f.detail() + ": a dma_buf pins the range, so the change must be refused "
                        + "(EBUSY); the pinned blocks change under the pin", null, List.of());
            }
            // the block path: the page itself is pinned (without a page cache every access takes it)
            if (o.path() != null && seen.path() != o.path() && (o.path() == Outcome.Path.BLOCK && pinnedPage(m, s, op)
                    || o.path() == Outcome.Path.DIRECT && throughPinnedGrant(s, op))) {
                return new Verdict(Requirement.S11, f.detail() + ": the access goes through a pinned mapping (a pin lives "
                        + "until its dma_buf is released, munmap does not end it); the device took another path", null,
                        List.of());
            }
        }
        return null;
    }

    /**
     * The outcome is the model's except for the BAR pages in use: more than the capacity or fewer
     * than are mapped (S9), more after a step that takes no grant (S12: such a step gives back
     * exactly the pages of the grants it removes, none when it removes none), else leaked (L6).
     */
    private static Verdict barOnly(Semantics sem, List<State> pre, Op op, Outcome seen, Failure f) {
        if (seen.bar() == null) return null;
        for (State s : pre) {
            Semantics.Result r = sem.apply(s, op);
            Outcome x = r.outcome();
            if (x.withBar(null).equals(seen.withBar(null)) && x.bar() != null && !x.bar().equals(seen.bar())) {
                if (seen.bar() < x.bar()) {
                    return new Verdict(Requirement.S9, f.detail() + ": the exporter accounts fewer BAR pages than are mapped",
                            null, List.of());
                }
                if (seen.bar() > sem.constants().barSize()) {
                    return new Verdict(Requirement.S9, f.detail() + ": the exporter accounts more BAR pages than it has ("
                            + sem.constants().barSize() + ")", null, List.of());
                }
                // S12's antecedent: the step only takes grants away (or none) and leaves the prepared maps
                if (new SafetyProperties(sem.model()).onlyTakesGrants(s, r.next())) {
                    return new Verdict(Requirement.S12, f.detail() + ": a step that grants nothing took BAR pages (it gives "
                            + "back exactly the pages of the grants it removes)", null, List.of());
                }
                return new Verdict(Requirement.L6, f.detail() + ": BAR pages stay accounted after the mapping is gone",
                        null, List.of());
            }
        }
        return null;
    }

    private Verdict liveness(DeviceMapModel m, List<State> states, Set<Event> owed) {
        State s = states.get(0);
        Requirement r = Requirement.REF;
        Map<Event.Type, Requirement> by = new HashMap<>();
        for (Event e : owed) {
            Requirement x;
            switch (e.kind()) {
                case ACK:
                case INV_END: {
                    x = Liveness.LeadsTo.L4_TruncateNotStarved.p(m, s, e.file()) ? Requirement.L4 : Requirement.L1;
                    break;
                }
                case DMA_END: x = Requirement.L2; break;
                case MAP_COMMIT:
                case MAP_RETRY: x = Requirement.L3; break;
                default: x = Requirement.L5;
            }
            by.putIfAbsent(e.kind(), x);
        }
        for (Event.Type k : Event.Type.values()) {
            if (by.containsKey(k)) {
                r = by.get(k);
                break;
            }
        }
        List<String> xs = new ArrayList<>();
        for (Event e : owed) xs.add(e.show());
        return new Verdict(r, "the device settled, but it still owes " + String.join(", ", xs) + ": "
                + livenessWhy(r), null, List.of());
    }

    /**
     * An acknowledgement the model refuses because the importer's DMA has not drained: replay it
     * with the DMA set aside (as the device must have), put the DMA back, and look at what follows.
     */
    private Verdict ackBeforeDrain(DeviceMapModel m, Semantics sem, List<State> pre, Op op, Outcome seen) {
        if (!(op instanceof Op.InvAckCall a) || seen.kind() != Outcome.Answer.DONE) return null;
        SafetyProperties props = new SafetyProperties(m);
        for (State s : pre) {
            if (sem.apply(s, op).guard() != dev.devmap.model.Guard.DMA_IN_FLIGHT) continue;
            Set<dev.devmap.model.Dma> mine = new HashSet<>();
            for (dev.devmap.model.Dma d : s.dma()) if (d.i().equals(a.i())) mine.add(d);
            Set<dev.devmap.model.Dma> rest = new HashSet<>(s.dma());
            rest.removeAll(mine);
            State without = s.withDma(rest);
            Semantics.Result r = sem.apply(without, op);
            if (r.outcome().kind() != Outcome.Answer.DONE) continue;
            State t = r.next();
            Set<dev.devmap.model.Dma> back = new HashSet<>(t.dma());
            back.addAll(mine);
            State with = t.withDma(back);
            Requirement v = violated(props, with);
            List<String> path = new ArrayList<>();
            if (v == null) v = lookahead(m, props, with, path);
            if (v != null) {
                return new Verdict(v, a.i() + " acknowledged the invalidation of " + a.f() + " while its DMA was still in "
                        + "flight" + (path.isEmpty() ? "" : "; the system's own steps " + String.join(", ", path))
                        + " then violate " + v.spec(), null, path);
            }
            // InvAck's guard (the DMA drained) is what keeps a DMA off a block the fs is about to free
            return new Verdict(Requirement.S1, a.i() + " acknowledged the invalidation of " + a.f() + " while its DMA "
                    + "was still in flight: the filesystem may now free or reuse the block under it (S1_NoStaleBlock; "
                    + "the damage is not reached within the lookahead of this trace)", null, List.of());
        }
        return null;
    }

    /**
     * An invalidation that notified fewer importers than hold mappings of the range: replay it with
     * the other importers' grants hidden (as the device must have), then look at the states.
     */
    private Verdict hiddenImporters(DeviceMapModel m, Semantics sem, List<State> pre, Op op, Outcome seen) {
        if (seen.notified() == null) return null;
        SafetyProperties props = new SafetyProperties(m);
        for (State s : pre) {
            Outcome x = sem.apply(s, op).outcome();
            if (x.notified() == null || x.kind() != Outcome.Answer.STARTED && x.kind() != Outcome.Answer.DONE) continue;
            Set<String> missing = new HashSet<>(x.notified());
            missing.removeAll(seen.notified());
            if (missing.isEmpty() || !x.notified().containsAll(seen.notified())) continue;
            Set<Grant> hidden = new HashSet<>();
            for (Grant g : s.maps()) if (missing.contains(g.i())) hidden.add(g);
            Set<Grant> kept = new HashSet<>(s.maps());
            kept.removeAll(hidden);
            State without = s.withMaps(kept);
            Semantics.Result r = sem.apply(without, op);
            Set<Grant> back = new HashSet<>(r.next().maps());
            back.addAll(hidden);
            State t = r.next();
            State with = t.withMaps(back);
            String who = String.join(", ", new java.util.TreeSet<>(missing));
            Requirement v = violated(props, with);
            if (v != null) {
                return new Verdict(v, op.show() + " did not notify " + who + ", which holds a mapping of the range: "
                        + "the change goes ahead under its live mapping (" + v.spec() + ")", null, List.of());
            }
            List<String> path = new ArrayList<>();
            v = lookahead(m, props, with, path);
            if (v != null) {
                return new Verdict(v, op.show() + " did not notify " + who + ", which holds a mapping of the range; "
                        + "the system's own steps " + String.join(", ", path) + " then violate " + v.spec(), null, path);
            }
        }
        return null;
    }
}
