package dev.devmap.mirror;

import dev.devmap.explore.Explorer;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Variant;
import dev.devmap.model.State;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import dev.devmap.spec.tla.TlaState;
import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tlc.DotDump;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The mirror contract, proven: for a model, the reachable states and labelled edges that TLC dumps
 * equal, state by state and edge by edge, those of the Java explorer; for a variant, both find a
 * violation of the same property with a counterexample of the same length. On a mismatch the report
 * names the first differing state or edge and the path to it.
 */
public final class MirrorCheck {
    /** The outcome of one comparison; {@code agree} false comes with a readable {@code detail}. */
    public record Report(String name, boolean agree, String summary, String detail) {}

    private final Path specDir;
    private final TlcRunner runner;
    private int workers = 2;
    private Consumer<String> progress = s -> { };

    public MirrorCheck(Path specDir, TlcRunner runner) {
        this.specDir = specDir;
        this.runner = runner;
    }

    public MirrorCheck workers(int n) {
        this.workers = n;
        return this;
    }

    public MirrorCheck onProgress(Consumer<String> p) {
        this.progress = p;
        return this;
    }

    /** States and edges of a model (safety part: the state graph of Spec). */
    public Report model(Manifest manifest, String name) throws IOException, InterruptedException {
        return graph(name, manifest.plan(name));
    }

    /** States, labelled edges and liveness of a plan (a model, or a kernel choice that keeps every property). */
    private Report graph(String name, RunPlan plan) throws IOException, InterruptedException {
        RunPlan graphOnly = new RunPlan(plan.name(), plan.spec(), plan.constants(), List.of("TypeOK"), List.of(),
                plan.expect(), plan.model(), plan.variant());
        Path work = Files.createTempDirectory("dmap-mirror-");
        try {
            Path dot = work.resolve("states.dot");
            progress.accept("mirror " + name + ": TLC explores and dumps the state graph ...");
            TlcResult tlc = runTlc(graphOnly, dot, workers);
            if (tlc.outcome() != TlcResult.Outcome.OK) {
                return new Report(name, false, "TLC did not finish cleanly: " + tlc.outcome(), tlc.errorText());
            }
            progress.accept(String.format("mirror %s: TLC found %,d distinct states; reading the dump ...", name,
                    tlc.distinct()));
            DotDump.StateGraph g = DotDump.read(dot);
            progress.accept("mirror " + name + ": Java explores ...");
            Constants c = TlaBridge.constants(plan.constants());
            Explorer.Result java = new Explorer(new DeviceMapModel(c), List.of(), List.of()).keepGraph(true).run();
            Report graph = compare(name, c, g, java);
            List<String> live = plan.properties().stream().filter(p -> p.startsWith("L")).toList();
            if (!graph.agree() || live.isEmpty()) return graph;
            progress.accept("mirror " + name + ": Java checks " + live.size() + " liveness properties ...");
            LivenessChecker lc = new LivenessChecker(new DeviceMapModel(c), java);
            List<String> broken = new ArrayList<>();
            for (String p : live) if (lc.check(p).violated()) broken.add(p);
            // TLC checks the same properties in 'dmap check'; the model's expectation says they hold
            boolean expectOk = plan.expect() == null || plan.expect().outcome() == null
                    || plan.expect().outcome().equals("ok");
            boolean agree = expectOk == broken.isEmpty();
            return new Report(name, agree, graph.summary() + "; liveness " + String.join(" ", live)
                    + (broken.isEmpty() ? " hold in Java too" : ": Java finds " + broken + " violated"),
                    agree ? "" : "TLC's recorded outcome and Java's liveness check disagree");
        } finally {
            dev.devmap.spec.io.Dirs.deleteTree(work);
        }
    }

    /**
     * A variant: same violated property, same counterexample length. A kernel choice that keeps
     * every property: the same states and labelled edges, and the liveness properties hold in Java too.
     * A combination of choices: the same states and labelled edges first, then the same violation.
     */
    public Report variant(Manifest manifest, String name) throws IOException, InterruptedException {
        return variant(manifest, name, false);
    }

