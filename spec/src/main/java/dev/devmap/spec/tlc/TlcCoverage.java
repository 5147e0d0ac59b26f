package dev.devmap.spec.tlc;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** TLC's {@code -coverage} report, per action of Next. */
public final class TlcCoverage {
    /** Message code of an action's line: {@code <Mmap line 225, col 1 to ... of module DeviceMap>: 3:71}. */
    public static final int ACTION = 2772;
    private static final Pattern LINE = Pattern.compile("<(\\w+) line \\d+, col \\d+ to .*>: (\\d+):(\\d+)");

    private TlcCoverage() {
    }

    /** Adds an action line's count (states the action generated) to {@code actions}, by action name. */
    public static void collect(TlcMessage m, Map<String, Long> actions) {
        if (m.code() != ACTION) return;
        Matcher x = LINE.matcher(m.body().strip());
        if (x.find()) actions.merge(x.group(1), Long.parseLong(x.group(3)), Long::sum);
    }
}
