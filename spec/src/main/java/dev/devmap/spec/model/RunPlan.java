package dev.devmap.spec.model;

import dev.devmap.spec.tla.TlaValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one TLC run needs: resolved from a {@link Model}, or from a {@link Variant} on top
 * of its base model.
 *
 * @param name        the model or variant name
 * @param spec        the root module of the spec (e.g. DeviceMap)
 * @param constants   all constants with their values
 * @param invariants  checked with INVARIANT
 * @param properties  checked with PROPERTY; with a liveness property (L1-L6) the run uses {@code FairSpec}, else {@code Spec}
 * @param model       the model (for a variant: its base)
 * @param variant     the variant, or null for a plain model run
 */
public record RunPlan(String name, String spec, Map<String, TlaValue> constants, List<String> invariants,
                      List<String> properties, Expectation expect, Model model, Variant variant) {
    public RunPlan {
        constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        invariants = List.copyOf(invariants);
        properties = List.copyOf(properties);
    }

    public boolean isVariant() {
        return variant != null;
    }

    /**
     * The behaviour spec to check: {@code FairSpec} when a liveness property (L1-L6) is checked,
     * else {@code Spec}: fairness changes no reachable state, and S2 is a safety (action) property.
     */
    public String specification() {
        return properties.stream().anyMatch(p -> p.startsWith("L")) ? "FairSpec" : "Spec";
    }

    /** "ci" or "variant no-ack-wait". */
    public String title() {
        return isVariant() ? "variant " + name : name;
    }

    /** The .cfg text (and, if needed, an MC module) for this run. */
    public TlcConfig config() {
        return TlcConfig.generate(this);
    }
}
