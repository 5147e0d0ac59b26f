----------------------------- MODULE DeviceMap -----------------------------
(***************************************************************************)
(* Direct block mapping of file ranges into devices: the device_map /     *)
(* device_unmap protocol proposed on linux-fsdevel in April 2019.         *)
(*                                                                         *)
(* Actors: a program (mmap, munmap, CPU reads and writes, truncate, punch *)
(* hole, fallocate, reflink), the filesystem (extent map, page cache,     *)
(* writeback, relocation, COW unshare, invalidation by mmu-notifier), the *)
(* block device that exports blocks through its PCIe BAR (finite space,   *)
(* reclaim, hot-unplug) and importer devices (GPU, NIC, FPGA) that map    *)
(* file ranges, DMA through the mappings and acknowledge invalidations.   *)
(*                                                                         *)
(* Granularity: one offset = one page = one block.  A mapping ("grant")   *)
(* covers a contiguous range lo..hi of one file for one importer and      *)
(* holds one BAR page per file page.                                       *)
(*                                                                         *)
(* The seed's open question "must the block device be able to invalidate *)
(* mappings?" is the constant BdevCanInvalidate (through a reverse map    *)
(* block -> file ranges, i.e. the helper of open question 3).  Known      *)
(* kernel mistakes are protections that the constant Variant removes, one *)
(* at a time; see the models manifest for the property each must break.   *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets, Sequences

CONSTANTS
    Files,             \* set of file names
    NOff,              \* pages per file: offsets 1..NOff
    NBlocks,           \* blocks on the block device: 1..NBlocks (0 = no block)
    Importers,         \* importer devices
    Route,             \* importers with a P2P route to the exporter
    AtomicRoute,       \* importers whose path routes PCIe atomics
    WriteOK,           \* importers the exporter lets map writable
    BarSize,           \* BAR space of the exporter, in pages
    MaxVal,            \* number of distinct data values writes may produce
    PinSupport,        \* does the filesystem support PIN (dma_buf) at all
    BdevCanInvalidate, \* open question 1: can the block device revoke mappings
    PageCache,         \* does the filesystem cache file pages (FALSE: fs-dax)
    Variant            \* "none", the name of the protection removed, or of a
                       \* combination of kernel choices (Combines)

VARIABLES
    extent,  \* extent[f][o] = [k |-> "hole"|"unwritten"|"written", b |-> block]
    data,    \* data[b]: contents of block b on the device
    cache,   \* cache[f][o] = [st |-> "absent"|"clean"|"dirty", v |-> value]
    lastw,   \* ghost: lastw[f][o] is the last value written to (f, o)
    nextv,   \* values written so far (each write produces a new value)
    vma,     \* files the program has mmapped
    maps,    \* live device mappings (grants), one record per device_map
    pend,    \* prepared, not yet committed device_map results
    dma,     \* DMA in flight, at most one per importer
    inv,     \* inv[f]: the filesystem's invalidation of a range of f
    vflag,   \* only in variant "valid-flag": the driver's boolean valid flag
    bar,     \* BAR pages the exporter accounts as used
    exp,     \* exporter: "up" | "removing" | "gone"
    rev,     \* importers the exporter still waits for during removal
    dtag     \* only in kernel choice dax-writeback-mkclean: dtag[f], the pages
             \* of f whose DAX entry is tagged dirty (PAGECACHE_TAG_DIRTY)

vars == <<extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag,
          bar, exp, rev, dtag>>

\* A combination of today's kernel's protocol choices, made together by one
\* facility (models.json "choices"): fs-dax's ten, the page cache's eleven
\* (xfs on NVMe), and a choice that needs another to mean anything.
Combines(v) ==
    IF v = "fs-dax"
    THEN {"dax-map-during-break-layouts", "dax-new-ref-extends-wait",
          "dax-punch-whole-file", "write-shared-cow-on-fault",
          "dax-writeback-mkclean", "dax-munmap-acks-with-dma", "clone-hole",
          "pin-refused-first", "reflink-unmaps-source", "dax-fallocate-breaks-layouts"}
    ELSE IF v = "page-cache"
    THEN {"write-shared-cow-on-fault", "read-pin-ignores-truncate",
          "pagecache-acks-with-dma", "clone-hole", "reflink-unmaps-source",
          "pagecache-mirror-maps-cache", "pagecache-writeback-mkclean",
          "read-pin-ignores-shared", "pagecache-unshare-allocates",
          "pagecache-reflink-drops-busy-folio", "pagecache-fallocate-keeps-cache"}
    ELSE IF v = "pagecache-writeback-mkclean"
    THEN {"pagecache-mirror-maps-cache", "pagecache-writeback-mkclean"}
    ELSE IF v = "dax-exclusive-faults-first"
    THEN {"dax-writeback-mkclean", "dax-exclusive-faults-first"}
    ELSE {v}
Chosen == Combines(Variant)
\* Is the protection v removed / the kernel choice v made?
Is(v) == v \in Chosen

Offsets == 1..NOff
Blocks  == 1..NBlocks
Vals    == 0..MaxVal
Kinds   == {"hole", "unwritten", "written"}
Causes  == {"none", "truncate", "punch", "fallocate", "relocate", "cow",
            "reflink", "populate", "munmap", "reclaim", "writeback", "unshare"}
Reasons == {"hole", "cached", "shared", "pin-unsupported", "exporter-gone",
            "no-route", "no-atomic-route", "write-not-allowed", "bar-full"}
Ranges  == {r \in Offsets \X Offsets : r[1] <= r[2]}
Idle    == [on |-> FALSE, lo |-> 1, hi |-> 1, cause |-> "none", arg |-> 0,
            wonly |-> FALSE, await |-> {}, victims |-> {}, done |-> FALSE]

Grants  == [i : Importers, f : Files, lo : Offsets, hi : Offsets,
            bs : Seq(0..NBlocks), w : BOOLEAN, at : BOOLEAN, pin : BOOLEAN]
Pending == [i : Importers, f : Files, lo : Offsets, hi : Offsets,
            bs : Seq(0..NBlocks), w : BOOLEAN, at : BOOLEAN, pin : BOOLEAN,
            retry : BOOLEAN]
Dmas    == [i : Importers, f : Files, o : Offsets, b : 0..NBlocks,
            op : {"read", "write"}, v : Vals]

\* Helpers ------------------------------------------------------------------
Size(g)        == g.hi - g.lo + 1
Blk(g, o)      == g.bs[o - g.lo + 1]
In(o, r)       == r.lo <= o /\ o <= r.hi
Overlap(r, lo, hi) == r.lo <= hi /\ lo <= r.hi
Owners(b)      == {<<f, o>> \in Files \X Offsets : extent[f][o].b = b}
Shared(b)      == Cardinality(Owners(b)) > 1
SharedAt(f, o) == extent[f][o].b # 0 /\ Shared(extent[f][o].b)
FreeBlocks     == {b \in Blocks : Owners(b) = {}}
MinFree        == CHOOSE b \in FreeBlocks : \A c \in FreeBlocks : b <= c
DiskVal(f, o)  == IF extent[f][o].k = "written" THEN data[extent[f][o].b] ELSE 0
Visible(f, o)  == IF cache[f][o].st = "absent" THEN DiskVal(f, o) ELSE cache[f][o].v
Absent         == [st |-> "absent", v |-> 0]
Hole           == [k |-> "hole", b |-> 0]
Pages(gs)      == Cardinality(UNION {{<<g.i, g.f, o>> : o \in g.lo..g.hi} : g \in gs})
Held           == Pages(maps) + Pages(pend)
HasPend(i)     == \E p \in pend : p.i = i
HasDma(i)      == \E d \in dma : d.i = i
\* Kernel choice dax-fallocate-breaks-layouts: on fs-dax every fallocate call
\* (punch, allocate, unshare) first breaks the layouts of the whole file,
\* before the mode is looked at (xfs_file_fallocate -> xfs_break_layouts
\* (BREAK_UNMAP) -> xfs_break_dax_layouts -> dax_layout_busy_page, which is
\* dax_layout_busy_page_range(0, LLONG_MAX) -> unmap_mapping_pages of every
\* page); a call with nothing to do then succeeds and changes nothing (an
\* allocate of an allocated page: xfs_alloc_file_space; an unshare of an
\* unshared page: dax_file_unshare copies nothing).  Its unshare has a cause
\* of its own, "unshare" (a write(2) over a shared DAX block, "cow", breaks no
\* layout: xfs_file_write_checks passes BREAK_WRITE); every other model
\* keeps "cow" for unshare, and so its states.
FallocBreaks == Is("dax-fallocate-breaks-layouts")
WholeFile(cause) == \/ Is("dax-punch-whole-file") /\ cause = "punch"
                    \/ FallocBreaks /\ cause \in {"punch", "fallocate", "unshare"}
PinnedAt(f, o) == \E g \in maps : g.pin /\ g.f = f /\ In(o, g)
PinnedIn(f, lo, hi) == \E o \in lo..hi : PinnedAt(f, o)
\* Kernel choice pagecache-mirror-maps-cache: on a page-cache filesystem an
\* importer's mapping (the HMM mirror, hmm_range_fault -> filemap_fault) maps
\* the page-cache page itself, not the block: one copy, so nothing is
\* refused "cached", a CPU read or write of a mapped page invalidates
\* nothing, and a device access through an unpinned grant reads or writes
\* the cached page (the block while none is cached: a clean page equals it).
MirrorsCache == Is("pagecache-mirror-maps-cache")
DevVal(f, o, b) == IF MirrorsCache /\ cache[f][o].st # "absent" THEN cache[f][o].v ELSE data[b]
\* Kernel choice pagecache-reflink-drops-busy-folio: FICLONERANGE truncates its
\* target's page-cache range (xfs_reflink_remap_prep -> xfs_flush_unmap_range
\* -> truncate_pagecache_range -> truncate_inode_partial_folio,
\* mm/truncate.c); the large folio holding the
\* target also holds the file's other pages (mmap read-around allocates one
\* folio from index 0 of a small file), and a DMA's extra page reference stops
\* its split, so the folio, clean after the flush, is dropped whole
\* (truncate_inode_folio).  Busy(f): the pages of f it takes away, those under a
\* DMA not yet orphaned (unpinned, not dirty).  Their DMA records outlive them
\* (Orphaned: b = 0, the page they hold is no longer the file's; a read keeps
\* what the page held): a write lands nowhere, a later read gets the block.
\* Alone only a read DMA is orphaned (a reflink's ack waits for the DMA of a
\* writable grant); with pagecache-acks-with-dma (the page-cache combination) a
\* write DMA is too, and its write is lost.
DropsBusy == Is("pagecache-reflink-drops-busy-folio")
Busy(f) == {o \in Offsets : /\ \E d \in dma : d.f = f /\ d.o = o /\ d.b # 0
                            /\ cache[f][o].st # "dirty" /\ ~PinnedAt(f, o)}
Orphaned(f) == {IF d.f = f /\ d.o \in Busy(f)
                THEN [d EXCEPT !.b = 0, !.v = IF d.op = "read" THEN DevVal(f, d.o, d.b) ELSE d.v]
                ELSE d : d \in dma}
\* (Kernel choice dax-punch-whole-file: punch's notifier covers the whole file.)
InvOver(f, lo, hi)  == inv[f].on /\ (Overlap(inv[f], lo, hi) \/ WholeFile(inv[f].cause))
\* A grant is held against an invalidation unless it is pinned (a dma_buf
\* pin does not honour mmu-notifier invalidation) or the invalidation only
\* concerns writable grants (population by a read, reflink).
Victim(g, f, lo, hi, wonly) ==
    g.f = f /\ Overlap(g, lo, hi) /\ ~g.pin /\ (wonly => g.w)
DmaOn(i, gs)   == \E d \in dma, g \in gs : d.i = i /\ g.i = i /\ d.f = g.f /\ In(d.o, g)
\* Kernel choice dax-munmap-acks-with-dma: munmap's invalidation does not
\* wait for DMA in flight (the zap drops the mirror's mapping; the DMA's page
\* reference outlives it), and a layout change waits for every page
\* reference of its range instead (xfs_break_layouts ->
\* dax_layout_busy_page_range finds the page busy), grant or no grant; a
\* reflink flushes only its destination (xfs_reflink_remap_prep).
\* Kernel choice pagecache-acks-with-dma: on a page-cache filesystem no
\* invalidation waits for a page reference: the mirror's notifier callback
\* drops the mapping at once (the ack), truncate_inode_pages_range removes
\* the page from the file while the DMA still holds it.
AcksWithDma(cause) == \/ Is("dax-munmap-acks-with-dma") /\ cause = "munmap"
                      \/ Is("pagecache-acks-with-dma")
RefHeld(i, f, lo, hi, cause) ==
    /\ Is("dax-munmap-acks-with-dma")
    /\ cause \in {"truncate", "punch", "fallocate", "relocate", "cow", "unshare"}
    /\ \E d \in dma : d.i = i /\ d.f = f /\ d.o \in lo..hi

\* Applying the layout change (or other effect) an invalidation protects.
\* Blocks freed by the change are discarded (zeroed).
Freed(e1, e2) == {e1[f][o].b : f \in Files, o \in Offsets} \ {e2[f][o].b : f \in Files, o \in Offsets}
Discard(d, bs) == [b \in Blocks |-> IF b \in bs THEN 0 ELSE d[b]]

Holes(f, lo, hi) ==
    [extent EXCEPT ![f] = [o \in Offsets |-> IF o \in lo..hi THEN Hole ELSE extent[f][o]]]
Move(f, o) ==  \* relocate or unshare (f, o) to a fresh block, copying its data
    IF FreeBlocks = {} THEN extent
    ELSE [extent EXCEPT ![f][o] = [k |-> extent[f][o].k, b |-> MinFree]]

\* Writeback of a dirty page: to its block in place, to a fresh one for a
\* hole (delayed allocation) or a shared block (COW).
WbInPlace(f, o) == extent[f][o].b # 0 /\ ~Shared(extent[f][o].b)
WbBlock(f, o)   == IF WbInPlace(f, o) THEN extent[f][o].b ELSE MinFree
CanWb(f, o)     == cache[f][o].st = "dirty" /\ (WbInPlace(f, o) \/ FreeBlocks # {})

Apply(f, lo, hi, cause, arg) ==
    LET wb == cause = "writeback" /\ PageCache /\ CanWb(f, lo)
        e2 == CASE cause \in {"truncate", "punch"} -> Holes(f, lo, hi)
                [] cause = "fallocate" /\ extent[f][lo] = Hole /\ FreeBlocks # {} ->
                       [extent EXCEPT ![f][lo] = [k |-> "unwritten", b |-> MinFree]]
                [] cause \in {"relocate", "cow"} -> Move(f, lo)
                [] cause = "unshare" /\ SharedAt(f, lo) -> Move(f, lo)
                [] cause = "reflink" -> [extent EXCEPT ![f][arg] = extent[f][lo]]
                [] wb -> [extent EXCEPT ![f][lo] = [k |-> "written", b |-> WbBlock(f, lo)]]
                [] OTHER -> extent
        d1 == CASE cause \in {"relocate", "cow", "unshare"} /\ e2 # extent ->
                       [data EXCEPT ![e2[f][lo].b] = data[extent[f][lo].b]]
                [] wb -> [data EXCEPT ![WbBlock(f, lo)] = cache[f][lo].v]
                [] OTHER -> data
    IN /\ extent' = e2
       /\ data' = Discard(d1, Freed(extent, e2))
       /\ cache' = IF cause \in {"truncate", "punch"}
                   THEN [cache EXCEPT ![f] = [o \in Offsets |->
                             IF o \in lo..hi THEN Absent ELSE cache[f][o]]]
                   ELSE IF wb THEN [cache EXCEPT ![f][lo].st = "clean"]
                   ELSE IF DropsBusy /\ cause = "reflink"
                   THEN [cache EXCEPT ![f] = [o \in Offsets |->
                             IF o \in Busy(f) THEN Absent ELSE cache[f][o]]]
                   ELSE cache
       /\ dma' = IF DropsBusy /\ cause = "reflink" THEN Orphaned(f) ELSE dma
       /\ lastw' = CASE cause \in {"truncate", "punch"} ->
                          [lastw EXCEPT ![f] = [o \in Offsets |->
                              IF o \in lo..hi THEN 0 ELSE lastw[f][o]]]
                     [] cause = "reflink" -> [lastw EXCEPT ![f][arg] = lastw[f][lo]]
                     [] OTHER -> lastw
       /\ vma' = IF cause = "munmap" THEN vma \ {f} ELSE vma
       /\ dtag' = CASE cause \in {"truncate", "punch"} -> [dtag EXCEPT ![f] = @ \ (lo..hi)]
                    [] cause \in {"writeback", "reflink"} -> [dtag EXCEPT ![f] = @ \ {lo}]
                    [] OTHER -> dtag

\* The mmu-notifier sequence count of f's range moved: every overlapping
\* prepared map must retry (retry = mmu_interval_read_retry() would say so).
\* Variant valid-flag: the driver ignores the count and looks at its own
\* boolean flag, which every invalidation of f clears.
Bumped(f, lo, hi) ==
    {IF p.f = f /\ Overlap(p, lo, hi) THEN [p EXCEPT !.retry = TRUE] ELSE p : p \in pend}
BumpSeq(f, lo, hi) ==
    /\ pend' = Bumped(f, lo, hi)
    /\ vflag' = IF Is("valid-flag") THEN [vflag EXCEPT ![f] = FALSE] ELSE vflag

\* Start an invalidation of f's range lo..hi for cause: bump the sequence
\* count (every overlapping prepared map must retry), notify every importer
\* holding a victim grant, and apply the change at once if nobody holds one.
\* Kernel choice dax-punch-whole-file: punch on fs-dax unmaps the mappings of
\* the whole file (xfs_flush_unmap_range / dax_layout_busy_page over the
\* file), not only the punched range; the change itself is the range's.
Invalidate(f, lo, hi, cause, arg, wonly) ==
    LET whole == WholeFile(cause)
        wlo == IF whole THEN 1 ELSE lo
        whi == IF whole THEN NOff ELSE hi
        vs == IF Is("cow-without-invalidate") /\ cause = "cow" THEN {}
              ELSE {g \in maps : Victim(g, f, wlo, whi, wonly)}
        hs == {g.i : g \in vs} \cup {i \in Importers : RefHeld(i, f, lo, hi, cause)}
    IN /\ BumpSeq(f, wlo, whi)
       /\ IF hs = {}
          THEN /\ Apply(f, lo, hi, cause, arg)
               /\ UNCHANGED inv
          ELSE /\ inv' = [inv EXCEPT ![f] = [on |-> TRUE, lo |-> lo, hi |-> hi,
                          cause |-> cause, arg |-> arg, wonly |-> wonly, await |-> hs,
                          victims |-> vs, done |-> Is("no-ack-wait")]]
               /\ IF Is("no-ack-wait")
                  THEN Apply(f, lo, hi, cause, arg)    \* frees blocks before the acks
                  ELSE UNCHANGED <<extent, data, cache, lastw, vma, dma, dtag>>

\* Kernel choice write-shared-cow-on-fault: a WRITE over shared (reflinked)
\* pages is granted, and the faults break the sharing (dax_iomap_fault ->
\* dax_fault_iter -> dax_iomap_copy_around after xfs_reflink_allocate_cow: a
\* new block, the data copied) instead of the refusal "shared".  The mirror
\* faults lo..hi in order, one page at a time: a page still shared when its
\* fault comes moves to the lowest free block (a page whose partner moved
\* first is no longer shared and keeps its block).  Granted when every page
\* of the range ends unshared (else ENOSPC: refused "shared").
RECURSIVE CowPages(_, _, _, _)
CowPages(e, f, o, hi) ==
    IF o > hi THEN e
    ELSE LET own(b) == {q \in Files \X Offsets : e[q[1]][q[2]].b = b}
             free == {b \in Blocks : own(b) = {}}
             sh == e[f][o].b # 0 /\ Cardinality(own(e[f][o].b)) > 1
         IN CowPages(IF sh /\ free # {}
                     THEN [e EXCEPT ![f][o] = [k |-> e[f][o].k,
                                               b |-> CHOOSE b \in free : \A c \in free : b <= c]]
                     ELSE e, f, o + 1, hi)
CowOnFault(f, lo, hi, pin, w) ==
    /\ Is("write-shared-cow-on-fault")
    /\ w /\ ~pin
    /\ FreeBlocks # {}
    /\ LET e2 == CowPages(extent, f, lo, hi)
       IN \A o \in lo..hi : Cardinality({q \in Files \X Offsets : e2[q[1]][q[2]].b = e2[f][o].b}) <= 1
                           \/ e2[f][o].b = 0

\* device_map's decision: the filesystem first, then the block device.
\* "none" means granted.  Unwritten extents are refused as "hole".
\* Kernel choice read-pin-ignores-shared: a read long-term pin of page-cache
\* pages is granted over a shared (reflinked) block: gup (pin_user_pages,
\* FOLL_LONGTERM -> faultin_page -> filemap_fault) pins the cached page and
\* never asks the filesystem about its extents.
\* Kernel choice pin-refused-first: a long-term pin of a DAX mapping is
\* refused before any block is looked at (mm/gup.c check_vma_flags:
\* FOLL_LONGTERM on vma_is_fsdax -> EOPNOTSUPP, before the fault).
Refusal(i, f, lo, hi, pin, w, at) ==
    LET rg == lo..hi IN
    CASE pin /\ ~PinSupport /\ Is("pin-refused-first")        -> "pin-unsupported"
      [] \E o \in rg : extent[f][o].k # "written"
            /\ ~(Is("write-to-hole") /\ w)                    -> "hole"
      [] \E o \in rg : cache[f][o].st # "absent"
            /\ ~(Is("map-while-cached") /\ w)
            /\ ~(MirrorsCache /\ ~pin)                        -> "cached"
      [] (w \/ pin) /\ \E o \in rg : Shared(extent[f][o].b)
            /\ ~(Is("write-to-hole") /\ w)
            /\ ~CowOnFault(f, lo, hi, pin, w)
            /\ ~(Is("read-pin-ignores-shared") /\ pin /\ ~w)      -> "shared"
      [] pin /\ ~PinSupport                                   -> "pin-unsupported"
      [] pin /\ w /\ Is("read-pin-ignores-truncate")          -> "pin-unsupported"
      [] exp # "up"                                           -> "exporter-gone"
      [] i \notin Route                                       -> "no-route"
      [] at /\ i \notin AtomicRoute
            /\ ~Is("atomic-without-route")                    -> "no-atomic-route"
      [] w /\ i \notin WriteOK                                -> "write-not-allowed"
      [] bar + (hi - lo + 1) > BarSize
            /\ ~Is("bar-overcommit")                          -> "bar-full"
      [] OTHER                                                -> "none"

-----------------------------------------------------------------------------
TypeOK ==
    /\ extent \in [Files -> [Offsets -> [k : Kinds, b : 0..NBlocks]]]
    /\ data \in [Blocks -> Vals]
    /\ cache \in [Files -> [Offsets -> [st : {"absent", "clean", "dirty"}, v : Vals]]]
    /\ lastw \in [Files -> [Offsets -> Vals]]
    /\ nextv \in Vals
    /\ vma \subseteq Files
    /\ maps \subseteq Grants
    /\ pend \subseteq Pending
    /\ dma \subseteq Dmas
    /\ \A i \in Importers : Cardinality({d \in dma : d.i = i}) <= 1
                         /\ Cardinality({p \in pend : p.i = i}) <= 1
    /\ inv \in [Files -> [on : BOOLEAN, lo : Offsets, hi : Offsets, cause : Causes,
                          arg : 0..NOff, wonly : BOOLEAN, await : SUBSET Importers,
                          victims : SUBSET Grants, done : BOOLEAN]]
    /\ vflag \in [Files -> BOOLEAN]
    /\ bar \in Nat
    /\ exp \in {"up", "removing", "gone"}
    /\ rev \subseteq Importers
    /\ dtag \in [Files -> SUBSET Offsets]

Init ==
    /\ extent = [f \in Files |-> [o \in Offsets |-> Hole]]
    /\ data = [b \in Blocks |-> 0]
    /\ cache = [f \in Files |-> [o \in Offsets |-> Absent]]
    /\ lastw = [f \in Files |-> [o \in Offsets |-> 0]]
    /\ nextv = 0
    /\ vma = {}
    /\ maps = {}
    /\ pend = {}
    /\ dma = {}
    /\ inv = [f \in Files |-> Idle]
    /\ vflag = [f \in Files |-> TRUE]
    /\ bar = 0
    /\ exp = "up"
    /\ rev = {}
    /\ dtag = [f \in Files |-> {}]

-----------------------------------------------------------------------------
(* The program *)

Mmap(f) ==
    /\ f \notin vma
    /\ vma' = vma \cup {f}
    /\ UNCHANGED <<extent, data, cache, lastw, nextv, maps, pend, dma, inv, vflag, bar, exp, rev, dtag>>

\* munmap tears down the importers' mappings of the vma (mmu-notifier
\* release); grants pinned by a dma_buf survive it.
Munmap(f) ==
    /\ f \in vma
    /\ ~inv[f].on
    /\ Invalidate(f, 1, NOff, "munmap", 0, FALSE)
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

