package dev.devmap.model;

/** Why device_map refused, in the order the spec's {@code Refusal} decides: filesystem first, then block device. */
public enum Reason {
    HOLE("hole", "filesystem"), CACHED("cached", "filesystem"), SHARED("shared", "filesystem"),
    PIN_UNSUPPORTED("pin-unsupported", "filesystem"), EXPORTER_GONE("exporter-gone", "block device"),
    NO_ROUTE("no-route", "block device"), NO_ATOMIC_ROUTE("no-atomic-route", "block device"),
    WRITE_NOT_ALLOWED("write-not-allowed", "block device"), BAR_FULL("bar-full", "block device");

    private final String tla;
    private final String decidedBy;
    Reason(String tla, String decidedBy) { this.tla = tla; this.decidedBy = decidedBy; }
    public String tla() { return tla; }
    /** Which actor refuses: "filesystem" or "block device". */
    public String decidedBy() { return decidedBy; }
    public static Reason of(String s) { for (Reason r : values()) if (r.tla.equals(s)) return r; throw new IllegalArgumentException("unknown refusal reason '" + s + "'"); }
}
