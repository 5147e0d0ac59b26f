package dev.devmap.harness.linux;

import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.DutException;
import dev.devmap.harness.KernelWitness;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.harness.Safety;
import dev.devmap.harness.agent.AgentDevice;
import dev.devmap.spec.io.Supervisor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The real-kernel device forms. {@code linux-qemu[:bar-pages=N][,fs=dax|xfs]}: Debian's linux-source-6.12
 * built with hw-harness/linux/kernel-config-fragment (cached), booted under QEMU with an emulated NVMe
 * whose CMB is a P2PDMA provider; the agent's files are memfds, or with {@code fs=dax} files on xfs
 * mounted {@code -o dax=always} on an NVDIMM (fs-dax: the mirror maps the blocks themselves), or with
 * {@code fs=xfs} files on xfs on a second NVMe namespace (page cache); {@code linux:pci=BDF[,nvme=DEV][,bar-pages=N][,allow-unplug]}: the
 * same agent on this host, touching only the named PCI function and namespace. Either way the
 * agent's KTAP self-test runs first (one boot), and its results say which requirements the kernel
 * witnessed; then the harness drives the agent over the line protocol like any other.
 */
public final class LinuxKernel {
    private LinuxKernel() { }

    /** Where the scripts live, from DMAP_HOME (set by ./dmap) or the working directory. */
    static Path scripts() {
        String home = System.getenv("DMAP_HOME");
        Path dir = Path.of(home != null && !home.isBlank() ? home : ".").resolve("hw-harness/linux");
        if (!Files.isRegularFile(dir.resolve("qemu-agent.sh"))) {
            throw new IllegalArgumentException("the linux devices need the devmap source tree (hw-harness/linux); run ./dmap "
                    + "from a checkout");
        }
        return dir;
    }

    /** Opens {@code linux-qemu[:...]} or {@code linux:...}; progress lines (kernel build, boot) go to {@code progress}. */
    public static DeviceUnderTest open(String spec, Duration timeout, Map<String, String> resources, Consumer<String> log,
                                       Consumer<String> progress) {
        return open(spec, timeout, resources, log, progress, null);
    }

