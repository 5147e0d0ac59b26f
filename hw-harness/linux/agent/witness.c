// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: which protocol requirements each self-test stands for, with its evidence class, and
 * why the others cannot be shown here: one table for the hello and the KTAP.
 */
#include "agent.h"

/*
 * Evidence classes: kernel-decided = the kernel made the decision or the ordering the
 * requirement is about (observed during the wait where it is about order); post-syscall =
 * the state after a synchronous call is consistent with it (nothing about order);
 * agent-decided = the agent's own logic.  A test with no requirement says so ("").
 */
static const struct witness WITNESSES[] = {
	{ "hmm.mirror_faults_then_serves", "post-syscall", "L2",
	  "a device access through the mirror faults the page once (faults=1), then completes from the mirror (faults=0)" },
	{ "hmm.truncate_invalidates_mirror", "post-syscall", "S1 S2 L1",
	  "after truncate returned, the mirror had no entry: the next device READ failed (EFAULT) instead of reading the freed page" },
	{ "hmm.punch_invalidates_only_punched_page", "post-syscall", "S1 S2",
	  "after punch returned, a device READ of the punched page faulted again (the mirror's own fault count), the pages either side did not (page 3: the test driver's fix, patches/0001)" },
	{ "hmm.device_and_cpu_writes_coherent", "post-syscall", "S5",
	  "device and CPU writes see each other; coherent because there is one copy (the shmem page): nothing about cache exclusion" },
	{ "hmm.device_exclusive_atomic", "kernel-decided", "S10",
	  "the kernel grants or refuses device-exclusive (atomic) access itself (make_device_exclusive_range: EBUSY for shmem pages), never a silent downgrade" },
	{ "udmabuf.pin_survives_munmap_punch_diverges", "agent-decided", "S7",
	  "the shrink refusal (EPERM) is F_SEAL_SHRINK, which the agent sets because udmabuf requires it; the pin itself refuses nothing: punch hole of the pinned page went through and the dma-buf kept the old page while the file reads 0 (the opposite of S7)" },
	{ "p2pmem.bar_accounting_and_exhaustion", "kernel-decided", "S9 L6",
	  "the p2pmem genalloc refuses an allocation beyond the CMB (ENOMEM) with nothing left behind; freeing returns the space" },
	{ "p2pmem.nvme_cmb_o_direct_data_path", "", "",
	  "data-path integrity: O_DIRECT moves correct data NVMe -> CMB BAR and back (a real peer-to-peer DMA); no requirement" },
	{ "dax.pfn_is_fiemap_block", "", "",
	  "direct block mapping: the page the CPU and the mirror map is the block (pagemap pfn = pmem base + FIEMAP block)" },
	{ "dax.truncate_waits_for_page_reference", "kernel-decided", "S4 L1 L4",
	  "truncate waited in break_layouts (observed during the wait: still not returned after 1 s) while a page reference (DMA in flight) was held; it finished once the reference was dropped" },
	{ "dax.map_granted_during_break_layouts", "", "",
	  "protocol choice dax-map-during-break-layouts: while truncate waits, a new device mapping of the range is granted" },
	{ "dax.new_ref_extends_wait", "", "",
	  "protocol choice dax-new-ref-extends-wait: a page reference taken during the wait extends it" },
	{ "dax.punch_invalidates_whole_file", "post-syscall", "S1 S2",
	  "after punch returned, the mirror had dropped the punched page (and, protocol choice dax-punch-whole-file, the other pages of the file)" },
	{ "dax.refused_exclusive_faults_first", "", "",
	  "protocol choice dax-exclusive-faults-first: a refused ATOMIC map has write-faulted its page first (make_device_exclusive_range: FOLL_WRITE gup, then the refusal): a written page a dirty DAX entry that writeback write-protects (modelled), a hole a block (not modelled: the model refuses a hole first)" },
	{ "dax.longterm_pin_refused", "kernel-decided", "S10",
	  "the kernel refuses a FOLL_LONGTERM pin of fs-dax pages (mm/gup.c check_vma_flags: EOPNOTSUPP): pin-unsupported" },
	{ "fs.shared_write_cow_on_fault", "", "",
	  "protocol choice write-shared-cow-on-fault: a device WRITE over a reflinked block is granted and the block is copied" },
	{ "pagecache.writeback_write_protects_mirror", "kernel-decided", "S6",
	  "a device write left the page dirty (FIEMAP: no block yet or old data on disk); writeback wrote it and the kernel dropped the mirror (the next device WRITE faulted), so a later write dirties the page again" },
	{ "pagecache.write_pin_refused", "kernel-decided", "S10",
	  "the kernel refuses a FOLL_LONGTERM|FOLL_WRITE pin of page-cache file pages (EFAULT): pin-unsupported" },
	{ "pagecache.read_pin_ignores_truncate", "", "",
	  "protocol choice read-pin-ignores-truncate: a read long-term pin is granted and truncate does not wait for it" },
	{ "pci.remove_with_live_p2pmem_mapping", "kernel-decided", "S8 L5",
	  "the kernel's removal revoked every live BAR mapping (SIGBUS) and finished; none survives" },
};

