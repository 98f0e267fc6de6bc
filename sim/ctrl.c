/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller model: its threads, its registers (CC, CSTS, AQA/ASQ/ACQ), its queues and
 * doorbells, and the management the admin queue asks for (queue create/delete, Abort, Doorbell
 * Buffer Config).
 *
 * Choices where devices differ, taken from what QEMU's controller does:
 * - Enabling with an invalid CC (MPS, CSS, AMS, IOSQES != 6, IOCQES != 4), an invalid AQA, or an
 *   admin queue base that is not page-aligned or not mapped sets CSTS.CFS and leaves RDY at 0.
 * - Creating an I/O queue whose memory is not mapped fails with Invalid Field; a base that is not
 *   page-aligned fails with Invalid PRP Offset.
 * - Shadow doorbells (Doorbell Buffer Config) apply to the I/O queues; the admin queue always
 *   uses its MMIO doorbells, as Linux's driver expects.
 * - Queue memory is translated once, when the queue is created (or the controller enabled), as a
 *   device caches the mapping of a queue; data pointers are translated for every command.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/priv.h"
#include "support/error.h"

/*
 * Idle back-off. A nap costs 10-15 us of CPU on a virtual machine whatever its length (timer and
 * scheduler work), so naps grow: 1 us doubling up to 200 us while the controller was busy
 * recently, then 1 ms once it has been idle for NVF_SIM_DEEP_NS. New work waits at most one nap.
 */
#define NVF_SIM_SPIN_NS	  50000ull /* spin this long after the last work before sleeping */
#define NVF_SIM_NAP_MIN	  1000ull
#define NVF_SIM_NAP_MAX	  200000ull
#define NVF_SIM_DEEP_NS	  20000000ull /* idle this long: deep naps */
#define NVF_SIM_NAP_DEEP  1000000ull
#define NVF_SIM_SQ_BUDGET 256 /* commands taken from one SQ per pass, for fairness */
#define NVF_SIM_CAP_TO	  2   /* 500 ms units: RDY follows CC.EN within one sleep */
#define NVF_SIM_MPSMAX	  4   /* 64 KiB pages */

#define CQ_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_CQ_INVALID) | NVF_SIM_DNR)
#define QID_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_QID_INVALID) | NVF_SIM_DNR)
#define QSIZE_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_QUEUE_SIZE) | NVF_SIM_DNR)
#define VECTOR_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_INVALID_VECTOR) | NVF_SIM_DNR)
#define QDEL_INVALID	(NVF_SIM_CMD_SPEC(NVME_SC_INVALID_QUEUE) | NVF_SIM_DNR)
#define PRP_OFF_INVALID (NVF_SIM_GENERIC(NVME_SC_PRP_INVALID_OFFSET) | NVF_SIM_DNR)
#define ABORT_REQ	NVF_SIM_GENERIC(NVME_SC_ABORT_REQ)
#define ABORT_SQ_DEL	NVF_SIM_GENERIC(NVME_SC_ABORT_QUEUE)

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

/* ---- parking: thread 0 changes the queue set while the others are stopped ---- */

static void park_wait(struct nvf_sim_thread *t)
{
	struct nvfio_sim *sim = t->sim;

	pthread_mutex_lock(&sim->park_lock);
	atomic_store(&t->state, NVF_SIM_THR_PARKED);
	while (atomic_load(&sim->park_req) && !atomic_load(&sim->stop))
		pthread_cond_wait(&sim->park_cond, &sim->park_lock);
	atomic_store(&t->state, NVF_SIM_THR_RUNNING);
	pthread_mutex_unlock(&sim->park_lock);
}

void nvf_sim_park(struct nvfio_sim *sim)
{
	if (sim->nthr == 1)
		return;
	/* seq_cst store, then seq_cst loads of each state: pairs with the worker's store of
	 * RUNNING and load of park_req after a sleep, so one of the two sees the other. */
	atomic_store(&sim->park_req, 1);
	for (unsigned int i = 1; i < sim->nthr; i++) {
		if (!sim->thr[i].started)
			continue;
		while (atomic_load(&sim->thr[i].state) == NVF_SIM_THR_RUNNING &&
		       !atomic_load(&sim->stop))
			sched_yield();
	}
}

