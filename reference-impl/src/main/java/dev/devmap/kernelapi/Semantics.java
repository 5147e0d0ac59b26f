package dev.devmap.kernelapi;

import dev.devmap.kernelapi.Outcome.Answer;
import dev.devmap.kernelapi.Outcome.Path;
import dev.devmap.model.Action;
import dev.devmap.model.CacheState;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Exp;
import dev.devmap.model.Grant;
import dev.devmap.model.Guard;
import dev.devmap.model.Inv;
import dev.devmap.model.Page;
import dev.devmap.model.Pending;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.Variant;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operations of {@link Op} on one state of the spec: which actions they take, what an observer
 * sees ({@link Outcome}) and the next state. The model is deterministic once an action and its
 * parameters are fixed, so one state and one operation give one result; the nondeterminism of the
 * system (which internal steps happened when) is handled by {@link Kernel}, which tracks a set of
 * states.
 *
 * <p>When an operation's action is not enabled, the model says which guard failed
 * ({@link Step.Disabled#guard()}) and one table, {@link #GRADES}, says what a program sees: an
 * invalidation of the range is running (WAIT: the kernel would sleep in invalidate_lock or
 * mmu_interval_read_begin), a pin or DMA is in the way (BUSY), device_map's {@code Refusal}
 * (REFUSED with the reason), nothing to do (DONE), anything else (ERROR with an errno). No guard
 * is checked here again: what is checked here before a step is only whether the operation's
 * arguments name things of this configuration, which grant an access goes through, and read hits
 * (a read of a cached or pinned page takes no action in the spec).
 */
public final class Semantics {
    /**
     * The result of an operation in one state.
     *
     * @param outcome what an observer sees
     * @param next    the next state (the same state when nothing changed)
     * @param actions the spec's actions taken, in order (empty when nothing changed)
     * @param blocks  device_map / map_commit: the blocks of the pages (the model's pa[]); else empty
     * @param errno   ERROR / BUSY: the errno a kernel would return; else null
     * @param why     a short explanation (the disabled guard), or null
     * @param from    the state the operation started in
     * @param guard   the model's guard that kept the operation's action from being taken (typed: what a
     *                device that answers otherwise skipped), or null when it was taken; for a commit the
     *                sequence count forbids, {@link Guard#STALE} although the map was retried instead
     */
    public record Result(Outcome outcome, State next, List<Action> actions, List<Integer> blocks, String errno,
                         String why, State from, Guard guard) {
        public Result {
            actions = List.copyOf(actions);
            blocks = List.copyOf(blocks);
        }

        public Result(Outcome outcome, State next, List<Action> actions, List<Integer> blocks, String errno, String why,
                      State from) {
            this(outcome, next, actions, blocks, errno, why, from, null);
        }

        Result(Outcome outcome, State next, List<Action> actions, List<Integer> blocks, String errno, String why) {
            this(outcome, next, actions, blocks, errno, why, null, null);
        }

        Result from(State s) { return new Result(outcome, next, actions, blocks, errno, why, s, guard); }

        Result guarded(Guard g) { return new Result(outcome, next, actions, blocks, errno, why, from, g); }
    }

    private final DeviceMapModel m;
    private final Constants c;

    public Semantics(DeviceMapModel m) {
        this.m = m;
        this.c = m.constants();
    }

    public DeviceMapModel model() { return m; }

    public Constants constants() { return c; }

    // ------------------------------------------------------------------ results

    private static Result same(State s, Outcome o, String errno, String why) {
        return new Result(o.withBar(s.bar()), s, List.of(), List.of(), errno, why);
    }

    private static Result error(State s, String errno, String why) {
        return same(s, Outcome.of(Answer.ERROR), errno, why);
    }

    private static Result value(State s, int v, Path p) {
        return same(s, new Outcome(Answer.VALUE, null, v, p, null, null), null, null);
    }

    private static Result moved(Outcome o, State t, List<Action> as) {
        return new Result(o.withBar(t.bar()), t, as, List.of(), null, null);
    }

    /** What a program sees when a step is disabled by a guard: the outcome and its errno. */
    private record Grade(Answer kind, String errno, boolean notifiedNone) {}

    /** One row per guard of the model: the only place a disabled step becomes an outcome. */
    static final Map<Guard, Grade> GRADES = grades();

    private static Map<Guard, Grade> grades() {
        Map<Guard, Grade> t = new EnumMap<>(Guard.class);
        for (Guard g : new Guard[] {Guard.INVALIDATION_RUNNING, Guard.BEING_INVALIDATED, Guard.REVOKING}) {
            t.put(g, new Grade(Answer.WAIT, null, false));
        }
        for (Guard g : new Guard[] {Guard.PINNED, Guard.DMA_IN_FLIGHT, Guard.PREPARED_PENDING}) {
            t.put(g, new Grade(Answer.BUSY, "EBUSY", false));
        }
        t.put(Guard.REFUSED, new Grade(Answer.REFUSED, null, false));
        t.put(Guard.NOTHING_TO_REMOVE, new Grade(Answer.DONE, null, true));
        t.put(Guard.NOT_DIRTY, new Grade(Answer.DONE, null, false));
        t.put(Guard.NOT_CACHED, new Grade(Answer.DONE, null, false));
        // eviction is advice (posix_fadvise DONTNEED): a dirty page is kept, and the call succeeds
        t.put(Guard.DIRTY_NOT_EVICTABLE, new Grade(Answer.DONE, null, false));
        String[][] errors = {
            {"EEXIST", "ALREADY_MMAPPED", "OVERLAPPING_GRANT", "NOT_A_HOLE", "TARGET_NOT_A_HOLE"},
            {"EFAULT", "NO_VMA"},
            {"EAGAIN", "PAGE_CACHED", "PAGE_DIRTY"},
            {"EPERM", "NOT_WRITABLE"},
            {"ENOSPC", "NO_FREE_BLOCK", "NO_FRESH_VALUE"},
            {"EIO", "PINNED_PAGE_READ", "NO_PAGE_CACHE"},
            {"EOPNOTSUPP", "CANNOT_INVALIDATE"},
            {"ENODEV", "EXPORTER_GONE", "EXPORTER_NOT_UP"},
            {"EINVAL", "BAD_ARGUMENT", "NOT_MMAPPED", "DIRECT_GRANT", "NOT_WRITTEN", "NOT_SHARED", "SAME_PAGE",
                "NO_SUCH_GRANT", "WRONG_RELEASE", "NO_PREPARED_MAP", "STALE", "NOT_STALE", "NO_DMA", "NOT_AWAITED",
                "NO_INVALIDATION", "ACKS_OUTSTANDING", "NO_REVOKE_PENDING", "NOT_REMOVING", "REMOVAL_OUTSTANDING"},
        };
        for (String[] row : errors) {
            for (int k = 1; k < row.length; k++) t.put(Guard.valueOf(row[k]), new Grade(Answer.ERROR, row[0], false));
        }
        for (Guard g : Guard.values()) {
            if (!t.containsKey(g)) throw new IllegalStateException("no grade for guard " + g);
        }
        return Map.copyOf(t);
    }

    /** The result of an operation whose step st is disabled in s, graded by its guard. */
    private static Result disabled(State s, Step st) {
        Step.Disabled d = (Step.Disabled) st;
        Grade g = GRADES.get(d.guard());
        if (g.kind() == Answer.REFUSED) {
            return same(s, Outcome.of(Answer.REFUSED).withReason(d.reason().tla()), null,
                    "refused by the " + d.reason().decidedBy()).guarded(d.guard());
        }
        Outcome o = g.notifiedNone() ? Outcome.of(g.kind()).withNotified(Set.of()) : Outcome.of(g.kind());
        return same(s, o, g.errno(), d.why()).guarded(d.guard());
    }

    // ------------------------------------------------------------------ operations

    /** The result of op in state s. */
    public Result apply(State s, Op op) {
        return apply0(s, op).from(s);
    }

    private Result apply0(State s, Op op) {
        if (op instanceof Op.MmapCall x) return mmap(s, x);
        if (op instanceof Op.MunmapCall x) return munmap(s, x);
        if (op instanceof Op.WriteCall x) return write(s, x.f(), x.o(), null);
        if (op instanceof Op.ReadCall x) return read(s, x.f(), x.o(), null);
        if (op instanceof Op.TruncateCall x) return remove(s, x.f(), x.n() + 1, c.nOff(), new Action.Truncate(x.f(), x.n()),
                x.n() < 0 || x.n() > c.nOff() - 1);
        if (op instanceof Op.PunchHoleCall x) return remove(s, x.f(), x.lo(), x.hi(), new Action.PunchHole(x.f(), x.lo(), x.hi()),
                x.lo() < 1 || x.hi() > c.nOff() || x.lo() > x.hi());
        if (op instanceof Op.FallocateCall x) return pageCall(s, x, x.f(), page(x.o()), new Action.Fallocate(x.f(), x.o()), true);
        if (op instanceof Op.ReflinkCall x) {
            return pageCall(s, x, x.f(), page(x.o()) && page(x.p()), new Action.Reflink(x.f(), x.o(), x.p()), true);
        }
        if (op instanceof Op.WritebackCall x) return pageCall(s, x, x.f(), page(x.o()), new Action.Writeback(x.f(), x.o()), false);
        if (op instanceof Op.EvictCall x) return pageCall(s, x, x.f(), page(x.o()), new Action.Evict(x.f(), x.o()), false);
        if (op instanceof Op.RelocateCall x) return pageCall(s, x, x.f(), page(x.o()), new Action.Relocate(x.f(), x.o()), true);
        if (op instanceof Op.UnshareCall x) return pageCall(s, x, x.f(), page(x.o()), new Action.Unshare(x.f(), x.o()), true);
        if (op instanceof Op.DeviceMapCall x) return deviceMap(s, x);
        if (op instanceof Op.MapCommitCall x) return mapCommit(s, x.i());
        if (op instanceof Op.DeviceUnmapCall x) return unmap(s, x.i(), x.f(), x.lo(), false);
        if (op instanceof Op.UnpinCall x) return unmap(s, x.i(), x.f(), x.lo(), true);
        if (op instanceof Op.DmaStartCall x) return dmaStart(s, x);
        if (op instanceof Op.DmaEndCall x) return dmaEnd(s, x.i());
        if (op instanceof Op.DevReadCall x) return devRead(s, x);
        if (op instanceof Op.DevWriteCall x) return devWrite(s, x);
        if (op instanceof Op.InvAckCall x) return invAck(s, x);
        if (op instanceof Op.RevokeAckCall x) return revokeAck(s, x);
        if (op instanceof Op.BarReclaimCall x) return barReclaim(s, x);
        if (op instanceof Op.UnplugCall) return unplug(s);
        if (op instanceof Op.SettleCall) return same(s, Outcome.of(Answer.IDLE), null, null);
        throw new IllegalArgumentException("unknown operation " + op);
    }

    private boolean knownFile(String f) { return c.files().contains(f); }

    private boolean knownImporter(String i) { return c.importers().contains(i); }

    private boolean page(int o) { return o >= 1 && o <= c.nOff(); }

    private Result badArgs(State s, Op op) {
        return error(s, "EINVAL", "no such file, importer or page in this configuration: " + op.show());
    }

    private Result mmap(State s, Op.MmapCall x) {
        if (!knownFile(x.f())) return badArgs(s, x);
        Action a = new Action.Mmap(x.f());
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) return moved(Outcome.of(Answer.DONE), n.state(), List.of(a));
        return disabled(s, st);
    }

    private Result munmap(State s, Op.MunmapCall x) {
        if (!knownFile(x.f())) return badArgs(s, x);
        Action a = new Action.Munmap(x.f());
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) return invalidating(s, n.state(), x.f(), a);
        return disabled(s, st);
    }

    /** The outcome of an action that may start an invalidation of f. */
    private Result invalidating(State s, State t, String f, Action a) {
        Outcome o = invalidationStarted(s, t, f);
        return moved(o != null ? o : Outcome.of(Answer.DONE).withNotified(Set.of()), t, List.of(a));
    }

    /**
     * When the step s -> t started an invalidation of f: STARTED (or DONE when it ended at once)
     * with the importers notified; else null.
     */
    private Outcome invalidationStarted(State s, State t, String f) {
        Inv after = m.inv(t, f);
        if (!after.on() || m.inv(s, f).on()) return null;
        return Outcome.of(after.done() ? Answer.DONE : Answer.STARTED).withNotified(after.await());
    }

    /** CpuWrite, or DevFallbackWrite when dev != null. */
    private Result write(State s, String f, int o, String dev) {
        if (!knownFile(f) || !page(o) || (dev != null && !knownImporter(dev))) {
            return error(s, "EINVAL", "no such file, importer or page");
        }
        Action a = dev == null ? new Action.CpuWrite(f, o) : new Action.DevFallbackWrite(dev, f, o);
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) {
            State t = n.state();
            Outcome started = invalidationStarted(s, t, f);
            if (started != null) return moved(started, t, List.of(a));
            Path p = m.readsBlock(s, f, o) ? Path.BLOCK : Path.PAGE_CACHE;
            Outcome out = new Outcome(Answer.DONE, null, m.lastw(t, f, o), dev == null ? null : p, null, null);
            return moved(out, t, List.of(a));
        }
        return disabled(s, st);
    }

    /** CpuRead, or DevFallbackRead when dev != null. */
    private Result read(State s, String f, int o, String dev) {
        if (!knownFile(f) || !page(o) || (dev != null && !knownImporter(dev))) {
            return error(s, "EINVAL", "no such file, importer or page");
        }
        Action a = dev == null ? new Action.CpuRead(f, o) : new Action.DevFallbackRead(dev, f, o);
        Step st = m.step(s, a);
        // a device access without a vma faults before any cached answer: the model's guard, graded by the table
        if (st instanceof Step.Disabled d && d.guard() == Guard.NO_VMA) return disabled(s, st);
        Page pg = m.cache(s, f, o);
        if (pg.st() != CacheState.ABSENT) return value(s, pg.v(), Path.PAGE_CACHE);
        if (m.readsBlock(s, f, o)) return value(s, m.diskVal(s, f, o), Path.BLOCK);
        if (st instanceof Step.Next n) {
            State t = n.state();
            Outcome started = invalidationStarted(s, t, f);
            if (started != null) return moved(started, t, List.of(a));
            return moved(new Outcome(Answer.VALUE, null, m.cache(t, f, o).v(), Path.PAGE_CACHE, null, null), t, List.of(a));
        }
        return disabled(s, st);
    }

    /** Truncate and PunchHole. */
    private Result remove(State s, String f, int lo, int hi, Action a, boolean badRange) {
        if (!knownFile(f) || badRange) return error(s, "EINVAL", "not a range of " + f);
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) return invalidating(s, n.state(), f, a);
        return disabled(s, st);
    }

    /**
     * A program's call on page(s) of f that takes one spec action a (fallocate, reflink, writeback,
     * evict, relocate, unshare): bad arguments, the step's outcome (the invalidation it starts, or
     * done), or the model's guard graded.
     */
    private Result pageCall(State s, Op x, String f, boolean pages, Action a, boolean invalidates) {
        if (!knownFile(f) || !pages) return badArgs(s, x);
        Step st = m.step(s, a);
        if (!(st instanceof Step.Next n)) return disabled(s, st);
        // whether the call starts an invalidation is the model's step's (writeback and evict start
        // none in the protocol, but dax-writeback-mkclean's do); `invalidates` only says whether a
        // call that started none reports its (empty) notified set
        Outcome started = invalidationStarted(s, n.state(), f);
        if (started != null) return moved(started, n.state(), List.of(a));
        return moved(invalidates ? Outcome.of(Answer.DONE).withNotified(Set.of()) : Outcome.of(Answer.DONE), n.state(), List.of(a));
    }

    private Result deviceMap(State s, Op.DeviceMapCall x) {
        if (!knownFile(x.f()) || !knownImporter(x.i()) || x.lo() < 1 || x.hi() > c.nOff() || x.lo() > x.hi()) {
            return badArgs(s, x);
        }
        Action a = new Action.MapPrepare(x.i(), x.f(), x.lo(), x.hi(), x.pin(), x.w(), x.at());
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) {
            State t = n.state();
            Pending p = pendingOf(t, x.i());
            if (p == null) {   // a step without a prepared map: refused after its faults (spec: MapFaultsRefused)
                dev.devmap.model.Reason why = m.refusal(s, x.i(), x.f(), x.lo(), x.hi(), x.pin(), x.w(), x.at());
                return new Result(Outcome.of(Answer.REFUSED).withReason(why.tla()).withBar(t.bar()), t, List.of(a),
                        List.of(), null, "refused by the " + why.decidedBy() + " after the map's faults");
            }
            if (!x.commit()) {
                return new Result(Outcome.of(Answer.PREPARED).withBar(t.bar()), t, List.of(a), p.bs(), null, null);
            }
            Result r = mapCommit(t, x.i());
            List<Action> as = new ArrayList<>();
            as.add(a);
            as.addAll(r.actions());
            return new Result(r.outcome(), r.next(), as, r.blocks(), r.errno(), r.why()).guarded(r.guard());
        }
        return disabled(s, st);
    }

    private Pending pendingOf(State s, String i) {
        for (Pending p : s.pend()) if (p.i().equals(i)) return p;
        return null;
    }

    private Result mapCommit(State s, String i) {
        if (!knownImporter(i)) return error(s, "EINVAL", "no such importer " + i);
        Action commit = new Action.MapCommit(i);
        Step st = m.step(s, commit);
        // no prepared map: the model's NO_PREPARED_MAP (MapCommit and MapRetry alike), graded by the table
        if (Step.guardOf(st) == Guard.NO_PREPARED_MAP) return disabled(s, st);
        if (st instanceof Step.Next n) {
            return new Result(Outcome.of(Answer.GRANTED).withBar(n.state().bar()), n.state(), List.of(commit),
                    pendingOf(s, i).bs(), null, null);
        }
        Action retry = new Action.MapRetry(i);
        Step rt = m.step(s, retry);
        if (rt instanceof Step.Next n) {
            return moved(Outcome.of(Answer.RETRY), n.state(), List.of(retry)).guarded(Step.guardOf(st));
        }
        return disabled(s, rt);
    }

    /** The live grant of i covering (f, o), optionally only writable ones, or null. */
    public static Grant covering(State s, String i, String f, int o, boolean writable) {
        Grant best = null;
        for (Grant g : s.maps()) {
            if (g.i().equals(i) && g.f().equals(f) && g.in(o) && (!writable || g.w())) {
                if (best == null || GRANT_COMPARATOR.compare(g, best) < 0) best = g;
            }
        }
        return best;
    }

    public static final Comparator<Grant> GRANT_COMPARATOR = Comparator.comparing(Grant::i).thenComparing(Grant::f)
            .thenComparingInt(Grant::lo).thenComparingInt(Grant::hi).thenComparing(Grant::pin)
            .thenComparing(Grant::w).thenComparing(Grant::at).thenComparing(g -> g.bs().toString());

    private Result unmap(State s, String i, String f, int lo, boolean pin) {
        Action a = pin ? new Action.DmaBufRelease(i, f, lo) : new Action.DeviceUnmap(i, f, lo);
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) return moved(Outcome.of(Answer.DONE), n.state(), List.of(a));
        return disabled(s, st);
    }

    private Result dmaStart(State s, Op.DmaStartCall x) {
        if (!knownFile(x.f()) || !knownImporter(x.i()) || !page(x.o())) return badArgs(s, x);
        Grant g = covering(s, x.i(), x.f(), x.o(), false);
        if (g == null) return error(s, "EFAULT", "no grant of " + x.i() + " covers " + x.f() + " " + x.o());
        Action a = new Action.DmaStart(x.i(), g.f(), g.lo(), x.o(), x.op());
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) {
            Integer v = x.op() == DmaOp.WRITE ? n.state().nextv() : null;
            return moved(new Outcome(Answer.DONE, null, v, Path.DIRECT, null, null), n.state(), List.of(a));
        }
        return disabled(s, st);
    }

    private Result dmaEnd(State s, String i) {
        if (!knownImporter(i)) return error(s, "EINVAL", "no such importer " + i);
        Action a = new Action.DmaEnd(i);
        Step st = m.step(s, a);
        if (!(st instanceof Step.Next n)) return disabled(s, st);   // no DMA in flight: the model's NO_DMA
        Dma d = null;
        for (Dma x : s.dma()) if (x.i().equals(i)) d = x;   // the DMA that ended: what it read or wrote
        if (d.op() == DmaOp.READ) {
            return moved(new Outcome(Answer.VALUE, null, readValue(s, d), Path.DIRECT, null, null), n.state(), List.of(a));
        }
        return moved(new Outcome(Answer.DONE, null, d.v(), Path.DIRECT, null, null), n.state(), List.of(a));
    }

    /** The value a completed DMA of importer i reports: what a read found, or what a write wrote. */
    public Integer dmaValue(State s, String i) {
        for (Dma d : s.dma()) {
            if (d.i().equals(i)) return d.op() == DmaOp.READ ? readValue(s, d) : d.v();
        }
        return null;
    }

    /**
     * What a DMA read finds when it completes: the model's {@code DevVal}; outside the device (b = 0)
     * the value its record keeps (0, or what an orphaned page held: pagecache-reflink-drops-busy-folio).
     */
    private int readValue(State s, Dma d) {
        return d.b() >= 1 && d.b() <= s.data().size() ? m.devVal(s, d.f(), d.o(), d.b()) : d.v();
    }

    private Result devRead(State s, Op.DevReadCall x) {
        if (!knownFile(x.f()) || !knownImporter(x.i()) || !page(x.o())) return badArgs(s, x);
        Grant g = covering(s, x.i(), x.f(), x.o(), false);
        if (g == null) return read(s, x.f(), x.o(), x.i());
        return direct(s, x.i(), g, x.o(), DmaOp.READ);
    }

    private Result devWrite(State s, Op.DevWriteCall x) {
        if (!knownFile(x.f()) || !knownImporter(x.i()) || !page(x.o())) return badArgs(s, x);
        Grant g = covering(s, x.i(), x.f(), x.o(), true);
        if (g == null) return write(s, x.f(), x.o(), x.i());
        return direct(s, x.i(), g, x.o(), DmaOp.WRITE);
    }

    /** A device access through its grant: DmaStart then DmaEnd. */
    private Result direct(State s, String i, Grant g, int o, DmaOp op) {
        Action start = new Action.DmaStart(i, g.f(), g.lo(), o, op);
        Step st = m.step(s, start);
        if (!(st instanceof Step.Next n)) return disabled(s, st);
        Result end = dmaEnd(n.state(), i);
        return new Result(end.outcome(), end.next(), List.of(start, new Action.DmaEnd(i)), List.of(), null, null);
    }

    private Result invAck(State s, Op.InvAckCall x) {
        if (!knownFile(x.f()) || !knownImporter(x.i())) return badArgs(s, x);
        Action a = new Action.InvAck(x.i(), x.f());
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) return moved(Outcome.of(Answer.DONE), n.state(), List.of(a));
        return disabled(s, st);
    }

    private Result revokeAck(State s, Op.RevokeAckCall x) {
        if (!knownImporter(x.i())) return badArgs(s, x);
        Action a = new Action.RevokeAck(x.i());
        Step st = m.step(s, a);
        if (st instanceof Step.Next n) return moved(Outcome.of(Answer.DONE), n.state(), List.of(a));
        return disabled(s, st);
    }

    private Result barReclaim(State s, Op.BarReclaimCall x) {
        if (!knownFile(x.f()) || !knownImporter(x.i())) return badArgs(s, x);
        Action a = new Action.BarReclaim(x.i(), x.f(), x.lo());
        Step st = m.step(s, a);   // no such grant: the model's NO_SUCH_GRANT, after its own earlier guards
        if (st instanceof Step.Next n) return invalidating(s, n.state(), x.f(), a);
        return disabled(s, st);
    }

    private Result unplug(State s) {
        Action a = new Action.UnplugStart();
        Step st = m.step(s, a);
        if (!(st instanceof Step.Next n)) return disabled(s, st);
        State t = n.state();
        if (t.exp() == Exp.GONE) return moved(Outcome.of(Answer.DONE).withNotified(Set.of()), t, List.of(a));
        // nothing mapped, prepared or in flight: the removal finishes at once, as a kernel's would
        Action end = new Action.UnplugEnd();
        Step fin = m.step(t, end);
        if (fin instanceof Step.Next f) return moved(Outcome.of(Answer.DONE).withNotified(Set.of()), f.state(), List.of(a, end));
        return moved(Outcome.of(Answer.STARTED).withNotified(t.rev()), t, List.of(a));
    }

    // ------------------------------------------------------------------ internal steps

    /** The next state after event e in state s, or null when the model does not allow it. */
    public State event(State s, Event e) {
        if (e.imp() != null && !knownImporter(e.imp())) return null;
        if (e.file() != null && !knownFile(e.file())) return null;
        if (e.kind() == Event.Type.DMA_END) {
            Integer v = dmaValue(s, e.imp());
            if (v == null || (e.value() != null && !e.value().equals(v))) return null;
        }
        Step st = m.step(s, e.action());
        return st instanceof Step.Next n ? n.state() : null;
    }

    /** Every internal step enabled in s (the model says which), as the event a device would report. */
    public List<Event> internal(State s) {
        List<Event> out = new ArrayList<>();
        for (String f : c.files()) {
            for (String i : m.inv(s, f).await()) {
                if (enabled(s, new Action.InvAck(i, f))) out.add(Event.ack(i, f));
            }
            if (enabled(s, new Action.InvEnd(f))) out.add(Event.invEnd(f));
        }
        for (Dma d : s.dma()) {
            if (enabled(s, new Action.DmaEnd(d.i()))) out.add(Event.dmaEnd(d.i(), d.op() == DmaOp.READ ? readValue(s, d) : d.v()));
        }
        for (Pending p : s.pend()) {
            if (enabled(s, new Action.MapCommit(p.i()))) out.add(Event.mapCommit(p.i()));
            else if (enabled(s, new Action.MapRetry(p.i()))) out.add(Event.mapRetry(p.i()));
        }
        for (String i : s.rev()) {
            if (enabled(s, new Action.RevokeAck(i))) out.add(Event.revokeAck(i));
        }
        if (enabled(s, new Action.UnplugEnd())) out.add(Event.unplugEnd());
        out.sort(Comparator.comparing((Event e) -> e.kind().ordinal())
                .thenComparing(e -> e.imp() == null ? "" : e.imp()).thenComparing(e -> e.file() == null ? "" : e.file()));
        return out;
    }

    private boolean enabled(State s, Action a) { return m.step(s, a) instanceof Step.Next; }

    /** The invalidations importer i must acknowledge in s: the files whose running invalidation awaits it. */
    public List<Inv> pendingAcks(State s, String i) {
        List<Inv> out = new ArrayList<>();
        for (String f : c.files()) {
            // owed unless the model's InvAck says there is nothing to acknowledge (it may wait for a DMA)
            if (Step.guardOf(m.step(s, new Action.InvAck(i, f))) != Guard.NOT_AWAITED) out.add(m.inv(s, f));
        }
        return out;
    }

    /** Whether the model's variant is the reference protocol (no protection removed). */
    public boolean isReference() { return c.variant() == Variant.NONE; }
}
