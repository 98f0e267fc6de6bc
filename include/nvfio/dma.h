/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_H
#define NVFIO_DMA_H

/*
 * DMA memory: an address space the device can reach (struct nvfio_dma), memory allocated in it,
 * and the caller's own memory registered with it for zero-copy I/O.
 *
 * A struct nvfio_dma comes from the layer that owns the IOMMU (nvfio_vfio_container_dma(), or a
 * controller handle). All functions return 0 or a negative error (see <nvfio/error.h>).
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nvfio_dma;

/* Flags of nvfio_dma_alloc(). */
enum {
	/* Back the allocation with 2 MiB hugepages (required, and implied, in no-IOMMU mode). */
	NVFIO_DMA_HUGE_2M = 1u << 0,
	/* Back it with 1 GiB hugepages (where reserved). */
	NVFIO_DMA_HUGE_1G = 1u << 1,
	/* The whole allocation must be one contiguous IOVA range (always true with an IOMMU; in
	 * no-IOMMU mode it must then fit in one hugepage). */
	NVFIO_DMA_CONTIG = 1u << 2,
};

/*
 * nvfio_dma_alloc() - allocate zeroed memory mapped for DMA
 * @dma:   the address space
 * @len:   bytes, rounded up to the page size used
 * @flags: NVFIO_DMA_*
 * @vaddr: receives the address
 *
 * Returns 0, -NVFIO_ENOHUGEPAGES, -NVFIO_EMEMLOCK, -NVFIO_ENOIOVA, -NVFIO_ENOMAPPINGS, -ENOMEM.
 */
int nvfio_dma_alloc(struct nvfio_dma *dma, size_t len, unsigned int flags, void **vaddr);

/* nvfio_dma_free() - unmap and release an allocation of nvfio_dma_alloc(); NULL is ignored. */
void nvfio_dma_free(struct nvfio_dma *dma, void *vaddr);

/*
 * nvfio_dma_register() - make the caller's memory reachable by the device
 * @vaddr, @len: page-aligned range of mapped memory the caller keeps until it unregisters
 *
 * Adjacent registrations are merged into one mapping where the backend allows.
 * Returns 0, -EINVAL (not page-aligned), -EEXIST (overlaps a registration), -NVFIO_EMEMLOCK,
 * -NVFIO_ENOIOVA, -NVFIO_ENOMAPPINGS.
 */
int nvfio_dma_register(struct nvfio_dma *dma, void *vaddr, size_t len);

/*
 * nvfio_dma_unregister() - undo nvfio_dma_register() for exactly a registered range
 *
 * Returns 0 or -NVFIO_ENOTMAPPED. The caller must have no I/O in flight on the range.
 */
int nvfio_dma_unregister(struct nvfio_dma *dma, void *vaddr, size_t len);

/*
 * nvfio_dma_iova() - the IOVA the device uses for [vaddr, vaddr + len)
 *
 * The range must lie within one allocation or registration and be IOVA-contiguous.
 * Returns 0 or -NVFIO_ENOTMAPPED. O(log n) in the number of mappings.
 */
int nvfio_dma_iova(struct nvfio_dma *dma, const void *vaddr, size_t len, uint64_t *iova);

#ifdef __cplusplus
}
#endif

#endif /* NVFIO_DMA_H */
