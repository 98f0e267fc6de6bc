/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The queues at work: commands taken from a submission queue, their completions posted to its
 * completion queue (the completions of a pass's reads and writes together, in bursts), the
 * completions that wait (held by a fault, delayed, or finding their CQ full), and the doorbell
 * values the host should not have written.
 */
#include <string.h>

#include "sim/priv.h"

#define NVF_SIM_SQ_BUDGET 256 /* commands taken from one SQ per pass, for fairness */

/* ---- completion queues ---- */

/* Asynchronous event of type error (Invalid Doorbell Write Value or Invalid Doorbell Register),
 * with the Error Information log to read. Raised from any thread, delivered by thread 0. */
static void report_doorbell(struct nvfio_sim *sim, uint8_t info)
{
	nvfio_sim_post_event(sim, NVME_AER_ERROR, info, NVME_LOG_LID_ERROR, 0);
}

static bool cq_refresh(struct nvf_sim_cq *cq)
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

static inline uint32_t cq_used(const struct nvf_sim_cq *cq)
{
	return cq->tail >= cq->head ? cq->tail - cq->head : cq->tail + cq->size - cq->head;
}

/* Room in @cq for one entry beyond @n already promised, the head doorbell reread when short. */
static inline bool cq_room(struct nvf_sim_cq *cq, uint32_t n)
{
	if (nvf_sim_likely(cq_used(cq) + n + 1 < cq->size))
		return true;
	cq_refresh(cq);
	return cq_used(cq) + n + 1 < cq->size;
}

bool nvf_sim_cq_post(struct nvf_sim_cq *cq, uint16_t sqid, uint16_t sqhd, uint16_t cid,
		     uint16_t status, uint32_t dw0)
{
	struct nvf_sim_cqe *e;

	if (nvf_sim_unlikely(!cq_room(cq, 0)))
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

/* ---- pending completions (held by a fault, or delayed) ---- */

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
static bool pend_add(struct nvf_sim_thread *t, struct nvf_sim_sq *sq, uint16_t cid, uint16_t status,
		     uint32_t dw0, uint64_t due)
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

/* ---- submission queues ---- */

/* Completions of I/O commands taken in one pass are posted together, as a controller that
 * coalesces its completion writes does: the host then finds several entries in each cache line
 * it fetches, instead of chasing entries written one at a time into the line it polls. */
#define NVF_SIM_CQ_BURST 8

struct nvf_sim_done {
	uint16_t sqhd, cid, status;
	uint32_t dw0;
};

static inline void burst_post(struct nvf_sim_thread *t, struct nvf_sim_sq *sq,
			      const struct nvf_sim_done *d, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		/* Room for all of them was checked before their commands ran; should it still be
		 * short, the completion waits like any other that finds its CQ full. */
		if (nvf_sim_unlikely(!nvf_sim_cq_post(sq->cq, sq->qid, d[i].sqhd, d[i].cid,
						      d[i].status, d[i].dw0)) &&
		    !pend_add(t, sq, d[i].cid, d[i].status, d[i].dw0, 0))
			NVF_SIM_STAT_ADD(t->sim, dropped, 1);
	}
}

unsigned int nvf_sim_sq_poll(struct nvf_sim_thread *t, struct nvf_sim_sq *sq, bool admin)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_cq *cq = sq->cq;
	/* Acquire: the host wrote the entries before the doorbell that publishes them. */
	uint32_t tail = nvf_sim_read_doorbell(sq->db);
	struct nvf_sim_done burst[NVF_SIM_CQ_BURST];
	unsigned int n = 0, nb = 0;

	if (nvf_sim_likely(tail == sq->head))
		return 0;
	if (nvf_sim_unlikely(tail >= sq->size)) {
		if (!sq->bad_db || tail != sq->last_db) {
			sq->bad_db = true;
			sq->last_db = tail;
			report_doorbell(sim, NVME_AER_ERROR_INVALID_DB_VAL);
		}
		return 0;
	}
	while (sq->head != tail && n < NVF_SIM_SQ_BUDGET) {
		struct nvf_sim_sqe cmd;
		uint32_t dw0 = 0;
		uint16_t status;
		bool armed;

		if (nvf_sim_unlikely(!cq_room(cq, nb)))
			break;
		memcpy(&cmd, &sq->ring[sq->head], sizeof(cmd));
		if (++sq->head == sq->size)
			sq->head = 0;
		/* The host wrote the next entries from another core: start fetching them. */
		__builtin_prefetch(&sq->ring[sq->head + 2 < sq->size ? sq->head + 2 : 0]);
		n++;
		/* Only reads and writes wait in a burst: a Flush may sync a whole file, and the
		 * completions before it should not wait for that. */
		if (nb && cmd.opc != nvme_cmd_read && cmd.opc != nvme_cmd_write) {
			burst_post(t, sq, burst, nb);
			nb = 0;
		}

		armed = atomic_load_explicit(&sim->faults_armed, memory_order_relaxed);
		if (nvf_sim_unlikely(armed)) {
			uint64_t delay = 0;

			switch (nvf_sim_fault_check(sim, admin, &cmd, &status, &delay)) {
			case NVF_SIM_FAULT_NONE:
				break;
			case NVF_SIM_FAULT_FAIL:
				nvf_sim_log_error(sim, &cmd, sq->qid, status, 0);
				goto complete;
			case NVF_SIM_FAULT_HOLD:
				if (pend_add(t, sq, cmd.cid, 0, 0, UINT64_MAX))
					continue;
				break;
			case NVF_SIM_FAULT_DELAY:
				status = admin ? nvf_sim_admin(t, &cmd, &dw0)
					       : nvf_sim_io(t, &cmd, &dw0);
				if (status == NVF_SIM_DEFER)
					continue;
				if (status)
					nvf_sim_log_error(sim, &cmd, sq->qid, status, 0);
				if (pend_add(t, sq, cmd.cid, status, dw0, nvf_sim_now_ns() + delay))
					continue;
				goto complete;
			}
		}
		status = admin ? nvf_sim_admin(t, &cmd, &dw0) : nvf_sim_io(t, &cmd, &dw0);
		if (nvf_sim_unlikely(status)) {
			if (status == NVF_SIM_DEFER)
				continue;
			nvf_sim_log_error(sim, &cmd, sq->qid, status, 0);
		}
		if (nvf_sim_likely(!admin && !armed)) {
			burst[nb++] =
			    (struct nvf_sim_done){(uint16_t)sq->head, cmd.cid, status, dw0};
			if (nb == NVF_SIM_CQ_BURST) {
				burst_post(t, sq, burst, nb);
				nb = 0;
			}
			continue;
		}
	complete:
		burst_post(t, sq, burst, nb);
		nb = 0;
		/* Room was checked before the command ran, but an admin command may have posted
		 * to its own CQ (an Abort of an admin command, an event): then post it later. */
		if (nvf_sim_unlikely(
			!nvf_sim_cq_post(cq, sq->qid, (uint16_t)sq->head, cmd.cid, status, dw0)) &&
		    !pend_add(t, sq, cmd.cid, status, dw0, 0))
			NVF_SIM_STAT_ADD(sim, dropped, 1);
		if (nvf_sim_unlikely(
			atomic_load_explicit(&sim->faults_armed, memory_order_relaxed)))
			nvf_sim_fault_completed(sim);
	}
	burst_post(t, sq, burst, nb);
	if (sq->ei)
		nvf_sim_publish(sq->ei, sq->head);
	if (!admin)
		nvf_sim_count(&t->io_cmds, n);
	nvf_sim_cq_irq(sim, cq);
	return n;
}

