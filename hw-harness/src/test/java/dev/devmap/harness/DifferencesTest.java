package dev.devmap.harness;

import dev.devmap.harness.report.RunResult;
import dev.devmap.harness.scenario.ScenarioResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differences are the product: a device that behaves like a kernel's documented protocol choice
 * (here the simulated device running that choice's model) is reported with differences, not as
 * non-conformant, when it lists the choice; the same behaviour without the choice listed fails;
 * a mistake the listed choice does not explain still fails.
 */
class DifferencesTest {
    @TempDir Path dir;

    private static dev.devmap.harness.scenario.Scenario guided(String id) {
        return dev.devmap.harness.scenario.Guided.all().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    }

    private Support.Run run(String device) throws Exception {
        try (DeviceUnderTest dut = Devices.open(device, Duration.ofSeconds(10), Map.of(), l -> { })) {
            return Support.conform(dut, 7, 0, true, dir.resolve(device.replaceAll("[^a-z]", "")));
        }
    }

    @Test
    void aListedKernelChoiceTurnsItsFailuresIntoDifferences() throws Exception {
        Support.Run r = run("sim:read-pin-ignores-truncate,choices=read-pin-ignores-truncate");
        RunResult res = r.result();
        assertThat(res.differences()).isNotEmpty().allSatisfy(d -> {
            assertThat(d.choice()).isEqualTo("read-pin-ignores-truncate");
            assertThat(d.trace()).isNotEmpty();
        });
        assertThat(res.count(ScenarioResult.Status.FAIL)).isZero();
        assertThat(res.conformant()).isTrue();
        assertThat(r.ktap()).contains("# TODO difference from the model: read-pin-ignores-truncate")
                .doesNotContain("not ok");
        Path d = dir.resolve("simreadpinignorestruncatechoicesreadpinignorestruncate");
        assertThat(Files.readString(d.resolve("report.txt"))).contains("Differences from the model")
                .contains("D1. read-pin-ignores-truncate in scenario " + res.differences().get(0).scenario().id())
                .contains("accepted by the model of read-pin-ignores-truncate");
        assertThat(Files.readString(d.resolve("results.jsonl"))).contains("\"status\":\"difference\"")
                .contains("\"choice\":\"read-pin-ignores-truncate\"");
    }

    @Test
    void theSameBehaviourWithoutTheChoiceListedFails() throws Exception {
        String explained = run("sim:read-pin-ignores-truncate,choices=read-pin-ignores-truncate").result().differences()
                .get(0).scenario().id();
        RunResult res = run("sim:read-pin-ignores-truncate").result();
        assertThat(res.differences()).isEmpty();
        assertThat(res.conformant()).isFalse();
        assertThat(res.results).filteredOn(x -> x.status() == ScenarioResult.Status.FAIL)
                .extracting(x -> x.scenario().id()).contains(explained);
    }

    @Test
    void theMechanismComesFromModelsJson() {
        assertThat(Conformance.choiceWhy(Path.of("..", "spec"), java.util.List.of("read-pin-ignores-truncate")))
                .hasEntrySatisfying("read-pin-ignores-truncate", w -> assertThat(w).contains("mm/truncate.c"));
        assertThat(Conformance.choiceWhy(null, java.util.List.of())).isEmpty();
    }

    /**
     * fs-dax's choices that the standard simulated configuration (page cache, PIN) and the guided
     * scenarios can show (not clone-hole: no scenario clones a hole on a device that does not fail
     * first): each, listed, turns its failures into differences named by it; unlisted, the same run fails.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dax-munmap-acks-with-dma"})
    void eachDaxChoiceListedIsADifferenceAndUnlistedAFailure(String choice) throws Exception {
        RunResult listed = run("sim:" + choice + ",choices=" + choice).result();
        assertThat(listed.differences()).isNotEmpty().allSatisfy(d -> assertThat(d.choice()).isEqualTo(choice));
        assertThat(listed.conformant()).isTrue();
        RunResult unlisted = run("sim:" + choice).result();
        assertThat(unlisted.conformant()).isFalse();
        assertThat(unlisted.results).filteredOn(x -> x.status() == ScenarioResult.Status.FAIL)
                .extracting(x -> x.scenario().id()).contains(listed.differences().get(0).scenario().id());
    }

    /** The four fs=xfs scenarios whose device mapping is the page-cache page itself. */
    private static final java.util.List<String> MIRROR_FOUR = java.util.List.of("map-refused-cached",
            "read-only-beside-cache", "direct-write-then-read", "dma-inflight-populate");

    /**
     * pagecache-mirror-maps-cache (fs=xfs: the mirror maps the page-cache page): the four scenarios the
     * kernel answers that way (a map of a cached page granted; a CPU access of a mapped page that
     * invalidates nothing) are differences named by it when it is listed, failures when not; a device
     * whose WRITE grant over a cached page writes the block behind the cache (map-while-cached: two
     * copies) is not explained by it.
     */
    @Test
    void theMirrorOfTheCachePageIsADifferenceAndTwoCopiesAreNot() throws Exception {
        String choice = "pagecache-mirror-maps-cache";
        RunResult listed = run("sim:" + choice + ",choices=" + choice).result();
        assertThat(listed.differences()).allSatisfy(d -> assertThat(d.choice()).isEqualTo(choice))
                .extracting(d -> d.scenario().id()).containsAll(MIRROR_FOUR);
        assertThat(listed.conformant()).isTrue();
        RunResult unlisted = run("sim:" + choice).result();
        assertThat(unlisted.conformant()).isFalse();
        assertThat(unlisted.results).filteredOn(x -> x.status() == ScenarioResult.Status.FAIL)
                .extracting(x -> x.scenario().id()).containsAll(MIRROR_FOUR);
        RunResult twoCopies = run("sim:map-while-cached,choices=" + choice).result();
        assertThat(twoCopies.conformant()).isFalse();
        assertThat(twoCopies.count(ScenarioResult.Status.FAIL)).isPositive();
    }

    /**
     * pagecache-writeback-mkclean (made with pagecache-mirror-maps-cache): the end-of-scenario audit's
     * writeback of a page under a writable mirror invalidates the mirror (folio_mkclean's notifier), as
     * the kernel answers it; those four scenarios are its differences when it is listed, and failures
     * when only pagecache-mirror-maps-cache is (its model keeps the mapping at writeback).
     */
    @Test
    void writebackZappingTheMirrorIsADifferenceOfMkcleanOnly() throws Exception {
        String choice = "pagecache-writeback-mkclean";
        RunResult listed = run("sim:" + choice + ",choices=" + choice).result();
        assertThat(listed.conformant()).isTrue();
        assertThat(listed.differences()).filteredOn(d -> MIRROR_FOUR.contains(d.scenario().id()))
                .hasSize(MIRROR_FOUR.size()).allSatisfy(d -> assertThat(d.choice()).isEqualTo(choice));
        RunResult mirrorOnly = run("sim:" + choice + ",choices=pagecache-mirror-maps-cache").result();
        assertThat(mirrorOnly.conformant()).isFalse();
        assertThat(mirrorOnly.results).filteredOn(x -> x.status() == ScenarioResult.Status.FAIL)
                .extracting(x -> x.scenario().id()).containsAnyElementsOf(MIRROR_FOUR);
    }

    @Test
    void aDmaAckTheMunmapChoiceDoesNotCoverStaysAFailure() throws Exception {
        // early-tlb-flush acks every invalidation with DMA in flight; the kernel's choice is munmap's only
        RunResult res = run("sim:early-tlb-flush,choices=dax-munmap-acks-with-dma").result();
        assertThat(res.conformant()).isFalse();
        assertThat(res.count(ScenarioResult.Status.FAIL)).isPositive();
    }

    /**
     * A device that makes two choices at once, as the fs devices do: reflink-unmaps-source (the
     * simulated device's model) and a clone of a hole answered done (clone-hole). cow-break-invalidates
     * fails under the standard model at its reflink; the shrinker drifts to a reflink of a hole (same
     * requirement, same mismatch), which only clone-hole explains, while only reflink-unmaps-source
     * explains the whole scenario: a difference named by it, with the unshrunk trace.
     */
    @Test
    void aChoiceThatExplainsTheWholeScenarioButNotTheDriftedMinimalTraceKeepsTheUnshrunkOne() throws Exception {
        DeviceUnderTest inner = Devices.open("sim:reflink-unmaps-source,choices=clone-hole+reflink-unmaps-source",
                Duration.ofSeconds(10), Map.of(), l -> { });
        DeviceUnderTest both = new DeviceUnderTest() {
            public String name() { return "two-choices"; }
            public Capabilities capabilities() throws DutException { return inner.capabilities(); }
            public DutConfig reset(DutConfig c) throws DutException { return inner.reset(c); }
            public Response perform(Request r) throws DutException {
                Response a = inner.perform(r);
                boolean refusedClone = r.op() instanceof dev.devmap.kernelapi.Op.ReflinkCall
                        && a.outcome().kind() == dev.devmap.kernelapi.Outcome.Answer.ERROR;
                return refusedClone ? Response.of(dev.devmap.kernelapi.Outcome.of(dev.devmap.kernelapi.Outcome.Answer.DONE)
                        .withBar(a.outcome().bar())) : a;
            }
            public void close() { inner.close(); }
        };
        try (both) {
            Capabilities caps = both.capabilities();
            dev.devmap.harness.scenario.Scenario sc = guided("cow-break-invalidates");
            ScenarioResult r = new dev.devmap.harness.scenario.Runner(both, caps, true).run(sc);
            assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
            assertThat(r.choice()).isEqualTo("reflink-unmaps-source");
            assertThat(r.trace()).hasSizeGreaterThan(1);   // unshrunk: the mmap, write and map before the reflink
            // without shrinking there is no drift: the same difference
            ScenarioResult plain = new dev.devmap.harness.scenario.Runner(both, caps, false).run(sc);
            assertThat(plain.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
            assertThat(plain.choice()).isEqualTo("reflink-unmaps-source");
        }
    }

    /**
     * The DAX dirty tag (kernel choice dax-writeback-mkclean, the spec's dtag): a page once mapped
     * WRITE and unmapped is still dirty, so writeback invalidates a reader mapped since. The guided
     * scenario writeback-after-unmap is the one that tells a tag kept by the file from a tag kept
     * by the grant: the standard model (nothing dirty) rejects the device's answer, the choice's
     * model accepts it, with the reader notified.
     */
    @Test
    void writebackAfterUnmapIsTheDaxTagsDifference() throws Exception {
        dev.devmap.harness.scenario.Scenario sc = guided("writeback-after-unmap");
        ScenarioResult r = runOn("sim:dax-writeback-mkclean,fs=dax,choices=dax-writeback-mkclean", sc);
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(r.choice()).isEqualTo("dax-writeback-mkclean");
        // shrunk, it still tells the story: the writer unmapped, the reader notified (the shrinker
        // keeps the answer's importers: without them it drifted to gpu's live WRITE grant, 4 steps)
        assertThat(r.trace()).last().satisfies(t -> {
            assertThat(t.request().op()).isInstanceOf(dev.devmap.kernelapi.Op.WritebackCall.class);
            assertThat(t.response().outcome().notified()).containsExactly("nic");
        });
        assertThat(r.trace()).anySatisfy(t -> assertThat(t.request().op()).isInstanceOf(dev.devmap.kernelapi.Op.DeviceUnmapCall.class));
        assertThat(runOn("sim:fs=dax", sc).status())
                .as("without the choice the reader keeps its mapping: the scenario passes").isEqualTo(ScenarioResult.Status.PASS);
    }

    /**
     * Kernel choice dax-exclusive-faults-first: the guided scenario writeback-after-refused-atomic is
     * a difference named by it on a device that makes it, and neither dax-writeback-mkclean alone nor
     * the standard model explains it (the refusal changed nothing there): a failure on a device that
     * lists only dax-writeback-mkclean.
     */
    @Test
    void writebackAfterARefusedAtomicMapIsTheFaultsFirstDifference() throws Exception {
        dev.devmap.harness.scenario.Scenario sc = guided("writeback-after-refused-atomic");
        ScenarioResult r = runOn("sim:dax-exclusive-faults-first,fs=dax,choices=dax-writeback-mkclean+dax-exclusive-faults-first", sc);
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.DIFFERENCE);
        assertThat(r.choice()).isEqualTo("dax-exclusive-faults-first");
        assertThat(r.trace()).last().satisfies(t -> assertThat(t.response().outcome().notified()).containsExactly("gpu"));
        assertThat(r.trace()).anySatisfy(t -> assertThat(t.response().outcome().reason()).isEqualTo("no-atomic-route"));
        assertThat(runOn("sim:dax-exclusive-faults-first,fs=dax,choices=dax-writeback-mkclean", sc).status())
                .isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(runOn("sim:fs=dax", sc).status()).isEqualTo(ScenarioResult.Status.PASS);
    }

    /** One guided scenario on a simulated device, shrunk. */
    private static ScenarioResult runOn(String device, dev.devmap.harness.scenario.Scenario sc) throws Exception {
        try (DeviceUnderTest dut = Devices.open(device, Duration.ofSeconds(10), Map.of(), l -> { })) {
            return new dev.devmap.harness.scenario.Runner(dut, dut.capabilities(), true).run(sc);
        }
    }

    @Test
    void aFailureNoListedChoiceExplainsStaysAFailure() throws Exception {
        // truncate-ignores-pin ignores write pins too, which read-pin-ignores-truncate refuses
        RunResult res = run("sim:truncate-ignores-pin,choices=read-pin-ignores-truncate").result();
        assertThat(res.conformant()).isFalse();
        assertThat(res.count(ScenarioResult.Status.FAIL)).isPositive();
        // each failure says where the listed choice's model rejected it (the step and what that model allows)
        assertThat(res.results).filteredOn(x -> x.status() == ScenarioResult.Status.FAIL).allSatisfy(x ->
                assertThat(x.reason()).startsWith("read-pin-ignores-truncate rejects the ").contains(" at step ")
                        .contains("(its model allows "));
        Path d = dir.resolve("simtruncateignorespinchoicesreadpinignorestruncate");
        assertThat(Files.readString(d.resolve("report.txt")))
                .contains("   not explained by a listed choice: read-pin-ignores-truncate rejects the ");
        assertThat(Files.readString(d.resolve("results.jsonl"))).contains("\"reason\":\"read-pin-ignores-truncate rejects");
        // a device that lists no choice: nothing to say
        assertThat(run("sim:truncate-ignores-pin").result().results)
                .filteredOn(x -> x.status() == ScenarioResult.Status.FAIL).allSatisfy(x -> assertThat(x.reason()).isNull());
    }
}
