// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent --selftest: each kernel facility the agent stands on, one short story per
 * test (the way tools/testing/selftests/mm/hmm-tests.c tells them), on kselftest_harness.h
 * copied at build time from the kernel source tree the guest kernel is built from (see
 * get-kselftest.sh).  KTAP on stdout from the harness; the stories' observations on stderr.
 *
 * Each test is FIXTURE.TEST.  Its setup prints the witness line the harness reads
 * ("# witnesses CLASS REQ...: what", from witness.c) and skips with the reason when this
 * kernel or host lacks the facility (witness_unavailable(), the same answer the hello gives).
 * The results feed the report's evidence classes; see ../README.md.
 */
#include "agent.h"

#include "kselftest/kselftest_harness.h"

/* ---- what every story starts and ends with ---- */
struct tfile {
	int fd;
	char *map;
	int mfd;
};

static char tbuf[4 * 4096] __attribute__((aligned(4096)));

#define CHECK(cond, ...) do { if (!(cond)) { diag(__VA_ARGS__); return 0; } } while (0)

/*
 * The story's witness line, then SKIP with the reason when it cannot run here.  Called from
 * each fixture's setup (the test's own name is _metadata->name, the fixture's is
 * _metadata->fixture->name).
 */
static void story_begin(struct __test_metadata *_metadata, struct tfile *t)
{
	char name[160];
	const struct witness *w;
	const char *why;

	t->fd = t->mfd = -1;
	t->map = NULL;
	snprintf(name, sizeof(name), "%s.%s", _metadata->fixture->name, _metadata->name);
	w = witness_of(name);
	if (w && w->reqs[0])	/* the harness reads this line: the evidence the next result is */
		printf("# witnesses %s %s: %s\n", w->cls, w->reqs, w->what);
	else if (w)
		printf("# %s\n", w->what);
	fflush(stdout);
	why = witness_unavailable(name);
	if (why)
		SKIP(return, "%s", why);
}

static void tfile_close(struct tfile *t, int npages)
{
	if (t->map && t->map != MAP_FAILED && munmap(t->map, npages * PG))
		diag("munmap: %s", strerror(errno));
	if (t->fd >= 0 && close(t->fd))
		diag("close: %s", strerror(errno));
	if (t->mfd >= 0 && close(t->mfd))
		diag("close(mirror): %s", strerror(errno));
	t->map = NULL;
	t->fd = t->mfd = -1;
}

/* a memfd of npages, mapped MAP_SHARED, and a mirror of this process (HMM test driver) */
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

/* a file on the filesystem under --dir (unlinked at once), fill pages written and synced */
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

/* a device READ of npages through mirror mfd: the faults it took, or -errno */
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
	if (close(pfd[0]) || close(pfd[1]))
		diag("close(pipe): %s", strerror(errno));
}

/* truncate on a thread: the story watches whether it waits */
struct tt {
	int fd;
	off_t len;
	int done, err;
	double t1;
	pthread_t th;
};

static void *tt_truncate(void *a)
{
	struct tt *t = a;

	t->err = ftruncate(t->fd, t->len) ? errno : 0;
	t->t1 = now_ms();
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int tt_start(struct tt *t, int fd)
{
	t->fd = fd;
	t->len = 0;
	CHECK(!pthread_create(&t->th, NULL, tt_truncate, t), "pthread_create failed");
	return 1;
}

static int tt_done(struct tt *t)
{
	return __atomic_load_n(&t->done, __ATOMIC_ACQUIRE);
}

/* waits up to ms; joins the thread when it finished.  1: finished */
static int tt_wait(struct tt *t, int ms)
{
	double end = now_ms() + ms;

	while (!tt_done(t) && now_ms() < end)
		usleep(1000);
	if (!tt_done(t))
		return 0;
	pthread_join(t->th, NULL);
	return 1;
}

/* every fixture holds one story's file; setup says what it witnesses or why it cannot run */
#define STORY_FIXTURE(f) \
	FIXTURE(f) { struct tfile t; int npages; }; \
	FIXTURE_SETUP(f) { story_begin(_metadata, &self->t); } \
	FIXTURE_TEARDOWN(f) { tfile_close(&self->t, self->npages); }

/* ======================================================================================
 * hmm: a memfd mirrored by the HMM test driver (the importer's mapping)
 * ==================================================================================== */
STORY_FIXTURE(hmm)

/* the first device READ faults the page in; the second is served by the mirror */
TEST_F(hmm, mirror_faults_then_serves)
{
	struct hmm_dmirror_cmd c1 = { 0 }, c2 = { 0 };
	unsigned char prot[2];
	long long v = 41;

	self->npages = 2;
	ASSERT_TRUE(tfile_open(&self->t, 2));
	ASSERT_EQ(0, page_write_value(self->t.fd, 0, v));
	ASSERT_EQ(0, hmm_cmd(self->t.mfd, HMM_DMIRROR_READ, self->t.map, tbuf, 2, &c1));
	ASSERT_EQ(0, hmm_cmd(self->t.mfd, HMM_DMIRROR_READ, self->t.map, tbuf, 2, &c2));
	ASSERT_EQ(0, hmm_snapshot(self->t.mfd, self->t.map, 2, prot));
	/* the mirror's own fault count says what it holds; SNAPSHOT is the CPU page table */
	diag("hmm: first READ faults=%llu, second faults=%llu, value %lld (CPU page table 0x%02x 0x%02x)",
	     (unsigned long long)c1.faults, (unsigned long long)c2.faults, *(long long *)tbuf,
	     prot[0], prot[1]);
	EXPECT_LE(1ULL, (unsigned long long)c1.faults);
	EXPECT_EQ(0ULL, (unsigned long long)c2.faults);
	EXPECT_EQ(v, *(long long *)tbuf);
}

/* after truncate returned, the mirror has no entry: the device READ fails (EFAULT) */
TEST_F(hmm, truncate_invalidates_mirror)
{
	unsigned char before, after = 0xEE;
	int err, rerr;
	double t0;

	self->npages = 1;
	ASSERT_TRUE(tfile_open(&self->t, 1));
	ASSERT_EQ(0, hmm_cmd(self->t.mfd, HMM_DMIRROR_READ, self->t.map, tbuf, 1, NULL));
	ASSERT_EQ(0, hmm_snapshot(self->t.mfd, self->t.map, 1, &before));
	t0 = now_ms();
	ASSERT_EQ(0, ftruncate(self->t.fd, 0)) TH_LOG("ftruncate: %s", strerror(errno));
	diag("hmm: ftruncate(0) with a live mirror took %.3f ms", now_ms() - t0);
	err = hmm_snapshot(self->t.mfd, self->t.map, 1, &after);
	rerr = hmm_cmd(self->t.mfd, HMM_DMIRROR_READ, self->t.map, tbuf, 1, NULL);
	diag("hmm: CPU page table 0x%02x -> %s0x%02x; device READ after truncate: %s", before,
	     err ? "(error) " : "", after, rerr ? strerror(-rerr) : "succeeded");
	EXPECT_EQ(-EFAULT, rerr);	/* the mirror's answer, not the CPU page table's */
}

/*
 * punch hole of page 2 of 3: page 2 faults again on the next device READ, pages 1 and 3 do not.
 * Page 3 is the test driver's own check: unpatched, its invalidate callback erases one entry past
 * the notifier's range (xa_for_each_range's last index is inclusive; ../patches/0001-*).
 */
TEST_F(hmm, punch_invalidates_only_punched_page)
{
	struct hmm_dmirror_cmd c = { 0 };
	unsigned char prot[3];
	unsigned long long f[3];

	self->npages = 3;
	ASSERT_TRUE(tfile_open(&self->t, 3));
	ASSERT_EQ(0, hmm_cmd(self->t.mfd, HMM_DMIRROR_READ, self->t.map, tbuf, 3, NULL));
	ASSERT_EQ(0, fallocate(self->t.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG))
		TH_LOG("fallocate(PUNCH_HOLE): %s", strerror(errno));
	ASSERT_EQ(0, hmm_snapshot(self->t.mfd, self->t.map, 3, prot));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, hmm_cmd(self->t.mfd, HMM_DMIRROR_READ, self->t.map + i * PG, tbuf, 1, &c));
		f[i] = c.faults;
	}
	diag("hmm: after punching page 2: re-read faults page 1 %llu, page 2 %llu, page 3 %llu%s "
	     "(CPU page table 0x%02x 0x%02x 0x%02x)", f[0], f[1], f[2],
	     f[2] ? " (the driver erased the entry after the range)" : "", prot[0], prot[1], prot[2]);
	EXPECT_EQ(0ULL, f[0]);
	EXPECT_EQ(1ULL, f[1]);
	EXPECT_EQ(0ULL, f[2]);
}

