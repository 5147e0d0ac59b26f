package dev.devmap.props;

import dev.devmap.model.Action;
import dev.devmap.model.Cause;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Exp;
import dev.devmap.model.Inv;
import dev.devmap.model.Liveness;
import dev.devmap.model.State;
import dev.devmap.model.Step;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bounded liveness. From a state, let only the system act (the actions FairSpec makes weakly fair:
 * DMA completion, acknowledgements, the end of an invalidation, drivers resolving a prepared map,
 * revoke acknowledgements, the end of exporter removal) and no program or voluntary unmap; after at
 * most {@link #BOUND} such steps the system must be quiet: no invalidation running (L1, L4), no DMA
 * in flight (L2), no prepared map (L3), no exporter removal under way (L5), and the BAR holding
 * exactly the pages of the grants (L6).
 */
final class Drain {
    /** Far more steps than draining any state of the models needs (each step retires work). */
    static final int BOUND = 64;

    private final DeviceMapModel m;
    /** FairSpec's weakly fair actions (one list, {@link Liveness#FAIR}), tried in its order. */
    private final List<Action> system = new ArrayList<>();

    Drain(DeviceMapModel m) {
        this.m = m;
        system.addAll(Liveness.fairActions(m.constants()));
    }

    /** The system's steps from s until none is enabled, at most BOUND of them. */
    State quiesce(State s) {
        State x = s;
        for (int n = 0; n < BOUND; n++) {
            State next = null;
            for (Action a : system) {
                if (m.step(x, a) instanceof Step.Next nx) {
                    next = nx.state();
                    break;
                }
            }
            if (next == null) return x;
            x = next;
        }
        return x;
    }

    /** The first bounded liveness property that fails from s: [name, detail]. */
    Optional<String[]> check(State s) {
        State q = quiesce(s);
        Optional<Liveness.Owed> owed = Liveness.firstOwed(m, q);
        if (owed.isPresent()) {
            Liveness.LeadsTo l = owed.get().property();
            String detail = switch (l) {
                case L1_InvalidationEnds, L4_TruncateNotStarved -> {
                    Inv r = m.inv(q, owed.get().instance());
                    yield "invalidation (" + r.cause().tla() + ") still waiting for " + r.await() + " after the system ran alone";
                }
                case L2_AccessCompletes -> "DMA still in flight: " + q.dma();
                case L3_RetryTerminates -> "prepared map never resolved: " + q.pend();
                case L5_UnplugFinishes -> "exporter removal never finishes: waiting for "
                        + (q.rev().isEmpty() ? "grants " + q.maps().size() + " nobody revokes" : "revoke acks of " + q.rev());
                case L6_UnmapReturnsBar -> "BAR accounts " + q.bar() + " pages but grants hold " + m.held(q);
            };
            return Optional.of(new String[] {l.name() + "[bounded]", detail});
        }
        int held = m.held(q);
        if (q.bar() != held) {   // fewer pages than the grants hold (L6's P is "more"): reported as L6 too
            return Optional.of(new String[] {Violation.L6, "BAR accounts " + q.bar() + " pages but grants hold " + held});
        }
        return Optional.empty();
    }
}
