package dev.devmap.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A state's sets iterate in one canonical order, whatever order they were built in and whichever
 * JVM runs (as TLC enumerates a set in its canonical order). Everything that picks "the first" or
 * "the k-th" element of a set (the harness's random operations, the oracle's events) is then the
 * same for the same seed. The JDK's Set.copyOf iterates in an order salted per JVM start, and an
 * enum's hash code (DmaOp in Dma) is an identity hash: with either, a seed did not reproduce its run.
 */
class StateOrderTest {
    private static State with(List<String> vma, List<Grant> maps, List<Dma> dma, List<Pending> pend) {
        State s = new DeviceMapModel(new Constants(List.of("f"), 2, 3, List.of("a"), Set.of(), Set.of(), Set.of(), 2, 1, true, true, Variant.NONE)).init();
        return new State(s.extent(), s.data(), s.cache(), s.lastw(), s.nextv(), Set.copyOf(vma), Set.copyOf(maps),
                Set.copyOf(pend), Set.copyOf(dma), s.inv(), s.vflag(), s.bar(), s.exp(), Set.copyOf(vma), s.dtag());
    }

    @Test
    void setsIterateSortedWhateverTheInsertionOrder() {
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h");
        List<Grant> grants = new ArrayList<>();
        List<Dma> dmas = new ArrayList<>();
        List<Pending> pends = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            grants.add(new Grant(names.get(k), "f", 1, 1, List.of(k + 1), k % 2 == 0, false, k % 3 == 0));
            dmas.add(new Dma(names.get(k), "f", 1, k + 1, k % 2 == 0 ? DmaOp.READ : DmaOp.WRITE, k));
            pends.add(new Pending(names.get(k), "f", 1, 1, List.of(k + 1), false, false, false, k % 2 == 0));
        }
        Random r = new Random(1);
        State first = null;
        for (int round = 0; round < 20; round++) {
            List<String> v = new ArrayList<>(names);
            List<Grant> g = new ArrayList<>(grants);
            List<Dma> d = new ArrayList<>(dmas);
            List<Pending> p = new ArrayList<>(pends);
            Collections.shuffle(v, r);
            Collections.shuffle(g, r);
            Collections.shuffle(d, r);
            Collections.shuffle(p, r);
            State s = with(v, g, d, p);
            assertThat(List.copyOf(s.vma())).containsExactlyElementsOf(names);
            assertThat(List.copyOf(s.rev())).containsExactlyElementsOf(names);
            assertThat(List.copyOf(s.maps())).containsExactlyElementsOf(grants);
            assertThat(List.copyOf(s.dma())).containsExactlyElementsOf(dmas);
            assertThat(List.copyOf(s.pend())).containsExactlyElementsOf(pends);
            if (first == null) first = s;
            assertThat(s).isEqualTo(first).hasSameHashCodeAs(first);
        }
        assertThat(first.vma()).isEqualTo(Set.copyOf(names)).contains("c").doesNotContain("z");
    }
}
