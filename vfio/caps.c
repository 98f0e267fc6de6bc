/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VFIO capability chains: the kernel appends variable-sized records to some info structures
 * (regions, the type1 IOMMU), each starting with struct vfio_info_cap_header whose next field is
 * the offset of the following record from the start of the info structure, 0 ending the chain.
 *
 * The parsers check every offset and length against the buffer, so that a short or corrupt answer
 * (or a hand-made one in a test) is an error, never a read out of bounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include "support/compiler.h"
#include "vfio/vfio.h"

_Static_assert(sizeof(struct vfio_info_cap_header) == 8, "vfio_info_cap_header");
_Static_assert(sizeof(struct vfio_region_info) == 32, "vfio_region_info");
_Static_assert(sizeof(struct vfio_region_info_cap_sparse_mmap) == 16, "sparse mmap cap");
_Static_assert(sizeof(struct vfio_region_sparse_mmap_area) == 16, "sparse mmap area");
_Static_assert(sizeof(struct vfio_region_info_cap_type) == 16, "region type cap");
_Static_assert(sizeof(struct vfio_iommu_type1_info) == 24, "vfio_iommu_type1_info");
_Static_assert(sizeof(struct vfio_iommu_type1_info_cap_iova_range) == 16, "iova range cap");
_Static_assert(sizeof(struct vfio_iova_range) == 16, "vfio_iova_range");
_Static_assert(sizeof(struct vfio_iommu_type1_info_dma_avail) == 12, "dma avail cap");

/* The public flag values are the kernel's. */
_Static_assert((int)NVFIO_VFIO_REGION_READ == (int)VFIO_REGION_INFO_FLAG_READ, "region flags");
_Static_assert((int)NVFIO_VFIO_REGION_WRITE == (int)VFIO_REGION_INFO_FLAG_WRITE, "region flags");
_Static_assert((int)NVFIO_VFIO_REGION_MMAP == (int)VFIO_REGION_INFO_FLAG_MMAP, "region flags");

int nvf_vfio_get_info(int fd, unsigned long request, const void *query, size_t qlen, void **out,
		      size_t *len)
{
	uint32_t argsz = (uint32_t)qlen;

	/* A chain only grows between two calls when a group joins the container meanwhile; three
	 * rounds are plenty. */
	for (int tries = 0; tries < 3; tries++) {
		unsigned char *buf = calloc(1, argsz);
		uint32_t want;

		if (!buf)
			return -ENOMEM;
		memcpy(buf, query, qlen);
		memcpy(buf, &argsz, sizeof(argsz));
		if (ioctl(fd, request, buf) < 0) {
			int ret = -errno;

			free(buf);
			return ret;
		}
		memcpy(&want, buf, sizeof(want));
		if (want <= argsz) {
			*out = buf;
			*len = want < qlen ? qlen : want;
			return 0;
		}
		free(buf);
		argsz = want;
	}
	return -EMSGSIZE;
}

/*
 * Step through a chain: *@off is the offset of the current record (start with the info's
 * cap_offset). Returns 1 with *@hdr filled, 0 at the end, -EPROTO for a record that does not fit
 * or a next pointer that does not move forward (which also rules out loops).
 */
static int cap_next(const unsigned char *buf, size_t len, size_t info_size, uint32_t *off,
		    uint32_t *prev, struct vfio_info_cap_header *hdr)
{
	if (*off == 0)
		return 0;
	if (*off < info_size || *off <= *prev || (size_t)*off > len || len - *off < sizeof(*hdr))
		return -EPROTO;
	memcpy(hdr, buf + *off, sizeof(*hdr));
	*prev = *off;
	return 1;
}

/* Does a record of @need bytes at @off fit in the buffer? */
static bool cap_fits(size_t len, uint32_t off, size_t need)
{
	return (size_t)off <= len && len - off >= need;
}

/*
 * Copy the array a capability ends in (sparse mmap areas, IOVA ranges): @count elements of @size
 * bytes after the @hdr bytes of the capability at @off, into a malloc'ed *@out (NULL for none).
 * Returns 0, -EPROTO (it does not fit) or -ENOMEM.
 */
static int cap_array(const unsigned char *buf, size_t len, uint32_t off, size_t hdr, uint32_t count,
		     size_t size, void **out)
{
	size_t bytes = (size_t)count * size;

	*out = NULL;
	if (!cap_fits(len, off, hdr + bytes))
		return -EPROTO;
	if (!count)
		return 0;
	*out = malloc(bytes);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf + off + hdr, bytes);
	return 0;
}

int nvf_vfio_parse_region_info(const void *buf, size_t len, struct nvfio_vfio_region_info *info,
			       struct nvfio_vfio_sparse_area **areas)
{
	const unsigned char *b = buf;
	struct vfio_region_info ri;
	struct vfio_info_cap_header hdr;
	uint32_t off, prev = 0;
	void *copy;
	int ret;

	*areas = NULL;
	if (len < sizeof(ri))
		return -EPROTO;
	memcpy(&ri, b, sizeof(ri));
	memset(info, 0, sizeof(*info));
	info->index = ri.index;
	info->flags = ri.flags & ~(uint32_t)VFIO_REGION_INFO_FLAG_CAPS;
	info->size = ri.size;
	info->offset = ri.offset;
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;

