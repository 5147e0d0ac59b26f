package dev.devmap.spec.tlc;

import java.time.Duration;
import java.util.List;

/**
 * The result of one TLC run.
 *
 * @param outcome    what TLC found
 * @param generated  states generated (-1 if unknown)
 * @param distinct   distinct states found (-1 if unknown)
 * @param depth      depth of the state graph (message 2194, else the last progress report; -1 if unknown)
 * @param violated   the violated invariant / property: from 2110 / 2107 / 2112; for a temporal
 *                   violation (2116, which names no property) the single PROPERTY of the run,
 *                   null if the run had several
 * @param trace      the counterexample (empty if none)
 * @param loop       how a liveness counterexample loops, or null
 * @param exitCode   TLC's exit code (0 ok, 11 deadlock, 12 invariant, 13 property, 150 parse error, ...)
 * @param wallTime   time the child JVM ran
 * @param errorText  for PARSE_ERROR: SANY's messages; for ERROR: TLC's error messages and stderr; else ""
 */
public record TlcResult(Outcome outcome, long generated, long distinct, int depth, String violated,
                        List<TraceStep> trace, TraceLoop loop, int exitCode, Duration wallTime,
                        String errorText) {
    public TlcResult {
        trace = List.copyOf(trace);
        errorText = errorText == null ? "" : errorText;
    }

    public enum Outcome {
        OK, INVARIANT_VIOLATED, PROPERTY_VIOLATED, DEADLOCK, PARSE_ERROR, ERROR;

        /** True for the outcomes that mean "a property does not hold". */
        public boolean isViolation() {
            return this == INVARIANT_VIOLATED || this == PROPERTY_VIOLATED || this == DEADLOCK;
        }
    }
}
