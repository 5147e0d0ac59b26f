// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: the exporter: p2pmem BAR windows of the NVMe CMB (genalloc accounting, ballast), the
 * O_DIRECT NVMe <-> CMB data path and its scratch range, PCI removal and rescan.
 */
#include "agent.h"

/* ---- p2pmem ---- */
int p2p_available(long long *v)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/available", g.p2p_dir);
	return read_sysfs_long(path, v);
}

char *p2p_alloc(size_t len, int *err)
{
	char path[300];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/allocate", g.p2p_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	*err = errno;
	if (close(fd))
		diag("close(p2pmem/allocate): %s", strerror(errno));
	return p == MAP_FAILED ? NULL : p;
}

/* ---- SIGBUS-safe probe of a mapping (after exporter removal) ---- */
static sigjmp_buf probe_jmp;

static void probe_handler(int sig)
{
	siglongjmp(probe_jmp, sig);
}

/* 0: readable, else the signal number that the access raised */
int probe_read(volatile const char *p, long long *v)
{
	struct sigaction sa = { .sa_handler = probe_handler }, osbus, osegv;
	int sig;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &osbus) || sigaction(SIGSEGV, &sa, &osegv))
		return -1;
	sig = sigsetjmp(probe_jmp, 1);
	if (!sig)
		memcpy(v, (const void *)p, sizeof(*v));
	if (sigaction(SIGBUS, &osbus, NULL) || sigaction(SIGSEGV, &osegv, NULL))
		diag("sigaction (restoring SIGBUS/SIGSEGV): %s", strerror(errno));
	return sig;
}

