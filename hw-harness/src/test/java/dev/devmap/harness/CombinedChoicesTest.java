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
    /** fs=xfs's eleven (the spec's {@code Combines("page-cache")}), as its hello lists them. */
    private static final String PC = String.join("+", Variant.PAGE_CACHE.combines().stream().map(Variant::tla).sorted().toList());

    private static ScenarioResult run(String device, String scenario) throws Exception {
        return run(device, scenario, true);
    }

    private static ScenarioResult run(String device, String scenario, boolean shrink) throws Exception {
        Scenario sc = java.util.stream.Stream.concat(Paths.all().stream(), dev.devmap.harness.scenario.Guided.all().stream())
                .filter(s -> s.id().equals(scenario)).findFirst().orElseThrow();
        try (DeviceUnderTest dut = Devices.open(device, Duration.ofSeconds(10), Map.of(), l -> { })) {
            return new Runner(dut, dut.capabilities(), shrink).run(sc);
        }
    }

    @Test
    void theCombinationIsTriedOnlyWhenEveryChoiceOfItIsListed() {
        assertThat(Runner.candidates(List.of("pin-refused-first"))).containsExactly(Variant.PIN_REFUSED_FIRST);
        assertThat(Runner.candidates(List.of(DAX.split("\\+")))).hasSize(11).endsWith(Variant.FS_DAX);
        assertThat(Runner.candidates(List.of("fs-dax"))).containsExactly(Variant.FS_DAX);
        assertThat(Runner.candidates(List.of(PC.split("\\+")))).hasSize(12).endsWith(Variant.PAGE_CACHE)
                .doesNotContain(Variant.FS_DAX);
    }

    /**
     * fs=xfs's map-refused-shared: a WRITE over a shared block granted and copied on fault
     * (write-shared-cow-on-fault), then the audit's writeback of the page the writable mirror
     * dirtied invalidates the grant (pagecache-writeback-mkclean): a difference of the page
     * cache's combination only; with the copy on fault alone listed, a failure.
     */
    @Test
    void thePageCachesChoicesAtOnceAreADifferenceOfTheirCombination() throws Exception {
        ScenarioResult r = run("sim:page-cache,choices=" + PC, "map-refused-shared");
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(r.choice()).isEqualTo("page-cache");
        ScenarioResult one = run("sim:page-cache,choices=write-shared-cow-on-fault", "map-refused-shared");
        assertThat(one.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(one.reason()).startsWith("write-shared-cow-on-fault rejects the scenario at step")
                .doesNotContain("page-cache rejects");
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
        ScenarioResult pc = run("sim:no-ack-wait,choices=" + PC, "dma-inflight-truncate", false);
        assertThat(pc.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(pc.reason()).contains("page-cache rejects the scenario at step");
    }
}
