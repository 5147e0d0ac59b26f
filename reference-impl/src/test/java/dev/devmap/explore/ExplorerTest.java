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

    @Test
    void theParallelSearchFindsTheSameStatesAndDepth() {
        RunPlan plan = MANIFEST.plan("ci");
        Constants c = TlaBridge.constants(plan.constants());
        Explorer.Result r = new Explorer(new DeviceMapModel(c), plan.invariants(), plan.properties()).workers(2).run();
        assertThat(r.violated()).isEmpty();
        assertThat(r.distinct()).isEqualTo(plan.expect().distinct());
        assertThat(r.depth()).isEqualTo(plan.expect().depth());
    }

    @Test
    void theParallelSearchReportsAShortestReplayableTraceOfAVariant() {
        RunPlan plan = MANIFEST.planVariant("no-ack-wait");
        Constants c = TlaBridge.constants(plan.constants());
        DeviceMapModel m = new DeviceMapModel(c);
        Explorer.Result seq = new Explorer(m, plan.invariants(), plan.properties()).run();
        Explorer.Result par = new Explorer(m, plan.invariants(), plan.properties()).workers(2).run();
        assertThat(seq.violated()).isPresent();
        assertThat(par.violated()).isEqualTo(seq.violated());
        assertThat(par.trace()).hasSameSizeAs(seq.trace());
        assertThat(par.trace().get(0).state()).isEqualTo(m.init());
        for (int k = 1; k < par.trace().size(); k++) {
            Explorer.TraceStep prev = par.trace().get(k - 1);
            Explorer.TraceStep step = par.trace().get(k);
            assertThat(m.step(prev.state(), step.action())).as("step %d replays", k)
                    .isEqualTo(new dev.devmap.model.Step.Next(step.state()));
        }
    }
}
