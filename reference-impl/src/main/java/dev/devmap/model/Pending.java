package dev.devmap.model;

import java.util.List;

/**
 * A prepared, not yet committed device_map result. {@code retry} is what
 * {@code mmu_interval_read_retry()} would answer: the sequence count of the range moved since.
 */
public record Pending(String i, String f, int lo, int hi, List<Integer> bs, boolean w, boolean at, boolean pin,
                      boolean retry) {
    public Pending {
        bs = List.copyOf(bs);
    }

    public int size() { return hi - lo + 1; }

    public boolean overlaps(int l, int h) { return lo <= h && l <= hi; }

    public int blk(int o) { return bs.get(o - lo); }

    /** {@code Grant(p)}. */
    public Grant grant() { return new Grant(i, f, lo, hi, bs, w, at, pin); }

    public Pending withRetry() { return new Pending(i, f, lo, hi, bs, w, at, pin, true); }
}
