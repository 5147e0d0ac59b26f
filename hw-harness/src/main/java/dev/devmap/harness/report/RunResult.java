package dev.devmap.harness.report;

import dev.devmap.harness.Capabilities;
import dev.devmap.harness.KernelWitness;
import dev.devmap.harness.Requirement;

import dev.devmap.harness.oracle.ObservedCoverage;
import dev.devmap.harness.scenario.ScenarioResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a conformance run found so far; the reports are rendered from it (after every
 * scenario, so a crash of the harness loses nothing already checked).
 */
public final class RunResult {
    /**
     * A row of the report: one requirement; {@code witness} says how strongly it was shown when a
     * real kernel ran (the strongest evidence class: "kernel-decided", "post-syscall",
     * "agent-decided"; or "simulated only", or empty), and is empty for other devices.
     */
    public record Row(Requirement requirement, String status, String detail, String witness) {
        Row(Requirement requirement, String status, String detail) { this(requirement, status, detail, ""); }
    }

    public static final String SIMULATED_ONLY = "simulated only";
    /** The requirements the headline counts: S1-S18 and L1-L6 (every row but Reference and Agent). */
    public static final int PROTOCOL_REQUIREMENTS = Requirement.values().length - 2;

    /** A distinct failure (scenarios that shrink to the same trace share one). */
    public static final class Numbered {
        public final int number;
        public final ScenarioResult result;
        public final List<String> alsoIn = new ArrayList<>();
        public String tlaModule;
        /** The trace module as written (null until it is). */
        public TlaTrace trace;
        public String tlc;
        /** TLC accepted the module (a behaviour of the spec): the failure is a harness-only check. */
        public boolean acceptedByTlc;

        /** A check the spec does not back: harness-only from the start (addresses, handles), or a module TLC accepts. */
        public boolean harnessOnly() {
            return acceptedByTlc || result.failure() != null && result.failure().kind().harnessOnly();
        }

        Numbered(int number, ScenarioResult result) {
            this.number = number;
            this.result = result;
        }
    }

    public final String device;
    public final Capabilities caps;
    public final long seed;
    public final String reproduce;
    public final List<ScenarioResult> results = new ArrayList<>();
    public final List<Numbered> failures = new ArrayList<>();
    private final Map<String, Numbered> byKey = new java.util.HashMap<>();   // one look-up per result: linear
    public final List<String> notes = new ArrayList<>();
    public final ObservedCoverage coverage = new ObservedCoverage();
    /** The real kernel's self-test, when the device is one (else null). */
    public KernelWitness kernel;
    /** For a real kernel: the scenarios it skipped, run on the simulated device instead. */
    public final ObservedCoverage simPassed = new ObservedCoverage();
    public final Map<Requirement, Integer> simTagged = new LinkedHashMap<>();
    public int simRun;
    /** The mechanism text of each kernel choice (models.json "choices" why), for the differences. */
    public final Map<String, String> choiceWhy = new LinkedHashMap<>();
    public long startNanos = System.nanoTime();
    public long millis;
    public boolean finished;

    public RunResult(String device, Capabilities caps, long seed, String reproduce) {
        this.device = device;
        this.caps = caps;
        this.seed = seed;
        this.reproduce = reproduce;
    }

    /** Adds a result; returns its failure number (0 when it is not a failure). */
    public int add(ScenarioResult r) {
        results.add(r);
        coverage.add(r.coverage());
        millis = (System.nanoTime() - startNanos) / 1_000_000;
        if (r.status() != ScenarioResult.Status.FAIL) return 0;
        Numbered same = byKey.get(key(r));
        if (same != null) {
            same.alsoIn.add(r.scenario().id());
            return same.number;
        }
        Numbered n = new Numbered(failures.size() + 1, r);
        failures.add(n);
        byKey.put(key(r), n);
        return n.number;
    }

    private static String key(ScenarioResult r) {
        StringBuilder sb = new StringBuilder(r.verdict().requirement().name());
        r.trace().forEach(t -> sb.append('|').append(t.show()));
        return sb.toString();
    }

