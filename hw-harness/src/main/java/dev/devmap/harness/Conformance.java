package dev.devmap.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devmap.harness.report.JunitXml;
import dev.devmap.harness.report.Ktap;
import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.report.TextReport;
import dev.devmap.harness.report.Texts;
import dev.devmap.harness.report.TlaTrace;
import dev.devmap.harness.scenario.Guided;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.SimulatedDevice;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * A conformance run: the spec-guided scenarios, then the seeded random sequences, each checked by
 * the oracle, failures diagnosed and shrunk; KTAP on the given writer as results come; the readable
 * report and the JUnit XML (rewritten when the number of results has doubled, and at the end: linear
 * time) and a journal (one JSON line per scenario, appended as it ends) in the run's own report
 * directory; each distinct failure written as a TLA+ trace module as it is found, with the
 * configuration the device reported, and, when asked, confirmed by TLC not to be a behaviour of
 * the spec.
 */
public final class Conformance {
    /**
     * @param seed      the run's seed (random sequences derive theirs from it)
     * @param randoms   how many random sequences
     * @param length    operations per random sequence
     * @param only      scenario ids to run (empty: all)
     * @param shrink    shrink failures to minimal traces
     * @param tlc       confirm failure traces with TLC
     * @param tlcMax    at most this many TLC runs
     * @param specDir   the spec (for TLC), or null
     * @param reportDir where the report files go
     * @param reproduce the command line that reproduces this run
     */
    public record Options(long seed, int randoms, int length, List<String> only, boolean shrink, boolean tlc, int tlcMax,
                          Path specDir, Path reportDir, String reproduce) {}

    /** Lines from a device (agent started, restarted) to print as KTAP diagnostics. */
    public static final class Log implements Consumer<String> {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        @Override
        public void accept(String s) { lines.add(s); }

