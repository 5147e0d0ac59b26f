package dev.devmap.harness;

import dev.devmap.model.Constants;
import dev.devmap.model.Variant;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.tla.TlaValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration of a device under test, in the spec's terms: the files and pages the harness
 * works on, the blocks of the exporter, the importers with their capabilities on the path to the
 * exporter, the BAR window, and the protocol choices. The harness proposes one per scenario; the
 * device answers with the one it actually has (a real device has the BAR it has), and the oracle
 * uses that one.
 *
 * @param files          file names (scratch files for a real backend)
 * @param pages          pages per file (offsets 1..pages)
 * @param blocks         blocks the exporter has for these files
 * @param importers      importer devices
 * @param barPages       BAR space of the exporter, in pages
 * @param barBase        bus address of the BAR window (addresses of grants lie in it)
 * @param pinSupport     whether the filesystem supports PIN (dma_buf)
 * @param bdevInvalidate whether the block device can invalidate (reverse map: BAR reclaim, revoke on unplug)
 * @param pageCache      whether the filesystem caches file pages (false: fs-dax, reads and writes go to the
 *                       blocks); the spec's {@code PageCache}
 * @param fileSize       whether the files have a size that truncate shrinks and writes extend, beyond which a
 *                       device access without a grant fails (EFAULT: the fault is beyond i_size). The spec has
 *                       no file size (a truncated page is a hole); the oracle then also accepts that EFAULT
 */
