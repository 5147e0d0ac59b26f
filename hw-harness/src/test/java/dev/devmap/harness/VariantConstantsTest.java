package dev.devmap.harness;

import dev.devmap.harness.oracle.Diagnosis;
import dev.devmap.model.Constants;
import dev.devmap.model.Variant;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.VariantModel;
import dev.devmap.spec.tla.TlaValue;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A variant's constants have one home, models.json: the simulated device and the diagnosis take a
 * known mistake's capability constants from it ({@link DutConfig#constants(Variant)}), none written in Java.
 */
class VariantConstantsTest {
    private static final DutConfig CFG = DutConfig.standard();

    private static boolean expected(VariantModel v, String name, boolean device) {
        TlaValue x = v.constants().get(name);
        return x == null ? device : ((TlaValue.Bool) x).value();
    }

    @Test
    void everyKnownMistakeGetsTheCapabilitiesModelsJsonGivesIt() {
        Manifest m = Manifest.bundled();
        int set = 0;
        for (Variant v : Variant.values()) {
            if (v == Variant.NONE || v.choice()) continue;
            VariantModel vm = m.variant(v.tla());
            Constants c = CFG.constants(v);
            assertThat(c.pinSupport()).as(v.tla()).isEqualTo(expected(vm, "PinSupport", CFG.pinSupport()));
            assertThat(c.bdevCanInvalidate()).as(v.tla()).isEqualTo(expected(vm, "BdevCanInvalidate", CFG.bdevInvalidate()));
            assertThat(c.pageCache()).as(v.tla()).isEqualTo(expected(vm, "PageCache", CFG.pageCache()));
            // sizes stay the device's: NOff 1 of unbounded-revoke's model is not the device's
            assertThat(c.nOff()).isEqualTo(CFG.pages());
            assertThat(c.barSize()).isEqualTo(CFG.barPages());
            if (!c.equals(CFG.constants(Variant.NONE).withVariant(v))) set++;
        }
        assertThat(set).as("variants whose capabilities models.json changes (unbounded-revoke)").isEqualTo(1);
        assertThat(CFG.constants(Variant.UNBOUNDED_REVOKE).bdevCanInvalidate()).isFalse();
    }

    @Test
    void withoutTheConstantInModelsJsonTheDeviceKeepsItsCapability() {
        // planted: unbounded-revoke's entry without its BdevCanInvalidate
        assertThat(CFG.constants(Variant.UNBOUNDED_REVOKE, Map.of()).bdevCanInvalidate()).isTrue();
        assertThat(CFG.constants(Variant.UNBOUNDED_REVOKE, Map.of("BdevCanInvalidate", TlaValue.bool(false)))
                .bdevCanInvalidate()).isFalse();
    }

    @Test
    void theDiagnosisHypothesesAreTheseConstants() {
        Diagnosis d = new Diagnosis(CFG, new dev.devmap.harness.sim.SimulatedDevice(java.util.List.of(), -1).capabilities());
        for (Constants c : d.hypotheses()) assertThat(c).isEqualTo(CFG.constants(c.variant()));
    }

    @Test
    void aKernelChoiceKeepsTheDevicesDeclaredCapabilities() {
        for (Variant v : Variant.values()) {
            if (v.choice()) assertThat(CFG.constants(v)).isEqualTo(CFG.constants(Variant.NONE).withVariant(v));
        }
    }

    @Test
    void theBundledManifestIsTheSpecsModelsJson() {
        Manifest disk = Manifest.load(Path.of("..", "spec", Manifest.FILE_NAME));
        Manifest jar = Manifest.bundled();
        assertThat(jar.variants()).isEqualTo(disk.variants());
        assertThat(jar.choices()).isEqualTo(disk.choices());
        assertThat(jar.models().keySet()).isEqualTo(disk.models().keySet());
    }
}
