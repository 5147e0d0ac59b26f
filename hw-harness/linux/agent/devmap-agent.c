// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: a devmap agent (AGENT-PROTOCOL.md v1) for a real Linux kernel.
 *
 * Today's kernel has no device_map()/device_unmap() callbacks.  This agent maps the
 * protocol's operations onto the kernel facilities that stand for its parts:
 *
 *   importer mapping + mmu-notifier invalidation   HMM test driver (/dev/hmm_dmirror0)
 *                                                  mirroring a MAP_SHARED shmem file
 *   dma_buf pin (device_map flag PIN)              udmabuf over the same memfd
 *                                                  (F_SEAL_SHRINK), dma-buf fd
 *   exporter BAR space, P2P data path              PCI P2PDMA p2pmem of an NVMe CMB:
 *                                                  mmap of p2pmem/allocate, O_DIRECT
 *                                                  NVMe <-> CMB transfers
 *   exporter removal (unplug)                      /sys/bus/pci/devices/BDF/remove
 *   ATOMIC                                         HMM_DMIRROR_EXCLUSIVE
 *                                                  (make_device_exclusive_range)
 *
 * With --fs dax|pagecache --dir DIR the files are regular files on that filesystem (fs-dax:
 * the mirror maps the blocks themselves; layout changes run on a thread and wait in the
 * kernel for the page references a DMA in flight holds).
 *
 * It touches only the PCI function named by --pci and the namespace named by --nvme,
 * refuses a namespace with a mounted filesystem, and works on memfd scratch files and on
 * a scratch range of the namespace whose contents it saves and restores.
 *
 * Diagnostics go to stderr as KTAP-style "# ..." lines; protocol lines go to stdout.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <pthread.h>
#include <sys/uio.h>
#include <linux/types.h>
#include <linux/ioctl.h>

#define AGENT_NAME "devmap-agent-linux 0.1"

/* ---- uapi (lib/test_hmm_uapi.h, include/uapi/linux/udmabuf.h), Linux-syscall-note ---- */
struct hmm_dmirror_cmd {
	__u64 addr;
	__u64 ptr;
	__u64 npages;
	__u64 cpages;
	__u64 faults;
};
#define HMM_DMIRROR_READ	_IOWR('H', 0x00, struct hmm_dmirror_cmd)
#define HMM_DMIRROR_WRITE	_IOWR('H', 0x01, struct hmm_dmirror_cmd)
#define HMM_DMIRROR_SNAPSHOT	_IOWR('H', 0x04, struct hmm_dmirror_cmd)
#define HMM_DMIRROR_EXCLUSIVE	_IOWR('H', 0x05, struct hmm_dmirror_cmd)
#define HMM_PROT_ERROR	0xFF
#define HMM_PROT_READ	0x01
#define HMM_PROT_WRITE	0x02

struct udmabuf_create {
	__u32 memfd;
	__u32 flags;
	__u64 offset;
	__u64 size;
};
#define UDMABUF_CREATE _IOW('u', 0x42, struct udmabuf_create)

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SHRINK 0x0002
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif

/* ---- limits ---- */
#define PG		4096UL
#define MAX_FILES	8
#define MAX_PAGES	64
#define MAX_IMPS	4
#define MAX_GRANTS	64
#define MAX_STR		128
#define LINE_MAX_LEN	8192
#define NVME_SCRATCH	(MAX_PAGES * PG)	/* bytes at the end of the namespace */

/* ======================================================================================
 * diagnostics
 * ==================================================================================== */
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static double now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENXIO: return "ENXIO";
	default: return "EIO";
	}
}

/* ======================================================================================
 * JSON in: jansson (Debian's libjansson-dev, linked statically); keys as paths "a.b.0.c"
 * ==================================================================================== */
struct jobj {
	json_t *root;
};

static int json_parse(const char *line, struct jobj *o)
{
	json_error_t e;

	json_decref(o->root);
	o->root = json_loads(line, JSON_REJECT_DUPLICATES, &e);
	if (o->root && json_is_object(o->root))
		return 0;
	diag("JSON: %s", o->root ? "not an object" : e.text);
	json_decref(o->root);
	o->root = NULL;
	return -1;
}

/* the value at a path: objects by key, arrays by index ("config.importers.0.name") */
static json_t *jpath(const struct jobj *o, const char *key)
{
	char buf[MAX_STR], *save = NULL;
	json_t *v = o->root;

	snprintf(buf, sizeof(buf), "%s", key);
	for (char *t = strtok_r(buf, ".", &save); t && v; t = strtok_r(NULL, ".", &save)) {
		char *end;
		long i;

		if (json_is_object(v)) {
			v = json_object_get(v, t);
		} else if (json_is_array(v)) {
			i = strtol(t, &end, 10);
			v = *end || i < 0 ? NULL : json_array_get(v, (size_t)i);
		} else {
			v = NULL;
		}
	}
	return v;
}

static const char *jstr(const struct jobj *o, const char *key)
{
	json_t *v = jpath(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int jint(const struct jobj *o, const char *key, long long *v)
{
	json_t *x = jpath(o, key);

	if (!json_is_integer(x))
		return -1;
	*v = json_integer_value(x);
	return 0;
}

static int jbool(const struct jobj *o, const char *key, int *b)
{
	json_t *x = jpath(o, key);

	if (!json_is_boolean(x))
		return -1;
	*b = json_is_true(x);
	return 0;
}

/* the length of the array at key, or -1 */
static int jlen(const struct jobj *o, const char *key)
{
	json_t *x = jpath(o, key);

	return json_is_array(x) ? (int)json_array_size(x) : -1;
}

static int jhas_item(const struct jobj *o, const char *key, const char *item)
{
	json_t *x = jpath(o, key), *e;
	size_t i;

	if (!json_is_array(x))
		return 0;
	json_array_foreach(x, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), item))
			return 1;
	return 0;
}

/* ---- output: one line per object, built in a buffer ---- */
struct out {
	char buf[LINE_MAX_LEN];
	size_t n;
};

static void oputs(struct out *o, const char *s)
{
	size_t l = strlen(s);

	if (o->n + l >= sizeof(o->buf))
		l = sizeof(o->buf) - o->n - 1;
	memcpy(o->buf + o->n, s, l);
	o->n += l;
	o->buf[o->n] = 0;
}

static void oprintf(struct out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	oputs(o, tmp);
}

static void oquote(struct out *o, const char *s)
{
	oputs(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			oprintf(o, "\\%c", c);
		else if (c < 0x20)
			oprintf(o, "\\u%04x", c);
		else
			oprintf(o, "%c", c);
	}
	oputs(o, "\"");
}

static void emit(struct out *o)
{
	if (fprintf(stdout, "%s\n", o->buf) < 0 || fflush(stdout))
		diag("write to stdout failed: %s", strerror(errno));
	o->n = 0;
	o->buf[0] = 0;
}

/* ======================================================================================
 * state
 * ==================================================================================== */
struct file {
	char name[MAX_STR];
	int fd;			/* memfd (shmem), sealable */
	char *map;		/* MAP_SHARED mapping of npages, or NULL */
	int sealed;		/* F_SEAL_SHRINK applied (permanent) */
	char path[300];		/* --fs: the file on the filesystem */
	int dio_fd;		/* --fs pagecache: an O_DIRECT descriptor of it */
};

struct grant {
	int used;
	int imp, file, lo, hi;	/* page offsets, 1-based inclusive */
	int pin, write, atomic;
	int live[MAX_PAGES + 1];	/* mirror entry believed live, per page */
	int dmabuf;			/* PIN: dma-buf fd */
	char *dmabuf_map;
	char *bar;			/* p2pmem window (exporter BAR space), or NULL */
	size_t bar_len;
	long long blk[MAX_PAGES + 1];	/* --fs: FIEMAP block per page (-1: none) */
	long long addr[MAX_PAGES + 1];	/* fs-dax: physical address (pagemap pfn) */
	int nblk;
};

/* --fs: a device DMA in flight = a page reference held by a pipe (vmsplice) */
struct dma {
	int on, file, off, write;
	int pfd[2];
	long long v;
	double t0;
};

/* --fs: a layout change (truncate, punch, ...) running on a thread */
struct lop {
	int on, file, kind;
	long long a, b;
	pthread_t t;
	int finished, err;
	double t0, t1;
	unsigned awaiting, notified;	/* importers (bits): DMA in flight at the start; told */
};

static struct {
	/* command line */
	const char *pci, *nvme, *hmm_dev;
	long bar_pages;		/* -1: the whole CMB */
	int allow_unplug;
	/* session */
	int nfiles, npages, nimps;
	struct file files[MAX_FILES];
	char imps[MAX_IMPS][MAX_STR];
	int imp_write[MAX_IMPS];	/* the config's "write" of each importer (what we answered) */
	int mirror[MAX_IMPS];
	long long nblocks, bar_base_avail;	/* config blocks; p2pmem "available" with no grant */
	long want_bar_pages;	/* the BAR size this scenario asked for (-1: keep all) */
	struct grant grants[MAX_GRANTS];
	long long nextv;
	/* facilities */
	int have_hmm, have_udmabuf, have_p2p, have_nvme;
	char p2p_dir[256];
	int nvme_fd;
	off_t nvme_scratch_off;
	char *nvme_saved;	/* original content of the scratch range */
	char *ballast;
	size_t ballast_len;
	int unplugged;
	/* --fs dax|pagecache --dir DIR */
	const char *fs, *fs_dir;
	long long pmem_base_pfn;
	int have_gup_test;
	struct dma dmas[MAX_IMPS];
	struct lop lops[MAX_FILES];
	int reply_by_kernel;	/* the next answer reports a decision the kernel made */
} g = { .bar_pages = -1, .hmm_dev = "/dev/hmm_dmirror0", .nvme_fd = -1, .pmem_base_pfn = -1 };