    /** The failures TLC should confirm first: the shortest of each failing requirement, then the rest. */
    public List<Numbered> byPriority() {
        List<Numbered> first = new ArrayList<>();
        List<Numbered> rest = new ArrayList<>();
        Map<Requirement, Numbered> best = new LinkedHashMap<>();
        for (Numbered n : failures) {
            Numbered b = best.get(n.result.verdict().requirement());
            if (b == null || n.result.trace().size() < b.result.trace().size()) best.put(n.result.verdict().requirement(), n);
        }
        first.addAll(best.values());
        for (Numbered n : failures) if (!first.contains(n)) rest.add(n);
        first.addAll(rest);
        return first;
    }

    public Numbered failureOf(ScenarioResult r) {
        for (Numbered n : failures) if (n.result == r || n.alsoIn.contains(r.scenario().id())) return n;
        return null;
    }

    /** Scenarios that failed under the standard model but that a protocol choice the device lists explains. */
    public List<ScenarioResult> differences() {
        return results.stream().filter(r -> r.status() == ScenarioResult.Status.DIFFERENCE).toList();
    }

    public boolean conformant() {
        if (kernel != null && !kernel.failed().isEmpty()) return false;
        for (ScenarioResult r : results) {
            if (r.status() == ScenarioResult.Status.FAIL || r.status() == ScenarioResult.Status.ERROR) return false;
        }
        return true;
    }

    public long count(ScenarioResult.Status s) {
        return results.stream().filter(r -> r.status() == s).count();
    }

    /** The requirement rows: fail (with failure numbers), pass (exercised), or skip (with the reason). */
    public List<Row> rows() {
        Map<Requirement, List<String>> fails = new LinkedHashMap<>();
        for (Numbered n : failures) {
            fails.computeIfAbsent(n.result.verdict().requirement(), k -> new ArrayList<>()).add("failure " + n.number);
        }
        List<String> agentErrors = new ArrayList<>();
        ObservedCoverage passed = new ObservedCoverage();
        Map<Requirement, String> skipReason = new LinkedHashMap<>();
        Map<Requirement, Integer> tagged = new LinkedHashMap<>();
        for (ScenarioResult r : results) {
            if (r.status() == ScenarioResult.Status.ERROR) agentErrors.add(r.scenario().id());
            if (r.status() == ScenarioResult.Status.PASS) {
                passed.add(r.coverage());
                for (Requirement q : r.scenario().exercises()) tagged.merge(q, 1, Integer::sum);
            }
            if (r.status() == ScenarioResult.Status.SKIP) {
                for (Requirement q : r.scenario().exercises()) skipReason.putIfAbsent(q, r.reason());
            }
        }
        List<Row> rows = new ArrayList<>();
        String real = "";
        String against = kernel == null ? null : againstS1();
        for (Requirement q : Requirement.values()) {
            if (fails.containsKey(q)) {
                List<String> fs = fails.get(q);
                String d = fs.size() <= 6 ? String.join(", ", fs)
                        : fs.size() + " failures: " + String.join(", ", fs.subList(0, 5)) + ", ...";
                rows.add(new Row(q, "FAIL", q == Requirement.S1 && against != null ? d + "; " + against : d, real));
                continue;
            }
            if (q == Requirement.S1 && against != null) {
                rows.add(new Row(q, "FAIL", against, real));
                continue;
            }
            if (q == Requirement.AGENT && !agentErrors.isEmpty()) {
                rows.add(new Row(q, "FAIL", agentErrors.size() + " scenario(s) lost to agent faults: "
                        + String.join(", ", agentErrors), real));
                continue;
            }
            List<KernelWitness.Test> kfail = kernel == null ? List.of() : kernel.of(q, KernelWitness.Status.FAIL);
            if (!kfail.isEmpty()) {
                rows.add(new Row(q, "FAIL", "the kernel's " + names(kfail) + " failed", real));
                continue;
            }
            if (kernel != null && q != Requirement.REF && q != Requirement.AGENT) {
                Row k = kernelRow(q, passed);
                if (k != null) {
                    rows.add(k);
                    continue;
                }
            }
            List<KernelWitness.Test> kpass = kernel == null ? List.of() : kernel.of(q, KernelWitness.Status.PASS);
            // on a kernel, S1-S10 and L1-L6 were decided by kernelRow: a scenario's tag alone shows nothing there
            boolean protocolOnKernel = kernel != null && q != Requirement.REF && q != Requirement.AGENT;
            String shown = protocolOnKernel ? null : shown(q, evidence(q, passed), tagged.getOrDefault(q, 0));
            if (shown != null || !kpass.isEmpty()) {
                String d = kpass.isEmpty() ? shown : names(kpass) + (shown == null ? "" : "; " + shown);
                if (q.liveness() && shown == null) d += " (bounded)";
                rows.add(new Row(q, "pass", d, real));
                continue;
            }
            String cannot = kernel == null ? null : kernel.cannot().get(q);
            String sim = kernel == null ? null : shown(q, evidence(q, simPassed), simTagged.getOrDefault(q, 0));
            if (sim != null) {
                rows.add(new Row(q, "skip", "checked only against the simulated device (" + sim + "); the kernel: "
                        + (cannot != null ? cannot : skipReason.getOrDefault(q, "no passing scenario or self-test")),
                        SIMULATED_ONLY));
                continue;
            }
            String why = cannot != null ? "the kernel cannot show it: " + cannot : skipReason.get(q);
            rows.add(new Row(q, "skip", why != null ? why : "not exercised by any passing scenario", ""));
        }
        return rows;
    }