        void drain(Consumer<String> to) {
            String l;
            while ((l = lines.poll()) != null) to.accept(l);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Conformance() { }

    /** The scenarios of a run, in order. */
    public static List<Scenario> scenarios(Options o) {
        List<Scenario> out = new ArrayList<>(Guided.all());
        Random r = new Random(o.seed());
        for (int k = 1; k <= o.randoms(); k++) out.add(Scenario.random("random-" + k, r.nextLong(), o.length()));
        if (!o.only().isEmpty()) out.removeIf(s -> !o.only().contains(s.id()));
        return out;
    }

    public static RunResult run(DeviceUnderTest dut, Capabilities caps, Options o, PrintWriter out, Log log)
            throws IOException {
        List<Scenario> all = scenarios(o);
        RunResult run = new RunResult(dut.name(), caps, o.seed(), o.reproduce());
        run.kernel = dut.kernelWitness();
        run.choiceWhy.putAll(choiceWhy(o.specDir(), caps.choices()));
        Files.createDirectories(o.reportDir());   // the run's own directory (see RunDir): nothing in it is older
        Path journal = o.reportDir().resolve("results.jsonl");
        Files.writeString(journal, "");
        Ktap ktap = new Ktap(out);
        ktap.header(dut.name(), caps.agent(), o.seed(), o.reproduce(), 3);
        ktap.note("report: " + o.reportDir().resolve("report.txt") + ", JUnit XML: " + o.reportDir().resolve("junit.xml"));
        log.drain(ktap::note);
        Runner runner = new Runner(dut, caps, o.shrink());
        try {
            runAll(o, all, run, runner, ktap, journal, log, caps);
        } catch (IOException | RuntimeException e) {
            write(o.reportDir(), run);   // what was checked stays in the report (INCOMPLETE)
            throw e;
        }
        finish(o, caps, run, ktap);
        return run;
    }

    private static void runAll(Options o, List<Scenario> all, RunResult run, Runner runner, Ktap ktap, Path journal,
                                  Log log, Capabilities caps) throws IOException {
        int writtenAt = 0;
        for (String group : List.of("guided", "random")) {
            List<Scenario> g = all.stream().filter(s -> s.group().equals(group)).toList();
            ktap.begin(group, g.size());
            boolean ok = true;
            int n = 0;
            for (Scenario sc : g) {
                ScenarioResult r = runner.run(sc);
                int num = run.add(r);
                log.drain(ktap::subtestNote);
                ktap.scenario(++n, r, num);
                ok &= r.status() == ScenarioResult.Status.PASS || r.status() == ScenarioResult.Status.SKIP
                        || r.status() == ScenarioResult.Status.DIFFERENCE;
                journal(journal, r, num);
                RunResult.Numbered f = num > 0 ? run.failures.get(num - 1) : null;
                if (f != null && f.result == r) traceModule(o.reportDir(), f, runner.lastConfig() != null
                        ? runner.lastConfig() : caps.config());   // as found: a crash keeps it
                if (run.results.size() >= 2 * writtenAt) {   // at doubling points: linear in all
                    write(o.reportDir(), run);
                    writtenAt = run.results.size();
                }
            }
            ktap.end(group, ok);
        }
    }

    private static void finish(Options o, Capabilities caps, RunResult run, Ktap ktap) throws IOException {
        if (run.kernel != null) simulatedInstead(run);
        int tlcRuns = 0;
        dev.devmap.spec.tlc.WarmTlcRunner warm = null;   // one TLC JVM for the run's modules, started when needed
        try {
            for (RunResult.Numbered f : run.byPriority()) {
                TlaTrace t = f.trace;
                if (t == null) continue;   // a harness-only check: no module (see traceModule)
                if (o.tlc() && o.specDir() != null && tlcRuns < o.tlcMax()) {
                    tlcRuns++;
                    if (warm == null) warm = new dev.devmap.spec.tlc.WarmTlcRunner(new dev.devmap.spec.tlc.TlcRunner(), List.of());
                    confirmed(f, t.confirm(o.specDir(), warm));
                    ktap.note("failure " + f.number + " (" + f.result.verdict().requirement().spec() + "): " + f.tlc);
                } else if (o.tlc() && o.specDir() == null) {
                    f.tlc = "TLC not run: no spec directory (--spec-dir)";
                } else if (o.tlc()) {
                    f.tlc = "TLC not run (--tlc-max " + o.tlcMax() + ")";
                }
            }
        } finally {
            if (warm != null) warm.close();
        }
        ktap.note("coverage: " + run.coverage.summary());
        for (String l : run.coverage.matrix()) ktap.note("  " + l);
        ktap.note("access paths: " + run.coverage.direct() + " direct, " + run.coverage.fallback() + " fallback; refusals: "
                + run.coverage.refusals());
        List<RunResult.Row> rows = run.rows();
        ktap.begin("requirements", rows.size());
        boolean ok = true;
        int n = 0;
        for (RunResult.Row row : rows) {
            ktap.row(++n, row);
            ok &= !row.status().equals("FAIL");
        }
        ktap.end("requirements", ok);
        run.finished = true;
        write(o.reportDir(), run);
    }

    /**
     * For a real kernel: the scenarios it could not run go to the simulated device, so the report
     * can tell "checked only against the simulated device" from "not checked at all".
     */
    private static void simulatedInstead(RunResult run) {
        try (SimulatedDevice sim = new SimulatedDevice()) {
            Runner runner = new Runner(sim, sim.capabilities(), false);
            for (ScenarioResult k : List.copyOf(run.results)) {
                if (k.status() != ScenarioResult.Status.SKIP) continue;
                ScenarioResult r = runner.run(k.scenario());
                run.simRun++;
                if (r.status() != ScenarioResult.Status.PASS) continue;
                run.simPassed.add(r.coverage());
                for (Requirement q : r.scenario().exercises()) run.simTagged.merge(q, 1, Integer::sum);
            }
        }
    }

    /** The mechanism text of each listed choice, from models.json "choices" (empty without a spec directory). */
    static Map<String, String> choiceWhy(Path specDir, List<String> choices) {
        Map<String, String> out = new LinkedHashMap<>();
        if (choices.isEmpty()) return out;
        Path dir = specDir;
        if (dir == null && System.getenv("DMAP_HOME") != null) dir = Path.of(System.getenv("DMAP_HOME"), "spec");
        if (dir == null || !Files.isRegularFile(dir.resolve("models.json"))) return out;
        try {
            dev.devmap.spec.model.Manifest m = dev.devmap.spec.model.Manifest.loadFromSpecDir(dir);
            for (String c : choices) {
                if (m.choices().containsKey(c)) out.put(c, m.choices().get(c).why());
            }
        } catch (RuntimeException e) {
            // the report names the choice; its mechanism text is in spec/models.json
        }
        return out;
    }


    /**
     * Records what TLC said about failure f's module. A module TLC accepts (a behaviour of the spec)
     * makes the failure a harness-only check, labelled with the check that found it: it is never
     * presented as a trace TLC rejects.
     */
    public static void confirmed(RunResult.Numbered f, TlaTrace.Confirmation c) {
        if (c.behaviour() && f.result.failure() != null) {
            f.acceptedByTlc = true;
            f.tlc = TlaTrace.acceptedLabel(f.result.failure()) + " (" + c.text() + ")";
        } else {
            f.tlc = c.text();
        }
    }

    /** Writes failure f's TLA+ trace module, with the configuration the device reported for its scenario. */
    private static void traceModule(Path reportDir, RunResult.Numbered f, DutConfig config) throws IOException {
        if (f.result.failure() != null && f.result.failure().kind().harnessOnly()) {
            // the spec has no BAR addresses or dma_buf handles: TLC would accept this trace, so none is offered
            f.tlc = "harness-only check (" + f.result.failure().kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + "): the spec states no BAR addresses or dma_buf handles, so no TLA+ trace module is written "
                    + "(TLC would accept the trace)";
            return;
        }
        String name = "DmapTrace_" + f.number;
        TlaTrace t = new TlaTrace(name, config, f.result.trace());
        Path dir = reportDir.resolve("failure-" + f.number);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".tla"), t.module());
        Files.writeString(dir.resolve(name + ".cfg"), t.cfg());
        f.tlaModule = dir.resolve(name + ".tla").toString();
        f.trace = t;
    }

    private static void journal(Path file, ScenarioResult r, int failure) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", r.scenario().id());
        m.put("group", r.scenario().group());
        m.put("status", r.status().name().toLowerCase(Locale.ROOT));
        if (r.reason() != null) m.put("reason", r.reason());
        if (r.verdict() != null) {
            m.put("requirement", r.verdict().requirement().spec());
            m.put("why", r.verdict().why());
            if (r.verdict().like() != null) m.put("like", r.verdict().like());
        }
        if (failure > 0) {
            m.put("failure", failure);
            m.put("trace", Texts.trace(r));
        }
        if (r.status() == ScenarioResult.Status.DIFFERENCE) {
            m.put("choice", r.choice());
            m.put("trace", Texts.trace(r));
        }
        m.put("observations", r.coverage().ops());
        if (!r.coverage().paths().isEmpty()) m.put("paths", r.coverage().paths());
        // no timing: same seed, same run, byte for byte (the times are in junit.xml)
        Files.writeString(file, JSON.writeValueAsString(m) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private static void write(Path dir, RunResult run) throws IOException {
        run.millis = (System.nanoTime() - run.startNanos) / 1_000_000;
        replace(dir.resolve("report.txt"), TextReport.render(run));
        replace(dir.resolve("junit.xml"), JunitXml.render(run));
    }

    private static void replace(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
