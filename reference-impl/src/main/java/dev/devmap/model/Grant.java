package dev.devmap.model;

import java.util.List;

/**
 * A live device mapping: importer {@code i} maps pages {@code lo..hi} of file {@code f}, page
 * {@code o} to block {@code bs[o - lo]}, with the flags WRITE ({@code w}), ATOMIC ({@code at}) and
 * PIN ({@code pin}: a dma_buf holds it, so it ignores mmu-notifier invalidation and survives munmap).
 */
public record Grant(String i, String f, int lo, int hi, List<Integer> bs, boolean w, boolean at, boolean pin) {
    public Grant {
        bs = List.copyOf(bs);
    }

    public int size() { return hi - lo + 1; }

    public boolean in(int o) { return lo <= o && o <= hi; }

    public boolean overlaps(int l, int h) { return lo <= h && l <= hi; }

    /** {@code Blk(g, o)}. */
    public int blk(int o) { return bs.get(o - lo); }

    /** The contract a vendor asks about: pinned, revocable, writable. */
    public String contract() {
        return (pin ? "pinned (dma_buf; survives munmap; revoked only by exporter removal)"
                    : "revocable (mmu-notifier; dropped on invalidation)")
                + (w ? ", writable" : ", read-only") + (at ? ", atomics" : "");
    }
}
