package dev.devmap.harness;

import dev.devmap.harness.oracle.Oracle;
import dev.devmap.harness.oracle.Protects;
import dev.devmap.harness.scenario.Runner;
import dev.devmap.harness.scenario.Scenario;
import dev.devmap.harness.scenario.ScenarioResult;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.model.Guard;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The facts a device declares in its config decide what the oracle accepts, never the device's name:
 * without a page cache (fs-dax) a CPU read is served by the block; with a file size a device access
 * beyond it may fail with EFAULT. Each check is shown to reject the answer the other declaration allows.
 */
class DeclaredFactsTest {
    private static Oracle after(DutConfig cfg, SimulatedDevice sim, List<Op> ops) {
        DutConfig actual = sim.reset(cfg);
        Oracle o = new Oracle(actual, sim.capabilities());
        for (Op op : ops) {
            Request req = o.request(op);
            assertThat(o.check(req, sim.perform(req))).as(op.show()).isNull();
        }
        return o;
    }

    private static final List<Op> WRITTEN = List.of(new Op.MmapCall("f1"), new Op.WriteCall("f1", 1));

    @Test
    void withoutAPageCacheAReadIsServedByTheBlockAndAPageCacheAnswerIsRefused() {
        SimulatedDevice sim = new SimulatedDevice();
        Oracle o = after(DutConfig.standard().withPageCache(false), sim, WRITTEN);
        Request read = o.request(new Op.ReadCall("f1", 1));
        Response r = sim.perform(read);
        assertThat(r.outcome().path()).isEqualTo(Outcome.Path.BLOCK);
        assertThat(r.outcome().value()).isEqualTo(1);
        assertThat(o.check(read, Response.of(r.outcome().withPath(Outcome.Path.PAGE_CACHE)))).isNotNull();
    }

    @Test
    void withAPageCacheABlockAnswerIsRefused() {
        SimulatedDevice sim = new SimulatedDevice();
        Oracle o = after(DutConfig.standard(), sim, WRITTEN);
        Request read = o.request(new Op.ReadCall("f1", 1));
        Response r = sim.perform(read);
        assertThat(r.outcome().path()).isEqualTo(Outcome.Path.PAGE_CACHE);
        assertThat(o.check(read, Response.of(r.outcome().withPath(Outcome.Path.BLOCK)))).isNotNull();
    }

    /**
     * The planted bug for the NO_PAGE_CACHE guard (quirk dax-page-cache): a device that declares no
     * page cache but serves a read from a cached copy took ReadPage, which that guard disables; the
     * row is the one Protects gives the guard, S5. The same scenario passes on a device without the bug.
     */
    @Test
    void aPageCacheCopyOnADeviceWithoutAPageCacheIsNamedByTheNoPageCacheGuard() {
        List<Op> ops = List.of(new Op.MmapCall("f1"), new Op.WriteCall("f1", 1), new Op.ReadCall("f1", 1));
        Scenario sc = new Scenario("dax-read", "guided", "a write, then a read, without a page cache", List.of(), ops,
                c -> c.withPageCache(false), List.of(), 0, 0);
        SimulatedDevice clean = new SimulatedDevice();
        assertThat(new Runner(clean, clean.capabilities(), true).run(sc).status()).isEqualTo(ScenarioResult.Status.PASS);
        SimulatedDevice dax = new SimulatedDevice(List.of(Quirks.of(Quirks.DAX_PAGE_CACHE)), -1);
        ScenarioResult r = new Runner(dax, dax.capabilities(), true).run(sc);
        assertThat(r.status()).isEqualTo(ScenarioResult.Status.FAIL);
        assertThat(r.verdict().requirement()).isEqualTo(Requirement.S5);
        assertThat(r.verdict().why()).contains("NO_PAGE_CACHE").contains(Protects.of(Guard.NO_PAGE_CACHE, false).why());
        assertThat(Protects.of(Guard.NO_PAGE_CACHE, false).row()).isEqualTo(Requirement.S5);
    }

    private static Response efault() {
        return new Response(List.of(), Outcome.of(Outcome.Answer.ERROR), List.of(), null, null, null, "EFAULT", "beyond EOF");
    }

    private static final List<Op> TRUNCATED = List.of(new Op.MmapCall("f1"), new Op.WriteCall("f1", 1),
            new Op.WriteCall("f1", 2), new Op.TruncateCall("f1", 1));

    @Test
    void efaultBeyondTheFileSizeIsAcceptedOnlyWhenTheDeviceDeclaresASize() {
        Oracle sized = after(DutConfig.standard().withFileSize(true), new SimulatedDevice(), TRUNCATED);
        assertThat(sized.check(sized.request(new Op.DevReadCall("gpu", "f1", 2)), efault())).isNull();
        Oracle unsized = after(DutConfig.standard(), new SimulatedDevice(), TRUNCATED);
        assertThat(unsized.check(unsized.request(new Op.DevReadCall("gpu", "f1", 2)), efault())).isNotNull();
    }

    @Test
    void efaultWithinTheFileSizeIsStillAFailure() {
        Oracle sized = after(DutConfig.standard().withFileSize(true), new SimulatedDevice(), TRUNCATED);
        assertThat(sized.check(sized.request(new Op.DevReadCall("gpu", "f1", 1)), efault())).isNotNull();
    }
}
