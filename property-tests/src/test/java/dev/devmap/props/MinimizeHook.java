package dev.devmap.props;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * After jqwik's shrinking, reduces a failing chain further ({@link Run#minimize}) and reports
 * that one. jqwik's chain shrinker drops or shrinks one step at a time; the reduction also drops
 * runs of steps and pairs, replaying from Init, and keeps only candidates that break the same
 * property. Innermost of the hooks, so that the teeth and the report see the reduced run.
 */
public final class MinimizeHook implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        PropertyExecutionResult r = property.execute();
        if (r.status() == PropertyExecutionResult.Status.FAILED && !Campaign.pit()
                && r.throwable().orElse(null) instanceof Violation v) {
            Violation min = v.minimized();
            if (min != v) {
                System.out.printf("[dmap] %s: counterexample of %d steps (after jqwik's shrinking) reduced to %d steps%n",
                        context.extendedLabel(), v.steps(), min.steps());
            }
            return r.mapToFailed(min);
        }
        return r;
    }

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public int aroundPropertyProximity() {
        return 100;
    }
}