void nvf_sim_unpark(struct nvfio_sim *sim)
{
	if (sim->nthr == 1)
		return;
	pthread_mutex_lock(&sim->park_lock);
	atomic_store(&sim->park_req, 0);
	pthread_cond_broadcast(&sim->park_cond);
	pthread_mutex_unlock(&sim->park_lock);
}

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

static inline void cq_irq(struct nvfio_sim *sim, struct nvf_sim_cq *cq)
{
	if (cq->irq_pending) {
		cq->irq_pending = false;
		nvf_sim_irq(&sim->x, cq->iv);
	}
}

/* ---- pending completions (held by a fault, or delayed) ---- */

static void pend_remove(struct nvf_sim_thread *t, unsigned int i)
{
	if (t->pend[i].due == UINT64_MAX) {
		t->nheld--;
		NVF_SIM_STAT_ADD(t->sim, holding, (uint64_t)-1);
	}
	t->pend[i] = t->pend[--t->npend];
}

static unsigned int pend_poll(struct nvf_sim_thread *t)
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
		cq_irq(t->sim, p->sq->cq);
		if (p->due)
			NVF_SIM_STAT_ADD(t->sim, delayed, 1);
		pend_remove(t, i);
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

static unsigned int sq_poll(struct nvf_sim_thread *t, struct nvf_sim_sq *sq, bool admin)
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
	cq_irq(sim, cq);
	return n;
}

/* ---- controller state ---- */

static void regs_power_on(struct nvfio_sim *sim)
{
	struct nvf_sim_xport *x = &sim->x;

	memset((void *)x->bar, 0, x->bar_len);
	nvf_sim_reg_write64(x, NVME_REG_CAP, sim->cap);
	nvf_sim_reg_write32(x, NVME_REG_VS, 0x00010400);
	sim->cc = 0;
}

void nvf_sim_features_default(struct nvfio_sim *sim)
{
	struct nvf_sim_features *f = &sim->feat;

	memset(f, 0, sizeof(*f));
	for (unsigned int i = 0; i < 9; i++)
		f->temp_over[i] = 0xffff;
	f->temp_over[0] = NVF_SIM_WCTEMP;
	f->err_recovery = 0;
	f->vwc = sim->opts.vwc ? 1 : 0;
	f->write_atomic = 0;
	memset(sim->ivc, 0, sizeof(*sim->ivc) * sim->x.nirq);
	for (unsigned int i = 0; i < sim->x.nirq; i++)
		sim->ivc[i] = i;
	sim->nsq_granted = sim->opts.queues;
	sim->ncq_granted = sim->opts.queues;
	sim->temp_event_sent = false;
}

static void sq_teardown(struct nvfio_sim *sim, struct nvf_sim_sq *sq, bool deleted)
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
		pend_remove(t, i);
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

/* Back to the state after CC.EN = 0: no queues, nothing held, features at their defaults. */
static void ctrl_reset(struct nvfio_sim *sim)
{
	nvf_sim_park(sim);
	for (unsigned int q = 1; q <= sim->opts.queues; q++)
		if (sim->sq[q].live)
			sq_teardown(sim, &sim->sq[q], false);
	for (unsigned int q = 0; q <= sim->opts.queues; q++)
		memset(&sim->cq[q], 0, sizeof(sim->cq[q]));
	for (unsigned int i = 0; i < sim->nthr; i++) {
		struct nvf_sim_thread *t = &sim->thr[i];

		NVF_SIM_STAT_ADD(sim, dropped, t->npend);
		NVF_SIM_STAT_ADD(sim, holding, (uint64_t)0 - t->nheld);
		t->npend = 0;
		t->nheld = 0;
	}
	memset(&sim->sq[0], 0, sizeof(sim->sq[0]));
	nvf_sim_store_reclaim(sim);
	nvf_sim_unpark(sim);

	sim->naer = 0;
	NVF_SIM_STAT_SET(sim, aer_outstanding, 0);
	sim->ev_masked = 0;
	sim->dbs = sim->eis = NULL;
	sim->dbs_iova = sim->eis_iova = 0;
	sim->queues_created = false;
	sim->ready = false;
	sim->shut = false;
	sim->fatal = false;
	nvf_sim_features_default(sim);
	/* Doorbells read 0 after a reset. */
	memset((void *)(sim->x.bar + NVF_SIM_DOORBELL_BASE), 0,
	       sim->x.bar_len - NVF_SIM_DOORBELL_BASE);
	NVF_SIM_STAT_ADD(sim, resets, 1);
}

