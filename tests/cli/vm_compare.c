/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The nvfio tool against nvme-cli on one controller, in the test VM (no-IOMMU mode): the
 * controller goes to the kernel's nvme driver and Debian's nvme-cli runs each command on
 * /dev/nvme<N>; then it goes back to vfio-pci and nvfio runs the same commands on its PCI
 * address. Each pair of outputs (normal, -H and JSON) must be the same once the few things that
 * may differ for a good reason are set aside (see the rules below); a difference is printed as
 * a unified diff and fails the test. Usage: vm_cli_compare PCI-ADDRESS (the programs' paths in
 * NVME_CLI and NVFIO_CLI, set from the build).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "vm/guest/guest.h"

#ifndef NVME_CLI
#error NVME_CLI must name the nvme program of nvme-cli
#endif
#ifndef NVFIO_CLI
#error NVFIO_CLI must name the nvfio tool
#endif

#define MAX_CASES 96
#define MAX_ARGS 8

/* One command, run by both programs; the device goes in as argv[1] of each. */
struct tcase {
	char name[48]; /* file name of its outputs */
	const char *argv[MAX_ARGS];
};

static struct tcase cases[MAX_CASES];
static unsigned ncases;
static char nsid_str[8][4];

static void add(const char *name, ...)
{
	struct tcase *c;
	va_list ap;
	unsigned i = 0;

	CHECK(ncases < MAX_CASES);
	c = &cases[ncases++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	va_start(ap, name);
	while ((c->argv[i] = va_arg(ap, const char *)) != NULL)
		CHECK(++i < MAX_ARGS);
	va_end(ap);
}

/*
 * What is set aside, and why. A line whose text (after leading blanks) starts with @key has the
 * rest replaced by "<ignored: WHY>" (@dev false), or the device's name in it replaced by
 * "<device>" (@dev true), in the outputs of the commands whose case name starts with @cmd.
 */
struct rule {
	const char *cmd, *key;
	bool dev;
	const char *why;
};

static const struct rule rules[] = {
	/* nvme-cli names the kernel's controller (nvme0), nvfio the PCI address it was given. */
	{ "smart-log", "Smart Log for NVME device:", true, NULL },
	{ "error-log", "Error Log Entries for device:", true, NULL },
	{ "fw-log", "Firmware Log for device:", true, NULL },
	{ "fw-log", "\"", true, NULL }, /* the JSON object's key */
	/*
	 * QEMU counts the guest's reads and the time since it started: the kernel driver's probe
	 * and any block layer read-ahead land between the two runs, and an hour may turn.
	 */
	{ "smart-log", "Data Units Read", false, "reads between the runs" },
	{ "smart-log", "\"data_units_read\"", false, "reads between the runs" },
	{ "smart-log", "host_read_commands", false, "reads between the runs" },
	{ "smart-log", "\"host_read_commands\"", false, "reads between the runs" },
	{ "smart-log", "controller_busy_time", false, "time passes between the runs" },
	{ "smart-log", "\"controller_busy_time\"", false, "time passes between the runs" },
	{ "smart-log", "power_on_hours", false, "time passes between the runs" },
	{ "smart-log", "\"power_on_hours\"", false, "time passes between the runs" },
	/*
	 * The Timestamp feature is the controller's clock; the kernel's driver sets it when it
	 * starts the controller, and the reset nvfio starts with clears it, so its origin differs.
	 */
	{ "get-feature-0x0e", "get-feature:0x0e (Timestamp), Current value:", false, "a clock" },
	{ "get-feature-0x0e", "0000:", false, "a clock" },
	{ "get-feature-0x0e", "The timestamp is", false, "a clock" },
	{ "get-feature-0x0e", "The Timestamp field was initialized", false,
	  "set by the kernel's driver, cleared by nvfio's reset" },
};

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Rewrite @in (the output of case @c, on device @dev) by the rules into the file @path. */
static void normalise(const struct tcase *c, const char *in, const char *dev, const char *path)
{
	FILE *f = fopen(path, "w");
	const char *line = in, *nl;

	CHECK(f);
	for (; *line; line = nl + (*nl == '\n')) {
		const char *text = line, *hit;
		int len;
		size_t i;

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		len = (int)(nl - line);
		while (*text == ' ' || *text == '\t')
			text++;
		for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
			const struct rule *r = &rules[i];

			if (!starts(c->name, r->cmd) || !starts(text, r->key))
				continue;
			if (!r->dev) {
				len = (int)(text - line) + (int)strlen(r->key);
				fprintf(f, "%.*s<ignored: %s>", len, line, r->why);
				len = -1;
				break;
			}
			hit = strstr(line, dev);
			if (hit && hit < nl) {
				fprintf(f, "%.*s<device>%.*s", (int)(hit - line), line,
					(int)(nl - hit - (long)strlen(dev)), hit + strlen(dev));
				len = -1;
				break;
			}
		}
		if (len >= 0)
			fprintf(f, "%.*s", len, line);
		if (*nl == '\n')
			fputc('\n', f);
	}
	CHECK(fclose(f) == 0);
}

