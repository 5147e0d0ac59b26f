package dev.devmap.cli;

import dev.devmap.spec.model.Expectation;
import dev.devmap.spec.model.ExpectationRecorder;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcListener;
import dev.devmap.spec.tlc.TlcMessage;
import dev.devmap.spec.tlc.TlcProgress;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.Tlc;
import dev.devmap.spec.tlc.TlcRunner;
import dev.devmap.spec.tlc.WarmTlcRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dmap check [MODEL] [--variant NAME] [--workers N] [--spec-dir DIR]}: runs TLC. */
@Command(mixinStandardHelpOptions = true, name = "check",
        description = {"Model-check a model of models.json with TLC, or a variant (a known mistake) that must "
                + "violate its property.",
                "Progress goes to stderr; the counterexample and one summary line to stdout.",
                "Exit: 0 all properties hold, 1 a property is violated, 2 bad input, 3 TLC failed, "
                        + "4 the properties hold but the distinct states or depth differ from models.json."})
public final class CheckCommand extends SpecCommand {
    static final String DEFAULT_MODEL = "ci";

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "Model name in models.json (default: every model not marked heavy, the CI set; "
                    + "for --variant: its base).")
    String model;

    @Option(names = "--variant", paramLabel = "NAME",
            description = "Check this variant: its base model with constant Variant = NAME.")
    String variant;

    @Option(names = "--workers", paramLabel = "N",
            description = "Cores to use (default: the number of processors): one model gets N TLC workers; "
                    + "several are checked at once, min(N, models) at a time, each with N / that many workers.")
    Integer workers;

    @Option(names = "--dump-dot", paramLabel = "FILE",
            description = "Also write the state graph with TLC's -dump dot,actionlabels to FILE.")
    Path dumpDot;

    @Option(names = "--record",
            description = "When the properties hold, write the distinct states and depth found into the model's "
                    + "\"expect\" in models.json (instead of failing with exit 4 when they differ).")
    boolean record;

    @Option(names = "--coverage",
            description = "After checking, print the reachability coverage table of the models checked (the Java "
                    + "explorer's counters over the reachable graph; actions cross-checked with TLC's -coverage); "
                    + "exit 1 if a path is reached by no model.")
    boolean coverage;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines on stderr.")
    boolean quiet;

    @Option(names = "--emit", paramLabel = "DIR",
            description = "Do not run TLC: write the spec, the generated cfg (and MC module) into DIR, e.g. for "
                    + "TLC's distributed mode (tlc2.tool.distributed.TLCServer).")
    Path emit;

    /** The runs of --variant's witnesses (Manifest#planWitnesses): reaching the witness is their result. */
    private final java.util.Set<String> witnessRuns = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        PrintWriter err = err();
        int nWorkers = workers(workers == null ? Math.max(1, Runtime.getRuntime().availableProcessors()) : workers);
        if (record) {
            nWorkers = 1;   // only one TLC worker reports the exact breadth-first depth worth recording
        }
        Path dir = specDir();
        Manifest manifest = manifest();
        List<RunPlan> plans = new ArrayList<>();
        if (variant != null) {
            RunPlan plan = manifest.planVariant(variant);
            if (model != null && !model.equals(plan.model().name())) {
                throw CliException.badInput("variant '" + variant + "' is based on model '" + plan.model().name()
                        + "', not '" + model + "'");
            }
            plans.add(plan);
            if (emit == null && dumpDot == null) {
                for (RunPlan w : manifest.planWitnesses(variant)) {
                    plans.add(w);
                    witnessRuns.add(w.name());
                }
            }
        } else if (model != null || emit != null || dumpDot != null) {
            plans.add(manifest.plan(model == null ? DEFAULT_MODEL : model));
        } else {
            for (String name : ciSet(manifest)) plans.add(manifest.plan(name));
        }
        if (record && plans.get(0).isVariant()) {
            throw CliException.badInput("--record records a model's figures, not a variant's");
        }
        if (coverage && plans.get(0).isVariant()) {
            throw CliException.badInput("--coverage measures models, not variants");
        }
        if (emit != null) {
            RunPlan plan = plans.get(0);
            TlcConfig cfg = plan.config();
            if (java.nio.file.Files.exists(emit) && !java.nio.file.Files.isDirectory(emit)) {
                throw CliException.badInput("--emit needs a directory; " + emit + " is a file");
            }
            java.nio.file.Files.createDirectories(emit);
            try (var tla = java.nio.file.Files.newDirectoryStream(dir, "*.tla")) {
                for (Path f : tla) {
                    java.nio.file.Files.copy(f, emit.resolve(f.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            java.nio.file.Files.writeString(emit.resolve(cfg.cfgFileName()), cfg.cfg());
            for (var e : cfg.extraModules().entrySet()) java.nio.file.Files.writeString(emit.resolve(e.getKey()), e.getValue());
            out.printf("%s: wrote %s and %s to %s%n", plan.title(), cfg.mainModule() + ".tla", cfg.cfgFileName(), emit);
            return ExitCodes.OK;
        }
        List<Integer> codes = new ArrayList<>();
        Map<String, Map<String, Long>> tlcActions = new LinkedHashMap<>();
        for (RunPlan plan : plans) tlcActions.put(plan.name(), new LinkedHashMap<>());
        if (plans.size() == 1) {
            codes.add(checkOne(dir, manifest, plans.get(0), nWorkers, new TlcRunner(),
                    tlcActions.get(plans.get(0).name()), out, err, err));
        } else {
            codes.addAll(checkInLanes(dir, manifest, plans, nWorkers, tlcActions, out, err));
        }
        if (coverage) {
            codes.add(CoverageReport.print(manifest, plans, tlcActions, out, err));
        }
        for (int worst : new int[] {ExitCodes.FAILED, ExitCodes.BAD_INPUT, ExitCodes.VIOLATED, ExitCodes.COUNTS_DIFFER}) {
            if (codes.contains(worst)) return worst;
        }
        return ExitCodes.OK;
    }

    /**
     * Several models at once: {@code min(cores, models)} lanes, each a thread with its own warm TLC
     * JVM and {@code cores / lanes} TLC workers, taking the next model, largest recorded state count
     * first, whenever it is free. Measured on the CI set, 2 cores: one TLC worker a model wastes
     * nothing (TLC's BFS scales about 2x on 2 workers, so the gain is not there) but the models
     * overlap their JVM starts, SANY and single-threaded phases, and one JVM compiles TLC once for
     * the models of its lane. Each model's report is printed whole, in manifest order.
     */
    private List<Integer> checkInLanes(Path dir, Manifest manifest, List<RunPlan> plans, int cores,
                                       Map<String, Map<String, Long>> tlcActions, PrintWriter out, PrintWriter err)
            throws Exception {
        int lanes = Math.min(cores, plans.size());
        int tlcWorkers = record ? 1 : Math.max(1, cores / lanes);
        java.util.concurrent.BlockingQueue<Integer> next = new java.util.concurrent.LinkedBlockingQueue<>();
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < plans.size(); k++) order.add(k);
        order.sort(java.util.Comparator.comparingLong((Integer k) -> -expectedDistinct(plans.get(k))));
        next.addAll(order);
        List<java.util.concurrent.CompletableFuture<String[]>> done = new ArrayList<>();
        for (int k = 0; k < plans.size(); k++) done.add(new java.util.concurrent.CompletableFuture<>());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(lanes, r -> {
            Thread t = new Thread(r, "dmap-check-lane");
            t.setDaemon(true);
            return t;
        });
        int[] codes = new int[plans.size()];
        try {
            for (int l = 0; l < lanes; l++) {
                pool.submit(() -> {
                    try (WarmTlcRunner warm = new WarmTlcRunner(new TlcRunner(), List.of())) {
                        Integer k;
                        while ((k = next.poll()) != null) {
                            RunPlan plan = plans.get(k);
                            long t0 = System.nanoTime();
                            java.io.StringWriter o = new java.io.StringWriter();
                            java.io.StringWriter e = new java.io.StringWriter();
                            try (PrintWriter po = new PrintWriter(o); PrintWriter pe = new PrintWriter(e)) {
                                codes[k] = checkOne(dir, manifest, plan, tlcWorkers, warm,
                                        tlcActions.get(plan.name()), po, pe, err);
                            } catch (Throwable ex) {
                                done.get(k).completeExceptionally(ex);
                                continue;
                            }
                            if (!quiet) {   // live, as the progress lines: shows the lanes overlap
                                synchronized (err) {
                                    err.printf(java.util.Locale.ROOT, "%s: finished in its lane (%.1f s); the report "
                                            + "follows in manifest order%n", plan.title(), (System.nanoTime() - t0) / 1e9);
                                    err.flush();
                                }
                            }
                            done.get(k).complete(new String[] {o.toString(), e.toString()});
                        }
                    }
                    return null;
                });
            }
            List<Integer> result = new ArrayList<>();
            for (int k = 0; k < plans.size(); k++) {
                String[] report;
                try {
                    report = done.get(k).get();
                } catch (java.util.concurrent.ExecutionException ex) {
                    if (ex.getCause() instanceof Exception c) throw c;
                    throw ex;
                }
                err.print(report[1]);
                err.flush();
                out.print(report[0]);
                out.flush();
                result.add(codes[k]);
            }
            pool.shutdown();   // each lane ends its warm JVM before it ends: wait for that, so no TLC outlives dmap
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long expectedDistinct(RunPlan plan) {
        Long d = plan.expect() == null ? null : plan.expect().distinct();
        return d == null ? 0 : d;
    }

    /** The CI set: every model of the manifest that is not marked heavy, in manifest order. */
    static List<String> ciSet(Manifest manifest) {
        List<String> out = new ArrayList<>();
        for (String name : manifest.modelNames()) if (!manifest.model(name).heavy()) out.add(name);
        return out;
    }

    /** One model: progress lines go to {@code progressErr} as they come, the report to out and err. */
    private int checkOne(Path dir, Manifest manifest, RunPlan plan, int nWorkers, Tlc tlc, Map<String, Long> actions,
                         PrintWriter out, PrintWriter err, PrintWriter progressErr) throws Exception {
        TlcConfig cfg = plan.config();
        TlcJob.Builder job = TlcJob.builder(dir, cfg.mainModule(), cfg.cfg())
                .cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules())
                .workers(nWorkers);
        if (dumpDot != null) {
            job.dumpDot(dumpDot);
        }
        if (!plan.isVariant()) {
            // a model is expected to hold: check liveness once on the whole graph, not again at every
            // progress report (TLC's default; it repeats the tableau search on a growing graph). A
            // variant keeps the default, which finds its violation before the graph is complete.
            job.tlcArgs("-lncheck", "final");
        }
        if (coverage) {
            job.tlcArgs("-coverage", "100000");   // minutes: only the final report
        }
        if (!quiet) {
            progressErr.printf("%s: checking %s (%s, %d invariant%s, %d propert%s) with %d worker%s%n", plan.title(),
                    plan.spec(), plan.specification(), plan.invariants().size(), plan.invariants().size() == 1 ? "" : "s",
                    plan.properties().size(), plan.properties().size() == 1 ? "y" : "ies",
                    nWorkers, nWorkers == 1 ? "" : "s");
            progressErr.flush();
        }
        TlcListener progress = quiet ? TlcListener.NONE : new ProgressPrinter(plan.title(), progressErr);
        TlcListener listener = new TlcListener() {
            @Override
            public void onProgress(TlcProgress p) {
                progress.onProgress(p);
            }

            @Override
            public void onMessage(TlcMessage m) {
                progress.onMessage(m);
                CoverageReport.tlcAction(m, actions);
            }
        };
        TlcResult result = tlc.run(job.build(), listener);
        if (record && result.outcome() == TlcResult.Outcome.OK) {
            synchronized (CheckCommand.class) {   // lanes record into the one models.json
                ExpectationRecorder.record(manifest.file(), plan.model().name(), result.distinct(), result.depth());
                plan = Manifest.load(manifest.file()).plan(plan.model().name());
            }
            err.printf("%s: recorded distinct=%d depth=%d in %s%n", plan.title(), result.distinct(), result.depth(),
                    manifest.file());
            err.flush();
        }
        return new CheckReport(plan, result, nWorkers, witnessRuns.contains(plan.name())).print(out, err);
    }

    /** One stderr line per progress report and phase change. */
    static final class ProgressPrinter implements TlcListener {
        private final String title;
        private final PrintWriter err;

        ProgressPrinter(String title, PrintWriter err) {
            this.title = title;
            this.err = err;
        }

        @Override
        public void onProgress(TlcProgress p) {
            if (p.simulation()) {
                err.printf(Locale.ROOT, "%s: %,d states generated%n", title, p.generated());
            } else {
                err.printf(Locale.ROOT, "%s: depth %d, %,d distinct states, %,d on queue%s%n", title, p.depth(),
                        p.distinct(), p.queue(),
                        p.distinctPerMinute() >= 0 ? String.format(Locale.ROOT, ", %,d distinct/min", p.distinctPerMinute()) : "");
            }
            err.flush();
        }

        @Override
        public void onMessage(TlcMessage m) {
            if (m.code() == 2192) { // "Checking temporal properties for the complete state space ..."
                err.printf("%s: checking temporal properties%n", title);
                err.flush();
            }
        }
    }

    static String expectationText(Expectation e) {
        StringBuilder sb = new StringBuilder();
        if (e.distinct() != null) {
            sb.append("distinct=").append(e.distinct());
        }
        if (e.generated() != null) {
            sb.append(sb.length() > 0 ? " " : "").append("generated=").append(e.generated());
        }
        if (e.depth() != null) {
            sb.append(sb.length() > 0 ? " " : "").append("depth=").append(e.depth());
        }
        return sb.toString();
    }
}
