package dev.devmap.cli;

import dev.devmap.spec.mutate.MutationRunner.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The score with explained mutants: killed / (mutants - invalid - equivalent), and what the file may not say. */
class MutationScoreTest {
    @TempDir
    Path dir;

    private Path table(String... rows) throws IOException {
        StringBuilder sb = new StringBuilder(MutateCommand.HEADER).append('\n');
        for (String r : rows) {
            String[] c = r.split(" ");   // name verdict
            sb.append(String.join("\t", c[0], "drop-conjunct", "Next", "1", c[1], "", "0", "ci", "1.0", "d", "a", "b"))
                    .append('\n');
        }
        Path t = dir.resolve("mutants-x.tsv");
        Files.writeString(t, sb.toString());
        return t;
    }

    private Path explained(String... rows) throws IOException {
        Path e = dir.resolve("mutants-x-explained.tsv");
        Files.writeString(e, MutationScore.EXPLAINED_HEADER + "\n" + String.join("\n", rows) + "\n");
        return e;
    }

    @Test
    void theFormulaOnASmallTable() throws IOException {
        // 10 mutants: 6 killed, 2 survived (one equivalent, one justified), 1 unreachable (no explanation), 1 invalid
        Path t = table("M001 killed", "M002 killed", "M003 killed", "M004 killed", "M005 killed", "M006 killed",
                "M007 survived", "M008 survived", "M009 unreachable", "M010 invalid");
        Path e = explained("M007\tequivalent\tthe variable it changes is never read",
                "M008\tjustified\ta guard no property needs");
        Map<String, Verdict> v = MutationScore.readVerdicts(t);
        MutationScore.Score s = MutationScore.score(v, MutationScore.readExplained(e), e.toString(), true);
        assertThat(s.denominator()).isEqualTo(10 - 1 - 1);
        assertThat(s.percent()).isEqualTo(100.0 * 6 / 8);
        assertThat(s.equivalent()).isEqualTo(1);
        assertThat(s.justified()).isEqualTo(1);
        assertThat(s.survivedUnexplained()).isZero();
        assertThat(s.unreachableUnexplained()).isEqualTo(1);
        assertThat(s.line(e.toString())).contains("score 75.0% = killed / (mutants - invalid - equivalent) = 6 / (10 - 1 - 1) = 6 / 8")
                .contains("without explanation: 0 survived, 1 unreachable");
        // without the file nothing is equivalent: the unreachable and survived stay in the denominator
        MutationScore.Score bare = MutationScore.score(v, Map.of(), null, true);
        assertThat(bare.denominator()).isEqualTo(9);
        assertThat(bare.survivedUnexplained()).isEqualTo(2);
        // an invalid row called equivalent is not counted twice
        Path e2 = explained("M010\tequivalent\tdoes not parse");
        assertThat(MutationScore.score(v, MutationScore.readExplained(e2), e2.toString(), true).denominator()).isEqualTo(9);
    }

    @Test
    void aKilledRowCalledEquivalentIsAnError() throws IOException {
        Path t = table("M001 killed", "M002 survived");
        Path e = explained("M002\tjustified\tok", "M001\tequivalent\tplanted: wrong, M001 is killed");
        assertThatThrownBy(() -> MutationScore.score(MutationScore.readVerdicts(t), MutationScore.readExplained(e),
                e.toString(), true)).isInstanceOf(CliException.class)
                .hasMessageContaining("line 3").hasMessageContaining("M001 is called equivalent, but the table says it is killed")
                .satisfies(x -> assertThat(((CliException) x).exitCode()).isEqualTo(ExitCodes.BAD_INPUT));
    }

    @Test
    void anExplanationOfAMutantTheTableLacksIsAnErrorOnAWholeTable() throws IOException {
        Path t = table("M001 killed", "M002 survived");
        Path e = explained("M003\tequivalent\tnot in this table");
        Map<String, MutationScore.Explanation> x = MutationScore.readExplained(e);
        assertThatThrownBy(() -> MutationScore.score(MutationScore.readVerdicts(t), x, e.toString(), true))
                .isInstanceOf(CliException.class).hasMessageContaining("M003 is not in the table");
        // a run of some mutants (--only) scores those it ran
        assertThat(MutationScore.score(MutationScore.readVerdicts(t), x, e.toString(), false).denominator()).isEqualTo(2);
    }

    @Test
    void aMalformedExplainedFileIsOneBadInputLine() throws IOException {
        for (String[] bad : new String[][] {
                {"M001\tequivalent", "3 tab-separated columns"},
                {"M001\tmaybe\tx", "class 'maybe'"},
                {"M001\tEquivalent\tx", "lower case"},
                {"X1\tequivalent\tx", "not a mutant name"},
                {"M001\tfixed\t ", "has no reason"},
                {"M001\tfixed\tx\nM001\tjustified\ty", "explained twice"}}) {
            Path e = explained(bad[0]);
            assertThatThrownBy(() -> MutationScore.readExplained(e)).isInstanceOf(CliException.class)
                    .hasMessageContaining(bad[1]).hasMessageContaining(e.toString());
        }
        Path noHeader = dir.resolve("h.tsv");
        Files.writeString(noHeader, "M001\tfixed\tx\n");
        assertThatThrownBy(() -> MutationScore.readExplained(noHeader)).isInstanceOf(CliException.class)
                .hasMessageContaining("header");
    }

    @Test
    void theDefaultExplainedFileIsTheTablesOwnIfItExists() throws IOException {
        Path t = table("M001 killed");
        assertThat(MutationScore.defaultExplained(t)).isNull();
        Path e = explained("M001\tjustified\tx");
        assertThat(MutationScore.defaultExplained(t)).isEqualTo(e);
    }

    @Test
    void scoreOfATableWithoutTlcAndItsErrors() throws IOException {
        Path t = table("M001 killed", "M002 survived", "M003 unreachable");
        Path e = explained("M003\tequivalent\tstate graph equal: the variable is never read");
        MainTest.Run r = MainTest.dmap("mutate", "--score", "--table", t.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.outLines()).hasSize(1);
        assertThat(r.out()).startsWith("# mutate: " + t + ": 3 mutants: 1 killed, 1 survived")
                .contains("explained (" + e + "): 1 equivalent").contains("= 1 / 2");
        assertThat(MainTest.dmap("mutate", "--score", "--table", t.toString(), "--min-score", "60").code())
                .isEqualTo(ExitCodes.VIOLATED);
        Files.writeString(e, MutationScore.EXPLAINED_HEADER + "\nM001\tequivalent\tplanted\n");
        MainTest.Run bad = MainTest.dmap("mutate", "--score", "--table", t.toString());
        assertThat(bad.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err()).startsWith("dmap: error: --explained: ").contains("M001 is called equivalent")
                .doesNotContain("Exception").hasLineCount(1);
        Files.writeString(e, "mutant\tclass\n");
        MainTest.Run malformed = MainTest.dmap("mutate", "--score", "--table", t.toString(), "--explained", e.toString());
        assertThat(malformed.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(malformed.err()).startsWith("dmap: error: --explained: ").contains("header").hasLineCount(1);
        assertThat(MainTest.dmap("mutate", "--score", "--table", t.toString(), "--explained",
                dir.resolve("none.tsv").toString()).code()).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
