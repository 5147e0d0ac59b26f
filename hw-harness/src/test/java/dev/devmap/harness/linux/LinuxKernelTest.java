package dev.devmap.harness.linux;

import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.Requirement;
import dev.devmap.harness.Support;
import dev.devmap.harness.report.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The linux-qemu flow with stand-in scripts (no kernel, no QEMU): the build's progress reaches the
 * user, a build that lacks packages is one clear error, and the self-test decides what the report
 * may claim: here a failing pin test fails S7 and the run, whatever the scenarios say.
 */
class LinuxKernelTest {
    @TempDir
    Path dir;

    private void script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void standIns(String build) throws Exception {
        script("build-kernel.sh", build);
        Files.write(dir.resolve("selftest.ktap"), List.of("TAP version 13", "1..2",
                "# cannot-witness S3: no prepare/commit split",
                "# witnesses post-syscall S1 S2: truncate clears the mirror", "ok 1 hmm_truncate_invalidates_mirror",
                "# witnesses kernel-decided S7: shrinking a pinned file is refused", "not ok 2 udmabuf_pin_refuses_shrink_survives_munmap"));
        // the self-test prints the KTAP above and fails; otherwise this is an agent (the simulated one)
        script("qemu-agent.sh", "for a in \"$@\"; do [ \"$a\" = --selftest ] && { cat \"$(dirname \"$0\")/selftest.ktap\"; "
                + "echo '# agent log' >&2; exit 1; }; done\nexec " + Support.agentSim());
    }

    @Test
    void theSelfTestDecidesWhatTheReportClaims() throws Exception {
        standIns("echo '# build-kernel: 100 files, 9s' >&2; echo /nonexistent/bzImage");
        List<String> progress = new ArrayList<>();
        DeviceUnderTest dut = LinuxKernel.open("linux-qemu", Duration.ofSeconds(20), Map.of(), l -> { }, progress::add, dir);
        try {
            assertThat(progress).contains("build-kernel: 100 files, 9s");
            assertThat(dut.kernelWitness().failed()).hasSize(1);
            RunResult r = Support.conform(dut, 3, 0, false, dir.resolve("report")).result();
            assertThat(r.conformant()).isFalse();
            assertThat(r.rows()).anySatisfy(row -> {
                assertThat(row.requirement()).isEqualTo(Requirement.S7);
                assertThat(row.status()).isEqualTo("FAIL");
            });
            assertThat(r.rows()).anySatisfy(row -> {
                assertThat(row.requirement()).isEqualTo(Requirement.S1);
                assertThat(row.witness()).isEqualTo("post-syscall");
            });
            assertThat(Files.readString(dir.resolve("report").resolve("report.txt"))).contains("NOT OK")
                    .contains("udmabuf_pin_refuses_shrink_survives_munmap");
        } finally {
            dut.close();
        }
    }

