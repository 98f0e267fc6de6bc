// SPDX-License-Identifier: BSD-3-Clause
/*
 * The nvfio engine: the controller is opened once per target; each job thread allocates its own
 * queue pair and its buffers from the controller's DMA memory. Per I/O the tool adds the offset
 * to LBA shift, the driver call, and the accounting of job.h in the completion callback; the
 * submission doorbell is rung once per batch by keeping the queue pair plugged between commits.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nvfio/dma.h>
#include <nvfio/nvme.h>
#include <nvfio/nvme_io.h>

#include "job.h"
#include "options.h"

struct nvfio_target {
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	uint32_t shift; /* log2 of the block size */
	/* --reset_interval: a thread that resets the controller until told to stop. */
	uint64_t reset_ns;
	pthread_t resetter;
	bool resetting;
	pthread_mutex_t lock;
	pthread_cond_t stop_cond;
	bool stop;
	unsigned long resets, reset_failures;
	const char *filename;
};

/* Reset the controller every reset_ns until stopped (fault injection for --verify runs). */
static void *resetter_main(void *arg)
{
	struct nvfio_target *nt = arg;
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	pthread_mutex_lock(&nt->lock);
	for (;;) {
		uint64_t ns = (uint64_t)at.tv_nsec + nt->reset_ns;

		at.tv_sec += (time_t)(ns / 1000000000u);
		at.tv_nsec = (long)(ns % 1000000000u);
		while (!nt->stop && pthread_cond_timedwait(&nt->stop_cond, &nt->lock, &at) == 0)
			;
		if (nt->stop)
			break;
		pthread_mutex_unlock(&nt->lock);
		if (nvfio_ctrl_reset(nt->ctrl) == 0) {
			nt->resets++;
		} else {
			nt->reset_failures++;
			fprintf(stderr, "nvfio-perf: %s: injected reset failed: %s\n", nt->filename,
				nvfio_last_error());
		}
		clock_gettime(CLOCK_MONOTONIC, &at);
		pthread_mutex_lock(&nt->lock);
	}
	pthread_mutex_unlock(&nt->lock);
	return NULL;
}

static int resetter_start(struct nvfio_target *nt, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	int r;

	pthread_mutex_init(&nt->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nt->stop_cond, &ca);
	pthread_condattr_destroy(&ca);
	r = pthread_create(&nt->resetter, NULL, resetter_main, nt);
	if (r) {
		snprintf(err, errlen, "%s: starting the --reset_interval thread: %s", nt->filename,
			 strerror(r));
		pthread_cond_destroy(&nt->stop_cond);
		pthread_mutex_destroy(&nt->lock);
		return -r;
	}
	nt->resetting = true;
	return 0;
}

static void resetter_stop(struct nvfio_target *nt)
{
	if (!nt->resetting)
		return;
	pthread_mutex_lock(&nt->lock);
	nt->stop = true;
	pthread_cond_signal(&nt->stop_cond);
	pthread_mutex_unlock(&nt->lock);
	pthread_join(nt->resetter, NULL);
	pthread_cond_destroy(&nt->stop_cond);
	pthread_mutex_destroy(&nt->lock);
	nt->resetting = false;
	fprintf(stderr, "nvfio-perf: %s: %lu controller resets injected, %lu failed\n",
		nt->filename, nt->resets, nt->reset_failures);
}

struct nvfio_ctx {
	struct nvfio_qpair *qp;
	struct nvfio_ns *ns;
	uint32_t shift;
	uint32_t nlb;  /* blocks per I/O; with mixed sizes per unit of offsets (job->bs) */
	uint64_t lba0; /* the region's first block */
	nvfio_cb cb;   /* nvfio_done_*, or nvfio_done_slow while verifying reads */
	struct nvfio_dma *dma;
	void *bufs;
};

