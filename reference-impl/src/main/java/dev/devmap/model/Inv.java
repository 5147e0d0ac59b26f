package dev.devmap.model;

import java.util.Set;

/**
 * {@code inv[f]}: the filesystem's invalidation of {@code lo..hi} of one file: its cause (and
 * argument: the reflink target page), whether only writable grants are concerned ({@code wonly}),
 * the importers still to acknowledge ({@code await}), the grants it revokes ({@code victims}) and
 * whether the change has already been applied ({@code done}; only in variant no-ack-wait).
 */
public record Inv(boolean on, int lo, int hi, Cause cause, int arg, boolean wonly, Set<String> await,
                  Set<Grant> victims, boolean done) {
    public static final Inv IDLE = new Inv(false, 1, 1, Cause.NONE, 0, false, Set.of(), Set.of(), false);

    public Inv {
        await = Canonical.strings(await);
        victims = Canonical.set(victims, Canonical.GRANT);
    }

    public boolean overlaps(int l, int h) { return lo <= h && l <= hi; }
}
