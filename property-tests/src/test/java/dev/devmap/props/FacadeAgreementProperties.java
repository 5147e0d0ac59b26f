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
        Outcome.Answer k = r.outcome().kind();
        if (Set.of(Outcome.Answer.WAIT, Outcome.Answer.BUSY, Outcome.Answer.ERROR, Outcome.Answer.REFUSED).contains(k)) {
            assertThat(r.actions()).as("%s: nothing may happen", what).isEmpty();
            assertThat(r.next()).as(what).isEqualTo(s);
        }
        if (k == Outcome.Answer.REFUSED) {
            assertThat(op).as(what).isInstanceOf(Op.DeviceMapCall.class);
            Op.DeviceMapCall d = (Op.DeviceMapCall) op;
            Reason why = m.refusal(s, d.i(), d.f(), d.lo(), d.hi(), d.pin(), d.w(), d.at());
            assertThat(why).as(what).isNotNull();
            assertThat(r.outcome().reason()).as(what).isEqualTo(why.tla());
            assertThat(Oracles.reasons(m.constants(), s, d.i(), d.f(), d.lo(), d.hi(), d.pin(), d.w(), d.at()).get(0))
                    .as(what).isEqualTo(why);
        }
        if (k == Outcome.Answer.VALUE && (op instanceof Op.ReadCall || op instanceof Op.DevReadCall)) {
            String f = op instanceof Op.ReadCall rd ? rd.f() : ((Op.DevReadCall) op).f();
            int o = op instanceof Op.ReadCall rd ? rd.o() : ((Op.DevReadCall) op).o();
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
        if (op instanceof Op.MmapCall x) return new Action.Mmap(x.f());
        if (op instanceof Op.MunmapCall x) return new Action.Munmap(x.f());
        if (op instanceof Op.WriteCall x) return new Action.CpuWrite(x.f(), x.o());
        if (op instanceof Op.TruncateCall x) return new Action.Truncate(x.f(), x.n());
        if (op instanceof Op.PunchHoleCall x) return new Action.PunchHole(x.f(), x.lo(), x.hi());
        if (op instanceof Op.FallocateCall x) return new Action.Fallocate(x.f(), x.o());
        if (op instanceof Op.ReflinkCall x) return new Action.Reflink(x.f(), x.o(), x.p());
        if (op instanceof Op.WritebackCall x) return new Action.Writeback(x.f(), x.o());
        if (op instanceof Op.EvictCall x) return new Action.Evict(x.f(), x.o());
        if (op instanceof Op.RelocateCall x) return new Action.Relocate(x.f(), x.o());
        if (op instanceof Op.UnshareCall x) return new Action.Unshare(x.f(), x.o());
        if (op instanceof Op.DeviceMapCall x) return new Action.MapPrepare(x.i(), x.f(), x.lo(), x.hi(), x.pin(), x.w(), x.at());
        if (op instanceof Op.DeviceUnmapCall x) return new Action.DeviceUnmap(x.i(), x.f(), x.lo());
        if (op instanceof Op.UnpinCall x) return new Action.DmaBufRelease(x.i(), x.f(), x.lo());
        if (op instanceof Op.DmaEndCall x) return new Action.DmaEnd(x.i());
        if (op instanceof Op.InvAckCall x) return new Action.InvAck(x.i(), x.f());
        if (op instanceof Op.RevokeAckCall x) return new Action.RevokeAck(x.i());
        if (op instanceof Op.BarReclaimCall x) return new Action.BarReclaim(x.i(), x.f(), x.lo());
        if (op instanceof Op.UnplugCall) return new Action.UnplugStart();
        return null;
    }

    /** Every operation of the configuration. */
    static List<Op> operations(Constants c) {
        List<Op> ops = new ArrayList<>();
        int n = c.nOff();
        boolean[] bools = {false, true};
        for (String f : c.files()) {
            ops.add(new Op.MmapCall(f));
            ops.add(new Op.MunmapCall(f));
            for (int k = 0; k < n; k++) ops.add(new Op.TruncateCall(f, k));
            for (int lo = 1; lo <= n; lo++) for (int hi = lo; hi <= n; hi++) ops.add(new Op.PunchHoleCall(f, lo, hi));
            for (int o = 1; o <= n; o++) {
                ops.add(new Op.WriteCall(f, o));
                ops.add(new Op.ReadCall(f, o));
                ops.add(new Op.FallocateCall(f, o));
                ops.add(new Op.WritebackCall(f, o));
                ops.add(new Op.EvictCall(f, o));
                ops.add(new Op.RelocateCall(f, o));
                ops.add(new Op.UnshareCall(f, o));
                for (int p = 1; p <= n; p++) if (p != o) ops.add(new Op.ReflinkCall(f, o, p));
            }
            for (String i : c.importers()) {
                ops.add(new Op.InvAckCall(i, f));
                for (int lo = 1; lo <= n; lo++) {
                    ops.add(new Op.DeviceUnmapCall(i, f, lo));
                    ops.add(new Op.UnpinCall(i, f, lo));
                    ops.add(new Op.BarReclaimCall(i, f, lo));
                    for (int hi = lo; hi <= n; hi++) {
                        for (boolean pin : bools) for (boolean w : bools) for (boolean at : bools) for (boolean commit : bools) {
                            ops.add(new Op.DeviceMapCall(i, f, lo, hi, pin, w, at, commit));
                        }
                    }
                }
                for (int o = 1; o <= n; o++) {
                    ops.add(new Op.DevReadCall(i, f, o));
                    ops.add(new Op.DevWriteCall(i, f, o));
                    ops.add(new Op.DmaStartCall(i, f, o, DmaOp.READ));
                    ops.add(new Op.DmaStartCall(i, f, o, DmaOp.WRITE));
                }
            }
        }
        for (String i : c.importers()) {
            ops.add(new Op.MapCommitCall(i));
            ops.add(new Op.DmaEndCall(i));
            ops.add(new Op.RevokeAckCall(i));
        }
        ops.add(new Op.UnplugCall());
        ops.add(new Op.SettleCall());
        return ops;
    }

    @Provide
    Arbitrary<ActionChain<Run>> large() {
        return Chains.chains(Chains.onModel("large"), Campaign.chainLength(40));
    }
}
