package dev.devmap.model.tla;

import dev.devmap.model.*;
import dev.devmap.spec.tla.TlaState;
import dev.devmap.spec.tla.TlaValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Converts between the Java model and TLA+ values as TLC prints them: constants from the same
 * models.json entry that drives TLC, and states both ways, so the mirror check compares states
 * themselves (not counts) and TLC traces replay in Java.
 */
public final class TlaBridge {
    private final Constants c;

    public TlaBridge(Constants c) { this.c = c; }

    // ------------------------------------------------------------------ constants

    /** The spec's constants from a run plan's constant map (TLA values). */
    public static Constants constants(Map<String, TlaValue> k) {
        return new Constants(strings(need(k, "Files")), (int) integer(need(k, "NOff")), (int) integer(need(k, "NBlocks")),
                strings(need(k, "Importers")), new HashSet<>(strings(need(k, "Route"))),
                new HashSet<>(strings(need(k, "AtomicRoute"))), new HashSet<>(strings(need(k, "WriteOK"))),
                (int) integer(need(k, "BarSize")), (int) integer(need(k, "MaxVal")), bool(need(k, "PinSupport")),
                bool(need(k, "BdevCanInvalidate")), bool(need(k, "PageCache")), Variant.of(str(need(k, "Variant"))));
    }

    private static TlaValue need(Map<String, TlaValue> k, String name) {
        TlaValue v = k.get(name);
        if (v == null) throw new IllegalArgumentException("constant " + name + " is missing from the model");
        return v;
    }

    // ------------------------------------------------------------------ Java -> TLA

    public TlaState toTla(State s) {
        Map<String, TlaValue> vars = new LinkedHashMap<>();
        vars.put("extent", perFile(s.extent(), e -> rec("k", TlaValue.str(e.k().tla()), "b", num(e.b()))));
        vars.put("data", seqInts(s.data()));
        vars.put("cache", perFile(s.cache(), p -> rec("st", TlaValue.str(p.st().tla()), "v", num(p.v()))));
        vars.put("lastw", perFile(s.lastw(), TlaBridge::num));
        vars.put("nextv", num(s.nextv()));
        vars.put("vma", strSet(s.vma()));
        List<TlaValue> maps = new ArrayList<>();
        for (Grant g : s.maps()) maps.add(grant(g));
        vars.put("maps", TlaValue.set(maps));
        List<TlaValue> pend = new ArrayList<>();
        for (Pending p : s.pend()) {
            Map<String, TlaValue> m = grantFields(p.grant());
            m.put("retry", TlaValue.bool(p.retry()));
            pend.add(TlaValue.record(m));
        }
        vars.put("pend", TlaValue.set(pend));
        List<TlaValue> dma = new ArrayList<>();
        for (Dma d : s.dma()) {
            Map<String, TlaValue> m = new TreeMap<>();
            m.put("i", TlaValue.str(d.i()));
            m.put("f", TlaValue.str(d.f()));
            m.put("o", num(d.o()));
            m.put("b", num(d.b()));
            m.put("op", TlaValue.str(d.op().tla()));
            m.put("v", num(d.v()));
            dma.add(TlaValue.record(m));
        }
        vars.put("dma", TlaValue.set(dma));
        Map<String, TlaValue> inv = new TreeMap<>();
        Map<String, TlaValue> vflag = new TreeMap<>();
        Map<String, TlaValue> dtag = new TreeMap<>();
        for (int fi = 0; fi < c.files().size(); fi++) {
            inv.put(c.files().get(fi), inv(s.inv().get(fi)));
            vflag.put(c.files().get(fi), TlaValue.bool(s.vflag().get(fi)));
            List<TlaValue> tagged = new ArrayList<>();
            for (int o = 1; o <= c.nOff(); o++) if ((s.dtag().get(fi) & DeviceMapModel.pagesMask(o, o)) != 0) tagged.add(num(o));
            dtag.put(c.files().get(fi), TlaValue.set(tagged));
        }
        vars.put("inv", TlaValue.record(inv));
        vars.put("vflag", TlaValue.record(vflag));
        vars.put("bar", num(s.bar()));
        vars.put("exp", TlaValue.str(s.exp().tla()));
        vars.put("rev", strSet(s.rev()));
        vars.put("dtag", TlaValue.record(dtag));
        return new TlaState(vars);
    }

