/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two backends of the legacy container API: type1v2 (an IOMMU translates IOVAs; memory is
 * mapped with VFIO_IOMMU_MAP_DMA) and no-IOMMU (the device sees physical addresses; nothing can
 * be mapped, the DMA layer uses /proc/self/pagemap). Both open devices through their group.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include "dma/mem.h"
#include "support/error.h"
#include "vfio/vfio.h"

static int type1_dma_map(struct nvfio_vfio_container *c, void *vaddr, size_t len, uint64_t iova,
			 unsigned int flags)
{
	struct vfio_iommu_type1_dma_map map = {
	    .argsz = sizeof(map),
	    .vaddr = (uintptr_t)vaddr,
	    .iova = iova,
	    .size = len,
	};
	int err;

	if (!flags)
		flags = NVFIO_IOMMU_DMA_READ | NVFIO_IOMMU_DMA_WRITE;
	if (flags & NVFIO_IOMMU_DMA_READ)
		map.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (flags & NVFIO_IOMMU_DMA_WRITE)
		map.flags |= VFIO_DMA_MAP_FLAG_WRITE;

	if (ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map) == 0)
		return 0;
	err = errno;
	switch (err) {
	case ENOSPC:
		return nvf_err(
		    -NVFIO_ENOMAPPINGS,
		    "mapping %zu bytes at IOVA 0x%" PRIx64 ": the container holds as many "
		    "DMA mappings as vfio_iommu_type1 allows (its dma_entry_limit "
		    "parameter, 65535 by default): map fewer, larger ranges, or raise it "
		    "with 'modprobe vfio_iommu_type1 dma_entry_limit=N'",
		    len, iova);
	case ENOMEM:
		/* What vfio_iommu_type1 says when pinning would pass RLIMIT_MEMLOCK. */
		return nvf_dma_mem_memlock_error(len, 0);
	case EEXIST:
		return nvf_err(-EEXIST,
			       "IOVA range [0x%" PRIx64 ", +%zu) overlaps an existing DMA mapping",
			       iova, len);
	case EINVAL:
		return nvf_err(-EINVAL,
			       "cannot map %zu bytes of %p at IOVA 0x%" PRIx64
			       ": not page-aligned, "
			       "or outside the IOMMU's valid IOVA ranges "
			       "(nvfio_iommu_get_info)",
			       len, vaddr, iova);
	case EFAULT:
		return nvf_err(-EFAULT, "cannot pin [%p, +%zu) for DMA: not mapped memory", vaddr,
			       len);
	default:
		return nvf_err(-err, "VFIO_IOMMU_MAP_DMA of %zu bytes at IOVA 0x%" PRIx64 ": %s",
			       len, iova, strerror(err));
	}
}

static int type1_dma_unmap(struct nvfio_vfio_container *c, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
	    .argsz = sizeof(unmap),
	    .iova = iova,
	    .size = len,
	};

	if (ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0) {
		int err = errno;

		if (err == EINVAL)
			return nvf_err(-EINVAL,
				       "cannot unmap IOVA [0x%" PRIx64
				       ", +%zu): not page-aligned, or "
				       "the range cuts through a mapping (unmap whole mappings)",
				       iova, len);
		return nvf_err(-err, "VFIO_IOMMU_UNMAP_DMA at IOVA 0x%" PRIx64 ": %s", iova,
			       strerror(err));
	}
	/* The kernel succeeds on a range holding no mapping and says how much it unmapped. */
	if (unmap.size != len)
		return nvf_err(-NVFIO_ENOTMAPPED,
			       "IOVA [0x%" PRIx64 ", +%zu) was not (entirely) mapped: %llu bytes "
			       "were unmapped",
			       iova, len, (unsigned long long)unmap.size);
	return 0;
}

static int type1_get_info(struct nvfio_vfio_container *c)
{
	const struct vfio_iommu_type1_info query = {.argsz = 0};
	struct nvfio_iommu_iova_range *ranges = NULL;
	struct nvfio_iommu_info info;
	size_t len;
	void *buf;
	int ret;

	ret = nvf_vfio_get_info(c->fd, VFIO_IOMMU_GET_INFO, &query, sizeof(query), &buf, &len);
	if (ret < 0)
		return nvf_err(ret, "VFIO_IOMMU_GET_INFO: %s", strerror(-ret));
	ret = nvf_vfio_parse_iommu_info(buf, len, &info, &ranges);
	free(buf);
	if (ret < 0)
		return nvf_err(ret, "VFIO_IOMMU_GET_INFO answered a malformed capability chain");
	free(c->ranges);
	c->ranges = ranges;
	c->info = info;
	return 0;
}

static int noiommu_dma_map(struct nvfio_vfio_container *c, void *vaddr, size_t len, uint64_t iova,
			   unsigned int flags)
{
	return nvf_err(-ENOTSUP, "no-IOMMU mode has no IOMMU to map into: the device uses "
				 "physical addresses (see nvfio_iommu_dma)");
}

static int noiommu_dma_unmap(struct nvfio_vfio_container *c, uint64_t iova, size_t len)
{
	return nvf_err(-ENOTSUP, "no-IOMMU mode has no IOMMU to unmap from");
}

static int noiommu_get_info(struct nvfio_vfio_container *c)
{
	return nvf_err(-ENOTSUP, "no-IOMMU mode has no IOMMU to describe");
}

static int group_device_fd(struct nvfio_vfio_container *c, struct nvfio_vfio_group *g,
			   const char *addr, int *fd)
{
	return nvf_vfio_group_device_fd(g, addr, fd);
}

const struct nvf_vfio_backend_ops nvf_vfio_type1v2_ops = {
    .name = "vfio-type1v2",
    .type = NVFIO_VFIO_TYPE1V2,
    .identity_phys = false,
    .dma_map = type1_dma_map,
    .dma_unmap = type1_dma_unmap,
    .get_info = type1_get_info,
    .device_fd = group_device_fd,
};

const struct nvf_vfio_backend_ops nvf_vfio_noiommu_ops = {
    .name = "vfio-noiommu",
    .type = NVFIO_VFIO_NOIOMMU,
    .identity_phys = true,
    .dma_map = noiommu_dma_map,
    .dma_unmap = noiommu_dma_unmap,
    .get_info = noiommu_get_info,
    .device_fd = group_device_fd,
};
