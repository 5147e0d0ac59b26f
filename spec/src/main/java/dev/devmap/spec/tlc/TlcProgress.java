package dev.devmap.spec.tlc;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A progress report (message 2200, or 2209 while simulating):
 * {@code Progress(D) at T: N states generated (R s/min), M distinct states found (R ds/min), Q states left on queue.}
 * The rates are missing (-1) in the first report; in simulation depth, distinct and queue are -1.
 */
public record TlcProgress(int depth, long generated, long distinct, long queue,
                          long generatedPerMinute, long distinctPerMinute, boolean simulation) {
    private static final Pattern P = Pattern.compile(
            "Progress\\((-?\\d+)\\).*?: (-?[\\d,]+) states generated(?: \\((-?[\\d,]+) s/min\\))?,"
                    + " (-?[\\d,]+) distinct states found(?: \\((-?[\\d,]+) ds/min\\))?,"
                    + " (-?[\\d,]+) states left on queue");

    /** Parses a progress message body; null if it does not look like one. */
    public static TlcProgress parse(String body, boolean simulation) {
        Matcher m = P.matcher(body);
        if (!m.find()) {
            return null;
        }
        return new TlcProgress(Integer.parseInt(m.group(1)), num(m.group(2)), num(m.group(4)), num(m.group(6)),
                num(m.group(3)), num(m.group(5)), simulation);
    }

    static long num(String s) {
        return s == null ? -1 : Long.parseLong(s.replace(",", ""));
    }
}
