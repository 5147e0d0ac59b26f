package dev.devmap.spec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpectationRecorderTest {
    static final Path TOY = Path.of("src", "test", "resources", "toy", "models.json");

    @Test
    void replacesTheNumbersOfOneModelOnly(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("models.json");
        Files.copy(TOY, f);
        String before = Files.readString(f);
        ExpectationRecorder.record(f, "ci", 50, 11);
        String after = Files.readString(f);
        assertThat(after).contains("\"expect\": {\"outcome\": \"ok\", \"distinct\": 50, \"depth\": 11}");
        assertThat(after.replace("\"distinct\": 50, \"depth\": 11", "\"distinct\": 48, \"depth\": 9")).isEqualTo(before);
        Manifest m = Manifest.load(f);
        assertThat(m.model("ci").expect().distinct()).isEqualTo(50);
        assertThat(m.variant("small").expect().depth()).isEqualTo(3);
    }

    @Test
    void addsAnExpectObjectWhereThereIsNone(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("models.json");
        Files.copy(TOY, f);
        ExpectationRecorder.record(f, "neg", 7, 2);
        Manifest m = Manifest.load(f);
        assertThat(m.model("neg").expect()).isEqualTo(new Expectation("ok", 7L, null, 2));
        assertThat(m.model("ci").expect().distinct()).isEqualTo(48);
    }

    @Test
    void unknownModelIsRefused() {
        assertThatThrownBy(() -> ExpectationRecorder.recorded("{\"models\": {\"ci\": {}}}", "nope", 1, 1))
                .isInstanceOf(ModelException.class).hasMessageContaining("unknown model 'nope'");
    }
}
