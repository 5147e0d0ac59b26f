// SPDX-License-Identifier: GPL-2.0
#include "agent.h"

static int t_num, t_pass, t_fail, t_skip;

static void t_result(int ok, const char *name, const char *skip)
{
	const struct witness *w = witness_of(name);

	t_num++;
	if (w && w->reqs[0])	/* the harness reads this line: the evidence the next result is */
		printf("# witnesses %s %s: %s\n", w->cls, w->reqs, w->what);
	else if (w)
		printf("# %s\n", w->what);
	if (skip)
		t_skip++;
	else if (ok)
		t_pass++;
	else
		t_fail++;
	if (skip)
		printf("ok %d %s # SKIP %s\n", t_num, name, skip);
	else
		printf("%s %d %s\n", ok ? "ok" : "not ok", t_num, name);
	fflush(stdout);
}

static char tbuf[4 * 4096] __attribute__((aligned(4096)));

#define CHECK(cond, ...) do { if (!(cond)) { diag(__VA_ARGS__); return 0; } } while (0)

struct tfile {
	int fd;
	char *map;
	int mfd;
};

static int tfile_open(struct tfile *t, int npages)
{
	t->fd = memfd_create("devmap-selftest", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	CHECK(t->fd >= 0, "memfd_create: %s", strerror(errno));
	CHECK(!ftruncate(t->fd, npages * PG), "ftruncate: %s", strerror(errno));
	t->map = mmap(NULL, npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	CHECK(t->map != MAP_FAILED, "mmap: %s", strerror(errno));
	t->mfd = open(g.hmm_dev, O_RDWR | O_CLOEXEC);
	CHECK(t->mfd >= 0, "open(%s): %s", g.hmm_dev, strerror(errno));
	return 1;
}

static void tfile_close(struct tfile *t, int npages)
{
	if (t->map && t->map != MAP_FAILED)
		munmap(t->map, npages * PG);
	if (t->fd >= 0)
		close(t->fd);
	if (t->mfd >= 0)
		close(t->mfd);
}

static int st_hmm_fault_and_serve(void)
{
	struct tfile t = { -1, NULL, -1 };
	struct hmm_dmirror_cmd c1, c2;
	unsigned char prot[2];
	long long v = 41;
	int ok = 0, err;

	if (!tfile_open(&t, 2))
		goto out;
	if (page_write_value(t.fd, 0, v))
		goto out;
	err = hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map, tbuf, 2, &c1);
	if (err) { diag("READ: %s", strerror(-err)); goto out; }
	err = hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map, tbuf, 2, &c2);
	if (err) { diag("READ: %s", strerror(-err)); goto out; }
	err = hmm_snapshot(t.mfd, t.map, 2, prot);
	if (err) { diag("SNAPSHOT: %s", strerror(-err)); goto out; }
	/* the mirror's own fault count says what it holds; SNAPSHOT is the CPU page table */
	diag("hmm: first READ faults=%llu, second faults=%llu, value %lld (CPU page table 0x%02x 0x%02x)",
	     (unsigned long long)c1.faults, (unsigned long long)c2.faults, *(long long *)tbuf,
	     prot[0], prot[1]);
	ok = c1.faults >= 1 && c2.faults == 0 && *(long long *)tbuf == v;
out:
	tfile_close(&t, 2);
	return ok;
}

static int st_hmm_truncate_invalidates(void)
{
	struct tfile t = { -1, NULL, -1 };
	unsigned char before, after = 0xEE;
	int ok = 0, err, rerr;
	double t0;

	if (!tfile_open(&t, 1))
		goto out;
	if (hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map, tbuf, 1, NULL) ||
	    hmm_snapshot(t.mfd, t.map, 1, &before)) {
		diag("READ/SNAPSHOT failed: %s", strerror(errno));
		goto out;
	}
	t0 = now_ms();
	if (ftruncate(t.fd, 0)) {
		diag("ftruncate: %s", strerror(errno));
		goto out;
	}
	diag("hmm: ftruncate(0) with a live mirror took %.3f ms", now_ms() - t0);
	err = hmm_snapshot(t.mfd, t.map, 1, &after);
	rerr = hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map, tbuf, 1, NULL);
	diag("hmm: CPU page table 0x%02x -> %s0x%02x; device READ after truncate: %s", before,
	     err ? "(error) " : "", after, rerr ? strerror(-rerr) : "succeeded");
	ok = rerr == -EFAULT;	/* the mirror's answer, not the CPU page table's */