    /**
     * As {@link #variant(Manifest, String)}; with wholeGraph the whole state graph under the variant's
     * constants is compared first, as it always is for a combination of choices.
     */
    public Report variant(Manifest manifest, String name, boolean wholeGraph) throws IOException, InterruptedException {
        RunPlan plan = manifest.planVariant(name);
        if (plan.variant().holds()) {
            Report g = graph("choice " + name, plan);
            return new Report(g.name(), g.agree(), g.summary() + " (TLC: every property holds)", g.detail());
        }
        Report whole = null;
        if (wholeGraph || Variant.of(name).combination()) {   // choices made together interact: first the whole state graph
            whole = graph("combination " + name, new RunPlan(plan.name(), plan.spec(), plan.constants(), List.of("TypeOK"),
                    List.of(), plan.expect(), plan.model(), plan.variant()));
            if (!whole.agree()) return whole;
        }
        progress.accept("mirror variant " + name + ": TLC ...");
        TlcResult tlc = runTlc(plan, null, 1);
        Constants c = TlaBridge.constants(plan.constants());
        boolean liveness = plan.invariants().stream().noneMatch(plan.variant().violates()::equals)
                && plan.variant().violates().startsWith("L");
        if (liveness) {
            var lv = LivenessChecker.of(new DeviceMapModel(c)).check(plan.variant().violates());
            boolean agree = tlc.outcome() == TlcResult.Outcome.PROPERTY_VIOLATED && lv.violated();
            return new Report("variant " + name, agree,
                    String.format("TLC: %s %s (lasso of %d states); Java: %s", tlc.outcome(), nullToEmpty(tlc.violated()),
                            tlc.trace().size(), lv.violated() ? "violated " + plan.variant().violates()
                                    + " (fair cycle of " + lv.cycleStates() + " states after a prefix of "
                                    + lv.prefixLength() + ")" : "holds"),
                    agree ? "" : "Java's liveness check and TLC disagree on " + plan.variant().violates());
        }
        Explorer.Result java = new Explorer(new DeviceMapModel(c), plan.invariants(), plan.properties()).run();
        String tlcProp = nullToEmpty(tlc.violated());
        String javaProp = java.violated().orElse("");
        int tlcLen = tlc.trace().size();
        int javaLen = java.trace().size();
        boolean agree = tlc.outcome().isViolation() && tlcProp.equals(javaProp) && tlcLen == javaLen;
        String summary = String.format("TLC: %s in %d states; Java: %s in %d states", tlcProp.isEmpty() ? "none" : tlcProp,
                tlcLen, javaProp.isEmpty() ? "none" : javaProp, javaLen);
        String detail = agree ? "" : "expected the same property and length; TLC's trace:\n" + tlcTrace(tlc)
                + "Java's trace:\n" + javaTrace(java);
        return new Report("variant " + name, agree, (whole == null ? "" : whole.summary() + "; ") + summary, detail);
    }

