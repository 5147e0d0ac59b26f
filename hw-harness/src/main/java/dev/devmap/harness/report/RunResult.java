package dev.devmap.harness.report;

import dev.devmap.harness.Capabilities;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.oracle.Coverage;
import dev.devmap.harness.scenario.ScenarioResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a conformance run found so far; the reports are rendered from it (after every
 * scenario, so a crash of the harness loses nothing already checked).
 */
public final class RunResult {
    /** A row of the report: one requirement. */
    public record Row(Requirement requirement, String status, String detail) {}

    /** A distinct failure (scenarios that shrink to the same trace share one). */
    public static final class Numbered {
        public final int number;
        public final ScenarioResult result;
        public final List<String> alsoIn = new ArrayList<>();
        public String tlaModule;
        public String tlc;

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
    public final List<String> notes = new ArrayList<>();
    public final Coverage coverage = new Coverage();
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
        String key = key(r);
        for (Numbered n : failures) {
            if (key(n.result).equals(key)) {
                n.alsoIn.add(r.scenario().id());
                return n.number;
            }
        }
        Numbered n = new Numbered(failures.size() + 1, r);
        failures.add(n);
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

    public boolean conformant() {
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
        Coverage passed = new Coverage();
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
        for (Requirement q : Requirement.values()) {
            if (fails.containsKey(q)) {
                List<String> fs = fails.get(q);
                String d = fs.size() <= 6 ? String.join(", ", fs)
                        : fs.size() + " failures: " + String.join(", ", fs.subList(0, 5)) + ", ...";
                rows.add(new Row(q, "FAIL", d));
                continue;
            }
            if (q == Requirement.AGENT && !agentErrors.isEmpty()) {
                rows.add(new Row(q, "FAIL", agentErrors.size() + " scenario(s) lost to agent faults: "
                        + String.join(", ", agentErrors)));
                continue;
            }
            String ev = evidence(q, passed);
            int n = tagged.getOrDefault(q, 0);
            if (ev != null || n > 0) {
                String d = (n > 0 ? n + " guided scenario" + (n == 1 ? "" : "s") : "")
                        + (ev != null ? (n > 0 ? "; " : "") + ev : "");
                if (q.liveness()) d += " (bounded)";
                rows.add(new Row(q, "pass", d));
            } else {
                String why = skipReason.get(q);
                rows.add(new Row(q, "skip", why != null ? why : "not exercised by any passing scenario"));
            }
        }
        return rows;
    }

    /** What the passing observations show for a requirement, or null. */
    private static String evidence(Requirement q, Coverage c) {
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
                long n = 0;
                for (String r : new String[] {"hole", "shared", "pin-unsupported", "no-route", "no-atomic-route",
                        "write-not-allowed"}) n += rf.getOrDefault(r, 0L);
                return n > 0 ? n + " capability refusals" : null;
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
