// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: fs-dax (--fs dax): the pfn of a mapped page is the pmem base plus its FIEMAP block; a
 * layout change waiting in break_layouts holds the inode lock.
 */
#include "agent.h"

/*
 * fs-dax: while a layout change of the file waits in break_layouts it holds the inode's
 * IOLOCK: read(2)/write(2)/lseek/FIEMAP of the file would sleep until it finishes.
 */
int would_sleep(struct req *r, const char *what)
{
	struct out o;

	if (!fs_dax() || !g.lops[r->file].on)
		return 0;
	reply_begin(&o, r->id);
	oprintf(&o, ",\"result\":\"wait\",\"message\":\"%s would sleep: the %s waiting in break_layouts holds the inode lock\"",
		what, r->file >= 0 ? "layout change" : "");
	reply_end(&o, NULL);
	return 1;
}

/* /proc/self/pagemap: the pfn of a mapped virtual page (root sees pfns), or -1 */
long long virt_pfn(const void *addr)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t at = (off_t)((uintptr_t)addr / PG) * 8;

	if (fd < 0)
		return -1;
	if (pread(fd, &e, sizeof(e), at) != sizeof(e)) {
		xclose(fd, "/proc/self/pagemap");
		return -1;
	}
	xclose(fd, "/proc/self/pagemap");
	if (!(e & (1ULL << 63)))
		return -1;
	return (long long)(e & ((1ULL << 55) - 1));
}

/* the pmem data area's first pfn: the nd pfn device's resource (start + data offset) */
void find_pmem_base(void)
{
	long long v;
	char buf[64];
	int fd = open("/sys/block/pmem0/device/resource", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	g.pmem_base_pfn = -1;
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	xclose(fd, "/sys/block/pmem0/device/resource");
	if (n <= 0)
		return;
	buf[n] = 0;
	v = strtoll(buf, NULL, 0);
	if (v > 0)
		g.pmem_base_pfn = v / (long long)PG;
	diag("pmem data area at %#llx (pfn %#llx)", v, g.pmem_base_pfn);
}

/* blocks from FIEMAP and, on fs-dax, addrs from pagemap, checked to agree */
int grant_blocks(struct grant *gr, char *why, size_t cap)
{
	struct file *f = &g.files[gr->file];

	gr->nblk = 0;
	for (int o = gr->lo; o <= gr->hi; o++) {
		long long b, pfn;
		unsigned fl;
		int err = page_block(f->fd, o - 1, &b, &fl);

		if (err) {
			snprintf(why, cap, "FIEMAP: %s", strerror(-err));
			return err;
		}
		gr->blk[o] = b;
		gr->addr[o] = -1;
		if (b >= 0)
			gr->nblk++;
		if (!fs_dax() || !f->map)
			continue;
		{
			volatile char c = f->map[(o - 1) * PG];	/* the CPU maps it: pagemap sees it */

			(void)c;
		}
		pfn = virt_pfn(f->map + (o - 1) * PG);
		if (pfn < 0)
			continue;
		gr->addr[o] = pfn * (long long)PG;
		if (g.pmem_base_pfn < 0 && b >= 0)
			g.pmem_base_pfn = pfn - b;
		if (b >= 0 && pfn != g.pmem_base_pfn + b) {
			snprintf(why, cap, "page %d: pagemap pfn %#llx != pmem base %#llx + FIEMAP block %lld",
				 o, pfn, g.pmem_base_pfn, b);
			return -EIO;
		}
	}
	return 0;
}
