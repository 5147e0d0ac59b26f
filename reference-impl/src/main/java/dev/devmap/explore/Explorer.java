package dev.devmap.explore;

import dev.devmap.model.Action;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.State;
import dev.devmap.model.Transition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Breadth-first exploration of the Java model's state space, as TLC's BFS: every new state is
 * checked against the invariants when it is found, every step against the step properties, and
 * the first violation comes with a shortest trace (list of action and state).
 */
public final class Explorer {
    /** One step of a trace: the action that led to the state (null for the initial state). */
    public record TraceStep(Action action, State state) {}

    /** A labelled edge of the state graph, by state number (numbers in order of discovery). */
    public record Edge(int from, int to, Action action) {
        /** The label TLC gives the step: the action's name. */
        public String label() { return action.name(); }
    }

    public record Result(long distinct, long generated, int depth, Optional<String> violated, List<TraceStep> trace,
                         double seconds, List<State> states, List<Edge> edges) {
        public boolean ok() { return violated.isEmpty(); }

        public double statesPerSecond() { return seconds > 0 ? distinct / seconds : Double.POSITIVE_INFINITY; }
    }

    private final DeviceMapModel model;
    private final SafetyProperties props;
    private final List<String> invariants;
    private final List<String> stepProperties;
    private boolean keepGraph;
    private int workers = 1;
    private Consumer<String> progress = s -> { };

    public Explorer(DeviceMapModel model, List<String> invariants, List<String> stepProperties) {
        this.model = model;
        this.props = new SafetyProperties(model);
        this.invariants = List.copyOf(invariants);
        this.stepProperties = List.copyOf(stepProperties);
    }

    /** Keep every state and labelled edge (for the mirror check); costs memory. */
    public Explorer keepGraph(boolean keep) {
        this.keepGraph = keep;
        return this;
    }

    /** Worker threads; more than one explores level by level in parallel (no graph is kept then). */
    public Explorer workers(int n) {
        if (n < 1) throw new IllegalArgumentException("workers must be at least 1");
        this.workers = n;
        return this;
    }

    public Explorer onProgress(Consumer<String> progress) {
        this.progress = progress;
        return this;
    }

    public Result run() {
        if (workers > 1 && !keepGraph) return runParallel();
        long start = System.nanoTime();
        FpTable index = new FpTable();   // fingerprint -> state number
        List<State> states = new ArrayList<>();
        List<Integer> parent = new ArrayList<>();
        List<Action> via = new ArrayList<>();
        List<Integer> level = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>();

        State init = model.init();
        index.putIfAbsent(Fingerprint.of(init), 0, null);
        states.add(init);
        parent.add(-1);
        via.add(null);
        level.add(1);
        queue.add(0);
        long generated = 1;
        int depth = 1;
        Optional<String> bad = props.firstViolated(invariants, init);
        if (bad.isPresent()) return done(start, 1, generated, depth, bad, trace(0, states, parent, via), states, edges);

        long lastReport = System.nanoTime();
        while (!queue.isEmpty()) {
            int n = queue.poll();
            State s = states.get(n);
            for (Transition t : model.successors(s)) {
                generated++;
                long fp = Fingerprint.of(t.next());
                long got = index.putIfAbsent(fp, states.size(), t.action());
                boolean fresh = got == FpTable.ABSENT;
                int k = fresh ? states.size() : (int) got;
                if (fresh) {
                    states.add(t.next());
                    parent.add(n);
                    via.add(t.action());
                    level.add(level.get(n) + 1);
                    depth = Math.max(depth, level.get(n) + 1);
                }
                if (keepGraph) edges.add(new Edge(n, k, t.action()));
                if (fresh) {
                    bad = props.firstViolated(invariants, t.next());
                    if (bad.isPresent()) {
                        return done(start, states.size(), generated, depth, bad, trace(k, states, parent, via), states,
                                edges);
                    }
                    queue.add(k);
                }
                bad = props.firstViolatedOnStep(stepProperties, s, t.next());
                if (bad.isPresent()) {
                    List<TraceStep> tr = new ArrayList<>(trace(n, states, parent, via));
                    tr.add(new TraceStep(t.action(), t.next()));
                    return done(start, states.size(), generated, depth, bad, tr, states, edges);
                }
            }
            if (System.nanoTime() - lastReport > 2_000_000_000L) {
                lastReport = System.nanoTime();
                progress.accept(String.format("java: %,d distinct states, %,d on queue, depth %d", states.size(),
                        queue.size(), depth));
            }
        }
        return done(start, states.size(), generated, depth, Optional.empty(), List.of(), states, edges);
    }

