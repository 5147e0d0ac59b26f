package dev.devmap.props;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.explore.Explorer;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.State;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel choices' witnesses on the Java model: each choice reaches its witnesses (the spec's W_
 * step properties) breadth first in the length models.json records, and on the model without the
 * choice no step of a walk violates any witness (ModelChainProperties checks every step of its walks
 * against the models' properties, the witnesses among them). A witness that always held would let a
 * model that lost its choice's behaviour pass; this is what says it does not.
 */
class ChoiceWitnessTest {
    @Test
    void eachChoiceReachesItsWitnessesInTheRecordedLength() {
        int checked = 0;
        for (var v : Specs.manifest().choices().values()) {
            if (v.choice().witness().isEmpty()) continue;
            DeviceMapModel m = new DeviceMapModel(Specs.variant(v.name()));
            for (var w : v.choice().witness().entrySet()) {
                Explorer.Result r = new Explorer(m, List.of("TypeOK"), List.of(w.getKey())).run();
                assertThat(r.violated()).as(v.name()).contains(w.getKey());
                assertThat(r.trace()).as(v.name() + " " + w.getKey()).hasSize(w.getValue());
                // the violating step is the trace's last: its predecessor still keeps the witness
                List<State> t = r.trace().stream().map(Explorer.TraceStep::state).toList();
                SafetyProperties p = new SafetyProperties(m);
                assertThat(p.holdsOnStep(w.getKey(), t.get(t.size() - 2), t.get(t.size() - 1))).isFalse();
                if (t.size() > 2) assertThat(p.holdsOnStep(w.getKey(), t.get(t.size() - 3), t.get(t.size() - 2))).isTrue();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(Specs.manifest().choices().values().stream()
                .mapToInt(v -> v.choice().witness().size()).sum()).isPositive();
    }

    @Test
    void noWitnessIsReachedWithoutAChoice() {
        List<String> witnesses = List.copyOf(Specs.manifest().witnesses());
        for (String model : List.of("dax", "values", "caps")) {
            DeviceMapModel m = new DeviceMapModel(Specs.model(model));
            assertThat(new Explorer(m, List.of("TypeOK"), witnesses).run().violated()).as(model).isEmpty();
        }
    }
}
