package dev.devmap.props;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A property that a run broke, with the run as numbered readable steps in its message.
 *
 * <p>Each property has its own subclass. jqwik keeps a shrunk sample only when it fails with an
 * error "equivalent" to the original one, and that means: the same class (and the same line of the
 * property method). With one class per property, shrinking cannot drift from the property first
 * found to another one, so the printed counterexample is one of the property it names.
 */
public abstract class Violation extends AssertionError {
    private final String property;
    private final String detail;
    private final int steps;
    /** The run that broke the property (for {@link #minimized}); not serialized. */
    transient Run source;

    protected Violation(String property, String detail, String run, int steps) {
        super(property + " violated: " + detail + System.lineSeparator() + run);
        this.property = property;
        this.detail = detail;
        this.steps = steps;
    }

    /** The property's name: a spec property (S1_NoStaleBlock), or one of the properties below. */
    public String property() { return property; }

    public String detail() { return detail; }

    /** The same property broken by the shortest sub-run {@link Run#minimize} finds (this one if none shorter). */
    public Violation minimized() {
        return source == null ? this : source.minimize();
    }

    /** Number of steps of the run up to and including the violating one. */
    public int steps() { return steps; }

    /** The spec property the name stands for: {@code L6_UnmapReturnsBar[bounded]} -> {@code L6_UnmapReturnsBar}. */
    public String specName() {
        int k = property.indexOf('[');
        return k < 0 ? property : property.substring(0, k);
    }

    // SafetyProperties of the chains besides the spec's invariants and S2 (see README):
    /** A pinned grant survives munmap. */
    public static final String PIN_SURVIVES_MUNMAP = "PinSurvivesMunmap";
    /** A pinned grant leaves maps only by its dma_buf's release or by the exporter's revoke. */
    public static final String PIN_DIES_WITH_DMA_BUF = "PinDiesWithItsDmaBuf";
    /** device_unmap / dma_buf release gives back exactly the grant's BAR pages. */
    public static final String BAR_RETURNED_ON_UNMAP = "L6_UnmapReturnsBar[on unmap]";
    /** A refused device_map names a reason that applies (which one comes first: the GRANT_ names). */
    public static final String REFUSAL_REASON = "RefusalHasAllowedReason";
    /**
     * A device_map decided past a refusal reason that applies (granted, or refused with a later
     * reason), named after the spec property the skipped refusal protects ({@link
     * dev.devmap.model.Reason#protects}: cached -> S5, exporter gone -> S8, BAR full -> S9, the others -> S10).
     */
    public static final String GRANT_S5 = "S5_CacheExclusion[at device_map]";
    public static final String GRANT_S8 = "S8_ExporterLifetime[at device_map]";
    public static final String GRANT_S9 = "S9_BarAccounting[at device_map]";
    public static final String GRANT_S10 = "S10_Capability[at device_map]";

    /** The name of a device_map decided past a refusal that protects property: one of the GRANT_ names. */
    static String atDeviceMap(String property) {
        String name = property + "[at device_map]";
        for (String g : new String[] {GRANT_S5, GRANT_S8, GRANT_S9, GRANT_S10}) if (g.equals(name)) return g;
        throw new IllegalArgumentException("no device_map violation for " + property);
    }
    /** Every read (CPU, fallback, DMA) returns the last value written to the page. */
    public static final String READS_LAST_WRITE = "ReadsLastWrite";
    /** The spec's ghost lastw equals the last write the test saw. */
    public static final String GHOST_LAST_WRITE = "GhostIsLastWrite";

    public static final String L1 = "L1_InvalidationEnds[bounded]";
    public static final String L2 = "L2_AccessCompletes[bounded]";
    public static final String L3 = "L3_RetryTerminates[bounded]";
    public static final String L4 = "L4_TruncateNotStarved[bounded]";
    public static final String L5 = "L5_UnplugFinishes[bounded]";
    public static final String L6 = "L6_UnmapReturnsBar[bounded]";

    private static final Map<String, BiFunction<String, String[], Violation>> KINDS = new LinkedHashMap<>();

    private static void kind(String name, BiFunction<String, String[], Violation> make) {
        KINDS.put(name, make);
    }

