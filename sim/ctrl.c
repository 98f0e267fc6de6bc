/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller model as its glue sees it (sim.h): creating it (options, namespaces, storage,
 * BAR0, MSI-X, the threads), destroying it, its BAR0 and MSI-X vectors. A function-level reset
 * is a request to thread 0 (request.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/priv.h"
#include "support/error.h"

/* ---- create and destroy ---- */

static void nvf_sim_free(struct nvfio_sim *sim)
{
	if (sim->ns) {
		for (unsigned int i = 0; i < sim->nn; i++)
			if (sim->ns[i].allocated)
				nvf_sim_store_close(&sim->ns[i].store);
		free(sim->ns);
	}
	free(sim->nsa);
	nvf_sim_fw_free(sim);
	if (sim->file_fd >= 0)
		close(sim->file_fd);
	if (sim->thr) {
		for (unsigned int i = 0; i < sim->nthr; i++) {
			free(sim->thr[i].sqs);
			free(sim->thr[i].pend);
			free(sim->thr[i].segs);
		}
		free(sim->thr);
	}
	nvf_sim_store_reclaim(sim);
	free(sim->sq);
	free(sim->cq);
	free(sim->ivc);
	free(sim->x.irqfd);
	if (sim->x.bar)
		munmap((void *)sim->x.bar, sim->x.bar_len);
	pthread_mutex_destroy(&sim->ev_lock);
	pthread_mutex_destroy(&sim->err_lock);
	pthread_mutex_destroy(&sim->fault_lock);
	pthread_mutex_destroy(&sim->req_lock);
	pthread_cond_destroy(&sim->req_cond);
	pthread_mutex_destroy(&sim->park_lock);
	pthread_cond_destroy(&sim->park_cond);
	pthread_mutex_destroy(&sim->retire_lock);
	free(sim);
}

int nvf_sim_create(const char *opts, const struct nvf_sim_mem *mem, struct nvfio_sim **out)
{
	struct nvf_sim_inject inj;
	struct nvfio_sim *sim;
	unsigned int nq;
	int ret;

	*out = NULL;
	if (!mem || !mem->translate)
		return nvf_err(-EINVAL, "sim: no DMA translation given to the controller model");
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return nvf_err(-ENOMEM, "sim: out of memory");
	sim->file_fd = -1;
	pthread_mutex_init(&sim->ev_lock, NULL);
	pthread_mutex_init(&sim->err_lock, NULL);
	pthread_mutex_init(&sim->fault_lock, NULL);
	pthread_mutex_init(&sim->req_lock, NULL);
	pthread_cond_init(&sim->req_cond, NULL);
	pthread_mutex_init(&sim->park_lock, NULL);
	pthread_cond_init(&sim->park_cond, NULL);
	pthread_mutex_init(&sim->retire_lock, NULL);
	sim->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)sim;
	atomic_store(&sim->cfs_after, -1);
	atomic_store(&sim->remove_after, -1);

	ret = nvf_sim_parse_opts(&sim->opts, &inj, opts);
	if (!ret)
		ret = nvf_sim_fault_apply(sim, &sim->opts, &inj);
	if (ret)
		goto fail;
	sim->x.mem = *mem;
	nq = sim->opts.queues + 1;
	sim->mdts_bytes = 4096u << sim->opts.mdts;
	sim->nthr = sim->opts.threads;
	sim->cap = (uint64_t)(sim->opts.depth - 1) | 1ull << 16 /* CQR */ |
		   (uint64_t)NVF_SIM_CAP_TO << 24 | 1ull << 37 /* CSS: NVM */ |
		   (uint64_t)NVF_SIM_MPSMAX << 52;

	ret = -ENOMEM;
	sim->x.bar_len = nvf_sim_align_up(NVF_SIM_DOORBELL_BASE + 8 * nq, 4096u);
	sim->x.bar =
	    mmap(NULL, sim->x.bar_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sim->x.bar == MAP_FAILED) {
		sim->x.bar = NULL;
		goto nomem;
	}
	sim->x.nirq = nq;
	sim->x.irqfd = calloc(nq, sizeof(*sim->x.irqfd));
	sim->sq = calloc(nq, sizeof(*sim->sq));
	sim->cq = calloc(nq, sizeof(*sim->cq));
	sim->ivc = calloc(nq, sizeof(*sim->ivc));
	sim->thr = calloc(sim->nthr, sizeof(*sim->thr));
	sim->nn = sim->opts.max_namespaces;
	sim->ns = calloc(sim->nn, sizeof(*sim->ns));
	sim->nsa = calloc(sim->nn, sizeof(*sim->nsa));
	if (!sim->x.irqfd || !sim->sq || !sim->cq || !sim->ivc || !sim->thr || !sim->ns ||
	    !sim->nsa)
		goto nomem;
	for (unsigned int i = 0; i < sim->nn; i++)
		sim->ns[i].nsid = i + 1;
	for (unsigned int i = 0; i < nq; i++)
		atomic_init(&sim->x.irqfd[i], -1);
	for (unsigned int i = 0; i < sim->nthr; i++) {
		struct nvf_sim_thread *t = &sim->thr[i];

		t->sim = sim;
		t->idx = i;
		t->sqs = calloc(nq, sizeof(*t->sqs));
		t->pend = calloc(NVF_SIM_PENDING_MAX, sizeof(*t->pend));
		t->segs = calloc(NVF_SIM_MAX_SEGS, sizeof(*t->segs));
		if (!t->sqs || !t->pend || !t->segs)
			goto nomem;
	}

	if (sim->opts.storage == NVF_SIM_STORE_FILE) {
		ret = nvf_sim_image_open(sim);
		if (ret)
			goto fail;
	}
	/* The namespaces of the options, attached, each where a file has always kept it. */
	for (unsigned int i = 0; i < sim->opts.namespaces; i++) {
		struct nvf_sim_ns *ns = &sim->ns[i];
		unsigned int lbaf = sim->opts.storage == NVF_SIM_STORE_FILE ? sim->file_lbaf[i]
									     : sim->opts.lbaf;
		uint64_t nsze = sim->opts.size >> nvf_sim_lbafs[lbaf].ds;

		ret = nvf_sim_ns_setup(sim, ns, lbaf, nsze, nsze,
				       nvf_sim_image_ns_off(sim, i));
		if (ret)
			goto fail;
		ns->attached = true;
		sim->nsa[i] = ns;
	}
	nvf_sim_fw_init(sim);
	nvf_sim_selftest_init(sim);
	sim->san.fails_left = sim->opts.sanitize_fail;
	nvf_sim_features_default(sim);
	nvf_sim_regs_power_on(sim);
	sim->power_on_ns = nvf_sim_now_ns();
	if (atomic_load(&sim->cfs_after) > 0)
		atomic_fetch_add(&sim->faults_armed, 1);
	if (atomic_load(&sim->remove_after) > 0)
		atomic_fetch_add(&sim->faults_armed, 1);
	else if (atomic_load(&sim->remove_after) == 0)
		nvf_sim_do_remove(sim);

	/* Thread 0 last: it parks the others by their state, and must not find one of them
	 * running with its started flag not yet set. */
	for (unsigned int i = sim->nthr; i-- > 0;) {
		ret = -pthread_create(&sim->thr[i].tid, NULL, nvf_sim_thread_main, &sim->thr[i]);
		if (ret) {
			nvf_err(ret, "sim: cannot start the controller thread: %s", strerror(-ret));
			nvf_sim_destroy(sim);
			return ret;
		}
		sim->thr[i].started = true;
	}
	*out = sim;
	return 0;

nomem:
	ret = nvf_err(-ENOMEM, "sim: out of memory for the controller (queues=%u, depth=%u)",
		      sim->opts.queues, sim->opts.depth);
fail:
	nvf_sim_free(sim);
	return ret;
}

void nvf_sim_destroy(struct nvfio_sim *sim)
{
	if (!sim)
		return;
	atomic_store(&sim->stop, true);
	nvf_sim_wake(sim);
	nvf_sim_unpark(sim);
	nvf_sim_requests_wake(sim);
	for (unsigned int i = 0; i < sim->nthr; i++)
		if (sim->thr[i].started)
			pthread_join(sim->thr[i].tid, NULL);
	nvf_sim_free(sim);
}

volatile void *nvf_sim_bar0(struct nvfio_sim *sim, size_t *len)
{
	if (len)
		*len = sim->x.bar_len;
	return sim->x.bar;
}

unsigned int nvf_sim_irq_count(struct nvfio_sim *sim)
{
	return sim->x.nirq;
}

int nvf_sim_set_irq(struct nvfio_sim *sim, unsigned int vector, int eventfd)
{
	if (vector >= sim->x.nirq || eventfd < -1)
		return -EINVAL;
	atomic_store_explicit(&sim->x.irqfd[vector], eventfd, memory_order_release);
	return 0;
}
