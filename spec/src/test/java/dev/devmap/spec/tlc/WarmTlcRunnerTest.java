package dev.devmap.spec.tlc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The warm TLC gives what a fresh JVM gives, job after job, and survives what ends its JVM. */
class WarmTlcRunnerTest {
    static Path toyDir;
    static Manifest manifest;

    @BeforeAll
    static void toy() throws URISyntaxException {
        toyDir = Path.of(WarmTlcRunnerTest.class.getResource("/toy/Toy.tla").toURI()).getParent();
        manifest = Manifest.loadFromSpecDir(toyDir);
    }

    private static TlcJob job(RunPlan plan, String... tlcArgs) {
        TlcConfig c = plan.config();
        return TlcJob.builder(toyDir, c.mainModule(), c.cfg()).cfgFileName(c.cfgFileName())
                .extraFiles(c.extraModules()).workers(1).tlcArgs(tlcArgs).build();
    }

    @Test
    void jobAfterJobTheSameResultsAsAFreshJvm() throws Exception {
        TlcRunner cold = new TlcRunner();
        List<TlcJob> jobs = List.of(job(manifest.plan("ci"), "-coverage", "100000"), job(manifest.plan("ci")),
                job(manifest.planVariant("small")), job(manifest.planVariant("stuck")),
                TlcJob.builder(toyDir, "Broken", "INIT Init\nNEXT Next\n").build(), job(manifest.plan("ci")));
        try (WarmTlcRunner warm = new WarmTlcRunner(cold, List.of())) {
            for (TlcJob j : jobs) {
                TlcResult w = warm.run(j, TlcListener.NONE);
                TlcResult c = cold.run(j);
                assertThat(w.outcome()).as(j.cfg() + w.errorText()).isEqualTo(c.outcome());
                assertThat(w.exitCode()).isEqualTo(c.exitCode());
                assertThat(w.distinct()).isEqualTo(c.distinct());
                assertThat(w.depth()).isEqualTo(c.depth());
                assertThat(w.violated()).isEqualTo(c.violated());
                assertThat(w.trace()).hasSameSizeAs(c.trace());
            }
            // all six ran warm; each finding (two violations, a parse error) ended its JVM, so the ok
            // run after them had a fresh one (after a liveness violation, a warm TLC's next run fails)
            assertThat(warm.jobs()).isEqualTo(jobs.size());
            assertThat(warm.starts()).isEqualTo(4);   // JVMs: ci, ci, small | stuck | Broken | ci
            assertThat(warm.crashes()).isZero();
        }
    }

    @Test
    void aTimedOutJobKillsTheWarmJvmAndTheNextJobGetsAFreshOne() throws Exception {
        try (WarmTlcRunner warm = new WarmTlcRunner(new TlcRunner(), List.of())) {
            TlcConfig c = manifest.plan("ci").config();
            TlcJob slow = TlcJob.builder(toyDir, c.mainModule(), c.cfg()).cfgFileName(c.cfgFileName())
                    .extraFiles(c.extraModules()).timeout(Duration.ofMillis(1)).build();
            TlcResult r = warm.run(slow, TlcListener.NONE);
            assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.ERROR);
            assertThat(r.errorText()).contains("timed out");
            TlcResult next = warm.run(job(manifest.plan("ci")), TlcListener.NONE);
            assertThat(next.outcome()).isEqualTo(TlcResult.Outcome.OK);
            assertThat(next.distinct()).isEqualTo(48);
        }
    }
}
