package dev.devmap.model;

/** Exporter (block device) life cycle. */
public enum Exp {
    UP("up"), REMOVING("removing"), GONE("gone");

    private final String tla;
    Exp(String tla) { this.tla = tla; }
    public String tla() { return tla; }
    public static Exp of(String s) { for (Exp e : values()) if (e.tla.equals(s)) return e; throw new IllegalArgumentException("exporter state " + s); }
}
