/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sysfs readers and the open path on a fake tree: driver and iommu_group links, no-IOMMU
 * groups, the non-viable group message, the rebind message, and a missing /dev/vfio.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/test.h"
#include "tests/vfio/leak.h"
#include "vfio/vfio.h"

static char top[] = "/tmp/nvfio-sysfs-XXXXXX";
static char sys[256], dev[256];

static void mkdirs(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkdirs(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	CHECK(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* A PCI device: its sysfs directory, driver link ("" for none), group link (-1 for none). */
static void add_dev(const char *addr, const char *drv, int group)
{
	char link[PATH_MAX], target[PATH_MAX];

	mkdirs("%s/bus/pci/devices/%s", sys, addr);
	if (drv[0]) {
		snprintf(link, sizeof(link), "%s/bus/pci/devices/%s/driver", sys, addr);
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", drv);
		CHECK(symlink(target, link) == 0);
	}
	if (group >= 0) {
		mkdirs("%s/kernel/iommu_groups/%d/devices/%s", sys, group, addr);
		snprintf(link, sizeof(link), "%s/bus/pci/devices/%s/iommu_group", sys, addr);
		snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%d", group);
		CHECK(symlink(target, link) == 0);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void has(const char *needle)
{
	if (!strstr(nvfio_last_error(), needle)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", nvfio_last_error(), needle);
		exit(T_EXIT_FAIL);
	}
}

static void lacks(const char *needle)
{
	if (strstr(nvfio_last_error(), needle)) {
		fprintf(stderr, "message '%s' has '%s'\n", nvfio_last_error(), needle);
		exit(T_EXIT_FAIL);
	}
}

int main(void)
{
	struct nvf_vfio_root root;
	struct nvfio_vfio_device *d = NULL;
	struct nvfio_vfio_group *g = NULL;
	struct nvfio_vfio_container *c = NULL;
	struct nvfio_iommu *ctx = NULL;
	char drv[64], buf[512], path[PATH_MAX];
	unsigned int id;
	bool noiommu;
	int fds, maps;

	CHECK(mkdtemp(top) != NULL);
	snprintf(sys, sizeof(sys), "%s/sys", top);
	snprintf(dev, sizeof(dev), "%s/dev", top);
	mkdirs("%s", dev);
	root = (struct nvf_vfio_root){.sys = sys, .dev = dev, .proc = "/proc"};

	/* Group 5: our device, a second function on nvme, a sound card, a bridge, an idle one. */
	add_dev("0000:01:00.0", "vfio-pci", 5);
	add_dev("0000:01:00.1", "nvme", 5);
	add_dev("0000:00:1f.3", "snd_hda_intel", 5);
	add_dev("0000:00:1c.0", "pcieport", 5);
	add_dev("0000:00:1f.4", "", 5);
	/* A no-IOMMU group. */
	add_dev("0000:02:00.0", "vfio-pci", 0);
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/0/name", sys);
	write_file(path, "vfio-noiommu\n");
	/* IOMMU off: no groups at all. */
	add_dev("0000:03:00.0", "nvme", -1);
	add_dev("0000:06:00.0", "vfio-pci", -1);
	add_dev("0000:04:00.0", "", -1);
	/* A vendor variant of vfio-pci, alone in its group. */
	add_dev("0000:05:00.0", "mlx5_vfio_pci", 9);

	fds = count_fds();
	maps = count_maps();

	/* Driver links. */
	CHECK_OK(nvf_vfio_sysfs_driver(&root, "0000:01:00.0", drv, sizeof(drv)));
	CHECK(strcmp(drv, "vfio-pci") == 0);
	CHECK_OK(nvf_vfio_sysfs_driver(&root, "0000:01:00.1", drv, sizeof(drv)));
	CHECK(strcmp(drv, "nvme") == 0);
	CHECK_OK(nvf_vfio_sysfs_driver(&root, "0000:04:00.0", drv, sizeof(drv)));
	CHECK(drv[0] == '\0');
	CHECK(nvf_vfio_sysfs_driver(&root, "0000:09:00.0", drv, sizeof(drv)) == -NVFIO_ENODEVICE);
	CHECK(nvf_vfio_driver_is_vfio("vfio-pci") && nvf_vfio_driver_is_vfio("mlx5_vfio_pci"));
	CHECK(!nvf_vfio_driver_is_vfio("nvme") && !nvf_vfio_driver_is_vfio("pci-stub"));

	/* Group links, and the no-IOMMU case. */
	CHECK_OK(nvf_vfio_sysfs_group(&root, "0000:01:00.0", &id, &noiommu));
	CHECK(id == 5 && !noiommu);
	CHECK_OK(nvf_vfio_sysfs_group(&root, "0000:02:00.0", &id, &noiommu));
	CHECK(id == 0 && noiommu);
	CHECK(nvf_vfio_sysfs_group_is_noiommu(&root, 0));
	CHECK(!nvf_vfio_sysfs_group_is_noiommu(&root, 5));
	CHECK(nvf_vfio_sysfs_group(&root, "0000:03:00.0", &id, &noiommu) == -NVFIO_ENOGROUP);
	CHECK(nvf_vfio_sysfs_group(&root, "0000:09:00.0", &id, &noiommu) == -NVFIO_ENODEVICE);

	/* Binding checks and their messages. */
	CHECK_OK(nvf_vfio_check_bound(&root, "0000:01:00.0"));
	CHECK_OK(nvf_vfio_check_bound(&root, "0000:05:00.0"));
	CHECK_ERR(nvf_vfio_check_bound(&root, "0000:01:00.1"), -NVFIO_ENOTVFIO);
	has("0000:01:00.1 is bound to nvme");
	has("echo vfio-pci > /sys/bus/pci/devices/0000:01:00.1/driver_override");
	has("echo 0000:01:00.1 > /sys/bus/pci/devices/0000:01:00.1/driver/unbind");
	has("echo 0000:01:00.1 > /sys/bus/pci/drivers_probe");
	CHECK_ERR(nvf_vfio_check_bound(&root, "0000:04:00.0"), -NVFIO_ENOTVFIO);
	has("bound to no driver");
	has("drivers_probe");
	lacks("unbind");
	CHECK_ERR(nvf_vfio_check_bound(&root, "0000:09:00.0"), -NVFIO_ENODEVICE);
	has("0000:09:00.0");

	/* A non-viable group names the devices on host drivers, and only those. */
	CHECK(nvf_vfio_group_blockers(&root, 5, buf, sizeof(buf)) == 2);
	CHECK(strstr(buf, "0000:01:00.1 (bound to nvme)"));
	CHECK(strstr(buf, "0000:00:1f.3 (bound to snd_hda_intel)"));
	CHECK(!strstr(buf, "0000:01:00.0") && !strstr(buf, "1c.0") && !strstr(buf, "1f.4"));
	CHECK(nvf_vfio_group_blockers(&root, 9, buf, sizeof(buf)) == 0);
	CHECK(nvf_vfio_group_blockers(&root, 77, buf, sizeof(buf)) == -ENOENT);
	/* a short buffer is cut, never overrun */
	CHECK(nvf_vfio_group_blockers(&root, 5, buf, 10) == 2 && strlen(buf) < 10);
	CHECK_ERR(nvf_vfio_err_not_viable(&root, 5), -NVFIO_ENOTVIABLE);
	has("IOMMU group 5 is not viable");
	has("0000:01:00.1 (bound to nvme)");
	has("0000:00:1f.3 (bound to snd_hda_intel)");
	has("driver_override");
	has("/sys/kernel/iommu_groups/5/devices");

	/* The open path stops at the first thing that is wrong, with its remedy. */
	CHECK_ERR(nvf_vfio_open_at(&root, "junk", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_EBADADDR);
	CHECK_ERR(nvf_vfio_open_at(&root, "09:00.0", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_ENODEVICE);
	CHECK_ERR(nvf_vfio_open_at(&root, "01:00.1", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_ENOTVFIO);
	has("bound to nvme");
	CHECK_ERR(nvf_vfio_open_at(&root, "0000:06:00.0", NVFIO_IOMMU_OPEN_AUTO, &d),
		  -NVFIO_ENOGROUP);
	has("no IOMMU group");
	has("enable_unsafe_noiommu_mode");
	CHECK_ERR(nvf_vfio_open_at(&root, "0000:02:00.0", NVFIO_IOMMU_OPEN_IOMMU, &d),
		  -NVFIO_ENOIOMMUTYPE);
	has("noiommu-0");
	CHECK_ERR(nvf_vfio_open_at(&root, "0000:01:00.0", NVFIO_IOMMU_OPEN_NOIOMMU, &d),
		  -NVFIO_ENOIOMMUTYPE);
	has("IOMMU group 5");
	CHECK_ERR(nvf_vfio_open_at(&root, "0000:01:00.0", (enum nvfio_iommu_open_mode)3, &d),
		  -EINVAL);
	has("NVFIO_IOMMU_OPEN_AUTO");
	/* No /dev/vfio: VFIO is not loaded. */
	CHECK_ERR(nvf_vfio_open_at(&root, "01:00.0", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_ENOVFIO);
	has("vfio/vfio does not exist");
	has("modprobe vfio-pci");
	CHECK_ERR(nvf_vfio_open_at(&root, "02:00.0", NVFIO_IOMMU_OPEN_NOIOMMU, &d), -NVFIO_ENOVFIO);
	CHECK_ERR(nvf_vfio_iommu_open_at(&root, NVFIO_IOMMU_OPEN_AUTO, &ctx), -NVFIO_ENOVFIO);
	CHECK_ERR(nvf_vfio_container_open_at(&root, &c), -NVFIO_ENOVFIO);
	CHECK_ERR(nvf_vfio_group_open_at(&root, 5, false, &g), -NVFIO_ENOGROUP);
	has("/vfio/5 does not exist");
	CHECK_ERR(nvf_vfio_group_open_at(&root, 0, true, &g), -NVFIO_ENOGROUP);
	has("/vfio/noiommu-0 does not exist");
	CHECK(d == NULL && g == NULL && c == NULL && ctx == NULL);

	/* A /dev/vfio/vfio that does not speak VFIO: the version check fails, the fd is closed. */
	mkdirs("%s/vfio", dev);
	snprintf(path, sizeof(path), "%s/vfio/vfio", dev);
	write_file(path, "");
	CHECK_ERR(nvf_vfio_container_open_at(&root, &c), -NVFIO_EAPIVERSION);
	CHECK_ERR(nvf_vfio_iommu_open_at(&root, NVFIO_IOMMU_OPEN_IOMMU, &ctx), -NVFIO_EAPIVERSION);
	CHECK_ERR(nvf_vfio_open_at(&root, "01:00.0", NVFIO_IOMMU_OPEN_AUTO, &d),
		  -NVFIO_EAPIVERSION);
	CHECK(c == NULL && d == NULL && ctx == NULL);

	/* Nothing leaked on any of those paths. */
	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);

	/* Group names. */
	CHECK_ERR(nvfio_vfio_group_open_name("noiommu-", &g), -EINVAL);
	CHECK_ERR(nvfio_vfio_group_open_name("x5", &g), -EINVAL);
	CHECK_ERR(nvfio_vfio_group_open_name("5x", &g), -EINVAL);
	CHECK_ERR(nvfio_vfio_group_open_name(NULL, &g), -EINVAL);
	CHECK_ERR(nvfio_vfio_group_open_name("4294967296", &g), -EINVAL); /* above UINT_MAX */
	CHECK_ERR(nvfio_vfio_group_open_name("-1", &g), -EINVAL);
	/* Good names reach /dev/vfio (where no such group exists here). */
	if (access("/dev/vfio/4242", F_OK) != 0) {
		CHECK_ERR(nvfio_vfio_group_open_name("4242", &g), -NVFIO_ENOGROUP);
		has("/dev/vfio/4242 does not exist");
	}
	if (access("/dev/vfio/noiommu-4242", F_OK) != 0) {
		CHECK_ERR(nvfio_vfio_group_open_name("noiommu-4242", &g), -NVFIO_ENOGROUP);
		has("/dev/vfio/noiommu-4242 does not exist");
	}
	CHECK(g == NULL);

	/* Small sysfs files: the trailing newline goes, a short buffer cuts, absence is -ENOENT. */
	CHECK_OK(nvf_vfio_read_file(path, buf, sizeof(buf)));
	CHECK(buf[0] == '\0'); /* the empty stand-in for /dev/vfio/vfio above */
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/0/name", sys);
	CHECK_OK(nvf_vfio_read_file(path, buf, sizeof(buf)));
	CHECK(strcmp(buf, "vfio-noiommu") == 0);
	CHECK_OK(nvf_vfio_read_file(path, buf, 5));
	CHECK(strcmp(buf, "vfio") == 0);
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/0/nothing", sys);
	CHECK(nvf_vfio_read_file(path, buf, sizeof(buf)) == -ENOENT);

	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	CHECK(system(path) == 0);
	return T_EXIT_PASS;
}
