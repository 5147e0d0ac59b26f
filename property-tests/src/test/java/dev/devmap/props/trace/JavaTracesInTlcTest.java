package dev.devmap.props.trace;

import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.State;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.props.Campaign;
import dev.devmap.props.Specs;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;
import dev.devmap.spec.tlc.TraceStep;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java -> TLC: random Java behaviours of the larger model, written as trace modules, are
 * behaviours of the spec. Counts: {@value #BATCHES} TLC runs of {@value #PER_BATCH} behaviours of
 * {@value #STEPS} steps each (ten times the batches with -Ddmap.campaign=true).
 */
class JavaTracesInTlcTest {
    static final int BATCHES = 4;
    static final int PER_BATCH = 50;
    static final int STEPS = 30;

    static RunPlan plan;
    static DeviceMapModel model;
    static TlaBridge bridge;
    static final TlcRunner runner = new TlcRunner();

    @BeforeAll
    static void setUp() {
        plan = Specs.plan("large");
        Constants c = Specs.model("large");
        model = new DeviceMapModel(c);
        bridge = new TlaBridge(c);
    }

    @Test
    void randomJavaBehavioursAreBehavioursOfTheSpec() throws Exception {
        long seed = Campaign.seed();
        int batches = Campaign.traces(BATCHES);
        long start = System.nanoTime();
        int states = 0;
        for (int b = 0; b < batches; b++) {
            List<List<State>> runs = TraceTools.randomRuns(model, seed + b, PER_BATCH, STEPS);
            int expected = runs.stream().mapToInt(List::size).sum();
            TlcResult r = TraceTools.check(runner, Specs.specDir(), plan, TraceTools.traceModule(bridge, runs));
            assertThat(r.outcome()).as("batch %d (seed %d): %s %s%n%s", b, seed + b, r.violated(), where(r), r.errorText())
                    .isEqualTo(TlcResult.Outcome.OK);
            // every state of every trace was reached: each accepted step adds exactly one state
            assertThat(r.distinct()).as("batch %d (seed %d)", b, seed + b).isEqualTo(expected);
            states += expected;
        }
        System.out.printf("[trace] Java -> TLC: %d behaviours of %d steps (%d states) in %d TLC runs, accepted in %.1fs (seed %d)%n",
                batches * PER_BATCH, STEPS, states, batches, (System.nanoTime() - start) / 1e9, seed);
    }

    /** The check has teeth: a behaviour with a skipped state is rejected at that place. */
    @Test
    void aBehaviourThatSkipsAStepIsRejectedThere() throws Exception {
        long seed = Campaign.seed();
        List<List<State>> runs = new ArrayList<>(TraceTools.randomRuns(model, seed, 5, 12));
        // trace 3: drop a state whose successor is not also a successor of its predecessor
        List<State> t = new ArrayList<>(runs.get(2));
        int cut = -1;
        for (int k = 1; k + 1 < t.size() && cut < 0; k++) {
            State before = t.get(k - 1);
            State after = t.get(k + 1);
            if (!before.equals(after) && TraceTools.actionsBetween(model, before, after).isEmpty()) cut = k;
        }
        assertThat(cut).as("a droppable state in %s", t).isPositive();
        t.remove(cut);
        runs.set(2, t);
        TlcResult r = TraceTools.check(runner, Specs.specDir(), plan, TraceTools.traceModule(bridge, runs));
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.DEADLOCK);
        TraceStep last = r.trace().get(r.trace().size() - 1);
        assertThat(last.state().require("tr")).isEqualTo(TlaValue.integer(3));
        assertThat(last.state().require("cur")).isEqualTo(TlaValue.integer(cut));
    }

    private static String where(TlcResult r) {
        if (r.trace().isEmpty()) return "";
        TraceStep last = r.trace().get(r.trace().size() - 1);
        return "at trace " + last.state().get("tr") + ", position " + last.state().get("cur");
    }
}
