package dev.devmap.model;

/**
 * The spec's actions, one record each, with the spec's names and parameters. {@link #name()} is the
 * label TLC gives the step ({@code -dump dot,actionlabels}).
 */
public sealed interface Action {
    default String name() { return getClass().getSimpleName(); }

    // The program
    record Mmap(String f) implements Action {}
    record Munmap(String f) implements Action {}
    record CpuWrite(String f, int o) implements Action {}
    record CpuRead(String f, int o) implements Action {}
    record Truncate(String f, int n) implements Action {}
    record PunchHole(String f, int lo, int hi) implements Action {}
    record Fallocate(String f, int o) implements Action {}
    record Reflink(String f, int o, int p) implements Action {}
    // The filesystem
    record Writeback(String f, int o) implements Action {}
    record Evict(String f, int o) implements Action {}
    record Relocate(String f, int o) implements Action {}
    record Unshare(String f, int o) implements Action {}
    record InvAck(String i, String f) implements Action {}
    record InvEnd(String f) implements Action {}
    // Importers
    record MapPrepare(String i, String f, int lo, int hi, boolean pin, boolean w, boolean at) implements Action {}
    record MapCommit(String i) implements Action {}
    record MapRetry(String i) implements Action {}
    /** The grant of importer i on file f that starts at page lo (an importer's grants never overlap). */
    record DeviceUnmap(String i, String f, int lo) implements Action {}
    record DmaBufRelease(String i, String f, int lo) implements Action {}
    record DmaStart(String i, String f, int lo, int o, DmaOp op) implements Action {}
    record DmaEnd(String i) implements Action {}
    record DevFallbackRead(String i, String f, int o) implements Action {}
    record DevFallbackWrite(String i, String f, int o) implements Action {}
    // The block device (exporter)
    record BarReclaim(String i, String f, int lo) implements Action {}
    record UnplugStart() implements Action {}
    record RevokeAck(String i) implements Action {}
    record UnplugEnd() implements Action {}

    /** Every action name of the spec's Next, in the spec's order. */
    java.util.List<String> NAMES = java.util.List.of("Mmap", "Munmap", "Truncate", "PunchHole", "CpuWrite", "CpuRead",
            "Fallocate", "Writeback", "Evict", "Relocate", "Unshare", "Reflink", "InvEnd", "InvAck", "MapPrepare",
            "DevFallbackRead", "DevFallbackWrite", "MapCommit", "MapRetry", "DeviceUnmap", "DmaBufRelease", "DmaStart",
            "DmaEnd", "RevokeAck", "BarReclaim", "UnplugStart", "UnplugEnd");
}