static void lop_collect(char *ev, size_t cap);
static void fs_quiesce(void);
static int fs_create_file(int i, const char *name);
static int fs_on(void);
static const char *LOP_NAME_OF(int kind);
static int fs_dax(void);

/* ======================================================================================
 * small syscall helpers (every error checked, errno preserved)
 * ==================================================================================== */
static int read_sysfs_long(const char *path, long long *v)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	buf[n] = 0;
	*v = strtoll(buf, NULL, 0);
	return 0;
}

static int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (close(fd))
		return -errno;
	return 0;
}

static int page_read_value(int fd, int pageidx, long long *v)
{
	ssize_t n = pread(fd, v, sizeof(*v), (off_t)pageidx * PG);

	if (n < 0)
		return -errno;
	if (n < (ssize_t)sizeof(*v))
		*v = 0;	/* beyond EOF reads as nothing: report 0 */
	return 0;
}

static int page_write_value(int fd, int pageidx, long long v)
{
	ssize_t n = pwrite(fd, &v, sizeof(v), (off_t)pageidx * PG);

	if (n < 0)
		return -errno;
	return n == sizeof(v) ? 0 : -EIO;
}

/* ---- HMM mirror ---- */
static int hmm_cmd(int mfd, unsigned long req, void *addr, void *buf, unsigned long npages,
		   struct hmm_dmirror_cmd *out)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)addr, .ptr = (uintptr_t)buf, .npages = npages,
	};

	if (ioctl(mfd, req, &cmd) < 0)
		return -errno;	/* the driver does not copy cmd back on error */
	if (out)
		*out = cmd;
	return 0;
}

/* prot of each page as the mirror's snapshot shows it; -errno if the range is unmapped */
static int hmm_snapshot(int mfd, void *addr, unsigned long npages, unsigned char *prot)
{
	return hmm_cmd(mfd, HMM_DMIRROR_SNAPSHOT, addr, prot, npages, NULL);
}


/* ---- p2pmem ---- */
static int p2p_available(long long *v)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/available", g.p2p_dir);
	return read_sysfs_long(path, v);
}

static char *p2p_alloc(size_t len, int *err)
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
static int probe_read(volatile const char *p, long long *v)
{
	struct sigaction sa = { .sa_handler = probe_handler }, osbus, osegv;
	int sig;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &osbus) || sigaction(SIGSEGV, &sa, &osegv))
		return -1;
	sig = sigsetjmp(probe_jmp, 1);
	if (!sig)
		memcpy(v, (const void *)p, sizeof(*v));
	sigaction(SIGBUS, &osbus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

/* ---- NVMe scratch range (O_DIRECT) ---- */
static int nvme_xfer(int write, void *buf, size_t len, off_t off)
{
	ssize_t n = write ? pwrite(g.nvme_fd, buf, len, off) : pread(g.nvme_fd, buf, len, off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* ======================================================================================
 * safety checks on the command-line devices
 * ==================================================================================== */
static int valid_bdf(const char *s)
{
	/* dddd:bb:dd.f */
	if (strlen(s) != 12)
		return 0;
	for (int i = 0; i < 12; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != ':')
				return 0;
		} else if (i == 10) {
			if (s[i] != '.')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return s[11] >= '0' && s[11] <= '7';
}

static const char *nvme_base(const char *dev)
{
	const char *b = strrchr(dev, '/');

	return b ? b + 1 : dev;
}

static int valid_nvme(const char *dev)
{
	const char *b = nvme_base(dev);
	const char *p = b + 4;

	if (strncmp(dev, "/dev/nvme", 9) || strncmp(b, "nvme", 4) || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != 'n' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == 0;
}

/* a mounted filesystem or swap on the namespace or one of its partitions */
static int nvme_in_use(const char *dev, char *why, size_t cap)
{
	const char *tables[] = { "/proc/mounts", "/proc/swaps" };
	size_t l = strlen(dev);

	for (int t = 0; t < 2; t++) {
		char line[1024];
		FILE *f = fopen(tables[t], "re");

		if (!f) {
			if (t == 0) {
				snprintf(why, cap, "cannot read /proc/mounts: %s", strerror(errno));
				return 1;
			}
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, dev, l) &&
			    (line[l] == ' ' || line[l] == '\t' || line[l] == 'p')) {
				line[strcspn(line, "\n")] = 0;
				snprintf(why, cap, "%s lists it: %.200s", tables[t], line);
				fclose(f);
				return 1;
			}
		}
		fclose(f);
	}
	return 0;
}

/* the namespace must hang below the PCI function named by --pci */
static int nvme_below_pci(const char *dev, const char *bdf)
{
	char path[300], real[PATH_MAX], pat[32];

	snprintf(path, sizeof(path), "/sys/block/%s", nvme_base(dev));
	if (!realpath(path, real))
		return 0;
	snprintf(pat, sizeof(pat), "/%s/", bdf);
	return strstr(real, pat) != NULL;
}

static int nvme_holders(const char *dev)
{
	char cmd[300];
	int n = 0;

	snprintf(cmd, sizeof(cmd), "/sys/block/%s/holders", nvme_base(dev));
	{
		/* count entries without opendir's dependence on d_type */
		FILE *f;
		char ls[340];

		snprintf(ls, sizeof(ls), "ls -A %s 2>/dev/null", cmd);
		f = popen(ls, "r");
		if (!f)
			return 0;
		while (fgets(ls, sizeof(ls), f))
			n++;
		pclose(f);
	}
	return n;
}

/* ======================================================================================
 * facility setup
 * ==================================================================================== */
static void setup_p2p(void)
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

static int setup_nvme(void)
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

static void restore_nvme(void)
{
	int err;

	if (!g.have_nvme || !g.nvme_saved || g.unplugged)
		return;
	err = nvme_xfer(1, g.nvme_saved, NVME_SCRATCH, g.nvme_scratch_off);
	if (err)
		diag("restoring scratch range failed: %s", strerror(-err));
}

static void setup_probe_facilities(void)
{
	int fd = open(g.hmm_dev, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		g.have_hmm = 1;
		close(fd);
	} else {
		diag("%s: %s", g.hmm_dev, strerror(errno));
	}
	fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		g.have_udmabuf = 1;
		close(fd);
	} else {
		diag("/dev/udmabuf: %s", strerror(errno));
	}
	setup_p2p();
	setup_nvme();
	if (fs_on()) {
		g.have_gup_test = !access("/sys/kernel/debug/gup_test", R_OK | W_OK);
		if (!g.have_gup_test)
			diag("/sys/kernel/debug/gup_test: %s", strerror(errno));
		g.have_udmabuf = 0;	/* udmabuf takes memfds only: PIN is a long-term GUP pin */
	}
}

/* reserve the CMB beyond --bar-pages, so that exhaustion is the kernel's own refusal */
static void setup_ballast(void)
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
	p2p_available(&avail);
	diag("p2pmem ballast %zu bytes: %lld bytes (%lld pages) left for grants", g.ballast_len,
	     avail, avail / (long long)PG);
}

/* ======================================================================================
 * session objects
 * ==================================================================================== */
static int find_file(const char *name)
{
	for (int i = 0; name && i < g.nfiles; i++)
		if (!strcmp(g.files[i].name, name))
			return i;
	return -1;
}

static int find_imp(const char *name)
{
	for (int i = 0; name && i < g.nimps; i++)
		if (!strcmp(g.imps[i], name))
			return i;
	return -1;
}

static int create_file(int i, const char *name)
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

static void close_grant(struct grant *gr)
{
	if (gr->dmabuf_map && munmap(gr->dmabuf_map, (gr->hi - gr->lo + 1) * PG))
		diag("munmap(dma-buf): %s", strerror(errno));
	if (gr->dmabuf >= 0 && gr->pin && close(gr->dmabuf))
		diag("close(dma-buf): %s", strerror(errno));
	if (gr->bar && munmap(gr->bar, gr->bar_len))
		diag("munmap(p2pmem): %s", strerror(errno));
	memset(gr, 0, sizeof(*gr));
	gr->dmabuf = -1;
}

static void teardown(void)
{
	if (fs_on())
		fs_quiesce();
	for (int i = 0; i < MAX_GRANTS; i++)
		if (g.grants[i].used)
			close_grant(&g.grants[i]);
	for (int i = 0; i < g.nfiles; i++) {
		if (g.files[i].map && munmap(g.files[i].map, g.npages * PG))
			diag("munmap(%s): %s", g.files[i].name, strerror(errno));
		if (g.files[i].fd >= 0)
			close(g.files[i].fd);
		if (fs_on() && g.files[i].dio_fd >= 0)
			close(g.files[i].dio_fd);
		if (fs_on() && g.files[i].path[0] && unlink(g.files[i].path))
			diag("unlink(%s): %s", g.files[i].path, strerror(errno));
		g.files[i].map = NULL;
		g.files[i].fd = g.files[i].dio_fd = -1;
		g.files[i].path[0] = 0;
	}
	for (int i = 0; i < g.nimps; i++)
		if (g.mirror[i] >= 0)
			close(g.mirror[i]);
	g.nfiles = g.nimps = 0;
	if (g.ballast && munmap(g.ballast, g.ballast_len))
		diag("munmap(ballast): %s", strerror(errno));
	g.ballast = NULL;
}

/* ======================================================================================
 * responses
 * ==================================================================================== */
static void reply_begin(struct out *o, long long id)
{
	o->n = 0;
	o->buf[0] = 0;
	oprintf(o, "{\"id\":%lld,\"ok\":true", id);
}

/* BAR pages in use, as the kernel's p2pmem genalloc reports them; -1 when not observed */
static long long bar_in_use(void)
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

