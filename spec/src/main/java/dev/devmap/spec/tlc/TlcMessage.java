package dev.devmap.spec.tlc;

/**
 * One framed message of TLC's {@code -tool} output:
 * {@code @!@!@STARTMSG CODE:LEVEL @!@!@} body {@code @!@!@ENDMSG CODE @!@!@}.
 *
 * @param code  message code, e.g. 2200 progress, 2110 invariant violated, 2217 trace state
 * @param level 0 info, 1 error, 2 TLC bug, 3 warning, 4 state
 * @param body  the lines between the frames, joined with '\n', trailing blank lines removed
 */
public record TlcMessage(int code, int level, String body) {
    public static final int VERSION = 2262;
    public static final int SANY_START = 2220;
    public static final int SANY_END = 2219;
    public static final int PROGRESS = 2200;
    public static final int SIMULATION_PROGRESS = 2209;
    public static final int FINAL_COUNTS = 2199;
    public static final int DEPTH = 2194;
    public static final int SUCCESS = 2193;
    public static final int FINISHED = 2186;
    public static final int INVARIANT_VIOLATED = 2110;
    public static final int INVARIANT_VIOLATED_INITIAL = 2107;
    public static final int ACTION_PROPERTY_VIOLATED = 2112;
    public static final int DEADLOCK = 2114;
    public static final int TEMPORAL_VIOLATED = 2116;
    public static final int BEHAVIOR_HEADER = 2121;
    public static final int COUNTEREXAMPLE_HEADER = 2264;
    public static final int TRACE_STATE = 2217;
    public static final int TRACE_STUTTERING = 2218;
    public static final int TRACE_BACK_TO_STATE = 2122;
    public static final int PARSE_FAILED = 3002;

    public static final int LEVEL_ERROR = 1;
    public static final int LEVEL_TLC_BUG = 2;
    public static final int LEVEL_WARNING = 3;

    public boolean isError() {
        return level == LEVEL_ERROR || level == LEVEL_TLC_BUG;
    }
}