/* device and CPU writes see each other (one copy: the shmem page) */
TEST_F(hmm, device_and_cpu_writes_coherent)
{
	long long v = 0;

	self->npages = 1;
	ASSERT_TRUE(tfile_open(&self->t, 1));
	memset(tbuf, 0, PG);
	*(long long *)tbuf = 7;
	ASSERT_EQ(0, hmm_cmd(self->t.mfd, HMM_DMIRROR_WRITE, self->t.map, tbuf, 1, NULL));
	ASSERT_EQ(0, page_read_value(self->t.fd, 0, &v));
	ASSERT_EQ(7, v) TH_LOG("device WRITE 7, pread saw %lld", v);
	ASSERT_EQ(0, page_write_value(self->t.fd, 0, 8));
	ASSERT_EQ(0, hmm_cmd(self->t.mfd, HMM_DMIRROR_READ, self->t.map, tbuf, 1, NULL));
	diag("hmm: device WRITE 7 -> pread %lld; pwrite 8 -> device READ %lld", v,
	     *(long long *)tbuf);
	EXPECT_EQ(8, *(long long *)tbuf);
}

/* device-exclusive (atomic) access: granted or refused (EBUSY) by the kernel itself */
TEST_F(hmm, device_exclusive_atomic)
{
	int err;

	self->npages = 1;
	ASSERT_TRUE(tfile_open(&self->t, 1));
	ASSERT_EQ(0, page_write_value(self->t.fd, 0, 3));
	err = hmm_cmd(self->t.mfd, HMM_DMIRROR_EXCLUSIVE, self->t.map, tbuf, 1, NULL);
	diag("hmm: HMM_DMIRROR_EXCLUSIVE on a shmem page: %s (the kernel's decision)",
	     err ? strerror(-err) : "granted");
	EXPECT_TRUE(!err || err == -EBUSY);	/* both are the kernel's decision */
}

/* ======================================================================================
 * udmabuf: a dma-buf pin of memfd pages (PIN on the memfd device)
 * ==================================================================================== */
STORY_FIXTURE(udmabuf)

/*
 * The seal (which udmabuf requires) refuses the shrink; the pin keeps the pages after
 * munmap; punch hole of a pinned page is not refused and the file and dma-buf diverge.
 */
