package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mutants of the real spec that drop the effect of a program call (issue 10: they survived every
 * property, each a call whose change is lost, often a step that changes nothing) are killed by
 * S17_CallsTakeEffect on the values model, with TLC's counterexample length.
 */
class CallEffectMutantsTest {
    static final Path SPEC_DIR = MutatorTest.SPEC.getParent();

    /** definition, kind, the text it changes, the text just before it, TLC's counterexample length. */
    static Stream<Arguments> lostEffects() {
        return Stream.of(
                // (a) a fallocate of a hole with a free block leaves the hole
                Arguments.of("Apply", "case-arm-false", "cause = \"fallocate\" /\\ extent[f][lo] = Hole /\\ FreeBlocks # {}", "[] ", 1),
                Arguments.of("Apply", "except-drop-update", "[extent EXCEPT ![f][lo] = [k |-> \"unwritten\", b |-> MinFree]]", " ", 1),
                // (b) a relocate leaves the page on its block
                Arguments.of("Apply", "case-arm-false", "cause \\in {\"relocate\", \"cow\"}", "[] ", 3),
                Arguments.of("Move", "except-drop-update", "[extent EXCEPT ![f][o] = [k |-> extent[f][o].k, b |-> MinFree]]", "ELSE ", 3),
                // (c) munmap keeps the vma
                Arguments.of("Apply", "minus-to-cup", "\\", "THEN vma ", 2));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("lostEffects")
    void s17KillsTheMutantThatDropsACallsEffect(String definition, String kind, String before, String preceding,
                                                  int steps) throws Exception {
        String text = Files.readString(SPEC_DIR.resolve("DeviceMap.tla"));
        List<Mutant> found = Mutator.generate(text).stream()
                .filter(m -> m.definition().equals(definition) && m.kind().equals(kind) && m.before().equals(before)
                        && text.substring(0, m.start()).endsWith(preceding))
                .toList();
        assertThat(found).as("the mutant %s %s of %s", kind, before, definition).hasSize(1);
        MutationRunner runner = new MutationRunner(SPEC_DIR, List.of("values"), 0, Duration.ofMinutes(5), false, false);
        MutationRunner.Result r = runner.run(found, 1, x -> { }).get(0);
        assertThat(r.verdict()).as("%s", r).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(r.property()).isEqualTo("S17_CallsTakeEffect");
        assertThat(r.steps()).isEqualTo(steps);
    }
}