/* closes an answer: "bar" when observed, then the events that happened after it (or NULL) */
static void reply_end(struct out *o, const char *events)
{
	static char ev[LINE_MAX_LEN / 2];
	long long bar = bar_in_use();

	snprintf(ev, sizeof(ev), "%s", events ? events : "");
	if (fs_on())	/* layout changes the kernel let proceed since: inv_end events */
		lop_collect(ev, sizeof(ev));
	if (g.reply_by_kernel && !strstr(o->buf, "\"by\":"))
		oputs(o, ",\"by\":\"kernel\"");
	g.reply_by_kernel = 0;
	if (bar >= 0)
		oprintf(o, ",\"bar\":%lld", bar);
	if (ev[0]) {
		oputs(o, ",\"events\":[");
		oputs(o, ev);
		oputs(o, "]");
	}
	oputs(o, "}");
	emit(o);
}

static void reply_done(long long id)
{
	struct out o;

	reply_begin(&o, id);
	oputs(&o, ",\"result\":\"done\"");
	reply_end(&o, NULL);
}

static void reply_err(long long id, int e, const char *fmt, ...)
{
	struct out o = { .n = 0 };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oprintf(&o, "{\"id\":%lld,\"ok\":false,\"errno\":\"%s\",\"message\":", id, errname(e));
	oquote(&o, msg);
	reply_end(&o, NULL);
	diag("id %lld: %s: %s", id, errname(e), msg);
}

static void reply_refused(long long id, const char *reason, const char *why)
{
	struct out o;

	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"refused\",\"reason\":\"%s\",\"message\":", reason);
	oquote(&o, why);
	reply_end(&o, NULL);
	diag("id %lld: refused %s: %s", id, reason, why);
}

/* EBUSY: a pin is in the way (the kernel said why in errno) */
static void reply_busy(long long id, int e, const char *why)
{
	struct out o;

	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"busy\",\"errno\":\"%s\",\"message\":", errname(e));
	oquote(&o, why);
	reply_end(&o, NULL);
	diag("id %lld: busy: %s", id, why);
}

static void reply_value(long long id, long long v, const char *path)
{
	struct out o;

	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"value\",\"value\":%lld,\"path\":\"%s\"", v, path);
	reply_end(&o, NULL);
}

/* ======================================================================================
 * invalidation: after a layout/mapping change, ask the mirror which entries are gone
 * ==================================================================================== */
struct invlist {
	int n;
	int imp[MAX_GRANTS], file[MAX_GRANTS], lo[MAX_GRANTS], hi[MAX_GRANTS];
};

static void probe_file(int file, const char *cause, struct invlist *inv);

/* which mirror entries of the file's grants the last syscall cleared: the mirror's fault count */
static void scan_invalidations(int file, const char *cause, struct invlist *inv)
{
	probe_file(file, cause, inv);
}

/*
 * The answer to an operation that may invalidate.  Nothing cleared: "done", "notified":[].
 * Entries cleared: the syscall went through the mmu_interval_notifier callbacks, which
 * returned (the importer's ack) before it went on; the agent sees this only after the
 * syscall returned, so it answers "started" (the change waits for the acks of "notified")
 * followed by the ack of each importer and the fs proceeding (inv_end) as events.
 * extra: more fields of the answer (e.g. ",\"value\":3"), or "".
 */
static void reply_inv_acks(long long id, const struct invlist *inv, const struct invlist *acked,
			   const char *extra)
{
	struct out o;
	static char ev[LINE_MAX_LEN];
	size_t n = 0;
	int seen_imp[MAX_IMPS] = { 0 }, seen_file[MAX_FILES] = { 0 }, k = 0;

	ev[0] = 0;
	reply_begin(&o, id);
	oprintf(&o, ",\"result\":\"%s\"%s,\"notified\":[", inv->n ? "started" : "done", extra);
	for (int i = 0; i < inv->n; i++) {
		if (seen_imp[inv->imp[i]]++)
			continue;
		oputs(&o, k++ ? "," : "");
		oquote(&o, g.imps[inv->imp[i]]);
	}
	oputs(&o, "]");
	for (int i = 0; i < acked->n; i++) {	/* one ack per importer and file */
		int dup = 0;

		for (int j = 0; j < i; j++)
			dup |= acked->imp[j] == acked->imp[i] && acked->file[j] == acked->file[i];
		if (dup)
			continue;
		n += snprintf(ev + n, sizeof(ev) - n, "%s{\"event\":\"ack\",\"imp\":\"%s\",\"file\":\"%s\"}",
			      n ? "," : "", g.imps[acked->imp[i]], g.files[acked->file[i]].name);
		if (n >= sizeof(ev))
			n = sizeof(ev) - 1;
	}
	for (int i = 0; i < inv->n; i++) {
		if (seen_file[inv->file[i]]++)
			continue;
		n += snprintf(ev + n, sizeof(ev) - n, "%s{\"event\":\"inv_end\",\"file\":\"%s\"}",
			      n ? "," : "", g.files[inv->file[i]].name);
		if (n >= sizeof(ev))
			n = sizeof(ev) - 1;
	}
	reply_end(&o, ev);
}

static void reply_inv(long long id, const struct invlist *inv, const char *extra)
{
	reply_inv_acks(id, inv, inv, extra);
}

static void reply_done_inv(long long id, const struct invlist *inv)
{
	reply_inv(id, inv, "");
}

/* ======================================================================================
 * operations
 * ==================================================================================== */
struct req {
	long long id;
	char why[256];
	const struct jobj *j;
	int file, imp;
	long long off, lo, hi;
};

static int need_file(struct req *r)
{
	r->file = find_file(jstr(r->j, "file"));
	if (r->file < 0) {
		reply_err(r->id, EINVAL, "unknown file");
		return -1;
	}
	return 0;
}

static int need_imp(struct req *r)
{
	r->imp = find_imp(jstr(r->j, "imp"));
	if (r->imp < 0) {
		reply_err(r->id, EINVAL, "unknown importer");
		return -1;
	}
	return 0;
}

static int need_page(struct req *r, const char *key, long long *v)
{
	if (jint(r->j, key, v) || *v < 1 || *v > g.npages) {
		reply_err(r->id, EINVAL, "%s must be a page offset 1..%d", key, g.npages);
		return -1;
	}
	return 0;
}

static void op_mmap(struct req *r)
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

static void op_munmap(struct req *r)
{
	struct invlist inv;
	struct file *f;

	if (need_file(r))
		return;
	f = &g.files[r->file];
	if (f->map && munmap(f->map, g.npages * PG)) {
		reply_err(r->id, errno, "munmap: %s", strerror(errno));
		return;
	}
	f->map = NULL;
	scan_invalidations(r->file, "munmap", &inv);
	reply_done_inv(r->id, &inv);
}

/*
 * fs-dax: while a layout change of the file waits in break_layouts it holds the inode's
 * IOLOCK: read(2)/write(2)/lseek/FIEMAP of the file would sleep until it finishes.
 */
static int would_sleep(struct req *r, const char *what)
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

static void op_cpu_write(struct req *r)
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

static void op_cpu_read(struct req *r)
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

static void op_truncate(struct req *r)
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

static void op_punch(struct req *r)
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

static void op_fallocate(struct req *r)
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

static struct grant *new_grant(void)
{
	for (int i = 0; i < MAX_GRANTS; i++)
		if (!g.grants[i].used) {
			memset(&g.grants[i], 0, sizeof(g.grants[i]));
			g.grants[i].dmabuf = -1;
			g.grants[i].used = 1;
			return &g.grants[i];
		}
	return NULL;
}

/*
 * Stage the granted pages into the BAR window by a real device DMA: the page values go
 * to the NVMe scratch range (O_DIRECT write from host memory), then the NVMe reads them
 * into its own CMB (O_DIRECT read into the p2pmem buffer); the BAR content is checked.
 */
static int stage_into_bar(struct grant *gr, char *why, size_t cap)
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
			page_read_value(f->fd, o - 1, &v);
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

static int establish_mirror(struct grant *gr, char *why, size_t cap)
{
	struct file *f = &g.files[gr->file];
	int n = gr->hi - gr->lo + 1, mfd = g.mirror[gr->imp], err;
	char *addr = f->map + (gr->lo - 1) * PG;
	unsigned char prot[MAX_PAGES];
	struct hmm_dmirror_cmd c = { 0 };
	char *buf;

	if (posix_memalign((void **)&buf, PG, n * PG))
		return -ENOMEM;
	err = hmm_cmd(mfd, HMM_DMIRROR_READ, addr, buf, n, &c);
	if (!err && gr->write)	/* a write fault with the data just read: no value changes */
		err = hmm_cmd(mfd, HMM_DMIRROR_WRITE, addr, buf, n, NULL);
	if (!err && gr->atomic) {
		err = hmm_cmd(mfd, HMM_DMIRROR_EXCLUSIVE, addr, buf, n, NULL);
		if (err) {
			snprintf(why, cap, "HMM_DMIRROR_EXCLUSIVE (make_device_exclusive_range): %s",
				 strerror(-err));
			free(buf);
			return 1;	/* refusal, not failure */
		}
	}
	free(buf);
	if (err == -EFAULT) {
		struct stat st;

		if (!fstat(f->fd, &st) && st.st_size < (off_t)gr->hi * (off_t)PG) {
			snprintf(why, cap, "mirror fault beyond EOF (EFAULT): the range is not in the file");
			return 2;	/* refusal: hole */
		}
	}
	if (err) {
		snprintf(why, cap, "mirror %s: %s", gr->write ? "WRITE" : "READ", strerror(-err));
		return err;
	}
	{	/* the mirror holds the pages when a second READ takes no fault */
		struct hmm_dmirror_cmd c2 = { 0 };
		char *b2;

		if (posix_memalign((void **)&b2, PG, n * PG))
			return -ENOMEM;
		err = hmm_cmd(mfd, HMM_DMIRROR_READ, addr, b2, n, &c2);
		free(b2);
		if (err || c2.faults) {
			snprintf(why, cap, "the mirror does not hold the pages after the fault (READ again: %s, faults=%llu)",
				 err ? strerror(-err) : "ok", (unsigned long long)c2.faults);
			return err ? err : -EFAULT;
		}
	}
	for (int o = gr->lo; o <= gr->hi; o++)
		gr->live[o] = 1;
	(void)prot;
	diag("mirror %s: %s %d..%d mapped (faults=%llu, then 0)", g.imps[gr->imp],
	     f->name, gr->lo, gr->hi, (unsigned long long)c.faults);
	return 0;
}