static const struct { const char *req, *why; } CANNOT_WITNESS[] = {
	{ "S3", "the mirror's read_begin/read_retry runs inside one ioctl: userspace cannot interleave a prepared map with an invalidation (fs-dax grants a map during break_layouts: dax-map-during-break-layouts)" },
	{ "S4", "memfd: the notifier callback returning is the acknowledgement and nothing waits for a page reference; the fs-dax device shows the wait" },
	{ "S6", "the stand-in files are memfds (shmem): no block writeback to check; the page-cache fs device shows it" },
	{ "S7", "no kernel facility freezes the blocks of a pinned range: udmabuf's shrink refusal is the seal's, punch goes through" },
	{ "L3", "no prepare/commit split: test_hmm faults and maps in one step" },
};

const struct witness *witness_of(const char *test)
{
	for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]); i++)
		if (!strcmp(WITNESSES[i].test, test))
			return &WITNESSES[i];
	return NULL;
}

/* which requirements this kernel can witness (by self-test) and which it cannot (informative) */
/* why a self-test cannot run on this kernel/host (NULL: it can), from the facilities found */
const char *witness_unavailable(const char *test)
{
	if (!strncmp(test, "hmm.", 4))
		return g.have_hmm ? NULL : "no HMM test driver";
	if (!strncmp(test, "udmabuf.", 8))
		return g.have_udmabuf ? NULL : "no /dev/udmabuf";
	if (!strcmp(test, "p2pmem.bar_accounting_and_exhaustion"))
		return g.have_p2p ? NULL : "no P2PDMA provider (--pci)";
	if (!strcmp(test, "p2pmem.nvme_cmb_o_direct_data_path"))
		return g.have_p2p && g.have_nvme ? NULL : "no --nvme or no P2PDMA provider";
	if (!strcmp(test, "pci.remove_with_live_p2pmem_mapping"))
		return !g.have_p2p || !g.allow_unplug ? "needs --pci and --allow-unplug"
		       : fs_on() && !fs_dax() ? "the page-cache filesystem lives on the exporter's controller" : NULL;
	if (!strncmp(test, "dax.", 4))
		return fs_dax() ? (g.have_hmm ? NULL : "no HMM test driver") : "not an fs-dax device (--fs dax)";
	if (!strncmp(test, "pagecache.", 10))
		return fs_on() && !fs_dax() ? (g.have_hmm ? NULL : "no HMM test driver")
					    : "not a page-cache filesystem device (--fs pagecache)";
	if (!strncmp(test, "protocol.fs_", 12))
		return fs_on() ? NULL : "memfds: no layout changes to probe, DMA ends with its start (--fs)";
	if (!strcmp(test, "fs.shared_write_cow_on_fault"))
		return fs_on() ? (g.have_hmm ? NULL : "no HMM test driver") : "memfds have no reflink (--fs)";
	return NULL;
}

/* is requirement id (e.g. "S1") one of the space-separated ids in reqs? */
static int req_listed(const char *reqs, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = reqs; (p = strstr(p, id)); p += n)
		if ((p == reqs || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
	return 0;
}

/* can some self-test that runs here witness id? */
static int witnessed_here(const char *id)
{
	for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]); i++)
		if (WITNESSES[i].reqs[0] && !witness_unavailable(WITNESSES[i].test) &&
		    req_listed(WITNESSES[i].reqs, id))
			return 1;
	return 0;
}

/*
 * Calls emit(id, why, ctx) for every requirement no self-test that runs here covers, with the
 * reason (none in today's kernel, or a facility missing here).  Hello and self-test share it.
 */
void cannot_witness_each(void (*emit)(const char *id, const char *why, void *ctx), void *ctx)
{
	static const char *const IDS[] = { "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10",
					   "L1", "L2", "L3", "L4", "L5", "L6" };
	char why[256];

	for (size_t r = 0; r < sizeof(IDS) / sizeof(IDS[0]); r++) {
		const char *reason = NULL;

		if (witnessed_here(IDS[r]))
			continue;
		for (size_t i = 0; i < sizeof(CANNOT_WITNESS) / sizeof(CANNOT_WITNESS[0]) && !reason; i++)
			if (!strcmp(CANNOT_WITNESS[i].req, IDS[r]))
				reason = CANNOT_WITNESS[i].why;
		for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]) && !reason; i++)
			if (WITNESSES[i].reqs[0] && req_listed(WITNESSES[i].reqs, IDS[r])) {
				snprintf(why, sizeof(why), "self-test %s cannot run here: %s", WITNESSES[i].test,
					 witness_unavailable(WITNESSES[i].test));
				reason = why;
			}
		if (reason)
			emit(IDS[r], reason, ctx);
	}
}

struct claim_ctx {
	struct out *o;
	int k;
};

static void emit_claim(const char *id, const char *why, void *ctx)
{
	struct claim_ctx *c = ctx;

	add_claim(c->o, &c->k, id, why);
}

void emit_ktap_cannot(const char *id, const char *why, void *ctx)
{
	printf("# cannot-witness %s: %s\n", id, why);
}

/* the handshake's claim: the self-tests that can run here and what each stands for; the rest, why not */
void hello_witness(struct out *o)
{
	struct claim_ctx c = { o, 0 };
	int k = 0;

	oputs(o, ",\"witness\":{");
	for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]); i++)
		if (!witness_unavailable(WITNESSES[i].test) && WITNESSES[i].reqs[0]) {
			char v[128];

			snprintf(v, sizeof(v), "%s %s", WITNESSES[i].cls, WITNESSES[i].reqs);
			add_claim(o, &k, WITNESSES[i].test, v);
		}
	oputs(o, "},\"cannot_witness\":{");
	cannot_witness_each(emit_claim, &c);
	oputs(o, "}");
}
