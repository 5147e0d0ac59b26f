package dev.devmap.spec.mutate;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.VariantModel;
import dev.devmap.spec.tlc.DotDump;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;
import dev.devmap.spec.tlc.WarmTlcRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs TLC on mutants of the spec over a set of models, stopping each mutant at its first violation.
 * The work is split into stages, cheapest first: each model's safety check (invariants, step
 * properties, the action coverage of Next) and, on models small enough, its liveness check; every
 * mutant still alive runs stage k before any runs stage k+1, so the many mutants a small model kills
 * never reach a large one, and the table is meaningful at any time. A mutant that survives every
 * stage is compared with the original: equal distinct state counts on every model and then equal
 * sets of states (TLC's {@code -dump dot}) mean its reachable graph is the original's, i.e. the
 * change is unreachable in these models (a coverage hole, or an equivalent mutant). With the variant
 * stage on, a mutant unreachable or survived in the models then runs the variants' own checks, and
 * is killed where one's verdict is not the original's ({@link #teeth}).
 */
public final class MutationRunner {
    /** What happened to one mutant. */
    public enum Verdict {
        KILLED, SURVIVED, UNREACHABLE, INVALID, TIMEOUT,
        /**
         * Not a verdict: the mutant passed the stages up to and including {@code model} (its distinct
         * states per model so far in {@code distinct}) and goes on; a table row of a campaign stopped
         * midway, from which {@code --resume} goes on at the next stage.
         */
        PASSED;

        /** A verdict that stands: a later run with the same digest takes it as it is. */
        public boolean stands() { return this != TIMEOUT && this != PASSED; }
    }

    /**
     * @param model    the model that killed it (or the last one run)
     * @param property the violated property, "TLC error: ..." for an evaluation error, or null
     * @param steps    length of the counterexample (0 if none)
     * @param distinct for a survivor: distinct states per model
     * @param digest   digest of the mutated spec and the stages' plans: a verdict is reused
     *                 ({@link #run} with {@code known}) only for the same digest
     */
    public record Result(Mutant mutant, Verdict verdict, String model, String property, int steps,
                         Map<String, Long> distinct, double seconds, String digest) {}

    /**
     * One TLC run per mutant and model: the invariants and step properties, with TLC's -coverage, and
     * on a small model ({@code liveness}) the liveness properties too.
     */
    public record Stage(RunPlan plan, boolean liveness, long cost) {
        public String label() {
            return plan.name() + (liveness ? " safety+liveness" : " safety");
        }
    }

    private final Path specDir;
    private final Manifest manifest;
    private final List<RunPlan> plans;
    private final List<Stage> stages;
    private final Duration timeout;
    private final Map<String, Graph> originalGraphs = new HashMap<>();

    /**
     * A reachable graph as values, ids left out: its states, its initial states, and its steps between two
     * different states (a step from a state to itself is a stutter, which {@code [][Next]_vars} allows
     * anyway, and a liveness run adds one to every state).
     */
    record Graph(Set<dev.devmap.spec.tla.TlaState> states, Set<dev.devmap.spec.tla.TlaState> initial,
                 Set<List<dev.devmap.spec.tla.TlaState>> steps) {
        static Graph of(DotDump.StateGraph g) {
            Set<dev.devmap.spec.tla.TlaState> init = new java.util.HashSet<>();
            for (long id : g.initial()) init.add(g.nodes().get(id));
            Set<List<dev.devmap.spec.tla.TlaState>> steps = new java.util.HashSet<>();
            for (DotDump.Edge e : g.edges()) {
                if (e.from() != e.to()) steps.add(List.of(g.nodes().get(e.from()), g.nodes().get(e.to())));
            }
            return new Graph(Set.copyOf(g.nodes().values()), Set.copyOf(init), steps);
        }
    }
    private final Map<String, Original> originals = new HashMap<>();
    /** What the original does on a model: the actions it takes, its expression coverage, its distinct states. */
    private record Original(Set<String> actions, dev.devmap.spec.tlc.ExprCoverage coverage, long distinct) {}
    private final Unevaluated unevaluated;
    private final boolean skipUnevaluated;
    /**
     * The variants' own checks (models.json "variants" and "choices", each as {@code dmap check --variant}
     * runs it, liveness left out on a base of {@code livenessBelow} states or more unless it is the
     * property the variant must break), run on a mutant the models do not kill (unreachable or survived);
     * empty when off.
     */
    private final List<RunPlan> variantPlans;
    private final String teethSuffix;
    private final VariantScope scope;
    /** The original on each variant's check, computed once by the first worker that needs it. */
    private final Map<String, java.util.concurrent.CompletableFuture<Verdicted>> variantOriginals =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Where the variants' stage reports its originals and verdicts (set by {@link #run}). */
    private volatile Consumer<String> teethProgress = line -> { };
    /** What the original gives on a variant's check: its verdict line, coverage, distinct states, trace length. */
    private record Verdicted(String verdict, dev.devmap.spec.tlc.ExprCoverage coverage, long distinct, int steps,
                             double seconds) {}
    private final String original;
    private final String specFile;
    private final boolean cold;
    /** Every warm TLC started (one a thread that ran TLC), closed at the end of {@link #run}. */
    private final List<WarmTlcRunner> warmRunners = java.util.Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<WarmTlcRunner> warm = ThreadLocal.withInitial(() -> {
        WarmTlcRunner w = new WarmTlcRunner(new TlcRunner(), List.of());
        warmRunners.add(w);
        return w;
    });

    /**
     * @param livenessBelow liveness properties are checked only on models with fewer expected
     *                      distinct states than this (liveness on the larger ones costs minutes a mutant)
     */
    public MutationRunner(Path specDir, List<String> models, long livenessBelow, Duration timeout) {
        this(specDir, models, livenessBelow, timeout, false);
    }

    /**
     * @param cold every TLC run in a fresh JVM, as {@code dmap check} runs it, instead of one after the
     *             other in a warm JVM a worker ({@link WarmTlcRunner}); for comparing the two
     */
    public MutationRunner(Path specDir, List<String> models, long livenessBelow, Duration timeout, boolean cold) {
        this(specDir, models, livenessBelow, timeout, cold, true);
    }

    /**
     * @param skipUnevaluated a mutant whose changed text the original never evaluates on a model
     *                        ({@link Unevaluated}) passes that model's stage without a TLC run, and one
     *                        no model evaluates is unreachable without any; false runs them all (to
     *                        check that rule against TLC)
     */
    public MutationRunner(Path specDir, List<String> models, long livenessBelow, Duration timeout, boolean cold,
                          boolean skipUnevaluated) {
        this(specDir, models, livenessBelow, timeout, cold, skipUnevaluated, false);
    }

    /**
     * @param variants a mutant that comes out unreachable in the models (the original's graph on every
     *                 one) or survived (no violation, another graph) is then run on the variants' checks
     *                 that may evaluate what it changes, and is killed where its verdict differs from the
     *                 original's (a variant's check would fail)
     */
    public MutationRunner(Path specDir, List<String> models, long livenessBelow, Duration timeout, boolean cold,
                          boolean skipUnevaluated, boolean variants) {
        this.cold = cold;
        this.skipUnevaluated = skipUnevaluated;
        this.specDir = specDir;
        this.manifest = Manifest.loadFromSpecDir(specDir);
        this.timeout = timeout;
        this.specFile = manifest.spec() + ".tla";
        try {
            this.original = Files.readString(specDir.resolve(specFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<RunPlan> ps = new ArrayList<>();
        List<Stage> st = new ArrayList<>();
        for (String name : models) {
            RunPlan p = manifest.plan(name);
            Long n = p.expect().distinct();
            long size = n == null ? Long.MAX_VALUE / 8 : n;
            boolean live = n != null && n < livenessBelow;
            List<String> safety = p.properties().stream().filter(x -> !isLiveness(x)).toList();
            List<String> checked = p.properties().stream().filter(x -> live || !isLiveness(x)).toList();
            ps.add(new RunPlan(p.name(), p.spec(), p.constants(), p.invariants(), safety, p.expect(), p.model(), null));
            // one TLC run a model: its safety part and, on a small model, its liveness part (measured: a
            // run's parse and start cost more than the liveness check of a model of some thousand states)
            st.add(new Stage(new RunPlan(p.name(), p.spec(), p.constants(), p.invariants(), checked, p.expect(),
                    p.model(), null), live, live ? 2 * size : size));
        }
        st.sort(Comparator.comparingLong(Stage::cost));
        Set<String> props = new java.util.TreeSet<>();
        for (String name : models) props.addAll(manifest.plan(name).properties());
        this.unevaluated = new Unevaluated(original, props);
        this.plans = List.copyOf(ps);
        this.stages = List.copyOf(st);
        List<RunPlan> vs = new ArrayList<>();
        if (variants) {
            List<String> names = new ArrayList<>(manifest.variants().keySet());
            names.addAll(manifest.choices().keySet());
            for (String name : names) vs.addAll(variantChecks(manifest, name, livenessBelow));
        }
        this.variantPlans = List.copyOf(vs);
        this.teethSuffix = teethSuffix(variantPlans);
        this.scope = new VariantScope(original);
    }

    /**
     * A variant's checks as the project states them: a known mistake violates its property (its base's
     * invariants and that property, as {@code dmap check --variant} runs it); a kernel choice keeps what
     * models.json says it keeps (one run, the whole graph: its kept invariants and step properties, and its
     * kept liveness properties on a base below {@code livenessBelow} states) and breaks each property it
     * lists (one run each, stopping at the violation) and reaches each of its witnesses (one run each,
     * stopping there). Named {@code NAME}, {@code NAME keeps}, {@code NAME breaks P}, {@code NAME witness W}.
     */
    static List<RunPlan> variantChecks(Manifest manifest, String name, long livenessBelow) {
        RunPlan p = manifest.planVariant(name);
        VariantModel.Choice c = p.variant().choice();
        if (c == null) return List.of(p);
        Long n = manifest.plan(p.model().name()).expect().distinct();
        boolean live = n != null && n < livenessBelow;
        Set<String> invariant = new java.util.HashSet<>();   // what some model checks as an INVARIANT
        for (String m : manifest.modelNames()) invariant.addAll(manifest.model(m).invariants());
        List<String> invariants = new ArrayList<>(List.of("TypeOK"));
        List<String> properties = new ArrayList<>();
        for (String x : c.keeps()) {
            if (invariant.contains(x)) {
                invariants.add(x);
            } else if (live || !isLiveness(x)) {
                properties.add(x);
            }
        }
        List<RunPlan> out = new ArrayList<>();
        out.add(new RunPlan(name + " keeps", p.spec(), p.constants(), invariants, properties, p.expect(), p.model(), p.variant()));
        for (String x : c.breaks().keySet()) {
            boolean inv = invariant.contains(x);
            out.add(new RunPlan(name + " breaks " + x, p.spec(), p.constants(), inv ? List.of("TypeOK", x) : List.of("TypeOK"),
                    inv ? List.of() : List.of(x), p.expect(), p.model(), p.variant()));
        }
        out.addAll(manifest.planWitnesses(name));   // NAME witness W: a mutant that undoes the choice does not reach it
        return out;
    }

    /** The variants' checks run on mutants the models do not kill (empty when off). */
    public List<RunPlan> variantPlans() {
        return variantPlans;
    }

    private static boolean isLiveness(String property) {
        return property.startsWith("L");
    }

    public String originalText() {
        return original;
    }

    public List<RunPlan> plans() {
        return plans;
    }

    public List<Stage> stages() {
        return stages;
    }

    /** Runs the mutants on {@code workers} parallel TLC processes; results in mutant order. */
    public List<Result> run(List<Mutant> mutants, int workers, Consumer<Result> each) {
        return run(mutants, workers, Map.of(), each, line -> { });
    }

    /**
     * Runs the mutants stage by stage on {@code workers} parallel TLC processes.
     *
     * @param known    verdicts of an earlier run by mutant name: a killed or invalid one whose digest
     *                 equals this run's is taken as it is (reported through {@code each} first)
     * @param progress one line per stage and every few mutants
     * @return the results in mutant order
     */
    public List<Result> run(List<Mutant> mutants, int workers, Map<String, Result> known, Consumer<Result> each,
                            Consumer<String> progress) {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        teethProgress = progress;
        Map<Mutant, Result> done = new LinkedHashMap<>();
        Map<Mutant, Acc> alive = new LinkedHashMap<>();
        // unreachable or survived in the table by the models, the variants' checks still to run: the models' row
        Map<Mutant, Result> teethOnly = new LinkedHashMap<>();
        int resumed = 0;
        int fewer = 0;   // rows of a table over fewer models: those models' verdicts taken, the others to run
        long t0 = System.nanoTime();
        try {
            for (Mutant m : mutants) {
                String digest = digest(m);
                Result k = known.get(m.name());
                Set<String> sub = k == null || k.digest().equals(digest) || k.digest().startsWith(digest + "/")
                        ? null : subsetOf(m, k.digest());
                Result models = k == null || variantPlans.isEmpty() ? null : modelsPart(k, digest);
                // killed (or invalid) on some of the models is so on all of them
                boolean killedOnFewer = sub != null && (k.verdict() == Verdict.KILLED || k.verdict() == Verdict.INVALID);
                if (killedOnFewer) fewer++;
                if (sub != null && (k.verdict() == Verdict.UNREACHABLE || k.verdict() == Verdict.SURVIVED)) {
                    Acc acc = new Acc(digest);
                    acc.fewer = k;
                    acc.skip = sub;
                    acc.seconds = k.seconds();
                    alive.put(m, acc);
                    fewer++;
                } else if (!killedOnFewer && models != null && !k.digest().equals(teethDigest(digest))) {
                    // the models' part stands; the variants' checks have not run (or on other variants)
                    teethOnly.put(m, models);
                } else if (killedOnFewer || k != null && k.verdict().stands() && (k.digest().equals(teethDigest(digest))
                        || k.digest().equals(digest) && !toTeeth(k))) {   // not one the variant stage still owes
                    Result r = new Result(m, k.verdict(), k.model(), k.property(), k.steps(), k.distinct(), k.seconds(), digest);
                    done.put(m, r);
                    each.accept(r);
                } else {
                    Acc acc = new Acc(digest);
                    if (k != null && k.digest().equals(digest) && k.verdict() == Verdict.PASSED) acc.resumeAfter(k, stages);
                    if (acc.from > 0) resumed++;
                    alive.put(m, acc);
                }
            }
            if (!known.isEmpty()) {
                progress.accept(done.size() + " verdicts reused from the table, " + alive.size() + " to run"
                        + (resumed == 0 ? "" : " (" + resumed + " from the stage after the last one they passed)")
                        + (fewer == 0 ? "" : "; " + fewer + " rows of a table over fewer models: their verdicts on those "
                        + "models taken, killed ones as they are, the others go on with the other models only")
                        + (teethOnly.isEmpty() ? "" : ", " + teethOnly.size()
                        + " unreachable or survived ones to run on the variants' checks"));
            }
            for (int s = 0; s < stages.size() && !alive.isEmpty(); s++) {
                Stage stage = stages.get(s);
                String head = String.format(Locale.ROOT, "stage %d/%d %s", s + 1, stages.size(), stage.label());
                final int si = s;
                Map<Mutant, Acc> later = new LinkedHashMap<>();   // resumed past this stage
                alive.forEach((m, a) -> { if (a.from > si || a.skip.contains(stage.plan().name())) later.put(m, a); });
                progress.accept(head + ": " + (alive.size() - later.size()) + " mutants"
                        + (later.isEmpty() ? "" : ", " + later.size() + " passed it in the table"));
                Map<Mutant, Future<Result>> fs = new LinkedHashMap<>();
                for (Map.Entry<Mutant, Acc> e : alive.entrySet()) {
                    if (later.containsKey(e.getKey())) continue;
                    fs.put(e.getKey(), pool.submit(() -> {
                        Acc acc = e.getValue();
                        Result r = runStage(e.getKey(), stage, acc);
                        Result row = r != null ? r : new Result(e.getKey(), Verdict.PASSED, stage.plan().name(), null, 0,
                                Map.copyOf(acc.distinct), acc.seconds, acc.digest);
                        // a PASSED row: the table keeps the stage it passed; not for a row of a table over fewer
                        // models, whose row stays until its verdict (a campaign stopped midway keeps what it knew)
                        if (r != null || acc.fewer == null) {
                            synchronized (each) {
                                each.accept(row);
                            }
                        }
                        return r;
                    }));
                }
                int n = 0;
                int killed = 0;
                Map<Mutant, Acc> next = new LinkedHashMap<>(later);
                for (Map.Entry<Mutant, Future<Result>> f : fs.entrySet()) {
                    Result r = f.getValue().get();
                    n++;
                    if (r == null) {
                        next.put(f.getKey(), alive.get(f.getKey()));
                    } else {
                        done.put(f.getKey(), r);
                        if (r.verdict() == Verdict.KILLED) killed++;
                    }
                    if (n % 25 == 0 && n < fs.size()) {
                        progress.accept(String.format(Locale.ROOT, "%s: %d/%d judged, %d killed (%.0f s)", head, n,
                                fs.size(), killed, secs(t0)));
                    }
                }
                progress.accept(String.format(Locale.ROOT, "%s: done, %d killed, %d go on (%.0f s)", head, killed,
                        next.size(), secs(t0)));
                alive = next;
            }
            if (!alive.isEmpty()) progress.accept("survivors: comparing " + alive.size() + " state graphs with the original's"
                    + (variantPlans.isEmpty() ? "" : "; an unreachable or survived one then runs the variants' checks "
                    + "that may evaluate it"));
            // the tasks in mutant order, submitted with those whose lines name a variant first: the variants'
            // checks kill those soonest (a campaign stopped midway has its cheap kills)
            Map<Mutant, java.util.concurrent.Callable<Result>> tasks = new LinkedHashMap<>();
            for (Map.Entry<Mutant, Acc> e : alive.entrySet()) {
                tasks.put(e.getKey(), () -> {
                    Result r = e.getValue().fewer != null ? afterFewer(e.getKey(), e.getValue()) : compare(e.getKey(), e.getValue());
                    if (r.digest().equals(e.getValue().digest) && toTeeth(r)) r = teeth(e.getKey(), r);
                    synchronized (each) {
                        each.accept(r);
                    }
                    return r;
                });
            }
            for (Map.Entry<Mutant, Result> e : teethOnly.entrySet()) {
                Result base = e.getValue();
                tasks.put(e.getKey(), () -> {
                    Result r = teeth(e.getKey(), base);
                    synchronized (each) {
                        each.accept(r);
                    }
                    return r;
                });
            }
            List<Mutant> order = new ArrayList<>(tasks.keySet());
            order.sort(Comparator.comparingInt(m -> namesVariant(m) ? 0 : 1));
            Map<Mutant, Future<Result>> fs = new LinkedHashMap<>();
            for (Mutant m : order) fs.put(m, pool.submit(tasks.get(m)));
            for (Map.Entry<Mutant, Future<Result>> f : fs.entrySet()) done.put(f.getKey(), f.getValue().get());
            List<Result> out = new ArrayList<>();
            for (Mutant m : mutants) out.add(done.get(m));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("mutant run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
            closeWarm();
        }
    }

    private void closeWarm() {
        synchronized (warmRunners) {
            for (WarmTlcRunner w : warmRunners) {
                try {
                    w.close();
                } catch (IOException ignored) {
                    // its temporary directory stays behind
                }
            }
        }
    }

    /** What one mutant has accumulated over the stages it passed. */
    private static final class Acc {
        final String digest;
        final Map<String, Long> distinct = new LinkedHashMap<>();
        double seconds;
        String last;
        int from;   // the first stage still to run
        Result fewer;   // its row in a table over fewer models (those in skip), or null
        Set<String> skip = Set.of();

        Acc(String digest) {
            this.digest = digest;
        }

        /** Go on after the stage a PASSED row of the table names, with what it had found so far. */
        void resumeAfter(Result passed, List<Stage> stages) {
            for (int s = 0; s < stages.size(); s++) {
                if (stages.get(s).plan().name().equals(passed.model())) {
                    from = s + 1;
                    distinct.putAll(passed.distinct());
                    seconds = passed.seconds();
                    last = passed.model();
                    return;
                }
            }
        }
    }

    /** One mutant over all stages (the runner's order), for a single mutant. */
    public Result runOne(Mutant m) throws IOException {
        Acc acc = new Acc(digest(m));
        try {
            for (Stage s : stages) {
                Result r = runStage(m, s, acc);
                if (r != null) return r;
            }
            Result r = compare(m, acc);
            return toTeeth(r) ? teeth(m, r) : r;
        } finally {
            closeWarm();
        }
    }

    /** One stage of one mutant: its result if this stage decides it, else null (it goes on). */
    private Result runStage(Mutant m, Stage stage, Acc acc) throws IOException {
        long t0 = System.nanoTime();
        RunPlan p = stage.plan();
        if (!mayMatter(m, p)) {   // behaves as the original on this model: passes it as the original does
            acc.distinct.put(p.name(), original(p).distinct());
            acc.last = p.name();
            return null;
        }
        Path dir = Files.createTempDirectory("dmap-mutant-" + m.name() + "-");
        try {
            copySpecs(dir);
            Files.writeString(dir.resolve(specFile), m.apply(original));
            acc.last = p.name();
            Map<String, Long> actions = new HashMap<>();
            TlcResult r = tlc(dir, p, null, actions);
            acc.seconds += secs(t0);
            switch (r.outcome()) {
                case PARSE_ERROR:
                    return new Result(m, Verdict.INVALID, p.name(), firstLine(r.errorText()), 0, acc.distinct, acc.seconds, acc.digest);
                case ERROR:
                    if (r.errorText().contains("timed out")) {
                        return new Result(m, Verdict.TIMEOUT, stage.label(), null, 0, acc.distinct, acc.seconds, acc.digest);
                    }
                    return new Result(m, Verdict.KILLED, p.name(), "TLC error: " + firstLine(r.errorText()),
                            r.trace().size(), acc.distinct, acc.seconds, acc.digest);
                case OK:
                    acc.distinct.put(p.name(), r.distinct());
                    for (String a : original(p).actions()) {
                        if (actions.getOrDefault(a, 0L) == 0) {
                            return new Result(m, Verdict.KILLED, p.name(), "coverage: action " + a + " never taken",
                                    0, acc.distinct, acc.seconds, acc.digest);
                        }
                    }
                    return null;
                default:
                    if (r.outcome() == TlcResult.Outcome.PROPERTY_VIOLATED && r.violated() == null) {
                        // TLC names no temporal property (message 2116): ask each liveness property alone
                        long t1 = System.nanoTime();
                        TlcResult alone = whichTemporal(dir, p);
                        acc.seconds += secs(t1);
                        if (alone != null) {
                            return new Result(m, Verdict.KILLED, p.name(), alone.violated(), alone.trace().size(),
                                    acc.distinct, acc.seconds, acc.digest);
                        }
                    }
                    return new Result(m, Verdict.KILLED, p.name(),
                            r.outcome() == TlcResult.Outcome.DEADLOCK ? "deadlock"
                                    : r.violated() == null ? "a temporal property" : r.violated(),
                            r.trace().size(), acc.distinct, acc.seconds, acc.digest);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The first liveness property of the plan that the mutant (its spec in {@code dir}) violates when
     * checked alone (the safety part held: TLC checked it before the liveness part), or null.
     */
    private TlcResult whichTemporal(Path dir, RunPlan p) {
        for (String x : p.properties()) {
            if (!isLiveness(x)) continue;
            RunPlan one = new RunPlan(p.name(), p.spec(), p.constants(), List.of("TypeOK"), List.of(x), p.expect(),
                    p.model(), null);
            TlcResult r = tlc(dir, one, null, null);
            if (r.outcome() == TlcResult.Outcome.PROPERTY_VIOLATED && x.equals(r.violated())) return r;
        }
        return null;
    }

    /**
     * A mutant of a table over fewer models (its row {@code acc.fewer}, on the models {@code acc.skip})
     * that passed the other models' stages: a survivor of those models stays survived; an unreachable
     * one is compared on the other models only (on those of the row its graph is the original's). Where
     * the row's variant stage ran on this run's variants' checks and the verdict is the row's, the row's
     * verdict stands with this run's digest (its variants' checks are not run again); else the result
     * has the models' digest and goes on to the variants' checks.
     */
    private Result afterFewer(Mutant m, Acc acc) throws IOException {
        Result k = acc.fewer;
        boolean teethRan = k.digest().endsWith(teethSuffix);
        boolean onVariant = k.model() != null && k.model().startsWith("variant ");
        Result models;
        if (k.verdict() == Verdict.SURVIVED && !onVariant) {
            models = new Result(m, Verdict.SURVIVED, k.model(), k.property(), 0, acc.distinct, acc.seconds, acc.digest);
        } else {
            for (String name : acc.skip) acc.distinct.put(name, original(planOf(name)).distinct());
            models = compare(m, acc);
            if (models.verdict() == Verdict.UNREACHABLE && models.property().equals(NOT_EVALUATED)
                    && k.property() != null && !k.property().startsWith(NOT_EVALUATED)) {
                // not evaluated on the new models, and on the row's the original's graph
                models = new Result(m, Verdict.UNREACHABLE, models.model(), GRAPH_EQUAL, 0, acc.distinct, acc.seconds,
                        acc.digest);
            }
        }
        boolean asRow = models.verdict() == Verdict.UNREACHABLE ? k.verdict() == Verdict.UNREACHABLE || onVariant
                : k.verdict() == Verdict.SURVIVED;
        if (teethRan && asRow) {
            return new Result(m, k.verdict(), k.model(), k.property(), k.steps(), acc.distinct, acc.seconds,
                    teethDigest(acc.digest));
        }
        return models;
    }

    /** A mutant that passed every stage: unreachable (the original's state graph) or survived. */
    private Result compare(Mutant m, Acc acc) throws IOException {
        long t0 = System.nanoTime();
        List<RunPlan> evaluated = new ArrayList<>();
        for (RunPlan p : plans) if (mayMatter(m, p) && !acc.skip.contains(p.name())) evaluated.add(p);
        if (evaluated.isEmpty()) {
            return new Result(m, Verdict.UNREACHABLE, acc.last, NOT_EVALUATED, 0, acc.distinct, acc.seconds, acc.digest);
        }
        for (RunPlan p : plans) {
            Long want = p.expect().distinct();
            if (want == null || !want.equals(acc.distinct.get(p.name()))) {
                return new Result(m, Verdict.SURVIVED, acc.last, null, 0, acc.distinct, acc.seconds, acc.digest);
            }
        }
        Path dir = Files.createTempDirectory("dmap-mutant-" + m.name() + "-");
        try {
            copySpecs(dir);
            Files.writeString(dir.resolve(specFile), m.apply(original));
            for (RunPlan p : evaluated) {   // the others' graphs are the original's by TLC's coverage
                Path dot = dir.resolve(p.name() + ".dot");
                TlcResult r = tlc(dir, graphOnly(p), dot, null);
                Graph g = r.outcome() == TlcResult.Outcome.OK ? Graph.of(DotDump.read(dot)) : null;
                Graph o = originalGraph(p);
                if (g == null || !g.equals(o)) {
                    acc.seconds += secs(t0);
                    // the original's states and other steps: the properties let the mutant's steps pass
                    String how = g != null && g.states().equals(o.states()) && g.initial().equals(o.initial())
                            ? OTHER_STEPS + " on " + p.name() : null;
                    return new Result(m, Verdict.SURVIVED, acc.last, how, 0, acc.distinct, acc.seconds, acc.digest);
                }
            }
            acc.seconds += secs(t0);
            return new Result(m, Verdict.UNREACHABLE, acc.last, GRAPH_EQUAL, 0, acc.distinct, acc.seconds, acc.digest);
        } finally {
            deleteTree(dir);
        }
    }

    /** Whether the models leave the mutant to the variants' checks: unreachable or survived, with the stage on. */
    private boolean toTeeth(Result r) {
        return !variantPlans.isEmpty() && (r.verdict() == Verdict.UNREACHABLE || r.verdict() == Verdict.SURVIVED);
    }

    /**
     * The models' verdict in a row of an earlier run, to go on with the variants' checks: the row itself
     * where the models left the mutant unreachable or survived under this run's models' digest (the
     * variant stage has not run on it), or where the variant stage ran on other variants' checks
     * ({@code digest/...}) and the models' verdict can be read back from it: unreachable (its reason
     * without what those checks added) or survived on a model (not on a variant's check, see
     * {@link #teeth}). Null for any other row.
     */
    private Result modelsPart(Result k, String digest) {
        boolean onVariant = k.model() != null && k.model().startsWith("variant ");   // the variant stage's verdict
        if (k.digest().equals(digest)) return toTeeth(k) && !onVariant ? k : null;
        if (!k.digest().startsWith(digest + "/")) return null;
        if (k.verdict() == Verdict.UNREACHABLE) {
            String reason = k.property();
            int cut = reason == null ? -1 : reason.indexOf("; ");
            return new Result(k.mutant(), k.verdict(), k.model(), cut < 0 ? reason : reason.substring(0, cut), 0,
                    k.distinct(), k.seconds(), digest);
        }
        if (k.verdict() == Verdict.SURVIVED && k.model() != null && !onVariant) {
            return new Result(k.mutant(), k.verdict(), k.model(), k.property(), 0, k.distinct(), k.seconds(), digest);
        }
        return null;
    }

    /**
     * A mutant the models do not kill (unreachable or survived), run on each variant's check that may
     * evaluate what it changes (TLC's coverage of the original on that check counts it, and for a
     * definition that always runs, the definition names the variant or a member): killed where the
     * verdict differs from the original's (that variant's check in {@code mvn verify} would fail). Else
     * a survivor of the models stays survived as the models left it (its model, no property); an
     * unreachable one becomes survived where a check evaluates it and gives the original's verdict but
     * on another graph ({@link #reachesOther}), else stays unreachable, with the checks it ran in the
     * reason. Either way the row has the variants' digest: the stage has run on it.
     */
    private Result teeth(Mutant m, Result base) throws IOException {
        long t0 = System.nanoTime();
        String digest = teethDigest(base.digest());
        List<String> ran = new ArrayList<>();
        String differs = null;
        Path dir = null;
        boolean always = unevaluated.alwaysRun().contains(m.definition());
        try {
            Map<RunPlan, Verdicted> chosen = new LinkedHashMap<>();
            Map<String, Double> cost = new HashMap<>();
            for (RunPlan vp : variantPlans) {
                if (always && !scope.concerns(m.definition(), vp.variant().name())) continue;
                Verdicted o = variantOriginal(vp);
                if (skipUnevaluated && !unevaluated.mayMatter(m, o.coverage())) continue;
                chosen.put(vp, o);
                cost.put(vp.name(), o.seconds());
            }
            Set<String> near = scope.namedNear(m.start(), m.end());
            for (RunPlan vp : promisingFirst(List.copyOf(chosen.keySet()), cost, v -> scope.names(near, v))) {
                Verdicted o = chosen.get(vp);
                if (dir == null) {
                    dir = Files.createTempDirectory("dmap-mutant-" + m.name() + "-");
                    copySpecs(dir);
                    Files.writeString(dir.resolve(specFile), m.apply(original));
                }
                TlcResult r = tlc(dir, vp, null, null);
                if (r.outcome() == TlcResult.Outcome.ERROR && r.errorText().contains("timed out")) {
                    return new Result(m, Verdict.TIMEOUT, "variant " + vp.name(), null, 0, base.distinct(),
                            base.seconds() + secs(t0), digest);
                }
                ran.add(vp.name());
                String got = verdictLine(r);
                if (!got.equals(o.verdict())) {
                    return new Result(m, Verdict.KILLED, "variant " + vp.name(),
                            "variant " + vp.name() + ": " + got + " (the original: " + o.verdict() + ")",
                            r.trace().size(), base.distinct(), base.seconds() + secs(t0), digest);
                }
                if (differs == null && reachesOther(o.verdict(), o.distinct(), o.steps(), r.distinct(), r.trace().size())) {
                    differs = vp.name();
                }
            }
        } finally {
            if (dir != null) deleteTree(dir);
        }
        double secs = base.seconds() + secs(t0);
        if (base.verdict() == Verdict.SURVIVED) {
            return new Result(m, Verdict.SURVIVED, base.model(), base.property(), base.steps(), base.distinct(), secs, digest);
        }
        if (differs != null) {
            return new Result(m, Verdict.SURVIVED, "variant " + differs, null, 0, base.distinct(), secs, digest);
        }
        String reason = base.property() + (ran.isEmpty() ? "; no variant's check evaluates it"
                : "; the variants' checks that evaluate it (" + String.join(", ", ran) + ") give the original's verdict, states and trace");
        return new Result(m, Verdict.UNREACHABLE, base.model(), reason, 0, base.distinct(), secs, digest);
    }

    /** Whether the mutated lines name one of the variants' checks' variants or a member of one. */
    private boolean namesVariant(Mutant m) {
        if (variantPlans.isEmpty()) return false;
        Set<String> near = scope.namedNear(m.start(), m.end());
        for (RunPlan vp : variantPlans) if (scope.names(near, vp.variant().name())) return true;
        return false;
    }

    /**
     * The order in which a mutant runs the variants' checks, so that a kill comes early and the stage stops
     * there: first the checks of a variant the mutated lines name (their string literals name it or a member
     * of it: a conjunct beside {@code Is("write-to-hole")} matters where that variant is on), then the others;
     * each group cheapest first, by the time the original took on the check. The verdict does not depend
     * on the order: a mutant is killed by any check that gives another verdict than the original's.
     */
    static List<RunPlan> promisingFirst(List<RunPlan> plans, Map<String, Double> seconds,
                                        java.util.function.Predicate<String> named) {
        List<RunPlan> out = new ArrayList<>(plans);
        out.sort(Comparator.<RunPlan>comparingInt(p -> named.test(p.variant().name()) ? 0 : 1)
                .thenComparingDouble(p -> seconds.getOrDefault(p.name(), Double.MAX_VALUE)));
        return out;
    }

    /**
     * Whether a variant's check that gave the original's verdict saw another graph than the original's:
     * another counterexample length, or, where the check ran the whole graph (it holds), another number
     * of distinct states. The distinct states of a check that stopped at a violation are not compared:
     * they count what TLC had found when it met the first violating state, which depends on the order
     * in which it enumerates values, and TLC orders strings by when the JVM first interned them (a warm
     * JVM that ran other jobs first, or a mutant's text, orders them otherwise: measured, the original
     * on {@code valid-flag} stops at 6,111 states after the models' stages in one JVM and at 6,097 in a
     * fresh one, on 15deba3's spec). The length is the depth of the first violation, the least one
     * (breadth first, one worker), whatever that order. Not so a temporal property's counterexample: the
     * liveness checker returns some lasso, not the shortest, and which one depends on the same order
     * (measured: 15deba3's M102 on {@code unbounded-revoke} came out 'another graph' in a campaign's warm
     * JVMs, where a fresh JVM gives mutant and original the same 9 steps and 664 states), so a liveness
     * violation's length tells nothing.
     */
    static boolean reachesOther(String verdict, long originalDistinct, int originalSteps, long distinct, int steps) {
        if (verdict.equals("violates a temporal property")
                || verdict.startsWith("violates ") && isLiveness(verdict.substring("violates ".length()))) {
            return false;
        }
        if (steps != originalSteps) return true;
        return verdict.equals("holds") && distinct != originalDistinct;
    }

    /** What the verdict of a variant's check says: holds, violates P, deadlock, a TLC error. */
    private static String verdictLine(TlcResult r) {
        return switch (r.outcome()) {
            case OK -> "holds";
            case INVARIANT_VIOLATED, PROPERTY_VIOLATED -> "violates " + (r.violated() == null ? "a temporal property" : r.violated());
            case DEADLOCK -> "deadlock";
            case PARSE_ERROR -> "parse error";
            case ERROR -> "TLC error: " + firstLine(r.errorText());
        };
    }

    /**
     * The original on a variant's check, with TLC's -coverage, computed once: the first worker that
     * needs it runs TLC, another worker that needs the same check waits for it, and one that needs
     * another check computes that one meanwhile. Each original computed is one progress line.
     */
    private Verdicted variantOriginal(RunPlan vp) throws IOException {
        java.util.concurrent.CompletableFuture<Verdicted> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Verdicted> f = variantOriginals.putIfAbsent(vp.name(), mine);
        if (f == null) {
            try {
                long t0 = System.nanoTime();
                Path cached = cachedOriginal(vp);
                Verdicted v = readOriginal(cached);
                boolean kept = v != null;
                if (!kept) {
                    v = runVariantOriginal(vp);
                    writeOriginal(cached, v);
                }
                mine.complete(v);
                long n = variantOriginals.values().stream().filter(java.util.concurrent.CompletableFuture::isDone).count();
                teethProgress.accept(String.format(Locale.ROOT, "variants' checks: the original on %s: %s, %,d states "
                        + "(%d of %d computed, %s)", vp.name(), v.verdict(), v.distinct(), n, variantPlans.size(),
                        kept ? "kept from an earlier run in " + originalsCache : String.format(Locale.ROOT, "%.0f s", secs(t0))));
                return v;
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            }
        }
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    /**
     * Where the originals on the variants' checks are kept between runs (null: not kept): a file per
     * check, named by the digest of what decides it (the spec's modules and the check's plan), so a
     * resumed or a one-mutant run does not spend the originals' half hour again. Default
     * {@code $XDG_CACHE_HOME/devmap/mutate-originals} (else {@code ~/.cache/...}); a damaged file is
     * computed again.
     */
    private Path originalsCache = defaultOriginalsCache();

    /** Keeps the variants' originals in {@code dir} (null: computes them every run). */
    public MutationRunner originalsCache(Path dir) {
        this.originalsCache = dir;
        return this;
    }

    static Path defaultOriginalsCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("devmap").resolve("mutate-originals");
    }

    private Path cachedOriginal(RunPlan vp) {
        if (originalsCache == null) return null;
        java.security.MessageDigest md = specDigest(null);
        md.update((vp.name() + vp.constants() + vp.invariants() + vp.properties() + vp.model().name())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return originalsCache.resolve(java.util.HexFormat.of().formatHex(md.digest(), 0, 12) + ".tsv");
    }

    /** A cached original, or null when there is none or it does not read. */
    private Verdicted readOriginal(Path f) {
        try {
            if (f == null || !Files.isRegularFile(f)) return null;
            List<String> lines = Files.readAllLines(f);
            String[] h = lines.get(0).split("\t", -1);
            if (h.length != 5 || !h[0].equals("original")) return null;
            Map<dev.devmap.spec.tlc.ExprCoverage.Range, Long> counts = new HashMap<>();
            for (String l : lines.subList(1, lines.size())) {
                String[] c = l.split("\t");
                counts.put(new dev.devmap.spec.tlc.ExprCoverage.Range(Integer.parseInt(c[0]), Integer.parseInt(c[1]),
                        Integer.parseInt(c[2]), Integer.parseInt(c[3])), Long.parseLong(c[4]));
            }
            return new Verdicted(h[1], dev.devmap.spec.tlc.ExprCoverage.of(manifest.spec(), counts), Long.parseLong(h[2]),
                    Integer.parseInt(h[3]), Double.parseDouble(h[4]));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void writeOriginal(Path f, Verdicted v) {
        if (f == null) return;
        StringBuilder sb = new StringBuilder(String.join("\t", "original", v.verdict(), Long.toString(v.distinct()),
                Integer.toString(v.steps()), String.format(Locale.ROOT, "%.1f", v.seconds()))).append('\n');
        v.coverage().counts().forEach((r, n) -> sb.append(r.line1()).append('\t').append(r.col1()).append('\t')
                .append(r.line2()).append('\t').append(r.col2()).append('\t').append(n).append('\n'));
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), f.getFileName().toString(), ".tmp");
            Files.writeString(tmp, sb.toString());
            Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // not kept: the next run computes it again
        }
    }

    private Verdicted runVariantOriginal(RunPlan vp) throws IOException {
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("dmap-mutant-original-");
        try {
            copySpecs(dir);
            dev.devmap.spec.tlc.ExprCoverage cov = new dev.devmap.spec.tlc.ExprCoverage(manifest.spec());
            TlcResult r = tlc(dir, vp, null, null, cov);
            if (r.outcome() == TlcResult.Outcome.PARSE_ERROR || r.outcome() == TlcResult.Outcome.ERROR) {
                throw new IllegalStateException("the original spec fails on variant " + vp.name() + ": "
                        + firstLine(r.errorText()));
            }
            return new Verdicted(verdictLine(r), cov, r.distinct(), r.trace().size(), secs(t0));
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The digest of a verdict the variants' checks gave: the models' digest, the variants' plans and the
     * version of the stage's rules (2: on survivors too, distinct states compared only where a check holds;
     * a row of an earlier version is judged again).
     */
    private String teethDigest(String digest) {
        return digest + teethSuffix;
    }

    /** {@code /} and the digest of the variants' plans and the stage's rules version (they do not change in a run). */
    private static String teethSuffix(List<RunPlan> variantPlans) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(TEETH_RULES.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (RunPlan p : variantPlans) {
                md.update((p.name() + p.constants() + p.invariants() + p.properties()).getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            return "/" + java.util.HexFormat.of().formatHex(md.digest(), 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Digest of what decides a verdict: the mutated spec, the other modules, the stages' plans, the timeout. */
    public String digest(Mutant m) {
        java.security.MessageDigest md = specDigest(m);
        stagesDigest(md, stages);
        return java.util.HexFormat.of().formatHex(md.digest(), 0, 8);
    }

    /** The digest's first part: the mutated spec (the original for null) and the other modules. */
    private java.security.MessageDigest specDigest(Mutant m) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update((m == null ? original : m.apply(original)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (byte[] other : otherModules()) md.update(other);
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<byte[]> otherModules;

    /** The spec directory's other modules, by name, read once a run (every digest hashes them). */
    private synchronized List<byte[]> otherModules() throws IOException {
        if (otherModules == null) {
            List<Path> others = new ArrayList<>();
            try (var tla = Files.newDirectoryStream(specDir, "*.tla")) {
                for (Path f : tla) if (!f.getFileName().toString().equals(specFile)) others.add(f);
            }
            others.sort(Comparator.naturalOrder());
            List<byte[]> bytes = new ArrayList<>();
            for (Path f : others) bytes.add(Files.readAllBytes(f));
            otherModules = List.copyOf(bytes);
        }
        return otherModules;
    }

    /** The digest's second part: the stages' plans (in their order) and the timeout. */
    private void stagesDigest(java.security.MessageDigest md, List<Stage> st) {
        for (Stage s : st) {
            RunPlan p = s.plan();
            md.update((s.label() + p.constants() + p.invariants() + p.properties() + p.expect()).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        md.update(timeout.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The models of a row made by a run over fewer of this run's models: the proper subset of this run's
     * stages (in this run's order, each stage as this run plans it) whose digest is the row's (or the
     * part before its variants' digest), or null when none is. Such a row's verdict on those models
     * stands, and the mutant goes on with the other models only: a mutant killed on some of the models is
     * killed on all of them, and one unreachable or survived on some was judged on those by this run's
     * own rules.
     */
    Set<String> subsetOf(Mutant m, String rowDigest) {
        int n = stages.size();
        if (n < 2 || n > 12) return null;
        java.security.MessageDigest base = specDigest(m);
        for (int mask = 1; mask < (1 << n) - 1; mask++) {
            List<Stage> sub = new ArrayList<>();
            for (int k = 0; k < n; k++) if ((mask & (1 << k)) != 0) sub.add(stages.get(k));
            try {
                java.security.MessageDigest md = (java.security.MessageDigest) base.clone();
                stagesDigest(md, sub);
                String d = java.util.HexFormat.of().formatHex(md.digest(), 0, 8);
                if (rowDigest.equals(d) || rowDigest.startsWith(d + "/")) {
                    Set<String> names = new java.util.LinkedHashSet<>();
                    for (Stage s : sub) names.add(s.plan().name());
                    return names;
                }
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    private static final String TEETH_RULES = "variant stage rules 2";

    /** Why an unreachable mutant is: the reason column of its row. */
    public static final String NOT_EVALUATED = "not evaluated: TLC's coverage of the original counts the changed text 0 times on every model";
    public static final String GRAPH_EQUAL = "state graph equal to the original's";
    /** A survivor's note: the compared graph has the original's states, but other steps between them. */
    public static final String OTHER_STEPS = "the original's states, other steps";

    /** Whether the mutant may behave other than the original on the model (see {@link Unevaluated}). */
    public boolean mayMatter(Mutant m, RunPlan p) throws IOException {
        return !skipUnevaluated || unevaluated.mayMatter(m, original(planOf(p.name())).coverage());
    }

    private RunPlan planOf(String name) {
        for (Stage st : stages) if (st.plan().name().equals(name)) return st.plan();
        throw new IllegalArgumentException("no stage for model " + name);
    }

    /** The definitions whose mutants are never skipped (see {@link Unevaluated#alwaysRun}). */
    public Set<String> alwaysRun() {
        return unevaluated.alwaysRun();
    }

    /** The original spec on a model's stage, with TLC's -coverage: actions taken, expressions evaluated, distinct states. */
    private synchronized Original original(RunPlan p) throws IOException {
        Original o = originals.get(p.name());
        if (o != null) return o;
        RunPlan stage = planOf(p.name());
        Path dir = Files.createTempDirectory("dmap-mutant-original-");
        try {
            copySpecs(dir);
            Map<String, Long> actions = new HashMap<>();
            dev.devmap.spec.tlc.ExprCoverage cov = new dev.devmap.spec.tlc.ExprCoverage(manifest.spec());
            TlcResult r = tlc(dir, stage, null, actions, cov);
            if (r.outcome() != TlcResult.Outcome.OK) {
                throw new IllegalStateException("the original spec fails on model " + p.name() + ": " + r.outcome());
            }
            Set<String> taken = new java.util.TreeSet<>();
            actions.forEach((a, n) -> { if (n > 0) taken.add(a); });
            o = new Original(Set.copyOf(taken), cov, r.distinct());
            originals.put(p.name(), o);
            return o;
        } finally {
            deleteTree(dir);
        }
    }

    private synchronized Graph originalGraph(RunPlan p) throws IOException {
        Graph s = originalGraphs.get(p.name());
        if (s != null) return s;
        Path dir = Files.createTempDirectory("dmap-mutant-original-");
        try {
            copySpecs(dir);
            Path dot = dir.resolve(p.name() + ".dot");
            TlcResult r = tlc(dir, graphOnly(p), dot, null);
            if (r.outcome() != TlcResult.Outcome.OK) {
                throw new IllegalStateException("the original spec fails on model " + p.name() + ": " + r.outcome());
            }
            s = Graph.of(DotDump.read(dot));
            originalGraphs.put(p.name(), s);
            return s;
        } finally {
            deleteTree(dir);
        }
    }

    private static RunPlan graphOnly(RunPlan p) {
        return new RunPlan(p.name(), p.spec(), p.constants(), List.of("TypeOK"), List.of(), p.expect(), p.model(), null);
    }

    private TlcResult tlc(Path dir, RunPlan p, Path dot, Map<String, Long> actions) {
        return tlc(dir, p, dot, actions, null);
    }

    private TlcResult tlc(Path dir, RunPlan p, Path dot, Map<String, Long> actions,
                          dev.devmap.spec.tlc.ExprCoverage expressions) {
        var cfg = p.config();
        TlcJob.Builder b = TlcJob.builder(dir, cfg.mainModule(), cfg.cfg()).cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules()).workers(1).timeout(timeout);
        Long n = p.expect().distinct();
        // a small model's run is mostly the JVM's start and TLC's parse: C1 alone compiles sooner
        if (n != null && n < 2000) b.jvmArgs("-XX:TieredStopAtLevel=1");
        if (dot != null) b.dumpDot(dot);
        if (actions != null || expressions != null) b.tlcArgs("-coverage", "100000");
        if (p.properties().stream().anyMatch(MutationRunner::isLiveness)) {
            b.tlcArgs("-lncheck", "final");   // liveness once, on the whole graph
        }
        dev.devmap.spec.tlc.TlcListener listener = new dev.devmap.spec.tlc.TlcListener() {
            @Override
            public void onMessage(dev.devmap.spec.tlc.TlcMessage msg) {
                if (actions != null) dev.devmap.spec.tlc.TlcCoverage.collect(msg, actions);
                if (expressions != null) expressions.collect(msg);
            }
        };
        try {
            return cold ? new TlcRunner().run(b.build(), listener) : warm.get().run(b.build(), listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void copySpecs(Path dir) throws IOException {
        try (var tla = Files.newDirectoryStream(specDir, "*.tla")) {
            for (Path f : tla) Files.copy(f, dir.resolve(f.getFileName()));
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return (nl < 0 ? t : t.substring(0, nl)).strip();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
