package dev.devmap.mirror;

import dev.devmap.explore.Explorer;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Variant;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.tlc.DotDump;
import dev.devmap.spec.tlc.TlcRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mirror contract on the CI model and today's kernel's choices, and a check that the check has
 * teeth. The variants: {@link VariantMirrorTest} (a class of its own, so that the two run side by
 * side in mvn verify's two test JVMs).
 */
class MirrorCheckTest {
    static final Path SPEC = Path.of("..", "spec");
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(SPEC);
    static DotDump.StateGraph ciGraph;

    @BeforeAll
    static void dumpCiGraphOnce() throws Exception {
        var plan = MANIFEST.plan("ci");
        Path cached = dev.devmap.spec.tlc.GraphCache.file(SPEC, plan);
        if (Files.exists(cached)) {   // the spec module's CiModelTest of this build checked this spec on ci and kept it
            ciGraph = DotDump.read(cached).withoutStuttering();   // that run checked liveness
            return;
        }
        Path dir = Files.createTempDirectory("mirror-test");
        var graphOnly = new dev.devmap.spec.model.RunPlan(plan.name(), plan.spec(), plan.constants(), List.of("TypeOK"),
                List.of(), plan.expect(), plan.model(), plan.variant());
        var cfg = graphOnly.config();
        Path dot = dir.resolve("ci.dot");
        var r = new TlcRunner().run(dev.devmap.spec.tlc.TlcJob.builder(SPEC, cfg.mainModule(), cfg.cfg())
                .cfgFileName(cfg.cfgFileName()).extraFiles(cfg.extraModules()).workers(2).dumpDot(dot).build());
        assertThat(r.outcome()).isEqualTo(dev.devmap.spec.tlc.TlcResult.Outcome.OK);
        ciGraph = DotDump.read(dot);
        dev.devmap.spec.tlc.GraphCache.keep(SPEC, plan, dot);
    }

    private static Constants ci() { return TlaBridge.constants(MANIFEST.plan("ci").constants()); }

    @Test
    void ciStatesAndEdgesEqualTlcs() {
        Constants c = ci();
        Explorer.Result java = new Explorer(new DeviceMapModel(c), List.of(), List.of()).keepGraph(true).run();
        MirrorCheck.Report r = MirrorCheck.compare("ci", c, ciGraph, java);
        assertThat(r.agree()).as(r.summary() + "\n" + r.detail()).isTrue();
        assertThat(ciGraph.nodes()).hasSize((int) java.distinct());
    }

    /** The packed explorer's states and labelled edges are TLC's too (decoded to records). */
    @Test
    void ciStatesAndEdgesOfThePackedExplorerEqualTlcs() {
        Constants c = ci();
        Explorer.Result packed = new dev.devmap.packed.PackedExplorer(new dev.devmap.packed.PackedModel(c), List.of())
                .graph().toResult();
        MirrorCheck.Report r = MirrorCheck.compare("ci", c, ciGraph, packed);
        assertThat(r.agree()).as(r.summary() + "\n" + r.detail()).isTrue();
        assertThat(ciGraph.nodes()).hasSize((int) packed.distinct());
    }

    /** A wrong guard in Java (the "cached" refusal dropped for WRITE) is caught and explained. */
    @Test
    void aWrongGuardInJavaIsReportedWithThePathToTheFirstDifferingState() {
        Constants wrong = ci().withVariant(Variant.MAP_WHILE_CACHED);
        Explorer.Result java = new Explorer(new DeviceMapModel(wrong), List.of(), List.of()).keepGraph(true).run();
        MirrorCheck.Report r = MirrorCheck.compare("ci", ci(), ciGraph, java);
        assertThat(r.agree()).isFalse();
        assertThat(r.summary()).contains("only Java reaches");
        assertThat(r.detail()).contains("first state only Java reaches").contains("MapPrepare").contains("pend:");
    }

    /** The other direction: a guard too strong in Java (no writes at all) leaves TLC states unmatched. */
    @Test
    void missingJavaBehaviourIsReportedWithTlcsPath() {
        Constants c = ci();
        Constants noWrites = new Constants(c.files(), c.nOff(), c.nBlocks(), c.importers(), c.route(), c.atomicRoute(),
                c.writeOK(), c.barSize(), 0, c.pinSupport(), c.bdevCanInvalidate(), c.variant());
        Explorer.Result java = new Explorer(new DeviceMapModel(noWrites), List.of(), List.of()).keepGraph(true).run();
        MirrorCheck.Report r = MirrorCheck.compare("ci", c, ciGraph, java);
        assertThat(r.agree()).isFalse();
        assertThat(r.summary()).contains("only TLC reaches");
        assertThat(r.detail()).contains("first state only TLC reaches").contains("CpuWrite").contains("nextv: 0 -> 1");
    }

    @Test
    void everyLivenessPropertyHoldsOnTheCiModelInJavaToo() {
        LivenessChecker lc = LivenessChecker.of(new DeviceMapModel(ci()));
        assertThat(lc.distinct()).isEqualTo(ciGraph.nodes().size());
        for (String p : MANIFEST.plan("ci").properties()) {
            if (p.startsWith("L")) assertThat(lc.check(p).violated()).as(p).isFalse();
        }
    }

    /**
     * Today's kernel's choices: TLC and Java agree. In mvn verify only the two whose first violation
     * is a short safety trace (seconds); the liveness one and the two that keep every property (a
     * full state-graph comparison, minutes) with -Ddmap.choices.mirror=true or './dmap mirror --variant NAME'.
     */
    static List<String> choices() {
        if (Boolean.getBoolean("dmap.choices.mirror")) return List.copyOf(MANIFEST.choices().keySet());
        return MANIFEST.choices().values().stream().filter(v -> !v.holds() && !v.violates().startsWith("L"))
                .filter(v -> !dev.devmap.model.Variant.of(v.name()).combination())   // a full graph first: minutes
                .map(dev.devmap.spec.model.VariantModel::name).toList();
    }

    @ParameterizedTest
    @MethodSource("choices")
    void everyKernelChoiceGetsTheSameVerdictInBoth(String choice) throws Exception {
        MirrorCheck.Report r = new MirrorCheck(SPEC, new TlcRunner()).variant(MANIFEST, choice);
        assertThat(r.agree()).as(r.summary() + "\n" + r.detail()).isTrue();
        var v = MANIFEST.variant(choice);
        assertThat(r.summary()).contains(v.holds() ? "every property holds" : v.violates());
    }
}
