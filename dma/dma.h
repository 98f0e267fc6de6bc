/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_DMA_H
#define NVFIO_DMA_DMA_H

/*
 * The DMA layer as the layers around it see it: the IOMMU owner (vfio/, or the simulated
 * controller's glue) creates a space over its struct nvf_iommu, the driver turns buffer addresses
 * into IOVAs, and a software device model turns IOVAs back into host addresses.
 *
 * Lookups in both directions are lock-free for readers: the tables are sorted arrays under a
 * sequence counter, written only under the space's mutex, and their storage lives as long as the
 * space, so a reader racing a writer at worst retries. A vaddr->IOVA lookup costs one binary
 * search (about 14 steps with 10000 registrations); struct nvf_dma_cache below cuts the common
 * case (every I/O of a queue hitting the same buffer pool) to a compare and an add.
 */

#include <stddef.h>
#include <stdint.h>

#include <nvfio/dma.h>

#include "dma/iommu.h"
#include "support/barrier.h"
#include "support/compiler.h"

/* Create a DMA address space over @iommu (copied; ranges array copied). 0 or -errno. */
int nvf_dma_create(const struct nvf_iommu *iommu, struct nvfio_dma **out);
/* Unmap and free everything still allocated or registered, then the space itself. */
void nvf_dma_destroy(struct nvfio_dma *dma);
/* Device side: host address of [iova, iova+len) if entirely inside one mapping, else NULL.
 * Lock-free for readers, safe against concurrent register/unregister/alloc/free. */
void *nvf_dma_translate(const struct nvfio_dma *dma, uint64_t iova, size_t len);

/*
 * A one-entry translation cache a caller keeps per queue (or per thread): the last mapping that
 * answered a vaddr->IOVA lookup. It stays valid while nothing is unregistered or freed in the
 * space: additions never shrink an existing mapping, removals bump the space's generation, and a
 * cache whose generation differs misses. Not shared between threads; no locking.
 */
struct nvf_dma_cache {
	uintptr_t vaddr; /* start of the cached mapping; len == 0 means empty */
	size_t len;
	uint64_t iova;		   /* IOVA of @vaddr */
	uint32_t gen;		   /* the space's generation when it was filled */
	const uint32_t *space_gen; /* the space's generation counter */
};

/*
 * nvf_dma_watch() - have *@slot zeroed whenever a mapping of @dma goes away
 *
 * For a copy of a cache that is checked without its generation (the upper bound of the inline
 * I/O path's translation cache: zero makes every lookup miss). The store of zero follows the
 * generation's move, both sequentially consistent, so that a refill that stores its bound and
 * then finds the generation it filled with unchanged can rely on either: a removal racing it
 * zeroes the bound after the refill stored it. nvf_dma_unwatch() before @slot goes away.
 * 0 or -ENOMEM.
 */
int nvf_dma_watch(struct nvfio_dma *dma, uintptr_t *slot);
void nvf_dma_unwatch(struct nvfio_dma *dma, uintptr_t *slot);

/* Start an empty cache for @dma. */
void nvf_dma_cache_init(struct nvfio_dma *dma, struct nvf_dma_cache *cache);

/* Slow path of nvf_dma_iova_cached(): look up, refill @cache on success. 0 or -NVFIO_ENOTMAPPED. */
int nvf_dma_iova_fill(struct nvfio_dma *dma, struct nvf_dma_cache *cache, const void *vaddr,
		      size_t len, uint64_t *iova);

/*
 * nvf_dma_iova_cached() - nvfio_dma_iova() through a per-queue cache
 *
 * Same contract as nvfio_dma_iova(). A hit is two compares, one load of the generation and an
 * add; a miss costs one lookup and refills the cache.
 */
static inline int nvf_dma_iova_cached(struct nvfio_dma *dma, struct nvf_dma_cache *cache,
				      const void *vaddr, size_t len, uint64_t *iova)
{
	uintptr_t off = (uintptr_t)vaddr - cache->vaddr;

	/* The acquire pairs with the release that bumps the generation when a mapping goes away,
	 * so that a hit can never use a mapping removed before this call started. */
	if (likely(off < cache->len && len <= cache->len - off &&
		   nvf_load_acquire32(cache->space_gen) == cache->gen)) {
		*iova = cache->iova + off;
		return 0;
	}
	return nvf_dma_iova_fill(dma, cache, vaddr, len, iova);
}

/* Number of entries of the lookup table (merged runs), and of IOMMU map() calls outstanding;
 * for tests and statistics. */
unsigned int nvf_dma_nentries(struct nvfio_dma *dma);
unsigned int nvf_dma_nmappings(struct nvfio_dma *dma);

#endif /* NVFIO_DMA_DMA_H */
