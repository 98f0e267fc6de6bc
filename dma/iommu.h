/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_IOMMU_H
#define NVFIO_DMA_IOMMU_H

/*
 * What the DMA layer needs from an IOMMU backend, as an ops table so that the DMA layer (and the
 * NVMe driver above it) never knows which backend it runs on. Today's backends: the VFIO type1v2
 * container (vfio/), the VFIO no-IOMMU container (identity: the IOVA is the physical address) and
 * the software backend of the simulated controller (no hardware mapping at all; the model
 * translates through the DMA layer's own table).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nvf_iommu_range {
	uint64_t start;
	uint64_t last; /* inclusive */
};

struct nvf_iommu_ops {
	/* Map [vaddr, vaddr + len) at @iova for device reads and writes. 0 or -errno/-NVFIO_E*. */
	int (*map)(void *ctx, void *vaddr, size_t len, uint64_t iova);
	/* Unmap exactly what one or more earlier map() calls mapped at [iova, iova + len). */
	int (*unmap)(void *ctx, uint64_t iova, size_t len);
};

struct nvf_iommu {
	const char *name;               /* "vfio-type1v2", "vfio-noiommu", "soft" */
	const struct nvf_iommu_ops *ops; /* NULL when nothing is mapped in hardware */
	void *ctx;

	/* No-IOMMU: the device sees physical addresses; memory must be pinned hugepages and the
	 * IOVA of each page is read from /proc/self/pagemap. The DMA layer then never calls ops
	 * and ignores ranges. */
	bool identity_phys;

	/* Valid IOVA ranges (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE); nranges == 0 means the whole
	 * 64-bit space less page 0. The soft backend (no ops) without ranges gets IOVAs from 2^60
	 * up, above every user address, so that a vaddr mistaken for an IOVA never translates. */
	struct nvf_iommu_range *ranges;
	unsigned int nranges;

	/* Remaining DMA mappings the backend allows (VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL); 0 if it
	 * does not say. */
	uint32_t dma_avail;

	/* Supported IOMMU page sizes; bit n set means 2^n. 0 if unknown (4 KiB assumed). */
	uint64_t pgsize_bitmap;
};

#endif /* NVFIO_DMA_IOMMU_H */
