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
}