static int establish_pin(struct grant *gr, char *why, size_t cap)
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

		close(ufd);
		snprintf(why, cap, "UDMABUF_CREATE: %s", strerror(e));
		return -e;
	}
	close(ufd);
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		close(fd);
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

static int fs_pin(struct grant *gr, char *why, size_t cap);
static int fs_pin_read(struct grant *gr, int off, long long *v);
static int grant_blocks(struct grant *gr, char *why, size_t cap);
static int fs_stage_into_bar(struct grant *gr, char *why, size_t cap);

static int page_block(int fd, int pageidx, long long *block, unsigned *flags);

static void op_device_map(struct req *r)
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
	{	/*
		 * the filesystem decides first: a page with no storage is a hole -- beyond EOF,
		 * or never written (shmem allocates a page on the first write; SEEK_DATA sees it)
		 */
		struct stat st;
		int fd = g.files[r->file].fd;

		if (!fstat(fd, &st) && st.st_size < (off_t)r->hi * (off_t)PG) {
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
		p2p_available(&before);
		gr->bar_len = (r->hi - r->lo + 1) * PG;
		gr->bar = p2p_alloc(gr->bar_len, &bar_err);
		if (!gr->bar) {
			p2p_available(&after);
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
	reply_granted(r->id, gr);
}

static struct grant *find_grant(int imp, int file, int off, int pin_only)
{
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];

		if (gr->used && gr->imp == imp && gr->file == file && off >= gr->lo &&
		    off <= gr->hi && gr->live[off] && (!pin_only || gr->pin))
			return gr;
	}
	return NULL;
}

/* a grant is named by importer, file and first page */
static struct grant *named_grant(struct req *r, int pin)
{
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];

		if (gr->used && gr->pin == pin && gr->imp == r->imp && gr->file == r->file &&
		    gr->lo == r->lo)
			return gr;
	}
	return NULL;
}

/*
 * test_hmm has no ioctl to drop a mirror entry: device_unmap forgets the grant (later
 * device accesses take the page-cache path) and releases its p2pmem BAR window.
 */
static void op_device_unmap(struct req *r)
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
		p2p_available(&a0);
	close_grant(gr);
	if (g.have_p2p && !g.unplugged) {
		p2p_available(&a1);
		diag("device_unmap: BAR available %lld -> %lld", a0, a1);
	}
	reply_done(r->id);
}

static void op_dmabuf_release(struct req *r)
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

static int device_rw(int imp, int file, int off, int write, long long *v, long long *faults)
{
	char *addr = g.files[file].map + (off - 1) * PG;
	struct hmm_dmirror_cmd c = { 0 };
	char *buf;
	int err;

	if (posix_memalign((void **)&buf, PG, PG))
		return -ENOMEM;
	err = hmm_cmd(g.mirror[imp], HMM_DMIRROR_READ, addr, buf, 1, &c);
	*faults = err ? -1 : (long long)c.faults;
	if (!err && write) {
		memcpy(buf, v, sizeof(*v));
		err = hmm_cmd(g.mirror[imp], HMM_DMIRROR_WRITE, addr, buf, 1, &c);
		if (!err)
			*faults += c.faults;
	} else if (!err) {
		memcpy(v, buf, sizeof(*v));
	}
	free(buf);
	return err;
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
	if (gr && faults > 0)
		diag("access via %s re-faulted (faults=%lld): mirror entry had been dropped",
		     g.imps[r->imp], faults);
	return 0;
}

/* dev_read / dev_write {imp, file, off} */
static void op_dev(struct req *r, int write)
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
 */
static int dma_begin(struct req *r, const char *dir, int write, long long *v, const char **path, int held)
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
	err = device_access(r, write, v, path);
	if (err) {
		reply_err(r->id, -err, "%s", r->why);
		return -1;
	}
	return 0;
}

/*
 * dma_start {imp, file, off, dir, value}: the mirror ioctls are synchronous, so the DMA
 * has ended when the answer is written: "done", then the dma_end event (with the value a
 * read DMA read).  A DMA needs the importer's grant.
 */
static void op_dma_start(struct req *r)
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

/* ======================================================================================
 * real filesystems (--fs dax|pagecache --dir DIR): files with blocks
 *
 * fs-dax: xfs mounted -o dax=always on persistent memory.  The mirror maps the file's
 * blocks themselves (pfn = pmem base + FIEMAP block).  A device DMA in flight is a page
 * reference held by a pipe (vmsplice); truncate/punch/fallocate/unshare/relocate run on a
 * thread, and the kernel makes them wait in break_layouts (xfs_break_dax_layouts ->
 * dax_layout_busy_page) until every such reference is dropped: the answer is "started"
 * ("by":"kernel") and the inv_end event comes when the kernel proceeds.
 * pagecache: xfs on an NVMe namespace; writeback = sync_file_range, evict = fadvise.
 * ==================================================================================== */
struct xfs_exchange_range {
	__s32 file1_fd;
	__u32 pad;
	__u64 file1_offset;
	__u64 file2_offset;
	__u64 length;
	__u64 flags;
};
#define XFS_IOC_EXCHANGE_RANGE	_IOW('X', 129, struct xfs_exchange_range)
struct pin_longterm_test {
	__u64 addr;
	__u64 size;
	__u32 flags;
};
#define PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pin_longterm_test)
#define PIN_LONGTERM_TEST_STOP	_IO('g', 8)
#define PIN_LONGTERM_TEST_READ	_IOW('g', 9, __u64)
#define PIN_LONGTERM_TEST_FLAG_USE_WRITE 1
#define GUP_TEST_DEV "/sys/kernel/debug/gup_test"
#define LOP_WAIT_MS 400		/* a layout change not done by then waits in the kernel */

enum lop_kind { LOP_TRUNCATE, LOP_PUNCH, LOP_FALLOCATE, LOP_UNSHARE, LOP_RELOCATE, LOP_REFLINK };
static const char *const LOP_NAME[] = { "truncate", "punch", "fallocate", "unshare", "relocate",
					"reflink" };

static const char *LOP_NAME_OF(int kind)
{
	return LOP_NAME[kind];
}

static int fs_on(void)
{
	return g.fs != NULL;
}

static int fs_dax(void)
{
	return g.fs && !strcmp(g.fs, "dax");
}

/* FIEMAP of one page: its block (fs block = 4 KiB) or -1, and the extent flags */
static int page_block(int fd, int pageidx, long long *block, unsigned *flags)
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

/* /proc/self/pagemap: the pfn of a mapped virtual page (root sees pfns), or -1 */
static long long virt_pfn(const void *addr)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t at = (off_t)((uintptr_t)addr / PG) * 8;

	if (fd < 0)
		return -1;
	if (pread(fd, &e, sizeof(e), at) != sizeof(e)) {
		close(fd);
		return -1;
	}
	close(fd);
	if (!(e & (1ULL << 63)))
		return -1;
	return (long long)(e & ((1ULL << 55) - 1));
}

/* the pmem data area's first pfn: the nd pfn device's resource (start + data offset) */
static void find_pmem_base(void)
{
	long long v;
	char buf[64];
	int fd = open("/sys/block/pmem0/device/resource", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	g.pmem_base_pfn = -1;
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	v = strtoll(buf, NULL, 0);
	if (v > 0)
		g.pmem_base_pfn = v / (long long)PG;
	diag("pmem data area at %#llx (pfn %#llx)", v, g.pmem_base_pfn);
}

static int fs_create_file(int i, const char *name)
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

/* ---- DMA in flight: a page reference held by a pipe ---- */
static int dma_on_file(int imp, int file)
{
	return g.dmas[imp].on && g.dmas[imp].file == file;
}

/* drops the reference: the pipe is read (the device's DMA "completes") and closed */
static long long dma_drain(int imp)
{
	struct dma *d = &g.dmas[imp];
	char *buf = malloc(PG);
	long long v = d->v;
	ssize_t n;

	if (!buf)
		return v;
	n = read(d->pfd[0], buf, PG);
	if (n < (ssize_t)sizeof(v))
		diag("DMA of %s: pipe read %zd: %s", g.imps[imp], n, n < 0 ? strerror(errno) : "short");
	else if (!d->write)
		memcpy(&v, buf, sizeof(v));	/* what a read DMA reads: the page at its end */
	free(buf);
	close(d->pfd[0]);
	close(d->pfd[1]);
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
			close(t);
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

/*
 * A grant's mirror entries, judged by the device's own fault count: a 1-page READ that
 * faults (or fails: EFAULT beyond EOF) found no entry.  The probe re-faults what it finds
 * gone (a new mapping of the page; the grant is forgotten either way).
 */
static void probe_grant(struct grant *gr, const char *cause, struct invlist *inv)
{
	struct file *f = &g.files[gr->file];
	int first = 0, last = 0;
	char *buf;

	if (posix_memalign((void **)&buf, PG, PG))
		return;
	for (int o = gr->lo; o <= gr->hi; o++) {
		struct hmm_dmirror_cmd c = { 0 };
		int err, gone;

		if (!gr->live[o])
			continue;
		err = f->map ? hmm_cmd(g.mirror[gr->imp], HMM_DMIRROR_READ, f->map + (o - 1) * PG, buf,
				       1, &c) : -EFAULT;
		gone = err || c.faults > 0;
		if (gone) {
			gr->live[o] = 0;
			if (!first)
				first = o;
			last = o;
		}
	}
	free(buf);
	if (!first)
		return;
	diag("mirror of %s: %s pages %d..%d gone after %s (device READ faulted)", g.imps[gr->imp],
	     f->name, first, last, cause);
	if (inv->n < MAX_GRANTS) {
		inv->imp[inv->n] = gr->imp;
		inv->file[inv->n] = gr->file;
		inv->lo[inv->n] = first;
		inv->hi[inv->n] = last;
		inv->n++;
	}
}

/*
 * A grant with no live page left gives its BAR window back (what the driver's invalidate
 * callback does once the importer acknowledged): before the next request, so the answer
 * that reported the invalidation still counts it, as the acks come after that answer.
 */
static void release_dead_windows(void)
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
		for (int f = 0; f < MAX_IMPS; f++)
			if (g.dmas[f].on && f == gr->imp && g.dmas[f].file == gr->file)
				any = 1;	/* its DMA has not drained: not acknowledged yet */
		if (any)
			continue;
		if (munmap(gr->bar, gr->bar_len))
			diag("munmap(p2pmem): %s", strerror(errno));
		gr->bar = NULL;
		gr->bar_len = 0;
	}
}