out:
	tfile_close(&t, 1);
	return ok;
}

static int st_hmm_punch_refaults(void)
{
	struct tfile t = { -1, NULL, -1 };
	struct hmm_dmirror_cmd c = { 0 };
	unsigned char prot[2];
	unsigned long long c1;
	int ok = 0;

	if (!tfile_open(&t, 2))
		goto out;
	if (hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map, tbuf, 2, NULL))
		goto out;
	if (fallocate(t.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG)) {
		diag("fallocate(PUNCH_HOLE): %s", strerror(errno));
		goto out;
	}
	if (hmm_snapshot(t.mfd, t.map, 2, prot))
		goto out;
	if (hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map, tbuf, 1, &c))
		goto out;
	c1 = c.faults;
	if (hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map + PG, tbuf, 1, &c))
		goto out;
	diag("hmm: after punching page 2: re-read faults page 1 %llu, page 2 %llu (CPU page table 0x%02x 0x%02x)",
	     c1, (unsigned long long)c.faults, prot[0], prot[1]);
	ok = c1 == 0 && c.faults == 1;
out:
	tfile_close(&t, 2);
	return ok;
}

static int st_hmm_coherence(void)
{
	struct tfile t = { -1, NULL, -1 };
	long long v = 0;
	int ok = 0;

	if (!tfile_open(&t, 1))
		goto out;
	memset(tbuf, 0, PG);
	*(long long *)tbuf = 7;
	if (hmm_cmd(t.mfd, HMM_DMIRROR_WRITE, t.map, tbuf, 1, NULL) || page_read_value(t.fd, 0, &v))
		goto out;
	if (v != 7) {
		diag("device WRITE 7, pread saw %lld", v);
		goto out;
	}
	if (page_write_value(t.fd, 0, 8) || hmm_cmd(t.mfd, HMM_DMIRROR_READ, t.map, tbuf, 1, NULL))
		goto out;
	diag("hmm: device WRITE 7 -> pread %lld; pwrite 8 -> device READ %lld", v,
	     *(long long *)tbuf);
	ok = *(long long *)tbuf == 8;
out:
	tfile_close(&t, 1);
	return ok;
}

static int st_hmm_exclusive(char *skip, size_t cap)
{
	struct tfile t = { -1, NULL, -1 };
	int err;

	if (!tfile_open(&t, 1)) {
		tfile_close(&t, 1);
		return 0;
	}
	page_write_value(t.fd, 0, 3);
	err = hmm_cmd(t.mfd, HMM_DMIRROR_EXCLUSIVE, t.map, tbuf, 1, NULL);
	diag("hmm: HMM_DMIRROR_EXCLUSIVE on a shmem page: %s (the kernel's decision)",
	     err ? strerror(-err) : "granted");
	tfile_close(&t, 1);
	return !err || err == -EBUSY;	/* granted, or refused by the kernel: both are its decision */
}

static int st_udmabuf_pin(void)
{
	struct udmabuf_create c = { .offset = 0, .size = 2 * PG };
	int fd = memfd_create("devmap-pin", MFD_ALLOW_SEALING | MFD_CLOEXEC), ufd = -1, dfd = -1;
	char *dm = MAP_FAILED, *map = MAP_FAILED;
	long long v = 0, fv = -1;
	int ok = 0, shrink_err = 0, punch_err = 0;

	if (fd < 0 || ftruncate(fd, 2 * PG) || page_write_value(fd, 0, 5) ||
	    page_write_value(fd, 1, 6) || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		diag("memfd setup: %s", strerror(errno));
		goto out;
	}
	map = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (ufd < 0 || map == MAP_FAILED) {
		diag("/dev/udmabuf or mmap: %s", strerror(errno));
		goto out;
	}
	c.memfd = fd;
	dfd = ioctl(ufd, UDMABUF_CREATE, &c);
	if (dfd < 0) {
		diag("UDMABUF_CREATE: %s", strerror(errno));
		goto out;
	}
	dm = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	if (dm == MAP_FAILED) {
		diag("mmap(dma-buf): %s", strerror(errno));
		goto out;
	}
	if (ftruncate(fd, 0))
		shrink_err = errno;
	munmap(map, 2 * PG);
	map = MAP_FAILED;
	memcpy(&v, dm, sizeof(v));
	diag("udmabuf: dma-buf fd %d; shrink while exported: %s; after munmap the dma-buf reads %lld",
	     dfd, shrink_err ? strerror(shrink_err) : "ALLOWED", v);
	/* punch hole of the pinned range: does the kernel refuse it? */
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG))
		punch_err = errno;
	page_read_value(fd, 1, &fv);
	{
		long long dv;

		memcpy(&dv, dm + PG, sizeof(dv));
		diag("udmabuf: punch hole of pinned page 2: %s; file now reads %lld, dma-buf reads %lld%s",
		     punch_err ? strerror(punch_err) : "not refused", fv, dv,
		     (!punch_err && fv != dv) ? " (the pin kept the old page: file and dma-buf diverged)" : "");
	}
	ok = shrink_err == EPERM && v == 5;
