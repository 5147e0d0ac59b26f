package dev.devmap.props;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.Reason;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.statistics.Statistics;

import java.util.List;
import java.util.Set;

/**
 * The stateful properties over the reference model. Each chain step is checked at once against
 * every spec invariant (in models.json's order), the step property S2, and the properties of
 * {@link Violation}: a pinned mapping survives munmap and dies with its dma_buf (or the exporter's
 * revoke), device_unmap returns exactly the grant's BAR pages, every refusal carries the reason the
 * protocol gives (and a grant none), every read returns the last write, and (bounded liveness)
 * the system alone brings every state to quiet: invalidations end, DMA completes, prepared maps
 * resolve, unplug finishes, the BAR holds exactly the grants' pages.
 *
 * <p>The statistics report which actions, refusal reasons and interleavings the chains exercised;
 * a run fails when one of the spec's actions, one of the reasons possible under the constants,
 * or one of the targeted interleavings never occurred.
 */
@AddLifecycleHook(CampaignHook.class)
@AddLifecycleHook(MinimizeHook.class)
class ModelChainProperties {

    /** The larger model (two importers): the chains the issue asks for, tens of steps long. */
    @Property(tries = 500)
    void everyPropertyHoldsAfterEveryStepOfTheLargeModel(@ForAll("large") ActionChain<Run> chain) {
        Run run = chain.run();
        run.collectStatistics();
        run.verify();
        requireCoverage(Specs.model("large"));
    }

    /** The CI model (one importer): cheaper states, the same properties. */
    @Property(tries = 150)
    void everyPropertyHoldsAfterEveryStepOfTheCiModel(@ForAll("ci") ActionChain<Run> chain) {
        Run run = chain.run();
        run.collectStatistics();
        run.verify();
        everyActionStepsOrSaysWhyNot(run);
    }

    /**
     * The coverage models of the CI set (models.json "values", "caps", "pair", "daxcow", "nofree"): device
     * writes after a grant, importers without a route or atomics, two importers' grants at once, an fs-dax
     * write to a shared block under a grant, no PIN support, an exporter that cannot invalidate. Their
     * invariants include S14_RefusalOrder (all but daxcow's, which are dax's) and their properties
     * S11-S13, so the spec's refusal order, pin lifetime, BAR return and read-last-write are checked here in Java
     * too; bounded liveness where the model checks liveness (not on nofree).
     */
    @Property(tries = 50)
    void everyPropertyHoldsAfterEveryStepOfTheValuesModel(@ForAll("values") ActionChain<Run> chain) {
        onCoverageModel(chain);
    }

    @Property(tries = 50)
    void everyPropertyHoldsAfterEveryStepOfTheCapsModel(@ForAll("caps") ActionChain<Run> chain) {
        onCoverageModel(chain);
    }

    @Property(tries = 50)
    void everyPropertyHoldsAfterEveryStepOfThePairModel(@ForAll("pair") ActionChain<Run> chain) {
        onCoverageModel(chain);
    }

    @Property(tries = 50)
    void everyPropertyHoldsAfterEveryStepOfTheDaxcowModel(@ForAll("daxcow") ActionChain<Run> chain) {
        onCoverageModel(chain);
    }

    @Property(tries = 50)
    void everyPropertyHoldsAfterEveryStepOfTheNofreeModel(@ForAll("nofree") ActionChain<Run> chain) {
        onCoverageModel(chain);
    }

    /** The fs-dax model (no page cache, no PIN): writes allocate and copy blocks (WriteBlock), reads go to them. */
    @Property(tries = 50)
    void everyPropertyHoldsAfterEveryStepOfTheDaxModel(@ForAll("dax") ActionChain<Run> chain) {
        onCoverageModel(chain);
    }

