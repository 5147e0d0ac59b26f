package dev.devmap.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devmap.explore.Explorer;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Teeth for every safety property: each (variant, property) pair that models.json lists under
 * {@code violates} or {@code also} is a violation the Java explorer finds when it checks that
 * property alone (TLC's answers for the same pairs are in the README's table). S2 and S3 are never
 * the first property a variant breaks, so this is where their checks show they can fail.
 */
class VariantMatrixTest {
    static final Path SPEC = Path.of("..", "spec");
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(SPEC);
    static final List<String> STEP_PROPERTIES = new dev.devmap.model.SafetyProperties(new DeviceMapModel(
            TlaBridge.constants(MANIFEST.plan("ci").constants()))).stepPropertyNames();

    static Stream<Arguments> pairs() throws Exception {
        JsonNode variants = new ObjectMapper().readTree(SPEC.resolve("models.json").toFile()).get("variants");
        List<Arguments> out = new ArrayList<>();
        variants.fields().forEachRemaining(e -> {
            List<String> props = new ArrayList<>();
            props.add(e.getValue().get("violates").asText());
            if (e.getValue().has("also")) e.getValue().get("also").forEach(p -> props.add(p.asText()));
            for (String p : props) if (p.startsWith("S")) out.add(Arguments.of(e.getKey(), p));
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0} breaks {1}")
    @MethodSource("pairs")
    void theVariantBreaksThePropertyCheckedAlone(String variant, String property) {
        RunPlan plan = MANIFEST.planVariant(variant);
        boolean step = STEP_PROPERTIES.contains(property);
        Explorer.Result r = new Explorer(new DeviceMapModel(TlaBridge.constants(plan.constants())),
                step ? List.of("TypeOK") : List.of("TypeOK", property), step ? List.of(property) : List.of()).run();
        assertThat(r.violated()).contains(property);
        assertThat(r.trace()).isNotEmpty().hasSizeLessThanOrEqualTo(12);
    }

    @ParameterizedTest(name = "{0} holds {1}")
    @MethodSource("pairs")
    void theCorrectProtocolKeepsTheSameProperty(String variant, String property) {
        // same constants, Variant = none: the property holds (so the pair above is the variant's doing)
        RunPlan plan = MANIFEST.planVariant(variant);
        var c = TlaBridge.constants(plan.constants()).withVariant(dev.devmap.model.Variant.NONE);
        boolean step = STEP_PROPERTIES.contains(property);
        // a million states per pair: the large model's clean run is 'dmap check large' (and the bench)
        org.junit.jupiter.api.Assumptions.assumeFalse(plan.model().name().equals("large"),
                "the large model's correct protocol is checked by 'dmap check large'");
        Explorer.Result r = new Explorer(new DeviceMapModel(c), step ? List.of("TypeOK") : List.of("TypeOK", property),
                step ? List.of(property) : List.of()).run();
        assertThat(r.violated()).isEmpty();
    }
}
