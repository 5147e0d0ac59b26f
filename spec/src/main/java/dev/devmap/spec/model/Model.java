package dev.devmap.spec.model;

import dev.devmap.spec.tla.TlaValue;
import java.util.List;
import java.util.Map;

/**
 * One model of the manifest: constants and what to check.
 *
 * @param constants  constant name to value, in manifest order
 * @param invariants invariant names, checked with INVARIANT
 * @param properties temporal property names, checked with PROPERTY (under {@code FairSpec})
 * @param heavy      too big for CI / quick runs
 */
public record Model(String name, String about, Map<String, TlaValue> constants, List<String> invariants,
                    List<String> properties, boolean heavy, Expectation expect) {
    public Model {
        constants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(constants));
        invariants = List.copyOf(invariants);
        properties = List.copyOf(properties);
    }
}
