// SPDX-License-Identifier: BSD-3-Clause
/*
 * libnvfio_fio.so: the "nvfio" external ioengine for fio (README.md here says how to use it).
 *
 * One controller per address per process, opened by the first job that names it and closed when
 * the last job on it is done (jobs are threads of one process: thread=1); one queue pair per job
 * and controller, used by the job's thread alone; the job's I/O buffers in the controller's DMA
 * memory (the iomem_alloc hook, so fio's buffers are the ones the controller reads and writes).
 * queue() writes the command with the queue pair plugged, commit() rings the doorbell once for
 * the batch, getevents() polls the completion queue, whose callbacks collect the finished io_us.
 *
 * fio hands the engine its own structures (struct thread_data, struct io_u, struct fio_file), so
 * this file is compiled against the configured source of the very fio that loads it; setup()
 * checks that against the running binary before it touches anything (nvfe_check_fio()).
 */

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nvfio/dma.h>
#include <nvfio/nvme.h>
#include <nvfio/nvme_io.h>

#include "fio.h"
#include "optgroup.h"

#include "address.h"

#ifndef NVFE_FIO_VERSION
#error "NVFE_FIO_VERSION (fio's version string, e.g. \"fio-3.33\") must be defined"
#endif

#define NVFE_HUGEPAGE (2u << 20)

/* The engine's options (README.md). fio writes a job's thread_data pointer into the first
 * member while it parses the job's options. */
struct nvfe_options {
	void *pad;
	unsigned int nsid;
	unsigned int hugepages;
	unsigned int shadow_doorbells;
	unsigned int interrupts;
	unsigned int iommu;
	unsigned int queues;
};

/* A controller, shared by every job on its address. */
struct nvfe_ctrl {
	struct nvfe_ctrl *next;
	struct nvfio_ctrl *ctrl;
	struct nvfio_ctrl_opts opts;
	unsigned int refs; /* jobs holding it */
	char opener[64];   /* the job that opened it, for messages */
	char address[];
};

/* A job's queue pair on one controller. */
struct nvfe_qp {
	struct nvfe_ctrl *c;
	struct nvfio_qpair *qp;
	bool registered; /* the job's buffer is registered with this controller's DMA space */
};

struct nvfe_job;

/* What a command's callback gets: one per io_u, indexed by io_u->index. */
struct nvfe_req {
	struct io_u *io_u;
	struct nvfe_job *job;
};

/* A job's file: a namespace and the job's queue pair on its controller. */
struct nvfe_file {
	struct nvfio_qpair *qp;
	struct nvfio_ns *ns;
	struct nvfe_qp *q;
	unsigned int shift; /* log2 of the block size */
};

struct nvfe_job {
	struct io_u **events; /* completions of the current getevents() */
	unsigned int nevents;
	unsigned int queued; /* since the last commit(), for fio's submission statistics */
	unsigned int depth;
	unsigned int nqps;
	bool interrupts;
	struct nvfe_qp *qps; /* one per distinct controller of the job's files */
	struct nvfe_file *files;
	struct nvfe_req *reqs;
	void *buf; /* I/O buffers, allocated in qps[0]'s DMA space */
	size_t buflen;
	unsigned int failures; /* failed I/Os reported so far */
	const char *name;
};

static pthread_mutex_t nvfe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nvfe_ctrl *nvfe_ctrls; /* under nvfe_lock */

struct ioengine_ops ioengine;

/*
 * The engine reads fio's structures with the layout of the headers it was compiled with; a
 * different fio binary would have it read and write the wrong fields. Compare what the binary
 * itself can tell: its version, the offsets its option table holds for the members of struct
 * thread_options the engine reads, and where struct thread_data keeps the engine.
 */