static void probe_file(int file, const char *cause, struct invlist *inv)
{
	inv->n = 0;
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];

		if (gr->used && !gr->pin && gr->file == file)
			probe_grant(gr, cause, inv);
	}
}

/* appends the events of layout changes that finished (the kernel proceeded) to ev */
static void lop_collect(char *ev, size_t cap)
{
	size_t n = strlen(ev);

	for (int f = 0; f < g.nfiles; f++) {
		struct lop *l = &g.lops[f];
		struct invlist inv;

		if (!l->on || !lop_finished(l))
			continue;
		pthread_join(l->t, NULL);
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
	if (lop_wait(r->file, LOP_WAIT_MS)) {
		pthread_join(l->t, NULL);
		l->on = 0;
		if (l->err) {
			g.reply_by_kernel = 1;	/* the errno is the kernel's */
			reply_err(r->id, l->err, "%s: %s", LOP_NAME[kind], strerror(l->err));
			return;
		}
		probe_file(r->file, LOP_NAME[kind], &inv);
		diag("%s of %s returned in %.1f ms", LOP_NAME[kind], g.files[r->file].name, l->t1 - l->t0);
		if (l->awaiting)
			diag("%s of %s went on with DMA in flight (a page reference held): the kernel did not wait",
			     LOP_NAME[kind], g.files[r->file].name);
		/* an importer with DMA in flight has not drained: no ack for it */
		{
			struct invlist acked = inv;

			acked.n = 0;
			for (int i = 0; i < inv.n; i++)
				if (!dma_on_file(inv.imp[i], inv.file[i]))
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

/* writeback / evict: synchronous; a mirror they made drop shows in the probe */
static void op_writeback(struct req *r, int evict)
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

static void op_layout(struct req *r, enum lop_kind kind)
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
static int fs_pin(struct grant *gr, char *why, size_t cap)
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

		close(fd);
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
static int fs_pin_read(struct grant *gr, int off, long long *v)
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

/* blocks from FIEMAP and, on fs-dax, addrs from pagemap, checked to agree */
static int grant_blocks(struct grant *gr, char *why, size_t cap)
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

/* stage the grant's pages into its BAR window: O_DIRECT file blocks -> CMB (P2P) */
static int fs_stage_into_bar(struct grant *gr, char *why, size_t cap)
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

static void op_dma_start_fs(struct req *r)
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

		close(d->pfd[0]);
		close(d->pfd[1]);
		reply_err(r->id, e, "vmsplice (the DMA's page reference): %s", strerror(e));
		return;
	}
	d->on = 1;
	d->file = r->file;
	d->off = r->off;
	d->write = write;
	d->v = v;
	d->t0 = now_ms();
	reply_begin(&o, r->id);
	oputs(&o, ",\"result\":\"done\"");
	if (write)
		oprintf(&o, ",\"value\":%lld", v);
	oputs(&o, ",\"path\":\"direct\"");
	reply_end(&o, NULL);
}

static void op_dma_end_fs(struct req *r)
{
	struct out o;
	long long v;
	int file;

	if (need_imp(r))
		return;
	if (!g.dmas[r->imp].on) {
		reply_err(r->id, EINVAL, "%s has no DMA in flight", g.imps[r->imp]);
		return;
	}
	file = g.dmas[r->imp].file;
	v = dma_drain(r->imp);
	reply_begin(&o, r->id);
	if (g.dmas[r->imp].write)
		oprintf(&o, ",\"result\":\"done\",\"value\":%lld,\"path\":\"direct\"", v);
	else
		oprintf(&o, ",\"result\":\"value\",\"value\":%lld,\"path\":\"direct\"", v);
	if (g.lops[file].on && lop_wait(file, 3000))
		g.reply_by_kernel = 1;	/* the inv_end that follows is the kernel's progress */
	reply_end(&o, NULL);
}

/* inv_ack: the kernel's acks are not the program's; only a drained DMA ends a wait */
static void op_inv_ack_fs(struct req *r)
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
static void op_settle_fs(struct req *r)
{
	char ev[LINE_MAX_LEN / 2] = "";
	size_t n = 0;
	struct out o;

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
static void fs_quiesce(void)
{
	for (int i = 0; i < MAX_IMPS; i++)
		if (g.dmas[i].on)
			dma_drain(i);
	for (int f = 0; f < MAX_FILES; f++)
		if (g.lops[f].on) {
			if (!lop_wait(f, 10000))
				diag("the %s of file %d still waits after 10 s", LOP_NAME[g.lops[f].kind], f);
			pthread_join(g.lops[f].t, NULL);
			g.lops[f].on = 0;
		}
}

/* the PCI function's removal, with the exporter's live BAR windows left mapped */
static void op_unplug(struct req *r)
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
		p2p_available(&avail);
	for (int i = 0; i < MAX_GRANTS; i++)
		live += g.grants[i].used && g.grants[i].bar;
	diag("unplug %s: %d live BAR window(s), available %lld", g.pci, live, avail);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", g.pci);
	if (g.nvme_fd >= 0) {	/* our own reference on the namespace would be a leak here */
		restore_nvme();
		close(g.nvme_fd);
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

/* ======================================================================================
 * handshake
 * ==================================================================================== */
static void add_claim(struct out *o, int *k, const char *req, const char *text)
{
	oprintf(o, "%s\"%s\":", (*k)++ ? "," : "", req);
	oquote(o, text);
}

/* the requests this agent implements here (depends on the facilities found) */
static int op_supported(const char *op)
{
	static const char *always[] = { "mmap", "munmap", "cpu_write", "cpu_read", "truncate",
					"punch", "fallocate", "device_map", "device_unmap", "settle" };

	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (!strcmp(op, always[i]))
			return 1;
	if (fs_on()) {
		static const char *fsops[] = { "writeback", "evict", "reflink", "unshare", "relocate",
					       "inv_ack" };

		for (size_t i = 0; i < sizeof(fsops) / sizeof(fsops[0]); i++)
			if (!strcmp(op, fsops[i]))
				return 1;
		if (!strcmp(op, "dmabuf_release"))
			return g.have_gup_test;
		if (!strcmp(op, "unplug") && !fs_dax())
			return 0;	/* the filesystem lives on the exporter's own controller */
	}
	if (!strcmp(op, "dmabuf_release"))
		return g.have_udmabuf;
	if (!strcmp(op, "dma_start") || !strcmp(op, "dma_end") || !strcmp(op, "dev_read") ||
	    !strcmp(op, "dev_write"))
		return g.have_hmm;
	if (!strcmp(op, "unplug"))
		return g.have_p2p && g.allow_unplug;
	return 0;
}

/* why an operation of the protocol is not implemented here */
static const char *NOT_HERE[][2] = {
	{ "writeback", "tmpfs/shmem pages have no block-device writeback" },
	{ "evict", "no userspace way to evict a mapped shmem page without invalidating it" },
	{ "relocate", "shmem does not relocate blocks; no block map to move" },
	{ "unshare", "no reflink/COW on shmem" },
	{ "reflink", "no FICLONE on shmem" },
	{ "map_commit", "device_map is one step here (commit:false is refused with ENOSYS): the driver's hmm_range_fault + mmu_interval_read_retry loop prepares and commits inside the kernel" },
	{ "inv_ack", "acks are synchronous: the mmu_interval_notifier callback returning is the importer's ack; it is reported as an ack event after the answer" },
	{ "bar_reclaim", "the kernel has no BAR reclaim for p2pmem other than device removal" },
	{ "revoke_ack", "p2pmem revocation is unmap_mapping_range inside the removal; nothing to acknowledge (reported as revoke_ack events after unplug)" },
};

static const char *why_not(const char *op)
{
	for (size_t i = 0; i < sizeof(NOT_HERE) / sizeof(NOT_HERE[0]); i++)
		if (!strcmp(op, NOT_HERE[i][0]))
			return NOT_HERE[i][1];
	if (fs_on() && !strcmp(op, "unplug"))
		return "the page-cache filesystem lives on a namespace of the exporter's controller: removing it would pull the filesystem away";
	if (fs_on() && !strcmp(op, "dmabuf_release"))
		return "no /sys/kernel/debug/gup_test (CONFIG_GUP_TEST): no long-term pin";
	if (!strcmp(op, "dmabuf_release"))
		return "no /dev/udmabuf (CONFIG_UDMABUF): no PIN";
	if (!strcmp(op, "unplug"))
		return g.have_p2p ? "PCI removal not enabled (--allow-unplug)"
				  : "no P2PDMA provider (--pci BDF with a CMB/p2pmem)";
	if (!strcmp(op, "dma_start") || !strcmp(op, "dma_end") || !strcmp(op, "dev_read") ||
	    !strcmp(op, "dev_write"))
		return "no HMM test driver (CONFIG_TEST_HMM, /dev/hmm_dmirror0)";
	return NULL;
}

static const char *ALL_OPS[] = { "mmap", "munmap", "cpu_write", "cpu_read", "truncate", "punch",
	"fallocate", "reflink", "writeback", "evict", "relocate", "unshare", "device_map",
	"map_commit", "device_unmap", "dmabuf_release", "dma_start", "dma_end", "dev_read",
	"dev_write", "inv_ack", "revoke_ack", "bar_reclaim", "unplug", "settle" };
#define N_OPS (sizeof(ALL_OPS) / sizeof(ALL_OPS[0]))

/*
 * What this kernel can witness: each self-test stands for the protocol requirements
 * (PROTOCOL.md S1-S10, L1-L6) whose contract the facility implements today; the harness
 * marks a requirement "real kernel" only when such a test passed.  The others are declared
 * with the reason no facility of today's kernel shows them.  Same table in the hello.
 */
struct witness {
	const char *test;	/* self-test name */
	const char *cls;	/* kernel-decided | post-syscall | agent-decided */
	const char *reqs;	/* requirement ids, space-separated ("" : none) */
	const char *what;	/* what the kernel shows */
};

/*
 * Evidence classes: kernel-decided = the kernel made the decision or the ordering the
 * requirement is about (observed during the wait where it is about order); post-syscall =
 * the state after a synchronous call is consistent with it (nothing about order);
 * agent-decided = the agent's own logic.  A test with no requirement says so ("").
 */
static const struct witness WITNESSES[] = {
	{ "hmm_mirror_faults_then_serves", "post-syscall", "L2",
	  "a device access through the mirror faults the page once (faults=1), then completes from the mirror (faults=0)" },
	{ "hmm_truncate_invalidates_mirror", "post-syscall", "S1 S2 L1",
	  "after truncate returned, the mirror had no entry: the next device READ failed (EFAULT) instead of reading the freed page" },
	{ "hmm_punch_invalidates_only_punched_page", "post-syscall", "S1 S2",
	  "after punch returned, a device READ of the punched page faulted again (the mirror's own fault count), the other page did not" },
	{ "hmm_device_and_cpu_writes_coherent", "post-syscall", "S5",
	  "device and CPU writes see each other; coherent because there is one copy (the shmem page): nothing about cache exclusion" },
	{ "hmm_device_exclusive_atomic", "kernel-decided", "S10",
	  "the kernel grants or refuses device-exclusive (atomic) access itself (make_device_exclusive_range: EBUSY for shmem pages), never a silent downgrade" },
	{ "udmabuf_pin_survives_munmap_punch_diverges", "agent-decided", "S7",
	  "the shrink refusal (EPERM) is F_SEAL_SHRINK, which the agent sets because udmabuf requires it; the pin itself refuses nothing: punch hole of the pinned page went through and the dma-buf kept the old page while the file reads 0 (the opposite of S7)" },
	{ "p2pmem_bar_accounting_and_exhaustion", "kernel-decided", "S9 L6",
	  "the p2pmem genalloc refuses an allocation beyond the CMB (ENOMEM) with nothing left behind; freeing returns the space" },
	{ "p2p_nvme_cmb_o_direct_data_path", "", "",
	  "data-path integrity: O_DIRECT moves correct data NVMe -> CMB BAR and back (a real peer-to-peer DMA); no requirement" },
	{ "dax_pfn_is_fiemap_block", "", "",
	  "direct block mapping: the page the CPU and the mirror map is the block (pagemap pfn = pmem base + FIEMAP block)" },
	{ "dax_truncate_waits_for_page_reference", "kernel-decided", "S4 L1 L4",
	  "truncate waited in break_layouts (observed during the wait: still not returned after 1 s) while a page reference (DMA in flight) was held; it finished once the reference was dropped" },
	{ "dax_map_granted_during_break_layouts", "", "",
	  "protocol choice dax-map-during-break-layouts: while truncate waits, a new device mapping of the range is granted" },
	{ "dax_new_ref_extends_wait", "", "",
	  "protocol choice dax-new-ref-extends-wait: a page reference taken during the wait extends it" },
	{ "dax_punch_invalidates_whole_file", "post-syscall", "S1 S2",
	  "after punch returned, the mirror had dropped the punched page (and, protocol choice dax-punch-whole-file, the other pages of the file)" },
	{ "dax_longterm_pin_refused", "kernel-decided", "S10",
	  "the kernel refuses a FOLL_LONGTERM pin of fs-dax pages (mm/gup.c check_vma_flags: EOPNOTSUPP): pin-unsupported" },
	{ "shared_write_cow_on_fault", "", "",
	  "protocol choice write-shared-cow-on-fault: a device WRITE over a reflinked block is granted and the block is copied" },
	{ "pc_writeback_write_protects_mirror", "kernel-decided", "S6",
	  "a device write left the page dirty (FIEMAP: no block yet or old data on disk); writeback wrote it and the kernel dropped the mirror (the next device WRITE faulted), so a later write dirties the page again" },
	{ "pc_write_pin_refused", "kernel-decided", "S10",
	  "the kernel refuses a FOLL_LONGTERM|FOLL_WRITE pin of page-cache file pages (EFAULT): pin-unsupported" },
	{ "pc_read_pin_ignores_truncate", "", "",
	  "protocol choice read-pin-ignores-truncate: a read long-term pin is granted and truncate does not wait for it" },
	{ "pci_remove_with_live_p2pmem_mapping", "kernel-decided", "S8 L5",
	  "the kernel's removal revoked every live BAR mapping (SIGBUS) and finished; none survives" },
};

static const struct { const char *req, *why; } CANNOT_WITNESS[] = {
	{ "S3", "the mirror's read_begin/read_retry runs inside one ioctl: userspace cannot interleave a prepared map with an invalidation (fs-dax grants a map during break_layouts: dax-map-during-break-layouts)" },
	{ "S4", "memfd: the notifier callback returning is the acknowledgement and nothing waits for a page reference; the fs-dax device shows the wait" },
	{ "S6", "the stand-in files are memfds (shmem): no block writeback to check; the page-cache fs device shows it" },
	{ "S7", "no kernel facility freezes the blocks of a pinned range: udmabuf's shrink refusal is the seal's, punch goes through" },
	{ "L3", "no prepare/commit split: test_hmm faults and maps in one step" },
};

static const struct witness *witness_of(const char *test)
{
	for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]); i++)
		if (!strcmp(WITNESSES[i].test, test))
			return &WITNESSES[i];
	return NULL;
}

/*
 * The documented protocol choices of this kernel facility (spec variants of the same name):
 * each is shown by a self-test of this mode ("# choice NAME: ..." before its result).
 */
static void hello_choices(struct out *o)
{
	static const char *const dax[] = { "dax-map-during-break-layouts", "dax-new-ref-extends-wait",
					   "dax-punch-whole-file", "write-shared-cow-on-fault" };
	static const char *const pc[] = { "write-shared-cow-on-fault", "read-pin-ignores-truncate" };
	const char *const *c = fs_dax() ? dax : pc;
	size_t n = fs_dax() ? 4 : 2;

	if (!fs_on())
		return;
	oputs(o, ",\"choices\":[");
	for (size_t i = 0; i < n; i++)
		oprintf(o, "%s\"%s\"", i ? "," : "", c[i]);
	oputs(o, "]");
}

/* which kernel facility stands for which part of the proposal (informative) */
static void hello_facilities(struct out *o)
{
	int k = 0;

	oputs(o, ",\"facilities\":{");
	add_claim(o, &k, "device_map", "no such callback in today's kernel; an importer mapping is an HMM test-driver mirror of the vma (page-cache pages faulted by hmm_range_fault); fs-side refusals (cached, shared) do not exist: the mirror faults pages in");
	add_claim(o, &k, "invalidation", "mmu_interval_notifier of the mirror; judged after the triggering syscall by the mirror's own fault count (a 1-page device READ that faults found the entry gone; SNAPSHOT reports the CPU page table)");
	if (fs_on())
		add_claim(o, &k, "files", fs_dax() ? "xfs -o dax=always on persistent memory: the mirror maps the blocks; a DMA in flight is a page reference (vmsplice) that makes truncate/punch wait in break_layouts"
			  : "xfs on an NVMe namespace: page cache, writeback by sync_file_range, evict by posix_fadvise(DONTNEED), the BAR window filled by O_DIRECT from the file's blocks");
	add_claim(o, &k, "PIN", g.have_udmabuf ? "udmabuf over the memfd (F_SEAL_SHRINK), dma-buf fd" : "unavailable (no /dev/udmabuf)");
	add_claim(o, &k, "BAR", g.have_p2p ? "p2pmem/allocate of the PCI function's CMB: one window per grant; bar = pages the genalloc reports in use" : "unavailable (no --pci P2PDMA provider)");
	add_claim(o, &k, "P2P data", g.have_nvme ? "O_DIRECT NVMe -> CMB transfer at grant time, data checked" : "unavailable (no --nvme)");
	add_claim(o, &k, "ATOMIC", "HMM_DMIRROR_EXCLUSIVE (make_device_exclusive_range): refused for shmem pages, so importers are declared without atomic");
	add_claim(o, &k, "unplug", g.allow_unplug ? "/sys/bus/pci/devices/BDF/remove; reset rescans the bus" : "disabled (no --allow-unplug)");
	oputs(o, "}");
}

/* which requirements this kernel can witness (by self-test) and which it cannot (informative) */
/* why a self-test cannot run on this kernel/host (NULL: it can), from the facilities found */
static const char *witness_unavailable(const char *test)
{
	if (!strncmp(test, "hmm_", 4))
		return g.have_hmm ? NULL : "no HMM test driver";
	if (!strncmp(test, "udmabuf_", 8))
		return g.have_udmabuf ? NULL : "no /dev/udmabuf";
	if (!strcmp(test, "p2pmem_bar_accounting_and_exhaustion"))
		return g.have_p2p ? NULL : "no P2PDMA provider (--pci)";
	if (!strcmp(test, "p2p_nvme_cmb_o_direct_data_path"))
		return g.have_p2p && g.have_nvme ? NULL : "no --nvme or no P2PDMA provider";
	if (!strcmp(test, "pci_remove_with_live_p2pmem_mapping"))
		return !g.have_p2p || !g.allow_unplug ? "needs --pci and --allow-unplug"
		       : fs_on() && !fs_dax() ? "the page-cache filesystem lives on the exporter's controller" : NULL;
	if (!strncmp(test, "dax_", 4))
		return fs_dax() ? (g.have_hmm ? NULL : "no HMM test driver") : "not an fs-dax device (--fs dax)";
	if (!strncmp(test, "pc_", 3))
		return fs_on() && !fs_dax() ? (g.have_hmm ? NULL : "no HMM test driver")
					    : "not a page-cache filesystem device (--fs pagecache)";
	if (!strcmp(test, "shared_write_cow_on_fault"))
		return fs_on() ? (g.have_hmm ? NULL : "no HMM test driver") : "memfds have no reflink (--fs)";
	return NULL;
}

/* is requirement id (e.g. "S1") one of the space-separated ids in reqs? */
static int req_listed(const char *reqs, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = reqs; (p = strstr(p, id)); p += n)
		if ((p == reqs || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
	return 0;
}

/* can some self-test that runs here witness id? */
static int witnessed_here(const char *id)
{
	for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]); i++)
		if (WITNESSES[i].reqs[0] && !witness_unavailable(WITNESSES[i].test) &&
		    req_listed(WITNESSES[i].reqs, id))
			return 1;
	return 0;
}

