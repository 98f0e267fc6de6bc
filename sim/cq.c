/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Completions: an entry posted to a completion queue (the phase tag published last), and the
 * completions that wait, each in the table of the thread that owns its CQ: held by a fault until
 * an Abort, a deletion of its SQ or a reset, delayed by one, or finding their CQ full.
 */
#include "sim/cq.h"

/* ---- completion queues ---- */

bool nvf_sim_cq_post(struct nvf_sim_cq *cq, uint16_t sqid, uint16_t sqhd, uint16_t cid,
		     uint16_t status, uint32_t dw0)
{
	struct nvf_sim_cqe *e;

	if (nvf_sim_unlikely(!nvf_sim_cq_room(cq, 0)))
		return false;
	e = &cq->ring[cq->tail];
	e->dw0 = dw0;
	e->dw1 = 0;
	e->sqhd = sqhd;
	e->sqid = sqid;
	/* Release: the entry's other dwords are seen before the dword with the phase tag. */
	nvf_sim_publish(&e->dw3,
			(uint32_t)cid | (uint32_t)cq->phase << 16 | (uint32_t)status << 17);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	cq->irq_pending = cq->ien;
	return true;
}

/* ---- pending completions (held by a fault, delayed, or waiting for room) ---- */

void nvf_sim_pend_remove(struct nvf_sim_thread *t, unsigned int i)
{
	if (t->pend[i].due == UINT64_MAX) {
		t->nheld--;
		NVF_SIM_STAT_ADD(t->sim, holding, (uint64_t)-1);
	}
	t->pend[i] = t->pend[--t->npend];
}

unsigned int nvf_sim_pend_poll(struct nvf_sim_thread *t)
{
	uint64_t now = nvf_sim_now_ns();
	unsigned int n = 0;

	for (unsigned int i = t->npend; i-- > 0;) {
		struct nvf_sim_pending *p = &t->pend[i];

		if (p->due > now)
			continue;
		if (!nvf_sim_cq_post(p->sq->cq, p->sq->qid, (uint16_t)p->sq->head, p->cid,
				     p->status, p->dw0))
			continue;
		nvf_sim_cq_irq(t->sim, p->sq->cq);
		if (p->due)
			NVF_SIM_STAT_ADD(t->sim, delayed, 1);
		nvf_sim_pend_remove(t, i);
		n++;
	}
	return n;
}

/* Keep a command's completion for later; false if the table is full (post it now). */
bool nvf_sim_pend_add(struct nvf_sim_thread *t, struct nvf_sim_sq *sq, uint16_t cid,
		      uint16_t status, uint32_t dw0, uint64_t due)
{
	struct nvf_sim_pending *p;

	if (t->npend == NVF_SIM_PENDING_MAX)
		return false;
	p = &t->pend[t->npend++];
	p->sq = sq;
	p->cid = cid;
	p->status = status;
	p->dw0 = dw0;
	p->due = due;
	if (due == UINT64_MAX) {
		t->nheld++;
		NVF_SIM_STAT_ADD(t->sim, held, 1);
		NVF_SIM_STAT_ADD(t->sim, holding, 1);
	}
	return true;
}
