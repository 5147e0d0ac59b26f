package dev.devmap.model;

/**
 * Why device_map refused, in the order the spec's {@code Refusal} decides: filesystem first, then
 * block device; and the spec's property each refusal protects (a map granted where it applies
 * breaks that property), declared here once for the harness's diagnosis and the property tests.
 */
public enum Reason {
    HOLE("hole", "filesystem", "S10_Capability"), CACHED("cached", "filesystem", "S5_CacheExclusion"),
    SHARED("shared", "filesystem", "S10_Capability"), PIN_UNSUPPORTED("pin-unsupported", "filesystem", "S10_Capability"),
    EXPORTER_GONE("exporter-gone", "block device", "S8_ExporterLifetime"),
    NO_ROUTE("no-route", "block device", "S10_Capability"), NO_ATOMIC_ROUTE("no-atomic-route", "block device", "S10_Capability"),
    WRITE_NOT_ALLOWED("write-not-allowed", "block device", "S10_Capability"),
    BAR_FULL("bar-full", "block device", "S9_BarAccounting");

    private final String tla;
    private final String decidedBy;
    private final String protects;
    Reason(String tla, String decidedBy, String protects) { this.tla = tla; this.decidedBy = decidedBy; this.protects = protects; }
    public String tla() { return tla; }
    /** Which actor refuses: "filesystem" or "block device". */
    public String decidedBy() { return decidedBy; }
    /** The spec's safety property this refusal protects (its name in DeviceMap.tla). */
    public String protects() { return protects; }
    public static Reason of(String s) { for (Reason r : values()) if (r.tla.equals(s)) return r; throw new IllegalArgumentException("unknown refusal reason '" + s + "'"); }
}
