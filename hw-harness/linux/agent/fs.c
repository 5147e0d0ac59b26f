// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: files on a real filesystem (--fs dax|pagecache --dir DIR): FIEMAP, layout changes on a
 * thread (the kernel may make them wait), a DMA in flight as a page reference held by a
 * pipe (vmsplice), long-term pins through gup_test.
 */
#include "agent.h"

static const char *const LOP_NAME[] = { "truncate", "punch", "fallocate", "unshare", "relocate",
					"reflink" };

const char *LOP_NAME_OF(int kind)
{
	return LOP_NAME[kind];
}

int fs_on(void)
{
	return g.fs != NULL;
}

int fs_dax(void)
{
	return g.fs && !strcmp(g.fs, "dax");
}

/* FIEMAP of one page: its block (fs block = 4 KiB) or -1, and the extent flags */
int page_block(int fd, int pageidx, long long *block, unsigned *flags)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[1];
	} q;

	memset(&q, 0, sizeof(q));
	q.fm.fm_start = (__u64)pageidx * PG;
	q.fm.fm_length = PG;
	q.fm.fm_flags = FIEMAP_FLAG_SYNC * 0;	/* the extent map as it is: no writeback */
	q.fm.fm_extent_count = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &q.fm))
		return -errno;
	*block = -1;
	*flags = 0;
	if (q.fm.fm_mapped_extents < 1)
		return 0;	/* a hole */
	*flags = q.ext[0].fe_flags;
	if (q.ext[0].fe_flags & (FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_UNKNOWN))
		return 0;	/* no block yet */
	*block = (long long)((q.ext[0].fe_physical + ((__u64)pageidx * PG - q.ext[0].fe_logical)) / PG);
	return 0;
}

/*
 * Which layout changes this filesystem really has, tried once at start on two scratch files
 * of --dir: reflink (FICLONERANGE), unshare (FALLOC_FL_UNSHARE_RANGE of the reflinked page)
 * and relocate (XFS_IOC_EXCHANGE_RANGE with an O_TMPFILE copy, as lop_thread does).  An
 * errno here keeps the operation out of the hello's "ops" (e.g. fs-dax: the exchange answers
 * EOPNOTSUPP), with the kernel's answer as the reason.
 */
void fs_probe_ops(void)
{
	char path[320], *buf = calloc(1, PG);
	struct file_clone_range c = { .src_offset = 0, .src_length = PG, .dest_offset = PG };
	struct xfs_exchange_range x = { .file1_offset = 0, .file2_offset = 0, .length = PG };
	int fd, t = -1;

	snprintf(path, sizeof(path), "%s/devmap-probe", g.fs_dir);
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || !buf || pwrite(fd, buf, PG, 0) != (ssize_t)PG || fsync(fd)) {
		int e = fd < 0 || !buf ? (buf ? errno : ENOMEM) : errno ? errno : EIO;

		for (int k = LOP_UNSHARE; k <= LOP_REFLINK; k++)
			g.lop_err[k] = e;
		diag("probing the filesystem's layout changes: %s", strerror(e));
		goto out;
	}
	c.src_fd = fd;
	g.lop_err[LOP_REFLINK] = ioctl(fd, FICLONERANGE, &c) ? errno : 0;
	g.lop_err[LOP_UNSHARE] = g.lop_err[LOP_REFLINK] ? g.lop_err[LOP_REFLINK]
			       : fallocate(fd, FALLOC_FL_UNSHARE_RANGE, PG, PG) ? errno : 0;
	t = open(g.fs_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t < 0 || pwrite(t, buf, PG, 0) != (ssize_t)PG || fsync(t)) {
		g.lop_err[LOP_RELOCATE] = errno ? errno : EIO;
	} else {
		x.file1_fd = t;
		g.lop_err[LOP_RELOCATE] = ioctl(fd, XFS_IOC_EXCHANGE_RANGE, &x) ? errno : 0;
	}
	for (int k = LOP_UNSHARE; k <= LOP_REFLINK; k++)
		diag("probe: %s %s", LOP_NAME[k], g.lop_err[k] ? strerror(g.lop_err[k]) : "works");
