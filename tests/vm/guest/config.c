/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks that the controller QEMU emulates is the one tests/vm/configs/<name> and README.md
 * describe (and that tests read from NVFIO_VM_*), as Linux's nvme driver sees it: serial,
 * namespaces with their sizes and block sizes, the transfer limit from MDTS, queue and MSI-X
 * counts. Kernel mode only: run as `vm_config <pci-address>` by tests/vm/run.
 */
#include <dirent.h>
#include <limits.h>

#include "vm/guest/guest.h"

static unsigned count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

/* Finds the controller's name (nvme0) under the PCI device. */
static void find_ctrl(const char *addr, char *name, size_t len)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/nvme", addr);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: no nvme controller (%s); is it bound to nvme?\n", path,
			strerror(errno));
		exit(T_EXIT_FAIL);
	}
	name[0] = '\0';
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "nvme", 4))
			snprintf(name, len, "%s", e->d_name);
	closedir(d);
	CHECK(name[0] != '\0');
}

static void check_namespace(const char *ctrl, const char *disk, unsigned mdts)
{
	char path[PATH_MAX];
	unsigned long nsid, sectors, lbs, max_kb, blocks, lbads;
	unsigned ns_count = (unsigned)atoi(guest_env("NVFIO_VM_NS_COUNT"));

	snprintf(path, sizeof(path), "/sys/class/nvme/%s/%s/nsid", ctrl, disk);
	CHECK(guest_read_ulong(path, &nsid) == 0);
	CHECK(nsid >= 1 && nsid <= ns_count);
	blocks = guest_env_list("NVFIO_VM_NS_BLOCKS", (unsigned)nsid - 1);
	lbads = guest_env_list("NVFIO_VM_LBADS", (unsigned)nsid - 1);

	snprintf(path, sizeof(path), "/sys/block/%s/size", disk);
	CHECK(guest_read_ulong(path, &sectors) == 0);
	snprintf(path, sizeof(path), "/sys/block/%s/queue/logical_block_size", disk);
	CHECK(guest_read_ulong(path, &lbs) == 0);
	snprintf(path, sizeof(path), "/sys/block/%s/queue/max_hw_sectors_kb", disk);
	CHECK(guest_read_ulong(path, &max_kb) == 0);
	printf("%s: nsid %lu, %lu bytes in %lu-byte blocks, transfers up to %lu KiB\n", disk, nsid,
	       sectors * 512, lbs, max_kb);
	CHECK(lbs == 1ul << lbads);
	CHECK(sectors * 512 == blocks << lbads);
	/* MDTS counts in minimum pages (4 KiB on QEMU); Linux caps transfers at 4 MiB. */
	if (mdts && (4ul << mdts) <= 4096)
		CHECK(max_kb == 4ul << mdts);
	else
		CHECK(max_kb >= 4096);
}

/*
 * The harness hands <module>.<param>=<value> from the kernel command line to the module when it
 * loads it, as kmod would; check that nvme got the ones given.
 */
static void check_module_params(void)
{
	char cmdline[4096], path[PATH_MAX], *tok, *save = NULL, *eq;
	char val[64];

	CHECK(guest_read_line("/proc/cmdline", cmdline, sizeof(cmdline)) == 0);
	for (tok = strtok_r(cmdline, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "nvme.", 5) || !(eq = strchr(tok, '=')))
			continue;
		*eq = '\0';
		snprintf(path, sizeof(path), "/sys/module/nvme/parameters/%s", tok + 5);
		CHECK(guest_read_line(path, val, sizeof(val)) == 0);
		printf("nvme parameter %s: %s (command line says %s)\n", tok + 5, val, eq + 1);
		CHECK(strcmp(val, eq + 1) == 0);
	}
}

int main(int argc, char **argv)
{
	char ctrl[NAME_MAX + 1], path[PATH_MAX], serial[64];
	unsigned mdts, ns_seen = 0, queues, vectors;
	struct dirent *e;
	DIR *d;
	int msix;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <pci-address>\n", argv[0]);
		return T_EXIT_FAIL;
	}
	if (strcmp(guest_env("NVFIO_VM_MODE"), "kernel"))
		SKIP("needs the kernel nvme driver (kernel mode), this is %s mode",
		     guest_env("NVFIO_VM_MODE"));
	find_ctrl(argv[1], ctrl, sizeof(ctrl));
	mdts = (unsigned)atoi(guest_env("NVFIO_VM_MDTS"));

	snprintf(path, sizeof(path), "/sys/class/nvme/%s/serial", ctrl);
	CHECK(guest_read_line(path, serial, sizeof(serial)) == 0);
	printf("%s: serial '%s'\n", ctrl, serial);
	CHECK(strcmp(serial, guest_env("NVFIO_VM_SERIAL")) == 0);

	snprintf(path, sizeof(path), "/sys/class/nvme/%s", ctrl);
	d = opendir(path);
	CHECK(d != NULL);
	while ((e = readdir(d))) {
		/* Namespaces are the controller's children named <ctrl>n<N>. */
		if (strncmp(e->d_name, ctrl, strlen(ctrl)) || e->d_name[strlen(ctrl)] != 'n')
			continue;
		check_namespace(ctrl, e->d_name, mdts);
		ns_seen++;
	}
	closedir(d);
	printf("%u namespace(s), config says %s\n", ns_seen, guest_env("NVFIO_VM_NS_COUNT"));
	CHECK(ns_seen == (unsigned)atoi(guest_env("NVFIO_VM_NS_COUNT")));

	snprintf(path, sizeof(path), "/sys/block/%sn1/mq", ctrl);
	queues = count_entries(path, "");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", argv[1]);
	vectors = count_entries(path, "");
	msix = guest_msix_table_size(argv[1]);
	printf("%u I/O queues in use (at most %s), %u of %d MSI-X vectors (config says %s)\n",
	       queues, guest_env("NVFIO_VM_MAX_IOQPAIRS"), vectors, msix,
	       guest_env("NVFIO_VM_MSIX_QSIZE"));
	CHECK(queues >= 1 && queues <= (unsigned)atoi(guest_env("NVFIO_VM_MAX_IOQPAIRS")));
	CHECK(msix == atoi(guest_env("NVFIO_VM_MSIX_QSIZE")));
	CHECK(vectors >= 1 && (int)vectors <= msix);
	check_module_params();
	printf("ok\n");
	return T_EXIT_PASS;
}