/*
 * Calls emit(id, why, ctx) for every requirement no self-test that runs here covers, with the
 * reason (none in today's kernel, or a facility missing here).  Hello and self-test share it.
 */
static void cannot_witness_each(void (*emit)(const char *id, const char *why, void *ctx), void *ctx)
{
	static const char *const IDS[] = { "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10",
					   "L1", "L2", "L3", "L4", "L5", "L6" };
	char why[256];

	for (size_t r = 0; r < sizeof(IDS) / sizeof(IDS[0]); r++) {
		const char *reason = NULL;

		if (witnessed_here(IDS[r]))
			continue;
		for (size_t i = 0; i < sizeof(CANNOT_WITNESS) / sizeof(CANNOT_WITNESS[0]) && !reason; i++)
			if (!strcmp(CANNOT_WITNESS[i].req, IDS[r]))
				reason = CANNOT_WITNESS[i].why;
		for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]) && !reason; i++)
			if (WITNESSES[i].reqs[0] && req_listed(WITNESSES[i].reqs, IDS[r])) {
				snprintf(why, sizeof(why), "self-test %s cannot run here: %s", WITNESSES[i].test,
					 witness_unavailable(WITNESSES[i].test));
				reason = why;
			}
		if (reason)
			emit(IDS[r], reason, ctx);
	}
}

