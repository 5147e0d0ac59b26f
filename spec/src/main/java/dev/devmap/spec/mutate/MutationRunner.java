package dev.devmap.spec.mutate;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.tlc.DotDump;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs TLC on mutants of the spec over a set of models, in order, stopping at the first violation.
 * A mutant that survives every model is compared with the original: equal distinct state counts on
 * every model and then equal sets of state fingerprints (TLC's {@code -dump dot}) mean its
 * reachable graph is the original's, i.e. the change is unreachable in these models (a coverage
 * hole, or an equivalent mutant).
 */
public final class MutationRunner {
    /** What happened to one mutant. */
    public enum Verdict { KILLED, SURVIVED, UNREACHABLE, INVALID, TIMEOUT }

    /**
     * @param model    the model that killed it (or the last one run)
     * @param property the violated property, "TLC error: ..." for an evaluation error, or null
     * @param steps    length of the counterexample (0 if none)
     * @param distinct for a survivor: distinct states per model
     */
    public record Result(Mutant mutant, Verdict verdict, String model, String property, int steps,
                         Map<String, Long> distinct, double seconds) {}

    private final Path specDir;
    private final Manifest manifest;
    private final List<RunPlan> plans;
    private final Duration timeout;
    private final Map<String, Set<dev.devmap.spec.tla.TlaState>> originalStates = new HashMap<>();
    private final Map<String, Set<String>> originalActions = new HashMap<>();
    private final String original;
    private final String specFile;

    /**
     * @param livenessBelow liveness properties are checked only on models with fewer expected
     *                      distinct states than this (liveness on the larger ones costs minutes a mutant)
     */
    public MutationRunner(Path specDir, List<String> models, long livenessBelow, Duration timeout) {
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
        for (String name : models) {
            RunPlan p = manifest.plan(name);
            Long n = p.expect().distinct();
            boolean live = n != null && n < livenessBelow;
            List<String> props = p.properties().stream().filter(x -> live || !x.startsWith("L")).toList();
            ps.add(new RunPlan(p.name(), p.spec(), p.constants(), p.invariants(), props, p.expect(), p.model(), null));
        }
        this.plans = List.copyOf(ps);
    }

    public String originalText() {
        return original;
    }

    public List<RunPlan> plans() {
        return plans;
    }

