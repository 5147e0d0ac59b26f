package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule that passes a mutant's stage without TLC when the original never evaluates the text it
 * changes, checked against TLC itself: the mutant it skips, run anyway, has the original's graph.
 */
class UnevaluatedTest {
    @Test
    void aMutantTheOriginalNeverEvaluatesIsUnreachableAndTlcAgrees() throws Exception {
        MutationRunner skipping = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3));
        List<Mutant> ms = Mutator.generate(skipping.originalText());
        // Stop == x = N /\ Variant = "stuck" /\ UNCHANGED vars: on ci (Variant none) TLC never gets past the second
        // conjunct, so the third is never evaluated; the second is, and so is the first
        Mutant dead = find(ms, "Stop", "UNCHANGED vars");
        Mutant live = find(ms, "Stop", "Variant = \"stuck\"");
        var plan = skipping.plans().get(0);
        assertThat(skipping.mayMatter(dead, plan)).isFalse();
        assertThat(skipping.mayMatter(live, plan)).isTrue();
        // a temporal formula's text is never skipped: TLC's coverage does not cover the liveness checker
        assertThat(skipping.alwaysRun()).contains("FairSpec", "EventuallyZero");
        Mutant fair = ms.stream().filter(m -> m.definition().equals("FairSpec")).findFirst().orElseThrow();
        assertThat(skipping.mayMatter(fair, plan)).isTrue();

        List<MutationRunner.Result> judged = skipping.run(List.of(dead, live), 2, r -> { });
        assertThat(judged.get(0).verdict()).isEqualTo(MutationRunner.Verdict.UNREACHABLE);
        assertThat(judged.get(0).property()).isEqualTo(MutationRunner.NOT_EVALUATED);
        assertThat(judged.get(0).seconds()).isZero();   // no TLC run of the mutant
        // Stop taken: a stuttering step at N, no new state, Back still fair: TLC had to run to see the same graph
        assertThat(judged.get(1).verdict()).isEqualTo(MutationRunner.Verdict.UNREACHABLE);
        assertThat(judged.get(1).property()).isEqualTo(MutationRunner.GRAPH_EQUAL);
        assertThat(judged.get(1).seconds()).isPositive();

        // the same mutant with the rule off: TLC explores it and finds the original's state graph
        MutationRunner all = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, false);
        assertThat(all.mayMatter(dead, plan)).isTrue();
        MutationRunner.Result ran = all.run(List.of(dead), 1, r -> { }).get(0);
        assertThat(ran.verdict()).isEqualTo(MutationRunner.Verdict.UNREACHABLE);
        assertThat(ran.property()).isEqualTo(MutationRunner.GRAPH_EQUAL);
        assertThat(ran.distinct()).isEqualTo(judged.get(0).distinct());
    }

    @Test
    void theChangedTextIsWhatDiffersBetweenBeforeAndAfter() {
        String spec = "---- MODULE T ----\nVARIABLE x\nA == /\\ x = 1\n     /\\ x' = 2\n====\n";
        Unevaluated u = new Unevaluated(spec, List.of());
        int at = spec.indexOf("/\\ x' = 2");
        Mutant m = new Mutant(1, "drop-conjunct", "A", 4, at, at + "/\\ x' = 2".length(), "/\\ x' = 2", "/\\ TRUE");
        // the bullet is common to both: the change is x' = 2, line 4 from column 9 to 14
        assertThat(u.changed(m)).isEqualTo(new dev.devmap.spec.tlc.ExprCoverage.Range(4, 9, 4, 14));
    }

    private static Mutant find(List<Mutant> ms, String def, String before) {
        return ms.stream().filter(m -> m.definition().equals(def) && m.before().equals(before)
                && m.after().equals("TRUE")).findFirst().orElseThrow();
    }
}
