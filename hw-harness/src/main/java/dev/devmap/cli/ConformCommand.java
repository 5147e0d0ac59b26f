package dev.devmap.cli;

import dev.devmap.harness.Capabilities;
import dev.devmap.harness.Conformance;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.Devices;
import dev.devmap.harness.DutException;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.Safety;
import dev.devmap.harness.agent.Wire;
import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.scenario.Scenario;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dmap conform}: the conformance suite against a device. */
@Command(mixinStandardHelpOptions = true, name = "conform",
        description = {"Run the conformance suite against a device: the spec-guided scenarios and seeded random "
                + "sequences, every observation checked against the reference model.",
                "KTAP on stdout as results come; report.txt, junit.xml, results.jsonl and one TLA+ trace module per "
                + "failure in --report-dir; a summary on stderr.",
                "Devices: sim (the embedded simulated device, the default), sim:QUIRK[,QUIRK...][,ack-delay=N] "
                + "(with faults, see 'dmap quirks'), agent:CMD (any agent speaking the line protocol, e.g. "
                + "agent:'./dmap agent-sim'), linux-qemu[:bar-pages=N][,fs=dax|xfs] (a real Linux 6.12 under QEMU with an NVMe CMB; fs=dax: xfs -o dax on an NVDIMM, fs=xfs: xfs on NVMe: "
                + "builds and caches the kernel, runs its self-test, then the scenarios), linux:pci=BDF[,nvme=DEV][,allow-unplug] "
                + "(the same agent on this host's hardware, as root).",
                "Exit (ExitCodes): 0 conformant, 1 non-conformant (a requirement fails or the agent hung, crashed or wrote "
                + "garbage), 2 bad input (argument, device string, an agent that cannot start or fails its handshake), "
                + "3 the harness itself failed."})
