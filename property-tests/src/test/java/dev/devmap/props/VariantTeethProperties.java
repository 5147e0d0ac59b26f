package dev.devmap.props;

import dev.devmap.model.Constants;
import dev.devmap.spec.model.RunPlan;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.providers.TypeUsage;
import net.jqwik.api.state.ActionChain;

/**
 * Teeth: the properties of {@link ModelChainProperties}, run on each variant of models.json (a
 * protection of the protocol removed). Each must fail with the property the manifest names, and
 * the counterexample, shrunk, is printed as numbered steps with the variables each step changed.
 * Tries stop at the first failure; the tries given are a ceiling.
 */
@AddLifecycleHook(CampaignHook.class)
@AddLifecycleHook(MinimizeHook.class)
class VariantTeethProperties {
    private static final int TRIES = 3000;

    @Property(tries = TRIES) @Teeth("no-ack-wait")
    void noAckWait(@ForAll("chain") @Under("no-ack-wait") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("valid-flag")
    void validFlag(@ForAll("chain") @Under("valid-flag") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("map-while-cached")
    void mapWhileCached(@ForAll("chain") @Under("map-while-cached") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("truncate-ignores-pin")
    void truncateIgnoresPin(@ForAll("chain") @Under("truncate-ignores-pin") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("unplug-without-invalidate")
    void unplugWithoutInvalidate(@ForAll("chain") @Under("unplug-without-invalidate") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("bar-overcommit")
    void barOvercommit(@ForAll("chain") @Under("bar-overcommit") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("atomic-without-route")
    void atomicWithoutRoute(@ForAll("chain") @Under("atomic-without-route") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("write-to-hole")
    void writeToHole(@ForAll("chain") @Under("write-to-hole") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("unbounded-revoke")
    void unboundedRevoke(@ForAll("chain") @Under("unbounded-revoke") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("early-tlb-flush")
    void earlyTlbFlush(@ForAll("chain") @Under("early-tlb-flush") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("gup-no-dirty")
    void gupNoDirty(@ForAll("chain") @Under("gup-no-dirty") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("unmap-keeps-bar")
    void unmapKeepsBar(@ForAll("chain") @Under("unmap-keeps-bar") ActionChain<Run> chain) { check(chain); }

    @Property(tries = TRIES) @Teeth("cow-without-invalidate")
    void cowWithoutInvalidate(@ForAll("chain") @Under("cow-without-invalidate") ActionChain<Run> chain) { check(chain); }

    private static void check(ActionChain<Run> chain) {
        chain.run().verify();
    }

    @Provide
    Arbitrary<ActionChain<Run>> chain(TypeUsage type) {
        String variant = type.findAnnotation(Under.class).orElseThrow().value();
        RunPlan plan = Specs.manifest().planVariant(variant);
        Constants c = Specs.variant(variant);
        return Chains.chains(() -> new Run("variant " + variant + " (base " + plan.model().name() + ")", c,
                plan.invariants(), true), Campaign.chainLength(40));
    }
}
