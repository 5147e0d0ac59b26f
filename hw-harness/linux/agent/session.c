// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: a session's objects: files and importers by name, grants, teardown.
 */
#include "agent.h"

int find_file(const char *name)
{
	for (int i = 0; name && i < g.nfiles; i++)
		if (!strcmp(g.files[i].name, name))
			return i;
	return -1;
}

int find_imp(const char *name)
{
	for (int i = 0; name && i < g.nimps; i++)
		if (!strcmp(g.imps[i], name))
			return i;
	return -1;
}

void close_grant(struct grant *gr)
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

void teardown(void)
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
			xclose(g.files[i].fd, g.files[i].name);
		if (fs_on() && g.files[i].dio_fd >= 0)
			xclose(g.files[i].dio_fd, "O_DIRECT descriptor");
		if (fs_on() && g.files[i].path[0] && unlink(g.files[i].path))
			diag("unlink(%s): %s", g.files[i].path, strerror(errno));
		g.files[i].map = NULL;
		g.files[i].fd = g.files[i].dio_fd = -1;
		g.files[i].path[0] = 0;
	}
	for (int i = 0; i < g.nimps; i++)
		if (g.mirror[i] >= 0)
			xclose(g.mirror[i], g.hmm_dev);
	g.nfiles = g.nimps = 0;
	if (g.ballast && munmap(g.ballast, g.ballast_len))
		diag("munmap(ballast): %s", strerror(errno));
	g.ballast = NULL;
}

struct grant *new_grant(void)
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

struct grant *find_grant(int imp, int file, int off, int pin_only)
{
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];

		if (gr->used && gr->imp == imp && gr->file == file && off >= gr->lo &&
		    off <= gr->hi && gr->live[off] && (!pin_only || gr->pin))
			return gr;
	}
	return NULL;
}

/*
 * A revocable grant every page of which was invalidated, and whose importer owes no ack for it
 * any more: the protocol's grant is gone (InvAck took it), the slot stays until reset.
 */
static int grant_gone(const struct grant *gr)
{
	const struct lop *l = &g.lops[gr->file];

	if (gr->pin)
		return 0;
	for (int o = gr->lo; o <= gr->hi; o++)
		if (gr->live[o])
			return 0;
	return !(l->on && (l->awaiting >> gr->imp & 1));
}

/*
 * A grant is named by importer, file and first page; a grant already gone is not (a new grant
 * of the same range after an invalidation is the one device_unmap means).
 */
struct grant *named_grant(struct req *r, int pin)
{
	for (int i = 0; i < MAX_GRANTS; i++) {
		struct grant *gr = &g.grants[i];

		if (gr->used && gr->pin == pin && gr->imp == r->imp && gr->file == r->file &&
		    gr->lo == r->lo && !grant_gone(gr))
			return gr;
	}
	return NULL;
}
