// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: protocol v1 on stdin/stdout: replies, hello and reset, the operation table AGENT_OPS
 * (op name -> handler on the memfd device and on a filesystem device), the request loop.
 */
#include <sys/statvfs.h>

#include "agent.h"

void reply_begin(struct out *o, long long id)
{
	o->n = 0;
	o->buf[0] = 0;
	oprintf(o, "{\"id\":%lld,\"ok\":true", id);
}

/* closes an answer: "bar" when observed, then the events that happened after it (or NULL) */
void reply_end(struct out *o, const char *events)
{
	static char ev[LINE_MAX_LEN / 2];
	long long bar = bar_in_use();

	snprintf(ev, sizeof(ev), "%s", events ? events : "");
	if (fs_on())	/* layout changes the kernel let proceed since: inv_end events */
		lop_collect(ev, sizeof(ev));
	if (g.reply_by_kernel && !strstr(o->buf, "\"by\":"))
		oputs(o, ",\"by\":\"kernel\"");
	g.reply_by_kernel = 0;
	if (bar >= 0)
		oprintf(o, ",\"bar\":%lld", bar);
	if (ev[0]) {
		oputs(o, ",\"events\":[");
		oputs(o, ev);
		oputs(o, "]");
	}
	oputs(o, "}");
	emit(o);
}

void reply_done(long long id)
{
	struct out o;

	reply_begin(&o, id);
	oputs(&o, ",\"result\":\"done\"");
	reply_end(&o, NULL);
}

void reply_err(long long id, int e, const char *fmt, ...)
{
	struct out o = { .n = 0 };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oprintf(&o, "{\"id\":%lld,\"ok\":false,\"errno\":\"%s\",\"message\":", id, errname(e));
	oquote(&o, msg);
	reply_end(&o, NULL);
	diag("id %lld: %s: %s", id, errname(e), msg);
}

void reply_refused(long long id, const char *reason, const char *why)
{
	struct out o;

	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"refused\",\"reason\":\"%s\",\"message\":", reason);
	oquote(&o, why);
	reply_end(&o, NULL);
	diag("id %lld: refused %s: %s", id, reason, why);
}

/* EBUSY: a pin is in the way (the kernel said why in errno) */
void reply_busy(long long id, int e, const char *why)
{
	struct out o;

	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"busy\",\"errno\":\"%s\",\"message\":", errname(e));
	oquote(&o, why);
	reply_end(&o, NULL);
	diag("id %lld: busy: %s", id, why);
}

void reply_value(long long id, long long v, const char *path)
{
	struct out o;

	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"value\",\"value\":%lld,\"path\":\"%s\"", v, path);
	reply_end(&o, NULL);
}

/*
 * The answer to an operation that may invalidate.  Nothing cleared: "done", "notified":[].
 * Entries cleared: the syscall went through the mmu_interval_notifier callbacks, which
 * returned (the importer's ack) before it went on; the agent sees this only after the
 * syscall returned, so it answers "started" (the change waits for the acks of "notified")
 * followed by the ack of each importer and the fs proceeding (inv_end) as events.
 * extra: more fields of the answer (e.g. ",\"value\":3"), or "".
 */