    private record Found(String property, long parent, Action via, State state) {}

    /**
     * Level-synchronous parallel BFS over 64-bit fingerprints (as TLC): states of one level are
     * expanded by all workers; a violation found on a level is reported with a trace of that length,
     * rebuilt by replaying the recorded actions from the initial state.
     */
    private Result runParallel() {
        long start = System.nanoTime();
        FpTable seen = new FpTable();   // fingerprint -> the first parent's fingerprint and the action
        java.util.concurrent.atomic.LongAdder generated = new java.util.concurrent.atomic.LongAdder();
        java.util.concurrent.atomic.AtomicReference<Found> found = new java.util.concurrent.atomic.AtomicReference<>();
        State init = model.init();
        seen.putIfAbsent(Fingerprint.of(init), 0, null);
        generated.increment();
        Optional<String> bad0 = props.firstViolated(invariants, init);
        if (bad0.isPresent()) {
            return done(start, 1, 1, 1, bad0, List.of(new TraceStep(null, init)), List.of(), List.of());
        }
        List<State> frontier = List.of(init);
        int depth = 1;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "explorer");
            t.setDaemon(true);
            return t;
        });
        try {
            while (!frontier.isEmpty() && found.get() == null) {
                final List<State> cur = frontier;
                int chunks = Math.max(1, Math.min(cur.size(), workers * 16));
                List<java.util.concurrent.Callable<List<State>>> tasks = new ArrayList<>();
                for (int k = 0; k < chunks; k++) {
                    final int from = (int) ((long) cur.size() * k / chunks);
                    final int to = (int) ((long) cur.size() * (k + 1) / chunks);
                    tasks.add(() -> {
                        List<State> next = new ArrayList<>();
                        for (int n = from; n < to && found.get() == null; n++) {
                            State s = cur.get(n);
                            long fs = Fingerprint.of(s);
                            for (Transition t : model.successors(s)) {
                                generated.increment();
                                if (seen.putIfAbsent(Fingerprint.of(t.next()), fs, t.action()) == FpTable.ABSENT) {
                                    Optional<String> bad = props.firstViolated(invariants, t.next());
                                    if (bad.isPresent()) found.compareAndSet(null, new Found(bad.get(), fs, t.action(), t.next()));
                                    next.add(t.next());
                                }
                                Optional<String> badStep = props.firstViolatedOnStep(stepProperties, s, t.next());
                                if (badStep.isPresent()) {
                                    found.compareAndSet(null, new Found(badStep.get(), fs, t.action(), t.next()));
                                }
                            }
                        }
                        return next;
                    });
                }
                List<State> next = new ArrayList<>();
                for (var f : pool.invokeAll(tasks)) next.addAll(f.get());
                if (!next.isEmpty()) depth++;
                frontier = next;
                progress.accept(String.format("java: %,d distinct states, %,d on the next level, depth %d", seen.size(),
                        next.size(), depth));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("exploration interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("exploration failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Found f = found.get();
        if (f == null) return done(start, seen.size(), generated.sum(), depth, Optional.empty(), List.of(), List.of(), List.of());
        // the actions back to the initial state, then replayed forward
        List<Action> actions = new ArrayList<>();
        actions.add(f.via());
        for (long fp = f.parent(); ; ) {
            Action via = seen.via(fp);
            if (via == null) break;
            actions.add(via);
            fp = seen.get(fp);
        }
        Collections.reverse(actions);
        List<TraceStep> tr = new ArrayList<>();
        State s = init;
        tr.add(new TraceStep(null, s));
        for (Action a : actions) {
            s = ((dev.devmap.model.Step.Next) model.step(s, a)).state();
            tr.add(new TraceStep(a, s));
        }
        return done(start, seen.size(), generated.sum(), depth, Optional.of(f.property()), tr, List.of(), List.of());
    }

    private Result done(long start, long distinct, long generated, int depth, Optional<String> bad,
                        List<TraceStep> trace, List<State> states, List<Edge> edges) {
        double secs = (System.nanoTime() - start) / 1e9;
        return new Result(distinct, generated, depth, bad, trace, secs,
                keepGraph ? states : List.of(), keepGraph ? edges : List.of());
    }

    private static List<TraceStep> trace(int k, List<State> states, List<Integer> parent, List<Action> via) {
        List<TraceStep> out = new ArrayList<>();
        for (int n = k; n >= 0; n = parent.get(n)) out.add(new TraceStep(via.get(n), states.get(n)));
        Collections.reverse(out);
        return out;
    }
}
