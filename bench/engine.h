/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_ENGINE_H
#define NVFIO_BENCH_ENGINE_H

/*
 * An I/O engine: how nvfio-perf reaches a target. A target (a controller, a block device, a
 * file) is opened once in the main thread and shared by every job on it; each job thread then
 * opens its own queue on it (a queue pair, a ring) with its I/O buffers, and runs the job loop.
 *
 * The job loop is written once (job_loop.h) and compiled into each engine with the engine's
 * queue/commit/reap functions as direct, inlinable calls, so that the loop costs no indirect
 * call per I/O. Per I/O an engine's contract is:
 *
 *   queue(ctx, io, mode) put one I/O (of io->len bytes) in the submission queue, not yet
 *                       visible to the device; 0, or a negative error (@mode: see job.h,
 *                       nvb_io_is_read())
 *   commit(ctx)         make every queued I/O visible (ring the doorbell, io_uring_enter);
 *                       0, or a negative error
 *   reap(ctx, job, min) timestamp with nvb_stamp(), then deliver completions: each with
 *                       nvb_io_done(job, io), or nvb_io_done_slow(job, io, status) when
 *                       nvb_io_needs_slow(job, status) (a failure, a block to verify); wait
 *                       for at least @min where the engine can wait (a polled engine may
 *                       return 0 instead); the count, or a negative error
 */

#include <stdint.h>

#include "perf.h"

struct nvb_hist;
struct nvb_job;
struct nvb_target;

/* One I/O slot of a job; a job has iodepth of them, each with its own buffer. */
struct nvb_io {
	uint64_t offset; /* bytes from the start of the target */
	void *buf;
	uint32_t len;
	uint8_t ddir;	       /* enum nvb_ddir */
	uint16_t index;	       /* slot number: index of a registered buffer */
	uint64_t start;	       /* ticks when queued, less one (nvb_io_done_in()) */
	struct nvb_hist *hist; /* the job's histogram of its direction */
	uint64_t priv;	       /* the engine's: e.g. the buffer's device address */
};

struct nvb_engine {
	const char *name;
	unsigned mask; /* NVB_ENG_*, matching options' engine masks */

	/*
	 * Open @t->filename for every job in @jobs[0..njobs) that uses it (main thread). Fills
	 * size, block_size and the limits of @t. 0, or a negative error with a sentence in @err.
	 */
	int (*target_open)(struct nvb_target *t, const struct nvb_opts *const *jobs, unsigned njobs,
			   char *err, size_t errlen);
	void (*target_close)(struct nvb_target *t);

	/*
	 * In the job thread: open the job's own queue and allocate its buffers
	 * (job->o->iodepth of job->max_bs bytes each, job->ios[i].buf, aligned to 4 KiB), and set
	 * job->ctx. 0, or a negative error with a sentence in @err (nothing left allocated).
	 */
	int (*job_open)(struct nvb_job *job, char *err, size_t errlen);
	/* Release what job_open() set up; called with no I/O in flight when the loop ended well. */
	void (*job_close)(struct nvb_job *job);

	/* The job loop compiled for this engine (job_loop.h). 0, or a negative error. */
	int (*run)(struct nvb_job *job);
};

struct nvb_target {
	const struct nvb_engine *engine;
	char filename[NVB_PATH_MAX];
	uint64_t size;	     /* bytes addressable */
	uint32_t block_size; /* offsets and lengths must be multiples */
	uint32_t max_io;     /* largest transfer in bytes, 0: no limit */
	uint32_t max_depth;  /* largest iodepth of one job, 0: no limit */
	uint32_t max_jobs;   /* job threads it can serve at once, 0: no limit */
	char describe[128]; /* a line for the report, e.g. "QEMU NVMe Ctrl, nsid 1, 512 B blocks" */
	void *priv;
};

/* The engine named @name ("nvfio", "io_uring", "io_uring_cmd"), or NULL. */
const struct nvb_engine *nvb_engine_find(const char *name);

/* The engine a target names by its syntax: "nvfio" or "io_uring". */
const char *nvb_engine_for_target(const char *filename);

/* Whether @s is a PCI address: [DDDD:]BB:DD.F in hex. */
bool nvb_is_pci_address(const char *s);

/*
 * nvb_pci_check_nvme() - for a PCI address @filename (with or without "pci:"), whether the
 * device's class in sysfs (@sysfs, "/sys" but in tests) is NVMe's: 0, or -ENODEV with a
 * sentence in @err naming what the device is instead (before the library's advice to bind
 * it to vfio-pci, which would not help). 0 too for what is not a PCI address or not there.
 */
int nvb_pci_check_nvme(const char *sysfs, const char *filename, char *err, size_t errlen);

/*
 * nvb_resolve_engine() - choose @o's engine (its --ioengine, or from its --filename) and check
 * that every engine-specific option given belongs to it. 0 or -EINVAL with a sentence in @err.
 */
int nvb_resolve_engine(struct nvb_opts *o, char *err, size_t errlen);

extern const struct nvb_engine nvb_engine_uring;
extern const struct nvb_engine nvb_engine_uring_cmd;
extern const struct nvb_engine nvb_engine_nvfio;

#endif /* NVFIO_BENCH_ENGINE_H */
