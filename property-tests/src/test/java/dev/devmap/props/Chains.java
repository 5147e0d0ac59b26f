package dev.devmap.props;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.Grant;
import dev.devmap.model.Inv;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Transition;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Action chains over the model. Each step is drawn from what the current state allows: first a
 * kind (a spec action's name, a refused device_map, a truncate/punch refused with EBUSY, a read),
 * with a weight that depends on the state, then one of that kind's instances uniformly. The
 * weights favour the interleavings where the protocol's bugs live:
 * <ul>
 *   <li>invalidation racing with map: with a map prepared, the actions that start an invalidation
 *       weigh three times as much; while an invalidation runs, MapPrepare and MapCommit weigh double;</li>
 *   <li>truncate racing with pin: with a pinned grant, truncate and punch (granted or refused with
 *       EBUSY) and munmap weigh four times as much;</li>
 *   <li>unplug with DMA in flight: UnplugStart weighs six times as much while a DMA is in flight
 *       (and little otherwise, so that most chains keep their exporter for a while).</li>
 * </ul>
 */
public final class Chains {
    private Chains() {
    }

    public static ActionChainArbitrary<Run> chains(Supplier<Run> fresh, int maxSteps) {
        return ActionChain.<Run>startWith(fresh).withAction(new Choose()).withMaxTransformations(maxSteps);
    }

    /**
     * A run on a model of the manifest, checking its invariants, its step properties (S11-S13 where
     * models.json lists them) and the bounded liveness properties.
     */
    public static Supplier<Run> onModel(String model) {
        return onModel(model, true);
    }

    /** The same, with the bounded liveness checks only if asked (a model without fairness: no). */
    public static Supplier<Run> onModel(String model, boolean liveness) {
        Constants c = Specs.model(model);
        List<String> invariants = Specs.plan(model).invariants();
        List<String> properties = Specs.plan(model).properties();
        return () -> new Run(model, c, invariants, properties, liveness);
    }

    private static final String REFUSED_MAP = "device_map refused";
    private static final String EBUSY = "truncate/punch EBUSY";
    private static final String READ = "read(2)";

    static final class Choose implements net.jqwik.api.state.Action.Dependent<Run> {
        @Override
        public Arbitrary<Transformer<Run>> transformer(Run run) {
            State s = run.state;
            Map<String, List<Transformer<Run>>> byKind = new LinkedHashMap<>();
            boolean exporterMatters = !s.maps().isEmpty() || !s.pend().isEmpty();
            for (Transition t : run.m.successors(s)) {
                Action a = t.action();
                if (a instanceof Action.UnplugStart && !exporterMatters) continue;  // nothing to unplug from yet
                Transformer<Run> tr;
                if (a instanceof Action.MapPrepare mp) {
                    tr = Transformer.mutate(Describe.action(a), r -> r.deviceMap(mp));
                } else if (a instanceof Action.Truncate x) {
                    tr = Transformer.mutate(Describe.action(a), r -> r.layoutChange(x, x.f(), x.n() + 1, r.c.nOff()));
                } else if (a instanceof Action.PunchHole x) {
                    tr = Transformer.mutate(Describe.action(a), r -> r.layoutChange(x, x.f(), x.lo(), x.hi()));
                } else {
                    tr = Transformer.mutate(Describe.action(a), r -> r.apply(a));
                }
                byKind.computeIfAbsent(a.name(), k -> new ArrayList<>()).add(tr);
            }
            Constants c = run.c;
            for (Action a : run.m.candidates(s)) {
                if (a instanceof Action.MapPrepare mp && refused(run, mp)) {
                    // one kind per reason, so that rare reasons are tried as often as "hole"
                    Reason why = run.m.refusal(s, mp.i(), mp.f(), mp.lo(), mp.hi(), mp.pin(), mp.w(), mp.at());
                    byKind.computeIfAbsent(REFUSED_MAP + ": " + (why == null ? "none" : why.tla()), k -> new ArrayList<>())
                            .add(Transformer.mutate(Describe.action(a) + " (refused)", r -> r.deviceMap(mp)));
                } else if (a instanceof Action.Truncate x && run.ebusy(s, x)) {
                    byKind.computeIfAbsent(EBUSY, k -> new ArrayList<>())
                            .add(Transformer.mutate(Describe.action(a) + " (EBUSY)", r -> r.layoutChange(x, x.f(), x.n() + 1, r.c.nOff())));
                } else if (a instanceof Action.PunchHole x && run.ebusy(s, x)) {
                    byKind.computeIfAbsent(EBUSY, k -> new ArrayList<>())
                            .add(Transformer.mutate(Describe.action(a) + " (EBUSY)", r -> r.layoutChange(x, x.f(), x.lo(), x.hi())));
                }
            }
            for (String f : c.files()) {
                for (int o = 1; o <= c.nOff(); o++) {
                    int off = o;
                    byKind.computeIfAbsent(READ, k -> new ArrayList<>())
                            .add(Transformer.mutate("read(2) " + f + "[" + o + "]", r -> r.read(f, off)));
                }
            }
            List<Tuple.Tuple2<Integer, Arbitrary<Transformer<Run>>>> choices = new ArrayList<>();
            for (Map.Entry<String, List<Transformer<Run>>> e : byKind.entrySet()) {
                choices.add(Tuple.of(weight(e.getKey(), s), Arbitraries.of(e.getValue())));
            }
            return Arbitraries.frequencyOf(choices.toArray(Tuple.Tuple2[]::new));
        }

        private static boolean refused(Run run, Action.MapPrepare mp) {
            return dev.devmap.model.Step.guardOf(run.m.step(run.state, mp)) == dev.devmap.model.Guard.REFUSED;
        }
    }

    /** The weight of a kind of step in state s (see the class comment). */
    public static int weight(String kind, State s) {
        boolean prepared = !s.pend().isEmpty();
        boolean invalidating = s.inv().stream().anyMatch(Inv::on);
        boolean pinned = s.maps().stream().anyMatch(Grant::pin);
        boolean dma = !s.dma().isEmpty();
        // invalidation starters weigh more when there is something to race with: a prepared map, a grant
        int race = prepared ? 3 : !s.maps().isEmpty() ? 2 : 1;
        if (kind.startsWith(REFUSED_MAP)) return 6;
        switch (kind) {
            case "Mmap": return 15;
            case "Munmap": return 4 * race * (pinned ? 4 : 1);
            case "CpuWrite": return 40 * race;
            case "DevFallbackWrite": return 20 * race;
            case "Writeback": return 60;
            case "Evict": return 30;
            case "CpuRead": case "DevFallbackRead": return 3 * race;
            case "MapPrepare": return invalidating ? 300 : 150;
            case "MapCommit": return invalidating ? 160 : 80;
            case "MapRetry": return 60;
            case "DmaStart": return 60;
            case "DmaEnd": return 25;
            case "InvAck": case "InvEnd": return 40;
            case "RevokeAck": case "UnplugEnd": return 40;
            case "UnplugStart": return dma ? 60 : 3;
            case "Truncate": case "PunchHole":
                // the run's one write (MaxVal) is precious: without grants, layout changes are rare
                return race == 1 ? 1 : 4 * race * (pinned ? 10 : 1);
            case EBUSY: return 60;
            case "Fallocate": return 4 * race;
            case "Relocate": case "Unshare": case "Reflink": case "BarReclaim": return 12 * race;
            case "DeviceUnmap": case "DmaBufRelease": return 15;
            case READ: return 8;
            default: throw new IllegalArgumentException("no weight for step kind " + kind);
        }
    }
}