\* Without a page cache (PageCache = FALSE: fs-dax, dax_iomap_rw and the
\* DAX fault path) a write goes to the page's block at once: a hole gets a
\* block then (no delayed allocation), an unwritten extent is converted, and
\* a shared block is copied first (COW), after its grants are invalidated.
\* Grants of an unshared block stay: device and CPU write the same memory.
InPlace(f, o) == extent[f][o].b # 0 /\ ~Shared(extent[f][o].b)
\* Kernel choice dax-writeback-mkclean, its dirty tag: a write fault of a DAX
\* mapping (a device's writable mirror, hmm_range_fault -> dax_iomap_fault ->
\* dax_insert_entry(dirty), or a device's fallback write through the CPU page
\* table) tags the page's DAX entry dirty in the file's mapping; write(2)
\* (dax_iomap_rw) tags nothing.  The tag belongs to the file, not to a
\* mapping: it outlives unmap and munmap, and only writeback
\* (dax_writeback_one clears it) or the page leaving the file (truncate,
\* punch: dax_delete_mapping_entry) takes it away.
DaxTag == Is("dax-writeback-mkclean")
Tagged(f, os) == IF DaxTag THEN [dtag EXCEPT ![f] = @ \cup os] ELSE dtag
WriteBlock(f, o, fromDev) ==
    IF extent[f][o].b # 0 /\ Shared(extent[f][o].b)
       /\ \E g \in maps : Victim(g, f, o, o, FALSE)
    THEN /\ Invalidate(f, o, o, "cow", 0, FALSE)
         /\ UNCHANGED nextv
    ELSE /\ InPlace(f, o) \/ FreeBlocks # {}
         /\ LET nb == IF InPlace(f, o) THEN extent[f][o].b ELSE MinFree
            IN /\ extent' = [extent EXCEPT ![f][o] = [k |-> "written", b |-> nb]]
               /\ data' = [data EXCEPT ![nb] = nextv + 1]
         /\ lastw' = [lastw EXCEPT ![f][o] = nextv + 1]
         /\ nextv' = nextv + 1
         /\ BumpSeq(f, o, o)   \* a prepared map of the old block must re-decide
         /\ dtag' = IF fromDev THEN Tagged(f, {o}) ELSE dtag
         /\ UNCHANGED <<cache, vma, inv>>

