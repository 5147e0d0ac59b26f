package dev.devmap.harness.report;

import dev.devmap.harness.KernelWitness;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.scenario.ScenarioResult;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The readable report: verdict, one row per requirement, access paths, refusals, coverage, each failure as a short trace. */
public final class TextReport {
    private TextReport() { }

    private static void kernel(StringBuilder sb, KernelWitness k) {
        sb.append(String.format(Locale.ROOT, "%nKernel self-test (%s; %.1f s, boot included)%n", k.source(), k.millis() / 1000.0));
        for (KernelWitness.Test t : k.tests()) {
            sb.append(String.format(Locale.ROOT, "  %-7s %2d %-44s %s%n", t.status() == KernelWitness.Status.PASS ? "ok"
                    : t.status() == KernelWitness.Status.FAIL ? "NOT OK" : "skip", t.number(), t.name(),
                    t.witnesses().isEmpty() ? "" : t.witnesses().stream().map(Enum::name).collect(Collectors.joining(" "))));
            if (t.what() != null) sb.append("             ").append(t.what()).append('\n');
            if (t.skipReason() != null) sb.append("             skipped: ").append(t.skipReason()).append('\n');
        }
        if (!k.cannot().isEmpty()) {
            sb.append("  The kernel cannot show:\n");
            k.cannot().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> sb.append("    ").append(e.getKey().name()).append(": ").append(e.getValue()).append('\n'));
        }
    }

    /** The scenarios a documented protocol choice of the device explains, each with its trace and mechanism. */
    private static void differences(StringBuilder sb, RunResult run) {
        List<ScenarioResult> ds = run.differences();
        if (ds.isEmpty() && run.caps.choices().isEmpty()) return;
        sb.append("\nDifferences from the model (the device lists the protocol choices ")
                .append(run.caps.choices().isEmpty() ? "none" : String.join(", ", run.caps.choices()))
                .append("; a scenario that fails under the standard model and that a listed choice's model accepts\n")
                .append("is reported here, not as non-conformance; a failure no listed choice explains stays a failure)\n");
        if (ds.isEmpty()) sb.append("  none\n");
        int k = 0;
        for (ScenarioResult r : ds) {
            sb.append(String.format(Locale.ROOT, "%n  D%d. %s in scenario %s%n", ++k, r.choice(), r.scenario().id()));
            String why = run.choiceWhy.get(r.choice());
            if (why != null) sb.append("   mechanism: ").append(why).append('\n');
            sb.append("   under the standard model: ").append(r.verdict().requirement().spec()).append(": ")
                    .append(r.verdict().why()).append('\n');
            sb.append("   minimal trace (").append(r.trace().size()).append(" steps, shrunk from ").append(r.originalLength())
                    .append("), accepted by the model of ").append(r.choice()).append(":\n");
            for (String l : Texts.trace(r)) sb.append("     ").append(l).append('\n');
        }
    }

    public static String render(RunResult run) {
        StringBuilder sb = new StringBuilder();
        boolean ok = run.conformant();
        sb.append("dmap conform report\n");
        sb.append("device:    ").append(run.device).append(" (").append(run.caps.agent()).append(")\n");
        sb.append("config:    ").append(run.caps.config().show()).append('\n');
        sb.append("seed:      ").append(run.seed).append("   reproduce: ").append(run.reproduce).append('\n');
        sb.append("result:    ").append(!run.finished ? "INCOMPLETE (run still going or interrupted)"
                : ok ? "CONFORMANT" : "NON-CONFORMANT").append(String.format(Locale.ROOT,
                "   (%d scenarios: %d pass, %d differences, %d fail, %d skip, %d agent errors; %d observations checked in %.1f s)%n",
                run.results.size(), run.count(ScenarioResult.Status.PASS), run.count(ScenarioResult.Status.DIFFERENCE),
                run.count(ScenarioResult.Status.FAIL),
                run.count(ScenarioResult.Status.SKIP), run.count(ScenarioResult.Status.ERROR), run.coverage.ops(),
                run.millis / 1000.0));
        sb.append("\nRequirements (L1-L6 are bounded checks: after the program stops (settle), the system's own\n");
        sb.append("steps must finish everything; a leak or a wait that nothing ends fails the row)\n");
        if (run.kernel != null) {
            sb.append("Evidence (the strongest class shown; the detail lists all): \"kernel-decided\" = the kernel made\n");
            sb.append("the decision or the ordering the requirement is about (a self-test of that class, or answers\n");
            sb.append("the agent marked \"by\":\"kernel\"); \"post-syscall\" = the state after a synchronous call is\n");
            sb.append("consistent with it (says nothing about order); \"agent-decided\" = the agent's own logic;\n");
            sb.append("\"" + RunResult.SIMULATED_ONLY + "\" = the kernel could not run those scenarios, the simulated\n");
            sb.append("device did (" + run.simRun + " scenarios); \"-\" = nothing showed it. A scenario's tag alone shows nothing.\n");
            sb.append(run.kernelHeadline()).append('\n');
        }
        for (RunResult.Row r : run.rows()) {
            String name = r.requirement().spec().contains("_")
                    ? r.requirement().spec().substring(r.requirement().spec().indexOf('_') + 1) : r.requirement().spec();
            if (run.kernel != null) {
                sb.append(String.format(Locale.ROOT, "  %-4s %-32s %-5s %-14s %s%n", r.requirement().name(), name, r.status(),
                        r.witness().isEmpty() ? "-" : r.witness(), r.detail()));
            } else {
                sb.append(String.format(Locale.ROOT, "  %-4s %-32s %-5s %s%n", r.requirement().name(), name, r.status(), r.detail()));
            }
        }
        if (run.kernel != null) kernel(sb, run.kernel);
        differences(sb, run);
        sb.append("\nAccess paths: ").append(run.coverage.direct()).append(" direct, ").append(run.coverage.fallback())
                .append(" fallback");
        Map<String, Long> p = run.coverage.paths();
        sb.append(" (page cache ").append(p.getOrDefault("page-cache", 0L)).append(", pinned block ")
                .append(p.getOrDefault("block", 0L)).append(")\n");
        if (run.kernel != null) {
            // on a real kernel, each access with the path it took (few scenarios run there)
            for (ScenarioResult r : run.results) {
                if (r.status() != ScenarioResult.Status.PASS && r.status() != ScenarioResult.Status.FAIL) continue;
                for (var t : r.trace()) {
                    if (t.response().outcome().path() != null) sb.append("  ").append(r.scenario().id()).append(": ").append(t.show()).append('\n');
                }
            }
        }
        sb.append("Refusals:     ");
        if (run.coverage.refusals().isEmpty()) sb.append("none");
        boolean first = true;
        for (Map.Entry<String, Long> e : run.coverage.refusals().entrySet()) {
            sb.append(first ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            first = false;
        }
        sb.append("\nCoverage:     ").append(run.coverage.summary()).append('\n');
        sb.append("Refusal paths (refusals seen per reason x flags x range; n/a: the model's Refusal does not give\n");
        sb.append("that reason for those flags; HOLE: it applies and nothing reached it):\n");
        for (String l : run.coverage.matrix()) sb.append("  ").append(l).append('\n');
        List<ScenarioResult> skipped = run.results.stream().filter(r -> r.status() == ScenarioResult.Status.SKIP).toList();
        if (!skipped.isEmpty()) {
            sb.append("\nSkipped:\n");
            for (ScenarioResult r : skipped) sb.append("  ").append(r.scenario().id()).append(": ").append(r.reason()).append('\n');
        }
        List<ScenarioResult> errors = run.results.stream().filter(r -> r.status() == ScenarioResult.Status.ERROR).toList();
        if (!errors.isEmpty()) {
            sb.append("\nAgent faults (the agent was restarted and the run went on):\n");
            for (ScenarioResult r : errors) sb.append("  ").append(r.scenario().id()).append(": ").append(r.reason()).append('\n');
        }
        if (!run.failures.isEmpty()) sb.append("\nFailures\n");
        for (RunResult.Numbered n : run.failures) {
            ScenarioResult r = n.result;
            Requirement q = r.verdict().requirement();
            boolean harnessOnly = n.harnessOnly();
            sb.append(String.format(Locale.ROOT, "%n%d. %s%s in scenario %s%s%n", n.number, q.spec(),
                    harnessOnly ? " [harness-only check]" : "", r.scenario().id(),
                    n.alsoIn.isEmpty() ? "" : " (also " + String.join(", ", n.alsoIn) + ")"));
            sb.append("   ").append(r.verdict().why()).append('\n');
            sb.append("   minimal trace (").append(r.trace().size()).append(" steps, shrunk from ").append(r.originalLength())
                    .append("):\n");
            for (String l : Texts.trace(r)) sb.append("     ").append(l).append('\n');
            if (r.reason() != null) sb.append("   not explained by a listed choice: ").append(r.reason()).append('\n');
            if (n.tlaModule != null) {
                sb.append(n.acceptedByTlc ? "   TLA+ trace module (TLC accepts it: a behaviour of the spec, not a "
                        + "counterexample): " : "   TLA+ trace module: ").append(n.tlaModule).append('\n');
            }
            if (n.tlc != null) sb.append("   ").append(n.tlc).append('\n');
        }
        if (!run.notes.isEmpty()) {
            sb.append("\nNotes\n");
            for (String s : run.notes) sb.append("  ").append(s).append('\n');
        }
        return sb.toString();
    }
}
