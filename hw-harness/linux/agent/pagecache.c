// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: a page-cache filesystem (--fs pagecache): writeback, evict, O_DIRECT file -> CMB.
 */
#include "agent.h"

/* cachestat(2) (Linux 6.5): the page-cache state of a range, dirty pages included */
struct cachestat_range {
	__u64 off;
	__u64 len;
};
struct cachestat {
	__u64 nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

/* is the page dirty in the page cache (cachestat)?  1, 0, or -errno */
static int page_dirty(int fd, long long off)
{
	struct cachestat_range cr = { .off = (__u64)(off - 1) * PG, .len = PG };
	struct cachestat cs = { 0 };

	if (syscall(__NR_cachestat, fd, &cr, &cs, 0))
		return -errno;
	return cs.nr_dirty > 0;
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
		diag("cachestat: %s: evict goes to fadvise", strerror(-dirty));
	if (evict && dirty > 0) {
		diag("evict %s page %lld: dirty (cachestat): kept, not fadvised (fadvise would write it back)",
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