	off = ri.cap_offset;
	while ((ret = cap_next(b, len, sizeof(ri), &off, &prev, &hdr)) > 0) {
		switch (hdr.id) {
		case VFIO_REGION_INFO_CAP_SPARSE_MMAP: {
			struct vfio_region_info_cap_sparse_mmap sp;

			if (!cap_fits(len, off, sizeof(sp)))
				goto bad;
			memcpy(&sp, b + off, sizeof(sp));
			/* A second one would be ambiguous. struct vfio_region_sparse_mmap_area is
			 * {offset, size}, as ours. */
			if (info->sparse)
				goto bad;
			ret = cap_array(b, len, off, sizeof(sp), sp.nr_areas,
					sizeof(struct vfio_region_sparse_mmap_area), &copy);
			if (ret < 0)
				goto bad;
			*areas = copy;
			info->sparse = true;
			info->nr_areas = sp.nr_areas;
			info->areas = *areas;
			break;
		}
		case VFIO_REGION_INFO_CAP_TYPE: {
			struct vfio_region_info_cap_type t;

			if (!cap_fits(len, off, sizeof(t)))
				goto bad;
			memcpy(&t, b + off, sizeof(t));
			info->has_type = true;
			info->type = t.type;
			info->subtype = t.subtype;
			break;
		}
		case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE:
			info->msix_mappable = true;
			break;
		default:
			/* Capabilities this library has no use for (NVLink2, ...) are skipped. */
			break;
		}
		off = hdr.next;
	}
	if (ret == 0)
		return 0;
bad:
	free(*areas);
	*areas = NULL;
	info->areas = NULL;
	info->nr_areas = 0;
	return ret < 0 ? ret : -EPROTO;
}

_Static_assert(sizeof(struct nvfio_vfio_sparse_area) == sizeof(struct vfio_region_sparse_mmap_area),
	       "sparse area layout");
_Static_assert(offsetof(struct nvfio_vfio_sparse_area, size) ==
		   offsetof(struct vfio_region_sparse_mmap_area, size),
	       "sparse area layout");

int nvf_vfio_parse_iommu_info(const void *buf, size_t len, struct nvfio_vfio_iommu_info *info,
			      struct nvfio_vfio_iova_range **ranges)
{
	const unsigned char *b = buf;
	struct vfio_iommu_type1_info ii;
	struct vfio_info_cap_header hdr;
	uint32_t off, prev = 0;
	size_t info_size;
	bool have_ranges = false;
	void *copy;
	int ret;

	*ranges = NULL;
	memset(info, 0, sizeof(*info));
	/* Kernels without capabilities answer with the structure up to iova_pgsizes. */
	info_size = offsetof(struct vfio_iommu_type1_info, cap_offset);
	if (len < info_size)
		return -EPROTO;
	memset(&ii, 0, sizeof(ii));
	memcpy(&ii, b, len < sizeof(ii) ? len : sizeof(ii));
	if (ii.flags & VFIO_IOMMU_INFO_PGSIZES)
		info->pgsize_bitmap = ii.iova_pgsizes;
	if (!(ii.flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	if (len < sizeof(ii))
		return -EPROTO;

	off = ii.cap_offset;
	while ((ret = cap_next(b, len, sizeof(ii), &off, &prev, &hdr)) > 0) {
		switch (hdr.id) {
		case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
			struct vfio_iommu_type1_info_cap_iova_range r;

			if (!cap_fits(len, off, sizeof(r)))
				goto bad;
			memcpy(&r, b + off, sizeof(r));
			if (have_ranges)
				goto bad;
			have_ranges = true;
			ret = cap_array(b, len, off, sizeof(r), r.nr_iovas,
					sizeof(struct vfio_iova_range), &copy);
			if (ret < 0)
				goto bad;
			*ranges = copy;
			for (uint32_t i = 0; i < r.nr_iovas; i++)
				if ((*ranges)[i].last < (*ranges)[i].start) {
					ret = -EPROTO;
					goto bad;
				}
			info->nr_ranges = r.nr_iovas;
			info->ranges = *ranges;
			break;
		}
		case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
			struct vfio_iommu_type1_info_dma_avail a;

			if (!cap_fits(len, off, sizeof(a)))
				goto bad;
			memcpy(&a, b + off, sizeof(a));
			info->has_dma_avail = true;
			info->dma_avail = a.avail;
			break;
		}
		default:
			/* Migration and later capabilities are not needed here. */
			break;
		}
		off = hdr.next;
	}
	if (ret == 0)
		return 0;
bad:
	free(*ranges);
	*ranges = NULL;
	info->ranges = NULL;
	info->nr_ranges = 0;
	return ret < 0 ? ret : -EPROTO;
}

_Static_assert(sizeof(struct nvfio_vfio_iova_range) == sizeof(struct vfio_iova_range),
	       "iova range layout");
_Static_assert(offsetof(struct nvfio_vfio_iova_range, last) ==
		   offsetof(struct vfio_iova_range, end),
	       "iova range layout");
