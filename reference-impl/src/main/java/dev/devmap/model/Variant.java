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
    COW_WITHOUT_INVALIDATE("cow-without-invalidate");

    private final String tla;

    Variant(String tla) { this.tla = tla; }

    /** The name used in the spec and in models.json. */
    public String tla() { return tla; }

    public static Variant of(String name) {
        return Arrays.stream(values()).filter(v -> v.tla.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown variant '" + name + "'"));
    }
}
