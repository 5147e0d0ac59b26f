package dev.devmap.mirror;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.explore.Explorer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks the spec's leads-to properties L1-L6 on the Java state graph under the spec's fairness
 * (weak fairness of DmaEnd(i), MapCommit(i), MapRetry(i), RevokeAck(i), InvAck(i, f), InvEnd(f),
 * UnplugEnd), by {@link LeadsTo}'s SCC test (exact for weak fairness).
 */
public final class LivenessChecker implements LeadsTo.FairGraph {
    public record Result(String property, boolean violated, String instance, int prefixLength, int cycleStates) {}

    private final DeviceMapModel m;
    private final Constants c;
    private final List<State> states;
    private final int[] first;
    private final int[] to;
    private final Action[] labels;
    private final int[] depth;
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
        this.fair = fairActions(c);
        this.states = graph.states();
        int n = states.size();
        first = new int[n + 1];
        for (Explorer.Edge e : graph.edges()) first[e.from() + 1]++;
        for (int k = 0; k < n; k++) first[k + 1] += first[k];
        int[] fill = first.clone();
        to = new int[graph.edges().size()];
        labels = new Action[to.length];
        for (Explorer.Edge e : graph.edges()) {
            int k = fill[e.from()]++;
            to[k] = e.to();
            labels[k] = e.action();
        }
        depth = LeadsTo.depths(this);
    }

    /** The spec's fair actions: DmaEnd, MapCommit, MapRetry, RevokeAck, InvAck per importer, InvEnd per file, UnplugEnd. */
    public static List<Action> fairActions(Constants c) {
        List<Action> f = new ArrayList<>();
        for (String i : c.importers()) {
            f.add(new Action.DmaEnd(i));
            f.add(new Action.MapCommit(i));
            f.add(new Action.MapRetry(i));
            f.add(new Action.RevokeAck(i));
            for (String file : c.files()) f.add(new Action.InvAck(i, file));
        }
        for (String file : c.files()) f.add(new Action.InvEnd(file));
        f.add(new Action.UnplugEnd());
        return List.copyOf(f);
    }

    public int distinct() { return states.size(); }

    @Override public int size() { return states.size(); }
    @Override public int firstEdge(int k) { return first[k]; }
    @Override public int endEdge(int k) { return first[k + 1]; }
    @Override public int target(int e) { return to[e]; }
    @Override public boolean takes(int e, int a) { return labels[e].equals(fair.get(a)); }
    @Override public int fairActions() { return fair.size(); }
    @Override public boolean enabled(int k, int a) { return m.step(states.get(k), fair.get(a)) instanceof Step.Next; }

    /** Checks one of L1_InvalidationEnds .. L6_UnmapReturnsBar. */
    public Result check(String property) {
        return check(property, instances(m, property), depth, this, (pr, k) -> pr.test(states.get(k)));
    }

    /** Evaluates a predicate of the instances on state k of the graph. */
    public interface On<P> { boolean test(P predicate, int k); }

    /** Checks every instance of a property on a graph, the first violated instance reported. */
    public static <P> Result check(String property, Map<String, List<P>> instances, int[] depth, LeadsTo.FairGraph g,
                                   On<P> on) {
        for (Map.Entry<String, List<P>> e : instances.entrySet()) {
            P p = e.getValue().get(0);
            P q = e.getValue().get(1);
            LeadsTo.Verdict v = LeadsTo.check(g, depth, k -> on.test(p, k), k -> on.test(q, k));
            if (v.violated()) return new Result(property, true, e.getKey(), v.prefixLength(), v.cycleStates());
        }
        return new Result(property, false, "", 0, 0);
    }

    /** The instances of a leads-to property, each {@code [P, Q]} of {@code P ~> Q}, as the spec states them. */
    public static Map<String, List<Predicate<State>>> instances(DeviceMapModel m, String property) {
        Constants c = m.constants();
        Map<String, List<Predicate<State>>> out = new java.util.LinkedHashMap<>();
        switch (property) {
            case "L1_InvalidationEnds" -> c.files().forEach(f -> out.put(f, List.of(
                    s -> m.inv(s, f).on(), s -> !m.inv(s, f).on())));
            case "L2_AccessCompletes" -> c.importers().forEach(i -> out.put(i, List.of(
                    s -> m.hasDma(s, i), s -> !m.hasDma(s, i))));
            case "L3_RetryTerminates" -> c.importers().forEach(i -> out.put(i, List.of(
                    s -> m.hasPend(s, i), s -> !m.hasPend(s, i))));
            case "L4_TruncateNotStarved" -> c.files().forEach(f -> out.put(f, List.of(
                    s -> m.inv(s, f).on() && (m.inv(s, f).cause() == dev.devmap.model.Cause.TRUNCATE
                            || m.inv(s, f).cause() == dev.devmap.model.Cause.PUNCH),
                    s -> !m.inv(s, f).on())));
            case "L5_UnplugFinishes" -> out.put("exporter", List.of(
                    s -> s.exp() == dev.devmap.model.Exp.REMOVING, s -> s.exp() == dev.devmap.model.Exp.GONE));
            case "L6_UnmapReturnsBar" -> out.put("bar", List.of(s -> s.bar() > m.held(s), s -> s.bar() == m.held(s)));
            default -> throw new IllegalArgumentException("unknown liveness property '" + property + "'");
        }
        return out;
    }
}
