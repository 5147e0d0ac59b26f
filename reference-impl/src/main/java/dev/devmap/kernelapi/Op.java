package dev.devmap.kernelapi;

import dev.devmap.model.DmaOp;

import java.util.List;

/**
 * What a program, the kernel or an importer device asks of the system: the operations of the
 * kernel-shaped facade and of the conformance harness (one request of the agent line protocol
 * each; {@link #wire()} is its name there). Each maps onto one or a few actions of the spec
 * (see {@link Semantics}); its wire name, arguments, spec actions and short form are its row of
 * {@link OpSchema}. Internal steps the system takes by itself are {@link Event}s. Each record
 * is named for the call with the suffix {@code Call}, so that it is never mistaken for the spec's
 * action of the same name ({@code Op.TruncateCall} may take the steps {@code Truncate},
 * {@code InvAck}, {@code InvEnd}; {@code dev.devmap.model.Action.Truncate} is one step).
 */
public sealed interface Op {
    /** The operation's name in the agent line protocol ({@link OpSchema}). */
    default String wire() { return OpSchema.of(this).wire(); }

    /** Short human form, e.g. {@code device_map gpu f1 1..2 WRITE} ({@link OpSchema}). */
    default String show() { return OpSchema.of(this).show(this); }

    // ---- the program (and the filesystem on its behalf)
    record MmapCall(String f) implements Op {}

    record MunmapCall(String f) implements Op {}

    /** write(2) / a CPU store to page o (the value is the model's next value). */
    record WriteCall(String f, int o) implements Op {}

    /** read(2) / a CPU load of page o. */
    record ReadCall(String f, int o) implements Op {}

    /** truncate(2) to n pages. */
    record TruncateCall(String f, int n) implements Op {}

    /** fallocate(PUNCH_HOLE) of pages lo..hi. */
    record PunchHoleCall(String f, int lo, int hi) implements Op {}

    record FallocateCall(String f, int o) implements Op {}

    /** FICLONERANGE of page o onto page p. */
    record ReflinkCall(String f, int o, int p) implements Op {}

    /** sync_file_range / fsync of one page. */
    record WritebackCall(String f, int o) implements Op {}

    /** posix_fadvise(DONTNEED) of one page. */
    record EvictCall(String f, int o) implements Op {}

    /** Defragmentation / migration of one page to another block. */
    record RelocateCall(String f, int o) implements Op {}

    /** FALLOC_FL_UNSHARE_RANGE of one page (COW break). */
    record UnshareCall(String f, int o) implements Op {}

    // ---- importers: device_map and its driver
    /**
     * device_map(vma, importer, &dma_buf, lo, hi, flags, pa[]); with {@code commit} the driver also
     * commits at once (programs the device page table), else it holds the prepared result until
     * {@link MapCommitCall}.
     */
    record DeviceMapCall(String i, String f, int lo, int hi, boolean pin, boolean w, boolean at, boolean commit)
            implements Op {
        @Override
        public String show() { return OpSchema.of(this).show(this) + flags(pin, w, at) + (commit ? "" : " (prepare)"); }
    }

    record MapCommitCall(String i) implements Op {}

    /**
     * device_unmap of the (unpinned) grant of i on f that starts at page lo (as in the spec, a grant
     * is named by its importer, file and first page: the grants of one importer never overlap).
     */
    record DeviceUnmapCall(String i, String f, int lo) implements Op {}

    /** Release of the dma_buf of the pinned grant of i on f that starts at lo (unpin). */
    record UnpinCall(String i, String f, int lo) implements Op {}

    /** Start of a DMA of importer i through its grant covering page o (stays in flight). */
    record DmaStartCall(String i, String f, int o, DmaOp op) implements Op {}

    record DmaEndCall(String i) implements Op {}

    /** A device read of page o by importer i through whatever path applies (direct or fallback). */
    record DevReadCall(String i, String f, int o) implements Op {}

    /** A device write of page o by importer i through whatever path applies (direct or fallback). */
    record DevWriteCall(String i, String f, int o) implements Op {}

    /** The importer acknowledges the invalidation of f (TLB flushed, DMA drained). */
    record InvAckCall(String i, String f) implements Op {}

    /** The importer gives its mappings back to a departing exporter. */
    record RevokeAckCall(String i) implements Op {}

    // ---- the block device (exporter)
    /** BAR reclaim of the grant of i on f that starts at lo. */
    record BarReclaimCall(String i, String f, int lo) implements Op {}

    /** Hot-unplug of the exporter. */
    record UnplugCall() implements Op {}

    /** The program stops: the system finishes what it can by itself (bounded liveness check). */
    record SettleCall() implements Op {}

    /** Every wire name, in the protocol's order: {@link OpSchema#WIRE_NAMES}. */
    List<String> WIRE_NAMES = OpSchema.WIRE_NAMES;

    static String flags(boolean pin, boolean w, boolean at) {
        StringBuilder sb = new StringBuilder();
        if (pin) sb.append(" PIN");
        if (w) sb.append(" WRITE");
        if (at) sb.append(" ATOMIC");
        return sb.toString();
    }
}
