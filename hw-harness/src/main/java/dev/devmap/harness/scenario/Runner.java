package dev.devmap.harness.scenario;

import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Variant;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.DutException;
import dev.devmap.harness.Request;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.Response;
import dev.devmap.harness.oracle.Diagnosis;
import dev.devmap.harness.oracle.Failure;
import dev.devmap.harness.oracle.Oracle;
import dev.devmap.harness.oracle.Verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs scenarios on a device against the oracle: probes what the scenario needs (skipping with the
 * reason), resets the device, sends the operations one at a time and checks each observation. A
 * failure is diagnosed (which requirement) and shrunk: operations are removed as long as the
 * device still fails the same requirement, so the report shows a minimal trace. A failure is then
 * re-checked under each protocol choice the device lists ({@link Capabilities#choices()}), then under
 * each combination of listed choices ({@link Variant#combines()}): when that model accepts the whole
 * scenario and the minimal trace, the result is a DIFFERENCE named by it, not a failure; when one
 * accepts the whole scenario but not the minimal trace (the shrinker drifted to another mechanism
 * with the same requirement), the DIFFERENCE carries the unshrunk trace; otherwise the failure says
 * where each of those models rejects it.
 */
public final class Runner {
    /** How much work shrinking may do per failure (runs of the candidate scenario). */
    public static final int SHRINK_RUNS = 400;
    /**
     * The same for a random sequence on a real kernel, where each run is a round trip per operation to
     * a guest (measured: 0.1-0.5 s per operation under load): a budget that keeps a failing sequence
     * within minutes; its trace may stay longer than minimal.
     */
    public static final int KERNEL_RANDOM_SHRINK_RUNS = 30;

    private final DeviceUnderTest dut;
    private final Capabilities caps;
    private final boolean shrink;

    private DutConfig lastConfig;

    /** The configuration the device reported for the last scenario run (null if it did not reset). */
    public DutConfig lastConfig() { return lastConfig; }

    public Runner(DeviceUnderTest dut, Capabilities caps, boolean shrink) {
        this.dut = dut;
        this.caps = caps;
        this.shrink = shrink;
    }

    /** One execution of a scenario: the oracle with its trace, the failure if any, the operations run. */
    record Execution(Oracle oracle, Failure failure, List<Op> ops, DutConfig config) {}

    public ScenarioResult run(Scenario sc) {
        long t0 = System.nanoTime();
        for (String op : sc.opsNeeded()) {
            if (!caps.supports(op)) return skip(sc, caps.whyNot(op), t0);
        }
        Execution ex;
        lastConfig = null;
        try {
            DutConfig actual = dut.reset(sc.configure().apply(DutConfig.standard()));
            lastConfig = actual;
            for (Scenario.Need n : sc.needs()) {
                if (!n.holds().test(actual)) return skip(sc, n.reason(), t0);
            }
            ex = execute(sc, actual);
        } catch (DutException e) {
            return new ScenarioResult(sc, ScenarioResult.Status.ERROR, agentFault(e), null,
                    new Verdict(Requirement.AGENT, agentFault(e), null, List.of()), List.of(), List.of(), null, 0,
                    millis(t0));
        }
        if (ex.failure() == null) {
            return new ScenarioResult(sc, ScenarioResult.Status.PASS, null, null, null, ex.oracle().trace(), ex.ops(),
                    ex.oracle().coverage(), 0, millis(t0));
        }
        Diagnosis diag = new Diagnosis(ex.config(), caps);
        // a device that declared more of a bound (blocks) than the model has went beyond it: nothing to judge there
        String bound = diag.beyondBound(ex.oracle().trace(), ex.failure(), Variant.NONE);
        if (bound != null) return skip(sc, bound, t0);
        Verdict v = diag.diagnose(ex.oracle().trace(), ex.failure());
        int original = ex.oracle().trace().size();
        Execution unshrunk = ex;
        Verdict unshrunkVerdict = v;
        if (shrink) {
            try {
                Execution small = shrink(sc, ex, v.requirement(), signature(ex), diag);
                if (small != ex) {
                    ex = small;
                    v = diag.diagnose(ex.oracle().trace(), ex.failure());
                }
            } catch (DutException e) {
                // keep the unshrunk failure; the fault shows up in the next scenario
            }
        }
        ScenarioResult failed = new ScenarioResult(sc, ScenarioResult.Status.FAIL, null, ex.failure(), v, ex.oracle().trace(),
                ex.ops(), ex.oracle().coverage(), original, millis(t0));
        List<String> rejected = new ArrayList<>();
        String wholeOnly = null;
        for (Variant choice : candidates(caps.choices())) {
            try {
                Execution under = executionUnder(sc, choice);
                Failure whole = under.failure();
                if (whole != null && diag.beyondBound(under.oracle().trace(), whole, choice) != null) {
                    whole = null;   // the choice explains the scenario up to where the device went beyond the model's bounds
                }
                Failure small = whole == null ? failureUnder(sc.withOps(ex.ops()), choice) : null;
                if (whole == null && small == null) return failed.asDifference(choice.tla());
                if (whole == null && wholeOnly == null) wholeOnly = choice.tla();
                rejected.add(rejection(choice.tla(), whole != null ? whole : small, whole != null));
            } catch (DutException e) {
                return failed;  // the fault shows up in the next scenario
            }
        }
        if (wholeOnly != null) {
            // the shrinker drifted to another mechanism (same requirement and mismatch kind) that this
            // model does not explain; the whole scenario it does: the difference, with the unshrunk trace
            return new ScenarioResult(sc, ScenarioResult.Status.FAIL, null, unshrunk.failure(), unshrunkVerdict,
                    unshrunk.oracle().trace(), unshrunk.ops(), unshrunk.oracle().coverage(), original, millis(t0))
                    .asDifference(wholeOnly);
        }
        return rejected.isEmpty() ? failed : failed.withReason(String.join("; ", rejected));
    }

    /**
     * The models a failure is re-checked under: each listed choice alone, then each combination of
     * choices (the spec's {@code Combines}) all of whose choices are listed: a scenario that needs two
     * of them at once is explained only by their combination.
     */
    public static List<Variant> candidates(List<String> listed) {
        List<Variant> out = new ArrayList<>();
        java.util.Set<Variant> declared = java.util.EnumSet.noneOf(Variant.class);
        for (String c : listed) {
            Variant v = Variant.of(c);
            out.add(v);
            declared.addAll(v.combines());
        }
        for (Variant v : Variant.values()) {
            if (v.combination() && !out.contains(v) && declared.containsAll(v.combines())) out.add(v);
        }
        return out;
    }

    /** The first observation the model of protocol choice v does not explain when the scenario runs again; null: none. */
    private Failure failureUnder(Scenario sc, Variant v) throws DutException {
        return executionUnder(sc, v).failure();
    }

    /** The scenario run again, checked against the model of protocol choice v. */
    private Execution executionUnder(Scenario sc, Variant v) throws DutException {
        DutConfig actual = dut.reset(sc.configure().apply(DutConfig.standard()));
        return execute(sc, actual, v);
    }

    /** Where a listed choice's model rejected a failing scenario: what the report says instead of "not diagnosed". */
    static String rejection(String choice, Failure f, boolean whole) {
        return choice + " rejects " + (whole ? "the scenario" : "the minimal trace") + " at step " + f.step() + ": "
                + f.observed() + " (its model allows " + (f.allowed().isEmpty() ? "nothing" : String.join(" | ", f.allowed()))
                + ")";
    }

    private static long millis(long t0) { return (System.nanoTime() - t0) / 1_000_000; }

    private static ScenarioResult skip(Scenario sc, String reason, long t0) {
        return new ScenarioResult(sc, ScenarioResult.Status.SKIP, reason, null, null, null, null, null, 0, millis(t0));
    }

    static String agentFault(DutException e) {
        String log = e.log().isBlank() ? "" : " (its last stderr: " + e.log().strip().replaceAll("\\s*\\R\\s*", " | ") + ")";
        return "the agent " + e.kind().text() + ": " + e.getMessage() + log;
    }

    /**
     * Runs the scenario's operations (or its random sequence), then settle, then the data audit
     * ({@link Audit}); stops at the first failure.
     */
    Execution execute(Scenario sc, DutConfig cfg) throws DutException {
        return execute(sc, cfg, Variant.NONE);
    }

    /** As above, checked against the model of variant v (NONE: the protocol). */
    Execution execute(Scenario sc, DutConfig cfg, Variant v) throws DutException {
        Oracle oracle = v == Variant.NONE ? new Oracle(cfg, caps)
                : new Oracle(new Semantics(new DeviceMapModel(cfg.constants(v))), cfg, caps, true);
        List<Op> ran = new ArrayList<>();
        RandomOps gen = sc.random() ? new RandomOps(sc.seed(), cfg, caps.ops()) : null;
        int n = sc.random() ? sc.length() : sc.ops().size();
        for (int k = 0; k <= n; k++) {
            Op op = k == n ? new Op.SettleCall() : gen != null ? gen.next(oracle.kernel().states().get(0)) : sc.ops().get(k);
            Request req = oracle.request(op);
            Response resp = dut.perform(req);
            if (k < n) ran.add(op);
            Failure f = oracle.check(req, resp);
            if (f != null) return new Execution(oracle, f, ran, cfg);
        }
        // the data audit: every page read back through every path that applies; when it fails, what it
        // ran becomes part of the operations, so the shrinker can drop the reads that do not matter
        List<Op> audit = new ArrayList<>(List.of(new Op.SettleCall()));
        for (int phase = 0; phase < Audit.PHASES; phase++) {
            for (Op op : Audit.phase(phase, oracle.kernel().states().get(0), cfg, caps)) {
                Request req = oracle.request(op);
                audit.add(op);
                Failure f = oracle.check(req, dut.perform(req));
                if (f != null) {
                    ran.addAll(audit);
                    return new Execution(oracle, f, ran, cfg);
                }
            }
        }
        return new Execution(oracle, null, ran, cfg);
    }

    /**
     * What a shrunk failure must keep besides its requirement: the kind of mismatch, the operation
     * it was observed on, and the kind of answer the device gave there with the importers it named.
     * Without it a catch-all requirement lets the shrinker drift to another mechanism (a read path
     * mismatch "shrunk" to an unrelated munmap answer; a writeback that invalidated the reader a
     * WRITE grant left dirty "shrunk" to one that invalidates the writer itself).
     */
    static String signature(Execution ex) {
        Failure f = ex.failure();
        List<dev.devmap.harness.oracle.TraceItem> t = ex.oracle().trace();
        dev.devmap.harness.oracle.TraceItem at = f.step() >= 1 && f.step() <= t.size() ? t.get(f.step() - 1) : null;
        if (at == null) return f.kind() + " -";
        String op = f.kind() + " " + at.request().op().getClass().getSimpleName();
        dev.devmap.kernelapi.Outcome o = at.response() == null ? null : at.response().outcome();
        return o == null ? op : op + " " + o.kind() + (o.notified() == null ? "" : " " + o.notified());
    }

    /** Fails with the same requirement and signature, in a trace no longer than {@code within} (the audit counts)? */
    private Execution attempt(Scenario sc, List<Op> ops, Requirement req, String sig, Diagnosis diag, int within)
            throws DutException {
        Scenario cand = sc.withOps(ops);
        DutConfig actual = dut.reset(cand.configure().apply(DutConfig.standard()));
        Execution ex = execute(cand, actual);
        if (ex.failure() == null || ex.oracle().trace().size() > within || !signature(ex).equals(sig)) return null;
        Verdict v = diag.diagnose(ex.oracle().trace(), ex.failure());
        return v.requirement() == req ? ex : null;
    }

    /** Delta debugging (ddmin) over the operations, then single removals. */
    private Execution shrink(Scenario sc, Execution failing, Requirement req, String sig, Diagnosis diag)
            throws DutException {
        List<Op> ops = new ArrayList<>(failing.ops());
        Execution best = failing;
        int runs = 0;
        int chunks = 2;
        int budget = sc.random() && dut.kernelWitness() != null ? KERNEL_RANDOM_SHRINK_RUNS : SHRINK_RUNS;
        while (ops.size() >= 2 && runs < budget) {
            int size = (ops.size() + chunks - 1) / chunks;
            boolean reduced = false;
            for (int start = 0; start < ops.size() && runs < budget; start += size) {
                List<Op> cand = new ArrayList<>(ops.subList(0, start));
                cand.addAll(ops.subList(Math.min(ops.size(), start + size), ops.size()));
                runs++;
                Execution ex = attempt(sc, cand, req, sig, diag, best.oracle().trace().size());
                if (ex != null) {
                    ops = new ArrayList<>(ex.ops());
                    best = ex;
                    chunks = Math.max(chunks - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (chunks >= ops.size()) break;
                chunks = Math.min(ops.size(), chunks * 2);
            }
        }
        return best;
    }
}