out:
	if (t >= 0)
		xclose(t, "O_TMPFILE");
	if (fd >= 0)
		xclose(fd, path);
	unlink(path);
	free(buf);
}

/* why a layout change this filesystem does not have is not offered (NULL: it has it) */
const char *fs_lop_why_not(int kind)
{
	static const char *const call[] = { [LOP_UNSHARE] = "fallocate(FALLOC_FL_UNSHARE_RANGE)",
					    [LOP_RELOCATE] = "ioctl(XFS_IOC_EXCHANGE_RANGE)",
					    [LOP_REFLINK] = "ioctl(FICLONERANGE)" };
	static char why[LOP_REFLINK + 1][200];

	if (kind < LOP_UNSHARE || kind > LOP_REFLINK || !g.lop_err[kind])
		return NULL;
	snprintf(why[kind], sizeof(why[kind]), "%s answers %s on this filesystem%s (probed at start)",
		 call[kind], errname(g.lop_err[kind]), fs_dax() ? " (xfs -o dax)" : "");
	return why[kind];
}

int fs_create_file(int i, const char *name)
{
	struct file *f = &g.files[i];

	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->path, sizeof(f->path), "%s/devmap-%s", g.fs_dir, name);
	if (unlink(f->path) && errno != ENOENT)
		return -errno;
	f->fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return -errno;
	if (ftruncate(f->fd, (off_t)g.npages * PG))
		return -errno;
	f->dio_fd = fs_dax() ? -1 : open(f->path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (!fs_dax() && f->dio_fd < 0)
		return -errno;
	f->map = NULL;
	f->sealed = 0;
	return 0;
}