    @Test
    void missingPackagesAreOneErrorNamingThem() throws Exception {
        standIns("echo 'build-kernel: missing Debian packages: qemu-system-x86 bc' >&2; exit 2");
        assertThatThrownBy(() -> LinuxKernel.open("linux-qemu", Duration.ofSeconds(5), Map.of(), l -> { }, l -> { }, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("linux-qemu cannot build its kernel: build-kernel: missing Debian packages: qemu-system-x86 bc");
    }

    @Test
    void aSelfTestThatHangsWithItsOutputOpenIsStoppedAtTheDeadline() throws Exception {
        script("hang.sh", "echo 'TAP version 13'\nsleep 60 &\nwait");
        // without the deadline the sleep ends after 60 s and the error is a KTAP one instead
        assertThatThrownBy(() -> LinuxKernel.selftest("k", List.of(dir.resolve("hang.sh").toString()), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("did not finish within 1 s");
    }

    /**
     * QEMU under the supervisor: a self-test whose "QEMU" (a sleep here) was reparented away from the
     * script (as a daemonized QEMU would be) is killed with the script's whole group at the deadline,
     * and while it runs it is on the supervisor's list (its exit hook and parent-death reaper).
     */
    @Test
    void aSelfTestsWholeProcessTreeIsKilledAtTheDeadline() throws Exception {
        String qemu = "sleep " + (4000 + (System.nanoTime() & 0xFFFF));
        script("daemon.sh", "echo 'TAP version 13'\n(" + qemu + " &)\nsleep 61");
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watch = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                seen.accumulateAndGet(dev.devmap.spec.io.Supervisor.live().size(), Math::max);
                if (running(qemu)) started.set(true);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watch.start();
        try {
            assertThatThrownBy(() -> LinuxKernel.selftest("k", List.of(dir.resolve("daemon.sh").toString()), 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("did not finish within 2 s");
        } finally {
            watch.interrupt();
        }
        assertThat(started).as(qemu + " ran").isTrue();
        assertThat(seen.get()).as("supervised while it ran").isPositive();
        assertThat(running("sleep 61")).isFalse();
        for (int k = 0; k < 100 && running(qemu); k++) Thread.sleep(50);
        assertThat(running(qemu)).as(qemu + " left running").isFalse();
    }

    private static boolean running(String cmd) {
        String[] w = cmd.split(" ");   // the command line names the executable's path: /usr/bin/sleep N
        return ProcessHandle.allProcesses().map(h -> h.info().commandLine().orElse(""))
                .anyMatch(l -> l.contains(w[0]) && l.endsWith(" " + w[1]));
    }

    @Test
    void aSelfTestThatPrintsNoKtapIsAnErrorNotAnEmptyWitness() throws Exception {
        standIns("echo /nonexistent/bzImage");
        script("qemu-agent.sh", "echo 'qemu: cannot boot' >&2; exit 1");
        assertThatThrownBy(() -> LinuxKernel.open("linux-qemu", Duration.ofSeconds(5), Map.of(), l -> { }, l -> { }, dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no KTAP plan")
                .hasMessageContaining("qemu: cannot boot");
    }

    /**
     * Stand-ins that record every invocation's arguments in args.log: the self-test prints one
     * passing test (witness line, result), the agent is the simulated one.
     */
    private void recordingQemuAgent(String witness, String result) throws Exception {
        standIns("echo /nonexistent/bzImage");
        Files.write(dir.resolve("ok.ktap"), List.of("TAP version 13", "1..1", witness, result));
        script("qemu-agent.sh", "echo \"$*\" >> \"$(dirname \"$0\")/args.log\"\nfor a in \"$@\"; do [ \"$a\" = --selftest ] && "
                + "{ cat \"$(dirname \"$0\")/ok.ktap\"; exit 0; }; done\nexec " + Support.agentSim());
    }

    @Test
    void fsDaxReachesBothBootsAndNamesTheDevice() throws Exception {
        recordingQemuAgent("# witnesses kernel-decided S4 L4: truncate waited for the page reference",
                "ok 1 dax_truncate_waits_for_page_reference");
        DeviceUnderTest dut = LinuxKernel.open("linux-qemu:fs=dax", Duration.ofSeconds(20), Map.of(), l -> { }, l -> { }, dir);
        try {
            assertThat(dut.name()).isEqualTo("linux-qemu:fs=dax");
            // files with blocks: a few short seeded random sequences by default
            assertThat(dut.randomDefault().count()).isEqualTo(LinuxKernel.KERNEL_RANDOMS).isPositive();
            assertThat(dut.randomDefault().length()).isEqualTo(LinuxKernel.KERNEL_LENGTH);
            dut.capabilities();
            assertThat(Files.readAllLines(dir.resolve("args.log"))).containsExactly("--fs dax --selftest", "--fs dax");
        } finally {
            dut.close();
        }
    }

    @Test
    void randomSequencesWhereTheMechanismAllowsThem() {
        assertThat(LinuxKernel.randomDefault(null).count()).isZero();
        assertThat(LinuxKernel.randomDefault(null).why()).contains("memfd");
        assertThat(LinuxKernel.randomDefault("xfs").count()).isPositive();
        assertThat(LinuxKernel.randomDefault("dax").count()).isPositive();
    }

    @Test
    void aPlantedBugReachesTheAgentAndNamesTheDevice() throws Exception {
        recordingQemuAgent("# witnesses kernel-decided S6: writeback write-protects the mirror",
                "ok 1 pagecache.writeback_write_protects_mirror");
        DeviceUnderTest dut = LinuxKernel.open("linux-qemu:fs=xfs,plant=stale-dev-read", Duration.ofSeconds(20), Map.of(),
                l -> { }, l -> { }, dir);
        try {
            assertThat(dut.name()).isEqualTo("linux-qemu:fs=xfs,plant=stale-dev-read");
            dut.capabilities();
            assertThat(Files.readAllLines(dir.resolve("args.log")))
                    .containsExactly("--fs xfs --plant stale-dev-read --selftest", "--fs xfs --plant stale-dev-read");
        } finally {
            dut.close();
        }
        assertThatThrownBy(() -> LinuxKernel.open("linux-qemu:plant=everything", Duration.ofSeconds(5), Map.of(), l -> { }, l -> { }, dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stale-dev-read, not 'everything'");
    }

    @Test
    void aWrongFilesystemIsOneClearError() throws Exception {
        standIns("echo /nonexistent/bzImage");
        assertThatThrownBy(() -> LinuxKernel.open("linux-qemu:fs=btrfs", Duration.ofSeconds(5), Map.of(), l -> { }, l -> { }, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fs= needs dax (xfs -o dax on an NVDIMM) or xfs (page cache on NVMe), not 'btrfs'");
        assertThatThrownBy(() -> LinuxKernel.open("linux:pci=0000:01:00.0,fs=dax", Duration.ofSeconds(5), Map.of(), l -> { }, l -> { }, dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fs= is for --device linux-qemu");
    }
}
