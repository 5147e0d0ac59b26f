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
public record Failure(int step, Mismatch kind, String observed, List<String> allowed, String detail) {
    public enum Mismatch {
        /** The operation's outcome (result, reason, value, path, who was notified, BAR use). */
        OUTCOME(false),
        /** An internal step the device reported (an acknowledgement, the end of an invalidation, ...). */
        EVENT(false),
        /** settle: the device stopped while the model says it still owes steps (bounded liveness). */
        LIVENESS(false),
        /** Harness-only: a mapping's DMA addresses are not one per page. */
        ADDRESS_COUNT(true),
        /** Harness-only: a DMA address outside the exporter's BAR window. */
        ADDRESS_OUTSIDE_BAR(true),
        /** Harness-only: two pages of one mapping share a BAR address. */
        ADDRESS_REPEATED(true),
        /** Harness-only: a BAR address another live mapping still holds (BAR space reused while held). */
        ADDRESS_ALIAS(true),
        /** Harness-only: a PIN map granted without a dma_buf (the pin does not exist). */
        PIN_WITHOUT_DMABUF(true),
        /** Harness-only: a dma_buf handed out for a map without PIN. */
        DMABUF_WITHOUT_PIN(true),
        /** Harness-only: a dma_buf another live pin still holds. */
        DMABUF_ALIAS(true);

        private final boolean harnessOnly;

        Mismatch(boolean harnessOnly) { this.harnessOnly = harnessOnly; }

        /**
         * A check of something the spec does not state (BAR addresses, dma_buf handles): the report
         * labels it so, and no TLA+ trace module is offered for it (TLC would accept the trace).
         */
        public boolean harnessOnly() { return harnessOnly; }
    }

    public Failure {
        allowed = List.copyOf(allowed);
    }
}
