package dev.devmap.packed;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A lock-free set of 64-bit fingerprints, as TLC's fingerprint set: one {@code long[]} with open
 * addressing (linear probing), a slot claimed by compare-and-set. Growing (by 1.25x, when the
 * fill could pass 85% within the next batch of inserts) stops the world: inserters hold the read
 * side of a lock per batch ({@link #enter}/{@link #exit}), the grower the write side. Slot value 0
 * means empty, so fingerprint 0 is stored as another constant (a collision as any other).
 */
public final class FpSet {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final double MAX_FILL = 0.85;

    private volatile long[] table;
    private final AtomicLong size = new AtomicLong();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    public FpSet(int initialCapacity) { table = new long[Math.max(1024, initialCapacity)]; }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int index(long fp, int cap) { return (int) (((fp >>> 32) * cap) >>> 32); }

    /**
     * Before a batch of at most {@code inserts} inserts: grows the table if they could fill it
     * past 85%, then holds the read side until {@link #exit}.
     */
    public void enter(long inserts) {
        if (size.get() + inserts > table.length * MAX_FILL) grow(inserts);
        lock.readLock().lock();
    }

    public void exit() { lock.readLock().unlock(); }

    private void grow(long inserts) {
        lock.writeLock().lock();
        try {
            long[] old = table;
            long need = size.get() + inserts;
            if (need <= old.length * MAX_FILL) return;
            long cap = old.length;
            while (need > cap * MAX_FILL) cap = cap * 5 / 4 + 1;
            if (cap > Integer.MAX_VALUE - 8) throw new IllegalStateException("fingerprint set full");
            long[] t = new long[(int) cap];
            for (long fp : old) {
                if (fp == 0) continue;
                int i = index(fp, t.length);
                while (t[i] != 0) i = i + 1 == t.length ? 0 : i + 1;
                t[i] = fp;
            }
            table = t;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Adds fp (inside enter/exit); true when it was not there. */
    public boolean add(long fp) {
        if (fp == 0) fp = 0x9E3779B97F4A7C15L;
        long[] t = table;
        int cap = t.length;
        for (int i = index(fp, cap); ; i = i + 1 == cap ? 0 : i + 1) {
            long v = t[i];
            if (v == fp) return false;
            if (v == 0) {
                if (SLOT.compareAndSet(t, i, 0L, fp)) {
                    size.incrementAndGet();
                    return true;
                }
                if ((long) SLOT.getVolatile(t, i) == fp) return false;
            }
        }
    }

    /**
     * Reads fp's home slot and returns it (inside enter/exit). Called for all successors of a state
     * before adding any, so their cache misses overlap instead of following one another.
     */
    public long touch(long fp) {
        long[] t = table;
        return t[index(fp == 0 ? 0x9E3779B97F4A7C15L : fp, t.length)];
    }

    public long size() { return size.get(); }

    /** Bytes held by the table. */
    public long bytes() { return 8L * table.length; }
}
