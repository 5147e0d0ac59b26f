package dev.devmap.model;

/** Extent kinds, as the spec's {@code Kinds}. */
public enum ExtentKind {
    HOLE("hole"), UNWRITTEN("unwritten"), WRITTEN("written");

    private final String tla;
    ExtentKind(String tla) { this.tla = tla; }
    public String tla() { return tla; }
    public static ExtentKind of(String s) { for (ExtentKind k : values()) if (k.tla.equals(s)) return k; throw new IllegalArgumentException("extent kind " + s); }
}
