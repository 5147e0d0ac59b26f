package dev.devmap.harness.scenario;

import dev.devmap.kernelapi.Op;
import dev.devmap.harness.DutConfig;
import dev.devmap.model.CacheState;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Exp;
import dev.devmap.model.Grant;
import dev.devmap.model.Inv;
import dev.devmap.model.ExtentKind;
import dev.devmap.model.Page;
import dev.devmap.model.Pending;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random operations, steered by the state the oracle says the system is in: mostly
 * operations that do something there (ack what is awaited, commit what is prepared, access what is
 * mapped, write back what is dirty), and now and then anything at all (refusals and errors are
 * observations too). The same seed and the same observations give the same operations.
 */
public final class RandomOps {
    private final Random rnd;
    private final DutConfig cfg;
    private final Set<String> supported;
    private final DeviceMapModel model;

    public RandomOps(long seed, DutConfig cfg, Set<String> supported) {
        this.rnd = new Random(seed);
        this.cfg = cfg;
        this.supported = supported;
        this.model = new DeviceMapModel(cfg.reference());
    }

    private String file() { return cfg.files().get(rnd.nextInt(cfg.files().size())); }

    private int page() { return 1 + rnd.nextInt(cfg.pages()); }

    private String importer() {
        List<DutConfig.Importer> is = cfg.importers();
        // importers with a route are the interesting ones; the others are refused
        for (int k = 0; k < 3; k++) {
            DutConfig.Importer i = is.get(rnd.nextInt(is.size()));
            if (i.route()) return i.name();
        }
        return is.get(rnd.nextInt(is.size())).name();
    }

    /** The next operation for state s (one of the states the oracle allows). */
    public Op next(State s) {
        for (int tries = 0; tries < 20; tries++) {
            Op op = pick(s);
            if (op != null && supported.containsAll(dev.devmap.harness.Capabilities.needed(op))) return op;
        }
        return new Op.SettleCall();
    }

    private Op pick(State s) {
        // what the system owes first: acknowledgements, commits, DMA completions
        List<Op> owed = new ArrayList<>();
        for (String f : cfg.files()) {
            Inv r = model.inv(s, f);
            if (r.on()) for (String i : r.await()) owed.add(new Op.InvAckCall(i, f));
        }
        if (s.exp() == Exp.REMOVING) for (String i : s.rev()) owed.add(new Op.RevokeAckCall(i));
        for (Pending p : s.pend()) owed.add(new Op.MapCommitCall(p.i()));
        for (Dma d : s.dma()) owed.add(new Op.DmaEndCall(d.i()));
        if (!owed.isEmpty() && rnd.nextInt(100) < 45) return owed.get(rnd.nextInt(owed.size()));

        List<Grant> grants = new ArrayList<>(s.maps());
        grants.sort(dev.devmap.kernelapi.Semantics.GRANT_COMPARATOR);
        int w = rnd.nextInt(100);
        String f = file();
        if (!s.vma().contains(f) && rnd.nextInt(100) < 60) return new Op.MmapCall(f);
        if (w < 14) return mapOp(s, f);
        if (w < 28 && !grants.isEmpty()) {
            Grant g = grants.get(rnd.nextInt(grants.size()));
            int o = g.lo() + rnd.nextInt(g.size());
            int k = rnd.nextInt(10);
            if (k < 4) return new Op.DevReadCall(g.i(), g.f(), o);
            if (k < 7) return new Op.DevWriteCall(g.i(), g.f(), o);
            if (k < 8) return new Op.DmaStartCall(g.i(), g.f(), o, rnd.nextBoolean() ? DmaOp.READ : DmaOp.WRITE);
            if (k < 9) return g.pin() ? new Op.UnpinCall(g.i(), g.f(), g.lo()) : new Op.DeviceUnmapCall(g.i(), g.f(), g.lo());
            return new Op.BarReclaimCall(g.i(), g.f(), g.lo());
        }
        if (w < 36) return rnd.nextBoolean() ? new Op.WriteCall(f, page()) : new Op.ReadCall(f, page());
        if (w < 52) {
            // make pages written and uncached: what direct maps need
            for (int o = 1; o <= cfg.pages(); o++) {
                Page p = model.cache(s, f, o);
                if (p.st() == CacheState.DIRTY) return new Op.WritebackCall(f, o);
            }
            for (int o = 1; o <= cfg.pages(); o++) {
                if (model.cache(s, f, o).st() == CacheState.CLEAN) return new Op.EvictCall(f, o);
            }
            return new Op.WriteCall(f, page());
        }
        if (w < 58) return rnd.nextBoolean() ? new Op.DevReadCall(importer(), f, page()) : new Op.DevWriteCall(importer(), f, page());
        if (w < 66) {
            int lo = page();
            int hi = lo + rnd.nextInt(cfg.pages() - lo + 1);
            switch (rnd.nextInt(7)) {
                case 0: return new Op.TruncateCall(f, rnd.nextInt(cfg.pages()));
                case 1: return new Op.PunchHoleCall(f, lo, hi);
                case 2: return new Op.FallocateCall(f, lo);
                case 3: return new Op.ReflinkCall(f, lo, page());
                case 4: return new Op.RelocateCall(f, lo);
                case 5: return new Op.UnshareCall(f, lo);
                default: return new Op.MunmapCall(f);
            }
        }
        if (w < 70) return new Op.WritebackCall(f, page());
        if (w < 73) return new Op.EvictCall(f, page());
        if (w < 75) return new Op.SettleCall();
        if (w < 76 && rnd.nextInt(4) == 0) return new Op.UnplugCall();
        if (!owed.isEmpty()) return owed.get(rnd.nextInt(owed.size()));
        return mapOp(s, f);
    }

    private boolean mappable(State s, String f, int o) {
        return model.extent(s, f, o).k() == ExtentKind.WRITTEN && model.cache(s, f, o).st() == CacheState.ABSENT;
    }

    private Op mapOp(State s, String f) {
        // mostly written, uncached pages: they can be granted; now and then anything (refusals)
        List<Integer> ok = new ArrayList<>();
        for (int o = 1; o <= cfg.pages(); o++) if (mappable(s, f, o)) ok.add(o);
        if (ok.isEmpty() && rnd.nextInt(100) < 70) {
            // nothing can be granted yet: get a page there (write it, write it back, drop it from the cache)
            int o = page();
            CacheState st = model.cache(s, f, o).st();
            if (st == CacheState.DIRTY) return new Op.WritebackCall(f, o);
            if (st == CacheState.CLEAN) return new Op.EvictCall(f, o);
            return new Op.WriteCall(f, o);
        }
        int lo = !ok.isEmpty() && rnd.nextInt(100) < 80 ? ok.get(rnd.nextInt(ok.size())) : page();
        int hi = lo;
        while (hi < cfg.pages() && rnd.nextInt(3) == 0 && (mappable(s, f, hi + 1) || rnd.nextInt(4) == 0)) hi++;
        boolean w = rnd.nextInt(100) < 40;
        boolean pin = rnd.nextInt(100) < 15;
        boolean at = rnd.nextInt(100) < 15;
        boolean commit = rnd.nextInt(100) < 80;
        return new Op.DeviceMapCall(importer(), f, lo, hi, pin, w, at, commit);
    }
}