    /**
     * A requirement's row on a real kernel, from what showed it, by evidence class: the self-tests
     * that passed (each with its class), the answers the kernel decided ({@code "by":"kernel"})
     * that the requirement is about (kernel-decided), and the other checked answers (agent-decided).
     * A scenario's tag alone never shows anything. Null when nothing on the kernel showed q.
     */
    private Row kernelRow(Requirement q, ObservedCoverage passed) {
        Map<KernelWitness.Evidence, List<String>> by = new java.util.EnumMap<>(KernelWitness.Evidence.class);
        for (KernelWitness.Test t : kernel.of(q, KernelWitness.Status.PASS)) {
            by.computeIfAbsent(t.evidence(), k -> new ArrayList<>()).add(t.show());
        }
        String decided = decidedEvidence(q, passed.decided(), passed);
        if (decided != null) by.computeIfAbsent(KernelWitness.Evidence.KERNEL_DECIDED, k -> new ArrayList<>()).add(decided);
        String agent = evidence(q, passed);
        if (agent != null && decided == null) {
            by.computeIfAbsent(KernelWitness.Evidence.AGENT_DECIDED, k -> new ArrayList<>()).add("answers: " + agent);
        }
        if (by.isEmpty()) return null;
        List<String> parts = new ArrayList<>();
        by.forEach((e, what) -> parts.add(e.wire() + ": " + String.join(", ", what)));
        String d = String.join("; ", parts) + (q.liveness() ? " (bounded)" : "");
        return new Row(q, "pass", d, by.keySet().iterator().next().wire());
    }

    /**
     * On a kernel: the layout changes reported ended while a DMA in flight across them had not
     * drained (the block changed under the DMA: what S1 forbids), with the scenarios and what they
     * were judged; null when none was. A difference (a listed choice's model allows it) is still
     * evidence against S1: the choice breaks S1.
     */
    private String againstS1() {
        long n = 0;
        long byKernel = 0;
        List<String> where = new ArrayList<>();
        for (ScenarioResult r : results) {
            long k = r.coverage().endedUnderDma();
            if (k == 0) continue;
            n += k;
            byKernel += r.coverage().endedUnderDmaByKernel();
            where.add(r.scenario().id() + " (" + r.status().name().toLowerCase(Locale.ROOT) + ")");
        }
        if (n == 0) return null;
        return "evidence against S1: " + n + " layout change" + (n == 1 ? "" : "s") + " reported ended (inv_end, "
                + byKernel + " in an answer the kernel decided) while a DMA in flight to its range since before it "
                + "started had not drained: the block changed under the DMA, in " + String.join(", ", where.size() > 6
                ? where.subList(0, 6) : where) + (where.size() > 6 ? ", ..." : "");
    }

    /** The strongest evidence class each of S1-S10, L1-L6 got on the kernel, or null (not shown there). */
    public Map<Requirement, String> kernelClasses() {
        Map<Requirement, String> out = new LinkedHashMap<>();
        for (Row r : rows()) {
            if (r.requirement() == Requirement.REF || r.requirement() == Requirement.AGENT) continue;
            out.put(r.requirement(), r.status().equals("FAIL") ? "FAIL" : r.witness().isEmpty() ? null : r.witness());
        }
        return out;
    }