\* A write through the page cache (write(2) or a store to the mmap).  A page
\* under a pinned grant is written through to its block (the fs cannot
\* invalidate a pin); a page under other grants is first invalidated (the
\* write is retried once the invalidation ends).  fromDev: the write comes
\* from an importer on the fallback (GUP) path.
WritePage(f, o, fromDev) ==
    /\ ~inv[f].on      \* page faults take f's invalidate_lock shared
    /\ nextv < MaxVal
    /\ IF PinnedAt(f, o)
       THEN /\ data' = [data EXCEPT ![extent[f][o].b] = nextv + 1]
            /\ lastw' = [lastw EXCEPT ![f][o] = nextv + 1]
            /\ nextv' = nextv + 1
            /\ UNCHANGED <<extent, cache, vma, pend, inv, vflag, dtag>>
       ELSE IF ~PageCache
       THEN WriteBlock(f, o, fromDev)
       ELSE IF ~MirrorsCache /\ \E g \in maps : Victim(g, f, o, o, FALSE)
       THEN /\ Invalidate(f, o, o, "populate", 0, FALSE)
            /\ UNCHANGED nextv
       ELSE /\ cache' = [cache EXCEPT ![f][o] =
                   [st |-> IF Is("gup-no-dirty") /\ fromDev /\ cache[f][o].st = "clean"
                           THEN "clean" ELSE "dirty",
                    v |-> nextv + 1]]
            /\ lastw' = [lastw EXCEPT ![f][o] = nextv + 1]
            /\ nextv' = nextv + 1
            /\ BumpSeq(f, o, o)   \* a map decided "not cached" must re-decide
            /\ UNCHANGED <<extent, data, vma, inv, dtag>>
    /\ UNCHANGED <<maps, dma, bar, exp, rev>>

