/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue pairs: memory, creation and deletion, reaping completions, waiting, failure handling.
 * The submission fast paths are in io.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "nvme/ctrl.h"
#include "nvme/qpair.h"
#include "support/error.h"

static size_t page_align(size_t n)
{
	return ALIGN_UP(n, (size_t)NVF_PAGE_SIZE);
}

int nvf_qpair_init(struct nvfio_ctrl *ctrl, uint16_t qid, unsigned int depth, unsigned int nlarge,
		   struct nvfio_qpair **out)
{
	unsigned int entries = depth + 1, nsmall = 0, ntrk, i;
	unsigned int max_entries = (unsigned int)NVME_CAP_MQES(ctrl->cap) + 1;
	unsigned int cq_entries = qid && 2 * depth + 1 <= max_entries ? 2 * depth + 1
				  : qid				      ? max_entries
								      : entries;
	size_t sq_bytes = page_align((size_t)entries * sizeof(struct nvfio_cmd));
	size_t cq_bytes = page_align((size_t)cq_entries * sizeof(struct nvfio_cqe));
	struct nvfio_qpair *qp;
	uint64_t iova;
	size_t len;
	int ret;

	if (qid)
		nsmall = depth < NVF_LIST_SMALL_MAX ? depth : NVF_LIST_SMALL_MAX;
	if (nlarge > NVF_LIST_LARGE_MAX)
		nlarge = NVF_LIST_LARGE_MAX;
	len =
	    sq_bytes + cq_bytes + (size_t)nlarge * NVF_PAGE_SIZE + (size_t)nsmall * NVF_LIST_SMALL;
	len = page_align(len);

	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return nvf_err(-ENOMEM, "out of memory for a queue pair");
	/* A power of two of trackers, so that a completion's command id is masked rather than
	 * compared; those past the depth stay unused. */
	ntrk = 1;
	while (ntrk < depth)
		ntrk <<= 1;
	qp->io.trk = calloc(ntrk, sizeof(*qp->io.trk));
	qp->list_stack = calloc(nsmall + nlarge + 1, sizeof(*qp->list_stack));
	if (!qp->io.trk || !qp->list_stack) {
		ret = nvf_err(-ENOMEM, "out of memory for %u command trackers", depth);
		goto err_free;
	}
	ret = nvfio_dma_alloc(ctrl->dev->dma, len, nvf_nvme_dma_flags(ctrl), &qp->dmamem);
	if (ret < 0) {
		nvf_err_prefix("allocating %zu bytes of DMA memory for queue %u", len, qid);
		goto err_free;
	}
	ret = nvfio_dma_iova(ctrl->dev->dma, qp->dmamem, len, &iova);
	if (ret < 0) {
		nvf_err_prefix("queue %u memory", qid);
		goto err_dma;
	}

	qp->ctrl = ctrl;
	qp->qid = qid;
	qp->depth = (uint16_t)depth;
	qp->sq_entries = entries;
	qp->cq_entries = cq_entries;
	qp->cq_slack = (uint16_t)(cq_entries - 1 - depth);
	qp->io.sq = qp->dmamem;
	qp->io.sq_next = qp->io.sq_rung = qp->io.sq;
	qp->io.sq_end = qp->io.sq + entries;
	qp->sq_iova = iova;
	qp->cq = (volatile struct nvfio_cqe *)((uint8_t *)qp->dmamem + sq_bytes);
	qp->cq_iova = iova + sq_bytes;
	qp->cq_end = qp->cq + cq_entries;
	qp->cq_cur = qp->cq;
	qp->cq_phase = 1u << 16;
	qp->lists = (uint8_t *)qp->dmamem + sq_bytes + cq_bytes;
	qp->lists_iova = iova + sq_bytes + cq_bytes;
	qp->nsmall = (uint16_t)nsmall;
	qp->nlarge = (uint16_t)nlarge;
	for (i = 0; i < nsmall; i++)
		qp->list_stack[i] = (uint16_t)(nlarge + i);
	qp->small_top = (uint16_t)nsmall;
	for (i = 0; i < nlarge; i++)
		qp->list_stack[nsmall + i] = (uint16_t)i;
	qp->large_top = (uint16_t)(nsmall + nlarge);

