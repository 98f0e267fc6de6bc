/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio setup, release and status on a real kernel (the test VM in no-IOMMU mode, controller on
 * vfio-pci): release gives the controller to the kernel's nvme driver, which finds its
 * namespace again; setup refuses it while this program holds the namespace open, and once it
 * is closed hands it back to vfio-pci with a no-IOMMU group node; status shows each state. Then
 * an administrator's round: id-ctrl, id-ns, smart-log, format to 4096-byte blocks, release, the
 * kernel's block device has 4096-byte blocks; and back to 512. Usage: vm_setup PCI-ADDRESS (nvfio's path in NVFIO_CLI, set by the build).
 */
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"

#ifndef NVFIO_CLI
#error NVFIO_CLI must name the nvfio program
#endif

static const char *addr;
static char out[16384];

static void driver_is(const char *want)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0);
	link[n] = '\0';
	printf("%s is on %s\n", addr, strrchr(link, '/') + 1);
	CHECK(strcmp(strrchr(link, '/') + 1, want) == 0);
}

/* Run nvfio ARGS, keep its output in out[]; returns its exit status. */
static int nvfio(const char *args, bool quiet)
{
	char cmd[PATH_MAX * 2];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", NVFIO_CLI, args);
	p = popen(cmd, "r");
	CHECK(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	if (!quiet) {
		printf("$ nvfio %s\n", args);
		fputs(out, stdout);
	}
	CHECK(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void run(const char *args, int status, const char *expect)
{
	int st = nvfio(args, false);

	if (st != status)
		printf("exit status %d, expected %d\n", st, status);
	CHECK(st == status);
	if (expect && !strstr(out, expect))
		printf("no '%s' in the output\n", expect);
	CHECK(!expect || strstr(out, expect));
}

/* The kernel's block device for the first namespace, once it has scanned it. */
static void find_namespace(char *dev, size_t size)
{
	int i;

	for (i = 0; i < 100; i++) {
		glob_t g;
		size_t k;

		if (glob("/sys/block/nvme*n1", 0, NULL, &g) == 0) {
			for (k = 0; k < g.gl_pathc; k++) {
				const char *name = strrchr(g.gl_pathv[k], '/') + 1;

				/* nvmeXcYn1 is a multipath path, hidden: the head is nvmeXn1. */
				if (!strchr(name + 4, 'c')) {
					snprintf(dev, size, "/dev/%s", name);
					globfree(&g);
					return;
				}
			}
			globfree(&g);
		}
		usleep(100 * 1000);
	}
	CHECK(!"the kernel found no namespace within 10 s of the release");
}

/* The logical block size the kernel reports for @dev (/dev/nvmeXn1). */
static unsigned long kernel_block_size(const char *dev)
{
	char path[PATH_MAX], line[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/queue/logical_block_size", dev + 5);
	f = fopen(path, "r");
	CHECK(f);
	CHECK(fgets(line, sizeof(line), f));
	fclose(f);
	return strtoul(line, NULL, 10);
}

/* Format namespace 1 to @bs-byte blocks with nvfio, release the controller, check that the
 * kernel sees @bs, then take the controller back. */
static void format_and_check(unsigned long bs)
{
	char args[256], expect[256], dev[64];

	snprintf(args, sizeof(args), "format %s -n 1 --block-size=%lu --force", addr, bs);
	run(args, 0, "Success formatting namespace:1");
	snprintf(args, sizeof(args), "id-ns %s -n 1", addr);
	snprintf(expect, sizeof(expect), "lbads:%-2d rp:0 (in use)", bs == 4096 ? 12 : 9);
	run(args, 0, expect);
	snprintf(args, sizeof(args), "release %s", addr);
	run(args, 0, NULL);
	driver_is("nvme");
	find_namespace(dev, sizeof(dev));
	printf("%s: %lu-byte blocks for the kernel\n", dev, kernel_block_size(dev));
	CHECK(kernel_block_size(dev) == bs);
	snprintf(args, sizeof(args), "setup %s", addr);
	run(args, 0, NULL);
	driver_is("vfio-pci");
}

int main(int argc, char **argv)
{
	char args[256], expect[256], dev[64];
	glob_t g;
	int fd;

	CHECK(argc == 2);
	addr = argv[1];
	/* The harness copies it in (FILES): its absence is a harness fault, not a reason to skip.
	 */
	CHECK(access(NVFIO_CLI, X_OK) == 0);
	driver_is("vfio-pci");
	snprintf(expect, sizeof(expect), "%s  1b36:0010  vfio-pci", addr);
	run("status", 0, expect);
	run("status -o json", 0, "\"driver\":\"vfio-pci\"");

	/* Without an address: every NVMe function on vfio-pci, this one. */
	snprintf(expect, sizeof(expect), "%s: on nvme (nvme", addr);
	run("release", 0, expect);
	driver_is("nvme");
	find_namespace(dev, sizeof(dev));
	printf("the kernel has %s again\n", dev);
	snprintf(expect, sizeof(expect), "%s  1b36:0010  nvme", addr);
	run("status", 0, expect);
	CHECK(strstr(out, dev + 5));

	/* A namespace held open: refused, naming this process, and left on nvme. */
	fd = open(dev, O_RDONLY);
	CHECK(fd >= 0);
	snprintf(args, sizeof(args), "setup %s", addr);
	snprintf(expect, sizeof(expect), "is open in process %d", (int)getpid());
	run(args, 16, expect);
	driver_is("nvme");
	close(fd);

	/* The short form of the address is accepted too. */
	snprintf(args, sizeof(args), "setup %s", addr + 5);
	snprintf(expect, sizeof(expect), "%s: on vfio-pci (was on nvme), IOMMU group", addr);
	run(args, 0, expect);
	CHECK(strstr(out, "/dev/vfio/noiommu-"));
	driver_is("vfio-pci");
	CHECK(glob("/dev/vfio/noiommu-*", 0, NULL, &g) == 0 && g.gl_pathc >= 1);
	globfree(&g);
	snprintf(expect, sizeof(expect), "%s  1b36:0010  vfio-pci", addr);
	run("status", 0, expect);
	CHECK(strstr(out, "VFIO no-IOMMU mode: on"));

	/* An administrator's round: identify, health, format to 4096-byte blocks, give it back,
	 * the kernel sees the new size; and the same back to 512. */
	snprintf(args, sizeof(args), "id-ctrl %s", addr);
	run(args, 0, "NVME Identify Controller:");
	snprintf(args, sizeof(args), "id-ns %s -n 1", addr);
	run(args, 0, "lbads:9  rp:0 (in use)");
	snprintf(args, sizeof(args), "smart-log %s", addr);
	run(args, 0, "critical_warning");
	format_and_check(4096);
	format_and_check(512);
	snprintf(expect, sizeof(expect), "%s  1b36:0010  vfio-pci", addr);
	run("status", 0, expect);
	return T_EXIT_PASS;
}
