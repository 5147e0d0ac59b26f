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
 * fs=xfs's three failures of 2026-12-02 as kernel choices, on the simulated device running each
 * choice's model: the trace the kernel showed is a failure of the standard model and a difference
 * named by the choice when the device lists it; a planted mistake next to it stays a failure with
 * the choice listed.
 * <ul>
 * <li>{@code pagecache-unshare-allocates}: {@code unshare f1 2 -> done} of a page that shares nothing
 * (random-2 of seed 1024651025134669300, shrunk to one step);</li>
 * <li>{@code pagecache-reflink-drops-busy-folio}: dma-inflight-reflink, the DMA's write lost with the
 * folio the reflink dropped (the CPU reads 1, every other model 2), with two other choices of fs=xfs:
 * their combination {@code page-cache};</li>
 * <li>{@code pagecache-fallocate-keeps-cache}: {@code cpu_read f2 2 -> value 0; fallocate f2 2 -> done},
 * a fallocate of a cached hole (random-2 of seed 6668710337383286039), which the standard model refuses
 * (PAGE_CACHED).</li>
 * </ul>
 */
class PageCacheChoicesTest {
    static final String UNSHARE = Variant.PAGECACHE_UNSHARE_ALLOCATES.tla();
    static final String DROPS = Variant.PAGECACHE_REFLINK_DROPS_BUSY_FOLIO.tla();
    static final String FALLOC = Variant.PAGECACHE_FALLOCATE_KEEPS_CACHE.tla();
    /** fs=xfs's eleven, as its hello lists them. */
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
        // fs=xfs lists all eleven: the choice alone names it, before the combination
        assertThat(run("sim:" + UNSHARE + ",choices=" + PC, unshareOfAHole()).choice()).isEqualTo(UNSHARE);
    }

    /** Planted: an unshare of a SHARED page that moves it without invalidating its grant (cow-without-invalidate). */
    @Test
    void anUnshareThatSkipsItsInvalidationStaysAFailureWithTheChoiceListed() throws Exception {
        ScenarioResult r = run("sim:cow-without-invalidate,choices=" + UNSHARE, scenario("dma-inflight-cow"));
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.reason()).startsWith(UNSHARE + " rejects");
    }

    /**
     * The lost write needs three of fs=xfs's choices at once: the mirror of the cache (the DMA holds the
     * page-cache page), the ack that does not wait for the DMA, and the reflink dropping the busy folio:
     * a difference of the page cache's combination; with the other ten but not this choice listed, or with
     * it alone, a failure.
     */
    @Test
    void aDmaWriteLostWithTheDroppedFolioIsADifferenceOfThePageCacheCombinationOnly() throws Exception {
        Scenario sc = scenario("dma-inflight-reflink");
        ScenarioResult r = run("sim:page-cache,choices=" + PC, sc);
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(r.choice()).isEqualTo("page-cache");
        String others = String.join("+", Variant.PAGE_CACHE.combines().stream().map(Variant::tla)
                .filter(n -> !n.equals(DROPS)).sorted().toList());
        ScenarioResult without = run("sim:page-cache,choices=" + others, sc);
        assertThat(without.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(without.reason()).contains("pagecache-acks-with-dma rejects").doesNotContain("page-cache rejects");
        ScenarioResult alone = run("sim:page-cache,choices=" + DROPS, sc);
        assertThat(alone.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(alone.reason()).startsWith(DROPS + " rejects");
        assertThat(run("sim:page-cache", sc).status()).isEqualTo(ScenarioResult.Status.FAIL);
    }

    /**
     * Planted: a DMA write misdirected to the neighbouring block (dma-misdirect), so page 1 reads 1 after
     * it, as after the kernel's lost write; but the DMA ended (and its grant went) before the reflink:
     * no folio was dropped under it, and no listed choice explains the read.
     */
    @Test
    void aDmaWriteLostWithoutAReflinkInFlightStaysAFailureWithEveryPageCacheChoiceListed() throws Exception {
        List<Op> ops = List.of(new Op.MmapCall("f1"), new Op.WriteCall("f1", 1), new Op.WritebackCall("f1", 1),
                new Op.EvictCall("f1", 1), new Op.DeviceMapCall("gpu", "f1", 1, 1, false, true, false, true),
                new Op.DmaStartCall("gpu", "f1", 1, dev.devmap.model.DmaOp.WRITE), new Op.DmaEndCall("gpu"),
                new Op.DeviceUnmapCall("gpu", "f1", 1), new Op.WritebackCall("f1", 1), new Op.ReflinkCall("f1", 1, 2),
                new Op.ReadCall("f1", 1));
        Scenario sc = new Scenario("dma-write-then-reflink", "guided", "a DMA write ends, then a reflink of its page",
                List.of(), ops, c -> c, List.of(), 0, 0);
        assertThat(run("sim", sc).status()).isEqualTo(ScenarioResult.Status.PASS);
        assertThat(run("sim:page-cache,choices=" + PC, sc).status()).isEqualTo(ScenarioResult.Status.PASS);   // nothing in flight: its model agrees
        ScenarioResult r = run("sim:dma-misdirect,choices=" + PC, sc);
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.reason()).contains(DROPS + " rejects").contains("page-cache rejects");
    }

    /** The kernel's two-step trace: a CPU read caches a hole, then fallocate allocates it and keeps the page. */
    static Scenario fallocateOfACachedHole() {
        return new Scenario("fallocate-cached-hole", "guided", "a fallocate of a hole the page cache holds",
                List.of(), List.of(new Op.ReadCall("f2", 2), new Op.FallocateCall("f2", 2)), c -> c, List.of(), 0, 0);
    }

    @Test
    void aFallocateOfACachedHoleIsADifferenceOfItsChoiceAndAFailureWithoutIt() throws Exception {
        ScenarioResult r = run("sim:" + FALLOC + ",choices=" + FALLOC, fallocateOfACachedHole());
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(r.choice()).isEqualTo(FALLOC);
        ScenarioResult unlisted = run("sim:" + FALLOC, fallocateOfACachedHole());
        assertThat(unlisted.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(unlisted.verdict().why()).contains("fallocate f2 2");
        assertThat(run("sim:" + FALLOC + ",choices=" + PC, fallocateOfACachedHole()).choice()).isEqualTo(FALLOC);
    }

    /**
     * A dirty page over a hole (delayed allocation) kept by the fallocate is written back into the new
     * unwritten extent and read back; planted: the writeback is lost (lost-writeback): the read after the
     * evict gets the unwritten block's zero, and the choice listed does not explain it.
     */
    @Test
    void aDirtyPageKeptByFallocateIsWrittenBackAndALostWritebackStaysAFailure() throws Exception {
        List<Op> ops = List.of(new Op.WriteCall("f1", 2), new Op.FallocateCall("f1", 2), new Op.WritebackCall("f1", 2),
                new Op.EvictCall("f1", 2), new Op.ReadCall("f1", 2));
        Scenario sc = new Scenario("fallocate-dirty-hole", "guided", "a fallocate of a dirty hole, then writeback",
                List.of(), ops, c -> c, List.of(), 0, 0);
        ScenarioResult ok = run("sim:" + FALLOC + ",choices=" + FALLOC, sc);
        assertThat(ok.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(ok.choice()).isEqualTo(FALLOC);
        ScenarioResult r = run("sim:" + FALLOC + ",lost-writeback,choices=" + FALLOC, sc);
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.reason()).startsWith(FALLOC + " rejects");
    }
}
