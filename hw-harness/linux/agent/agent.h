// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: a devmap agent (hw-harness/AGENT-PROTOCOL.md v1) for a real Linux kernel.
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
 *
 * Layout (one file per facility, the kselftest way; see ../README.md):
 *   agent.h      shared types, the session state g, prototypes
 *   main.c       command line, safety checks on the named devices, facility probe
 *   proto.c      the line protocol: replies, hello/reset, the operation table, serve
 *   json.c       JSON in (jansson) and out (one line per object)
 *   session.c    files, importers and grants of a session
 *   witness.c    which requirement each self-test stands for (hello and KTAP)
 *   ops.c        the operations every device has (mmap, cpu/device access, device_map)
 *   memfd.c      the memfd device (--device linux-qemu): shmem files, udmabuf pins
 *   hmm.c        the importer's mirror: HMM test driver (/dev/hmm_dmirror0)
 *   p2pdma.c     the exporter: p2pmem BAR windows of an NVMe CMB, O_DIRECT, PCI removal
 *   fs.c         files on a real filesystem (--fs): FIEMAP, layout changes on a thread,
 *                DMA in flight as a held page reference, long-term pins (gup_test)
 *   fsdax.c      fs-dax (--fs dax): pfn = pmem base + block, the inode lock while waiting
 *   pagecache.c  page-cache filesystem (--fs pagecache): writeback, evict, O_DIRECT to CMB
 *   util.c       diagnostics, sysfs, one-page reads and writes
 *   selftest.c   --selftest on kselftest_harness.h: FIXTURE / TEST_F per story
 */
#ifndef DEVMAP_AGENT_H
#define DEVMAP_AGENT_H
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
#include <sys/vfs.h>
#include <sys/syscall.h>
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

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif
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

/*
 * JSON in: jansson (Debian's libjansson-dev, linked statically); keys as paths "a.b.0.c"
 */
struct jobj {
	json_t *root;
};

/* ---- output: one line per object, built in a buffer ---- */
struct out {
	char buf[LINE_MAX_LEN];
	size_t n;
};

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
	long long at_grant[MAX_PAGES + 1];	/* --plant stale-dev-read: each page's value when granted */
	int nblk;
};