public record DutConfig(List<String> files, int pages, int blocks, List<Importer> importers, int barPages, long barBase,
                        boolean pinSupport, boolean bdevInvalidate, boolean pageCache, boolean fileSize) {
    /** A configuration with a page cache and no file size. */
    public DutConfig(List<String> files, int pages, int blocks, List<Importer> importers, int barPages, long barBase,
                     boolean pinSupport, boolean bdevInvalidate) {
        this(files, pages, blocks, importers, barPages, barBase, pinSupport, bdevInvalidate, true, false);
    }

    /** The page size of BAR addresses. */
    public static final long PAGE = 4096;
    /** MaxVal of the oracle's model: writes never run out of fresh values. */
    public static final int MAX_VAL = 1 << 30;

    /** An importer device and what its path to the exporter allows. */
    public record Importer(String name, boolean route, boolean atomic, boolean write) {}

    /** The largest configuration the harness models (the oracle keeps whole states): an agent claiming more is refused. */
    public static final int MAX_FILES = 16;
    public static final int MAX_IMPORTERS = 16;
    public static final int MAX_PAGES = 256;
    public static final int MAX_BLOCKS = 1024;
    public static final int MAX_BAR_PAGES = 1024;
    public static final int MAX_NAME = 64;

    public DutConfig {
        files = List.copyOf(files);
        importers = List.copyOf(importers);
        if (files.isEmpty() || importers.isEmpty() || pages < 1 || blocks < 1 || barPages < 0) {
            throw new IllegalArgumentException("a configuration needs files, importers, pages >= 1, blocks >= 1");
        }
        if (files.size() > MAX_FILES || importers.size() > MAX_IMPORTERS || pages > MAX_PAGES || blocks > MAX_BLOCKS
                || barPages > MAX_BAR_PAGES) {
            throw new IllegalArgumentException("a configuration may have at most " + MAX_FILES + " files, " + MAX_IMPORTERS
                    + " importers, " + MAX_PAGES + " pages, " + MAX_BLOCKS + " blocks, " + MAX_BAR_PAGES + " BAR pages");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String f : files) {
            if (f.isEmpty() || f.length() > MAX_NAME || !names.add("file " + f)) {
                throw new IllegalArgumentException("file names must be unique, 1-" + MAX_NAME + " characters: '" + f + "'");
            }
        }
        for (Importer i : importers) {
            if (i.name().isEmpty() || i.name().length() > MAX_NAME || !names.add("importer " + i.name())) {
                throw new IllegalArgumentException("importer names must be unique, 1-" + MAX_NAME + " characters: '"
                        + i.name() + "'");
            }
        }
    }

    /**
     * The standard configuration: two files of three pages, four blocks, three importers (gpu: P2P
     * route, atomics and writable; nic: route only; fpga: no route), a BAR of three pages.
     */
    public static DutConfig standard() {
        return new DutConfig(List.of("f1", "f2"), 3, 4, List.of(new Importer("gpu", true, true, true),
                new Importer("nic", true, false, false), new Importer("fpga", false, false, false)), 3, 0xF000_0000L,
                true, true);
    }

    public DutConfig withPinSupport(boolean b) {
        return new DutConfig(files, pages, blocks, importers, barPages, barBase, b, bdevInvalidate, pageCache, fileSize);
    }

    public DutConfig withBdevInvalidate(boolean b) {
        return new DutConfig(files, pages, blocks, importers, barPages, barBase, pinSupport, b, pageCache, fileSize);
    }

    public DutConfig withPageCache(boolean b) {
        return new DutConfig(files, pages, blocks, importers, barPages, barBase, pinSupport, bdevInvalidate, b, fileSize);
    }

    public DutConfig withFileSize(boolean b) {
        return new DutConfig(files, pages, blocks, importers, barPages, barBase, pinSupport, bdevInvalidate, pageCache, b);
    }

    public Importer importer(String name) {
        for (Importer i : importers) if (i.name().equals(name)) return i;
        return null;
    }

    public List<String> importerNames() {
        List<String> out = new ArrayList<>();
        for (Importer i : importers) out.add(i.name());
        return out;
    }

    /**
     * The spec's constants for this configuration with the given variant. A known mistake's
     * constants in models.json that are a device's capabilities ({@code PinSupport},
     * {@code BdevCanInvalidate}, {@code PageCache}; e.g.
     * {@code unbounded-revoke} sets {@code BdevCanInvalidate = FALSE}) are part of the mistake and
     * replace the device's; its other constants (sizes: {@code NOff}, {@code BarSize}) are the scale
     * of the model TLC checks it on, and the device's own configuration keeps its scale. A kernel's
     * protocol choice is no mistake: the device's configuration declares its facility's capabilities.
     */
    public Constants constants(Variant v) {
        return constants(v, v == Variant.NONE || v.choice() ? Map.of() : Manifest.bundled().variant(v.tla()).constants());
    }

    /** As {@link #constants(Variant)}, with the variant's constants of models.json given. */
    Constants constants(Variant v, Map<String, TlaValue> variantConstants) {
        boolean pin = capability(variantConstants, "PinSupport", pinSupport);
        boolean bdev = capability(variantConstants, "BdevCanInvalidate", bdevInvalidate);
        boolean cache = capability(variantConstants, "PageCache", pageCache);
        Set<String> route = new HashSet<>();
        Set<String> atomic = new HashSet<>();
        Set<String> write = new HashSet<>();
        for (Importer i : importers) {
            if (i.route()) route.add(i.name());
            if (i.atomic()) atomic.add(i.name());
            if (i.write()) write.add(i.name());
        }
        return new Constants(files, pages, blocks, importerNames(), route, atomic, write, barPages, MAX_VAL, pin, bdev,
                cache, v);
    }

    private static boolean capability(Map<String, TlaValue> k, String name, boolean device) {
        TlaValue x = k.get(name);
        if (x == null) return device;
        if (x instanceof TlaValue.Bool b) return b.value();
        throw new IllegalArgumentException("models.json: constant " + name + " is not TRUE or FALSE: " + x.print());
    }

    /** The constants the oracle checks against: the reference protocol. */
    public Constants reference() { return constants(Variant.NONE); }

    public boolean inBar(long addr) {
        return addr >= barBase && addr < barBase + barPages * PAGE && (addr - barBase) % PAGE == 0;
    }

    public String show() {
        StringBuilder sb = new StringBuilder();
        sb.append("files ").append(files).append(" x ").append(pages).append(" pages, ").append(blocks)
                .append(" blocks, BAR ").append(barPages).append(" pages, importers");
        for (Importer i : importers) {
            sb.append(' ').append(i.name()).append('(').append(i.route() ? "route" : "no route")
                    .append(i.atomic() ? ",atomic" : "").append(i.write() ? ",write" : "").append(')');
        }
        sb.append(pinSupport ? ", PIN" : ", no PIN").append(bdevInvalidate ? ", reverse map" : ", no reverse map")
                .append(pageCache ? "" : ", no page cache").append(fileSize ? ", file size" : "");
        return sb.toString();
    }
}