/* ---- thread 0's doorbell scan ---- */

/*
 * Doorbell writes the model would otherwise never notice: to queues that do not exist (Invalid
 * Doorbell Register) and CQ heads beyond their queue (Invalid Doorbell Write Value; the owner
 * thread reads a CQ head only when the CQ looks full). The model sees register contents, not
 * writes: creating and deleting a queue leave its doorbells at zero, so a non-zero doorbell of
 * an absent queue was written by the host; it is cleared once reported.
 */
void nvf_sim_doorbells_scan(struct nvfio_sim *sim)
{
	volatile uint32_t *db = (volatile uint32_t *)(sim->x.bar + NVF_SIM_DOORBELL_BASE);
	unsigned int n = (unsigned int)((sim->x.bar_len - NVF_SIM_DOORBELL_BASE) / 4);
	bool bad_reg = false, bad_val = false;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int qid = i / 2;

		if (nvf_sim_likely(qid <= sim->opts.queues &&
				   ((i & 1) ? sim->cq[qid].live : sim->sq[qid].live)))
			continue;
		if (nvf_sim_likely(!db[i]))
			continue;
		db[i] = 0;
		bad_reg = true;
	}
	for (unsigned int q = 0; q <= sim->opts.queues; q++) {
		struct nvf_sim_cq *cq = &sim->cq[q];
		uint32_t head;

		if (!cq->live)
			continue;
		head = *cq->db;
		if (head < cq->size) {
			cq->bad_head = 0;
		} else if (head != cq->bad_head) {
			cq->bad_head = head;
			bad_val = true;
		}
	}
	if (bad_reg)
		report_doorbell(sim, NVME_AER_ERROR_INVALID_DB_REG);
	if (bad_val)
		report_doorbell(sim, NVME_AER_ERROR_INVALID_DB_VAL);
}
