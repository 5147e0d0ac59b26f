package dev.devmap.spec.model;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real models.json, broken in the ways that used to pass silently or end in TLC's raw output
 * (issue: a misspelt key checked nothing and printed "ci: OK"): each is one line naming the file.
 */
class ManifestSchemaTest {
    @TempDir
    Path tmp;

    private Path copy(String from, String to) throws IOException {
        Path spec = Paths.get("..", "spec");
        Files.copy(spec.resolve("DeviceMap.tla"), tmp.resolve("DeviceMap.tla"));
        String text = Files.readString(spec.resolve("models.json"));
        String broken = text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        if (broken.equals(text) && !from.isEmpty()) throw new AssertionError("'" + from + "' is not in models.json");
        Files.writeString(tmp.resolve("models.json"), from.isEmpty() ? text + to : broken);
        return tmp;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "\"invariants\"           | \"invariant\"            | unknown key \"invariant\"",
            "\"properties\"           | \"propertys\"            | unknown key \"propertys\"",
            "\"NOff\": 2,             | \"NOff\": 2, \"Extra\": 1, | unknown constant 'Extra'",
            "\"NOff\": 2,             | ''                       | constant 'NOff' is not set",
            "\"Variant\": \"none\"    | \"Variant\": \"nonee\"   | neither \"none\" nor a variant",
            "''                       | ' garbage'               | malformed JSON",
            "\"NOff\": 2              | \"NOff\": -2             | constant NOff: must be an integer from 1 to 8",
            "\"NOff\": 2              | \"NOff\": \"2\"          | constant NOff: must be an integer",
            "\"PinSupport\": true     | \"PinSupport\": 1        | must be true or false",
            "\"Route\": [\"gpu\"]     | \"Route\": [\"tpu\"]     | 'tpu' is not one of the Importers",
            "\"depth\": 19            | \"depth\": 99999999999   | \"depth\" must be at most",
            "\"outcome\": \"ok\"      | \"outcome\": \"fine\"    | \"outcome\" must be one of",
            "\"spec\": \"DeviceMap\"  | \"spec\": \"DeviceMapp\" | no module DeviceMapp.tla"})
    void aBrokenManifestIsOneLineNamingTheFile(String from, String to, String problem) throws IOException {
        Path dir = copy(from, to);
        assertThatThrownBy(() -> Manifest.loadFromSpecDir(dir))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith(dir.resolve("models.json").toString() + ": ")
                .hasMessageContaining(problem)
                .hasMessageNotContaining("\n");
    }
}
