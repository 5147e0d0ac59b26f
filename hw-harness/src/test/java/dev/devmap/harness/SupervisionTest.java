package dev.devmap.harness;

import dev.devmap.harness.agent.AgentDevice;
import dev.devmap.harness.agent.Wire;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.spec.io.Supervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Faults of the agent's process tree, with small shell stand-ins: each must end at its deadline,
 * be reported, and leave no process behind. (Before the supervisor each of these either blocked
 * until the stand-in's sleep ended or left the sleep running.)
 */
class SupervisionTest {
    @TempDir
    Path tmp;

    /** A stand-in agent: answers the handshake with the simulated device's hello, then runs {@code then}. */
    private Path agent(String name, String then) throws Exception {
        String hello;
        try (SimulatedDevice sim = new SimulatedDevice()) {
            hello = Wire.helloReply(sim.capabilities());
        }
        Path p = tmp.resolve(name);
        Files.writeString(p, "#!/bin/bash\nread hello\nprintf '%s\\n' '" + hello.replace("'", "'\\''") + "'\n" + then + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static AgentDevice device(List<String> argv, long timeoutMs) {
        return new AgentDevice(argv, "agent:test", Duration.ofMillis(timeoutMs), Map.of(), l -> { });
    }

    private static void gone(List<ProcessHandle> tree) throws Exception {
        for (ProcessHandle h : tree) h.onExit().get(5, TimeUnit.SECONDS);
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
    }

    private static List<ProcessHandle> tree(AgentDevice a) {
        ProcessHandle root = ProcessHandle.of(a.pid()).orElseThrow();
        List<ProcessHandle> t = new java.util.ArrayList<>(root.descendants().toList());
        t.add(root);
        return t;
    }

    @Test
    void aHangBehindAWrapperThatDoesNotExecEndsAtTheDeadline() throws Exception {
        Path hang = agent("hang.sh", "read req\nsleep 301");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (AgentDevice a = device(List.of("bash", "-c", hang + "; true"), 800)) {
                a.capabilities();
                Thread.sleep(200);
                List<ProcessHandle> tree = tree(a);
                assertThat(tree).hasSizeGreaterThanOrEqualTo(2);   // bash, the script (then: sleep 301)
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> a.reset(DutConfig.standard())).isInstanceOf(DutException.class)
                        .satisfies(e -> assertThat(((DutException) e).kind()).isEqualTo(DutException.Fault.HANG))
                        .hasMessageContaining("no answer within 800 ms");
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms").isLessThan(10_000);
                gone(tree);
                assertThat(ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains("sleep 301")))
                        .isEmpty();
            }
        });
    }

    @Test
    void anAgentWhoseChildHoldsStdoutIsReportedAsExitedAndTheChildKilled() throws Exception {
        Path crash = agent("crash.sh", "read req\nexit 3");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (AgentDevice a = device(List.of("bash", "-c", "sleep 777 & exec " + crash), 20_000)) {
                a.capabilities();
                Thread.sleep(200);
                List<ProcessHandle> tree = tree(a);
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> a.reset(DutConfig.standard())).isInstanceOf(DutException.class)
                        .satisfies(e -> assertThat(((DutException) e).kind()).isEqualTo(DutException.Fault.CRASH));
                assertThat((System.nanoTime() - t0) / 1_000_000).as("ms, not the 20 s timeout").isLessThan(5_000);
                gone(tree);
            }
        });
    }

    @Test
    void theHandshakeHasItsOwnTimeoutAndAFailedRestartIsNotRepeated() throws Exception {
        Path marker = tmp.resolve("started-once");
        // first start: a good handshake, then exit on the first request; later starts: no hello at all
        Path script = tmp.resolve("flaky.sh");
        Path good = agent("good.sh", "read req\nexit 1");
        Files.writeString(script, "#!/bin/bash\nif [ -e " + marker + " ]; then sleep 300; fi\ntouch " + marker + "\nexec " + good + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (AgentDevice a = device(List.of(script.toString()), 5_000).handshakeTimeout(Duration.ofMillis(700))) {
                a.capabilities();
                assertThatThrownBy(() -> a.reset(DutConfig.standard())).isInstanceOf(DutException.class);
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> a.reset(DutConfig.standard())).isInstanceOf(DutException.class)
                        .hasMessageContaining("no answer within 700 ms during the handshake (the handshake timeout)");
                long t1 = System.nanoTime();
                assertThat((t1 - t0) / 1_000_000).as("ms").isLessThan(5_000);
                // the next scenarios do not wait for another handshake
                for (int k = 0; k < 5; k++) {
                    assertThatThrownBy(() -> a.reset(DutConfig.standard())).hasMessageContaining("not restarted");
                }
                assertThat((System.nanoTime() - t1) / 1_000_000).as("ms for five scenarios").isLessThan(500);
                assertThat(a.starts()).isEqualTo(2);
            }
        });
    }

    @Test
    void stderrWithoutNewlinesAndOverlongLinesAreBounded() throws Exception {
        // 64 MB of stderr without a newline, then a 4 MB answer line: both bounded, the latter an agent error
        Path flood = agent("flood.sh", "head -c 67108864 /dev/zero | tr '\\0' x >&2\nread req\n"
                + "head -c 4194304 /dev/zero | tr '\\0' y; echo");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (AgentDevice a = device(List.of(flood.toString()), 30_000)) {
                a.capabilities();
                assertThatThrownBy(() -> a.reset(DutConfig.standard())).isInstanceOf(DutException.class)
                        .satisfies(e -> {
                            DutException d = (DutException) e;
                            assertThat(d.kind()).isEqualTo(DutException.Fault.GARBAGE);
                            assertThat(d.getMessage()).contains("a line longer than " + AgentDevice.MAX_LINE + " bytes");
                            assertThat(d.log().length()).isLessThanOrEqualTo(1003);
                        });
            }
        });
    }

    @Test
    void killEndsTheWholeGroupAlsoWhatWasReparented() throws Exception {
        Process p = Supervisor.start(new ProcessBuilder("bash", "-c", "(sleep 555 &) ; sleep 556"));
        Thread.sleep(300);
        // the first sleep's parent subshell has exited: it is no longer a descendant of p
        List<ProcessHandle> all = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").matches(".*sleep 55[56].*")).toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(2);
        Supervisor.kill(p);
        gone(all);
        assertThat(Supervisor.live()).doesNotContain(p);
    }
}
