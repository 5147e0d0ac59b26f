package dev.devmap.packed;

import dev.devmap.mirror.LeadsTo;
import dev.devmap.mirror.LivenessChecker;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * L1-L6 under the spec's fairness on a {@link PackedGraph}, by the same SCC test as
 * {@link LivenessChecker} ({@link LeadsTo}) and with the same definitions: the instances' P and Q
 * are {@link LivenessChecker#instances}, evaluated once per state on the decoded record, and the
 * fair actions are {@link LivenessChecker#fairActions}, their enabledness computed once per state
 * by the packed step. Memory: a bit per state and instance predicate, a word per state.
 */
public final class PackedLiveness implements LeadsTo.FairGraph {
    private final PackedGraph g;
    private final int[] fairCodes;
    private final long[] enabled;   // per state: bit a = fair action a enabled
    private final int[] depth;
    private final DeviceMapModel records;

    public PackedLiveness(PackedGraph g) {
        this.g = g;
        PackedModel m = g.model();
        this.records = new DeviceMapModel(m.c);
        fairCodes = m.fairActions();   // Liveness's list, in its order
        if (fairCodes.length > 64) throw new IllegalArgumentException("more than 64 fair actions");
        enabled = new long[g.size()];
        long[] s = new long[m.len];
        long[] t = new long[m.len];
        PackedModel.Scratch x = m.scratch();
        for (int k = 0; k < g.size(); k++) {
            g.decode(k, s);
            long bits = 0;
            for (int a = 0; a < fairCodes.length; a++) if (m.step(s, fairCodes[a], t, x)) bits |= 1L << a;
            enabled[k] = bits;
        }
        depth = LeadsTo.depths(this);
    }

    @Override public int size() { return g.size(); }
    @Override public int firstEdge(int k) { return g.firstEdge(k); }
    @Override public int endEdge(int k) { return g.endEdge(k); }
    @Override public int target(int e) { return g.target(e); }
    @Override public boolean takes(int e, int a) { return g.label(e) == fairCodes[a]; }
    @Override public int fairActions() { return fairCodes.length; }
    @Override public boolean enabled(int k, int a) { return (enabled[k] >>> a & 1) != 0; }

    /** Checks the leads-to properties; one decoding pass over the states for all of them. */
    public List<LivenessChecker.Result> check(List<String> properties) {
        Map<String, Map<String, List<Predicate<State>>>> byProperty = new LinkedHashMap<>();
        List<Predicate<State>> preds = new ArrayList<>();
        for (String p : properties) {
            var inst = LivenessChecker.instances(records, p);
            byProperty.put(p, inst);
            inst.values().forEach(preds::addAll);
        }
        BitSet[] truth = new BitSet[preds.size()];
        for (int j = 0; j < truth.length; j++) truth[j] = new BitSet(g.size());
        long[] s = new long[g.model().len];
        for (int k = 0; k < g.size(); k++) {
            g.decode(k, s);
            State st = g.model().state(s);
            for (int j = 0; j < truth.length; j++) if (preds.get(j).test(st)) truth[j].set(k);
        }
        List<LivenessChecker.Result> out = new ArrayList<>();
        int base = 0;
        for (var e : byProperty.entrySet()) {
            Map<String, List<Integer>> inst = new LinkedHashMap<>();
            for (var i : e.getValue().entrySet()) {
                inst.put(i.getKey(), List.of(base, base + 1));
                base += 2;
            }
            out.add(LivenessChecker.check(e.getKey(), inst, depth, this, (j, k) -> truth[j].get(k)));
        }
        return out;
    }
}
