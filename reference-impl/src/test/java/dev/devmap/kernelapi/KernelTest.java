package dev.devmap.kernelapi;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.DmaOp;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kernel-shaped facade over the reference model. */
class KernelTest {
    static Constants constants(Variant v) {
        return new Constants(List.of("f1"), 2, 3, List.of("gpu", "nic"), Set.of("gpu", "nic"), Set.of("gpu"),
                Set.of("gpu"), 2, 100, true, true, v);
    }

    /** mmap f1 and make page o written and uncached. */
    static Kernel written(int... pages) {
        Kernel k = new Kernel(constants(Variant.NONE));
        assertThat(k.mmap("f1").only().kind()).isEqualTo(Outcome.Answer.DONE);
        for (int o : pages) {
            assertThat(k.write("f1", o).only().value()).isPositive();
            k.apply(new Op.WritebackCall("f1", o)).only();
            k.apply(new Op.EvictCall("f1", o)).only();
        }
        return k;
    }

    @Test
    void deviceMapGrantsWithAddressesOrRefusesWithAReason() {
        Kernel k = written(1);
        Outcomes hole = k.deviceMap("f1", "gpu", 2, 2, EnumSet.of(Flag.WRITE));
        assertThat(hole.allowed()).extracting(Outcome::kind, Outcome::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Outcome.Answer.REFUSED, "hole"));
        hole.only();
        Outcomes atomic = k.deviceMap("f1", "nic", 1, 1, EnumSet.of(Flag.ATOMIC));
        assertThat(atomic.only().reason()).isEqualTo("no-atomic-route");
        Outcomes ok = k.deviceMap("f1", "gpu", 1, 1, EnumSet.of(Flag.WRITE));
        assertThat(ok.first().blocks()).containsExactly(1);
        assertThat(ok.first().actions()).extracting(Action::name).containsExactly("MapPrepare", "MapCommit");
        Outcome g = ok.only();
        assertThat(g.kind()).isEqualTo(Outcome.Answer.GRANTED);
        assertThat(g.bar()).isEqualTo(1);
        // a device write through the grant is what the CPU reads after the invalidation it causes
        Outcome w = k.deviceWrite("gpu", "f1", 1).only();
        assertThat(w.path()).isEqualTo(Outcome.Path.DIRECT);
        assertThat(k.read("f1", 1).only()).satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Outcome.Answer.STARTED);
            assertThat(o.notified()).containsExactly("gpu");
        });
        assertThat(k.invalidations("gpu")).containsExactly(new Kernel.Invalidation("gpu", "f1", 1, 1, "populate"));
        assertThat(k.acknowledge("gpu", "f1").only().kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(k.internal()).containsExactly(Event.invEnd("f1"));
        assertThat(k.event(Event.invEnd("f1"))).isTrue();
        assertThat(k.read("f1", 1).only().value()).isEqualTo(w.value());
    }

    @Test
    void aPinnedGrantSurvivesMunmapAndBlocksTruncate() {
        Kernel k = written(1);
        assertThat(k.pin("f1", "gpu", 1, 1, EnumSet.of(Flag.WRITE)).only().kind()).isEqualTo(Outcome.Answer.GRANTED);
        Outcome m = k.munmap("f1").only();
        assertThat(m.kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(m.notified()).isEmpty();
        assertThat(k.deviceRead("gpu", "f1", 1).only().path()).isEqualTo(Outcome.Path.DIRECT);
        assertThat(k.truncate("f1", 0).only().kind()).isEqualTo(Outcome.Answer.BUSY);
        assertThat(k.deviceUnmap("f1", "gpu", 1).only().kind()).isEqualTo(Outcome.Answer.ERROR);
        assertThat(k.unpin("f1", "gpu", 1).only().kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(k.truncate("f1", 0).only().kind()).isEqualTo(Outcome.Answer.DONE);
    }

    @Test
    void truncateWaitsForTheAcknowledgementAndDmaDrains() {
        Kernel k = written(1);
        k.deviceMap("f1", "gpu", 1, 1, EnumSet.of(Flag.WRITE)).only();
        assertThat(k.dmaStart("gpu", "f1", 1, DmaOp.WRITE).only().kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(k.truncate("f1", 0).only().kind()).isEqualTo(Outcome.Answer.STARTED);
        assertThat(k.acknowledge("gpu", "f1").only().kind()).isEqualTo(Outcome.Answer.BUSY);
        assertThat(k.deviceMap("f1", "nic", 1, 1, Set.of()).only().kind()).isEqualTo(Outcome.Answer.WAIT);
        assertThat(k.dmaEnd("gpu").only().kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(k.acknowledge("gpu", "f1").only().kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(k.event(Event.invEnd("f1"))).isTrue();
        assertThat(k.deviceMap("f1", "nic", 1, 1, Set.of()).only().reason()).isEqualTo("hole");
    }

    @Test
    void unseenInternalStepsGiveSeveralAllowedOutcomesNeverOnePickedSilently() {
        Kernel k = written(1);
        k.deviceMap("f1", "gpu", 1, 1, Set.of()).only();
        k.truncate("f1", 0).only();
        // the caller does not see acknowledgements: they may or may not have happened
        assertThat(k.closeUnder(e -> true, 1000)).isTrue();
        assertThat(k.states()).hasSize(3);
        Outcomes read = k.deviceRead("gpu", "f1", 1);
        assertThat(read.ambiguous()).isTrue();
        assertThat(read.allowed()).extracting(Outcome::kind).contains(Outcome.Answer.WAIT, Outcome.Answer.VALUE);
        assertThatThrownBy(read::only).isInstanceOf(Outcomes.AmbiguousOutcomeException.class)
                .hasMessageContaining("say which one was observed");
        assertThat(read.observe(o -> o.kind() == Outcome.Answer.VALUE)).isTrue();
        assertThat(k.states()).hasSize(1);
        assertThat(k.internal()).isEmpty();
    }

    @Test
    void aVariantRemovesItsProtection() {
        Kernel k = new Kernel(constants(Variant.NO_ACK_WAIT));
        k.mmap("f1").only();
        k.write("f1", 1).only();
        k.apply(new Op.WritebackCall("f1", 1)).only();
        k.apply(new Op.EvictCall("f1", 1)).only();
        k.deviceMap("f1", "gpu", 1, 1, Set.of()).only();
        Outcome t = k.truncate("f1", 0).only();
        assertThat(t.kind()).isEqualTo(Outcome.Answer.DONE);      // applied before the acknowledgement
        assertThat(t.notified()).containsExactly("gpu");
    }

    /** Every result's actions, replayed with the model's step function, lead to its next state. */
    @Test
    void resultsAreTheModelsStepsOnRandomWalks() {
        DeviceMapModel m = new DeviceMapModel(constants(Variant.NONE));
        Semantics sem = new Semantics(m);
        Random rnd = new Random(5);
        int moved = 0;
        for (int walk = 0; walk < 200; walk++) {
            State s = m.init();
            for (int n = 0; n < 40; n++) {
                Op op = randomOp(rnd);
                Semantics.Result r = sem.apply(s, op);
                State cur = s;
                for (Action a : r.actions()) {
                    Step st = m.step(cur, a);
                    assertThat(st).as(op.show() + " " + a).isInstanceOf(Step.Next.class);
                    cur = ((Step.Next) st).state();
                }
                assertThat(cur).as(op.show()).isEqualTo(r.next());
                if (r.actions().isEmpty()) {
                    assertThat(r.next()).as(op.show() + " -> " + r.outcome()).isSameAs(s);
                } else {
                    moved++;
                }
                s = r.next();
                List<Event> es = sem.internal(s);
                if (!es.isEmpty() && rnd.nextBoolean()) s = sem.event(s, es.get(rnd.nextInt(es.size())));
            }
        }
        assertThat(moved).isGreaterThan(1000);
    }

    static Op randomOp(Random r) {
        String i = r.nextBoolean() ? "gpu" : "nic";
        int o = 1 + r.nextInt(2);
        List<Op> ops = new ArrayList<>(List.of(new Op.MmapCall("f1"), new Op.MunmapCall("f1"), new Op.WriteCall("f1", o),
                new Op.ReadCall("f1", o), new Op.WritebackCall("f1", o), new Op.EvictCall("f1", o), new Op.TruncateCall("f1", r.nextInt(2)),
                new Op.PunchHoleCall("f1", 1, o), new Op.FallocateCall("f1", o), new Op.ReflinkCall("f1", o, 3 - o),
                new Op.RelocateCall("f1", o), new Op.UnshareCall("f1", o),
                new Op.DeviceMapCall(i, "f1", 1, o, r.nextInt(5) == 0, r.nextBoolean(), r.nextInt(5) == 0, r.nextBoolean()),
                new Op.MapCommitCall(i), new Op.DeviceUnmapCall(i, "f1", 1), new Op.UnpinCall(i, "f1", 1),
                new Op.DmaStartCall(i, "f1", o, r.nextBoolean() ? DmaOp.READ : DmaOp.WRITE), new Op.DmaEndCall(i),
                new Op.DevReadCall(i, "f1", o), new Op.DevWriteCall(i, "f1", o), new Op.InvAckCall(i, "f1"), new Op.RevokeAckCall(i),
                new Op.BarReclaimCall(i, "f1", 1)));
        if (r.nextInt(40) == 0) ops.add(new Op.UnplugCall());
        return ops.get(r.nextInt(ops.size()));
    }
}
