package dev.devmap.cli;

import dev.devmap.spec.model.Expectation;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tla.TlaValues;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TraceLoop;
import dev.devmap.spec.tlc.TraceStep;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Prints a check's counterexample and its one summary line; decides the exit code. */
final class CheckReport {
    private final RunPlan plan;
    private final TlcResult r;
    /**
     * One TLC worker reports the breadth-first depth exactly; with several, a state may be
     * counted at a deeper level than its shortest path (seen: 10 for 9), so the recorded depth is
     * then only a lower bound of what TLC reports.
     */
    private final boolean exactDepth;
    /** A choice's witness run ({@link dev.devmap.spec.model.Manifest#planWitnesses}): its violation is the result. */
    private final boolean witness;

    CheckReport(RunPlan plan, TlcResult result, int workers) {
        this(plan, result, workers, false);
    }

    CheckReport(RunPlan plan, TlcResult result, int workers, boolean witness) {
        this.plan = plan;
        this.r = result;
        this.exactDepth = workers == 1;
        this.witness = witness;
    }

    int print(PrintWriter out, PrintWriter err) {
        switch (r.outcome()) {
            case PARSE_ERROR -> {
                err.println("dmap: error: TLC cannot parse spec " + plan.spec() + " (SANY's messages follow)");
                indent(err, r.errorText());
                return ExitCodes.BAD_INPUT;
            }
            case ERROR -> {
                if (dev.devmap.spec.io.Supervisor.isExiting()) {   // TLC was killed by the harness's own exit
                    err.println("dmap: error: " + plan.name() + ": stopped: the harness is exiting (a signal)");
                    return ExitCodes.FAILED;
                }
                String text = r.errorText().strip();
                int nl = text.indexOf('\n');
                err.println("dmap: error: TLC failed (exit " + r.exitCode() + "): "
                        + (nl < 0 ? text : text.substring(0, nl)));
                if (nl >= 0) {
                    indent(err, text.substring(nl + 1));
                }
                return ExitCodes.FAILED;
            }
            default -> {
                printTrace(out);
                out.println(witness ? witnessSummary() : summary());
                out.flush();
                if (witness) {
                    if (!reached()) return ExitCodes.VIOLATED;
                    return Objects.equals(plan.expect().depth(), r.trace().size()) ? ExitCodes.OK : ExitCodes.COUNTS_DIFFER;
                }
                if (r.outcome() != TlcResult.Outcome.OK) {
                    return ExitCodes.VIOLATED;
                }
                if (countsDiffer()) {
                    err.println("dmap: " + plan.title() + ": the state graph differs from models.json (expected "
                            + CheckCommand.expectationText(plan.expect()) + ", found distinct=" + r.distinct()
                            + " depth=" + r.depth() + "); if the change is intended, record it with --record");
                    err.flush();
                    return ExitCodes.COUNTS_DIFFER;
                }
                return ExitCodes.OK;
            }
        }
    }

    /** Whether TLC reached the witness: the run's one property violated. */
    private boolean reached() {
        return r.outcome() == TlcResult.Outcome.PROPERTY_VIOLATED && plan.properties().equals(java.util.List.of(r.violated()));
    }

    /** A witness run's one line: reached (the choice does what models.json says), in how many steps. */
    String witnessSummary() {
        String w = plan.properties().get(0);
        StringBuilder sb = new StringBuilder(plan.title()).append(": ");
        if (reached()) {
            int steps = r.trace().size();
            sb.append("REACHED ").append(w).append(" in ").append(steps).append(steps == 1 ? " step" : " steps");
            Integer want = plan.expect().depth();
            sb.append(Objects.equals(want, steps) ? " (the choice's own behaviour, as models.json records)"
                    : " (models.json records " + want + ": MISMATCH)");
        } else if (r.outcome() == TlcResult.Outcome.OK) {
            sb.append("NOT REACHED ").append(w).append(" (models.json records the choice's behaviour in ")
                    .append(plan.expect().depth()).append(" steps: the choice no longer does it)");
        } else {
            sb.append(r.outcome() == TlcResult.Outcome.DEADLOCK ? "DEADLOCK" : "VIOLATED " + r.violated())
                    .append(" before its witness ").append(w);
        }
        return sb.append("  ").append(counts()).toString();
    }

