package dev.devmap.props;

import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The facade ({@code dev.devmap.kernelapi.Semantics}: operations as a program, a driver or a device
 * issues them, with observable outcomes) agrees with the state machine. In every state a chain
 * visits, every operation of the configuration is applied and:
 * <ul>
 *   <li>its next state is exactly what its reported spec actions give, each enabled in turn;</li>
 *   <li>an outcome that says nothing happened (wait, busy, error, refused, a value read from the
 *       cache) leaves the state as it was and reports no action;</li>
 *   <li>a refusal names the reason the model's {@code Refusal} gives, which is the first of the
 *       protocol's order ({@link Oracles#reasons});</li>
 *   <li>a read returns the last write (the spec's ghost);</li>
 *   <li>when the operation's own spec action is enabled, the facade takes it (it does not refuse,
 *       wait or fail what the model allows);</li>
 *   <li>the BAR it reports is the next state's.</li>
 * </ul>
 */
@AddLifecycleHook(CampaignHook.class)
class FacadeAgreementProperties {

    @Property(tries = 30)
    void theFacadeAgreesWithTheStateMachine(@ForAll("large") ActionChain<Run> chain) {
        Run run = chain.run();
        run.verify();
        DeviceMapModel m = run.m;
        Semantics sem = new Semantics(m);
        List<Op> ops = operations(run.c);
        for (State s : run.visited) {
            for (Op op : ops) {
                Semantics.Result r = sem.apply(s, op);
                Statistics.label("outcome").collect(r.outcome().kind().wire());
                agree(m, s, op, r);
            }
        }
    }

    private static void agree(DeviceMapModel m, State s, Op op, Semantics.Result r) {
        String what = op.show() + " -> " + r.outcome().show() + " (" + r.why() + ")";
        State x = s;
        for (Action a : r.actions()) {
            Step st = m.step(x, a);
            assertThat(st).as("%s: reported action %s is not enabled", what, a).isInstanceOf(Step.Next.class);
            x = ((Step.Next) st).state();
        }
        assertThat(r.next()).as("%s: next state is not what its actions give", what).isEqualTo(x);
        Outcome.Kind k = r.outcome().kind();
        if (Set.of(Outcome.Kind.WAIT, Outcome.Kind.BUSY, Outcome.Kind.ERROR, Outcome.Kind.REFUSED).contains(k)) {
            assertThat(r.actions()).as("%s: nothing may happen", what).isEmpty();
            assertThat(r.next()).as(what).isEqualTo(s);
        }
        if (k == Outcome.Kind.REFUSED) {
            assertThat(op).as(what).isInstanceOf(Op.DeviceMap.class);
            Op.DeviceMap d = (Op.DeviceMap) op;
            Reason why = m.refusal(s, d.i(), d.f(), d.lo(), d.hi(), d.pin(), d.w(), d.at());
            assertThat(why).as(what).isNotNull();
            assertThat(r.outcome().reason()).as(what).isEqualTo(why.tla());
            assertThat(Oracles.reasons(m.constants(), s, d.i(), d.f(), d.lo(), d.hi(), d.pin(), d.w(), d.at()).get(0))
                    .as(what).isEqualTo(why);
        }
        if (k == Outcome.Kind.VALUE && (op instanceof Op.Read || op instanceof Op.DevRead)) {
            String f = op instanceof Op.Read rd ? rd.f() : ((Op.DevRead) op).f();
            int o = op instanceof Op.Read rd ? rd.o() : ((Op.DevRead) op).o();
            assertThat(r.outcome().value()).as("%s: a read returns the last write", what).isEqualTo(m.lastw(s, f, o));
        }
        if (r.outcome().bar() != null) {
            assertThat(r.outcome().bar()).as("%s: reported BAR", what).isEqualTo(r.next().bar());
        }
        Action own = ownAction(op);
        if (own != null && m.step(s, own) instanceof Step.Next) {
            assertThat(r.actions()).as("%s: the model allows %s, the facade must take it", what, own).isNotEmpty();
            assertThat(r.actions().get(0)).as(what).isEqualTo(own);
        }
    }

