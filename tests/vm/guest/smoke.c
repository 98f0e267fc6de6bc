/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks the test VM itself: the controller is bound as the mode says, its VFIO group node is
 * there (or, in kernel mode, its block devices), config space shows QEMU's NVMe controller with
 * the configured MSI-X table size, the hugepages are reserved and the working directory is
 * writable. Run as `vm_smoke <pci-address>` by tests/vm/run.
 */
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>

#include "vm/guest/guest.h"

static void check_binding(const char *addr, const char *mode)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *want = strcmp(mode, "kernel") ? "vfio-pci" : "nvme";
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		fprintf(stderr, "%s: not bound to any driver (%s)\n", addr, strerror(errno));
		exit(T_EXIT_FAIL);
	}
	link[n] = '\0';
	printf("driver: %s\n", basename(link));
	CHECK(strcmp(basename(link), want) == 0);
}

/* The IOMMU group number of @addr, or -1 when it has none. */
static long iommu_group(const char *addr)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	return strtol(basename(link), NULL, 10);
}

static int is_char_device(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

static void check_vfio_nodes(const char *addr, const char *mode)
{
	long group = iommu_group(addr);
	char path[64], name[64], sysname[PATH_MAX];

	CHECK(is_char_device("/dev/vfio/vfio"));
	if (group < 0) {
		fprintf(stderr, "%s has no iommu_group link\n", addr);
		exit(T_EXIT_FAIL);
	}
	if (!strcmp(mode, "noiommu"))
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%ld", group);
	else
		snprintf(path, sizeof(path), "/dev/vfio/%ld", group);
	printf("group node: %s\n", path);
	CHECK(is_char_device(path));

	/* vfio names the groups it made up for no-IOMMU devices; real IOMMU groups have no name. */
	snprintf(sysname, sizeof(sysname), "/sys/kernel/iommu_groups/%ld/name", group);
	if (!strcmp(mode, "noiommu")) {
		CHECK(guest_read_line(sysname, name, sizeof(name)) == 0);
		CHECK(strcmp(name, "vfio-noiommu") == 0);
	} else {
		CHECK(access(sysname, F_OK) != 0);
	}
}

static void check_kernel_driver(const char *addr)
{
	char path[PATH_MAX];
	unsigned long nsid;

	/* Without an IOMMU the device has no group, and the namespaces are block devices. */
	CHECK(iommu_group(addr) < 0);
	snprintf(path, sizeof(path), "/sys/block/nvme0n1/nsid");
	CHECK(guest_read_ulong(path, &nsid) == 0);
	CHECK(nsid == 1);
	CHECK(access("/dev/nvme0n1", F_OK) == 0);
}

static void check_config_space(const char *addr)
{
	uint16_t ids[2];
	uint8_t class[3];
	unsigned long vendor;
	char path[PATH_MAX];
	int msix;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", addr);
	CHECK(guest_read_ulong(path, &vendor) == 0);
	CHECK(vendor == 0x1b36);
	CHECK(guest_config_read(addr, 0, ids, sizeof(ids)) == 0);
	printf("config space: vendor 0x%04x device 0x%04x\n", ids[0], ids[1]);
	CHECK(ids[0] == 0x1b36); /* Red Hat, QEMU's own devices */
	CHECK(ids[1] == 0x0010); /* QEMU NVM Express controller */
	CHECK(guest_config_read(addr, 9, class, sizeof(class)) == 0);
	CHECK(class[2] == 0x01 && class[1] == 0x08 && class[0] == 0x02);

	msix = guest_msix_table_size(addr);
	printf("MSI-X table size: %d (config says %s)\n", msix, guest_env("NVFIO_VM_MSIX_QSIZE"));
	CHECK(msix == atoi(guest_env("NVFIO_VM_MSIX_QSIZE")));
}

static void check_iommu_presence(const char *mode)
{
	int want = !strcmp(mode, "iommu");
	int have = access("/sys/class/iommu/dmar0", F_OK) == 0;

	printf("guest IOMMU: %s\n", have ? "present" : "absent");
	CHECK(atoi(guest_env("NVFIO_VM_IOMMU")) == have);
	if (!strcmp(mode, "kernel"))
		return;
	CHECK(have == want);
}

static void check_hugepages(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long total = -1;

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Total: %ld", &total) == 1)
			break;
	fclose(f);
	printf("hugepages: %ld reserved, %s asked for\n", total, guest_env("NVFIO_VM_HUGEPAGES"));
	CHECK(total == atol(guest_env("NVFIO_VM_HUGEPAGES")));
}

static void check_workdir(void)
{
	FILE *f = fopen("scratch", "w");

	CHECK(f != NULL);
	CHECK(fputs("x", f) >= 0);
	CHECK(fclose(f) == 0);
	CHECK(unlink("scratch") == 0);
}

int main(int argc, char **argv)
{
	const char *mode = guest_env("NVFIO_VM_MODE");

	if (argc != 2) {
		fprintf(stderr, "usage: %s <pci-address>\n", argv[0]);
		return T_EXIT_FAIL;
	}
	printf("device %s, mode %s, config %s\n", argv[1], mode, guest_env("NVFIO_VM_CONFIG"));
	check_binding(argv[1], mode);
	check_iommu_presence(mode);
	if (!strcmp(mode, "kernel"))
		check_kernel_driver(argv[1]);
	else
		check_vfio_nodes(argv[1], mode);
	check_config_space(argv[1]);
	check_hugepages();
	check_workdir();
	printf("ok\n");
	return T_EXIT_PASS;
}