\* A read that populates the page cache.  Clean copies may coexist with
\* read-only grants, so only writable grants are invalidated.
ReadPage(f, o) ==
    /\ PageCache        \* without one, a read is served by the block, nothing changes
    /\ ~inv[f].on
    /\ cache[f][o].st = "absent"
    /\ ~PinnedAt(f, o)   \* a pinned page is read from its block directly
    /\ IF ~MirrorsCache /\ \E g \in maps : Victim(g, f, o, o, TRUE)
       THEN Invalidate(f, o, o, "populate", 0, TRUE)
       ELSE /\ cache' = [cache EXCEPT ![f][o] = [st |-> "clean", v |-> DiskVal(f, o)]]
            /\ BumpSeq(f, o, o)
            /\ UNCHANGED <<extent, data, lastw, vma, inv, dtag>>
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

CpuWrite(f, o) == f \in Files /\ WritePage(f, o, FALSE)
CpuRead(f, o)  == f \in Files /\ ReadPage(f, o)

\* truncate(2) to n pages, fallocate(PUNCH_HOLE): refused with EBUSY when a
\* pinned grant covers the range (waiting would let a pin holder starve the
\* truncate forever, and the fs cannot revoke a pin: see README).
\* Kernel choice read-pin-ignores-truncate: a long-term pin of page-cache
\* pages (FOLL_LONGTERM, gup / io_uring) is granted for reading only (a write
\* pin of a dirty-tracked file mapping is refused, mm/gup.c), and truncate
\* does not wait for it (truncate_inode_pages drops the pinned pages from
\* the file; the pin keeps them).
PinIgnored == Is("truncate-ignores-pin") \/ Is("read-pin-ignores-truncate")

Truncate(f, n) ==
    /\ n \in 0..(NOff - 1)
    /\ ~inv[f].on
    /\ \E o \in (n + 1)..NOff : extent[f][o] # Hole \/ cache[f][o] # Absent
    /\ ~PinnedIn(f, n + 1, NOff) \/ PinIgnored
    /\ Invalidate(f, n + 1, NOff, "truncate", 0, FALSE)
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

PunchHole(f, lo, hi) ==
    /\ <<lo, hi>> \in Ranges
    /\ ~inv[f].on
    /\ \E o \in lo..hi : extent[f][o] # Hole \/ cache[f][o] # Absent
    /\ ~PinnedIn(f, lo, hi) \/ PinIgnored
    /\ Invalidate(f, lo, hi, "punch", 0, FALSE)
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

\* fallocate(0) of a hole: an unwritten extent (reads as zeros).  (Kernel
\* choice dax-fallocate-breaks-layouts: of an allocated page too, a no-op.)
\* Kernel choice pagecache-fallocate-keeps-cache: on a page-cache filesystem
\* fallocate(0) is xfs_alloc_file_space alone (xfs_file_fallocate ->
\* xfs_falloc_allocate_range; xfs_break_layouts breaks nothing on a non-DAX
\* mapping): it allocates the range's holes as unwritten extents
\* (xfs_bmapi_write with XFS_BMAPI_PREALLOC; a delalloc extent under a dirty
\* page too) and neither looks at nor touches the page cache, so a cached
\* page over a hole stays cached (clean or dirty, over the new unwritten
\* extent), and a page that has a block already is left as it is: done.
FallocKeepsCache == Is("pagecache-fallocate-keeps-cache")
Fallocate(f, o) ==
    /\ ~inv[f].on
    /\ IF FallocKeepsCache /\ extent[f][o] # Hole
       THEN UNCHANGED vars   \* allocated already: nothing to allocate
       ELSE /\ \/ /\ extent[f][o] = Hole
                  /\ cache[f][o] = Absent \/ FallocKeepsCache
                  /\ FreeBlocks # {}
               \/ FallocBreaks /\ extent[f][o] # Hole
            /\ Invalidate(f, o, o, "fallocate", 0, FALSE)
            /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