static int nvfio_target_open(struct nvb_target *t, const struct nvb_opts *const *jobs,
			     unsigned njobs, char *err, size_t errlen)
{
	struct nvfio_target *nt = calloc(1, sizeof(*nt));
	const struct nvfio_ctrl_info *ci;
	const struct nvfio_ns_info *ni;
	struct nvfio_ctrl_opts opts;
	unsigned queues = 0, depth = 1;
	uint32_t nsid = (uint32_t)jobs[0]->nsid;
	int r;

	if (!nt)
		return -ENOMEM;
	for (unsigned i = 0; i < njobs; i++) {
		queues += (unsigned)jobs[i]->numjobs;
		if (jobs[i]->iodepth > depth)
			depth = (unsigned)jobs[i]->iodepth;
		if (jobs[i]->shadow_doorbells != jobs[0]->shadow_doorbells) {
			snprintf(
			    err, errlen,
			    "%s--shadow_doorbells differs from job %s's on the same controller "
			    "%s: one controller has one setting; give the jobs the same",
			    jobs[i]->label, jobs[0]->name, t->filename);
			r = -EINVAL;
			goto fail;
		}
		if (jobs[i]->reset_interval_ns != jobs[0]->reset_interval_ns ||
		    jobs[i]->reset_retries != jobs[0]->reset_retries) {
			snprintf(err, errlen,
				 "%s--reset_interval or --reset_retries differs from job %s's on "
				 "the same controller %s: give the jobs the same",
				 jobs[i]->label, jobs[0]->name, t->filename);
			r = -EINVAL;
			goto fail;
		}
		if (!jobs[i]->direct) {
			snprintf(err, errlen,
				 "%s--direct=0: ioengine=nvfio has no page cache; drop --direct",
				 jobs[i]->label);
			r = -EINVAL;
			goto fail;
		}
	}
	r = nvb_pci_check_nvme("/sys", t->filename, err, errlen);
	if (r)
		goto fail;
	nvfio_ctrl_opts_init(&opts);
	opts.nr_io_queues = queues;
	opts.queue_depth = depth;
	opts.shadow_doorbells = jobs[0]->shadow_doorbells;
	opts.reset_retries = (unsigned)jobs[0]->reset_retries;
	r = nvfio_ctrl_open(t->filename, &opts, &nt->ctrl);
	if (r) {
		snprintf(err, errlen, "%s: %s", t->filename, nvfio_last_error());
		goto fail;
	}
	ci = nvfio_ctrl_get_info(nt->ctrl);
	nt->ns = nsid ? nvfio_ctrl_ns(nt->ctrl, nsid) : nvfio_ctrl_ns_next(nt->ctrl, NULL);
	if (!nt->ns) {
		if (nsid)
			snprintf(err, errlen,
				 "%s: --nsid=%u is not an active namespace (the highest is %u)",
				 t->filename, nsid, ci->nn);
		else
			snprintf(err, errlen, "%s: the controller has no active namespace",
				 t->filename);
		r = -ENODEV;
		goto fail_close;
	}
	ni = nvfio_ns_get_info(nt->ns);
	if (ni->unusable[0]) {
		snprintf(err, errlen, "%s: namespace %u takes no I/O: %s", t->filename, ni->nsid,
			 ni->unusable);
		r = -ENOTSUP;
		goto fail_close;
	}
	if (!ni->block_size || (ni->block_size & (ni->block_size - 1))) {
		snprintf(err, errlen,
			 "%s: namespace %u has a block size of %u bytes, not a power of 2",
			 t->filename, ni->nsid, ni->block_size);
		r = -EINVAL;
		goto fail_close;
	}
	nt->shift = (uint32_t)__builtin_ctz(ni->block_size);
	t->size = ni->nblocks << nt->shift;
	t->block_size = ni->block_size;
	t->max_io = ci->max_xfer;
	t->max_depth = ci->max_queue_depth;
	t->max_jobs = ci->nr_io_queues;
	snprintf(t->describe, sizeof(t->describe), "%s, nsid %u, %u B blocks, %s%s", ci->model,
		 ni->nsid, ni->block_size, ci->shadow_doorbells ? "shadow doorbells, " : "",
		 ci->backend);
	nt->filename = t->filename;
	nt->reset_ns = jobs[0]->reset_interval_ns;
	if (nt->reset_ns) {
		r = resetter_start(nt, err, errlen);
		if (r)
			goto fail_close;
	}
	t->priv = nt;
	return 0;

fail_close:
	nvfio_ctrl_close(nt->ctrl);
fail:
	free(nt);
	return r;
}

