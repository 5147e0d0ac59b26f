package dev.devmap.model;

/** {@code cache[f][o]}: page-cache state and the value the cached page holds (0 when absent). */
public record Page(CacheState st, int v) {
    public static final Page ABSENT = new Page(CacheState.ABSENT, 0);
}
