package dev.devmap.spec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tla.TlaValues;
import java.io.IOException;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestTest {
    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        Path f = dir.resolve("models.json");
        Files.writeString(f, json);
        return f;
    }

    private static final String GOOD = """
            {"spec": "DeviceMap",
             "models": {"ci": {"about": "small", "constants": {"Files": ["f2", "f1"], "NOff": 2, "Pin": true,
                                                              "Variant": "none"},
                               "invariants": ["TypeOK", "S4_AckBeforeProceed"], "properties": ["L1_Ends", "L2_Done"],
                               "heavy": false, "expect": {"outcome": "ok", "distinct": 123, "depth": 17}},
                        "big": {"constants": {"NOff": 4}, "invariants": ["TypeOK"], "heavy": true}},
             "variants": {"no-ack-wait": {"base": "ci", "violates": "S4_AckBeforeProceed", "why": "frees early",
                                          "constants": {"NOff": 3}, "expect": {"depth": 7}},
                          "no-end": {"base": "ci", "violates": "L2_Done", "why": "never ends"}}}
            """;

    @Test
    void readsModelsWithConstantsAsTlaValues() throws IOException {
        Manifest m = Manifest.load(write(GOOD));
        assertThat(m.spec()).isEqualTo("DeviceMap");
        assertThat(m.modelNames()).containsExactly("ci", "big");
        Model ci = m.model("ci");
        assertThat(ci.constants().keySet()).containsExactly("Files", "NOff", "Pin", "Variant");
        assertThat(ci.constants().get("Files")).isEqualTo(TlaValues.parse("{\"f1\", \"f2\"}"));
        assertThat(ci.constants().get("NOff")).isEqualTo(TlaValue.integer(2));
        assertThat(ci.constants().get("Pin")).isEqualTo(TlaValue.bool(true));
        assertThat(ci.expect()).isEqualTo(new Expectation("ok", 123L, null, 17));
        assertThat(m.model("big").heavy()).isTrue();
        assertThat(m.model("big").expect()).isEqualTo(Expectation.NONE);
    }

    @Test
    void aSafetyRunCanLeaveFairnessOut() throws IOException {
        RunPlan p = Manifest.load(write(GOOD)).plan("ci");
        assertThat(p.config().cfg()).contains("SPECIFICATION FairSpec");
        assertThat(p.config("Spec").cfg()).contains("SPECIFICATION Spec\n").doesNotContain("FairSpec")
                .contains("PROPERTY L1_Ends");
    }

    @Test
    void modelConfigChecksAllInvariantsAndPropertiesUnderFairSpec() throws IOException {
        TlcConfig c = Manifest.load(write(GOOD)).plan("ci").config();
        assertThat(c.mainModule()).isEqualTo("DeviceMap");
        assertThat(c.cfgFileName()).isEqualTo("DeviceMap.cfg");
        assertThat(c.extraModules()).isEmpty();
        assertThat(c.cfg()).contains("""
                CONSTANTS
                  Files = {"f1", "f2"}
                  NOff = 2
                  Pin = TRUE
                  Variant = "none"
                SPECIFICATION FairSpec
                INVARIANT TypeOK
                INVARIANT S4_AckBeforeProceed
                PROPERTY L1_Ends
                PROPERTY L2_Done
                CHECK_DEADLOCK FALSE
                """);
    }

    @Test
    void modelWithoutPropertiesUsesSpec() throws IOException {
        assertThat(Manifest.load(write(GOOD)).plan("big").config().cfg()).contains("SPECIFICATION Spec\n")
                .doesNotContain("PROPERTY");
    }

    @Test
    void invariantVariantOverridesConstantsAndChecksNoProperty() throws IOException {
        Manifest m = Manifest.load(write(GOOD));
        VariantModel v = m.variant("no-ack-wait");
        assertThat(v.kind()).isEqualTo(VariantModel.PropertyKind.INVARIANT);
        assertThat(v.why()).isEqualTo("frees early");
        RunPlan p = m.planVariant("no-ack-wait");
        assertThat(p.constants().get("Variant")).isEqualTo(TlaValue.str("no-ack-wait"));
        assertThat(p.constants().get("NOff")).isEqualTo(TlaValue.integer(3));
        assertThat(p.properties()).isEmpty();
        assertThat(p.invariants()).containsExactly("TypeOK", "S4_AckBeforeProceed");
        assertThat(p.expect().depth()).isEqualTo(7);
        assertThat(p.title()).isEqualTo("variant no-ack-wait");
        assertThat(p.config().cfg()).contains("Variant = \"no-ack-wait\"", "SPECIFICATION Spec");
    }

    @Test
    void livenessVariantChecksOnlyItsProperty() throws IOException {
        RunPlan p = Manifest.load(write(GOOD)).planVariant("no-end");
        assertThat(p.variant().kind()).isEqualTo(VariantModel.PropertyKind.PROPERTY);
        assertThat(p.properties()).containsExactly("L2_Done");
        assertThat(p.invariants()).containsExactly("TypeOK", "S4_AckBeforeProceed");
        assertThat(p.config().cfg()).contains("SPECIFICATION FairSpec", "PROPERTY L2_Done").doesNotContain("L1_Ends");
    }

    @Test
    void valuesTheCfgCannotStateGoToAnMcModule() throws IOException {
        Path f = write("""
                {"spec": "Spec", "models": {"m": {"constants": {"A": -1, "B": {"x": 1}, "C": ["a\\"b"], "D": [1, 2]},
                 "invariants": ["Inv"]}}}""");
        TlcConfig c = Manifest.load(f).plan("m").config();
        assertThat(c.mainModule()).isEqualTo("MC");
        assertThat(c.cfgFileName()).isEqualTo("MC.cfg");
        assertThat(c.cfg()).contains("  A <- const_A\n", "  B <- const_B\n", "  C <- const_C\n", "  D = {1, 2}\n");
        assertThat(c.extraModules()).containsOnlyKeys("MC.tla");
        assertThat(c.extraModules().get("MC.tla"))
                .startsWith("---- MODULE MC ----\nEXTENDS Spec, Integers\n")
                .contains("const_A == -1\n", "const_B == [x |-> 1]\n", "const_C == {\"a\\\"b\"}\n")
                .endsWith("====\n");
    }

    @Test
    void missingManifest() {
        assertThatThrownBy(() -> Manifest.load(dir.resolve("nope.json")))
                .isInstanceOf(ModelException.class)
                .hasMessageEndingWith("nope.json: models manifest not found");
    }

    @Test
    void malformedJsonNamesFileAndPosition() throws IOException {
        Path f = write("{\"spec\": \"X\",\n \"models\": {,}}");
        assertThatThrownBy(() -> Manifest.load(f))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("models.json: malformed JSON at line 2, column")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Source"));
    }

    @Test
    void unknownModelAndVariantNamesListTheKnownOnes() throws IOException {
        Manifest m = Manifest.load(write(GOOD));
        assertThatThrownBy(() -> m.plan("nope"))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("models.json: unknown model 'nope' (models: ci, big)");
        assertThatThrownBy(() -> m.planVariant("nope"))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("unknown variant 'nope' (variants: no-ack-wait, no-end)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[]                                                              | the manifest must be a JSON object",
            "{\"models\": {\"a\": {}}}                                       | top level: missing \"spec\"",
            "{\"spec\": \"S\"}                                               | \"models\" must be a non-empty object",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": \"X\"}}} | model 'a': \"invariants\" must be an array",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"constants\": {\"N\": 1.5}}}} | constant N: unsupported JSON value 1.5",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"variants\": {\"v\": {\"base\": \"b\", \"violates\": \"P\"}}} | variant 'v': unknown base model 'b'",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"variants\": {\"v\": {\"base\": \"a\"}}} | variant 'v': missing \"violates\"",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"variants\": {\"v\": {\"base\": \"a\", \"violates\": \"P\", \"constants\": {\"Variant\": \"x\"}}}} | must not set Variant",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"], \"expect\": {\"distinct\": -1}}}} | \"distinct\" must be an integer from 0 to",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"choices\": {\"c\": {\"base\": \"a\"}}} | choice 'c': missing \"facility\"",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"breaks\": {\"P\": 3}}}} | \"violates\" (the first TLC reports) is missing",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"violates\": \"P\", \"breaks\": {\"Q\": 3}}}} | \"violates\" P is not among \"breaks\"",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"violates\": \"P\", \"breaks\": {\"P\": 0}}}} | must be a counterexample length",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"keeps\": [\"P\"], \"violates\": \"P\", \"breaks\": {\"P\": 2}}}} | P is both in \"breaks\" and \"keeps\"",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"], \"properties\": [\"W\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"witness\": [\"W\"]}}} | \"witness\" must be an object: property -> counterexample length",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"], \"properties\": [\"W\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"witness\": {\"W\": 0}}}} | \"witness\" W must be a counterexample length",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"witness\": {\"W\": 3}}}} | witness W is not a property of its base model 'a', which must keep it",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"], \"properties\": [\"W\"]}}, \"choices\": {\"c\": {\"base\": \"a\", \"facility\": \"f\", \"keeps\": [\"W\"], \"witness\": {\"W\": 3}}}} | W is both in \"witness\" and \"keeps\"",
            "{\"spec\": \"S\", \"models\": {\"a\": {\"invariants\": [\"I\"], \"co\\nnstants\": {}}}} | unknown key \"co\\nnstants\"",
            "{\"spec\": \"S\", \"spec\": \"T\", \"models\": {\"a\": {\"invariants\": [\"I\"]}}}     | malformed JSON"})
    void shapeErrorsAreOneLineAndNameTheFile(String json, String problem) throws IOException {
        Path f = write(json);
        assertThatThrownBy(() -> Manifest.load(f))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith(f.toString() + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theRepositorysManifestLoads() {
        Path repoManifest = Path.of("models.json");
        if (!Files.exists(repoManifest)) {
            repoManifest = Path.of("spec", "models.json");
        }
        Manifest m = Manifest.load(repoManifest);
        assertThat(m.spec()).isEqualTo("DeviceMap");
        assertThat(m.models()).containsKey("ci");
        assertThat(m.model("ci").constants()).containsKey(Manifest.VARIANT_CONSTANT);
        for (String v : m.variants().keySet()) {
            assertThat(m.planVariant(v).config().cfg()).contains("Variant = \"" + v + "\"");
        }
        for (String v : m.choices().keySet()) {
            assertThat(m.planVariant(v).config().cfg()).contains("Variant = \"" + v + "\"");
        }
    }

    @Test
    void aKernelChoiceThatKeepsEveryPropertyIsCheckedOnAllOfThem() throws IOException {
        Manifest m = Manifest.load(write("""
                {"spec": "S", "models": {"a": {"invariants": ["TypeOK", "S1"], "properties": ["L1"]}},
                 "choices": {"keeps": {"base": "a", "facility": "fs-dax", "keeps": ["S1", "L1"], "why": "w"},
                             "breaks": {"base": "a", "facility": "fs-dax", "violates": "S1", "breaks": {"S1": 4, "L1": 9}}}}
                """));
        assertThat(m.variants()).isEmpty();
        VariantModel keeps = m.variant("keeps");
        assertThat(keeps.holds()).isTrue();
        assertThat(keeps.choice().keeps()).containsExactly("S1", "L1");
        RunPlan p = m.planVariant("keeps");
        assertThat(p.invariants()).containsExactly("TypeOK", "S1");
        assertThat(p.properties()).containsExactly("L1");
        VariantModel breaks = m.variant("breaks");
        assertThat(breaks.holds()).isFalse();
        assertThat(breaks.choice().breaks()).containsEntry("S1", 4).containsEntry("L1", 9);
        assertThatThrownBy(() -> m.variant("nope")).hasMessageContaining("kernel choices: keeps, breaks");
    }

    @Test
    void aChoicesWitnessIsLeftOutOfItsCheckAndRunAloneToItsViolation() throws IOException {
        Manifest m = Manifest.load(write("""
                {"spec": "S", "models": {"a": {"invariants": ["TypeOK", "S1"], "properties": ["L1", "W1", "W2"]}},
                 "choices": {"c": {"base": "a", "facility": "fs-dax", "keeps": ["S1", "L1"], "witness": {"W1": 5}},
                             "d": {"base": "a", "facility": "fs-dax", "keeps": ["S1", "L1"], "witness": {"W2": 3}}}}
                """));
        assertThat(m.witnesses()).containsExactly("W1", "W2");
        // each choice's check keeps every property of its base but the witnesses (c violates W1; d too may)
        assertThat(m.planVariant("c").properties()).containsExactly("L1");
        assertThat(m.planWitnesses("c")).singleElement().satisfies(w -> {
            assertThat(w.name()).isEqualTo("c witness W1");
            assertThat(w.invariants()).containsExactly("TypeOK");
            assertThat(w.properties()).containsExactly("W1");
            assertThat(w.expect().depth()).isEqualTo(5);
            assertThat(w.config().cfg()).contains("Variant = \"c\"");
        });
        // the model itself checks them all
        assertThat(m.plan("a").properties()).containsExactly("L1", "W1", "W2");
    }
}