TEST_F(udmabuf, pin_survives_munmap_punch_diverges)
{
	struct udmabuf_create c = { .offset = 0, .size = 2 * PG };
	char *dm = MAP_FAILED, *map = MAP_FAILED;
	long long v = 0, fv = -1, dv = 0;
	int ufd, dfd, shrink_err = 0, punch_err = 0;

	self->npages = 0;	/* this story closes its own descriptors */
	self->t.fd = memfd_create("devmap-pin", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_LE(0, self->t.fd) TH_LOG("memfd_create: %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(self->t.fd, 2 * PG));
	ASSERT_EQ(0, page_write_value(self->t.fd, 0, 5));
	ASSERT_EQ(0, page_write_value(self->t.fd, 1, 6));
	ASSERT_EQ(0, fcntl(self->t.fd, F_ADD_SEALS, F_SEAL_SHRINK)) TH_LOG("F_ADD_SEALS: %s", strerror(errno));
	map = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, self->t.fd, 0);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("mmap: %s", strerror(errno));
	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ufd) TH_LOG("/dev/udmabuf: %s", strerror(errno));
	c.memfd = self->t.fd;
	dfd = ioctl(ufd, UDMABUF_CREATE, &c);
	ASSERT_LE(0, dfd) TH_LOG("UDMABUF_CREATE: %s", strerror(errno));
	ASSERT_EQ(0, close(ufd));
	dm = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, dm) TH_LOG("mmap(dma-buf): %s", strerror(errno));
	if (ftruncate(self->t.fd, 0))
		shrink_err = errno;
	ASSERT_EQ(0, munmap(map, 2 * PG));
	memcpy(&v, dm, sizeof(v));
	diag("udmabuf: dma-buf fd %d; shrink while exported: %s; after munmap the dma-buf reads %lld",
	     dfd, shrink_err ? strerror(shrink_err) : "ALLOWED", v);
	/* punch hole of the pinned range: does the kernel refuse it? */
	if (fallocate(self->t.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG))
		punch_err = errno;
	ASSERT_EQ(0, page_read_value(self->t.fd, 1, &fv));
	memcpy(&dv, dm + PG, sizeof(dv));
	diag("udmabuf: punch hole of pinned page 2: %s; file now reads %lld, dma-buf reads %lld%s",
	     punch_err ? strerror(punch_err) : "not refused", fv, dv,
	     (!punch_err && fv != dv) ? " (the pin kept the old page: file and dma-buf diverged)" : "");
	EXPECT_EQ(EPERM, shrink_err);
	EXPECT_EQ(5, v);
	ASSERT_EQ(0, munmap(dm, 2 * PG));
	ASSERT_EQ(0, close(dfd));
}

/* ======================================================================================
 * p2pmem: the exporter's BAR space (an NVMe CMB as a P2PDMA provider)
 * ==================================================================================== */
STORY_FIXTURE(p2pmem)

/* a page mapped takes one page of the genalloc; more than is left is refused (ENOMEM) */
TEST_F(p2pmem, bar_accounting_and_exhaustion)
{
	long long a0, a1, a2, a3;
	char *p;
	int err;

	ASSERT_EQ(0, p2p_available(&a0));
	p = p2p_alloc(PG, &err);
	ASSERT_NE(NULL, p) TH_LOG("mmap(p2pmem/allocate): %s", strerror(err));
	ASSERT_EQ(0, p2p_available(&a1));
	memset(p, 0x5a, PG);
	ASSERT_EQ(0, munmap(p, PG)) TH_LOG("munmap: %s", strerror(errno));
	ASSERT_EQ(0, p2p_available(&a2));
	p = p2p_alloc((size_t)a2 + PG, &err);
	ASSERT_EQ(0, p2p_available(&a3));
	diag("p2pmem: available %lld -> %lld (1 page mapped) -> %lld (unmapped); map of available+1 page: %s, available %lld",
	     a0, a1, a2, p ? "GRANTED" : strerror(err), a3);
	if (p)
		ASSERT_EQ(0, munmap(p, (size_t)a2 + PG));
	EXPECT_EQ(a0 - (long long)PG, a1);
	EXPECT_EQ(a0, a2);
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(ENOMEM, err);
	EXPECT_EQ(a0, a3);
}

/* O_DIRECT NVMe -> CMB and CMB -> NVMe, 16 KiB each: a real peer-to-peer DMA, data checked */
TEST_F(p2pmem, nvme_cmb_o_direct_data_path)
{
	char *host, *bar;
	int err;
	double t0, t1;

	ASSERT_EQ(0, posix_memalign((void **)&host, PG, 4 * PG));
	bar = p2p_alloc(4 * PG, &err);
	ASSERT_NE(NULL, bar) TH_LOG("mmap(p2pmem/allocate): %s", strerror(err));
	for (size_t i = 0; i < 4 * PG; i++)
		host[i] = (char)(i * 7 + 1);
	t0 = now_ms();
	ASSERT_EQ(0, nvme_xfer(1, host, 4 * PG, g.nvme_scratch_off));	/* host -> NVMe */
	ASSERT_EQ(0, nvme_xfer(0, bar, 4 * PG, g.nvme_scratch_off));	/* NVMe -> CMB (P2P) */
	ASSERT_EQ(0, memcmp(host, bar, 4 * PG)) TH_LOG("NVMe -> CMB: data differs");
	for (size_t i = 0; i < 4 * PG; i++)
		bar[i] = (char)~bar[i];
	ASSERT_EQ(0, nvme_xfer(1, bar, 4 * PG, g.nvme_scratch_off + 4 * PG));	/* CMB -> NVMe (P2P) */
	ASSERT_EQ(0, nvme_xfer(0, host, 4 * PG, g.nvme_scratch_off + 4 * PG));
	t1 = now_ms();
	err = memcmp(host, bar, 4 * PG);
	diag("p2p: NVMe -> CMB and CMB -> NVMe, 16 KiB each, data %s (%.1f ms)",
	     !err ? "checked" : "DIFFERS", t1 - t0);
	EXPECT_EQ(0, err);
	ASSERT_EQ(0, munmap(bar, 4 * PG));
	free(host);
}

/* ======================================================================================
 * dax: xfs -o dax=always on persistent memory (--fs dax): the mirror maps the blocks
 * ==================================================================================== */
STORY_FIXTURE(dax)