    /** Runs the mutants on {@code workers} parallel TLC processes; results in mutant order. */
    public List<Result> run(List<Mutant> mutants, int workers, Consumer<Result> each) {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Result>> fs = new ArrayList<>();
            for (Mutant m : mutants) {
                fs.add(pool.submit(() -> {
                    Result r = runOne(m);
                    synchronized (each) {
                        each.accept(r);
                    }
                    return r;
                }));
            }
            List<Result> out = new ArrayList<>();
            for (Future<Result> f : fs) out.add(f.get());
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("mutant run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One mutant over the models in order. */
    public Result runOne(Mutant m) throws IOException {
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("dmap-mutant-" + m.name() + "-");
        try {
            copySpecs(dir);
            Files.writeString(dir.resolve(specFile), m.apply(original));
            Map<String, Long> distinct = new java.util.LinkedHashMap<>();
            String last = null;
            for (RunPlan p : plans) {
                last = p.name();
                Map<String, Long> actions = new HashMap<>();
                TlcResult r = tlc(dir, p, null, actions);
                switch (r.outcome()) {
                    case PARSE_ERROR:
                        return new Result(m, Verdict.INVALID, p.name(), firstLine(r.errorText()), 0, distinct, secs(t0));
                    case ERROR:
                        if (r.errorText().contains("timed out")) {
                            return new Result(m, Verdict.TIMEOUT, p.name(), null, 0, distinct, secs(t0));
                        }
                        return new Result(m, Verdict.KILLED, p.name(), "TLC error: " + firstLine(r.errorText()),
                                r.trace().size(), distinct, secs(t0));
                    case OK:
                        distinct.put(p.name(), r.distinct());
                        for (String a : originalActions(p)) {
                            if (actions.getOrDefault(a, 0L) == 0) {
                                return new Result(m, Verdict.KILLED, p.name(), "coverage: action " + a + " never taken",
                                        0, distinct, secs(t0));
                            }
                        }
                        break;
                    default:
                        return new Result(m, Verdict.KILLED, p.name(),
                                r.outcome() == TlcResult.Outcome.DEADLOCK ? "deadlock"
                                        : r.violated() == null ? "a temporal property" : r.violated(),
                                r.trace().size(), distinct, secs(t0));
                }
            }
            for (RunPlan p : plans) {
                Long want = p.expect().distinct();
                if (want == null || !want.equals(distinct.get(p.name()))) {
                    return new Result(m, Verdict.SURVIVED, last, null, 0, distinct, secs(t0));
                }
            }
            for (RunPlan p : plans) {
                Path dot = dir.resolve(p.name() + ".dot");
                TlcResult r = tlc(dir, graphOnly(p), dot, null);
                if (r.outcome() != TlcResult.Outcome.OK
                        || !Set.copyOf(DotDump.read(dot).nodes().values()).equals(originalStates(p))) {
                    return new Result(m, Verdict.SURVIVED, last, null, 0, distinct, secs(t0));
                }
            }
            return new Result(m, Verdict.UNREACHABLE, last, null, 0, distinct, secs(t0));
        } finally {
            deleteTree(dir);
        }
    }

    /** The actions of Next the original spec takes on a model (TLC's -coverage). */
    private synchronized Set<String> originalActions(RunPlan p) throws IOException {
        Set<String> s = originalActions.get(p.name());
        if (s != null) return s;
        Path dir = Files.createTempDirectory("dmap-mutant-original-");
        try {
            copySpecs(dir);
            Map<String, Long> actions = new HashMap<>();
            TlcResult r = tlc(dir, p, null, actions);
            if (r.outcome() != TlcResult.Outcome.OK) {
                throw new IllegalStateException("the original spec fails on model " + p.name() + ": " + r.outcome());
            }
            Set<String> taken = new java.util.TreeSet<>();
            actions.forEach((a, n) -> { if (n > 0) taken.add(a); });
            originalActions.put(p.name(), taken);
            return taken;
        } finally {
            deleteTree(dir);
        }
    }

    private synchronized Set<dev.devmap.spec.tla.TlaState> originalStates(RunPlan p) throws IOException {
        Set<dev.devmap.spec.tla.TlaState> s = originalStates.get(p.name());
        if (s != null) return s;
        Path dir = Files.createTempDirectory("dmap-mutant-original-");
        try {
            copySpecs(dir);
            Path dot = dir.resolve(p.name() + ".dot");
            TlcResult r = tlc(dir, graphOnly(p), dot, null);
            if (r.outcome() != TlcResult.Outcome.OK) {
                throw new IllegalStateException("the original spec fails on model " + p.name() + ": " + r.outcome());
            }
            s = Set.copyOf(DotDump.read(dot).nodes().values());
            originalStates.put(p.name(), s);
            return s;
        } finally {
            deleteTree(dir);
        }
    }

    private static RunPlan graphOnly(RunPlan p) {
        return new RunPlan(p.name(), p.spec(), p.constants(), List.of("TypeOK"), List.of(), p.expect(), p.model(), null);
    }

    private TlcResult tlc(Path dir, RunPlan p, Path dot, Map<String, Long> actions) {
        var cfg = p.config();
        TlcJob.Builder b = TlcJob.builder(dir, cfg.mainModule(), cfg.cfg()).cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules()).workers(1).timeout(timeout);
        if (dot != null) b.dumpDot(dot);
        if (actions != null) b.tlcArgs("-coverage", "100000");
        dev.devmap.spec.tlc.TlcListener listener = new dev.devmap.spec.tlc.TlcListener() {
            @Override
            public void onMessage(dev.devmap.spec.tlc.TlcMessage msg) {
                if (actions != null) dev.devmap.spec.tlc.TlcCoverage.collect(msg, actions);
            }
        };
        try {
            return new TlcRunner().run(b.build(), listener);
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
