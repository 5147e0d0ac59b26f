package dev.devmap.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report's words do not depend on the user's locale: in Turkish, "FAIL".toLowerCase() is "faıl"
 * (dotless i), which a consumer of results.jsonl would not recognise as a failure.
 */
class LocaleTest {
    @TempDir
    Path tmp;

    @Test
    void aFailingRunInATurkishLocaleWritesTheSameStatusWords() throws Exception {
        Locale before = Locale.getDefault();
        Support.Cli cli;
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            cli = Support.dmap("conform", "--device", "sim:dma-misdirect", "--seed", "3", "--random", "0", "--only", "direct-write-then-read",
                    "--no-tlc", "--report-dir", tmp.toString());
        } finally {
            Locale.setDefault(before);
        }
        assertThat(cli.code()).as(cli.err()).isEqualTo(1);
        Path run = tmp.resolve("latest").toRealPath();
        String results = Files.readString(run.resolve("results.jsonl"));
        assertThat(results).contains("\"status\":\"fail\"").doesNotContain("\u0131");
        assertThat(Files.readString(run.resolve("report.txt"))).doesNotContain("\u0131");
    }
}
