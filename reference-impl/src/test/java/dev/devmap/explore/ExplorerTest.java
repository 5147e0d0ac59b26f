package dev.devmap.explore;

import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ExplorerTest {
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(Path.of("..", "spec"));

    @Test
    void ciModelHasTheRecordedStateCountAndDepth() {
        RunPlan plan = MANIFEST.plan("ci");
        Constants c = TlaBridge.constants(plan.constants());
        Explorer.Result r = new Explorer(new DeviceMapModel(c), plan.invariants(), plan.properties()).run();
        System.out.printf("java ci: %d distinct, depth %d, %.1fs, %.0f states/s%n", r.distinct(), r.depth(), r.seconds(),
                r.statesPerSecond());
        assertThat(r.violated()).isEmpty();
        assertThat(r.distinct()).isEqualTo(plan.expect().distinct());
        assertThat(r.depth()).isEqualTo(plan.expect().depth());
    }
}
