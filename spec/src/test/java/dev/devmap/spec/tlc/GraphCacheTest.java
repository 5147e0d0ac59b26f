package dev.devmap.spec.tlc;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A kept graph is found again for the same spec and constants, and not for a changed spec or another model. */
class GraphCacheTest {
    static final Path SPEC = Path.of("..", "spec").toAbsolutePath().normalize();

    @Test
    void theKeyIsTheSpecsTextAndTheModel() throws Exception {
        Manifest m = Manifest.loadFromSpecDir(SPEC);
        RunPlan ci = m.plan("ci");
        String text = Files.readString(SPEC.resolve(ci.spec() + ".tla"));
        assertThat(GraphCache.file(SPEC, ci)).isEqualTo(GraphCache.file(SPEC, ci));
        assertThat(GraphCache.digest(text, ci)).isNotEqualTo(GraphCache.digest(text + "\n\\* a comment", ci));
        assertThat(GraphCache.digest(text, ci)).isNotEqualTo(GraphCache.digest(text, m.plan("values")));
        Path dir = Files.createTempDirectory("graph-cache");
        Files.writeString(dir.resolve(ci.spec() + ".tla"), text);
        Path dot = dir.resolve("g.dot");
        Files.writeString(dot, "digraph DiskGraph {\n}\n");
        assertThat(GraphCache.file(dir, ci)).doesNotExist();
        GraphCache.keep(dir, ci, dot);
        assertThat(GraphCache.file(dir, ci)).exists().hasSameTextualContentAs(dot);
        Files.writeString(dir.resolve(ci.spec() + ".tla"), text + "\n");
        assertThat(GraphCache.file(dir, ci)).doesNotExist();
    }
}