/* the page the CPU and the mirror map is the block: pagemap pfn = pmem base + FIEMAP block */
TEST_F(dax, pfn_is_fiemap_block)
{
	long long base = -1;

	self->npages = 2;
	ASSERT_TRUE(fst_open(&self->t, "pfn", 2, 2));
	for (int i = 0; i < 2; i++) {
		long long b, pfn;
		unsigned fl;

		ASSERT_EQ(0, page_block(self->t.fd, i, &b, &fl));
		ASSERT_LE(0, b) TH_LOG("FIEMAP page %d: no block", i + 1);
		ASSERT_LE(0, mirror_read(self->t.mfd, self->t.map + i * PG, 1));
		(void)*(volatile char *)(self->t.map + i * PG);
		pfn = virt_pfn(self->t.map + i * PG);
		diag("dax: page %d: FIEMAP block %lld, pagemap pfn %#llx (pfn - block = %#llx; sysfs base %#llx)",
		     i + 1, b, pfn, pfn - b, g.pmem_base_pfn);
		ASSERT_LE(0, pfn);
		if (base >= 0)
			ASSERT_EQ(base, pfn - b);
		if (g.pmem_base_pfn >= 0)
			ASSERT_EQ(g.pmem_base_pfn, pfn - b);
		base = pfn - b;
	}
}

/* truncate waits in break_layouts while a page reference (a DMA in flight) is held */
TEST_F_TIMEOUT(dax, truncate_waits_for_page_reference, 120)
{
	struct tt tr = { 0 };
	int pfd[2], waited;
	long long b0 = -1;
	unsigned fl;
	double t0, dropped;

	self->npages = 2;
	ASSERT_TRUE(fst_open(&self->t, "trunc", 2, 2));
	ASSERT_LE(0, mirror_read(self->t.mfd, self->t.map, 2));
	ASSERT_EQ(0, page_block(self->t.fd, 0, &b0, &fl));
	ASSERT_TRUE(hold_ref(pfd, self->t.map));
	t0 = now_ms();
	ASSERT_TRUE(tt_start(&tr, self->t.fd));
	usleep(1000 * 1000);
	/* no FIEMAP/lseek/read(2) now: the waiting truncate holds the inode's IOLOCK (they would sleep) */
	waited = !tt_done(&tr);
	diag("dax: after 1 s with a page reference held, truncate %s (page 1 was block %lld)",
	     waited ? "still waits" : "HAD RETURNED", b0);
	dropped = now_ms();
	drop_ref(pfd);
	ASSERT_TRUE(tt_wait(&tr, 5000));
	diag("dax: truncate waited %.0f ms, finished %.1f ms after the reference was dropped",
	     tr.t1 - t0, tr.t1 - dropped);
	EXPECT_TRUE(waited);
	EXPECT_EQ(0, tr.err);
}

/* while truncate waits, a new device mapping of the range is granted */
TEST_F_TIMEOUT(dax, map_granted_during_break_layouts, 120)
{
	struct tt tr = { 0 };
	int pfd[2], m2, waiting;
	long long faults = -1;

	self->npages = 1;
	ASSERT_TRUE(fst_open(&self->t, "mapwait", 1, 1));
	ASSERT_LE(0, mirror_read(self->t.mfd, self->t.map, 1));
	ASSERT_TRUE(hold_ref(pfd, self->t.map));
	ASSERT_TRUE(tt_start(&tr, self->t.fd));
	usleep(500 * 1000);
	m2 = open(g.hmm_dev, O_RDWR | O_CLOEXEC);
	if (m2 >= 0 && !tt_done(&tr))
		faults = mirror_read(m2, self->t.map, 1);
	waiting = !tt_done(&tr);
	diag("dax: while truncate waits, a new device mapping (READ through a second mirror): %s (faults %lld)",
	     faults > 0 ? "GRANTED" : "not granted", faults);
	drop_ref(pfd);
	ASSERT_TRUE(tt_wait(&tr, 5000));
	if (m2 >= 0)
		ASSERT_EQ(0, close(m2));
	EXPECT_LT(0, faults);
	EXPECT_TRUE(waiting);
}

/* a page reference taken during the wait extends it */
TEST_F_TIMEOUT(dax, new_ref_extends_wait, 120)
{
	struct tt tr = { 0 };
	int a[2], b[2], waits;
	double t0, dropped_b;

	self->npages = 1;
	ASSERT_TRUE(fst_open(&self->t, "extend", 1, 1));
	ASSERT_LE(0, mirror_read(self->t.mfd, self->t.map, 1));
	ASSERT_TRUE(hold_ref(a, self->t.map));
	t0 = now_ms();
	ASSERT_TRUE(tt_start(&tr, self->t.fd));
	usleep(500 * 1000);
	if (!hold_ref(b, self->t.map)) {	/* a new reference while truncate waits */
		drop_ref(a);
		tt_wait(&tr, 5000);
		ASSERT_TRUE(0) TH_LOG("no second page reference");
	}
	drop_ref(a);
	usleep(1000 * 1000);
	waits = !tt_done(&tr);
	diag("dax: 1 s after the first reference was dropped, with a second one taken during the wait, truncate %s",
	     waits ? "still waits" : "had returned");
	dropped_b = now_ms();
	drop_ref(b);
	ASSERT_TRUE(tt_wait(&tr, 5000));
	diag("dax: truncate waited %.0f ms in all, %.1f ms after the second reference was dropped",
	     tr.t1 - t0, tr.t1 - dropped_b);
	EXPECT_TRUE(waits);
}

/* punch of page 2 drops the mirror of the whole file */
TEST_F(dax, punch_invalidates_whole_file)
{
	long long f1, f2, again;

	self->npages = 2;
	ASSERT_TRUE(fst_open(&self->t, "punch", 2, 2));
	ASSERT_LE(0, mirror_read(self->t.mfd, self->t.map, 2));
	again = mirror_read(self->t.mfd, self->t.map, 2);	/* served from the mirror: 0 faults */
	ASSERT_EQ(0, fallocate(self->t.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG))
		TH_LOG("punch: %s", strerror(errno));
	f2 = mirror_read(self->t.mfd, self->t.map + PG, 1);
	f1 = mirror_read(self->t.mfd, self->t.map, 1);
	diag("dax: mirror faults before punch %lld; after punching page 2: page 2 %lld, page 1 %lld%s", again, f2, f1,
	     f1 > 0 ? " (the whole file's mappings were dropped)" : "");
	EXPECT_EQ(0, again);
	EXPECT_LT(0, f2);
	EXPECT_LT(0, f1);
}

