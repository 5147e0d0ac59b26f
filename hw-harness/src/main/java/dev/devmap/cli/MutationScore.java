package dev.devmap.cli;

import dev.devmap.spec.mutate.MutationRunner.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The score of a mutation table with its explained file ({@code mutant class reason}, class one of
 * equivalent, fixed, justified): killed / (mutants - invalid - equivalent). Only a row the explained
 * file calls equivalent leaves the denominator; an unreachable or survived row without an explanation
 * stays in it, and is counted as such.
 */
final class MutationScore {
    static final String EXPLAINED_HEADER = "mutant\tclass\treason";

    enum Kind { EQUIVALENT, FIXED, JUSTIFIED }

    record Explanation(String mutant, Kind kind, String reason, int line) {}

    /** The counts behind the score line. */
    record Score(Map<Verdict, Integer> verdicts, int mutants, int equivalent, int fixed, int justified,
                 int survivedUnexplained, int unreachableUnexplained) {
        int killed() {
            return verdicts.get(Verdict.KILLED);
        }

        int invalid() {
            return verdicts.get(Verdict.INVALID);
        }

        int denominator() {
            return mutants - invalid() - equivalent;
        }

        double percent() {
            return denominator() == 0 ? 100 : 100.0 * killed() / denominator();
        }

        /** One line: the verdicts, the explanations, the rows without one, the score and its formula. */
        String line(String explainedName) {
            return String.format(Locale.ROOT, "%d mutants: %d killed, %d survived, %d timed out, %d unreachable, "
                            + "%d invalid, %d not finished; explained (%s): %d equivalent, %d fixed, %d justified; "
                            + "without explanation: %d survived, %d unreachable; score %.1f%% = killed / (mutants - "
                            + "invalid - equivalent) = %d / (%d - %d - %d) = %d / %d",
                    mutants, killed(), verdicts.get(Verdict.SURVIVED), verdicts.get(Verdict.TIMEOUT),
                    verdicts.get(Verdict.UNREACHABLE), invalid(), verdicts.get(Verdict.PASSED),
                    explainedName == null ? "none" : explainedName, equivalent, fixed, justified,
                    survivedUnexplained, unreachableUnexplained, percent(), killed(), mutants, invalid(), equivalent,
                    killed(), denominator());
        }
    }

    private MutationScore() {}

    /** {@code TABLE.tsv} -> {@code TABLE-explained.tsv} when that file exists, else null. */
    static Path defaultExplained(Path table) {
        String name = table.getFileName().toString();
        String stem = name.endsWith(".tsv") ? name.substring(0, name.length() - 4) : name;
        Path p = table.resolveSibling(stem + "-explained.tsv");
        return Files.isRegularFile(p) ? p : null;
    }

    /** The explained file's rows by mutant name; a malformed file is bad input (one line, exit 2). */
    static Map<String, Explanation> readExplained(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw CliException.badInput("--explained: cannot read " + file + ": " + e.getMessage());
        }
        if (lines.isEmpty() || !lines.get(0).equals(EXPLAINED_HEADER)) {
            throw CliException.badInput("--explained: " + file + ": the first line must be the header '"
                    + EXPLAINED_HEADER.replace("\t", "<TAB>") + "'");
        }
        Map<String, Explanation> out = new LinkedHashMap<>();
        for (int k = 1; k < lines.size(); k++) {
            String where = "--explained: " + file + " line " + (k + 1) + ": ";
            String row = lines.get(k);
            if (row.isBlank()) continue;
            String[] c = row.split("\t", -1);
            if (c.length != 3) {
                throw CliException.badInput(where + "3 tab-separated columns (mutant, class, reason) expected, got "
                        + c.length);
            }
            if (!c[0].matches("M\\d+")) throw CliException.badInput(where + "'" + c[0] + "' is not a mutant name (M026)");
            Kind kind;
            try {
                kind = Kind.valueOf(c[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CliException.badInput(where + "class '" + c[1] + "' is not equivalent, fixed or justified");
            }
            if (!c[1].equals(c[1].toLowerCase(Locale.ROOT))) {
                throw CliException.badInput(where + "class '" + c[1] + "' must be lower case");
            }
            if (c[2].isBlank()) throw CliException.badInput(where + c[0] + " has no reason");
            if (out.put(c[0], new Explanation(c[0], kind, c[2].strip(), k + 1)) != null) {
                throw CliException.badInput(where + c[0] + " is explained twice");
            }
        }
        return out;
    }

    /** The verdict column of a table by mutant name, in the table's order (only its layout is checked). */
    static Map<String, Verdict> readVerdicts(Path table) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            throw CliException.badInput("--score: cannot read the table " + table + ": " + e.getMessage());
        }
        if (lines.isEmpty() || !lines.get(0).equals(MutateCommand.HEADER)) {
            throw CliException.badInput("--score: " + table + " is not a table of dmap mutate (header differs)");
        }
        Map<String, Verdict> out = new LinkedHashMap<>();
        for (int k = 1; k < lines.size(); k++) {
            String[] c = lines.get(k).split("\t", -1);
            if (c.length != 12) throw CliException.badInput("--score: " + table + " line " + (k + 1) + ": 12 columns expected");
            Verdict v;
            try {
                v = Verdict.valueOf(c[4].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("--score: " + table + " line " + (k + 1) + ": no verdict '" + c[4] + "'");
            }
            if (out.put(c[0], v) != null) {
                throw CliException.badInput("--score: " + table + " line " + (k + 1) + ": " + c[0] + " appears twice");
            }
        }
        return out;
    }

    /**
     * The score of these verdicts. A row the explained file calls equivalent while the table says it is
     * killed is an error (exit 2); with {@code whole} (the verdicts are a whole table), so is an explained
     * mutant the table does not have (the file belongs to another table).
     */
    static Score score(Map<String, Verdict> verdicts, Map<String, Explanation> explained, String explainedName,
                       boolean whole) {
        Map<Verdict, Integer> count = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) count.put(v, 0);
        int eq = 0;
        int fixed = 0;
        int justified = 0;
        int survivedBare = 0;
        int unreachableBare = 0;
        for (Map.Entry<String, Verdict> e : verdicts.entrySet()) {
            Verdict v = e.getValue();
            count.merge(v, 1, Integer::sum);
            Explanation x = explained.get(e.getKey());
            if (x == null) {
                if (v == Verdict.SURVIVED) survivedBare++;
                if (v == Verdict.UNREACHABLE) unreachableBare++;
                continue;
            }
            if (v == Verdict.INVALID) continue;   // out of the denominator already
            switch (x.kind()) {
                case EQUIVALENT -> {
                    if (v == Verdict.KILLED) {
                        throw CliException.badInput("--explained: " + explainedName + " line " + x.line() + ": "
                                + x.mutant() + " is called equivalent, but the table says it is killed (an "
                                + "equivalent mutant cannot be killed)");
                    }
                    eq++;
                }
                case FIXED -> fixed++;
                case JUSTIFIED -> justified++;
            }
        }
        if (whole) {
            for (Explanation x : explained.values()) {
                if (!verdicts.containsKey(x.mutant())) {
                    throw CliException.badInput("--explained: " + explainedName + " line " + x.line() + ": "
                            + x.mutant() + " is not in the table");
                }
            }
        }
        return new Score(count, verdicts.size(), eq, fixed, justified, survivedBare, unreachableBare);
    }
}
