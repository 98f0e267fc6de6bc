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

/* One capability of a chain, handed to a parser's callback by cap_walk(). */
struct cap {
	const unsigned char *buf; /* the whole answer */
	size_t len;
	uint32_t off; /* where the capability starts in it */
	uint16_t id;
};

/*
 * Call @fn for every capability of the chain whose first record is at @first, stopping at the
 * first error. Each next pointer is checked against the buffer and must move forward (which
 * also rules out loops); records start after the info structure's @info_size bytes.
 * Returns 0, -EPROTO, or @fn's error.
 */
static int cap_walk(const unsigned char *buf, size_t len, size_t info_size, uint32_t first,
		    int (*fn)(void *ctx, const struct cap *cap), void *ctx)
{
	struct vfio_info_cap_header hdr;
	uint32_t off = first, prev = 0;
	int ret;

	while (off) {
		if (off < info_size || off <= prev || (size_t)off > len || len - off < sizeof(hdr))
			return -EPROTO;
		memcpy(&hdr, buf + off, sizeof(hdr));
		ret = fn(ctx, &(struct cap){buf, len, off, hdr.id});
		if (ret < 0)
			return ret;
		prev = off;
		off = hdr.next;
	}
	return 0;
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

/* What a region parser fills in; areas is info->areas, writable. */
struct region_caps {
	struct nvfio_vfio_region_info *info;
	struct nvfio_vfio_sparse_area *areas;
};

static int region_cap(void *ctx, const struct cap *c)
{
	struct region_caps *rc = ctx;
	struct nvfio_vfio_region_info *info = rc->info;

	switch (c->id) {
	case VFIO_REGION_INFO_CAP_SPARSE_MMAP: {
		struct vfio_region_info_cap_sparse_mmap sp;
		void *copy;
		int ret;

		/* A second one would be ambiguous. */
		if (info->sparse || !cap_fits(c->len, c->off, sizeof(sp)))
			return -EPROTO;
		memcpy(&sp, c->buf + c->off, sizeof(sp));
		/* struct vfio_region_sparse_mmap_area is {offset, size}, as ours. */
		ret = cap_array(c->buf, c->len, c->off, sizeof(sp), sp.nr_areas,
				sizeof(struct vfio_region_sparse_mmap_area), &copy);
		if (ret < 0)
			return ret;
		rc->areas = copy;
		info->sparse = true;
		info->nr_areas = sp.nr_areas;
		info->areas = rc->areas;
		return 0;
	}
	case VFIO_REGION_INFO_CAP_TYPE: {
		struct vfio_region_info_cap_type t;

		if (!cap_fits(c->len, c->off, sizeof(t)))
			return -EPROTO;
		memcpy(&t, c->buf + c->off, sizeof(t));
		info->has_type = true;
		info->type = t.type;
		info->subtype = t.subtype;
		return 0;
	}
	case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE:
		info->msix_mappable = true;
		return 0;
	default:
		/* Capabilities this library has no use for (NVLink2, ...) are skipped. */
		return 0;
	}
}

int nvf_vfio_parse_region_info(const void *buf, size_t len, struct nvfio_vfio_region_info *info,
			       struct nvfio_vfio_sparse_area **areas)
{
	struct region_caps rc = {.info = info};
	struct vfio_region_info ri;
	int ret;

	*areas = NULL;
	if (len < sizeof(ri))
		return -EPROTO;
	memcpy(&ri, buf, sizeof(ri));
	memset(info, 0, sizeof(*info));
	info->index = ri.index;
	info->flags = ri.flags & ~(uint32_t)VFIO_REGION_INFO_FLAG_CAPS;
	info->size = ri.size;
	info->offset = ri.offset;
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;

	ret = cap_walk(buf, len, sizeof(ri), ri.cap_offset, region_cap, &rc);
	if (ret < 0) {
		free(rc.areas);
		info->areas = NULL;
		info->nr_areas = 0;
		return ret;
	}
	*areas = rc.areas;
	return 0;
}

_Static_assert(sizeof(struct nvfio_vfio_sparse_area) == sizeof(struct vfio_region_sparse_mmap_area),
	       "sparse area layout");
_Static_assert(offsetof(struct nvfio_vfio_sparse_area, size) ==
		   offsetof(struct vfio_region_sparse_mmap_area, size),
	       "sparse area layout");

/* What an IOMMU info parser fills in; ranges is info->ranges, writable. */
struct iommu_caps {
	struct nvfio_iommu_info *info;
	struct nvfio_iommu_iova_range *ranges;
	bool have_ranges;
};

static int iommu_cap(void *ctx, const struct cap *c)
{
	struct iommu_caps *ic = ctx;
	struct nvfio_iommu_info *info = ic->info;

	switch (c->id) {
	case VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: {
		struct vfio_iommu_type1_info_cap_iova_range r;
		void *copy;
		int ret;

		/* A second one, even after an empty first, would be ambiguous. */
		if (ic->have_ranges || !cap_fits(c->len, c->off, sizeof(r)))
			return -EPROTO;
		memcpy(&r, c->buf + c->off, sizeof(r));
		ret = cap_array(c->buf, c->len, c->off, sizeof(r), r.nr_iovas,
				sizeof(struct vfio_iova_range), &copy);
		if (ret < 0)
			return ret;
		ic->have_ranges = true;
		ic->ranges = copy;
		for (uint32_t i = 0; i < r.nr_iovas; i++)
			if (ic->ranges[i].last < ic->ranges[i].start)
				return -EPROTO;
		info->ranges = ic->ranges;
		info->nr_ranges = r.nr_iovas;
		return 0;
	}
	case VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL: {
		struct vfio_iommu_type1_info_dma_avail a;

		if (!cap_fits(c->len, c->off, sizeof(a)))
			return -EPROTO;
		memcpy(&a, c->buf + c->off, sizeof(a));
		info->has_dma_avail = true;
		info->dma_avail = a.avail;
		return 0;
	}
	default:
		/* Migration and later capabilities are not needed here. */
		return 0;
	}
}

int nvf_vfio_parse_iommu_info(const void *buf, size_t len, struct nvfio_iommu_info *info,
			      struct nvfio_iommu_iova_range **ranges)
{
	struct iommu_caps ic = {.info = info};
	struct vfio_iommu_type1_info ii;
	int ret;

	*ranges = NULL;
	memset(info, 0, sizeof(*info));
	/* Kernels without capabilities answer with the structure up to iova_pgsizes. */
	if (len < offsetof(struct vfio_iommu_type1_info, cap_offset))
		return -EPROTO;
	memset(&ii, 0, sizeof(ii));
	memcpy(&ii, buf, len < sizeof(ii) ? len : sizeof(ii));
	if (ii.flags & VFIO_IOMMU_INFO_PGSIZES)
		info->pgsize_bitmap = ii.iova_pgsizes;
	if (!(ii.flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	if (len < sizeof(ii))
		return -EPROTO;

	ret = cap_walk(buf, len, sizeof(ii), ii.cap_offset, iommu_cap, &ic);
	if (ret < 0) {
		free(ic.ranges);
		info->ranges = NULL;
		info->nr_ranges = 0;
		return ret;
	}
	*ranges = ic.ranges;
	return 0;
}

_Static_assert(sizeof(struct nvfio_iommu_iova_range) == sizeof(struct vfio_iova_range),
	       "iova range layout");
_Static_assert(offsetof(struct nvfio_iommu_iova_range, last) ==
		   offsetof(struct vfio_iova_range, end),
	       "iova range layout");
