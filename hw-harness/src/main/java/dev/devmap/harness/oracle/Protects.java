package dev.devmap.harness.oracle;

import dev.devmap.harness.Requirement;
import dev.devmap.model.Guard;
import dev.devmap.model.Reason;

import java.util.EnumMap;
import java.util.Map;

/**
 * What each of the model's typed facts protects: the one table from a refusal {@link Reason} and
 * from a disabled step's {@link Guard} to the requirement a device breaks when it goes ahead where
 * the model does not. The diagnosis names a failure from these facts, never from message text; a
 * guard that protects no S or L row (an argument check, a step with nothing to act on, a limit of
 * the model) says why, and the failure is then named "Reference" with that reason.
 *
 * @param row the requirement, or null when no S or L row applies
 * @param why for a row: what the guard keeps from happening; else why no row applies
 */
public record Protects(Requirement row, String why) {

    /** The requirement a refusal reason protects: a map granted where the model refuses breaks it. */
    public static Requirement of(Reason r) {
        return REASONS.get(r);
    }

    /**
     * What the guard protects when the device answers as if the action had been taken: an action
     * the guard disables and the device performed anyway ({@code startsDma}: the action starts a device access).
     */
    public static Protects of(Guard g, boolean startsDma) {
        // one DMA per importer is the model's own bound, not the drain an acknowledgement or a change waits for
        if (g == Guard.DMA_IN_FLIGHT && startsDma) return LIMIT;
        return GUARDS.get(g);
    }

    /**
     * The row a harness-only check (BAR addresses, dma_buf handles: what the spec does not model)
     * stands for: the spec's property whose fact the addresses or handles carry.
     */
    public static Protects of(Failure.Mismatch k) {
        Protects p = HARNESS_ONLY.get(k);
        if (p == null) throw new IllegalArgumentException(k + " is a check of the spec, not a harness-only check");
        return p;
    }

    private static final Protects ARGUMENT = new Protects(null,
            "an argument check of the operation (what it names does not exist or is not in that state): the step is not "
                    + "enabled, so no state of the spec is reached in which an S or L property could fail");
    private static final Protects NOTHING = new Protects(null,
            "a step with nothing to act on (no invalidation, acknowledgement, DMA, prepared map or revoke pending for it): "
                    + "it changes no state of the spec, so no S or L property is at stake; the device reported a step that "
                    + "cannot have happened");
    private static final Protects LIMIT = new Protects(null,
            "a bound of the model (one DMA and one prepared map per importer, one grant per range, a finite set of blocks "
                    + "and values), not a protection of the protocol: no S or L row states it");

    // after the constants above: the tables use them
    private static final Map<Reason, Requirement> REASONS = reasons();
    private static final Map<Guard, Protects> GUARDS = guards();
    private static final Map<Failure.Mismatch, Protects> HARNESS_ONLY = harnessOnly();

    private static Map<Failure.Mismatch, Protects> harnessOnly() {
        Map<Failure.Mismatch, Protects> t = new EnumMap<>(Failure.Mismatch.class);
        Protects bar = row(Requirement.S9, "BAR use is what the addresses count: bar <= BarSize and bar >= Held");
        t.put(Failure.Mismatch.ADDRESS_COUNT, bar);
        t.put(Failure.Mismatch.ADDRESS_OUTSIDE_BAR, bar);
        Protects reused = row(Requirement.S9, "BAR space is never reused while held (S9's bar >= Held): an address two "
                + "live mappings share is a BAR page counted once and held twice");
        t.put(Failure.Mismatch.ADDRESS_REPEATED, reused);
        t.put(Failure.Mismatch.ADDRESS_ALIAS, reused);
        Protects pin = row(Requirement.S7, "nothing of its own holds the pin: another pin's release ends it, and its "
                + "blocks may then change");
        t.put(Failure.Mismatch.PIN_WITHOUT_DMABUF, pin);
        t.put(Failure.Mismatch.DMABUF_ALIAS, pin);
        t.put(Failure.Mismatch.DMABUF_WITHOUT_PIN, row(Requirement.S11, "the handle claims a pin the grant does not "
                + "have; its holder would count on the grant outliving munmap, which only a pin does"));
        for (Failure.Mismatch k : Failure.Mismatch.values()) {
            if (k.harnessOnly() != t.containsKey(k)) throw new IllegalStateException("harness-only row table: " + k);
        }
        return Map.copyOf(t);
    }

