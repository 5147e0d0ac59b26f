package dev.devmap.props;

import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a property that must FAIL: it runs the chain properties with a protocol variant (a known
 * mistake of models.json) switched on. {@link TeethHook} turns the outcome around: the property
 * passes when the chains found a violation of the property the manifest names for the variant
 * (its "violates" or one of its "also"), shrunk to at most {@link #maxSteps} steps, and fails
 * when they found nothing or something else.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@AddLifecycleHook(TeethHook.class)
public @interface Teeth {
    /** The variant's name in models.json. */
    String value();

    /** The longest counterexample (after shrinking) that counts as short. */
    int maxSteps() default 16;
}