    static {
        kind("TypeOK", (d, r) -> new TypeOK(d, r[0], Integer.parseInt(r[1])));
        kind("S1_NoStaleBlock", (d, r) -> new S1(d, r[0], Integer.parseInt(r[1])));
        kind("S2_InvalidateBeforeLayoutChange", (d, r) -> new S2(d, r[0], Integer.parseInt(r[1])));
        kind("S3_NoEstablishDuringInvalidate", (d, r) -> new S3(d, r[0], Integer.parseInt(r[1])));
        kind("S4_AckBeforeProceed", (d, r) -> new S4(d, r[0], Integer.parseInt(r[1])));
        kind("S5_CacheExclusion", (d, r) -> new S5(d, r[0], Integer.parseInt(r[1])));
        kind("S6_WritebackCoherence", (d, r) -> new S6(d, r[0], Integer.parseInt(r[1])));
        kind("S7_PinFreeze", (d, r) -> new S7(d, r[0], Integer.parseInt(r[1])));
        kind("S8_ExporterLifetime", (d, r) -> new S8(d, r[0], Integer.parseInt(r[1])));
        kind("S9_BarAccounting", (d, r) -> new S9(d, r[0], Integer.parseInt(r[1])));
        kind("S10_Capability", (d, r) -> new S10(d, r[0], Integer.parseInt(r[1])));
        kind("S11_PinLifetime", (d, r) -> new S11(d, r[0], Integer.parseInt(r[1])));
        kind("S12_BarReturnedOnUnmap", (d, r) -> new S12(d, r[0], Integer.parseInt(r[1])));
        kind("S13_ReadsLastWrite", (d, r) -> new S13(d, r[0], Integer.parseInt(r[1])));
        kind("S14_RefusalOrder", (d, r) -> new S14(d, r[0], Integer.parseInt(r[1])));
        kind("S15_InvalidationKept", (d, r) -> new S15(d, r[0], Integer.parseInt(r[1])));
        kind("S16_GrantNeedsVma", (d, r) -> new S16(d, r[0], Integer.parseInt(r[1])));
        kind("S17_CallsTakeEffect", (d, r) -> new S17(d, r[0], Integer.parseInt(r[1])));
        kind("S18_RefusalHasNoEffect", (d, r) -> new S18(d, r[0], Integer.parseInt(r[1])));
        kind(PIN_SURVIVES_MUNMAP, (d, r) -> new PinSurvivesMunmap(d, r[0], Integer.parseInt(r[1])));
        kind(PIN_DIES_WITH_DMA_BUF, (d, r) -> new PinDiesWithDmaBuf(d, r[0], Integer.parseInt(r[1])));
        kind(BAR_RETURNED_ON_UNMAP, (d, r) -> new BarReturnedOnUnmap(d, r[0], Integer.parseInt(r[1])));
        kind(REFUSAL_REASON, (d, r) -> new RefusalReason(d, r[0], Integer.parseInt(r[1])));
        kind(GRANT_S5, (d, r) -> new GrantS5(d, r[0], Integer.parseInt(r[1])));
        kind(GRANT_S8, (d, r) -> new GrantS8(d, r[0], Integer.parseInt(r[1])));
        kind(GRANT_S9, (d, r) -> new GrantS9(d, r[0], Integer.parseInt(r[1])));
        kind(GRANT_S10, (d, r) -> new GrantS10(d, r[0], Integer.parseInt(r[1])));
        kind(READS_LAST_WRITE, (d, r) -> new ReadsLastWrite(d, r[0], Integer.parseInt(r[1])));
        kind(GHOST_LAST_WRITE, (d, r) -> new GhostLastWrite(d, r[0], Integer.parseInt(r[1])));
        kind(L1, (d, r) -> new L1Bounded(d, r[0], Integer.parseInt(r[1])));
        kind(L2, (d, r) -> new L2Bounded(d, r[0], Integer.parseInt(r[1])));
        kind(L3, (d, r) -> new L3Bounded(d, r[0], Integer.parseInt(r[1])));
        kind(L4, (d, r) -> new L4Bounded(d, r[0], Integer.parseInt(r[1])));
        kind(L5, (d, r) -> new L5Bounded(d, r[0], Integer.parseInt(r[1])));
        kind(L6, (d, r) -> new L6Bounded(d, r[0], Integer.parseInt(r[1])));
    }

    /** Every property name a chain checks. */
    public static List<String> names() { return List.copyOf(KINDS.keySet()); }

    /** The violation of the named property (its own class), with the run's text and length. */
    public static Violation of(String property, String detail, String run, int steps) {
        BiFunction<String, String[], Violation> make = KINDS.get(property);
        if (make == null) throw new IllegalArgumentException("no violation kind for property '" + property + "'");
        return make.apply(detail, new String[] {run, Integer.toString(steps)});
    }

