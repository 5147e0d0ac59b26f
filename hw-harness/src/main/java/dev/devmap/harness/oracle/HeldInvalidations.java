package dev.devmap.harness.oracle;

import dev.devmap.harness.Response;
import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.model.Cause;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.Inv;
import dev.devmap.model.State;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each invalidation of a layout change was held for, as the device reported it, one invalidation
 * at a time: when it started (answered {@code started}, by the kernel or not), which importers had a
 * DMA in flight to a page of its range at that moment (the model's {@code dma} in every allowed state),
 * which of those DMAs drained ({@code dma_end}) before its {@code inv_end}, and whether an
 * acknowledgement came in a later answer than the start. Fed the raw answers in the order the device
 * reported them (events before the answer, the operation, events after it), so an {@code inv_end}
 * the model rejects is seen too: that is the evidence against S1.
 *
 * <ul>
 *   <li>a <b>kernel wait</b> (S4, L4): a layout change answered {@code started} by the kernel, ended
 *       by an {@code inv_end} in a later answer the kernel decided, after an acknowledgement that came
 *       after the start. A change answered {@code done} at once waited for nothing.</li>
 *   <li><b>held for a DMA</b> (S1's in-flight half): such a wait whose range had a DMA in flight at
 *       its start that drained before the kernel's {@code inv_end}: the block stayed the page's until
 *       the DMA was done with it.</li>
 *   <li><b>ended under a DMA</b> (against S1): an {@code inv_end} of a change that gives the page
 *       another block, reported while a DMA in flight since before the change started had not
 *       drained.</li>
 * </ul>
 * A DMA that started after the invalidation did, or went to another page or file, is not across it.
 */
final class HeldInvalidations {
    /** Layout changes (the kernel waits for page references before them: break_layouts). */
    static final Set<Cause> LAYOUT = EnumSet.of(Cause.TRUNCATE, Cause.PUNCH, Cause.FALLOCATE, Cause.RELOCATE,
            Cause.COW, Cause.UNSHARE, Cause.REFLINK);
    /**
     * The layout changes that give a page of their range another block (or none): a DMA in flight to
     * it across such a change would hold a stale block. A reflink keeps its source's block (it only
     * shares it), a fallocate's page has no block to hold.
     */
    static final Set<Cause> MOVES_BLOCK = EnumSet.of(Cause.TRUNCATE, Cause.PUNCH, Cause.RELOCATE, Cause.COW,
            Cause.UNSHARE);

    private static final class Open {
        final int step;
        final boolean byKernel;
        final Cause cause;
        final Set<String> across;
        final Set<String> drained = new HashSet<>();
        boolean ackedLater;

        Open(int step, boolean byKernel, Cause cause, Set<String> across) {
            this.step = step;
            this.byKernel = byKernel;
            this.cause = cause;
            this.across = across;
        }
    }

    private final Map<String, Open> open = new HashMap<>();

    /**
     * One answer, as reported: the events before it, the operation (from, opened: the allowed states
     * before and after the operation when the model accepted its answer, else null), the events after it.
     */
    void observe(int step, Op op, Response r, DeviceMapModel model, List<State> from, List<State> opened,
                 ObservedCoverage into) {
        for (Event e : r.before()) event(step, e, r.byKernel(), into);
        Outcome o = r.outcome();
        if (opened != null && o.kind() == Outcome.Answer.STARTED) start(step, r.byKernel(), model, from, opened);
        if (op instanceof Op.DmaEndCall d && o.kind() != Outcome.Answer.ERROR) drained(d.i());
        if (op instanceof Op.InvAckCall a && o.kind() == Outcome.Answer.DONE) acked(step, a.f());
        for (Event e : r.after()) event(step, e, r.byKernel(), into);
    }

    /**
     * The invalidations a started answer opened: each file whose inv, off in every state before, is on
     * in every allowed state after it with the same layout cause and range.
     */
    private void start(int step, boolean byKernel, DeviceMapModel model, List<State> from, List<State> states) {
        if (states.isEmpty()) return;
        files:
        for (String f : model.constants().files()) {
            if (open.containsKey(f)) continue;
            for (State s : from) if (model.inv(s, f).on()) continue files;
            Inv first = model.inv(states.get(0), f);
            if (!first.on() || !LAYOUT.contains(first.cause())) continue;
            Set<String> across = null;
            boolean same = true;
            for (State s : states) {
                Inv r = model.inv(s, f);
                same &= r.on() && r.cause() == first.cause() && r.lo() == first.lo() && r.hi() == first.hi();
                Set<String> here = new HashSet<>();
                for (Dma d : s.dma()) if (d.f().equals(f) && first.overlaps(d.o(), d.o())) here.add(d.i());
                if (across == null) across = here;
                else across.retainAll(here);
            }
            if (same) open.put(f, new Open(step, byKernel, first.cause(), across));
        }
    }

    private void drained(String i) {
        for (Open x : open.values()) if (x.across.contains(i)) x.drained.add(i);
    }

    private void acked(int step, String f) {
        Open x = open.get(f);
        if (x != null && step > x.step) x.ackedLater = true;
    }

    private void event(int step, Event e, boolean byKernel, ObservedCoverage into) {
        switch (e.kind()) {
            case DMA_END -> drained(e.imp());
            case ACK -> acked(step, e.file());
            case INV_END -> {
                Open x = open.remove(e.file());
                if (x == null) return;
                boolean wait = x.byKernel && byKernel && step > x.step && x.ackedLater;
                if (wait) into.kernelWait(x.cause == Cause.TRUNCATE || x.cause == Cause.PUNCH);
                Set<String> still = new HashSet<>(x.across);
                still.removeAll(x.drained);
                if (MOVES_BLOCK.contains(x.cause)) {
                    if (!still.isEmpty()) into.endedUnderDma(byKernel);
                    else if (wait && !x.drained.isEmpty()) into.heldOneForDma();
                }
            }
            default -> { }
        }
    }
}
