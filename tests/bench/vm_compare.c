// SPDX-License-Identifier: BSD-3-Clause
/*
 * In the test VM, one boot: nvfio-perf with the nvfio engine on QEMU's NVMe controller (argv[1],
 * bound to vfio-pci) against nvfio-perf with io_uring on the same controller rebound to the
 * kernel's nvme driver (polled queues: nvme.poll_queues, and io_uring's hipri, fixedbufs,
 * registerfiles), 4 KiB random reads at each queue depth, one job. The engines take turns run
 * by run (the device is rebound each time), and which goes first alternates, so that a drift of
 * the host's load falls on both.
 *
 * Each run prints one line for bench/compare-vm:
 *   RESULT round=<n> engine=<nvfio|io_uring> qd=<n> iops=<x> lat_mean_ns=<x> lat_p50_ns=<x>
 *          lat_p99_ns=<x> ios=<n> error=<n>
 * It passes when both engines completed I/O at every queue depth with no error; the figures are
 * printed, not judged (under TCG they are relative only).
 *
 * Other polled user-space drivers' benchmarks (peers) take their turns too, with the controller on
 * vfio-pci, from command lines the user gave bench/compare-vm; each run's output is printed
 * between
 *   PEER_BEGIN round=<n> engine=<name> qd=<n>
 *   | <each line the command wrote>
 *   PEER_END round=<n> engine=<name> qd=<n> rc=<exit status, or -1: did not run or end>
 * and bench/compare-vm reads the IOPS there. A peer that fails fails the run.
 *
 * Settings from the kernel command line (tests/vm/run --append), all optional:
 *   nvfio_compare.runtime=<s>  counted seconds per run (default 2)
 *   nvfio_compare.ramp=<s>     seconds before counting (default 1: TCG translates code on its
 *                              first run)
 *   nvfio_compare.rounds=<n>   (default 1)
 *   nvfio_compare.qd=<a,b,..>  queue depths (default 1,32,128)
 *   nvfio_compare.shadow=<0|1>  nvfio's --shadow_doorbells (default 1: the library's default,
 *                              which the CTest run keeps; bench/compare-vm passes 0 unless
 *                              told --shadow=on)
 *   nvfio_compare.uring=<0|1>  whether io_uring runs (default 1)
 *   nvfio_compare.peers=<file> the peers, one a line: NAME COMMAND, where the command's {addr},
 *                              {qd}, {runtime} and {ramp} are replaced by the controller's PCI
 *                              address, the queue depth and the seconds of the run and of its
 *                              ramp; run by /bin/sh, stopped PEER_GRACE_S seconds after the
 *                              run's time
 *   nvfio_compare.clocksource=<cpu|clock_gettime|auto>  nvfio-perf's clock (default cpu: the
 *                              guest kernel's clock is the HPET, whose every read is a system
 *                              call and an exit to QEMU's emulated device, which would slow a
 *                              polling loop that reads the clock per poll, nvfio's, far more
 *                              than io_uring's, which reads it once per wait)
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/test.h"

#ifndef NVFIO_PERF
#define NVFIO_PERF "nvfio-perf"
#endif

#define MAX_QD	     8
#define MAX_PEERS    6
#define PEER_GRACE_S 60
#define PARAM	     "nvfio_compare."
#define WAIT_S	     30
#define NS_BLOCK     "nvme0n1"

extern char **environ;

static const char *addr;

struct peer {
	char name[32];
	char *cmd;
};

struct settings {
	unsigned runtime, ramp, rounds;
	char clock[24];
	bool shadow, uring;
	unsigned qd[MAX_QD];
	unsigned nqd;
	char peers_file[256];
	struct peer peer[MAX_PEERS];
	unsigned npeers;
};

struct figures {
	double iops, mean, p50, p99;
	long long ios, error;
	bool ok;
};

static void settings(struct settings *s)
{
	char line[4096], *tok, *save;
	FILE *f = fopen("/proc/cmdline", "r");

	*s = (struct settings){.runtime = 2,
			       .ramp = 1,
			       .rounds = 1,
			       .clock = "cpu",
			       .shadow = true,
			       .uring = true,
			       .qd = {1, 32, 128},
			       .nqd = 3};
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (strncmp(tok, PARAM, strlen(PARAM)) != 0)
			continue;
		tok += strlen(PARAM);
		if (!strncmp(tok, "runtime=", 8))
			s->runtime = (unsigned)strtoul(tok + 8, NULL, 10);
		else if (!strncmp(tok, "ramp=", 5))
			s->ramp = (unsigned)strtoul(tok + 5, NULL, 10);
		else if (!strncmp(tok, "clocksource=", 12))
			snprintf(s->clock, sizeof(s->clock), "%s", tok + 12);
		else if (!strcmp(tok, "shadow=0") || !strcmp(tok, "shadow=1"))
			s->shadow = tok[7] == '1';
		else if (!strncmp(tok, "shadow=", 7))
			printf("warning: %s%s: not 0 or 1; ignored\n", PARAM, tok);
		else if (!strcmp(tok, "uring=0") || !strcmp(tok, "uring=1"))
			s->uring = tok[6] == '1';
		else if (!strncmp(tok, "peers=", 6))
			snprintf(s->peers_file, sizeof(s->peers_file), "%s", tok + 6);
		else if (!strncmp(tok, "rounds=", 7))
			s->rounds = (unsigned)strtoul(tok + 7, NULL, 10);
		else if (!strncmp(tok, "qd=", 3)) {
			char *p = tok + 3, *end;
			s->nqd = 0;
			while (*p && s->nqd < MAX_QD) {
				unsigned long v = strtoul(p, &end, 10);
				if (end == p)
					break;
				if (v)
					s->qd[s->nqd++] = (unsigned)v;
				p = *end == ',' ? end + 1 : end;
			}
		} else
			fprintf(stderr, "unknown setting %s%s (ignored)\n", PARAM, tok);
	}
	if (!s->runtime)
		s->runtime = 1;
	if (!s->rounds)
		s->rounds = 1;
	if (!s->nqd) {
		s->qd[0] = 32;
		s->nqd = 1;
	}
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void driver_of(char *buf, size_t len)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(buf, len, "none");
		return;
	}
	link[n] = '\0';
	snprintf(buf, len, "%s", strrchr(link, '/') + 1);
}

/* Bind the controller to @drv through driver_override, as tests/vm/init does. */
static bool bind_to(const char *drv)
{
	char path[256], cur[64];

	driver_of(cur, sizeof(cur));
	if (!strcmp(cur, drv))
		return true;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", addr);
	if (sysfs_write(path, drv) < 0)
		return false;
	if (strcmp(cur, "none") != 0) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", addr);
		if (sysfs_write(path, addr) < 0)
			return false;
	}
	if (sysfs_write("/sys/bus/pci/drivers_probe", addr) < 0)
		return false;
	driver_of(cur, sizeof(cur));
	return strcmp(cur, drv) == 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * After binding to nvme: the controller is live and its first namespace's block device is there;
 * @dev gets its path. The kernel probes in the background.
 */
