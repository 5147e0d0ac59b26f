package dev.devmap.harness.oracle;

import java.util.List;

/**
 * An observation no allowed state of the reference model explains.
 *
 * @param step     the 1-based index of the trace item
 * @param kind     what did not match
 * @param observed what the device reported
 * @param allowed  what the model allows instead
 * @param detail   a sentence for the report
 */
public record Failure(int step, Kind kind, String observed, List<String> allowed, String detail) {
    public enum Kind {
        /** The operation's outcome (result, reason, value, path, who was notified, BAR use). */
        OUTCOME,
        /** An internal step the device reported (an acknowledgement, the end of an invalidation, ...). */
        EVENT,
        /** A DMA address outside the BAR, or one another live mapping holds. */
        ADDRESS,
        /** settle: the device stopped while the model says it still owes steps (bounded liveness). */
        LIVENESS
    }

    public Failure {
        allowed = List.copyOf(allowed);
    }
}
