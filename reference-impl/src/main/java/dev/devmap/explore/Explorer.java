package dev.devmap.explore;

import dev.devmap.model.Action;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Properties;
import dev.devmap.model.State;
import dev.devmap.model.Transition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    public record Edge(int from, int to, String action) {}

    public record Result(long distinct, long generated, int depth, Optional<String> violated, List<TraceStep> trace,
                         double seconds, List<State> states, List<Edge> edges) {
        public boolean ok() { return violated.isEmpty(); }

        public double statesPerSecond() { return seconds > 0 ? distinct / seconds : Double.POSITIVE_INFINITY; }
    }

    private final DeviceMapModel model;
    private final Properties props;
    private final List<String> invariants;
    private final List<String> stepProperties;
    private boolean keepGraph;
    private Consumer<String> progress = s -> { };

    public Explorer(DeviceMapModel model, List<String> invariants, List<String> stepProperties) {
        this.model = model;
        this.props = new Properties(model);
        this.invariants = List.copyOf(invariants);
        this.stepProperties = List.copyOf(stepProperties);
    }

    /** Keep every state and labelled edge (for the mirror check); costs memory. */
    public Explorer keepGraph(boolean keep) {
        this.keepGraph = keep;
        return this;
    }

    public Explorer onProgress(Consumer<String> progress) {
        this.progress = progress;
        return this;
    }

    public Result run() {
        long start = System.nanoTime();
        Map<State, Integer> index = new HashMap<>();
        List<State> states = new ArrayList<>();
        List<Integer> parent = new ArrayList<>();
        List<Action> via = new ArrayList<>();
        List<Integer> level = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>();

        State init = model.init();
        index.put(init, 0);
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
                Integer k = index.get(t.next());
                boolean fresh = k == null;
                if (fresh) {
                    k = states.size();
                    index.put(t.next(), k);
                    states.add(t.next());
                    parent.add(n);
                    via.add(t.action());
                    level.add(level.get(n) + 1);
                    depth = Math.max(depth, level.get(n) + 1);
                }
                if (keepGraph) edges.add(new Edge(n, k, t.action().name()));
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