	for (i = 0; i < ntrk; i++)
		qp->io.trk[i].next = (uint16_t)(i + 1 < depth ? i + 1 : NVFIO_IO_TRK_NONE);
	qp->trk_mask = ntrk - 1;
	qp->io.free = 0;

	qp->sq_db = (volatile uint32_t *)(ctrl->dev->bar0 + nvf_db_offset(ctrl, qid, false));
	qp->cq_db = (volatile uint32_t *)(ctrl->dev->bar0 + nvf_db_offset(ctrl, qid, true));
	qp->dma = ctrl->dev->dma;
	nvf_dma_cache_init(qp->dma, &qp->dcache);
	nvf_qpair_tc_sync(qp);
	qp->efd = -1;
	qp->dma_bytes = len;
	qp->heap_bytes = sizeof(*qp) + (size_t)ntrk * sizeof(*qp->io.trk) +
			 (nsmall + nlarge + 1) * sizeof(*qp->list_stack);
	*out = qp;
	return 0;

err_dma:
	nvfio_dma_free(ctrl->dev->dma, qp->dmamem);
err_free:
	free(qp->list_stack);
	free(qp->io.trk);
	free(qp);
	return ret;
}

void nvf_qpair_destroy(struct nvfio_qpair *qp)
{
	if (!qp)
		return;
	nvfio_dma_free(qp->ctrl->dev->dma, qp->dmamem);
	free(qp->list_stack);
	free(qp->io.trk);
	free(qp);
}

/* Split requests outstanding (their trackers are not commands). */
static unsigned int nvf_qpair_parents(const struct nvfio_qpair *qp)
{
	unsigned int i, n = 0;

	for (i = 0; i < qp->depth; i++)
		n += qp->io.trk[i].next == NVFIO_IO_TRK_PARENT;
	return n;
}

unsigned int nvf_qpair_nfree(const struct nvfio_qpair *qp)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = qp->io.free; i != NVFIO_IO_TRK_NONE && n <= qp->depth; i = qp->io.trk[i].next)
		n++;
	return n;
}

/* The body of a poll that found a completion. */
static __attribute__((noinline)) int reap(struct nvfio_qpair *qp, unsigned int max)
{
	const volatile struct nvfio_cqe *cqe = qp->cq_cur;
	uint32_t phase = qp->cq_phase;
	/* Dword 3 with the expected phase tag taken out: bit 16 is then 0 for a new entry, and the
	 * command id (below bit 16) is unchanged. The poll saw this one's phase match. */
	uint32_t dw3 = ((const volatile uint32_t *)cqe)[3] ^ phase;
	unsigned int n = 0;
	long reaped;

	qp->io.plugged++;
	for (;;) {
		struct nvfio_io_trk *t;
		uint32_t cid;
		nvfio_cb cb;

		/* The phase tag before the rest of the entry. */
		nvf_rmb();
		cid = dw3 & qp->trk_mask;
		t = &qp->io.trk[cid];
		/* A completion for no outstanding command is dropped rather than completing a
		 * command twice (ids past the depth land on trackers that are never busy). */
		if (likely(t->next == NVFIO_IO_TRK_BUSY) ||
		    (t->next == NVFIO_IO_TRK_BUSY_LIST &&
		     (nvf_list_put(qp, t->list), t->list = 0, 1))) {
			cb = t->cb;
			t->next = qp->io.free;
			qp->io.free = (uint16_t)cid;
			n++;
			cb(t->arg, 0, (const struct nvfio_cqe *)cqe);
		}
		if (unlikely(++cqe == qp->cq_end)) {
			cqe = qp->cq;
			phase ^= 0x10000;
		}
		if (n == max)
			break;
		dw3 = ((const volatile uint32_t *)cqe)[3] ^ phase;
		if (dw3 & 0x10000)
			break;
	}
	/* Entries reaped, dropped ones included: at least one, at most the whole ring. */
	reaped = cqe - qp->cq_cur;
	if (reaped <= 0)
		reaped += (long)qp->cq_entries;
	qp->cq_cur = cqe;
	qp->cq_phase = phase;
	qp->completed += n;
	qp->cq_unacked = (uint16_t)(qp->cq_unacked + reaped);
	if (qp->cq_unacked > qp->cq_slack)
		nvf_cq_ring(qp);
	if (--qp->io.plugged == 0 && qp->io.sq_next != qp->io.sq_rung)
		nvf_sq_ring(qp);
	return (int)n;
}