struct claim_ctx {
	struct out *o;
	int k;
};

static void emit_claim(const char *id, const char *why, void *ctx)
{
	struct claim_ctx *c = ctx;

	add_claim(c->o, &c->k, id, why);
}

static void emit_ktap_cannot(const char *id, const char *why, void *ctx)
{
	printf("# cannot-witness %s: %s\n", id, why);
}

/* the handshake's claim: the self-tests that can run here and what each stands for; the rest, why not */
static void hello_witness(struct out *o)
{
	struct claim_ctx c = { o, 0 };
	int k = 0;

	oputs(o, ",\"witness\":{");
	for (size_t i = 0; i < sizeof(WITNESSES) / sizeof(WITNESSES[0]); i++)
		if (!witness_unavailable(WITNESSES[i].test) && WITNESSES[i].reqs[0]) {
			char v[128];

			snprintf(v, sizeof(v), "%s %s", WITNESSES[i].cls, WITNESSES[i].reqs);
			add_claim(o, &k, WITNESSES[i].test, v);
		}
	oputs(o, "},\"cannot_witness\":{");
	cannot_witness_each(emit_claim, &c);
	oputs(o, "}");
}

/* the configuration this agent really has (after a reset: the files and importers asked) */
static void put_config(struct out *o)
{
	long long avail = 0, bar;

	oputs(o, "\"config\":{\"files\":[");
	for (int i = 0; i < g.nfiles; i++) {
		oputs(o, i ? "," : "");
		oquote(o, g.files[i].name);
	}
	oprintf(o, "],\"pages\":%d,\"blocks\":%lld,\"importers\":[", g.npages, g.nblocks);
	for (int i = 0; i < g.nimps; i++) {
		oputs(o, i ? ",{\"name\":" : "{\"name\":");
		oquote(o, g.imps[i]);
		/* every importer has its own mirror: a route; atomics are refused (see ATOMIC) */
		oprintf(o, ",\"route\":true,\"atomic\":false,\"write\":%s}",
			g.imp_write[i] ? "true" : "false");
	}
	if (g.have_p2p && !g.unplugged && !p2p_available(&avail))
		bar = avail / (long long)PG;
	else
		bar = g.have_p2p ? 0 : (g.want_bar_pages >= 0 ? g.want_bar_pages : MAX_GRANTS);
	/* fs-dax: mm/gup.c check_vma_flags refuses every FOLL_LONGTERM pin of an fs-dax vma */
	/* fs-dax has no page cache: read(2)/write(2) go to the blocks (fs/dax.c dax_iomap_rw);
	 * every file has a size: a mirror fault beyond i_size is SIGBUS -> EFAULT (mm/hmm.c) */
	oprintf(o, "],\"bar_pages\":%lld,\"bar_base\":0,\"pin\":%s,\"reverse_map\":%s,\"page_cache\":%s,"
		"\"file_size\":true}", bar,
		(fs_on() ? g.have_gup_test && !fs_dax() : g.have_udmabuf) ? "true" : "false",
		g.have_p2p && g.allow_unplug && op_supported("unplug") ? "true" : "false",
		fs_dax() ? "false" : "true");
}

/* a session with these files and importers; importer objects as in the config */
static int set_config(const struct jobj *j, const char *pfx, char *why, size_t cap)
{
	char key[MAX_STR];
	long long pages = 0, blocks = 4, bar = -1;
	int err, nfiles, nimps;

	snprintf(key, sizeof(key), "%s.files", pfx);
	nfiles = jlen(j, key);
	snprintf(key, sizeof(key), "%s.importers", pfx);
	nimps = jlen(j, key);
	snprintf(key, sizeof(key), "%s.pages", pfx);
	if (jint(j, key, &pages) || pages < 1 || pages > MAX_PAGES || nfiles < 1 || nfiles > MAX_FILES) {
		snprintf(why, cap, "config needs files (1..%d) and pages (1..%d)", MAX_FILES, MAX_PAGES);
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "%s.blocks", pfx);
	jint(j, key, &blocks);
	snprintf(key, sizeof(key), "%s.bar_pages", pfx);
	jint(j, key, &bar);
	teardown();
	g.npages = (int)pages;
	g.nblocks = blocks < 1 ? 1 : blocks;	/* shmem has no blocks: taken as asked */
	g.nextv = 1000;
	for (int i = 0; i < nfiles; i++) {
		const char *name;

		snprintf(key, sizeof(key), "%s.files.%d", pfx, i);
		name = jstr(j, key);
		if (!name || !name[0] || strchr(name, '/') || strlen(name) >= MAX_STR) {
			snprintf(why, cap, "config file names are strings without '/'");
			return -EINVAL;
		}
		err = create_file(i, name);
		g.nfiles = i + 1;
		if (err) {
			snprintf(why, cap, "%s: %s", fs_on() ? "creating the file" : "memfd", strerror(-err));
			return err;
		}
	}
	g.nimps = 0;
	for (int i = 0; i < nimps && g.nimps < MAX_IMPS; i++) {
		const char *name;
		int w = 1;

		snprintf(key, sizeof(key), "%s.importers.%d.name", pfx, i);
		name = jstr(j, key);
		if (!name)
			continue;
		snprintf(key, sizeof(key), "%s.importers.%d.write", pfx, i);
		jbool(j, key, &w);
		g.imp_write[g.nimps] = w;
		snprintf(g.imps[g.nimps++], MAX_STR, "%s", name);
	}
	if (!g.nimps) {
		g.imp_write[0] = 1;
		snprintf(g.imps[g.nimps++], MAX_STR, "gpu");
	}
	for (int i = 0; i < g.nimps; i++) {	/* one open = one device mirror per importer */
		g.mirror[i] = g.have_hmm ? open(g.hmm_dev, O_RDWR | O_CLOEXEC) : -1;
		if (g.have_hmm && g.mirror[i] < 0)
			diag("open(%s): %s", g.hmm_dev, strerror(errno));
	}
	g.want_bar_pages = g.bar_pages >= 0 ? g.bar_pages : bar;
	setup_ballast();
	if (g.have_p2p && !g.unplugged && p2p_available(&g.bar_base_avail))
		g.bar_base_avail = 0;
	return 0;
}

/* after an unplug, a reset brings the exporter back: PCI rescan, then its p2pmem and namespace */
static int replug(char *why, size_t cap)
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

