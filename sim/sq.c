/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Submission queues at work: commands taken from an SQ, checked against the armed faults, carried
 * out (admin.c, io.c), and their completions posted to its CQ (cq.c): the completions of a pass's
 * reads and writes together, in bursts.
 */
#include <string.h>

#include "sim/cq.h"

#define NVF_SIM_SQ_BUDGET 256 /* commands taken from one SQ per pass, for fairness */

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
		    !nvf_sim_pend_add(t, sq, d[i].cid, d[i].status, d[i].dw0, 0))
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
			nvf_sim_report_doorbell(sim, NVME_AER_ERROR_INVALID_DB_VAL);
		}
		return 0;
	}
	while (sq->head != tail && n < NVF_SIM_SQ_BUDGET) {
		struct nvf_sim_sqe cmd;
		uint32_t dw0 = 0;
		uint16_t status;
		bool armed;

		if (nvf_sim_unlikely(!nvf_sim_cq_room(cq, nb)))
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

			/* A sanitize in progress (or failed) refuses I/O before any fault. */
			if (!admin && (status = nvf_sim_sanitize_io_gate(sim, &cmd))) {
				nvf_sim_log_error(sim, &cmd, sq->qid, status, 0);
				goto complete;
			}
			switch (nvf_sim_fault_check(sim, admin, &cmd, &status, &delay)) {
			case NVF_SIM_FAULT_NONE:
				break;
			case NVF_SIM_FAULT_FAIL:
				nvf_sim_log_error(sim, &cmd, sq->qid, status, 0);
				goto complete;
			case NVF_SIM_FAULT_HOLD:
				if (nvf_sim_pend_add(t, sq, cmd.cid, 0, 0, UINT64_MAX))
					continue;
				break;
			case NVF_SIM_FAULT_DELAY:
				status = admin ? nvf_sim_admin(t, &cmd, &dw0)
					       : nvf_sim_io(t, &cmd, &dw0);
				if (status == NVF_SIM_DEFER)
					continue;
				if (status)
					nvf_sim_log_error(sim, &cmd, sq->qid, status, 0);
				if (nvf_sim_pend_add(t, sq, cmd.cid, status, dw0,
						     nvf_sim_now_ns() + delay))
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
		    !nvf_sim_pend_add(t, sq, cmd.cid, status, dw0, 0))
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
