package dev.devmap.packed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Breadth-first search of {@link PackedModel}'s state space, as TLC's: level by level, every worker
 * takes batches of {@value #BATCH} encoded states of the current level, expands them on its own
 * working copies and appends the new ones (those whose fingerprint it adds first to the lock-free
 * {@link FpSet}) to its own batches of the next level. New states are checked against the
 * invariants when found, every step against the step properties, as {@code Explorer} does; with
 * one worker the order, and so the first violation, is the record explorer's. The queue holds
 * the encoded states (a few words each) of two levels at most; the seen set only fingerprints.
 */
public final class PackedExplorer {
    static final int BATCH = 256;

    /** distinct, generated, depth (initial state = 1), the first violated property, and the memory figures. */
    public record Result(long distinct, long generated, int depth, Optional<String> violated, double seconds,
                         long seenBytes, long peakQueueBytes, long peakQueueStates) {
        public boolean ok() { return violated.isEmpty(); }

        public double statesPerSecond() { return seconds > 0 ? distinct / seconds : Double.POSITIVE_INFINITY; }

        /** Bytes of the seen set and of the queue at its fullest, per distinct state. */
        public double bytesPerState() { return (seenBytes + peakQueueBytes) / (double) distinct; }
    }

    private final PackedModel m;
    private final PackedProperties props;
    private int workers = 1;
    private Consumer<String> progress = s -> { };

    /** Checks the named invariants and step properties (any order; each kind checked in the given order). */
    public PackedExplorer(PackedModel m, List<String> properties) {
        this.m = m;
        this.props = new PackedProperties(m, properties);
    }

    public PackedExplorer workers(int n) {
        if (n < 1) throw new IllegalArgumentException("workers must be at least 1");
        this.workers = n;
        return this;
    }

    public PackedExplorer onProgress(Consumer<String> progress) {
        this.progress = progress;
        return this;
    }

    /** The fingerprint of an encoded state. */
    static long fingerprint(long[] w, int from, int n) {
        long h = 0x84222325cbf29ce4L ^ n;
        for (int k = from; k < from + n; k++) h = FpSet.mix(h + w[k] * 0x9E3779B97F4A7C15L);
        return h;
    }

    /** Encoded states of one level, {@link #BATCH} at most. */
    private record Batch(long[] words, int states) {}

    private final class Worker {
        final long[] s = new long[m.len];
        final long[] t = new long[m.len];
        final long[] enc = new long[m.maxWords + 1];
        final int[] codes = new int[m.maxCandidates()];
        final PackedModel.Scratch x = m.scratch();
        long[] out = new long[BATCH * m.maxWords];
        int outWords;
        int outStates;
        long generated;
    }

    public Result run() {
        long start = System.nanoTime();
        FpSet seen = new FpSet(1 << 16);
        long[] init = m.of(new dev.devmap.model.DeviceMapModel(m.c).init());
        Worker w0 = new Worker();
        int n0 = m.encode(init, w0.enc);
        seen.enter(1);
        seen.add(fingerprint(w0.enc, 0, n0));
        seen.exit();
        String bad0 = props.firstViolated(init);
        if (bad0 != null) return new Result(1, 1, 1, Optional.of(bad0), secs(start), seen.bytes(), 0, 0);
        List<Batch> level = List.of(new Batch(Arrays.copyOf(w0.enc, n0), 1));
        AtomicReference<String> found = new AtomicReference<>();
        LongAdder generated = new LongAdder();
        generated.increment();
        int depth = 1;
        long peakBytes = 0;
        long peakStates = 0;
        Worker[] ws = new Worker[workers];
        for (int k = 0; k < workers; k++) ws[k] = new Worker();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "packed-explorer");
            th.setDaemon(true);
            return th;
        });
        try {
            while (!level.isEmpty() && found.get() == null) {
                final List<Batch> cur = level;
                List<Batch> next = java.util.Collections.synchronizedList(new ArrayList<>());
                AtomicInteger claim = new AtomicInteger();
                AtomicLong nextBytes = new AtomicLong();
                long margin = (long) workers * BATCH * m.maxCandidates();
                List<Future<?>> fs = new ArrayList<>();
                for (Worker w : ws) {
                    fs.add(pool.submit(() -> {
                        for (int b; (b = claim.getAndIncrement()) < cur.size() && found.get() == null; ) {
                            Batch in = cur.get(b);
                            seen.enter(margin);
                            try {
                                expand(w, in, seen, found, next, nextBytes);
                            } finally {
                                seen.exit();
                            }
                        }
                        flush(w, next, nextBytes);
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
                long curBytes = 0;
                long curStates = 0;
                for (Batch b : cur) {
                    curBytes += 16 + 8L * b.words().length;
                    curStates += b.states();
                }
                long nextStates = 0;
                for (Batch b : next) nextStates += b.states();
                peakBytes = Math.max(peakBytes, curBytes + nextBytes.get());
                peakStates = Math.max(peakStates, curStates + nextStates);
                if (!next.isEmpty()) depth++;
                level = next;
                progress.accept(String.format("packed: %,d distinct states, %,d on the next level, depth %d", seen.size(),
                        nextStates, depth));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("exploration interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("exploration failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        for (Worker w : ws) generated.add(w.generated);
        return new Result(seen.size(), generated.sum(), depth, Optional.ofNullable(found.get()), secs(start), seen.bytes(),
                peakBytes, peakStates);
    }

    private void expand(Worker w, Batch in, FpSet seen, AtomicReference<String> found, List<Batch> next,
                        AtomicLong nextBytes) {
        int pos = 0;
        for (int k = 0; k < in.states() && found.get() == null; k++) {
            pos = m.decode(in.words(), pos, w.s);
            int nc = m.candidates(w.s, w.codes);
            for (int j = 0; j < nc; j++) {
                if (!m.step(w.s, w.codes[j], w.t, w.x)) continue;
                w.generated++;
                int n = m.encode(w.t, w.enc);
                if (seen.add(fingerprint(w.enc, 0, n))) {
                    String bad = props.firstViolated(w.t);
                    if (bad != null) found.compareAndSet(null, bad);
                    if (w.outWords + n > w.out.length) flush(w, next, nextBytes);
                    System.arraycopy(w.enc, 0, w.out, w.outWords, n);
                    w.outWords += n;
                    if (++w.outStates == BATCH) flush(w, next, nextBytes);
                }
                String badStep = props.firstViolatedOnStep(w.s, w.t);
                if (badStep != null) found.compareAndSet(null, badStep);
            }
        }
    }

    private void flush(Worker w, List<Batch> next, AtomicLong nextBytes) {
        if (w.outStates == 0) return;
        Batch b = new Batch(Arrays.copyOf(w.out, w.outWords), w.outStates);
        next.add(b);
        nextBytes.addAndGet(16 + 8L * b.words().length);
        w.outWords = 0;
        w.outStates = 0;
    }

    private static double secs(long start) { return (System.nanoTime() - start) / 1e9; }

    /**
     * The whole state graph, one worker: every state (encoded, numbered in order of discovery, the
     * initial state 0) and every labelled edge. No properties are checked.
     */
    public PackedGraph graph() {
        long[] init = m.of(new dev.devmap.model.DeviceMapModel(m.c).init());
        Worker w = new Worker();
        LongList words = new LongList();
        LongList starts = new LongList();
        IntIndex index = new IntIndex();
        LongList edges = new LongList();   // from << 32 | to
        IntList labels = new IntList();
        int n0 = m.encode(init, w.enc);
        index.putIfAbsent(fingerprint(w.enc, 0, n0), 0);
        starts.add(0);
        words.addAll(w.enc, n0);
        for (int k = 0; k < starts.size(); k++) {
            m.decode(words.array(), (int) starts.get(k), w.s);
            int nc = m.candidates(w.s, w.codes);
            for (int j = 0; j < nc; j++) {
                if (!m.step(w.s, w.codes[j], w.t, w.x)) continue;
                int n = m.encode(w.t, w.enc);
                int id = index.putIfAbsent(fingerprint(w.enc, 0, n), starts.size());
                if (id < 0) {
                    id = starts.size();
                    starts.add(words.size());
                    words.addAll(w.enc, n);
                }
                edges.add((long) k << 32 | id);
                labels.add(w.codes[j]);
            }
            if ((k & 0x3ffff) == 0 && k > 0) progress.accept(String.format("packed graph: %,d states, %,d edges", starts.size(), edges.size()));
        }
        return new PackedGraph(m, words.trimmed(), starts.trimmed(), edges.trimmed(), labels.trimmed());
    }

    static final class LongList {
        private long[] a = new long[1024];
        private int n;

        void add(long v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        void addAll(long[] v, int k) {
            while (n + k > a.length) a = Arrays.copyOf(a, a.length * 2);
            System.arraycopy(v, 0, a, n, k);
            n += k;
        }

        long get(int k) { return a[k]; }
        int size() { return n; }
        long[] array() { return a; }
        long[] trimmed() { return Arrays.copyOf(a, n); }
    }

    static final class IntList {
        private int[] a = new int[1024];
        private int n;

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        int[] trimmed() { return Arrays.copyOf(a, n); }
    }

    /** Fingerprint -> state number, open addressing, one thread. */
    static final class IntIndex {
        private long[] keys = new long[1 << 12];
        private int[] vals = new int[1 << 12];
        private int n;

        /** The number of fp, or -1 after recording it as v. */
        int putIfAbsent(long fp, int v) {
            if (fp == 0) fp = 0x9E3779B97F4A7C15L;
            int mask = keys.length - 1;
            int i = (int) FpSet.mix(fp) & mask;
            for (; keys[i] != 0; i = (i + 1) & mask) if (keys[i] == fp) return vals[i];
            keys[i] = fp;
            vals[i] = v;
            if (++n * 4 > keys.length * 3) grow();
            return -1;
        }

        private void grow() {
            long[] ok = keys;
            int[] ov = vals;
            keys = new long[ok.length * 2];
            vals = new int[ok.length * 2];
            int mask = keys.length - 1;
            for (int j = 0; j < ok.length; j++) {
                if (ok[j] == 0) continue;
                int i = (int) FpSet.mix(ok[j]) & mask;
                while (keys[i] != 0) i = (i + 1) & mask;
                keys[i] = ok[j];
                vals[i] = ov[j];
            }
        }
    }
}
