package dev.devmap.harness.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.harness.Requirement;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A requirement's KTAP line names its evidence class once. */
class KtapRowTest {
    private static String line(RunResult.Row row) {
        StringWriter w = new StringWriter();
        new Ktap(new PrintWriter(w)).row(10, row);
        return w.toString().strip();
    }

    @Test
    void theClassIsNamedOnceWhetherOrNotTheDetailLeadsWithIt() {
        // a kernel row: the detail lists every class, the strongest first (RunResult.kernelRow)
        assertThat(line(new RunResult.Row(Requirement.S10, "pass",
                "kernel-decided: selftest 5 hmm.device_exclusive_atomic; agent-decided: answers: 2 capability refusals",
                "kernel-decided")))
                .isEqualTo("ok 10 S10_Capability # kernel-decided: selftest 5 hmm.device_exclusive_atomic; "
                        + "agent-decided: answers: 2 capability refusals");
        // a row whose detail does not name its class gets it in front
        assertThat(line(new RunResult.Row(Requirement.S3, "skip", "checked only against the simulated device",
                "simulated only")))
                .isEqualTo("ok 10 S3_NoEstablishDuringInvalidate # SKIP simulated only: checked only against the simulated device");
    }
}