static uint32_t csts(struct nvfio_sim *sim)
{
	return nvf_sim_reg_read32(&sim->x, NVME_REG_CSTS);
}

static void set_csts(struct nvfio_sim *sim, uint32_t v)
{
	nvf_sim_reg_write32(&sim->x, NVME_REG_CSTS, v);
}

void nvf_sim_raise_fatal(struct nvfio_sim *sim)
{
	if (sim->removed_seen)
		return;
	sim->fatal = true;
	atomic_store(&sim->halt, true);
	set_csts(sim, csts(sim) | NVME_CSTS_CFS_MASK << NVME_CSTS_CFS_SHIFT);
	NVF_SIM_STAT_ADD(sim, fatal, 1);
}

static bool enable_fail(struct nvfio_sim *sim)
{
	nvf_sim_raise_fatal(sim);
	return false;
}

static bool ctrl_enable(struct nvfio_sim *sim, uint32_t cc)
{
	struct nvf_sim_xport *x = &sim->x;
	uint32_t aqa = nvf_sim_reg_read32(x, NVME_REG_AQA);
	uint64_t asq = nvf_sim_reg_read64(x, NVME_REG_ASQ),
		 acq = nvf_sim_reg_read64(x, NVME_REG_ACQ);
	unsigned int mps = NVME_CC_MPS(cc);
	uint32_t sqs = (aqa & 0xfff) + 1, cqs = ((aqa >> 16) & 0xfff) + 1;
	uint64_t ps;
	struct nvf_sim_sq *sq = &sim->sq[0];
	struct nvf_sim_cq *cq = &sim->cq[0];

	if (mps > NVF_SIM_MPSMAX || NVME_CC_CSS(cc) != NVME_CC_CSS_NVM ||
	    NVME_CC_AMS(cc) != NVME_CC_AMS_RR || NVME_CC_IOSQES(cc) != 6 || NVME_CC_IOCQES(cc) != 4)
		return enable_fail(sim);
	ps = 4096ull << mps;
	if (sqs < 2 || cqs < 2 || !asq || !acq || (asq & (ps - 1)) || (acq & (ps - 1)))
		return enable_fail(sim);
	sq->ring = nvf_sim_dma(x, asq, (size_t)sqs * sizeof(struct nvf_sim_sqe));
	cq->ring = nvf_sim_dma(x, acq, (size_t)cqs * sizeof(struct nvf_sim_cqe));
	if (!sq->ring || !cq->ring)
		return enable_fail(sim);

	sim->page_shift = 12 + mps;
	cq->iova = acq;
	cq->size = cqs;
	cq->phase = 1;
	cq->ien = true;
	cq->iv = 0;
	cq->live = true;
	cq->nsq = 1;
	cq->db = nvf_sim_doorbell(x, 0, 1);
	cq->thr = &sim->thr[0];
	sq->iova = asq;
	sq->size = sqs;
	sq->cq = cq;
	sq->live = true;
	sq->db = nvf_sim_doorbell(x, 0, 0);
	sim->ready = true;
	sim->shut = false;
	atomic_store(&sim->halt, false);
	set_csts(sim, NVME_CSTS_RDY_MASK);
	NVF_SIM_STAT_ADD(sim, enables, 1);
	if (atomic_load(&sim->cfs_after) == 0)
		nvf_sim_raise_fatal(sim);
	/* Events posted before the controller was ready wait for an AER; nothing to do. */
	return true;
}