/*
 * A refused device-exclusive (ATOMIC) map has already write-faulted its page: make_device_exclusive_range
 * takes the pages with a FOLL_WRITE gup, and only then folio_make_device_exclusive refuses a folio that
 * is not anonymous (mm/rmap.c).  On fs-dax the write fault tags the DAX entry dirty (dax_insert_entry),
 * so a later writeback write-protects the page (dax_writeback_one -> pfn_mkclean_range: an mmu-notifier
 * invalidation of every mapping of it, the mirror's read-only entry too), and on a hole it has allocated
 * a block.  Page 1 is the control: only read-faulted, its mirror entry outlives writeback.
 */
TEST_F(dax, refused_exclusive_faults_first)
{
	long long b3 = -1, b3after = -1, f1, f2, f2wb;
	unsigned fl;
	int e2, e3;

	self->npages = 3;
	ASSERT_TRUE(fst_open(&self->t, "excl", 3, 2));	/* pages 1, 2 written and synced; page 3 a hole */
	ASSERT_EQ(0, page_block(self->t.fd, 2, &b3, &fl));
	ASSERT_EQ(-1, b3) TH_LOG("page 3 should be a hole, FIEMAP says block %lld", b3);
	ASSERT_LE(0, mirror_read(self->t.mfd, self->t.map, 1));		/* control: read-faulted only */
	ASSERT_LE(0, mirror_read(self->t.mfd, self->t.map + PG, 1));	/* page 2: read-faulted ... */
	e2 = hmm_cmd(self->t.mfd, HMM_DMIRROR_EXCLUSIVE, self->t.map + PG, tbuf, 1, NULL);	/* ... then refused */
	f2 = mirror_read(self->t.mfd, self->t.map + PG, 1);		/* the refusal left the entry */
	e3 = hmm_cmd(self->t.mfd, HMM_DMIRROR_EXCLUSIVE, self->t.map + 2 * PG, tbuf, 1, NULL);
	ASSERT_EQ(0, page_block(self->t.fd, 2, &b3after, &fl));
	ASSERT_EQ(0, sync_file_range(self->t.fd, 0, 2 * PG, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				     SYNC_FILE_RANGE_WAIT_AFTER)) TH_LOG("sync_file_range: %s", strerror(errno));
	f1 = mirror_read(self->t.mfd, self->t.map, 1);
	f2wb = mirror_read(self->t.mfd, self->t.map + PG, 1);
	diag("dax: EXCLUSIVE of page 2: %s; of hole page 3: %s, its FIEMAP block after: %lld; after writeback "
	     "of pages 1-2 the mirror re-read faults page 1 %lld (read-faulted only), page 2 %lld (the refused map's "
	     "write fault dirtied it)", e2 ? strerror(-e2) : "granted", e3 ? strerror(-e3) : "granted", b3after,
	     f1, f2wb);
	EXPECT_EQ(-EBUSY, e2);		/* the kernel refuses it ... */
	EXPECT_EQ(-EBUSY, e3);
	EXPECT_EQ(0, f2);
	EXPECT_LE(0, b3after);		/* ... after the write fault allocated the hole's block */
	EXPECT_EQ(0, f1);
	EXPECT_LT(0, f2wb);		/* ... and dirtied the written page */
}

