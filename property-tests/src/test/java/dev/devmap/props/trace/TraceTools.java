package dev.devmap.props.trace;

import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.State;
import dev.devmap.model.Transition;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.props.Chains;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.tla.TlaState;
import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tla.TlaValues;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Trace validation both ways between TLC and the Java model.
 * <ul>
 *   <li>{@link #simulate}: TLC's random simulation ({@code -simulate file=...}) writes each
 *       behaviour as a module of {@code STATE_k == /\ var = value ...} definitions, without action
 *       names; {@link #replay} checks that the first state is Init and that each state is a Java
 *       successor (by some action) of the one before.</li>
 *   <li>{@link #randomRuns} and {@link #traceModule}: random Java runs become one TLA+ module per
 *       batch, a trace spec with a trace id {@code tr} and a cursor {@code cur}: Init picks a trace
 *       and its first state, each step must be the spec's {@code Next} between the trace's
 *       consecutive states, and the end of a trace stutters. Checked by TLC in BFS with deadlock
 *       checking on: a rejected step leaves its state without successor, which TLC reports as a
 *       deadlock with the trace id and position; an accepted batch has exactly as many distinct
 *       states as the traces have states.</li>
 * </ul>
 */
public final class TraceTools {
    private TraceTools() {
    }

    // ------------------------------------------------------------------ TLC -> Java

    /** TLC's -simulate: num behaviours of depth states each, as parsed states (one list per behaviour). */
    public static List<List<TlaState>> simulate(TlcRunner runner, Path specDir, RunPlan plan, int num, int depth, long seed)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("dmap-sim-");
        try {
            Path out = work.resolve("traces");
            Files.createDirectories(out);
            StringBuilder cfg = constantsCfg(plan);
            cfg.append("SPECIFICATION Spec\n");
            for (String inv : plan.invariants()) cfg.append("INVARIANT ").append(inv).append('\n');
            cfg.append("CHECK_DEADLOCK FALSE\n");
            TlcJob job = TlcJob.builder(specDir, plan.spec(), cfg.toString())
                    .workDir(work.resolve("run"))
                    .tlcArgs("-simulate", "file=" + out.resolve("trace").toAbsolutePath() + ",num=" + num,
                            "-depth", Integer.toString(depth), "-seed", Long.toString(seed))
                    .timeout(Duration.ofMinutes(10))
                    .build();
            TlcResult r = runner.run(job);
            if (r.outcome() != TlcResult.Outcome.OK) {
                throw new IllegalStateException("TLC simulation ended " + r.outcome() + " (" + r.violated() + "): "
                        + r.errorText());
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(out)) {
                files = s.sorted().toList();
            }
            List<List<TlaState>> traces = new ArrayList<>();
            for (Path f : files) traces.add(parseTraceModule(Files.readString(f)));
            return traces;
        } finally {
            dev.devmap.spec.io.Dirs.deleteTree(work);
        }
    }

    private static final Pattern STATE_DEF = Pattern.compile("(?m)^STATE_\\d+\\s*==\\s*$");

    /** The states of a module TLC's -simulate file=... wrote: {@code STATE_1 == ...}, in order. */
    public static List<TlaState> parseTraceModule(String text) {
        String body = text;
        int end = body.lastIndexOf("\n====");
        if (end >= 0) body = body.substring(0, end);
        String[] parts = STATE_DEF.split(body);
        List<TlaState> states = new ArrayList<>();
        for (int k = 1; k < parts.length; k++) states.add(TlaState.parse(parts[k].trim()));
        return states;
    }

    /**
     * Where a TLC behaviour stops being a Java behaviour: empty when its first state is the Java
     * Init and each state is a Java successor of the one before; else the position and why.
     */
    public static Optional<String> replay(DeviceMapModel m, TlaBridge bridge, List<TlaState> trace) {
        List<State> states = new ArrayList<>();
        for (TlaState t : trace) states.add(bridge.fromTla(t));
        if (states.isEmpty()) return Optional.of("empty trace");
        if (!states.get(0).equals(m.init())) return Optional.of("state 1 is not the Java Init");
        for (int k = 1; k < states.size(); k++) {
            State s = states.get(k - 1);
            State t = states.get(k);
            boolean found = false;
            for (Transition tr : m.successors(s)) {
                if (tr.next().equals(t)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return Optional.of("state " + (k + 1) + " is no Java successor of state " + k + ":" + System.lineSeparator()
                        + trace.get(k - 1).print() + System.lineSeparator() + "  ->" + System.lineSeparator() + trace.get(k).print());
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ Java -> TLC

    /** A random Java behaviour of steps+1 states, the steps chosen with the chains' weights. */
    public static List<State> randomRun(DeviceMapModel m, Random rnd, int steps) {
        List<State> run = new ArrayList<>();
        State s = m.init();
        run.add(s);
        for (int k = 0; k < steps; k++) {
            Map<String, List<Transition>> byName = new LinkedHashMap<>();
            for (Transition t : m.successors(s)) byName.computeIfAbsent(t.action().name(), n -> new ArrayList<>()).add(t);
            if (byName.isEmpty()) break;
            int total = 0;
            List<String> names = new ArrayList<>(byName.keySet());
            int[] w = new int[names.size()];
            for (int i = 0; i < names.size(); i++) {
                w[i] = Chains.weight(names.get(i), s);
                total += w[i];
            }
            int pick = rnd.nextInt(total);
            int i = 0;
            while (pick >= w[i]) pick -= w[i++];
            List<Transition> ts = byName.get(names.get(i));
            s = ts.get(rnd.nextInt(ts.size())).next();
            run.add(s);
        }
        return run;
    }

    public static List<List<State>> randomRuns(DeviceMapModel m, long seed, int count, int steps) {
        Random rnd = new Random(seed);
        List<List<State>> runs = new ArrayList<>();
        for (int k = 0; k < count; k++) runs.add(randomRun(m, rnd, steps));
        return runs;
    }

    /** Name of the generated trace module. */
    public static final String TRACE_MODULE = "JavaTraces";

    /** The trace spec over these behaviours (see the class comment). */
    public static String traceModule(TlaBridge bridge, List<List<State>> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append("---- MODULE ").append(TRACE_MODULE).append(" ----\n");
        sb.append("\\* Generated by the property tests: ").append(runs.size()).append(" random Java behaviours.\n");
        sb.append("EXTENDS DeviceMap, Naturals, Sequences\n");
        sb.append("VARIABLES tr, cur   \\* which trace, and the position in it\n\n");
        for (int k = 0; k < runs.size(); k++) {
            sb.append("T").append(k + 1).append(" == <<\n");
            List<State> run = runs.get(k);
            for (int i = 0; i < run.size(); i++) {
                sb.append("  ").append(record(bridge, run.get(i))).append(i + 1 < run.size() ? ",\n" : "\n");
            }
            sb.append(">>\n");
        }
        sb.append("Traces == <<");
        for (int k = 0; k < runs.size(); k++) sb.append(k == 0 ? "" : ", ").append('T').append(k + 1);
        sb.append(">>\n\n");
        sb.append("InState(r) == ");
        appendAll(sb, "", "r");
        sb.append("\nBecomes(r) == ");
        appendAll(sb, "'", "r");
        sb.append("\n\nTraceInit == /\\ tr \\in 1..Len(Traces)\n             /\\ cur = 1\n             /\\ InState(Traces[tr][1])\n");
        sb.append("TraceStep == /\\ cur < Len(Traces[tr])\n             /\\ cur' = cur + 1\n             /\\ tr' = tr\n");
        sb.append("             /\\ Becomes(Traces[tr][cur + 1])\n             /\\ Next\n");
        sb.append("TraceEnd == cur = Len(Traces[tr]) /\\ UNCHANGED <<vars, tr, cur>>\n");
        sb.append("TraceNext == TraceStep \\/ TraceEnd\n");
        sb.append("====\n");
        return sb.toString();
    }

    private static void appendAll(StringBuilder sb, String prime, String r) {
        boolean first = true;
        for (String v : State.VARIABLES) {
            if (!first) sb.append(" /\\ ");
            first = false;
            sb.append(v).append(prime).append(" = ").append(r).append('.').append(v);
        }
    }

    private static String record(TlaBridge bridge, State s) {
        Map<String, TlaValue> vars = bridge.toTla(s).vars();
        return TlaValues.print(TlaValue.record(vars));
    }

    /** The cfg checking a trace module: the plan's constants and invariants, deadlock checking on. */
    public static String traceCfg(RunPlan plan) {
        StringBuilder cfg = constantsCfg(plan);
        cfg.append("INIT TraceInit\nNEXT TraceNext\n");
        for (String inv : plan.invariants()) cfg.append("INVARIANT ").append(inv).append('\n');
        cfg.append("CHECK_DEADLOCK TRUE\n");
        return cfg.toString();
    }

    private static StringBuilder constantsCfg(RunPlan plan) {
        StringBuilder cfg = new StringBuilder("CONSTANTS\n");
        for (Map.Entry<String, TlaValue> e : plan.constants().entrySet()) {
            cfg.append("  ").append(e.getKey()).append(" = ").append(TlaValues.print(e.getValue())).append('\n');
        }
        return cfg;
    }

    /** TLC on one trace module. */
    public static TlcResult check(TlcRunner runner, Path specDir, RunPlan plan, String module)
            throws IOException, InterruptedException {
        TlcJob job = TlcJob.builder(specDir, TRACE_MODULE, traceCfg(plan))
                .extraFile(TRACE_MODULE + ".tla", module)
                .workers(2)
                .jvmArgs("-Xss16m")
                .timeout(Duration.ofMinutes(10))
                .build();
        return runner.run(job);
    }

    /** For a report: the action names of Java's successors of s that lead to t. */
    static List<String> actionsBetween(DeviceMapModel m, State s, State t) {
        List<String> out = new ArrayList<>();
        for (Transition tr : m.successors(s)) if (tr.next().equals(t)) out.add(tr.action().name());
        return out;
    }
}
