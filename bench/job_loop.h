/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The job loop, compiled into each engine: before including this file, define
 *   NVB_LOOP_NAME    the function to define: int NAME(struct nvb_job *job)
 *   NVB_LOOP_QUEUE   int queue(void *ctx, struct nvb_io *io)
 *   NVB_LOOP_COMMIT  int commit(void *ctx)
 *   NVB_LOOP_REAP    int reap(void *ctx, struct nvb_job *job, unsigned min)
 * (see engine.h for their contracts). Direct calls let the compiler inline the engine into the
 * loop, so the tool's own cost per I/O is the few instructions of job.h.
 *
 * The loop keeps iodepth I/Os in flight: it queues I/Os into every idle slot, committing every
 * iodepth_batch_submit of them and once more when no slot is left, then reaps. It ends when
 * nothing is left to issue and nothing is in flight.
 */

#include <sched.h>

#include "job.h"

static int NVB_LOOP_NAME(struct nvb_job *job)
{
	void *ctx = job->ctx;
	unsigned queued = 0;
	int r;

	for (;;) {
		while (job->nfree && job->to_issue) {
			struct nvb_io *io = job->free[--job->nfree];

			nvb_next_io(job, io);
			io->start = nvb_ticks();
			r = NVB_LOOP_QUEUE(ctx, io);
			if (__builtin_expect(r != 0, 0)) {
				job->free[job->nfree++] = io;
				nvb_job_fail(job, r, "queueing an I/O failed");
				break;
			}
			job->to_issue--;
			if (++queued == job->batch) {
				r = NVB_LOOP_COMMIT(ctx);
				if (__builtin_expect(r != 0, 0))
					goto commit_failed;
				queued = 0;
			}
		}
		if (queued) {
			r = NVB_LOOP_COMMIT(ctx);
			if (__builtin_expect(r != 0, 0))
				goto commit_failed;
			queued = 0;
		}
		if (job->nfree == job->depth && !job->to_issue)
			break;
		r = NVB_LOOP_REAP(ctx, job, 1);
		if (__builtin_expect(r <= 0, 0)) {
			if (r < 0) {
				nvb_job_fail(job, r, "reaping completions failed");
				return r;
			}
			if (job->idle_yield)
				sched_yield();
		}
		if (__builtin_expect(nvb_ticks() >= job->next_event, 0)) {
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