/* a FOLL_LONGTERM pin (gup_test): refused by the kernel for fs-dax (read) and page cache (write) */
static void longterm_pin_refused(struct __test_metadata *_metadata, struct tfile *t, int dax)
{
	struct pin_longterm_test p = { .size = PG, .flags = dax ? 0 : PIN_LONGTERM_TEST_FLAG_USE_WRITE };
	int fd, e = 0;

	ASSERT_TRUE(fst_open(t, "pin", 1, 1));
	fd = open(GUP_TEST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", GUP_TEST_DEV, strerror(errno));
	p.addr = (uintptr_t)t->map;
	if (ioctl(fd, PIN_LONGTERM_TEST_START, &p))
		e = errno;
	else if (ioctl(fd, PIN_LONGTERM_TEST_STOP))
		diag("PIN_LONGTERM_TEST_STOP: %s", strerror(errno));
	diag("%s: FOLL_LONGTERM %s pin: %s", dax ? "dax" : "page cache", dax ? "read" : "write",
	     e ? strerror(e) : "GRANTED");
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(dax ? EOPNOTSUPP : EFAULT, e);
}

TEST_F(dax, longterm_pin_refused)
{
	self->npages = 1;
	longterm_pin_refused(_metadata, &self->t, 1);
}

/* ======================================================================================
 * fs: any real filesystem device (--fs): reflink
 * ==================================================================================== */
STORY_FIXTURE(fs)

/* a device WRITE over a reflinked (shared) block is granted and the block is copied */
TEST_F(fs, shared_write_cow_on_fault)
{
	struct file_clone_range c = { .src_offset = 0, .src_length = PG, .dest_offset = PG };
	long long b1 = -1, b2 = -1, n1 = -1, w, v1 = 0, v2 = 0;
	unsigned fl1 = 0, fl2;

	self->npages = 2;
	ASSERT_TRUE(fst_open(&self->t, "cow", 2, 1));
	c.src_fd = self->t.fd;
	ASSERT_EQ(0, ioctl(self->t.fd, FICLONERANGE, &c)) TH_LOG("FICLONERANGE: %s", strerror(errno));
	ASSERT_EQ(0, page_block(self->t.fd, 0, &b1, &fl1));
	ASSERT_EQ(0, page_block(self->t.fd, 1, &b2, &fl2));
	w = mirror_write(self->t.mfd, self->t.map, 7);
	ASSERT_EQ(0, fsync(self->t.fd));
	ASSERT_EQ(0, page_block(self->t.fd, 0, &n1, &fl2));
	ASSERT_EQ(0, page_read_value(self->t.fd, 0, &v1));
	ASSERT_EQ(0, page_read_value(self->t.fd, 1, &v2));
	diag("reflink: blocks %lld %lld (shared %s); device WRITE over the shared block: %s; page 1 now block %lld "
	     "value %lld, page 2 value %lld", b1, b2, fl1 & FIEMAP_EXTENT_SHARED ? "yes" : "no",
	     w >= 0 ? "GRANTED" : strerror((int)-w), n1, v1, v2);
	EXPECT_EQ(b1, b2);
	EXPECT_LE(0, b1);
	EXPECT_LE(0, w);
	EXPECT_NE(b1, n1);
	EXPECT_EQ(7, v1);
	EXPECT_EQ(100, v2);
}

/* ======================================================================================
 * pagecache: xfs on an NVMe namespace (--fs pagecache)
 * ==================================================================================== */
STORY_FIXTURE(pagecache)

/* the block device under --dir (from /proc/mounts) */
static int fs_device(char *dev, size_t cap)
{
	FILE *m = fopen("/proc/mounts", "re");
	char d[256], mp[256];
	int found = 0;

	CHECK(m, "/proc/mounts: %s", strerror(errno));
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

/* a device write leaves the page dirty; writeback writes it and write-protects the mirror */
TEST_F(pagecache, writeback_write_protects_mirror)
{
	long long b = -1, before = -1, after = -1, f1, f2;
	unsigned fl;
	char dev[256];
	int bfd;

	self->npages = 1;
	ASSERT_TRUE(fst_open(&self->t, "wb", 1, 1));
	ASSERT_TRUE(fs_device(dev, sizeof(dev))) TH_LOG("no block device mounted on %s", g.fs_dir);
	bfd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);	/* read only, beside the page cache */
	ASSERT_LE(0, bfd) TH_LOG("%s: %s", dev, strerror(errno));
	ASSERT_EQ(0, page_block(self->t.fd, 0, &b, &fl));
	ASSERT_LE(0, b) TH_LOG("FIEMAP: page 1 has no block");
	f1 = mirror_write(self->t.mfd, self->t.map, 7);	/* a device write through the mirror */
	ASSERT_EQ(0, raw_value(bfd, b, &before));
	ASSERT_EQ(0, sync_file_range(self->t.fd, 0, PG, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				     SYNC_FILE_RANGE_WAIT_AFTER)) TH_LOG("sync_file_range: %s", strerror(errno));
	ASSERT_EQ(0, page_block(self->t.fd, 0, &b, &fl));
	ASSERT_EQ(0, raw_value(bfd, b, &after));
	f2 = mirror_write(self->t.mfd, self->t.map, 8);	/* writeback write-protected the page: faults again */
	diag("page cache: device WRITE 7 (faults %lld); block %lld on disk before writeback %lld, after %lld; "
	     "next device WRITE faults %lld", f1, b, before, after, f2);
	ASSERT_EQ(0, close(bfd));
	EXPECT_LE(0, f1);
	EXPECT_EQ(100, before);
	EXPECT_EQ(7, after);
	EXPECT_LT(0, f2);
}

TEST_F(pagecache, write_pin_refused)
{
	self->npages = 1;
	longterm_pin_refused(_metadata, &self->t, 0);
}

/* a read long-term pin is granted and truncate does not wait for it */
TEST_F(pagecache, read_pin_ignores_truncate)
{
	struct pin_longterm_test p = { .size = PG, .flags = 0 };
	long long pinned = -1, filev = -1;
	__u64 a = (uintptr_t)tbuf;
	double t0, ms;
	int fd, e = 0;

	self->npages = 1;
	ASSERT_TRUE(fst_open(&self->t, "rpin", 1, 1));
	fd = open(GUP_TEST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", GUP_TEST_DEV, strerror(errno));
	p.addr = (uintptr_t)self->t.map;
	ASSERT_EQ(0, ioctl(fd, PIN_LONGTERM_TEST_START, &p)) TH_LOG("read long-term pin: %s", strerror(errno));
	t0 = now_ms();
	if (ftruncate(self->t.fd, 0))
		e = errno;
	ms = now_ms() - t0;
	memset(tbuf, 0, PG);
	ASSERT_EQ(0, ioctl(fd, PIN_LONGTERM_TEST_READ, &a)) TH_LOG("PIN_LONGTERM_TEST_READ: %s", strerror(errno));
	memcpy(&pinned, tbuf, sizeof(pinned));
	ASSERT_EQ(0, page_read_value(self->t.fd, 0, &filev));
	ASSERT_EQ(0, ioctl(fd, PIN_LONGTERM_TEST_STOP)) TH_LOG("PIN_LONGTERM_TEST_STOP: %s", strerror(errno));
	diag("page cache: read long-term pin GRANTED; truncate %s in %.1f ms; the pin reads %lld, the file %lld",
	     e ? strerror(e) : "returned", ms, pinned, filev);
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(0, e);
	EXPECT_EQ(100, pinned);
	EXPECT_EQ(0, filev);
}

/* ======================================================================================
 * protocol: the agent's own loop, fed from a pipe (before the PCI removal below)
 * ==================================================================================== */
STORY_FIXTURE(protocol)

/*
 * The agent's own loop in a child, fed requests (one per line) from a pipe: its answers, one
 * per line, in answers[0..n) (malloc'd).  n, or -1 when the child did not exit 0.
 */
static int agent_session(const char *requests, char **answers, int max)
{
	char *line = NULL;
	size_t cap = 0;
	int in[2], outp[2], n = 0, status = 0;
	pid_t pid;
	FILE *f;

	if (pipe(in) || pipe(outp))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0)
			_exit(3);
		xclose(in[1], "pipe");
		xclose(outp[0], "pipe");
		g.allow_unplug = 0;
		serve();
		teardown();
		_exit(0);
	}
	xclose(in[0], "pipe");
	xclose(outp[1], "pipe");
	f = fdopen(outp[0], "r");
	if (!f || dprintf(in[1], "%s", requests) < 0)
		diag("protocol: cannot feed the agent: %s", strerror(errno));
	xclose(in[1], "pipe");
	while (f && getline(&line, &cap, f) > 0) {
		diag("protocol: %.*s", (int)strcspn(line, "\n"), line);
		if (n < max)
			answers[n++] = strdup(line);
	}
	if (f && fclose(f))
		diag("fclose: %s", strerror(errno));
	free(line);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return n;
}