    public TlaValue grant(Grant g) { return TlaValue.record(grantFields(g)); }

    private static Map<String, TlaValue> grantFields(Grant g) {
        Map<String, TlaValue> m = new TreeMap<>();
        m.put("i", TlaValue.str(g.i()));
        m.put("f", TlaValue.str(g.f()));
        m.put("lo", num(g.lo()));
        m.put("hi", num(g.hi()));
        m.put("bs", seqInts(g.bs()));
        m.put("w", TlaValue.bool(g.w()));
        m.put("at", TlaValue.bool(g.at()));
        m.put("pin", TlaValue.bool(g.pin()));
        return m;
    }

    private TlaValue inv(Inv r) {
        Map<String, TlaValue> m = new TreeMap<>();
        m.put("on", TlaValue.bool(r.on()));
        m.put("lo", num(r.lo()));
        m.put("hi", num(r.hi()));
        m.put("cause", TlaValue.str(r.cause().tla()));
        m.put("arg", num(r.arg()));
        m.put("wonly", TlaValue.bool(r.wonly()));
        m.put("await", strSet(r.await()));
        List<TlaValue> vs = new ArrayList<>();
        for (Grant g : r.victims()) vs.add(grant(g));
        m.put("victims", TlaValue.set(vs));
        m.put("done", TlaValue.bool(r.done()));
        return TlaValue.record(m);
    }

    private <T> TlaValue perFile(List<T> flat, java.util.function.Function<T, TlaValue> f) {
        Map<String, TlaValue> m = new TreeMap<>();
        for (int fi = 0; fi < c.files().size(); fi++) {
            List<TlaValue> row = new ArrayList<>();
            for (int o = 0; o < c.nOff(); o++) row.add(f.apply(flat.get(fi * c.nOff() + o)));
            m.put(c.files().get(fi), TlaValue.seq(row));
        }
        return TlaValue.record(m);
    }

    private static TlaValue rec(String k1, TlaValue v1, String k2, TlaValue v2) {
        Map<String, TlaValue> m = new TreeMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return TlaValue.record(m);
    }

    private static TlaValue num(int v) { return TlaValue.integer(v); }

    private static TlaValue seqInts(List<Integer> xs) {
        List<TlaValue> out = new ArrayList<>();
        for (int x : xs) out.add(num(x));
        return TlaValue.seq(out);
    }

    private static TlaValue strSet(Set<String> xs) {
        List<TlaValue> out = new ArrayList<>();
        for (String x : xs) out.add(TlaValue.str(x));
        return TlaValue.set(out);
    }

    // ------------------------------------------------------------------ TLA -> Java

