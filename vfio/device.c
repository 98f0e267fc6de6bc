/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Devices: the fd of one PCI function, its description, config space, bus mastering and reset.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "support/error.h"
#include "vfio/vfio.h"

_Static_assert((int)NVFIO_VFIO_DEVICE_RESET == (int)VFIO_DEVICE_FLAGS_RESET, "device flags");
_Static_assert((int)NVFIO_VFIO_DEVICE_PCI == (int)VFIO_DEVICE_FLAGS_PCI, "device flags");
_Static_assert((int)NVFIO_VFIO_PCI_CONFIG == (int)VFIO_PCI_CONFIG_REGION_INDEX, "region index");
_Static_assert((int)NVFIO_VFIO_PCI_ROM == (int)VFIO_PCI_ROM_REGION_INDEX, "region index");
_Static_assert((int)NVFIO_VFIO_PCI_VGA == (int)VFIO_PCI_VGA_REGION_INDEX, "region index");

static int device_get_info(struct nvfio_vfio_device *dev)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};

	if (ioctl(dev->fd, VFIO_DEVICE_GET_INFO, &info) < 0)
		return nvf_err(-errno, "VFIO_DEVICE_GET_INFO of %s: %s", dev->addr,
			       strerror(errno));
	dev->info.flags = info.flags & (VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI);
	dev->info.num_regions = info.num_regions;
	dev->info.num_irqs = info.num_irqs;
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		return nvf_err(-ENOTSUP, "%s is not a PCI device as VFIO describes it", dev->addr);
	return 0;
}

int nvfio_vfio_group_device_open(struct nvfio_vfio_group *g, const char *addr,
				 struct nvfio_vfio_device **out)
{
	struct nvfio_vfio_container *c = g->container;
	struct nvfio_vfio_device *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return nvf_err(-ENOMEM, "no memory for a VFIO device");
	dev->fd = -1;
	dev->root = g->root;
	dev->group = g;

	ret = nvfio_pci_addr_parse(addr, dev->addr);
	if (ret < 0)
		goto err_free;
	ret = nvf_vfio_check_bound(g->root, dev->addr);
	if (ret < 0)
		goto err_free;
	if (!c || !c->ops) {
		ret = nvf_err(-EINVAL,
			      "cannot open %s: put IOMMU group %u in a context's container and "
			      "set its IOMMU type first (nvfio_vfio_device_open does both)",
			      dev->addr, g->id);
		goto err_free;
	}
	dev->ctx = c->ctx;
	ret = c->ops->device_fd(c, g, dev->addr, &dev->fd);
	if (ret < 0)
		goto err_free;
	ret = device_get_info(dev);
	if (ret < 0)
		goto err_close;
	dev->regions = calloc(dev->info.num_regions, sizeof(*dev->regions));
	if (!dev->regions) {
		ret = nvf_err(-ENOMEM, "no memory for the regions of %s", dev->addr);
		goto err_close;
	}
	*out = dev;
	return 0;

err_close:
	close(dev->fd);
err_free:
	free(dev);
	return ret;
}

void nvfio_vfio_device_close(struct nvfio_vfio_device *dev)
{
	if (!dev)
		return;
	for (uint32_t i = 0; i < dev->info.num_regions; i++) {
		if (dev->regions[i].map) {
			nvf_vfio_bar_unregister(dev->regions[i].map);
			munmap(dev->regions[i].map, dev->regions[i].map_len);
		}
		free(dev->regions[i].areas);
	}
	free(dev->regions);
	/* Closing the fd makes the kernel release the interrupts and reset the device. */
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->owns_ctx)
		nvfio_iommu_close(dev->ctx);
	free(dev);
}

int nvfio_vfio_device_release(struct nvfio_vfio_device *dev)
{
	uint32_t i;

	if (dev->fd < 0)
		return 0;
	for (i = 0; i < dev->info.num_regions; i++) {
		struct nvf_vfio_region *r = &dev->regions[i];
		int ret;

		if (!r->map)
			continue;
		ret = nvf_vfio_fill_ones(r->map, r->map_len);
		if (ret < 0)
			return nvf_err(-ENOMEM,
				       "%s: cannot replace region %u by all-ones memory: %s",
				       dev->addr, i, strerror(-ret));
	}
	__atomic_store_n(&dev->removed, 1, __ATOMIC_RELEASE);
	close(dev->fd);
	dev->fd = -1;
	return 0;
}

bool nvfio_vfio_device_removed(const struct nvfio_vfio_device *dev)
{
	return __atomic_load_n(&dev->removed, __ATOMIC_ACQUIRE);
}

int nvfio_vfio_device_fd(const struct nvfio_vfio_device *dev)
{
	return dev->fd;
}

const char *nvfio_vfio_device_addr(const struct nvfio_vfio_device *dev)
{
	return dev->addr;
}

struct nvfio_vfio_group *nvfio_vfio_device_group(const struct nvfio_vfio_device *dev)
{
	return dev->group;
}

struct nvfio_iommu *nvfio_vfio_device_iommu(const struct nvfio_vfio_device *dev)
{
	return dev->ctx;
}

void nvfio_vfio_device_get_info(const struct nvfio_vfio_device *dev,
				struct nvfio_vfio_device_info *info)
{
	*info = dev->info;
}

int nvfio_vfio_device_config_read(struct nvfio_vfio_device *dev, void *buf, size_t len,
				  uint64_t off)
{
	return nvfio_vfio_device_region_read(dev, VFIO_PCI_CONFIG_REGION_INDEX, buf, len, off);
}

int nvfio_vfio_device_config_write(struct nvfio_vfio_device *dev, const void *buf, size_t len,
				   uint64_t off)
{
	return nvfio_vfio_device_region_write(dev, VFIO_PCI_CONFIG_REGION_INDEX, buf, len, off);
}

int nvfio_vfio_device_bus_master(struct nvfio_vfio_device *dev, bool enable)
{
	uint16_t cmd, want;
	int ret;

	ret = nvfio_vfio_device_config_read(dev, &cmd, sizeof(cmd), PCI_COMMAND);
	if (ret < 0)
		return ret;
	cmd = le16toh(cmd);
	want = enable ? (cmd | PCI_COMMAND_MASTER) : (cmd & ~PCI_COMMAND_MASTER);
	if (want == cmd)
		return 0;
	want = htole16(want);
	return nvfio_vfio_device_config_write(dev, &want, sizeof(want), PCI_COMMAND);
}

int nvfio_vfio_device_reset(struct nvfio_vfio_device *dev)
{
	if (!(dev->info.flags & VFIO_DEVICE_FLAGS_RESET))
		return nvf_err(-ENOTSUP,
			       "%s has no reset method VFIO can use (no FLR, PM or bus reset)",
			       dev->addr);
	if (ioctl(dev->fd, VFIO_DEVICE_RESET) < 0)
		return nvf_err(-errno, "VFIO_DEVICE_RESET of %s: %s", dev->addr, strerror(errno));
	return 0;
}
