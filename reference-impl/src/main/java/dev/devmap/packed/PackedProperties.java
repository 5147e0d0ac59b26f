package dev.devmap.packed;

import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.SafetyProperties;

import java.util.List;

import static dev.devmap.packed.PackedModel.*;

/**
 * The spec's invariants and step properties on working copies, under the spec's names. The ones
 * the benchmark checks (the {@code large} model's: TypeOK, S1, S3-S10, S2) are ported from
 * {@link SafetyProperties}; the others (S14, S11-S13) are asked of {@link SafetyProperties} on the decoded
 * records, which is exact and slower. PackedModelTest holds every port equal to the record check
 * on every reachable state (and step) of ci and every variant.
 */
public final class PackedProperties {
    private final PackedModel m;
    private final SafetyProperties records;
    private final String[] names;
    private final int[] ids;          // per name: the port's number, or -1 (ask the records)
    private final boolean[] step;

    private static final List<String> PORTED = List.of("TypeOK", "S1_NoStaleBlock", "S3_NoEstablishDuringInvalidate",
            "S4_AckBeforeProceed", "S5_CacheExclusion", "S6_WritebackCoherence", "S7_PinFreeze", "S8_ExporterLifetime",
            "S9_BarAccounting", "S10_Capability", "S2_InvalidateBeforeLayoutChange");

    /** The properties {@code names} (invariants and step properties, in the order to check them). */
    public PackedProperties(PackedModel m, List<String> names) {
        this.m = m;
        this.records = new SafetyProperties(new DeviceMapModel(m.c));
        this.names = names.toArray(new String[0]);
        this.ids = new int[this.names.length];
        this.step = new boolean[this.names.length];
        for (int k = 0; k < this.names.length; k++) {
            String n = this.names[k];
            step[k] = records.stepPropertyNames().contains(n);
            if (!step[k] && !records.invariantNames().contains(n)) throw new IllegalArgumentException("unknown property '" + n + "'");
            ids[k] = PORTED.indexOf(n);
        }
    }

    /** The first invariant among the names that s violates, or null. */
    public String firstViolated(long[] s) {
        for (int k = 0; k < names.length; k++) {
            if (step[k]) continue;
            boolean ok = ids[k] >= 0 ? holds(ids[k], s) : records.holds(names[k], m.state(s));
            if (!ok) return names[k];
        }
        return null;
    }

    /** The first step property among the names that the step s -> t violates, or null. */
    public String firstViolatedOnStep(long[] s, long[] t) {
        for (int k = 0; k < names.length; k++) {
            if (!step[k]) continue;
            boolean ok = ids[k] >= 0 ? layoutSafe(s, t) : records.holdsOnStep(names[k], m.state(s), m.state(t));
            if (!ok) return names[k];
        }
        return null;
    }

    /** Whether every property is ported (no record is built while checking). */
    public boolean allPorted() {
        for (int id : ids) if (id < 0) return false;
        return true;
    }

    /** The ported invariant {@code name} on s (for the equality test). */
    boolean holds(String name, long[] s) { return holds(PORTED.indexOf(name), s); }

    static List<String> ported() { return PORTED; }

    private boolean holds(int id, long[] s) {
        return switch (id) {
            case 0 -> typeOK(s);
            case 1 -> s1(s);
            case 2 -> s3(s);
            case 3 -> s4(s);
            case 4 -> s5(s);
            case 5 -> s6(s);
            case 6 -> s7(s);
            case 7 -> s8(s);
            case 8 -> s[m.oBar] <= m.c.barSize() && s[m.oBar] >= m.held(s);
            case 9 -> s10(s);
            default -> throw new IllegalArgumentException("not an invariant: " + PORTED.get(id));
        };
    }

    private boolean typeOK(long[] s) {
        for (int p = 0; p < m.nPages; p++) {
            int b = blk(s[m.oExt + p]);
            if (b < 0 || b > m.nBlocks) return false;
            if (cval(s[m.oCache + p]) > m.maxVal || s[m.oLastw + p] > m.maxVal) return false;
        }
        for (int b = 0; b < m.nBlocks; b++) if (s[m.oData + b] > m.maxVal) return false;
        if (s[m.oNextv] > m.maxVal) return false;
        for (int i = 0; i < m.nImp; i++) {
            int dmas = 0;
            int pends = 0;
            for (int k = 1; k <= s[m.oDma]; k++) if (di(s[m.oDma + k]) == i) dmas++;
            for (int k = 1; k <= s[m.oPend]; k++) if (gi(s[m.oPend + k]) == i) pends++;
            if (dmas > 1 || pends > 1) return false;
        }
        return s[m.oBar] >= 0;
    }