out:
	if (dm != MAP_FAILED)
		munmap(dm, 2 * PG);
	if (map != MAP_FAILED)
		munmap(map, 2 * PG);
	if (dfd >= 0)
		close(dfd);
	if (ufd >= 0)
		close(ufd);
	if (fd >= 0)
		close(fd);
	return ok;
}

static int st_p2p_accounting(void)
{
	long long a0, a1, a2, a3;
	char *p;
	int err;

	CHECK(!p2p_available(&a0), "read available");
	p = p2p_alloc(PG, &err);
	CHECK(p, "mmap(p2pmem/allocate): %s", strerror(err));
	p2p_available(&a1);
	memset(p, 0x5a, PG);
	CHECK(!munmap(p, PG), "munmap: %s", strerror(errno));
	p2p_available(&a2);
	p = p2p_alloc((size_t)a2 + PG, &err);
	p2p_available(&a3);
	diag("p2pmem: available %lld -> %lld (1 page mapped) -> %lld (unmapped); map of available+1 page: %s, available %lld",
	     a0, a1, a2, p ? "GRANTED" : strerror(err), a3);
	if (p)
		munmap(p, (size_t)a2 + PG);
	return a1 == a0 - (long long)PG && a2 == a0 && !p && err == ENOMEM && a3 == a0;
}

static int st_p2p_datapath(void)
{
	char *host, *bar;
	int err, ok = 0;
	double t0, t1;

	CHECK(!posix_memalign((void **)&host, PG, 4 * PG), "posix_memalign");
	bar = p2p_alloc(4 * PG, &err);
	if (!bar) {
		diag("mmap(p2pmem/allocate): %s", strerror(err));
		free(host);
		return 0;
	}
	for (size_t i = 0; i < 4 * PG; i++)
		host[i] = (char)(i * 7 + 1);
	t0 = now_ms();
	err = nvme_xfer(1, host, 4 * PG, g.nvme_scratch_off);	/* host -> NVMe */
	if (!err)
		err = nvme_xfer(0, bar, 4 * PG, g.nvme_scratch_off);	/* NVMe -> CMB (P2P) */
	if (err) {
		diag("O_DIRECT into CMB: %s", strerror(-err));
		goto out;
	}
	if (memcmp(host, bar, 4 * PG)) {
		diag("NVMe -> CMB: data differs");
		goto out;
	}
	for (size_t i = 0; i < 4 * PG; i++)
		bar[i] = (char)~bar[i];
	err = nvme_xfer(1, bar, 4 * PG, g.nvme_scratch_off + 4 * PG);	/* CMB -> NVMe (P2P) */
	if (!err)
		err = nvme_xfer(0, host, 4 * PG, g.nvme_scratch_off + 4 * PG);
	t1 = now_ms();
	if (err) {
		diag("O_DIRECT from CMB: %s", strerror(-err));
		goto out;
	}
	ok = !memcmp(host, bar, 4 * PG);
	diag("p2p: NVMe -> CMB and CMB -> NVMe, 16 KiB each, data %s (%.1f ms)",
	     ok ? "checked" : "DIFFERS", t1 - t0);
out:
	munmap(bar, 4 * PG);
	free(host);
	return ok;
}