static int nvfe_check_fio(struct thread_data *td)
{
	static const struct {
		const char *name;
		size_t offset;
	} members[] = {
	    {"ioengine", offsetof(struct thread_options, ioengine)},
	    {"iodepth", offsetof(struct thread_options, iodepth)},
	    {"thread", offsetof(struct thread_options, use_thread)},
	    {"bs", offsetof(struct thread_options, bs)},
	    {"verify", offsetof(struct thread_options, verify)},
	    {"hugepage-size", offsetof(struct thread_options, hugepage_size)},
	};
	const char *rebuild = "rebuild it against the source of the installed fio "
			      "(bench/fio/prepare-fio-src, then cmake)";

	if (strcmp(fio_version_string, NVFE_FIO_VERSION)) {
		log_err("nvfio: libnvfio_fio.so was built for %s, and this is %s: %s\n",
			NVFE_FIO_VERSION, fio_version_string, rebuild);
		return -1;
	}
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const struct fio_option *o = fio_option_find(members[i].name);

		if (!o || o->off1 != members[i].offset) {
			log_err(
			    "nvfio: libnvfio_fio.so and this fio disagree on struct thread_options "
			    "(option %s at offset %zu here, %d in fio): %s\n",
			    members[i].name, members[i].offset, o ? (int)o->off1 : -1, rebuild);
			return -1;
		}
	}
	if (td->io_ops != &ioengine) {
		log_err("nvfio: libnvfio_fio.so and this fio disagree on struct thread_data: %s\n",
			rebuild);
		return -1;
	}
	return 0;
}

/* fio prints strerror() of an io_u's error: keep it an errno, and say the rest ourselves. */
static int nvfe_errno(int err)
{
	switch (err) {
	case -NVFIO_ETIMEDOUT:
		return ETIMEDOUT;
	case -NVFIO_EREMOVED:
		return ENODEV;
	case -NVFIO_ENOTMAPPED:
		return EFAULT;
	default:
		return err < 0 && err > -NVFIO_EBASE ? -err : EIO;
	}
}

static const char *nvfe_ddir(enum fio_ddir ddir)
{
	switch (ddir) {
	case DDIR_READ:
		return "read";
	case DDIR_WRITE:
		return "write";
	case DDIR_TRIM:
		return "trim";
	default:
		return "flush";
	}
}

/* The first few failures of a job get a line each, with what nvfio knows about them. */
static __attribute__((cold)) void nvfe_report(struct nvfe_job *job, struct io_u *io_u,
					      const char *why)
{
	if (job->failures++ >= 8)
		return;
	log_err("nvfio: %s: %s of %llu bytes at offset %llu on %s: %s\n", job->name,
		nvfe_ddir(io_u->ddir), io_u->xfer_buflen, io_u->offset, io_u->file->file_name, why);
}

static __attribute__((cold, noinline)) void nvfe_failed(struct nvfe_req *rq, int err,
							const struct nvfio_cqe *cqe)
{
	char why[160];

	if (err) {
		snprintf(why, sizeof(why), "not completed by the controller: %s",
			 nvfio_strerror(err));
		rq->io_u->error = nvfe_errno(err);
	} else {
		snprintf(why, sizeof(why), "NVMe status %s",
			 nvfio_status_str(nvfio_cqe_status(cqe)));
		rq->io_u->error = EIO;
	}
	rq->io_u->resid = rq->io_u->xfer_buflen;
	nvfe_report(rq->job, rq->io_u, why);
}

static void nvfe_done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct nvfe_req *rq = arg;
	struct nvfe_job *job = rq->job;

	if (__builtin_expect((err | nvfio_cqe_status(cqe)) != 0, 0))
		nvfe_failed(rq, err, cqe);
	job->events[job->nevents++] = rq->io_u;
}

/* ---- controllers, shared by the jobs of the process ---- */

