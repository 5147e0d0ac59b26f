// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: a page-cache filesystem (--fs pagecache): writeback, evict, O_DIRECT file -> CMB.
 */
#include "agent.h"

/*
 * Is the file's page dirty in the page cache?  /proc/kpageflags KPF_DIRTY of its page frame
 * (cachestat(2) would say it directly, but this kernel has no CONFIG_CACHESTAT_SYSCALL).
 * 1, 0 (not cached counts as clean), or -errno.
 */
#define KPF_DIRTY 4

/* is the page in the page cache (mincore of a mapping of our own)?  Reading it in to ask
 * would make a clean cached page of an evicted one. */
static int mincore_cached(int fd, long long off)
{
	unsigned char vec = 0;
	char *p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, (off_t)(off - 1) * PG);
	int r;

	if (p == MAP_FAILED)
		return 1;
	r = mincore(p, PG, &vec) ? 1 : vec & 1;
	if (munmap(p, PG))
		diag("munmap: %s", strerror(errno));
	return r;
}
static int page_dirty(int fd, long long off)
{
	uint64_t fl;
	long long pfn;
	int k;

	if (page_past_eof(fd, (int)off - 1))
		return 0;
	if (!mincore_cached(fd, off))
		return 0;
	pfn = file_page_pfn(fd, (int)off - 1);
	if (pfn < 0)
		return -ENOENT;
	k = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (k < 0)
		return -errno;
	if (pread(k, &fl, sizeof(fl), (off_t)pfn * 8) != sizeof(fl)) {
		int e = errno ? errno : EIO;

		xclose(k, "/proc/kpageflags");
		return -e;
	}
	xclose(k, "/proc/kpageflags");
	return !!(fl & (1ULL << KPF_DIRTY));
}

/*
 * writeback / evict: synchronous; a mirror they made drop shows in the probe.  evict is
 * advice (the protocol): of a dirty page it answers done and keeps the page.  The kernel's
 * fadvise(DONTNEED) would START WRITEBACK of a dirty page (mm/fadvise.c) before dropping the
 * clean ones, which is a writeback, not an evict: a dirty page is not fadvised.
 */
void op_writeback(struct req *r, int evict)
{
	struct invlist inv;
	int fd, err, dirty = 0;

	if (need_file(r) || need_page(r, "off", &r->off))
		return;
	fd = g.files[r->file].fd;
	if (evict && !fs_dax())
		dirty = page_dirty(fd, r->off);
	if (dirty < 0)
		diag("/proc/kpageflags: %s: evict goes to fadvise", strerror(-dirty));
	if (evict && dirty > 0) {
		diag("evict %s page %lld: dirty (kpageflags): kept, not fadvised (fadvise would write it back)",
		     g.files[r->file].name, r->off);
		err = 0;
	} else if (evict)
		err = posix_fadvise(fd, (r->off - 1) * PG, PG, POSIX_FADV_DONTNEED);
	else
		err = sync_file_range(fd, (r->off - 1) * PG, PG, SYNC_FILE_RANGE_WAIT_BEFORE |
				      SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) ? errno : 0;
	if (err) {
		reply_err(r->id, err, "%s: %s", evict ? "posix_fadvise(DONTNEED)" : "sync_file_range",
			  strerror(err));
		return;
	}
	probe_file(r->file, evict ? "evict" : "writeback", &inv);
	reply_done_inv(r->id, &inv);
}

/* stage the grant's pages into its BAR window: O_DIRECT file blocks -> CMB (P2P) */
int fs_stage_into_bar(struct grant *gr, char *why, size_t cap)
{
	struct file *f = &g.files[gr->file];
	size_t len = (gr->hi - gr->lo + 1) * PG;
	ssize_t n;

	if (f->dio_fd < 0)
		return 0;
	n = pread(f->dio_fd, gr->bar, len, (off_t)(gr->lo - 1) * PG);
	if (n < 0) {
		snprintf(why, cap, "O_DIRECT file -> CMB: %s", strerror(errno));
		return -errno;
	}
	for (int o = gr->lo; o <= gr->hi; o++) {
		long long v = 0, w;

		if (page_read_value(f->fd, o - 1, &v))
			continue;
		memcpy(&w, gr->bar + (o - gr->lo) * PG, sizeof(w));
		if ((o - gr->lo + 1) * (ssize_t)PG <= n && v != w) {
			snprintf(why, cap, "page %d: CMB has %lld after O_DIRECT, the file %lld", o, w, v);
			return -EIO;
		}
	}
	return 0;
}
