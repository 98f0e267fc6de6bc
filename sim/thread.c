/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's threads: the pass each makes (thread 0 over the registers, the requests and the
 * admin queue, every thread over the I/O queues it owns), idle back-off, and their CPU time for
 * benchmarks. A thread other than thread 0 parks (park.c) when thread 0 asks it to.
 */
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "sim/cq.h"
#include "sim/priv.h"

/*
 * Idle back-off. A nap costs 10-15 us of CPU on a virtual machine whatever its length (timer and
 * scheduler work), so naps grow: 1 us doubling up to 200 us while the controller was busy
 * recently, then 1 ms once it has been idle for NVF_SIM_DEEP_NS; new work waits at most one nap.
 * Idle for NVF_SIM_SLEEP_NS, a thread sleeps until nvf_sim_wake() (park.c), for at most
 * NVF_SIM_SLEEP_MS: 1 ms naps would cost every idle controller 1-2% of a CPU, and hundreds of
 * them whole CPUs. The host's doorbells do not wake it (a doorbell is a store to BAR memory, as
 * on hardware); its waits, polls that find nothing for a while and register writes do, and a
 * doorbell alone is served within NVF_SIM_SLEEP_MS.
 */
#define NVF_SIM_SPIN_NS	 50000ull /* spin this long after the last work before sleeping */
#define NVF_SIM_NAP_MIN	 1000ull
#define NVF_SIM_NAP_MAX	 200000ull
#define NVF_SIM_DEEP_NS	 20000000ull /* idle this long: 1 ms naps */
#define NVF_SIM_NAP_DEEP 1000000ull
#define NVF_SIM_SLEEP_NS 50000000ull /* idle this long: sleep until woken */
#define NVF_SIM_SLEEP_MS 100u	     /* or for this long at most */

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

/* ---- the threads ---- */

/* Thread 0: what the application and the other threads asked of it (request.c). */
static unsigned int serve_requests(struct nvfio_sim *sim)
{
	uint64_t seq;
	unsigned int r = nvf_sim_requests_take(sim, &seq);

	if ((r & NVF_SIM_REQ_REMOVE) && !sim->removed_seen)
		nvf_sim_do_remove(sim);
	if ((r & NVF_SIM_REQ_RESET) && !sim->removed_seen) {
		nvf_sim_ctrl_reset(sim);
		nvf_sim_regs_power_on(sim);
	}
	if ((r & NVF_SIM_REQ_FATAL) && !sim->fatal)
		nvf_sim_raise_fatal(sim);
	if ((r & NVF_SIM_REQ_EVENT) && sim->ready && !sim->fatal && !sim->removed_seen)
		nvf_sim_aer_flush(sim);
	nvf_sim_requests_done(sim, seq);
	return 1;
}

static unsigned int ctrl_pass(struct nvf_sim_thread *t)
{
	struct nvfio_sim *sim = t->sim;
	unsigned int work = 0;

	if (nvf_sim_unlikely(atomic_load_explicit(&sim->req, memory_order_relaxed)))
		work += serve_requests(sim);
	if (nvf_sim_unlikely(sim->removed_seen)) {
		/* Registers and doorbells of a removed device read all-ones whatever the host
		 * wrote: a scan of a few KiB per pass, only in this state. */
		for (uint32_t off = 0; off < sim->x.bar_len; off += 4) {
			if (nvf_sim_reg_read32(&sim->x, off) != 0xffffffffu) {
				nvf_sim_bar_fill(&sim->x, 0, sim->x.bar_len, 0xffffffffu);
				break;
			}
		}
		return work;
	}
	/* Background operations end on this clock; waiting for them is no work, so the thread
	 * naps meanwhile and an end is seen within one nap. */
	if (nvf_sim_unlikely(sim->dst.stc ||
			     atomic_load_explicit(&sim->san.state, memory_order_relaxed) ==
				 NVF_SIM_SAN_RUNNING)) {
		uint64_t now = nvf_sim_now_ns();

		nvf_sim_selftest_tick(sim, now);
		nvf_sim_sanitize_tick(sim, now);
	}
	if (nvf_sim_unlikely(atomic_load_explicit(&sim->nretired, memory_order_relaxed))) {
		nvf_sim_park(sim);
		nvf_sim_store_reclaim(sim);
		nvf_sim_unpark(sim);
	}
	work += nvf_sim_regs_poll(sim);
	if (sim->ready && !sim->fatal && !sim->shut) {
		work += nvf_sim_sq_poll(t, &sim->sq[0], true);
		/* Every pass while napping (a scan is cheap next to a nap), else now and then. */
		if (nvf_sim_unlikely(t->nap_ns || ++sim->scan_tick == 1024)) {
			sim->scan_tick = 0;
			nvf_sim_doorbells_scan(sim);
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
		work += nvf_sim_sq_poll(t, t->sqs[i], false);
	if (nvf_sim_unlikely(t->npend > t->nheld))
		nvf_sim_pend_poll(t);
	return work;
}

static uint64_t idle_ns(const struct nvf_sim_thread *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - t->idle_since.tv_sec) * 1000000000ull +
	       (uint64_t)now.tv_nsec - (uint64_t)t->idle_since.tv_nsec;
}

/* Whether nothing but the host can give this thread work: completions due at a time, and thread
 * 0's background operations (which end on its clock) and removed BAR (which it keeps all-ones),
 * want their naps. */
static bool may_sleep(const struct nvf_sim_thread *t)
{
	const struct nvfio_sim *sim = t->sim;

	if (t->npend > t->nheld)
		return false;
	return t->idx ||
	       (!sim->dst.stc && !sim->removed_seen &&
		atomic_load_explicit(&sim->san.state, memory_order_relaxed) != NVF_SIM_SAN_RUNNING);
}

static void nap(struct nvf_sim_thread *t)
{
	struct nvfio_sim *sim = t->sim;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)t->nap_ns};

	if (t->armed) {
		/* The pass after the announcement found nothing either. */
		nvf_sim_sleep(t, NVF_SIM_SLEEP_MS);
	} else if (t->nap_ns == NVF_SIM_NAP_DEEP && idle_ns(t) > NVF_SIM_SLEEP_NS && may_sleep(t)) {
		nvf_sim_sleep_arm(t);
		return;
	} else {
		atomic_store(&t->state, NVF_SIM_THR_SLEEPING);
		nanosleep(&ts, NULL);
		atomic_store(&t->state, NVF_SIM_THR_RUNNING);
		nvf_sim_count(&t->naps, 1);
	}
	if (t->idx && atomic_load(&sim->park_req))
		nvf_sim_park_wait(t);
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

void *nvf_sim_thread_main(void *arg)
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
			nvf_sim_park_wait(t);
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
			if (nvf_sim_unlikely(t->armed))
				nvf_sim_sleep_disarm(t);
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

/* ---- CPU time, for tests and benchmarks of the model ---- */

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

uint64_t nvf_sim_naps(struct nvfio_sim *sim)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < sim->nthr; i++)
		n += atomic_load_explicit(&sim->thr[i].naps, memory_order_relaxed);
	return n;
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
