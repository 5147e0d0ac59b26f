package dev.devmap.cli;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.mutate.Mutant;
import dev.devmap.spec.mutate.MutationRunner;
import dev.devmap.spec.mutate.MutationRunner.Result;
import dev.devmap.spec.mutate.MutationRunner.Verdict;
import dev.devmap.spec.mutate.Mutator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dmap mutate}: mutation testing of the spec with TLC. */
@Command(mixinStandardHelpOptions = true, name = "mutate",
        description = {"Mutation testing of the spec: mutants generated from its syntax (drop a conjunct or a "
                + "disjunct, a guard or CASE arm to FALSE/TRUE, a range end minus one, \\cup and \\ swapped, an IF "
                + "flipped, a variable dropped from UNCHANGED, an EXCEPT update dropped), each checked by TLC over the "
                + "mutation models in order until the first violation.",
                "KTAP on stdout (one test per mutant), a table file; score = killed / (mutants - invalid - equivalent), "
                        + "a mutant equivalent only where the explained file (--explained) says so.",
                "Exit: 0 done and the score reaches --min-score, 1 below it, 2 bad input, 3 TLC failed."})
public final class MutateCommand extends SpecCommand {
    @Option(names = "--models", split = ",", paramLabel = "MODEL",
            description = "Mutation models, in the order they are tried (default: the CI set, smallest first).")
    List<String> models;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
            description = "Mutants checked in parallel, one TLC process each (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--only", split = ",", paramLabel = "ID",
            description = "Only these mutants (numbers or M-names as --list prints them).")
    List<String> only;

    @Option(names = "--list", description = "List the mutants and exit.")
    boolean list;

    @Option(names = "--table", paramLabel = "FILE", defaultValue = "mutants.tsv",
            description = "The table file (default: ${DEFAULT-VALUE}).")
    Path table;

    @Option(names = "--liveness-below", paramLabel = "N", defaultValue = "10000",
            description = "Check liveness only on models with fewer expected distinct states (default: ${DEFAULT-VALUE}).")
    long livenessBelow;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "Per TLC run (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--resume",
            description = "Take the verdicts of the table file (--table) whose digest (the mutated spec, the models, "
                    + "the timeout) is this run's, all but timed out; a mutant the table shows passed a stage goes on "
                    + "at the next; run the others.")
    boolean resume;

    @Option(names = "--cold",
            description = "Run every TLC in a fresh JVM (default: one warm JVM a worker runs its TLC jobs one after the other).")
    boolean cold;

    @Option(names = "--unevaluated",
            description = "Run the original once a model with TLC's -coverage, list for each mutant the models on which "
                    + "the original never evaluates the text it changes (there it behaves as the original, so its stage "
                    + "is passed without TLC), and exit.")
    boolean unevaluated;

    @Option(names = "--run-all",
            description = "Run TLC on every mutant and stage, also where the original's coverage says the mutant cannot "
                    + "matter (to check that rule: such a mutant must come out unreachable, its state graph the original's).")
    boolean runAll;

    @Option(names = "--no-variants",
            description = "Do not run a mutant that is unreachable or survived in the models on the variants' and kernel "
                    + "choices' own checks (default: it runs those that may evaluate what it changes, and is killed where "
                    + "the verdict differs from the original's).")
    boolean noVariants;

    @Option(names = "--explained", paramLabel = "FILE",
            description = "The explained mutants (tab-separated: mutant, class equivalent|fixed|justified, reason), read "
                    + "for the score (default: the table's name with .tsv replaced by -explained.tsv, if that file exists).")
    Path explained;

    @Option(names = "--score",
            description = "Print the score of the table (--table) with its explained file in one line and exit; no TLC.")
    boolean scoreOnly;

    @Option(names = "--min-score", paramLabel = "PERCENT", defaultValue = "0",
            description = "Exit 1 when the score is below (default: ${DEFAULT-VALUE}).")
    double minScore;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        PrintWriter err = err();
        if (scoreOnly) {
            MutationScore.Score s = score(MutationScore.readVerdicts(table), true);
            out.printf("# mutate: %s: %s%n", table, s.line(explainedFile() == null ? null : explainedFile().toString()));
            out.flush();
            return s.percent() + 1e-9 >= minScore ? ExitCodes.OK : ExitCodes.VIOLATED;
        }
        workers(workers);
        Path dir = specDir();
        Manifest manifest = manifest();
        List<String> set = models;
        if (set == null || set.isEmpty()) {
            set = new ArrayList<>(CheckCommand.ciSet(manifest));
            set.sort((a, b) -> Long.compare(size(manifest, a), size(manifest, b)));
        }
        for (String m : set) manifest.model(m);   // unknown model: bad input
        MutationRunner runner = new MutationRunner(dir, set, livenessBelow, Duration.ofSeconds(timeoutSeconds), cold,
                !runAll, !noVariants);
        List<Mutant> all = Mutator.generate(runner.originalText());
        List<Mutant> chosen = new ArrayList<>();
        if (only == null || only.isEmpty()) {
            chosen.addAll(all);
        } else {
            for (String id : only) {
                int n;
                try {
                    n = Integer.parseInt(id.startsWith("M") ? id.substring(1) : id);
                } catch (NumberFormatException e) {
                    throw CliException.badInput("--only: '" + id + "' is not a mutant number");
                }
                if (n < 1 || n > all.size()) {
                    throw CliException.badInput("--only: no mutant " + id + " (there are " + all.size() + ")");
                }
                chosen.add(all.get(n - 1));
            }
        }
        if (list) {
            for (Mutant m : chosen) out.println(m.describe());
            out.printf("%d mutants%n", chosen.size());
            out.flush();
            return ExitCodes.OK;
        }
        if (unevaluated) return listUnevaluated(runner, chosen, out);
        err.printf("mutate: %d mutants of %s over %s (liveness below %,d states), %d worker%s; stages, cheapest "
                        + "first: %s%s%n", chosen.size(), manifest.spec(), String.join(", ", set), livenessBelow, workers,
                workers == 1 ? "" : "s", String.join(", ", runner.stages().stream().map(MutationRunner.Stage::label).toList()),
                runner.variantPlans().isEmpty() ? "" : "; then, for a mutant unreachable or survived in them, the checks of "
                        + runner.variantPlans().size() + " variants and kernel choices");
        err.flush();
        out.println("KTAP version 1");
        out.println("1.." + chosen.size());
        out.flush();
        Map<String, Result> known = resume ? readTable(table, all) : Map.of();
        AtomicInteger n = new AtomicInteger();
        long t0 = System.nanoTime();
        Map<Integer, Result> sofar = new java.util.TreeMap<>();
        for (Result k : known.values()) sofar.put(k.mutant().id(), k);   // --resume --only keeps the other rows
        List<Result> results = runner.run(chosen, workers, known, r -> {
            if (r.verdict() != Verdict.PASSED) {   // a stage passed is a table row, not a test line
                out.println(ktap(n.incrementAndGet(), r));
                out.flush();
            }
            sofar.put(r.mutant().id(), r);
            writeTable(sofar.values());   // after every verdict: a long campaign stopped midway keeps its table
        }, line -> {
            err.println("mutate: " + line);
            err.flush();
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        writeTable(sofar.values());
        Map<String, Verdict> verdicts = new java.util.LinkedHashMap<>();
        for (Result r : results) verdicts.put(r.mutant().name(), r.verdict());
        MutationScore.Score s = score(verdicts, false);
        out.printf(Locale.ROOT, "# mutate: %s; %.0f s; table: %s%n",
                s.line(explainedFile() == null ? null : explainedFile().toString()), secs, table);
        out.flush();
        double score = s.percent();
        return score + 1e-9 >= minScore ? ExitCodes.OK : ExitCodes.VIOLATED;
    }

    /** The explained file: --explained, or the table's own if it exists; null when there is none. */
    private Path explainedFile() {
        if (explained != null) {
            if (!Files.isRegularFile(explained)) throw CliException.badInput("--explained: no file " + explained);
            return explained;
        }
        return MutationScore.defaultExplained(table);
    }

    private MutationScore.Score score(Map<String, Verdict> verdicts, boolean whole) {
        Path f = explainedFile();
        return MutationScore.score(verdicts, f == null ? Map.of() : MutationScore.readExplained(f),
                f == null ? null : f.toString(), whole);
    }

    /** {@code --unevaluated}: the models on which each mutant's change is never evaluated by the original. */
    private int listUnevaluated(MutationRunner runner, List<Mutant> chosen, PrintWriter out) throws java.io.IOException {
        List<dev.devmap.spec.model.RunPlan> plans = runner.plans();
        int none = 0;
        Map<Integer, Integer> bySkipped = new java.util.TreeMap<>();
        for (Mutant m : chosen) {
            List<String> skipped = new ArrayList<>();
            for (dev.devmap.spec.model.RunPlan p : plans) if (!runner.mayMatter(m, p)) skipped.add(p.name());
            bySkipped.merge(skipped.size(), 1, Integer::sum);
            if (skipped.size() == plans.size()) none++;
            out.println(m.name() + "\t" + (skipped.isEmpty() ? "-" : String.join(",", skipped)));
        }
        out.printf(Locale.ROOT, "# %d mutants; models on which the change is never evaluated (of %d): %s; unreachable "
                + "without TLC: %d; definitions always run (a property or a constant definition reaches them): %s%n",
                chosen.size(), plans.size(), bySkipped, none, String.join(" ", runner.alwaysRun()));
        out.flush();
        return ExitCodes.OK;
    }

    private static long size(Manifest m, String model) {
        Long d = m.model(model).expect().distinct();
        return d == null ? Long.MAX_VALUE : d;
    }

    static String ktap(int n, Result r) {
        String what = r.mutant().describe().replace('#', '_');
        return switch (r.verdict()) {
            case KILLED -> String.format("ok %d %s # killed by %s in %d steps on %s", n, what, r.property(), r.steps(), r.model());
            // the variant stage's survivor: the models saw the original's graphs, that check another one
            case SURVIVED -> r.model() != null && r.model().startsWith("variant ")
                    ? String.format("not ok %d %s # survived %s: unreachable in the models; %s's check gives the "
                            + "original's verdict on another graph", n, what, r.distinct(), r.model())
                    : String.format("not ok %d %s # survived %s%s", n, what, r.distinct(),
                            r.property() == null ? "" : ": " + r.property());
            case TIMEOUT -> String.format("not ok %d %s # timed out on %s", n, what, r.model());
            case UNREACHABLE -> String.format("ok %d %s # SKIP unreachable in these models: %s", n, what,
                    r.property() == null ? MutationRunner.GRAPH_EQUAL : r.property());
            case INVALID -> String.format("ok %d %s # SKIP invalid: does not parse (%s)", n, what, r.property());
            case PASSED -> String.format("# %s passed the stages up to %s", what, r.model());
        };
    }

    static final String HEADER = "mutant\tkind\tdefinition\tline\tverdict\tproperty\tsteps\tmodel\tseconds\tdigest\tbefore\tafter";

    private void writeTable(java.util.Collection<Result> results) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Result r : results) {
            Mutant m = r.mutant();
            sb.append(String.join("\t", m.name(), m.kind(), m.definition(), Integer.toString(m.line()),
                    r.verdict().name().toLowerCase(Locale.ROOT),
                    r.verdict() == Verdict.PASSED ? distinctColumn(r.distinct()) : r.property() == null ? "" : flat(r.property()),
                    Integer.toString(r.steps()), r.model() == null ? "" : r.model(),
                    String.format(Locale.ROOT, "%.1f", r.seconds()), r.digest(), flat(m.before()), flat(m.after()))).append('\n');
        }
        try {
            Path tmp = table.resolveSibling(table.getFileName() + ".tmp");
            Files.writeString(tmp, sb.toString());
            Files.move(tmp, table, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the table " + table, e);
        }
    }

    /** The verdicts of an earlier run's table, by mutant name (rows of another table layout are bad input). */
    static Map<String, Result> readTable(Path table, List<Mutant> all) throws java.io.IOException {
        Map<String, Result> out = new java.util.HashMap<>();
        if (!Files.exists(table)) return out;
        List<String> lines = Files.readAllLines(table);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw CliException.badInput("--resume: " + table + " is not a table of this dmap mutate (header differs)");
        }
        Map<String, Mutant> byName = new java.util.HashMap<>();
        for (Mutant m : all) byName.put(m.name(), m);
        for (int k = 1; k < lines.size(); k++) {
            String[] c = lines.get(k).split("\t", -1);
            if (c.length != 12) throw CliException.badInput("--resume: " + table + " line " + (k + 1) + ": 12 columns expected");
            Mutant m = byName.get(c[0]);
            if (m == null) continue;
            Verdict v;
            try {
                v = Verdict.valueOf(c[4].toUpperCase(Locale.ROOT));
                boolean passed = v == Verdict.PASSED;
                out.put(c[0], new Result(m, v, c[7], passed || c[5].isEmpty() ? null : c[5], Integer.parseInt(c[6]),
                        passed ? parseDistinct(c[5]) : Map.of(), Double.parseDouble(c[8]), c[9]));
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("--resume: " + table + " line " + (k + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** A PASSED row's property column: the distinct states per model so far, {@code caps=246,values=8696}. */
    static String distinctColumn(Map<String, Long> distinct) {
        StringBuilder sb = new StringBuilder();
        distinct.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    static Map<String, Long> parseDistinct(String column) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (column.isEmpty()) return out;
        for (String kv : column.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("distinct states 'model=N' expected, got '" + kv + "'");
            out.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
        }
        return out;
    }

    private static String flat(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }
}