    /**
     * The kernel choices (models.json "choices"): their code (copy on fault, the DAX dirty tag and
     * writeback's write-protect, munmap acking with DMA in flight, whole-file breaks, clone of a hole, the
     * layout break's second round, a busy folio dropped by reflink, ...) runs only under their Variant, so
     * no model's chain reaches it. A try takes one of them and walks the model from Init, each step one of
     * the enabled actions, checking after every step the safety properties models.json says the choice
     * keeps (for a choice that breaks nothing: all of them; a choice that breaks some keeps the others).
     * The tests' own protocol oracles ({@link Run}) are not asked: a choice is the kernel's way, not the
     * proposal's (write-shared-cow-on-fault grants a WRITE over a shared block).
     */
    @Property(tries = 240)
    void aChoiceKeepsWhatModelsJsonSaysOnEveryStep(@ForAll("anyChoice") String name,
            @ForAll @net.jqwik.api.constraints.Size(min = 15, max = 40) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 9999) Integer> picks) {
        List<String> keeps = Specs.manifest().variant(name).choice().keeps();
        dev.devmap.model.DeviceMapModel m = new dev.devmap.model.DeviceMapModel(Specs.variant(name));
        dev.devmap.model.SafetyProperties props = new dev.devmap.model.SafetyProperties(m);
        List<String> invariants = new java.util.ArrayList<>(List.of("TypeOK"));
        invariants.addAll(keeps);
        invariants.retainAll(props.invariantNames());
        List<String> steps = new java.util.ArrayList<>(keeps);
        steps.retainAll(props.stepPropertyNames());
        dev.devmap.model.State s = m.init();
        org.assertj.core.api.Assertions.assertThat(props.firstViolated(invariants, s)).as("%s: Init", name).isEmpty();
        int taken = 0;
        for (int k : picks) {
            List<dev.devmap.model.Transition> next = m.successors(s);   // the model's Next
            if (next.isEmpty()) break;
            dev.devmap.model.State t = next.get(k % next.size()).next();
            Action a = next.get(k % next.size()).action();
            org.assertj.core.api.Assertions.assertThat(props.firstViolated(invariants, t))
                    .as("%s: after step %d, %s", name, taken + 1, a).isEmpty();
            org.assertj.core.api.Assertions.assertThat(props.firstViolatedOnStep(steps, s, t))
                    .as("%s: step %d, %s", name, taken + 1, a).isEmpty();
            s = t;
            taken++;
        }
        Statistics.label("choice").collect(name);
        Statistics.label("steps").collect(taken >= 20 ? ">= 20" : taken >= 5 ? "5-19" : "< 5");
    }

    private static void onCoverageModel(ActionChain<Run> chain) {
        Run run = chain.run();
        run.collectStatistics();
        run.verify();
    }

    /**
     * The step function's contract in every visited state: each action of Next (every candidate)
     * gives the next state or says why it is disabled; never nothing.
     */
    static void everyActionStepsOrSaysWhyNot(Run run) {
        for (dev.devmap.model.State s : run.visited) {
            for (Action a : run.m.candidates(s)) {
                dev.devmap.model.Step st = run.m.step(s, a);
                org.assertj.core.api.Assertions.assertThat(st).as("step(%s) in%n%s", a, s).isNotNull();
                if (st instanceof dev.devmap.model.Step.Disabled d) {
                    org.assertj.core.api.Assertions.assertThat(d.why()).as("why %s is disabled", a).isNotBlank();
                }
            }
        }
    }

    /**
     * Refusal reasons on a model where every reason can occur often: the large model plus an
     * importer without a P2P route ("fpga"), a filesystem without PIN support, and a BAR of one page.
     */
    @Property(tries = 150)
    void everyRefusalCarriesTheReasonTheProtocolGives(@ForAll("refusals") ActionChain<Run> chain) {
        Run run = chain.run();
        run.collectStatistics();
        run.verify();
        Statistics.label("refusal").coverage(cov -> {
            for (Reason r : Reason.values()) cov.check(r.tla()).count(n -> n > 0);
        });
    }

    @Provide
    Arbitrary<ActionChain<Run>> large() {
        return Chains.chains(Chains.onModel("large"), Campaign.chainLength(60));
    }

    @Provide
    Arbitrary<ActionChain<Run>> ci() {
        return Chains.chains(Chains.onModel("ci"), Campaign.chainLength(50));
    }

    @Provide
    Arbitrary<ActionChain<Run>> values() { return coverageChains("values"); }

    @Provide
    Arbitrary<ActionChain<Run>> caps() { return coverageChains("caps"); }

    @Provide
    Arbitrary<ActionChain<Run>> pair() { return coverageChains("pair"); }

    @Provide
    Arbitrary<ActionChain<Run>> daxcow() { return coverageChains("daxcow"); }

    @Provide
    Arbitrary<ActionChain<Run>> nofree() { return coverageChains("nofree"); }

    @Provide
    Arbitrary<ActionChain<Run>> dax() { return coverageChains("dax"); }

    @Provide
    Arbitrary<String> anyChoice() {
        return net.jqwik.api.Arbitraries.of(List.copyOf(Specs.manifest().choices().keySet()));
    }

    private static Arbitrary<ActionChain<Run>> coverageChains(String model) {
        boolean liveness = Specs.plan(model).properties().stream().anyMatch(p -> p.startsWith("L"));
        return Chains.chains(Chains.onModel(model, liveness), Campaign.chainLength(40));
    }

    @Provide
    Arbitrary<ActionChain<Run>> refusals() {
        Constants c = refusalConstants();
        List<String> invariants = Specs.plan("large").invariants();
        return Chains.chains(() -> new Run("large + unrouted fpga, no PIN support, BAR of 1 page", c, invariants, true),
                Campaign.chainLength(40));
    }

    static Constants refusalConstants() {
        Constants l = Specs.model("large");
        return new Constants(l.files(), l.nOff(), l.nBlocks(), List.of("gpu", "nic", "fpga"), l.route(), l.atomicRoute(),
                l.writeOK(), 1, l.maxVal(), false, l.bdevCanInvalidate(), l.variant());
    }

    /** Every action of the spec, every reason possible here, every targeted interleaving: exercised. */
    static void requireCoverage(Constants c) {
        Statistics.label("action").coverage(cov -> {
            for (String a : Action.NAMES) cov.check(a).count(n -> n > 0);
        });
        Statistics.label("refusal").coverage(cov -> {
            for (Reason r : possibleReasons(c)) cov.check(r.tla()).count(n -> n > 0);
        });
        Statistics.label("interleaving").coverage(cov -> {
            for (String r : TARGETED) cov.check(r).count(n -> n > 0);
        });
    }

    static final List<String> TARGETED = List.of("prepared map overtaken (MapRetry)", "map prepared while an invalidation runs",
            "invalidation while a map is prepared", "truncate/punch next to a pinned grant",
            "truncate/punch refused under a pin (EBUSY)", "munmap with a pinned grant", "unplug with DMA in flight");

    static Set<Reason> possibleReasons(Constants c) {
        Set<Reason> rs = new java.util.TreeSet<>(Set.of(Reason.HOLE, Reason.CACHED, Reason.SHARED, Reason.EXPORTER_GONE,
                Reason.BAR_FULL));
        if (!c.pinSupport()) rs.add(Reason.PIN_UNSUPPORTED);
        if (!c.route().containsAll(c.importers())) rs.add(Reason.NO_ROUTE);
        if (!c.atomicRoute().containsAll(c.route())) rs.add(Reason.NO_ATOMIC_ROUTE);
        if (!c.writeOK().containsAll(c.route())) rs.add(Reason.WRITE_NOT_ALLOWED);
        return rs;
    }
}
