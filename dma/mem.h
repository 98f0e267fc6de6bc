/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_MEM_H
#define NVFIO_DMA_MEM_H

/*
 * Host memory for DMA: hugepage mappings, the locked-memory limit, and physical addresses.
 * Every failure leaves a message that names the number the user has to change and how.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVF_DMA_2M (2ull << 20)
#define NVF_DMA_1G (1ull << 30)

/*
 * nvf_dma_mem_map() - map @len bytes (a multiple of @pgsize) of zeroed, populated anonymous
 * memory, on hugepages of @pgsize unless it is the base page size
 *
 * Returns 0, -NVFIO_ENOHUGEPAGES (message: how many pages are needed and the commands that
 * reserve them) or -ENOMEM.
 */
int nvf_dma_mem_map(size_t len, size_t pgsize, void **out);

/*
 * nvf_dma_mem_check_memlock() - would pinning @len more bytes exceed RLIMIT_MEMLOCK?
 * @pinned: bytes this space already has pinned (a floor under what the kernel reports locked)
 *
 * Holders of CAP_IPC_LOCK are not limited. Returns 0 or -NVFIO_EMEMLOCK (message: the limit,
 * what is locked, what is needed, and the `ulimit -l` that fixes it).
 */
int nvf_dma_mem_check_memlock(size_t len, size_t pinned);

/* The message for an -ENOMEM that the kernel returned while pinning @len bytes. */
int nvf_dma_mem_memlock_error(size_t len, size_t pinned);

/*
 * nvf_dma_mem_phys() - physical addresses of the pages of [vaddr, vaddr + len), one per @step
 * bytes (a multiple of the base page size), into @phys (len / step entries). The pages must be
 * present (locked or populated).
 *
 * Returns 0, -NVFIO_ENOPHYS (no CAP_SYS_ADMIN, so the kernel hides page frame numbers; or a page
 * not present), or -errno from reading /proc/self/pagemap.
 */
int nvf_dma_mem_phys(const void *vaddr, size_t len, size_t step, uint64_t *phys);

/* Are all 4 KiB frames in [phys, phys + len) hugetlb pages (/proc/kpageflags)? 0, -EINVAL
 * (message: no-IOMMU needs hugepage-backed memory) or -NVFIO_ENOPHYS (unreadable). */
int nvf_dma_mem_check_huge(uint64_t phys, size_t len);

#endif /* NVFIO_DMA_MEM_H */