    /** As above, with the scripts' directory given (tests); null: from DMAP_HOME. */
    static DeviceUnderTest open(String spec, Duration timeout, Map<String, String> resources, Consumer<String> log,
                                Consumer<String> progress, Path scriptsDir) {
        boolean qemu = spec.equals("linux-qemu") || spec.startsWith("linux-qemu:");
        String rest = spec.contains(":") ? spec.substring(spec.indexOf(':') + 1) : "";
        List<String> args = new ArrayList<>();
        String pci = null;
        String fs = null;
        String planted = null;
        for (String part : rest.split(",")) {
            if (part.isBlank()) continue;
            String k = part.contains("=") ? part.substring(0, part.indexOf('=')) : part;
            String v = part.contains("=") ? part.substring(part.indexOf('=') + 1) : "";
            switch (k) {
                case "bar-pages" -> {
                    if (!v.matches("\\d{1,6}")) throw new IllegalArgumentException("bar-pages needs a number of pages, not '" + v + "'");
                    args.add("--bar-pages");
                    args.add(v);
                }
                case "pci" -> {
                    if (qemu) throw new IllegalArgumentException("linux-qemu has its own emulated NVMe; pci= is for --device linux");
                    if (!v.matches("[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]")) {
                        throw new IllegalArgumentException("pci= needs a PCI address like 0000:01:00.0, not '" + v + "'");
                    }
                    pci = v;
                    args.add("--pci");
                    args.add(v);
                }
                case "nvme" -> {
                    if (qemu) throw new IllegalArgumentException("linux-qemu has its own emulated NVMe; nvme= is for --device linux");
                    try {
                        Safety.blockDevice(Path.of(v));
                    } catch (Safety.Refused e) {
                        throw new IllegalArgumentException(e.getMessage());
                    }
                    args.add("--nvme");
                    args.add(v);
                }
                case "fs" -> {
                    if (!qemu) throw new IllegalArgumentException("fs= is for --device linux-qemu (dax or xfs)");
                    if (!v.equals("dax") && !v.equals("xfs")) {
                        throw new IllegalArgumentException("fs= needs dax (xfs -o dax on an NVDIMM) or xfs (page cache on NVMe), not '" + v + "'");
                    }
                    if (fs != null) throw new IllegalArgumentException("fs= given twice");
                    fs = v;
                    args.add("--fs");
                    args.add(v);
                }
                case "plant" -> {
                    if (!qemu) throw new IllegalArgumentException("plant= is for --device linux-qemu");
                    if (!v.equals("stale-dev-read")) {
                        throw new IllegalArgumentException("plant= names the bug planted in the agent: stale-dev-read, not '" + v + "'");
                    }
                    args.add("--plant");
                    args.add(v);
                    planted = v;
                }
                case "allow-unplug" -> {
                    if (qemu) throw new IllegalArgumentException("linux-qemu always allows unplug (the NVMe is emulated)");
                    args.add("--allow-unplug");
                }
                default -> throw new IllegalArgumentException("unknown option '" + part + "' for " + (qemu ? "linux-qemu" : "linux")
                        + " (options: " + (qemu ? "bar-pages=N, fs=dax|xfs, plant=stale-dev-read" : "pci=BDF, nvme=DEV, bar-pages=N, allow-unplug") + ")");
            }
        }
        if (!qemu && pci == null) {
            throw new IllegalArgumentException("--device linux needs pci=BDF (the NVMe function with a CMB), e.g. "
                    + "linux:pci=0000:01:00.0,nvme=/dev/nvme0n1");
        }
        Path dir = scriptsDir != null ? scriptsDir : scripts();
        String script = dir.resolve(qemu ? "qemu-agent.sh" : "run-host-agent.sh").toString();
        if (qemu) buildKernel(dir, progress);
        List<String> argv = new ArrayList<>(List.of(script));
        argv.addAll(args);
        List<String> selftest = new ArrayList<>(argv);
        selftest.add("--selftest");
        String source = qemu ? "Linux 6.12 (Debian linux-source-6.12) under QEMU, emulated NVMe with a 64 MiB CMB"
                + (fs == null ? "" : fs.equals("dax") ? ", xfs -o dax=always on an NVDIMM (fs-dax)" : ", xfs on an NVMe namespace (page cache)")
                : "this host's kernel, PCI function " + pci;
        progress.accept("running the agent's self-test on " + (qemu ? "the QEMU guest (one boot)" : "this host"));
        KernelWitness w = selftest(source, selftest);
        progress.accept(String.format(java.util.Locale.ROOT, "self-test: %d passed, %d failed, %d skipped in %.1f s",
                w.count(KernelWitness.Status.PASS), w.count(KernelWitness.Status.FAIL), w.count(KernelWitness.Status.SKIP),
                w.millis() / 1000.0));
        Duration op = qemu && timeout.toMillis() < 30_000 ? Duration.ofMillis(30_000) : timeout;
        String name = (qemu ? (fs == null ? "linux-qemu" : "linux-qemu:fs=" + fs) : "linux:" + pci)
                + (planted == null ? "" : (qemu && fs == null ? ":" : ",") + "plant=" + planted);
        // a QEMU boot (TCG) takes 5-25 s to the hello, more on a loaded machine: a minute for the handshake
        AgentDevice agent = new AgentDevice(argv, name, op, resources, log);
        if (qemu) agent.handshakeTimeout(Duration.ofSeconds(90));
        return new KernelDevice(name, agent, w, randomDefault(fs));
    }

    /** Random sequences on a real kernel per run (a few: every operation is a guest round trip). */
    static final int KERNEL_RANDOMS = 3;
    /** Operations per random sequence on a real kernel (short: a failure is shrunk on the kernel). */
    static final int KERNEL_LENGTH = 12;

    /**
     * Where the mechanism allows random sequences: files with blocks (fs=dax, fs=xfs), a few short
     * ones. The memfd stand-ins have no writeback and no delayed allocation: a random map of a
     * written page differs from the model by design, so none there.
     */
    static DeviceUnderTest.RandomDefault randomDefault(String fs) {
        return fs == null
                ? new DeviceUnderTest.RandomDefault(0, KERNEL_LENGTH, "memfd stand-in files have no writeback or delayed "
                        + "allocation: random maps of written pages differ from the model by design")
                : new DeviceUnderTest.RandomDefault(KERNEL_RANDOMS, KERNEL_LENGTH,
                        "every operation is a round trip to the guest and a failure is shrunk there");
    }

