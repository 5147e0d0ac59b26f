package dev.devmap.model;

import java.util.function.Supplier;

/** The result of {@link DeviceMapModel#step}: the next state, or why the action is not enabled. */
public sealed interface Step {
    record Next(State state) implements Step {}

    /**
     * Why the action is not enabled: the guard that failed (typed, for whoever must act on it),
     * the refusal reason when the guard is {@link Guard#REFUSED}, and a text for people. The text
     * is built only when asked for: the explorer asks every action of Next in every state and
     * never reads why, so building it eagerly was a large part of its time.
     */
    final class Disabled implements Step {
        private final Guard guard;
        private final Reason reason;
        private final Supplier<String> why;

        Disabled(Guard guard, Reason reason, Supplier<String> why) {
            this.guard = guard;
            this.reason = reason;
            this.why = why;
        }

        public Guard guard() { return guard; }

        /** The refusal reason when {@link #guard()} is {@link Guard#REFUSED}; else null. */
        public Reason reason() { return reason; }

        public String why() { return why.get(); }

        @Override
        public String toString() { return "Disabled[" + guard + ": " + why() + "]"; }
    }

    static Step disabled(Guard guard, Supplier<String> why) { return new Disabled(guard, null, why); }

    static Step refused(Reason reason) { return new Disabled(Guard.REFUSED, reason, () -> "refused: " + reason.tla()); }

    /** The guard that disables st, or null when st is enabled. */
    static Guard guardOf(Step st) { return st instanceof Disabled d ? d.guard() : null; }
}
