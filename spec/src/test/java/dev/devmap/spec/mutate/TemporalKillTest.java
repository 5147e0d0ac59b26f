package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mutant killed by a temporal property is reported with the property's name, though TLC names none. */
class TemporalKillTest {
    @Test
    void theLivenessPropertyAMutantBreaksIsNamed(@TempDir Path dir) throws Exception {
        String toy = Files.readString(MutatorTest.TOY.resolve("Toy.tla"));
        int end = toy.lastIndexOf("\n====") + 1;   // the module's closing line
        // two liveness properties: the counter keeps coming back to 0, and keeps reaching N
        Files.writeString(dir.resolve("Toy.tla"), toy.substring(0, end)
                + "L1_Zero == []<>(x = 0)\nL2_Top == []<>(x = N)\n" + toy.substring(end));
        Files.writeString(dir.resolve("models.json"), "{\"spec\": \"Toy\", \"models\": {\"ci\": {\"constants\": "
                + "{\"Names\": [\"alpha\"], \"N\": 2, \"Flag\": true, \"Mv\": \"mv\", \"Base\": 7, \"Variant\": \"none\"}, "
                + "\"invariants\": [\"TypeOK\"], \"properties\": [\"L2_Top\", \"L1_Zero\"], \"heavy\": false, "
                + "\"expect\": {\"outcome\": \"ok\", \"distinct\": 12, \"depth\": 7}}}}");
        MutationRunner runner = new MutationRunner(dir, List.of("ci"), 1000, Duration.ofMinutes(3));
        // FairSpec without WF_vars(Back): the counter may stay at N for ever; it still reaches N
        Mutant unfair = Mutator.generate(runner.originalText()).stream()
                .filter(m -> m.definition().equals("FairSpec") && m.before().equals("WF_vars(Back)"))
                .findFirst().orElseThrow();
        MutationRunner.Result r = runner.run(List.of(unfair), 1, x -> { }).get(0);
        assertThat(r.verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(r.property()).isEqualTo("L1_Zero");
        assertThat(r.steps()).isPositive();
    }
}
