package dev.devmap.model;

/**
 * Which conjunct of an action's guard failed, as {@link Step.Disabled} reports it. The model sets
 * it where the guard fails; everything that needs to know why a step cannot be taken (the facade's
 * outcome and errno, the property tests' choice of steps, the harness's trace writer) asks for it
 * instead of checking the guard again.
 */
public enum Guard {
    // arguments outside the model's constants
    BAD_ARGUMENT,
    // the program's mapping
    ALREADY_MMAPPED,
    /** munmap of a file that is not mmapped. */
    NOT_MMAPPED,
    /** a device access or device_map of a file that has no vma (no mapping at that address). */
    NO_VMA,
    // waits: the kernel would sleep until an invalidation ends
    /** an invalidation of the file (or of the range) runs: invalidate_lock or mmu_interval_read_begin waits. */
    INVALIDATION_RUNNING,
    /** the importer was told to invalidate the grant and has not acked: it issues no new DMA through it. */
    BEING_INVALIDATED,
    /** the departing exporter asked the importer to give its grants back. */
    REVOKING,
    // busy: something in the way that the caller cannot wait for
    /** a dma_buf pins the page or range. */
    PINNED,
    /** the importer has a DMA in flight (through the grant, or to the range being invalidated). */
    DMA_IN_FLIGHT,
    /** the importer holds a prepared map already. */
    PREPARED_PENDING,
    /** a dirty page cannot be evicted. */
    DIRTY_NOT_EVICTABLE,
    // device_map
    /** the importer maps part of the range already. */
    OVERLAPPING_GRANT,
    /** the filesystem or the block device refused: {@link Step.Disabled#reason()} says why. */
    REFUSED,
    /** the importer maps the page directly: the fallback path does not apply. */
    DIRECT_GRANT,
    // nothing to do
    NOTHING_TO_REMOVE,
    NOT_DIRTY,
    NOT_CACHED,
    // the page or extent is not what the operation needs
    PAGE_CACHED,
    PAGE_DIRTY,
    NOT_A_HOLE,
    TARGET_NOT_A_HOLE,
    NOT_WRITTEN,
    NOT_SHARED,
    SAME_PAGE,
    PINNED_PAGE_READ,
    /** a read without a page cache (PageCache = FALSE, fs-dax): served by the block, nothing changes. */
    NO_PAGE_CACHE,
    NOT_WRITABLE,
    // resources
    NO_FREE_BLOCK,
    /** every data value the model may produce (MaxVal) has been written. */
    NO_FRESH_VALUE,
    // grants, prepared maps, DMA, invalidations, the exporter
    NO_SUCH_GRANT,
    /** DeviceUnmap of a pinned grant, or DmaBufRelease of an unpinned one. */
    WRONG_RELEASE,
    NO_PREPARED_MAP,
    /** mmu_interval_read_retry: the sequence count moved. */
    STALE,
    NOT_STALE,
    NO_DMA,
    NOT_AWAITED,
    NO_INVALIDATION,
    ACKS_OUTSTANDING,
    CANNOT_INVALIDATE,
    EXPORTER_GONE,
    EXPORTER_NOT_UP,
    NO_REVOKE_PENDING,
    NOT_REMOVING,
    REMOVAL_OUTSTANDING
}