    /**
     * The headline for a real kernel: how many of the 16 requirements the kernel itself decided, and
     * what the others rest on. Null for other devices.
     */
    public String kernelHeadline() {
        if (kernel == null) return null;
        Map<String, List<String>> by = new LinkedHashMap<>();
        for (String k : List.of(KernelWitness.Evidence.KERNEL_DECIDED.wire(), KernelWitness.Evidence.POST_SYSCALL.wire(),
                KernelWitness.Evidence.AGENT_DECIDED.wire(), SIMULATED_ONLY, "FAIL", "not shown")) by.put(k, new ArrayList<>());
        kernelClasses().forEach((q, c) -> by.get(c == null ? "not shown" : c).add(q.name()));
        List<String> kd = by.get(KernelWitness.Evidence.KERNEL_DECIDED.wire());
        StringBuilder sb = new StringBuilder("witnessed by the real kernel: " + kd.size() + " of " + PROTOCOL_REQUIREMENTS
                + (kd.isEmpty() ? "" : " (" + String.join(" ", kd) + ")"));
        by.forEach((k, qs) -> {
            if (!k.equals(KernelWitness.Evidence.KERNEL_DECIDED.wire()) && !qs.isEmpty()) {
                // FAIL: the kernel's answers broke it, by a failure or by a listed choice that breaks it
                // (a difference: the run can still be conformant), hence "shown broken", not "FAIL"
                sb.append("; ").append(k.equals("FAIL") ? "shown broken" : k.equals("not shown") || k.endsWith(" only") ? k
                        : k + " only").append(": ")
                        .append(String.join(" ", qs));
            }
        });
        return sb.toString();
    }

    /**
     * What the answers the kernel decided show for q (decided: their coverage; all: every checked
     * answer), or null. Only decisions the requirement is about count: the kernel's own
     * refusals for the capability and exclusion rows, its EBUSY for S7, the kernel's progress
     * ending an invalidation for S2/L1, a layout change it answered {@code started} and ended itself
     * after the acks for S4/L4 (a wait: one answered {@code done} at once waited for nothing), such a
     * wait held until a DMA in flight across it drained for S1 (its in-flight half), its removal for S8/L5.
     */
    static String decidedEvidence(Requirement q, ObservedCoverage decided, ObservedCoverage all) {
        Map<String, Long> a = decided.actions();
        Map<String, Long> rf = decided.refusals();
        long ends = a.getOrDefault("InvEnd", 0L);
        long waits = all.kernelWaits();
        long held = all.heldForDma();
        switch (q) {
            // S1: not from counts of invalidations and DMAs (nothing ties the two): only invalidations
            // the kernel held until a DMA in flight across them since their start drained (HeldInvalidations)
            case S1: return held > 0 ? held + " layout change" + (held == 1 ? "" : "s") + " the kernel held (answered "
                    + "started, its own inv_end in a later answer) until a DMA in flight to the range since before it "
                    + "started drained (dma_end before the inv_end)" : null;
            case S2: case L1: return ends > 0 ? ends + " invalidations the kernel ended" : null;
            case S4: return waits > 0 ? waits + " layout change" + (waits == 1 ? "" : "s") + " the kernel answered "
                    + "started and ended with its own inv_end in a later answer, after the acks (waits observed)" : null;
            case L4: {
                long t = all.truncateWaits();
                return t > 0 ? t + " truncate" + (t == 1 ? "" : "s") + "/punches the kernel made wait (answered started), "
                        + "then finished (its own inv_end in a later answer)" : null;
            }
            case S5: return rf.containsKey("cached") ? rf.get("cached") + " cached refusals by the kernel" : null;
            case S7: return decided.busy() > 0 ? decided.busy() + " EBUSY from the kernel" : null;
            case S8: return rf.containsKey("exporter-gone") || a.containsKey("UnplugEnd") ? "exporter removal by the kernel" : null;
            case S9: return rf.containsKey("bar-full") ? rf.get("bar-full") + " bar-full refusals by the kernel" : null;
            case S10: {
                long n = capabilityRefusals(rf);
                return n > 0 ? n + " capability refusals by the kernel" : null;
            }
            case L5: return a.containsKey("UnplugEnd") ? a.get("UnplugEnd") + " removals the kernel finished" : null;
            default: return null;
        }
    }