static bool wait_block(char *dev, size_t len)
{
	char path[512], state[32], name[64] = "";
	double until = now_s() + WAIT_S;
	struct stat st;

	while (now_s() < until) {
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/nvme", addr);
		d = opendir(path);
		while (d && (e = readdir(d))) {
			if (!strncmp(e->d_name, "nvme", 4))
				snprintf(name, sizeof(name), "%.60s", e->d_name);
		}
		if (d)
			closedir(d);
		if (name[0]) {
			snprintf(path, sizeof(path), "/sys/class/nvme/%s/state", name);
			snprintf(dev, len, "/dev/%sn1", name);
			if (read_line(path, state, sizeof(state)) == 0 && !strcmp(state, "live") &&
			    stat(dev, &st) == 0 && S_ISBLK(st.st_mode))
				return true;
		}
		usleep(100000);
	}
	return false;
}

/* The number after "key" : at or after @from (nvfio-perf writes `"key" : value`), or -1. */
static double number(const char *from, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\" : ", key);
	p = strstr(from, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1.0;
}

static int spawn_wait(char *const argv[])
{
	pid_t pid;
	int st, r;

	printf("$");
	for (size_t i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	r = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
	if (r) {
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(r));
		return -1;
	}
	if (waitpid(pid, &st, 0) < 0) {
		perror("waitpid");
		return -1;
	}
	if (!WIFEXITED(st)) {
		fprintf(stderr, "%s died of signal %d\n", argv[0], WTERMSIG(st));
		return -1;
	}
	return WEXITSTATUS(st);
}

