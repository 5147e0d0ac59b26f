package dev.devmap.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The harness's own end (a plain kill, or kill -9) leaves no agent, no child of an agent, no TLC
 * and no TLC work directory behind. Each case runs {@code dmap} in a JVM of its own and ends that
 * JVM from outside, as a user would.
 */
class LeakTest {
    @TempDir
    Path tmp;

    /** {@code java -cp CP dev.devmap.cli.Main ARGS}, with its temporary directory in {@code tmpdir}. */
    private static Process dmap(Path tmpdir, String... args) throws Exception {
        return dmap(tmpdir, null, args);
    }

    /** As above, stderr into {@code stderr} (null: discarded). */
    private static Process dmap(Path tmpdir, Path stderr, String... args) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + tmpdir, "-cp", System.getProperty("java.class.path"), "dev.devmap.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stderr.toFile()))
                .start();
    }

    /** Waits until a process whose command line contains every marker runs; returns every process that matches one. */
    private static List<ProcessHandle> waitFor(List<String> markers) throws Exception {
        // a generous deadline: under load (7 builds on 2 cores) a JVM took over a minute to start TLC
        long until = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() - until < 0) {
            List<ProcessHandle> found = matching(markers);
            if (markers.stream().allMatch(m -> found.stream().anyMatch(h -> cmd(h).contains(m)))) return found;
            Thread.sleep(50);
        }
        throw new AssertionError("never started: " + markers);
    }

    private static List<ProcessHandle> matching(List<String> markers) {
        return ProcessHandle.allProcesses().filter(h -> markers.stream().anyMatch(m -> cmd(h).contains(m))).toList();
    }

    private static String cmd(ProcessHandle h) {
        return h.info().commandLine().orElse("");
    }

    /** Every process is gone within 10 s; none of the markers is in a live process's command line. */
    private static void gone(List<ProcessHandle> tree, List<String> markers) throws Exception {
        for (int k = 0; k < 200 && tree.stream().anyMatch(ProcessHandle::isAlive); k++) Thread.sleep(50);
        assertThat(tree).as("left running").noneMatch(ProcessHandle::isAlive);
        assertThat(matching(markers)).as("left running").isEmpty();
    }

    private static String marker() {
        return String.valueOf(3000 + (System.nanoTime() & 0xFFFFF));
    }

    private List<ProcessHandle> conformWithHangingAgentAndChild(String sleep, Process[] jvm) throws Exception {
        String agent = "bash -c 'sleep " + sleep + " & exec " + Support.agentSim("--hang-after", "50").replace("'", "'\\''") + "'";
        jvm[0] = dmap(tmp, "conform", "--device", "agent:" + agent, "--timeout", "60000", "--random", "0", "--no-tlc",
                "--report-dir", tmp.resolve("r").toString());
        return waitFor(List.of("sleep " + sleep, "agent-sim --hang-after 50"));
    }

    @Test
    void aPlainKillOfConformEndsTheAgentAndWhatItStarted() throws Exception {
        String sleep = marker();
        Process[] jvm = new Process[1];
        List<ProcessHandle> tree = conformWithHangingAgentAndChild(sleep, jvm);
        Thread.sleep(500);
        jvm[0].destroy();   // SIGTERM: the shutdown hook runs
        assertThat(jvm[0].waitFor(30, TimeUnit.SECONDS)).isTrue();
        gone(tree, List.of("sleep " + sleep));
    }

    @Test
    void aKill9OfConformEndsTheAgentAndItsChildToo() throws Exception {
        String sleep = marker();
        Process[] jvm = new Process[1];
        List<ProcessHandle> tree = conformWithHangingAgentAndChild(sleep, jvm);
        Thread.sleep(500);
        jvm[0].destroyForcibly();   // SIGKILL: no code of the harness runs
        assertThat(jvm[0].waitFor(30, TimeUnit.SECONDS)).isTrue();
        gone(tree, List.of("sleep " + sleep));
    }

    private static List<Path> tlcDirs(Path tmpdir) throws Exception {
        try (Stream<Path> s = Files.list(tmpdir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("dmap-tlc")
                    || p.getFileName().toString().startsWith("dmap-warm")).toList();
        }
    }

    /** @param model null: the CI set (warm TLC JVMs in lanes); a name: that model alone, TLC in a fresh JVM */
    private void checkEndedFromOutside(boolean kill9, String model) throws Exception {
        Path t = Files.createDirectories(tmp.resolve("t"));
        Path err = tmp.resolve("stderr");
        List<String> args = new ArrayList<>(List.of("check", "--spec-dir", Support.SPEC.toAbsolutePath().toString()));
        if (model != null) args.add(model);
        Process jvm = dmap(t, err, args.toArray(String[]::new));
        // TLC's JVM gets its temporary directory inside its work directory (other TLCs may run on this machine):
        // dmap-tlc* for a TLC of its own, dmap-warm-jvm-* for a warm one (the CI set runs its models in lanes)
        String tlc = t.resolve("dmap-").toString();
        List<ProcessHandle> tree = waitFor(List.of(tlc));
        assertThat(tree).as("TLC of this run").allMatch(h -> cmd(h).contains("tlc2.TLC") || cmd(h).contains("TlcServer"));
        assertThat(tlcDirs(t)).isNotEmpty();
        Thread.sleep(500);
        if (kill9) jvm.destroyForcibly(); else jvm.destroy();
        assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        gone(tree, List.of(tlc));
        for (int k = 0; k < 100 && !tlcDirs(t).isEmpty(); k++) Thread.sleep(50);
        assertThat(tlcDirs(t)).as("TLC's work directory").isEmpty();
        if (!kill9) {   // the work TLC was killed under ends with one line that says so, not an internal error
            // (the JVM may halt before the main thread gets to print it: then there is no error line at all)
            String text = Files.readString(err);
            assertThat(text).doesNotContain("internal:").doesNotContain("Exception");
            assertThat(text.lines().filter(l -> l.startsWith("dmap: error:")))
                    .allMatch(l -> l.matches("dmap: error: (\\w+: )?stopped: the harness is exiting.*"));
        }
    }

    @Test
    void aPlainKillOfCheckEndsTlcAndRemovesItsWorkDirectory() throws Exception {
        checkEndedFromOutside(false, null);
    }

    @Test
    void aKill9OfCheckEndsTlcAndRemovesItsWorkDirectory() throws Exception {
        checkEndedFromOutside(true, null);
    }

    @Test
    void aKill9OfACheckOfOneModelEndsItsColdTlcAndRemovesItsWorkDirectory() throws Exception {
        checkEndedFromOutside(true, "ci");
    }
}
