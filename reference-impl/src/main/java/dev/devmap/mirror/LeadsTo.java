package dev.devmap.mirror;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * {@code P ~> Q} under weak fairness on an explicit state graph, whatever the states are (records
 * for {@link LivenessChecker}, packed words for the packed explorer). Violated iff, from a
 * reachable state satisfying P and not Q, the behaviour can stay in not-Q forever fairly: it
 * reaches a strongly connected component of not-Q states in which every fair action is either
 * taken or disabled somewhere, or a state where it may stutter forever because no fair action is
 * enabled. For weak fairness this SCC test is exact.
 */
public final class LeadsTo {
    private LeadsTo() {}

    /** A state graph: states 0..size-1 (0 initial, numbered in BFS order), labelled edges, fair actions. */
    public interface FairGraph {
        int size();

        /** Edges of state k are firstEdge(k) .. endEdge(k) - 1. */
        int firstEdge(int k);

        int endEdge(int k);

        int target(int e);

        /** Whether edge e is a step of fair action number {@code fair}. */
        boolean takes(int e, int fair);

        int fairActions();

        /** Whether fair action number {@code fair} is enabled in state k. */
        boolean enabled(int k, int fair);
    }

    /** A verdict: the prefix length (BFS depth of the P state it starts from) and the cycle's size. */
    public record Verdict(boolean violated, int prefixLength, int cycleStates) {}

    /** BFS depth of every state (the initial state 1). */
    public static int[] depths(FairGraph g) {
        int n = g.size();
        int[] d = new int[n];
        d[0] = 1;
        int[] q = new int[n];
        int head = 0, tail = 0;
        q[tail++] = 0;
        while (head < tail) {
            int k = q[head++];
            for (int e = g.firstEdge(k); e < g.endEdge(k); e++) {
                int j = g.target(e);
                if (d[j] == 0) { d[j] = d[k] + 1; q[tail++] = j; }
            }
        }
        return d;
    }

    public static Verdict check(FairGraph g, int[] depth, IntPredicate p, IntPredicate q) {
        int n = g.size();
        boolean[] notQ = new boolean[n];
        for (int k = 0; k < n; k++) notQ[k] = !q.test(k);
        // G': not-Q states reachable within not-Q from a (P and not Q) state
        int[] origin = new int[n];
        Arrays.fill(origin, -1);
        int[] work = new int[n];
        int head = 0, tail = 0;
        for (int k = 0; k < n; k++) {
            if (notQ[k] && p.test(k)) {
                origin[k] = k;
                work[tail++] = k;
            }
        }
        while (head < tail) {
            int k = work[head++];
            for (int e = g.firstEdge(k); e < g.endEdge(k); e++) {
                int j = g.target(e);
                if (notQ[j] && origin[j] < 0) {
                    origin[j] = origin[k];
                    work[tail++] = j;
                }
            }
        }
        int[] comp = sccs(g, origin);
        Map<Integer, List<Integer>> members = new HashMap<>();
        for (int k = 0; k < n; k++) if (origin[k] >= 0) members.computeIfAbsent(comp[k], x -> new ArrayList<>()).add(k);
        for (List<Integer> cs : members.values()) {
            if (cs.size() > 1 && fairComponent(g, cs, comp)) return new Verdict(true, depth[origin[cs.get(0)]], cs.size());
            for (int k : cs) if (mayStutter(g, k)) return new Verdict(true, depth[origin[k]], 1);
        }
        return new Verdict(false, 0, 0);
    }

    private static boolean mayStutter(FairGraph g, int k) {
        for (int a = 0; a < g.fairActions(); a++) if (g.enabled(k, a)) return false;
        return true;
    }

    private static boolean fairComponent(FairGraph g, List<Integer> cs, int[] comp) {
        int id = comp[cs.get(0)];
        for (int a = 0; a < g.fairActions(); a++) {
            boolean disabledSomewhere = false;
            boolean taken = false;
            for (int k : cs) {
                if (!g.enabled(k, a)) disabledSomewhere = true;
                for (int e = g.firstEdge(k); e < g.endEdge(k); e++) {
                    int to = g.target(e);
                    if (to != k && comp[to] == id && g.takes(e, a)) taken = true;
                }
                if (disabledSomewhere || taken) break;
            }
            if (!disabledSomewhere && !taken) return false;
        }
        return true;
    }

    /** Tarjan's algorithm, iterative, over the nodes with origin >= 0 and the edges between them. */
    private static int[] sccs(FairGraph g, int[] origin) {
        int n = g.size();
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
            callEdge[csp] = g.firstEdge(root);
            index[root] = low[root] = counter++;
            stack[sp++] = root;
            onStack[root] = true;
            while (csp >= 0) {
                int v = callNode[csp];
                if (callEdge[csp] < g.endEdge(v)) {
                    int w = g.target(callEdge[csp]++);
                    if (origin[w] < 0) continue;
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack[sp++] = w;
                        onStack[w] = true;
                        csp++;
                        callNode[csp] = w;
                        callEdge[csp] = g.firstEdge(w);
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
