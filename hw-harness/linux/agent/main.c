// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: the command line, the safety checks on the devices it names, the facility probe, main().
 */
#include "agent.h"

struct agent g = { .bar_pages = -1, .hmm_dev = "/dev/hmm_dmirror0", .nvme_fd = -1, .pmem_base_pfn = -1, .pmem_fd = -1 };

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

const char *nvme_base(const char *dev)
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
				if (fclose(f))
					diag("fclose: %s", strerror(errno));
				return 1;
			}
		}
		if (fclose(f))
			diag("fclose: %s", strerror(errno));
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

static void setup_probe_facilities(void)
{
	int fd = open(g.hmm_dev, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		g.have_hmm = 1;
		xclose(fd, g.hmm_dev);
	} else {
		diag("%s: %s", g.hmm_dev, strerror(errno));
	}
	fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		g.have_udmabuf = 1;
		xclose(fd, "/dev/udmabuf");
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

static void usage(void)
{
	fprintf(stderr,
		"usage: devmap-agent [--pci BDF] [--nvme /dev/nvmeXnY] [--hmm /dev/hmm_dmirrorN]\n"
		"                    [--bar-pages N] [--allow-unplug] [--fs dax|pagecache --dir DIR]\n"
		"                    [--plant stale-dev-read] [--selftest [-- HARNESS-OPTIONS]]\n"
		"Speaks the devmap agent protocol v1 on stdin/stdout, or runs the self-test\n"
		"(kselftest_harness.h, KTAP on stdout; after --: its options, e.g. -l, -t TEST, -f FIXTURE).\n");
}

/* the agent's options; *rest: the index of the first option after "--" (the harness's), or argc */
static int parse_args(int argc, char **argv, int *self, int *rest)
{
	*rest = argc;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--")) { *rest = i + 1; break; }
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
		else if (!strcmp(a, "--plant")) g.plant = v;
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

/*
 * --fs names what the files live on: --dir must be on xfs (statfs), mounted with dax for
 * --fs dax (/proc/mounts), so that a failed mount is refused here rather than served as
 * something else under the filesystem's name.
 */
static int fs_dir_mismatch(const char *dir, char *why, size_t cap)
{
	struct statfs sf;
	char line[1024], mnt[512], opts[512];
	int dax = 0;
	FILE *f;

	if (statfs(dir, &sf)) {
		snprintf(why, cap, "statfs: %s", strerror(errno));
		return 1;
	}
	if (sf.f_type != XFS_SUPER_MAGIC) {
		snprintf(why, cap, "not on xfs (statfs f_type %#lx): the filesystem was not mounted",
			 (unsigned long)sf.f_type);
		return 1;
	}
	if (!fs_dax())
		return 0;
	f = fopen("/proc/mounts", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %511s %*s %511s", mnt, opts) == 2 && !strcmp(mnt, dir))
			dax = strstr(opts, "dax") != NULL;
	if (f)
		fclose(f);
	if (!dax)
		snprintf(why, cap, "not mounted with -o dax (/proc/mounts): --fs dax needs fs-dax");
	return !dax;
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
	if (g.plant && strcmp(g.plant, "stale-dev-read"))
		return refuse("--plant %s: the planted bug is stale-dev-read", g.plant);
	if (!g.fs != !g.fs_dir)
		return refuse("--fs and --dir go together (the directory of a mounted filesystem)");
	if (g.fs_dir && (stat(g.fs_dir, &st) || !S_ISDIR(st.st_mode)))
		return refuse("--dir %s: not a directory", g.fs_dir);
	if (g.fs_dir && fs_dir_mismatch(g.fs_dir, why, sizeof(why)))
		return refuse("--dir %s: %s", g.fs_dir, why);
	return 0;
}

int main(int argc, char **argv)
{
	int self = 0, rest, rc;

	if (parse_args(argc, argv, &self, &rest))
		return 2;
	rc = check_devices();
	if (rc)
		return rc;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		diag("signal(SIGPIPE): %s", strerror(errno));
	diag("%s: pci=%s nvme=%s hmm=%s", AGENT_NAME, g.pci ? g.pci : "-", g.nvme ? g.nvme : "-",
	     g.hmm_dev);
	setup_probe_facilities();
	if (fs_on())
		fs_probe_ops();
	if (fs_dax()) {
		find_pmem_base();
		g.pmem_fd = open("/dev/pmem0", O_RDWR | O_DIRECT | O_CLOEXEC);
		if (g.pmem_fd < 0)
			diag("/dev/pmem0 (where a DMA write lands): %s", strerror(errno));
	}
	if (self) {	/* the harness's argv: the program name, then its options (does not return) */
		argv[rest - 1] = argv[0];
		return selftest(argc - rest + 1, argv + rest - 1);
	}
	rc = serve();
	teardown();
	restore_nvme();
	return rc;
}
