package dev.devmap.harness.scenario;

import dev.devmap.kernelapi.Op;
import dev.devmap.harness.oracle.ObservedCoverage;
import dev.devmap.harness.oracle.Failure;
import dev.devmap.harness.oracle.TraceItem;
import dev.devmap.harness.oracle.Verdict;

import java.util.List;

/**
 * How one scenario went.
 *
 * @param scenario  the scenario
 * @param status    PASS, FAIL (non-conformant), SKIP (with reason), ERROR (the agent hung, crashed or
 *                  wrote garbage; with reason)
 * @param reason    SKIP / ERROR: why; FAIL on a device that lists protocol choices: where each listed
 *                  choice's model rejected the scenario (null when it lists none)
 * @param failure   FAIL: the first observation no allowed state explains (in the minimal trace)
 * @param verdict   FAIL: the requirement it breaks
 * @param trace     the observed trace (FAIL: the minimal one the shrinker found)
 * @param ops       the operations run (FAIL: the minimal ones)
 * @param coverage  what the checked observations exercised
 * @param originalLength FAIL: the length of the failing trace before shrinking
 * @param millis    wall time
 * @param choice    DIFFERENCE: the protocol choice (models.json "choices") whose model accepts the
 *                  whole scenario; the failure, verdict and trace are those under the standard model
 */
public record ScenarioResult(Scenario scenario, Status status, String reason, Failure failure, Verdict verdict,
                             List<TraceItem> trace, List<Op> ops, ObservedCoverage coverage, int originalLength, long millis,
                             String choice) {
    /** DIFFERENCE: fails under the standard model, explained by a protocol choice the device lists. */
    public enum Status { PASS, FAIL, SKIP, ERROR, DIFFERENCE }

    public ScenarioResult(Scenario scenario, Status status, String reason, Failure failure, Verdict verdict,
                          List<TraceItem> trace, List<Op> ops, ObservedCoverage coverage, int originalLength, long millis) {
        this(scenario, status, reason, failure, verdict, trace, ops, coverage, originalLength, millis, null);
    }

    /** This failure as a difference explained by the given choice. */
    public ScenarioResult asDifference(String choiceName) {
        return new ScenarioResult(scenario, Status.DIFFERENCE, reason, failure, verdict, trace, ops, coverage, originalLength,
                millis, choiceName);
    }

    /** This failure with where the device's listed choices rejected it. */
    public ScenarioResult withReason(String why) {
        return new ScenarioResult(scenario, status, why, failure, verdict, trace, ops, coverage, originalLength, millis, choice);
    }

    public ScenarioResult {
        trace = trace == null ? List.of() : List.copyOf(trace);
        ops = ops == null ? List.of() : List.copyOf(ops);
        coverage = coverage == null ? new ObservedCoverage() : coverage;
    }
}
