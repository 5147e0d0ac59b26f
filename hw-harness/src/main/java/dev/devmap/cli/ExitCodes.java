package dev.devmap.cli;

/**
 * The exit codes of dmap: the one table every command returns from, that picocli prints under each
 * command's help ({@link #MEANINGS}), and that the README's "Exit codes" section states (ExitCodesTest).
 */
public final class ExitCodes {
    /** All checked properties hold. */
    public static final int OK = 0;
    /** A property is violated (for a variant: as it must be, or another one). */
    public static final int VIOLATED = 1;
    /** Bad input: bad argument, unknown model or variant, malformed manifest, spec does not parse. */
    public static final int BAD_INPUT = 2;
    /** TLC or dmap failed otherwise (evaluation error in the spec, out of memory, internal error). */
    public static final int FAILED = 3;
    /** All properties hold, but the distinct states or the depth differ from models.json (see --record). */
    public static final int COUNTS_DIFFER = 4;

    /** Each code with what it means, in order: the help's "Exit codes" list and the README's. */
    public static final java.util.Map<String, String> MEANINGS = meanings();

    private static java.util.Map<String, String> meanings() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put(" " + OK, "holds / conformant / agrees");
        m.put(" " + VIOLATED, "violated / non-conformant / differs");
        m.put(" " + BAD_INPUT, "bad input (one line dmap: error: ...)");
        m.put(" " + FAILED, "TLC or the harness failed");
        m.put(" " + COUNTS_DIFFER, "check: counts differ from models.json");
        return java.util.Collections.unmodifiableMap(m);
    }

    private ExitCodes() {
    }
}