/* ---- fs-dax and page-cache filesystem self-tests (--fs): each a short story ---- */
static int fst_open(struct tfile *t, const char *name, int npages, int fill)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/devmap-selftest-%s", g.fs_dir, name);
	if (unlink(path) && errno != ENOENT)
		diag("unlink(%s): %s", path, strerror(errno));
	t->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(t->fd >= 0, "open(%s): %s", path, strerror(errno));
	CHECK(!unlink(path), "unlink(%s): %s", path, strerror(errno));	/* gone when closed */
	CHECK(!ftruncate(t->fd, npages * PG), "ftruncate: %s", strerror(errno));
	for (int i = 0; i < fill; i++)
		CHECK(!page_write_value(t->fd, i, 100 + i), "pwrite page %d: %s", i + 1, strerror(errno));
	CHECK(!fsync(t->fd), "fsync: %s", strerror(errno));
	t->map = mmap(NULL, npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	CHECK(t->map != MAP_FAILED, "mmap: %s", strerror(errno));
	t->mfd = open(g.hmm_dev, O_RDWR | O_CLOEXEC);
	CHECK(t->mfd >= 0, "open(%s): %s", g.hmm_dev, strerror(errno));
	return 1;
}

/* a device READ of npages at page idx through mirror mfd: the faults it took, or -errno */
static long long mirror_read(int mfd, char *addr, int npages)
{
	struct hmm_dmirror_cmd c = { 0 };
	int err = hmm_cmd(mfd, HMM_DMIRROR_READ, addr, tbuf, npages, &c);

	return err ? err : (long long)c.faults;
}

static long long mirror_write(int mfd, char *addr, long long v)
{
	struct hmm_dmirror_cmd c = { 0 };
	int err;

	memset(tbuf, 0, PG);
	memcpy(tbuf, &v, sizeof(v));
	err = hmm_cmd(mfd, HMM_DMIRROR_WRITE, addr, tbuf, 1, &c);
	return err ? err : (long long)c.faults;
}

/* a page reference held by a pipe: what a DMA in flight holds */
static int hold_ref(int pfd[2], char *addr)
{
	struct iovec iov = { .iov_base = addr, .iov_len = PG };

	CHECK(!pipe2(pfd, O_CLOEXEC), "pipe2: %s", strerror(errno));
	CHECK(vmsplice(pfd[1], &iov, 1, 0) == (ssize_t)PG, "vmsplice: %s", strerror(errno));
	return 1;
}

static void drop_ref(int pfd[2])
{
	ssize_t n = read(pfd[0], tbuf, PG);

	if (n != (ssize_t)PG)
		diag("pipe read: %zd (%s)", n, n < 0 ? strerror(errno) : "short");
	close(pfd[0]);
	close(pfd[1]);
}

struct tt {
	int fd;
	off_t len;
	int done, err;
	double t1;
};

