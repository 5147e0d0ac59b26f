package dev.devmap.props;

import dev.devmap.model.State;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.tla.TlaState;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.state.ActionChain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge the trace validation relies on: every state a chain visits survives the way to TLC's
 * text and back (Java -> TLA value -> printed text -> parsed -> Java), so a mismatch in the trace
 * checks is a mismatch of the models, not of the translation.
 */
@AddLifecycleHook(CampaignHook.class)
class TlaBridgeRoundTripProperties {
    @Property(tries = 60)
    void everyVisitedStateSurvivesTheWayThroughTlcText(@ForAll("large") ActionChain<Run> chain) {
        Run run = chain.run();
        TlaBridge bridge = new TlaBridge(run.c);
        for (State s : run.visited) {
            TlaState tla = bridge.toTla(s);
            TlaState parsed = TlaState.parse(tla.print());
            assertThat(parsed).isEqualTo(tla);
            assertThat(bridge.fromTla(parsed)).isEqualTo(s);
            assertThat(parsed.vars().keySet()).containsExactlyElementsOf(State.VARIABLES);
        }
    }

    @Provide
    Arbitrary<ActionChain<Run>> large() {
        return Chains.chains(Chains.onModel("large"), Campaign.chainLength(60));
    }
}
