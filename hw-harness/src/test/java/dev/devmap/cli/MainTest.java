package dev.devmap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI on the toy spec of the spec module's tests (TLC runs in a child JVM). */
class MainTest {
    static final Path TOY = Path.of("..", "spec", "src", "test", "resources", "toy");

    record Run(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    static Run dmap(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void checkDefaultModelHolds() {
        Run r = dmap("check", "--spec-dir", TOY.toString(), "--workers", "2");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.outLines()).hasSize(1);
        // two workers: TLC may report a deeper level than the BFS depth 9, which is not a mismatch
        assertThat(r.out()).matches("ci: OK  distinct=48 generated=\\d+ depth=\\d+ time=\\d+\\.\\ds "
                + "\\(expected distinct=48 depth=9\\)\\R");
        assertThat(r.err()).startsWith("ci: checking Toy (FairSpec, 2 invariants, 1 property) with 2 workers");
    }

    @Test
    void countsThatDifferFromTheManifestFailUnlessRecorded(@TempDir Path tmp) throws IOException {
        for (String f : new String[] {"Toy.tla", "models.json"}) Files.copy(TOY.resolve(f), tmp.resolve(f));
        Path manifest = tmp.resolve("models.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"distinct\": 48, \"depth\": 9", "\"distinct\": 47, \"depth\": 9"));
        Run r = dmap("check", "--spec-dir", tmp.toString(), "-q", "--workers", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.COUNTS_DIFFER);
        assertThat(r.out()).contains("(expected distinct=47 depth=9: MISMATCH)");
        assertThat(r.err()).isEqualTo("dmap: ci: the state graph differs from models.json (expected distinct=47 depth=9, "
                + "found distinct=48 depth=9); if the change is intended, record it with --record" + System.lineSeparator());

        Run rec = dmap("check", "--spec-dir", tmp.toString(), "-q", "--workers", "1", "--record");
        assertThat(rec.code()).as(rec.err()).isEqualTo(ExitCodes.OK);
        assertThat(rec.out()).contains("(expected distinct=48 depth=9)");
        assertThat(Files.readString(manifest)).contains("\"distinct\": 48, \"depth\": 9");
        assertThat(dmap("check", "--spec-dir", tmp.toString(), "-q", "--workers", "1").code()).isEqualTo(ExitCodes.OK);
        assertThat(dmap("check", "--variant", "small", "--record", "--spec-dir", tmp.toString(), "-q").code())
                .isEqualTo(ExitCodes.BAD_INPUT);
    }

    /** Three CI models checked in two lanes: each report whole and in manifest order; --record in lanes; the worst exit wins. */
    @Test
    void severalModelsRunInLanesAndReportInManifestOrder(@TempDir Path tmp) throws IOException {
        Files.copy(TOY.resolve("Toy.tla"), tmp.resolve("Toy.tla"));
        Path manifest = tmp.resolve("models.json");
        String model = "{\"constants\": {\"Names\": %s, \"N\": %d, \"Flag\": true, \"Mv\": \"mv\", \"Base\": 7, "
                + "\"Variant\": \"none\"}, \"invariants\": [\"TypeOK\"], \"properties\": [\"EventuallyZero\"], \"heavy\": false}";
        Files.writeString(manifest, "{\"spec\": \"Toy\", \"models\": {"
                + "\"ci\": " + String.format(model, "[\"alpha\", \"bravo\"]", 2) + ", "
                + "\"one\": " + String.format(model, "[\"alpha\"]", 2) + ", "
                + "\"wide\": " + String.format(model, "[\"alpha\", \"bravo\"]", 3) + "}}");
        Run rec = dmap("check", "--spec-dir", tmp.toString(), "--workers", "2", "--record");
        assertThat(rec.code()).as(rec.err()).isEqualTo(ExitCodes.OK);
        assertThat(rec.err()).contains("ci: checking Toy (FairSpec, 1 invariant, 1 property) with 1 worker")
                .contains("one: recorded distinct=").contains("wide: recorded distinct=");
        assertThat(rec.outLines()).hasSize(3);
        assertThat(rec.outLines().get(0)).startsWith("ci: OK  distinct=48 ");
        assertThat(rec.outLines().get(1)).startsWith("one: OK  ");
        assertThat(rec.outLines().get(2)).startsWith("wide: OK  ");
        String recorded = Files.readString(manifest);
        assertThat(recorded.split("\"expect\"", -1)).as("three models recorded").hasSize(4);

        // two lanes (--record has one: one TLC worker): the two largest models, wide then ci by the recorded
        // figures, both start before either finishes; one after the other, a "finished" comes between the starts
        Run lanes = dmap("check", "--spec-dir", tmp.toString(), "--workers", "2");
        assertThat(lanes.code()).as(lanes.err()).isEqualTo(ExitCodes.OK);
        List<String> events = lanes.err().lines().filter(l -> l.matches("\\w+: (checking \\S+ \\(|finished in its lane).*"))
                .map(l -> l.substring(0, l.indexOf(' ', l.indexOf(':') + 2))).toList();
        assertThat(events).hasSize(6);
        assertThat(events.subList(0, 2)).containsExactlyInAnyOrder("wide: checking", "ci: checking");
        assertThat(events.subList(2, 6)).contains("one: checking", "one: finished", "wide: finished", "ci: finished");

        // the middle model's figures planted wrong: it alone differs, the others still hold and are reported
        Files.writeString(manifest, recorded.replace("\"distinct\": 48,", "\"distinct\": 47,"));
        Run planted = dmap("check", "--spec-dir", tmp.toString(), "--workers", "2", "-q");
        assertThat(planted.code()).as(planted.err()).isEqualTo(ExitCodes.COUNTS_DIFFER);
        assertThat(planted.out().lines().map(l -> l.substring(0, l.indexOf(':'))).toList()).containsExactly("ci", "one", "wide");
        assertThat(planted.outLines().get(0)).contains("MISMATCH");
        assertThat(planted.outLines().get(2)).startsWith("wide: OK").doesNotContain("MISMATCH");
    }

