package dev.devmap.model;

/** {@code extent[f][o]}: the kind of the extent and its block (0 = none). */
public record Extent(ExtentKind k, int b) {
    public static final Extent HOLE = new Extent(ExtentKind.HOLE, 0);
}