/* The peers' file: NAME COMMAND a line; false (said why) when it cannot be read or is wrong. */
static bool read_peers(struct settings *s)
{
	char line[2048];
	FILE *f;
	bool ok = true;

	if (!s->peers_file[0])
		return true;
	f = fopen(s->peers_file, "r");
	if (!f) {
		fprintf(stderr, "cannot read the peers' file %s: %s\n", s->peers_file,
			strerror(errno));
		return false;
	}
	while (ok && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');
		size_t n;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		n = sp ? (size_t)(sp - line) : 0;
		if (!n || n >= sizeof(s->peer[0].name) || !sp[1] ||
		    strspn(line,
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
			n) {
			fprintf(stderr, "peers' file: '%s' is not NAME COMMAND\n", line);
			ok = false;
		} else if (s->npeers == MAX_PEERS) {
			fprintf(stderr, "peers' file: more than %d peers\n", MAX_PEERS);
			ok = false;
		} else {
			struct peer *p = &s->peer[s->npeers++];

			memcpy(p->name, line, n);
			p->name[n] = '\0';
			p->cmd = strdup(sp + 1);
			ok = p->cmd != NULL;
		}
	}
	fclose(f);
	return ok;
}

/* @cmd with {addr}, {qd}, {runtime} and {ramp} replaced, in @out (false: too long). */
static bool expand(const struct settings *s, const char *cmd, unsigned qd, char *out, size_t len)
{
	size_t n = 0;

	while (*cmd) {
		char val[64];
		const char *v = NULL;
		size_t skip = 0;

		if (!strncmp(cmd, "{addr}", 6))
			v = addr, skip = 6;
		else if (!strncmp(cmd, "{qd}", 4))
			snprintf(val, sizeof(val), "%u", qd), v = val, skip = 4;
		else if (!strncmp(cmd, "{runtime}", 9))
			snprintf(val, sizeof(val), "%u", s->runtime), v = val, skip = 9;
		else if (!strncmp(cmd, "{ramp}", 6))
			snprintf(val, sizeof(val), "%u", s->ramp), v = val, skip = 6;
		if (v) {
			if (n + strlen(v) >= len)
				return false;
			memcpy(out + n, v, strlen(v));
			n += strlen(v);
			cmd += skip;
		} else {
			if (n + 1 >= len)
				return false;
			out[n++] = *cmd++;
		}
	}
	out[n] = '\0';
	return true;
}

/*
 * One run of peer @p at @qd, the controller on vfio-pci: its output printed between PEER_BEGIN
 * and PEER_END. The command is stopped (SIGKILL to its process group) when it runs
 * PEER_GRACE_S seconds past the run's time. True when it exited 0.
 */
static bool run_peer(const struct settings *s, unsigned round, const struct peer *p, unsigned qd)
{
	char cmd[4096], out[96], line[1024];
	double until = now_s() + s->runtime + s->ramp + PEER_GRACE_S;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	char *argv[] = {(char *)"/bin/sh", (char *)"-c", cmd, NULL};
	int st = 0, rc = -1;
	pid_t pid = -1, w = 0;
	FILE *f;

	printf("PEER_BEGIN round=%u engine=%s qd=%u\n", round, p->name, qd);
	snprintf(out, sizeof(out), "peer-%s-r%u-%u.out", p->name, round, qd);
	if (!expand(s, p->cmd, qd, cmd, sizeof(cmd))) {
		printf("| command too long\n");
		goto end;
	}
	printf("| $ %s\n", cmd);
	fflush(stdout);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawn(&pid, argv[0], &fa, &attr, argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	while (pid > 0 && (w = waitpid(pid, &st, WNOHANG)) == 0 && now_s() < until)
		usleep(50000);
	if (pid > 0 && w == 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
		printf("| (stopped: still running %d s after the run's time)\n", PEER_GRACE_S);
	} else if (w == pid && WIFEXITED(st)) {
		rc = WEXITSTATUS(st);
	}
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f))
		printf("| %s%s", line, strchr(line, '\n') ? "" : "\n");
	if (f)
		fclose(f);
end:
	printf("PEER_END round=%u engine=%s qd=%u rc=%d\n", round, p->name, qd, rc);
	fflush(stdout);
	return rc == 0;
}