    /** The spec action an operation stands for, when there is exactly one; else null. */
    static Action ownAction(Op op) {
        if (op instanceof Op.Mmap x) return new Action.Mmap(x.f());
        if (op instanceof Op.Munmap x) return new Action.Munmap(x.f());
        if (op instanceof Op.Write x) return new Action.CpuWrite(x.f(), x.o());
        if (op instanceof Op.Truncate x) return new Action.Truncate(x.f(), x.n());
        if (op instanceof Op.PunchHole x) return new Action.PunchHole(x.f(), x.lo(), x.hi());
        if (op instanceof Op.Fallocate x) return new Action.Fallocate(x.f(), x.o());
        if (op instanceof Op.Reflink x) return new Action.Reflink(x.f(), x.o(), x.p());
        if (op instanceof Op.Writeback x) return new Action.Writeback(x.f(), x.o());
        if (op instanceof Op.Evict x) return new Action.Evict(x.f(), x.o());
        if (op instanceof Op.Relocate x) return new Action.Relocate(x.f(), x.o());
        if (op instanceof Op.Unshare x) return new Action.Unshare(x.f(), x.o());
        if (op instanceof Op.DeviceMap x) return new Action.MapPrepare(x.i(), x.f(), x.lo(), x.hi(), x.pin(), x.w(), x.at());
        if (op instanceof Op.DeviceUnmap x) return new Action.DeviceUnmap(x.i(), x.f(), x.lo());
        if (op instanceof Op.Unpin x) return new Action.DmaBufRelease(x.i(), x.f(), x.lo());
        if (op instanceof Op.DmaEnd x) return new Action.DmaEnd(x.i());
        if (op instanceof Op.InvAck x) return new Action.InvAck(x.i(), x.f());
        if (op instanceof Op.RevokeAck x) return new Action.RevokeAck(x.i());
        if (op instanceof Op.BarReclaim x) return new Action.BarReclaim(x.i(), x.f(), x.lo());
        if (op instanceof Op.Unplug) return new Action.UnplugStart();
        return null;
    }

    /** Every operation of the configuration. */
    static List<Op> operations(Constants c) {
        List<Op> ops = new ArrayList<>();
        int n = c.nOff();
        boolean[] bools = {false, true};
        for (String f : c.files()) {
            ops.add(new Op.Mmap(f));
            ops.add(new Op.Munmap(f));
            for (int k = 0; k < n; k++) ops.add(new Op.Truncate(f, k));
            for (int lo = 1; lo <= n; lo++) for (int hi = lo; hi <= n; hi++) ops.add(new Op.PunchHole(f, lo, hi));
            for (int o = 1; o <= n; o++) {
                ops.add(new Op.Write(f, o));
                ops.add(new Op.Read(f, o));
                ops.add(new Op.Fallocate(f, o));
                ops.add(new Op.Writeback(f, o));
                ops.add(new Op.Evict(f, o));
                ops.add(new Op.Relocate(f, o));
                ops.add(new Op.Unshare(f, o));
                for (int p = 1; p <= n; p++) if (p != o) ops.add(new Op.Reflink(f, o, p));
            }
            for (String i : c.importers()) {
                ops.add(new Op.InvAck(i, f));
                for (int lo = 1; lo <= n; lo++) {
                    ops.add(new Op.DeviceUnmap(i, f, lo));
                    ops.add(new Op.Unpin(i, f, lo));
                    ops.add(new Op.BarReclaim(i, f, lo));
                    for (int hi = lo; hi <= n; hi++) {
                        for (boolean pin : bools) for (boolean w : bools) for (boolean at : bools) for (boolean commit : bools) {
                            ops.add(new Op.DeviceMap(i, f, lo, hi, pin, w, at, commit));
                        }
                    }
                }
                for (int o = 1; o <= n; o++) {
                    ops.add(new Op.DevRead(i, f, o));
                    ops.add(new Op.DevWrite(i, f, o));
                    ops.add(new Op.DmaStart(i, f, o, DmaOp.READ));
                    ops.add(new Op.DmaStart(i, f, o, DmaOp.WRITE));
                }
            }
        }
        for (String i : c.importers()) {
            ops.add(new Op.MapCommit(i));
            ops.add(new Op.DmaEnd(i));
            ops.add(new Op.RevokeAck(i));
        }
        ops.add(new Op.Unplug());
        ops.add(new Op.Settle());
        return ops;
    }

    @Provide
    Arbitrary<ActionChain<Run>> large() {
        return Chains.chains(Chains.onModel("large"), Campaign.chainLength(40));
    }
}
