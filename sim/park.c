/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parking: thread 0 changes the queue set (creates, deletes, resets, reclaims) while the other
 * threads are stopped, so that the I/O path takes no lock. Thread 0 asks with nvf_sim_park() and
 * waits until every other thread has parked or sleeps; a thread that sees the request parks in
 * nvf_sim_park_wait() until nvf_sim_unpark().
 */
#include <sched.h>

#include "sim/priv.h"

void nvf_sim_park_wait(struct nvf_sim_thread *t)
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
