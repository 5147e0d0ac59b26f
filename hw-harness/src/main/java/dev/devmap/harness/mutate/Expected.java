package dev.devmap.harness.mutate;

import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.Response;
import dev.devmap.harness.oracle.Failure;
import dev.devmap.harness.oracle.Protects;
import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.model.Guard;
import dev.devmap.model.Reason;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The row a mutation should be named after, derived from what it mutates at the first place it was
 * applied in the scenario that caught it (the operation, the true answer, the model's states there),
 * never from the diagnosis of the failure: a skipped refusal reason is the row that reason protects
 * and a skipped guard the row that guard protects (both through the one table, {@link Protects}); a
 * report left out is the row of the guard its step lifts, or, when nothing asked for it before the
 * device settled, the L row that promises the step; a value or a path is S5; a BAR count S9 over the
 * capacity, S12 on a step that grants nothing, else L6; an address or a handle the harness-only row
 * of its check. "Reference" where no S or L row applies, with the reason.
 *
 * @param row the requirement (null when the mutation should be equivalent)
 * @param why the rule that gave it
 */
public record Expected(Requirement row, String why) {

    /**
     * The first place a mutation was applied in a scenario's first execution: the request, the true
     * answer, the mutated one, the model's states before it, the event it changed (for an event
     * mutation), and the first observation from there on that a probe oracle rejected (the harness's
     * own check, with a forged report left out), with the states just before it (null: none).
     */
    public record Site(Request req, Response truth, Response mutated, List<State> pre, DutConfig cfg, Event event,
                       Failure probe, boolean atSettle, List<State> probeStates) {
        Site withProbe(Failure f, boolean settle, List<State> states) {
            return new Site(req, truth, mutated, pre, cfg, event, f, settle, List.copyOf(states));
        }

        /** The probe's first failure was the device settling with steps owed. */
        boolean owedAtSettle() { return probe != null && (atSettle || probe.kind() == Failure.Mismatch.LIVENESS); }
    }

    public boolean equivalent() { return row == null; }

    /** The row's name as the campaign prints it ("equivalent" when none is expected). */
    public String name() { return row == null ? "equivalent" : row.spec(); }

    private static Expected of(Requirement r, String why) { return new Expected(r, why); }

    private static Expected of(Protects p, String what) {
        return p.row() == null ? of(Requirement.REF, what + ", which protects no S or L row: " + p.why())
                : of(p.row(), what + ", which protects " + p.row().spec() + ": " + p.why());
    }

    /** The expected row of mutation m applied at site s. */
    public static Expected of(Mutation m, Site s, Semantics sem) {
        return m.onEvent() ? event(m, s, sem) : field(m, s, sem);
    }

    // ------------------------------------------------------------------ fields of an answer

    private static Expected field(Mutation m, Site s, Semantics sem) {
        Outcome t = s.truth().outcome();
        Op op = s.req().op();
        switch (m.field()) {
            case RESULT: return result(t, op, s, sem);
            case REASON: {
                Reason r = Reason.of(t.reason());
                Reason r2 = Reason.of(s.mutated().outcome().reason());
                Op.DeviceMapCall d = (Op.DeviceMapCall) op;
                SafetyProperties props = new SafetyProperties(sem.model());
                for (State st : s.pre()) {
                    if (r2.ordinal() > r.ordinal() && props.applies(st, r2, d.i(), d.f(), d.lo(), d.hi(), d.pin(), d.w(), d.at())) {
                        return of(Protects.of(r), "refused for the later reason " + r2.tla() + ", whose condition holds too: "
                                + "the check '" + r.tla() + "' was skipped, and it protects " + Protects.of(r).spec());
                    }
                }
                return of(Requirement.S14, "refused as " + r2.tla() + " where the first reason whose condition holds is "
                        + r.tla() + ": the order of the refusals (S14)");
            }
            case VALUE: return of(Requirement.S5, "a value other than the last write: every reader sees the last write (S5)");
            case PATH: return of(Requirement.S5, "another access path than the one holding the page's current copy (S5)");
            case NOTIFIED: {
                Set<String> n = t.notified();
                Set<String> n2 = s.mutated().outcome().notified();
                if (n2.containsAll(n)) {
                    return of(Requirement.REF, "a notice to an importer the operation does not revoke: it takes nothing "
                            + "away and moves no block, so no S or L row applies");
                }
                return notifiedCause(op);
            }
            case BAR: {
                int bar = s.mutated().outcome().bar();
                if (bar > s.cfg().barPages()) return of(Requirement.S9, "BAR use over the capacity (S9: bar <= BarSize)");
                if (!grants(s.truth())) {
                    return of(Requirement.S12, "BAR pages taken by a step that grants nothing (S12: it gives back exactly "
                            + "the pages of the grants it removes)");
                }
                return of(Requirement.L6, "a grant or prepared map accounted with a page more than it holds: "
                        + "bar > Held and nothing returns it (L6)");
            }
            case ADDRS:
                return of(Protects.of(Failure.Mismatch.ADDRESS_OUTSIDE_BAR), "a DMA address outside the BAR (harness-only check)");
            case DMABUF:
                return s.truth().dmabuf() != null
                        ? of(Protects.of(Failure.Mismatch.PIN_WITHOUT_DMABUF), "a PIN grant without its dma_buf (harness-only check)")
                        : of(Protects.of(Failure.Mismatch.DMABUF_WITHOUT_PIN), "a dma_buf for a grant without PIN (harness-only check)");
            default:
                return new Expected(null, "block numbers are informational in the agent protocol: no check reads them");
        }
    }

    /** The answer's kind changed (see MutatingDevice's otherKind). */
    private static Expected result(Outcome t, Op op, Site s, Semantics sem) {
        switch (t.kind()) {
            case REFUSED: {
                Reason r = Reason.of(t.reason());
                return of(Protects.of(r), "granted where the model refuses " + r.tla() + ": the skipped reason protects "
                        + Protects.of(r).spec());
            }
            case GRANTED:
                return of(Requirement.S14, "refused where no refusal's condition holds (S14: device_map grants when none holds)");
            case PREPARED:
                return of(Requirement.REF, "committed where only prepared: a map just decided is not stale (the sequence "
                        + "count moves only by a later invalidation), so its commit is a step the model allows right then; "
                        + "no S or L row separates the two");
            case RETRY:
                return of(Protects.of(Guard.STALE, false), "committed a prepared map the model retries (guard STALE)");
            case STARTED:
                return of(Protects.of(Guard.ACKS_OUTSTANDING, false), "done where the model's invalidation waits for "
                        + "acknowledgements (guard ACKS_OUTSTANDING)");
            case BUSY:
            case WAIT:
            case ERROR: {
                for (State st : s.pre()) {
                    Guard g = sem.apply(st, op).guard();
                    if (g != null && g != Guard.REFUSED) {
                        return of(Protects.of(g, startsDma(op)), "went ahead where the model's guard " + g + " answers "
                                + t.kind().wire());
                    }
                }
                return of(Requirement.REF, "went ahead where the model answers " + t.kind().wire() + " by no guard");
            }
            case IDLE:
                return of(Requirement.REF, "settle answered with a kind it does not have: no state of the spec follows");
            default: {
                // done or value answered error: the device declined an operation the protocol allows
                Event.Type owed = reportOp(op);
                if (owed != null) {
                    return of(lifts(owed), "declined the importer's " + owed.wire() + " report, whose step lifts a guard");
                }
                return of(Requirement.REF, "declined (error) an operation the protocol allows: the state stays, no S "
                        + "property forbids that, and no L row promises that a program's operation succeeds");
            }
        }
    }

    /** A change that went ahead under the grant of an importer it did not notify: the row its invalidation keeps. */
    private static Expected notifiedCause(Op op) {
        if (op instanceof Op.ReadCall || op instanceof Op.WriteCall || op instanceof Op.DevReadCall
                || op instanceof Op.DevWriteCall || op instanceof Op.WritebackCall || op instanceof Op.EvictCall) {
            return of(Requirement.S5, "an importer with a grant not notified of a page-cache access: a cache copy "
                    + "beside its mapping (S5, what that invalidation keeps)");
        }
        if (op instanceof Op.TruncateCall || op instanceof Op.PunchHoleCall || op instanceof Op.FallocateCall
                || op instanceof Op.ReflinkCall || op instanceof Op.RelocateCall || op instanceof Op.UnshareCall) {
            return of(Requirement.S2, "an importer with a grant not notified of a layout change: the extent changes "
                    + "under its grant (S2, what that invalidation keeps)");
        }
        return of(Requirement.S3, "an importer with a grant not notified: its grant stays live while the range is "
                + "invalidated (S3)");
    }

    private static boolean grants(Response r) {
        Outcome.Answer k = r.outcome().kind();
        if (k == Outcome.Answer.GRANTED || k == Outcome.Answer.PREPARED || k == Outcome.Answer.RETRY) return true;
        for (List<Event> es : List.of(r.before(), r.after())) {
            for (Event e : es) if (e.kind() == Event.Type.MAP_COMMIT || e.kind() == Event.Type.MAP_RETRY) return true;
        }
        return false;
    }

    private static boolean startsDma(Op op) {
        return op instanceof Op.DmaStartCall || op instanceof Op.DevReadCall || op instanceof Op.DevWriteCall;
    }

    /** The report an importer's operation makes (its answer declined: the report is missing). */
    private static Event.Type reportOp(Op op) {
        if (op instanceof Op.InvAckCall) return Event.Type.ACK;
        if (op instanceof Op.RevokeAckCall) return Event.Type.REVOKE_ACK;
        if (op instanceof Op.DmaEndCall) return Event.Type.DMA_END;
        return null;
    }

    /** An importer's report operation as the report it makes. */
    private static Event asReport(Op op) {
        if (op instanceof Op.InvAckCall x) return new Event(Event.Type.ACK, x.i(), x.f(), null);
        if (op instanceof Op.RevokeAckCall x) return new Event(Event.Type.REVOKE_ACK, x.i(), null, null);
        Op.DmaEndCall d = (Op.DmaEndCall) op;
        return new Event(Event.Type.DMA_END, d.i(), null, null);
    }

    // ------------------------------------------------------------------ events

    /** What the step of a report lifts: the guard a later report or answer runs into when the report is missing. */
    private static Protects lifts(Event.Type k) {
        switch (k) {
            case ACK: return Protects.of(Guard.ACKS_OUTSTANDING, false);
            case INV_END: return Protects.of(Guard.INVALIDATION_RUNNING, false);
            case DMA_END: return Protects.of(Guard.DMA_IN_FLIGHT, false);
            case REVOKE_ACK: return Protects.of(Guard.REMOVAL_OUTSTANDING, false);
            case UNPLUG_END: return Protects.of(Guard.EXPORTER_GONE, false);
            default: return Protects.of(Guard.PREPARED_PENDING, false);   // map_commit, map_retry: one prepared map per importer
        }
    }

    /** The L row that promises the step of a report (it is owed when the device settles without it). */
    private static Requirement promises(Event e, List<State> states, Semantics sem) {
        switch (e.kind()) {
            case ACK:
            case INV_END: {
                // the spec's own statement of L4's premise (a truncate or punch invalidation of the file)
                for (State st : states) {
                    if (dev.devmap.model.Liveness.LeadsTo.L4_TruncateNotStarved.p(sem.model(), st, e.file())) return Requirement.L4;
                }
                return Requirement.L1;
            }
            case DMA_END: return Requirement.L2;
            case MAP_COMMIT:
            case MAP_RETRY: return Requirement.L3;
            default: return Requirement.L5;
        }
    }

    /** Does report x need report y before it (the step of y lifts the guard of x's step)? */
    private static boolean needs(Event x, Event y) {
        switch (x.kind()) {
            case INV_END: return y.kind() == Event.Type.ACK && java.util.Objects.equals(y.file(), x.file());
            case ACK: return y.kind() == Event.Type.DMA_END && java.util.Objects.equals(y.imp(), x.imp());
            case REVOKE_ACK: return y.kind() == Event.Type.DMA_END && java.util.Objects.equals(y.imp(), x.imp());
            case UNPLUG_END: return y.kind() == Event.Type.REVOKE_ACK;
            default: return false;
        }
    }

    private static Expected event(Mutation m, Site s, Semantics sem) {
        Event e = s.event();
        switch (m.how()) {
            case DUPLICATE:
                return of(Requirement.REF, "a second " + e.kind().wire() + " report: its step has nothing to act on "
                        + "(" + Protects.of(Guard.NOT_AWAITED, false).why() + ")");
            case REORDER: return reorder(s, sem);
            default: return missing(m, s, sem);
        }
    }

    /** The report is missing where it belonged (dropped, delayed, replaced by a forged one the check sets aside). */
    private static Expected missing(Mutation m, Site s, Semantics sem) {
        Event e = s.event();
        if (s.probe() == null && m.how() == Mutation.EventChange.FORGE) {
            // the harness stops at the forged report; nothing it saw before shows the true one missing
            return of(Requirement.REF, "a forged " + e.kind().wire() + " report has nothing to act on ("
                    + Protects.of(Guard.NOT_AWAITED, false).why() + "), and nothing observed up to it shows the true "
                    + e.kind().wire() + " missing (a later answer may still carry it, as it carries a delayed one): "
                    + "no S or L row is observed to fail");
        }
        if (s.probe() == null) {
            return new Expected(null, e.kind().wire() + " " + m.how().name().toLowerCase(Locale.ROOT) + ": nothing in the scenario "
                    + "asked for it");
        }
        if (s.owedAtSettle()) {
            Requirement r = promises(e, s.probeStates(), sem);
            return of(r, e.kind().wire() + " missing when the device settled: the L row promising its step (" + r.spec() + ")");
        }
        return of(lifts(e.kind()), e.kind().wire() + " missing where a later report or answer needs its step");
    }

    private static final Event OP = new Event(Event.Type.ACK, "\u0000op", "\u0000op", null);

    private static List<Event> sequence(Response r) {
        List<Event> out = new ArrayList<>(r.before());
        out.add(OP);
        out.addAll(r.after());
        return out;
    }

    private static Expected reorder(Site s, Semantics sem) {
        List<Event> t = sequence(s.truth());
        List<Event> mu = sequence(s.mutated());
        Event e = s.event();
        int ti = t.indexOf(e);
        int mi = mu.indexOf(e);
        int top = t.indexOf(OP);
        int mop = mu.indexOf(OP);
        if ((ti < top) != (mi < mop)) {
            Event.Type cause = reportOp(s.req().op());
            if (mi < mop && cause != null && needs(e, asReport(s.req().op()))) {
                return of(lifts(cause), e.kind().wire() + " reported before the " + cause.wire() + " (the operation) its "
                        + "step waits for");
            }
            if (mi < mop) {
                return of(Requirement.REF, e.kind().wire() + " reported before the operation that causes it: its step "
                        + "has nothing to act on yet (" + Protects.of(Guard.NOT_AWAITED, false).why() + ")");
            }
            if (s.probe() == null) return new Expected(null, e.kind().wire() + " after the operation: nothing asked for it earlier");
            return s.owedAtSettle() ? of(promises(e, s.probeStates(), sem), "owed when settled")
                    : of(lifts(e.kind()), e.kind().wire() + " after the operation that needs its step");
        }
        // swapped with a neighbour: the pair now out of order
        for (int a = 0; a < mu.size(); a++) {
            for (int b = a + 1; b < mu.size(); b++) {
                Event x = mu.get(a);
                Event y = mu.get(b);
                if (x == OP || y == OP || t.indexOf(x) < t.indexOf(y)) continue;
                if (needs(x, y)) {
                    return of(lifts(y.kind()), x.kind().wire() + " reported before the " + y.kind().wire()
                            + " its step waits for");
                }
            }
        }
        return new Expected(null, "reordered with a report it does not depend on: the model takes both in either order");
    }
}
