package dev.devmap.spec.tlc;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLC's {@code -coverage} report per expression of one module: how often TLC evaluated each source
 * range, summed over every context it lists the range in (an operator's body appears once for each
 * action or invariant that calls it). TLC lists the expressions of {@code Init}, of the actions of
 * {@code Next} and of the invariants; it does not list the definitions it evaluates only for a
 * temporal or action property, nor the constant definitions it evaluates once at start.
 */
public final class ExprCoverage {
    /** Message code of one expression's line: {@code |||line 252, col 10 to line 252, col 54 of module M: 976}. */
    public static final int EXPRESSION = 2221;
    private static final Pattern LINE = Pattern.compile(
            "line (\\d+), col (\\d+) to line (\\d+), col (\\d+) of module (\\w+): (\\d+)");

    /** A source range as TLC prints it: 1-based lines and columns, the end column included. */
    public record Range(int line1, int col1, int line2, int col2) {
        boolean contains(Range r) {
            return before(line1, col1, r.line1, r.col1) && before(r.line2, r.col2, line2, col2);
        }

        private static boolean before(int l1, int c1, int l2, int c2) {
            return l1 < l2 || (l1 == l2 && c1 <= c2);
        }

        long span() {
            return (long) (line2 - line1) * 10_000 + (col2 - col1);
        }
    }

    private final String module;
    private final Map<Range, Long> counts = new HashMap<>();

    public ExprCoverage(String module) {
        this.module = module;
    }

    /** Adds an expression line of the report (other messages are ignored). */
    public synchronized void collect(TlcMessage m) {
        if (m.code() != EXPRESSION) return;
        Matcher x = LINE.matcher(m.body());
        if (!x.find() || !x.group(5).equals(module)) return;
        Range r = new Range(Integer.parseInt(x.group(1)), Integer.parseInt(x.group(2)),
                Integer.parseInt(x.group(3)), Integer.parseInt(x.group(4)));
        counts.merge(r, Long.parseLong(x.group(6)), Long::sum);
    }

    /** The listed ranges and their counts, as a copy (to store a report). */
    public synchronized Map<Range, Long> counts() {
        return Map.copyOf(counts);
    }

    /** A report read back from {@link #counts()}. */
    public static ExprCoverage of(String module, Map<Range, Long> counts) {
        ExprCoverage c = new ExprCoverage(module);
        c.counts.putAll(counts);
        return c;
    }

    /** How many ranges the report listed. */
    public synchronized int size() {
        return counts.size();
    }

    /**
     * The evaluation count of the smallest listed range that contains {@code r}, or -1 when no listed
     * range contains it (TLC said nothing about it: it may be evaluated).
     */
    public synchronized long enclosingCount(Range r) {
        Range best = null;
        for (Range c : counts.keySet()) {
            if (c.contains(r) && (best == null || c.span() < best.span())) best = c;
        }
        return best == null ? -1 : counts.get(best);
    }
}
