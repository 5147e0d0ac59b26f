package dev.devmap.cli;

import dev.devmap.explore.Explorer;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.packed.PackedExplorer;
import dev.devmap.packed.PackedModel;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcListener;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dmap bench explore [--model large]}: explores the same model's safety state space with TLC
 * with the packed explorer and with the record explorer, one after the other in one run, and prints
 * the rates (distinct states per second, wall clock including start-up) and their ratios to TLC's.
 * The packed explorer runs first after TLC, so its first run is a cold start (JIT included).
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "TLC, the packed and the record Java explorer on the same model (invariants and S2), rates side by side.")
public final class BenchExploreCommand extends SpecCommand {
    @Option(names = "--model", paramLabel = "MODEL", description = "Model in models.json (default: large).")
    String model = "large";

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
            description = "Java explorations in this JVM (default: ${DEFAULT-VALUE}); the first is cold, the best is reported as warm.")
    int runs;

    @Option(names = "--packed-runs", paramLabel = "N", defaultValue = "3",
            description = "Packed explorations in this JVM, before the record explorer's (default: ${DEFAULT-VALUE}); the first is cold.")
    int packedRuns;

    @Option(names = "--tlc-seconds", paramLabel = "S",
            description = "Stop TLC after S seconds and take its rate from its last progress report, with the time it "
                    + "would need for the packed explorer's count (for models TLC cannot finish here).")
    Integer tlcSeconds;

    @Option(names = "--liveness",
            description = "Then build the packed state graph and check L1-L6 under the spec's fairness on it.")
    boolean liveness;

    @Option(names = "--workers", paramLabel = "N", description = "Workers for TLC and for Java (default: processors).")
    Integer workers;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        PrintWriter err = err();
        int w = workers(workers == null ? Runtime.getRuntime().availableProcessors() : workers);
        if (runs < 0) throw CliException.badInput("--runs must be at least 0, not " + runs);
        if (tlcSeconds != null && tlcSeconds < 10) throw CliException.badInput("--tlc-seconds must be at least 10, not " + tlcSeconds);
        if (packedRuns < 1) throw CliException.badInput("--packed-runs must be at least 1, not " + packedRuns);
        Path dir = specDir();
        Manifest manifest = manifest();
        RunPlan plan = manifest.plan(model);
        RunPlan safety = new RunPlan(plan.name(), plan.spec(), plan.constants(), plan.invariants(),
                plan.properties().stream().filter(p -> p.startsWith("S")).toList(), plan.expect(), plan.model(),
                plan.variant());
        err.printf("bench explore %s: TLC with %d worker(s) ...%n", model, w);
        err.flush();
        String specName = "Spec";   // safety properties only: fairness changes no reachable state
        TlcConfig cfg = safety.config(specName);
        long tlcStart = System.nanoTime();
        long[] lastProgress = {0, 0};   // distinct, nanoseconds since start
        TlcListener progress = new TlcListener() {
            @Override
            public void onProgress(dev.devmap.spec.tlc.TlcProgress p) {
                lastProgress[0] = p.distinct();
                lastProgress[1] = System.nanoTime() - tlcStart;
            }
        };
        TlcJob.Builder job = TlcJob.builder(dir, cfg.mainModule(), cfg.cfg()).cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules()).workers(w);
        if (tlcSeconds != null) job.timeout(java.time.Duration.ofSeconds(tlcSeconds));
        TlcResult tlc = new TlcRunner().run(job.build(), progress);
        boolean tlcFinished = tlc.outcome() == TlcResult.Outcome.OK;
        if (!tlcFinished && (tlcSeconds == null || lastProgress[0] <= 0)) {
            throw new IllegalStateException("TLC did not finish cleanly on " + model + ": " + tlc.outcome());
        }
        double tlcSecs = tlcFinished ? tlc.wallTime().toMillis() / 1000.0 : lastProgress[1] / 1e9;
        long tlcDistinct = tlcFinished ? tlc.distinct() : lastProgress[0];
        Constants c = TlaBridge.constants(plan.constants());
        err.printf("bench explore %s: packed explorer with %d worker(s) ...%n", model, w);
        err.flush();
        List<String> safetyNames = new ArrayList<>(safety.invariants());
        safetyNames.addAll(safety.properties());
        List<PackedExplorer.Result> packeds = new ArrayList<>();
        for (int k = 0; k < packedRuns; k++) {
            packeds.add(new PackedExplorer(new PackedModel(c), safetyNames).workers(w).run());
        }
        err.printf("bench explore %s: record explorer with %d worker(s) ...%n", model, w);
        err.flush();
        List<Explorer.Result> javas = new ArrayList<>();
        for (int k = 0; k < runs; k++) {
            javas.add(new Explorer(new DeviceMapModel(c), safety.invariants(), safety.properties()).workers(w).run());
        }
        double tlcRate = tlcDistinct / tlcSecs;
        out.printf(Locale.ROOT, "model %s (%s; invariants and S2; %d worker(s) each; JVM %s)%n", model, specName, w,
                String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        boolean same = true;
        if (tlcFinished) {
            out.printf(Locale.ROOT, "  %-12s %,12d distinct  depth %3d  %8.1f s  %,10.0f distinct states/s%n", "TLC",
                    tlc.distinct(), tlc.depth(), tlcSecs, tlcRate);
        } else {
            out.printf(Locale.ROOT, "  %-12s %,12d distinct after %.1f s (stopped at %d s; last progress report)  %,10.0f distinct states/s;"
                            + " projected %.0f s (%.1f h) for the packed explorer's %,d states%n", "TLC",
                    tlcDistinct, tlcSecs, tlcSeconds, tlcRate, packeds.get(0).distinct() / tlcRate,
                    packeds.get(0).distinct() / tlcRate / 3600, packeds.get(0).distinct());
        }
        PackedExplorer.Result bestPacked = packeds.get(0);
        for (int k = 0; k < packeds.size(); k++) {
            PackedExplorer.Result p = packeds.get(k);
            same &= (!tlcFinished || p.distinct() == tlc.distinct()) && p.ok();
            if (p.statesPerSecond() > bestPacked.statesPerSecond()) bestPacked = p;
            out.printf(Locale.ROOT, "  %-12s %,12d distinct  depth %3d  %8.1f s  %,10.0f distinct states/s  %.1fx TLC%n",
                    "packed run " + (k + 1), p.distinct(), p.depth(), p.seconds(), p.statesPerSecond(), p.statesPerSecond() / tlcRate);
        }
        PackedExplorer.Result p0 = packeds.get(0);
        out.printf(Locale.ROOT, "  packed memory: %.1f bytes per distinct state (seen set %,d bytes, queue at its fullest %,d bytes;"
                        + " two levels held up to %,d states)%n",
                p0.bytesPerState(), p0.seenBytes(), p0.peakQueueBytes(), p0.peakQueueStates());
        Explorer.Result best = javas.isEmpty() ? null : javas.get(0);
        for (int k = 0; k < javas.size(); k++) {
            Explorer.Result j = javas.get(k);
            same &= !tlcFinished || j.distinct() == tlc.distinct();
            if (j.statesPerSecond() > best.statesPerSecond()) best = j;
            out.printf(Locale.ROOT, "  %-12s %,12d distinct  depth %3d  %8.1f s  %,10.0f distinct states/s  %.1fx TLC%n",
                    "record run " + (k + 1), j.distinct(), j.depth(), j.seconds(), j.statesPerSecond(), j.statesPerSecond() / tlcRate);
        }
        out.printf(Locale.ROOT, "  ratio packed/TLC: %.1fx cold (first run, JIT warming up), %.1fx warm (best of %d)%n",
                p0.statesPerSecond() / tlcRate, bestPacked.statesPerSecond() / tlcRate, packedRuns);
        if (!javas.isEmpty()) {
            out.printf(Locale.ROOT, "  ratio record/TLC: %.1fx cold (first run, JIT warming up), %.1fx warm (best of %d)%n",
                    javas.get(0).statesPerSecond() / tlcRate, best.statesPerSecond() / tlcRate, runs);
        }
        if (!same) out.println("  (state counts differ!)");
        if (liveness) {
            List<String> props = plan.properties().stream().filter(x -> x.startsWith("L")).toList();
            if (props.isEmpty()) {   // the model lists none: the spec's, as the CI model lists them
                props = manifest.plan("ci").properties().stream().filter(x -> x.startsWith("L")).toList();
            }
            err.printf("bench explore %s: packed state graph and %s ...%n", model, String.join(", ", props));
            err.flush();
            long t0 = System.nanoTime();
            dev.devmap.packed.PackedGraph g = new PackedExplorer(new PackedModel(c), List.of()).graph();
            double graphSecs = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            var results = new dev.devmap.packed.PackedLiveness(g).check(props);
            double liveSecs = (System.nanoTime() - t1) / 1e9;
            out.printf(Locale.ROOT, "  packed liveness: graph of %,d states and %,d edges in %.1f s (%,d bytes), %s in %.1f s%n",
                    g.size(), g.edges(), graphSecs, g.bytes(), String.join(" ", props), liveSecs);
            for (var r : results) {
                out.printf(Locale.ROOT, "    %-24s %s%n", r.property(), r.violated()
                        ? "VIOLATED (" + r.instance() + ": prefix " + r.prefixLength() + ", cycle of " + r.cycleStates() + " states)"
                        : "holds");
                same &= !r.violated();
            }
        }
        out.printf(Locale.ROOT, "  load: %.2f (1-minute average at the end; %d processors)%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        return same ? ExitCodes.OK : ExitCodes.VIOLATED;
    }
}
