package dev.devmap.kernelapi;

import dev.devmap.model.DmaOp;

import java.util.List;

/**
 * What a program, the kernel or an importer device asks of the system: the operations of the
 * kernel-shaped facade and of the conformance harness (one request of the agent line protocol
 * each; {@link #wire()} is its name there). Each maps onto one or a few actions of the spec
 * (see {@link Semantics}); internal steps the system takes by itself are {@link Event}s. Each record
 * is named for the call with the suffix {@code Call}, so that it is never mistaken for the spec's
 * action of the same name ({@code Op.TruncateCall} may take the steps {@code Truncate},
 * {@code InvAck}, {@code InvEnd}; {@code dev.devmap.model.Action.Truncate} is one step).
 */
public sealed interface Op {
    /** The operation's name in the agent line protocol. */
    String wire();

    /** Short human form, e.g. {@code device_map gpu f1 1..2 WRITE}. */
    String show();

    // ---- the program (and the filesystem on its behalf)
    record MmapCall(String f) implements Op {
        public String wire() { return "mmap"; }
        public String show() { return "mmap " + f; }
    }

    record MunmapCall(String f) implements Op {
        public String wire() { return "munmap"; }
        public String show() { return "munmap " + f; }
    }

    /** write(2) / a CPU store to page o (the value is the model's next value). */
    record WriteCall(String f, int o) implements Op {
        public String wire() { return "cpu_write"; }
        public String show() { return "cpu_write " + f + " " + o; }
    }

    /** read(2) / a CPU load of page o. */
    record ReadCall(String f, int o) implements Op {
        public String wire() { return "cpu_read"; }
        public String show() { return "cpu_read " + f + " " + o; }
    }

    /** truncate(2) to n pages. */
    record TruncateCall(String f, int n) implements Op {
        public String wire() { return "truncate"; }
        public String show() { return "truncate " + f + " " + n; }
    }

    /** fallocate(PUNCH_HOLE) of pages lo..hi. */
    record PunchHoleCall(String f, int lo, int hi) implements Op {
        public String wire() { return "punch"; }
        public String show() { return "punch " + f + " " + lo + ".." + hi; }
    }

    record FallocateCall(String f, int o) implements Op {
        public String wire() { return "fallocate"; }
        public String show() { return "fallocate " + f + " " + o; }
    }

    /** FICLONERANGE of page o onto page p. */
    record ReflinkCall(String f, int o, int p) implements Op {
        public String wire() { return "reflink"; }
        public String show() { return "reflink " + f + " " + o + "->" + p; }
    }

    /** sync_file_range / fsync of one page. */
    record WritebackCall(String f, int o) implements Op {
        public String wire() { return "writeback"; }
        public String show() { return "writeback " + f + " " + o; }
    }

    /** posix_fadvise(DONTNEED) of one page. */
    record EvictCall(String f, int o) implements Op {
        public String wire() { return "evict"; }
        public String show() { return "evict " + f + " " + o; }
    }

    /** Defragmentation / migration of one page to another block. */
    record RelocateCall(String f, int o) implements Op {
        public String wire() { return "relocate"; }
        public String show() { return "relocate " + f + " " + o; }
    }

    /** FALLOC_FL_UNSHARE_RANGE of one page (COW break). */
    record UnshareCall(String f, int o) implements Op {
        public String wire() { return "unshare"; }
        public String show() { return "unshare " + f + " " + o; }
    }

    // ---- importers: device_map and its driver
    /**
     * device_map(vma, importer, &dma_buf, lo, hi, flags, pa[]); with {@code commit} the driver also
     * commits at once (programs the device page table), else it holds the prepared result until
     * {@link MapCommitCall}.
     */
    record DeviceMapCall(String i, String f, int lo, int hi, boolean pin, boolean w, boolean at, boolean commit)
            implements Op {
        public String wire() { return "device_map"; }
        public String show() {
            return "device_map " + i + " " + f + " " + lo + ".." + hi + flags(pin, w, at) + (commit ? "" : " (prepare)");
        }
    }

    record MapCommitCall(String i) implements Op {
        public String wire() { return "map_commit"; }
        public String show() { return "map_commit " + i; }
    }

    /**
     * device_unmap of the (unpinned) grant of i on f that starts at page lo (as in the spec, a grant
     * is named by its importer, file and first page: the grants of one importer never overlap).
     */
    record DeviceUnmapCall(String i, String f, int lo) implements Op {
        public String wire() { return "device_unmap"; }
        public String show() { return "device_unmap " + i + " " + f + " " + lo; }
    }

    /** Release of the dma_buf of the pinned grant of i on f that starts at lo (unpin). */
    record UnpinCall(String i, String f, int lo) implements Op {
        public String wire() { return "dmabuf_release"; }
        public String show() { return "dmabuf_release " + i + " " + f + " " + lo; }
    }

    /** Start of a DMA of importer i through its grant covering page o (stays in flight). */
    record DmaStartCall(String i, String f, int o, DmaOp op) implements Op {
        public String wire() { return "dma_start"; }
        public String show() { return "dma_start " + i + " " + f + " " + o + " " + op.tla(); }
    }

    record DmaEndCall(String i) implements Op {
        public String wire() { return "dma_end"; }
        public String show() { return "dma_end " + i; }
    }

    /** A device read of page o by importer i through whatever path applies (direct or fallback). */
    record DevReadCall(String i, String f, int o) implements Op {
        public String wire() { return "dev_read"; }
        public String show() { return "dev_read " + i + " " + f + " " + o; }
    }

    /** A device write of page o by importer i through whatever path applies (direct or fallback). */
    record DevWriteCall(String i, String f, int o) implements Op {
        public String wire() { return "dev_write"; }
        public String show() { return "dev_write " + i + " " + f + " " + o; }
    }

    /** The importer acknowledges the invalidation of f (TLB flushed, DMA drained). */
    record InvAckCall(String i, String f) implements Op {
        public String wire() { return "inv_ack"; }
        public String show() { return "inv_ack " + i + " " + f; }
    }

    /** The importer gives its mappings back to a departing exporter. */
    record RevokeAckCall(String i) implements Op {
        public String wire() { return "revoke_ack"; }
        public String show() { return "revoke_ack " + i; }
    }

    // ---- the block device (exporter)
    /** BAR reclaim of the grant of i on f that starts at lo. */
    record BarReclaimCall(String i, String f, int lo) implements Op {
        public String wire() { return "bar_reclaim"; }
        public String show() { return "bar_reclaim " + i + " " + f + " " + lo; }
    }

    /** Hot-unplug of the exporter. */
    record UnplugCall() implements Op {
        public String wire() { return "unplug"; }
        public String show() { return "unplug"; }
    }

    /** The program stops: the system finishes what it can by itself (bounded liveness check). */
    record SettleCall() implements Op {
        public String wire() { return "settle"; }
        public String show() { return "settle"; }
    }

    /** Every wire name, in a stable order. */
    List<String> WIRE_NAMES = List.of("mmap", "munmap", "cpu_write", "cpu_read", "truncate", "punch", "fallocate",
            "reflink", "writeback", "evict", "relocate", "unshare", "device_map", "map_commit", "device_unmap",
            "dmabuf_release", "dma_start", "dma_end", "dev_read", "dev_write", "inv_ack", "revoke_ack", "bar_reclaim",
            "unplug", "settle");

    static String flags(boolean pin, boolean w, boolean at) {
        StringBuilder sb = new StringBuilder();
        if (pin) sb.append(" PIN");
        if (w) sb.append(" WRITE");
        if (at) sb.append(" ATOMIC");
        return sb.toString();
    }
}
