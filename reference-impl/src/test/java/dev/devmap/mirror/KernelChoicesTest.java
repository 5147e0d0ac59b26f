package dev.devmap.mirror;

import dev.devmap.explore.Explorer;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Variant;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Today's kernel's protocol choices (models.json "choices"): the Java model gives the verdict TLC
 * gave, property by property: each property models.json says the choice breaks is violated when
 * checked alone, with TLC's counterexample length for the safety ones, and every property it says
 * the choice keeps holds. MirrorCheckTest compares TLC and Java on the same choices; the choices'
 * witnesses (models.json "witness") are property-tests' ChoiceWitnessTest (there PIT counts them).
 */
class KernelChoicesTest {
    static final Path SPEC = Path.of("..", "spec");
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(SPEC);
    static final String S2 = "S2_InvalidateBeforeLayoutChange";
    /** The step properties (S2, S11-S13, S15); every other S is an invariant. */
    static final Set<String> STEPS = Set.of(S2, "S11_PinLifetime", "S12_BarReturnedOnUnmap", "S13_ReadsLastWrite",
            "S15_InvalidationKept");
    static final List<String> SIXTEEN = List.of("S1_NoStaleBlock", S2, "S3_NoEstablishDuringInvalidate",
            "S4_AckBeforeProceed", "S5_CacheExclusion", "S6_WritebackCoherence", "S7_PinFreeze", "S8_ExporterLifetime",
            "S9_BarAccounting", "S10_Capability", "L1_InvalidationEnds", "L2_AccessCompletes", "L3_RetryTerminates",
            "L4_TruncateNotStarved", "L5_UnplugFinishes", "L6_UnmapReturnsBar");
    static final List<String> S11_S18 = List.of("S11_PinLifetime", "S12_BarReturnedOnUnmap", "S13_ReadsLastWrite",
            "S14_RefusalOrder", "S15_InvalidationKept", "S16_GrantNeedsVma", "S17_CallsTakeEffect", "S18_RefusalHasNoEffect");

    /**
     * In mvn verify the fs-dax choices that break a property (small graphs without a page cache), not
     * their combination;
     * with -Ddmap.heavy=true all of them (each a whole state graph and six liveness checks; the
     * page-cache ones up to 193,314 states: minutes under load); with -Ddmap.choices=NAME,... only those
     * (to re-check the choices a spec change touched).
     */
    static List<String> choices() {
        String only = System.getProperty("dmap.choices", "");
        if (!only.isBlank()) return List.of(only.split(","));
        if (Boolean.getBoolean("dmap.heavy")) return List.copyOf(MANIFEST.choices().keySet());
        return MANIFEST.choices().values().stream().filter(v -> !v.holds() && "fs-dax".equals(v.choice().facility()))
                .filter(v -> !Variant.of(v.name()).combination())   // the combination's graph is larger: heavy only
                .map(dev.devmap.spec.model.VariantModel::name).toList();
    }

    @Test
    void everyJavaChoiceIsInTheManifestAndEveryVerdictNamesS1ToS10AndL1ToL6AtLeast() {
        List<String> java = new ArrayList<>();
        for (Variant v : Variant.values()) if (v.choice()) java.add(v.tla());
        assertThat(MANIFEST.choices().keySet()).containsExactlyInAnyOrderElementsOf(java);
        for (var v : MANIFEST.choices().values()) {
            List<String> all = new ArrayList<>(v.choice().keeps());
            all.addAll(v.choice().breaks().keySet());
            assertThat(all).as(v.name()).containsAll(SIXTEEN).doesNotHaveDuplicates();
            List<String> beyond = new ArrayList<>(all);
            beyond.removeAll(SIXTEEN);
            assertThat(S11_S18).as(v.name() + ": only S11-S18 beyond the sixteen").containsAll(beyond);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("choices")
    void javaGivesTlcsVerdict(String name) {
        RunPlan plan = MANIFEST.planVariant(name);
        var choice = plan.variant().choice();
        DeviceMapModel m = new DeviceMapModel(TlaBridge.constants(plan.constants()));
        List<String> keptInvariants = new ArrayList<>(List.of("TypeOK"));
        List<String> keptSteps = new ArrayList<>();
        for (String p : choice.keeps()) {
            if (STEPS.contains(p)) keptSteps.add(p);
            else if (p.startsWith("S")) keptInvariants.add(p);
        }
        Explorer.Result kept = new Explorer(m, keptInvariants, keptSteps).keepGraph(true).run();
        assertThat(kept.violated()).as("kept safety properties of " + name).isEmpty();
        for (Map.Entry<String, Integer> e : choice.breaks().entrySet()) {
            String p = e.getKey();
            if (p.startsWith("L")) continue;
            boolean step = STEPS.contains(p);
            Explorer.Result r = new Explorer(m, step ? List.of("TypeOK") : List.of("TypeOK", p), step ? List.of(p) : List.of()).run();
            assertThat(r.violated()).as(name + " breaks " + p).contains(p);
            assertThat(r.trace()).as(name + ": TLC's counterexample length for " + p).hasSize(e.getValue());
        }
        LivenessChecker lc = new LivenessChecker(m, kept);   // no kept property failed: the whole state graph
        for (String p : choice.keeps()) if (p.startsWith("L")) assertThat(lc.check(p).violated()).as(name + " keeps " + p).isFalse();
        for (String p : choice.breaks().keySet()) if (p.startsWith("L")) assertThat(lc.check(p).violated()).as(name + " breaks " + p).isTrue();
    }
}
