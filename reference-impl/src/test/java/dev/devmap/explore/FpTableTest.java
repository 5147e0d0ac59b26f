package dev.devmap.explore;

import dev.devmap.model.Action;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class FpTableTest {
    @Test
    void keepsTheFirstValueAndActionOfEveryFingerprintZeroIncluded() {
        FpTable t = new FpTable();
        Map<Long, Long> want = new HashMap<>();
        Random r = new Random(7);
        Action a = new Action.Mmap("f1");
        for (int n = 0; n < 200_000; n++) {
            long fp = n % 1000 == 0 ? 0 : r.nextLong() % 50_000;   // many repeats, and 0
            long got = t.putIfAbsent(fp, n, n % 2 == 0 ? a : null);
            Long first = want.putIfAbsent(fp, (long) n);
            assertThat(got).isEqualTo(first == null ? FpTable.ABSENT : first);
        }
        assertThat(t.size()).isEqualTo(want.size());
        for (Map.Entry<Long, Long> e : want.entrySet()) {
            assertThat(t.get(e.getKey())).isEqualTo(e.getValue());
            assertThat(t.via(e.getKey())).isEqualTo(e.getValue() % 2 == 0 ? a : null);
        }
        assertThat(t.get(123_456_789_012L)).isEqualTo(FpTable.ABSENT);
    }

    @Test
    void twoThreadsAddEachFingerprintExactlyOnce() throws Exception {
        FpTable t = new FpTable();
        AtomicInteger fresh = new AtomicInteger();
        Runnable work = () -> {
            for (long fp = 0; fp < 300_000; fp++) if (t.putIfAbsent(fp * 0x9E3779B97F4A7C15L, fp, null) == FpTable.ABSENT) fresh.incrementAndGet();
        };
        Thread a = new Thread(work);
        Thread b = new Thread(work);
        a.start();
        b.start();
        a.join();
        b.join();
        assertThat(fresh.get()).isEqualTo(300_000);
        assertThat(t.size()).isEqualTo(300_000);
    }
}
