/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio-setup on a real kernel (the test VM in no-IOMMU mode, controller on vfio-pci): unbind
 * gives the controller to the kernel's nvme driver, bind takes it back to vfio-pci with a VFIO
 * group node, status lists it with its driver. Usage: vm_setup PCI-ADDRESS (path of the script in
 * NVFIO_SETUP, set from the build).
 */
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"

#ifndef NVFIO_SETUP
#error NVFIO_SETUP must name tools/nvfio-setup
#endif

static const char *addr;

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

static void run(const char *args, const char *expect)
{
	char cmd[PATH_MAX * 2], out[4096];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "/bin/sh %s %s 2>&1", NVFIO_SETUP, args);
	printf("$ nvfio-setup %s\n", args);
	p = popen(cmd, "r");
	CHECK(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	fputs(out, stdout);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (expect)
		CHECK(strstr(out, expect));
}

int main(int argc, char **argv)
{
	char args[256], expect[256];
	glob_t g;

	CHECK(argc == 2);
	addr = argv[1];
	/* The harness copies it in (FILES): its absence is a harness fault, not a reason to skip. */
	CHECK(access(NVFIO_SETUP, R_OK) == 0);
	driver_is("vfio-pci");

	snprintf(args, sizeof(args), "unbind %s", addr);
	snprintf(expect, sizeof(expect), "%s: nvme", addr);
	run(args, expect);
	driver_is("nvme");
	snprintf(expect, sizeof(expect), "%s   nvme", addr);
	run("status", expect);

	/* The short form of the address is accepted too. */
	snprintf(args, sizeof(args), "bind %s", addr + 5);
	snprintf(expect, sizeof(expect), "%s: vfio-pci, IOMMU group", addr);
	run(args, expect);
	driver_is("vfio-pci");
	CHECK(glob("/dev/vfio/noiommu-*", 0, NULL, &g) == 0 && g.gl_pathc >= 1);
	globfree(&g);
	return T_EXIT_PASS;
}
