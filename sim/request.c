/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Requests to thread 0, which alone changes the controller's state: from the application (a
 * function-level reset, a fatal error, removal), which waits until thread 0 has carried them
 * out, and from the model's other threads (a fatal error or removal that a trip counter set off,
 * an event to deliver), which do not wait. Thread 0 takes them at its next pass (thread.c), woken
 * for it if it sleeps, and says when they are done.
 */
#include "sim/priv.h"

static void request(struct nvfio_sim *sim, unsigned int bits, bool wait)
{
	uint64_t seq;

	pthread_mutex_lock(&sim->req_lock);
	atomic_fetch_or(&sim->req, bits);
	seq = ++sim->req_seq;
	nvf_sim_wake(sim);
	while (wait && sim->req_done < seq && !atomic_load(&sim->stop))
		pthread_cond_wait(&sim->req_cond, &sim->req_lock);
	pthread_mutex_unlock(&sim->req_lock);
}

unsigned int nvf_sim_requests_take(struct nvfio_sim *sim, uint64_t *seq)
{
	unsigned int r;

	pthread_mutex_lock(&sim->req_lock);
	r = atomic_exchange(&sim->req, 0);
	*seq = sim->req_seq;
	pthread_mutex_unlock(&sim->req_lock);
	return r;
}

void nvf_sim_requests_done(struct nvfio_sim *sim, uint64_t seq)
{
	pthread_mutex_lock(&sim->req_lock);
	sim->req_done = seq;
	pthread_cond_broadcast(&sim->req_cond);
	pthread_mutex_unlock(&sim->req_lock);
}

void nvf_sim_requests_wake(struct nvfio_sim *sim)
{
	pthread_mutex_lock(&sim->req_lock);
	pthread_cond_broadcast(&sim->req_cond);
	pthread_mutex_unlock(&sim->req_lock);
}

/* From any model thread: the work is done by thread 0 on its next pass. */
static void request_nowait(struct nvfio_sim *sim, unsigned int bits)
{
	atomic_fetch_or(&sim->req, bits);
	nvf_sim_wake(sim);
}

void nvf_sim_request_event(struct nvfio_sim *sim)
{
	request_nowait(sim, NVF_SIM_REQ_EVENT);
}

void nvf_sim_request_fatal(struct nvfio_sim *sim)
{
	request_nowait(sim, NVF_SIM_REQ_FATAL);
}

void nvf_sim_request_remove(struct nvfio_sim *sim)
{
	request_nowait(sim, NVF_SIM_REQ_REMOVE);
}

void nvfio_sim_fatal(struct nvfio_sim *sim)
{
	request(sim, NVF_SIM_REQ_FATAL, true);
}

void nvfio_sim_remove(struct nvfio_sim *sim)
{
	request(sim, NVF_SIM_REQ_REMOVE, true);
}

void nvf_sim_sync(struct nvfio_sim *sim)
{
	request(sim, NVF_SIM_REQ_SYNC, true);
}

int nvf_sim_reset(struct nvfio_sim *sim)
{
	request(sim, NVF_SIM_REQ_RESET, true);
	return 0;
}
