package dev.devmap.harness.scenario;

import dev.devmap.kernelapi.Op;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Requirement;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One conformance scenario: a configuration and either a fixed list of operations (spec-guided
 * scenarios) or a seeded random sequence. Every scenario ends with {@code settle} (the bounded
 * liveness check).
 *
 * @param id         a short name, unique in a run
 * @param group      "guided" or "random"
 * @param title      one line for the report
 * @param exercises  the requirements it is written to exercise
 * @param ops        the operations (empty for a random scenario)
 * @param configure  the configuration it proposes, from the standard one
 * @param needs      conditions on the device's actual configuration, each with the reason to skip
 * @param seed       random scenario: its seed
 * @param length     random scenario: how many operations
 */
public record Scenario(String id, String group, String title, List<Requirement> exercises, List<Op> ops,
                       UnaryOperator<DutConfig> configure, List<Need> needs, long seed, int length) {
    /** A condition on the actual configuration, and the reason to skip when it does not hold. */
    public record Need(String reason, Predicate<DutConfig> holds) {}

    public Scenario {
        exercises = List.copyOf(exercises);
        ops = List.copyOf(ops);
        needs = List.copyOf(needs);
    }

    public boolean random() { return length > 0; }

    public static Scenario random(String id, long seed, int length) {
        return new Scenario(id, "random", "seeded random sequence of " + length + " operations (seed " + seed + ")",
                List.of(), List.of(), c -> c, List.of(), seed, length);
    }

    /** The wire names of the operations it needs (random scenarios use what the device has). */
    public Set<String> opsNeeded() {
        Set<String> out = new LinkedHashSet<>();
        for (Op op : ops) out.addAll(dev.devmap.harness.Capabilities.needed(op));
        if (!ops.isEmpty()) out.add("settle");
        return out;
    }

    /** The same scenario with other operations (the shrinker's candidates). */
    public Scenario withOps(List<Op> other) {
        return new Scenario(id, group, title, exercises, new ArrayList<>(other), configure, needs, seed, 0);
    }
}
