package dev.devmap.packed;

import dev.devmap.mirror.LivenessChecker;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * L1-L6 on the packed graph give the record checker's verdicts: every property holds on ci, and
 * every variant or kernel choice that models.json says breaks a leads-to property breaks it on the
 * packed graph too (the check's teeth), with the record checker's answer for the same graph.
 */
class PackedLivenessTest {
    static final Path SPEC = Path.of("..", "spec");
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(SPEC);

    static List<String> liveness(RunPlan plan) {
        return plan.model().properties().stream().filter(p -> p.startsWith("L")).toList();
    }

    @Test
    void everyLivenessPropertyHoldsOnCi() {
        RunPlan plan = MANIFEST.plan("ci");
        PackedGraph g = new PackedExplorer(new PackedModel(TlaBridge.constants(plan.constants())), List.of()).graph();
        List<LivenessChecker.Result> rs = new PackedLiveness(g).check(liveness(plan));
        assertThat(rs).hasSize(6);
        for (LivenessChecker.Result r : rs) assertThat(r.violated()).as(r.property()).isFalse();
    }

    /** The variants and choices that break a leads-to property, on bases that are not heavy. */
    static Stream<String> breakers() {
        return Stream.concat(MANIFEST.variants().keySet().stream(), MANIFEST.choices().keySet().stream())
                .filter(v -> !MANIFEST.model(MANIFEST.variant(v).base()).heavy())
                .filter(v -> PackedModel.packs(
                        dev.devmap.model.tla.TlaBridge.constants(MANIFEST.planVariant(v).constants()).variant()))
                .filter(v -> { var x = MANIFEST.variant(v); return x.violates() != null && x.violates().startsWith("L"); });
    }

    @ParameterizedTest
    @MethodSource("breakers")
    void theVariantBreaksItsLivenessPropertyAsInTheRecordChecker(String variant) {
        RunPlan plan = MANIFEST.planVariant(variant);
        Constants c = TlaBridge.constants(plan.constants());
        String property = MANIFEST.variant(variant).violates();
        PackedGraph g = new PackedExplorer(new PackedModel(c), List.of()).graph();
        LivenessChecker.Result packed = new PackedLiveness(g).check(List.of(property)).get(0);
        LivenessChecker.Result record = LivenessChecker.of(new DeviceMapModel(c)).check(property);
        assertThat(packed.violated()).isTrue();
        assertThat(packed.instance()).isEqualTo(record.instance());
        assertThat(packed.violated()).isEqualTo(record.violated());
    }
}
