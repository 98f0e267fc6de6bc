/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_H
#define NVFIO_DMA_H

/*
 * DMA memory: an address space the device can reach (struct nvfio_dma), memory allocated in it,
 * and the caller's own memory registered with it for zero-copy I/O.
 *
 * A struct nvfio_dma comes from the layer that owns the IOMMU (nvfio_iommu_dma(), or a
 * controller handle). All functions return 0 or a negative error (see <nvfio/error.h>).
 *
 * Memory the device can reach is pinned: with an IOMMU, VFIO pins it and charges it to
 * RLIMIT_MEMLOCK; without one (no-IOMMU mode) it must be hugepages, is mlock()ed, and the device
 * sees physical addresses, which needs root. The simulated controller pins nothing. Allocation,
 * registration and their undoing are thread-safe; nvfio_dma_iova() takes no lock and may run on
 * any number of threads while others register and unregister.
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
 * Without a NVFIO_DMA_HUGE_* flag the memory is the system's base pages where an IOMMU (or the
 * simulator) is present, 2 MiB hugepages otherwise. Each allocation is one IOMMU mapping.
 *
 * Returns 0, -NVFIO_ENOHUGEPAGES (the message says how many pages to reserve, and how),
 * -NVFIO_EMEMLOCK (the message gives the numbers and the `ulimit -l` to run), -NVFIO_ENOIOVA,
 * -NVFIO_ENOMAPPINGS, -NVFIO_ENOPHYS (no-IOMMU mode without CAP_SYS_ADMIN), -EINVAL (unknown
 * flags, both page sizes, or NVFIO_DMA_CONTIG larger than one hugepage in no-IOMMU mode),
 * -ENOMEM.
 */
int nvfio_dma_alloc(struct nvfio_dma *dma, size_t len, unsigned int flags, void **vaddr);

/*
 * nvfio_dma_free() - unmap and release an allocation of nvfio_dma_alloc(); NULL is ignored. An
 * address that is not an allocation, or an IOMMU that fails to unmap (its IOVAs then stay
 * reserved), leaves a message for nvfio_last_error().
 */
void nvfio_dma_free(struct nvfio_dma *dma, void *vaddr);

/*
 * nvfio_dma_register() - make the caller's memory reachable by the device
 * @vaddr, @len: page-aligned range of memory mapped readable and writable, which the caller
 *               keeps until it unregisters
 *
 * Adjacent registrations are merged into one mapping where the backend allows: each is its own
 * IOMMU mapping (so that each can be unregistered alone), but it gets the IOVAs that continue its
 * neighbour's where those are free, so that a buffer spanning both has one IOVA range. Each
 * registration counts against the IOMMU's mapping limit (VFIO: 65535 by default): register
 * fewer, larger buffers where there are many. In no-IOMMU mode the memory must be hugepages; it
 * is mlock()ed here and munlock()ed on unregistration (locks do not nest: a lock the caller took
 * on the same memory ends there too). Memory that is not mapped, or not writable, is refused
 * as VFIO refuses to pin it: on the simulator (no IOMMU to ask) by the process's mappings, which
 * the caller must then keep as they are until it unregisters.
 *
 * Returns 0, -EINVAL (not page-aligned, or not hugepages in no-IOMMU mode), -EFAULT (not all of
 * it mapped readable and writable: the message names the stretch), -EEXIST (overlaps a
 * registration or allocation), -NVFIO_EMEMLOCK, -NVFIO_ENOIOVA, -NVFIO_ENOMAPPINGS,
 * -NVFIO_ENOPHYS.
 */
int nvfio_dma_register(struct nvfio_dma *dma, void *vaddr, size_t len);

/*
 * nvfio_dma_unregister() - undo nvfio_dma_register() for exactly a registered range
 *
 * Returns 0, -NVFIO_ENOTMAPPED (a range that is not exactly one registration: part of one, two
 * of them, or an allocation; the message names what is there), or the IOMMU's error when it
 * failed to unmap: the registration is gone all the same, but its IOVAs stay reserved since the
 * device may still reach the memory through them. The caller must have no I/O in flight on the
 * range.
 */
int nvfio_dma_unregister(struct nvfio_dma *dma, void *vaddr, size_t len);

/*
 * nvfio_dma_iova() - the IOVA the device uses for [vaddr, vaddr + len)
 *
 * The range must lie within one allocation or registration and be IOVA-contiguous.
 * Returns 0 or -NVFIO_ENOTMAPPED. O(log n) in the number of mappings, lock-free: about 70
 * instructions with one registration, 210 with 10000.
 */
int nvfio_dma_iova(const struct nvfio_dma *dma, const void *vaddr, size_t len, uint64_t *iova);

#ifdef __cplusplus
}
#endif

#endif /* NVFIO_DMA_H */
