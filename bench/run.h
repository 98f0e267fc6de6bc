/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_RUN_H
#define NVFIO_BENCH_RUN_H

/*
 * One run: every job section's numjobs threads, started together, each on its own queue of its
 * section's target, until all have finished. The main thread meanwhile shows the live status
 * line.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "engine.h"
#include "job.h"
#include "perf.h"

struct nvb_run {
	/* In. */
	const struct nvb_opts *sections;
	unsigned nsections;
	struct nvb_target **targets; /* one per section */
	bool status;		     /* show the live status line on stdout */
	uint64_t run_id;	     /* distinguishes runs in verification data */

	/* Out. */
	struct nvb_job **jobs; /* every job thread's state, results included */
	unsigned njobs;
	time_t started;
	uint64_t elapsed_ns;
};

/* Set by SIGINT: jobs stop issuing, drain and report (atomic: the job threads read it). */
extern _Atomic int nvb_stop;

/*
 * nvb_run() - run the jobs. 0 when every job ran (a job's own I/O or verify errors are in its
 * results), or a negative error with a sentence in @err when a job could not be set up. Free
 * the results with nvb_run_free() in any case.
 */
int nvb_run(struct nvb_run *run, char *err, size_t errlen);
void nvb_run_free(struct nvb_run *run);

/*
 * nvb_targets_open() - resolve the engine of every section and open each distinct target once.
 * @targets gets one pointer per section (sections naming the same target and engine share it).
 */
int nvb_targets_open(struct nvb_opts *sections, unsigned n, struct nvb_target **targets, char *err,
		     size_t errlen);
void nvb_targets_close(struct nvb_target **targets, unsigned n);

#endif /* NVFIO_BENCH_RUN_H */
