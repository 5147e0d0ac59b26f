package dev.devmap.packed;

import dev.devmap.explore.Explorer;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state graph {@link PackedExplorer#graph} kept: states encoded and numbered in order of
 * discovery (0 is the initial state), edges by source in that order, each labelled with its action
 * code. {@link #toResult} gives the readable records the mirror check compares with TLC's graph.
 */
public final class PackedGraph {
    private final PackedModel m;
    private final long[] words;
    private final long[] starts;
    private final int[] first;    // edges of state k: first[k] .. first[k + 1] - 1
    private final int[] to;
    private final int[] labels;

    PackedGraph(PackedModel m, long[] words, long[] starts, long[] edges, int[] labels) {
        this.m = m;
        this.words = words;
        this.starts = starts;
        int n = starts.length;
        this.first = new int[n + 1];
        this.to = new int[edges.length];
        for (int e = 0; e < edges.length; e++) {
            first[(int) (edges[e] >>> 32) + 1]++;
            to[e] = (int) edges[e];
        }
        for (int k = 0; k < n; k++) first[k + 1] += first[k];
        this.labels = labels;
    }

    public PackedModel model() { return m; }

    public int size() { return starts.length; }

    public int edges() { return to.length; }

    /** Decodes state k into working copy s. */
    public void decode(int k, long[] s) { m.decode(words, (int) starts[k], s); }

    public int firstEdge(int k) { return first[k]; }

    public int endEdge(int k) { return first[k + 1]; }

    public int target(int e) { return to[e]; }

    public int label(int e) { return labels[e]; }

    /** Bytes of the encoded states, their starts and the edges. */
    public long bytes() { return 8L * words.length + 8L * starts.length + 4L * first.length + 8L * to.length; }

    /** The graph as the record explorer's {@code keepGraph} result (states and labelled edges). */
    public Explorer.Result toResult() {
        List<State> states = new ArrayList<>(size());
        long[] s = new long[m.len];
        for (int k = 0; k < size(); k++) {
            decode(k, s);
            states.add(m.state(s));
        }
        List<Explorer.Edge> edges = new ArrayList<>(to.length);
        java.util.Map<Integer, dev.devmap.model.Action> actions = new java.util.HashMap<>();
        int[] level = new int[size()];
        level[0] = 1;
        int depth = 1;
        for (int k = 0; k < size(); k++) {   // numbered in BFS order: a state's first source comes first
            for (int e = first[k]; e < first[k + 1]; e++) {
                if (level[to[e]] == 0) level[to[e]] = level[k] + 1;
                depth = Math.max(depth, level[to[e]]);
            }
        }
        for (int k = 0; k < size(); k++) {
            for (int e = first[k]; e < first[k + 1]; e++) {
                edges.add(new Explorer.Edge(k, to[e], actions.computeIfAbsent(labels[e], m::action)));
            }
        }
        return new Explorer.Result(size(), to.length + 1, depth, Optional.empty(), List.of(), 0, states, edges);
    }
}
