package dev.devmap.props;

import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Extent;
import dev.devmap.model.ExtentKind;
import dev.devmap.model.Page;
import dev.devmap.model.CacheState;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the chains never reach, checked directly: TypeOK rejects states outside the spec's types
 * (no step of the model produces one, so only a hand-made state shows that the check works), and
 * names that the manifest or a trace could carry but the model does not know are refused.
 */
class ModelContractTest {
    final Constants c = Specs.model("large");
    final DeviceMapModel m = new DeviceMapModel(c);
    final SafetyProperties p = new SafetyProperties(m);
    final State init = m.init();

    private State with(UnaryOperator<Object[]> change) {
        Object[] f = {init.extent(), init.data(), init.cache(), init.lastw(), init.nextv(), init.vma(), init.maps(),
                init.pend(), init.dma(), init.inv(), init.vflag(), init.bar(), init.exp(), init.rev()};
        Object[] g = change.apply(f);
        @SuppressWarnings("unchecked")
        State s = new State((List<Extent>) g[0], (List<Integer>) g[1], (List<Page>) g[2], (List<Integer>) g[3],
                (Integer) g[4], (Set<String>) g[5], (Set<dev.devmap.model.Grant>) g[6], (Set<dev.devmap.model.Pending>) g[7],
                (Set<Dma>) g[8], (List<dev.devmap.model.Inv>) g[9], (List<Boolean>) g[10], (Integer) g[11],
                (dev.devmap.model.Exp) g[12], (Set<String>) g[13]);
        return s;
    }

    private static <T> List<T> set(List<T> xs, int k, T v) {
        List<T> out = new ArrayList<>(xs);
        out.set(k, v);
        return out;
    }

    @Test
    void typeOkHoldsInInitAndRejectsEachKindOfIllTypedState() {
        assertThat(p.holds("TypeOK", init)).isTrue();
        List<State> bad = List.of(
                with(f -> { f[0] = set(init.extent(), 0, new Extent(ExtentKind.WRITTEN, c.nBlocks() + 1)); return f; }),
                with(f -> { f[0] = set(init.extent(), 0, new Extent(ExtentKind.WRITTEN, -1)); return f; }),
                with(f -> { f[1] = set(init.data(), 0, c.maxVal() + 1); return f; }),
                with(f -> { f[1] = List.of(0); return f; }),
                with(f -> { f[2] = set(init.cache(), 0, new Page(CacheState.DIRTY, c.maxVal() + 1)); return f; }),
                with(f -> { f[3] = set(init.lastw(), 0, -1); return f; }),
                with(f -> { f[4] = c.maxVal() + 1; return f; }),
                with(f -> { f[4] = -1; return f; }),
                with(f -> { f[8] = Set.of(new Dma("gpu", "f1", 1, 1, DmaOp.READ, 0), new Dma("gpu", "f1", 2, 2, DmaOp.READ, 0));
                    return f; }),
                with(f -> { f[11] = -1; return f; }),
                with(f -> { f[13] = Set.of("nobody"); return f; }));
        for (State s : bad) assertThat(p.holds("TypeOK", s)).as("%s", s).isFalse();
        assertThat(p.allViolated(bad.get(9))).contains("TypeOK");
        assertThat(p.invariantNames()).startsWith("TypeOK").contains("S1_NoStaleBlock", "S10_Capability");
        assertThat(p.stepPropertyNames()).containsExactly("S2_InvalidateBeforeLayoutChange", "S11_PinLifetime",
                "S12_BarReturnedOnUnmap", "S13_ReadsLastWrite");
    }

    @Test
    void unknownNamesAreRefused() {
        assertThatThrownBy(() -> p.holds("NoSuchInvariant", init)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.holdsOnStep("NoSuchProperty", init, init)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.fileIndex("f9")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.importerIndex("tpu")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.page("f1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.page("f1", c.nOff() + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reason.of("tired")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Variant.of("no-such-variant")).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.importerIndex(c.importers().get(1))).isEqualTo(1);
        assertThat(c.fileIndex("f1")).isZero();
        assertThat(c.withVariant(Variant.NO_ACK_WAIT).is(Variant.NO_ACK_WAIT)).isTrue();
        assertThat(Reason.of("bar-full")).isEqualTo(Reason.BAR_FULL);
        assertThat(Reason.BAR_FULL.decidedBy()).isEqualTo("block device");
        assertThat(Reason.HOLE.decidedBy()).isEqualTo("filesystem");
    }
}
