package dev.devmap.harness;

import dev.devmap.harness.scenario.Paths;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scenario that needs two kernel choices at once (fs-dax's refusal-shared-1: a PIN refused
 * {@code pin-unsupported} before {@code shared}, pin-refused-first, and a WRITE over the shared
 * block granted, write-shared-cow-on-fault) is a difference only under their combination (the
 * spec's {@code Combines("fs-dax")}), which the harness tries when every choice it makes is listed;
 * with one of them listed it stays a failure that says where that choice's model rejects it; a
 * planted mistake stays a failure with all of fs-dax's choices listed. One scenario per run (the
 * simulated device declaring fs-dax's facts, {@code fs=dax}), a few seconds.
 */
class CombinedChoicesTest {
    private static final String DAX = String.join("+", Variant.FS_DAX.combines().stream().map(Variant::tla).sorted().toList());

    private static ScenarioResult run(String device, String scenario) throws Exception {
        return run(device, scenario, true);
    }

    private static ScenarioResult run(String device, String scenario, boolean shrink) throws Exception {
        Scenario sc = Paths.all().stream().filter(s -> s.id().equals(scenario)).findFirst().orElseThrow();
        try (DeviceUnderTest dut = Devices.open(device, Duration.ofSeconds(10), Map.of(), l -> { })) {
            return new Runner(dut, dut.capabilities(), shrink).run(sc);
        }
    }

    @Test
    void theCombinationIsTriedOnlyWhenEveryChoiceOfItIsListed() {
        assertThat(Runner.candidates(List.of("pin-refused-first"))).containsExactly(Variant.PIN_REFUSED_FIRST);
        assertThat(Runner.candidates(List.of(DAX.split("\\+")))).hasSize(10).endsWith(Variant.FS_DAX);
        assertThat(Runner.candidates(List.of("fs-dax"))).containsExactly(Variant.FS_DAX);
    }

    @Test
    void twoChoicesAtOnceAreADifferenceOfTheirCombination() throws Exception {
        ScenarioResult r = run("sim:fs-dax,fs=dax,choices=" + DAX, "refusal-shared-1");
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(r.choice()).isEqualTo("fs-dax");
    }

    @Test
    void oneOfThemListedStaysAFailureThatSaysWhereItsModelRejectsIt() throws Exception {
        ScenarioResult r = run("sim:fs-dax,fs=dax,choices=pin-refused-first", "refusal-shared-1");
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.reason()).startsWith("pin-refused-first rejects the scenario at step").contains("WRITE")
                .doesNotContain("fs-dax rejects");
        ScenarioResult unlisted = run("sim:fs-dax,fs=dax", "refusal-shared-1");
        assertThat(unlisted.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(unlisted.reason()).isNull();
    }

    @Test
    void aPlantedMistakeStaysAFailureWithEveryDaxChoiceListed() throws Exception {
        ScenarioResult r = run("sim:no-ack-wait,fs=dax,choices=" + DAX, "dma-inflight-truncate", false);
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.reason()).contains("fs-dax rejects the scenario at step");
    }
}