static void run_one(const struct settings *s, unsigned round, bool nvfio, const char *target,
		    unsigned qd, struct figures *f)
{
	char a_file[600], a_qd[32], a_batch[48], a_rt[48], a_ramp[48], a_out[64], a_clock[64];
	char *argv[24], *json;
	const char *rd, *clat;
	size_t n = 0;
	int rc;

	snprintf(a_file, sizeof(a_file), "--filename=%s", target);
	snprintf(a_qd, sizeof(a_qd), "--iodepth=%u", qd);
	snprintf(a_batch, sizeof(a_batch), "--iodepth_batch_submit=%u", qd);
	snprintf(a_rt, sizeof(a_rt), "--runtime=%us", s->runtime);
	snprintf(a_ramp, sizeof(a_ramp), "--ramp_time=%us", s->ramp);
	snprintf(a_clock, sizeof(a_clock), "--clocksource=%s", s->clock);
	snprintf(a_out, sizeof(a_out), "--output=r%u-%s-%u.json", round, nvfio ? "nvfio" : "uring",
		 qd);
	argv[n++] = (char *)NVFIO_PERF;
	argv[n++] = (char *)"--name=cmp";
	argv[n++] = a_file;
	argv[n++] = (char *)(nvfio ? "--ioengine=nvfio" : "--ioengine=io_uring");
	argv[n++] = (char *)"--rw=randread";
	argv[n++] = (char *)"--bs=4k";
	argv[n++] = a_qd;
	argv[n++] = a_batch;
	argv[n++] = a_rt;
	argv[n++] = a_ramp;
	argv[n++] = (char *)"--time_based";
	argv[n++] = (char *)"--eta=never";
	argv[n++] = a_clock;
	argv[n++] = (char *)"--output-format=json";
	argv[n++] = a_out;
	if (nvfio && !s->shadow)
		argv[n++] = (char *)"--shadow_doorbells=0";
	if (!nvfio) {
		argv[n++] = (char *)"--hipri";
		argv[n++] = (char *)"--fixedbufs";
		argv[n++] = (char *)"--registerfiles";
	}
	argv[n] = NULL;

	memset(f, 0, sizeof(*f));
	f->error = -1;
	rc = spawn_wait(argv);
	json = t_read_file(a_out + strlen("--output="));
	if (json && (rd = strstr(json, "\"read\" : {")) != NULL) {
		f->error = (long long)number(json, "error");
		f->iops = number(rd, "iops");
		f->ios = (long long)number(rd, "total_ios");
		clat = strstr(rd, "\"clat_ns\" : {");
		if (clat) {
			f->mean = number(clat, "mean");
			f->p50 = number(clat, "50.000000");
			f->p99 = number(clat, "99.000000");
		}
		f->ok = rc == 0 && f->error == 0 && f->ios > 0;
	}
	if (!f->ok) {
		fprintf(stderr, "%s at QD %u: exit status %d, error %lld, %lld I/Os\n",
			nvfio ? "nvfio" : "io_uring", qd, rc, f->error, f->ios);
		if (json)
			fprintf(stderr, "%s\n", json);
	}
	free(json);
	printf("RESULT round=%u engine=%s qd=%u iops=%.0f lat_mean_ns=%.0f lat_p50_ns=%.0f "
	       "lat_p99_ns=%.0f ios=%lld error=%lld\n",
	       round, nvfio ? "nvfio" : "io_uring", qd, f->iops, f->mean, f->p50, f->p99, f->ios,
	       f->error);
	fflush(stdout);
}

/*
 * Put the controller on the engine's driver: vfio-pci for nvfio, nvme for io_uring (@dev gets
 * the namespace's block device). A rebind takes a fraction of a second, so the engines can take
 * turns run by run. False when the device could not be put in place.
 */
static bool place(bool nvfio, char *dev, size_t len)
{
	char path[256], val[32];
	static int shown;

	if (!bind_to(nvfio ? "vfio-pci" : "nvme")) {
		fprintf(stderr, "cannot bind %s to %s\n", addr, nvfio ? "vfio-pci" : "nvme");
		return false;
	}
	if (nvfio) {
		snprintf(dev, len, "%s", addr);
		return true;
	}
	if (!wait_block(dev, len)) {
		fprintf(stderr, "the nvme driver did not bring up %s within %d s\n", addr, WAIT_S);
		return false;
	}
	snprintf(path, sizeof(path), "/sys/block/%s/queue/io_poll", dev + 5);
	if (!shown++ && read_line(path, val, sizeof(val)) == 0)
		printf("%s: io_poll=%s (polled queues %s)\n", dev, val,
		       strcmp(val, "1") == 0 ? "in use" : "MISSING");
	return true;
}