/* Run @prog @dev ARGS... of @c with stdout to @out and stderr to @err; its exit status. */
static int run(const char *prog, const char *dev, const struct tcase *c, const char *out,
	       const char *err)
{
	const char *argv[MAX_ARGS + 3] = { prog, c->argv[0], dev };
	unsigned i;
	pid_t pid;
	int st;

	for (i = 1; c->argv[i]; i++)
		argv[i + 2] = c->argv[i];
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run every case with @prog on @dev into @dir; false if one of them failed. */
static bool run_all(const char *prog, const char *dev, const char *dir)
{
	char out[PATH_MAX], err[PATH_MAX];
	bool ok = true;
	unsigned i;

	CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST);
	for (i = 0; i < ncases; i++) {
		const struct tcase *c = &cases[i];
		int rc;

		snprintf(out, sizeof(out), "%.64s/%.47s.out", dir, c->name);
		snprintf(err, sizeof(err), "%.64s/%.47s.err", dir, c->name);
		rc = run(prog, dev, c, out, err);
		if (rc) {
			char *e = t_read_file(err);

			printf("FAIL: %s %s %s: exit %d\n%s", prog, c->argv[0], dev, rc,
			       e ? e : "");
			free(e);
			ok = false;
		}
	}
	return ok;
}

static void add_cases(unsigned nns)
{
	/* Features QEMU supports whose values stay put between the runs (and Timestamp, whose
	 * value is set aside): without and with -H. */
	static const char *const fids[] = { "0x01", "0x02", "0x04", "0x05", "0x06",
					    "0x07", "0x08", "0x0a", "0x0b", "0x0e" };
	char name[48];
	unsigned n, i;

	add("id-ctrl", "id-ctrl", NULL);
	add("id-ctrl-H", "id-ctrl", "-H", NULL);
	add("id-ctrl-json", "id-ctrl", "-o", "json", NULL);
	add("list-ns", "list-ns", NULL);
	add("list-ns-json", "list-ns", "-o", "json", NULL);
	add("list-ns-all", "list-ns", "--all", NULL);
	add("list-ns-from-1", "list-ns", "-n", "1", NULL);
	for (n = 1; n <= nns && n < 8; n++) {
		const char *id = nsid_str[n];

		snprintf(nsid_str[n], sizeof(nsid_str[n]), "%u", n);
		snprintf(name, sizeof(name), "id-ns-%u", n);
		add(name, "id-ns", "-n", id, NULL);
		snprintf(name, sizeof(name), "id-ns-%u-H", n);
		add(name, "id-ns", "-n", id, "-H", NULL);
		snprintf(name, sizeof(name), "id-ns-%u-json", n);
		add(name, "id-ns", "-n", id, "-o", "json", NULL);
		snprintf(name, sizeof(name), "ns-descs-%u", n);
		add(name, "ns-descs", "-n", id, NULL);
		snprintf(name, sizeof(name), "ns-descs-%u-json", n);
		add(name, "ns-descs", "-n", id, "-o", "json", NULL);
	}
	add("smart-log", "smart-log", NULL);
	add("smart-log-H", "smart-log", "-H", NULL);
	add("smart-log-json", "smart-log", "-o", "json", NULL);
	add("smart-log-H-json", "smart-log", "-H", "-o", "json", NULL);
	add("smart-log-ns1", "smart-log", "-n", "1", NULL);
	add("smart-log-ns1-json", "smart-log", "-n", "1", "-o", "json", NULL);
	add("error-log", "error-log", NULL);
	add("error-log-json", "error-log", "-o", "json", NULL);
	add("error-log-e2", "error-log", "-e", "2", NULL);
	add("fw-log", "fw-log", NULL);
	add("fw-log-json", "fw-log", "-o", "json", NULL);
	/*
	 * nvme-cli 2.3's get-feature has no JSON output. Both default to NSID 0xffffffff, which
	 * QEMU refuses for Error Recovery (a namespace's feature): that one asks namespace 1.
	 */
	for (i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		const char *ns = strcmp(fids[i], "0x05") ? "0xffffffff" : "1";

		snprintf(name, sizeof(name), "get-feature-%s", fids[i]);
		add(name, "get-feature", "-f", fids[i], "-n", ns, NULL);
		snprintf(name, sizeof(name), "get-feature-%s-H", fids[i]);
		add(name, "get-feature", "-f", fids[i], "-n", ns, "-H", NULL);
	}
}

