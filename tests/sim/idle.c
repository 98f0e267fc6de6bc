/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Idle controllers cost next to nothing: 200 enabled, idle controllers sleep until woken instead
 * of napping every millisecond, and a controller that went to sleep still serves I/O: at once
 * when the host wakes it (as the driver's waits and polls do), within its bounded sleep when the
 * host only rings a doorbell.
 *
 * Why the figures cannot pass by accident: 1 ms naps are 1000 sleeps a second per controller,
 * 200,000 for 200. The bound is 20 a second per controller (a sleeping one takes 10), counted
 * twice: by the model, and by the kernel as the process's voluntary context switches (getrusage),
 * each nap or sleep being one; 1 ms naps would need the process to be kept off the CPU for 98% of
 * the window to stay below it. The CPU time the controllers took is printed beside, a figure and
 * not a bound: it depends on how busy the machine is (10-15 us a wake-up on a quiet VM, ten times
 * that on a loaded one).
 */
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define NCTRL	       200
#define WINDOW_MS      1000
#define MAX_NAPS_PER_S 20  /* per controller; a sleeping one takes 1000 / 100 ms */
#define ASLEEP_MS      300 /* idle this long, a controller sleeps (after 50 ms) */

static struct host hosts[NCTRL];

/* The process's CPU time and its voluntary context switches, from the kernel. */
static uint64_t cpu_ns(uint64_t *switches)
{
	struct rusage ru;

	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	*switches = (uint64_t)ru.ru_nvcsw;
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ull;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts))
		;
}

static uint64_t naps(unsigned int n)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += nvf_sim_naps(hosts[i].sim);
	return sum;
}

static void test_idle_cost(void)
{
	uint64_t n0, n1, c0, c1, s0, s1, t0, t1;
	double secs, naps_per_s, switches_per_s, cpu_ms_per_s;

	for (unsigned int i = 0; i < NCTRL; i++) {
		CHECK_OK(h_open(&hosts[i], "size=1M,queues=1,depth=16", 1));
		CHECK(h_enable(&hosts[i], 16) == 0);
	}
	sleep_ms(ASLEEP_MS);

	n0 = naps(NCTRL);
	c0 = cpu_ns(&s0);
	t0 = h_now_ns();
	sleep_ms(WINDOW_MS);
	n1 = naps(NCTRL);
	c1 = cpu_ns(&s1);
	t1 = h_now_ns();

	secs = (double)(t1 - t0) / 1e9;
	naps_per_s = (double)(n1 - n0) / NCTRL / secs;
	switches_per_s = (double)(s1 - s0) / NCTRL / secs;
	cpu_ms_per_s = (double)(c1 - c0) / 1e6 / secs;
	printf("%u idle controllers over %.2f s: %.1f sleeps and %.1f context switches a second "
	       "each (bound %u; 1 ms naps: 1000), %.1f ms of CPU a second for all\n",
	       NCTRL, secs, naps_per_s, switches_per_s, MAX_NAPS_PER_S, cpu_ms_per_s);
	CHECK(n1 > n0); /* they do wake now and then: the bounded sleep */
	CHECK(naps_per_s < MAX_NAPS_PER_S);
	CHECK(switches_per_s < MAX_NAPS_PER_S);

	for (unsigned int i = 1; i < NCTRL; i++)
		h_close(&hosts[i]);
}

/* The phase tag of @e, read as the model writes it: dword 3 at once, atomically (as h_reap()). */
static unsigned int phase_of(volatile struct h_cqe *e)
{
	return (__atomic_load_n((volatile uint32_t *)e + 3, __ATOMIC_ACQUIRE) >> 16) & 1;
}

/* A read of one block on queue 1, its doorbell rung; whether to wake the model after it. */
static uint64_t read_after_sleep(struct host *h, void *buf, bool wake, unsigned int ms)
{
	struct h_sqe c;
	struct h_cqe cqe;
	volatile struct h_cqe *e;
	uint64_t t0, end;

	/* Asleep: no nap for a while means no pass either. */
	sleep_ms(ASLEEP_MS);
	memset(&c, 0, sizeof(c));
	c.opc = 0x02;
	c.nsid = 1;
	h_prp(h, &c, buf, 512);
	e = (volatile struct h_cqe *)h->cq[1].ring + h->cq[1].head;
	t0 = h_now_ns();
	h_submit(h, &h->sq[1], &c, true);
	if (wake)
		nvf_sim_wake(h->sim);
	/* Poll the entry itself (h_reap() would wake the model), yielding as a driver's wait
	 * does: with every CPU busy the model's thread would else wait for this one's slice. */
	end = t0 + (uint64_t)ms * 1000000;
	while (phase_of(e) != h->cq[1].phase && h_now_ns() < end)
		sched_yield();
	CHECK(phase_of(e) == h->cq[1].phase);
	CHECK(h_reap(h, &h->cq[1], &cqe, 0));
	CHECK(cqe.cid == c.cid && (cqe.status >> 1) == 0);
	return h_now_ns() - t0;
}

static void test_io_after_sleep(void)
{
	struct host *h = &hosts[0];
	uint64_t best = UINT64_MAX, slept;
	void *buf;

	CHECK(h_create_ioq(h, 1, 16) == 0);
	buf = h_alloc(h, 4096, 4096);
	/* Woken: served in a moment. The best of three, as a busy machine may stall any one. */
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t ns = read_after_sleep(h, buf, true, 5000);

		if (ns < best)
			best = ns;
	}
	/* A doorbell alone: served when the bounded sleep (100 ms) ends; the deadline is
	 * generous for a slow machine, but finite. */
	slept = read_after_sleep(h, buf, false, 5000);
	printf("a read after the model slept: %.3f ms when woken, %.1f ms on a doorbell alone\n",
	       (double)best / 1e6, (double)slept / 1e6);
	CHECK(best < 20000000ull);
	h_close(h);
}

int main(void)
{
	test_idle_cost();
	test_io_after_sleep();
	return T_EXIT_PASS;
}
