// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: the operations every device has: mmap/munmap, CPU and device accesses, device_map,
 * device_unmap, dmabuf_release, the checks a DMA starts with.
 */
#include "agent.h"

void op_mmap(struct req *r)
{
	struct file *f;
	void *p;

	if (need_file(r))
		return;
	f = &g.files[r->file];
	if (f->map) {
		reply_done(r->id);
		return;
	}
	p = mmap(NULL, g.npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	if (p == MAP_FAILED) {
		reply_err(r->id, errno, "mmap: %s", strerror(errno));
		return;
	}
	f->map = p;
	reply_done(r->id);
}

void op_munmap(struct req *r)
{
	struct invlist inv;
	struct file *f;

	if (need_file(r))
		return;
	f = &g.files[r->file];
	if (!f->map) {	/* no vma: nothing to ask the kernel (munmap(2) of a free range would say 0) */
		reply_err(r->id, EINVAL, "%s is not mmapped: no vma to unmap (no kernel call made)", f->name);
		return;
	}
	if (munmap(f->map, g.npages * PG)) {
		reply_err(r->id, errno, "munmap: %s", strerror(errno));
		return;
	}
	f->map = NULL;
	scan_invalidations(r->file, "munmap", &inv);
	reply_done_inv(r->id, &inv);
}

void op_cpu_write(struct req *r)
{
	struct invlist inv;
	char extra[64];
	long long v;
	int err;

	if (need_file(r) || need_page(r, "off", &r->off) || would_sleep(r, "write(2)"))
		return;
	if (jint(r->j, "value", &v))
		v = ++g.nextv;
	err = page_write_value(g.files[r->file].fd, r->off - 1, v);
	if (err) {
		reply_err(r->id, -err, "pwrite: %s", strerror(-err));
		return;
	}
	scan_invalidations(r->file, "cpu_write", &inv);
	snprintf(extra, sizeof(extra), ",\"value\":%lld", v);
	reply_inv(r->id, &inv, extra);
}

void op_cpu_read(struct req *r)
{
	long long v;
	int err;

	if (need_file(r) || need_page(r, "off", &r->off) || would_sleep(r, "read(2)"))
		return;
	err = page_read_value(g.files[r->file].fd, r->off - 1, &v);
	if (err) {
		reply_err(r->id, -err, "pread: %s", strerror(-err));
		return;
	}
	reply_value(r->id, v, fs_dax() ? "block" : "page-cache");	/* fs-dax: no page cache */
}

/*
 * "granted".  No "addrs": userspace sees only virtual addresses of the mirror, the dma-buf
 * and the p2pmem window, not the bus addresses a device would use (observes has no
 * "addrs"); no "blocks": shmem has no block map.
 */
static void reply_granted(long long id, struct grant *gr)
{
	struct out o;

	reply_begin(&o, id);
	oputs(&o, ",\"result\":\"granted\"");
	if (gr->pin && !fs_on())
		oprintf(&o, ",\"dmabuf\":%d", gr->dmabuf);
	if (fs_on() && gr->nblk == gr->hi - gr->lo + 1) {	/* every page has a block */
		oputs(&o, ",\"blocks\":[");
		for (int p = gr->lo; p <= gr->hi; p++)
			oprintf(&o, "%s%lld", p > gr->lo ? "," : "", gr->blk[p]);
		oputs(&o, "]");
	}
	if (fs_dax() && gr->addr[gr->lo] >= 0) {	/* the blocks' physical addresses */
		oputs(&o, ",\"addrs\":[");
		for (int p = gr->lo; p <= gr->hi; p++)
			oprintf(&o, "%s%lld", p > gr->lo ? "," : "", gr->addr[p]);
		oputs(&o, "]");
	}
	reply_end(&o, NULL);
	diag("id %lld: granted %s %s %d..%d (%s)", id, g.imps[gr->imp], g.files[gr->file].name,
	     gr->lo, gr->hi, gr->pin ? "pinned: udmabuf dma-buf" : "revocable: HMM mirror");
}

/*
 * Does imp hold a grant of file overlapping lo..hi (the protocol allows one grant per range and
 * importer)?  A grant with a page invalidated is gone: the protocol revokes a grant whole.
 */
static int holds_overlap(int imp, int file, int lo, int hi)
{
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];
		int whole = 1;

		if (!gr->used || gr->imp != imp || gr->file != file || gr->hi < lo || hi < gr->lo)
			continue;
		for (int o = gr->lo; o <= gr->hi; o++)
			whole &= gr->live[o] != 0;
		if (whole)
			return 1;
	}
	return 0;
}

