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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
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

    /**
     * values (two values: writes after a grant), and dax for PageCache = FALSE (WriteBlock, and ReadPage
     * disabled); ci too with -Ddmap.heavy=true (minutes: every candidate of 57,814 states through both
     * models). On ci the packed relation is checked in verify by its state and labelled-edge sets
     * (below, and against TLC's in MirrorCheckTest).
     */
    static Stream<String> stepModels() {
        return Boolean.getBoolean("dmap.heavy") ? Stream.of("values", "dax", "ci") : Stream.of("values", "dax");
    }

    @ParameterizedTest
    @MethodSource("stepModels")
    void everyStepOfEveryReachableStateIsTheRecordModelsStep(String model) {
        Constants c = constants(MANIFEST.plan(model));
        Failures f = compareSteps(new DeviceMapModel(c), new PackedModel(c));
        assertThat(f.first).as("%d failed checks, the first of them", f.count).isEmpty();
        assertThat(f.dropped).as("the gates drop something").isPositive();
    }

    /** The step comparison has teeth: a packed model of another variant fails it on values. */
    @Test
    void aPackedModelOfAnotherVariantFailsTheStepComparison() {
        Constants c = constants(MANIFEST.plan("values"));
        Failures f = compareSteps(new DeviceMapModel(c), new PackedModel(c.withVariant(Variant.MAP_WHILE_CACHED)));
        assertThat(f.count).isPositive();
        assertThat(f.first).isNotEmpty();
    }

    /** Every reachable state of rec: encoding, properties, candidates, gates and every step against pm's. */
    static Failures compareSteps(DeviceMapModel rec, PackedModel pm) {
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
        // Plain checks in the loop (AssertJ per candidate cost minutes on ci); every failed check is
        // counted, the first few with their state and action.
        Failures f = new Failures();
        for (State s : g.states()) {
            long[] w = pm.of(s);
            f.check(s.equals(pm.state(w)), () -> "state(of(s)) != s for " + s);
            int n = pm.encode(w, enc);
            f.check(n <= pm.maxWords, () -> "encoding longer than maxWords for " + s);
            f.check(pm.decode(enc, 0, back) == n && Arrays.equals(back, w), () -> "decode(encode) != w for " + s);
            for (String inv : PackedProperties.ported()) {
                if (inv.startsWith("S2")) continue;
                f.check(pp.holds(inv, w) == props.holds(inv, s), () -> inv + " differs on " + s);
            }
            int nc = pm.candidates(w, codes);
            List<Action> recordActions = rec.candidates(s);
            List<Action> packedActions = new ArrayList<>();
            for (int k = 0; k < nc; k++) packedActions.add(pm.action(codes[k]));
            f.check(new HashSet<>(packedActions).equals(new HashSet<>(recordActions)) && packedActions.size() == recordActions.size(),
                    () -> "candidates " + packedActions + " != " + recordActions + " in " + s);
            // the explorer's candidates: the same in the same order, but for disabled ones
            int nl = pm.liveCandidates(w, live);
            int j = 0;
            for (int k = 0; k < nc; k++) {
                if (j < nl && live[j] == codes[k]) {
                    j++;
                    continue;
                }
                Action dropping = packedActions.get(k);
                f.check(!pm.step(w, codes[k], t, x), () -> "dropped " + dropping + " is enabled in " + s);
                dropped++;
            }
            f.check(j == nl, () -> "live candidates are not a subsequence of candidates in " + s);
            for (int k = 0; k < nc; k++) {
                Action a = packedActions.get(k);
                Step st = rec.step(s, a);
                boolean enabled = pm.step(w, codes[k], t, x);
                f.check(enabled == st instanceof Step.Next, () -> a + " enabled " + enabled + " in packed, not in record, in " + s);
                System.arraycopy(w, 0, onCopy, 0, pm.len);
                f.check(pm.stepOn(w, codes[k], onCopy, x) == enabled, () -> "stepOn differs from step for " + a + " in " + s);
                if (!enabled) f.check(Arrays.equals(onCopy, w), () -> "a disabled " + a + " changed the copy in " + s);
                if (st instanceof Step.Next nx) {
                    f.check(Arrays.equals(onCopy, t), () -> "stepOn and step give other successors of " + a + " in " + s);
                    // canonical working copy: its encoding decodes to it (so fingerprints of copies are the states')
                    pm.encode(t, enc);
                    pm.decode(enc, 0, back);
                    f.check(Arrays.equals(back, t), () -> "successor of " + a + " from " + s + " is not canonical");
                    f.check(pm.fingerprint(back) == pm.fingerprint(t), () -> "fingerprint of a copy differs after " + a + " from " + s);
                    f.check(nx.state().equals(pm.state(t)), () -> a + " from " + s + ": packed " + pm.state(t) + ", record " + nx.state());
                    f.check((pp.firstViolatedOnStep(w, t) == null)
                            == props.holdsOnStep("S2_InvalidateBeforeLayoutChange", s, nx.state()), () -> "S2 differs on " + a + " from " + s);
                    steps++;
                }
            }
        }
        f.steps = steps;
        f.dropped = dropped;
        f.check(steps == g.edges().size(), () -> "steps " + f.steps + " != the record graph's edges " + g.edges().size());
        return f;
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
                .filter(v -> PackedModel.packs(constants(MANIFEST.planVariant(v)).variant())).forEach(v -> out.add(v));
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

    /** The comparison has teeth: a packed graph of another variant is not values'. */
    @Test
    void aDifferentRelationIsNotEqual() {
        Constants c = constants(MANIFEST.plan("values"));
        Explorer.Result rec = new Explorer(new DeviceMapModel(c), List.of(), List.of()).keepGraph(true).run();
        Explorer.Result wrong = new PackedExplorer(new PackedModel(c.withVariant(Variant.MAP_WHILE_CACHED)), List.of())
                .graph().toResult();
        assertThat(labelledEdges(wrong)).isNotEqualTo(labelledEdges(rec));
    }

    /** Every variant and kernel choice (the fs-dax ones, PageCache = FALSE, too) but those not packed yet. */
    static Stream<String> variants() {
        return Stream.concat(MANIFEST.variants().keySet().stream(), MANIFEST.choices().keySet().stream())
                .filter(v -> PackedModel.packs(constants(MANIFEST.planVariant(v)).variant()));
    }

    @Test
    void everyChoiceNotPackedIsRefusedByName() {
        // a choice is packed only by being listed: one that lands later (every value of Variant not in PACKED) is refused
        List<Variant> notPacked = java.util.Arrays.stream(Variant.values()).filter(v -> !PackedModel.packs(v)).toList();
        org.assertj.core.api.Assertions.assertThat(notPacked).contains(Variant.CLONE_HOLE).doesNotContain(Variant.NONE);
        for (Variant v : notPacked) {
            Constants c = constants(MANIFEST.plan("ci")).withVariant(v);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PackedModel(c))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(v.tla());
        }
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
    void twoWorkersFindTheStatesTlcFoundOnCi() {
        RunPlan plan = MANIFEST.plan("ci");
        Constants c = constants(plan);
        List<String> safety = new ArrayList<>(plan.invariants());
        plan.properties().stream().filter(p -> p.startsWith("S")).forEach(safety::add);
        PackedExplorer.Result packed = new PackedExplorer(new PackedModel(c), safety).workers(2).run();
        assertThat(packed.ok()).isTrue();
        // models.json records TLC's count and depth (dmap check fails when TLC's differ)
        assertThat(packed.distinct()).isEqualTo(plan.expect().distinct());
        assertThat(packed.depth()).isEqualTo(plan.expect().depth());
        assertThat(packed.bytesPerState()).isPositive();
    }

    /** Collects failed checks cheaply: the message is built only for the first few. */
    static final class Failures {
        final List<String> first = new ArrayList<>();
        long count;
        long steps;
        long dropped;

        void check(boolean ok, Supplier<String> what) {
            if (ok) return;
            count++;
            if (first.size() < 5) first.add(what.get());
        }
    }
}