void reply_inv_acks(long long id, const struct invlist *inv, const struct invlist *acked,
			   const char *extra)
{
	struct out o;
	static char ev[LINE_MAX_LEN];
	size_t n = 0;
	int seen_imp[MAX_IMPS] = { 0 }, seen_file[MAX_FILES] = { 0 }, k = 0;

	ev[0] = 0;
	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"%s\"%s,\"notified\":[", inv->n ? "started" : "done", extra);
	for (int i = 0; i < inv->n; i++) {
		if (seen_imp[inv->imp[i]]++)
			continue;
		oputs(&o, k++ ? "," : "");
		oquote(&o, g.imps[inv->imp[i]]);
	}
	oputs(&o, "]");
	for (int i = 0; i < acked->n; i++) {	/* one ack per importer and file */
		int dup = 0;

		for (int j = 0; j < i; j++)
			dup |= acked->imp[j] == acked->imp[i] && acked->file[j] == acked->file[i];
		if (dup)
			continue;
		n += snprintf(ev + n, sizeof(ev) - n, "%s{\"event\":\"ack\",\"imp\":\"%s\",\"file\":\"%s\"}",
			      n ? "," : "", g.imps[acked->imp[i]], g.files[acked->file[i]].name);
		if (n >= sizeof(ev))
			n = sizeof(ev) - 1;
	}
	for (int i = 0; i < inv->n; i++) {
		if (seen_file[inv->file[i]]++)
			continue;
		n += snprintf(ev + n, sizeof(ev) - n, "%s{\"event\":\"inv_end\",\"file\":\"%s\"}",
			      n ? "," : "", g.files[inv->file[i]].name);
		if (n >= sizeof(ev))
			n = sizeof(ev) - 1;
	}
	reply_end(&o, ev);
}

void reply_inv(long long id, const struct invlist *inv, const char *extra)
{
	reply_inv_acks(id, inv, inv, extra);
}

void reply_done_inv(long long id, const struct invlist *inv)
{
	reply_inv(id, inv, "");
}

int need_file(struct req *r)
{
	r->file = find_file(jstr(r->j, "file"));
	if (r->file < 0) {
		reply_err(r->id, EINVAL, "unknown file");
		return -1;
	}
	return 0;
}

int need_imp(struct req *r)
{
	r->imp = find_imp(jstr(r->j, "imp"));
	if (r->imp < 0) {
		reply_err(r->id, EINVAL, "unknown importer");
		return -1;
	}
	return 0;
}

int need_page(struct req *r, const char *key, long long *v)
{
	if (jint(r->j, key, v) || *v < 1 || *v > g.npages) {
		reply_err(r->id, EINVAL, "%s must be a page offset 1..%d", key, g.npages);
		return -1;
	}
	return 0;
}

void add_claim(struct out *o, int *k, const char *req, const char *text)
{
	oprintf(o, "%s\"%s\":", (*k)++ ? "," : "", req);
	oquote(o, text);
}

/* the layout change an operation name stands for, or -1 */
static int lop_of(const char *op)
{
	for (int k = LOP_TRUNCATE; k <= LOP_REFLINK; k++)
		if (!strcmp(op, LOP_NAME_OF(k)))
			return k;
	return -1;
}

/* the requests this agent implements here (depends on the facilities found) */
static int op_supported(const char *op)
{
	static const char *always[] = { "mmap", "munmap", "cpu_write", "cpu_read", "truncate",
					"punch", "fallocate", "device_map", "device_unmap", "settle" };

	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (!strcmp(op, always[i]))
			return 1;
	if (fs_on()) {
		static const char *fsops[] = { "writeback", "evict", "reflink", "unshare", "relocate",
					       "inv_ack" };

		if (fs_lop_why_not(lop_of(op)))
			return 0;	/* the filesystem answered the probe with an errno */

		for (size_t i = 0; i < sizeof(fsops) / sizeof(fsops[0]); i++)
			if (!strcmp(op, fsops[i]))
				return 1;
		if (!strcmp(op, "dmabuf_release"))
			return g.have_gup_test;
		if (!strcmp(op, "unplug") && !fs_dax())
			return 0;	/* the filesystem lives on the exporter's own controller */
	}
	if (!strcmp(op, "dmabuf_release"))
		return g.have_udmabuf;
	if (!strcmp(op, "dma_start") || !strcmp(op, "dma_end") || !strcmp(op, "dev_read") ||
	    !strcmp(op, "dev_write"))
		return g.have_hmm;
	if (!strcmp(op, "unplug"))
		return g.have_p2p && g.allow_unplug;
	return 0;
}

