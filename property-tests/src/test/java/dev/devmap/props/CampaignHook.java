package dev.devmap.props;

import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Applies {@link Campaign}'s mode to every property of a container (tries, seed, shrinking) and
 * prints one line per property with its outcome, tries and seed, so that any run, passing or
 * failing, can be repeated with {@code -Ddmap.seed=SEED}.
 */
public final class CampaignHook implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        boolean teeth = context.findAnnotation(Teeth.class).isPresent();
        // teeth stop at their first failure: their tries are a ceiling, never cut
        context.attributes().tries().ifPresent(t -> context.attributes().setTries(teeth ? Campaign.teethTries(t) : Campaign.tries(t)));
        String seed = Campaign.fixedSeed();
        if (seed != null) {
            context.attributes().setSeed(seed);
        }
        if (Campaign.pit()) {
            context.attributes().setShrinking(ShrinkingMode.OFF);
        }
        long start = System.nanoTime();
        PropertyExecutionResult r = property.execute();
        System.out.printf("[dmap] %s: %s, %d tries, %.1fs, mode %s, seed %s (repeat: -Ddmap.seed=%s)%n",
                context.extendedLabel(), r.status(), r.countTries(), (System.nanoTime() - start) / 1e9,
                Campaign.mode(), r.seed().orElse("?"), r.seed().orElse("?"));
        return r;
    }

    /** Registered on a container, it applies to every property in it. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    /** Outermost, so that it sees what the inner hooks (e.g. teeth) made of the result. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }
}
