package dev.devmap.harness.oracle;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Requirement;
import dev.devmap.model.Action;
import dev.devmap.model.Cause;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Exp;
import dev.devmap.model.Grant;
import dev.devmap.model.Inv;
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
 *     with its grants hidden from the invalidation; a BAR address outside the window or still mapped
 *     is S9 or S8; a device that stops owing steps is the liveness row of the step it owes; anything
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

    /** The hypotheses: every known mistake of the spec, as the constants of its model. */
    public List<Constants> hypotheses() {
        List<Constants> out = new ArrayList<>();
        for (Variant v : Variant.values()) {
            if (v == Variant.NONE || v.choice()) continue;   // a kernel's choice is a difference, not a mistake
            Constants c = cfg.constants(v);
            if (v == Variant.UNBOUNDED_REVOKE) {
                c = new Constants(c.files(), c.nOff(), c.nBlocks(), c.importers(), c.route(), c.atomicRoute(),
                        c.writeOK(), c.barSize(), c.maxVal(), c.pinSupport(), false, c.pageCache(), v);
            }
            out.add(c);
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
        List<State> pre = new ArrayList<>(o.kernel().states());
        switch (f.kind()) {
            case LIVENESS: {
                o.check(it.request(), it.response());
                return liveness(m, o.kernel().states(), o.kernel().internal());
            }
            case ADDRESS_COUNT:
            case ADDRESS_OUTSIDE_BAR:
                return new Verdict(Requirement.S9, f.detail(), null, List.of());
            case ADDRESS_REPEATED:
            case ADDRESS_ALIAS:
                return new Verdict(Requirement.S8, f.detail(), null, List.of());
            case PIN_WITHOUT_DMABUF:
            case DMABUF_ALIAS:
                return new Verdict(Requirement.S7, f.detail(), null, List.of());
            case EVENT: {
                Event e = it.response().before().stream().filter(x -> f.observed().equals("event " + x.show()))
                        .findFirst().orElse(null);
                if (e == null) {
                    e = it.response().after().stream().filter(x -> f.observed().equals("event " + x.show()))
                            .findFirst().orElse(null);
                }
                return new Verdict(e == null ? Requirement.REF : eventRow(m, sem, pre, e), f.detail(), null, List.of());
            }
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
                return new Verdict(Requirement.REF, f.detail(), null, List.of());
            }
            default:
                return new Verdict(Requirement.REF, f.detail(), null, List.of());
        }
    }

    /**
     * The requirement a refusal reason protects: a map granted (or refused for a later reason) where
     * the model refuses is named after what the skipped check protects, not "Reference".
     */
    public static Requirement protects(Reason r) {
        switch (r) {
            case CACHED: return Requirement.S5;
            case EXPORTER_GONE: return Requirement.S8;
            case BAR_FULL: return Requirement.S9;
            default: return Requirement.S10;   // hole, shared, pin-unsupported, no-route, no-atomic-route, write-not-allowed
        }
    }

    /** device_map: the model refuses with a reason, the device grants or gives another reason. */
    private static Verdict skippedRefusal(Semantics sem, List<State> pre, Op op, Outcome seen, Failure f) {
        if (!(op instanceof Op.DeviceMapCall)) return null;
        if (seen.kind() != Outcome.Answer.GRANTED && seen.kind() != Outcome.Answer.PREPARED
                && seen.kind() != Outcome.Answer.REFUSED) {
            return null;
        }
        for (State s : pre) {
            Outcome x = sem.apply(s, op).outcome();
            if (x.kind() != Outcome.Answer.REFUSED || x.reason().equals(seen.reason())) continue;
            Reason r = Reason.of(x.reason());
            String did = seen.kind() == Outcome.Answer.REFUSED ? "refused it as " + seen.reason() : "granted it";
            return new Verdict(protects(r), f.detail() + ": the device " + did + " although the check '" + r.tla()
                    + "' (decided by the " + r.decidedBy() + ") applies; that check protects " + protects(r).spec(),
                    null, List.of());
        }
        return null;
    }

    /**
     * A pin that vanishes (S7): a truncate, punch or relocate the model refuses (EBUSY) because a
     * dma_buf pins the range goes ahead, or an access the model takes through a pinned grant (which
     * survives munmap) takes another path.
     */
    private static Verdict pinVanished(DeviceMapModel m, Semantics sem, List<State> pre, Op op, Outcome seen, Failure f) {
        for (State s : pre) {
            Semantics.Result x = sem.apply(s, op);
            Outcome o = x.outcome();
            boolean pinned = false;
            for (Grant g : s.maps()) if (g.pin()) pinned = true;
            if (!pinned) continue;
            if (o.kind() == Outcome.Answer.BUSY && (seen.kind() == Outcome.Answer.DONE || seen.kind() == Outcome.Answer.STARTED)
                    && (op instanceof Op.TruncateCall || op instanceof Op.PunchHoleCall || op instanceof Op.RelocateCall)) {
                return new Verdict(Requirement.S7, f.detail() + ": a dma_buf pins the range, so the change must be refused "
                        + "(EBUSY); the pinned blocks change under the pin", null, List.of());
            }
            if (o.path() != null && seen.path() != o.path() && (o.path() == Outcome.Path.BLOCK
                    || o.path() == Outcome.Path.DIRECT && op instanceof Op.DevReadCall r && pinnedGrant(s, r.i(), r.f(), r.o())
                    || o.path() == Outcome.Path.DIRECT && op instanceof Op.DevWriteCall w && pinnedGrant(s, w.i(), w.f(), w.o()))) {
                return new Verdict(Requirement.S7, f.detail() + ": the access goes through a pinned mapping (a pin lives "
                        + "until its dma_buf is released); the device took another path", null, List.of());
            }
        }
        return null;
    }

    private static boolean pinnedGrant(State s, String i, String f, int o) {
        for (Grant g : s.maps()) if (g.pin() && g.i().equals(i) && g.f().equals(f) && g.in(o)) return true;
        return false;
    }

    /**
     * The row of an internal step no allowed state permits: the end of an invalidation some importer
     * has not acknowledged (S4), the end of a removal with something still mapped (S8), a commit the
     * sequence count forbids (S3), a DMA that completes with another value (S5); a step with nothing
     * to act on (a second acknowledgement, a DMA that is not in flight) is "Reference".
     */
    static Requirement eventRow(DeviceMapModel m, Semantics sem, List<State> pre, Event e) {
        for (State s : pre) {
            switch (e.kind()) {
                case INV_END:
                    if (m.inv(s, e.file()).on()) return Requirement.S4;
                    break;
                case UNPLUG_END:
                    if (s.exp() == Exp.REMOVING) return Requirement.S8;
                    break;
                case MAP_COMMIT:
                    for (dev.devmap.model.Pending p : s.pend()) if (p.i().equals(e.imp())) return Requirement.S3;
                    break;
                case DMA_END:
                    if (sem.dmaValue(s, e.imp()) != null) return Requirement.S5;
                    break;
                default:
                    break;
            }
        }
        return Requirement.REF;
    }

    /** The outcome is the model's except for the BAR pages in use: leaked (L6) or under-counted (S9). */
    private static Verdict barOnly(Semantics sem, List<State> pre, Op op, Outcome seen, Failure f) {
        if (seen.bar() == null) return null;
        for (State s : pre) {
            Outcome x = sem.apply(s, op).outcome();
            if (x.withBar(null).equals(seen.withBar(null)) && x.bar() != null && !x.bar().equals(seen.bar())) {
                return seen.bar() > x.bar()
                        ? new Verdict(Requirement.L6, f.detail() + ": BAR pages stay accounted after the mapping is gone",
                                null, List.of())
                        : new Verdict(Requirement.S9, f.detail() + ": the exporter accounts fewer BAR pages than are mapped",
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
                    Inv inv = m.inv(s, e.file());
                    x = inv.on() && (inv.cause() == Cause.TRUNCATE || inv.cause() == Cause.PUNCH) ? Requirement.L4
                            : Requirement.L1;
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
            if (sem.apply(s, op).outcome().kind() != Outcome.Answer.BUSY) continue;
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
