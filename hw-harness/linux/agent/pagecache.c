// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: a page-cache filesystem (--fs pagecache): writeback, evict, O_DIRECT file -> CMB.
 */
#include "agent.h"

/* writeback / evict: synchronous; a mirror they made drop shows in the probe */
void op_writeback(struct req *r, int evict)
{
	struct invlist inv;
	int fd, err;

	if (need_file(r) || need_page(r, "off", &r->off))
		return;
	fd = g.files[r->file].fd;
	if (evict)
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