static void free_answers(char **a, int n)
{
	for (int i = 0; i < n; i++)
		free(a[i]);
}

#define HELLO "{\"devmap\":1,\"op\":\"hello\",\"harness\":\"selftest\"}\n"
#define RESET1 "{\"id\":1,\"op\":\"reset\",\"config\":{\"files\":[\"f1\"],\"pages\":2,\"blocks\":2," \
	"\"importers\":[{\"name\":\"gpu\",\"route\":true,\"atomic\":false,\"write\":true}]," \
	"\"bar_pages\":2,\"bar_base\":0,\"pin\":true,\"reverse_map\":false}}\n"

/* hello, reset, mmap, cpu_write, bye: five answers with "ok":true, each the one its request asks */
TEST_F(protocol, hello_round_trip)
{
	static const char *const want[] = {	/* what each answer must carry, in order */
		"\"devmap\":1,\"ok\":true", "\"id\":1,\"ok\":true,\"result\":\"done\",\"config\":",
		"\"id\":2,\"ok\":true,\"result\":\"done\"", "\"id\":3,\"ok\":true,\"result\":\"done\",\"value\":9",
		"\"id\":4,\"ok\":true,\"result\":\"done\"",
	};
	char *a[8];
	int good = 0, n = agent_session(HELLO RESET1 "{\"id\":2,\"op\":\"mmap\",\"file\":\"f1\"}\n"
		"{\"id\":3,\"op\":\"cpu_write\",\"file\":\"f1\",\"off\":1,\"value\":9}\n"
		"{\"id\":4,\"op\":\"bye\"}\n", a, 8);

	ASSERT_EQ(5, n);
	for (int i = 0; i < n; i++) {
		if (strstr(a[i], want[i]))
			good++;
		else
			diag("protocol: answer %d lacks %s", i + 1, want[i]);
	}
	free_answers(a, n);
	EXPECT_EQ(5, good);
}

/*
 * The hello offers a layout change only if the filesystem does it: for reflink, unshare and
 * relocate, either it is in "ops" and a request of it on a written page answers ok, or it
 * is in "unsupported" and the request answers ENOSYS (never an offered op the kernel answers
 * EOPNOTSUPP, as relocate was on fs-dax).
 */
TEST_F(protocol, fs_offers_only_working_layout_changes)
{
	static const char *const ops[] = { "reflink", "unshare", "relocate" };
	static const char *const req[] = {
		"{\"id\":5,\"op\":\"reflink\",\"file\":\"f1\",\"off\":1,\"to\":2}\n",
		"{\"id\":6,\"op\":\"unshare\",\"file\":\"f1\",\"off\":2}\n",
		"{\"id\":7,\"op\":\"relocate\",\"file\":\"f1\",\"off\":1}\n",
	};
	char script[2048], *a[16], *opsl, *uns;
	int n;

	snprintf(script, sizeof(script), "%s%s%s%s%s%s%s%s", HELLO, RESET1,
		 "{\"id\":2,\"op\":\"cpu_write\",\"file\":\"f1\",\"off\":1,\"value\":3}\n",
		 "{\"id\":3,\"op\":\"cpu_write\",\"file\":\"f1\",\"off\":2,\"value\":4}\n",
		 "{\"id\":4,\"op\":\"writeback\",\"file\":\"f1\",\"off\":1}\n", req[0], req[1], req[2]);
	n = agent_session(script, a, 16);
	ASSERT_EQ(8, n);
	opsl = strstr(a[0], "\"ops\":[");
	uns = strstr(a[0], "\"unsupported\":{");
	ASSERT_NE(NULL, opsl);
	ASSERT_NE(NULL, uns);
	for (int i = 0; i < 3; i++) {
		char q[32], u[32];
		const char *ans = a[5 + i];
		int offered, refused_enosys = strstr(ans, "\"errno\":\"ENOSYS\"") != NULL;

		snprintf(q, sizeof(q), "\"%s\"", ops[i]);
		snprintf(u, sizeof(u), "\"%s\":", ops[i]);
		offered = strstr(opsl, q) && strstr(opsl, q) < uns;
		diag("%s: %s; answer %.*s", ops[i], offered ? "offered" : "not offered",
		     (int)strcspn(ans, "\n"), ans);
		if (offered) {
			EXPECT_NE(NULL, strstr(ans, "\"ok\":true"));
		} else {
			EXPECT_NE(NULL, strstr(uns, u));
			EXPECT_TRUE(refused_enosys);
		}
	}
	free_answers(a, n);
}

/* requests 2-6: f1 page 1 written (5) and written back, mapped WRITE by gpu, a write DMA of 7 started */
#define MAPPED_DMA_WRITE \
	"{\"id\":2,\"op\":\"mmap\",\"file\":\"f1\"}\n" \
	"{\"id\":3,\"op\":\"cpu_write\",\"file\":\"f1\",\"off\":1,\"value\":5}\n" \
	"{\"id\":4,\"op\":\"writeback\",\"file\":\"f1\",\"off\":1}\n" \
	"{\"id\":5,\"op\":\"device_map\",\"imp\":\"gpu\",\"file\":\"f1\",\"lo\":1,\"hi\":1,\"flags\":[\"WRITE\"],\"commit\":true}\n" \
	"{\"id\":6,\"op\":\"dma_start\",\"imp\":\"gpu\",\"file\":\"f1\",\"off\":1,\"dir\":\"write\",\"value\":7}\n"

