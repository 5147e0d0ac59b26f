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
 * the encoded states (each its exact bit length, back to back in a batch) of the batches of the
 * level not yet expanded and of the next level; the seen set only fingerprints (8 bytes a slot,
 * at most 85% full). A successor is fingerprinted on its working copy and encoded only if new.
 */
public final class PackedExplorer {
    static final int BATCH = 256;

    /**
     * distinct, generated, depth (initial state = 1), the first violated property, and the memory
     * figures: the seen set's table and the queue's bytes at their most (batches held at once).
     */
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

    /** Encoded states of one level, {@link #BATCH} at most, each its exact bit length, back to back. */
    private record Batch(long[] words, int states) {
        long bytes() { return 16 + 8L * words.length; }
    }

    private final class Worker {
        final long[] s = new long[m.len];
        final long[] t = new long[m.len];
        final int[] codes = new int[m.maxCandidates()];
        final long[] succ = new long[m.maxCandidates() * m.len];
        final long[] fps = new long[m.maxCandidates()];
        final PackedModel.Scratch x = m.scratch();
        long sink;   // the touched slots' sum: keeps the reads
        final long[] out = new long[BATCH * m.maxWords + 2];
        long outBits;
        int outStates;
        long generated;
    }

    /** What the queue holds: the batches of the level not yet expanded and those of the next. */
    private static final class QueueBytes {
        final AtomicLong live = new AtomicLong();
        final AtomicLong peak = new AtomicLong();

        void add(long b) { peak.accumulateAndGet(live.addAndGet(b), Math::max); }
    }

    public Result run() {
        long start = System.nanoTime();
        FpSet seen = new FpSet(1 << 16);
        long[] init = m.of(new dev.devmap.model.DeviceMapModel(m.c).init());
        Worker w0 = new Worker();
        seen.enter(1);
        seen.add(m.fingerprint(init));
        seen.exit();
        String bad0 = props.firstViolated(init);
        if (bad0 != null) return new Result(1, 1, 1, Optional.of(bad0), secs(start), seen.bytes(), 0, 0);
        long bits0 = m.encodeAt(init, w0.out, 0);
        Batch[] level = {new Batch(Arrays.copyOf(w0.out, (int) ((bits0 + 63) >>> 6)), 1)};
        QueueBytes queue = new QueueBytes();
        queue.add(level[0].bytes());
        AtomicReference<String> found = new AtomicReference<>();
        LongAdder generated = new LongAdder();
        generated.increment();
        int depth = 1;
        long peakStates = 0;
        Worker[] ws = new Worker[workers];
        for (int k = 0; k < workers; k++) ws[k] = new Worker();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread th = new Thread(r, "packed-explorer");
            th.setDaemon(true);
            return th;
        });
        try {
            while (level.length > 0 && found.get() == null) {
                final Batch[] cur = level;
                List<Batch> next = java.util.Collections.synchronizedList(new ArrayList<>());
                AtomicInteger claim = new AtomicInteger();
                long margin = (long) workers * BATCH * m.maxCandidates();
                long curStates = 0;
                for (Batch b : cur) curStates += b.states();
                List<Future<?>> fs = new ArrayList<>();
                for (Worker w : ws) {
                    fs.add(pool.submit(() -> {
                        for (int b; (b = claim.getAndIncrement()) < cur.length && found.get() == null; ) {
                            Batch in = cur[b];
                            cur[b] = null;   // expanded: the queue holds it no longer
                            seen.enter(margin);
                            try {
                                expand(w, in, seen, found, next, queue);
                            } finally {
                                seen.exit();
                            }
                            queue.add(-in.bytes());
                        }
                        flush(w, next, queue);
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
                long nextStates = 0;
                for (Batch b : next) nextStates += b.states();
                peakStates = Math.max(peakStates, curStates + nextStates);
                if (!next.isEmpty()) depth++;
                level = next.toArray(new Batch[0]);
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
                queue.peak.get(), peakStates);
    }

    /**
     * Expands a batch: each state decoded once into s, t kept equal to s (an enabled action writes
     * t, which is then restored). The successors of a state are fingerprinted on their working
     * copies first, their home slots read together, then added in order (one worker: the record
     * explorer's order of checks); only the new ones are encoded.
     */
    private void expand(Worker w, Batch in, FpSet seen, AtomicReference<String> found, List<Batch> next, QueueBytes queue) {
        long pos = 0;
        long[] s = w.s, t = w.t, succ = w.succ, fps = w.fps;
        int len = m.len;
        for (int k = 0; k < in.states() && found.get() == null; k++) {
            pos = m.decodeAt(in.words(), pos, s);
            System.arraycopy(s, 0, t, 0, len);
            int nc = m.liveCandidates(s, w.codes);
            int ns = 0;
            for (int j = 0; j < nc; j++) {
                if (!m.stepOn(s, w.codes[j], t, w.x)) continue;
                fps[ns] = m.fingerprint(t);
                System.arraycopy(t, 0, succ, ns++ * len, len);
                System.arraycopy(s, 0, t, 0, len);
            }
            w.generated += ns;
            long sink = 0;
            for (int j = 0; j < ns; j++) sink += seen.touch(fps[j]);
            w.sink += sink;
            for (int j = 0; j < ns; j++) {
                System.arraycopy(succ, j * len, t, 0, len);
                if (seen.add(fps[j])) {
                    String bad = props.firstViolated(t);
                    if (bad != null) found.compareAndSet(null, bad);
                    if (((w.outBits + 63) >>> 6) + m.maxWords + 1 > w.out.length) flush(w, next, queue);
                    w.outBits = m.encodeAt(t, w.out, w.outBits);
                    if (++w.outStates == BATCH) flush(w, next, queue);
                }
                String badStep = props.firstViolatedOnStep(s, t);
                if (badStep != null) found.compareAndSet(null, badStep);
            }
        }
    }

    private void flush(Worker w, List<Batch> next, QueueBytes queue) {
        if (w.outStates == 0) return;
        Batch b = new Batch(Arrays.copyOf(w.out, (int) ((w.outBits + 63) >>> 6)), w.outStates);
        next.add(b);
        queue.add(b.bytes());
        w.outBits = 0;
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
        long[] enc = new long[m.maxWords + 1];
        int n0 = m.encode(init, enc);
        index.putIfAbsent(m.fingerprint(init), 0);
        starts.add(0);
        words.addAll(enc, n0);
        for (int k = 0; k < starts.size(); k++) {
            m.decode(words.array(), (int) starts.get(k), w.s);
            int nc = m.liveCandidates(w.s, w.codes);
            for (int j = 0; j < nc; j++) {
                if (!m.step(w.s, w.codes[j], w.t, w.x)) continue;
                int id = index.putIfAbsent(m.fingerprint(w.t), starts.size());
                if (id < 0) {
                    id = starts.size();
                    starts.add(words.size());
                    words.addAll(enc, m.encode(w.t, enc));
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
