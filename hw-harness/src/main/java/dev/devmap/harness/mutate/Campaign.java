package dev.devmap.harness.mutate;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.Conformance;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.Response;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.report.TlaTrace;
import dev.devmap.harness.sim.SimulatedDevice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Mutation testing of the harness: the default suite (the guided scenarios and the seeded random
 * sequences of a default run) against the reference device with one {@link Mutation} at a time.
 * Every mutation that fits somewhere in the suite is tried (a baseline run counts the places),
 * at its first place in a scenario and at a later one. A mutation is caught when a scenario fails
 * (the first failing one is shrunk and its row reported), equivalent when the model explains every
 * changed answer with no state lost (see {@link MutatingDevice}), else missed.
 */
public final class Campaign {
    /** The seed of the default suite's random sequences in a campaign (fixed: a campaign is reproducible). */
    public static final long SEED = 1;

    public enum Status { CAUGHT, MISSED, EQUIVALENT }

    /** What TLC said about a catch's TLA+ trace module. */
    public enum Tlc {
        /** TLC rejects the module: the trace is not a behaviour of the spec. */
        REJECTED,
        /** TLC accepts it: the catch is presented as a harness-only check, not as a trace TLC rejects. */
        ACCEPTED,
        /** No module: a harness-only check (addresses, handles) from the start. */
        NONE,
        /** TLC was not asked (or could not check the module). */
        NOT_RUN
    }

    /**
     * One mutation's outcome: for a catch, the row named, whether the check is harness-only, the trace,
     * the scenario; the row expected from what the mutation changed ({@link Expected}); TLC on its module.
     */
    public record Result(Mutation mutation, Status status, String row, boolean harnessOnly, int traceLength,
                         String scenario, long millis, String why, Expected expected, Tlc tlc, String tlcText) {
        /** Caught and named after the row derived from what it mutates. */
        public boolean rightRow() { return status == Status.CAUGHT && expected != null && expected.name().equals(row); }

        public String show() {
            String what = switch (status) {
                case CAUGHT -> String.format(Locale.ROOT, "%-32s %-13s %2d steps  in %s", row,
                        harnessOnly ? "harness-only" : "", traceLength, scenario);
                case EQUIVALENT -> "the model explains every changed answer with no state lost: no observation can tell";
                case MISSED -> "no scenario failed";
            };
            String line = String.format(Locale.ROOT, "%-10s %-32s %s", status.name().toLowerCase(Locale.ROOT), mutation.id(), what);
            if (status != Status.CAUGHT) return line;
            // the diagnosis behind the row; for "Reference", why no S or L row applies
            line += "\n" + " ".repeat(11) + (Requirement.REF.spec().equals(row) ? "no S or L row: " : "why: ") + why;
            line += "\n" + " ".repeat(11) + (rightRow() ? "expected " : "WRONG ROW: expected ")
                    + (expected == null ? "(no place recorded)" : expected.name() + " (" + expected.why() + ")");
            if (tlcText != null) line += "\n" + " ".repeat(11) + tlcText;
            return line;
        }
    }

    /** TLC for the catches' trace modules: the spec directory and a warm runner (one JVM for the campaign). */
    public record TlcCheck(java.nio.file.Path specDir, dev.devmap.spec.tlc.Tlc warm) {}

    private Campaign() { }

    /** The default suite: the guided scenarios and 20 random sequences of 60 operations from {@link #SEED}. */
    public static List<Scenario> suite() {
        return Conformance.scenarios(new Conformance.Options(SEED, 20, 60, List.of(), true, false, 0, null, null, ""));
    }

    /** Every mutation: each field of each answer kind, each event kind changed each way; first and second place. */
    public static List<Mutation> all() {
        List<Mutation> out = new ArrayList<>();
        for (int occ = 1; occ <= 2; occ++) {
            for (Outcome.Answer k : Outcome.Answer.values()) {
                for (Mutation.Field f : Mutation.Field.values()) out.add(Mutation.field(k, f, occ));
            }
            for (Event.Type k : Event.Type.values()) {
                for (Mutation.EventChange h : Mutation.EventChange.values()) out.add(Mutation.event(k, h, occ));
            }
        }
        return out;
    }

    /** The mutations that fit somewhere in the suite (at least {@code occurrence} places in one scenario). */
    public static List<Mutation> applicable(List<Scenario> suite) {
        Map<String, Integer> max = baseline(suite);
        List<Mutation> out = new ArrayList<>();
        for (Mutation m : all()) {
            String site = m.onEvent() ? "event." + m.event().wire() : m.answer().wire() + "." + m.field();
            if (max.getOrDefault(site, 0) >= m.occurrence()) out.add(m);
        }
        return out;
    }

    /** Per place a mutation can fit: the most places in one scenario. */
    private static Map<String, Integer> baseline(List<Scenario> suite) {
        Map<String, Integer> max = new HashMap<>();
        Map<String, Integer> now = new HashMap<>();
        SimulatedDevice sim = new SimulatedDevice();
        DeviceUnderTest counting = new DeviceUnderTest() {
            public String name() { return "sim"; }

            public Capabilities capabilities() { return sim.capabilities(); }

            public DutConfig reset(DutConfig c) {
                now.forEach((k, v) -> max.merge(k, v, Math::max));
                now.clear();
                return sim.reset(c);
            }

            public Response perform(Request req) {
                Response r = sim.perform(req);
                for (Mutation.Field f : Mutation.Field.values()) {
                    if (MutatingDevice.fits(f, r)) now.merge(r.outcome().kind().wire() + "." + f, 1, Integer::sum);
                }
                for (List<Event> es : List.of(r.before(), r.after())) {
                    for (Event e : es) now.merge("event." + e.kind().wire(), 1, Integer::sum);
                }
                return r;
            }

            public void close() { }
        };
        Runner runner = new Runner(counting, sim.capabilities(), false);
        for (Scenario sc : suite) runner.run(sc);
        now.forEach((k, v) -> max.merge(k, v, Math::max));
        return max;
    }