static void nvfe_ctrl_put(struct nvfe_ctrl *c)
{
	struct nvfe_ctrl **pp;

	pthread_mutex_lock(&nvfe_lock);
	if (--c->refs) {
		pthread_mutex_unlock(&nvfe_lock);
		return;
	}
	for (pp = &nvfe_ctrls; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	pthread_mutex_unlock(&nvfe_lock);
	if (nvfio_ctrl_close(c->ctrl))
		log_err("nvfio: closing %s: %s\n", c->address, nvfio_last_error());
	free(c);
}

/* Two jobs on one controller share it as the first one opened it. */
static int nvfe_ctrl_agrees(struct thread_data *td, const struct nvfe_ctrl *c,
			    const struct nvfio_ctrl_opts *want)
{
	static const char *const iommu[] = {"auto", "on", "off"};
	const char *what = NULL;
	unsigned int theirs = 0, ours = 0;

	if (want->interrupts != c->opts.interrupts)
		what = "interrupts", theirs = c->opts.interrupts, ours = want->interrupts;
	else if (want->hugepages != c->opts.hugepages)
		what = "hugepages", theirs = c->opts.hugepages, ours = want->hugepages;
	else if (want->shadow_doorbells != c->opts.shadow_doorbells)
		what = "shadow_doorbells", theirs = c->opts.shadow_doorbells,
		ours = want->shadow_doorbells;
	if (what) {
		log_err("nvfio: %s: %s=%u, but job %s opened %s with %s=%u: jobs on one controller "
			"share it, so give them the same %s\n",
			td->o.name, what, ours, c->opener, c->address, what, theirs, what);
		return -1;
	}
	if (want->iommu != c->opts.iommu) {
		log_err("nvfio: %s: iommu=%s, but job %s opened %s with iommu=%s: jobs on one "
			"controller share it, so give them the same iommu\n",
			td->o.name, iommu[want->iommu], c->opener, c->address,
			iommu[c->opts.iommu]);
		return -1;
	}
	return 0;
}

static struct nvfe_ctrl *nvfe_ctrl_get(struct thread_data *td, const char *address)
{
	const struct nvfe_options *eo = td->eo;
	struct nvfio_ctrl_opts opts;
	struct nvfe_ctrl *c;
	int r;

	nvfio_ctrl_opts_init(&opts);
	/* Every job of the run may end up on this controller, each with a queue pair. */
	opts.nr_io_queues = eo->queues ? eo->queues : (thread_number ? thread_number : 1);
	opts.interrupts = eo->interrupts;
	opts.hugepages = eo->hugepages;
	opts.shadow_doorbells = eo->shadow_doorbells;
	opts.iommu = (enum nvfio_iommu_open_mode)eo->iommu;

	pthread_mutex_lock(&nvfe_lock);
	for (c = nvfe_ctrls; c; c = c->next) {
		if (strcmp(c->address, address))
			continue;
		if (nvfe_ctrl_agrees(td, c, &opts)) {
			c = NULL;
		} else {
			c->refs++;
		}
		pthread_mutex_unlock(&nvfe_lock);
		return c;
	}
	c = calloc(1, sizeof(*c) + strlen(address) + 1);
	if (!c) {
		log_err("nvfio: %s: out of memory\n", td->o.name);
		goto out;
	}
	strcpy(c->address, address);
	snprintf(c->opener, sizeof(c->opener), "%s", td->o.name);
	c->opts = opts;
	r = nvfio_ctrl_open(address, &opts, &c->ctrl);
	if (r) {
		const char *msg = nvfio_last_error();

		/* The library's message mostly names the address itself. */
		if (strstr(msg, address))
			log_err("nvfio: %s: %s\n", td->o.name, msg);
		else
			log_err("nvfio: %s: opening %s: %s\n", td->o.name, address, msg);
		free(c);
		c = NULL;
		goto out;
	}
	c->refs = 1;
	c->next = nvfe_ctrls;
	nvfe_ctrls = c;
out:
	pthread_mutex_unlock(&nvfe_lock);
	return c;
}

/* Controllers whose jobs never ran to their cleanup (fio gave up early) close with the engine. */
__attribute__((destructor)) static void nvfe_unload(void)
{
	struct nvfe_ctrl *c;

	while ((c = nvfe_ctrls)) {
		nvfe_ctrls = c->next;
		nvfio_ctrl_close(c->ctrl);
		free(c);
	}
}

/* ---- jobs ---- */

static void nvfe_job_free(struct thread_data *td, struct nvfe_job *job)
{
	unsigned int i;

	/* Freeing a queue pair completes what it still holds: room for those events. */
	job->nevents = 0;
	for (i = 0; i < job->nqps; i++) {
		nvfio_qpair_free(job->qps[i].qp);
		job->qps[i].qp = NULL;
	}
	if (job->buf) {
		for (i = 1; i < job->nqps; i++)
			if (job->qps[i].registered)
				nvfio_dma_unregister(nvfio_ctrl_dma(job->qps[i].c->ctrl), job->buf,
						     job->buflen);
		nvfio_dma_free(nvfio_ctrl_dma(job->qps[0].c->ctrl), job->buf);
	}
	for (i = 0; i < job->nqps; i++)
		nvfe_ctrl_put(job->qps[i].c);
	for (i = 0; i < td->o.nr_files; i++)
		FILE_SET_ENG_DATA(td->files[i], NULL);
	free(job->qps);
	free(job->files);
	free(job->reqs);
	free(job->events);
	free(job);
}

/*
 * Opens (or shares) the controllers of the job's files and finds their namespaces, so that fio
 * learns the sizes. Called by setup(), in fio's main thread before the jobs start; init() calls
 * it for jobs fio sets up in their own thread (create_serialize=0).
 */
static int nvfe_attach(struct thread_data *td)
{
	const struct nvfe_options *eo = td->eo;
	char address[256], err[256];
	struct nvfe_job *job;
	unsigned int i, q;

	if (td->io_ops_data)
		return 0;
	if (nvfe_check_fio(td))
		return 1;
	if (!td->o.use_thread) {
		log_err(
		    "nvfio: %s: the nvfio engine needs thread=1 (--thread): its jobs share each "
		    "controller, which needs them in one process\n",
		    td->o.name);
		return 1;
	}
	job = calloc(1, sizeof(*job));
	if (!job)
		goto nomem;
	job->name = td->o.name;
	job->interrupts = eo->interrupts;
	job->files = calloc(td->o.nr_files, sizeof(*job->files));
	job->qps = calloc(td->o.nr_files, sizeof(*job->qps));
	if (!job->files || !job->qps)
		goto nomem_job;

	for (i = 0; i < td->o.nr_files; i++) {
		struct fio_file *f = td->files[i];
		struct nvfe_file *ff = &job->files[i];
		const struct nvfio_ns_info *ni;
		struct nvfe_ctrl *c;

		if (nvfe_address(f->file_name, address, sizeof(address), err, sizeof(err))) {
			log_err("nvfio: %s: %s\n", td->o.name, err);
			goto fail;
		}
		for (q = 0; q < job->nqps; q++)
			if (!strcmp(job->qps[q].c->address, address))
				break;
		if (q == job->nqps) {
			c = nvfe_ctrl_get(td, address);
			if (!c)
				goto fail;
			job->qps[job->nqps++].c = c;
		}
		c = job->qps[q].c;
		ff->q = &job->qps[q];
		ff->ns =
		    eo->nsid ? nvfio_ctrl_ns(c->ctrl, eo->nsid) : nvfio_ctrl_ns_next(c->ctrl, NULL);
		if (!ff->ns) {
			if (eo->nsid)
				log_err("nvfio: %s: nsid=%u is not an active namespace of %s (the "
					"highest namespace id is %u)\n",
					td->o.name, eo->nsid, address,
					nvfio_ctrl_get_info(c->ctrl)->nn);
			else
				log_err("nvfio: %s: %s has no active namespace\n", td->o.name,
					address);
			goto fail;
		}
		ni = nvfio_ns_get_info(ff->ns);
		if (!ni->block_size || (ni->block_size & (ni->block_size - 1)) ||
		    ni->meta_extended) {
			log_err("nvfio: %s: namespace %u of %s has %u-byte blocks%s; the engine "
				"takes power-of-2 blocks without extended metadata\n",
				td->o.name, ni->nsid, address, ni->block_size,
				ni->meta_extended ? " with extended metadata" : "");
			goto fail;
		}
		ff->shift = (unsigned int)__builtin_ctz(ni->block_size);
		f->real_file_size = ni->nblocks << ff->shift;
		f->filetype = FIO_TYPE_BLOCK;
		fio_file_set_size_known(f);
		FILE_SET_ENG_DATA(f, ff);
	}
	td->io_ops_data = job;
	return 0;

nomem_job:
	free(job->files);
	free(job->qps);
	free(job);
nomem:
	log_err("nvfio: %s: out of memory\n", td->o.name);
	return 1;
fail:
	nvfe_job_free(td, job);
	return 1;
}

static int nvfe_setup(struct thread_data *td)
{
	return nvfe_attach(td);
}

static int nvfe_init(struct thread_data *td)
{
	unsigned long long max_bs = td_max_bs(td);
	struct nvfe_job *job;
	unsigned int i;

	if (nvfe_attach(td))
		return 1;
	job = td->io_ops_data;
	job->depth = td->o.iodepth ? td->o.iodepth : 1;
	job->reqs = calloc(job->depth, sizeof(*job->reqs));
	job->events = calloc(job->depth, sizeof(*job->events));
	if (!job->reqs || !job->events) {
		log_err("nvfio: %s: out of memory\n", td->o.name);
		return 1;
	}
	for (i = 0; i < job->depth; i++)
		job->reqs[i].job = job;

	for (i = 0; i < job->nqps; i++) {
		struct nvfe_qp *q = &job->qps[i];
		const struct nvfio_ctrl_info *ci = nvfio_ctrl_get_info(q->c->ctrl);
		/* An I/O larger than the controller takes at once is split into several
		 * commands, each holding a slot of the queue. */
		unsigned long long per_io =
		    ci->max_xfer ? (max_bs + ci->max_xfer - 1) / ci->max_xfer : 1;
		unsigned long long depth = job->depth * (per_io ? per_io : 1);
		int r;

		if (job->depth > ci->max_queue_depth) {
			log_err("nvfio: %s: iodepth=%u is deeper than %s takes (%u)\n", td->o.name,
				job->depth, q->c->address, ci->max_queue_depth);
			return 1;
		}
		if (depth > ci->max_queue_depth)
			depth = ci->max_queue_depth;
		r = nvfio_qpair_alloc(q->c->ctrl, (unsigned int)depth,
				      job->interrupts ? NVFIO_QPAIR_INTERRUPTS : 0, &q->qp);
		if (r) {
			log_err("nvfio: %s: queue pair of depth %llu on %s: %s%s\n", td->o.name,
				depth, q->c->address, nvfio_last_error(),
				r == -EBUSY ? " (the engine asks for queues=N when the first job "
					      "opens the controller)"
					    : "");
			return 1;
		}
		/* Plugged between commits: queue() only writes the entry, commit() rings. */
		nvfio_qpair_plug(q->qp);
	}
	for (i = 0; i < td->o.nr_files; i++)
		job->files[i].qp = job->files[i].q->qp;
	return 0;
}

static void nvfe_cleanup(struct thread_data *td)
{
	struct nvfe_job *job = td->io_ops_data;

	if (!job)
		return;
	/* Anything still in flight completes here with -ECANCELED, before its buffer goes. */
	nvfe_job_free(td, job);
	td->io_ops_data = NULL;
}

static int nvfe_io_u_init(struct thread_data *td, struct io_u *io_u)
{
	struct nvfe_job *job = td->io_ops_data;

	/* fio numbered the io_u and made its verify list empty just before: a check of struct
	 * io_u's layout. */
	if (io_u->index >= job->depth || io_u->verify_list.next != &io_u->verify_list) {
		log_err("nvfio: libnvfio_fio.so and this fio disagree on struct io_u: rebuild it "
			"against the source of the installed fio (bench/fio/prepare-fio-src)\n");
		return 1;
	}
	job->reqs[io_u->index].io_u = io_u;
	return 0;
}

/* fio's I/O buffers, in the DMA memory of the job's controllers. */
static int nvfe_iomem_alloc(struct thread_data *td, size_t total)
{
	const struct nvfe_options *eo = td->eo;
	struct nvfe_job *job = td->io_ops_data;
	struct nvfe_ctrl *c0 = job->qps[0].c;
	bool huge =
	    eo->hugepages || !strcmp(nvfio_ctrl_get_info(c0->ctrl)->backend, "vfio-noiommu");
	size_t page = huge ? NVFE_HUGEPAGE : (size_t)sysconf(_SC_PAGESIZE);
	unsigned int i;
	int r;

	r = nvfio_dma_alloc(nvfio_ctrl_dma(c0->ctrl), total, eo->hugepages ? NVFIO_DMA_HUGE_2M : 0,
			    &job->buf);
	if (r) {
		log_err("nvfio: %s: %zu bytes of I/O buffers for %s: %s\n", td->o.name, total,
			c0->address, nvfio_last_error());
		job->buf = NULL;
		return 1;
	}
	/* The allocation is whole pages, so all of them can be registered with the others. */
	job->buflen = (total + page - 1) & ~(page - 1);
	for (i = 1; i < job->nqps; i++) {
		r = nvfio_dma_register(nvfio_ctrl_dma(job->qps[i].c->ctrl), job->buf, job->buflen);
		if (r) {
			log_err("nvfio: %s: registering the I/O buffers with %s: %s\n", td->o.name,
				job->qps[i].c->address, nvfio_last_error());
			goto fail;
		}
		job->qps[i].registered = true;
	}
	td->orig_buffer = job->buf;
	return 0;

fail:
	while (--i > 0) {
		nvfio_dma_unregister(nvfio_ctrl_dma(job->qps[i].c->ctrl), job->buf, job->buflen);
		job->qps[i].registered = false;
	}
	nvfio_dma_free(nvfio_ctrl_dma(c0->ctrl), job->buf);
	job->buf = NULL;
	return 1;
}

static void nvfe_iomem_free(struct thread_data *td)
{
	struct nvfe_job *job = td->io_ops_data;
	unsigned int i;

	if (!job || !job->buf)
		return;
	/* fio frees the buffers before it cleans the engine up: a command still outstanding (a
	 * job that stopped on an error) must not reach memory that is gone. */
	job->nevents = 0;
	for (i = 0; i < job->nqps; i++) {
		if (job->qps[i].qp && nvfio_qpair_outstanding(job->qps[i].qp)) {
			nvfio_qpair_free(job->qps[i].qp);
			job->qps[i].qp = NULL;
		}
	}
	for (i = 1; i < job->nqps; i++) {
		if (job->qps[i].registered)
			nvfio_dma_unregister(nvfio_ctrl_dma(job->qps[i].c->ctrl), job->buf,
					     job->buflen);
		job->qps[i].registered = false;
	}
	nvfio_dma_free(nvfio_ctrl_dma(job->qps[0].c->ctrl), job->buf);
	job->buf = NULL;
	td->orig_buffer = NULL;
}

static __attribute__((cold, noinline)) enum fio_q_status nvfe_refused(struct nvfe_job *job,
								      struct io_u *io_u, int r)
{
	char why[320];

	if (r == -EAGAIN)
		return FIO_Q_BUSY;
	if (r == -ERANGE)
		snprintf(why, sizeof(why),
			 "beyond the namespace's end (%llu bytes): lower size= or "
			 "offset=",
			 (unsigned long long)io_u->file->real_file_size);
	else
		snprintf(why, sizeof(why), "%s", nvfio_last_error());
	io_u->error = nvfe_errno(r);
	nvfe_report(job, io_u, why);
	return FIO_Q_COMPLETED;
}

static __attribute__((cold, noinline)) enum fio_q_status nvfe_unaligned(struct nvfe_job *job,
									struct io_u *io_u)
{
	io_u->error = EINVAL;
	nvfe_report(job, io_u,
		    "not a whole number of the namespace's blocks: make bs= and "
		    "offset= multiples of the block size");
	return FIO_Q_COMPLETED;
}

static enum fio_q_status nvfe_queue(struct thread_data *td, struct io_u *io_u)
{
	struct nvfe_job *job = td->io_ops_data;
	struct nvfe_file *ff = FILE_ENG_DATA(io_u->file);
	struct nvfe_req *rq = &job->reqs[io_u->index];
	uint64_t lba = io_u->offset >> ff->shift;
	uint32_t nlb = (uint32_t)(io_u->xfer_buflen >> ff->shift);
	int r;

	fio_ro_check(td, io_u);
	if (__builtin_expect(((io_u->offset | io_u->xfer_buflen) & ((1ull << ff->shift) - 1)) != 0,
			     0) &&
	    io_u->ddir < DDIR_RWDIR_CNT)
		return nvfe_unaligned(job, io_u);
	switch (io_u->ddir) {
	case DDIR_READ:
		r = nvfio_read(ff->qp, ff->ns, io_u->xfer_buf, lba, nlb, nvfe_done, rq);
		break;
	case DDIR_WRITE:
		r = nvfio_write(ff->qp, ff->ns, io_u->xfer_buf, lba, nlb, nvfe_done, rq);
		break;
	case DDIR_TRIM:
		r = nvfio_deallocate(ff->qp, ff->ns, lba, nlb, nvfe_done, rq);
		break;
	default:
		r = nvfio_flush(ff->qp, ff->ns, nvfe_done, rq);
		break;
	}
	if (__builtin_expect(r != 0, 0))
		return nvfe_refused(job, io_u, r);
	job->queued++;
	return FIO_Q_QUEUED;
}

static int nvfe_commit(struct thread_data *td)
{
	struct nvfe_job *job = td->io_ops_data;

	for (unsigned int i = 0; i < job->nqps; i++) {
		nvfio_qpair_unplug(job->qps[i].qp);
		nvfio_qpair_plug(job->qps[i].qp);
	}
	io_u_mark_submit(td, job->queued);
	job->queued = 0;
	return 0;
}

static int64_t nvfe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int nvfe_getevents(struct thread_data *td, unsigned int min, unsigned int max,
			  const struct timespec *t)
{
	struct nvfe_job *job = td->io_ops_data;
	struct nvfe_qp *q = job->qps;
	int64_t deadline = 0;
	unsigned int i;
	int r;

	if (t)
		deadline = nvfe_now_ns() + (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
	job->nevents = 0;
	for (;;) {
		/* A poll reaps at most the completions asked for, so the events never exceed
		 * max (a request nvfio split completes with its last command), but for a failed
		 * controller's: every outstanding command at once, which the events array (one
		 * slot per I/O in flight) still holds. */
		for (i = 0; i < job->nqps && job->nevents < max; i++) {
			q = &job->qps[i];
			r = nvfio_qpair_poll(q->qp, max - job->nevents);
			if (__builtin_expect(r < 0, 0))
				goto failed;
		}
		if (job->nevents >= min)
			return (int)job->nevents;
		if (t && nvfe_now_ns() >= deadline)
			return (int)job->nevents;
		if (job->interrupts && job->nqps == 1) {
			int ms = -1;

			if (t)
				ms = (int)((deadline - nvfe_now_ns()) / 1000000) + 1;
			q = job->qps;
			r = nvfio_qpair_wait(q->qp, max - job->nevents, ms);
			if (r < 0 && r != -EINTR)
				goto failed;
		}
	}

failed:
	/* The I/Os completed so far, those the failure completed among them (each with its
	 * error), are fio's to see; the failure itself then shows in their errors, and in the next
	 * call's if any I/O is left. */
	if (job->nevents)
		return (int)job->nevents;
	log_err("nvfio: %s: reaping completions on %s: %s\n", td->o.name, q->c->address,
		nvfio_last_error());
	return -nvfe_errno(r);
}

static struct io_u *nvfe_event(struct thread_data *td, int event)
{
	struct nvfe_job *job = td->io_ops_data;

	return job->events[event];
}

/* There is no file to open, nor a page cache to drop, nor a file to delete: the namespace is
 * the file, and the engine has it since setup(). */
static int nvfe_open_file(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static int nvfe_close_file(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static int nvfe_invalidate(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static int nvfe_unlink_file(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static struct fio_option nvfe_option_table[] = {
    {
	.name = "nsid",
	.lname = "nvfio namespace",
	.type = FIO_OPT_INT,
	.off1 = offsetof(struct nvfe_options, nsid),
	.def = "0",
	.help = "Namespace to run on (0: the controller's first active namespace)",
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = "hugepages",
	.lname = "nvfio hugepages",
	.type = FIO_OPT_BOOL,
	.off1 = offsetof(struct nvfe_options, hugepages),
	.def = "0",
	.help = "Back the I/O buffers and the controller's queues with 2 MiB hugepages",
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = "shadow_doorbells",
	.lname = "nvfio shadow doorbells",
	.type = FIO_OPT_BOOL,
	.off1 = offsetof(struct nvfe_options, shadow_doorbells),
	.def = "1",
	.help = "Use the controller's shadow doorbells (Doorbell Buffer Config) where it has "
		"them",
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = "interrupts",
	.lname = "nvfio interrupts",
	.type = FIO_OPT_BOOL,
	.off1 = offsetof(struct nvfe_options, interrupts),
	.def = "0",
	.help = "Give each job's queue pair an MSI-X vector and sleep on it while waiting for "
		"completions (default: poll)",
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = "iommu",
	.lname = "nvfio IOMMU",
	.type = FIO_OPT_STR,
	.off1 = offsetof(struct nvfe_options, iommu),
	.def = "auto",
	.help = "DMA isolation of a PCI controller",
	.posval =
	    {
		{.ival = "auto",
		 .oval = NVFIO_IOMMU_OPEN_AUTO,
		 .help = "The IOMMU where the device has one, else no-IOMMU mode"},
		{.ival = "on", .oval = NVFIO_IOMMU_OPEN_IOMMU, .help = "Insist on an IOMMU"},
		{.ival = "off",
		 .oval = NVFIO_IOMMU_OPEN_NOIOMMU,
		 .help = "Insist on no-IOMMU mode (root, hugepages)"},
	    },
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = "queues",
	.lname = "nvfio I/O queues",
	.type = FIO_OPT_INT,
	.off1 = offsetof(struct nvfe_options, queues),
	.def = "0",
	.minval = 0,
	.maxval = 65535,
	.help = "I/O queue pairs to ask a controller for when it is opened (0: one for each "
		"job of the run)",
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = NULL,
    },
};

/* Found by fio with dlsym("ioengine"). */
struct ioengine_ops ioengine = {
    .name = "nvfio",
    .version = FIO_IOOPS_VERSION,
    /* DISKLESSIO: no fd, no page cache, no kernel block device to look at; NO_OFFLOAD: a
     * queue pair is used by one thread, so submission and reaping must stay on the job's. */
    .flags =
	FIO_RAWIO | FIO_NOEXTEND | FIO_NODISKUTIL | FIO_MEMALIGN | FIO_DISKLESSIO | FIO_NO_OFFLOAD,
    .setup = nvfe_setup,
    .init = nvfe_init,
    .queue = nvfe_queue,
    .commit = nvfe_commit,
    .getevents = nvfe_getevents,
    .event = nvfe_event,
    .cleanup = nvfe_cleanup,
    .open_file = nvfe_open_file,
    .close_file = nvfe_close_file,
    .invalidate = nvfe_invalidate,
    .unlink_file = nvfe_unlink_file,
    .iomem_alloc = nvfe_iomem_alloc,
    .iomem_free = nvfe_iomem_free,
    .io_u_init = nvfe_io_u_init,
    .option_struct_size = sizeof(struct nvfe_options),
    .options = nvfe_option_table,
};