static void *tt_truncate(void *a)
{
	struct tt *t = a;

	t->err = ftruncate(t->fd, t->len) ? errno : 0;
	t->t1 = now_ms();
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int tt_done(struct tt *t)
{
	return __atomic_load_n(&t->done, __ATOMIC_ACQUIRE);
}

static int tt_wait(struct tt *t, int ms)
{
	double end = now_ms() + ms;

	while (!tt_done(t) && now_ms() < end)
		usleep(1000);
	return tt_done(t);
}

static int st_dax_pfn(void)
{
	struct tfile t = { -1, NULL, -1 };
	long long base = -1;
	int ok = fst_open(&t, "pfn", 2, 2);

	for (int i = 0; ok && i < 2; i++) {
		long long b, pfn;
		unsigned fl;

		ok = !page_block(t.fd, i, &b, &fl) && b >= 0;
		if (!ok) {
			diag("FIEMAP page %d: no block", i + 1);
			break;
		}
		ok = mirror_read(t.mfd, t.map + i * PG, 1) >= 0;
		(void)*(volatile char *)(t.map + i * PG);
		pfn = virt_pfn(t.map + i * PG);
		diag("dax: page %d: FIEMAP block %lld, pagemap pfn %#llx (pfn - block = %#llx; sysfs base %#llx)",
		     i + 1, b, pfn, pfn - b, g.pmem_base_pfn);
		ok = ok && pfn >= 0 && (base < 0 || pfn - b == base) &&
		     (g.pmem_base_pfn < 0 || pfn - b == g.pmem_base_pfn);
		base = pfn - b;
	}
	tfile_close(&t, 2);
	return ok;
}

static int st_dax_truncate_waits(void)
{
	struct tfile t = { -1, NULL, -1 };
	struct tt tr = { 0 };
	pthread_t th;
	int pfd[2], ok = 0;
	long long b0 = -1, b1 = -1;
	unsigned fl;
	double t0, dropped;

	if (!fst_open(&t, "trunc", 2, 2) || mirror_read(t.mfd, t.map, 2) < 0 || page_block(t.fd, 0, &b0, &fl) ||
	    !hold_ref(pfd, t.map))
		goto out;
	tr.fd = t.fd;
	t0 = now_ms();
	if (pthread_create(&th, NULL, tt_truncate, &tr))
		goto out_ref;
	usleep(1000 * 1000);
	/* no FIEMAP/lseek/read(2) now: the waiting truncate holds the inode's IOLOCK (they would sleep) */
	diag("dax: after 1 s with a page reference held, truncate %s (page 1 was block %lld)",
	     tt_done(&tr) ? "HAD RETURNED" : "still waits", b0);
	ok = !tt_done(&tr);
	(void)b1;
	dropped = now_ms();
	drop_ref(pfd);
	ok = tt_wait(&tr, 5000) && ok && !tr.err;
	diag("dax: truncate waited %.0f ms, finished %.1f ms after the reference was dropped",
	     tr.t1 - t0, tr.t1 - dropped);
	pthread_join(th, NULL);
	goto out;
out_ref:
	drop_ref(pfd);
out:
	tfile_close(&t, 2);
	return ok;
}

static int st_dax_map_during_wait(void)
{
	struct tfile t = { -1, NULL, -1 };
	struct tt tr = { 0 };
	pthread_t th;
	int pfd[2], ok = 0, m2 = -1;
	long long faults = -1;

	if (!fst_open(&t, "mapwait", 1, 1) || mirror_read(t.mfd, t.map, 1) < 0 || !hold_ref(pfd, t.map))
		goto out;
	tr.fd = t.fd;
	if (pthread_create(&th, NULL, tt_truncate, &tr)) {
		drop_ref(pfd);
		goto out;
	}
	usleep(500 * 1000);
	m2 = open(g.hmm_dev, O_RDWR | O_CLOEXEC);
	if (m2 >= 0 && !tt_done(&tr))
		faults = mirror_read(m2, t.map, 1);
	diag("dax: while truncate waits, a new device mapping (READ through a second mirror): %s (faults %lld)",
	     faults > 0 ? "GRANTED" : "not granted", faults);
	ok = faults > 0 && !tt_done(&tr);
	drop_ref(pfd);
	ok = tt_wait(&tr, 5000) && ok;
	pthread_join(th, NULL);
out:
	if (m2 >= 0)
		close(m2);
	tfile_close(&t, 1);
	return ok;
}

static int st_dax_new_ref_extends(void)
{
	struct tfile t = { -1, NULL, -1 };
	struct tt tr = { 0 };
	pthread_t th;
	int a[2], b[2], ok = 0;
	double t0, dropped_b;

	if (!fst_open(&t, "extend", 1, 1) || mirror_read(t.mfd, t.map, 1) < 0 || !hold_ref(a, t.map))
		goto out;
	tr.fd = t.fd;
	t0 = now_ms();
	if (pthread_create(&th, NULL, tt_truncate, &tr)) {
		drop_ref(a);
		goto out;
	}
	usleep(500 * 1000);
	if (!hold_ref(b, t.map)) {	/* a new reference while truncate waits */
		drop_ref(a);
		tt_wait(&tr, 5000);
		pthread_join(th, NULL);
		goto out;
	}
	drop_ref(a);
	usleep(1000 * 1000);
	ok = !tt_done(&tr);
	diag("dax: 1 s after the first reference was dropped, with a second one taken during the wait, truncate %s",
	     ok ? "still waits" : "had returned");
	dropped_b = now_ms();
	drop_ref(b);
	ok = tt_wait(&tr, 5000) && ok;
	diag("dax: truncate waited %.0f ms in all, %.1f ms after the second reference was dropped",
	     tr.t1 - t0, tr.t1 - dropped_b);
	pthread_join(th, NULL);
out:
	tfile_close(&t, 1);
	return ok;
}

static int st_dax_punch_whole_file(void)
{
	struct tfile t = { -1, NULL, -1 };
	long long f1 = -1, f2 = -1, again = -1;
	int ok = 0;

	if (!fst_open(&t, "punch", 2, 2) || mirror_read(t.mfd, t.map, 2) < 0)
		goto out;
	again = mirror_read(t.mfd, t.map, 2);	/* served from the mirror: 0 faults */
	if (fallocate(t.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG)) {
		diag("punch: %s", strerror(errno));
		goto out;
	}
	f2 = mirror_read(t.mfd, t.map + PG, 1);
	f1 = mirror_read(t.mfd, t.map, 1);
	diag("dax: mirror faults before punch %lld; after punching page 2: page 2 %lld, page 1 %lld%s", again, f2, f1,
	     f1 > 0 ? " (the whole file's mappings were dropped)" : "");
	ok = again == 0 && f2 > 0 && f1 > 0;
out:
	tfile_close(&t, 2);
	return ok;
}

static int st_longterm_pin_refused(int dax)
{
	struct tfile t = { -1, NULL, -1 };
	struct pin_longterm_test p = { .size = PG, .flags = dax ? 0 : PIN_LONGTERM_TEST_FLAG_USE_WRITE };
	int fd = -1, ok = 0, e = 0;

	if (!fst_open(&t, "pin", 1, 1))
		goto out;
	fd = open(GUP_TEST_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		diag("%s: %s", GUP_TEST_DEV, strerror(errno));
		goto out;
	}
	p.addr = (uintptr_t)t.map;
	if (ioctl(fd, PIN_LONGTERM_TEST_START, &p))
		e = errno;
	else if (ioctl(fd, PIN_LONGTERM_TEST_STOP))
		diag("PIN_LONGTERM_TEST_STOP: %s", strerror(errno));
	diag("%s: FOLL_LONGTERM %s pin: %s", dax ? "dax" : "page cache", dax ? "read" : "write",
	     e ? strerror(e) : "GRANTED");
	ok = dax ? e == EOPNOTSUPP : e == EFAULT;
out:
	if (fd >= 0)
		close(fd);
	tfile_close(&t, 1);
	return ok;
}

static int st_shared_write_cow(void)
{
	struct tfile t = { -1, NULL, -1 };
	struct file_clone_range c = { .src_offset = 0, .src_length = PG, .dest_offset = PG };
	long long b1 = -1, b2 = -1, n1 = -1, w, v1 = 0, v2 = 0;
	unsigned fl1 = 0, fl2;
	int ok = 0;

	if (!fst_open(&t, "cow", 2, 1))
		goto out;
	c.src_fd = t.fd;
	if (ioctl(t.fd, FICLONERANGE, &c)) {
		diag("FICLONERANGE: %s", strerror(errno));
		goto out;
	}
	page_block(t.fd, 0, &b1, &fl1);
	page_block(t.fd, 1, &b2, &fl2);
	w = mirror_write(t.mfd, t.map, 7);
	fsync(t.fd);
	page_block(t.fd, 0, &n1, &fl2);
	page_read_value(t.fd, 0, &v1);
	page_read_value(t.fd, 1, &v2);
	diag("reflink: blocks %lld %lld (shared %s); device WRITE over the shared block: %s; page 1 now block %lld "
	     "value %lld, page 2 value %lld", b1, b2, fl1 & FIEMAP_EXTENT_SHARED ? "yes" : "no",
	     w >= 0 ? "GRANTED" : strerror((int)-w), n1, v1, v2);
	ok = b1 == b2 && b1 >= 0 && w >= 0 && n1 != b1 && v1 == 7 && v2 == 100;
out:
	tfile_close(&t, 2);
	return ok;
}

/* the block device under --dir (from /proc/mounts) */
static int fs_device(char *dev, size_t cap)
{
	FILE *m = fopen("/proc/mounts", "r");
	char d[256], mp[256];
	int found = 0;

	if (!m)
		return 0;
	while (!found && fscanf(m, "%255s %255s %*[^\n]", d, mp) == 2)
		if (!strcmp(mp, g.fs_dir)) {
			snprintf(dev, cap, "%s", d);
			found = 1;
		}
	fclose(m);
	return found;
}

static int raw_value(int bfd, long long block, long long *v)
{
	if (pread(bfd, tbuf, PG, block * PG) != (ssize_t)PG)
		return -errno;
	memcpy(v, tbuf, sizeof(*v));
	return 0;
}

static int st_pc_writeback(void)
{
	struct tfile t = { -1, NULL, -1 };
	long long b = -1, before = -1, after = -1, f1 = -1, f2 = -1;
	unsigned fl;
	char dev[256];
	int bfd = -1, ok = 0;

	if (!fst_open(&t, "wb", 1, 1) || !fs_device(dev, sizeof(dev)))
		goto out;
	bfd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);	/* read only, beside the page cache */
	if (bfd < 0 || page_block(t.fd, 0, &b, &fl) || b < 0) {
		diag("%s / FIEMAP: %s", dev, strerror(errno));
		goto out;
	}
	f1 = mirror_write(t.mfd, t.map, 7);	/* a device write through the mirror */
	raw_value(bfd, b, &before);
	if (sync_file_range(t.fd, 0, PG, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			    SYNC_FILE_RANGE_WAIT_AFTER)) {
		diag("sync_file_range: %s", strerror(errno));
		goto out;
	}
	page_block(t.fd, 0, &b, &fl);
	raw_value(bfd, b, &after);
	f2 = mirror_write(t.mfd, t.map, 8);	/* writeback write-protected the page: faults again */
	diag("page cache: device WRITE 7 (faults %lld); block %lld on disk before writeback %lld, after %lld; "
	     "next device WRITE faults %lld", f1, b, before, after, f2);
	ok = f1 >= 0 && before == 100 && after == 7 && f2 > 0;
out:
	if (bfd >= 0)
		close(bfd);
	tfile_close(&t, 1);
	return ok;
}

