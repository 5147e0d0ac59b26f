package dev.devmap.spec.tlc;

import dev.devmap.spec.tla.TlaState;

/**
 * One state of a counterexample.
 *
 * @param index  1-based position TLC gives it
 * @param action the action's name that led to it (without location), or {@link #INITIAL}
 * @param state  the state
 */
public record TraceStep(int index, String action, TlaState state) {
    /** The action name of the first step. */
    public static final String INITIAL = "Initial predicate";

    public boolean isInitial() {
        return INITIAL.equals(action);
    }
}
