/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Asynchronous events waiting for an Asynchronous Event Request: posted by the application
 * (nvfio_sim_post_event() of <nvfio/sim.h>, event= in the address) or by the controller itself
 * (a doorbell the host should not have written, a temperature threshold), from any thread.
 * Thread 0 completes the host's requests with them (nvf_sim_aer_flush() in admin.c).
 */
#include <errno.h>

#include "sim/priv.h"
#include "support/error.h"

/* Under ev_lock: @nsid in the Changed Namespace List, once; past 1024 the log says "more". */
static void record_changed(struct nvfio_sim *sim, uint32_t nsid)
{
	for (unsigned int i = 0; i < sim->nchanged && i < 1024; i++)
		if (sim->changed_ns[i] == nsid)
			return;
	if (sim->nchanged < 1024)
		sim->changed_ns[sim->nchanged] = nsid;
	sim->nchanged++;
}

int nvfio_sim_post_event(struct nvfio_sim *sim, unsigned int type, unsigned int info,
			 unsigned int lid, uint32_t nsid)
{
	if (type > 7 || info > 255 || lid > 255)
		return nvf_err(-EINVAL,
			       "sim: event type %u, info %u, log page %u: type must be "
			       "0-7, info and log page 0-255",
			       type, info, lid);
	pthread_mutex_lock(&sim->ev_lock);
	if (sim->nev == NVF_SIM_MAX_EVENTS) {
		pthread_mutex_unlock(&sim->ev_lock);
		return nvf_err(-ENOSPC,
			       "sim: %d asynchronous events already queued; the host "
			       "must send Asynchronous Event Requests and read the log pages",
			       NVF_SIM_MAX_EVENTS);
	}
	sim->evq[sim->nev].type = (uint8_t)type;
	sim->evq[sim->nev].info = (uint8_t)info;
	sim->evq[sim->nev].lid = (uint8_t)lid;
	sim->nev++;
	if (type == NVME_AER_NOTICE && info == 0 && nsid)
		record_changed(sim, nsid);
	pthread_mutex_unlock(&sim->ev_lock);
	NVF_SIM_STAT_ADD(sim, events_posted, 1);
	nvf_sim_request_event(sim);
	return 0;
}

/* An event the controller raises itself, subject to Asynchronous Event Configuration. */
void nvf_sim_event(struct nvfio_sim *sim, uint8_t type, uint8_t info, uint8_t lid)
{
	nvfio_sim_post_event(sim, type, info, lid, 0);
}

void nvf_sim_ns_changed(struct nvfio_sim *sim, uint32_t nsid)
{
	/* The list is kept whether or not the host asked for the notice (bit 8 of Asynchronous
	 * Event Configuration): a host that polls the log page still finds the namespace. */
	if (sim->feat.async_event & (1u << 8)) {
		if (nvfio_sim_post_event(sim, NVME_AER_NOTICE, 0, NVME_LOG_LID_CHANGED_NS, nsid) == 0)
			return;
	}
	pthread_mutex_lock(&sim->ev_lock);
	record_changed(sim, nsid);
	pthread_mutex_unlock(&sim->ev_lock);
}