    /** The refusals S10 is about. */
    private static long capabilityRefusals(Map<String, Long> rf) {
        long n = 0;
        for (String r : new String[] {"hole", "shared", "pin-unsupported", "no-route", "no-atomic-route", "write-not-allowed"}) {
            n += rf.getOrDefault(r, 0L);
        }
        return n;
    }

    /** "2 guided scenarios; 7 device accesses checked", or null when nothing showed q. */
    private static String shown(Requirement q, String evidence, int scenarios) {
        if (evidence == null && scenarios == 0) return null;
        String d = (scenarios > 0 ? scenarios + " guided scenario" + (scenarios == 1 ? "" : "s") : "")
                + (evidence != null ? (scenarios > 0 ? "; " : "") + evidence : "");
        return q.liveness() ? d + " (bounded)" : d;
    }

    private static String names(List<KernelWitness.Test> tests) {
        List<String> out = new ArrayList<>();
        for (KernelWitness.Test t : tests) out.add(t.show());
        return String.join(", ", out);
    }

    /** What the passing observations show for a requirement, or null. */
    private static String evidence(Requirement q, ObservedCoverage c) {
        Map<String, Long> a = c.actions();
        Map<String, Long> rf = c.refusals();
        switch (q) {
            case S1: return a.containsKey("DmaStart") && a.containsKey("InvEnd")
                    ? a.get("DmaStart") + " DMAs, " + a.get("InvEnd") + " invalidations ended" : null;
            case S2: case L1: return a.containsKey("InvEnd") ? a.get("InvEnd") + " invalidations ended" : null;
            case S3: return a.containsKey("MapRetry") ? a.get("MapRetry") + " prepared maps retried" : null;
            case S4: return a.containsKey("InvAck") ? a.get("InvAck") + " acknowledgements" : null;
            case S5: return c.paths().isEmpty() ? null : (c.direct() + c.fallback()) + " device accesses checked";
            case S6: return a.containsKey("Writeback") ? a.get("Writeback") + " writebacks" : null;
            case S7: return a.containsKey("DmaBufRelease") ? a.get("DmaBufRelease") + " dma_buf releases" : null;
            case S8: return a.containsKey("UnplugStart") ? a.get("UnplugStart") + " unplugs" : null;
            case S9: return rf.containsKey("bar-full") ? rf.get("bar-full") + " bar-full refusals" : null;
            case S10: {
                long n = capabilityRefusals(rf);
                return n > 0 ? n + " capability refusals" : null;
            }
            case S11: return a.containsKey("DmaBufRelease") ? a.get("DmaBufRelease") + " pins ended by their dma_buf" : null;
            case S12: {
                long n = a.getOrDefault("DeviceUnmap", 0L) + a.getOrDefault("DmaBufRelease", 0L);
                return n > 0 ? n + " unmaps, BAR use checked after each" : null;
            }
            case S13: {
                long n = a.getOrDefault("CpuRead", 0L) + a.getOrDefault("DevFallbackRead", 0L) + a.getOrDefault("DmaEnd", 0L);
                return n > 0 ? n + " reads and completed DMAs checked against the last write" : null;
            }
            case S14: {
                long n = 0;
                for (long k : rf.values()) n += k;
                return n > 0 ? n + " refusals checked against the protocol's order" : null;
            }
            case L2: return a.containsKey("DmaEnd") ? a.get("DmaEnd") + " DMAs completed" : null;
            case L3: {
                long n = a.getOrDefault("MapCommit", 0L) + a.getOrDefault("MapRetry", 0L);
                return n > 0 ? n + " prepared maps resolved" : null;
            }
            case L4: return a.containsKey("InvEnd") && (a.containsKey("Truncate") || a.containsKey("PunchHole"))
                    ? "truncates and punches finished" : null;
            case L5: return a.containsKey("UnplugEnd") ? a.get("UnplugEnd") + " removals finished" : null;
            case L6: {
                long n = a.getOrDefault("DeviceUnmap", 0L) + a.getOrDefault("DmaBufRelease", 0L);
                return n > 0 ? n + " unmaps" : null;
            }
            case REF: case AGENT: return c.ops() > 0 ? c.ops() + " observations checked" : null;
            default: return null;
        }
    }
}
