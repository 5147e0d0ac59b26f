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

    @Option(names = "--workers", paramLabel = "N", description = "Workers for TLC and for Java (default: processors).")
    Integer workers;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int w = workers == null ? Runtime.getRuntime().availableProcessors() : workers;
        if (w < 1) throw CliException.badInput("--workers must be at least 1, not " + w);
        Path dir = specDir.resolve();
        RunPlan plan = Manifest.loadFromSpecDir(dir).plan(model);
        RunPlan safety = new RunPlan(plan.name(), plan.spec(), plan.constants(), plan.invariants(),
                plan.properties().stream().filter(p -> p.startsWith("S")).toList(), plan.expect(), plan.model(),
                plan.variant());
        err.printf("bench explore %s: TLC with %d worker(s) ...%n", model, w);
        err.flush();
        TlcConfig cfg = safety.config();
        String specName = "Spec";   // safety only: no fairness needed
        String cfgText = cfg.cfg().replace("SPECIFICATION FairSpec", "SPECIFICATION Spec");
        TlcResult tlc = new TlcRunner().run(TlcJob.builder(dir, cfg.mainModule(), cfgText).cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules()).workers(w).build(), TlcListener.NONE);
        if (tlc.outcome() != TlcResult.Outcome.OK) {
            throw new IllegalStateException("TLC did not finish cleanly on " + model + ": " + tlc.outcome());
        }
        double tlcSecs = tlc.wallTime().toMillis() / 1000.0;
        err.printf("bench explore %s: Java with %d worker(s) ...%n", model, w);
        err.flush();
        Constants c = TlaBridge.constants(plan.constants());
        Explorer.Result java = new Explorer(new DeviceMapModel(c), safety.invariants(), safety.properties())
                .workers(w).run();
        double tlcRate = tlc.distinct() / tlcSecs;
        double javaRate = java.statesPerSecond();
        out.printf(Locale.ROOT, "model %s (%s; invariants and S2; %d worker(s) each)%n", model, specName, w);
        out.printf(Locale.ROOT, "  %-6s %,12d distinct  depth %3d  %8.1f s  %,10.0f distinct states/s%n", "TLC",
                tlc.distinct(), tlc.depth(), tlcSecs, tlcRate);
        out.printf(Locale.ROOT, "  %-6s %,12d distinct  depth %3d  %8.1f s  %,10.0f distinct states/s%n", "Java",
                java.distinct(), java.depth(), java.seconds(), javaRate);
        out.printf(Locale.ROOT, "  ratio Java/TLC: %.1fx%s%n", javaRate / tlcRate,
                java.distinct() == tlc.distinct() ? "" : "  (state counts differ!)");
        return java.distinct() == tlc.distinct() ? ExitCodes.OK : ExitCodes.VIOLATED;
    }
}