/* Empty polls between looks at the clock, and milliseconds between reads of the controller's
 * status by a poll (as nvfio_qpair_wait() reads it). */
#define NVF_POLL_CLOCK_EVERY 1024
#define NVF_POLL_CHECK_MS    10

/*
 * Whether the controller failed, read from its status every NVF_POLL_CHECK_MS (at @now) or at
 * once when another thread saw it fail; on failure the pair's outstanding commands are
 * completed with it, which is returned. Polls and waits both look here, so that a thread that
 * only polls learns of a failure too instead of spinning for ever on commands that will not
 * complete.
 */
static int qpair_check(struct nvfio_qpair *qp, uint64_t now)
{
	struct nvfio_ctrl *ctrl = qp->ctrl;
	int ret;

	if (!nvf_nvme_failed(ctrl)) {
		if (now - qp->check_ms < NVF_POLL_CHECK_MS)
			return 0;
		qp->check_ms = now;
	}
	ret = nvf_nvme_ctrl_check(ctrl);
	if (ret < 0)
		nvf_qpair_fail_all(qp, ret);
	return ret;
}

/* An empty poll's way there: every NVF_POLL_CLOCK_EVERY of them, and every one of a pair marked
 * failed (by whichever thread saw the controller fail, or -ECANCELED while the pair is being
 * freed). Off the path of any completion. */
static __attribute__((noinline, cold)) int poll_check(struct nvfio_qpair *qp)
{
	if (nvf_nvme_failed(qp->ctrl))
		return qpair_check(qp, 0);
	if (qp->empty_polls < NVF_POLL_CLOCK_EVERY)
		return 0;
	qp->empty_polls = 0;
	return qpair_check(qp, nvf_nvme_now_ms());
}

int nvfio_qpair_poll(struct nvfio_qpair *qp, unsigned int max)
{
	qp->polls++;
	if (unlikely(qp->io.sq_next != qp->io.sq_rung) && !qp->io.plugged)
		nvf_sq_ring(qp);
	/* Nothing new: leave without touching anything else (an idle poll loop spins here). */
	if ((((const volatile uint32_t *)qp->cq_cur)[3] ^ qp->cq_phase) & 0x10000) {
		if (unlikely(++qp->empty_polls >= NVF_POLL_CLOCK_EVERY ||
			     __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED)))
			return poll_check(qp);
		return 0;
	}
	return reap(qp, max);
}

int nvf_qpair_reap(struct nvfio_qpair *qp, unsigned int max)
{
	return nvfio_qpair_poll(qp, max);
}

void nvf_qpair_fail_all(struct nvfio_qpair *qp, int err)
{
	struct nvfio_cqe cqe = {
	    .sqid = qp->qid,
	    .status = NVFIO_STATUS_HOST_ABORTED << 1,
	};
	unsigned int i;

	qp->io.plugged++;
	for (i = 0; i < qp->depth; i++) {
		if (!nvf_trk_busy(qp->io.trk[i].next))
			continue;
		cqe.cid = (uint16_t)i;
		qp->completed++;
		nvf_trk_complete(qp, (uint16_t)i, err, &cqe);
	}
	qp->io.plugged--;
}

