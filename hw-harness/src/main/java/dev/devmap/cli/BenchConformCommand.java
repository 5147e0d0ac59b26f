package dev.devmap.cli;

import dev.devmap.kernelapi.Op;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.harness.agent.AgentDevice;
import dev.devmap.harness.agent.CommandSplitter;
import dev.devmap.harness.oracle.Failure;
import dev.devmap.harness.oracle.Oracle;
import dev.devmap.harness.scenario.RandomOps;
import dev.devmap.harness.sim.SimulatedDevice;

import java.io.PrintWriter;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dmap bench conform}: checked operations per second, in process and through the agent protocol. */
@Command(mixinStandardHelpOptions = true, name = "conform",
        description = {"Checked operations per second: the simulated device in process, and the same device behind "
                + "the agent line protocol (a child 'dmap agent-sim'), side by side; plus raw protocol round trips.",
                "Targets: 100k checked operations/s in process, 20k round trips/s over the protocol."})
public final class BenchConformCommand extends DmapCommand {
    @Option(names = "--ops", paramLabel = "N", defaultValue = "200000",
            description = "Operations per measurement (default: ${DEFAULT-VALUE}; the protocol runs a tenth of it).")
    int ops;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "4",
            description = "Warm-up of each JVM before measuring (default: ${DEFAULT-VALUE} s; the JIT needs it).")
    double warmup;

    @Option(names = "--agent", paramLabel = "CMD",
            description = "The agent command (default: this JVM's java running dev.devmap.cli.Main agent-sim).")
    String agent;

    @Override
    public Integer call() throws Exception {
        if (warmup < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be >= 0");
        if (ops < 1000) throw new CommandLine.ParameterException(spec.commandLine(), "--ops must be at least 1000");
        PrintWriter out = out();
        String cmd = agent != null ? agent : selfAgent();
        out.printf(Locale.ROOT, "dmap bench conform: seed %d, %d operations in process, %d through the protocol, after "
                + "%.0f s warm-up of each JVM; %d processors, load average %.1f%n", seed, ops, ops / 10, warmup,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.flush();
        SimulatedDevice sim = new SimulatedDevice();
        long until = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < until) {
            checked(sim, sim.capabilities(), 20_000);
            unchecked(sim, 20_000);
        }
        double[] inProc = measure(() -> checked(sim, sim.capabilities(), ops), ops, null);
        double[] devOnly = measure(() -> unchecked(sim, ops), ops, null);
        double[] proto;
        double[] rt;
        try (AgentDevice a = new AgentDevice(cmd, Duration.ofSeconds(10), Map.of(), l -> { })) {
            Capabilities caps = a.capabilities();
            until = System.nanoTime() + (long) (warmup * 1e9);
            while (System.nanoTime() < until) {
                checked(a, caps, 2_000);
                roundTrips(a, 2_000);
            }
            ProcessHandle agentProc = ProcessHandle.of(a.pid()).orElse(null);
            proto = measure(() -> checked(a, caps, ops / 10), ops / 10, agentProc);
            rt = measure(() -> roundTrips(a, ops / 10), ops / 10, agentProc);
        }
        out.printf(Locale.ROOT, "  %-44s %12s %14s %10s%n", "measurement", "ops/s", "ops/CPU-s", "target");
        row(out, "in process: device + oracle (checked)", inProc, "100,000");
        row(out, "in process: device alone (unchecked)", devOnly, "");
        row(out, "agent protocol: device + oracle (checked)", proto, "");
        row(out, "agent protocol: round trips (cpu_read)", rt, "20,000");
        out.println("  ops/s: wall clock; ops/CPU-s: per CPU second of the measuring thread (and, over the protocol, the");
        out.println("  agent process): what the harness does when it has the cores to itself.");
        out.flush();
        return ExitCodes.OK;
    }

    interface Work {
        void run() throws Exception;
    }

    /** {wall rate, CPU rate} of n operations: CPU of this thread, plus the agent process's if given. */
    static double[] measure(Work w, int n, ProcessHandle agent) throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long a0 = agentCpu(agent);
        long t0 = System.nanoTime();
        w.run();
        long wall = System.nanoTime() - t0;
        long cpu = mx.getCurrentThreadCpuTime() - c0 + (agentCpu(agent) - a0);
        return new double[] {n / (wall / 1e9), cpu > 0 ? n / (cpu / 1e9) : Double.NaN};
    }

    private static long agentCpu(ProcessHandle p) {
        if (p == null) return 0;
        return p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static void row(PrintWriter out, String what, double[] r, String target) {
        out.printf(Locale.ROOT, "  %-44s %,12.0f %,14.0f %10s%n", what, r[0], r[1], target);
    }

    static String selfAgent() {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        return CommandSplitter.quote(java) + " -XX:+UseSerialGC -XX:TieredStopAtLevel=4 -cp " + CommandSplitter.quote(cp)
                + " dev.devmap.cli.Main agent-sim";
    }

    /** Random operations, each checked by the oracle; a fresh scenario every 60 operations. */
    private double checked(DeviceUnderTest dut, Capabilities caps, int n) throws Exception {
        long t0 = System.nanoTime();
        int done = 0;
        long round = 0;
        while (done < n) {
            DutConfig cfg = dut.reset(DutConfig.standard());
            Oracle oracle = new Oracle(cfg, caps);
            RandomOps gen = new RandomOps(seed + round++, cfg, caps.ops());
            for (int k = 0; k < 60 && done < n; k++, done++) {
                Op op = gen.next(oracle.kernel().states().get(0));
                Request req = oracle.request(op);
                Response r = dut.perform(req);
                Failure f = oracle.check(req, r);
                if (f != null) throw new IllegalStateException("the clean device failed: " + f.detail());
            }
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private double unchecked(SimulatedDevice dut, int n) throws Exception {
        long t0 = System.nanoTime();
        int done = 0;
        long round = 0;
        while (done < n) {
            DutConfig cfg = dut.reset(DutConfig.standard());
            RandomOps gen = new RandomOps(seed + round++, cfg, dut.capabilities().ops());
            for (int k = 0; k < 60 && done < n; k++, done++) dut.perform(new Request(gen.next(dut.state())));
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private double roundTrips(AgentDevice a, int n) throws Exception {
        a.reset(DutConfig.standard());
        Request r = new Request(new Op.ReadCall("f1", 1));
        long t0 = System.nanoTime();
        for (int k = 0; k < n; k++) a.perform(r);
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
