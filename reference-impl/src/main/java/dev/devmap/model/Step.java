package dev.devmap.model;

import java.util.function.Supplier;

/** The result of {@link DeviceMapModel#step}: the next state, or why the action is not enabled. */
public sealed interface Step {
    record Next(State state) implements Step {}

    /**
     * Why the action is not enabled. The text is built only when asked for: the explorer asks
     * every action of Next in every state and never reads why, so building it eagerly was a
     * large part of its time.
     */
    final class Disabled implements Step {
        private final Supplier<String> why;

        Disabled(Supplier<String> why) { this.why = why; }

        public String why() { return why.get(); }

        @Override
        public String toString() { return "Disabled[" + why() + "]"; }
    }

    static Disabled disabled(Supplier<String> why) { return new Disabled(why); }
}
