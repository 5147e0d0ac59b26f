package dev.devmap.kernelapi;

import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The outcomes the model allows for one operation, given the set of states the system may be in:
 * more than one when the model is nondeterministic (typically: whether an internal step the caller
 * did not see has happened). Nothing changes in the {@link Kernel} until the caller says which
 * outcome it saw ({@link #observe}) or accepts the only one ({@link #only}).
 */
public final class Outcomes {
    private final Kernel kernel;
    private final Op op;
    private final Map<Outcome, List<Semantics.Result>> byOutcome;

    Outcomes(Kernel kernel, Op op, Map<Outcome, List<Semantics.Result>> byOutcome) {
        this.kernel = kernel;
        this.op = op;
        this.byOutcome = byOutcome;
    }

    public Op op() { return op; }

    /** The allowed outcomes, in a stable order. */
    public Set<Outcome> allowed() { return Collections.unmodifiableSet(byOutcome.keySet()); }

    public boolean ambiguous() { return byOutcome.size() > 1; }

    /** The results (next state, actions, blocks) that give outcome o; empty if o is not allowed. */
    public List<Semantics.Result> results(Outcome o) { return byOutcome.getOrDefault(o, List.of()); }

    /** The first result of the only outcome, without committing. */
    public Semantics.Result first() { return byOutcome.values().iterator().next().get(0); }

    /**
     * The outcome when the model allows exactly one; the kernel moves on to its states.
     *
     * @throws AmbiguousOutcomeException when it allows several: the caller must say which it saw
     */
    public Outcome only() {
        if (byOutcome.size() != 1) throw new AmbiguousOutcomeException(op, allowed());
        Outcome o = byOutcome.keySet().iterator().next();
        observe(o);
        return o;
    }

    /** Commits to outcome o if the model allows it (true), else leaves the kernel unchanged (false). */
    public boolean observe(Outcome o) {
        return observe(x -> x.equals(o));
    }

    /** Commits to every allowed outcome that matches (true), else leaves the kernel unchanged (false). */
    public boolean observe(Predicate<Outcome> matches) {
        List<Semantics.Result> keep = new ArrayList<>();
        for (Map.Entry<Outcome, List<Semantics.Result>> e : byOutcome.entrySet()) {
            if (matches.test(e.getKey())) keep.addAll(e.getValue());
        }
        if (keep.isEmpty()) return false;
        List<State> next = new ArrayList<>(keep.size());
        for (Semantics.Result r : keep) next.add(r.next());
        kernel.moveTo(next, keep);
        return true;
    }

    static Map<Outcome, List<Semantics.Result>> group(List<Semantics.Result> results) {
        Map<Outcome, List<Semantics.Result>> m = new LinkedHashMap<>();
        for (Semantics.Result r : results) m.computeIfAbsent(r.outcome(), k -> new ArrayList<>(1)).add(r);
        return m;
    }

    /** Thrown by {@link #only} when the model allows several outcomes. */
    public static final class AmbiguousOutcomeException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public AmbiguousOutcomeException(Op op, Set<Outcome> allowed) {
            super(op.show() + ": the model allows " + allowed.size() + " outcomes " + allowed
                    + "; say which one was observed");
        }
    }
}
