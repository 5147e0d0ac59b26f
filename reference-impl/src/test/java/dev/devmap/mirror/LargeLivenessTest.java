package dev.devmap.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.explore.Explorer;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Variant;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The heavier run (not in mvn verify): L1-L6 on the {@code large} model (1,013,866 states), which
 * TLC checks for safety only, with the Java fair-SCC checker that the mirror check ties to TLC's
 * verdicts on the variants; and its teeth on the same constants: {@code unmap-keeps-bar} breaks L6.
 * Prints its times. Run with
 * {@code mvn -B -pl reference-impl -am test -Dtest=LargeLivenessTest -Ddmap.heavy=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "dmap.heavy", matches = "true")
class LargeLivenessTest {
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(Path.of("..", "spec"));
    static final List<String> LIVENESS = List.of("L1_InvalidationEnds", "L2_AccessCompletes", "L3_RetryTerminates",
            "L4_TruncateNotStarved", "L5_UnplugFinishes", "L6_UnmapReturnsBar");

    @Test
    void everyLeadsToHoldsOnLargeAndUnmapKeepsBarBreaksL6There() {
        RunPlan plan = MANIFEST.plan("large");
        DeviceMapModel m = new DeviceMapModel(TlaBridge.constants(plan.constants()));
        long t0 = System.nanoTime();
        Explorer.Result graph = new Explorer(m, List.of(), List.of()).keepGraph(true).run();
        LivenessChecker lc = new LivenessChecker(m, graph);
        double explored = secs(t0);
        assertThat((long) lc.distinct()).isEqualTo(plan.expect().distinct());
        for (String p : LIVENESS) {
            long t = System.nanoTime();
            LivenessChecker.Result r = lc.check(p);
            System.out.printf(Locale.ROOT, "large: %s %s (%.1f s)%n", p, r.violated() ? "VIOLATED " + r.instance() : "holds", secs(t));
            assertThat(r.violated()).as(p + " on large").isFalse();
        }
        System.out.printf(Locale.ROOT, "large: %,d states, graph kept in %.1f s, L1-L6 in %.1f s in all%n",
                lc.distinct(), explored, secs(t0));

        long t1 = System.nanoTime();
        DeviceMapModel bad = new DeviceMapModel(TlaBridge.constants(plan.constants()).withVariant(Variant.UNMAP_KEEPS_BAR));
        LivenessChecker teeth = LivenessChecker.of(bad);
        LivenessChecker.Result r = teeth.check("L6_UnmapReturnsBar");
        System.out.printf(Locale.ROOT, "large + unmap-keeps-bar: %,d states, L6 %s (%.1f s)%n", teeth.distinct(),
                r.violated() ? "violated" : "holds", secs(t1));
        assertThat(r.violated()).as("unmap-keeps-bar breaks L6 on large").isTrue();
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