static int op_hello(const struct jobj *j)
{
	struct out o = { .n = 0 };
	long long ver = 0;
	int k = 0;
	char why[256];

	if (jint(j, "devmap", &ver) || ver != 1)
		diag("the harness speaks protocol %lld; answering 1", ver);
	if (jstr(j, "scratch"))
		diag("scratch %s offered: not used (the files are memfds)", jstr(j, "scratch"));
	if (jstr(j, "block_device"))
		diag("block_device %s offered: not used (the namespace is --nvme)", jstr(j, "block_device"));
	{	/* the default configuration, as DutConfig.standard() asks it */
		static struct jobj d;
		static const char *std = "{\"c\":{\"files\":[\"f1\",\"f2\"],\"pages\":3,\"blocks\":4,"
			"\"importers\":[{\"name\":\"gpu\",\"write\":true},{\"name\":\"nic\",\"write\":true},"
			"{\"name\":\"fpga\",\"write\":true}],\"bar_pages\":3}}";

		if (json_parse(std, &d) || set_config(&d, "c", why, sizeof(why)))
			diag("default configuration: %s", why);
	}
	oputs(&o, "{\"devmap\":1,\"ok\":true,\"agent\":\"" AGENT_NAME "\",\"ops\":[");
	for (size_t i = 0; i < N_OPS; i++)
		if (op_supported(ALL_OPS[i]))
			oprintf(&o, "%s\"%s\"", k++ ? "," : "", ALL_OPS[i]);
	/* nothing happens unreported: acks, inv_end, dma_end, revoke_ack, unplug_end are events */
	oputs(&o, "],\"silent\":[],\"observes\":[");
	if (g.have_p2p)
		oputs(&o, "\"bar\"");
	if (fs_on())	/* FIEMAP; fs-dax addrs are pmem, not BAR, addresses: not "addrs" */
		oputs(&o, g.have_p2p ? ",\"blocks\"" : "\"blocks\"");
	oputs(&o, "],\"unsupported\":{");
	k = 0;
	for (size_t i = 0; i < N_OPS; i++)
		if (!op_supported(ALL_OPS[i]) && why_not(ALL_OPS[i]))
			add_claim(&o, &k, ALL_OPS[i], why_not(ALL_OPS[i]));
	oputs(&o, "},");
	put_config(&o);
	hello_choices(&o);
	hello_facilities(&o);
	hello_witness(&o);
	oputs(&o, "}");
	emit(&o);
	return 0;
}

static void op_reset(long long id, const struct jobj *j)
{
	char why[256] = "";
	struct out o;
	int err;

	err = replug(why, sizeof(why));
	if (!err)
		err = set_config(j, "config", why, sizeof(why));
	if (err) {
		reply_err(id, -err, "reset: %s", why);
		return;
	}
	reply_begin(&o, id);
	oputs(&o, ",\"result\":\"done\",");
	put_config(&o);
	reply_end(&o, NULL);
}

static int dispatch(const struct jobj *j)
{
	const char *op = jstr(j, "op");
	struct req r = { .j = j };

	if (!op) {
		reply_err(-1, EINVAL, "missing op");
		return 0;
	}
	if (!strcmp(op, "eof"))		/* qemu-agent.sh: the host's stdin reached EOF */
		return 1;
	if (!strcmp(op, "hello"))
		return op_hello(j) ? 1 : 0;
	if (jint(j, "id", &r.id)) {
		reply_err(-1, EINVAL, "missing id");
		return 0;
	}
	if (!strcmp(op, "bye")) {
		struct out o;

		reply_begin(&o, r.id);
		oputs(&o, ",\"result\":\"done\"}");
		emit(&o);
		return 1;
	}
	if (!strcmp(op, "reset")) {
		op_reset(r.id, j);
		return 0;
	}
	if (!g.nfiles) {
		reply_err(r.id, EINVAL, "no hello/reset yet");
		return 0;
	}
	release_dead_windows();
	if (!op_supported(op)) {
		const char *why = why_not(op);

		reply_err(r.id, why ? ENOSYS : EINVAL, "%s", why ? why : "unknown op");
		return 0;
	}
	if (!strcmp(op, "mmap")) op_mmap(&r);
	else if (!strcmp(op, "munmap")) op_munmap(&r);
	else if (!strcmp(op, "cpu_write")) op_cpu_write(&r);
	else if (!strcmp(op, "cpu_read")) op_cpu_read(&r);
	else if (fs_on() && !strcmp(op, "truncate")) op_layout(&r, LOP_TRUNCATE);
	else if (fs_on() && !strcmp(op, "punch")) op_layout(&r, LOP_PUNCH);
	else if (fs_on() && !strcmp(op, "fallocate")) op_layout(&r, LOP_FALLOCATE);
	else if (!strcmp(op, "unshare")) op_layout(&r, LOP_UNSHARE);
	else if (!strcmp(op, "relocate")) op_layout(&r, LOP_RELOCATE);
	else if (!strcmp(op, "reflink")) op_layout(&r, LOP_REFLINK);
	else if (!strcmp(op, "writeback")) op_writeback(&r, 0);
	else if (!strcmp(op, "evict")) op_writeback(&r, 1);
	else if (!strcmp(op, "inv_ack")) op_inv_ack_fs(&r);
	else if (fs_on() && !strcmp(op, "dma_start")) op_dma_start_fs(&r);
	else if (fs_on() && !strcmp(op, "dma_end")) op_dma_end_fs(&r);
	else if (fs_on() && !strcmp(op, "settle")) op_settle_fs(&r);
	else if (!strcmp(op, "truncate")) op_truncate(&r);
	else if (!strcmp(op, "punch")) op_punch(&r);
	else if (!strcmp(op, "fallocate")) op_fallocate(&r);
	else if (!strcmp(op, "device_map")) op_device_map(&r);
	else if (!strcmp(op, "device_unmap")) op_device_unmap(&r);
	else if (!strcmp(op, "dmabuf_release")) op_dmabuf_release(&r);
	else if (!strcmp(op, "dma_start")) op_dma_start(&r);
	else if (!strcmp(op, "dma_end")) reply_done(r.id);	/* ended with its dma_start */
	else if (!strcmp(op, "dev_read")) op_dev(&r, 0);
	else if (!strcmp(op, "dev_write")) op_dev(&r, 1);
	else if (!strcmp(op, "unplug")) op_unplug(&r);
	else if (!strcmp(op, "settle")) {	/* every step is synchronous: nothing is left */
		struct out o;

		reply_begin(&o, r.id);
		oputs(&o, ",\"result\":\"idle\"");
		reply_end(&o, NULL);
	}
	return 0;
}

static int serve(void)
{
	static char line[LINE_MAX_LEN];
	static struct jobj j;

	while (fgets(line, sizeof(line), stdin)) {
		size_t l = strlen(line);

		if (l && line[l - 1] != '\n' && !feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			reply_err(-1, EINVAL, "line longer than %d bytes", LINE_MAX_LEN);
			continue;
		}
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (json_parse(line, &j)) {
			reply_err(-1, EINVAL, "not a JSON object");
			continue;
		}
		if (dispatch(&j))
			break;
	}
	return 0;
}

/* ======================================================================================
 * --selftest: each facility once, KTAP on stdout
 * ==================================================================================== */
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

static char tbuf[4 * 4096] __attribute__((aligned(4096)));

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

static int selftest(void)
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

/* ======================================================================================
 * main
 * ==================================================================================== */
static void usage(void)
{
	fprintf(stderr,
		"usage: devmap-agent [--pci BDF] [--nvme /dev/nvmeXnY] [--hmm /dev/hmm_dmirrorN]\n"
		"                    [--bar-pages N] [--allow-unplug] [--fs dax|pagecache --dir DIR]\n"
		"                    [--selftest]\n"
		"Speaks the devmap agent protocol v1 on stdin/stdout (or runs a KTAP self-test).\n");
}

static int parse_args(int argc, char **argv, int *self)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--selftest")) { *self = 1; continue; }
		if (!strcmp(a, "--allow-unplug")) { g.allow_unplug = 1; continue; }
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(); exit(0); }
		if (!v) { usage(); return -1; }
		if (!strcmp(a, "--pci")) g.pci = v;
		else if (!strcmp(a, "--nvme")) g.nvme = v;
		else if (!strcmp(a, "--hmm")) g.hmm_dev = v;
		else if (!strcmp(a, "--bar-pages")) g.bar_pages = atol(v);
		else if (!strcmp(a, "--fs")) g.fs = v;
		else if (!strcmp(a, "--dir")) g.fs_dir = v;
		else { usage(); return -1; }
		i++;
	}
	return 0;
}

/* one line on stderr, exit 2: the machine is not safe to use as told */
static int refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("devmap-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static int check_devices(void)
{
	char why[300], path[300];
	struct stat st;

	if (g.pci) {
		if (!valid_bdf(g.pci))
			return refuse("--pci %s: not a PCI address dddd:bb:dd.f", g.pci);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", g.pci);
		if (stat(path, &st))
			return refuse("--pci %s: %s: %s", g.pci, path, strerror(errno));
	}
	if (g.nvme) {
		if (!g.pci)
			return refuse("--nvme needs --pci (the function it belongs to)");
		if (!valid_nvme(g.nvme))
			return refuse("--nvme %s: not an NVMe namespace /dev/nvmeXnY", g.nvme);
		if (nvme_in_use(g.nvme, why, sizeof(why)))
			return refuse("--nvme %s has a mounted filesystem or swap: %s", g.nvme, why);
		if (nvme_holders(g.nvme))
			return refuse("--nvme %s is held by another block device (dm/md)", g.nvme);
		if (!nvme_below_pci(g.nvme, g.pci))
			return refuse("--nvme %s does not belong to --pci %s", g.nvme, g.pci);
	}
	if (g.allow_unplug && !g.pci)
		return refuse("--allow-unplug needs --pci");
	if (g.fs && strcmp(g.fs, "dax") && strcmp(g.fs, "pagecache"))
		return refuse("--fs %s: dax or pagecache", g.fs);
	if (!g.fs != !g.fs_dir)
		return refuse("--fs and --dir go together (the directory of a mounted filesystem)");
	if (g.fs_dir && (stat(g.fs_dir, &st) || !S_ISDIR(st.st_mode)))
		return refuse("--dir %s: not a directory", g.fs_dir);
	return 0;
}

int main(int argc, char **argv)
{
	int self = 0, rc;

	if (parse_args(argc, argv, &self))
		return 2;
	rc = check_devices();
	if (rc)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	diag("%s: pci=%s nvme=%s hmm=%s", AGENT_NAME, g.pci ? g.pci : "-", g.nvme ? g.nvme : "-",
	     g.hmm_dev);
	setup_probe_facilities();
	if (fs_dax())
		find_pmem_base();
	if (self)
		rc = selftest();
	else
		rc = serve();
	teardown();
	restore_nvme();
	return rc;
}
