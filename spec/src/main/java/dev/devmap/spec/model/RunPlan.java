package dev.devmap.spec.model;

import dev.devmap.spec.tla.TlaValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one TLC run needs: resolved from a {@link Model}, or from a {@link VariantModel} on top
 * of its base model.
 *
 * @param name        the model or variant name
 * @param spec        the root module of the spec (e.g. DeviceMap)
 * @param constants   all constants with their values
 * @param invariants  checked with INVARIANT
 * @param properties  checked with PROPERTY; when empty the run uses {@code Spec}, else {@code FairSpec}
 * @param model       the model (for a variant: its base)
 * @param variant     the variant, or null for a plain model run
 */
public record RunPlan(String name, String spec, Map<String, TlaValue> constants, List<String> invariants,
                      List<String> properties, Expectation expect, Model model, VariantModel variant) {
    public RunPlan {
        constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        invariants = List.copyOf(invariants);
        properties = List.copyOf(properties);
    }

    public boolean isVariant() {
        return variant != null;
    }

    /** The behaviour spec to check: {@code FairSpec} when there are properties, else {@code Spec}. */
    public String specification() {
        return properties.isEmpty() ? "Spec" : "FairSpec";
    }

    /** "ci" or "variant no-ack-wait". */
    public String title() {
        return isVariant() ? "variant " + name : name;
    }

    /** The .cfg text (and, if needed, an MC module) for this run. */
    public TlcConfig config() {
        return TlcConfig.generate(this);
    }

    /**
     * The same with another behaviour spec, e.g. {@code Spec} for a run whose properties are all
     * safety properties (fairness changes no reachable state; the benchmark leaves it out).
     */
    public TlcConfig config(String specification) {
        return TlcConfig.generate(this, specification);
    }
}
