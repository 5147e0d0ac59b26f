package dev.devmap.harness;

import dev.devmap.harness.scenario.Guided;
import dev.devmap.harness.scenario.Paths;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.kernelapi.Op;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * fs=xfs's failures of 2026-12-02 as kernel choices, on the simulated device running each
 * choice's model: the trace the kernel showed is a failure of the standard model and a difference
 * named by the choice when the device lists it; a planted mistake next to it stays a failure with
 * the choice listed.
 * <ul>
 * <li>{@code pagecache-unshare-allocates}: {@code unshare f1 2 -> done} of a page that shares nothing
 * (random-2 of seed 1024651025134669300, shrunk to one step).</li>
 * </ul>
 */
class PageCacheChoicesTest {
    static final String UNSHARE = Variant.PAGECACHE_UNSHARE_ALLOCATES.tla();
    /** fs=xfs's nine, as its hello lists them. */
    static final String PC = String.join("+", Variant.PAGE_CACHE.combines().stream().map(Variant::tla).sorted().toList());

    private static ScenarioResult run(String device, Scenario sc) throws Exception {
        try (DeviceUnderTest dut = Devices.open(device, Duration.ofSeconds(10), Map.of(), l -> { })) {
            return new Runner(dut, dut.capabilities(), true).run(sc);
        }
    }

    private static Scenario scenario(String id) {
        return Stream.concat(Paths.all().stream(), Guided.all().stream()).filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow();
    }

    /** The kernel's one-step trace: an unshare of a hole that shares nothing. */
    static Scenario unshareOfAHole() {
        return new Scenario("unshare-unshared", "guided", "an unshare of a page that shares nothing",
                List.of(), List.of(new Op.UnshareCall("f1", 2)), c -> c, List.of(), 0, 0);
    }

    @Test
    void anUnshareOfAnUnsharedPageIsADifferenceOfItsChoiceAndAFailureWithoutIt() throws Exception {
        ScenarioResult r = run("sim:" + UNSHARE + ",choices=" + UNSHARE, unshareOfAHole());
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(r.choice()).isEqualTo(UNSHARE);
        ScenarioResult unlisted = run("sim:" + UNSHARE, unshareOfAHole());
        assertThat(unlisted.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(unlisted.verdict().why()).contains("unshare f1 2");
        // fs=xfs lists all ten: the choice alone names it, before the combination
        assertThat(run("sim:" + UNSHARE + ",choices=" + PC, unshareOfAHole()).choice()).isEqualTo(UNSHARE);
    }

    /** Planted: an unshare of a SHARED page that moves it without invalidating its grant (cow-without-invalidate). */
    @Test
    void anUnshareThatSkipsItsInvalidationStaysAFailureWithTheChoiceListed() throws Exception {
        ScenarioResult r = run("sim:cow-without-invalidate,choices=" + UNSHARE, scenario("dma-inflight-cow"));
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.reason()).startsWith(UNSHARE + " rejects");
    }
}