/*
 * A PIN is a FOLL_LONGTERM pin, asked of the kernel (and let go if granted) before the agent's
 * own exporter-side reasons (write-not-allowed, exporter-gone), which come after the
 * filesystem's in the protocol's order.  fs-dax: mm/gup.c check_vma_flags refuses it for an
 * fs-dax vma before it faults anything, so it is tried first of all, before the fs's own reasons
 * (hole, ...); page cache: a write pin of a file mapping is refused (EFAULT), after the hole
 * check.  1: answered.
 */
static int kernel_pin_refused(struct req *r)
{
	struct grant t = { .imp = r->imp, .file = r->file, .lo = (int)r->lo, .hi = (int)r->hi,
			   .write = jhas_item(r->j, "flags", "WRITE"), .dmabuf = -1 };
	char why[256];
	int err;

	if (!g.have_gup_test) {
		reply_refused(r->id, "pin-unsupported", "no /sys/kernel/debug/gup_test (CONFIG_GUP_TEST)");
		return 1;
	}
	err = fs_pin(&t, why, sizeof(why));
	if (!err) {	/* granted after all: let go, the map goes on in the protocol's order */
		xclose(t.dmabuf, GUP_TEST_DEV);
		return 0;
	}
	if (err == -ENOENT || err == -EACCES)
		return 0;	/* no gup_test to ask: the normal path answers */
	g.reply_by_kernel = 1;
	reply_refused(r->id, "pin-unsupported", why);
	return 1;
}