/* why an operation of the protocol is not implemented here */
static const char *NOT_HERE[][2] = {
	{ "writeback", "tmpfs/shmem pages have no block-device writeback" },
	{ "evict", "no userspace way to evict a mapped shmem page without invalidating it" },
	{ "relocate", "shmem does not relocate blocks; no block map to move" },
	{ "unshare", "no reflink/COW on shmem" },
	{ "reflink", "no FICLONE on shmem" },
	{ "map_commit", "device_map is one step here (commit:false is refused with ENOSYS): the driver's hmm_range_fault + mmu_interval_read_retry loop prepares and commits inside the kernel" },
	{ "inv_ack", "acks are synchronous: the mmu_interval_notifier callback returning is the importer's ack; it is reported as an ack event after the answer" },
	{ "bar_reclaim", "the kernel has no BAR reclaim for p2pmem other than device removal" },
	{ "revoke_ack", "p2pmem revocation is unmap_mapping_range inside the removal; nothing to acknowledge (reported as revoke_ack events after unplug)" },
};

static const char *why_not(const char *op)
{
	if (fs_on() && fs_lop_why_not(lop_of(op)))
		return fs_lop_why_not(lop_of(op));
	for (size_t i = 0; i < sizeof(NOT_HERE) / sizeof(NOT_HERE[0]); i++)
		if (!strcmp(op, NOT_HERE[i][0]))
			return NOT_HERE[i][1];
	if (fs_on() && !strcmp(op, "unplug"))
		return "the page-cache filesystem lives on a namespace of the exporter's controller: removing it would pull the filesystem away";
	if (fs_on() && !strcmp(op, "dmabuf_release"))
		return "no /sys/kernel/debug/gup_test (CONFIG_GUP_TEST): no long-term pin";
	if (!strcmp(op, "dmabuf_release"))
		return "no /dev/udmabuf (CONFIG_UDMABUF): no PIN";
	if (!strcmp(op, "unplug"))
		return g.have_p2p ? "PCI removal not enabled (--allow-unplug)"
				  : "no P2PDMA provider (--pci BDF with a CMB/p2pmem)";
	if (!strcmp(op, "dma_start") || !strcmp(op, "dma_end") || !strcmp(op, "dev_read") ||
	    !strcmp(op, "dev_write"))
		return "no HMM test driver (CONFIG_TEST_HMM, /dev/hmm_dmirror0)";
	return NULL;
}

/*
 * The documented protocol choices of this kernel facility (spec variants of the same name):
 * the first ones are shown by a self-test of this mode ("# choice NAME: ..." before its result),
 * the fs-dax ones from dax-writeback-mkclean on by the scenarios' answers (writeback invalidating a
 * writable mirror, munmap acking with a page reference held, a hole cloned, PIN refused first, a
 * reflink unmapping the whole file's mappings, a refused ATOMIC map's faults tagging the page);
 * the page cache's last three too (an unshare of an
 * unshared page answered done; a DMA's write lost with the folio a reflink dropped: dma_land's
 * "the write is lost with the page"; a fallocate of a cached hole answered done).
 */
static void hello_choices(struct out *o)
{
	static const char *const dax[] = { "dax-map-during-break-layouts", "dax-new-ref-extends-wait",
					   "dax-punch-whole-file", "write-shared-cow-on-fault",
					   "dax-writeback-mkclean", "dax-munmap-acks-with-dma",
					   "clone-hole", "pin-refused-first", "reflink-unmaps-source",
					   "dax-fallocate-breaks-layouts", "dax-exclusive-faults-first" };
	static const char *const pc[] = { "write-shared-cow-on-fault", "read-pin-ignores-truncate",
					  "pagecache-acks-with-dma", "clone-hole", "reflink-unmaps-source",
					  "pagecache-mirror-maps-cache", "pagecache-writeback-mkclean",
					  "read-pin-ignores-shared", "pagecache-unshare-allocates",
					  "pagecache-reflink-drops-busy-folio",
					  "pagecache-fallocate-keeps-cache" };
	const char *const *c = fs_dax() ? dax : pc;
	size_t n = fs_dax() ? sizeof(dax) / sizeof(dax[0]) : sizeof(pc) / sizeof(pc[0]);

	if (!fs_on())
		return;
	oputs(o, ",\"choices\":[");
	for (size_t i = 0; i < n; i++)
		oprintf(o, "%s\"%s\"", i ? "," : "", c[i]);
	oputs(o, "]");
}

