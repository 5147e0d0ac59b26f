package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MutatorTest {
    static final Path SPEC = Path.of("..", "spec", "DeviceMap.tla");
    static final Path TOY = Path.of("src", "test", "resources", "toy");

    @Test
    void everyOperatorMutatesTheRealSpecAndNoPropertyIsTouched() throws Exception {
        String text = Files.readString(SPEC);
        List<Mutant> ms = Mutator.generate(text);
        Set<String> kinds = new TreeSet<>();
        for (int k = 0; k < ms.size(); k++) {
            Mutant m = ms.get(k);
            assertThat(m.id()).isEqualTo(k + 1);
            assertThat(m.apply(text)).isNotEqualTo(text);
            assertThat(text.substring(m.start(), m.end())).isEqualTo(m.before());
            assertThat(m.definition()).doesNotStartWith("S1").doesNotStartWith("L").isNotEqualTo("TypeOK");
            kinds.add(m.kind());
        }
        assertThat(kinds).containsExactlyInAnyOrder("drop-conjunct", "guard-false", "drop-disjunct", "case-arm-false",
                "case-arm-true", "range-end-minus-one", "cup-to-minus", "minus-to-cup", "flip-if", "unchanged-drop-var",
                "except-drop-update", "drop-inline-conjunct");
        assertThat(ms).anySatisfy(m -> {
            assertThat(m.definition()).isEqualTo("MapPrepare");
            assertThat(m.kind()).isEqualTo("guard-false");
            assertThat(m.before()).isEqualTo("/\\ MapCalled(i, f, lo, hi)");
        }).anySatisfy(m -> {
            assertThat(m.definition()).isEqualTo("Refusal");
            assertThat(m.kind()).isEqualTo("case-arm-false");
            assertThat(m.before()).isEqualTo("i \\notin Route");
        }).anySatisfy(m -> {
            // a conjunction inside a defined operator, one operand at a time
            assertThat(m.definition()).isEqualTo("Victim");
            assertThat(m.kind()).isEqualTo("drop-inline-conjunct");
            assertThat(m.before()).isEqualTo("~g.pin");
            assertThat(m.after()).isEqualTo("TRUE");
        }).anySatisfy(m -> {
            // a quantifier's body is one operand: \E o \in rg : Shared(...) as a whole
            assertThat(m.definition()).isEqualTo("Refusal");
            assertThat(m.kind()).isEqualTo("drop-inline-conjunct");
            assertThat(m.before()).startsWith("\\E o \\in rg : Shared(");
        });
        // no operand starts at a CASE separator or ends inside a bracket
        assertThat(ms).filteredOn(m -> m.kind().equals("drop-inline-conjunct"))
                .allSatisfy(m -> assertThat(m.before()).doesNotStartWith("]").doesNotEndWith("("));
        // the inline conjuncts come after every other mutant, so earlier tables keep their numbers
        int firstInline = ms.stream().filter(m -> m.kind().equals("drop-inline-conjunct")).findFirst().orElseThrow().id();
        assertThat(ms.subList(firstInline - 1, ms.size())).allSatisfy(m -> assertThat(m.kind()).isEqualTo("drop-inline-conjunct"));
    }

    /**
     * Back without its guard x = N: from x = 1 it goes back to 0 at once, a step the original never takes,
     * between states the original reaches (at 0 with m as it was). The states alone are the original's; the
     * graph is not, so the mutant survives, it is not "unreachable".
     */
    @Test
    void aMutantWithTheOriginalsStatesButOtherStepsSurvives() throws Exception {
        MutationRunner runner = new MutationRunner(TOY, List.of("ci"), 1000, Duration.ofMinutes(3));
        Mutant unguarded = Mutator.generate(runner.originalText()).stream().filter(m -> m.definition().equals("Back")
                && m.before().equals("x = N") && m.after().equals("TRUE")).findFirst().orElseThrow();
        MutationRunner.Result r = runner.run(List.of(unguarded), 1, x -> { }).get(0);
        assertThat(r.verdict()).isEqualTo(MutationRunner.Verdict.SURVIVED);
        assertThat(r.property()).isEqualTo(MutationRunner.OTHER_STEPS + " on ci");
        assertThat(r.distinct()).containsEntry("ci", 48L);   // the original's count
    }

    /** The fixed sample that keeps the runner tested: TLC on the toy spec's mutants. */
    @Test
    void aFixedSampleOfToyMutantsIsJudgedByTlc() throws Exception {
        MutationRunner runner = new MutationRunner(TOY, List.of("ci"), 1000, Duration.ofMinutes(3));
        List<Mutant> ms = Mutator.generate(runner.originalText());
        Mutant dropVar = ms.stream().filter(m -> m.kind().equals("unchanged-drop-var") && m.definition().equals("Inc")
                && m.after().equals("UNCHANGED <<t>>")).findFirst().orElseThrow();
        Mutant dropUpdate = ms.stream().filter(m -> m.kind().equals("except-drop-update") && m.definition().equals("Add"))
                .findFirst().orElseThrow();
        List<MutationRunner.Result> rs = runner.run(List.of(dropVar, dropUpdate), 2, r -> { });
        assertThat(rs.get(0).verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(rs.get(0).property()).startsWith("TLC error: ").contains("not completely specified");
        assertThat(rs.get(1).verdict()).isNotEqualTo(MutationRunner.Verdict.UNREACHABLE)
                .isNotEqualTo(MutationRunner.Verdict.INVALID);
        // stages cheapest first; a killed verdict of an earlier table with this run's digest is reused, not re-run
        assertThat(runner.stages()).isSortedAccordingTo(java.util.Comparator.comparingLong(MutationRunner.Stage::cost));
        List<String> lines = new java.util.ArrayList<>();
        MutationRunner.Result earlier = rs.get(0);
        List<MutationRunner.Result> again = runner.run(List.of(dropVar), 1, java.util.Map.of(dropVar.name(), earlier),
                r -> { }, lines::add);
        assertThat(again.get(0).verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(again.get(0).seconds()).isEqualTo(earlier.seconds());
        assertThat(lines).contains("1 verdicts reused from the table, 0 to run");
        MutationRunner.Result stale = new MutationRunner.Result(dropVar, MutationRunner.Verdict.KILLED, "ci", "S1", 3,
                java.util.Map.of(), 0.5, "0000000000000000");
        lines.clear();
        runner.run(List.of(dropVar), 1, java.util.Map.of(dropVar.name(), stale), r -> { }, lines::add);
        assertThat(lines).contains("0 verdicts reused from the table, 1 to run");
        // a PASSED row (a campaign stopped after the mutant passed stage ci) goes on after that stage: ci is not
        // run again, so the mutant ci kills is now judged on what the row says ci found (5 states, not the
        // original's count: survived)
        MutationRunner.Result passed = new MutationRunner.Result(dropVar, MutationRunner.Verdict.PASSED, "ci", null, 0,
                java.util.Map.of("ci", 5L), 0.5, earlier.digest());
        lines.clear();
        List<MutationRunner.Result> rows = new java.util.ArrayList<>();
        List<MutationRunner.Result> resumed = runner.run(List.of(dropVar), 1, java.util.Map.of(dropVar.name(), passed),
                rows::add, lines::add);
        assertThat(resumed.get(0).verdict()).isEqualTo(MutationRunner.Verdict.SURVIVED);
        assertThat(lines).anyMatch(l -> l.endsWith(": 0 mutants, 1 passed it in the table"))
                .contains("0 verdicts reused from the table, 1 to run (1 from the stage after the last one they passed)");
        assertThat(rows).extracting(MutationRunner.Result::verdict).containsExactly(MutationRunner.Verdict.SURVIVED);
        // a table over fewer models (ci) resumed over more (ci, neg): its killed row stands without TLC; a row
        // unreachable on ci (planted: dropVar is killed on ci) runs neg's stage only, where dropVar is killed
        MutationRunner wider = new MutationRunner(TOY, List.of("ci", "neg"), 1000, Duration.ofMinutes(3));
        assertThat(wider.subsetOf(dropVar, earlier.digest())).containsExactly("ci");
        assertThat(wider.subsetOf(dropVar, "0000000000000000")).isNull();
        lines.clear();
        List<MutationRunner.Result> kept = wider.run(List.of(dropVar), 1, java.util.Map.of(dropVar.name(), earlier),
                r -> { }, lines::add);
        assertThat(kept.get(0).verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(kept.get(0).model()).isEqualTo("ci");
        assertThat(kept.get(0).seconds()).isEqualTo(earlier.seconds());
        assertThat(kept.get(0).digest()).isEqualTo(wider.digest(dropVar));
        assertThat(lines).anyMatch(l -> l.startsWith("1 verdicts reused from the table, 0 to run; 1 rows of a table over fewer models"));
        MutationRunner.Result unreachableOnCi = new MutationRunner.Result(dropVar, MutationRunner.Verdict.UNREACHABLE, "ci",
                MutationRunner.GRAPH_EQUAL, 0, java.util.Map.of(), 0.5, earlier.digest());
        lines.clear();
        List<MutationRunner.Result> reported = new java.util.ArrayList<>();
        List<MutationRunner.Result> onNeg = wider.run(List.of(dropVar), 1, java.util.Map.of(dropVar.name(), unreachableOnCi),
                reported::add, lines::add);
        // no PASSED row in between: stopped midway, the table would still hold the row over fewer models
        assertThat(reported).extracting(MutationRunner.Result::verdict).containsExactly(MutationRunner.Verdict.KILLED);
        assertThat(onNeg.get(0).verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(onNeg.get(0).model()).isEqualTo("neg");
        assertThat(lines).anyMatch(l -> l.startsWith("stage 1/2 ci safety") && l.endsWith(": 0 mutants, 1 passed it in the table"));
        assertThat(MutationRunner.Verdict.PASSED.stands()).isFalse();
        assertThat(MutationRunner.Verdict.TIMEOUT.stands()).isFalse();
        assertThat(MutationRunner.Verdict.SURVIVED.stands()).isTrue();
    }
}
