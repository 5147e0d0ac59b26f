package dev.devmap.explore;

import dev.devmap.model.Action;

/**
 * The seen-set of the explorer, as TLC's fingerprint set: 64-bit fingerprints in open addressing
 * (no boxing), each with a value (a state number, or the parent's fingerprint) and the action that
 * first reached it (for traces). Striped locks make it safe for the parallel search; with one
 * thread the locks are uncontended. Slot key 0 means empty; fingerprint 0 itself is kept aside.
 */
final class FpTable {
    private static final int STRIPES = 64;   // a power of two

    private final Segment[] segments = new Segment[STRIPES];

    FpTable() {
        for (int i = 0; i < STRIPES; i++) segments[i] = new Segment();
    }

    /** The value of the first {@link #putIfAbsent} of fp. */
    static final long ABSENT = Long.MIN_VALUE;

    private Segment segment(long k) { return segments[(int) (Fingerprint.mix(k) >>> 58) & (STRIPES - 1)]; }

    /** Records fp with value and action unless present; returns {@link #ABSENT} when it was new, else its value. */
    long putIfAbsent(long fp, long value, Action via) {
        Segment s = segment(fp);
        synchronized (s) {
            return s.putIfAbsent(fp, value, via);
        }
    }

    /** The value recorded for fp, or {@link #ABSENT}. */
    long get(long fp) {
        Segment s = segment(fp);
        synchronized (s) {
            if (fp == 0) return s.hasZero ? s.zeroValue : ABSENT;
            int i = s.find(fp);
            return i < 0 ? ABSENT : s.values[i];
        }
    }

    /** The action recorded for fp, or null. */
    Action via(long fp) {
        Segment s = segment(fp);
        synchronized (s) {
            if (fp == 0) return s.hasZero ? s.zeroVia : null;
            int i = s.find(fp);
            return i < 0 ? null : s.via[i];
        }
    }

    long size() {
        long n = 0;
        for (Segment s : segments) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    private static final class Segment {
        long[] keys = new long[1 << 10];
        long[] values = new long[1 << 10];
        Action[] via = new Action[1 << 10];
        int size;
        boolean hasZero;   // fingerprint 0, which cannot be a slot key
        long zeroValue;
        Action zeroVia;

        int find(long k) {
            int mask = keys.length - 1;
            for (int i = (int) Fingerprint.mix(k) & mask; ; i = (i + 1) & mask) {
                if (keys[i] == k) return i;
                if (keys[i] == 0) return -1;
            }
        }

        long putIfAbsent(long k, long value, Action a) {
            if (k == 0) {
                if (hasZero) return zeroValue;
                hasZero = true;
                zeroValue = value;
                zeroVia = a;
                size++;
                return ABSENT;
            }
            int mask = keys.length - 1;
            int i = (int) Fingerprint.mix(k) & mask;
            for (; keys[i] != 0; i = (i + 1) & mask) if (keys[i] == k) return values[i];
            keys[i] = k;
            values[i] = value;
            via[i] = a;
            if (++size * 4 > keys.length * 3) grow();
            return ABSENT;
        }

        private void grow() {
            long[] ok = keys;
            long[] ov = values;
            Action[] oa = via;
            keys = new long[ok.length * 2];
            values = new long[ok.length * 2];
            via = new Action[ok.length * 2];
            int mask = keys.length - 1;
            for (int j = 0; j < ok.length; j++) {
                if (ok[j] == 0) continue;
                int i = (int) Fingerprint.mix(ok[j]) & mask;
                while (keys[i] != 0) i = (i + 1) & mask;
                keys[i] = ok[j];
                values[i] = ov[j];
                via[i] = oa[j];
            }
        }
    }
}
