package dev.devmap.cli;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A PASSED row of the mutation table keeps the distinct states per model the mutant had so far. */
class MutateTableTest {
    @Test
    void distinctStatesSoFarRoundTripThroughTheTable() {
        Map<String, Long> d = new LinkedHashMap<>();
        d.put("caps", 246L);
        d.put("values", 8696L);
        String col = MutateCommand.distinctColumn(d);
        assertThat(col).isEqualTo("caps=246,values=8696");
        assertThat(MutateCommand.parseDistinct(col)).containsExactlyEntriesOf(d);
        assertThat(MutateCommand.parseDistinct("")).isEmpty();
    }

    @Test
    void aMalformedColumnIsBadInputNotAStackTrace() {
        assertThatThrownBy(() -> MutateCommand.parseDistinct("caps")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model=N");
        assertThatThrownBy(() -> MutateCommand.parseDistinct("caps=x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSurvivorSaysWhereItSurvived() {
        var m = new dev.devmap.spec.mutate.Mutant(932, "drop-inline-conjunct", "Relocate", 536, 0, 1, "a", "TRUE");
        var onModels = new dev.devmap.spec.mutate.MutationRunner.Result(m,
                dev.devmap.spec.mutate.MutationRunner.Verdict.SURVIVED, "ci", null, 0, Map.of("ci", 57820L), 47.0, "d");
        assertThat(MutateCommand.ktap(3, onModels)).startsWith("not ok 3 M932 ").endsWith(" # survived {ci=57820}");
        // the variant stage's survivor: equal counts on the models, the check that saw another graph named
        var onCheck = new dev.devmap.spec.mutate.MutationRunner.Result(m,
                dev.devmap.spec.mutate.MutationRunner.Verdict.SURVIVED, "variant stuck", null, 0,
                Map.of("caps", 246L), 3940.0, "d/e");
        assertThat(MutateCommand.ktap(3, onCheck)).endsWith(" # survived {caps=246}: unreachable in the models; "
                + "variant stuck's check gives the original's verdict on another graph");
    }
}
