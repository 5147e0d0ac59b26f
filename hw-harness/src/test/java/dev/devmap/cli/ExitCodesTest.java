package dev.devmap.cli;

import dev.devmap.harness.Support;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The bad inputs of the robustness issue, each one line and the documented exit code (ExitCodes). */
class ExitCodesTest {
    @TempDir
    Path tmp;

    private static void oneLine(Support.Cli r, int code, String text) {
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(code);
        // progress lines may come first; the error is one line, the last
        java.util.List<String> lines = r.err().strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("dmap: error: ").contains(text);
        assertThat(lines).filteredOn(l -> l.startsWith("dmap: error:")).hasSize(1);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private Path specCopy(String from, String to) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("spec"));
        for (String f : new String[] {"DeviceMap.tla", "models.json"}) {
            String text = Files.readString(Support.SPEC.resolve(f));
            Files.writeString(dir.resolve(f), f.endsWith(".json") ? text.replace(from, to) : text);
        }
        return dir;
    }

    @Test
    void hugeRandomOrLengthIsBadInput() {
        oneLine(Support.dmap("conform", "--random", "2000000000", "--no-tlc", "--report-dir", tmp.toString()), 2,
                "--random may be at most 100000");
        oneLine(Support.dmap("conform", "--length", "2000000000", "--no-tlc", "--report-dir", tmp.toString()), 2,
                "--length at most 10000");
    }

    @Test
    void aMisspeltManifestKeyIsBadInputNotASilentOk() throws Exception {
        Path dir = specCopy("\"invariants\"", "\"invariant\"");
        oneLine(Support.dmap("check", "--spec-dir", dir.toString()), 2, "unknown key \"invariant\"");
    }

    @Test
    void emitToAFileIsBadInput() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        oneLine(Support.dmap("check", "--emit", file.toString(), "--spec-dir", Support.SPEC.toString()), 2,
                "--emit needs a directory");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void mirrorOnASpecThatDoesNotParseIsBadInput() throws Exception {
        Path dir = specCopy("", "");
        Path tla = dir.resolve("DeviceMap.tla");
        Files.writeString(tla, Files.readString(tla).replaceFirst("VARIABLES", "VARIABLES ) ("));
        oneLine(Support.dmap("mirror", "--no-variants", "--spec-dir", dir.toString()), 2, "TLC cannot parse spec");
    }
}
