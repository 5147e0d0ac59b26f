package dev.devmap.spec.model;

import dev.devmap.spec.tla.TlaValue;
import java.util.Map;

/**
 * A known mistake: the base model with constant {@code Variant} set to this variant's name (and
 * any other constants overridden), which must violate {@code violates}.
 *
 * @param kind      whether {@code violates} is an invariant or a (temporal or action) property
 * @param constants constant overrides besides {@code Variant}
 * @param expect    expected counterexample length in {@code depth}
 */
public record Variant(String name, String base, String violates, String why, Kind kind,
                      Map<String, TlaValue> constants, Expectation expect) {
    public Variant {
        constants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(constants));
    }

    /** What sort of property a variant breaks. */
    public enum Kind {
        /** An INVARIANT: the run checks all invariants of the base model and no property. */
        INVARIANT,
        /** A PROPERTY (liveness, names starting with L, or action property): the run checks all
         *  invariants and only this one property, since TLC does not name a violated temporal property. */
        PROPERTY
    }
}