/* --fs: a device DMA in flight = a page reference held by a pipe (vmsplice) */
struct dma {
	int on, file, off, write;
	int pfd[2];
	long long v;
	double t0;
	long long blk, pfn;	/* a write DMA: where it lands at its end (FIEMAP block, page frame) */
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

/* the agent's state: the command line, the session, the facilities found */
struct agent {
	/* command line */
	const char *pci, *nvme, *hmm_dev;
	long bar_pages;		/* -1: the whole CMB */
	int allow_unplug;
	const char *plant;	/* --plant NAME: a bug planted on purpose (the harness must catch it) */
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
	int lop_err[6];		/* --fs: errno of each layout change probed at start (0: works) */
	int pmem_fd;		/* fs-dax: O_DIRECT /dev/pmem0, where a DMA write lands at its end */
};
extern struct agent g;

struct invlist {
	int n;
	int imp[MAX_GRANTS], file[MAX_GRANTS], lo[MAX_GRANTS], hi[MAX_GRANTS];
};

struct req {
	long long id;
	char why[256];
	const struct jobj *j;
	int file, imp;
	long long off, lo, hi;
};

/*
 * real filesystems (--fs dax|pagecache --dir DIR): files with blocks
 *
 * fs-dax: xfs mounted -o dax=always on persistent memory.  The mirror maps the file's
 * blocks themselves (pfn = pmem base + FIEMAP block).  A device DMA in flight is a page
 * reference held by a pipe (vmsplice); truncate/punch/fallocate/unshare/relocate run on a
 * thread, and the kernel makes them wait in break_layouts (xfs_break_dax_layouts ->
 * dax_layout_busy_page) until every such reference is dropped: the answer is "started"
 * ("by":"kernel") and the inv_end event comes when the kernel proceeds.
 * pagecache: xfs on an NVMe namespace; writeback = sync_file_range, evict = fadvise.
 */
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
#define LOP_WAIT_MS 1500	/* with DMA in flight: a layout change not done by then waits in the kernel */
#define LOP_SLOW_MS 20000	/* with none: nothing to wait for, it is only slow (a loaded machine) */

enum lop_kind { LOP_TRUNCATE, LOP_PUNCH, LOP_FALLOCATE, LOP_UNSHARE, LOP_RELOCATE, LOP_REFLINK };

/*
 * What this kernel can witness: each self-test stands for the protocol requirements
 * (spec/PROTOCOL.md S1-S14, L1-L6) whose contract the facility implements today; the harness
 * marks a requirement "real kernel" only when such a test passed.  The others are declared
 * with the reason no facility of today's kernel shows them.  Same table in the hello.
 */
struct witness {
	const char *test;	/* self-test: FIXTURE.TEST, as its KTAP result line names it */
	const char *cls;	/* kernel-decided | post-syscall | agent-decided */
	const char *reqs;	/* requirement ids, space-separated ("" : none) */
	const char *what;	/* what the kernel shows */
};

/*
 * The operation table (proto.c): each operation of the protocol, in the hello's order, with
 * its handler on the memfd device and on a filesystem device (--fs); NULL: not implemented
 * there (op_supported() says whether it is offered, why_not() why not).
 */
struct agent_op {
	const char *name;
	void (*memfd)(struct req *r);
	void (*fs)(struct req *r);
};
extern const struct agent_op AGENT_OPS[];
extern const size_t N_AGENT_OPS;

/* util.c */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
double now_ms(void);
const char *errname(int e);
int read_sysfs_long(const char *path, long long *v);
int write_sysfs(const char *path, const char *val);
int page_read_value(int fd, int pageidx, long long *v);
int page_write_value(int fd, int pageidx, long long v);
long long file_page_pfn(int fd, int pageidx);
int page_past_eof(int fd, int pageidx);
void xclose(int fd, const char *what);
void xjoin(pthread_t t);

/* json.c */
int json_parse(const char *line, struct jobj *o);
const char *jstr(const struct jobj *o, const char *key);
int jint(const struct jobj *o, const char *key, long long *v);
int jbool(const struct jobj *o, const char *key, int *b);
int jlen(const struct jobj *o, const char *key);
int jhas_item(const struct jobj *o, const char *key, const char *item);
void oputs(struct out *o, const char *s);
void oprintf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void oquote(struct out *o, const char *s);
void emit(struct out *o);

/* session.c */
int find_file(const char *name);
int find_imp(const char *name);
void close_grant(struct grant *gr);
void teardown(void);
struct grant *new_grant(void);
struct grant *find_grant(int imp, int file, int off, int pin_only);
struct grant *named_grant(struct req *r, int pin);

/* proto.c */
void reply_begin(struct out *o, long long id);
void reply_end(struct out *o, const char *events);
void reply_done(long long id);
void reply_err(long long id, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void reply_refused(long long id, const char *reason, const char *why);
void reply_busy(long long id, int e, const char *why);
void reply_value(long long id, long long v, const char *path);
void reply_inv_acks(long long id, const struct invlist *inv, const struct invlist *acked,
			   const char *extra);
void reply_inv(long long id, const struct invlist *inv, const char *extra);
void reply_done_inv(long long id, const struct invlist *inv);
int need_file(struct req *r);
int need_imp(struct req *r);
int need_page(struct req *r, const char *key, long long *v);
void add_claim(struct out *o, int *k, const char *req, const char *text);
int serve(void);

/* witness.c */
const struct witness *witness_of(const char *test);
const char *witness_unavailable(const char *test);
void cannot_witness_each(void (*emit)(const char *id, const char *why, void *ctx), void *ctx);
void emit_ktap_cannot(const char *id, const char *why, void *ctx);
void hello_witness(struct out *o);

/* ops.c */
void op_mmap(struct req *r);
void op_munmap(struct req *r);
void op_cpu_write(struct req *r);
void op_cpu_read(struct req *r);
void op_device_map(struct req *r);
void op_device_unmap(struct req *r);
void op_dmabuf_release(struct req *r);
void op_dev(struct req *r, int write);
int dma_begin(struct req *r, const char *dir, int write, long long *v, const char **path, int held);

/* memfd.c */
int create_file(int i, const char *name);
void op_truncate(struct req *r);
void op_punch(struct req *r);
void op_fallocate(struct req *r);
int establish_pin(struct grant *gr, char *why, size_t cap);
void op_dma_start(struct req *r);
void op_dma_end(struct req *r);
void op_settle(struct req *r);

/* hmm.c */
int hmm_cmd(int mfd, unsigned long req, void *addr, void *buf, unsigned long npages,
		   struct hmm_dmirror_cmd *out);
int hmm_snapshot(int mfd, void *addr, unsigned long npages, unsigned char *prot);
void scan_invalidations(int file, const char *cause, struct invlist *inv);
int establish_mirror(struct grant *gr, char *why, size_t cap);
int device_rw(int imp, int file, int off, int write, long long *v, long long *faults);
void probe_file(int file, const char *cause, struct invlist *inv);

/* p2pdma.c */
int p2p_available(long long *v);
char *p2p_alloc(size_t len, int *err);
int probe_read(volatile const char *p, long long *v);
int nvme_xfer(int write, void *buf, size_t len, off_t off);
void setup_p2p(void);
int setup_nvme(void);
void restore_nvme(void);
void setup_ballast(void);
long long bar_in_use(void);
int stage_into_bar(struct grant *gr, char *why, size_t cap);
void release_dead_windows(void);
void op_unplug(struct req *r);
int replug(char *why, size_t cap);

/* fs.c */
const char *LOP_NAME_OF(int kind);
int fs_on(void);
int fs_dax(void);
int page_block(int fd, int pageidx, long long *block, unsigned *flags);
int fs_create_file(int i, const char *name);
void lop_collect(char *ev, size_t cap);
void lop_events_before(void);
void op_layout(struct req *r, enum lop_kind kind);
int fs_pin(struct grant *gr, char *why, size_t cap);
int fs_pin_read(struct grant *gr, int off, long long *v);
void op_dma_start_fs(struct req *r);
void op_dma_end_fs(struct req *r);
void op_inv_ack_fs(struct req *r);
void op_settle_fs(struct req *r);
void fs_quiesce(void);
void fs_probe_ops(void);
const char *fs_lop_why_not(int kind);

/* fsdax.c */
int would_sleep(struct req *r, const char *what);
long long virt_pfn(const void *addr);
void find_pmem_base(void);
int grant_blocks(struct grant *gr, char *why, size_t cap);

/* pagecache.c */
void op_writeback(struct req *r, int evict);
int fs_stage_into_bar(struct grant *gr, char *why, size_t cap);

/* selftest.c */
int selftest(int argc, char **argv);

/* main.c */
const char *nvme_base(const char *dev);


#endif /* DEVMAP_AGENT_H */