    /** Runs build-kernel.sh (a no-op when cached), passing its progress lines on. */
    static void buildKernel(Path dir, Consumer<String> progress) {
        Result r = run(List.of(dir.resolve("build-kernel.sh").toString()), progress, 3 * 3600);
        if (r.exit == 2) {
            // missing packages or source: the script's own lines say which and how to install them
            throw new IllegalArgumentException("linux-qemu cannot build its kernel: " + String.join("; ", r.errors));
        }
        if (r.exit != 0) {
            throw new IllegalArgumentException("the kernel build failed (exit " + r.exit + "): "
                    + (r.errors.isEmpty() ? "see the lines above" : String.join("; ", r.errors)));
        }
    }

    /** Runs the agent's --selftest and reads its KTAP (the agent's log lines are not progress). */
    static KernelWitness selftest(String source, List<String> cmd) {
        return selftest(source, cmd, 600);
    }

    static KernelWitness selftest(String source, List<String> cmd, long timeoutSeconds) {
        long t0 = System.nanoTime();
        Result r = run(cmd, l -> { }, timeoutSeconds);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        try {
            KernelWitness w = KernelWitness.parse(source, r.stdout, ms);
            if (r.exit != 0 && w.failed().isEmpty()) {
                throw new IllegalArgumentException("the kernel self-test exited " + r.exit + " without a failing test: "
                        + String.join("; ", r.errors));
            }
            return w;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + (r.errors.isEmpty() ? "" : " (" + String.join("; ", r.errors) + ")"));
        }
    }

    private record Result(int exit, List<String> stdout, List<String> errors) {}

    /**
     * Runs a script with stdin closed: stdout collected; stderr lines starting with "#" passed to
     * progress, the others kept as error lines (the last few, for the message).
     */
    private static Result run(List<String> cmd, Consumer<String> progress, long timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = Supervisor.start(pb);   // its own group, killed at the deadline, at the end and on exit
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot run " + cmd.get(0) + ": " + e.getMessage());
        }
        Deque<String> errors = new ArrayDeque<>();
        Thread err = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    if (l.startsWith("#")) {
                        progress.accept(l.replaceFirst("^#\\s*", ""));
                    } else if (!l.isBlank()) {
                        synchronized (errors) {
                            errors.addLast(l.strip());
                            if (errors.size() > 4) errors.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "dmap-linux-stderr");
        err.setDaemon(true);
        err.start();
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) out.add(l);
            } catch (IOException ignored) {
                // the process ended or was killed
            }
        }, "dmap-linux-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            // the deadline holds even when the process (e.g. a hung QEMU) never closes its output
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                kill(p);
                throw new IllegalArgumentException(cmd.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
            reader.join(2000);
            err.join(2000);
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted while running " + cmd.get(0));
        } finally {
            kill(p);   // what the script left behind (a QEMU that outlived it), and off the supervisor's list
        }
        synchronized (errors) {
            return new Result(p.exitValue(), List.copyOf(out), List.copyOf(errors));
        }
    }

    /** Kills a script and its whole process group (QEMU is a child of qemu-agent.sh). */
    private static void kill(Process p) {
        Supervisor.kill(p);
    }

    /** The agent, with what the kernel's self-test showed. */
    static final class KernelDevice implements DeviceUnderTest {
        private final String name;
        private final AgentDevice agent;
        private final KernelWitness witness;
        private final RandomDefault randoms;

        KernelDevice(String name, AgentDevice agent, KernelWitness witness, RandomDefault randoms) {
            this.name = name;
            this.agent = agent;
            this.witness = witness;
            this.randoms = randoms;
        }

        @Override public RandomDefault randomDefault() { return randoms; }

        @Override public String name() { return name; }
        @Override public Capabilities capabilities() throws DutException { return agent.capabilities(); }
        @Override public DutConfig reset(DutConfig proposed) throws DutException { return agent.reset(proposed); }
        @Override public Response perform(Request request) throws DutException { return agent.perform(request); }
        @Override public KernelWitness kernelWitness() { return witness; }
        @Override public void close() { agent.close(); }
    }
}