static void nvfio_target_close(struct nvb_target *t)
{
	struct nvfio_target *nt = t->priv;

	resetter_stop(nt);
	nvfio_ctrl_close(nt->ctrl);
	free(nt);
	t->priv = NULL;
}

static int nvfio_job_open(struct nvb_job *job, char *err, size_t errlen)
{
	struct nvfio_target *nt = job->t->priv;
	/* In the job itself: the job loop reaches it through the job's register. */
	struct nvfio_ctx *c = (struct nvfio_ctx *)job->engine_state;
	size_t len = (size_t)job->depth * job->max_bs;
	/* Room for every command of iodepth I/Os split by the library, as far as the controller
	 * allows (nvb_job_region() refused an I/O that one queue pair cannot hold). */
	uint64_t qd = job->depth * nvb_job_cmds(job->t, job->max_bs);
	int r;

	_Static_assert(sizeof(*c) <= sizeof(job->engine_state), "nvfio_ctx fits in the job");
	memset(c, 0, sizeof(*c));
	c->ns = nt->ns;
	c->shift = nt->shift;
	c->nlb = job->bs >> nt->shift;
	c->lba0 = job->region_off >> nt->shift;
	c->dma = nvfio_ctrl_dma(nt->ctrl);
	if (job->t->max_depth && qd > job->t->max_depth)
		qd = job->t->max_depth;
	r = nvfio_qpair_alloc(nt->ctrl, (unsigned)qd, 0, &c->qp);
	if (r) {
		snprintf(err, errlen, "queue pair of depth %u on %s: %s", (unsigned)qd,
			 job->t->filename, nvfio_last_error());
		goto fail;
	}
	r = nvfio_dma_alloc(c->dma, len, 0, &c->bufs);
	if (r) {
		snprintf(err, errlen, "%zu bytes of I/O buffers on %s: %s", len, job->t->filename,
			 nvfio_last_error());
		goto fail_qp;
	}
	for (unsigned i = 0; i < job->depth; i++) {
		job->ios[i].buf = (char *)c->bufs + (size_t)i * job->max_bs;
		job->ios[i].priv = (uint64_t)(uintptr_t)job;
	}
	/* Plugged between commits: a submission only writes its entry, a commit rings once. */
	nvfio_qpair_plug(c->qp);
	job->ctx = c;
	job->bufs = c->bufs;
	return 0;

fail_qp:
	nvfio_qpair_free(c->qp);
fail:
	return r;
}

static void nvfio_job_close(struct nvb_job *job)
{
	struct nvfio_ctx *c = job->ctx;

	nvfio_qpair_unplug(c->qp);
	/* Anything still in flight completes here with -ECANCELED, before its buffer goes. */
	nvfio_qpair_free(c->qp);
	nvfio_dma_free(c->dma, c->bufs);
	job->ctx = NULL;
}

static __attribute__((noinline, cold)) int io_error(struct nvb_job *job, struct nvb_io *io, int err,
						    const struct nvfio_cqe *cqe)
{
	const char *what = io->ddir == NVB_READ ? "read" : "write";

	if (err)
		nvb_job_fail(job, err, "%s of %u bytes at offset %llu was not completed: %s", what,
			     io->len, (unsigned long long)io->offset, nvfio_strerror(err));
	else
		nvb_job_fail(job, -EIO, "%s of %u bytes at offset %llu failed: NVMe status %s",
			     what, io->len, (unsigned long long)io->offset,
			     nvfio_status_str(nvfio_cqe_status(cqe)));
	return err ? err : -EIO;
}

