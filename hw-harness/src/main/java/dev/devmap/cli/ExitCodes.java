package dev.devmap.cli;

/** Exit codes of dmap. */
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

    private ExitCodes() {
    }
}