public final class ConformCommand extends SpecCommand {
    /** Bounds of a run: the scenarios are planned up front, and the oracle keeps a sequence's observations. */
    static final int MAX_RANDOM = 100_000;
    static final int MAX_LENGTH = 10_000;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "sim",
            description = "The device under test (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random sequences (default: a fresh one, printed).")
    Long seed;

    @Option(names = "--random", paramLabel = "N",
            description = "Random sequences (default: the device's: 20; 3 for linux-qemu:fs=dax|xfs; 0 for linux-qemu "
                    + "and linux:, whose memfd stand-in files have no writeback, so random maps of written pages differ "
                    + "from the model by design).")
    Integer randomsOption;

    @Option(names = "--length", paramLabel = "N",
            description = "Operations per random sequence (default: the device's: 60; 12 on a real kernel).")
    Integer lengthOption;

    @Option(names = "--only", paramLabel = "ID", split = ",", description = "Run only these scenarios (ids as in the KTAP output).")
    List<String> only = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000",
            description = "Per-operation timeout for agents, in ms (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--handshake-timeout", paramLabel = "MS", defaultValue = "15000",
            description = "How long an agent may take from its start to its hello, in ms (default: ${DEFAULT-VALUE}); "
                    + "an agent that misses it on a restart is not started again in this run.")
    long handshakeMs;

    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = ".dmap/conform",
            description = "Where the report files go: each run in a fresh subdirectory DIR/<UTC time>-seed<N>, "
                    + "DIR/latest links to the newest; nothing else in DIR is touched (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    @Option(names = "--no-shrink", description = "Do not shrink failing traces.")
    boolean noShrink;

    @Option(names = "--no-tlc", description = "Write failures as TLA+ trace modules but do not run TLC on them.")
    boolean noTlc;

    @Option(names = "--tlc-max", paramLabel = "N", defaultValue = "3",
            description = "Confirm at most N failures with TLC (default: ${DEFAULT-VALUE}; each takes a few seconds).")
    int tlcMax;

    @Option(names = "--scratch", paramLabel = "DIR",
            description = "A directory where the backend may create scratch files (a fresh subdirectory, removed at the end).")
    Path scratch;

    @Option(names = "--block-device", paramLabel = "DEV",
            description = "The block device the backend may use; refused if it has a mounted filesystem.")
    Path blockDevice;

    @Option(names = "--mutate",
            description = "Mutation testing of the harness itself: the default suite against the simulated device with one "
                    + "systematic change of its answers or events at a time; prints caught / missed / equivalent per "
                    + "mutation, the row named, the row expected from what it changes, the trace length and what TLC "
                    + "says of the catch's trace module (--no-tlc: not run), then the score. Exit 0 when every "
                    + "non-equivalent mutation is caught with its expected row, else 1.")
    boolean mutate;

    @Option(names = "--mutations", paramLabel = "ID", split = ",",
            description = "With --mutate: only these mutations (ids as printed, e.g. granted.addrs@1,event.ack.drop@2).")
    List<String> mutations = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = out();
        PrintWriter err = err();
        if (mutate) return mutationCampaign(out, err);
        if ((randomsOption != null && randomsOption < 0) || (lengthOption != null && lengthOption < 1) || timeoutMs < 1
                || tlcMax < 0 || handshakeMs < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--random must be >= 0, --length, --timeout, --handshake-timeout >= 1, --tlc-max >= 0");
        }
        if ((randomsOption != null && randomsOption > MAX_RANDOM) || (lengthOption != null && lengthOption > MAX_LENGTH)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--random may be at most " + MAX_RANDOM
                    + " and --length at most " + MAX_LENGTH + " (a longer run: several seeds)");
        }
        if (reportDir.toString().isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--report-dir must name a directory, not ''");
        }
        long s = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
        Map<String, String> resources = new LinkedHashMap<>();
        Path scratchSub = null;
        try {
            if (blockDevice != null) resources.put("block_device", Safety.blockDevice(blockDevice).toString());
            if (scratch != null) {
                scratchSub = Safety.scratch(scratch);
                resources.put("scratch", scratchSub.toAbsolutePath().toString());
            }
        } catch (Safety.Refused e) {
            throw CliException.badInput(e.getMessage());
        }
        Conformance.Log log = new Conformance.Log();
        DeviceUnderTest dut;
        try {
            dut = Devices.open(device, Duration.ofMillis(timeoutMs), resources, log, l -> {
                err.println("dmap: " + l);
                err.flush();
            });
            if (dut instanceof dev.devmap.harness.agent.AgentDevice a) a.handshakeTimeout(Duration.ofMillis(handshakeMs));
        } catch (IllegalArgumentException e) {
            Safety.removeScratch(scratchSub);
            throw CliException.badInput(e.getMessage());
        }
        // the device says how many random sequences its mechanism allows (and how long)
        DeviceUnderTest.RandomDefault rd = dut.randomDefault();
        int randoms = randomsOption != null ? randomsOption : rd.count();
        int length = lengthOption != null ? lengthOption : rd.length();
        if (randomsOption == null && rd.why() != null) {
            err.println("dmap: " + randoms + " random sequences of " + length + " operations (the device's default: "
                    + rd.why() + ")");
            err.flush();
        }
        try {
            Capabilities caps;
            try {
                caps = dut.capabilities();
            } catch (DutException e) {
                throw CliException.badInput("cannot use " + dut.name() + ": the agent " + e.kind().text() + ": "
                        + e.getMessage() + (e.log().isBlank() ? "" : " (stderr: " + Main.oneLine(e.log()) + ")"));
            }
            if (caps.version() != Wire.VERSION) {
                throw CliException.badInput("the agent speaks protocol version " + caps.version() + "; dmap speaks "
                        + Wire.VERSION);
            }
            Path dir = specDir.resolveIfPresent();   // optional here: without the spec, failures are not confirmed with TLC
            Conformance.Options o = new Conformance.Options(s, randoms, length, only, !noShrink, !noTlc, tlcMax, dir,
                    reportDir, reproduce(s));
            List<Scenario> planned = Conformance.scenarios(o);
            if (planned.isEmpty()) throw CliException.badInput("--only " + String.join(",", only) + " matches no scenario");
            o = new Conformance.Options(s, randoms, length, only, !noShrink, !noTlc, tlcMax, dir,
                    dev.devmap.harness.report.RunDir.create(reportDir, s), reproduce(s));
            RunResult run = Conformance.run(dut, caps, o, out, log);
            summary(err, run);
            return run.conformant() ? ExitCodes.OK : ExitCodes.VIOLATED;
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(ExitCodes.FAILED, "harness error: " + e.getClass().getSimpleName() + ": "
                    + Main.oneLine(e.getMessage()));
        } finally {
            dut.close();
            Safety.removeScratch(scratchSub);
        }
    }

    private int mutationCampaign(PrintWriter out, PrintWriter err) {
        if (!device.equals("sim")) {
            throw CliException.badInput("--mutate mutates the simulated device's answers in process; it takes no --device");
        }
        List<Scenario> suite = dev.devmap.harness.mutate.Campaign.suite();
        List<dev.devmap.harness.mutate.Mutation> ms = dev.devmap.harness.mutate.Campaign.applicable(suite);
        if (!mutations.isEmpty()) {
            List<String> known = ms.stream().map(dev.devmap.harness.mutate.Mutation::id).toList();
            for (String id : mutations) {
                if (!known.contains(id)) throw CliException.badInput("unknown or inapplicable mutation '" + id + "'");
            }
            ms = ms.stream().filter(m -> mutations.contains(m.id())).toList();
        }
        out.println("# dmap conform --mutate: " + ms.size() + " mutations of the simulated device's answers and events, "
                + "each against the default suite (" + suite.size() + " scenarios, seed " + dev.devmap.harness.mutate.Campaign.SEED
                + ")");
        out.flush();
        java.nio.file.Path spec = noTlc ? null : specDir.resolveIfPresent();
        try (var warm = spec == null ? null : new dev.devmap.spec.tlc.WarmTlcRunner(new dev.devmap.spec.tlc.TlcRunner(),
                List.of())) {
            var tlc = spec == null ? null : new dev.devmap.harness.mutate.Campaign.TlcCheck(spec, warm);
            var score = dev.devmap.harness.mutate.Campaign.run(ms, suite, tlc, r -> {
                out.println(r.show());
                out.flush();
            });
            out.println("# rows named: " + score.rows());
            for (var r : score.wrongRow()) {
                out.println("# wrong row: " + r.mutation().id() + " named " + r.row() + ", expected "
                        + (r.expected() == null ? "(no place recorded)" : r.expected().name()));
            }
            out.println("# " + score.showTlc());
            err.println("dmap conform: " + score.show());
            err.println("dmap conform: " + score.showTlc());
            err.flush();
            return score.missed() == 0 && score.wrongRow().isEmpty() ? ExitCodes.OK : ExitCodes.VIOLATED;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("TLC's warm JVM did not end cleanly", e);
        }
    }

    private String reproduce(long s) {
        StringBuilder sb = new StringBuilder("dmap conform --device ");
        sb.append(device.contains(" ") ? "'" + device + "'" : device).append(" --seed ").append(s);
        if (randomsOption != null) sb.append(" --random ").append(randomsOption);
        if (lengthOption != null) sb.append(" --length ").append(lengthOption);
        if (!only.isEmpty()) sb.append(" --only ").append(String.join(",", only));
        return sb.toString();
    }

    private static void summary(PrintWriter err, RunResult run) {
        List<RunResult.Row> rows = run.rows();
        List<String> failing = new ArrayList<>();
        for (RunResult.Row r : rows) if (r.status().equals("FAIL")) failing.add(r.requirement().spec());
        err.printf(Locale.ROOT, "dmap conform: %s: %d scenarios (%d pass, %d differences, %d fail, %d skip, %d agent errors), %d observations, "
                        + "%.1f s, seed %d%n", run.conformant() ? "CONFORMANT" : "NON-CONFORMANT", run.results.size(),
                run.count(dev.devmap.harness.scenario.ScenarioResult.Status.PASS),
                run.count(dev.devmap.harness.scenario.ScenarioResult.Status.DIFFERENCE),
                run.count(dev.devmap.harness.scenario.ScenarioResult.Status.FAIL),
                run.count(dev.devmap.harness.scenario.ScenarioResult.Status.SKIP),
                run.count(dev.devmap.harness.scenario.ScenarioResult.Status.ERROR), run.coverage.ops(), run.millis / 1000.0,
                run.seed);
        if (!failing.isEmpty()) err.println("dmap conform: failing: " + String.join(", ", failing));
        if (run.kernel != null) err.println("dmap conform: " + run.kernelHeadline());
        if (!run.differences().isEmpty()) {
            List<String> ds = new ArrayList<>();
            for (var r : run.differences()) ds.add(r.scenario().id() + " (" + r.choice() + ")");
            err.println("dmap conform: differences from the model, explained by the device's protocol choices: "
                    + String.join(", ", ds));
        }
        err.println("dmap conform: coverage: " + run.coverage.summary());
        err.flush();
    }
}