/*
 * The model's bounds this device exceeds: on a filesystem the files' blocks come from the whole
 * filesystem (statvfs), not from the config's few, so a write or writeback the model cannot do
 * for want of a free block is beyond the model, not a failure (the harness's "beyond").
 */
static void hello_beyond(struct out *o)
{
	struct statvfs sv;

	if (!fs_on() || statvfs(g.fs_dir, &sv) != 0)
		return;
	oprintf(o, ",\"beyond\":{\"blocks\":\"the files are on %s with %llu free 4 KiB blocks (statvfs), not the config's\"}",
		fs_dax() ? "xfs -o dax" : "xfs", (unsigned long long)sv.f_bavail * sv.f_frsize / 4096);
}

/* which kernel facility stands for which part of the proposal (informative) */
static void hello_facilities(struct out *o)
{
	int k = 0;

	oputs(o, ",\"facilities\":{");
	add_claim(o, &k, "device_map", "no such callback in today's kernel; an importer mapping is an HMM test-driver mirror of the vma (page-cache pages faulted by hmm_range_fault); fs-side refusals (cached, shared) do not exist: the mirror faults pages in");
	add_claim(o, &k, "invalidation", "mmu_interval_notifier of the mirror; judged after the triggering syscall by the mirror's own fault count (a 1-page device READ that faults found the entry gone; SNAPSHOT reports the CPU page table)");
	if (fs_on())
		add_claim(o, &k, "files", fs_dax() ? "xfs -o dax=always on persistent memory: the mirror maps the blocks; a DMA in flight is a page reference (vmsplice) that makes truncate/punch wait in break_layouts"
			  : "xfs on an NVMe namespace: page cache, writeback by sync_file_range, evict by posix_fadvise(DONTNEED), the BAR window filled by O_DIRECT from the file's blocks");
	add_claim(o, &k, "PIN", g.have_udmabuf ? "udmabuf over the memfd (F_SEAL_SHRINK), dma-buf fd" : "unavailable (no /dev/udmabuf)");
	add_claim(o, &k, "BAR", g.have_p2p ? "p2pmem/allocate of the PCI function's CMB: one window per grant; bar = pages the genalloc reports in use" : "unavailable (no --pci P2PDMA provider)");
	add_claim(o, &k, "P2P data", g.have_nvme ? "O_DIRECT NVMe -> CMB transfer at grant time, data checked" : "unavailable (no --nvme)");
	add_claim(o, &k, "ATOMIC", "HMM_DMIRROR_EXCLUSIVE (make_device_exclusive_range): refused for shmem pages, so importers are declared without atomic");
	add_claim(o, &k, "unplug", g.allow_unplug ? "/sys/bus/pci/devices/BDF/remove; reset rescans the bus" : "disabled (no --allow-unplug)");
	oputs(o, "}");
}

/* the configuration this agent really has (after a reset: the files and importers asked) */
static void put_config(struct out *o)
{
	long long avail = 0, bar;

	oputs(o, "\"config\":{\"files\":[");
	for (int i = 0; i < g.nfiles; i++) {
		oputs(o, i ? "," : "");
		oquote(o, g.files[i].name);
	}
	oprintf(o, "],\"pages\":%d,\"blocks\":%lld,\"importers\":[", g.npages, g.nblocks);
	for (int i = 0; i < g.nimps; i++) {
		oputs(o, i ? ",{\"name\":" : "{\"name\":");
		oquote(o, g.imps[i]);
		/* every importer has its own mirror: a route; atomics are refused (see ATOMIC) */
		oprintf(o, ",\"route\":true,\"atomic\":false,\"write\":%s}",
			g.imp_write[i] ? "true" : "false");
	}
	if (g.have_p2p && !g.unplugged && !p2p_available(&avail))
		bar = avail / (long long)PG;
	else
		bar = g.have_p2p ? 0 : (g.want_bar_pages >= 0 ? g.want_bar_pages : MAX_GRANTS);
	/* fs-dax: mm/gup.c check_vma_flags refuses every FOLL_LONGTERM pin of an fs-dax vma */
	/* fs-dax has no page cache: read(2)/write(2) go to the blocks (fs/dax.c dax_iomap_rw);
	 * every file has a size: a mirror fault beyond i_size is SIGBUS -> EFAULT (mm/hmm.c) */
	oprintf(o, "],\"bar_pages\":%lld,\"bar_base\":0,\"pin\":%s,\"reverse_map\":%s,\"page_cache\":%s,"
		"\"file_size\":true}", bar,
		(fs_on() ? g.have_gup_test && !fs_dax() : g.have_udmabuf) ? "true" : "false",
		g.have_p2p && g.allow_unplug && op_supported("unplug") ? "true" : "false",
		fs_dax() ? "false" : "true");
}