    /** A state TLC printed (a dump, a trace, a simulation), as the Java model's state. */
    public State fromTla(TlaState t) {
        List<Extent> extent = new ArrayList<>();
        List<Page> cache = new ArrayList<>();
        List<Integer> lastw = new ArrayList<>();
        List<Inv> inv = new ArrayList<>();
        List<Boolean> vflag = new ArrayList<>();
        List<Integer> dtag = new ArrayList<>();
        for (String f : c.files()) {
            for (TlaValue e : row(t.require("extent"), f)) {
                extent.add(new Extent(ExtentKind.of(str(field(e, "k"))), (int) integer(field(e, "b"))));
            }
            for (TlaValue p : row(t.require("cache"), f)) {
                cache.add(new Page(CacheState.of(str(field(p, "st"))), (int) integer(field(p, "v"))));
            }
            for (TlaValue v : row(t.require("lastw"), f)) lastw.add((int) integer(v));
            inv.add(invFrom(at(t.require("inv"), f)));
            vflag.add(bool(at(t.require("vflag"), f)));
            int mask = 0;
            for (TlaValue o : elements(at(t.require("dtag"), f))) mask |= DeviceMapModel.pagesMask((int) integer(o), (int) integer(o));
            dtag.add(mask);
        }
        List<Integer> data = new ArrayList<>();
        for (TlaValue v : elements(t.require("data"))) data.add((int) integer(v));
        Set<Grant> maps = new HashSet<>();
        for (TlaValue g : elements(t.require("maps"))) maps.add(grantFrom(g));
        Set<Pending> pend = new HashSet<>();
        for (TlaValue p : elements(t.require("pend"))) {
            Grant g = grantFrom(p);
            pend.add(new Pending(g.i(), g.f(), g.lo(), g.hi(), g.bs(), g.w(), g.at(), g.pin(), bool(field(p, "retry"))));
        }
        Set<Dma> dma = new HashSet<>();
        for (TlaValue d : elements(t.require("dma"))) {
            dma.add(new Dma(str(field(d, "i")), str(field(d, "f")), (int) integer(field(d, "o")),
                    (int) integer(field(d, "b")), DmaOp.of(str(field(d, "op"))), (int) integer(field(d, "v"))));
        }
        return new State(extent, data, cache, lastw, (int) integer(t.require("nextv")), new HashSet<>(strings(t.require("vma"))),
                maps, pend, dma, inv, vflag, (int) integer(t.require("bar")), Exp.of(str(t.require("exp"))),
                new HashSet<>(strings(t.require("rev"))), dtag);
    }

    public Grant grantFrom(TlaValue g) {
        List<Integer> bs = new ArrayList<>();
        for (TlaValue b : elements(field(g, "bs"))) bs.add((int) integer(b));
        return new Grant(str(field(g, "i")), str(field(g, "f")), (int) integer(field(g, "lo")),
                (int) integer(field(g, "hi")), bs, bool(field(g, "w")), bool(field(g, "at")), bool(field(g, "pin")));
    }

    private Inv invFrom(TlaValue r) {
        Set<Grant> victims = new HashSet<>();
        for (TlaValue g : elements(field(r, "victims"))) victims.add(grantFrom(g));
        return new Inv(bool(field(r, "on")), (int) integer(field(r, "lo")), (int) integer(field(r, "hi")),
                Cause.of(str(field(r, "cause"))), (int) integer(field(r, "arg")), bool(field(r, "wonly")),
                new HashSet<>(strings(field(r, "await"))), victims, bool(field(r, "done")));
    }

    private List<TlaValue> row(TlaValue perFile, String f) { return elements(at(perFile, f)); }

    private static TlaValue at(TlaValue fn, String key) {
        if (fn instanceof TlaValue.Record r && r.get(key) != null) return r.get(key);
        if (fn instanceof TlaValue.Fcn fc && fc.apply(TlaValue.str(key)) != null) return fc.apply(TlaValue.str(key));
        throw new IllegalArgumentException("expected a function with key \"" + key + "\", got " + fn.print());
    }

    private static TlaValue field(TlaValue rec, String name) {
        if (rec instanceof TlaValue.Record r && r.get(name) != null) return r.get(name);
        throw new IllegalArgumentException("expected a record with field " + name + ", got " + rec.print());
    }

    private static List<TlaValue> elements(TlaValue v) {
        if (v instanceof TlaValue.Set s) return s.elements();
        if (v instanceof TlaValue.Seq s) return s.elements();
        throw new IllegalArgumentException("expected a set or sequence, got " + v.print());
    }

    private static List<String> strings(TlaValue v) {
        List<String> out = new ArrayList<>();
        for (TlaValue e : elements(v)) out.add(str(e));
        return out;
    }

    private static String str(TlaValue v) {
        if (v instanceof TlaValue.Str s) return s.value();
        if (v instanceof TlaValue.ModelValue m) return m.name();
        throw new IllegalArgumentException("expected a string, got " + v.print());
    }

    private static long integer(TlaValue v) {
        if (v instanceof TlaValue.Int i) return i.value();
        throw new IllegalArgumentException("expected an integer, got " + v.print());
    }

    private static boolean bool(TlaValue v) {
        if (v instanceof TlaValue.Bool b) return b.value();
        throw new IllegalArgumentException("expected TRUE or FALSE, got " + v.print());
    }
}
