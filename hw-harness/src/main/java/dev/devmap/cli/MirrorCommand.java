package dev.devmap.cli;

import dev.devmap.mirror.MirrorCheck;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.tlc.TlcRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dmap mirror [MODEL] [--variants|--variant NAME]}: proves the Java model mirrors the spec. */
@Command(mixinStandardHelpOptions = true, name = "mirror",
        description = {"Prove the Java reference mirrors the spec: TLC's reachable states and labelled edges "
                + "equal the Java explorer's, state by state; every variant breaks the same property in both "
                + "with a counterexample of the same length.",
                "Without options: the model (default ci) and then every variant.",
                "Exit: 0 they agree, 1 they differ (the first differing state or edge is printed with a path), "
                        + "2 bad input, 3 TLC failed."})
public final class MirrorCommand extends SpecCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "Model in models.json (default: ci).")
    String model;

    @Option(names = "--variant", paramLabel = "NAME", description = "Only this variant.")
    String variant;

    @Option(names = "--no-variants", description = "Only the model's state graph, no variants.")
    boolean noVariants;

    @Option(names = "--graph", description = "With --variant: first compare the whole state graph under the "
            + "variant's constants (TypeOK only), as for a combination of choices, then the violation.")
    boolean graph;

    @Option(names = "--workers", paramLabel = "N", description = "TLC workers for the state-graph dump (default 2).")
    int workers = 2;

    @Override
    public Integer call() throws Exception {
        if (graph && variant == null) throw CliException.badInput("--graph needs --variant NAME");
        PrintWriter out = out();
        PrintWriter err = err();
        workers(workers);
        Path dir = specDir();
        Manifest manifest = manifest();
        MirrorCheck check = new MirrorCheck(dir, new TlcRunner()).workers(workers).onProgress(s -> {
            err.println(s);
            err.flush();
        });
        List<MirrorCheck.Report> reports = new ArrayList<>();
        if (variant != null) {
            manifest.variant(variant); // fails with a clear message if unknown
            reports.add(print(out, check.variant(manifest, variant, graph)));
        } else {
            reports.add(print(out, check.model(manifest, model == null ? "ci" : model)));
            if (!noVariants) {
                for (String v : manifest.variants().keySet()) reports.add(print(out, check.variant(manifest, v)));
                for (String v : manifest.choices().keySet()) reports.add(print(out, check.variant(manifest, v)));
            }
        }
        long bad = reports.stream().filter(r -> !r.agree()).count();
        out.printf("mirror: %d of %d comparisons agree%s%n", reports.size() - bad, reports.size(),
                bad == 0 ? "" : " (" + bad + " differ)");
        return bad == 0 ? ExitCodes.OK : ExitCodes.VIOLATED;
    }

    private static MirrorCheck.Report print(PrintWriter out, MirrorCheck.Report r) {
        out.printf("%-34s %s  %s%n", r.name(), r.agree() ? "AGREE " : "DIFFER", r.summary());
        if (!r.agree()) out.print(r.detail().endsWith("\n") ? r.detail() : r.detail() + "\n");
        out.flush();
        return r;
    }
}
