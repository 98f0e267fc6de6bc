/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_DMA_FAKE_IOMMU_H
#define NVFIO_TESTS_DMA_FAKE_IOMMU_H

/*
 * An IOMMU backend for tests that behaves like VFIO type1v2 where it matters to the DMA layer:
 * it records every mapping, refuses overlapping maps and IOVAs outside its valid ranges, fails
 * with -ENOSPC beyond its own mapping limit, and refuses an unmap that does not cover whole
 * mappings (type1v2 cannot split one). A test asserts on what is left mapped.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dma/dma.h"

#define FAKE_MAX 4096

struct fake_map {
	uint64_t iova;
	uint64_t len;
	void *vaddr;
};

struct fake_iommu {
	struct fake_map maps[FAKE_MAX];
	unsigned int nmaps;
	unsigned int limit; /* the kernel's own limit: -ENOSPC beyond it (0: FAKE_MAX) */
	int fail_map;	    /* if non-zero, the next map() returns it */
	int fail_unmap;	    /* if non-zero, the next unmap() returns it, unmapping nothing */
	unsigned int map_calls, unmap_calls, bad_calls;
	struct nvf_iommu_range ranges[4];
	unsigned int nranges;
};

static int fake_map_cb(void *ctx, void *vaddr, size_t len, uint64_t iova)
{
	struct fake_iommu *f = ctx;
	unsigned int i;
	bool inside = f->nranges == 0;

	f->map_calls++;
	if (f->fail_map) {
		int r = f->fail_map;

		f->fail_map = 0;
		return r;
	}
	for (i = 0; i < f->nranges; i++)
		if (iova >= f->ranges[i].start && iova + len - 1 <= f->ranges[i].last)
			inside = true;
	if (!inside || !len || (iova & 4095) || (len & 4095)) {
		f->bad_calls++;
		return -EINVAL;
	}
	for (i = 0; i < f->nmaps; i++)
		if (iova < f->maps[i].iova + f->maps[i].len && f->maps[i].iova < iova + len) {
			f->bad_calls++;
			return -EEXIST;
		}
	if (f->nmaps >= (f->limit ? f->limit : FAKE_MAX))
		return -ENOSPC;
	f->maps[f->nmaps++] = (struct fake_map){iova, len, vaddr};
	return 0;
}

/* type1v2: the range must start and end on mapping boundaries; every mapping inside goes. */
static int fake_unmap_cb(void *ctx, uint64_t iova, size_t len)
{
	struct fake_iommu *f = ctx;
	uint64_t end = iova + len;
	unsigned int i, j;

	f->unmap_calls++;
	if (f->fail_unmap) {
		int r = f->fail_unmap;

		f->fail_unmap = 0;
		return r;
	}
	for (i = 0; i < f->nmaps; i++) {
		const struct fake_map *m = &f->maps[i];

		if (m->iova < end && iova < m->iova + m->len &&
		    (m->iova < iova || m->iova + m->len > end)) {
			f->bad_calls++;
			return -EINVAL;
		}
	}
	for (i = 0, j = 0; i < f->nmaps; i++)
		if (!(f->maps[i].iova >= iova && f->maps[i].iova < end))
			f->maps[j++] = f->maps[i];
	if (j == f->nmaps) {
		f->bad_calls++;
		return -ENOENT;
	}
	f->nmaps = j;
	return 0;
}

static const struct nvf_iommu_ops fake_ops = {.map = fake_map_cb, .unmap = fake_unmap_cb};

/* A type1v2-like backend over @f with x86's usual hole below 4 GiB, @avail mappings. */
static inline struct nvf_iommu fake_iommu_init(struct fake_iommu *f, uint32_t avail)
{
	memset(f, 0, sizeof(*f));
	f->ranges[0] = (struct nvf_iommu_range){0, 0xfedfffffull};
	f->ranges[1] = (struct nvf_iommu_range){0xfef00000ull, (1ull << 48) - 1};
	f->nranges = 2;
	f->limit = avail;
	return (struct nvf_iommu){
	    .name = "fake-type1v2",
	    .ops = &fake_ops,
	    .ctx = f,
	    .ranges = f->ranges,
	    .nranges = f->nranges,
	    .dma_avail = avail,
	    .pgsize_bitmap = 4096 | (2u << 20) | (1u << 30),
	};
}

/* Is [iova, iova + len) exactly one recorded mapping of @vaddr? */
static inline bool fake_has(const struct fake_iommu *f, uint64_t iova, uint64_t len,
			    const void *vaddr)
{
	unsigned int i;

	for (i = 0; i < f->nmaps; i++)
		if (f->maps[i].iova == iova && f->maps[i].len == len && f->maps[i].vaddr == vaddr)
			return true;
	return false;
}

#endif /* NVFIO_TESTS_DMA_FAKE_IOMMU_H */