static int st_pc_read_pin_truncate(void)
{
	struct tfile t = { -1, NULL, -1 };
	struct pin_longterm_test p = { .size = PG, .flags = 0 };
	long long pinned = -1, filev = -1;
	__u64 a = (uintptr_t)tbuf;
	double t0, ms = -1;
	int fd = -1, ok = 0, e = 0;

	if (!fst_open(&t, "rpin", 1, 1))
		goto out;
	fd = open(GUP_TEST_DEV, O_RDWR | O_CLOEXEC);
	p.addr = (uintptr_t)t.map;
	if (fd < 0 || ioctl(fd, PIN_LONGTERM_TEST_START, &p)) {
		diag("read long-term pin: %s", strerror(errno));
		goto out;
	}
	t0 = now_ms();
	if (ftruncate(t.fd, 0))
		e = errno;
	ms = now_ms() - t0;
	memset(tbuf, 0, PG);
	if (!ioctl(fd, PIN_LONGTERM_TEST_READ, &a))
		memcpy(&pinned, tbuf, sizeof(pinned));
	page_read_value(t.fd, 0, &filev);
	ioctl(fd, PIN_LONGTERM_TEST_STOP);
	diag("page cache: read long-term pin GRANTED; truncate %s in %.1f ms; the pin reads %lld, the file %lld",
	     e ? strerror(e) : "returned", ms, pinned, filev);
	ok = !e && pinned == 100 && filev == 0;
out:
	if (fd >= 0)
		close(fd);
	tfile_close(&t, 1);
	return ok;
}