void op_device_map(struct req *r)
{
	char why[256] = "";
	struct grant *gr;
	long long before = 0, after = 0;
	int err, bar_err;

	if (need_imp(r) || need_file(r) || need_page(r, "lo", &r->lo) ||
	    need_page(r, "hi", &r->hi))
		return;
	if (r->hi < r->lo) {
		reply_err(r->id, EINVAL, "hi < lo");
		return;
	}
	if (!g.files[r->file].map) {	/* a map is of a mapping, PIN too (the protocol's order) */
		reply_err(r->id, EFAULT, "file is not mmapped (no vma)");
		return;
	}
	if (holds_overlap(r->imp, r->file, (int)r->lo, (int)r->hi)) {	/* before any kernel call */
		reply_err(r->id, EINVAL, "%s maps part of %s %lld..%lld already: one grant per range "
			  "(device_map's own rule; no kernel call made)", g.imps[r->imp],
			  g.files[r->file].name, r->lo, r->hi);
		return;
	}
	if (fs_dax() && jhas_item(r->j, "flags", "PIN") && kernel_pin_refused(r))
		return;	/* the kernel's pin refusal comes before any fault (pin-refused-first) */
	{	/*
		 * the filesystem decides first: a page with no storage is a hole -- beyond EOF,
		 * or never written (shmem allocates a page on the first write; SEEK_DATA sees it)
		 */
		int fd = g.files[r->file].fd;

		/* beyond EOF (the fault's rule, page_past_eof; a cpu_write's 8 bytes re-extend a file) */
		if (page_past_eof(fd, r->hi - 1) == 1) {
			reply_refused(r->id, "hole", "range beyond EOF (truncated)");
			return;
		}
		if (fs_dax() && g.lops[r->file].on)	/* lseek would sleep on the inode lock */
			diag("device_map while the %s waits in break_layouts: no SEEK_DATA/FIEMAP (inode lock)",
			     LOP_NAME_OF(g.lops[r->file].kind));
		/* a real filesystem: a page with no block (FIEMAP: hole, unwritten, delalloc) is a hole */
		for (long long o = r->lo; o <= r->hi && fs_on() && !(fs_dax() && g.lops[r->file].on); o++) {
			long long b;
			unsigned fl;
			char why[160];
			int e = page_block(fd, (int)o - 1, &b, &fl);

			if (!e && b >= 0 && !(fl & FIEMAP_EXTENT_UNWRITTEN))
				continue;
			snprintf(why, sizeof(why), "page %lld has no written block (FIEMAP: %s)", o,
				 e ? strerror(-e) : fl & FIEMAP_EXTENT_UNWRITTEN ? "unwritten extent"
				 : fl & FIEMAP_EXTENT_DELALLOC ? "delayed allocation, not written back" : "hole");
			reply_refused(r->id, "hole", why);
			return;
		}
		for (long long o = r->lo; o <= r->hi && !fs_on(); o++) {
			off_t at = (off_t)(o - 1) * (off_t)PG, d = lseek(fd, at, SEEK_DATA);

			if (d != at) {
				char why[128];

				snprintf(why, sizeof(why), "page %lld is a shmem hole (SEEK_DATA: %s)", o,
					 d < 0 ? strerror(errno) : "data starts later");
				reply_refused(r->id, "hole", why);
				return;
			}
		}
	}
	{
		int commit = 1;

		if (!jbool(r->j, "commit", &commit) && !commit) {
			reply_err(r->id, ENOSYS, "commit:false: device_map is one step here (the driver's "
				  "hmm_range_fault + mmu_interval_read_retry loop prepares and commits "
				  "inside the kernel)");
			return;
		}
	}
	if (jhas_item(r->j, "flags", "PIN") && !fs_on() && !g.have_udmabuf) {
		reply_refused(r->id, "pin-unsupported", "no /dev/udmabuf");
		return;
	}
	if (jhas_item(r->j, "flags", "PIN") && fs_on() && !g.have_gup_test) {
		reply_refused(r->id, "pin-unsupported", "no /sys/kernel/debug/gup_test (CONFIG_GUP_TEST)");
		return;
	}
	if (jhas_item(r->j, "flags", "PIN") && fs_on()) {
		for (int i = 0; i < MAX_GRANTS; i++)
			if (g.grants[i].used && g.grants[i].pin) {
				reply_err(r->id, ENOSPC, "gup_test holds one long-term pin at a time");
				return;
			}
	}
	if (jhas_item(r->j, "flags", "PIN") && fs_on() && !fs_dax() && kernel_pin_refused(r))
		return;	/* the kernel's (mm's) refusal before the exporter's write-not-allowed */
	if (jhas_item(r->j, "flags", "WRITE") && !g.imp_write[r->imp]) {
		reply_refused(r->id, "write-not-allowed", "the importer was configured read-only");
		return;
	}
	if (g.have_p2p && g.unplugged) {
		reply_refused(r->id, "exporter-gone", "the PCI function was removed");
		return;
	}
	gr = new_grant();
	if (!gr) {
		reply_err(r->id, ENOSPC, "too many grants");
		return;
	}
	gr->imp = r->imp;
	gr->file = r->file;
	gr->lo = r->lo;
	gr->hi = r->hi;
	gr->pin = jhas_item(r->j, "flags", "PIN");
	gr->write = jhas_item(r->j, "flags", "WRITE");
	gr->atomic = jhas_item(r->j, "flags", "ATOMIC");

	/* exporter side first: BAR space from the CMB (the kernel's genalloc decides) */
	if (g.have_p2p) {
		if (p2p_available(&before))	/* for the message only */
			before = -1;
		gr->bar_len = (r->hi - r->lo + 1) * PG;
		gr->bar = p2p_alloc(gr->bar_len, &bar_err);
		if (!gr->bar) {
			if (p2p_available(&after))	/* for the message only */
				after = -1;
			close_grant(gr);
			snprintf(why, sizeof(why), "mmap(p2pmem/allocate, %lld pages): %s; available %lld -> %lld",
				 r->hi - r->lo + 1, strerror(bar_err), before, after);
			if (bar_err == ENOMEM)
				reply_refused(r->id, "bar-full", why);
			else if (bar_err == ENODEV || bar_err == ENOENT)
				reply_refused(r->id, "exporter-gone", why);
			else
				reply_err(r->id, bar_err, "%s", why);
			return;
		}
		err = fs_on() && !fs_dax() ? fs_stage_into_bar(gr, why, sizeof(why))
					   : stage_into_bar(gr, why, sizeof(why));
		if (err) {
			close_grant(gr);
			reply_err(r->id, -err, "P2P data path: %s %s", why, strerror(-err));
			return;
		}
	}
	if (gr->pin && fs_on()) {
		err = fs_pin(gr, why, sizeof(why));
		if (err && err != -ENOENT && err != -EACCES) {	/* the kernel refused the pin */
			close_grant(gr);
			g.reply_by_kernel = 1;
			reply_refused(r->id, "pin-unsupported", why);
			return;
		}
	} else if (gr->pin) {
		err = g.have_udmabuf ? establish_pin(gr, why, sizeof(why)) : -ENOSYS;
		if (err == -ENOSYS)
			snprintf(why, sizeof(why), "no /dev/udmabuf");
	} else {
		err = g.have_hmm ? establish_mirror(gr, why, sizeof(why)) : -ENOSYS;
		if (err == -ENOSYS)
			snprintf(why, sizeof(why), "no %s", g.hmm_dev);
	}
	if (err) {
		int pinned = gr->pin;

		close_grant(gr);
		if (err == 1) {
			g.reply_by_kernel = 1;	/* EBUSY from make_device_exclusive_range */
			reply_refused(r->id, "no-atomic-route", why);
		} else if (err == 2)
			reply_refused(r->id, "hole", why);
		else if (pinned && err == -EINVAL) {
			g.reply_by_kernel = 1;	/* UDMABUF_CREATE refused it */
			reply_refused(r->id, "pin-unsupported", why);
		} else
			reply_err(r->id, -err, "%s", why);
		return;
	}
	if (fs_on() && !(fs_dax() && g.lops[r->file].on)) {
		err = grant_blocks(gr, why, sizeof(why));
		if (err) {
			close_grant(gr);
			reply_err(r->id, -err, "%s", why);
			return;
		}
	}
	if (g.plant && !strcmp(g.plant, "stale-dev-read"))	/* what the device's stale TLB will keep */
		for (int o = gr->lo; o <= gr->hi; o++)
			if (page_read_value(g.files[gr->file].fd, o - 1, &gr->at_grant[o]))
				gr->at_grant[o] = 0;
	reply_granted(r->id, gr);
}

