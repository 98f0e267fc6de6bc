/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The queue management the admin queue asks for: Create and Delete I/O Submission and Completion
 * Queue, Abort, Doorbell Buffer Config; and the teardown of a submission queue that a delete or
 * a reset makes.
 *
 * Choices where devices differ, taken from what QEMU's controller does:
 * - Creating an I/O queue whose memory is not mapped fails with Invalid Field; a base that is not
 *   page-aligned fails with Invalid PRP Offset.
 * - Shadow doorbells (Doorbell Buffer Config) apply to the I/O queues; the admin queue always
 *   uses its MMIO doorbells, as Linux's driver expects.
 * - Queue memory is translated once, when the queue is created, as a device caches the mapping
 *   of a queue; data pointers are translated for every command.
 */
#include <string.h>

#include "sim/cq.h"
#include "sim/priv.h"

#define CQ_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_CQ_INVALID) | NVF_SIM_DNR)
#define QID_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_QID_INVALID) | NVF_SIM_DNR)
#define QSIZE_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_QUEUE_SIZE) | NVF_SIM_DNR)
#define VECTOR_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_INVALID_VECTOR) | NVF_SIM_DNR)
#define QDEL_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_INVALID_QUEUE) | NVF_SIM_DNR)
#define PRP_OFF_INVALID (NVF_SIM_GENERIC(NVME_SC_PRP_INVALID_OFFSET) | NVF_SIM_DNR)
#define ABORT_REQ	NVF_SIM_GENERIC(NVME_SC_ABORT_REQ)
#define ABORT_SQ_DEL	NVF_SIM_GENERIC(NVME_SC_ABORT_QUEUE)

/*
 * Take @sq out of service, for Delete I/O Submission Queue (@deleted) or a reset, with the other
 * threads parked: its held and delayed commands complete if it was deleted and its CQ has room,
 * else they are dropped; its thread stops polling it, and its doorbell reads zero.
 */
void nvf_sim_sq_teardown(struct nvfio_sim *sim, struct nvf_sim_sq *sq, bool deleted)
{
	struct nvf_sim_cq *cq = sq->cq;
	struct nvf_sim_thread *t = cq->thr;

	/* Held commands of a deleted SQ complete as aborted; delayed ones with their status. */
	for (unsigned int i = t->npend; i-- > 0;) {
		struct nvf_sim_pending *p = &t->pend[i];
		bool held = p->due == UINT64_MAX;

		if (p->sq != sq)
			continue;
		if (deleted && nvf_sim_cq_post(cq, sq->qid, (uint16_t)sq->head, p->cid,
					       held ? ABORT_SQ_DEL : p->status, p->dw0)) {
			if (held)
				NVF_SIM_STAT_ADD(sim, sq_deleted, 1);
			else if (p->due)
				NVF_SIM_STAT_ADD(sim, delayed, 1);
		} else
			NVF_SIM_STAT_ADD(sim, dropped, 1);
		nvf_sim_pend_remove(t, i);
	}
	for (unsigned int i = 0; i < t->nsqs; i++) {
		if (t->sqs[i] == sq) {
			t->sqs[i] = t->sqs[--t->nsqs];
			break;
		}
	}
	cq->nsq--;
	/* Its MMIO doorbell reads zero again (the shadow one may have been used instead), so
	 * that a later write to it shows as a write to a queue that does not exist. */
	nvf_sim_publish(nvf_sim_doorbell(&sim->x, sq->qid, 0), 0);
	memset(sq, 0, sizeof(*sq));
}

static unsigned int owner_thread(struct nvfio_sim *sim, unsigned int cqid)
{
	return cqid % sim->nthr;
}

