/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_XPORT_H
#define NVFIO_SIM_XPORT_H

/*
 * How the controller model meets its host: a BAR0 it polls and writes, host memory it reaches
 * through an IOMMU-like translation, and MSI-X vectors it signals. Command handling uses only
 * these accessors, so serving the model to another process (vfio-user: the BAR shared as a file
 * mapping, DMA through the client's mapped regions, interrupts through the client's eventfds)
 * means providing another struct nvf_sim_xport, not touching the command code.
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

/* A register as the host last wrote it: one 32-bit read of the BAR. */
static inline uint32_t nvf_sim_reg_read32(const struct nvf_sim_xport *x, uint32_t off)
{
	return *(const volatile uint32_t *)(x->bar + off);
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

/* CAP, written at power-on, before the host can read it (the model is created or reset by a
 * call the host waits for): two plain dword stores. */
static inline void nvf_sim_reg_write64(struct nvf_sim_xport *x, uint32_t off, uint64_t v)
{
	volatile uint32_t *r = (volatile uint32_t *)(x->bar + off);

	r[0] = (uint32_t)v;
	r[1] = (uint32_t)(v >> 32);
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
