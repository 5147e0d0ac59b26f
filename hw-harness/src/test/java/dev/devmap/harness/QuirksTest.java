package dev.devmap.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devmap.harness.sim.Quirk;
import dev.devmap.harness.sim.Quirks;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The requirement the harness reports for each spec-variant quirk (Quirks' table, checked by
 * ConformanceTest against real runs) must be one TLC confirms for that variant in models.json
 * ("violates" or "also"): the two tables cannot drift apart unnoticed.
 */
class QuirksTest {
    @Test
    void everySpecQuirkBreaksWhatModelsJsonSaysItsVariantBreaks() throws Exception {
        JsonNode variants = new ObjectMapper().readTree(Path.of("..", "spec", "models.json").toFile()).get("variants");
        int n = 0;
        for (Quirk q : Quirks.all()) {
            if (q.kind() != Quirk.Origin.SPEC) continue;
            JsonNode v = variants.get(q.name());
            assertThat(v).as("models.json has variant %s", q.name()).isNotNull();
            List<String> confirmed = new ArrayList<>(List.of(v.get("violates").asText()));
            v.path("also").forEach(a -> confirmed.add(a.asText()));
            assertThat(confirmed).as("quirk %s", q.name()).contains(Requirement.valueOf(q.breaks()).spec());
            n++;
        }
        assertThat(n).isEqualTo(variants.size());
    }
}
