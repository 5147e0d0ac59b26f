package dev.devmap.packed;

import dev.devmap.explore.Explorer;
import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.Variant;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packed explorer is the record explorer's relation, checked mechanically: on ci every reachable
 * state round-trips through the working copy and the encoding, and every action of Next (enabled
 * or not) gives the same answer and the same successor in both; on every model and variant of
 * models.json whose base is not heavy, the state sets and labelled-edge sets are equal; and on every
 * variant the first violated property with all of the plan's properties is the record explorer's.
 */
class PackedModelTest {
    static final Path SPEC = Path.of("..", "spec");
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(SPEC);

    static Constants constants(RunPlan plan) { return TlaBridge.constants(plan.constants()); }

    /** ci, and dax for PageCache = FALSE (WriteBlock, and ReadPage disabled). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"ci", "dax"})
    void everyStepOfEveryReachableStateIsTheRecordModelsStep(String model) {
        Constants c = constants(MANIFEST.plan(model));
        DeviceMapModel rec = new DeviceMapModel(c);
        PackedModel pm = new PackedModel(c);
        SafetyProperties props = new SafetyProperties(rec);
        PackedProperties pp = new PackedProperties(pm, PackedProperties.ported());
        Explorer.Result g = new Explorer(rec, List.of(), List.of()).keepGraph(true).run();
        long[] t = new long[pm.len];
        long[] back = new long[pm.len];
        long[] enc = new long[pm.maxWords + 1];
        long[] onCopy = new long[pm.len];
        int[] codes = new int[pm.maxCandidates()];
        int[] live = new int[pm.maxCandidates()];
        PackedModel.Scratch x = pm.scratch();
        long steps = 0;
        long dropped = 0;
        for (State s : g.states()) {
            long[] w = pm.of(s);
            assertThat(pm.state(w)).isEqualTo(s);
            int n = pm.encode(w, enc);
            assertThat(n).isLessThanOrEqualTo(pm.maxWords);
            assertThat(pm.decode(enc, 0, back)).isEqualTo(n);
            assertThat(back).isEqualTo(w);
            for (String inv : PackedProperties.ported()) {
                if (inv.startsWith("S2")) continue;
                assertThat(pp.holds(inv, w)).as(inv + " on " + s).isEqualTo(props.holds(inv, s));
            }
            int nc = pm.candidates(w, codes);
            List<Action> recordActions = rec.candidates(s);
            List<Action> packedActions = new ArrayList<>();
            for (int k = 0; k < nc; k++) packedActions.add(pm.action(codes[k]));
            assertThat(packedActions).containsExactlyInAnyOrderElementsOf(recordActions);
            // the explorer's candidates: the same in the same order, but for disabled ones
            int nl = pm.liveCandidates(w, live);
            int j = 0;
            for (int k = 0; k < nc; k++) {
                if (j < nl && live[j] == codes[k]) {
                    j++;
                    continue;
                }
                assertThat(pm.step(w, codes[k], t, x)).as("dropped " + packedActions.get(k) + " in " + s).isFalse();
                dropped++;
            }
            assertThat(j).as("live candidates are a subsequence of candidates in " + s).isEqualTo(nl);
            for (int k = 0; k < nc; k++) {
                Action a = packedActions.get(k);
                Step st = rec.step(s, a);
                boolean enabled = pm.step(w, codes[k], t, x);
                assertThat(enabled).as(a + " in " + s).isEqualTo(st instanceof Step.Next);
                System.arraycopy(w, 0, onCopy, 0, pm.len);
                assertThat(pm.stepOn(w, codes[k], onCopy, x)).isEqualTo(enabled);
                if (!enabled) assertThat(onCopy).as("a disabled " + a + " leaves t alone in " + s).isEqualTo(w);
                if (st instanceof Step.Next nx) {
                    assertThat(onCopy).isEqualTo(t);
                    // canonical working copy: its encoding decodes to it (so fingerprints of copies are the states')
                    pm.encode(t, enc);
                    pm.decode(enc, 0, back);
                    assertThat(back).as("canonical successor of " + a + " from " + s).isEqualTo(t);
                    assertThat(pm.fingerprint(back)).isEqualTo(pm.fingerprint(t));
                    assertThat(pm.state(t)).as(a + " from " + s).isEqualTo(nx.state());
                    assertThat(pp.firstViolatedOnStep(w, t) == null)
                            .isEqualTo(props.holdsOnStep("S2_InvalidateBeforeLayoutChange", s, nx.state()));
                    steps++;
                }
            }
        }
        assertThat(steps).isEqualTo(g.edges().size());
        assertThat(dropped).as("the gates drop something").isPositive();
    }

    /**
     * Every model of models.json that is not heavy; with -Ddmap.packed.graphs=true also every
     * variant and kernel choice on such a base (minutes: each is a CI-sized graph compared edge by edge).
     */
    static Stream<String> graphs() {
        List<String> out = new ArrayList<>();
        MANIFEST.models().values().stream().filter(m -> !m.heavy()).forEach(m -> out.add("model:" + m.name()));
        out.add("model:dax");   // heavy for TLC's liveness, small for this
        if (!Boolean.getBoolean("dmap.packed.graphs")) return out.stream();
        Stream.concat(MANIFEST.variants().keySet().stream(), MANIFEST.choices().keySet().stream())
                .filter(v -> !MANIFEST.model(MANIFEST.variant(v).base()).heavy())
                .filter(v -> !PackedModel.NOT_PACKED.contains(constants(MANIFEST.planVariant(v)).variant())).forEach(v -> out.add(v));
        return out.stream();
    }