    private static Map<Reason, Requirement> reasons() {
        Map<Reason, Requirement> t = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) t.put(r, Requirement.ofSpec(r.protects()));   // the model's Reason says
        return Map.copyOf(t);
    }

    private static Protects row(Requirement r, String why) { return new Protects(r, why); }

    private static Map<Guard, Protects> guards() {
        Map<Guard, Protects> t = new EnumMap<>(Guard.class);
        for (Guard g : new Guard[] {Guard.BAD_ARGUMENT, Guard.ALREADY_MMAPPED, Guard.NOT_MMAPPED, Guard.NO_VMA,
                Guard.NOT_A_HOLE, Guard.TARGET_NOT_A_HOLE, Guard.NOT_WRITTEN, Guard.NOT_SHARED, Guard.SAME_PAGE,
                Guard.NO_SUCH_GRANT, Guard.PINNED_PAGE_READ}) {
            t.put(g, ARGUMENT);
        }
        for (Guard g : new Guard[] {Guard.NOTHING_TO_REMOVE, Guard.NOT_DIRTY, Guard.NOT_CACHED, Guard.NO_PREPARED_MAP,
                Guard.NOT_STALE, Guard.NO_DMA, Guard.NOT_AWAITED, Guard.NO_INVALIDATION, Guard.NO_REVOKE_PENDING,
                Guard.NOT_REMOVING}) {
            t.put(g, NOTHING);
        }
        for (Guard g : new Guard[] {Guard.PREPARED_PENDING, Guard.OVERLAPPING_GRANT, Guard.NO_FREE_BLOCK,
                Guard.NO_FRESH_VALUE, Guard.CANNOT_INVALIDATE}) {
            t.put(g, LIMIT);
        }
        t.put(Guard.INVALIDATION_RUNNING, row(Requirement.S3, "nothing new is established in a range while it is being "
                + "invalidated (mmu_interval_read_begin for a map, invalidate_lock for the page cache and the layout)"));
        t.put(Guard.BEING_INVALIDATED, row(Requirement.L1, "an importer told to invalidate a grant starts no new DMA through "
                + "it: each new DMA would delay its acknowledgement, and the invalidation need never end"));
        t.put(Guard.REVOKING, row(Requirement.S8, "an importer the departing exporter revokes accesses it no more"));
        t.put(Guard.PINNED, row(Requirement.S7, "the blocks of a pinned range do not change (EBUSY)"));
        t.put(Guard.DMA_IN_FLIGHT, row(Requirement.S1, "an acknowledgement or a change waits for the importer's DMA to "
                + "drain: else the DMA lands in a block the filesystem frees or reuses"));
        t.put(Guard.DIRTY_NOT_EVICTABLE, row(Requirement.S6, "a dirty page is not dropped before writeback: the write "
                + "would be lost"));
        t.put(Guard.PAGE_CACHED, row(Requirement.S6, "a page-cache copy is not left beside a block that changes under it"));
        t.put(Guard.PAGE_DIRTY, row(Requirement.S6, "a dirty page is written back before its block moves or is shared"));
        t.put(Guard.REFUSED, row(null, "device_map's refusal: the row is that of the reason (Protects.of(Reason))"));
        t.put(Guard.DIRECT_GRANT, row(Requirement.S5, "an importer that maps the page writable accesses it through its "
                + "grant, not around it through the page cache (a cache copy beside a writable grant)"));
        t.put(Guard.NOT_WRITABLE, row(Requirement.S10, "a device writes only through a writable grant"));
        t.put(Guard.WRONG_RELEASE, row(Requirement.S11, "a pinned grant ends only by its dma_buf's release, an unpinned "
                + "one only by device_unmap"));
        t.put(Guard.STALE, row(Requirement.S3, "a prepared map whose range was invalidated since it was decided "
                + "(the sequence count moved) is retried, never committed"));
        t.put(Guard.ACKS_OUTSTANDING, row(Requirement.S4, "the filesystem applies the change only after every importer "
                + "acknowledged"));
        t.put(Guard.EXPORTER_GONE, row(Requirement.S8, "nothing maps or accesses a departed exporter"));
        t.put(Guard.EXPORTER_NOT_UP, row(Requirement.S8, "nothing is reclaimed or removed twice on an exporter that is "
                + "leaving"));
        t.put(Guard.NO_PAGE_CACHE, row(Requirement.S5, "a device that declared no page cache (fs-dax) serves every CPU "
                + "access from the block: a page-cache copy there would be a second copy beside the device's mapping"));
        t.put(Guard.REMOVAL_OUTSTANDING, row(Requirement.S8, "removal ends only when nothing maps the exporter"));
        for (Guard g : Guard.values()) if (!t.containsKey(g)) throw new IllegalStateException("no entry for guard " + g);
        return Map.copyOf(t);
    }
}