/* Everything but a plain success: a failure, or a block to verify. */
static __attribute__((noinline)) void nvfio_done_slow(void *arg, int err,
						      const struct nvfio_cqe *cqe)
{
	struct nvb_io *io = arg;
	struct nvb_job *job = (struct nvb_job *)(uintptr_t)io->priv;
	int st = 0;

	if (err != 0 || nvfio_cqe_status(cqe) != 0)
		st = io_error(job, io, err, cqe);
	nvb_io_done_slow(job, io, st);
}

/*
 * The callbacks of every I/O outside the verify read phase: leaves unless something failed. A
 * completion nvfio made without the controller (err < 0) carries a non-zero status too
 * (NVFIO_STATUS_HOST_ABORTED), so the status alone tells success.
 */
static inline __attribute__((always_inline)) void
nvfio_done_body(void *arg, int err, const struct nvfio_cqe *cqe, int ddir)
{
	struct nvb_io *io = arg;
	struct nvb_job *job = (struct nvb_job *)(uintptr_t)io->priv;

	if (__builtin_expect(nvfio_cqe_status(cqe) != 0, 0)) {
		nvfio_done_slow(arg, err, cqe);
		return;
	}
	if (ddir < 0)
		nvb_io_done(job, io);
	else
		nvb_io_done_dir(job, io, (unsigned)ddir);
}

static void nvfio_done_read(void *arg, int err, const struct nvfio_cqe *cqe)
{
	nvfio_done_body(arg, err, cqe, NVB_READ);
}

static void nvfio_done_write(void *arg, int err, const struct nvfio_cqe *cqe)
{
	nvfio_done_body(arg, err, cqe, NVB_WRITE);
}

static void nvfio_done_mixed(void *arg, int err, const struct nvfio_cqe *cqe)
{
	nvfio_done_body(arg, err, cqe, -1);
}

static inline __attribute__((always_inline)) int nvfio_queue(void *ctx, struct nvb_io *io,
							     uint64_t blk, const unsigned mode)
{
	struct nvfio_ctx *c = ctx;
	uint64_t lba = c->lba0 + blk * c->nlb;
	uint32_t nlb = mode & NVB_MODE_SIZES ? io->len >> c->shift : c->nlb;
	int r;

	/* On failure nvfio_last_error() says why; the loop reports it. */
	if (nvb_io_is_read(io, mode))
		r = nvfio_read(c->qp, c->ns, io->buf, lba, nlb, c->cb, io);
	else
		r = nvfio_write(c->qp, c->ns, io->buf, lba, nlb, c->cb, io);
	return r;
}

static inline int nvfio_commit(void *ctx)
{
	struct nvfio_ctx *c = ctx;

	nvfio_qpair_unplug(c->qp);
	nvfio_qpair_plug(c->qp);
	return 0;
}

static inline int nvfio_reap(void *ctx, struct nvb_job *job, unsigned min)
{
	struct nvfio_ctx *c = ctx;

	(void)min; /* polled: the loop calls again */
	nvb_stamp(job);
	return nvfio_qpair_poll(c->qp, 0);
}

#define NVB_LOOP_NAME	     nvfio_loop
#define NVB_LOOP_QUEUE	     nvfio_queue
#define NVB_LOOP_COMMIT	     nvfio_commit
#define NVB_LOOP_REAP	     nvfio_reap
#define NVB_LOOP_STRERROR(r) nvfio_last_error()
#define NVB_LOOP_CTX(job)    ((void *)(job)->engine_state)
#include "job_loop.h"

static int nvfio_run(struct nvb_job *job)
{
	struct nvfio_ctx *c = job->ctx;

	if (job->phase == NVB_PHASE_READ)
		c->cb = nvfio_done_slow;
	else if (job->mode & NVB_MODE_MIXED)
		c->cb = nvfio_done_mixed;
	else
		c->cb = job->fixed_ddir == NVB_READ ? nvfio_done_read : nvfio_done_write;
	return nvfio_loop(job);
}

const struct nvb_engine nvb_engine_nvfio = {
    .name = "nvfio",
    .mask = NVB_ENG_NVFIO,
    .target_open = nvfio_target_open,
    .target_close = nvfio_target_close,
    .job_open = nvfio_job_open,
    .job_close = nvfio_job_close,
    .run = nvfio_run,
};
