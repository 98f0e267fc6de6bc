/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dma/dma.h"
#include "support/error.h"

struct nvfio_dma {
	struct nvf_iommu iommu;
	uint32_t gen;
};

int nvf_dma_create(const struct nvf_iommu *iommu, struct nvfio_dma **out)
{
	struct nvfio_dma *dma = calloc(1, sizeof(*dma));

	if (!dma)
		return -ENOMEM;
	dma->iommu = *iommu;
	dma->iommu.ranges = NULL;
	dma->iommu.nranges = 0;
	*out = dma;
	return 0;
}

void nvf_dma_destroy(struct nvfio_dma *dma)
{
	free(dma);
}

void *nvf_dma_translate(struct nvfio_dma *dma, uint64_t iova, size_t len)
{
	return NULL;
}

void nvf_dma_cache_init(struct nvfio_dma *dma, struct nvf_dma_cache *cache)
{
	memset(cache, 0, sizeof(*cache));
	cache->space_gen = &dma->gen;
}

int nvf_dma_iova_fill(struct nvfio_dma *dma, struct nvf_dma_cache *cache, const void *vaddr,
		      size_t len, uint64_t *iova)
{
	return nvfio_dma_iova(dma, vaddr, len, iova);
}

unsigned int nvf_dma_nentries(struct nvfio_dma *dma)
{
	return 0;
}

unsigned int nvf_dma_nmappings(struct nvfio_dma *dma)
{
	return 0;
}

int nvfio_dma_alloc(struct nvfio_dma *dma, size_t len, unsigned int flags, void **vaddr)
{
	return nvf_err(-ENOSYS, "DMA allocation not implemented yet");
}

void nvfio_dma_free(struct nvfio_dma *dma, void *vaddr)
{
}

int nvfio_dma_register(struct nvfio_dma *dma, void *vaddr, size_t len)
{
	return nvf_err(-ENOSYS, "DMA registration not implemented yet");
}

int nvfio_dma_unregister(struct nvfio_dma *dma, void *vaddr, size_t len)
{
	return nvf_err(-NVFIO_ENOTMAPPED, "DMA registration not implemented yet");
}

int nvfio_dma_iova(struct nvfio_dma *dma, const void *vaddr, size_t len, uint64_t *iova)
{
	return nvf_err(-NVFIO_ENOTMAPPED, "DMA lookup not implemented yet");
}
