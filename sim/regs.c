/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller's registers: their power-on values, what a change of CC does (enable, disable,
 * shutdown), CSTS, the reset that CC.EN = 0 and a function reset make, a fatal error and
 * removal.
 *
 * Enabling with an invalid CC (MPS, CSS, AMS, IOSQES != 6, IOCQES != 4), an invalid AQA, or an
 * admin queue base that is not page-aligned or not mapped sets CSTS.CFS and leaves RDY at 0 (as
 * QEMU's controller does). The admin queue's memory is translated once, at enable, as a device
 * caches the mapping of a queue.
 */
#include <string.h>

#include "sim/priv.h"

void nvf_sim_regs_power_on(struct nvfio_sim *sim)
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

/* Back to the state after CC.EN = 0: no queues, nothing held, features at their defaults. */
void nvf_sim_ctrl_reset(struct nvfio_sim *sim)
{
	nvf_sim_park(sim);
	for (unsigned int q = 1; q <= sim->opts.queues; q++)
		if (sim->sq[q].live)
			nvf_sim_sq_teardown(sim, &sim->sq[q], false);
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
	/* A Controller Level Reset ends a device self-test and activates the firmware chosen for
	 * it; a sanitize operation goes on. */
	nvf_sim_selftest_abort(sim, NVME_NSID_ALL, NVME_ST_RESULT_CLR);
	nvf_sim_fw_reset(sim);
	/* Doorbells read 0 after a reset. */
	nvf_sim_bar_fill(&sim->x, NVF_SIM_DOORBELL_BASE, sim->x.bar_len, 0);
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

/* Surprise removal: what waits is dropped, and BAR0 reads all-ones (thread 0 keeps it so). */
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
	nvf_sim_bar_fill(&sim->x, 0, sim->x.bar_len, 0xffffffffu);
	NVF_SIM_STAT_SET(sim, removed, 1);
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
	/* cfs=0: fatal as it becomes ready, CFS in the same write as RDY, so that no read of CSTS
	 * finds it ready and healthy in between. */
	if (atomic_load(&sim->cfs_after) == 0)
		nvf_sim_raise_fatal(sim);
	set_csts(sim, NVME_CSTS_RDY_MASK | (csts(sim) & NVME_CSTS_CFS_MASK << NVME_CSTS_CFS_SHIFT));
	NVF_SIM_STAT_ADD(sim, enables, 1);
	/* Events posted before the controller was ready wait for an AER; nothing to do. */
	return true;
}

unsigned int nvf_sim_regs_poll(struct nvfio_sim *sim)
{
	uint32_t cc = nvf_sim_reg_read32(&sim->x, NVME_REG_CC), old = sim->cc;
	unsigned int shn = NVME_CC_SHN(cc), oldshn = NVME_CC_SHN(old);

	if (nvf_sim_likely(cc == old))
		return 0;
	sim->cc = cc;
	if (NVME_CC_EN(old) && !NVME_CC_EN(cc)) {
		nvf_sim_ctrl_reset(sim);
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
		for (unsigned int i = 0; i < sim->nn; i++)
			if (sim->ns[i].allocated)
				nvf_sim_store_flush(&sim->ns[i].store);
		set_csts(sim, (csts(sim) & ~(3u << NVME_CSTS_SHST_SHIFT)) |
				  NVME_CSTS_SHST_CMPLT << NVME_CSTS_SHST_SHIFT);
		NVF_SIM_STAT_ADD(sim, shutdowns, 1);
	} else if (!shn && oldshn) {
		set_csts(sim, csts(sim) & ~(3u << NVME_CSTS_SHST_SHIFT));
	}
	return 1;
}