\* FICLONERANGE of page o onto the hole at page p of the same file: the
\* block becomes shared.  Writable grants of o must go first.
\* Kernel choice clone-hole: FICLONERANGE of a hole succeeds (xfs_reflink_remap_blocks
\* maps the source's hole over the destination: nothing changes for a hole).
\* Kernel choice reflink-unmaps-source: read-only grants of o go too (fs-dax:
\* xfs_ilock2_io_mmap -> xfs_break_dax_layouts unmaps the file; page cache:
\* truncating the target splits or unmaps a large folio the source shares).
ReflinkWonly == ~Is("reflink-unmaps-source")
Reflink(f, o, p) ==
    /\ o # p
    /\ ~inv[f].on
    /\ extent[f][o].k = "written" \/ (Is("clone-hole") /\ extent[f][o] = Hole)
    /\ cache[f][o].st # "dirty"
    /\ extent[f][p] = Hole /\ cache[f][p] = Absent
    /\ ~PinnedAt(f, o)
    /\ Invalidate(f, o, o, "reflink", p, ReflinkWonly)
    /\ UNCHANGED <<nextv, maps, bar, exp, rev>>

-----------------------------------------------------------------------------
(* The filesystem *)

\* Writeback of a dirty page: allocates a block for a hole (delayed
\* allocation), converts an unwritten extent, breaks sharing (COW).
\* Kernel choice dax-writeback-mkclean: without a page cache, writeback
\* (fsync, sync_file_range) write-protects the page's DAX mappings
\* (dax_writeback_mapping_range -> dax_writeback_one -> dax_entry_mkclean ->
\* pfn_mkclean_range -> page_vma_mkclean_one, an mmu-notifier invalidation of
\* every shared vma of the page): a page whose DAX entry is tagged dirty
\* (dtag: a write fault tagged it, through a grant unmapped since or not) is
\* written back, and the mirror drops every entry of the range whatever the
\* event (dmirror_interval_invalidate, lib/test_hmm.c): its read-only device
\* mappings are invalidated too; an untagged page is skipped, its mappings stay.
\* Writeback's write-protect of a mapped page (dax_entry_mkclean, folio_mkclean):
\* an mmu-notifier invalidation of the page, under f's invalidate_lock.
MkcleanInvalidate(f, o) == ~inv[f].on /\ Invalidate(f, o, o, "writeback", 0, FALSE)

DaxMkclean(f, o) ==
    /\ DaxTag
    /\ o \in dtag[f]
    /\ MkcleanInvalidate(f, o)
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

\* Kernel choice pagecache-writeback-mkclean (made with pagecache-mirror-maps-cache,
\* Combines): a writable mirror's fault dirtied the page-cache page
\* (hmm_range_fault -> handle_mm_fault -> do_shared_fault ->
\* fault_dirty_shared_page), so a page under a writable grant is written back;
\* writeback first write-protects the page's shared CPU mappings
\* (folio_clear_dirty_for_io -> folio_mkclean -> page_vma_mkclean_one,
\* mm/rmap.c: an mmu-notifier invalidation, MMU_NOTIFY_PROTECTION_PAGE), and
\* the mirror drops its entries of the range whatever the event
\* (dmirror_interval_invalidate, lib/test_hmm.c): every unpinned grant of the
\* page is invalidated, then a dirty page is written back (Apply, "writeback").
PcMkclean(f, o) == Is("pagecache-writeback-mkclean") /\ \E g \in maps : Victim(g, f, o, o, FALSE)
PcDirty(f, o) ==
    \/ cache[f][o].st = "dirty"
    \/ Is("pagecache-writeback-mkclean") /\ \E g \in maps : Victim(g, f, o, o, TRUE)

PageWriteback(f, o) ==
    /\ PcDirty(f, o)
    /\ ~InvOver(f, o, o)
    /\ IF PcMkclean(f, o)
       THEN MkcleanInvalidate(f, o)
       ELSE /\ CanWb(f, o)
            /\ Apply(f, o, o, "writeback", 0)
            /\ UNCHANGED <<pend, inv, vflag>>
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

Writeback(f, o) == IF PageCache THEN PageWriteback(f, o) ELSE DaxMkclean(f, o)

Evict(f, o) ==
    /\ cache[f][o].st = "clean"
    /\ cache' = [cache EXCEPT ![f][o] = Absent]
    /\ UNCHANGED <<extent, data, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, rev, dtag>>

\* Defragmentation / migration of a page to another block.
Relocate(f, o) ==
    /\ ~inv[f].on
    /\ extent[f][o].k = "written" /\ ~Shared(extent[f][o].b)
    /\ cache[f][o].st # "dirty"
    /\ ~PinnedAt(f, o)
    /\ FreeBlocks # {}
    /\ Invalidate(f, o, o, "relocate", 0, FALSE)
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

\* FALLOC_FL_UNSHARE_RANGE: break the sharing of a reflinked page (COW).
\* (Kernel choice dax-fallocate-breaks-layouts: of an unshared page too, a no-op.)
\* Kernel choice pagecache-unshare-allocates: on a page-cache filesystem an
\* unshare of a page that shares nothing is an allocating fallocate
\* (xfs_falloc_unshare_range: xfs_reflink_unshare returns 0 for an inode without
\* the reflink flag, iomap_file_unshare copies nothing where
\* iomap_want_unshare_iter is false, xfs_break_layouts breaks nothing for a
\* non-DAX mapping; then xfs_alloc_file_space): a hole becomes unwritten, as
\* Fallocate's (ENOSPC without a free block), an allocated page stays as it is.
UnshareAllocates == Is("pagecache-unshare-allocates")
UnshareCause == IF FallocBreaks THEN "unshare" ELSE "cow"
Unshare(f, o) ==
    /\ ~inv[f].on
    /\ IF UnshareAllocates /\ ~SharedAt(f, o)
       THEN IF extent[f][o] = Hole
            THEN /\ FreeBlocks # {}
                 /\ Invalidate(f, o, o, "fallocate", 0, FALSE)
                 /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>
            ELSE UNCHANGED vars   \* nothing shared, nothing to allocate
       ELSE /\ \/ /\ SharedAt(f, o)
                  /\ cache[f][o].st # "dirty"
                  /\ FreeBlocks # {}
               \/ FallocBreaks /\ ~SharedAt(f, o)
            /\ Invalidate(f, o, o, UnshareCause, 0, FALSE)
            /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

\* An importer acknowledges an invalidation: its device TLB is flushed and
\* its DMA to the range has drained; its victim grants are gone.
\* Variant early-tlb-flush: the device acks after flushing its TLB only; its
\* page table keeps the translation until the invalidation ends.
InvAck(i, f) ==
    /\ inv[f].on
    /\ i \in inv[f].await
    /\ IF Is("early-tlb-flush")
       THEN UNCHANGED <<maps, bar>>
       ELSE LET gone == {g \in inv[f].victims \cap maps : g.i = i}
            IN /\ ~DmaOn(i, gone) \/ AcksWithDma(inv[f].cause)
               /\ ~RefHeld(i, f, inv[f].lo, inv[f].hi, inv[f].cause)
               /\ maps' = maps \ gone
               /\ bar' = bar - Pages(gone)
    /\ inv' = [inv EXCEPT ![f].await = @ \ {i}]
    /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, pend, dma, vflag, exp, rev, dtag>>

\* All acknowledgements are in: the filesystem proceeds.
\* Kernel choice dax-map-during-break-layouts: while truncate or punch waits
\* in xfs_break_layouts for the pages' references to drop, new device
\* mappings of the range are granted (mmu_interval_read_begin does not wait
\* for it); xfs_break_layouts loops until dax_layout_busy_page_range finds
\* no busy page, so the grants made during the wait are revoked in another
\* round, and the change itself (truncate_pagecache) moves the count again.
BreakLayouts(f) ==
    Is("dax-map-during-break-layouts") /\ inv[f].cause \in {"truncate", "punch"}
\* Once every importer has acked, a grant of the range still live was made
\* during the wait (a grant equal to a revoked one included).
Late(f) == {g \in maps : Victim(g, f, inv[f].lo, inv[f].hi, inv[f].wonly)}

InvEnd(f) ==
    /\ inv[f].on
    /\ inv[f].await = {}
    /\ IF BreakLayouts(f) /\ Late(f) # {}
       THEN /\ inv' = [inv EXCEPT ![f].await = {g.i : g \in Late(f)}, ![f].victims = Late(f)]
            /\ UNCHANGED <<extent, data, cache, lastw, vma, maps, bar, pend, vflag, dma, dtag>>
       ELSE /\ LET r == inv[f]
                   left == r.victims \cap maps   \* only in early-tlb-flush
               IN /\ IF r.done THEN UNCHANGED <<extent, data, cache, lastw, vma, dma, dtag>>
                               ELSE Apply(f, r.lo, r.hi, r.cause, r.arg)
                  /\ maps' = maps \ left
                  /\ bar' = bar - Pages(left)
                  /\ pend' = IF BreakLayouts(f) THEN Bumped(f, r.lo, r.hi) ELSE pend
            /\ inv' = [inv EXCEPT ![f] = Idle]
            /\ vflag' = IF Is("valid-flag") THEN [vflag EXCEPT ![f] = TRUE] ELSE vflag
    /\ UNCHANGED <<nextv, exp, rev>>

-----------------------------------------------------------------------------
(* Importers *)

\* The driver calls device_map for lo..hi of f only when the range is in the
\* vma, it holds no prepared map and no grant of the range, and (having
\* sampled the sequence count with mmu_interval_read_begin, which waits
\* while an invalidation of the range runs) no invalidation covers it.
\* (Kernel choice dax-map-during-break-layouts: the wait of break_layouts
\* does not hold new mappings back.)
\* Kernel choice dax-exclusive-faults-first (made with dax-writeback-mkclean,
\* Combines): an ATOMIC map is refused after its faults, not before.  The
\* mirror asks for device-exclusive access (make_device_exclusive_range, as
\* HMM_DMIRROR_EXCLUSIVE does), which takes the range's pages with a write
\* gup (FOLL_WRITE: each page write-faulted, dax_iomap_fault ->
\* dax_insert_entry tags its DAX entry dirty) and only then refuses a folio
\* that is not anonymous (folio_make_device_exclusive, mm/rmap.c): the
\* refusal no-atomic-route leaves the range tagged, so a later writeback
\* write-protects it and invalidates its mappings.  The proposal refuses
\* before any effect.  (A hole would get a block too; the refusal "hole"
\* comes first in Refusal, so only written pages get here.)
FaultsFirst(i, f, lo, hi, pin, w, at) ==
    /\ Is("dax-exclusive-faults-first")
    /\ at
    /\ Refusal(i, f, lo, hi, pin, w, at) = "no-atomic-route"
MapCalled(i, f, lo, hi) ==
    /\ <<lo, hi>> \in Ranges
    /\ f \in vma
    /\ ~HasPend(i)
    /\ ~\E g \in maps : g.i = i /\ g.f = f /\ Overlap(g, lo, hi)
    /\ ~InvOver(f, lo, hi) \/ Is("valid-flag") \/ BreakLayouts(f)

\* The refused ATOMIC map's faults (dax-exclusive-faults-first): the range
\* tagged dirty, nothing else; device_map answers no-atomic-route.
MapFaultsRefused(f, lo, hi) ==
    /\ dtag' = Tagged(f, lo..hi)
    /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, exp, rev>>

\* The fs and the block device grant the map; the driver holds the result
\* until it commits.
\* Kernel choice write-shared-cow-on-fault: the faults move the shared pages
\* to fresh blocks first, the data copied (once no other mapping of a moved
\* page is live); a prepared map of a moved page must retry.
MapGranted(i, f, lo, hi, pin, w, at) ==
    /\ Refusal(i, f, lo, hi, pin, w, at) = "none"
    /\ LET cow == CowOnFault(f, lo, hi, pin, w) /\ \E o \in lo..hi : SharedAt(f, o)
           e2 == IF cow THEN CowPages(extent, f, lo, hi) ELSE extent
           moved == {o \in lo..hi : e2[f][o].b # extent[f][o].b}
       IN /\ ~\E g \in maps, o \in moved : g.f = f /\ In(o, g)
          /\ extent' = e2
          /\ data' = IF cow
                     THEN [b \in Blocks |-> IF \E o \in moved : e2[f][o].b = b
                                           THEN data[extent[f][CHOOSE o \in moved : e2[f][o].b = b].b]
                                           ELSE data[b]]
                     ELSE data
          /\ pend' = {IF p.f = f /\ \E o \in moved : In(o, p) THEN [p EXCEPT !.retry = TRUE] ELSE p
                      : p \in pend}
                     \cup {[i |-> i, f |-> f, lo |-> lo, hi |-> hi,
                            bs |-> [k \in 1..(hi - lo + 1) |-> e2[f][lo + k - 1].b],
                            w |-> w, at |-> at, pin |-> pin, retry |-> FALSE]}
    /\ bar' = bar + (hi - lo + 1)
    /\ vflag' = IF Is("valid-flag") THEN [vflag EXCEPT ![f] = TRUE] ELSE vflag
    /\ dtag' = IF w THEN Tagged(f, lo..hi) ELSE dtag
    /\ UNCHANGED <<cache, lastw, nextv, vma, maps, dma, inv, exp, rev>>

\* device_map(vma, importer, &dma_buf, lo, hi, flags, pa[]): granted, or
\* refused with Refusal's reason (no step: nothing changes), or, under
\* dax-exclusive-faults-first, an ATOMIC map refused after its faults.
MapPrepare(i, f, lo, hi, pin, w, at) ==
    /\ MapCalled(i, f, lo, hi)
    /\ IF FaultsFirst(i, f, lo, hi, pin, w, at)
       THEN MapFaultsRefused(f, lo, hi)
       ELSE MapGranted(i, f, lo, hi, pin, w, at)

Grant(p) == [i |-> p.i, f |-> p.f, lo |-> p.lo, hi |-> p.hi, bs |-> p.bs,
             w |-> p.w, at |-> p.at, pin |-> p.pin]
Stale(p) == IF Is("valid-flag") THEN ~vflag[p.f] ELSE p.retry

\* Under the driver lock: mmu_interval_read_retry() is false, program the
\* device page table with the DMA addresses.
MapCommit(i) ==
    \E p \in pend :
        /\ p.i = i
        /\ ~Stale(p)
        /\ maps' = maps \cup {Grant(p)}
        /\ pend' = pend \ {p}
        /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, dma, inv, vflag, bar, exp, rev, dtag>>

\* The sequence count moved: drop the result, give the BAR pages back; the
\* driver retries device_map or falls back.
MapRetry(i) ==
    \E p \in pend :
        /\ p.i = i
        /\ Stale(p)
        /\ pend' = pend \ {p}
        /\ bar' = bar - Size(p)
        /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, maps, dma, inv, vflag, exp, rev, dtag>>

\* device_unmap(vma, importer, lo, hi, pa[]), after draining its DMA.
\* DmaBufRelease is the same for a pinned grant: the last dma_buf reference.
Unmap(i, g) ==
    /\ g \in maps /\ g.i = i
    /\ ~DmaOn(i, {g})
    /\ maps' = maps \ {g}
    /\ bar' = IF Is("unmap-keeps-bar") THEN bar ELSE bar - Size(g)
    /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, pend, dma, inv, vflag, exp, rev, dtag>>

\* A grant is named by its importer, file and first page (the grants of one
\* importer never overlap), so that TLC labels these steps with their names.
Named(g, i, f, lo) == g.i = i /\ g.f = f /\ g.lo = lo

DeviceUnmap(i, f, lo)   == \E g \in maps : Named(g, i, f, lo) /\ ~g.pin /\ Unmap(i, g)
DmaBufRelease(i, f, lo) == \E g \in maps : Named(g, i, f, lo) /\ g.pin /\ Unmap(i, g)

\* The device issues a DMA through a grant.  A device that has been told to
\* invalidate the grant (and not yet acked) or to give it back to a
\* departing exporter issues no new DMA through it.
\* Kernel choice dax-new-ref-extends-wait: a page reference taken while
\* truncate or punch waits in xfs_break_layouts (a new DMA through a mapping
\* being invalidated) is waited for too: dax_layout_busy_page_range finds the
\* page busy again, so the wait lasts until every new reference is dropped.
NewRefExtends(h) ==
    Is("dax-new-ref-extends-wait") /\ inv[h].cause \in {"truncate", "punch"}

DmaStart(i, f, lo, o, op) ==
  \E g \in maps :
    /\ Named(g, i, f, lo) /\ In(o, g)
    /\ ~HasDma(i)
    /\ exp # "gone"
    /\ ~(exp = "removing" /\ i \in rev)
    /\ ~\E h \in Files : inv[h].on /\ i \in inv[h].await /\ g \in inv[h].victims
                        /\ ~NewRefExtends(h)
    /\ op = "write" => g.w /\ nextv < MaxVal
    /\ dma' = dma \cup {[i |-> i, f |-> g.f, o |-> o, b |-> Blk(g, o), op |-> op,
                         v |-> IF op = "write" THEN nextv + 1 ELSE 0]}
    /\ nextv' = IF op = "write" THEN nextv + 1 ELSE nextv
    /\ UNCHANGED <<extent, data, cache, lastw, vma, maps, pend, inv, vflag, bar, exp, rev, dtag>>