    @Test
    void variantViolationPrintsTheCounterexampleAndExitsOne() {
        Run r = dmap("check", "--variant", "small", "--spec-dir", TOY.toString(), "--workers", "1", "-q");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.VIOLATED);
        assertThat(r.err()).isEmpty();
        List<String> lines = r.outLines();
        assertThat(lines).startsWith("Counterexample:", "  1. Initial predicate");
        assertThat(lines).containsSubsequence("  1. Initial predicate", "       x = 0", "  2. Inc",
                "       s: <<>> -> <<0>>", "       x: 0 -> 1", "  3. Inc");
        assertThat(lines).noneMatch(l -> l.startsWith("       t:") || l.startsWith("       m:"));
        assertThat(lines.get(lines.size() - 1))
                .startsWith("variant small: VIOLATED Small (expected) in 3 steps  distinct=");
    }

    @Test
    void unknownModelIsBadInput() {
        Run r = dmap("check", "nope", "--spec-dir", TOY.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).matches("dmap: error: .*models\\.json: unknown model 'nope' \\(models: ci, neg\\)\\R");
    }

    /**
     * A kernel choice's witness: reached in the recorded length exits 0 (the choice's check holds), reached
     * in another length exits 4, not reached (the choice no longer does what models.json says) exits 1.
     */
    @Test
    void aChoicesWitnessIsReachedAndItsLengthIsChecked(@TempDir Path tmp) throws IOException {
        String toy = Files.readString(TOY.resolve("Toy.tla"));
        String witness = "W_Two == [][~(x' = 2 /\\ Variant = \"two\")]_vars\n";
        String manifest = Files.readString(TOY.resolve("models.json"))
                .replace("\"properties\": [\"EventuallyZero\"]", "\"properties\": [\"EventuallyZero\", \"W_Two\"]")
                .replace("\n  \"variants\"", "\n  \"choices\": {\"two\": {\"base\": \"ci\", \"facility\": \"toy\", "
                        + "\"keeps\": [\"TypeOK\", \"Small\", \"EventuallyZero\"], \"witness\": {\"W_Two\": LEN}}},\n  \"variants\"");
        Files.writeString(tmp.resolve("Toy.tla"), toy.replace("\n=====", "\n" + witness + "====="));
        Files.writeString(tmp.resolve("models.json"), manifest.replace("LEN", "3"));
        Run r = dmap("check", "--variant", "two", "--spec-dir", tmp.toString(), "--workers", "1", "-q");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("variant two: OK "))
                .anyMatch(l -> l.startsWith("variant two witness W_Two: REACHED W_Two in 3 steps (the choice's own "
                        + "behaviour, as models.json records)"));
        assertThat(dmap("variants", "--spec-dir", tmp.toString()).out())
                .contains("keeps every property; reaches its witness W_Two (3)");
        // the model keeps the witness: it is in its properties
        assertThat(dmap("check", "ci", "--spec-dir", tmp.toString(), "--workers", "1", "-q").code()).isEqualTo(ExitCodes.OK);

        Files.writeString(tmp.resolve("models.json"), manifest.replace("LEN", "4"));
        r = dmap("check", "--variant", "two", "--spec-dir", tmp.toString(), "--workers", "1", "-q");
        assertThat(r.code()).isEqualTo(ExitCodes.COUNTS_DIFFER);
        assertThat(r.out()).contains("REACHED W_Two in 3 steps (models.json records 4: MISMATCH)");

        Files.writeString(tmp.resolve("models.json"), manifest.replace("LEN", "3"));
        Files.writeString(tmp.resolve("Toy.tla"), toy.replace("\n=====", "\n" + witness.replace("x' = 2", "x' = 5") + "====="));
        r = dmap("check", "--variant", "two", "--spec-dir", tmp.toString(), "--workers", "1", "-q");
        assertThat(r.code()).isEqualTo(ExitCodes.VIOLATED);
        assertThat(r.out()).contains("variant two witness W_Two: NOT REACHED W_Two (models.json records the choice's "
                + "behaviour in 3 steps: the choice no longer does it)");
    }

    @Test
    void variantOfAnotherModelIsBadInput() {
        Run r = dmap("check", "neg", "--variant", "small", "--spec-dir", TOY.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("dmap: error: variant 'small' is based on model 'ci', not 'neg'\n");
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        for (String[] args : new String[][] {
                {"check", "--workers", "0", "--spec-dir", TOY.toString()},
                {"check", "--workers", "many"},
                {"check", "--frobnicate"},
                {"nosuchcommand"},
                {}}) {
            Run r = dmap(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("dmap: error: ");
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void subcommandsHaveHelp() {
        Run r = dmap("check", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: dmap check").contains("--variant=NAME", "--workers=N", "--spec-dir=DIR");
    }

    @Test
    void missingSpecDirIsBadInput(@TempDir Path tmp) {
        Run r = dmap("models", "--spec-dir", tmp.resolve("nope").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("dmap: error: spec directory ").contains("does not exist");
    }

    @Test
    void malformedManifestIsBadInput(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("models.json"), "{\"spec\": ");
        Run r = dmap("variants", "--spec-dir", tmp.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("dmap: error: ").contains("models.json: malformed JSON at line 1");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void specThatDoesNotParseIsBadInputWithSanysMessage(@TempDir Path tmp) throws IOException {
        Files.copy(TOY.resolve("Broken.tla"), tmp.resolve("Broken.tla"));
        Files.writeString(tmp.resolve("models.json"),
                "{\"spec\": \"Broken\", \"models\": {\"ci\": {\"invariants\": [\"Inv\"], \"properties\": []}}}");
        Run r = dmap("check", "--spec-dir", tmp.toString(), "-q");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("dmap: error: TLC cannot parse spec Broken")
                .contains("Could not find declaration or definition of symbol '@@'");
    }

    @Test
    void variantsListNamePropertyAndWhy() {
        Run r = dmap("variants", "--spec-dir", TOY.toString());
        assertThat(r.code()).isZero();
        assertThat(r.outLines()).containsExactly(
                "small  Small           the counter may reach 2",
                "stuck  EventuallyZero  the counter stops at N");
    }

    @Test
    void modelsListExpectations() {
        Run r = dmap("models", "--spec-dir", TOY.toString());
        assertThat(r.code()).isZero();
        assertThat(r.outLines()).hasSize(2);
        assertThat(r.outLines().get(0)).startsWith("ci   expect ok distinct=48 depth=9  2 invariants, 1 properties  Toy model");
        assertThat(r.outLines().get(1)).startsWith("neg  expect ok (no counts recorded)  1 invariants, 0 properties  heavy");
    }

    @Test
    void specDirFallsBackToDmapHomeThenWorkingDirectory(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("spec"));
        assertThat(SpecDirOption.resolve(TOY, tmp.toString())).isEqualTo(TOY);
        assertThat(SpecDirOption.resolve(null, tmp.toString())).isEqualTo(tmp.resolve("spec"));
        // the tests run in hw-harness/, which has no spec/ directory
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SpecDirOption.resolve(null, null))
                .isInstanceOf(CliException.class)
                .hasMessage("spec directory spec does not exist (from ./spec (set --spec-dir or DMAP_HOME))");
    }
}