int main(int argc, char **argv)
{
	char ctrl[NAME_MAX + 1], kdev[PATH_MAX], a[PATH_MAX], b[PATH_MAX], cmd[3 * PATH_MAX];
	unsigned nns, i, differ = 0;
	const char *addr;
	bool ok;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PCI-ADDRESS\n", argv[0]);
		return T_EXIT_FAIL;
	}
	addr = argv[1];
	/* The harness copies both in (FILES): their absence is a harness fault, not a skip. */
	CHECK(access(NVME_CLI, X_OK) == 0);
	CHECK(access(NVFIO_CLI, X_OK) == 0);
	nns = (unsigned)atoi(guest_env("NVFIO_VM_NS_COUNT"));
	CHECK(nns >= 1 && nns < 8);
	add_cases(nns);

	guest_bind_to(addr, "nvme");
	guest_wait_nvme_live(addr, nns, ctrl, sizeof(ctrl));
	snprintf(kdev, sizeof(kdev), "/dev/%s", ctrl);
	printf("nvme-cli on %s (%u namespaces)\n", kdev, nns);
	ok = run_all(NVME_CLI, kdev, "nvme-cli");

	guest_bind_to(addr, "vfio-pci");
	printf("nvfio on %s\n", addr);
	ok &= run_all(NVFIO_CLI, addr, "nvfio");

	for (i = 0; i < ncases; i++) {
		const struct tcase *c = &cases[i];
		char *x, *y;
		int rc;

		snprintf(a, sizeof(a), "nvme-cli/%s.out", c->name);
		snprintf(b, sizeof(b), "nvfio/%s.out", c->name);
		x = t_read_file(a);
		y = t_read_file(b);
		CHECK(x && y);
		snprintf(a, sizeof(a), "nvme-cli/%s.norm", c->name);
		snprintf(b, sizeof(b), "nvfio/%s.norm", c->name);
		normalise(c, x, ctrl, a);
		normalise(c, y, addr, b);
		free(x);
		free(y);
		x = t_read_file(a);
		y = t_read_file(b);
		CHECK(x && y);
		if (strcmp(x, y)) {
			differ++;
			printf("DIFFERENT: %s (- nvme-cli, + nvfio)\n", c->name);
			fflush(stdout);
			snprintf(cmd, sizeof(cmd), "diff -u -L nvme-cli -L nvfio %s %s", a, b);
			rc = system(cmd);
			(void)rc;
		} else {
			printf("same: %s (%zu bytes)\n", c->name, strlen(x));
		}
		free(x);
		free(y);
	}
	printf("%u of %u outputs differ\n", differ, ncases);
	return ok && !differ ? T_EXIT_PASS : T_EXIT_FAIL;
}
