package dev.devmap.props;

import dev.devmap.model.Variant;
import net.jqwik.api.lifecycle.PropertyExecutionResult.Status;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every variant has teeth, and the teeth verdict is what it says. */
class TeethCoverageTest {
    @Test
    void everyVariantOfTheManifestHasATeethProperty() {
        List<String> teeth = new ArrayList<>();
        for (Method m : VariantTeethProperties.class.getDeclaredMethods()) {
            Teeth t = m.getAnnotation(Teeth.class);
            if (t != null) teeth.add(t.value());
        }
        assertThat(teeth).containsExactlyInAnyOrderElementsOf(Specs.manifest().variants().keySet());
    }

    @Test
    void everyJavaVariantIsInTheManifest() {
        List<String> java = new ArrayList<>();
        for (Variant v : Variant.values()) if (v != Variant.NONE && !v.choice()) java.add(v.tla());   // choices: KernelChoicesTest
        assertThat(Specs.manifest().variants().keySet()).containsExactlyInAnyOrderElementsOf(java);
    }

    @Test
    void theExpectedPropertiesComeFromTheManifest() {
        assertThat(TeethHook.expected("no-ack-wait")).containsExactly("S4_AckBeforeProceed", "S1_NoStaleBlock");
        assertThat(TeethHook.expected("valid-flag")).contains("S5_CacheExclusion", "S3_NoEstablishDuringInvalidate",
                "S1_NoStaleBlock", "S10_Capability", "L5_UnplugFinishes");
    }

    @Test
    void theVerdict() {
        Violation s4 = Violation.of("S4_AckBeforeProceed", "d", "run", 5);
        Violation s9 = Violation.of("S9_BarAccounting", "d", "run", 5);
        Violation longS4 = Violation.of("S4_AckBeforeProceed", "d", "run", 40);
        Violation l6 = Violation.of(Violation.L6, "d", "run", 5);
        assertThat(TeethHook.judge("no-ack-wait", 16, Status.FAILED, s4, 3, true)).isEmpty();
        assertThat(TeethHook.judge("no-ack-wait", 16, Status.SUCCESSFUL, null, 1000, true)).get().asString()
                .contains("not detected in 1000 tries");
        assertThat(TeethHook.judge("no-ack-wait", 16, Status.FAILED, s9, 3, true)).get().asString()
                .contains("broke S9_BarAccounting");
        assertThat(TeethHook.judge("no-ack-wait", 16, Status.FAILED, longS4, 3, true)).get().asString()
                .contains("40 steps");
        assertThat(TeethHook.judge("no-ack-wait", 16, Status.FAILED, longS4, 3, false)).isEmpty();
        assertThat(TeethHook.judge("no-ack-wait", 16, Status.FAILED, new AssertionError("x"), 3, true)).isPresent();
        assertThat(TeethHook.judge("unmap-keeps-bar", 16, Status.FAILED, l6, 3, true)).isEmpty();
        assertThat(TeethHook.judge("no-ack-wait", 16, Status.ABORTED, null, 3, true)).isPresent();
    }

    @Test
    void everyPropertyHasItsOwnViolationClass() {
        Set<Class<?>> classes = new java.util.HashSet<>();
        for (String p : Violation.names()) {
            Violation v = Violation.of(p, "d", "run", 1);
            assertThat(v.property()).isEqualTo(p);
            classes.add(v.getClass());
        }
        assertThat(classes).hasSize(Violation.names().size());
        assertThat(Violation.of(Violation.L6, "d", "r", 1).specName()).isEqualTo("L6_UnmapReturnsBar");
    }
}
