/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_IOVA_H
#define NVFIO_DMA_IOVA_H

/*
 * The IOVA allocator: which parts of the IOMMU's valid ranges are free. A sorted array of free
 * extents, first fit, neighbours coalesced on free. Writers only (the space's mutex held); its
 * cost is per allocation, never per I/O, so a linear scan is fine for the few hundred extents a
 * fragmented space reaches.
 *
 * Capacity is reserved at allocation time so that nvf_dma_iova_free() can never fail: a space
 * with A allocations over V valid ranges has at most A + V free extents.
 */

#include <stdint.h>

#include "dma/iommu.h"

struct nvf_dma_iova {
	struct nvf_iommu_range *free; /* sorted, disjoint, never adjacent */
	unsigned int nfree;
	unsigned int cap;
	unsigned int nalloc; /* live allocations (including reservations) */
	unsigned int nvalid; /* number of valid ranges after clipping */
	uint64_t total;	     /* bytes in the valid ranges, saturated at UINT64_MAX */
};

/*
 * nvf_dma_iova_init() - start with all of @ranges free, less everything below @lowest
 * @ranges, @n: the IOMMU's valid ranges, in any order, may overlap; n == 0 means the whole space
 *
 * Returns 0, -ENOMEM, or -NVFIO_ENOIOVA if nothing is left (message set).
 */
int nvf_dma_iova_init(struct nvf_dma_iova *s, const struct nvf_iommu_range *ranges, unsigned int n,
		      uint64_t lowest);
void nvf_dma_iova_fini(struct nvf_dma_iova *s);

/*
 * nvf_dma_iova_alloc() - first free range of @size bytes at an address congruent to @phase
 * modulo @align (a power of two; @phase < @align)
 *
 * Returns 0, -NVFIO_ENOIOVA (message names the size and what is left) or -ENOMEM.
 */
int nvf_dma_iova_alloc(struct nvf_dma_iova *s, uint64_t size, uint64_t align, uint64_t phase,
		       uint64_t *iova);

/* Take exactly [iova, iova + size) if it is all free. 0, -EBUSY (no message) or -ENOMEM. */
int nvf_dma_iova_reserve(struct nvf_dma_iova *s, uint64_t iova, uint64_t size);

/* Give back a range that nvf_dma_iova_alloc()/reserve() returned. Never fails. */
void nvf_dma_iova_free(struct nvf_dma_iova *s, uint64_t iova, uint64_t size);

/* Largest free extent, in bytes (saturated at UINT64_MAX); for messages and tests. */
uint64_t nvf_dma_iova_largest(const struct nvf_dma_iova *s);

#endif /* NVFIO_DMA_IOVA_H */
