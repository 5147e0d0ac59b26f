// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: diagnostics, errno names, sysfs, one-page reads and writes, checked close/join.
 */
#include "agent.h"

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

double now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *errname(int e)
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

int read_sysfs_long(const char *path, long long *v)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int e = errno;

		xclose(fd, "fd");
		return -e;
	}
	xclose(fd, "fd");
	buf[n] = 0;
	*v = strtoll(buf, NULL, 0);
	return 0;
}

int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int e = errno;

		xclose(fd, "fd");
		return -e;
	}
	if (close(fd))
		return -errno;
	return 0;
}

int page_read_value(int fd, int pageidx, long long *v)
{
	ssize_t n = pread(fd, v, sizeof(*v), (off_t)pageidx * PG);

	if (n < 0)
		return -errno;
	if (n < (ssize_t)sizeof(*v))
		*v = 0;	/* beyond EOF reads as nothing: report 0 */
	return 0;
}

int page_write_value(int fd, int pageidx, long long v)
{
	ssize_t n = pwrite(fd, &v, sizeof(v), (off_t)pageidx * PG);

	if (n < 0)
		return -errno;
	return n == sizeof(v) ? 0 : -EIO;
}

/* close(2) with its error reported (the descriptor is gone either way) */
void xclose(int fd, const char *what)
{
	if (fd >= 0 && close(fd))
		diag("close(%s): %s", what, strerror(errno));
}

/* pthread_join with its error reported */
void xjoin(pthread_t t)
{
	int err = pthread_join(t, NULL);

	if (err)
		diag("pthread_join: %s", strerror(err));
}

/*
 * Whether page pageidx (0-based) is past the end of the file: 1 when its first byte is at or
 * past i_size (the fault's own rule: filemap_fault's max_idx = DIV_ROUND_UP(i_size),
 * dax_iomap_pte_fault's pos >= i_size; a last page the file covers only in part is in the
 * file), 0 when it is in the file, -1 when fstat fails.
 */
int page_past_eof(int fd, int pageidx)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return st.st_size <= (off_t)pageidx * (off_t)PG;
}

/*
 * The page frame that is the file's page pageidx now (its page-cache page, read in if it is
 * not cached), through a mapping of our own (no other mapping's notifier fires); -1 beyond
 * EOF or when pagemap does not tell.
 */
long long file_page_pfn(int fd, int pageidx)
{
	long long pfn;
	char *p;

	if (page_past_eof(fd, pageidx))
		return -1;
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, (off_t)pageidx * PG);
	if (p == MAP_FAILED)
		return -1;
	{
		volatile char c = p[0];	/* fault it into our page table */

		(void)c;
	}
	pfn = virt_pfn(p);
	if (munmap(p, PG))
		diag("munmap: %s", strerror(errno));
	return pfn;
}
