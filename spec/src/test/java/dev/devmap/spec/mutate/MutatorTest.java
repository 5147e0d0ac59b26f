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
                "except-drop-update");
        assertThat(ms).anySatisfy(m -> {
            assertThat(m.definition()).isEqualTo("MapPrepare");
            assertThat(m.kind()).isEqualTo("guard-false");
            assertThat(m.before()).isEqualTo("/\\ MapCalled(i, f, lo, hi)");
        }).anySatisfy(m -> {
            assertThat(m.definition()).isEqualTo("Refusal");
            assertThat(m.kind()).isEqualTo("case-arm-false");
            assertThat(m.before()).isEqualTo("i \\notin Route");
        });
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
    }
}