/* The guest's CPU as its kernel sees it, and how many. */
static void print_cpu(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512], model[256] = "?";
	unsigned n = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "processor", 9))
			n++;
		else if (!strncmp(line, "model name", 10) && strchr(line, ':'))
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
	}
	if (f)
		fclose(f);
	model[strcspn(model, "\n")] = '\0';
	printf("GUEST cpus=%u model=%s\n", n, model);
}

int main(int argc, char **argv)
{
	struct settings s;
	struct figures res[MAX_QD][2];
	char val[32], cur[64], cs[32];
	bool all_ok = true;
	unsigned nengines;

	if (argc < 2)
		SKIP("usage: %s PCI-ADDRESS (run by tests/vm/run)", argv[0]);
	addr = argv[1];
	if (access(NVFIO_PERF, X_OK) != 0)
		SKIP("%s is not in the guest (FILES of this test)", NVFIO_PERF);
	driver_of(cur, sizeof(cur));
	if (strcmp(cur, "vfio-pci") != 0)
		SKIP("%s is bound to %s: the comparison starts on vfio-pci (modes iommu, noiommu)",
		     addr, cur);
	if (access("/sys/bus/pci/drivers/nvme", F_OK) != 0)
		SKIP("no nvme driver in the guest");
	settings(&s);
	if (!read_peers(&s))
		return T_EXIT_FAIL;
	for (unsigned i = 0; i < s.npeers; i++)
		printf("peer %s: %s\n", s.peer[i].name, s.peer[i].cmd);
	if (read_line("/sys/module/nvme/parameters/poll_queues", val, sizeof(val)) != 0)
		snprintf(val, sizeof(val), "?");
	if (read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", cs,
		      sizeof(cs)) != 0)
		snprintf(cs, sizeof(cs), "?");
	printf("nvfio against io_uring on %s: randread, bs 4k, one job, %u round(s), runtime %u s "
	       "(ramp %u s) per run; nvme.poll_queues=%s; kernel clock %s, nvfio-perf's %s; "
	       "nvfio's shadow doorbells %s\n",
	       addr, s.rounds, s.runtime, s.ramp, val, cs, s.clock, s.shadow ? "on" : "off");
	print_cpu();
	if (!strcmp(val, "0"))
		printf(
		    "warning: nvme.poll_queues=0: io_uring's hipri has no polled queue to use\n");

	/* Engines: 0 nvfio, 1 io_uring, 2.. the peers. Each round at each queue depth runs them
	 * all, starting one further each time, so that none always goes first or after the same
	 * other. */
	nengines = 2 + s.npeers;
	for (unsigned r = 1; r <= s.rounds; r++) {
		for (unsigned i = 0; i < s.nqd; i++) {
			for (unsigned k = 0; k < nengines; k++) {
				unsigned e = (r + i + k) % nengines;
				char dev[128];

				if (e == 1 && !s.uring)
					continue;
				if (!place(e != 1, dev, sizeof(dev))) {
					bind_to("vfio-pci");
					return T_EXIT_FAIL;
				}
				if (e >= 2) {
					all_ok &= run_peer(&s, r, &s.peer[e - 2], s.qd[i]);
					continue;
				}
				run_one(&s, r, e == 0, dev, s.qd[i], &res[i][e]);
				all_ok &= res[i][e].ok;
			}
		}
		if (!s.uring)
			continue;
		printf("round %u:\n", r);
		for (unsigned i = 0; i < s.nqd; i++)
			printf("  QD %3u: nvfio %9.0f IOPS, io_uring %9.0f IOPS, ratio %.2f\n",
			       s.qd[i], res[i][0].iops, res[i][1].iops,
			       res[i][1].iops > 0 ? res[i][0].iops / res[i][1].iops : 0.0);
	}
	if (!bind_to("vfio-pci"))
		fprintf(stderr, "cannot put %s back on vfio-pci\n", addr);
	if (!all_ok) {
		fprintf(stderr, "FAIL: a run failed or completed no I/O (see above)\n");
		return T_EXIT_FAIL;
	}
	printf("every engine completed I/O at every queue depth, without errors\n");
	return T_EXIT_PASS;
}
