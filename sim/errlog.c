/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Error Information log: the last NVF_SIM_ERRLOG commands that completed with an error,
 * written by whichever thread completed them, read by Get Log Page and SMART (admin.c). An abort
 * is not the command's error and is not logged.
 */
#include <string.h>

#include "sim/priv.h"

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
