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
    void mirrorGraphWithoutAVariantIsBadInput() throws Exception {
        oneLine(Support.dmap("mirror", "--graph", "--spec-dir", Support.SPEC.toString()), 2, "--graph needs --variant NAME");
    }

    @Test
    void mirrorOnASpecThatDoesNotParseIsBadInput() throws Exception {
        Path dir = specCopy("", "");
        Path tla = dir.resolve("DeviceMap.tla");
        Files.writeString(tla, Files.readString(tla).replaceFirst("VARIABLES", "VARIABLES ) ("));
        oneLine(Support.dmap("mirror", "--no-variants", "--spec-dir", dir.toString()), 2, "TLC cannot parse spec");
    }

    /** The word each code's meaning has in the table, in every command's "Exit" sentence and in the README. */
    private static final java.util.Map<Integer, String> WORD = java.util.Map.of(ExitCodes.OK, "hold",
            ExitCodes.VIOLATED, "violated", ExitCodes.BAD_INPUT, "bad input", ExitCodes.FAILED, "failed",
            ExitCodes.COUNTS_DIFFER, "differ");

    private static java.util.List<picocli.CommandLine> commands(picocli.CommandLine cl) {
        java.util.List<picocli.CommandLine> out = new java.util.ArrayList<>(java.util.List.of(cl));
        for (picocli.CommandLine sub : cl.getSubcommands().values()) {
            if (!sub.getCommandName().equals("help")) out.addAll(commands(sub));
        }
        return out;
    }

    @Test
    void everyCommandsHelpShowsTheOneTable() {
        java.io.StringWriter sw = new java.io.StringWriter();
        java.io.PrintWriter pw = new java.io.PrintWriter(sw);
        java.util.List<picocli.CommandLine> all = commands(Main.commandLine(pw, pw));
        assertThat(all).hasSizeGreaterThanOrEqualTo(12);
        for (picocli.CommandLine c : all) {
            String help = c.getUsageMessage();
            assertThat(help).as(c.getCommandName()).contains("Exit codes (ExitCodes):");
            ExitCodes.MEANINGS.forEach((code, what) -> assertThat(help).as(c.getCommandName()).contains(code.strip()).contains(what));
        }
        ExitCodes.MEANINGS.forEach((code, what) -> assertThat(what).contains(WORD.get(Integer.parseInt(code.strip()))));
    }

    @Test
    void everyCommandsOwnExitSentenceNamesCodesOfTheTableWithTheirMeaning() {
        java.io.PrintWriter pw = new java.io.PrintWriter(new java.io.StringWriter());
        java.util.regex.Pattern code = java.util.regex.Pattern.compile("(?:^Exit[^:]*:|,)\\s*(\\d+) ([^,]*)");
        int sentences = 0;
        for (picocli.CommandLine c : commands(Main.commandLine(pw, pw))) {
            for (String line : c.getCommandSpec().usageMessage().description()) {
                if (!line.startsWith("Exit")) continue;
                sentences++;
                java.util.regex.Matcher m = code.matcher(line);
                while (m.find()) {
                    int n = Integer.parseInt(m.group(1));
                    assertThat(ExitCodes.MEANINGS).as(c.getCommandName() + ": " + line).containsKey(" " + n);
                    if (n == ExitCodes.BAD_INPUT || n == ExitCodes.FAILED) {
                        assertThat(m.group(2)).as(c.getCommandName() + ": " + line).contains(WORD.get(n));
                    }
                }
            }
        }
        assertThat(sentences).as("check, conform, mirror, mutate state their codes").isGreaterThanOrEqualTo(4);
    }

    @Test
    void theReadmesExitCodeSectionIsTheTable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("## Exit codes");
        assertThat(at).isPositive();
        String section = readme.substring(at, readme.indexOf("\n## ", at + 3) < 0 ? readme.length() : readme.indexOf("\n## ", at + 3));
        assertThat(section).contains("cli/ExitCodes.java");
        for (String c : ExitCodes.MEANINGS.keySet()) {
            int n = Integer.parseInt(c.strip());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![\\d.-])" + n + " [^,]*?" + WORD.get(n)).matcher(section);
            assertThat(m.find()).as("README states exit %d as '%s'", n, WORD.get(n)).isTrue();
        }
    }
}
