package dev.devmap.props;

import dev.devmap.model.Action;
import dev.devmap.model.CacheState;
import dev.devmap.model.Constants;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Exp;
import dev.devmap.model.Extent;
import dev.devmap.model.Inv;
import dev.devmap.model.ExtentKind;
import dev.devmap.model.Page;
import dev.devmap.model.Reason;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The test's own oracles, written from spec/PROTOCOL.md and not from the model's code: which refusal
 * reasons apply to a device_map, and what the last write to each page was (tracked from the
 * actions, independently of the spec's ghost variable {@code lastw}).
 */
final class Oracles {
    private Oracles() {
    }

    /**
     * Every refusal reason that applies to device_map(i, f, lo..hi, flags) in state s, in the
     * protocol's order: the filesystem decides first (hole, cached, shared, pin support), then the
     * block device (exporter present, P2P route, atomic routing, writable peer mapping, BAR space).
     * Protections only: a variant that removes one is what the properties must catch.
     */
    static List<Reason> reasons(Constants c, State s, String i, String f, int lo, int hi, boolean pin, boolean w,
                                boolean at) {
        List<Reason> out = new ArrayList<>();
        boolean hole = false;
        boolean cached = false;
        boolean shared = false;
        for (int o = lo; o <= hi; o++) {
            Extent e = s.extent().get(c.page(f, o));
            hole |= e.k() != ExtentKind.WRITTEN;
            cached |= s.cache().get(c.page(f, o)).st() != CacheState.ABSENT;
            int owners = 0;
            for (Extent x : s.extent()) if (x.b() == e.b()) owners++;
            shared |= owners > 1;
        }
        if (hole) out.add(Reason.HOLE);
        if (cached) out.add(Reason.CACHED);
        if ((w || pin) && shared) out.add(Reason.SHARED);
        if (pin && !c.pinSupport()) out.add(Reason.PIN_UNSUPPORTED);
        if (s.exp() != Exp.UP) out.add(Reason.EXPORTER_GONE);
        if (!c.route().contains(i)) out.add(Reason.NO_ROUTE);
        if (at && !c.atomicRoute().contains(i)) out.add(Reason.NO_ATOMIC_ROUTE);
        if (w && !c.writeOK().contains(i)) out.add(Reason.WRITE_NOT_ALLOWED);
        if (s.bar() + (hi - lo + 1) > c.barSize()) out.add(Reason.BAR_FULL);
        return out;
    }

    /**
     * The last value written to each page, as a program would see it: set by the writes that
     * happen (a CPU or fallback write that took a fresh value, a DMA write when it completes),
     * zeroed when a truncate or punch takes effect, copied when a reflink takes effect.
     */
    static final class LastWrites {
        private final Constants c;
        private final int[] v;

        LastWrites(Constants c) {
            this.c = c;
            this.v = new int[c.files().size() * c.nOff()];
        }

        int get(String f, int o) { return v[c.page(f, o)]; }

        /** Differences from the spec's ghost {@code lastw}, as text; empty when they agree. */
        String disagreementWith(State t) {
            List<String> bad = new ArrayList<>();
            for (String f : c.files()) {
                for (int o = 1; o <= c.nOff(); o++) {
                    int ghost = t.lastw().get(c.page(f, o));
                    if (ghost != get(f, o)) bad.add(f + "[" + o + "]: lastw=" + ghost + ", last write seen=" + get(f, o));
                }
            }
            return String.join("; ", bad);
        }

        /** Record the effect of step s -a-> t. */
        void step(Action a, State s, State t) {
            if (a instanceof Action.CpuWrite x) wrote(x.f(), x.o(), s, t);
            else if (a instanceof Action.DevFallbackWrite x) wrote(x.f(), x.o(), s, t);
            else if (a instanceof Action.DmaEnd x) {
                for (Dma d : s.dma()) {
                    if (d.i().equals(x.i()) && d.op() == DmaOp.WRITE) v[c.page(d.f(), d.o())] = d.v();
                }
            } else if (a instanceof Action.Truncate x) {
                if (appliedAtOnce(x.f(), t)) zero(x.f(), x.n() + 1, c.nOff());
            } else if (a instanceof Action.PunchHole x) {
                if (appliedAtOnce(x.f(), t)) zero(x.f(), x.lo(), x.hi());
            } else if (a instanceof Action.Reflink x) {
                if (appliedAtOnce(x.f(), t)) v[c.page(x.f(), x.p())] = get(x.f(), x.o());
            } else if (a instanceof Action.InvEnd x) {
                Inv r = s.inv().get(c.fileIndex(x.f()));
                if (!r.done()) applied(x.f(), r);
            }
        }

        private void wrote(String f, int o, State s, State t) {
            if (t.nextv() == s.nextv() + 1) v[c.page(f, o)] = t.nextv();
        }

        /** The change took effect in this very step: nobody had to acknowledge (or no-ack-wait). */
        private boolean appliedAtOnce(String f, State t) {
            Inv r = t.inv().get(c.fileIndex(f));
            return !r.on() || r.done();
        }

        private void applied(String f, Inv r) {
            switch (r.cause()) {
                case TRUNCATE, PUNCH -> zero(f, r.lo(), r.hi());
                case REFLINK -> v[c.page(f, r.arg())] = get(f, r.lo());
                default -> { }
            }
        }

        private void zero(String f, int lo, int hi) {
            for (int o = lo; o <= hi; o++) v[c.page(f, o)] = 0;
        }

        @Override
        public String toString() { return Arrays.toString(v); }
    }

    /** What read(2) of (f, o) returns in state s: the page cache if present, else the disk. */
    static int readValue(Constants c, State s, String f, int o) {
        Page p = s.cache().get(c.page(f, o));
        if (p.st() != CacheState.ABSENT) return p.v();
        Extent e = s.extent().get(c.page(f, o));
        return e.k() == ExtentKind.WRITTEN ? blockValue(s, e.b()) : 0;
    }

    /** Contents of block b; -1 for "no such block" (a read from block 0 or beyond the device). */
    static int blockValue(State s, int b) {
        return b >= 1 && b <= s.data().size() ? s.data().get(b - 1) : -1;
    }
}
