package dev.devmap.harness;

import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.report.TextReport;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real kernel's self-test as the report reads it: only a passing test makes a row "real kernel". */
class KernelWitnessTest {
    /** The minimal KTAP the parser reads (results, witness and cannot-witness lines). */
    static final List<String> KTAP = List.of(
            "TAP version 13",
            "1..4",
            "# cannot-witness S3: no prepare/commit split",
            "# witnesses post-syscall S1 S2 L1: truncate clears the mirror before it returns",
            "ok 1 hmm_truncate_invalidates_mirror",
            "# witnesses kernel-decided S10: atomic access granted or refused",
            "ok 2 hmm_device_exclusive_atomic # SKIP refused for shmem pages: EBUSY",
            "# witnesses kernel-decided S7: shrinking a pinned file is refused",
            "not ok 3 udmabuf_pin_refuses_shrink_survives_munmap",
            "ok 4 protocol_hello_round_trip",
            "# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:1 error:0");

    @Test
    void parsesResultsWitnessesAndWhatTheKernelCannotShow() {
        KernelWitness w = KernelWitness.parse("test kernel", KTAP, 1234);
        assertThat(w.tests()).extracting(KernelWitness.Test::status).containsExactly(KernelWitness.Status.PASS,
                KernelWitness.Status.SKIP, KernelWitness.Status.FAIL, KernelWitness.Status.PASS);
        assertThat(w.tests().get(0).witnesses()).containsExactly(Requirement.S1, Requirement.S2, Requirement.L1);
        assertThat(w.tests().get(0).evidence()).isEqualTo(KernelWitness.Evidence.POST_SYSCALL);
        assertThat(w.tests().get(2).evidence()).isEqualTo(KernelWitness.Evidence.KERNEL_DECIDED);
        assertThat(w.tests().get(1).skipReason()).isEqualTo("refused for shmem pages: EBUSY");
        assertThat(w.tests().get(3).witnesses()).isEmpty();
        assertThat(w.of(Requirement.S1, KernelWitness.Status.PASS)).extracting(KernelWitness.Test::number).containsExactly(1);
        assertThat(w.failed()).extracting(KernelWitness.Test::name).containsExactly("udmabuf_pin_refuses_shrink_survives_munmap");
        assertThat(w.cannot()).containsOnlyKeys(Requirement.S3);
    }

    /**
     * The C agent's --selftest as kselftest_harness.h prints it (hw-harness/linux/agent/selftest.c): the
     * agent's header and cannot-witness lines, then the harness's plan, RUN/OK/FAIL lines, results named
     * FIXTURE.TEST, a SKIP from a fixture's setup with its reason, and the totals.  Lines as a QEMU run printed
     * them, with one test turned into a failure the way the harness reports one.
     */
    static final List<String> HARNESS_KTAP = List.of(
            "TAP version 13",
            "# cannot-witness S3: the mirror's read_begin/read_retry runs inside one ioctl",
            "1..4",
            "# Starting 4 tests from 3 test cases.",
            "#  RUN           hmm.mirror_faults_then_serves ...",
            "# witnesses post-syscall L2: a device access through the mirror faults the page once (faults=1), then completes from the mirror (faults=0)",
            "#            OK  hmm.mirror_faults_then_serves",
            "ok 1 hmm.mirror_faults_then_serves",
            "#  RUN           hmm.truncate_invalidates_mirror ...",
            "# witnesses post-syscall S1 S2 L1: after truncate returned, the mirror had no entry",
            "#          FAIL  hmm.truncate_invalidates_mirror",
            "not ok 2 hmm.truncate_invalidates_mirror",
            "#  RUN           dax.truncate_waits_for_page_reference ...",
            "# witnesses kernel-decided S4 L1 L4: truncate waited in break_layouts",
            "#            OK  dax.truncate_waits_for_page_reference",
            "ok 3 dax.truncate_waits_for_page_reference # SKIP not an fs-dax device (--fs dax)",
            "#  RUN           protocol.hello_round_trip ...",
            "#            OK  protocol.hello_round_trip",
            "ok 4 protocol.hello_round_trip",
            "# FAILED: 3 / 4 tests passed.",
            "# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:1 error:0");

    @Test
    void readsTheKselftestHarnessOutputOfTheCAgent() {
        KernelWitness w = KernelWitness.parse("test kernel", HARNESS_KTAP, 1);
        assertThat(w.tests()).extracting(KernelWitness.Test::name).containsExactly("hmm.mirror_faults_then_serves",
                "hmm.truncate_invalidates_mirror", "dax.truncate_waits_for_page_reference", "protocol.hello_round_trip");
        assertThat(w.tests()).extracting(KernelWitness.Test::status).containsExactly(KernelWitness.Status.PASS,
                KernelWitness.Status.FAIL, KernelWitness.Status.SKIP, KernelWitness.Status.PASS);
        // each witness line belongs to the result that follows it, across the harness's RUN / OK / FAIL lines
        assertThat(w.tests().get(0).witnesses()).containsExactly(Requirement.L2);
        assertThat(w.tests().get(1).witnesses()).containsExactly(Requirement.S1, Requirement.S2, Requirement.L1);
        assertThat(w.tests().get(2).evidence()).isEqualTo(KernelWitness.Evidence.KERNEL_DECIDED);
        assertThat(w.tests().get(2).skipReason()).isEqualTo("not an fs-dax device (--fs dax)");
        assertThat(w.tests().get(3).witnesses()).isEmpty();
        // a skipped story shows nothing; the failed one fails what it stands for
        assertThat(w.strongest(Requirement.L4)).isNull();
        assertThat(w.failed()).extracting(KernelWitness.Test::name).containsExactly("hmm.truncate_invalidates_mirror");
        assertThat(w.cannot()).containsOnlyKeys(Requirement.S3);
        // the harness's summary lines are not results
        assertThatThrownBy(() -> KernelWitness.parse("k", HARNESS_KTAP.subList(0, 16), 1))
                .hasMessageContaining("planned 4 tests but reported 3");
    }

