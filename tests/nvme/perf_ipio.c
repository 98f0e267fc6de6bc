/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's cost per I/O and per queue pair.
 *
 * Runs 4 KiB random reads at a fixed queue depth on the simulated controller, resubmitting from
 * each completion callback and yielding the core whenever a poll finds nothing (so that under
 * callgrind, which runs one thread at a time, the controller model gets to run). Under callgrind
 * two windows are instrumented and dumped: "calibrate", idle loop iterations (a poll that finds
 * nothing, and the yield) with nothing outstanding, and "measure", the I/Os after a warm-up.
 * instructions-per-io.sh takes the instructions the main thread spent in the driver (libnvfio
 * and the inline functions of <nvfio/...> headers) in the measured window, less the idle
 * iterations counted here at their calibrated cost, per I/O.
 *
 * Also prints what a queue pair of a given depth costs in memory.
 *
 * With --spin it does not yield (a polled driver's bare loop, as a real device gets it: how
 * bench/compare-vm tells the driver's cost from nvfio-perf's, as one of its peers), and prints the
 * measured window's IOPS, fio's way ("IOPS=").
 *
 * Options: --ios N (measured I/Os), --warmup N, --qd N, --bs BYTES, --mem-depth N, --spin,
 * ADDRESS.
 */
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif
#ifndef HAVE_CALLGRIND
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_DUMP_STATS_AT(s)
#endif

#include "nvme/nvme_test.h"

struct job {
	struct nvfio_qpair *qp;
	struct nvfio_ns *ns;
	uint64_t nblocks;
	uint32_t nlb;
	uint64_t rng;
	uint64_t submitted, completed, target, errors;
};

struct slot {
	struct job *job;
	void *buf;
};

static inline uint64_t next_lba(struct job *j)
{
	/* xorshift64 */
	j->rng ^= j->rng << 13;
	j->rng ^= j->rng >> 7;
	j->rng ^= j->rng << 17;
	return (j->rng % (j->nblocks / j->nlb)) * j->nlb;
}

static void done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct slot *s = arg;
	struct job *j = s->job;

	j->completed++;
	if (err || nvfio_cqe_status(cqe))
		j->errors++;
	if (j->submitted < j->target) {
		j->submitted++;
		if (nvfio_read(j->qp, j->ns, s->buf, next_lba(j), j->nlb, done, s))
			j->errors++;
	}
}

#define CALIBRATE 10000u

static bool spin;

/* One turn of the job's loop: poll; on nothing, yield (unless --spin). Returns 1 for an idle
 * turn. */
static __attribute__((noinline)) unsigned long idle_step(struct nvfio_qpair *qp)
{
	if (nvfio_qpair_poll(qp, 0))
		return 0;
	if (!spin)
		sched_yield();
	return 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long idle = 0;
	const char *addr = "sim:size=1G,depth=2048";
	unsigned long ios = 200000, warmup = 20000, qd = 32, bs = 4096, mem_depth = 1024;
	struct nvfio_ctrl_opts opts;
	struct nvfio_qpair_stats st;
	struct nvfio_ctrl *ctrl;
	struct nvfio_qpair *mqp;
	struct slot *slots;
	struct job j = {.rng = 0x9e3779b97f4a7c15ull};
	uint64_t start_done;
	double t0, secs;
	unsigned long i;
	uint8_t *bufs;

	for (i = 1; i < (unsigned long)argc; i++) {
		if (!strcmp(argv[i], "--ios") && i + 1 < (unsigned long)argc)
			ios = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--warmup") && i + 1 < (unsigned long)argc)
			warmup = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--qd") && i + 1 < (unsigned long)argc)
			qd = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--bs") && i + 1 < (unsigned long)argc)
			bs = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--mem-depth") && i + 1 < (unsigned long)argc)
			mem_depth = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--spin"))
			spin = true;
		else
			addr = argv[i];
	}

	nvfio_ctrl_opts_init(&opts);
	opts.nr_io_queues = 2;
	opts.queue_depth = (unsigned int)qd;
	ctrl = t_open(addr, &opts);
	j.ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(j.ns);
	CHECK(bs % nvfio_ns_get_info(j.ns)->block_size == 0);
	j.nlb = (uint32_t)(bs / nvfio_ns_get_info(j.ns)->block_size);
	j.nblocks = nvfio_ns_get_info(j.ns)->nblocks;

	/* The memory figure: a queue pair of mem_depth, rings, trackers and lists included. */
	CHECK_OK(nvfio_qpair_alloc(ctrl, (unsigned int)mem_depth, 0, &mqp));
	nvfio_qpair_get_stats(mqp, &st);
	printf("queue pair of depth %lu: %zu bytes (%.1f KiB), of which %zu bytes DMA memory\n",
	       mem_depth, st.mem_bytes, st.mem_bytes / 1024.0, st.dma_bytes);
	CHECK_OK(nvfio_qpair_free(mqp));

	CHECK_OK(nvfio_qpair_alloc(ctrl, (unsigned int)qd, 0, &j.qp));

	/* Calibration: what one idle iteration costs. */
	CALLGRIND_START_INSTRUMENTATION;
	for (i = 0; i < CALIBRATE; i++)
		idle += idle_step(j.qp);
	CALLGRIND_DUMP_STATS_AT("calibrate");
	CALLGRIND_STOP_INSTRUMENTATION;
	CHECK(idle == CALIBRATE);
	printf("calibration polls: %u\n", CALIBRATE);
	idle = 0;

	bufs = t_alloc(ctrl, qd * bs);
	slots = calloc(qd, sizeof(*slots));
	CHECK(slots);
	j.target = UINT64_MAX;
	for (i = 0; i < qd; i++) {
		slots[i].job = &j;
		slots[i].buf = bufs + i * bs;
		j.submitted++;
		CHECK_OK(
		    nvfio_read(j.qp, j.ns, slots[i].buf, next_lba(&j), j.nlb, done, &slots[i]));
	}
	while (j.completed < warmup)
		idle_step(j.qp);
	start_done = j.completed;
	t0 = now_s();
	CALLGRIND_START_INSTRUMENTATION;
	while (j.completed < start_done + ios)
		idle += idle_step(j.qp);
	CALLGRIND_DUMP_STATS_AT("measure");
	CALLGRIND_STOP_INSTRUMENTATION;
	secs = now_s() - t0;
	printf("measured I/Os: %llu\n", (unsigned long long)(j.completed - start_done));
	if (spin)
		printf("qd %lu: read: IOPS=%.3fk over %.3f s\n", qd,
		       (double)(j.completed - start_done) / secs / 1e3, secs);
	printf("empty polls: %lu\n", idle);
	j.target = 0;
	while (j.completed < j.submitted)
		idle_step(j.qp);
	CHECK(j.errors == 0);
	nvfio_qpair_get_stats(j.qp, &st);
	printf("qd %lu bs %lu: %llu I/Os, %llu polls, %llu SQ and %llu CQ doorbell writes\n", qd,
	       bs, (unsigned long long)st.completed, (unsigned long long)st.polls,
	       (unsigned long long)st.sq_doorbells, (unsigned long long)st.cq_doorbells);
	CHECK_OK(nvfio_qpair_free(j.qp));
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), bufs);
	free(slots);
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