    private boolean s1(long[] s) {
        for (int k = 1; k <= s[m.oMaps]; k++) {
            long g = s[m.oMaps + k];
            for (int o = glo(g); o <= ghi(g); o++) if (gblk(g, o) == 0 || blk(m.ext(s, gf(g), o)) != gblk(g, o)) return false;
        }
        for (int k = 1; k <= s[m.oDma]; k++) {
            long d = s[m.oDma + k];
            if (db(d) == 0 || blk(m.ext(s, df(d), dO(d))) != db(d)) return false;
        }
        return true;
    }

    private boolean s3(long[] s) {
        for (int f = 0; f < m.nFiles; f++) {
            int at = m.inv(f);
            long h = s[at];
            if (!ron(h)) continue;
            for (int k = 1; k <= s[m.oMaps]; k++) {
                long g = s[m.oMaps + k];
                if (!victim(g, f, rlo(h), rhi(h), rwonly(h))) continue;
                boolean listed = false;
                for (int v = 0; v < s[at + 2] && !listed; v++) listed = s[at + 3 + v] == g;
                if (!listed) return false;
            }
        }
        return true;
    }

    private boolean s4(long[] s) {
        for (int f = 0; f < m.nFiles; f++) {
            long h = s[m.inv(f)];
            if (ron(h) && rdone(h) && s[m.inv(f) + 1] != 0) return false;
        }
        return true;
    }

    private boolean s5(long[] s) {
        for (int k = 1; k <= s[m.oMaps]; k++) {
            long g = s[m.oMaps + k];
            if (!gw(g)) continue;
            for (int o = glo(g); o <= ghi(g); o++) if (cst(m.cache(s, gf(g), o)) != ABSENT) return false;
        }
        for (int f = 0; f < m.nFiles; f++) {
            for (int o = 1; o <= m.nOff; o++) if (m.visible(s, f, o) != s[m.oLastw + m.pg(f, o)]) return false;
        }
        for (int k = 1; k <= s[m.oMaps]; k++) {
            long g = s[m.oMaps + k];
            for (int o = glo(g); o <= ghi(g); o++) {
                if (m.dataAt(s, gblk(g, o)) != s[m.oLastw + m.pg(gf(g), o)]) return false;
            }
        }
        return true;
    }

    private boolean s6(long[] s) {
        for (int f = 0; f < m.nFiles; f++) {
            for (int o = 1; o <= m.nOff; o++) {
                long p = m.cache(s, f, o);
                if (cst(p) == CLEAN && cval(p) != m.diskVal(s, f, o)) return false;
            }
        }
        return true;
    }

    private boolean s7(long[] s) {
        for (int k = 1; k <= s[m.oMaps]; k++) {
            long g = s[m.oMaps + k];
            if (!gpin(g)) continue;
            for (int o = glo(g); o <= ghi(g); o++) {
                if (m.ext(s, gf(g), o) != ((long) WRITTEN << 8 | gblk(g, o))) return false;
            }
        }
        return true;
    }

    private boolean s8(long[] s) {
        return s[m.oExp] != GONE || (s[m.oMaps] == 0 && s[m.oPend] == 0 && s[m.oDma] == 0);
    }

    private boolean s10(long[] s) {
        for (int set : new int[] {m.oMaps, m.oPend}) {
            for (int k = 1; k <= s[set]; k++) {
                long g = s[set + k];
                int i = gi(g);
                if ((m.routeMask >>> i & 1) == 0) return false;
                if (gat(g) && (m.atomicMask >>> i & 1) == 0) return false;
                if (gw(g) && (m.writeMask >>> i & 1) == 0) return false;
                if (gpin(g) && !m.c.pinSupport()) return false;
            }
        }
        for (int k = 1; k <= s[m.oPend]; k++) {
            long p = s[m.oPend + k];
            if (!((gw(p) || gpin(p)) && !retry(p))) continue;
            for (int o = glo(p); o <= ghi(p); o++) {
                long e = m.ext(s, gf(p), o);
                if (kind(e) != WRITTEN || blk(e) != gblk(p, o) || m.shared(s, gblk(p, o))) return false;
            }
        }
        return true;
    }

    /** The step property behind S2: a changed extent is covered by no mapping or DMA afterwards. */
    private boolean layoutSafe(long[] s, long[] t) {
        for (int f = 0; f < m.nFiles; f++) {
            for (int o = 1; o <= m.nOff; o++) {
                if (m.ext(t, f, o) == m.ext(s, f, o)) continue;
                for (int k = 1; k <= t[m.oMaps]; k++) {
                    long g = t[m.oMaps + k];
                    if (gf(g) == f && gin(g, o)) return false;
                }
                for (int k = 1; k <= t[m.oDma]; k++) {
                    long d = t[m.oDma + k];
                    if (df(d) == f && dO(d) == o) return false;
                }
            }
        }
        return true;
    }
}
