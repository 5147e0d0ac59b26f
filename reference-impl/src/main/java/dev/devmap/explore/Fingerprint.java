package dev.devmap.explore;

import dev.devmap.model.Dma;
import dev.devmap.model.Extent;
import dev.devmap.model.Grant;
import dev.devmap.model.Inv;
import dev.devmap.model.Page;
import dev.devmap.model.Pending;
import dev.devmap.model.State;

import java.util.List;
import java.util.Set;

/**
 * A 64-bit fingerprint of a state, as TLC keeps fingerprints instead of states: lists are hashed in
 * order, sets as a sum of their elements' mixed hashes (so their iteration order does not matter).
 * Two different states share a fingerprint with probability about 2^-64 per pair; for a million
 * states the chance of any collision is below 10^-7.
 */
public final class Fingerprint {
    private Fingerprint() {}

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long step(long h, long v) { return mix(h * 0x9E3779B97F4A7C15L + v + 0x632BE59BD9B4E019L); }

    private static long str(String s) { return s.hashCode() * 0x100000001b3L + s.length(); }

    public static long of(State s) {
        long h = 0x84222325cbf29ce4L;
        for (Extent e : s.extent()) h = step(h, e.k().ordinal() * 64L + e.b());
        for (int v : s.data()) h = step(h, v);
        for (Page p : s.cache()) h = step(h, p.st().ordinal() * 1024L + p.v());
        for (int v : s.lastw()) h = step(h, v);
        h = step(h, s.nextv());
        h = step(h, strings(s.vma()));
        long m = 0;
        for (Grant g : s.maps()) m += mix(grant(g));
        h = step(h, m);
        long p = 0;
        for (Pending x : s.pend()) p += mix(grant(x.grant()) * 31 + (x.retry() ? 1 : 2));
        h = step(h, p);
        long d = 0;
        for (Dma x : s.dma()) {
            d += mix(step(step(step(step(step(str(x.i()), str(x.f())), x.o()), x.b()), x.op().ordinal()), x.v()));
        }
        h = step(h, d);
        for (Inv r : s.inv()) h = step(h, inv(r));
        for (boolean b : s.vflag()) h = step(h, b ? 1 : 2);
        h = step(h, s.bar());
        h = step(h, s.exp().ordinal());
        h = step(h, strings(s.rev()));
        for (int t : s.dtag()) h = step(h, t);
        return h;
    }

    private static long grant(Grant g) {
        long h = step(step(step(str(g.i()), str(g.f())), g.lo()), g.hi());
        for (int b : g.bs()) h = step(h, b);
        return step(h, (g.w() ? 1 : 0) + (g.at() ? 2 : 0) + (g.pin() ? 4 : 0));
    }

    private static long inv(Inv r) {
        long h = step(step(step(step(step(r.on() ? 1 : 2, r.lo()), r.hi()), r.cause().ordinal()), r.arg()),
                (r.wonly() ? 1 : 0) + (r.done() ? 2 : 0));
        h = step(h, strings(r.await()));
        long v = 0;
        for (Grant g : r.victims()) v += mix(grant(g));
        return step(h, v);
    }

    private static long strings(Set<String> xs) {
        long sum = 0;
        for (String x : xs) sum += mix(str(x));
        return sum;
    }

    static long strings(List<String> xs) {
        long h = 1;
        for (String x : xs) h = step(h, str(x));
        return h;
    }
}
