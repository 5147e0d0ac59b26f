// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: the memfd device (--device linux-qemu): shmem files, synchronous truncate/punch/
 * fallocate, udmabuf pins (F_SEAL_SHRINK), synchronous DMA.
 */
#include "agent.h"

int create_file(int i, const char *name)
{
	struct file *f = &g.files[i];

	if (fs_on())
		return fs_create_file(i, name);

	snprintf(f->name, sizeof(f->name), "%s", name);
	f->fd = memfd_create(name, MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	if (ftruncate(f->fd, (off_t)g.npages * PG))
		return -errno;
	f->map = NULL;
	f->sealed = 0;
	return 0;
}

static int live_pins(int file, int lo, int hi)
{
	int n = 0;

	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];

		if (gr->used && gr->pin && gr->file == file && gr->hi >= lo && gr->lo <= hi)
			n++;
	}
	return n;
}

void op_truncate(struct req *r)
{
	struct invlist inv;
	long long n;

	if (need_file(r))
		return;
	if (jint(r->j, "pages", &n) || n < 0 || n > g.npages) {
		reply_err(r->id, EINVAL, "pages must be 0..%d", g.npages);
		return;
	}
	if (ftruncate(g.files[r->file].fd, (off_t)n * PG)) {
		int e = errno;

		if (e == EPERM && live_pins(r->file, n + 1, g.npages)) {
			reply_busy(r->id, e,
				   "ftruncate: EPERM (F_SEAL_SHRINK of the udmabuf-exported memfd)");
			return;
		}
		if (e == EPERM && g.files[r->file].sealed) {
			reply_err(r->id, e, "ftruncate: EPERM: the memfd keeps F_SEAL_SHRINK after "
				  "its dma-buf was released (seals are permanent; the kernel has no unpin)");
			return;
		}
		reply_err(r->id, e, "ftruncate: %s", strerror(e));
		return;
	}
	/* growing back refills with holes: restore the full scratch size lazily is not needed;
	 * pages beyond n now read as EOF */
	scan_invalidations(r->file, "truncate", &inv);
	reply_done_inv(r->id, &inv);
}

void op_punch(struct req *r)
{
	struct invlist inv;

	if (need_file(r) || need_page(r, "lo", &r->lo) || need_page(r, "hi", &r->hi))
		return;
	if (r->hi < r->lo) {
		reply_err(r->id, EINVAL, "hi < lo");
		return;
	}
	if (fallocate(g.files[r->file].fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (r->lo - 1) * PG, (r->hi - r->lo + 1) * PG)) {
		reply_err(r->id, errno, "fallocate(PUNCH_HOLE): %s", strerror(errno));
		return;
	}
	if (live_pins(r->file, r->lo, r->hi))
		diag("punch %s %lld..%lld over a live udmabuf pin: not refused by the kernel",
		     g.files[r->file].name, r->lo, r->hi);
	scan_invalidations(r->file, "punch", &inv);
	reply_done_inv(r->id, &inv);
}

void op_fallocate(struct req *r)
{
	struct invlist inv;

	if (need_file(r) || need_page(r, "off", &r->off))
		return;
	if (fallocate(g.files[r->file].fd, 0, (r->off - 1) * PG, PG)) {
		reply_err(r->id, errno, "fallocate: %s", strerror(errno));
		return;
	}
	scan_invalidations(r->file, "fallocate", &inv);
	reply_done_inv(r->id, &inv);
}

int establish_pin(struct grant *gr, char *why, size_t cap)
{
	struct file *f = &g.files[gr->file];
	struct udmabuf_create c = {
		.memfd = f->fd, .offset = (gr->lo - 1) * PG, .size = (gr->hi - gr->lo + 1) * PG,
	};
	int ufd, fd;
	void *p;

	if (!f->sealed) {
		if (fcntl(f->fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
			snprintf(why, cap, "F_ADD_SEALS(F_SEAL_SHRINK): %s", strerror(errno));
			return -errno;
		}
		f->sealed = 1;
	}
	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (ufd < 0) {
		snprintf(why, cap, "/dev/udmabuf: %s", strerror(errno));
		return -errno;
	}
	fd = ioctl(ufd, UDMABUF_CREATE, &c);
	if (fd < 0) {
		int e = errno;

		xclose(ufd, "/dev/udmabuf");
		snprintf(why, cap, "UDMABUF_CREATE: %s", strerror(e));
		return -e;
	}
	xclose(ufd, "/dev/udmabuf");
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		xclose(fd, "dma-buf");
		snprintf(why, cap, "mmap(dma-buf): %s", strerror(e));
		return -e;
	}
	gr->dmabuf = fd;
	gr->dmabuf_map = p;
	for (int o = gr->lo; o <= gr->hi; o++)
		gr->live[o] = 1;
	diag("udmabuf: %s %d..%d pinned as dma-buf fd %d", f->name, gr->lo, gr->hi, fd);
	return 0;
}

/*
 * dma_start {imp, file, off, dir, value}: the mirror ioctls are synchronous, so the DMA
 * has ended when the answer is written: "done", then the dma_end event (with the value a
 * read DMA read).  A DMA needs the importer's grant.
 */
void op_dma_start(struct req *r)
{
	const char *dir = jstr(r->j, "dir"), *path;
	int write = dir && !strcmp(dir, "write");
	char ev[MAX_STR * 2];
	long long v = 0;
	struct out o;

	if (dma_begin(r, dir, write, &v, &path, 0))
		return;
	reply_begin(&o, r->id);
	oputs(&o, ",\"result\":\"done\"");
	snprintf(ev, sizeof(ev), "{\"event\":\"dma_end\",\"imp\":\"%s\",\"value\":%lld}",
		 g.imps[r->imp], v);
	reply_end(&o, ev);
}

/* dma_end: the DMA ended with its dma_start (the mirror ioctls are synchronous) */
void op_dma_end(struct req *r)
{
	reply_done(r->id);
}

/* settle: every step is synchronous, nothing is left */
void op_settle(struct req *r)
{
	struct out o;

	reply_begin(&o, r->id);
	oputs(&o, ",\"result\":\"idle\"");
	reply_end(&o, NULL);
}
