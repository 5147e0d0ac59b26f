package dev.devmap.model;

import java.util.Arrays;

/** The protections a variant removes, named as the spec's {@code Variant} constant. */
public enum Variant {
    NONE("none"),
    NO_ACK_WAIT("no-ack-wait"),
    VALID_FLAG("valid-flag"),
    MAP_WHILE_CACHED("map-while-cached"),
    TRUNCATE_IGNORES_PIN("truncate-ignores-pin"),
    UNPLUG_WITHOUT_INVALIDATE("unplug-without-invalidate"),
    BAR_OVERCOMMIT("bar-overcommit"),
    ATOMIC_WITHOUT_ROUTE("atomic-without-route"),
    WRITE_TO_HOLE("write-to-hole"),
    UNBOUNDED_REVOKE("unbounded-revoke"),
    EARLY_TLB_FLUSH("early-tlb-flush"),
    GUP_NO_DIRTY("gup-no-dirty"),
    UNMAP_KEEPS_BAR("unmap-keeps-bar"),
    COW_WITHOUT_INVALIDATE("cow-without-invalidate"),
    // today's kernel's documented protocol choices (models.json "choices"), not mistakes
    DAX_MAP_DURING_BREAK_LAYOUTS("dax-map-during-break-layouts", true),
    DAX_NEW_REF_EXTENDS_WAIT("dax-new-ref-extends-wait", true),
    DAX_PUNCH_WHOLE_FILE("dax-punch-whole-file", true),
    WRITE_SHARED_COW_ON_FAULT("write-shared-cow-on-fault", true),
    READ_PIN_IGNORES_TRUNCATE("read-pin-ignores-truncate", true),
    DAX_WRITEBACK_MKCLEAN("dax-writeback-mkclean", true),
    DAX_MUNMAP_ACKS_WITH_DMA("dax-munmap-acks-with-dma", true),
    CLONE_HOLE("clone-hole", true),
    PIN_REFUSED_FIRST("pin-refused-first", true),
    PAGECACHE_ACKS_WITH_DMA("pagecache-acks-with-dma", true),
    REFLINK_UNMAPS_SOURCE("reflink-unmaps-source", true),
    PAGECACHE_MIRROR_MAPS_CACHE("pagecache-mirror-maps-cache", true),
    // made with pagecache-mirror-maps-cache: writeback's folio_mkclean zaps the mirror of the cached page
    READ_PIN_IGNORES_SHARED("read-pin-ignores-shared", true),
    PAGECACHE_WRITEBACK_MKCLEAN("pagecache-writeback-mkclean", true, "pagecache-mirror-maps-cache",
            "pagecache-writeback-mkclean"),
    DAX_FALLOCATE_BREAKS_LAYOUTS("dax-fallocate-breaks-layouts", true),
    PAGECACHE_UNSHARE_ALLOCATES("pagecache-unshare-allocates", true),
    PAGECACHE_REFLINK_DROPS_BUSY_FOLIO("pagecache-reflink-drops-busy-folio", true),
    PAGECACHE_FALLOCATE_KEEPS_CACHE("pagecache-fallocate-keeps-cache", true),
    // made with dax-writeback-mkclean: the refused ATOMIC map's write faults tagged the range dirty
    DAX_EXCLUSIVE_FAULTS_FIRST("dax-exclusive-faults-first", true, "dax-writeback-mkclean", "dax-exclusive-faults-first"),
    // a combination: the choices one kernel facility makes together (the spec's Combines)
    FS_DAX("fs-dax", true, "dax-map-during-break-layouts", "dax-new-ref-extends-wait", "dax-punch-whole-file",
            "write-shared-cow-on-fault", "dax-writeback-mkclean", "dax-munmap-acks-with-dma", "clone-hole",
            "pin-refused-first", "reflink-unmaps-source", "dax-fallocate-breaks-layouts"),
    PAGE_CACHE("page-cache", true, "write-shared-cow-on-fault", "read-pin-ignores-truncate", "pagecache-acks-with-dma",
            "clone-hole", "reflink-unmaps-source", "pagecache-mirror-maps-cache", "pagecache-writeback-mkclean",
            "read-pin-ignores-shared", "pagecache-unshare-allocates", "pagecache-reflink-drops-busy-folio",
            "pagecache-fallocate-keeps-cache");

    private final String tla;
    private final boolean choice;
    private final String[] combines;

    Variant(String tla) { this(tla, false); }

    Variant(String tla, boolean choice, String... combines) {
        this.tla = tla;
        this.choice = choice;
        this.combines = combines;
    }

    /**
     * The spec's {@code Combines(v)}: the variants this one makes together (a combination of kernel
     * choices), else itself alone.
     */
    public java.util.Set<Variant> combines() {
        if (combines.length == 0) return java.util.EnumSet.of(this);
        java.util.Set<Variant> out = java.util.EnumSet.noneOf(Variant.class);
        for (String n : combines) out.add(of(n));
        return out;
    }

    /** A combination of several kernel choices (the spec's {@code Combines} has more than itself). */
    public boolean combination() { return combines.length > 0; }

    /** The name used in the spec and in models.json. */
    public String tla() { return tla; }

    /**
     * A kernel's protocol choice (models.json "choices": what today's kernel does, checked by TLC),
     * rather than a known mistake (models.json "variants").
     */
    public boolean choice() { return choice; }

    public static Variant of(String name) {
        return Arrays.stream(values()).filter(v -> v.tla.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown variant '" + name + "'"));
    }
}