static int st_unplug(void)
{
	char path[300];
	long long v, avail = 0;
	char *bar;
	int err, sig;
	double t0, ms;

	bar = p2p_alloc(PG, &err);
	CHECK(bar, "mmap(p2pmem/allocate): %s", strerror(err));
	bar[0] = 1;
	p2p_available(&avail);
	if (g.nvme_fd >= 0) {
		restore_nvme();
		close(g.nvme_fd);
		g.nvme_fd = -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", g.pci);
	diag("unplug: writing 1 to %s with one live p2pmem page (available %lld)", path, avail);
	t0 = now_ms();
	err = write_sysfs(path, "1");
	ms = now_ms() - t0;
	CHECK(!err, "remove: %s", strerror(-err));
	g.unplugged = 1;
	sig = probe_read(bar, &v);
	diag("unplug: removal returned after %.1f ms; the live p2pmem page now %s", ms,
	     sig == SIGBUS ? "raises SIGBUS (zapped)" : sig ? "faults" : "is STILL READABLE");
	munmap(bar, PG);
	return sig != 0;
}

int selftest(void)
{
	char skip[256];
	int fails = 0, ok;

	printf("TAP version 13\n1..20\n");
	cannot_witness_each(emit_ktap_cannot, NULL);
	fflush(stdout);
#define RUN(fn, name) do { \
		const char *why = witness_unavailable(name); \
		if (why) { \
			t_result(1, name, why); \
		} else { \
			ok = fn; \
			fails += !ok; \
			t_result(ok, name, NULL); \
		} \
	} while (0)
	RUN(st_hmm_fault_and_serve(), "hmm_mirror_faults_then_serves");
	RUN(st_hmm_truncate_invalidates(), "hmm_truncate_invalidates_mirror");
	RUN(st_hmm_punch_refaults(), "hmm_punch_invalidates_only_punched_page");
	RUN(st_hmm_coherence(), "hmm_device_and_cpu_writes_coherent");
	if (g.have_hmm) {
		skip[0] = 0;
		ok = st_hmm_exclusive(skip, sizeof(skip));
		fails += !ok;
		t_result(ok, "hmm_device_exclusive_atomic", NULL);
	} else {
		t_result(1, "hmm_device_exclusive_atomic", "no HMM test driver");
	}
	RUN(st_udmabuf_pin(), "udmabuf_pin_survives_munmap_punch_diverges");
	RUN(st_p2p_accounting(), "p2pmem_bar_accounting_and_exhaustion");
	RUN(st_p2p_datapath(), "p2p_nvme_cmb_o_direct_data_path");
	RUN(st_dax_pfn(), "dax_pfn_is_fiemap_block");
	RUN(st_dax_truncate_waits(), "dax_truncate_waits_for_page_reference");
	RUN(st_dax_map_during_wait(), "dax_map_granted_during_break_layouts");
	RUN(st_dax_new_ref_extends(), "dax_new_ref_extends_wait");
	RUN(st_dax_punch_whole_file(), "dax_punch_invalidates_whole_file");
	RUN(st_longterm_pin_refused(1), "dax_longterm_pin_refused");
	RUN(st_shared_write_cow(), "shared_write_cow_on_fault");
	RUN(st_pc_writeback(), "pc_writeback_write_protects_mirror");
	RUN(st_longterm_pin_refused(0), "pc_write_pin_refused");
	RUN(st_pc_read_pin_truncate(), "pc_read_pin_ignores_truncate");
	RUN(st_unplug(), "pci_remove_with_live_p2pmem_mapping");
	/* 10: the protocol loop, fed from a pipe: hello, reset, two requests, bye */
	{
		char *line = NULL;
		size_t cap = 0;
		int in[2], outp[2];
		pid_t pid;
		FILE *f;
		int good = 0;

		if (pipe(in) || pipe(outp)) {
			t_result(0, "protocol_hello_round_trip", NULL);
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			dup2(in[0], 0);
			dup2(outp[1], 1);
			close(in[1]);
			close(outp[0]);
			g.allow_unplug = 0;
			if (g.unplugged)
				g.have_p2p = g.have_nvme = 0;
			serve();
			teardown();
			_exit(0);
		}
		close(in[0]);
		close(outp[1]);
		f = fdopen(outp[0], "r");
		dprintf(in[1], "{\"devmap\":1,\"op\":\"hello\",\"harness\":\"selftest\"}\n"
			"{\"id\":1,\"op\":\"reset\",\"config\":{\"files\":[\"f1\"],\"pages\":2,\"blocks\":2,"
			"\"importers\":[{\"name\":\"gpu\",\"route\":true,\"atomic\":false,\"write\":true}],"
			"\"bar_pages\":2,\"bar_base\":0,\"pin\":true,\"reverse_map\":false}}\n"
			"{\"id\":2,\"op\":\"mmap\",\"file\":\"f1\"}\n"
			"{\"id\":3,\"op\":\"cpu_write\",\"file\":\"f1\",\"off\":1,\"value\":9}\n"
			"{\"id\":4,\"op\":\"bye\"}\n");
		close(in[1]);
		while (f && getline(&line, &cap, f) > 0) {
			diag("protocol: %.*s", (int)strcspn(line, "\n"), line);
			good += !!strstr(line, "\"ok\":true");
		}
		if (f)
			fclose(f);
		free(line);
		waitpid(pid, NULL, 0);
		fails += good != 5;
		t_result(good == 5, "protocol_hello_round_trip", NULL);
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", t_pass, t_fail, t_skip);
	return fails ? 1 : 0;
}