/* a session with these files and importers; importer objects as in the config */
static int set_config(const struct jobj *j, const char *pfx, char *why, size_t cap)
{
	char key[MAX_STR];
	long long pages = 0, blocks = 4, bar = -1;
	int err, nfiles, nimps;

	snprintf(key, sizeof(key), "%s.files", pfx);
	nfiles = jlen(j, key);
	snprintf(key, sizeof(key), "%s.importers", pfx);
	nimps = jlen(j, key);
	snprintf(key, sizeof(key), "%s.pages", pfx);
	if (jint(j, key, &pages) || pages < 1 || pages > MAX_PAGES || nfiles < 1 || nfiles > MAX_FILES) {
		snprintf(why, cap, "config needs files (1..%d) and pages (1..%d)", MAX_FILES, MAX_PAGES);
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "%s.blocks", pfx);
	jint(j, key, &blocks);
	snprintf(key, sizeof(key), "%s.bar_pages", pfx);
	jint(j, key, &bar);
	teardown();
	g.npages = (int)pages;
	g.nblocks = blocks < 1 ? 1 : blocks;	/* shmem has no blocks: taken as asked */
	g.nextv = 1000;
	for (int i = 0; i < nfiles; i++) {
		const char *name;

		snprintf(key, sizeof(key), "%s.files.%d", pfx, i);
		name = jstr(j, key);
		if (!name || !name[0] || strchr(name, '/') || strlen(name) >= MAX_STR) {
			snprintf(why, cap, "config file names are strings without '/'");
			return -EINVAL;
		}
		err = create_file(i, name);
		g.nfiles = i + 1;
		if (err) {
			snprintf(why, cap, "%s: %s", fs_on() ? "creating the file" : "memfd", strerror(-err));
			return err;
		}
	}
	g.nimps = 0;
	for (int i = 0; i < nimps && g.nimps < MAX_IMPS; i++) {
		const char *name;
		int w = 1;

		snprintf(key, sizeof(key), "%s.importers.%d.name", pfx, i);
		name = jstr(j, key);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "%s.importers.%d.write", pfx, i);
		jbool(j, key, &w);
		g.imp_write[g.nimps] = w;
		snprintf(g.imps[g.nimps++], MAX_STR, "%s", name);
	}
	if (!g.nimps) {
		g.imp_write[0] = 1;
		snprintf(g.imps[g.nimps++], MAX_STR, "gpu");
	}
	for (int i = 0; i < g.nimps; i++) {	/* one open = one device mirror per importer */
		g.mirror[i] = g.have_hmm ? open(g.hmm_dev, O_RDWR | O_CLOEXEC) : -1;
		if (g.have_hmm && g.mirror[i] < 0)
			diag("open(%s): %s", g.hmm_dev, strerror(errno));
	}
	g.want_bar_pages = g.bar_pages >= 0 ? g.bar_pages : bar;
	setup_ballast();
	if (g.have_p2p && !g.unplugged && p2p_available(&g.bar_base_avail))
		g.bar_base_avail = 0;
	return 0;
}