    /** The one summary line. */
    String summary() {
        StringBuilder sb = new StringBuilder(plan.title()).append(": ");
        Expectation e = plan.expect();
        if (r.outcome() == TlcResult.Outcome.OK) {
            sb.append("OK  ").append(counts());
            if (plan.isVariant() && plan.variant().holds()) {
                sb.append("  (kernel choice: every property holds, as models.json records)");
            } else if (plan.isVariant()) {
                sb.append("  (must violate ").append(plan.variant().violates()).append(": NOT VIOLATED)");
            } else if (e.isEmpty() || (e.distinct() == null && e.depth() == null && e.generated() == null)) {
                sb.append(" (no expectations recorded)");
            } else {
                boolean match = !countsDiffer();
                sb.append(" (expected ").append(CheckCommand.expectationText(e)).append(match ? ")" : ": MISMATCH)");
            }
            if (!plan.isVariant() && e.outcome() != null && !e.outcome().equalsIgnoreCase("ok")) {
                sb.append(" (expected outcome ").append(e.outcome()).append(")");
            }
            return sb.toString();
        }
        int steps = r.trace().size();
        if (r.outcome() == TlcResult.Outcome.DEADLOCK) {
            sb.append("DEADLOCK");
        } else {
            sb.append("VIOLATED ").append(r.violated() == null ? "a temporal property" : r.violated());
        }
        if (plan.isVariant()) {
            boolean expected = Objects.equals(plan.variant().violates(), r.violated());
            String must = plan.variant().holds() ? "models.json records that every property holds"
                    : "must violate " + plan.variant().violates();
            sb.append(expected ? " (expected)" : " (UNEXPECTED: " + must + ")");
        }
        sb.append(" in ").append(steps).append(steps == 1 ? " step" : " steps");
        if (plan.isVariant() && e.depth() != null && e.depth() != steps) {
            sb.append(" (expected ").append(e.depth()).append(")");
        }
        sb.append("  ").append(counts());
        if (plan.isVariant() && plan.variant().choice() != null) {
            sb.append(String.format(" (kernel choice of %s; each checked alone TLC breaks %s)",
                    plan.variant().choice().facility(), plan.variant().choice().breaks()));
        }
        if (!plan.isVariant()) {
            sb.append(" (expected ").append(e.outcome() == null ? "ok" : e.outcome()).append(")");
        }
        return sb.toString();
    }

    /** A model (not a variant) whose run holds but whose recorded figures differ. */
    boolean countsDiffer() {
        Expectation e = plan.expect();
        if (plan.isVariant() || r.outcome() != TlcResult.Outcome.OK) {
            return false;
        }
        return (e.distinct() != null && e.distinct() != r.distinct())
                || (e.generated() != null && e.generated() != r.generated())
                || (e.depth() != null && (exactDepth ? e.depth() != r.depth() : r.depth() < e.depth()));
    }

    private String counts() {
        return String.format(Locale.ROOT, "distinct=%d generated=%d depth=%d time=%.1fs", r.distinct(), r.generated(),
                r.depth(), r.wallTime().toMillis() / 1000.0);
    }

    private void printTrace(PrintWriter out) {
        if (r.trace().isEmpty()) {
            return;
        }
        out.println("Counterexample:");
        Map<String, TlaValue> prev = null;
        for (TraceStep s : r.trace()) {
            out.printf("  %d. %s%n", s.index(), s.action());
            Map<String, TlaValue> vars = s.state().vars();
            for (Map.Entry<String, TlaValue> v : vars.entrySet()) {
                if (prev == null) {
                    out.printf("       %s = %s%n", v.getKey(), TlaValues.print(v.getValue()));
                } else {
                    TlaValue before = prev.get(v.getKey());
                    if (!v.getValue().equals(before)) {
                        out.printf("       %s: %s -> %s%n", v.getKey(),
                                before == null ? "(none)" : TlaValues.print(before), TlaValues.print(v.getValue()));
                    }
                }
            }
            prev = vars;
        }
        TraceLoop loop = r.loop();
        if (loop != null) {
            if (loop.kind() == TraceLoop.Shape.STUTTERING) {
                out.printf("  %d. (stuttering: the last state repeats forever)%n", loop.index());
            } else {
                out.printf("  -> %s leads back to state %d (the behaviour loops forever)%n", loop.action(), loop.index());
            }
        }
    }

    private static void indent(PrintWriter w, String text) {
        for (String l : text.split("\\R")) {
            w.println("  " + l);
        }
        w.flush();
    }
}
