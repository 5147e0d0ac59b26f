package dev.devmap.props;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.explore.Explorer;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.Variant;
import dev.devmap.spec.model.VariantModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kernel choices that break a safety property, on the Java model: breadth first, each breaks
 * every safety property models.json says it breaks, in TLC's counterexample length, and the trace's
 * last step is the one that breaks it. reference-impl's KernelChoicesTest checks the fs-dax choices on
 * their whole graphs (liveness too); this is the counterexample half for every choice, the page-cache
 * ones included, so that PIT counts the branches of the model only those
 * choices take (a mutant there changes the break or its length).
 */
class ChoiceBreaksTest {
    /**
     * Every choice but a facility's whole set (fs-dax, page-cache: a combination that is not one of its
     * own members; each member is checked here on its own). fs-dax's three long breaks took 25 s of the
     * test's 34 s on a busy host, and PIT runs this test for every surviving mutant of the model it covers.
     */
    static List<VariantModel> choices() {
        return Specs.manifest().choices().values().stream().filter(v -> {
            Variant c = Variant.of(v.name());
            return c.combines().contains(c);
        }).toList();
    }

    @Test
    void eachChoiceBreaksItsSafetyPropertiesInTlcsLength() {
        int checked = 0;
        for (var v : choices()) {
            DeviceMapModel m = new DeviceMapModel(Specs.variant(v.name()));
            SafetyProperties sp = new SafetyProperties(m);
            for (Map.Entry<String, Integer> e : v.choice().breaks().entrySet()) {
                String p = e.getKey();
                if (p.startsWith("L")) continue;
                boolean step = sp.stepPropertyNames().contains(p);
                assertThat(step || sp.invariantNames().contains(p)).as(p + " has a Java twin").isTrue();
                Explorer.Result r = new Explorer(m, step ? List.of("TypeOK") : List.of("TypeOK", p),
                        step ? List.of(p) : List.of()).run();
                assertThat(r.violated()).as(v.name() + " breaks " + p).contains(p);
                assertThat(r.trace()).as(v.name() + ": TLC's counterexample length for " + p).hasSize(e.getValue());
                var t = r.trace().stream().map(Explorer.TraceStep::state).toList();
                if (step) {
                    assertThat(sp.holdsOnStep(p, t.get(t.size() - 2), t.get(t.size() - 1))).as(v.name() + " " + p).isFalse();
                } else {
                    assertThat(sp.holds(p, t.get(t.size() - 1))).as(v.name() + " " + p).isFalse();
                    if (t.size() > 1) assertThat(sp.holds(p, t.get(t.size() - 2))).as(v.name() + " " + p + " before").isTrue();
                }
                checked++;
            }
        }
        assertThat(checked).as("safety breaks checked").isPositive();
        // the filter leaves out exactly the two facilities' whole sets
        assertThat(Specs.manifest().choices().keySet()).filteredOn(n -> choices().stream().noneMatch(v -> v.name().equals(n)))
                .containsExactlyInAnyOrder("fs-dax", "page-cache");
    }
}
