package dev.devmap.spec.tlc;

/**
 * How a liveness counterexample (a lasso) ends after its last listed state.
 *
 * @param index      for {@code STUTTERING} the position after the last state (message 2218
 *                   {@code K: Stuttering}): the last state repeats forever; for
 *                   {@code BACK_TO_STATE} the position of the earlier state the behaviour returns
 *                   to (message 2122 {@code K: Back to state: <Action ...>})
 * @param action     the action leading back (BACK_TO_STATE), else null
 */
public record TraceLoop(Shape kind, int index, String action) {
    public enum Shape { STUTTERING, BACK_TO_STATE }
}