uint16_t nvf_sim_create_cq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	unsigned int qid = cmd->cdw10 & 0xffff, size = (cmd->cdw10 >> 16) + 1;
	bool pc = cmd->cdw11 & 1, ien = cmd->cdw11 & 2;
	unsigned int iv = cmd->cdw11 >> 16;
	uint64_t base = cmd->dptr[0];
	struct nvf_sim_cq *cq;
	void *ring;

	if (!qid || qid > sim->ncq_granted || sim->cq[qid].live)
		return QID_INVALID;
	if (size < 2 || size > sim->opts.depth)
		return QSIZE_INVALID;
	if (!pc)
		return NVF_SIM_INVALID_FIELD;
	if (iv >= sim->x.nirq)
		return VECTOR_INVALID;
	if (!base || (base & ((1ull << sim->page_shift) - 1)))
		return PRP_OFF_INVALID;
	ring = nvf_sim_dma(&sim->x, base, (size_t)size * sizeof(struct nvf_sim_cqe));
	if (!ring)
		return NVF_SIM_INVALID_FIELD;

	nvf_sim_park(sim);
	cq = &sim->cq[qid];
	memset(cq, 0, sizeof(*cq));
	cq->ring = ring;
	cq->iova = base;
	cq->size = size;
	cq->qid = (uint16_t)qid;
	cq->iv = (uint16_t)iv;
	cq->ien = ien;
	cq->phase = 1;
	cq->thr = &sim->thr[owner_thread(sim, qid)];
	if (sim->dbs) {
		cq->db = &sim->dbs[2 * qid + 1];
		cq->ei = &sim->eis[2 * qid + 1];
		nvf_sim_publish(cq->ei, 0);
	} else {
		cq->db = nvf_sim_doorbell(&sim->x, qid, 1);
	}
	/* A new queue's head is 0, whatever an earlier queue of that id left behind. */
	nvf_sim_publish(cq->db, 0);
	cq->live = true;
	sim->queues_created = true;
	nvf_sim_unpark(sim);
	return 0;
}

uint16_t nvf_sim_create_sq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	unsigned int qid = cmd->cdw10 & 0xffff, size = (cmd->cdw10 >> 16) + 1;
	bool pc = cmd->cdw11 & 1;
	unsigned int cqid = cmd->cdw11 >> 16;
	uint64_t base = cmd->dptr[0];
	struct nvf_sim_sq *sq;
	struct nvf_sim_cq *cq;
	struct nvf_sim_thread *t;
	void *ring;

	if (!qid || qid > sim->nsq_granted || sim->sq[qid].live)
		return QID_INVALID;
	if (size < 2 || size > sim->opts.depth)
		return QSIZE_INVALID;
	if (!pc)
		return NVF_SIM_INVALID_FIELD;
	if (!cqid || cqid > sim->opts.queues || !sim->cq[cqid].live)
		return CQ_INVALID;
	if (!base || (base & ((1ull << sim->page_shift) - 1)))
		return PRP_OFF_INVALID;
	ring = nvf_sim_dma(&sim->x, base, (size_t)size * sizeof(struct nvf_sim_sqe));
	if (!ring)
		return NVF_SIM_INVALID_FIELD;

	nvf_sim_park(sim);
	cq = &sim->cq[cqid];
	t = cq->thr;
	sq = &sim->sq[qid];
	memset(sq, 0, sizeof(*sq));
	sq->ring = ring;
	sq->iova = base;
	sq->size = size;
	sq->qid = (uint16_t)qid;
	sq->cqid = (uint16_t)cqid;
	sq->cq = cq;
	if (sim->dbs) {
		sq->db = &sim->dbs[2 * qid];
		sq->ei = &sim->eis[2 * qid];
		nvf_sim_publish(sq->ei, 0);
	} else {
		sq->db = nvf_sim_doorbell(&sim->x, qid, 0);
	}
	nvf_sim_publish(sq->db, 0);
	sq->live = true;
	cq->nsq++;
	t->sqs[t->nsqs++] = sq;
	sim->queues_created = true;
	nvf_sim_unpark(sim);
	return 0;
}

