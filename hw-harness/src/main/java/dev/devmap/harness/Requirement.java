package dev.devmap.harness;

import java.util.List;

/**
 * The rows of the conformance report: the protocol's safety (S1-S18) and liveness (L1-L6)
 * requirements, named as the spec's properties, plus two rows of the harness itself.
 */
public enum Requirement {
    S1("S1_NoStaleBlock", "no mapping or DMA points at a freed or reused block"),
    S2("S2_InvalidateBeforeLayoutChange", "the extent map changes only when no mapping or DMA covers it"),
    S3("S3_NoEstablishDuringInvalidate", "no new mapping of a range goes live while it is being invalidated"),
    S4("S4_AckBeforeProceed", "the filesystem proceeds only after every importer acknowledged"),
    S5("S5_CacheExclusion", "no writable mapping beside a page-cache copy; every read returns the last write"),
    S6("S6_WritebackCoherence", "a page anyone wrote is dirty; writeback never loses a write"),
    S7("S7_PinFreeze", "the blocks of a pinned (dma_buf) range do not change while pinned"),
    S8("S8_ExporterLifetime", "nothing maps a departed exporter; BAR space is not reused while mapped"),
    S9("S9_BarAccounting", "BAR use never exceeds capacity; a refused map leaves nothing behind"),
    S10("S10_Capability", "a grant matches the path's capabilities and the extent (route, atomics, WRITE, PIN)"),
    S11("S11_PinLifetime", "a pinned grant survives munmap and invalidation; it ends only by its dma_buf's release or a revoke"),
    S12("S12_BarReturnedOnUnmap", "a step that only takes grants away gives their BAR pages back exactly"),
    S13("S13_ReadsLastWrite", "a page read into the cache and a device read return the last write"),
    S14("S14_RefusalOrder", "device_map answers the first reason whose condition holds, and grants only when none holds"),
    S15("S15_InvalidationKept", "an invalidation keeps its range and cause until it ends: one at a time a file"),
    S16("S16_GrantNeedsVma", "a grant that is not pinned lives only while its file is mmapped"),
    S17("S17_CallsTakeEffect", "a call's change is there once applied: holes, unwritten, moved, cloned, unmapped"),
    S18("S18_RefusalHasNoEffect", "a refused device_map leaves nothing behind: no BAR page, no page faulted or dirtied"),
    L1("L1_InvalidationEnds", "every invalidation ends"),
    L2("L2_AccessCompletes", "every device access completes"),
    L3("L3_RetryTerminates", "every prepared map is committed or retried"),
    L4("L4_TruncateNotStarved", "truncate and punch are not starved by new maps"),
    L5("L5_UnplugFinishes", "exporter removal finishes"),
    L6("L6_UnmapReturnsBar", "unmapping returns BAR space"),
    REF("Reference", "every other outcome is one the reference model allows (refusal reasons, errors, events)"),
    AGENT("Agent", "the agent answers every request (no hang, crash or garbage)");

    private final String spec;
    private final String text;

    Requirement(String spec, String text) {
        this.spec = spec;
        this.text = text;
    }

    /** The spec's name, e.g. {@code S1_NoStaleBlock}. */
    public String spec() { return spec; }

    public String text() { return text; }

    public boolean liveness() { return name().startsWith("L"); }

    /**
     * The order in which the diagnosis reads the invariants: from the most specific to the most
     * general, as models.json lists them for TLC, so a failure names the property to read first.
     */
    public static final List<Requirement> INVARIANT_ORDER = List.of(S10, S9, S8, S7, S3, S4, S6, S5, S1);

    public static Requirement ofSpec(String name) {
        for (Requirement r : values()) if (r.spec.equals(name) || r.name().equals(name)) return r;
        throw new IllegalArgumentException("unknown requirement " + name);
    }
}
