/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_MAPS_H
#define NVFIO_DMA_MAPS_H

/*
 * The process's own mappings, as /proc/self/maps lists them: whether memory the caller brings
 * for DMA is there to be read and written. An IOMMU backend does not need this (VFIO pins the
 * pages for writing and refuses what it cannot pin); a software DMA space pins nothing, so
 * without the check unmapped or read-only memory would be taken and the device model's first
 * access to it would kill the process.
 */

#include <stddef.h>
#include <stdint.h>

/* Where [start, end) first fails: the stretch and why. */
struct nvf_dma_maps_gap {
	uint64_t start, end; /* the stretch of the range that is unmapped or lacks access */
	char perms[5];	     /* its permissions as maps gives them ("r--p"), "" when unmapped */
};

/*
 * nvf_dma_maps_check() - is [start, end) wholly mapped readable and writable?
 * @text, @len: the contents of /proc/self/maps (not NUL-terminated); lines in ascending order
 *              of address, as the kernel writes them
 * @gap:        on -EFAULT, the first stretch of the range that is not
 *
 * A pure function of the text, so that it can be tested and fuzzed on any input: a line that
 * does not parse, or that is out of order, counts as covering nothing. Returns 0, -EFAULT (@gap
 * filled), or -EINVAL for an empty range (start >= end).
 */
int nvf_dma_maps_check(const char *text, size_t len, uint64_t start, uint64_t end,
		       struct nvf_dma_maps_gap *gap);

/*
 * nvf_dma_maps_check_self() - nvf_dma_maps_check() on the calling process's /proc/self/maps
 *
 * Returns 0, -EFAULT (message: the stretch, its permissions or that nothing is mapped there, and
 * the remedy), or -errno when the file cannot be read (message names it).
 */
int nvf_dma_maps_check_self(const void *vaddr, size_t len);

#endif /* NVFIO_DMA_MAPS_H */