DmaEnd(i) ==
    \E d \in dma :
        /\ d.i = i
        /\ dma' = dma \ {d}
        /\ IF d.op = "write"
           THEN /\ IF DropsBusy /\ d.b = 0
                   THEN UNCHANGED <<data, cache>>   \* its page left the file: the write is lost
                   ELSE IF MirrorsCache /\ ~PinnedAt(d.f, d.o)
                   THEN /\ cache' = [cache EXCEPT ![d.f][d.o] = [st |-> "dirty", v |-> d.v]]
                        /\ UNCHANGED data
                   ELSE /\ data' = [data EXCEPT ![d.b] = d.v]
                        /\ UNCHANGED cache
                /\ lastw' = [lastw EXCEPT ![d.f][d.o] = d.v]
           ELSE UNCHANGED <<data, cache, lastw>>
        /\ UNCHANGED <<extent, nextv, vma, maps, pend, inv, vflag, bar, exp, rev, dtag>>

\* The fallback path: the device faults page-cache pages (HMM / GUP).
DevFallbackRead(i, f, o) ==
    /\ f \in vma
    /\ ~\E g \in maps : g.i = i /\ g.f = f /\ In(o, g)
    /\ ReadPage(f, o)

DevFallbackWrite(i, f, o) ==
    /\ f \in vma
    /\ ~\E g \in maps : g.i = i /\ g.f = f /\ In(o, g) /\ g.w
    /\ WritePage(f, o, TRUE)

-----------------------------------------------------------------------------
(* The block device (exporter) *)

\* BAR reclaim: through its reverse map the exporter finds the file range of
\* a grant and has the filesystem invalidate it.
BarReclaim(i, f, lo) ==
  \E g \in maps :
    /\ Named(g, i, f, lo)
    /\ BdevCanInvalidate
    /\ exp = "up"
    /\ ~g.pin
    /\ ~inv[g.f].on
    /\ Invalidate(g.f, g.lo, g.hi, "reclaim", 0, FALSE)
    /\ UNCHANGED <<nextv, maps, dma, bar, exp, rev>>

\* Hot-unplug.  With BdevCanInvalidate the exporter revokes every grant,
\* pinned ones included (dma_buf revoke); without it, it can only wait for
\* the importers to unmap.  Prepared maps must retry.
UnplugStart ==
    /\ exp = "up"
    /\ IF Is("unplug-without-invalidate")
       THEN /\ exp' = "gone"
            /\ UNCHANGED <<pend, rev, bar>>
       ELSE /\ exp' = "removing"
            /\ rev' = IF BdevCanInvalidate THEN {g.i : g \in maps} ELSE {}
            /\ pend' = {[p EXCEPT !.retry = TRUE] : p \in pend}
            /\ UNCHANGED bar
    /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, maps, dma, inv, vflag, dtag>>

RevokeAck(i) ==
    /\ exp = "removing"
    /\ i \in rev
    /\ ~HasDma(i)
    /\ LET gone == {g \in maps : g.i = i}
       IN /\ maps' = maps \ gone
          /\ bar' = bar - Pages(gone)
    /\ rev' = rev \ {i}
    /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, pend, dma, inv, vflag, exp, dtag>>

UnplugEnd ==
    /\ exp = "removing"
    /\ rev = {} /\ maps = {} /\ pend = {} /\ dma = {}
    /\ exp' = "gone"
    /\ UNCHANGED <<extent, data, cache, lastw, nextv, vma, maps, pend, dma, inv, vflag, bar, rev, dtag>>

-----------------------------------------------------------------------------
Flags == BOOLEAN \X BOOLEAN \X BOOLEAN   \* <<PIN, WRITE, ATOMIC>>

Next ==
    \/ \E f \in Files :
        \/ Mmap(f) \/ Munmap(f)
        \/ \E n \in 0..(NOff - 1) : Truncate(f, n)
        \/ \E r \in Ranges : PunchHole(f, r[1], r[2])
        \/ \E o \in Offsets :
            \/ CpuWrite(f, o) \/ CpuRead(f, o) \/ Fallocate(f, o)
            \/ Writeback(f, o) \/ Evict(f, o) \/ Relocate(f, o) \/ Unshare(f, o)
            \/ \E p \in Offsets : Reflink(f, o, p)
        \/ InvEnd(f)
    \/ \E i \in Importers :
        \/ \E f \in Files :
            \/ InvAck(i, f)
            \/ \E r \in Ranges, fl \in Flags : MapPrepare(i, f, r[1], r[2], fl[1], fl[2], fl[3])
            \/ \E o \in Offsets : DevFallbackRead(i, f, o) \/ DevFallbackWrite(i, f, o)
        \/ MapCommit(i) \/ MapRetry(i)
        \/ \E f \in Files, lo \in Offsets :
            \/ DeviceUnmap(i, f, lo) \/ DmaBufRelease(i, f, lo) \/ BarReclaim(i, f, lo)
            \/ \E o \in Offsets, op \in {"read", "write"} : DmaStart(i, f, lo, o, op)
        \/ DmaEnd(i)
        \/ RevokeAck(i)
    \/ UnplugStart \/ UnplugEnd

Spec == Init /\ [][Next]_vars

