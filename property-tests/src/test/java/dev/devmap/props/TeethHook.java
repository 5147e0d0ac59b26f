package dev.devmap.props;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** Judges a {@link Teeth} property: see there. */
public final class TeethHook implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        Teeth teeth = context.findAnnotation(Teeth.class).orElseThrow();
        PropertyExecutionResult r = property.execute();
        Optional<String> verdict = judge(teeth.value(), teeth.maxSteps(), r.status(), r.throwable().orElse(null),
                r.countTries(), !Campaign.pit());
        if (verdict.isPresent()) {
            return r.mapToFailed(new AssertionError(verdict.get(), r.throwable().orElse(null)));
        }
        Violation v = (Violation) r.throwable().orElseThrow();
        System.out.printf("%n[teeth] variant %s (%s)%n        found %s after at most %d tries; shrunk counterexample: %d steps%n%s%n",
                teeth.value(), Specs.manifest().variant(teeth.value()).why(), v.property(), r.countTries(), v.steps(),
                v.getMessage().indent(8));
        return r.mapToSuccessful();
    }

    /** Inside the campaign hook, which then reports the judged result. */
    @Override
    public int aroundPropertyProximity() {
        return 10;
    }

    /**
     * Why a teeth property's outcome is wrong, or empty when it is right: it failed with a violation
     * of an expected property, in a short counterexample (when shrinking ran).
     */
    static Optional<String> judge(String variant, int maxSteps, PropertyExecutionResult.Status status, Throwable error,
                                  int tries, boolean shrunk) {
        Set<String> expected = expected(variant);
        if (status == PropertyExecutionResult.Status.SUCCESSFUL) {
            return Optional.of("variant " + variant + " was not detected in " + tries + " tries: no chain broke " + expected);
        }
        if (status != PropertyExecutionResult.Status.FAILED) {
            return Optional.of("variant " + variant + ": the property did not run to a verdict (" + status + ")");
        }
        if (!(error instanceof Violation v)) {
            return Optional.of("variant " + variant + " failed with an error, not a property violation: " + error);
        }
        if (!expected.contains(v.specName())) {
            return Optional.of("variant " + variant + " broke " + v.property() + ", but models.json says it breaks one of "
                    + expected + System.lineSeparator() + v.getMessage());
        }
        if (shrunk && v.steps() > maxSteps) {
            return Optional.of("variant " + variant + ": the shrunk counterexample has " + v.steps() + " steps, more than "
                    + maxSteps + System.lineSeparator() + v.getMessage());
        }
        return Optional.empty();
    }

    /** The properties models.json says the variant breaks ("violates" and "also"). */
    static Set<String> expected(String variant) {
        try {
            JsonNode v = new ObjectMapper().readTree(Specs.specDir().resolve("models.json").toFile()).path("variants").path(variant);
            if (v.isMissingNode()) throw new IllegalArgumentException("no variant '" + variant + "' in models.json");
            Set<String> out = new LinkedHashSet<>();
            out.add(v.path("violates").asText());
            for (JsonNode a : v.path("also")) out.add(a.asText());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
