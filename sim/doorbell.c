/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Doorbell values the host should not have written, reported as asynchronous events of type
 * error: an SQ tail beyond its queue (found by the SQ poll, sq.c), and what thread 0's scan finds.
 */
#include "sim/priv.h"

/* Asynchronous event of type error (Invalid Doorbell Write Value or Invalid Doorbell Register),
 * with the Error Information log to read. Raised from any thread, delivered by thread 0. */
void nvf_sim_report_doorbell(struct nvfio_sim *sim, uint8_t info)
{
	nvfio_sim_post_event(sim, NVME_AER_ERROR, info, NVME_LOG_LID_ERROR, 0);
}

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
		if (nvf_sim_likely(!nvf_sim_read_doorbell(&db[i])))
			continue;
		nvf_sim_publish(&db[i], 0);
		bad_reg = true;
	}
	for (unsigned int q = 0; q <= sim->opts.queues; q++) {
		struct nvf_sim_cq *cq = &sim->cq[q];
		uint32_t head;

		if (!cq->live)
			continue;
		head = nvf_sim_read_doorbell(cq->db);
		if (head < cq->size) {
			cq->bad_head = 0;
		} else if (head != cq->bad_head) {
			cq->bad_head = head;
			bad_val = true;
		}
	}
	if (bad_reg)
		nvf_sim_report_doorbell(sim, NVME_AER_ERROR_INVALID_DB_REG);
	if (bad_val)
		nvf_sim_report_doorbell(sim, NVME_AER_ERROR_INVALID_DB_VAL);
}