static int op_hello(const struct jobj *j)
{
	struct out o = { .n = 0 };
	long long ver = 0;
	int k = 0;
	char why[256];

	if (jint(j, "devmap", &ver) || ver != 1)
		diag("the harness speaks protocol %lld; answering 1", ver);
	if (jstr(j, "scratch"))
		diag("scratch %s offered: not used (the files are memfds)", jstr(j, "scratch"));
	if (jstr(j, "block_device"))
		diag("block_device %s offered: not used (the namespace is --nvme)", jstr(j, "block_device"));
	{	/* the default configuration, as DutConfig.standard() asks it */
		static struct jobj d;
		static const char *std = "{\"c\":{\"files\":[\"f1\",\"f2\"],\"pages\":3,\"blocks\":4,"
			"\"importers\":[{\"name\":\"gpu\",\"write\":true},{\"name\":\"nic\",\"write\":true},"
			"{\"name\":\"fpga\",\"write\":true}],\"bar_pages\":3}}";

		if (json_parse(std, &d) || set_config(&d, "c", why, sizeof(why)))
			diag("default configuration: %s", why);
	}
	oputs(&o, "{\"devmap\":1,\"ok\":true,\"agent\":\"" AGENT_NAME "\",\"ops\":[");
	for (size_t i = 0; i < N_AGENT_OPS; i++)
		if (op_supported(AGENT_OPS[i].name))
			oprintf(&o, "%s\"%s\"", k++ ? "," : "", AGENT_OPS[i].name);
	/* nothing happens unreported: acks, inv_end, dma_end, revoke_ack, unplug_end are events */
	oputs(&o, "],\"silent\":[],\"observes\":[");
	if (g.have_p2p)
		oputs(&o, "\"bar\"");
	if (fs_on())	/* FIEMAP; fs-dax addrs are pmem, not BAR, addresses: not "addrs" */
		oputs(&o, g.have_p2p ? ",\"blocks\"" : "\"blocks\"");
	oputs(&o, "],\"unsupported\":{");
	k = 0;
	for (size_t i = 0; i < N_AGENT_OPS; i++)
		if (!op_supported(AGENT_OPS[i].name) && why_not(AGENT_OPS[i].name))
			add_claim(&o, &k, AGENT_OPS[i].name, why_not(AGENT_OPS[i].name));
	oputs(&o, "},");
	put_config(&o);
	hello_choices(&o);
	hello_beyond(&o);
	hello_facilities(&o);
	hello_witness(&o);
	oputs(&o, "}");
	emit(&o);
	return 0;
}

static void op_reset(long long id, const struct jobj *j)
{
	char why[256] = "";
	struct out o;
	int err;

	err = replug(why, sizeof(why));
	if (!err)
		err = set_config(j, "config", why, sizeof(why));
	if (err) {
		reply_err(id, -err, "reset: %s", why);
		return;
	}
	reply_begin(&o, id);
	oputs(&o, ",\"result\":\"done\",");
	put_config(&o);
	reply_end(&o, NULL);
}

/* ---- the operation table: op name -> handler (memfd device, filesystem device) ---- */
static void op_dev_read(struct req *r) { op_dev(r, 0); }
static void op_dev_write(struct req *r) { op_dev(r, 1); }
static void op_truncate_fs(struct req *r) { op_layout(r, LOP_TRUNCATE); }
static void op_punch_fs(struct req *r) { op_layout(r, LOP_PUNCH); }
static void op_fallocate_fs(struct req *r) { op_layout(r, LOP_FALLOCATE); }
static void op_reflink_fs(struct req *r) { op_layout(r, LOP_REFLINK); }
static void op_relocate_fs(struct req *r) { op_layout(r, LOP_RELOCATE); }
static void op_unshare_fs(struct req *r) { op_layout(r, LOP_UNSHARE); }
static void op_writeback_fs(struct req *r) { op_writeback(r, 0); }
static void op_evict_fs(struct req *r) { op_writeback(r, 1); }

/*
 * In the hello's order.  One entry per line, { "name", memfd, fs }: the harness's tests read
 * this table (OperationTableTest) and check it against the protocol's operation list.
 */