static unsigned int regs_poll(struct nvfio_sim *sim)
{
	uint32_t cc = nvf_sim_reg_read32(&sim->x, NVME_REG_CC), old = sim->cc;
	unsigned int shn = NVME_CC_SHN(cc), oldshn = NVME_CC_SHN(old);

	if (nvf_sim_likely(cc == old))
		return 0;
	sim->cc = cc;
	if (NVME_CC_EN(old) && !NVME_CC_EN(cc)) {
		ctrl_reset(sim);
		set_csts(sim, 0);
	} else if (!NVME_CC_EN(old) && NVME_CC_EN(cc) && !sim->fatal) {
		ctrl_enable(sim, cc);
	}
	if (shn && !oldshn) {
		/* Normal or abrupt shutdown: stop fetching, keep the data (stores are always
		 * consistent here), report completion. */
		set_csts(sim, (csts(sim) & ~(3u << NVME_CSTS_SHST_SHIFT)) |
				  NVME_CSTS_SHST_OCCUR << NVME_CSTS_SHST_SHIFT);
		sim->shut = true;
		atomic_store(&sim->halt, true);
		for (unsigned int i = 0; i < sim->nns; i++)
			nvf_sim_store_flush(&sim->ns[i].store);
		set_csts(sim, (csts(sim) & ~(3u << NVME_CSTS_SHST_SHIFT)) |
				  NVME_CSTS_SHST_CMPLT << NVME_CSTS_SHST_SHIFT);
		NVF_SIM_STAT_ADD(sim, shutdowns, 1);
	} else if (!shn && oldshn) {
		set_csts(sim, csts(sim) & ~(3u << NVME_CSTS_SHST_SHIFT));
	}
	return 1;
}

/* ---- I/O queue management (admin commands) ---- */

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
	sq_teardown(sim, &sim->sq[qid], true);
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
			cq_irq(sim, p->sq->cq);
			pend_remove(t, j);
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

void nvf_sim_log_error(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd, uint16_t sqid,
		       uint16_t status, uint64_t lba)
{
	struct nvme_error_log_page *e;
	uint16_t sc = status & 0x7ff;

	if (sc == NVF_SIM_GENERIC(NVME_SC_ABORT_REQ) || sc == NVF_SIM_GENERIC(NVME_SC_ABORT_QUEUE))
		return;
	pthread_mutex_lock(&sim->err_lock);
	e = &sim->errlog[sim->err_count % NVF_SIM_ERRLOG];
	memset(e, 0, sizeof(*e));
	e->error_count = ++sim->err_count;
	e->sqid = sqid;
	e->cmdid = cmd->cid;
	e->status_field = (uint16_t)(status << 1);
	e->parm_error_location = 0xffff;
	e->lba = lba;
	e->nsid = cmd->nsid;
	pthread_mutex_unlock(&sim->err_lock);
	NVF_SIM_STAT_ADD(sim, errors_logged, 1);
}

/* ---- requests from the application ---- */

void nvf_sim_do_remove(struct nvfio_sim *sim)
{
	nvf_sim_park(sim);
	for (unsigned int i = 0; i < sim->nthr; i++) {
		NVF_SIM_STAT_ADD(sim, holding, (uint64_t)0 - sim->thr[i].nheld);
		sim->thr[i].npend = 0;
		sim->thr[i].nheld = 0;
		sim->thr[i].nsqs = 0;
	}
	nvf_sim_unpark(sim);
	sim->ready = false;
	atomic_store(&sim->halt, true);
	sim->removed_seen = true;
	memset((void *)sim->x.bar, 0xff, sim->x.bar_len);
	NVF_SIM_STAT_SET(sim, removed, 1);
}

static void request(struct nvfio_sim *sim, unsigned int bits, bool wait)
{
	uint64_t seq;

	pthread_mutex_lock(&sim->req_lock);
	atomic_fetch_or(&sim->req, bits);
	seq = ++sim->req_seq;
	while (wait && sim->req_done < seq && !atomic_load(&sim->stop))
		pthread_cond_wait(&sim->req_cond, &sim->req_lock);
	pthread_mutex_unlock(&sim->req_lock);
}

static unsigned int requests_poll(struct nvfio_sim *sim)
{
	unsigned int r;
	uint64_t seq;

	pthread_mutex_lock(&sim->req_lock);
	r = atomic_exchange(&sim->req, 0);
	seq = sim->req_seq;
	pthread_mutex_unlock(&sim->req_lock);

	if ((r & NVF_SIM_REQ_REMOVE) && !sim->removed_seen)
		nvf_sim_do_remove(sim);
	if ((r & NVF_SIM_REQ_RESET) && !sim->removed_seen) {
		ctrl_reset(sim);
		regs_power_on(sim);
	}
	if ((r & NVF_SIM_REQ_FATAL) && !sim->fatal)
		nvf_sim_raise_fatal(sim);
	if ((r & NVF_SIM_REQ_EVENT) && sim->ready && !sim->fatal && !sim->removed_seen)
		nvf_sim_aer_flush(sim);

	pthread_mutex_lock(&sim->req_lock);
	sim->req_done = seq;
	pthread_cond_broadcast(&sim->req_cond);
	pthread_mutex_unlock(&sim->req_lock);
	return 1;
}

