package dev.devmap.kernelapi;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Inv;
import dev.devmap.model.State;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A kernel-shaped facade over the reference model: the calls a program, a filesystem, a driver and
 * an importer device make ({@code deviceMap}, {@code deviceUnmap}, {@code mmap}, {@code truncate},
 * ...), each answered with the outcomes the protocol allows ({@link Outcomes}).
 *
 * <p>The kernel tracks the set of states the system may be in. It starts in the spec's initial
 * state; an operation's {@link Outcomes} moves it on once the caller accepts or observes an
 * outcome; an internal step the system took by itself ({@link Event}: an acknowledgement, the end of
 * an invalidation, a DMA completing) moves it with {@link #event}. Internal steps the caller cannot
 * see are added with {@link #closeUnder}: the set then holds every state they may have led to, and
 * outcomes that depend on them come back as several allowed outcomes, never one picked silently.
 */
public final class Kernel {
    private final Semantics sem;
    private List<State> states;
    private List<Semantics.Result> lastResults = List.of();

    public Kernel(Constants c) {
        this(new Semantics(new DeviceMapModel(c)));
    }

    public Kernel(Semantics sem) {
        this.sem = sem;
        this.states = List.of(sem.model().init());
    }

    public Kernel(Semantics sem, Collection<State> states) {
        this.sem = sem;
        this.states = List.copyOf(new LinkedHashSet<>(states));
        if (this.states.isEmpty()) throw new IllegalArgumentException("a kernel needs at least one state");
    }

    public Semantics semantics() { return sem; }

    public Constants constants() { return sem.constants(); }

    /** The states the system may be in (never empty). */
    public List<State> states() { return states; }

    /**
     * The results that led to the current states: for an operation, the results of the observed
     * outcome; for an event, its step (with a null outcome); empty after a closure or retain.
     */
    public List<Semantics.Result> lastResults() { return lastResults; }

    void moveTo(List<State> next, List<Semantics.Result> results) {
        this.states = next.size() == 1 ? List.of(next.get(0)) : List.copyOf(new LinkedHashSet<>(next));
        this.lastResults = results;
    }

    // ------------------------------------------------------------------ the generic calls

    /** The allowed outcomes of op; nothing changes until one is observed. */
    public Outcomes apply(Op op) {
        List<Semantics.Result> rs = new ArrayList<>(states.size());
        for (State s : states) rs.add(sem.apply(s, op));
        return new Outcomes(this, op, Outcomes.group(rs));
    }

    /**
     * The system took internal step e by itself: keep the states where the model allows it. Returns
     * false (and changes nothing) when no state allows it.
     */
    public boolean event(Event e) {
        List<State> next = new ArrayList<>(states.size());
        List<Semantics.Result> rs = new ArrayList<>(states.size());
        for (State s : states) {
            State t = sem.event(s, e);
            if (t != null) {
                next.add(t);
                rs.add(new Semantics.Result(null, t, List.of(e.action()), List.of(), null, null, s));
            }
        }
        if (next.isEmpty()) return false;
        moveTo(next, rs);
        return true;
    }

    /** Keeps the states that satisfy p (true), or changes nothing when none does (false). */
    public boolean retain(Predicate<State> p) {
        List<State> next = new ArrayList<>(states.size());
        for (State s : states) if (p.test(s)) next.add(s);
        if (next.isEmpty()) return false;
        if (next.size() != states.size()) moveTo(next, List.of());
        return true;
    }

    /** Whether no internal step is enabled in s: the system has nothing left to do by itself. */
    public boolean quiescent(State s) { return sem.internal(s).isEmpty(); }

    /** The internal steps enabled in some state: what the system may still do by itself. */
    public Set<Event> internal() {
        Set<Event> out = new LinkedHashSet<>();
        for (State s : states) out.addAll(sem.internal(s));
        return out;
    }

    /** The internal steps enabled in every state: what the system must still do by itself. */
    public Set<Event> owed() {
        Set<Event> out = null;
        for (State s : states) {
            Set<Event> here = new LinkedHashSet<>(sem.internal(s));
            if (out == null) out = here; else out.retainAll(here);
        }
        return out == null ? Set.of() : out;
    }

    /**
     * Adds every state reachable by internal steps that match {@code silent} (steps the observer does
     * not see), up to {@code maxStates} states. Returns false when the bound cut the closure short.
     */
    public boolean closeUnder(Predicate<Event> silent, int maxStates) {
        Set<State> seen = new LinkedHashSet<>(states);
        ArrayDeque<State> queue = new ArrayDeque<>(states);
        boolean complete = true;
        while (!queue.isEmpty()) {
            State s = queue.poll();
            for (Event e : sem.internal(s)) {
                if (!silent.test(e)) continue;
                State t = sem.event(s, e);
                if (t != null && seen.add(t)) {
                    if (seen.size() > maxStates) {
                        complete = false;
                        queue.clear();
                        break;
                    }
                    queue.add(t);
                }
            }
        }
        if (seen.size() != states.size()) moveTo(new ArrayList<>(seen), List.of());
        return complete;
    }

    // ------------------------------------------------------------------ kernel-shaped calls

    public Outcomes mmap(String file) { return apply(new Op.MmapCall(file)); }

    public Outcomes munmap(String vma) { return apply(new Op.MunmapCall(vma)); }

    /** write(2) of page o; the value written is the outcome's value. */
    public Outcomes write(String file, int o) { return apply(new Op.WriteCall(file, o)); }

    public Outcomes read(String file, int o) { return apply(new Op.ReadCall(file, o)); }

    /** truncate(2) of file to {@code pages} pages. */
    public Outcomes truncate(String file, int pages) { return apply(new Op.TruncateCall(file, pages)); }

    public Outcomes punchHole(String file, int lo, int hi) { return apply(new Op.PunchHoleCall(file, lo, hi)); }

    /**
     * device_map(vma, importer, &dma_buf, start, end, flags, pa[]): GRANTED (the outcome's results
     * carry the DMA addresses as block numbers; with PIN the grant is the dma_buf) or REFUSED with the
     * reason, or WAIT / BUSY / ERROR. The driver commits at once.
     */
    public Outcomes deviceMap(String vma, String importer, int start, int end, Set<Flag> flags) {
        return apply(new Op.DeviceMapCall(importer, vma, start, end, flags.contains(Flag.PIN), flags.contains(Flag.WRITE),
                flags.contains(Flag.ATOMIC), true));
    }

    /** device_map without the commit: PREPARED; {@link #mapCommit} finishes it (GRANTED or RETRY). */
    public Outcomes mapPrepare(String vma, String importer, int start, int end, Set<Flag> flags) {
        return apply(new Op.DeviceMapCall(importer, vma, start, end, flags.contains(Flag.PIN), flags.contains(Flag.WRITE),
                flags.contains(Flag.ATOMIC), false));
    }

    public Outcomes mapCommit(String importer) { return apply(new Op.MapCommitCall(importer)); }

    /** device_unmap of the importer's grant on vma that starts at page start. */
    public Outcomes deviceUnmap(String vma, String importer, int start) {
        return apply(new Op.DeviceUnmapCall(importer, vma, start));
    }

    /** PIN: device_map with the PIN flag (a dma_buf). */
    public Outcomes pin(String vma, String importer, int start, int end, Set<Flag> flags) {
        Set<Flag> f = new HashSet<>(flags);
        f.add(Flag.PIN);
        return deviceMap(vma, importer, start, end, f);
    }

    /** Release of the dma_buf (the last reference) of the importer's pinned grant on vma at start. */
    public Outcomes unpin(String vma, String importer, int start) { return apply(new Op.UnpinCall(importer, vma, start)); }

    public Outcomes reclaimBar(String importer, String vma, int start) {
        return apply(new Op.BarReclaimCall(importer, vma, start));
    }

    public Outcomes unplug() { return apply(new Op.UnplugCall()); }

    /** A device read through whatever path the model takes (direct mapping or fallback). */
    public Outcomes deviceRead(String importer, String file, int o) { return apply(new Op.DevReadCall(importer, file, o)); }

    public Outcomes deviceWrite(String importer, String file, int o) { return apply(new Op.DevWriteCall(importer, file, o)); }

    public Outcomes dmaStart(String importer, String file, int o, DmaOp op) {
        return apply(new Op.DmaStartCall(importer, file, o, op));
    }

    public Outcomes dmaEnd(String importer) { return apply(new Op.DmaEndCall(importer)); }

    /** The importer acknowledges the invalidation of file (its TLB flushed, its DMA drained). */
    public Outcomes acknowledge(String importer, String file) { return apply(new Op.InvAckCall(importer, file)); }

    public Outcomes revokeAck(String importer) { return apply(new Op.RevokeAckCall(importer)); }

    /**
     * The invalidations the importer must acknowledge, in any state the system may be in: for each
     * file whose invalidation awaits it, the range and the cause.
     */
    public Set<Invalidation> invalidations(String importer) {
        Set<Invalidation> out = new LinkedHashSet<>();
        for (State s : states) {
            for (Inv r : sem.pendingAcks(s, importer)) {
                String f = null;
                for (String x : constants().files()) if (sem.model().inv(s, x).equals(r)) f = x;
                out.add(new Invalidation(importer, f, r.lo(), r.hi(), r.cause().tla()));
            }
        }
        return out;
    }

    /** An invalidation an importer must acknowledge. */
    public record Invalidation(String importer, String file, int lo, int hi, String cause) {}

    /** The actions of the last operation (for a single result), e.g. for coverage. */
    public List<Action> lastActions() {
        return lastResults.isEmpty() ? List.of() : lastResults.get(0).actions();
    }
}