    /** Runs one mutation against the suite, stopping at the first failing scenario (shrunk); no TLC. */
    public static Result run(Mutation m, List<Scenario> suite) { return run(m, suite, null); }

    /** As above; with tlc, TLC checks the catch's trace module (a module TLC accepts makes the catch harness-only). */
    public static Result run(Mutation m, List<Scenario> suite, TlcCheck tlc) {
        long t0 = System.nanoTime();
        try (MutatingDevice dev = new MutatingDevice(m)) {
            Runner runner = new Runner(dev, dev.capabilities(), true);
            for (Scenario sc : suite) {
                dev.mark();
                ScenarioResult r = runner.run(sc);
                if (r.status() == ScenarioResult.Status.FAIL || r.status() == ScenarioResult.Status.ERROR) {
                    Expected want = dev.site() == null ? null : Expected.of(m, dev.site(), dev.semantics());
                    boolean harnessOnly = r.failure() != null && r.failure().kind().harnessOnly();
                    Tlc verdict = harnessOnly ? Tlc.NONE : Tlc.NOT_RUN;
                    String text = harnessOnly ? "TLC: no module (a harness-only check from the start)" : null;
                    if (tlc != null && !harnessOnly && r.failure() != null) {
                        TlaTrace t = new TlaTrace("DmapTrace_M", runner.lastConfig(), r.trace());
                        TlaTrace.Confirmation c = t.confirm(tlc.specDir(), tlc.warm());
                        verdict = !c.ran() ? Tlc.NOT_RUN : c.behaviour() ? Tlc.ACCEPTED : Tlc.REJECTED;
                        text = c.behaviour() ? TlaTrace.acceptedLabel(r.failure()) : c.text();
                        harnessOnly = c.behaviour();
                    }
                    return new Result(m, Status.CAUGHT, r.verdict().requirement().spec(), harnessOnly, r.trace().size(),
                            sc.id(), millis(t0), r.verdict().why(), want, verdict, text);
                }
            }
            Status s = dev.applied() > 0 && dev.allExplained() ? Status.EQUIVALENT : Status.MISSED;
            return new Result(m, s, null, false, 0, null, millis(t0), null, null, Tlc.NOT_RUN, null);
        }
    }

    private static long millis(long t0) { return (System.nanoTime() - t0) / 1_000_000; }

    /** The campaign's figures; wrongRow: the catches named after another row than the expected one. */
    public record Score(int mutations, int caught, int equivalent, int missed, long millis, Map<String, Integer> rows,
                        int rightRow, List<Result> wrongRow, Map<Tlc, Integer> tlc) {
        public double percent() {
            int d = mutations - equivalent;
            return d == 0 ? 100.0 : 100.0 * caught / d;
        }

        public double rightPercent() {
            int d = mutations - equivalent;
            return d == 0 ? 100.0 : 100.0 * rightRow / d;
        }

        public String show() {
            return String.format(Locale.ROOT, "mutation score: %d caught / (%d mutations - %d equivalent) = %.1f%%; "
                    + "with the right row %d / %d = %.1f%%; %d missed; %.1f s", caught, mutations, equivalent, percent(),
                    rightRow, mutations - equivalent, rightPercent(), missed, millis / 1000.0);
        }

        /** TLC on the catches' modules: rejected / accepted (labelled harness-only) / none (harness-only) / not run. */
        public String showTlc() {
            return String.format(Locale.ROOT, "TLC on the catches' trace modules: %d rejected, %d accepted (labelled "
                    + "harness-only), %d none (harness-only check), %d not run", tlc.getOrDefault(Tlc.REJECTED, 0),
                    tlc.getOrDefault(Tlc.ACCEPTED, 0), tlc.getOrDefault(Tlc.NONE, 0), tlc.getOrDefault(Tlc.NOT_RUN, 0));
        }
    }

    /** Runs the mutations, reporting each result as it comes. */
    public static Score run(List<Mutation> ms, List<Scenario> suite, Consumer<Result> each) {
        return run(ms, suite, null, each);
    }

    /** As above, with TLC on each catch's trace module when tlc is given. */
    public static Score run(List<Mutation> ms, List<Scenario> suite, TlcCheck tlc, Consumer<Result> each) {
        long t0 = System.nanoTime();
        int caught = 0, equivalent = 0, missed = 0, right = 0;
        Map<String, Integer> rows = new java.util.TreeMap<>();
        List<Result> wrong = new ArrayList<>();
        Map<Tlc, Integer> tlcs = new java.util.EnumMap<>(Tlc.class);
        for (Mutation m : ms) {
            Result r = run(m, suite, tlc);
            switch (r.status()) {
                case CAUGHT -> {
                    caught++;
                    rows.merge(r.row(), 1, Integer::sum);
                    if (r.rightRow()) right++; else wrong.add(r);
                    tlcs.merge(r.tlc(), 1, Integer::sum);
                }
                case EQUIVALENT -> equivalent++;
                default -> missed++;
            }
            each.accept(r);
        }
        return new Score(ms.size(), caught, equivalent, missed, millis(t0), rows, right, wrong, tlcs);
    }
}
