/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_CQ_H
#define NVFIO_SIM_CQ_H

/*
 * Completions: posted to a completion queue, or kept for later (held by a fault, delayed, or
 * finding their CQ full) in the table of the thread that owns the CQ (cq.c). The room check is
 * inline: the SQ poll (sq.c) makes it before every command it takes.
 */

#include "sim/priv.h"

static inline bool nvf_sim_cq_refresh(struct nvf_sim_cq *cq)
{
	uint32_t head = nvf_sim_read_doorbell(cq->db);

	/* An out-of-range head is reported by thread 0's doorbell scan (once per value). */
	if (nvf_sim_unlikely(head >= cq->size))
		return false;
	cq->head = head;
	if (cq->ei)
		nvf_sim_publish(cq->ei, head);
	return true;
}

static inline uint32_t nvf_sim_cq_used(const struct nvf_sim_cq *cq)
{
	return cq->tail >= cq->head ? cq->tail - cq->head : cq->tail + cq->size - cq->head;
}

/* Room in @cq for one entry beyond @n already promised, the head doorbell reread when short. */
static inline bool nvf_sim_cq_room(struct nvf_sim_cq *cq, uint32_t n)
{
	if (nvf_sim_likely(nvf_sim_cq_used(cq) + n + 1 < cq->size))
		return true;
	nvf_sim_cq_refresh(cq);
	return nvf_sim_cq_used(cq) + n + 1 < cq->size;
}

/* Signal @cq's MSI-X vector if what was posted to it since the last signal asks for one. */
static inline void nvf_sim_cq_irq(struct nvfio_sim *sim, struct nvf_sim_cq *cq)
{
	if (cq->irq_pending) {
		cq->irq_pending = false;
		nvf_sim_irq(&sim->x, cq->iv);
	}
}

/* Post a completion to @cq; false if it is full. Only @cq's owner thread, or thread 0 with the
 * others parked. */
bool nvf_sim_cq_post(struct nvf_sim_cq *cq, uint16_t sqid, uint16_t sqhd, uint16_t cid,
		     uint16_t status, uint32_t dw0);

/* The pending completions of thread @t: kept (false if the table is full: post it now),
 * posted when due and their CQ has room (how many), taken out. */
bool nvf_sim_pend_add(struct nvf_sim_thread *t, struct nvf_sim_sq *sq, uint16_t cid,
		      uint16_t status, uint32_t dw0, uint64_t due);
unsigned int nvf_sim_pend_poll(struct nvf_sim_thread *t);
void nvf_sim_pend_remove(struct nvf_sim_thread *t, unsigned int i);

#endif /* NVFIO_SIM_CQ_H */
