package dev.devmap.model;

/** Extent kinds, as the spec's {@code Kinds}. */
public enum Kind {
    HOLE("hole"), UNWRITTEN("unwritten"), WRITTEN("written");

    private final String tla;
    Kind(String tla) { this.tla = tla; }
    public String tla() { return tla; }
    public static Kind of(String s) { for (Kind k : values()) if (k.tla.equals(s)) return k; throw new IllegalArgumentException("extent kind " + s); }
}
