package dev.devmap.cli;

import dev.devmap.explore.Explorer;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.tla.TlaBridge;
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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dmap bench explore [--model large]}: explores the same model's safety state space with TLC
 * and with the Java explorer, one after the other in one run, and prints both rates (distinct states
 * per second, wall clock including start-up) and their ratio.
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "TLC and the Java explorer on the same model (invariants and S2), rates side by side.")
public final class BenchExploreCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SpecDirOption specDir;

    @Option(names = "--model", paramLabel = "MODEL", description = "Model in models.json (default: large).")
    String model = "large";

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
            description = "Java explorations in this JVM (default: ${DEFAULT-VALUE}); the first is cold, the best is reported as warm.")
    int runs;

    @Option(names = "--workers", paramLabel = "N", description = "Workers for TLC and for Java (default: processors).")
    Integer workers;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int w = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        if (w < 1) throw CliException.badInput("--workers must be at least 1, not " + w);
        if (runs < 1) throw CliException.badInput("--runs must be at least 1, not " + runs);
        Path dir = specDir.resolve();
        RunPlan plan = Manifest.loadFromSpecDir(dir).plan(model);
        RunPlan safety = new RunPlan(plan.name(), plan.spec(), plan.constants(), plan.invariants(),
                plan.properties().stream().filter(p -> p.startsWith("S")).toList(), plan.expect(), plan.model(),
                plan.variant());
        err.printf("bench explore %s: TLC with %d worker(s) ...%n", model, w);
        err.flush();
        String specName = "Spec";   // safety properties only: fairness changes no reachable state
        TlcConfig cfg = safety.config(specName);
        TlcResult tlc = new TlcRunner().run(TlcJob.builder(dir, cfg.mainModule(), cfg.cfg()).cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules()).workers(w).build(), TlcListener.NONE);
        if (tlc.outcome() != TlcResult.Outcome.OK) {
            throw new IllegalStateException("TLC did not finish cleanly on " + model + ": " + tlc.outcome());
        }
        double tlcSecs = tlc.wallTime().toMillis() / 1000.0;
        err.printf("bench explore %s: Java with %d worker(s) ...%n", model, w);
        err.flush();
        Constants c = TlaBridge.constants(plan.constants());
        List<Explorer.Result> javas = new ArrayList<>();
        for (int k = 0; k < runs; k++) {
            javas.add(new Explorer(new DeviceMapModel(c), safety.invariants(), safety.properties()).workers(w).run());
        }
        double tlcRate = tlc.distinct() / tlcSecs;
        out.printf(Locale.ROOT, "model %s (%s; invariants and S2; %d worker(s) each; JVM %s)%n", model, specName, w,
                String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        out.printf(Locale.ROOT, "  %-12s %,12d distinct  depth %3d  %8.1f s  %,10.0f distinct states/s%n", "TLC",
                tlc.distinct(), tlc.depth(), tlcSecs, tlcRate);
        boolean same = true;
        Explorer.Result best = javas.get(0);
        for (int k = 0; k < javas.size(); k++) {
            Explorer.Result j = javas.get(k);
            same &= j.distinct() == tlc.distinct();
            if (j.statesPerSecond() > best.statesPerSecond()) best = j;
            out.printf(Locale.ROOT, "  %-12s %,12d distinct  depth %3d  %8.1f s  %,10.0f distinct states/s  %.1fx TLC%n",
                    "Java run " + (k + 1), j.distinct(), j.depth(), j.seconds(), j.statesPerSecond(), j.statesPerSecond() / tlcRate);
        }
        out.printf(Locale.ROOT, "  ratio Java/TLC: %.1fx cold (first run, JIT warming up), %.1fx warm (best of %d)%s%n",
                javas.get(0).statesPerSecond() / tlcRate, best.statesPerSecond() / tlcRate, runs,
                same ? "" : "  (state counts differ!)");
        return same ? ExitCodes.OK : ExitCodes.VIOLATED;
    }
}