/* From any model thread: the work is done by thread 0 on its next pass. */
void nvf_sim_request_event(struct nvfio_sim *sim)
{
	atomic_fetch_or(&sim->req, NVF_SIM_REQ_EVENT);
}

void nvf_sim_request_fatal(struct nvfio_sim *sim)
{
	atomic_fetch_or(&sim->req, NVF_SIM_REQ_FATAL);
}

void nvf_sim_request_remove(struct nvfio_sim *sim)
{
	atomic_fetch_or(&sim->req, NVF_SIM_REQ_REMOVE);
}

int nvfio_sim_fatal(struct nvfio_sim *sim)
{
	request(sim, NVF_SIM_REQ_FATAL, true);
	return 0;
}

int nvfio_sim_remove(struct nvfio_sim *sim)
{
	request(sim, NVF_SIM_REQ_REMOVE, true);
	return 0;
}

int nvf_sim_reset(struct nvfio_sim *sim)
{
	request(sim, NVF_SIM_REQ_RESET, true);
	return 0;
}

/* ---- the threads ---- */

/*
 * Doorbell writes the model would otherwise never notice: to queues that do not exist (Invalid
 * Doorbell Register) and CQ heads beyond their queue (Invalid Doorbell Write Value; the owner
 * thread reads a CQ head only when the CQ looks full). The model sees register contents, not
 * writes: creating and deleting a queue leave its doorbells at zero, so a non-zero doorbell of
 * an absent queue was written by the host; it is cleared once reported.
 */
static void doorbells_scan(struct nvfio_sim *sim)
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

static unsigned int ctrl_pass(struct nvf_sim_thread *t)
{
	struct nvfio_sim *sim = t->sim;
	unsigned int work = 0;

	if (nvf_sim_unlikely(atomic_load_explicit(&sim->req, memory_order_relaxed)))
		work += requests_poll(sim);
	if (nvf_sim_unlikely(sim->removed_seen)) {
		/* Registers and doorbells of a removed device read all-ones whatever the host
		 * wrote: a scan of a few KiB per pass, only in this state. */
		for (uint32_t off = 0; off < sim->x.bar_len; off += 4) {
			if (nvf_sim_reg_read32(&sim->x, off) != 0xffffffffu) {
				memset((void *)sim->x.bar, 0xff, sim->x.bar_len);
				break;
			}
		}
		return work;
	}
	if (nvf_sim_unlikely(atomic_load_explicit(&sim->nretired, memory_order_relaxed))) {
		nvf_sim_park(sim);
		nvf_sim_store_reclaim(sim);
		nvf_sim_unpark(sim);
	}
	work += regs_poll(sim);
	if (sim->ready && !sim->fatal && !sim->shut) {
		work += sq_poll(t, &sim->sq[0], true);
		/* Every pass while napping (a scan is cheap next to a nap), else now and then. */
		if (nvf_sim_unlikely(t->nap_ns || ++sim->scan_tick == 1024)) {
			sim->scan_tick = 0;
			doorbells_scan(sim);
		}
	}
	return work;
}

static unsigned int io_pass(struct nvf_sim_thread *t)
{
	struct nvfio_sim *sim = t->sim;
	unsigned int work = 0;

	if (nvf_sim_unlikely(atomic_load_explicit(&sim->halt, memory_order_relaxed)))
		return 0;
	for (unsigned int i = 0; i < t->nsqs; i++)
		work += sq_poll(t, t->sqs[i], false);
	if (nvf_sim_unlikely(t->npend > t->nheld))
		pend_poll(t);
	return work;
}

static uint64_t idle_ns(const struct nvf_sim_thread *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - t->idle_since.tv_sec) * 1000000000ull +
	       (uint64_t)now.tv_nsec - (uint64_t)t->idle_since.tv_nsec;
}

static void nap(struct nvf_sim_thread *t)
{
	struct nvfio_sim *sim = t->sim;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)t->nap_ns};

	atomic_store(&t->state, NVF_SIM_THR_SLEEPING);
	nanosleep(&ts, NULL);
	atomic_store(&t->state, NVF_SIM_THR_RUNNING);
	if (t->idx && atomic_load(&sim->park_req))
		park_wait(t);
	if (t->nap_ns < NVF_SIM_NAP_MAX) {
		t->nap_ns *= 2;
		if (t->nap_ns > NVF_SIM_NAP_MAX)
			t->nap_ns = NVF_SIM_NAP_MAX;
	} else if (t->nap_ns == NVF_SIM_NAP_MAX && idle_ns(t) > NVF_SIM_DEEP_NS) {
		t->nap_ns = NVF_SIM_NAP_DEEP;
	}
}