/* ---- NVMe scratch range (O_DIRECT) ---- */
int nvme_xfer(int write, void *buf, size_t len, off_t off)
{
	ssize_t n = write ? pwrite(g.nvme_fd, buf, len, off) : pread(g.nvme_fd, buf, len, off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void setup_p2p(void)
{
	long long v;

	if (!g.pci)
		return;
	snprintf(g.p2p_dir, sizeof(g.p2p_dir), "/sys/bus/pci/devices/%s/p2pmem", g.pci);
	if (p2p_available(&v)) {
		diag("no P2PDMA provider at %s", g.p2p_dir);
		return;
	}
	g.have_p2p = 1;
	diag("p2pmem: %s available=%lld", g.p2p_dir, v);
}

int setup_nvme(void)
{
	long long size = 0;
	char path[300];
	int err;

	if (!g.nvme)
		return 0;
	snprintf(path, sizeof(path), "/sys/block/%s/size", nvme_base(g.nvme));
	err = read_sysfs_long(path, &size);
	if (err) {
		diag("cannot read %s: %s", path, strerror(-err));
		return 0;
	}
	size *= 512;
	if (size < (long long)(2 * NVME_SCRATCH)) {
		diag("namespace too small (%lld bytes)", size);
		return 0;
	}
	g.nvme_fd = open(g.nvme, O_RDWR | O_DIRECT | O_CLOEXEC | O_EXCL);
	if (g.nvme_fd < 0) {
		diag("open(%s, O_DIRECT|O_EXCL): %s", g.nvme, strerror(errno));
		return 0;
	}
	g.nvme_scratch_off = (off_t)(size - NVME_SCRATCH);
	if (posix_memalign((void **)&g.nvme_saved, PG, NVME_SCRATCH)) {
		diag("posix_memalign failed");
		return 0;
	}
	err = nvme_xfer(0, g.nvme_saved, NVME_SCRATCH, g.nvme_scratch_off);
	if (err) {
		diag("saving scratch range: %s", strerror(-err));
		free(g.nvme_saved);
		g.nvme_saved = NULL;
		return 0;
	}
	g.have_nvme = 1;
	diag("nvme: %s scratch range %lld..%lld (saved, restored at exit)", g.nvme,
	     (long long)g.nvme_scratch_off, (long long)(g.nvme_scratch_off + NVME_SCRATCH));
	return 0;
}

void restore_nvme(void)
{
	int err;

	if (!g.have_nvme || !g.nvme_saved || g.unplugged)
		return;
	err = nvme_xfer(1, g.nvme_saved, NVME_SCRATCH, g.nvme_scratch_off);
	if (err)
		diag("restoring scratch range failed: %s", strerror(-err));
}

/* reserve the CMB beyond --bar-pages, so that exhaustion is the kernel's own refusal */
void setup_ballast(void)
{
	long long avail;
	int err;

	if (!g.have_p2p || g.unplugged || g.want_bar_pages < 0 || g.ballast)
		return;
	if (p2p_available(&avail))
		return;
	if (avail <= g.want_bar_pages * (long long)PG)
		return;
	g.ballast_len = (size_t)(avail - g.want_bar_pages * (long long)PG);
	g.ballast = p2p_alloc(g.ballast_len, &err);
	if (!g.ballast) {
		diag("ballast allocation of %zu bytes failed: %s", g.ballast_len, strerror(err));
		g.ballast_len = 0;
		return;
	}
	if (p2p_available(&avail))	/* for the message only */
		avail = -1;
	diag("p2pmem ballast %zu bytes: %lld bytes (%lld pages) left for grants", g.ballast_len,
	     avail, avail / (long long)PG);
}

/* BAR pages in use, as the kernel's p2pmem genalloc reports them; -1 when not observed */
long long bar_in_use(void)
{
	long long avail;

	if (!g.have_p2p)
		return -1;
	if (g.unplugged)
		return 0;
	if (p2p_available(&avail))
		return -1;
	return avail >= g.bar_base_avail ? 0 : (g.bar_base_avail - avail) / (long long)PG;
}

/*
 * Stage the granted pages into the BAR window by a real device DMA: the page values go
 * to the NVMe scratch range (O_DIRECT write from host memory), then the NVMe reads them
 * into its own CMB (O_DIRECT read into the p2pmem buffer); the BAR content is checked.
 */
int stage_into_bar(struct grant *gr, char *why, size_t cap)
{
	size_t len = (gr->hi - gr->lo + 1) * PG;
	char *buf;
	int err;

	if (!g.have_nvme)
		return 0;
	if (posix_memalign((void **)&buf, PG, len))
		return -ENOMEM;
	memset(buf, 0, len);
	for (int o = gr->lo; o <= gr->hi; o++) {
		long long v = 0;
		struct file *f = &g.files[gr->file];

		if (f->map)	/* through the mapping: read(2) may wait on the inode lock (fs-dax) */
			memcpy(&v, f->map + (o - 1) * PG, sizeof(v));
		else
			if (page_read_value(f->fd, o - 1, &v))
				diag("pread %s page %d: %s", f->name, o, strerror(errno));
		memcpy(buf + (o - gr->lo) * PG, &v, sizeof(v));
	}
	err = nvme_xfer(1, buf, len, g.nvme_scratch_off);
	if (!err)
		err = nvme_xfer(0, gr->bar, len, g.nvme_scratch_off);
	if (!err && memcmp(buf, gr->bar, len)) {
		snprintf(why, cap, "data check failed: CMB content differs after NVMe->CMB DMA");
		err = -EIO;
	}
	free(buf);
	return err;
}

/*
 * A grant with no live page left gives its BAR window back (what the driver's invalidate
 * callback does once the importer acknowledged): before the next request, so the answer
 * that reported the invalidation still counts it, as the acks come after that answer.
 * Acknowledged is what the agent reported: a DMA in flight keeps the window only while a
 * layout change still awaits that importer's ack (fs-dax truncate/punch waiting on the page
 * reference); where the ack came with the DMA in flight (page cache; munmap on fs-dax) the
 * window goes with the ack, as the model's InvAck gives the grant's BAR pages back.
 */
void release_dead_windows(void)
{
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];
		int any = 0;

		if (!gr->used || gr->pin || !gr->bar)
			continue;
		for (int o = gr->lo; o <= gr->hi; o++)
			any |= gr->live[o];
		if (any)
			continue;
		if (g.lops[gr->file].on && (g.lops[gr->file].awaiting >> gr->imp & 1))
			continue;	/* fs-dax: its DMA has not drained, the ack is still owed */
		if (munmap(gr->bar, gr->bar_len))
			diag("munmap(p2pmem): %s", strerror(errno));
		gr->bar = NULL;
		gr->bar_len = 0;
	}
}

