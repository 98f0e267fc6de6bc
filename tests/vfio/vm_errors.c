/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest: bad input gives the documented error and leaves nothing behind: an unknown address, a
 * device on another driver (the controller itself, rebound to nvme for the occasion, and the host
 * bridge), a group already in use, absent or unmappable regions, accesses outside a region, an
 * unmapped range to unmap, memory that cannot be pinned.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/vfio/leak.h"
#include "tests/vfio/vm.h"

static struct vm vm;

static void has(const char *needle)
{
	if (!strstr(nvfio_last_error(), needle)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", nvfio_last_error(), needle);
		exit(T_EXIT_FAIL);
	}
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Bind the controller to @drv through driver_override, as tests/vm/init does. */
static bool rebind(const char *drv)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", vm.addr);
	if (sysfs_write(path, drv) < 0)
		return false;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", vm.addr);
	sysfs_write(path, vm.addr);
	if (sysfs_write("/sys/bus/pci/drivers_probe", vm.addr) < 0)
		return false;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", vm.addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(strrchr(link, '/') + 1, drv) == 0;
}

static void other_driver(void)
{
	struct nvfio_vfio_device *d = NULL;
	unsigned int id;
	bool noiommu;
	int ret;

	/* The host bridge of q35 has no driver at all. */
	if (access("/sys/bus/pci/devices/0000:00:00.0/driver", F_OK) != 0 &&
	    strcmp(vm.addr, "0000:00:00.0") != 0) {
		CHECK_ERR(nvfio_vfio_open("0000:00:00.0", NVFIO_IOMMU_OPEN_AUTO, &d),
			  -NVFIO_ENOTVFIO);
		has("bound to no driver");
		has("driver_override");
		printf("host bridge: %s\n", nvfio_last_error());
	}

	if (access("/sys/bus/pci/drivers/nvme", F_OK) != 0) {
		printf("no nvme driver in the guest: the rebinding case is left out\n");
		return;
	}
	CHECK(rebind("nvme"));
	CHECK_ERR(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_ENOTVFIO);
	has("is bound to nvme, not vfio-pci");
	has("echo vfio-pci > /sys/bus/pci/devices/");
	has("drivers_probe");
	printf("on nvme: %s\n", nvfio_last_error());
	CHECK(d == NULL);
	/* Also when asked through a group that is still open from before the rebind. */
	ret = nvfio_vfio_group_of_device(vm.addr, &id, &noiommu);
	CHECK(ret == 0 || (ret == -NVFIO_ENOGROUP && !vm.iommu));

	/* Back on vfio-pci, the device opens again at once (the ENODEV retry covers the race
	 * between the binding and the group's device list). */
	CHECK(rebind("vfio-pci"));
	CHECK_OK(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d));
	nvfio_vfio_device_close(d);
}

static void regions(struct nvfio_vfio_device *d)
{
	const struct nvfio_vfio_region_info *r;
	struct nvfio_vfio_device_info info;
	uint32_t v;
	void *p;

	nvfio_vfio_device_get_info(d, &info);
	CHECK_ERR(nvfio_vfio_device_region_info(d, info.num_regions, &r), -NVFIO_ENOREGION);
	CHECK_ERR(nvfio_vfio_device_map_region(d, 99, &p, NULL), -NVFIO_ENOREGION);
	CHECK_ERR(nvfio_vfio_device_map_region(d, NVFIO_VFIO_PCI_BAR0 + 2, &p, NULL),
		  -NVFIO_ENOREGION);
	has("not implemented");
	CHECK_ERR(nvfio_vfio_device_map_region(d, NVFIO_VFIO_PCI_CONFIG, &p, NULL),
		  -NVFIO_ENOREGION);
	has("cannot be mmapped");
	CHECK_ERR(nvfio_vfio_device_region_info(d, NVFIO_VFIO_PCI_VGA, &r), -NVFIO_ENOREGION);
	CHECK_ERR(nvfio_vfio_device_unmap_region(d, NVFIO_VFIO_PCI_BAR0), -NVFIO_ENOREGION);
	CHECK_ERR(nvfio_vfio_device_region_read(d, NVFIO_VFIO_PCI_BAR0, &v, 4, vm_bar0_size()),
		  -EINVAL);
	CHECK_ERR(nvfio_vfio_device_region_read(d, NVFIO_VFIO_PCI_BAR0, &v, 8, vm_bar0_size() - 4),
		  -EINVAL);
	CHECK_ERR(nvfio_vfio_device_config_read(d, &v, 4, UINT64_MAX - 1), -EINVAL);
	CHECK_ERR(nvfio_vfio_device_region_read(d, NVFIO_VFIO_PCI_BAR0 + 2, &v, 4, 0), -EINVAL);
}

static void dma(struct nvfio_vfio_device *d)
{
	struct nvfio_iommu *io = nvfio_vfio_device_iommu(d);
	struct nvfio_iommu_info info;
	uint32_t avail;
	void *hole;

	if (!vm.iommu) {
		CHECK_ERR(nvfio_iommu_dma_unmap(io, 1u << 20, 4096), -ENOTSUP);
		return;
	}
	CHECK_OK(nvfio_iommu_get_info(io, &info));
	avail = info.dma_avail;
	CHECK_ERR(nvfio_iommu_dma_unmap(io, 1u << 30, 4096), -NVFIO_ENOTMAPPED);
	CHECK_ERR(nvfio_iommu_dma_unmap(io, 1u << 30, 4095), -EINVAL);
	/* Memory that cannot be pinned. */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED);
	CHECK_ERR(nvfio_iommu_dma_map(io, hole, 4096, 1u << 30, 0), -EFAULT);
	has("cannot pin");
	printf("unpinnable memory: %s\n", nvfio_last_error());
	munmap(hole, 4096);
	CHECK_OK(nvfio_iommu_get_info(io, &info));
	CHECK(info.dma_avail == avail);
}

int main(int argc, char **argv)
{
	struct nvfio_vfio_device *d = NULL, *d2 = NULL;
	int fds, maps;

	vm = vm_setup(argc, argv);
	fds = count_fds();
	maps = count_maps();

	CHECK_ERR(nvfio_vfio_open("0000:ff:00.0", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_ENODEVICE);
	has("0000:ff:00.0");
	CHECK_ERR(nvfio_vfio_open("00:04", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_EBADADDR);
	CHECK_ERR(nvfio_vfio_open("", NVFIO_IOMMU_OPEN_AUTO, &d), -NVFIO_EBADADDR);
	CHECK(d == NULL);
	other_driver();
	CHECK(count_fds() == fds && count_maps() == maps);

	CHECK_OK(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d));
	/* The group is exclusive: a second opening is refused and undone completely. */
	{
		int f = count_fds(), m = count_maps();

		CHECK_ERR(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d2), -NVFIO_EGROUPBUSY);
		has("already open");
		CHECK(d2 == NULL && count_fds() == f && count_maps() == m);
	}
	regions(d);
	dma(d);
	nvfio_vfio_device_close(d);

	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	CHECK(nvfio_vfio_msix_host_irq(vm.addr, 0) == -NVFIO_ENOIRQ);
	return T_EXIT_PASS;
}
