/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_XPORT_H
#define NVFIO_SIM_XPORT_H

/*
 * What a transport gives the controller model: everything the model uses to meet its host.
 * - BAR0: memory the host writes registers and doorbells into and the model polls (registers at
 *   0, doorbells from NVF_SIM_DOORBELL_BASE); the model writes its own registers (CAP, VS, CSTS)
 *   into it with the accessors below.
 * - Doorbells: 32-bit words of BAR0, one per queue and direction (nvf_sim_doorbell()), or of host
 *   memory once the host set up shadow doorbells; read with nvf_sim_read_doorbell().
 * - DMA: the host's translation of an IOVA range to memory the model can touch, or NULL when any
 *   byte of it is not mapped (nvf_sim_dma()), as an IOMMU would stop a device's access.
 * - Interrupts: one eventfd per MSI-X vector, written to fire it (nvf_sim_irq()).
 * Command handling reaches its host through these only, so it does not depend on who provides
 * them. Inside the process the model maps BAR0 itself (anonymous memory, shown to the host by
 * nvf_sim_bar0()), takes the translation from nvf_sim_create() and the eventfds from
 * nvf_sim_set_irq().
 */

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "sim/order.h"
#include "sim/sim.h"
#include "sim/util.h"

struct nvf_sim_xport {
	/* BAR0 as the host sees it: registers at 0, doorbells at 0x1000. */
	volatile uint8_t *bar;
	size_t bar_len;
	/* The host's DMA translation. */
	struct nvf_sim_mem mem;
	/* One eventfd per MSI-X vector, -1 when unbound. */
	_Atomic int *irqfd;
	unsigned int nirq;
};

/* A register as the host last wrote it: one 32-bit read of the BAR. Acquire, as a doorbell:
 * what the host set up before the write (the admin queues before CC.EN) is read after it. */
static inline uint32_t nvf_sim_reg_read32(const struct nvf_sim_xport *x, uint32_t off)
{
	return nvf_sim_read_doorbell((const volatile uint32_t *)(x->bar + off));
}

/* A 64-bit register (ASQ, ACQ) as its two dwords, the low one read first. */
static inline uint64_t nvf_sim_reg_read64(const struct nvf_sim_xport *x, uint32_t off)
{
	uint32_t lo = nvf_sim_reg_read32(x, off);

	return (uint64_t)nvf_sim_reg_read32(x, off + 4) << 32 | lo;
}

/* Register values the model publishes (CSTS, CAP...): release, so that what the model did
 * before (queues set up) is visible to a host that sees the new value. */
static inline void nvf_sim_reg_write32(struct nvf_sim_xport *x, uint32_t off, uint32_t v)
{
	nvf_sim_publish((volatile uint32_t *)(x->bar + off), v);
}

/* Every dword of BAR0 from @off to @end set to @v (doorbells cleared by a reset, the all-ones
 * of a removed device), each published: the host may be writing them meanwhile. */
static inline void nvf_sim_bar_fill(struct nvf_sim_xport *x, uint32_t off, size_t end, uint32_t v)
{
	for (; off + 4 <= end; off += 4)
		nvf_sim_publish((volatile uint32_t *)(x->bar + off), v);
}

/* CAP and the like: two dwords, the low one first, each published. */
static inline void nvf_sim_reg_write64(struct nvf_sim_xport *x, uint32_t off, uint64_t v)
{
	nvf_sim_reg_write32(x, off, (uint32_t)v);
	nvf_sim_reg_write32(x, off + 4, (uint32_t)(v >> 32));
}

static inline volatile uint32_t *nvf_sim_doorbell(struct nvf_sim_xport *x, unsigned int qid, int cq)
{
	return (volatile uint32_t *)(x->bar + 0x1000 + (2 * qid + (cq ? 1 : 0)) * 4);
}

/* Host memory for [iova, iova + len), or NULL: the model's only way to host memory. */
static inline void *nvf_sim_dma(const struct nvf_sim_xport *x, uint64_t iova, size_t len)
{
	if (nvf_sim_unlikely(iova + len < iova))
		return NULL;
	return x->mem.translate(x->mem.ctx, iova, len);
}

/* Fire MSI-X vector @vec. */
static inline void nvf_sim_irq(struct nvf_sim_xport *x, unsigned int vec)
{
	int fd;
	uint64_t one = 1;

	if (vec >= x->nirq)
		return;
	fd = atomic_load_explicit(&x->irqfd[vec], memory_order_acquire);
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* An eventfd write fails only when its counter would overflow, i.e. the host has
		 * not read it for 2^64 interrupts: nothing more to signal then. */
	}
}

#endif /* NVFIO_SIM_XPORT_H */
