package dev.devmap.props;

import java.util.Random;

/**
 * How hard the properties try. Three modes, chosen by system properties (Surefire passes them on):
 * <ul>
 *   <li>default (every change): the tries and chain lengths written at each property;</li>
 *   <li>{@code -Ddmap.campaign=true}: ten times the tries, chains three times as long, ten times the
 *       traces in the trace validation;</li>
 *   <li>{@code -Ddmap.pit=true} (set by the pit profile): at most 100 tries (teeth at most 600: they
 *       stop at the first failure), chains of at most 40 steps, no shrinking and a fixed seed, so that
 *       a mutant is judged quickly and the same way every time (the coverage requirements hold for
 *       that seed on the unmutated model, so a mutant that disables an action fails them).</li>
 * </ul>
 * {@code -Ddmap.seed=N} fixes the seed of every property and trace run; each run prints the seed it
 * used, so any failure reproduces with it.
 */
public final class Campaign {
    private Campaign() {
    }

    public static boolean campaign() {
        return Boolean.getBoolean("dmap.campaign");
    }

    public static boolean pit() {
        return Boolean.getBoolean("dmap.pit");
    }

    /** The seed given with -Ddmap.seed, or null. Under PIT a fixed one. */
    public static String fixedSeed() {
        String s = System.getProperty("dmap.seed", "").trim();
        if (!s.isEmpty()) {
            return s;
        }
        return pit() ? "20190424" : null;
    }

    /** A seed for the non-jqwik random runs: the fixed one, else a fresh one. */
    public static long seed() {
        String s = fixedSeed();
        return s != null ? Long.parseLong(s) : new Random().nextLong();
    }

    public static int tries(int base) {
        if (pit()) {
            return Math.max(1, Math.min(base, 100));
        }
        return campaign() ? base * 10 : base;
    }

    /** The ceiling of a teeth property's tries. */
    public static int teethTries(int base) {
        return pit() ? Math.min(base, 600) : base;
    }

    public static int chainLength(int base) {
        if (pit()) {
            return Math.min(base, 40);
        }
        return campaign() ? base * 3 : base;
    }

    /** A count of traces (trace validation). */
    public static int traces(int base) {
        return campaign() ? base * 10 : base;
    }

    public static String mode() {
        return pit() ? "pit" : campaign() ? "campaign" : "default";
    }
}