\* Fairness: the system's own steps (acknowledgements, DMA completion, the
\* filesystem finishing an invalidation, drivers resolving a prepared map,
\* the exporter finishing removal) are weakly fair.  Program actions and
\* voluntary unmaps are not: a program may never munmap, a pin holder may
\* never release its dma_buf.
FairSpec ==
    /\ Spec
    /\ \A i \in Importers :
        /\ WF_vars(DmaEnd(i))
        /\ WF_vars(MapCommit(i)) /\ WF_vars(MapRetry(i))
        /\ WF_vars(RevokeAck(i))
        /\ \A f \in Files : WF_vars(InvAck(i, f))
    /\ \A f \in Files : WF_vars(InvEnd(f))
    /\ WF_vars(UnplugEnd)

-----------------------------------------------------------------------------
(* Safety properties (PROTOCOL.md S1-S17) *)

\* S1: every live mapping and every DMA in flight points at a block still
\* allocated to the same (file, offset).
S1_NoStaleBlock ==
    /\ \A g \in maps : \A o \in g.lo..g.hi :
          Blk(g, o) # 0 /\ extent[g.f][o].b = Blk(g, o)
    /\ \A d \in dma : d.b # 0 /\ extent[d.f][d.o].b = d.b

\* S2 (a property of steps): the extent map of (f, o) changes only when no
\* live mapping or DMA in flight covers (f, o) once the step is taken.
LayoutSafe ==
    \A f \in Files, o \in Offsets :
        extent'[f][o] # extent[f][o] =>
            /\ ~\E g \in maps' : g.f = f /\ In(o, g)
            /\ ~\E d \in dma' : d.f = f /\ d.o = o
S2_InvalidateBeforeLayoutChange == [][LayoutSafe]_vars

\* S3: while an invalidation of a range runs, no mapping of the range other
\* than those it is revoking is live.
S3_NoEstablishDuringInvalidate ==
    \A f \in Files : inv[f].on =>
        \A g \in maps : Victim(g, f, inv[f].lo, inv[f].hi, inv[f].wonly) => g \in inv[f].victims

\* S4: the filesystem proceeds only when every importer has acknowledged.
S4_AckBeforeProceed ==
    \A f \in Files : inv[f].on /\ inv[f].done => inv[f].await = {}

\* S5: a device-writable mapping and a page-cache copy never coexist, and
\* every reader (CPU through the cache or the disk, a device through its
\* mapping) sees the last write.
S5_CacheExclusion ==
    /\ \A g \in maps : g.w => \A o \in g.lo..g.hi : cache[g.f][o].st = "absent"
    /\ \A f \in Files, o \in Offsets : Visible(f, o) = lastw[f][o]
    /\ \A g \in maps : \A o \in g.lo..g.hi : DevVal(g.f, o, Blk(g, o)) = lastw[g.f][o]

\* S6: a clean page equals its block: nobody wrote it without dirtying it.
S6_WritebackCoherence ==
    \A f \in Files, o \in Offsets :
        cache[f][o].st = "clean" => cache[f][o].v = DiskVal(f, o)

\* S7: the blocks of a pinned grant do not change while the pin lasts.
S7_PinFreeze ==
    \A g \in maps : g.pin =>
        \A o \in g.lo..g.hi : extent[g.f][o] = [k |-> "written", b |-> Blk(g, o)]

\* S8: nothing of a departed exporter is mapped, prepared or in flight.
S8_ExporterLifetime ==
    exp = "gone" => maps = {} /\ pend = {} /\ dma = {}

\* S9: BAR use never exceeds capacity and never falls below what is held.
S9_BarAccounting == bar <= BarSize /\ bar >= Held

\* S10: a grant matches the capabilities of the path (P2P route, atomics,
\* writable peer mappings, pin support) and, when it is decided, WRITE (and
\* PIN) imply allocated, written, unshared blocks.  A prepared map whose
\* sequence count moved (retry) is re-decided, not checked.
S10_Capability ==
    /\ \A g \in maps \cup {Grant(p) : p \in pend} :
        /\ g.i \in Route
        /\ g.at => g.i \in AtomicRoute
        /\ g.w => g.i \in WriteOK
        /\ g.pin => PinSupport
    /\ \A p \in pend : (p.w \/ p.pin) /\ ~p.retry =>
        \A o \in p.lo..p.hi : /\ extent[p.f][o].k = "written"
                             /\ extent[p.f][o].b = Blk(p, o)
                             /\ ~Shared(Blk(p, o))

\* S11 (a property of steps): a pinned grant survives munmap and every
\* invalidation; it ends only by its dma_buf's release (the grant alone goes,
\* no invalidation moves) or by the exporter's revoke during removal.
PinEnds ==
    \A g \in maps : g.pin /\ g \notin maps' =>
        \/ maps' = maps \ {g} /\ inv' = inv /\ vma' = vma
        \/ exp = "removing" /\ g.i \in rev /\ g.i \notin rev'
S11_PinLifetime == [][PinEnds]_vars

\* S12 (a property of steps): a step that only takes grants away (unmap,
\* dma_buf release, acknowledged invalidation, revoke) gives their BAR pages
\* back, exactly.
BarReturned ==
    maps' \subseteq maps /\ pend' = pend => bar - bar' = Pages(maps) - Pages(maps')
S12_BarReturnedOnUnmap == [][BarReturned]_vars

\* S13 (a property of steps): every read returns the last write: a page read
\* into the page cache, and a device read through a grant when it completes.
ReadsLast ==
    /\ \A f \in Files, o \in Offsets :
          cache[f][o].st = "absent" /\ cache'[f][o].st = "clean" => cache'[f][o].v = lastw[f][o]
    /\ \A d \in dma \ dma' : d.op = "read" => d.b \in Blocks /\ DevVal(d.f, d.o, d.b) = lastw[d.f][d.o]
S13_ReadsLastWrite == [][ReadsLast]_vars

\* S14: device_map answers with the first reason, in the protocol's order,
\* whose condition holds (each stated here on its own), and grants only when
\* none holds.  Variants that remove a refusal break it.
Applies(r, i, f, lo, hi, pin, w, at) ==
    CASE r = "hole"              -> \E o \in lo..hi : extent[f][o].k # "written"
      [] r = "cached"            -> \E o \in lo..hi : cache[f][o].st # "absent"
      [] r = "shared"            -> (w \/ pin) /\ \E o \in lo..hi : Shared(extent[f][o].b)
      [] r = "pin-unsupported"   -> pin /\ ~PinSupport
      [] r = "exporter-gone"     -> exp # "up"
      [] r = "no-route"          -> i \notin Route
      [] r = "no-atomic-route"   -> at /\ i \notin AtomicRoute
      [] r = "write-not-allowed" -> w /\ i \notin WriteOK
      [] r = "bar-full"          -> bar + (hi - lo + 1) > BarSize
\* The first reason, in the protocol's order, whose condition holds ("none":
\* none holds).  (S14 compares Refusal with it: TLC evaluates the conditions
\* only up to the first that holds.)
FirstReason(i, f, lo, hi, pin, w, at) ==
    LET Ap(r) == Applies(r, i, f, lo, hi, pin, w, at)
    IN CASE Ap("hole")              -> "hole"
         [] Ap("cached")            -> "cached"
         [] Ap("shared")            -> "shared"
         [] Ap("pin-unsupported")   -> "pin-unsupported"
         [] Ap("exporter-gone")     -> "exporter-gone"
         [] Ap("no-route")          -> "no-route"
         [] Ap("no-atomic-route")   -> "no-atomic-route"
         [] Ap("write-not-allowed") -> "write-not-allowed"
         [] Ap("bar-full")          -> "bar-full"
         [] OTHER                   -> "none"
S14_RefusalOrder ==
    \A i \in Importers, f \in Files, r \in Ranges, fl \in Flags :
        Refusal(i, f, r[1], r[2], fl[1], fl[2], fl[3]) = FirstReason(i, f, r[1], r[2], fl[1], fl[2], fl[3])

\* S15 (a property of steps): an invalidation that runs keeps its range, cause,
\* argument and victim rule until it ends: one invalidation of a file at a time
\* (the file's invalidate_lock; a second one started while it runs would
\* replace it, and the change the first protects would be lost).
InvKept ==
    \A f \in Files : inv[f].on /\ inv'[f].on =>
        /\ inv'[f].lo = inv[f].lo /\ inv'[f].hi = inv[f].hi
        /\ inv'[f].cause = inv[f].cause /\ inv'[f].arg = inv[f].arg
        /\ inv'[f].wonly = inv[f].wonly
S15_InvalidationKept == [][InvKept]_vars

\* S16: a grant that is not pinned lives only while its file is mmapped
\* (device_map needs the vma; munmap takes every unpinned grant back).
S16_GrantNeedsVma == \A g \in maps : ~g.pin => g.f \in vma

