package dev.devmap.spec.model;

/**
 * What a run of a model or variant is expected to give; every field may be null (not recorded).
 * A count of 0 in the manifest means "not recorded yet" and reads as null.
 *
 * @param outcome   "ok" for models; "violated" is implied for variants
 * @param distinct  distinct states TLC finds
 * @param generated states TLC generates
 * @param depth     for models: depth of the state graph; for variants: length of the counterexample
 */
public record Expectation(String outcome, Long distinct, Long generated, Integer depth) {
    public static final Expectation NONE = new Expectation(null, null, null, null);

    /** True when nothing is recorded. */
    public boolean isEmpty() {
        return outcome == null && distinct == null && generated == null && depth == null;
    }
}
