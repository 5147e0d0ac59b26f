package dev.devmap.mirror;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Liveness;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.explore.Explorer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks the spec's leads-to properties L1-L6 ({@link Liveness.LeadsTo}) on the Java state graph
 * under the spec's fairness (weak fairness of {@link Liveness#FAIR}). {@code P ~> Q} is violated iff, from a reachable state satisfying P and not Q, the
 * behaviour can stay in not-Q forever fairly: it reaches a strongly connected component of not-Q
 * states in which every fair action is either taken or disabled somewhere, or a state where it may
 * stutter forever because no fair action is enabled. For weak fairness this SCC test is exact.
 */
public final class LivenessChecker {
    public record Result(String property, boolean violated, String instance, int prefixLength, int cycleStates) {}

    private final DeviceMapModel m;
    private final Constants c;
    private final List<State> states;
    private final List<int[]> succ = new ArrayList<>();
    private final List<Action[]> labels = new ArrayList<>();
    private final List<Integer> depth = new ArrayList<>();
    private final List<Action> fair;

    /** Explores the model's state graph with {@link Explorer} and checks on it. */
    public static LivenessChecker of(DeviceMapModel m) {
        return new LivenessChecker(m, new Explorer(m, List.of(), List.of()).keepGraph(true).run());
    }

    /** Checks on a state graph the explorer kept ({@link Explorer#keepGraph}) for the same model. */
    public LivenessChecker(DeviceMapModel m, Explorer.Result graph) {
        if (graph.states().isEmpty()) throw new IllegalArgumentException("the explorer kept no graph (keepGraph)");
        this.m = m;
        this.c = m.constants();
        this.fair = Liveness.fairActions(c);
        this.states = graph.states();
        int n = states.size();
        int[] outDegree = new int[n];
        for (Explorer.Edge e : graph.edges()) outDegree[e.from()]++;
        int[] fill = new int[n];
        for (int k = 0; k < n; k++) {
            succ.add(new int[outDegree[k]]);
            labels.add(new Action[outDegree[k]]);
        }
        for (Explorer.Edge e : graph.edges()) {
            int k = fill[e.from()]++;
            succ.get(e.from())[k] = e.to();
            labels.get(e.from())[k] = e.action();
        }
        // BFS depth of each state, for the length of the prefix in a report
        int[] d = new int[n];
        d[0] = 1;
        ArrayDeque<Integer> q = new ArrayDeque<>(List.of(0));
        while (!q.isEmpty()) {
            int k = q.poll();
            for (int j : succ.get(k)) if (d[j] == 0) { d[j] = d[k] + 1; q.add(j); }
        }
        for (int k = 0; k < n; k++) depth.add(d[k]);
    }

    public int distinct() { return states.size(); }

    /** Checks one of L1_InvalidationEnds .. L6_UnmapReturnsBar. */
    public Result check(String property) {
        Map<String, Predicate<State>[]> instances = instances(property);
        for (Map.Entry<String, Predicate<State>[]> e : instances.entrySet()) {
            Result r = leadsTo(property, e.getKey(), e.getValue()[0], e.getValue()[1]);
            if (r.violated()) return r;
        }
        return new Result(property, false, "", 0, 0);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Predicate<State>[]> instances(String property) {
        Liveness.LeadsTo l = Liveness.LeadsTo.of(property);
        Map<String, Predicate<State>[]> out = new java.util.LinkedHashMap<>();
        for (String x : l.instances(c)) {
            out.put(x, new Predicate[] {(Predicate<State>) s -> l.p(m, s, x), (Predicate<State>) s -> l.q(m, s, x)});
        }
        return out;
    }

    private Result leadsTo(String property, String instance, Predicate<State> p, Predicate<State> q) {
        int n = states.size();
        boolean[] notQ = new boolean[n];
        for (int k = 0; k < n; k++) notQ[k] = !q.test(states.get(k));
        // G': not-Q states reachable within not-Q from a (P and not Q) state
        int[] origin = new int[n];
        Arrays.fill(origin, -1);
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int k = 0; k < n; k++) {
            if (notQ[k] && p.test(states.get(k))) {
                origin[k] = k;
                work.add(k);
            }
        }
        while (!work.isEmpty()) {
            int k = work.poll();
            for (int j : succ.get(k)) {
                if (notQ[j] && origin[j] < 0) {
                    origin[j] = origin[k];
                    work.add(j);
                }
            }
        }
        int[] comp = sccs(origin);
        // group components
        Map<Integer, List<Integer>> members = new HashMap<>();
        for (int k = 0; k < n; k++) if (origin[k] >= 0) members.computeIfAbsent(comp[k], x -> new ArrayList<>()).add(k);
        for (List<Integer> cs : members.values()) {
            boolean nontrivial = cs.size() > 1;
            if (nontrivial && fairComponent(cs, comp)) {
                int root = origin[cs.get(0)];
                return new Result(property, true, instance, depth.get(root), cs.size());
            }
            for (int k : cs) {
                if (mayStutter(k)) return new Result(property, true, instance, depth.get(origin[k]), 1);
            }
        }
        return new Result(property, false, instance, 0, 0);
    }

    private boolean mayStutter(int k) {
        for (Action a : fair) if (m.step(states.get(k), a) instanceof Step.Next) return false;
        return true;
    }

    private boolean fairComponent(List<Integer> cs, int[] comp) {
        int id = comp[cs.get(0)];
        for (Action a : fair) {
            boolean disabledSomewhere = false;
            boolean taken = false;
            for (int k : cs) {
                if (!(m.step(states.get(k), a) instanceof Step.Next)) disabledSomewhere = true;
                int[] to = succ.get(k);
                Action[] by = labels.get(k);
                for (int e = 0; e < to.length; e++) {
                    if (to[e] != k && comp[to[e]] == id && by[e].equals(a)) taken = true;
                }
                if (disabledSomewhere || taken) break;
            }
            if (!disabledSomewhere && !taken) return false;
        }
        return true;
    }

    /** Tarjan's algorithm, iterative, over the nodes with origin >= 0 and the edges between them. */
    private int[] sccs(int[] origin) {
        int n = states.size();
        int[] index = new int[n];
        int[] low = new int[n];
        int[] comp = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(index, -1);
        Arrays.fill(comp, -1);
        int[] stack = new int[n];
        int sp = 0;
        int counter = 0;
        int compId = 0;
        int[] callNode = new int[n];
        int[] callEdge = new int[n];
        for (int root = 0; root < n; root++) {
            if (origin[root] < 0 || index[root] >= 0) continue;
            int csp = 0;
            callNode[csp] = root;
            callEdge[csp] = 0;
            index[root] = low[root] = counter++;
            stack[sp++] = root;
            onStack[root] = true;
            while (csp >= 0) {
                int v = callNode[csp];
                int[] to = succ.get(v);
                if (callEdge[csp] < to.length) {
                    int w = to[callEdge[csp]++];
                    if (origin[w] < 0) continue;
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack[sp++] = w;
                        onStack[w] = true;
                        csp++;
                        callNode[csp] = w;
                        callEdge[csp] = 0;
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                } else {
                    if (low[v] == index[v]) {
                        int w;
                        do {
                            w = stack[--sp];
                            onStack[w] = false;
                            comp[w] = compId;
                        } while (w != v);
                        compId++;
                    }
                    csp--;
                    if (csp >= 0) {
                        int parent = callNode[csp];
                        low[parent] = Math.min(low[parent], low[v]);
                    }
                }
            }
        }
        return comp;
    }
}
