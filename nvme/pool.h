/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_POOL_H
#define NVFIO_NVME_POOL_H

/*
 * The PRP list / SGL segment pool of a queue pair, in the pair's DMA memory: small slots for
 * transfers up to 128 KiB and a few whole pages for larger ones, so that a deep queue pair does
 * not carry a list page per tracker. A slot is named by its index + 1, so that 0 means none (a
 * tracker's 'list' field).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme/spec.h"

#define NVF_LIST_SMALL	   256u /* 32 PRP entries or 16 SGL descriptors */
#define NVF_LIST_SMALL_MAX 128u /* small slots per queue pair, at most */
#define NVF_LIST_LARGE_MAX 4u	/* whole-page lists per queue pair, at most */

struct nvf_pool {
	uint8_t *mem; /* large pages first, then small slots */
	uint64_t iova;
	uint16_t *stack; /* free small slots [0, small_top), free large [nsmall, large_top) */
	uint16_t nsmall, nlarge;
	uint16_t small_top, large_top;
};

/* Bytes of DMA memory and of stack a pool of @nsmall and @nlarge slots needs. */
static inline size_t nvf_pool_dma_bytes(unsigned int nsmall, unsigned int nlarge)
{
	return (size_t)nlarge * NVF_PAGE_SIZE + (size_t)nsmall * NVF_LIST_SMALL;
}

static inline size_t nvf_pool_stack_bytes(unsigned int nsmall, unsigned int nlarge)
{
	return (nsmall + nlarge + 1) * sizeof(uint16_t);
}

/* Lay the pool out over @mem (at @iova) with every slot free; @stack has
 * nvf_pool_stack_bytes() bytes. */
static inline void nvf_pool_init(struct nvf_pool *p, void *mem, uint64_t iova, uint16_t *stack,
				 unsigned int nsmall, unsigned int nlarge)
{
	unsigned int i;

	p->mem = mem;
	p->iova = iova;
	p->stack = stack;
	p->nsmall = (uint16_t)nsmall;
	p->nlarge = (uint16_t)nlarge;
	for (i = 0; i < nsmall; i++)
		stack[i] = (uint16_t)(nlarge + i);
	p->small_top = (uint16_t)nsmall;
	for (i = 0; i < nlarge; i++)
		stack[nsmall + i] = (uint16_t)i;
	p->large_top = (uint16_t)(nsmall + nlarge);
}

/* Slot @l: its address, IOVA and size. */
static inline void *nvf_pool_addr(const struct nvf_pool *p, uint16_t l)
{
	unsigned int i = l - 1u;

	if (i < p->nlarge)
		return p->mem + (size_t)i * NVF_PAGE_SIZE;
	return p->mem + (size_t)p->nlarge * NVF_PAGE_SIZE +
	       (size_t)(i - p->nlarge) * NVF_LIST_SMALL;
}

static inline uint64_t nvf_pool_iova(const struct nvf_pool *p, uint16_t l)
{
	return p->iova + (uint64_t)((uint8_t *)nvf_pool_addr(p, l) - p->mem);
}

static inline size_t nvf_pool_size(const struct nvf_pool *p, uint16_t l)
{
	return (unsigned int)(l - 1u) < p->nlarge ? NVF_PAGE_SIZE : NVF_LIST_SMALL;
}

/* Take a slot of at least @bytes; 0 when none is free. */
static inline uint16_t nvf_pool_get(struct nvf_pool *p, size_t bytes)
{
	if (bytes <= NVF_LIST_SMALL && p->small_top)
		return (uint16_t)(p->stack[--p->small_top] + 1);
	if (p->large_top > p->nsmall)
		return (uint16_t)(p->stack[--p->large_top] + 1);
	return 0;
}

static inline void nvf_pool_put(struct nvf_pool *p, uint16_t l)
{
	if ((unsigned int)(l - 1u) < p->nlarge)
		p->stack[p->large_top++] = (uint16_t)(l - 1u);
	else
		p->stack[p->small_top++] = (uint16_t)(l - 1u);
}

/* Whether a large slot is free, and whether every slot is. */
static inline bool nvf_pool_large_free(const struct nvf_pool *p)
{
	return p->large_top > p->nsmall;
}

static inline bool nvf_pool_all_free(const struct nvf_pool *p)
{
	return p->small_top == p->nsmall && p->large_top == p->nsmall + p->nlarge;
}

#endif /* NVFIO_NVME_POOL_H */
