/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_CLOCK_H
#define NVFIO_BENCH_CLOCK_H

/*
 * Timestamps for the per-I/O path. Where the TSC is invariant (constant_tsc and nonstop_tsc, and
 * the kernel's clock source), or when asked (--clocksource=cpu), a timestamp is one rdtsc,
 * converted to ns with a multiply and a shift calibrated once against CLOCK_MONOTONIC_RAW;
 * elsewhere it is clock_gettime(CLOCK_MONOTONIC), which the vDSO serves without a system call.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct nvb_clock {
	bool tsc;
	uint32_t shift;
	uint64_t mult;	      /* ns = ticks * mult >> shift */
	uint64_t ticks_per_s; /* for deadlines */
};

extern struct nvb_clock nvb_clock;

/* nvb_clock_init() - choose the source and calibrate it (about 20 ms); idempotent. */
void nvb_clock_init(void);

/*
 * nvb_clock_set_source() - before nvb_clock_init(): enum nvb_clocksource (--clocksource). The
 * TSC on request (NVB_CLOCK_CPU) is for machines whose kernel keeps another clock although the
 * TSC runs at one rate on every CPU, such as a guest under QEMU's TCG, where the kernel's clock
 * is the HPET: each of its reads is a system call and a trip through the emulated device, which
 * a polling loop that reads the clock per poll would pay at every poll. @pinned: every job
 * thread runs on one CPU, so that all of its timestamps come from one CPU's TSC; NVB_CLOCK_AUTO
 * then takes the TSC wherever it runs at one rate (as fio does), whatever the kernel's clock.
 */
void nvb_clock_set_source(int source, bool pinned);

static inline uint64_t nvb_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (__builtin_expect(nvb_clock.tsc, 1)) {
		uint32_t lo, hi;
		/* No fence: an I/O's timestamps are ordered by the data dependency on its
		 * completion, and a few cycles of reordering are far below the resolution kept. */
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		return ((uint64_t)hi << 32) | lo;
	}
#endif
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Ticks to ns for intervals up to about 15 minutes (the product stays within 64 bits). */
static inline uint64_t nvb_ticks_to_ns(uint64_t ticks)
{
	return (ticks * nvb_clock.mult) >> nvb_clock.shift;
}

/* Long intervals (whole runs) without the overflow of nvb_ticks_to_ns(). */
uint64_t nvb_ticks_to_ns_long(uint64_t ticks);

/* Ticks to ns as a double, for reports. */
double nvb_ticks_to_ns_d(double ticks);

/* ns to ticks, for deadlines. */
uint64_t nvb_ns_to_ticks(uint64_t ns);

/* CLOCK_MONOTONIC in ns. */
uint64_t nvb_now_ns(void);

#endif /* NVFIO_BENCH_CLOCK_H */