static void backoff(struct nvf_sim_thread *t)
{
	if (t->idle_passes++ == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t->idle_since);
		t->nap_ns = 0;
		return;
	}
	if (!t->nap_ns) {
		cpu_relax();
		if (t->idle_passes & 63)
			return;
		if (idle_ns(t) < NVF_SIM_SPIN_NS)
			return;
		t->nap_ns = NVF_SIM_NAP_MIN;
	}
	nap(t);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *thread_main(void *arg)
{
	struct nvf_sim_thread *t = arg;
	struct nvfio_sim *sim = t->sim;

	/* Short naps must be short: the default 50 us timer slack would stretch them. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	while (!atomic_load_explicit(&sim->stop, memory_order_relaxed)) {
		unsigned int work = 0, io;
		uint64_t t0 = 0;
		bool acct = atomic_load_explicit(&sim->acct, memory_order_relaxed);

		if (nvf_sim_unlikely(t->idx &&
				     atomic_load_explicit(&sim->park_req, memory_order_relaxed)))
			park_wait(t);
		if (nvf_sim_unlikely(acct))
			t0 = thread_cpu_ns();
		if (t->idx == 0)
			work = ctrl_pass(t);
		io = io_pass(t);
		work += io;
		if (nvf_sim_unlikely(acct) && io) {
			nvf_sim_count(&t->busy_ns, thread_cpu_ns() - t0);
			nvf_sim_count(&t->busy_cmds, io);
		}
		if (work) {
			t->idle_passes = 0;
			t->nap_ns = 0;
		} else {
			backoff(t);
		}
	}
	/* Gone: thread 0 must not wait for this thread to park. */
	atomic_store(&t->state, NVF_SIM_THR_PARKED);
	return NULL;
}

/* ---- create and destroy ---- */

