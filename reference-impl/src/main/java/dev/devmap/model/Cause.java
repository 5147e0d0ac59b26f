package dev.devmap.model;

/** What an invalidation protects, as the spec's {@code Causes}. */
public enum Cause {
    NONE("none"), TRUNCATE("truncate"), PUNCH("punch"), FALLOCATE("fallocate"), RELOCATE("relocate"),
    COW("cow"), REFLINK("reflink"), POPULATE("populate"), MUNMAP("munmap"), RECLAIM("reclaim"),
    WRITEBACK("writeback"), UNSHARE("unshare");

    private final String tla;
    Cause(String tla) { this.tla = tla; }
    public String tla() { return tla; }
    public static Cause of(String s) { for (Cause c : values()) if (c.tla.equals(s)) return c; throw new IllegalArgumentException("cause " + s); }
}
