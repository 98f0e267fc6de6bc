/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_MODES_H
#define NVFIO_BENCH_MODES_H

/* The ways nvfio-perf runs its jobs: once, side by side (--compare), or as a sweep (--plot). */

#include <stdio.h>

#include "perf.h"
#include "report.h"

/* Exit statuses. */
#define NVB_EXIT_OK   0
#define NVB_EXIT_FAIL 1 /* a job failed (I/O error, verify mismatch) or could not start */

/* Run the jobs once and report them. */
int nvb_mode_single(struct nvb_config *cfg, FILE *out);

/* --compare: the jobs on --filename and on the other target, alternately, --rounds times. */
int nvb_mode_compare(struct nvb_config *cfg, FILE *out);

/* --plot: a queue-depth sweep per target, drawn as SVG. */
int nvb_mode_plot(struct nvb_config *cfg, FILE *out);

/*
 * nvb_side_prepare() - the jobs of one side of a comparison: copies of @jobs with @filename
 * (NULL: unchanged) and @engine ("" or NULL: from the target), engine-specific options kept only
 * where the side's engine takes them. @peer_engine is the other side's engine, so that an
 * option neither side takes is still reported. 0 or -EINVAL with a sentence in @err.
 */
int nvb_side_prepare(const struct nvb_opts *jobs, unsigned n, const char *filename,
		     const char *engine, const char *peer_engine, struct nvb_opts **out, char *err,
		     size_t errlen);

/*
 * nvb_run_once() - open nothing, run @sections on @targets once (run id @run_id) into @run,
 * with the status line when @status. 0, or a negative error with a sentence in @err.
 */
int nvb_run_once(const struct nvb_opts *sections, unsigned n, struct nvb_target **targets,
		 uint64_t run_id, bool status, struct nvb_run *run, char *err, size_t errlen);

/* Whether any job of @run failed; prints each failure's message to stderr. */
bool nvb_run_failed(const struct nvb_run *run);

/* Whether the live status line should show (--eta, and stdout a terminal). */
bool nvb_status_wanted(const struct nvb_prog *prog);

/* Median of @n values (sorted in place). */
double nvb_median(double *v, unsigned n);

/* Write @s with XML's special characters escaped. */
void nvb_xml_text(FILE *f, const char *s);

#endif /* NVFIO_BENCH_MODES_H */