uint16_t nvf_sim_delete_sq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	unsigned int qid = cmd->cdw10 & 0xffff;

	if (!qid || qid > sim->opts.queues || !sim->sq[qid].live)
		return QID_INVALID;
	nvf_sim_park(sim);
	nvf_sim_sq_teardown(sim, &sim->sq[qid], true);
	nvf_sim_unpark(sim);
	return 0;
}

uint16_t nvf_sim_delete_cq(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	unsigned int qid = cmd->cdw10 & 0xffff;
	struct nvf_sim_cq *cq;

	if (!qid || qid > sim->opts.queues || !sim->cq[qid].live)
		return QID_INVALID;
	cq = &sim->cq[qid];
	if (cq->nsq)
		return QDEL_INVALID;
	nvf_sim_park(sim);
	memset(cq, 0, sizeof(*cq));
	nvf_sim_publish(nvf_sim_doorbell(&sim->x, qid, 1), 0);
	nvf_sim_unpark(sim);
	return 0;
}

uint16_t nvf_sim_abort(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd, uint32_t *dw0)
{
	unsigned int sqid = cmd->cdw10 & 0xffff, cid = cmd->cdw10 >> 16;

	*dw0 = 1; /* not aborted */
	if (sqid > sim->opts.queues || !sim->sq[sqid].live)
		return 0;
	nvf_sim_park(sim);
	for (unsigned int i = 0; i < sim->nthr; i++) {
		struct nvf_sim_thread *t = &sim->thr[i];

		for (unsigned int j = 0; j < t->npend; j++) {
			struct nvf_sim_pending *p = &t->pend[j];

			if (p->due != UINT64_MAX || p->sq->qid != sqid || p->cid != cid)
				continue;
			if (!nvf_sim_cq_post(p->sq->cq, (uint16_t)sqid, (uint16_t)p->sq->head,
					     p->cid, ABORT_REQ, 0))
				goto out; /* CQ full: the command stays held, say so */
			/* Only thread 0 runs now, so it may signal the owner's CQ itself. */
			nvf_sim_cq_irq(sim, p->sq->cq);
			nvf_sim_pend_remove(t, j);
			NVF_SIM_STAT_ADD(sim, aborted, 1);
			*dw0 = 0;
			goto out;
		}
	}
out:
	nvf_sim_unpark(sim);
	return 0;
}

uint16_t nvf_sim_dbbuf(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	uint64_t dbs = cmd->dptr[0], eis = cmd->dptr[1];
	uint64_t mask = (1ull << sim->page_shift) - 1;
	size_t len = (size_t)(sim->opts.queues + 1) * 8;
	uint32_t *dp, *ep;

	if (!dbs || !eis || (dbs & mask) || (eis & mask))
		return NVF_SIM_INVALID_FIELD;
	dp = nvf_sim_dma(&sim->x, dbs, len);
	ep = nvf_sim_dma(&sim->x, eis, len);
	if (!dp || !ep)
		return NVF_SIM_INVALID_FIELD;

	nvf_sim_park(sim);
	sim->dbs = dp;
	sim->eis = ep;
	sim->dbs_iova = dbs;
	sim->eis_iova = eis;
	for (unsigned int q = 1; q <= sim->opts.queues; q++) {
		struct nvf_sim_sq *sq = &sim->sq[q];
		struct nvf_sim_cq *cq = &sim->cq[q];

		/* Carry each live queue's doorbell over, so nothing is lost in the switch. */
		if (sq->live) {
			uint32_t v = nvf_sim_read_doorbell(sq->db);

			sq->db = &dp[2 * q];
			sq->ei = &ep[2 * q];
			nvf_sim_publish(sq->db, v);
			nvf_sim_publish(sq->ei, v);
		}
		if (cq->live) {
			uint32_t v = nvf_sim_read_doorbell(cq->db);

			if (v < cq->size)
				cq->head = v;
			cq->db = &dp[2 * q + 1];
			cq->ei = &ep[2 * q + 1];
			nvf_sim_publish(cq->db, cq->head);
			nvf_sim_publish(cq->ei, cq->head);
		}
	}
	nvf_sim_unpark(sim);
	return 0;
}
