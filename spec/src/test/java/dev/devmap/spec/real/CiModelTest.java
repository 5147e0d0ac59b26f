package dev.devmap.spec.real;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import dev.devmap.spec.tlc.GraphCache;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real spec's CI model: every invariant and every liveness property holds, and the state space
 * is the one recorded in models.json (a change in it must be noticed and explained). The variants
 * are checked, with their property names, by the mirror tests in reference-impl.
 */
class CiModelTest {
    static final Path SPEC = Path.of("..", "spec").toAbsolutePath().normalize();

    @Test
    void ciModelHoldsWithTheRecordedStateCountAndDepth() throws Exception {
        RunPlan plan = Manifest.loadFromSpecDir(SPEC).plan("ci");
        assertThat(plan.properties()).contains("L1_InvalidationEnds", "L6_UnmapReturnsBar");
        TlcConfig cfg = plan.config();
        Path dot = java.nio.file.Files.createTempDirectory("ci-model").resolve("ci.dot");
        TlcResult r = new TlcRunner().run(TlcJob.builder(SPEC, cfg.mainModule(), cfg.cfg())
                .cfgFileName(cfg.cfgFileName()).extraFiles(cfg.extraModules()).workers(1) // exact depth: one worker
                .dumpDot(dot).build());
        assertThat(r.outcome()).as(r.errorText()).isEqualTo(TlcResult.Outcome.OK);
        assertThat(r.distinct()).isEqualTo(plan.expect().distinct());
        assertThat(r.depth()).isEqualTo(plan.expect().depth());
        GraphCache.keep(SPEC, plan, dot);   // the mirror check of this build compares Java's graph with this one
    }
}
