/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sysfs and /proc text as the kernel may show it, read where nvfio reads it: a PCI function's
 * class, vendor and device and its driver and iommu_group links (the library's vfio/ readers,
 * the nvfio tool's cli_pci_read(), nvfio-perf's class check), the group's name and members, the
 * kernel's controller and namespaces on the function with their major:minor, /proc/self/mountinfo
 * and /proc/swaps (the tool's cli_users_find()), hugepage pool counts (cli_huge_pools()). They
 * live in a fake tree in the target's own directory ($NVFIO_SYSFS, $NVFIO_PROC). The input: the
 * files' contents (and the links' targets) in the order of parts[] below, separated by NUL bytes;
 * a part the input does not reach is no file at all.
 */
#include <errno.h>
#include <sys/stat.h>

#include "engine.h"
#include "fuzz/fuzz.h"
#include "setup.h"
#include "sysfs.h"
#include "vfio/vfio.h"

#define ADDR "0000:01:00.0"
#define DEV  "sys/bus/pci/devices/" ADDR
#define PEER "sys/bus/pci/devices/0000:00:1f.0"

/* What each part of the input becomes; a link when its name ends in '@'. */
static const char *const parts[] = {
	DEV "/class",
	DEV "/vendor",
	DEV "/device",
	DEV "/driver@",
	DEV "/iommu_group@",
	"sys/kernel/iommu_groups/12/name",
	PEER "/driver@",
	DEV "/nvme/nvme0/dev",
	DEV "/nvme/nvme0/nvme0n1/dev",
	DEV "/nvme/nvme0/nvme0n1/nvme0n1p1/dev",
	"sys/class/block/nvme0n1/holders/dm-0@",
	"sys/class/block/dm-0/dm/name",
	"proc/self/mountinfo",
	"proc/swaps",
	"sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
	"sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages",
	"sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages",
};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

/* The tree's fixed parts: directories, and the files that are always there. */
static const char *const dirs[] = {
	DEV "/nvme/nvme0/nvme0n1/nvme0n1p1",
	PEER,
	"sys/kernel/iommu_groups/12/devices",
	"sys/class/block/nvme0n1/holders",
	"sys/class/block/dm-0/dm",
	"sys/class/nvme-subsystem",
	"proc/self",
	"sys/kernel/mm/hugepages/hugepages-2048kB",
	"sys/devices/system/node/node0/hugepages/hugepages-2048kB",
};

static const char *const files[][2] = {
	{ DEV "/nvme/nvme0/nvme0n1/nvme0n1p1/partition", "1\n" },
	{ PEER "/class", "0x060100\n" },
	{ NULL, NULL },
};

static char root[128];
static struct nvf_vfio_root vroot;
static char sys[160], proc[160];

static void path_of(char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/%s", root, rel);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[512], cmd[600];
	size_t i;

	snprintf(root, sizeof(root), "%s", fuzz_dir(NULL));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		path_of(path, sizeof(path), dirs[i]);
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
		FUZZ_CHECK(system(cmd) == 0);
	}
	for (i = 0; files[i][0]; i++) {
		FILE *f;

		path_of(path, sizeof(path), files[i][0]);
		f = fopen(path, "w");
		FUZZ_CHECK(f && fputs(files[i][1], f) >= 0 && fclose(f) == 0);
	}
	/* The group's members: the function and its peer. */
	path_of(path, sizeof(path), "sys/kernel/iommu_groups/12/devices/" ADDR);
	FUZZ_CHECK(symlink("../../../../bus/pci/devices/" ADDR, path) == 0);
	path_of(path, sizeof(path), "sys/kernel/iommu_groups/12/devices/0000:00:1f.0");
	FUZZ_CHECK(symlink("../../../../bus/pci/devices/0000:00:1f.0", path) == 0);
	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	FUZZ_CHECK(setenv("NVFIO_SYSFS", sys, 1) == 0 && setenv("NVFIO_PROC", proc, 1) == 0);
	vroot.sys = sys;
	vroot.proc = proc;
	vroot.dev = "/nonexistent";
	return 0;
}

/* Part @i of the tree as @text, or none when @text is NULL. */
static void put(size_t i, const char *text)
{
	size_t n = strlen(parts[i]);
	char path[512];

	path_of(path, sizeof(path), parts[i]);
	if (parts[i][n - 1] == '@') {
		path[strlen(path) - 1] = '\0';
		unlink(path);
		if (text && symlink(text, path) < 0)
			FUZZ_CHECK(errno == ENOENT || errno == ENAMETOOLONG);
	} else if (!text) {
		unlink(path);
	} else {
		FILE *f = fopen(path, "w");

		FUZZ_CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	char buf[512], err[512];
	struct cli_huge_pool *pools;
	struct cli_users users;
	struct cli_pci pci, *list;
	unsigned int id;
	bool noiommu;
	size_t i;
	int n;

	for (i = 0; i < NPARTS; i++) {
		char *text = fuzz_part(&in, '\0');

		put(i, text);
		free(text);
	}

	/* The library. */
	if (nvf_vfio_sysfs_driver(&vroot, ADDR, buf, sizeof(buf)) == 0)
		FUZZ_CHECK(fuzz_terminated(buf, sizeof(buf)));
	(void)nvf_vfio_check_bound(&vroot, ADDR);
	if (nvf_vfio_find_group(&vroot, ADDR, &id, &noiommu) == 0) {
		n = nvf_vfio_group_blockers(&vroot, id, buf, sizeof(buf));
		FUZZ_CHECK(n < 0 || fuzz_terminated(buf, sizeof(buf)));
		(void)nvf_vfio_err_not_viable(&vroot, id);
	}

	/* The nvfio tool. */
	if (cli_pci_read(ADDR, &pci) == 0) {
		(void)cli_pci_is_nvme(&pci);
		FUZZ_CHECK(fuzz_terminated(cli_pci_driver_str(&pci), 64));
		(void)cli_pci_class_name(pci.class);
	}
	n = cli_pci_list(false, &list);
	if (n >= 0)
		free(list);
	if (cli_users_find(ADDR, &users) == 0) {
		for (i = 0; i < users.nuse; i++) {
			FUZZ_CHECK(users.use[i].blk < users.nblk);
			cli_use_str(&users, &users.use[i], buf, sizeof(buf));
			FUZZ_CHECK(fuzz_terminated(buf, sizeof(buf)));
		}
		cli_users_free(&users);
	}
	n = cli_huge_pools(&pools);
	if (n >= 0)
		cli_huge_pools_free(pools, n);

	/* nvfio-perf. */
	err[0] = '\0';
	if (nvb_pci_check_nvme(sys, ADDR, err, sizeof(err)) < 0)
		FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)));
	return 0;
}
