// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: the importer's mapping: the HMM test driver's mirror (/dev/hmm_dmirror0); invalidations
 * judged by the mirror's own fault count, not by SNAPSHOT (the CPU page table).
 */
#include "agent.h"

/* ---- HMM mirror ---- */
int hmm_cmd(int mfd, unsigned long req, void *addr, void *buf, unsigned long npages,
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
int hmm_snapshot(int mfd, void *addr, unsigned long npages, unsigned char *prot)
{
	return hmm_cmd(mfd, HMM_DMIRROR_SNAPSHOT, addr, prot, npages, NULL);
}

/* which mirror entries of the file's grants the last syscall cleared: the mirror's fault count */
void scan_invalidations(int file, const char *cause, struct invlist *inv)
{
	probe_file(file, cause, inv);
}

int establish_mirror(struct grant *gr, char *why, size_t cap)
{
	struct file *f = &g.files[gr->file];
	int n = gr->hi - gr->lo + 1, mfd = g.mirror[gr->imp], err;
	char *addr = f->map + (gr->lo - 1) * PG;
	unsigned char prot[MAX_PAGES];
	struct hmm_dmirror_cmd c = { 0 };
	int xerr = 0;
	char *buf;

	if (posix_memalign((void **)&buf, PG, n * PG))
		return -ENOMEM;
	/*
	 * ATOMIC first: a refusal then leaves no mirror entry behind (the test driver has no unmap).
	 * What the refusal leaves is the kernel's: make_device_exclusive_range write-faults the pages
	 * before it refuses a file folio (selftest dax.refused_exclusive_faults_first).  EFAULT (no
	 * page there: beyond EOF) is the READ's to classify.
	 */
	if (gr->atomic)
		xerr = hmm_cmd(mfd, HMM_DMIRROR_EXCLUSIVE, addr, buf, n, NULL);
	if (xerr && xerr != -EFAULT) {
		snprintf(why, cap, "HMM_DMIRROR_EXCLUSIVE (make_device_exclusive_range): %s", strerror(-xerr));
		free(buf);
		return 1;	/* refusal, not failure */
	}
	err = hmm_cmd(mfd, HMM_DMIRROR_READ, addr, buf, n, &c);
	if (!err && gr->write)	/* a write fault with the data just read: no value changes */
		err = hmm_cmd(mfd, HMM_DMIRROR_WRITE, addr, buf, n, NULL);
	free(buf);
	if (!err && xerr) {	/* the READ found the pages the exclusive gup did not */
		snprintf(why, cap, "HMM_DMIRROR_EXCLUSIVE (make_device_exclusive_range): %s", strerror(-xerr));
		return 1;
	}
	if (err == -EFAULT && page_past_eof(f->fd, gr->hi - 1) == 1) {
		snprintf(why, cap, "mirror fault beyond EOF (EFAULT): the range is not in the file");
		return 2;	/* refusal: hole */
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

int device_rw(int imp, int file, int off, int write, long long *v, long long *faults)
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

void probe_file(int file, const char *cause, struct invlist *inv)
{
	inv->n = 0;
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];

		if (gr->used && !gr->pin && gr->file == file)
			probe_grant(gr, cause, inv);
	}
}