/*
 * test_hmm has no ioctl to drop a mirror entry: device_unmap forgets the grant (later
 * device accesses take the page-cache path) and releases its p2pmem BAR window.
 */
void op_device_unmap(struct req *r)
{
	long long a0 = 0, a1 = 0;
	struct grant *gr;

	if (need_imp(r) || need_file(r) || need_page(r, "lo", &r->lo))
		return;
	gr = named_grant(r, 0);
	if (!gr) {
		reply_err(r->id, EINVAL, "no revocable grant of %s on %s at page %lld",
			  g.imps[r->imp], g.files[r->file].name, r->lo);
		return;
	}
	if (g.have_p2p && !g.unplugged)
		if (p2p_available(&a0))	/* for the message only */
			a0 = -1;
	close_grant(gr);
	if (g.have_p2p && !g.unplugged) {
		if (p2p_available(&a1))	/* for the message only */
			a1 = -1;
		diag("device_unmap: BAR available %lld -> %lld", a0, a1);
	}
	reply_done(r->id);
}

void op_dmabuf_release(struct req *r)
{
	struct grant *gr;

	if (need_imp(r) || need_file(r) || need_page(r, "lo", &r->lo))
		return;
	gr = named_grant(r, 1);
	if (!gr) {
		reply_err(r->id, EBADF, "no dma-buf of %s on %s at page %lld", g.imps[r->imp],
			  g.files[r->file].name, r->lo);
		return;
	}
	close_grant(gr);
	reply_done(r->id);
}

/*
 * One device access of a page.  Through the importer's live grant ("direct": the mirror
 * entry, or the dma-buf of a pinned grant), else through the page-cache fallback (the
 * mirror ioctl without a grant: hmm_range_fault of the page-cache page).
 */