/*
 * The log's word on the page a page-cache DMA holds: its page frame and the size of the folio it
 * belongs to (/proc/kpageflags: KPF_COMPOUND_HEAD, then the KPF_COMPOUND_TAIL frames after it), so
 * that a run shows whether a later truncate of a neighbouring page had a large folio to split.
 * Informative only: nothing is decided from it.
 */
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
static void diag_folio(const char *who, long long pfn)
{
	uint64_t fl = 0;
	int k, n = 1;

	if (pfn < 0 || (k = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (pread(k, &fl, sizeof(fl), (off_t)pfn * 8) == sizeof(fl) && (fl & (1ULL << KPF_COMPOUND_HEAD)))
		while (n < 512 && pread(k, &fl, sizeof(fl), (off_t)(pfn + n) * 8) == sizeof(fl) &&
		       (fl & (1ULL << KPF_COMPOUND_TAIL)))
			n++;
	else if (fl & (1ULL << KPF_COMPOUND_TAIL))
		n = -1;
	xclose(k, "/proc/kpageflags");
	if (n < 0)
		diag("%s holds page frame %#llx, a tail page of a large folio", who, pfn);
	else
		diag("%s holds page frame %#llx, %s of %d page%s", who, pfn, n > 1 ? "the head of a folio" : "a folio",
		     n, n > 1 ? "s" : "");
}

/* ---- DMA in flight: a page reference held by a pipe ---- */
static int dma_on_file(int imp, int file)
{
	return g.dmas[imp].on && g.dmas[imp].file == file;
}

/*
 * A write DMA ends: its value lands in the page it was given at its start, whatever the file
 * did meanwhile (a device writes the address it holds).  fs-dax: that page is the pmem block
 * (pfn = pmem base + block), written through /dev/pmem0 with O_DIRECT (the pmem driver's
 * memcpy to the same memory; the CPU mapping may be gone: a layout change waiting in
 * break_layouts unmapped it).  Page cache: the page the pipe holds, written through the CPU
 * mapping while it still maps that page frame (pagemap); otherwise the page left the file
 * and the write is lost with it.
 */
static void dma_land(struct dma *d, int imp)
{
	struct file *f = &g.files[d->file];
	char *page;

	if (fs_dax()) {
		if (g.pmem_fd < 0 || d->blk < 0 || posix_memalign((void **)&page, PG, PG)) {
			diag("DMA write of %s: no pmem block to land on (block %lld)", g.imps[imp], d->blk);
			return;
		}
		if (pread(g.pmem_fd, page, PG, (off_t)d->blk * PG) != (ssize_t)PG ||
		    (memcpy(page, &d->v, sizeof(d->v)),
		     pwrite(g.pmem_fd, page, PG, (off_t)d->blk * PG) != (ssize_t)PG))
			diag("DMA write of %s to pmem block %lld: %s", g.imps[imp], d->blk, strerror(errno));
		free(page);
		return;
	}
	if (d->pfn < 0 || file_page_pfn(f->fd, d->off - 1) != d->pfn) {
		diag("DMA write of %s: page frame %#llx is no longer %s page %d: the write is lost with the page",
		     g.imps[imp], d->pfn, f->name, d->off);
		return;
	}
	if (page_write_value(f->fd, d->off - 1, d->v))	/* the same page-cache page */
		diag("DMA write of %s: pwrite: %s", g.imps[imp], strerror(errno));
	else
		diag("DMA write of %s lands in %s page %d: page frame %#llx is still the file's", g.imps[imp],
		     f->name, d->off, d->pfn);
}

/* drops the reference: the pipe is read (the device's DMA "completes") and closed */
static long long dma_drain(int imp)
{
	struct dma *d = &g.dmas[imp];
	char *buf = malloc(PG);
	long long v = d->v;
	ssize_t n;

	if (d->write)
		dma_land(d, imp);
	if (!buf)
		return v;
	n = read(d->pfd[0], buf, PG);
	if (n < (ssize_t)sizeof(v))
		diag("DMA of %s: pipe read %zd: %s", g.imps[imp], n, n < 0 ? strerror(errno) : "short");
	else if (!d->write)
		memcpy(&v, buf, sizeof(v));	/* what a read DMA reads: the page at its end */
	free(buf);
	xclose(d->pfd[0], "pipe");
	xclose(d->pfd[1], "pipe");
	d->on = 0;
	diag("DMA of %s ended after %.1f ms: page reference dropped", g.imps[imp], now_ms() - d->t0);
	return v;
}

/* ---- layout changes on a thread ---- */
static void *lop_thread(void *arg)
{
	struct lop *l = arg;
	struct file *f = &g.files[l->file];
	int fd = f->fd, err = 0;

	switch (l->kind) {
	case LOP_TRUNCATE:
		err = ftruncate(fd, (off_t)l->a * PG) ? errno : 0;
		break;
	case LOP_PUNCH:
		err = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (l->a - 1) * PG,
				(l->b - l->a + 1) * PG) ? errno : 0;
		break;
	case LOP_FALLOCATE:
		err = fallocate(fd, 0, (l->a - 1) * PG, PG) ? errno : 0;
		break;
	case LOP_UNSHARE:
		err = fallocate(fd, FALLOC_FL_UNSHARE_RANGE, (l->a - 1) * PG, PG) ? errno : 0;
		break;
	case LOP_REFLINK: {
		struct file_clone_range c = { .src_fd = fd, .src_offset = (l->a - 1) * PG,
					      .src_length = PG, .dest_offset = (l->b - 1) * PG };

		err = ioctl(fd, FICLONERANGE, &c) ? errno : 0;
		break;
	}
	case LOP_RELOCATE: {	/* the page's data goes to a new block: exchange with a tmpfile */
		int t = open(g.fs_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		char *buf = malloc(PG);
		struct xfs_exchange_range x = { .file1_offset = (l->a - 1) * PG,
						.file2_offset = (l->a - 1) * PG, .length = PG };

		if (t < 0 || !buf) {
			err = t < 0 ? errno : ENOMEM;
		} else if (pread(fd, buf, PG, (l->a - 1) * PG) != (ssize_t)PG ||
			   pwrite(t, buf, PG, (l->a - 1) * PG) != (ssize_t)PG || fsync(t)) {
			err = errno ? errno : EIO;
		} else {
			x.file1_fd = t;
			err = ioctl(fd, XFS_IOC_EXCHANGE_RANGE, &x) ? errno : 0;
		}
		free(buf);
		if (t >= 0)
			xclose(t, "O_TMPFILE");
		break;
	}
	}
	l->err = err;
	l->t1 = now_ms();
	__atomic_store_n(&l->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int lop_finished(struct lop *l)
{
	return __atomic_load_n(&l->finished, __ATOMIC_ACQUIRE);
}

/* waits up to ms for the file's layout change; 1 if it has finished */
static int lop_wait(int file, int ms)
{
	struct lop *l = &g.lops[file];
	double end = now_ms() + ms;

	while (l->on && !lop_finished(l) && now_ms() < end)
		usleep(1000);
	return !l->on || lop_finished(l);
}

/* appends the events of layout changes that finished (the kernel proceeded) to ev */
void lop_collect(char *ev, size_t cap)
{
	size_t n = strlen(ev);

	for (int f = 0; f < g.nfiles; f++) {
		struct lop *l = &g.lops[f];
		struct invlist inv;

		if (!l->on || !lop_finished(l))
			continue;
		xjoin(l->t);
		l->on = 0;
		diag("%s of %s finished after %.1f ms: %s", LOP_NAME[l->kind], g.files[f].name,
		     l->t1 - l->t0, l->err ? strerror(l->err) : "ok");
		for (int i = 0; i < g.nimps; i++)	/* the awaited importers whose DMA drained */
			if ((l->awaiting >> i & 1) && !dma_on_file(i, f))
				n += snprintf(ev + n, cap - n, "%s{\"event\":\"ack\",\"imp\":\"%s\",\"file\":\"%s\"}",
					      n ? "," : "", g.imps[i], g.files[f].name);
		n += snprintf(ev + n, cap - n, "%s{\"event\":\"inv_end\",\"file\":\"%s\"}", n ? "," : "",
			      g.files[f].name);
		if (n >= cap)
			n = cap - 1;
		probe_file(f, "the end of the layout change", &inv);	/* maps made during the wait */
	}
}

/*
 * The events of layout changes that have finished, each on a line of its own before the next
 * answer ("event lines before an answer happened before the operation"): a dma_end must not
 * report after itself an inv_end that came before the reference was dropped.
 */
void lop_events_before(void)
{
	char ev[LINE_MAX_LEN / 2] = "";
	struct out o = { .n = 0 };

	lop_collect(ev, sizeof(ev));
	for (char *p = ev, *e; *p; p = e) {	/* "{...},{...}": the objects hold no braces */
		e = strchr(p, '}');
		if (!e)
			break;
		e++;
		oprintf(&o, "%.*s", (int)(e - p), p);
		emit(&o);
		if (*e == ',')
			e++;
	}
}

/*
 * truncate / punch / fallocate / unshare / relocate / reflink: on a thread; answered when
 * it returns within LOP_WAIT_MS, else "started" (the kernel waits, in break_layouts, for
 * the page references of DMA in flight) with inv_end later.
 */
static void run_lop(struct req *r, enum lop_kind kind, long long a, long long b)
{
	struct lop *l = &g.lops[r->file];
	struct invlist inv;
	struct out o;
	char ev[LINE_MAX_LEN / 2] = "";
	size_t n = 0;
	int k = 0;

	if (l->on) {
		struct out w;

		reply_begin(&w, r->id);
		oprintf(&w, ",\"result\":\"wait\",\"message\":\"the %s of %s still waits in the kernel\"",
			LOP_NAME[l->kind], g.files[r->file].name);
		reply_end(&w, NULL);
		return;
	}
	memset(l, 0, sizeof(*l));
	l->file = r->file;
	l->kind = kind;
	l->a = a;
	l->b = b;
	l->t0 = now_ms();
	for (int i = 0; i < g.nimps; i++)
		if (dma_on_file(i, r->file))
			l->awaiting |= 1u << i;
	if (pthread_create(&l->t, NULL, lop_thread, l)) {
		reply_err(r->id, EAGAIN, "pthread_create failed");
		return;
	}
	l->on = 1;
	/* the kernel can only wait for a page reference: with no DMA in flight, a layout change
	 * that takes longer is slow (a loaded machine), not waiting; answered when it returns */
	if (lop_wait(r->file, l->awaiting ? LOP_WAIT_MS : LOP_SLOW_MS)) {
		xjoin(l->t);
		l->on = 0;
		if (l->err) {
			g.reply_by_kernel = 1;	/* the errno is the kernel's */
			reply_err(r->id, l->err, "%s: %s", LOP_NAME[kind], strerror(l->err));
			return;
		}
		probe_file(r->file, LOP_NAME[kind], &inv);
		diag("%s of %s returned in %.1f ms", LOP_NAME[kind], g.files[r->file].name, l->t1 - l->t0);
		if (l->awaiting) {
			diag("%s of %s went on with DMA in flight (a page reference held): the kernel did not wait",
			     LOP_NAME[kind], g.files[r->file].name);
			g.reply_by_kernel = 1;	/* not waiting, and the inv_end that follows, are the kernel's */
		}
		/*
		 * fs-dax: an importer with DMA in flight has not drained: no ack for it.  Page
		 * cache: nothing waits for a page reference; the mirror's notifier callback
		 * returning is the ack, DMA or not (choice pagecache-acks-with-dma).
		 */
		{
			struct invlist acked = inv;

			acked.n = 0;
			for (int i = 0; i < inv.n; i++)
				if (!fs_dax() || !dma_on_file(inv.imp[i], inv.file[i]))
					acked.imp[acked.n] = inv.imp[i], acked.file[acked.n] = inv.file[i],
					acked.lo[acked.n] = inv.lo[i], acked.hi[acked.n] = inv.hi[i], acked.n++;
			reply_inv_acks(r->id, &inv, &acked, "");
		}
		return;
	}
	/* still running: the kernel made it wait.  It unmapped the file's mappings first. */
	diag("%s of %s waits in the kernel (%.0f ms so far; DMA in flight of %d importer(s))",
	     LOP_NAME[kind], g.files[r->file].name, now_ms() - l->t0, __builtin_popcount(l->awaiting));
	reply_begin(&o, r->id);
	oputs(&o, ",\"result\":\"started\",\"by\":\"kernel\",\"notified\":[");
	for (int i = 0; i < g.nimps; i++) {
		int has = 0;

		for (int j = 0; j < MAX_GRANTS; j++) {
			struct grant *gr = &g.grants[j];

			if (gr->used && !gr->pin && gr->imp == i && gr->file == r->file) {
				has = 1;
				for (int p = gr->lo; p <= gr->hi; p++)
					gr->live[p] = 0;
			}
		}
		if (!has && !(l->awaiting >> i & 1))
			continue;
		l->notified |= 1u << i;
		oputs(&o, k++ ? "," : "");
		oquote(&o, g.imps[i]);
		if (!(l->awaiting >> i & 1))
			n += snprintf(ev + n, sizeof(ev) - n, "%s{\"event\":\"ack\",\"imp\":\"%s\",\"file\":\"%s\"}",
				      n ? "," : "", g.imps[i], g.files[r->file].name);
	}
	oputs(&o, "]");
	reply_end(&o, ev);
}

void op_layout(struct req *r, enum lop_kind kind)
{
	long long a = 0, b = 0;

	if (need_file(r))
		return;
	switch (kind) {
	case LOP_TRUNCATE:
		if (jint(r->j, "pages", &a) || a < 0 || a > g.npages) {
			reply_err(r->id, EINVAL, "pages must be 0..%d", g.npages);
			return;
		}
		break;
	case LOP_PUNCH:
		if (need_page(r, "lo", &a) || need_page(r, "hi", &b))
			return;
		if (b < a) {
			reply_err(r->id, EINVAL, "hi < lo");
			return;
		}
		break;
	case LOP_REFLINK:
		if (need_page(r, "off", &a) || need_page(r, "to", &b))
			return;
		break;
	default:
		if (need_page(r, "off", &a))
			return;
	}
	run_lop(r, kind, a, b);
}

/* gup_test long-term pin of the grant's pages: the kernel grants or refuses it */
int fs_pin(struct grant *gr, char *why, size_t cap)
{
	struct file *f = &g.files[gr->file];
	struct pin_longterm_test p = { .addr = (uintptr_t)(f->map + (gr->lo - 1) * PG),
				       .size = (gr->hi - gr->lo + 1) * PG,
				       .flags = gr->write ? PIN_LONGTERM_TEST_FLAG_USE_WRITE : 0 };
	int fd = open(GUP_TEST_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, cap, "%s: %s", GUP_TEST_DEV, strerror(errno));
		return -errno;
	}
	if (ioctl(fd, PIN_LONGTERM_TEST_START, &p)) {
		int e = errno;

		xclose(fd, GUP_TEST_DEV);
		snprintf(why, cap, "FOLL_LONGTERM pin (gup_test PIN_LONGTERM_TEST_START%s): %s",
			 gr->write ? ", write" : "", strerror(e));
		return -e;
	}
	gr->dmabuf = fd;	/* the pin lives as long as this fd's test pin */
	for (int o = gr->lo; o <= gr->hi; o++)
		gr->live[o] = 1;
	diag("long-term pin of %s %d..%d granted by the kernel", f->name, gr->lo, gr->hi);
	return 0;
}

/* a read through a gup_test pin: PIN_LONGTERM_TEST_READ copies the pinned pages out */
int fs_pin_read(struct grant *gr, int off, long long *v)
{
	size_t len = (gr->hi - gr->lo + 1) * PG;
	char *buf = malloc(len);
	__u64 a = (uintptr_t)buf;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (ioctl(gr->dmabuf, PIN_LONGTERM_TEST_READ, &a))
		err = -errno;
	else
		memcpy(v, buf + (off - gr->lo) * PG, sizeof(*v));
	free(buf);
	return err;
}

void op_dma_start_fs(struct req *r)
{
	const char *dir = jstr(r->j, "dir"), *path;
	int write = dir && !strcmp(dir, "write");
	struct dma *d;
	struct iovec iov;
	long long v = 0;
	struct out o;

	if (dma_begin(r, dir, write, &v, &path, 1))
		return;
	d = &g.dmas[r->imp];
	if (pipe2(d->pfd, O_CLOEXEC)) {
		reply_err(r->id, errno, "pipe2: %s", strerror(errno));
		return;
	}
	iov.iov_base = g.files[r->file].map + (r->off - 1) * PG;
	iov.iov_len = PG;
	if (vmsplice(d->pfd[1], &iov, 1, 0) != (ssize_t)PG) {
		int e = errno;

		xclose(d->pfd[0], "pipe");
		xclose(d->pfd[1], "pipe");
		reply_err(r->id, e, "vmsplice (the DMA's page reference): %s", strerror(e));
		return;
	}
	d->on = 1;
	d->file = r->file;
	d->off = r->off;
	d->write = write;
	d->v = v;
	d->t0 = now_ms();
	d->pfn = virt_pfn(iov.iov_base);	/* vmsplice faulted it in: the page the DMA holds */
	diag_folio(g.imps[r->imp], d->pfn);
	{	/* the grant's block (FIEMAP at grant time; a waiting layout change holds the lock) */
		struct grant *gr = find_grant(r->imp, r->file, (int)r->off, 0);
		unsigned fl;

		d->blk = gr && gr->nblk ? gr->blk[r->off] : -1;
		if (d->blk < 0 && !(fs_dax() && g.lops[r->file].on) &&
		    page_block(g.files[r->file].fd, (int)r->off - 1, &d->blk, &fl))
			d->blk = -1;
	}
	reply_begin(&o, r->id);
	oputs(&o, ",\"result\":\"done\"");
	if (write)
		oprintf(&o, ",\"value\":%lld", v);
	oputs(&o, ",\"path\":\"direct\"");
	reply_end(&o, NULL);
}

void op_dma_end_fs(struct req *r)
{
	struct out o;
	long long v;
	int file, held;

	if (need_imp(r))
		return;
	if (!g.dmas[r->imp].on) {
		reply_err(r->id, EINVAL, "%s has no DMA in flight", g.imps[r->imp]);
		return;
	}
	file = g.dmas[r->imp].file;
	/* a layout change that finished before the reference is dropped did not wait for it: its
	 * inv_end goes on lines before this answer (it happened first), not after the DMA's end */
	lop_events_before();
	held = g.lops[file].on;	/* still waiting in the kernel as the reference is dropped */
	v = dma_drain(r->imp);
	reply_begin(&o, r->id);
	if (g.dmas[r->imp].write)
		oprintf(&o, ",\"result\":\"done\",\"value\":%lld,\"path\":\"direct\"", v);
	else
		oprintf(&o, ",\"result\":\"value\",\"value\":%lld,\"path\":\"direct\"", v);
	if (held && lop_wait(file, 3000))
		g.reply_by_kernel = 1;	/* the inv_end that follows is the kernel's progress */
	reply_end(&o, NULL);
}

/* inv_ack: the kernel's acks are not the program's; only a drained DMA ends a wait */
void op_inv_ack_fs(struct req *r)
{
	if (need_imp(r) || need_file(r))
		return;
	if (g.lops[r->file].on && dma_on_file(r->imp, r->file)) {
		reply_busy(r->id, EBUSY, "its DMA is in flight (a page reference the kernel waits for)");
		return;
	}
	reply_err(r->id, EINVAL, "nothing of %s awaits an acknowledgement of %s: the mmu notifier "
		  "callback returned (the kernel's ack) when the mapping was invalidated",
		  g.files[r->file].name, g.imps[r->imp]);
}

/* settle: every DMA drains, every layout change finishes */
void op_settle_fs(struct req *r)
{
	char ev[LINE_MAX_LEN / 2] = "";
	size_t n = 0;
	struct out o;

	lop_collect(ev, sizeof(ev));	/* changes that finished before the DMAs drain: their events first */
	n = strlen(ev);
	for (int i = 0; i < g.nimps; i++) {
		if (!g.dmas[i].on)
			continue;
		long long v = dma_drain(i);

		n += snprintf(ev + n, sizeof(ev) - n, "%s{\"event\":\"dma_end\",\"imp\":\"%s\",\"value\":%lld}",
			      n ? "," : "", g.imps[i], v);
	}
	for (int f = 0; f < g.nfiles; f++)
		if (g.lops[f].on && lop_wait(f, 5000))
			g.reply_by_kernel = 1;
	reply_begin(&o, r->id);
	oputs(&o, ",\"result\":\"idle\"");
	reply_end(&o, ev);
}

/* before a reset: no DMA, no layout change left */
void fs_quiesce(void)
{
	for (int i = 0; i < MAX_IMPS; i++)
		if (g.dmas[i].on)
			dma_drain(i);
	for (int f = 0; f < MAX_FILES; f++)
		if (g.lops[f].on) {
			if (!lop_wait(f, 10000))
				diag("the %s of file %d still waits after 10 s", LOP_NAME[g.lops[f].kind], f);
			xjoin(g.lops[f].t);
			g.lops[f].on = 0;
		}
}