static void noop_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
}

void nvf_qpair_forget(struct nvfio_qpair *qp, const void *arg, nvfio_cb cb)
{
	unsigned int i;

	for (i = 0; i < qp->depth; i++) {
		struct nvfio_io_trk *t = &qp->io.trk[i];

		if ((nvf_trk_busy(t->next) || t->next == NVFIO_IO_TRK_PARENT) && t->arg == arg) {
			t->cb = cb ? cb : noop_cb;
			t->arg = cb ? t->arg : NULL;
		}
	}
}

int nvf_qpair_submit_cmd(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, uint16_t list, nvfio_cb cb,
			 void *arg)
{
	uint16_t cid = qp->io.free;
	struct nvfio_io_trk *t;

	if (cid == NVFIO_IO_TRK_NONE) {
		qp->eagain++;
		return -EAGAIN;
	}
	t = &qp->io.trk[cid];
	qp->io.free = t->next;
	t->next = list ? NVFIO_IO_TRK_BUSY_LIST : NVFIO_IO_TRK_BUSY;
	t->cb = cb;
	t->arg = arg;
	t->list = list;
	cmd->cid = cid;
	*qp->io.sq_next = *cmd;
	if (++qp->io.sq_next == qp->io.sq_end)
		qp->io.sq_next = qp->io.sq;
	if (!qp->io.plugged)
		nvf_sq_ring(qp);
	return 0;
}

/* ---- Public functions ---- */