    // One class per property (see the class comment).
    static final class TypeOK extends Violation { TypeOK(String d, String r, int n) { super("TypeOK", d, r, n); } }
    static final class S1 extends Violation { S1(String d, String r, int n) { super("S1_NoStaleBlock", d, r, n); } }
    static final class S2 extends Violation { S2(String d, String r, int n) { super("S2_InvalidateBeforeLayoutChange", d, r, n); } }
    static final class S3 extends Violation { S3(String d, String r, int n) { super("S3_NoEstablishDuringInvalidate", d, r, n); } }
    static final class S4 extends Violation { S4(String d, String r, int n) { super("S4_AckBeforeProceed", d, r, n); } }
    static final class S5 extends Violation { S5(String d, String r, int n) { super("S5_CacheExclusion", d, r, n); } }
    static final class S6 extends Violation { S6(String d, String r, int n) { super("S6_WritebackCoherence", d, r, n); } }
    static final class S7 extends Violation { S7(String d, String r, int n) { super("S7_PinFreeze", d, r, n); } }
    static final class S8 extends Violation { S8(String d, String r, int n) { super("S8_ExporterLifetime", d, r, n); } }
    static final class S9 extends Violation { S9(String d, String r, int n) { super("S9_BarAccounting", d, r, n); } }
    static final class S10 extends Violation { S10(String d, String r, int n) { super("S10_Capability", d, r, n); } }
    static final class S11 extends Violation { S11(String d, String r, int n) { super("S11_PinLifetime", d, r, n); } }
    static final class S12 extends Violation { S12(String d, String r, int n) { super("S12_BarReturnedOnUnmap", d, r, n); } }
    static final class S13 extends Violation { S13(String d, String r, int n) { super("S13_ReadsLastWrite", d, r, n); } }
    static final class S14 extends Violation { S14(String d, String r, int n) { super("S14_RefusalOrder", d, r, n); } }
    static final class S15 extends Violation { S15(String d, String r, int n) { super("S15_InvalidationKept", d, r, n); } }
    static final class S16 extends Violation { S16(String d, String r, int n) { super("S16_GrantNeedsVma", d, r, n); } }
    static final class S17 extends Violation { S17(String d, String r, int n) { super("S17_CallsTakeEffect", d, r, n); } }
    static final class S18 extends Violation { S18(String d, String r, int n) { super("S18_RefusalHasNoEffect", d, r, n); } }
    static final class PinSurvivesMunmap extends Violation { PinSurvivesMunmap(String d, String r, int n) { super(PIN_SURVIVES_MUNMAP, d, r, n); } }
    static final class PinDiesWithDmaBuf extends Violation { PinDiesWithDmaBuf(String d, String r, int n) { super(PIN_DIES_WITH_DMA_BUF, d, r, n); } }
    static final class BarReturnedOnUnmap extends Violation { BarReturnedOnUnmap(String d, String r, int n) { super(BAR_RETURNED_ON_UNMAP, d, r, n); } }
    static final class RefusalReason extends Violation { RefusalReason(String d, String r, int n) { super(REFUSAL_REASON, d, r, n); } }
    static final class GrantS5 extends Violation { GrantS5(String d, String r, int n) { super(GRANT_S5, d, r, n); } }
    static final class GrantS8 extends Violation { GrantS8(String d, String r, int n) { super(GRANT_S8, d, r, n); } }
    static final class GrantS9 extends Violation { GrantS9(String d, String r, int n) { super(GRANT_S9, d, r, n); } }
    static final class GrantS10 extends Violation { GrantS10(String d, String r, int n) { super(GRANT_S10, d, r, n); } }
    static final class ReadsLastWrite extends Violation { ReadsLastWrite(String d, String r, int n) { super(READS_LAST_WRITE, d, r, n); } }
    static final class GhostLastWrite extends Violation { GhostLastWrite(String d, String r, int n) { super(GHOST_LAST_WRITE, d, r, n); } }
    static final class L1Bounded extends Violation { L1Bounded(String d, String r, int n) { super(L1, d, r, n); } }
    static final class L2Bounded extends Violation { L2Bounded(String d, String r, int n) { super(L2, d, r, n); } }
    static final class L3Bounded extends Violation { L3Bounded(String d, String r, int n) { super(L3, d, r, n); } }
    static final class L4Bounded extends Violation { L4Bounded(String d, String r, int n) { super(L4, d, r, n); } }
    static final class L5Bounded extends Violation { L5Bounded(String d, String r, int n) { super(L5, d, r, n); } }
    static final class L6Bounded extends Violation { L6Bounded(String d, String r, int n) { super(L6, d, r, n); } }
}
