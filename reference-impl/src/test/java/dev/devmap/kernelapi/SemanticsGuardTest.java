package dev.devmap.kernelapi;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Guard;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.Transition;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The facade grades a disabled step by the guard the model names, never by checking guards again. */
class SemanticsGuardTest {
    /** gpu has a P2P route, nic has none. */
    static Constants constants(Variant v) {
        return new Constants(List.of("f1"), 2, 3, List.of("gpu", "nic"), Set.of("gpu"), Set.of(),
                Set.of("gpu"), 2, 100, true, true, v);
    }

    static State run(DeviceMapModel m, Action... as) { return run(m, m.init(), as); }

    /** The state after the actions from s, each of which must be a step of m. */
    static State run(DeviceMapModel m, State s, Action... as) {
        for (Action a : as) {
            Step st = m.step(s, a);
            assertThat(st).as(a.toString()).isInstanceOf(Step.Next.class);
            s = ((Step.Next) st).state();
        }
        return s;
    }

    /**
     * The drift that was (fs=dax's four writeback failures): under dax-writeback-mkclean the model's
     * Writeback of a page a device maps writable starts an invalidation, but the facade answered
     * DONE for every writeback, as if the operation decided and not the model's step.
     */
    @Test
    void aWritebackThatInvalidatesIsAnsweredStartedWithTheImportersNotified() {
        Constants dax = new Constants(List.of("f1"), 2, 3, List.of("gpu", "nic"), Set.of("gpu"), Set.of(),
                Set.of("gpu"), 2, 100, false, true, false, Variant.DAX_WRITEBACK_MKCLEAN);
        DeviceMapModel m = new DeviceMapModel(dax);
        State s = run(m, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1),
                new Action.MapPrepare("gpu", "f1", 1, 1, false, true, false), new Action.MapCommit("gpu"));
        Semantics.Result r = new Semantics(m).apply(s, new Op.WritebackCall("f1", 1));
        assertThat(r.outcome().kind()).isEqualTo(Outcome.Answer.STARTED);
        assertThat(r.outcome().notified()).containsExactly("gpu");
        // the protocol without a page cache: nothing to write back, done
        DeviceMapModel ref = new DeviceMapModel(dax.withVariant(Variant.NONE));
        assertThat(new Semantics(ref).apply(s, new Op.WritebackCall("f1", 1)).outcome().kind()).isEqualTo(Outcome.Answer.DONE);
    }

    /**
     * The drift that was: under valid-flag the model's MapPrepare does not wait for a running
     * invalidation (that is the bug the variant plants), so a map the block device refuses is
     * refused; the facade re-checked the InvOver guard itself and answered WAIT.
     */
    @Test
    void underValidFlagAMapDuringAnInvalidationIsWhatTheModelSays() {
        DeviceMapModel m = new DeviceMapModel(constants(Variant.VALID_FLAG));
        State s = run(m, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1), new Action.Writeback("f1", 1),
                new Action.Evict("f1", 1), new Action.MapPrepare("gpu", "f1", 1, 1, false, false, false),
                new Action.MapCommit("gpu"), new Action.Truncate("f1", 0));
        assertThat(m.inv(s, "f1").on()).as("truncate waits for gpu's ack").isTrue();
        Step model = m.step(s, new Action.MapPrepare("nic", "f1", 1, 1, false, false, false));
        assertThat(Step.guardOf(model)).isEqualTo(Guard.REFUSED);

        Semantics.Result r = new Semantics(m).apply(s, new Op.DeviceMapCall("nic", "f1", 1, 1, false, false, false, true));
        assertThat(r.outcome().kind()).isEqualTo(Outcome.Answer.REFUSED);
        assertThat(r.outcome().reason()).isEqualTo("no-route");

        // the reference protocol waits (mmu_interval_read_begin)
        DeviceMapModel ref = new DeviceMapModel(constants(Variant.NONE));
        Semantics.Result w = new Semantics(ref).apply(s, new Op.DeviceMapCall("nic", "f1", 1, 1, false, false, false, true));
        assertThat(w.outcome().kind()).isEqualTo(Outcome.Answer.WAIT);
    }

    /** Every guard of the model has exactly one grade. */
    @Test
    void everyGuardIsGraded() {
        assertThat(Semantics.GRADES.keySet()).containsExactlyInAnyOrder(Guard.values());
    }

    /**
     * Over every reachable state of a small model of every variant (one page, one value; gpu
     * routed, nic not), a device_map the facade answers REFUSED / WAIT / BUSY / PREPARED is one
     * whose model step is disabled by REFUSED / INVALIDATION_RUNNING / PREPARED_PENDING, or enabled.
     */
    @Test
    void deviceMapOutcomesFollowTheModelsGuardInEveryVariant() {
        for (Variant v : Variant.values()) {
            DeviceMapModel m = new DeviceMapModel(new Constants(List.of("f1"), 1, 2, List.of("gpu", "nic"), Set.of("gpu"),
                    Set.of(), Set.of("gpu"), 1, 1, true, true, v));
            Semantics sem = new Semantics(m);
            Set<State> seen = new java.util.HashSet<>(List.of(m.init()));
            java.util.ArrayDeque<State> todo = new java.util.ArrayDeque<>(seen);
            while (!todo.isEmpty()) {
                State s = todo.poll();
                for (String i : List.of("gpu", "nic")) {
                    for (int flags = 0; flags < 8; flags++) {
                        boolean pin = (flags & 1) != 0, w = (flags & 2) != 0, at = (flags & 4) != 0;
                        Step st = m.step(s, new Action.MapPrepare(i, "f1", 1, 1, pin, w, at));
                        Outcome.Answer k = sem.apply(s, new Op.DeviceMapCall(i, "f1", 1, 1, pin, w, at, false)).outcome().kind();
                        // a step that prepares no map is a refusal after the map's faults (dax-exclusive-faults-first)
                        Outcome.Answer expected = st instanceof Step.Next n
                                ? (n.state().pend().stream().anyMatch(p -> p.i().equals(i)) ? Outcome.Answer.PREPARED
                                        : Outcome.Answer.REFUSED)
                                : switch (Step.guardOf(st)) {
                                    case REFUSED -> Outcome.Answer.REFUSED;
                                    case INVALIDATION_RUNNING -> Outcome.Answer.WAIT;
                                    case PREPARED_PENDING -> Outcome.Answer.BUSY;
                                    default -> Outcome.Answer.ERROR;
                                };
                        assertThat(k).as("%s: device_map %s f1 1..1 flags %d in %s", v, i, flags, s).isEqualTo(expected);
                    }
                }
                for (Transition t : m.successors(s)) if (seen.add(t.next())) todo.add(t.next());
            }
        }
    }
}
