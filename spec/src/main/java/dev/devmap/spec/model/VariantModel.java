package dev.devmap.spec.model;

import dev.devmap.spec.tla.TlaValue;
import java.util.List;
import java.util.Map;

/**
 * A variant of models.json as a model to run (the Java enum of the spec's constant is
 * {@code dev.devmap.model.Variant}): a known mistake, the base model with constant {@code Variant} set to this variant's name (and
 * any other constants overridden), which must violate {@code violates}.
 *
 * @param kind      whether {@code violates} is an invariant or a (temporal or action) property
 * @param constants constant overrides besides {@code Variant}
 * @param expect    expected counterexample length in {@code depth}
 * @param choice    for a kernel's protocol choice (models.json "choices"): the facility and TLC's
 *                  verdict; null for a known mistake. A choice's {@code violates} is null when it
 *                  keeps every property.
 */
public record VariantModel(String name, String base, String violates, String why, PropertyKind kind,
                      Map<String, TlaValue> constants, Expectation expect, Choice choice) {
    public VariantModel {
        constants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(constants));
    }

    public VariantModel(String name, String base, String violates, String why, PropertyKind kind,
                   Map<String, TlaValue> constants, Expectation expect) {
        this(name, base, violates, why, kind, constants, expect, null);
    }

    /** Does TLC find every property kept? (only a kernel choice may) */
    public boolean holds() { return violates == null; }

    /**
     * What TLC found for a kernel choice, each property checked alone.
     *
     * @param facility the kernel facility ("fs-dax", "page-cache")
     * @param breaks   the properties the mechanism breaks, with TLC's counterexample length in states
     * @param keeps    the properties it keeps
     * @param witness  its witnesses (the spec's {@code W_} step properties that every model keeps and
     *                 that hold until the choice's own behaviour happens), with TLC's counterexample
     *                 length in states on the choice's check: what tells a choice that breaks nothing
     *                 from the protocol
     */
    public record Choice(String facility, Map<String, Integer> breaks, List<String> keeps, Map<String, Integer> witness) {
        public Choice {
            breaks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(breaks));
            keeps = List.copyOf(keeps);
            witness = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(witness));
        }

        public Choice(String facility, Map<String, Integer> breaks, List<String> keeps) {
            this(facility, breaks, keeps, Map.of());
        }
    }

    /** What sort of property a variant breaks. */
    public enum PropertyKind {
        /** An INVARIANT: the run checks all invariants of the base model and no property. */
        INVARIANT,
        /** A PROPERTY (liveness, names starting with L, or action property): the run checks all
         *  invariants and only this one property, since TLC does not name a violated temporal property. */
        PROPERTY
    }
}
