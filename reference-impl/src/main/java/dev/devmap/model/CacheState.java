package dev.devmap.model;

/** Page-cache state of one (file, offset). */
public enum CacheState {
    ABSENT("absent"), CLEAN("clean"), DIRTY("dirty");

    private final String tla;
    CacheState(String tla) { this.tla = tla; }
    public String tla() { return tla; }
    public static CacheState of(String s) { for (CacheState c : values()) if (c.tla.equals(s)) return c; throw new IllegalArgumentException("cache state " + s); }
}