    static RunPlan plan(String name) {
        return name.startsWith("model:") ? MANIFEST.plan(name.substring(6)) : MANIFEST.planVariant(name);
    }

    @ParameterizedTest
    @MethodSource("graphs")
    void statesAndLabelledEdgesEqualTheRecordExplorers(String name) {
        Constants c = constants(plan(name));
        Explorer.Result rec = new Explorer(new DeviceMapModel(c), List.of(), List.of()).keepGraph(true).run();
        Explorer.Result packed = new PackedExplorer(new PackedModel(c), List.of()).graph().toResult();
        assertThat(packed.distinct()).isEqualTo(rec.distinct());
        assertThat(new HashSet<>(packed.states())).isEqualTo(new HashSet<>(rec.states()));
        assertThat(labelledEdges(packed)).isEqualTo(labelledEdges(rec));
        assertThat(packed.depth()).isEqualTo(rec.depth());
    }

    static Set<List<Object>> labelledEdges(Explorer.Result r) {
        Set<List<Object>> out = new HashSet<>();
        for (Explorer.Edge e : r.edges()) out.add(List.of(r.states().get(e.from()), e.action(), r.states().get(e.to())));
        return out;
    }

    /** The comparison has teeth: a packed graph of another variant is not ci's. */
    @Test
    void aDifferentRelationIsNotEqual() {
        Constants c = constants(MANIFEST.plan("ci"));
        Explorer.Result rec = new Explorer(new DeviceMapModel(c), List.of(), List.of()).keepGraph(true).run();
        Explorer.Result wrong = new PackedExplorer(new PackedModel(c.withVariant(Variant.MAP_WHILE_CACHED)), List.of())
                .graph().toResult();
        assertThat(labelledEdges(wrong)).isNotEqualTo(labelledEdges(rec));
    }

    /** Every variant and kernel choice (the fs-dax ones, PageCache = FALSE, too) but those not packed yet. */
    static Stream<String> variants() {
        return Stream.concat(MANIFEST.variants().keySet().stream(), MANIFEST.choices().keySet().stream())
                .filter(v -> !PackedModel.NOT_PACKED.contains(constants(MANIFEST.planVariant(v)).variant()));
    }

    @Test
    void aChoiceNotPackedIsRefused() {
        Constants c = constants(MANIFEST.plan("ci")).withVariant(Variant.CLONE_HOLE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PackedModel(c))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clone-hole");
    }

    /** The first violation (one worker: the same order as the record explorer's) and the counts when none. */
    @ParameterizedTest
    @MethodSource("variants")
    void everyVariantBreaksTheSamePropertyFirst(String variant) {
        RunPlan plan = MANIFEST.planVariant(variant);
        Constants c = constants(plan);
        List<String> safety = new ArrayList<>(plan.invariants());
        plan.properties().stream().filter(p -> p.startsWith("S")).forEach(safety::add);
        org.junit.jupiter.api.Assumptions.assumeTrue(plan.model().heavy() ? plan.variant().violates() != null : true);
        Explorer.Result rec = new Explorer(new DeviceMapModel(c), plan.invariants(),
                plan.properties().stream().filter(p -> p.startsWith("S")).toList()).run();
        PackedExplorer.Result packed = new PackedExplorer(new PackedModel(c), safety).run();
        assertThat(packed.violated()).isEqualTo(rec.violated());
        if (rec.ok()) assertThat(packed.distinct()).isEqualTo(rec.distinct());
        else assertThat(packed.depth()).isEqualTo(rec.trace().size());
    }

    @Test
    void twoWorkersFindTheSameStatesAsTheRecordExplorerOnCi() {
        RunPlan plan = MANIFEST.plan("ci");
        Constants c = constants(plan);
        List<String> safety = new ArrayList<>(plan.invariants());
        plan.properties().stream().filter(p -> p.startsWith("S")).forEach(safety::add);
        PackedExplorer.Result packed = new PackedExplorer(new PackedModel(c), safety).workers(2).run();
        assertThat(packed.ok()).isTrue();
        assertThat(packed.distinct()).isEqualTo(new Explorer(new DeviceMapModel(c), List.of(), List.of()).run().distinct());
        assertThat(packed.depth()).isEqualTo(plan.expect().depth());
        assertThat(packed.bytesPerState()).isPositive();
    }
}
