/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regions: BARs, ROM and config space of a device, described by VFIO_DEVICE_GET_REGION_INFO,
 * accessed through the device file or mmapped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "support/compiler.h"
#include "support/error.h"
#include "vfio/vfio.h"

static int region_query(struct nvfio_vfio_device *dev, unsigned int index)
{
	const struct vfio_region_info query = {.index = index};
	struct nvf_vfio_region *r = &dev->regions[index];
	size_t len;
	void *ri;
	int ret;

	ret = nvf_vfio_get_info(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &query, sizeof(query), &ri,
				&len);
	if (ret == -EINVAL)
		return nvf_err(-NVFIO_ENOREGION, "%s has no region %u", dev->addr, index);
	if (ret < 0)
		return nvf_err(ret, "VFIO_DEVICE_GET_REGION_INFO %u of %s: %s", index, dev->addr,
			       strerror(-ret));
	ret = nvf_vfio_parse_region_info(ri, len, &r->info, &r->areas);
	free(ri);
	if (ret < 0)
		return nvf_err(ret, "region %u of %s: malformed capability chain", index,
			       dev->addr);
	r->info.index = index;
	r->known = true;
	return 0;
}

int nvfio_vfio_device_region_info(struct nvfio_vfio_device *dev, unsigned int index,
				  const struct nvfio_vfio_region_info **info)
{
	int ret;

	if (index >= dev->info.num_regions)
		return nvf_err(-NVFIO_ENOREGION, "%s has no region %u (it has %u)", dev->addr,
			       index, dev->info.num_regions);
	if (!dev->regions[index].known) {
		ret = region_query(dev, index);
		if (ret < 0)
			return ret;
	}
	*info = &dev->regions[index].info;
	return 0;
}

int nvf_vfio_map_areas(int fd, uint64_t foff, uint64_t size, bool sparse,
		       const struct nvfio_vfio_sparse_area *areas, unsigned int nr_areas, int prot,
		       void **addr, size_t *maplen)
{
	const struct nvfio_vfio_sparse_area whole = {.offset = 0, .size = size};
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len;
	char *base;
	int ret;

	if (!size || size > SIZE_MAX - page)
		return -EINVAL;
	len = ALIGN_UP((size_t)size, page);
	if (!sparse) {
		areas = &whole;
		nr_areas = 1;
	}
	for (unsigned int i = 0; i < nr_areas; i++)
		if (!IS_ALIGNED(areas[i].offset, page) || areas[i].offset > len ||
		    areas[i].size > len - areas[i].offset)
			return -EINVAL;

	/* One reservation for the whole region, so that the areas keep their offsets from one
	 * base and the holes between them fault instead of reaching other mappings. */
	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	for (unsigned int i = 0; i < nr_areas; i++) {
		size_t alen = ALIGN_UP((size_t)areas[i].size, page);
		void *p;

		if (!alen)
			continue;
		if (alen > len - areas[i].offset)
			alen = len - areas[i].offset;
		p = mmap(base + areas[i].offset, alen, prot, MAP_SHARED | MAP_FIXED, fd,
			 (off_t)(foff + areas[i].offset));
		if (p == MAP_FAILED) {
			ret = -errno;
			munmap(base, len);
			return ret;
		}
	}
	*addr = base;
	*maplen = len;
	return 0;
}