static int device_access(struct req *r, int write, long long *v, const char **path)
{
	struct grant *gr = find_grant(r->imp, r->file, r->off, 0);
	long long faults = 0;
	int err;

	if (gr && write && !gr->write && !gr->pin)
		gr = NULL;	/* a read-only grant: the write takes the fallback path */
	*path = gr ? "direct" : fs_dax() ? "block" : "page-cache";
	if (gr && gr->pin && fs_on()) {	/* a read through the long-term pin */
		if (!write)
			return fs_pin_read(gr, r->off, v);
		gr = NULL;	/* no write through a read pin: the fallback path */
		*path = fs_dax() ? "block" : "page-cache";
	}
	if (gr && gr->pin) {	/* the device accesses the pinned pages through the dma-buf */
		char *p = gr->dmabuf_map + (r->off - gr->lo) * PG;

		if (write)
			memcpy(p, v, sizeof(*v));
		else
			memcpy(v, p, sizeof(*v));
		return 0;
	}
	if (!g.have_hmm) {
		snprintf(r->why, sizeof(r->why), "no %s", g.hmm_dev);
		return -ENOSYS;
	}
	if (!g.files[r->file].map) {
		snprintf(r->why, sizeof(r->why), "no vma: the file is not mmapped");
		return -EFAULT;
	}
	err = device_rw(r->imp, r->file, r->off, write, v, &faults);
	if (err) {
		snprintf(r->why, sizeof(r->why), "HMM_DMIRROR_%s: %s", write ? "WRITE" : "READ",
			 strerror(-err));
		return err;
	}
	if (gr && !write && g.plant && !strcmp(g.plant, "stale-dev-read"))
		*v = gr->at_grant[r->off];	/* planted: the device reads its stale copy */
	if (gr && faults > 0)
		diag("access via %s re-faulted (faults=%lld): mirror entry had been dropped",
		     g.imps[r->imp], faults);
	return 0;
}

/* dev_read / dev_write {imp, file, off} */
void op_dev(struct req *r, int write)
{
	const char *path;
	long long v = 0;
	struct out o;
	int err;

	if (need_imp(r) || need_file(r) || need_page(r, "off", &r->off))
		return;
	if (write && jint(r->j, "value", &v))
		v = ++g.nextv;
	err = device_access(r, write, &v, &path);
	if (err) {
		reply_err(r->id, -err, "%s", r->why);
		return;
	}
	if (!write) {
		reply_value(r->id, v, path);
		return;
	}
	reply_begin(&o, r->id);
	oprintf(&o, ",\"result\":\"done\",\"value\":%lld,\"path\":\"%s\"", v, path);
	reply_end(&o, NULL);
}

/*
 * The checks and the device access a DMA starts with: {imp, file, off, dir, value} valid, a
 * live grant (and, held: no DMA of the importer in flight).  0, or an answer was sent.
 * Held (a DMA in flight until dma_end): the access at the start only reads (the mirror
 * faults the page in); a write lands when the DMA ends, as the protocol's DmaEnd says.
 */
int dma_begin(struct req *r, const char *dir, int write, long long *v, const char **path, int held)
{
	int err;

	if (need_imp(r) || need_file(r) || need_page(r, "off", &r->off))
		return -1;
	if (!dir || (strcmp(dir, "read") && strcmp(dir, "write"))) {
		reply_err(r->id, EINVAL, "dir must be read or write");
		return -1;
	}
	if (held && g.dmas[r->imp].on) {
		reply_busy(r->id, EBUSY, "this importer already has a DMA in flight");
		return -1;
	}
	if (write && jint(r->j, "value", v))
		*v = ++g.nextv;
	if (!find_grant(r->imp, r->file, r->off, 0)) {
		reply_err(r->id, EFAULT, "no mapping: %s has no live grant of %s page %lld",
			  g.imps[r->imp], g.files[r->file].name, r->off);
		return -1;
	}
	if (held) {
		long long seen = 0;

		err = device_access(r, 0, &seen, path);
	} else {
		err = device_access(r, write, v, path);
	}
	if (err) {
		reply_err(r->id, -err, "%s", r->why);
		return -1;
	}
	return 0;
}