    private TlcResult runTlc(RunPlan plan, Path dot, int w) throws IOException, InterruptedException {
        TlcConfig cfg = plan.config();
        TlcJob.Builder b = TlcJob.builder(specDir, cfg.mainModule(), cfg.cfg()).cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules()).workers(w);
        if (dot != null) b.dumpDot(dot);
        TlcResult r = runner.run(b.build());
        String first = r.errorText() == null ? "" : r.errorText().strip().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        if (r.outcome() == TlcResult.Outcome.PARSE_ERROR) {   // bad input (exit 2), not a disagreement
            throw new dev.devmap.spec.model.ModelException("TLC cannot parse spec " + plan.spec() + ": " + first);
        }
        if (r.outcome() == TlcResult.Outcome.ERROR) {   // the tool failed (exit 3), not a disagreement
            throw new dev.devmap.spec.tlc.TlcException("TLC failed (exit " + r.exitCode() + "): " + first);
        }
        return r;
    }

    // ------------------------------------------------------------------ the comparison

    static Report compare(String name, Constants c, DotDump.StateGraph g, Explorer.Result java) {
        TlaBridge bridge = new TlaBridge(c);
        List<State> js = java.states();
        Map<TlaState, Integer> javaIndex = new HashMap<>(js.size() * 2);
        List<TlaState> jt = new ArrayList<>(js.size());
        for (int k = 0; k < js.size(); k++) {
            TlaState t = bridge.toTla(js.get(k));
            jt.add(t);
            javaIndex.put(t, k);
        }
        // TLC node -> Java index
        Map<Long, Integer> fpToJava = new HashMap<>(g.nodes().size() * 2);
        List<Long> tlcOnly = new ArrayList<>();
        for (Map.Entry<Long, TlaState> e : g.nodes().entrySet()) {
            Integer k = javaIndex.get(e.getValue());
            if (k == null) tlcOnly.add(e.getKey()); else fpToJava.put(e.getKey(), k);
        }
        Set<Integer> seenByTlc = new HashSet<>(fpToJava.values());
        List<Integer> javaOnly = new ArrayList<>();
        for (int k = 0; k < js.size(); k++) if (!seenByTlc.contains(k)) javaOnly.add(k);

        Set<String> tlcEdges = new HashSet<>();
        for (DotDump.Edge e : g.edges()) {
            Integer a = fpToJava.get(e.from());
            Integer b = fpToJava.get(e.to());
            if (a != null && b != null) tlcEdges.add(a + ">" + b + ":" + e.action());
        }
        Set<String> javaEdges = new HashSet<>();
        for (Explorer.Edge e : java.edges()) javaEdges.add(e.from() + ">" + e.to() + ":" + e.label());

        String counts = String.format("states TLC %,d / Java %,d; edges TLC %,d / Java %,d", g.nodes().size(), js.size(),
                tlcEdges.size(), javaEdges.size());
        if (!tlcOnly.isEmpty()) {
            long fp = shallowest(g, new HashSet<>(tlcOnly));
            return new Report(name, false, counts + "; " + tlcOnly.size() + " states only TLC reaches",
                    "first state only TLC reaches:\n" + tlcPath(g, fp, fpToJava, jt));
        }
        if (!javaOnly.isEmpty()) {
            int k = javaOnly.stream().mapToInt(Integer::intValue).min().orElseThrow();
            return new Report(name, false, counts + "; " + javaOnly.size() + " states only Java reaches",
                    "first state only Java reaches (Java BFS order):\n" + javaPath(java, k, jt));
        }
        Set<String> onlyT = new HashSet<>(tlcEdges);
        onlyT.removeAll(javaEdges);
        Set<String> onlyJ = new HashSet<>(javaEdges);
        onlyJ.removeAll(tlcEdges);
        if (!onlyT.isEmpty() || !onlyJ.isEmpty()) {
            String e = !onlyT.isEmpty() ? onlyT.iterator().next() : onlyJ.iterator().next();
            String side = !onlyT.isEmpty() ? "only TLC has" : "only Java has";
            int from = Integer.parseInt(e.substring(0, e.indexOf('>')));
            int to = Integer.parseInt(e.substring(e.indexOf('>') + 1, e.indexOf(':')));
            return new Report(name, false, counts + "; edges differ (" + onlyT.size() + " only TLC, " + onlyJ.size()
                    + " only Java)", "first differing edge: " + side + " " + e.substring(e.indexOf(':') + 1)
                    + " from the state reached by\n" + javaPath(java, from, jt) + "to\n" + diff(jt.get(from), jt.get(to)));
        }
        return new Report(name, true, counts + ": equal, state by state and edge by edge", "");
    }

    private static long shallowest(DotDump.StateGraph g, Set<Long> targets) {
        Map<Long, List<Long>> succ = successors(g);
        ArrayDeque<Long> q = new ArrayDeque<>(g.initial());
        Set<Long> seen = new HashSet<>(g.initial());
        while (!q.isEmpty()) {
            long n = q.poll();
            if (targets.contains(n)) return n;
            for (long m : succ.getOrDefault(n, List.of())) if (seen.add(m)) q.add(m);
        }
        return targets.iterator().next();
    }

    private static Map<Long, List<Long>> successors(DotDump.StateGraph g) {
        Map<Long, List<Long>> succ = new HashMap<>();
        for (DotDump.Edge e : g.edges()) succ.computeIfAbsent(e.from(), x -> new ArrayList<>()).add(e.to());
        return succ;
    }

    private static String tlcPath(DotDump.StateGraph g, long target, Map<Long, Integer> fpToJava, List<TlaState> jt) {
        Map<Long, DotDump.Edge> via = new HashMap<>();
        ArrayDeque<Long> q = new ArrayDeque<>(g.initial());
        Set<Long> seen = new HashSet<>(g.initial());
        Map<Long, List<DotDump.Edge>> out = new HashMap<>();
        for (DotDump.Edge e : g.edges()) out.computeIfAbsent(e.from(), x -> new ArrayList<>()).add(e);
        while (!q.isEmpty() && !seen.contains(target)) {
            long n = q.poll();
            for (DotDump.Edge e : out.getOrDefault(n, List.of())) {
                if (seen.add(e.to())) {
                    via.put(e.to(), e);
                    q.add(e.to());
                }
            }
        }
        List<DotDump.Edge> path = new ArrayList<>();
        for (long n = target; via.containsKey(n); n = via.get(n).from()) path.add(0, via.get(n));
        StringBuilder sb = new StringBuilder("  1. <Initial predicate>\n");
        for (int k = 0; k < path.size(); k++) {
            sb.append("  ").append(k + 2).append(". ").append(path.get(k).action()).append('\n');
        }
        if (!path.isEmpty()) {
            DotDump.Edge last = path.get(path.size() - 1);
            Integer parentJava = fpToJava.get(last.from());
            sb.append("TLC's last step ").append(last.action()).append(" from a state Java also reaches leads to:\n");
            TlaState from = parentJava != null ? jt.get(parentJava) : g.nodes().get(last.from());
            sb.append(diff(from, g.nodes().get(target)));
            sb.append("Java has no such successor: compare the action's guard and effect in DeviceMap.tla and "
                    + "DeviceMapModel.\n");
        }
        return sb.toString();
    }

    private static String javaPath(Explorer.Result java, int k, List<TlaState> jt) {
        // reconstruct by BFS over Java edges from state 0
        Map<Integer, Explorer.Edge> via = new HashMap<>();
        for (Explorer.Edge e : java.edges()) if (e.to() != 0 && !via.containsKey(e.to()) && e.from() != e.to()) via.put(e.to(), e);
        List<Explorer.Edge> path = new ArrayList<>();
        Set<Integer> guard = new HashSet<>();
        for (int n = k; via.containsKey(n) && guard.add(n); n = via.get(n).from()) path.add(0, via.get(n));
        StringBuilder sb = new StringBuilder("  1. <Initial predicate>\n");
        for (int i = 0; i < path.size(); i++) {
            Explorer.Edge e = path.get(i);
            sb.append("  ").append(i + 2).append(". ").append(e.label()).append('\n');
            sb.append(indent(diff(jt.get(e.from()), jt.get(e.to()))));
        }
        return sb.toString();
    }

    /** The variables that differ between two states, one per line. */
    public static String diff(TlaState a, TlaState b) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, TlaValue> e : b.vars().entrySet()) {
            TlaValue before = a.get(e.getKey());
            if (!e.getValue().equals(before)) {
                sb.append("     ").append(e.getKey()).append(": ").append(before == null ? "-" : before.print())
                        .append(" -> ").append(e.getValue().print()).append('\n');
            }
        }
        return sb.length() == 0 ? "     (no variable changes)\n" : sb.toString();
    }

    private static String indent(String s) { return s.replaceAll("(?m)^", "  "); }

    private static String tlcTrace(TlcResult r) {
        StringBuilder sb = new StringBuilder();
        for (var st : r.trace()) sb.append("  ").append(st.index()).append(". ").append(st.action()).append('\n');
        return sb.toString();
    }

    private static String javaTrace(Explorer.Result r) {
        StringBuilder sb = new StringBuilder();
        int k = 1;
        for (var st : r.trace()) sb.append("  ").append(k++).append(". ")
                .append(st.action() == null ? "<Initial predicate>" : st.action().name()).append('\n');
        return sb.toString();
    }

    private static String nullToEmpty(String s) { return s == null ? "" : s; }

}
