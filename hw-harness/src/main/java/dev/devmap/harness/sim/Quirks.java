package dev.devmap.harness.sim;

import dev.devmap.model.Variant;
import dev.devmap.spec.model.Manifest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The catalogue of quirks of the simulated device. */
public final class Quirks {
    private Quirks() { }

    public static final String DMA_MISDIRECT = "dma-misdirect";
    public static final String ACK_WITHOUT_DRAIN = "ack-without-drain";
    public static final String SKIP_NOTIFY = "skip-notify";
    public static final String BAR_SLOT_REUSE = "bar-slot-reuse";
    public static final String LOST_ACK = "lost-ack";
    public static final String LOST_WRITEBACK = "lost-writeback";
    public static final String DAX_PAGE_CACHE = "dax-page-cache";

    /** What the harness reports each spec variant breaking (measured; models.json names TLC's first violation). */
    private static final Map<String, String> BREAKS = Map.ofEntries(Map.entry("no-ack-wait", "S4"),
            Map.entry("valid-flag", "S3"), Map.entry("map-while-cached", "S5"), Map.entry("truncate-ignores-pin", "S7"),
            Map.entry("unplug-without-invalidate", "S8"), Map.entry("bar-overcommit", "S9"),
            Map.entry("atomic-without-route", "S10"), Map.entry("write-to-hole", "S10"), Map.entry("unbounded-revoke", "L5"),
            Map.entry("early-tlb-flush", "S1"), Map.entry("gup-no-dirty", "S6"), Map.entry("unmap-keeps-bar", "L6"),
            Map.entry("cow-without-invalidate", "S1"));

    /**
     * Other rows a run may fail (measured with the default suite: e.g. a DMA write that outlives its
     * acknowledgement lands in a block a reflink then shares, so another page's value changes: S5; a
     * lost writeback leaves a clean page unequal to its block, which the trace of gup-no-dirty shows: S6).
     */
    private static final Map<String, List<String>> ALSO = Map.of("valid-flag", List.of("S1"), LOST_ACK, List.of("L4"),
            "early-tlb-flush", List.of("S5"), ACK_WITHOUT_DRAIN, List.of("S5"),
            LOST_WRITEBACK, List.of("S6"));

    private static final Map<String, Quirk> ALL;

    static {
        Map<String, Quirk> all = new LinkedHashMap<>();
        for (Variant v : Variant.values()) {
            if (v == Variant.NONE || v.choice()) continue;
            // what the variant removes: its own description in models.json (one home, Manifest.bundled())
            String what = Manifest.bundled().variant(v.tla()).why();
            all.put(v.tla(), new Quirk(v.tla(), Quirk.Origin.SPEC, v, what, BREAKS.get(v.tla()),
                    ALSO.getOrDefault(v.tla(), List.of())));
        }
        device(all, DMA_MISDIRECT, "silent data corruption: a DMA write lands in the neighbouring block", "S5");
        device(all, ACK_WITHOUT_DRAIN, "the importer acknowledges an invalidation while its DMA is still in flight", "S1");
        device(all, SKIP_NOTIFY, "the invalidation notifies only the first importer holding a mapping of the range", "S3");
        device(all, BAR_SLOT_REUSE, "the exporter hands out the same BAR slots to every mapping (addresses alias)", "S9");
        device(all, LOST_ACK, "the importer's acknowledgements never reach the filesystem: invalidations never end", "L1");
        device(all, LOST_WRITEBACK, "writeback marks the page clean but the block keeps its old contents (a lost effect)",
                "S5");
        device(all, DAX_PAGE_CACHE, "declares no page cache (fs-dax) but serves CPU reads from a copy the first read "
                + "cached: a later read misses a write that went to the block", "S5");
        ALL = Collections.unmodifiableMap(all);
    }

    private static void device(Map<String, Quirk> all, String name, String what, String breaks) {
        all.put(name, new Quirk(name, Quirk.Origin.DEVICE, null, what, breaks, ALSO.getOrDefault(name, List.of())));
    }


    public static List<Quirk> all() { return new ArrayList<>(ALL.values()); }

    /**
     * A quirk by name; a kernel protocol choice (models.json "choices") is accepted too: the device
     * then behaves as that choice's model (not in {@link #all()}: it is no mistake).
     */
    public static Quirk of(String name) {
        Quirk q = ALL.get(name);
        if (q == null) {
            for (Variant v : Variant.values()) {
                if (v.choice() && v.tla().equals(name)) {
                    return new Quirk(name, Quirk.Origin.SPEC, v, "behaves as today's kernel's protocol choice " + name, null,
                            List.of());
                }
            }
            throw new IllegalArgumentException("unknown quirk '" + name + "' (see 'dmap quirks')");
        }
        return q;
    }

    /** Parses a comma-separated list; at most one SPEC quirk (the spec has one Variant constant). */
    public static List<Quirk> parse(String list) {
        List<Quirk> out = new ArrayList<>();
        if (list == null || list.isBlank()) return out;
        int spec = 0;
        for (String n : list.split(",")) {
            if (n.isBlank()) continue;
            Quirk q = of(n.strip());
            if (q.kind() == Quirk.Origin.SPEC && ++spec > 1) {
                throw new IllegalArgumentException("at most one spec variant quirk at a time (the spec has one Variant)");
            }
            if (!out.contains(q)) out.add(q);
        }
        return out;
    }
}