int nvfio_qpair_wait(struct nvfio_qpair *qp, unsigned int max, int timeout_ms)
{
	uint64_t start = nvf_nvme_now_ms(), now;
	unsigned int backoff = 0;
	int n, ret;

	/* Whatever the plugging, a waiter's commands must reach the controller. */
	nvfio_qpair_kick(qp);
	for (;;) {
		n = nvf_qpair_reap(qp, max);
		if (n)
			return n;
		now = nvf_nvme_now_ms();
		ret = qpair_check(qp, now);
		if (ret < 0)
			return ret;
		if (timeout_ms >= 0 && now - start >= (uint64_t)timeout_ms)
			return 0;
		if (qp->efd >= 0) {
			struct pollfd pfd = {.fd = qp->efd, .events = POLLIN};
			int wait = 10;
			uint64_t v;

			if (timeout_ms >= 0 &&
			    (uint64_t)timeout_ms - (now - start) < (uint64_t)wait)
				wait = (int)((uint64_t)timeout_ms - (now - start));
			ret = poll(&pfd, 1, wait);
			if (ret < 0 && errno == EINTR)
				return nvf_err(-EINTR, "waiting for queue %u was interrupted",
					       qp->qid);
			if (ret > 0 && read(qp->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				return nvf_err(-errno, "reading the eventfd of queue %u", qp->qid);
		} else {
			nvf_nvme_backoff(&backoff);
		}
	}
}

void nvfio_qpair_kick(struct nvfio_qpair *qp)
{
	if (qp->io.sq_next != qp->io.sq_rung)
		nvf_sq_ring(qp);
}

void nvfio_qpair_plug(struct nvfio_qpair *qp)
{
	qp->io.plugged++;
}

int nvfio_qpair_unplug(struct nvfio_qpair *qp)
{
	if (qp->io.plugged && --qp->io.plugged == 0 && qp->io.sq_next != qp->io.sq_rung)
		nvf_sq_ring(qp);
	return 0;
}

unsigned int nvfio_qpair_id(const struct nvfio_qpair *qp)
{
	return qp->qid;
}

unsigned int nvfio_qpair_depth(const struct nvfio_qpair *qp)
{
	return qp->depth;
}

unsigned int nvfio_qpair_outstanding(const struct nvfio_qpair *qp)
{
	return qp->depth - nvf_qpair_nfree(qp);
}

int nvfio_qpair_fd(const struct nvfio_qpair *qp)
{
	return qp->efd;
}

void nvfio_qpair_get_stats(const struct nvfio_qpair *qp, struct nvfio_qpair_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->submitted =
	    qp->completed + (qp->depth - nvf_qpair_nfree(qp)) - nvf_qpair_parents(qp);
	stats->completed = qp->completed;
	stats->polls = qp->polls;
	stats->sq_doorbells = qp->sq_doorbells;
	stats->cq_doorbells = qp->cq_doorbells;
	stats->eagain = qp->eagain;
	stats->dma_bytes = qp->dma_bytes;
	stats->mem_bytes = qp->dma_bytes + qp->heap_bytes;
}

int nvfio_qpair_alloc(struct nvfio_ctrl *ctrl, unsigned int depth, unsigned int flags,
		      struct nvfio_qpair **out)
{
	unsigned int mqes = (unsigned int)NVME_CAP_MQES(ctrl->cap), qid, max_depth;
	struct nvfio_qpair *qp;
	int ret;

	if (nvf_nvme_failed(ctrl))
		return nvf_err(nvf_nvme_failed(ctrl),
			       "controller %s has failed; close and reopen it", ctrl->address);
	if (!depth)
		depth = ctrl->opts.queue_depth;
	max_depth = mqes < NVF_QPAIR_MAX_DEPTH ? mqes : NVF_QPAIR_MAX_DEPTH;
	if (depth < 1 || depth > max_depth)
		return nvf_err(
		    -EINVAL, "queue depth %u out of range: controller %s takes 1 to %u (CAP.MQES)",
		    depth, ctrl->address, max_depth);
	if ((flags & NVFIO_QPAIR_INTERRUPTS) && !ctrl->opts.interrupts)
		return nvf_err(-EINVAL,
			       "queue pair with interrupts on controller %s opened without "
			       "them: set nvfio_ctrl_opts.interrupts",
			       ctrl->address);

	pthread_mutex_lock(&ctrl->lock);
	for (qid = 1; qid <= ctrl->nr_io; qid++)
		if (!ctrl->qid_used[qid])
			break;
	if (qid > ctrl->nr_io) {
		pthread_mutex_unlock(&ctrl->lock);
		return nvf_err(-EBUSY,
			       "all %u I/O queue pairs of controller %s are allocated: free "
			       "one, or open with more nvfio_ctrl_opts.nr_io_queues (%u asked)",
			       ctrl->nr_io, ctrl->address, ctrl->opts.nr_io_queues);
	}
	if ((flags & NVFIO_QPAIR_INTERRUPTS) && qid >= ctrl->dev->nr_vectors) {
		pthread_mutex_unlock(&ctrl->lock);
		return nvf_err(-EINVAL,
			       "controller %s has %u MSI-X vectors: none left for queue %u",
			       ctrl->address, ctrl->dev->nr_vectors, qid);
	}
	ctrl->qid_used[qid] = true;
	pthread_mutex_unlock(&ctrl->lock);

	ret = nvf_qpair_init(ctrl, (uint16_t)qid, depth,
			     depth < NVF_LIST_LARGE_MAX ? depth : NVF_LIST_LARGE_MAX, &qp);
	if (ret < 0)
		goto err_qid;
	if (ctrl->dbbuf) {
		size_t off = nvf_db_offset(ctrl, (uint16_t)qid, false) - NVF_DOORBELL_BASE;
		size_t coff = nvf_db_offset(ctrl, (uint16_t)qid, true) - NVF_DOORBELL_BASE;

		qp->sq_sdb = (uint32_t *)((uint8_t *)ctrl->dbbuf + off);
		qp->cq_sdb = (uint32_t *)((uint8_t *)ctrl->dbbuf + coff);
		qp->sq_ei = (const uint32_t *)((uint8_t *)ctrl->dbbuf + NVF_PAGE_SIZE + off);
		qp->cq_ei = (const uint32_t *)((uint8_t *)ctrl->dbbuf + NVF_PAGE_SIZE + coff);
	}
	if (flags & NVFIO_QPAIR_INTERRUPTS) {
		qp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (qp->efd < 0) {
			ret = nvf_err(-errno, "eventfd for queue %u: %s", qid, strerror(errno));
			goto err_qp;
		}
		qp->irq = true;
		qp->vector = qid;
		ret = ctrl->dev->ops->irq_bind(ctrl->dev, qid, qp->efd);
		if (ret < 0) {
			nvf_err_prefix("binding MSI-X vector %u of %s", qid, ctrl->address);
			goto err_efd;
		}
	}
	ret = nvf_nvme_create_qpair(ctrl, qp);
	if (ret < 0)
		goto err_irq;

	pthread_mutex_lock(&ctrl->lock);
	qp->next_qp = ctrl->qpairs;
	ctrl->qpairs = qp;
	pthread_mutex_unlock(&ctrl->lock);
	*out = qp;
	return 0;

err_irq:
	if (qp->irq)
		ctrl->dev->ops->irq_bind(ctrl->dev, qid, -1);
err_efd:
	if (qp->efd >= 0)
		close(qp->efd);
	/* A create command that timed out may still complete: the controller would then own a
	 * queue in this memory under this id, so both stay with it until it is disabled. */
	if (ret == -NVFIO_ETIMEDOUT || nvf_nvme_failed(ctrl)) {
		nvf_nvme_ctrl_keep_dma(ctrl, qp->dmamem);
		qp->dmamem = NULL;
		nvf_qpair_destroy(qp);
		return ret;
	}
err_qp:
	nvf_qpair_destroy(qp);
err_qid:
	pthread_mutex_lock(&ctrl->lock);
	ctrl->qid_used[qid] = false;
	pthread_mutex_unlock(&ctrl->lock);
	return ret;
}

int nvfio_qpair_free(struct nvfio_qpair *qp)
{
	struct nvfio_ctrl *ctrl;
	struct nvfio_qpair **pp;
	int ret = 0;

	if (!qp)
		return 0;
	ctrl = qp->ctrl;
	pthread_mutex_lock(&ctrl->lock);
	for (pp = &ctrl->qpairs; *pp; pp = &(*pp)->next_qp) {
		if (*pp == qp) {
			*pp = qp->next_qp;
			break;
		}
	}
	pthread_mutex_unlock(&ctrl->lock);

	/* From here on the callbacks that run (for commands aborted by the deletion or canceled
	 * below) cannot submit again: a command written now would reach a deleted queue, or take
	 * a tracker the cancel loop has passed, and never complete. */
	if (!nvf_nvme_failed(ctrl))
		nvf_qpair_poison(qp, -ECANCELED);
	/* Deleting the SQ makes the controller complete what it still holds (Command Aborted due
	 * to SQ Deletion); reap that, then complete what is left ourselves. */
	if (!nvf_nvme_failed(ctrl))
		ret = nvf_nvme_delete_qpair(ctrl, qp);
	nvf_qpair_fail_all(qp, nvf_nvme_failed(ctrl) ? nvf_nvme_failed(ctrl) : -ECANCELED);
	if (qp->irq)
		ctrl->dev->ops->irq_bind(ctrl->dev, qp->vector, -1);
	if (qp->efd >= 0)
		close(qp->efd);
	/* Queues the controller may still own (the deletion failed or the controller did) keep
	 * their memory until the controller is disabled: it could still write completions there
	 * or fetch commands from there. The queue id stays taken with it. */
	if (ret < 0 || nvf_nvme_failed(ctrl)) {
		nvf_nvme_ctrl_keep_dma(ctrl, qp->dmamem);
		qp->dmamem = NULL;
	} else {
		pthread_mutex_lock(&ctrl->lock);
		ctrl->qid_used[qp->qid] = false;
		pthread_mutex_unlock(&ctrl->lock);
	}
	nvf_qpair_destroy(qp);
	return ret;
}