/* the PCI function's removal, with the exporter's live BAR windows left mapped */
void op_unplug(struct req *r)
{
	char path[300];
	long long avail = -1;
	int live = 0, survived = 0, revoked = 0;
	double t0, ms;
	pid_t pid;
	int status = 0, done = 0;
	static char ev[LINE_MAX_LEN];
	size_t n = 0;
	int revoked_imp[MAX_IMPS] = { 0 };

	if (!g.pci || !g.allow_unplug) {
		reply_err(r->id, ENOSYS, "PCI removal not enabled (needs --pci and --allow-unplug)");
		return;
	}
	if (g.unplugged) {
		reply_done(r->id);
		return;
	}
	ev[0] = 0;
	if (g.have_p2p)
		if (p2p_available(&avail))	/* for the message only */
			avail = -1;
	for (int i = 0; i < MAX_GRANTS; i++)
		live += g.grants[i].used && g.grants[i].bar;
	diag("unplug %s: %d live BAR window(s), available %lld", g.pci, live, avail);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", g.pci);
	if (g.nvme_fd >= 0) {	/* our own reference on the namespace would be a leak here */
		restore_nvme();
		xclose(g.nvme_fd, g.nvme);
		g.nvme_fd = -1;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		reply_err(r->id, errno, "fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		int err = write_sysfs(path, "1");

		_exit(err ? 1 : 0);
	}
	while (now_ms() - t0 < 10000) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			done = 1;
			break;
		}
		if (w < 0)
			break;
		usleep(10000);
	}
	ms = now_ms() - t0;
	if (!done) {
		reply_err(r->id, ETIMEDOUT, "removal still waiting after %.0f ms with %d live BAR "
			  "window(s) (child %d left running)", ms, live, (int)pid);
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		reply_err(r->id, EIO, "write to %s failed", path);
		return;
	}
	g.unplugged = 1;
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];
		long long v;

		if (!gr->used || !gr->bar)
			continue;
		if (probe_read(gr->bar, &v)) {
			revoked++;
			revoked_imp[gr->imp] = 1;
		} else {
			survived++;
		}
	}
	diag("unplug: removal finished in %.1f ms; BAR windows: %d revoked (SIGBUS), %d still "
	     "readable", ms, revoked, survived);
	/*
	 * The removal zapped every p2pmem window (unmap_mapping_range) before the sysfs write
	 * returned: each importer whose window is gone has, in the protocol's terms,
	 * acknowledged the revocation, and the unplug has ended.  Reported after the answer
	 * because the agent sees it only when the write returned.
	 */
	for (int i = 0; i < g.nimps; i++)
		if (revoked_imp[i])
			n += snprintf(ev + n, sizeof(ev) - n, "%s{\"event\":\"revoke_ack\",\"imp\":\"%s\"}",
				      n ? "," : "", g.imps[i]);
	if (n)	/* nothing was mapped: the removal finished at once, no event (the model's too) */
		snprintf(ev + n, sizeof(ev) - n, ",{\"event\":\"unplug_end\"}");
	{
		struct out o;
		int k = 0;

		reply_begin(&o, r->id);
		oprintf(&o, ",\"result\":\"%s\",\"notified\":[", n ? "started" : "done");
		for (int i = 0; i < g.nimps; i++)
			if (revoked_imp[i]) {
				oputs(&o, k++ ? "," : "");
				oquote(&o, g.imps[i]);
			}
		oprintf(&o, "],\"removal_ms\":%.1f,\"bar_windows_revoked\":%d,"
			"\"bar_windows_surviving\":%d", ms, revoked, survived);
		g.reply_by_kernel = n > 0;	/* the kernel's removal revoked them */
		reply_end(&o, ev);
	}
}

/* after an unplug, a reset brings the exporter back: PCI rescan, then its p2pmem and namespace */
int replug(char *why, size_t cap)
{
	long long v;
	int err;

	if (!g.unplugged)
		return 0;
	err = write_sysfs("/sys/bus/pci/rescan", "1");
	if (err) {
		snprintf(why, cap, "/sys/bus/pci/rescan: %s", strerror(-err));
		return err;
	}
	for (int i = 0; i < 200 && p2p_available(&v); i++)
		usleep(10000);
	if (p2p_available(&v)) {
		snprintf(why, cap, "after a PCI rescan %s has no p2pmem", g.pci);
		return -ENODEV;
	}
	g.unplugged = 0;
	if (g.nvme) {
		for (int i = 0; i < 200 && access(g.nvme, F_OK); i++)
			usleep(10000);
		if (g.nvme_saved) {
			free(g.nvme_saved);
			g.nvme_saved = NULL;
		}
		g.have_nvme = 0;
		setup_nvme();
	}
	diag("exporter back after a PCI rescan: available=%lld", v);
	return 0;
}
