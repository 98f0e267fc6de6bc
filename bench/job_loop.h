/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The job loop, compiled into each engine: before including this file, define
 *   NVB_LOOP_NAME    the function to define: int NAME(struct nvb_job *job)
 *   NVB_LOOP_QUEUE   int queue(void *ctx, struct nvb_io *io, uint64_t blk, const unsigned mode)
 *                    (@blk: io->offset in blocks of bs from the region's start, for an engine
 *                    that counts in blocks: no read back, no variable shift; with
 *                    NVB_MODE_SIZES io->len is the I/O's own)
 *   NVB_LOOP_COMMIT  int commit(void *ctx)
 *   NVB_LOOP_REAP    int reap(void *ctx, struct nvb_job *job, unsigned min)
 *   NVB_LOOP_STRERROR const char *strerror(int err): what a failed queue() means
 * and may define
 *   NVB_LOOP_CTX(job) the engine's state for the calls above (default job->ctx); an engine that
 *                    keeps it in job->engine_state names it so here, which spares a register
 * (see engine.h for their contracts; @mode is a compile-time NVB_MODE_* set, so that
 * nvb_io_is_read() costs nothing where the direction is fixed). Direct calls let the compiler
 * inline the engine into the loop, so the tool's own cost per I/O is the few instructions of job.h.
 *
 * The loop keeps iodepth I/Os in flight: it queues I/Os into every idle slot, committing every
 * iodepth_batch_submit of them and once more when no slot is left, then reaps. It ends when
 * nothing is left to issue (no I/Os, or with mixed sizes no bytes) and nothing is in flight.
 */

#include <errno.h>
#include <sched.h>

#include "job.h"

#ifndef NVB_LOOP_CTX
#define NVB_LOOP_CTX(job) ((job)->ctx)
#endif

#define NVB_LOOP_CAT2(a, b) a##b
#define NVB_LOOP_CAT(a, b)  NVB_LOOP_CAT2(a, b)
#define NVB_LOOP_BODY	    NVB_LOOP_CAT(NVB_LOOP_NAME, _body)

#define NVB_LOOP_REQUEUE NVB_LOOP_CAT(NVB_LOOP_NAME, _requeue)

/*
 * Queueing the I/O of idle slot @slot failed with @r, the slots below it given back. -EAGAIN
 * (the engine has no room now: its queue is being brought back after a controller reset, say):
 * reap, which runs completions into the idle slots given back, and queue the I/O again, with the
 * offset it already has, until it goes in. Any other error (or one of the reaps) fails the job,
 * the I/O's slot given back. Off the path of any I/O that goes in at once.
 */
static __attribute__((noinline, cold)) void
NVB_LOOP_REQUEUE(struct nvb_job *job, void *ctx, struct nvb_io **slot, unsigned mode, int r)
{
	struct nvb_io *io = *slot; /* before a completion takes the slot */
	uint64_t blk = (io->offset - job->region_off) / job->bs;

	while (r == -EAGAIN) {
		r = NVB_LOOP_REAP(ctx, job, 0);
		if (r < 0)
			break;
		if (r == 0)
			sched_yield();
		r = NVB_LOOP_QUEUE(ctx, io, blk, mode);
	}
	if (r) {
		job->free[job->nfree++] = io;
		job->to_issue++;
		if (mode & NVB_MODE_SIZES)
			job->bytes[io->ddir] -= io->len; /* counted when drawn: it never went */
		nvb_job_fail(job, r, "queueing an I/O failed: %s", NVB_LOOP_STRERROR(r));
	}
}

static inline __attribute__((always_inline)) int NVB_LOOP_BODY(struct nvb_job *job,
							       const unsigned mode)
{
	void *ctx = NVB_LOOP_CTX(job);
	unsigned batch = job->batch;
	int r;

	for (;;) {
		unsigned n = job->nfree;

		if (n && job->to_issue) {
			/* Issue into every idle slot; the counters live in registers meanwhile
			 * (queue and commit run no completion callbacks). */
			uint64_t left = job->to_issue, k = n < left ? n : left;
			/* A tick early: the histogram takes latency + 1 (nvb_io_done_in()). */
			uint64_t start = nvb_ticks() - 1;
			struct nvb_io **top = &job->free[n]; /* idle slots, popped by pointer */
			struct nvb_gen g;

			nvb_gen_load(&g, job);
			job->nfree = n - (unsigned)k;
			job->to_issue = left - k;

			while (k) {
				/* One batch: queue, then commit. */
				struct nvb_io **end = top - (k < batch ? k : batch);

				k -= (uint64_t)(top - end);
				do {
					struct nvb_io *io = *--top;
					uint64_t blk = nvb_next_io(job, &g, io, mode);

					io->start = start;
					r = NVB_LOOP_QUEUE(ctx, io, blk, mode);
					if (__builtin_expect(r != 0, 0)) {
						/* The slots below this one go back; this one's
						 * I/O is queued again or goes back too. */
						job->nfree = (unsigned)(top - job->free);
						job->to_issue += k + (uint64_t)(top - end);
						k = 0;
						NVB_LOOP_REQUEUE(job, ctx, top, mode, r);
						/* With mixed sizes, it may have been the last. */
						if ((mode & NVB_MODE_SIZES) && !g.bytes_left)
							job->to_issue = 0;
						break;
					}
					if ((mode & NVB_MODE_SIZES) &&
					    __builtin_expect(!g.bytes_left, 0)) {
						/* The job's bytes are issued: this was its last
						 * I/O, the slots below it go back. (No break: an
						 * exit of the loop, even one compiled out, changes
						 * how the compiler lays out the other modes.) */
						job->nfree = (unsigned)(top - job->free);
						job->to_issue = 0;
						k = 0;
						end = top;
					}
				} while (top != end);
				r = NVB_LOOP_COMMIT(ctx);
				if (__builtin_expect(r != 0, 0)) {
					nvb_gen_save(&g, job, mode);
					goto commit_failed;
				}
				/* The next batch's I/Os wait no longer than since here. */
				if (k)
					start = nvb_ticks() - 1;
			}
			nvb_gen_save(&g, job, mode);
		}
		if (job->nfree == job->depth && !job->to_issue)
			break;
		r = NVB_LOOP_REAP(ctx, job, 1);
		if (__builtin_expect(r <= 0, 0)) {
			if (r < 0) {
				nvb_job_fail(job, r, "reaping completions failed");
				return r;
			}
			/* Counted and timed so that idle spinning can be told from work (CPU
			 * time per I/O, instructions per I/O); off the path of any completion.
			 * The stretch since the last idle poll was one idle iteration when no
			 * slot came back or was refilled in between; a longer one than
			 * idle_max_ticks was an interruption, and is not taken as idle. */
			job->idle_polls++;
			if (job->to_issue == job->idle_to_issue && job->nfree == job->idle_nfree &&
			    job->now - job->idle_now < job->idle_max_ticks) {
				job->idle_ticks += job->now - job->idle_now;
				job->idle_timed++;
			}
			job->idle_now = job->now;
			job->idle_to_issue = job->to_issue;
			job->idle_nfree = job->nfree;
			if (job->idle_yield)
				sched_yield();
		}
		/* The reap's timestamp tells the time: no clock read of its own. */
		if (__builtin_expect(job->now >= job->next_event, 0)) {
			nvb_job_event(job);
			if (job->abandon)
				return job->error;
		}
	}
	return job->error;

commit_failed:
	/* I/Os queued but not submitted are neither in flight nor idle: the loop cannot drain. */
	nvb_job_fail(job, r, "submitting I/O failed");
	return r;
}

/* One copy of the loop per access mode; the mode is fixed for a phase. Never inlined, so that a
 * profiler can be told to count from it (bench/instructions-per-io). */
static __attribute__((noinline)) int NVB_LOOP_NAME(struct nvb_job *job)
{
	switch (job->mode) {
#define NVB_LOOP_MODE(m)                                                                           \
	case m:                                                                                    \
		return NVB_LOOP_BODY(job, m);
		/* sequential, random, random without map; read, mixed, write; verify fill; each
		 * with one size and with mixed sizes */
#define NVB_LOOP_MODES(s)                                                                          \
	NVB_LOOP_MODE(s)                                                                           \
	NVB_LOOP_MODE(s | NVB_MODE_RANDOM)                                                         \
	NVB_LOOP_MODE(s | NVB_MODE_RANDOM | NVB_MODE_NOMAP)                                        \
	NVB_LOOP_MODE(s | NVB_MODE_MIXED)                                                          \
	NVB_LOOP_MODE(s | NVB_MODE_RANDOM | NVB_MODE_MIXED)                                        \
	NVB_LOOP_MODE(s | NVB_MODE_RANDOM | NVB_MODE_NOMAP | NVB_MODE_MIXED)                       \
	NVB_LOOP_MODE(s | NVB_MODE_WRITE)                                                          \
	NVB_LOOP_MODE(s | NVB_MODE_RANDOM | NVB_MODE_WRITE)                                        \
	NVB_LOOP_MODE(s | NVB_MODE_RANDOM | NVB_MODE_NOMAP | NVB_MODE_WRITE)                       \
	NVB_LOOP_MODE(s | NVB_MODE_WRITE | NVB_MODE_FILL)                                          \
	NVB_LOOP_MODE(s | NVB_MODE_RANDOM | NVB_MODE_WRITE | NVB_MODE_FILL)
		NVB_LOOP_MODES(0)
		NVB_LOOP_MODES(NVB_MODE_SIZES)
#undef NVB_LOOP_MODES
#undef NVB_LOOP_MODE
	default:
		/* Verify with --norandommap is refused before a job starts. */
		return -EINVAL;
	}
}