    @Test
    void anIncompleteOrUnknownSelfTestIsRefusedWithOneLine() {
        assertThatThrownBy(() -> KernelWitness.parse("k", KTAP.subList(0, 7), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("planned 4 tests but reported 2");
        assertThatThrownBy(() -> KernelWitness.parse("k", List.of("ok 1 x"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no KTAP plan");
        assertThatThrownBy(() -> KernelWitness.parse("k", List.of("1..1", "# witnesses agent-decided S19: x", "ok 1 x"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown requirement 'S19'");
    }

    @Test
    void aWitnessesLineWithoutAnEvidenceClassIsRefusedWithOneLine() {
        // today's agent form (no class) and a misspelt class: one line naming the form it needs
        assertThatThrownBy(() -> KernelWitness.parse("k", List.of("1..1", "# witnesses S1 S2: x", "ok 1 x"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no evidence class (kernel-decided, post-syscall, agent-decided)")
                .hasMessageContaining("# witnesses S1 S2: x")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> KernelWitness.claim("kernel-decide S1", "x"))
                .hasMessageContaining("no evidence class");
        assertThat(KernelWitness.claim("agent-decided S10 S9", "x").requirements()).containsExactly(Requirement.S10, Requirement.S9);
    }

    @Test
    void onlyKernelDecidedEvidenceCountsInTheHeadlineAndTheReportShowsEveryClass() throws Exception {
        RunResult run = new RunResult("linux-qemu", new SimulatedDevice().capabilities(), 1, "dmap conform");
        run.kernel = KernelWitness.parse("test kernel", List.of("1..3",
                "# witnesses post-syscall S1 S2: state after truncate returned", "ok 1 a",
                "# witnesses kernel-decided S10: the kernel refused the pin", "ok 2 b",
                "# witnesses agent-decided S9: the agent counts BAR pages", "ok 3 c"), 1);
        assertThat(row(run, Requirement.S1).witness()).isEqualTo("post-syscall");
        assertThat(row(run, Requirement.S10).witness()).isEqualTo("kernel-decided");
        assertThat(row(run, Requirement.S9).witness()).isEqualTo("agent-decided");
        assertThat(row(run, Requirement.S1).detail()).startsWith("post-syscall: selftest 1 a");
        assertThat(run.kernelHeadline()).startsWith("witnessed by the real kernel: 1 of 24 (S10)")
                .contains("post-syscall only: S1 S2").contains("agent-decided only: S9").contains("not shown: S3");
        assertThat(TextReport.render(run)).contains("witnessed by the real kernel: 1 of 24 (S10)")
                .contains("\"post-syscall\" = the state after a synchronous call");
    }

    @Test
    void rowsSayWhatTheKernelShowedWhatOnlyTheSimulatedDeviceShowedAndWhatFailed() throws Exception {
        RunResult run = new RunResult("linux-qemu", new SimulatedDevice().capabilities(), 1, "dmap conform");
        run.kernel = KernelWitness.parse("test kernel", KTAP, 1234);
        run.simTagged.put(Requirement.S3, 2);
        run.simRun = 2;
        RunResult.Row s1 = row(run, Requirement.S1);
        assertThat(s1.status()).isEqualTo("pass");
        assertThat(s1.witness()).isEqualTo("post-syscall");
        assertThat(s1.detail()).contains("selftest 1 hmm_truncate_invalidates_mirror");
        // a skipped test witnesses nothing
        assertThat(row(run, Requirement.S10).status()).isEqualTo("skip");
        assertThat(row(run, Requirement.S10).witness()).isEmpty();
        // a failed test fails its requirement and the run
        assertThat(row(run, Requirement.S7).status()).isEqualTo("FAIL");
        assertThat(row(run, Requirement.S7).detail()).contains("selftest 3");
        assertThat(run.conformant()).isFalse();
        // checked only on the simulated device, with the kernel's reason
        RunResult.Row s3 = row(run, Requirement.S3);
        assertThat(s3.witness()).isEqualTo(RunResult.SIMULATED_ONLY);
        assertThat(s3.detail()).contains("2 guided scenarios").contains("no prepare/commit split");
        assertThat(TextReport.render(run)).contains("Kernel self-test (test kernel").contains("NOT OK")
                .contains("The kernel cannot show:");
    }

    @Test
    void withoutAKernelNothingClaimsIt() throws Exception {
        RunResult run = new RunResult("sim", new SimulatedDevice().capabilities(), 1, "dmap conform");
        assertThat(run.rows()).allMatch(r -> r.witness().isEmpty());
        assertThat(run.conformant()).isTrue();
        assertThat(TextReport.render(run)).doesNotContain("Kernel self-test").doesNotContain("witnessed by the real kernel");
    }

    private static RunResult.Row row(RunResult run, Requirement q) {
        return run.rows().stream().filter(r -> r.requirement() == q).findFirst().orElseThrow();
    }
}
