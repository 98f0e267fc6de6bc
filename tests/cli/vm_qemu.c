/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every command of the nvfio tool against QEMU's NVMe controller, in the test VM (the controller
 * on vfio-pci). The commands QEMU has must succeed; for those it lacks, nvfio must report QEMU's
 * status in words ("NVMe status: Invalid Command Opcode ...") and exit with its Status Code.
 * Nothing may fail any other way (a crash, a hang, an errno). Usage: vm_cli_qemu PCI-ADDRESS
 * (the tool's path in NVFIO_CLI, set from the build).
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <unistd.h>

#include "common/test.h"

#ifndef NVFIO_CLI
#error NVFIO_CLI must name the nvfio tool
#endif

enum want {
	OK,	   /* exit 0 */
	OK_OR_NVME, /* exit 0, or a status QEMU returned, in words */
};

static const char *addr;
static int failures;
/* When set, nvfio runs without CAP_IPC_LOCK and with this locked-memory limit. */
static rlim_t memlock_limit;

/* Run nvfio with @argv (NULL-terminated, the device first), stdout to @out; exit status. */
static int run(char *const argv[], const char *out, const char *err, const char *in)
{
	pid_t pid = fork();
	int st;

	CHECK(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int i = open(in ? in : "/dev/null", O_RDONLY);

		if (o < 0 || e < 0 || i < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || dup2(i, 0) < 0)
			_exit(127);
		if (memlock_limit) {
			struct rlimit rl = { memlock_limit, memlock_limit };

			/* root keeps CAP_IPC_LOCK across exec unless the bounding set drops it */
			if (prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0) || setrlimit(RLIMIT_MEMLOCK, &rl))
				_exit(126);
		}
		execv(NVFIO_CLI, argv);
		_exit(127);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One command: nvfio CMD ADDR ARGS...; @expect, when not NULL, must be in its stdout. */
static void cmd(enum want want, const char *expect, const char *in, const char *name, ...)
{
	char *argv[24] = { "nvfio", (char *)name, (char *)addr };
	char *out, *err;
	const char *a;
	va_list ap;
	int n = 3, rc;
	bool ok;

	va_start(ap, name);
	while ((a = va_arg(ap, const char *)) && n < 23)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	rc = run(argv, "out", "err", in);
	out = t_read_file("out");
	err = t_read_file("err");
	CHECK(out && err);
	if (rc == 0) {
		ok = !expect || strstr(out, expect);
	} else if (want == OK_OR_NVME) {
		/* "NVMe status: <words> (SCT x, SC y...)(0x...)" and the exit status its SC */
		const char *st = strstr(err, "NVMe status: ");
		unsigned int sc = 0;

		ok = st && isalpha((unsigned char)st[13]) && strstr(st, ", SC 0x") && sscanf(strstr(st, ", SC 0x") + 7, "%x", &sc) == 1 &&
		     (int)(sc ? sc : 255) == rc;
	} else {
		ok = false;
	}
	printf("%-5s nvfio %s", ok ? "ok" : "FAIL", name);
	for (n = 3; argv[n]; n++)
		printf(" %s", argv[n]);
	printf(" -> %d%s%s", rc, rc ? ": " : "", rc ? err : "\n");
	if (!ok) {
		printf("--- stdout:\n%s--- stderr:\n%s---\n", out, err);
		failures++;
	}
	free(out);
	free(err);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: vm_cli_qemu PCI-ADDRESS\n");
		return T_EXIT_FAIL;
	}
	addr = argv[1];
	fd = open("data.in", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	for (int i = 0; i < 4096; i++)
		CHECK(write(fd, &(char){ (char)(i * 7) }, 1) == 1);
	close(fd);

	/* Identify and inspect */
	cmd(OK, "NVME Identify Controller:", NULL, "id-ctrl", "-H", NULL);
	cmd(OK, "\"vid\":6966", NULL, "id-ctrl", "-o", "json", NULL);
	cmd(OK, "NVME Identify Namespace 1:", NULL, "id-ns", "-n", "1", "-H", NULL);
	cmd(OK, "[   0]:0x1", NULL, "list-ns", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "list-ns", "--all", NULL);
	cmd(OK, "NVME Namespace Identification Descriptors NS 1:", NULL, "ns-descs", "-n", "1",
	    NULL);
	cmd(OK_OR_NVME, "num of ctrls present:", NULL, "list-ctrl", NULL);
	cmd(OK, "cap     : ", NULL, "show-regs", "-H", NULL);
	cmd(OK, "(Arbitration)", NULL, "get-feature", "-f", "1", "-H", NULL);
	/* Every feature: with -n 1, as QEMU answers the namespace's features (without it, the
	 * first namespace-specific one fails Invalid Namespace and the walk stops, as nvme-cli's). */
	cmd(OK, "(Volatile Write Cache)", NULL, "get-feature", "-f", "0", "-n", "1", NULL);
	cmd(OK, "set-feature:0x06 (Volatile Write Cache), value:0x00000001", NULL, "set-feature",
	    "-f", "6", "-v", "1", NULL);
	/* Logs */
	cmd(OK, "Smart Log for NVME device:", NULL, "smart-log", "-H", NULL);
	cmd(OK, "Error Log Entries for device:", NULL, "error-log", "-e", "4", NULL);
	cmd(OK, "afi  : ", NULL, "fw-log", NULL);
	cmd(OK, "log-id:2 namespace-id:0xffffffff", NULL, "get-log", "-i", "2", "-l", "512", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "sanitize-log", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "self-test-log", NULL);
	/* I/O and passthrough */
	cmd(OK, NULL, "data.in", "write", "-n", "1", "-s", "16", "-c", "7", "-z", "4096", NULL);
	cmd(OK, NULL, "data.in", "compare", "-n", "1", "-s", "16", "-c", "7", "-z", "4096", NULL);
	cmd(OK, NULL, NULL, "read", "-n", "1", "-s", "16", "-c", "7", "-z", "4096", "-d",
	    "data.out", NULL);
	{
		char *a = t_read_file("data.in"), *b = t_read_file("data.out");

		CHECK(a && b && !memcmp(a, b, 4096));
		free(a);
		free(b);
	}
	cmd(OK, "NVMe Flush: success", NULL, "flush", "-n", "1", NULL);
	cmd(OK, "NVME Write Zeroes Success", NULL, "write-zeroes", "-n", "1", "-s", "16", "-c", "7",
	    NULL);
	cmd(OK, "NVMe DSM: success", NULL, "dsm", "-n", "1", "--slbs", "32", "--blocks", "8",
	    "--ad", NULL);
	cmd(OK, NULL, NULL, "admin-passthru", "--opcode", "6", "--cdw10", "1", "--data-len", "4096",
	    "-r", NULL);
	cmd(OK, NULL, NULL, "io-passthru", "--opcode", "2", "-n", "1", "--cdw10", "16", "--cdw12",
	    "7", "--data-len", "4096", "-r", NULL);
	/* Changes: what QEMU lacks answers with its status */
	cmd(OK_OR_NVME, NULL, NULL, "device-self-test", "-s", "1", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "sanitize", "-a", "start-block-erase", "--wait", NULL);
	cmd(OK_OR_NVME, NULL, "data.in", "fw-download", "--fw", "data.in", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "fw-commit", "-s", "2", "-a", "1", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "create-ns", "-s", "1024", "-c", "1024", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "attach-ns", "-n", "2", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "detach-ns", "-n", "2", NULL);
	cmd(OK_OR_NVME, NULL, NULL, "delete-ns", "-n", "2", NULL);
	cmd(OK, "Success formatting namespace:1", NULL, "format", "-n", "1", "-b", "4096", "--force",
	    NULL);
	cmd(OK, "lbads:12 rp:0 (in use)", NULL, "id-ns", "-n", "1", NULL);
	cmd(OK, "Success formatting namespace:1", NULL, "format", "-n", "1", "-b", "512", "--force",
	    NULL);
	cmd(OK, "lbads:9  rp:0 (in use)", NULL, "id-ns", "-n", "1", NULL);
	cmd(OK, NULL, NULL, "reset", NULL);

	/* A locked-memory limit below the admin queues' one page each: ENOMEM, and the message
	 * names the limit and the remedy. */
	memlock_limit = 4 << 10;
	{
		char *argv2[] = { "nvfio", "id-ctrl", (char *)addr, NULL };
		int rc = run(argv2, "out", "err", NULL);
		char *err = t_read_file("err");

		CHECK(err);
		printf("%-5s nvfio id-ctrl with a 4 KiB memlock limit -> %d: %s",
		       rc == 12 && strstr(err, "ulimit -l") ? "ok" : "FAIL", rc, err);
		if (rc != 12 || !strstr(err, "ulimit -l"))
			failures++;
		free(err);
	}
	memlock_limit = 0;
	printf("%s: %d command(s) failed\n", failures ? "FAIL" : "PASS", failures);
	return failures ? T_EXIT_FAIL : T_EXIT_PASS;
}
