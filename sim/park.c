/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parking: thread 0 changes the queue set (creates, deletes, resets, reclaims) while the other
 * threads are stopped, so that the I/O path takes no lock. Thread 0 asks with nvf_sim_park() and
 * waits until every other thread has parked or sleeps; a thread that sees the request parks in
 * nvf_sim_park_wait() until nvf_sim_unpark().
 *
 * Deep sleep: a thread idle for long sleeps on a futex instead of napping, until the host says
 * it did something (nvf_sim_wake()) or a timeout. The host's doorbell writes say nothing (they are
 * plain stores to BAR memory, and the driver's fast path must not pay for more); its cold paths
 * do, and the timeout serves a doorbell that nothing else follows.
 */
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/*
 * The sleeper announces itself (seq_cst), then makes one more pass over the registers and
 * queues before it sleeps on the wake_seq it read before the announcement; a waker writes what
 * it wrote, then (after a seq_cst fence) looks for sleepers. So either the pass sees the host's
 * write, or the waker sees the announcement and moves wake_seq past what the sleeper read, and
 * its futex wait returns at once.
 */
void nvf_sim_sleep_arm(struct nvf_sim_thread *t)
{
	struct nvfio_sim *sim = t->sim;

	t->wake_seen = atomic_load(&sim->wake_seq);
	atomic_fetch_add(&sim->sleepers, 1);
	atomic_thread_fence(memory_order_seq_cst);
	t->armed = true;
}

void nvf_sim_sleep_disarm(struct nvf_sim_thread *t)
{
	atomic_fetch_sub(&t->sim->sleepers, 1);
	t->armed = false;
}

void nvf_sim_sleep(struct nvf_sim_thread *t, unsigned int timeout_ms)
{
	struct nvfio_sim *sim = t->sim;
	struct timespec ts = {.tv_sec = timeout_ms / 1000,
			      .tv_nsec = (long)(timeout_ms % 1000) * 1000000};

	atomic_store(&t->state, NVF_SIM_THR_SLEEPING);
	/* Woken, timed out, interrupted or wake_seq moved already: each is a reason to look. */
	if (!atomic_load(&sim->stop))
		syscall(SYS_futex, (uint32_t *)&sim->wake_seq, FUTEX_WAIT_PRIVATE, t->wake_seen,
			&ts, NULL, 0);
	atomic_store(&t->state, NVF_SIM_THR_RUNNING);
	nvf_sim_sleep_disarm(t);
	nvf_sim_count(&t->naps, 1);
}

void nvf_sim_wake(struct nvfio_sim *sim)
{
	/* What the caller wrote before, before the look at the sleepers (see _arm()). */
	atomic_thread_fence(memory_order_seq_cst);
	if (nvf_sim_likely(!atomic_load_explicit(&sim->sleepers, memory_order_relaxed)))
		return;
	atomic_fetch_add(&sim->wake_seq, 1);
	syscall(SYS_futex, (uint32_t *)&sim->wake_seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}
