package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A mutant the models cannot tell from the original is run on the variants' own checks: code that only
 * a variant runs is killed there when the variant's verdict changes.
 */
class VariantTeethTest {
    @Test
    void codeOnlyAVariantRunsIsKilledByThatVariantsCheck() throws Exception {
        MutationRunner off = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3));
        MutationRunner on = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, true);
        assertThat(off.variantPlans()).isEmpty();
        assertThat(on.variantPlans()).extracting(p -> p.name()).containsExactly("small", "stuck");
        List<Mutant> ms = Mutator.generate(on.originalText());
        // Stop == x = N /\ Variant = "stuck" /\ UNCHANGED vars: only the variant stuck gets past its second
        // conjunct; without UNCHANGED vars its step leaves every variable unassigned
        Mutant dead = ms.stream().filter(m -> m.definition().equals("Stop") && m.before().equals("UNCHANGED vars")
                && m.after().equals("TRUE")).findFirst().orElseThrow();

        MutationRunner.Result without = off.run(List.of(dead), 1, r -> { }).get(0);
        assertThat(without.verdict()).isEqualTo(MutationRunner.Verdict.UNREACHABLE);

        MutationRunner.Result with = on.run(List.of(dead), 1, r -> { }).get(0);
        assertThat(with.verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(with.model()).isEqualTo("variant stuck");
        assertThat(with.property()).startsWith("variant stuck: TLC error")
                .endsWith("(the original: violates EventuallyZero)");
        assertThat(with.digest()).startsWith(without.digest() + "/");
    }

    @Test
    void aResumedUnreachableRowRunsOnlyTheVariantsChecks() throws Exception {
        MutationRunner off = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3));
        MutationRunner on = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, true);
        Mutant dead = Mutator.generate(on.originalText()).stream().filter(m -> m.definition().equals("Stop")
                && m.before().equals("UNCHANGED vars") && m.after().equals("TRUE")).findFirst().orElseThrow();
        MutationRunner.Result old = off.run(List.of(dead), 1, r -> { }).get(0);
        List<String> progress = new java.util.ArrayList<>();
        MutationRunner.Result again = on.run(List.of(dead), 1, java.util.Map.of(dead.name(), old), r -> { },
                progress::add).get(0);
        assertThat(again.verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(progress.get(0)).contains("1 unreachable ones to run on the variants' checks");
        // each original on a variant's check computed is one line: a long stage is never silent
        assertThat(progress).anySatisfy(l -> assertThat(l).startsWith("variants' checks: the original on stuck: violates EventuallyZero")
                .contains(" of 2 computed, "));
        // and its killed row, with the variants' digest, is taken as it is the next time
        List<String> third = new java.util.ArrayList<>();
        on.run(List.of(dead), 1, java.util.Map.of(dead.name(), again), r -> { }, third::add);
        assertThat(third.get(0)).startsWith("1 verdicts reused from the table, 0 to run");
    }

    @Test
    void aKernelChoiceIsCheckedForWhatItKeepsAndForEachPropertyItBreaks() {
        var manifest = dev.devmap.spec.model.Manifest.loadFromSpecDir(MutatorTest.SPEC.getParent());
        List<dev.devmap.spec.model.RunPlan> checks = MutationRunner.variantChecks(manifest, "pagecache-acks-with-dma", 10_000);
        assertThat(checks).extracting(p -> p.name()).containsExactly("pagecache-acks-with-dma keeps",
                "pagecache-acks-with-dma breaks S1_NoStaleBlock", "pagecache-acks-with-dma breaks S2_InvalidateBeforeLayoutChange",
                "pagecache-acks-with-dma breaks S13_ReadsLastWrite");
        var keeps = checks.get(0);
        assertThat(keeps.invariants()).contains("TypeOK", "S3_NoEstablishDuringInvalidate", "S14_RefusalOrder")
                .doesNotContain("S1_NoStaleBlock");
        // its base is ci (57,814 states): the kept step properties, not the kept liveness ones
        assertThat(keeps.properties()).contains("S11_PinLifetime").doesNotContain("L1_InvalidationEnds", "S2_InvalidateBeforeLayoutChange");
        assertThat(checks.get(1).invariants()).containsExactly("TypeOK", "S1_NoStaleBlock");
        assertThat(checks.get(2).properties()).containsExactly("S2_InvalidateBeforeLayoutChange");
        // a known mistake: the run dmap check --variant makes
        assertThat(MutationRunner.variantChecks(manifest, "no-ack-wait", 10_000)).extracting(p -> p.name())
                .containsExactly("no-ack-wait");
    }

    @Test
    void aDefinitionThatAlwaysRunsConcernsTheVariantsItNames() throws Exception {
        String spec = Files.readString(MutatorTest.SPEC);
        VariantScope s = new VariantScope(spec);
        assertThat(s.members("fs-dax")).contains("fs-dax", "clone-hole", "dax-punch-whole-file");
        assertThat(s.members("no-ack-wait")).containsExactly("no-ack-wait");
        assertThat(s.concerns("WholeFile", "dax-punch-whole-file")).isTrue();
        assertThat(s.concerns("WholeFile", "fs-dax")).isTrue();          // a member of it
        assertThat(s.concerns("WholeFile", "no-ack-wait")).isFalse();
        assertThat(s.concerns("WholeFile", "page-cache")).isFalse();     // not among its eight
    }
}
