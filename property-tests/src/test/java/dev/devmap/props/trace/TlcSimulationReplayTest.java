package dev.devmap.props.trace;

import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.props.Campaign;
import dev.devmap.props.Specs;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.tla.TlaState;
import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tlc.TlcRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLC -> Java: TLC's random simulation traces of the larger model replay in Java step by step.
 * Counts: {@value #TRACES} behaviours of {@value #DEPTH} states per run (ten times the behaviours
 * with -Ddmap.campaign=true).
 */
class TlcSimulationReplayTest {
    static final int TRACES = 200;
    static final int DEPTH = 60;

    static RunPlan plan;
    static DeviceMapModel model;
    static TlaBridge bridge;
    static List<List<TlaState>> traces;
    static long seed;

    @BeforeAll
    static void simulate() throws Exception {
        plan = Specs.plan("large");
        Constants c = Specs.model("large");
        model = new DeviceMapModel(c);
        bridge = new TlaBridge(c);
        seed = Campaign.seed();
        long start = System.nanoTime();
        traces = TraceTools.simulate(new TlcRunner(), Specs.specDir(), plan, Campaign.traces(TRACES), DEPTH, seed);
        System.out.printf("[trace] TLC simulated %d behaviours of the large model, %d states each, in %.1fs (TLC -seed %d)%n",
                traces.size(), DEPTH, (System.nanoTime() - start) / 1e9, seed);
    }

    @Test
    void everySimulatedBehaviourReplaysInJava() {
        long start = System.nanoTime();
        int steps = 0;
        List<String> bad = new ArrayList<>();
        for (int k = 0; k < traces.size(); k++) {
            Optional<String> why = TraceTools.replay(model, bridge, traces.get(k));
            why.ifPresent(w -> bad.add(w));
            steps += traces.get(k).size() - 1;
        }
        System.out.printf("[trace] TLC -> Java: %d behaviours, %d steps replayed in %.1fs; rejected: %d (seed %d)%n",
                traces.size(), steps, (System.nanoTime() - start) / 1e9, bad.size(), seed);
        assertThat(traces).hasSize(Campaign.traces(TRACES));
        assertThat(traces).allSatisfy(t -> assertThat(t).hasSize(DEPTH));
        assertThat(bad).as("behaviours TLC produced that Java rejects").isEmpty();
    }

    /** The replay has teeth: a behaviour with one state altered (the BAR count) is rejected there. */
    @Test
    void aTamperedBehaviourIsRejectedWhereItWasTampered() {
        List<TlaState> t = new ArrayList<>(traces.get(0));
        int k = DEPTH / 2;
        Map<String, TlaValue> vars = new LinkedHashMap<>(t.get(k).vars());
        long bar = ((TlaValue.Int) vars.get("bar")).value();
        vars.put("bar", TlaValue.integer(bar + 1));
        t.set(k, new TlaState(vars));
        Optional<String> why = TraceTools.replay(model, bridge, t);
        assertThat(why).isPresent();
        assertThat(why.get()).startsWith("state " + (k + 1) + " is no Java successor of state " + k);
    }

    /** And a behaviour that skips a state (two steps at once, if they differ) is rejected too. */
    @Test
    void aBehaviourMissingAStateIsRejected() {
        List<TlaState> t = traces.stream().filter(tr -> !tr.get(10).equals(tr.get(11)) && !tr.get(11).equals(tr.get(12)))
                .findFirst().orElseThrow();
        List<TlaState> cut = new ArrayList<>(t);
        cut.remove(11);
        // a state two steps later can be one step away by another path; most are not
        Optional<String> why = TraceTools.replay(model, bridge, cut);
        boolean oneStep = model.successors(bridge.fromTla(t.get(10))).stream()
                .anyMatch(tr -> tr.next().equals(bridge.fromTla(t.get(12))));
        assertThat(why.isPresent()).isEqualTo(!oneStep);
    }
}