/*
 * A DMA write lands when it ends (the protocol's DmaEnd), not when it starts: between
 * dma_start and dma_end a CPU read returns the old value, after dma_end the DMA's value.
 */
TEST_F(protocol, fs_dma_write_lands_at_its_end)
{
	char *a[16];
	int n = agent_session(HELLO RESET1
		MAPPED_DMA_WRITE
		"{\"id\":7,\"op\":\"cpu_read\",\"file\":\"f1\",\"off\":1}\n"
		"{\"id\":8,\"op\":\"dma_end\",\"imp\":\"gpu\"}\n"
		"{\"id\":9,\"op\":\"cpu_read\",\"file\":\"f1\",\"off\":1}\n"
		"{\"id\":10,\"op\":\"bye\"}\n", a, 16);

	ASSERT_EQ(11, n);
	EXPECT_NE(NULL, strstr(a[5], "\"result\":\"granted\""));
	EXPECT_NE(NULL, strstr(a[6], "\"id\":6,\"ok\":true"));
	EXPECT_NE(NULL, strstr(a[7], "\"value\":5,"));	/* in flight: not landed yet */
	EXPECT_NE(NULL, strstr(a[8], "\"id\":8,\"ok\":true"));
	EXPECT_NE(NULL, strstr(a[9], "\"value\":7,"));	/* ended: landed */
	free_answers(a, n);
}

/*
 * An importer that acks with its DMA in flight (munmap on both fs devices: the mirror's
 * notifier callback returns at once) gives its grant's BAR window back with the ack, as the
 * model's InvAck does; the window is not held until the DMA ends.
 */
TEST_F(protocol, fs_ack_with_dma_gives_bar_back)
{
	char *a[16];
	int n = agent_session(HELLO RESET1
		MAPPED_DMA_WRITE
		"{\"id\":7,\"op\":\"munmap\",\"file\":\"f1\"}\n"
		"{\"id\":8,\"op\":\"cpu_read\",\"file\":\"f1\",\"off\":2}\n"
		"{\"id\":9,\"op\":\"dma_end\",\"imp\":\"gpu\"}\n"
		"{\"id\":10,\"op\":\"bye\"}\n", a, 16);

	ASSERT_EQ(11, n);
	EXPECT_NE(NULL, strstr(a[5], "\"result\":\"granted\""));
	EXPECT_NE(NULL, strstr(a[5], "\"bar\":1"));
	EXPECT_NE(NULL, strstr(a[7], "{\"event\":\"ack\",\"imp\":\"gpu\""));	/* acked, DMA in flight */
	EXPECT_NE(NULL, strstr(a[8], "\"bar\":0"));	/* the window went with the ack */
	EXPECT_NE(NULL, strstr(a[9], "\"id\":9,\"ok\":true"));
	free_answers(a, n);
}

/* ======================================================================================
 * pci: the exporter's removal with a live BAR mapping (last: the function is gone after it)
 * ==================================================================================== */
STORY_FIXTURE(pci)

TEST_F(pci, remove_with_live_p2pmem_mapping)
{
	char path[300];
	long long v, avail = 0;
	char *bar;
	int err, sig;
	double t0, ms;

	bar = p2p_alloc(PG, &err);
	ASSERT_NE(NULL, bar) TH_LOG("mmap(p2pmem/allocate): %s", strerror(err));
	bar[0] = 1;
	ASSERT_EQ(0, p2p_available(&avail));
	if (g.nvme_fd >= 0) {	/* our reference on the namespace would hold the removal */
		restore_nvme();
		ASSERT_EQ(0, close(g.nvme_fd));
		g.nvme_fd = -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", g.pci);
	diag("unplug: writing 1 to %s with one live p2pmem page (available %lld)", path, avail);
	t0 = now_ms();
	err = write_sysfs(path, "1");
	ms = now_ms() - t0;
	ASSERT_EQ(0, err) TH_LOG("remove: %s", strerror(-err));
	g.unplugged = 1;
	sig = probe_read(bar, &v);
	diag("unplug: removal returned after %.1f ms; the live p2pmem page now %s", ms,
	     sig == SIGBUS ? "raises SIGBUS (zapped)" : sig ? "faults" : "is STILL READABLE");
	if (munmap(bar, PG))
		diag("munmap(p2pmem) after the removal: %s", strerror(errno));
	EXPECT_NE(0, sig);
}

/* ---- the run ---- */

/* at exit (the harness ends with exit()): the NVMe scratch range back, unless it was removed */
static void selftest_exit(void)
{
	char path[300];

	if (g.pci) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", g.pci);
		if (access(path, F_OK))
			g.unplugged = 1;	/* pci.remove_with_live_p2pmem_mapping ran (in its child) */
	}
	restore_nvme();
}

/*
 * The KTAP header and the requirements no test here can witness (why), then the harness:
 * argv are the harness's own options (after "--" on the agent's command line: -l lists the
 * tests, -t NAME / -f FIXTURE run some).  Does not return: the harness exits 0 when every
 * test passed or skipped, else 1.
 */
int selftest(int argc, char **argv)
{
	printf("TAP version 13\n");
	cannot_witness_each(emit_ktap_cannot, NULL);
	fflush(stdout);
	if (setenv("KSFT_TAP_LEVEL", "1", 1))	/* the header is printed: the harness skips its own */
		diag("setenv: %s", strerror(errno));
	if (atexit(selftest_exit))
		diag("atexit failed: the NVMe scratch range is not restored");
	return test_harness_run(argc, argv);
}
