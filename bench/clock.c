// SPDX-License-Identifier: BSD-3-Clause
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "perf.h"

struct nvb_clock nvb_clock = {.tsc = false, .shift = 0, .mult = 1, .ticks_per_s = 1000000000ull};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int source = NVB_CLOCK_AUTO;
static bool all_pinned;

void nvb_clock_set_source(int s, bool pinned)
{
	source = s;
	all_pinned = pinned;
}

uint64_t nvb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool cpu_flags_invariant(void);

/*
 * The TSC is usable as a clock only if it ticks at one rate in every P-state and C-state, and if
 * the kernel found it synchronized across CPUs (it then keeps it as its clock source): a job's
 * thread may move between CPUs between the two timestamps of an I/O.
 */
static bool tsc_invariant(void)
{
	char cs[32] = "";
	FILE *c = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");

	if (!c)
		return false;
	if (!fgets(cs, sizeof(cs), c))
		cs[0] = '\0';
	fclose(c);
	if (strncmp(cs, "tsc", 3) != 0)
		return false;
	return cpu_flags_invariant();
}

static bool cpu_flags_invariant(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool constant = false, nonstop = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		constant = strstr(line, " constant_tsc") != NULL;
		nonstop = strstr(line, " nonstop_tsc") != NULL;
		break;
	}
	fclose(f);
	return constant && nonstop;
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * One (nanoseconds, ticks) pair read as close together as this thread can: the clock read is
 * bracketed by two tick reads and the tightest of a few tries is kept, so a preemption between
 * the two reads (common on a busy machine) cannot skew the rate.
 */
static void sample(uint64_t *ns, uint64_t *ticks)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 16; i++) {
		uint64_t a = nvb_ticks(), t = raw_ns(), b = nvb_ticks();

		if (b >= a && b - a < best) {
			best = b - a;
			*ns = t;
			*ticks = a + (b - a) / 2;
		}
	}
}
#endif

static void calibrate(void)
{
#if defined(__x86_64__) || defined(__i386__)
	struct timespec nap = {0, 50 * 1000 * 1000};
	uint64_t t0 = 0, c0 = 0, t1 = 0, c1 = 0, hz;

	if (source == NVB_CLOCK_GETTIME ||
	    (source == NVB_CLOCK_AUTO && !tsc_invariant() && !(all_pinned && cpu_flags_invariant())))
		return;
	nvb_clock.tsc = true;
	sample(&t0, &c0);
	nanosleep(&nap, NULL);
	sample(&t1, &c1);
	if (c1 <= c0 || t1 <= t0) {
		nvb_clock.tsc = false;
		return;
	}
	hz = (uint64_t)((double)(c1 - c0) * 1e9 / (double)(t1 - t0));
	/* mult/2^shift = 1e9/hz; a shift of 24 keeps the ratio to within 1e-6 at 4 GHz and lets
	 * ticks * mult stay in 64 bits for about 15 minutes at any rate. */
	nvb_clock.shift = 24;
	nvb_clock.mult = (uint64_t)((1e9 * (double)(1u << 24)) / (double)hz + 0.5);
	nvb_clock.ticks_per_s = hz;
#endif
}

void nvb_clock_init(void)
{
	pthread_once(&once, calibrate);
}

uint64_t nvb_ticks_to_ns_long(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * nvb_clock.mult) >> nvb_clock.shift);
}

double nvb_ticks_to_ns_d(double ticks)
{
	return ticks * (double)nvb_clock.mult / (double)(1ull << nvb_clock.shift);
}

uint64_t nvb_ns_to_ticks(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * nvb_clock.ticks_per_s) / 1000000000u);
}