\* S17 (of the steps a state allows): a program call's change, once applied,
\* is there for the program to see: the pages a truncate or punch covered read
\* as holes (no block, nothing cached); a fallocate of a hole, with a block
\* free, leaves an unwritten extent on a block that was free; a relocate, a
\* COW or an unshare of a shared page, with a block free, moves the page to a
\* block that was free (same kind); a reflink's target has the source's
\* extent; a munmap's file is no longer mmapped.  CallEffect(f, lo, hi, cause,
\* arg) says so of the step that applies the change (Apply's arguments).
CallEffect(f, lo, hi, cause, arg) ==
    CASE cause \in {"truncate", "punch"} ->
             \A o \in lo..hi : extent'[f][o] = Hole /\ cache'[f][o] = Absent
      [] cause = "fallocate" ->
             extent[f][lo] = Hole /\ FreeBlocks # {} =>
                 extent'[f][lo].k = "unwritten" /\ extent'[f][lo].b \in FreeBlocks
      [] cause \in {"relocate", "cow"} \/ (cause = "unshare" /\ SharedAt(f, lo)) ->
             FreeBlocks # {} =>
                 extent'[f][lo].k = extent[f][lo].k /\ extent'[f][lo].b \in FreeBlocks
      [] cause = "reflink" -> extent'[f][arg] = extent[f][lo]
      [] cause = "munmap" -> f \notin vma'
      [] OTHER -> TRUE
\* The change applies in the call's own step when it invalidates nobody (no
\* invalidation of f is left running; variant no-ack-wait: one marked done),
\* else in the step that ends the invalidation (InvEnd, not done before).
AtOnce(f)   == ~inv'[f].on \/ inv'[f].done
Applied(f)  == inv[f].on /\ ~inv[f].done /\ ~inv'[f].on
\* The cause of an unshare (pagecache-unshare-allocates: an allocating
\* fallocate of a page that shares nothing).
UnshareApplies(f, o) ==
    IF UnshareAllocates /\ ~SharedAt(f, o) THEN "fallocate" ELSE UnshareCause
\* Written with ENABLED, over every step of the call the state allows: a call
\* whose change is lost while it invalidates nobody is a step that changes
\* nothing (a stuttering step), which no property [][A]_vars can see.  (Every
\* call needs ~inv[f].on and InvEnd(f) needs inv[f].on: the IF only spares TLC
\* the steps that cannot be.)
S17_CallsTakeEffect ==
    \A f \in Files :
        IF inv[f].on
        THEN ~ENABLED (InvEnd(f) /\ Applied(f)
                       /\ ~CallEffect(f, inv[f].lo, inv[f].hi, inv[f].cause, inv[f].arg))
        ELSE /\ ~ENABLED (Munmap(f) /\ AtOnce(f) /\ ~CallEffect(f, 1, NOff, "munmap", 0))
             /\ \A n \in 0..(NOff - 1) :
                    ~ENABLED (Truncate(f, n) /\ AtOnce(f) /\ ~CallEffect(f, n + 1, NOff, "truncate", 0))
             /\ \A r \in Ranges :
                    ~ENABLED (PunchHole(f, r[1], r[2]) /\ AtOnce(f) /\ ~CallEffect(f, r[1], r[2], "punch", 0))
             /\ \A o \in Offsets :
                    /\ ~ENABLED (Fallocate(f, o) /\ AtOnce(f) /\ ~CallEffect(f, o, o, "fallocate", 0))
                    /\ ~ENABLED (Relocate(f, o) /\ AtOnce(f) /\ ~CallEffect(f, o, o, "relocate", 0))
                    /\ ~ENABLED (Unshare(f, o) /\ AtOnce(f) /\ ~CallEffect(f, o, o, UnshareApplies(f, o), 0))
                    /\ \A p \in Offsets :
                           ~ENABLED (Reflink(f, o, p) /\ AtOnce(f) /\ ~CallEffect(f, o, o, "reflink", p))

\* S18 (of the steps a state allows): a refused device_map leaves nothing
\* behind: where Refusal gives a reason, no MapPrepare step of that call
\* changes a variable (no BAR page taken, no page faulted, allocated or
\* dirtied for it, no prepared map).  As S17, an invariant over ENABLED: a
\* step that changed nothing would be stuttering, which [][A]_vars accepts.
S18_RefusalHasNoEffect ==
    \A i \in Importers, f \in Files, r \in Ranges, fl \in Flags :
        Refusal(i, f, r[1], r[2], fl[1], fl[2], fl[3]) # "none" =>
            ~ENABLED (MapPrepare(i, f, r[1], r[2], fl[1], fl[2], fl[3]) /\ vars' # vars)

-----------------------------------------------------------------------------
(* Witnesses of today's kernel's choices (models.json "choices", "witness").
   A kernel choice that breaks no property is told from the protocol only by
   what it does; its witness is a property of steps that holds until the
   choice's own behaviour happens.  Every CI model (Variant = "none") keeps
   each witness; the choice's check violates its witnesses, in the counterexample
   length models.json records: so TLC shows that the choice is reachable and
   that the protocol alone never does it.  clone-hole has none: a reflink of a
   hole changes no variable (a stuttering step), only the call's answer (it
   succeeds) tells it, which the harness checks. *)
\* New grants, invalidations starting (not a running one's second round).
NewPend(p)   == p \in pend' \ pend /\ ~p.retry
Starts(f, c) == ~inv[f].on /\ inv'[f].on /\ inv'[f].cause \in c
OutsideVictim(f) == \E g \in inv'[f].victims : ~Overlap(g, inv'[f].lo, inv'[f].hi)
\* dax-punch-whole-file: a punch's invalidation takes a grant outside the range.
W_PunchUnmapsFile == [][~\E f \in Files : Starts(f, {"punch"}) /\ OutsideVictim(f)]_vars
\* write-shared-cow-on-fault: a WRITE map is prepared over a page that was shared.
W_WriteMapsShared ==
    [][~\E p \in pend' : NewPend(p) /\ p.w /\ \E o \in p.lo..p.hi : SharedAt(p.f, o)]_vars
\* dax-writeback-mkclean: writeback without a page cache invalidates a mapping.
W_DaxWritebackUnmaps == [][~\E f \in Files : ~PageCache /\ Starts(f, {"writeback"})]_vars
\* dax-munmap-acks-with-dma: munmap's invalidation is acked while a DMA runs
\* through the acking importer's grant.
W_MunmapAcksWithDma ==
    [][~\E f \in Files, i \in Importers :
           /\ inv[f].on /\ inv[f].cause = "munmap" /\ i \in inv[f].await \ inv'[f].await
           /\ DmaOn(i, {g \in inv[f].victims \cap maps : g.i = i})]_vars
\* dax-munmap-acks-with-dma: a layout change waits for an importer that holds
\* no grant it takes (the page reference of the importer's DMA).
W_WaitsForPageRef ==
    [][~\E f \in Files : \E i \in inv'[f].await : ~\E g \in inv'[f].victims : g.i = i]_vars
\* dax-fallocate-breaks-layouts: a fallocate of an allocated page, an unshare of
\* a page that shares nothing (calls with nothing to do) invalidate a mapping,
\* and any fallocate or unshare takes a grant outside its page (the file's).
W_FallocateUnmaps ==
    [][~\E f \in Files : Starts(f, {"fallocate"}) /\ extent[f][inv'[f].lo] # Hole]_vars
W_UnshareUnmaps ==
    [][~\E f \in Files : Starts(f, {"unshare"}) /\ ~SharedAt(f, inv'[f].lo)]_vars
W_FallocateUnmapsFile ==
    [][~\E f \in Files : Starts(f, {"fallocate", "unshare"}) /\ OutsideVictim(f)]_vars
\* reflink-unmaps-source: a reflink's invalidation takes a read-only grant.
W_ReflinkUnmapsReadOnly ==
    [][~\E f \in Files : Starts(f, {"reflink"}) /\ \E g \in inv'[f].victims : ~g.w]_vars
\* pagecache-unshare-allocates, pagecache-fallocate-keeps-cache: a page over a
\* hole that is cached gets an unwritten extent.
W_CachedHoleAllocated ==
    [][~\E f \in Files, o \in Offsets :
           extent[f][o] = Hole /\ cache[f][o] # Absent /\ extent'[f][o].k = "unwritten"]_vars

(* Liveness properties (PROTOCOL.md L1-L6), under FairSpec.  Each says "whenever
   P holds, eventually it does not" (P ~> ~P), which is []<>~P, and is written so:
   TLC checks properties of the form []<>Q together, in one search of the state
   graph and without a tableau (written with ~>, each took a tableau search of
   its own: on ci, 6 searches, and the liveness part of the run 3x its safety
   part). *)
\* L1: every invalidation ends (inv[f].on ~> ~inv[f].on).
L1_InvalidationEnds == \A f \in Files : []<>~inv[f].on
\* L2: every DMA completes (HasDma(i) ~> ~HasDma(i)).
L2_AccessCompletes  == \A i \in Importers : []<>~HasDma(i)
\* L3: every prepared map is committed or retried (HasPend(i) ~> ~HasPend(i)).
L3_RetryTerminates  == \A i \in Importers : []<>~HasPend(i)
\* L4: truncate and punch cannot be starved by new maps: once their
\* invalidation starts, new maps of the range wait for it (read_begin) and it
\* ends (an invalidation's cause does not change while it runs).
TruncRunning(f) == inv[f].on /\ inv[f].cause \in {"truncate", "punch"}
L4_TruncateNotStarved == \A f \in Files : []<>~TruncRunning(f)
\* L5: a removal finishes (the exporter leaves "removing" only for "gone").
L5_UnplugFinishes   == []<>(exp # "removing")
\* L6: BAR pages accounted beyond what is held are given back
\* (bar > Held ~> bar <= Held; with S9, bar = Held).
L6_UnmapReturnsBar  == []<>(bar <= Held)
=============================================================================