static void ns_ids(struct nvfio_sim *sim, struct nvf_sim_ns *ns)
{
	/* Stable identifiers derived from the serial number and namespace id, so a reopen with
	 * the same options finds the same namespaces. */
	uint64_t h = 1469598103934665603ull;

	for (const char *p = sim->opts.serial; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	h = (h ^ ns->nsid) * 1099511628211ull;
	for (unsigned int i = 0; i < 8; i++)
		ns->eui64[i] = (uint8_t)(h >> (56 - 8 * i));
	ns->eui64[0] = 0x02; /* locally administered */
	for (unsigned int i = 0; i < 16; i++) {
		h = (h ^ i) * 1099511628211ull;
		ns->nguid[i] = (uint8_t)(h >> 24);
		ns->uuid[i] = (uint8_t)(h >> 40);
	}
	ns->uuid[6] = (uint8_t)((ns->uuid[6] & 0x0f) | 0x40); /* version 4 */
	ns->uuid[8] = (uint8_t)((ns->uuid[8] & 0x3f) | 0x80); /* variant 1 */
}

static void nvf_sim_free(struct nvfio_sim *sim)
{
	if (sim->ns) {
		for (unsigned int i = 0; i < sim->opts.namespaces; i++)
			nvf_sim_store_close(&sim->ns[i].store);
		free(sim->ns);
	}
	if (sim->file_fd >= 0)
		close(sim->file_fd);
	if (sim->thr) {
		for (unsigned int i = 0; i < sim->nthr; i++) {
			free(sim->thr[i].sqs);
			free(sim->thr[i].pend);
			free(sim->thr[i].segs);
		}
		free(sim->thr);
	}
	nvf_sim_store_reclaim(sim);
	free(sim->sq);
	free(sim->cq);
	free(sim->ivc);
	free(sim->x.irqfd);
	if (sim->x.bar)
		munmap((void *)sim->x.bar, sim->x.bar_len);
	pthread_mutex_destroy(&sim->ev_lock);
	pthread_mutex_destroy(&sim->err_lock);
	pthread_mutex_destroy(&sim->fault_lock);
	pthread_mutex_destroy(&sim->req_lock);
	pthread_cond_destroy(&sim->req_cond);
	pthread_mutex_destroy(&sim->park_lock);
	pthread_cond_destroy(&sim->park_cond);
	pthread_mutex_destroy(&sim->retire_lock);
	free(sim);
}

static int open_file(struct nvfio_sim *sim)
{
	uint64_t need =
	    nvf_sim_align_up(sim->opts.size + sim->opts.size / 32, 4096ull) * sim->opts.namespaces;
	struct stat stb;
	int fd = open(sim->opts.file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return nvf_err(-errno, "sim: cannot open or create %s: %s", sim->opts.file,
			       strerror(errno));
	if (fstat(fd, &stb) || !S_ISREG(stb.st_mode)) {
		close(fd);
		return nvf_err(-NVFIO_EBADOPT, "sim: file=%s is not a regular file",
			       sim->opts.file);
	}
	if ((uint64_t)stb.st_size < need && ftruncate(fd, (off_t)need)) {
		int err = -errno;

		close(fd);
		return nvf_err(err, "sim: cannot grow %s to %llu bytes: %s", sim->opts.file,
			       (unsigned long long)need, strerror(-err));
	}
	sim->file_fd = fd;
	return 0;
}

int nvf_sim_create(const char *opts, const struct nvf_sim_mem *mem, struct nvfio_sim **out)
{
	struct nvfio_sim *sim;
	unsigned int nq;
	int ret;

	*out = NULL;
	if (!mem || !mem->translate)
		return nvf_err(-EINVAL, "sim: no DMA translation given to the controller model");
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return nvf_err(-ENOMEM, "sim: out of memory");
	sim->file_fd = -1;
	pthread_mutex_init(&sim->ev_lock, NULL);
	pthread_mutex_init(&sim->err_lock, NULL);
	pthread_mutex_init(&sim->fault_lock, NULL);
	pthread_mutex_init(&sim->req_lock, NULL);
	pthread_cond_init(&sim->req_cond, NULL);
	pthread_mutex_init(&sim->park_lock, NULL);
	pthread_cond_init(&sim->park_cond, NULL);
	pthread_mutex_init(&sim->retire_lock, NULL);
	sim->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)sim;
	atomic_store(&sim->cfs_after, -1);
	atomic_store(&sim->remove_after, -1);

	ret = nvf_sim_parse_opts(sim, opts);
	if (ret)
		goto fail;
	sim->x.mem = *mem;
	nq = sim->opts.queues + 1;
	sim->mdts_bytes = 4096u << sim->opts.mdts;
	sim->nthr = sim->opts.threads;
	sim->cap = (uint64_t)(sim->opts.depth - 1) | 1ull << 16 /* CQR */ |
		   (uint64_t)NVF_SIM_CAP_TO << 24 | 1ull << 37 /* CSS: NVM */ |
		   (uint64_t)NVF_SIM_MPSMAX << 52;

	ret = -ENOMEM;
	sim->x.bar_len = nvf_sim_align_up(NVF_SIM_DOORBELL_BASE + 8 * nq, 4096u);
	sim->x.bar =
	    mmap(NULL, sim->x.bar_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sim->x.bar == MAP_FAILED) {
		sim->x.bar = NULL;
		goto nomem;
	}
	sim->x.nirq = nq;
	sim->x.irqfd = calloc(nq, sizeof(*sim->x.irqfd));
	sim->sq = calloc(nq, sizeof(*sim->sq));
	sim->cq = calloc(nq, sizeof(*sim->cq));
	sim->ivc = calloc(nq, sizeof(*sim->ivc));
	sim->thr = calloc(sim->nthr, sizeof(*sim->thr));
	sim->ns = calloc(sim->opts.namespaces, sizeof(*sim->ns));
	if (!sim->x.irqfd || !sim->sq || !sim->cq || !sim->ivc || !sim->thr || !sim->ns)
		goto nomem;
	for (unsigned int i = 0; i < nq; i++)
		atomic_init(&sim->x.irqfd[i], -1);
	for (unsigned int i = 0; i < sim->nthr; i++) {
		struct nvf_sim_thread *t = &sim->thr[i];

		t->sim = sim;
		t->idx = i;
		t->sqs = calloc(nq, sizeof(*t->sqs));
		t->pend = calloc(NVF_SIM_PENDING_MAX, sizeof(*t->pend));
		t->segs = calloc(NVF_SIM_MAX_SEGS, sizeof(*t->segs));
		if (!t->sqs || !t->pend || !t->segs)
			goto nomem;
	}

	if (sim->opts.storage == NVF_SIM_STORE_FILE) {
		ret = open_file(sim);
		if (ret)
			goto fail;
	}
	for (unsigned int i = 0; i < sim->opts.namespaces; i++) {
		struct nvf_sim_ns *ns = &sim->ns[i];

		ns->nsid = i + 1;
		ns->lbaf = sim->opts.lbaf;
		ns->lbads = nvf_sim_lbafs[ns->lbaf].ds;
		ns->ms = nvf_sim_lbafs[ns->lbaf].ms;
		ns->nsze = sim->opts.size >> ns->lbads;
		ns_ids(sim, ns);
		ret = nvf_sim_store_open(sim, ns, i);
		if (ret)
			goto fail;
		sim->nns = i + 1;
	}
	nvf_sim_features_default(sim);
	regs_power_on(sim);
	sim->power_on_ns = nvf_sim_now_ns();
	if (atomic_load(&sim->cfs_after) > 0)
		atomic_fetch_add(&sim->faults_armed, 1);
	if (atomic_load(&sim->remove_after) > 0)
		atomic_fetch_add(&sim->faults_armed, 1);
	else if (atomic_load(&sim->remove_after) == 0)
		nvf_sim_do_remove(sim);

	/* Thread 0 last: it parks the others by their state, and must not find one of them
	 * running with its started flag not yet set. */
	for (unsigned int i = sim->nthr; i-- > 0;) {
		ret = -pthread_create(&sim->thr[i].tid, NULL, thread_main, &sim->thr[i]);
		if (ret) {
			nvf_err(ret, "sim: cannot start the controller thread: %s", strerror(-ret));
			nvf_sim_destroy(sim);
			return ret;
		}
		sim->thr[i].started = true;
	}
	*out = sim;
	return 0;

nomem:
	ret = nvf_err(-ENOMEM, "sim: out of memory for the controller (queues=%u, depth=%u)",
		      sim->opts.queues, sim->opts.depth);
fail:
	nvf_sim_free(sim);
	return ret;
}

void nvf_sim_destroy(struct nvfio_sim *sim)
{
	if (!sim)
		return;
	atomic_store(&sim->stop, true);
	nvf_sim_unpark(sim);
	pthread_mutex_lock(&sim->req_lock);
	pthread_cond_broadcast(&sim->req_cond);
	pthread_mutex_unlock(&sim->req_lock);
	for (unsigned int i = 0; i < sim->nthr; i++)
		if (sim->thr[i].started)
			pthread_join(sim->thr[i].tid, NULL);
	nvf_sim_free(sim);
}

volatile void *nvf_sim_bar0(struct nvfio_sim *sim, size_t *len)
{
	if (len)
		*len = sim->x.bar_len;
	return sim->x.bar;
}

unsigned int nvf_sim_irq_count(struct nvfio_sim *sim)
{
	return sim->x.nirq;
}

int nvf_sim_set_irq(struct nvfio_sim *sim, unsigned int vector, int eventfd)
{
	if (vector >= sim->x.nirq || eventfd < -1)
		return -EINVAL;
	atomic_store_explicit(&sim->x.irqfd[vector], eventfd, memory_order_release);
	return 0;
}

uint64_t nvf_sim_thread_cpu_ns(struct nvfio_sim *sim)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < sim->nthr; i++) {
		clockid_t cid;
		struct timespec ts;

		if (!sim->thr[i].started || pthread_getcpuclockid(sim->thr[i].tid, &cid) ||
		    clock_gettime(cid, &ts))
			continue;
		sum += (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	return sum;
}

void nvf_sim_account(struct nvfio_sim *sim, bool on)
{
	atomic_store(&sim->acct, on);
}

void nvf_sim_busy(struct nvfio_sim *sim, uint64_t *ns, uint64_t *cmds)
{
	*ns = *cmds = 0;
	for (unsigned int i = 0; i < sim->nthr; i++) {
		*ns += atomic_load_explicit(&sim->thr[i].busy_ns, memory_order_relaxed);
		*cmds += atomic_load_explicit(&sim->thr[i].busy_cmds, memory_order_relaxed);
	}
}