const struct agent_op AGENT_OPS[] = {
	{ "mmap", op_mmap, op_mmap },
	{ "munmap", op_munmap, op_munmap },
	{ "cpu_write", op_cpu_write, op_cpu_write },
	{ "cpu_read", op_cpu_read, op_cpu_read },
	{ "truncate", op_truncate, op_truncate_fs },
	{ "punch", op_punch, op_punch_fs },
	{ "fallocate", op_fallocate, op_fallocate_fs },
	{ "reflink", NULL, op_reflink_fs },
	{ "writeback", NULL, op_writeback_fs },
	{ "evict", NULL, op_evict_fs },
	{ "relocate", NULL, op_relocate_fs },
	{ "unshare", NULL, op_unshare_fs },
	{ "device_map", op_device_map, op_device_map },
	{ "map_commit", NULL, NULL },
	{ "device_unmap", op_device_unmap, op_device_unmap },
	{ "dmabuf_release", op_dmabuf_release, op_dmabuf_release },
	{ "dma_start", op_dma_start, op_dma_start_fs },
	{ "dma_end", op_dma_end, op_dma_end_fs },
	{ "dev_read", op_dev_read, op_dev_read },
	{ "dev_write", op_dev_write, op_dev_write },
	{ "inv_ack", NULL, op_inv_ack_fs },
	{ "revoke_ack", NULL, NULL },
	{ "bar_reclaim", NULL, NULL },
	{ "unplug", op_unplug, op_unplug },
	{ "settle", op_settle, op_settle_fs },
};
const size_t N_AGENT_OPS = sizeof(AGENT_OPS) / sizeof(AGENT_OPS[0]);

static const struct agent_op *find_op(const char *name)
{
	for (size_t i = 0; i < N_AGENT_OPS; i++)
		if (!strcmp(AGENT_OPS[i].name, name))
			return &AGENT_OPS[i];
	return NULL;
}

static int dispatch(const struct jobj *j)
{
	const char *op = jstr(j, "op");
	struct req r = { .j = j };

	if (!op) {
		reply_err(-1, EINVAL, "missing op");
		return 0;
	}
	if (!strcmp(op, "eof"))		/* qemu-agent.sh: the host's stdin reached EOF */
		return 1;
	if (!strcmp(op, "hello"))
		return op_hello(j) ? 1 : 0;
	if (jint(j, "id", &r.id)) {
		reply_err(-1, EINVAL, "missing id");
		return 0;
	}
	if (!strcmp(op, "bye")) {
		struct out o;

		reply_begin(&o, r.id);
		oputs(&o, ",\"result\":\"done\"}");
		emit(&o);
		return 1;
	}
	if (!strcmp(op, "reset")) {
		op_reset(r.id, j);
		return 0;
	}
	if (!g.nfiles) {
		reply_err(r.id, EINVAL, "no hello/reset yet");
		return 0;
	}
	release_dead_windows();
	if (!op_supported(op)) {
		const char *why = why_not(op);

		reply_err(r.id, why ? ENOSYS : EINVAL, "%s", why ? why : "unknown op");
		return 0;
	}
	{
		const struct agent_op *e = find_op(op);
		void (*handler)(struct req *r) = e ? (fs_on() ? e->fs : e->memfd) : NULL;

		if (!handler) {
			reply_err(r.id, ENOSYS, "%s: no handler on this device", op);
			return 0;
		}
		handler(&r);
	}
	return 0;
}

int serve(void)
{
	static char line[LINE_MAX_LEN];
	static struct jobj j;

	while (fgets(line, sizeof(line), stdin)) {
		size_t l = strlen(line);

		if (l && line[l - 1] != '\n' && !feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			reply_err(-1, EINVAL, "line longer than %d bytes", LINE_MAX_LEN);
			continue;
		}
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (json_parse(line, &j)) {
			reply_err(-1, EINVAL, "not a JSON object");
			continue;
		}
		if (dispatch(&j))
			break;
	}
	return 0;
}
