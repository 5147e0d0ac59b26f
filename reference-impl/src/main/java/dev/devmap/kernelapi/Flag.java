package dev.devmap.kernelapi;

/** device_map's flags. */
public enum Flag {
    /** Return a dma_buf: the mapping's lifetime is tied to it, not to the vma; it ignores invalidation. */
    PIN,
    /** The importer wants to write through the mapping. */
    WRITE,
    /** The importer wants PCIe atomics on the mapping. */
    ATOMIC
}