int nvfio_vfio_device_map_region(struct nvfio_vfio_device *dev, unsigned int index, void **addr,
				 size_t *len)
{
	const struct nvfio_vfio_region_info *info = NULL;
	struct nvf_vfio_region *r;
	int prot = 0, ret;

	ret = nvfio_vfio_device_region_info(dev, index, &info);
	if (ret < 0)
		return ret;
	r = &dev->regions[index];
	if (r->map)
		goto done;
	if (!info->size)
		return nvf_err(-NVFIO_ENOREGION, "region %u of %s is not implemented (size 0)",
			       index, dev->addr);
	if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP) || (info->sparse && !info->nr_areas))
		return nvf_err(-NVFIO_ENOREGION,
			       "region %u of %s cannot be mmapped: access it with "
			       "nvfio_vfio_device_region_read/write",
			       index, dev->addr);
	if (info->flags & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (info->flags & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;

	ret = nvf_vfio_map_areas(dev->fd, info->offset, info->size, info->sparse, info->areas,
				 info->nr_areas, prot, &r->map, &r->map_len);
	if (ret < 0) {
		r->map = NULL;
		return nvf_err(ret, "mmap of region %u of %s (%llu bytes): %s", index, dev->addr,
			       (unsigned long long)info->size, strerror(-ret));
	}
	/* From here a fault in the mapping (the device removed) reads all-ones, not SIGBUS. */
	ret = nvf_vfio_bar_register(r->map, r->map_len, &dev->removed);
	if (ret < 0) {
		munmap(r->map, r->map_len);
		r->map = NULL;
		if (ret == -ENOSPC)
			return nvf_err(ret,
				       "region %u of %s not mapped: nvfio maps at most %d regions "
				       "at once, of all devices; unmap some first "
				       "(nvfio_vfio_device_unmap_region, or close devices)",
				       index, dev->addr, NVF_VFIO_BARS_MAX);
		return nvf_err(ret, "region %u of %s not mapped: installing the SIGBUS handler: %s",
			       index, dev->addr, strerror(-ret));
	}
done:
	*addr = r->map;
	if (len)
		*len = (size_t)info->size;
	return 0;
}

int nvfio_vfio_device_unmap_region(struct nvfio_vfio_device *dev, unsigned int index)
{
	struct nvf_vfio_region *r;

	if (index >= dev->info.num_regions || !dev->regions[index].map)
		return nvf_err(-NVFIO_ENOREGION, "region %u of %s is not mapped", index, dev->addr);
	r = &dev->regions[index];
	nvf_vfio_bar_unregister(r->map);
	munmap(r->map, r->map_len);
	r->map = NULL;
	r->map_len = 0;
	return 0;
}

/* Check an access of @len bytes at @off of region @index that needs @flag. */
static int region_access(struct nvfio_vfio_device *dev, unsigned int index, size_t len,
			 uint64_t off, uint32_t flag, const struct nvfio_vfio_region_info **info)
{
	int ret;

	ret = nvfio_vfio_device_region_info(dev, index, info);
	if (ret < 0)
		return ret;
	if (!((*info)->flags & flag))
		return nvf_err(-EINVAL, "region %u of %s cannot be %s", index, dev->addr,
			       flag == VFIO_REGION_INFO_FLAG_READ ? "read" : "written");
	if (off > (*info)->size || len > (*info)->size - off)
		return nvf_err(-EINVAL,
			       "access of %zu bytes at 0x%llx is outside region %u of %s "
			       "(%llu bytes)",
			       len, (unsigned long long)off, index, dev->addr,
			       (unsigned long long)(*info)->size);
	return 0;
}

int nvfio_vfio_device_region_read(struct nvfio_vfio_device *dev, unsigned int index, void *buf,
				  size_t len, uint64_t off)
{
	const struct nvfio_vfio_region_info *info = NULL;
	ssize_t n;
	int ret;

	ret = region_access(dev, index, len, off, VFIO_REGION_INFO_FLAG_READ, &info);
	if (ret < 0)
		return ret;
	/* vfio-pci splits accesses into naturally aligned ones itself; one pread suffices. */
	n = pread(dev->fd, buf, len, (off_t)(info->offset + off));
	if (n < 0)
		return nvf_err(-errno, "reading region %u of %s at 0x%llx: %s", index, dev->addr,
			       (unsigned long long)off, strerror(errno));
	if ((size_t)n != len)
		return nvf_err(-EIO, "short read of region %u of %s at 0x%llx", index, dev->addr,
			       (unsigned long long)off);
	return 0;
}

int nvfio_vfio_device_region_write(struct nvfio_vfio_device *dev, unsigned int index,
				   const void *buf, size_t len, uint64_t off)
{
	const struct nvfio_vfio_region_info *info = NULL;
	ssize_t n;
	int ret;

	ret = region_access(dev, index, len, off, VFIO_REGION_INFO_FLAG_WRITE, &info);
	if (ret < 0)
		return ret;
	n = pwrite(dev->fd, buf, len, (off_t)(info->offset + off));
	if (n < 0)
		return nvf_err(-errno, "writing region %u of %s at 0x%llx: %s", index, dev->addr,
			       (unsigned long long)off, strerror(errno));
	if ((size_t)n != len)
		return nvf_err(-EIO, "short write of region %u of %s at 0x%llx", index, dev->addr,
			       (unsigned long long)off);
	return 0;
}
