/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue pairs: memory and trackers, reaping completions, polling and waiting, failure handling.
 * The I/O queue life cycle (allocation, Create/Delete I/O SQ/CQ) is in ioq.c, the submission
 * paths of I/O commands in io.c and <nvfio/nvme_io.h>.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvme/queue.h"
#include "support/error.h"
#include "support/time.h"

static size_t page_align(size_t n)
{
	return ALIGN_UP(n, (size_t)NVF_PAGE_SIZE);
}

int nvf_queue_init(struct nvf_dev *dev, struct nvfio_ctrl *ctrl, uint16_t qid, unsigned int depth,
		   unsigned int nlarge, struct nvfio_qpair **out)
{
	unsigned int entries = depth + 1, nsmall = 0, ntrk, i;
	unsigned int max_entries = (unsigned int)NVME_CAP_MQES(dev->cap) + 1;
	/* An I/O queue's CQ holds what is in flight and as much again reaped but not yet told
	 * to the controller (the slack, below), and one entry more, so that the controller never
	 * sees it full: a full CQ makes a device hold completions back, and QEMU's re-arm its
	 * queues' timers on the head doorbell that ends it (at QD 1, with a CQ of 3, every other
	 * completion; its main loop then holds the lock the next SQ doorbell write waits for). */
	unsigned int cq_entries = qid && 2 * depth + 2 <= max_entries ? 2 * depth + 2
				  : qid				      ? max_entries
								      : entries;
	size_t sq_bytes = page_align((size_t)entries * sizeof(struct nvfio_cmd));
	size_t cq_bytes = page_align((size_t)cq_entries * sizeof(struct nvfio_cqe));
	struct nvfio_qpair *qp;
	uint16_t *stack;
	uint64_t iova;
	size_t len;
	int ret;

	if (qid)
		nsmall = depth < NVF_LIST_SMALL_MAX ? depth : NVF_LIST_SMALL_MAX;
	if (nlarge > NVF_LIST_LARGE_MAX)
		nlarge = NVF_LIST_LARGE_MAX;
	len = page_align(sq_bytes + cq_bytes + nvf_pool_dma_bytes(nsmall, nlarge));

	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return nvf_err(-ENOMEM, "out of memory for a queue pair");
	/* A power of two of trackers, so that a completion's command id is masked rather than
	 * compared; those past the depth stay unused. */
	ntrk = 1;
	while (ntrk < depth)
		ntrk <<= 1;
	qp->io.trk = calloc(ntrk, sizeof(*qp->io.trk));
	stack = calloc(1, nvf_pool_stack_bytes(nsmall, nlarge));
	qp->pool.stack = stack;
	if (!qp->io.trk || !stack) {
		ret = nvf_err(-ENOMEM, "out of memory for %u command trackers", depth);
		goto err_free;
	}
	ret = nvfio_dma_alloc(dev->dma, len, dev->dma_flags, &qp->dmamem);
	if (ret < 0) {
		nvf_err_prefix("allocating %zu bytes of DMA memory for queue %u", len, qid);
		goto err_free;
	}
	ret = nvfio_dma_iova(dev->dma, qp->dmamem, len, &iova);
	if (ret < 0) {
		nvf_err_prefix("queue %u memory", qid);
		goto err_dma;
	}

	qp->dev = dev;
	qp->ctrl = ctrl;
	qp->qid = qid;
	qp->depth = (uint16_t)depth;
	qp->sq_entries = entries;
	qp->cq_entries = cq_entries;
	/* Unacknowledged entries the controller may see: the slack, and depth completed but not
	 * reaped; at most cq_entries - 2 of them keeps the CQ from ever looking full (an entry
	 * is always free). A queue at the controller's largest size gives up what it must. */
	qp->cq_slack = (uint16_t)(cq_entries >= depth + 2 ? cq_entries - 2 - depth : 0);
	qp->io.sq = qp->dmamem;
	qp->io.sq_next = qp->io.sq_rung = qp->io.sq;
	qp->io.sq_end = qp->io.sq + entries;
	qp->sq_iova = iova;
	qp->cq = (volatile struct nvfio_cqe *)((uint8_t *)qp->dmamem + sq_bytes);
	qp->cq_iova = iova + sq_bytes;
	qp->cq_end = qp->cq + cq_entries;
	qp->cq_cur = qp->cq;
	qp->cq_phase = NVF_CQE_PHASE;
	nvf_pool_init(&qp->pool, (uint8_t *)qp->dmamem + sq_bytes + cq_bytes,
		      iova + sq_bytes + cq_bytes, stack, nsmall, nlarge);

	for (i = 0; i < ntrk; i++) {
		qp->io.trk[i].tag = NVFIO_IO_TAG_FREE | (i + 1 < depth ? i + 1 : NVFIO_IO_TRK_NONE);
		qp->io.trk[i].cid = (uint16_t)i;
	}
	qp->trk_mask = ntrk - 1;
	qp->io.free = 0;

	qp->sq_db = (volatile uint32_t *)(dev->bar0 + nvf_dev_db_offset(dev, qid, false));
	qp->cq_db = (volatile uint32_t *)(dev->bar0 + nvf_dev_db_offset(dev, qid, true));
	qp->dma = dev->dma;
	nvf_dma_cache_init(qp->dma, &qp->dcache);
	ret = nvf_dma_watch(qp->dma, &qp->io.tc_hi);
	if (ret < 0)
		goto err_dma;
	nvf_queue_tc_sync(qp);
	qp->efd = -1;
	qp->dma_bytes = len;
	qp->magic = NVF_MAGIC_LIVE;
	qp->age = calloc(depth, sizeof(*qp->age));
	if (!qp->age) {
		ret = nvf_err(-ENOMEM, "out of memory for %u command deadlines", depth);
		goto err_unwatch;
	}
	qp->heap_bytes = sizeof(*qp) + (size_t)ntrk * sizeof(*qp->io.trk) +
			 (size_t)depth * sizeof(*qp->age) + nvf_pool_stack_bytes(nsmall, nlarge);
	*out = qp;
	return 0;

err_unwatch:
	nvf_dma_unwatch(dev->dma, &qp->io.tc_hi);
err_dma:
	nvfio_dma_free(dev->dma, qp->dmamem);
err_free:
	free(stack);
	free(qp->io.trk);
	free(qp);
	return ret;
}

int nvf_queue_usable(struct nvfio_qpair *qp, const char *what)
{
	if (!qp)
		return nvf_err(-EINVAL, "%s: the queue pair is NULL", what);
	/* The admin queue is the library's own, used by any thread under its lock. */
	if (!NVF_CHECKED || qp->qid == 0)
		return 0;
	if (qp->magic != NVF_MAGIC_LIVE)
		return nvf_err(-EBADF,
			       "%s: queue pair %p used after nvfio_qpair_free() or its controller's "
			       "close",
			       what, (void *)qp);
	if (!qp->owned) {
		qp->owner = pthread_self();
		qp->owned = true;
	} else if (!pthread_equal(qp->owner, pthread_self())) {
		return nvf_err(-EPERM,
			       "%s: queue %u used by a second thread: a queue pair belongs to the "
			       "thread that first used it (allocate one per thread)",
			       what, qp->qid);
	}
	return 0;
}

/* Free what the pair holds but the object itself. */
static void queue_free_parts(struct nvfio_qpair *qp)
{
	nvf_dma_unwatch(qp->dev->dma, &qp->io.tc_hi);
	nvfio_dma_free(qp->dev->dma, qp->dmamem);
	free(qp->pool.stack);
	free(qp->age);
	free(qp->kept);
	free(qp->io.trk);
}

void nvf_queue_bury(struct nvfio_qpair *qp)
{
	if (!NVF_CHECKED) {
		nvf_queue_destroy(qp);
		return;
	}
	queue_free_parts(qp);
	qp->dmamem = NULL;
	qp->pool.stack = NULL;
	qp->age = NULL;
	qp->kept = NULL;
	qp->io.trk = NULL;
	qp->io.free = NVFIO_IO_TRK_NONE;
	qp->io.state = -EBADF;
	qp->io.tc_hi = 0;
	qp->magic = NVF_MAGIC_DEAD;
}

void nvf_queue_destroy(struct nvfio_qpair *qp)
{
	if (!qp)
		return;
	queue_free_parts(qp);
	free(qp);
}

/* Split requests outstanding (their trackers are not commands). */
static unsigned int queue_parents(const struct nvfio_qpair *qp)
{
	unsigned int i, n = 0;

	for (i = 0; i < qp->depth; i++)
		n += qp->io.trk[i].tag == NVFIO_IO_TAG_PARENT;
	return n;
}

unsigned int nvf_queue_nfree(const struct nvfio_qpair *qp)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = qp->io.free; i != NVFIO_IO_TRK_NONE && n <= qp->depth;
	     i = (uint16_t)qp->io.trk[i].tag)
		n++;
	return n;
}

/* Whether @cqe is new: its phase tag is the one expected on this pass of the ring. */
static inline bool cqe_pending(const volatile struct nvfio_cqe *cqe, uint32_t phase)
{
	return !((nvf_dma_read32(&((const volatile uint32_t *)cqe)[3]) ^ phase) & NVF_CQE_PHASE);
}

/* Complete plain command @cid of tracker @t: release the tracker (with its next generation:
 * the identifier one tracker count on), then run its callback. */
static inline void reap_one(struct nvfio_qpair *qp, struct nvfio_io_trk *t, unsigned int idx,
			    unsigned int cid, unsigned int mask, const volatile struct nvfio_cqe *cqe)
{
	t->tag = NVFIO_IO_TAG_FREE | qp->io.free;
	t->cid = (uint16_t)(cid + mask + 1);
	qp->io.free = (uint16_t)idx;
	t->cb(t->arg, 0, (const struct nvfio_cqe *)cqe);
}

/*
 * A new completion the fast compare did not take (@v: its dword 3 less the phase tag): a plain
 * command that failed (a status in the dword), one holding a PRP/SGL list (released here), or
 * none at all (a completion the controller sent twice, or for an id it made up, or one that came
 * after its command was completed another way), which is counted and ignored so that no command
 * completes twice.
 */
static __attribute__((noinline)) void reap_odd(struct nvfio_qpair *qp,
					       const volatile struct nvfio_cqe *cqe, uint32_t v)
{
	uint16_t cid = (uint16_t)v, idx = cid & qp->trk_mask;
	struct nvfio_io_trk *t = &qp->io.trk[idx];

	if (t->tag == cid) {
		reap_one(qp, t, idx, cid, qp->trk_mask, cqe);
		return;
	}
	if (t->tag != (NVFIO_IO_TAG_LIST | cid)) {
		qp->stray++;
		return;
	}
	nvf_queue_trk_complete(qp, idx, 0, (const struct nvfio_cqe *)cqe);
}

/*
 * Commands past their deadline: a command seen by two scans is as old as the time between them
 * at least, so the deadline is met within NVF_SCAN_MS; each past it goes to on_timeout, which may
 * reset the controller (the scan then stops: the pair is to be revived).
 */
static void queue_scan(struct nvfio_qpair *qp, uint64_t now)
{
	uint32_t t32 = (uint32_t)now, limit;
	unsigned int i;

	/* Not for a pair being freed or failed (its commands are completed another way). */
	if (!qp->on_timeout || now - qp->scan_ms < NVF_SCAN_MS ||
	    __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED))
		return;
	qp->scan_ms = now;
	for (i = 0; i < qp->depth; i++) {
		const struct nvfio_io_trk *t = &qp->io.trk[i];
		struct nvf_age *a = &qp->age[i];

		if (!nvf_queue_trk_busy(t)) {
			a->armed = 0;
			continue;
		}
		if (!a->armed || a->cid != t->cid) {
			a->cid = t->cid;
			a->stage = 0;
			a->armed = 1;
			a->since = t32;
			a->limit = 0;
			continue;
		}
		limit = a->stage ? qp->abort_timeout_ms : a->limit ? a->limit : qp->timeout_ms;
		if (t32 - a->since < limit)
			continue;
		qp->on_timeout(qp, (uint16_t)i, now);
		if (__atomic_load_n(&qp->io.state, __ATOMIC_RELAXED))
			return;
	}
}

/* The scan's way from polls that reap: a look at the clock every NVF_SCAN_REAPS completion
 * doorbells. */
static __attribute__((noinline, cold)) void reap_scan(struct nvfio_qpair *qp)
{
	qp->reaps = 0;
	queue_scan(qp, nvf_now_ms());
}

/*
 * The body of a poll that found a completion: complete what the ring holds, looking at @max
 * entries at most and never at more than the ring's size (so that a device that keeps writing
 * entries cannot hold the caller), then tell the controller the new head once (when the slack is
 * used up) and ring the SQ doorbell for what the callbacks submitted. Returns the commands
 * completed: the entries reaped less those ignored.
 */
static __attribute__((noinline)) int reap(struct nvfio_qpair *qp, unsigned int max)
{
	const volatile struct nvfio_cqe *cqe = qp->cq_cur, *lim;
	struct nvfio_io_trk *trk = qp->io.trk;
	uint32_t phase = qp->cq_phase, mask = qp->trk_mask, v, idx;
	uint64_t stray = qp->stray;
	unsigned long left = max < qp->cq_entries ? max : qp->cq_entries, run;
	long reaped, n;

	qp->io.plugged++;
	while (left) {
		/* Up to the ring's end or @max: the inner loop checks neither the wrap nor a count. */
		run = (unsigned long)(qp->cq_end - cqe);
		if (run > left)
			run = left;
		left -= run;
		lim = cqe + run;
		do {
			/* The command identifier, the phase tag above it and the status above that
			 * share one dword, and the xor clears the phase tag of a new entry: below
			 * 2^16, the entry is new and its command succeeded; then one compare with
			 * the tracker's tag says that it is a plain command of this very identifier
			 * (index and generation). Anything else is new or not, then odd. */
			v = nvf_dma_read32(&((const volatile uint32_t *)cqe)[3]) ^ phase;
			if (likely(v <= 0xffffu)) {
				/* The phase tag before the rest of the entry. */
				nvf_rmb();
				idx = v & mask;
				if (likely(trk[idx].tag == v))
					reap_one(qp, &trk[idx], idx, v, mask, cqe);
				else
					reap_odd(qp, cqe, v);
				continue;
			}
			if (v & NVF_CQE_PHASE)
				goto done;
			nvf_rmb();
			reap_odd(qp, cqe, v);
		} while (++cqe != lim);
		if (cqe == qp->cq_end) {
			cqe = qp->cq;
			phase ^= NVF_CQE_PHASE;
		}
	}
done:
	/* Entries reaped, ignored ones included: at least one, at most the whole ring. */
	reaped = cqe - qp->cq_cur;
	if (reaped <= 0)
		reaped += (long)qp->cq_entries;
	n = reaped - (long)(qp->stray - stray);
	qp->cq_cur = cqe;
	qp->cq_phase = phase;
	qp->completed += (uint64_t)n;
	qp->cq_unacked = (uint16_t)(qp->cq_unacked + reaped);
	if (qp->cq_unacked > qp->cq_slack) {
		nvf_queue_ring_cq(qp);
		/* A queue that never runs dry still has its deadlines looked at: counted here,
		 * once per slack's worth of completions, to cost nothing per command. */
		if (unlikely(++qp->reaps >= NVF_SCAN_REAPS))
			reap_scan(qp);
	}
	if (--qp->io.plugged == 0 && qp->io.sq_next != qp->io.sq_rung)
		nvf_queue_ring_sq(qp);
	return (int)n;
}

/* Empty polls between looks at the clock, and milliseconds between reads of the controller's
 * status by a poll (as nvfio_qpair_wait() reads it). */
#define NVF_POLL_CLOCK_EVERY 1024
#define NVF_POLL_CHECK_MS    10

/*
 * Polls and waits both look here, so that a thread that only polls learns of a failure too
 * instead of spinning for ever on commands that will not complete: the device's status is read
 * every NVF_POLL_CHECK_MS, or at once when another thread saw it fail; on failure the pair's
 * outstanding commands are completed with it.
 */
void nvf_queue_reset_rings(struct nvfio_qpair *qp)
{
	qp->io.sq_next = qp->io.sq_rung = qp->io.sq;
	memset((void *)qp->cq, 0, (size_t)qp->cq_entries * sizeof(*qp->cq));
	qp->cq_cur = qp->cq;
	qp->cq_phase = NVF_CQE_PHASE;
	qp->cq_acked = 0;
	qp->cq_unacked = 0;
}

int nvf_queue_revive(struct nvfio_qpair *qp)
{
	int ret;

	if (__atomic_load_n(&qp->io.state, __ATOMIC_ACQUIRE) != NVF_QUEUE_REVIVE)
		return 0;
	if (!qp->revive || qp->reviving)
		return nvf_err(-EAGAIN, "queue %u: the controller is being reset: poll and retry",
			       qp->qid);
	qp->reviving = true;
	ret = qp->revive(qp);
	qp->reviving = false;
	return ret;
}

int nvf_queue_check(struct nvfio_qpair *qp, uint64_t now)
{
	int ret;

	/* Polls that found nothing for a while, and every round of a wait: a device model that
	 * went to sleep looks at the doorbells the fast path rang without telling it. */
	nvf_dev_wake(qp->dev);

	if (unlikely(__atomic_load_n(&qp->io.state, __ATOMIC_RELAXED) == NVF_QUEUE_REVIVE)) {
		ret = nvf_queue_revive(qp);
		return ret == -EAGAIN ? 0 : ret;
	}

	if (!nvf_dev_failed(qp->dev)) {
		if (now - qp->check_ms < NVF_POLL_CHECK_MS)
			return 0;
		qp->check_ms = now;
	}
	ret = nvf_dev_check(qp->dev);
	if (ret < 0) {
		nvf_queue_fail_all(qp, ret);
		return ret;
	}
	queue_scan(qp, now);
	return 0;
}

/* An empty poll's way there: every NVF_POLL_CLOCK_EVERY of them, and every one of a pair marked
 * failed (by whichever thread saw the controller fail, or -ECANCELED while the pair is being
 * freed). Off the path of any completion. */
static __attribute__((noinline, cold)) int poll_check(struct nvfio_qpair *qp)
{
	if (__atomic_load_n(&qp->io.state, __ATOMIC_RELAXED) == NVF_QUEUE_REVIVE)
		return nvf_queue_check(qp, 0);
	if (nvf_dev_failed(qp->dev))
		return nvf_queue_check(qp, 0);
	if (qp->empty_polls < NVF_POLL_CLOCK_EVERY)
		return 0;
	qp->empty_polls = 0;
	return nvf_queue_check(qp, nvf_now_ms());
}

int nvfio_qpair_poll(struct nvfio_qpair *qp, unsigned int max)
{
	if (NVF_CHECKED) {
		int ret = nvf_queue_usable(qp, "nvfio_qpair_poll");

		if (ret)
			return ret;
		if (qp->qid && nvf_queue_in_callback(qp))
			return nvf_err(-EBUSY, "queue %u polled from one of its completion callbacks",
				       qp->qid);
	}
	qp->polls++;
	if (unlikely(qp->io.sq_next != qp->io.sq_rung) && !qp->io.plugged)
		nvf_queue_ring_sq(qp);
	/* Nothing new: leave without touching anything else (an idle poll loop spins here). */
	if (!cqe_pending(qp->cq_cur, qp->cq_phase)) {
		if (unlikely(++qp->empty_polls >= NVF_POLL_CLOCK_EVERY ||
			     __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED)))
			return poll_check(qp);
		return 0;
	}
	return reap(qp, max ? max : UINT_MAX);
}

/* Whether tracker @i's command is kept and may be submitted again. */
static bool requeue_ok(const struct nvfio_qpair *qp, unsigned int i)
{
	return qp->kept && qp->kept[i].left && qp->kept[i].cmd.cid == qp->io.trk[i].cid;
}

/* Complete the outstanding commands with @err, as if the controller had; those that can be
 * submitted again are left when @keep. */
static void fail_busy(struct nvfio_qpair *qp, int err, bool keep)
{
	struct nvfio_cqe cqe = {
	    .sqid = qp->qid,
	    .status = NVFIO_STATUS_HOST_ABORTED << 1,
	};
	unsigned int i;

	qp->io.plugged++;
	for (i = 0; i < qp->depth; i++) {
		if (!nvf_queue_trk_busy(&qp->io.trk[i]) || (keep && requeue_ok(qp, i)))
			continue;
		cqe.cid = qp->io.trk[i].cid;
		qp->completed++;
		nvf_queue_trk_complete(qp, (uint16_t)i, err, &cqe);
	}
	qp->io.plugged--;
}

void nvf_queue_fail_all(struct nvfio_qpair *qp, int err)
{
	fail_busy(qp, err, false);
}

void nvf_queue_fail_unkept(struct nvfio_qpair *qp, int err)
{
	fail_busy(qp, err, true);
}

unsigned int nvf_queue_requeue(struct nvfio_qpair *qp)
{
	unsigned int i, n = 0;

	for (i = 0; i < qp->depth; i++) {
		qp->age[i].armed = 0;
		if (!nvf_queue_trk_busy(&qp->io.trk[i]) || !requeue_ok(qp, i))
			continue;
		qp->kept[i].left--;
		*qp->io.sq_next = qp->kept[i].cmd;
		if (++qp->io.sq_next == qp->io.sq_end)
			qp->io.sq_next = qp->io.sq;
		n++;
	}
	return n;
}

static void noop_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
}

void nvf_queue_forget(struct nvfio_qpair *qp, const void *arg)
{
	unsigned int i;

	for (i = 0; i < qp->depth; i++) {
		struct nvfio_io_trk *t = &qp->io.trk[i];

		if ((nvf_queue_trk_busy(t) || t->tag == NVFIO_IO_TAG_PARENT) &&
		    t->arg == arg) {
			t->cb = noop_cb;
			t->arg = NULL;
		}
	}
}

int nvf_queue_submit(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, uint16_t list, nvfio_cb cb,
		     void *arg)
{
	uint16_t idx = qp->io.free;
	struct nvfio_io_trk *t;

	if (idx == NVFIO_IO_TRK_NONE) {
		qp->eagain++;
		return -EAGAIN;
	}
	t = &qp->io.trk[idx];
	qp->io.free = (uint16_t)t->tag;
	t->tag = list ? NVFIO_IO_TAG_LIST | t->cid : t->cid;
	t->cb = cb;
	t->arg = arg;
	t->list = list;
	cmd->cid = t->cid;
	nvf_queue_keep(qp, idx, cmd);
	*qp->io.sq_next = *cmd;
	if (++qp->io.sq_next == qp->io.sq_end)
		qp->io.sq_next = qp->io.sq;
	if (!qp->io.plugged)
		nvf_queue_ring_sq(qp);
	return 0;
}

/* ---- Public functions ---- */

int nvfio_qpair_wait(struct nvfio_qpair *qp, unsigned int max, int timeout_ms)
{
	uint64_t start = nvf_now_ms(), now;
	unsigned int backoff = 0;
	int n, ret = nvf_queue_usable(qp, "nvfio_qpair_wait");

	if (ret)
		return ret;
	if (nvf_queue_in_callback(qp))
		return nvf_err(-EBUSY, "queue %u waited on from one of its completion callbacks: "
				       "wait after the poll returns",
			       qp->qid);

	/* Whatever the plugging, a waiter's commands must reach the controller. */
	nvfio_qpair_kick(qp);
	for (;;) {
		n = nvfio_qpair_poll(qp, max);
		if (n)
			return n;
		now = nvf_now_ms();
		ret = nvf_queue_check(qp, now);
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
			nvf_backoff(&backoff);
		}
	}
}

void nvfio_qpair_kick(struct nvfio_qpair *qp)
{
	if (qp->io.sq_next != qp->io.sq_rung)
		nvf_queue_ring_sq(qp);
}

void nvfio_qpair_plug(struct nvfio_qpair *qp)
{
	qp->io.plugged++;
	qp->app_plugs++;
}

void nvfio_qpair_unplug(struct nvfio_qpair *qp)
{
	/* Only the application's own plugs: never one a running poll holds. */
	if (!qp->app_plugs)
		return;
	qp->app_plugs--;
	if (--qp->io.plugged == 0 && qp->io.sq_next != qp->io.sq_rung)
		nvf_queue_ring_sq(qp);
}

/* The tracker of outstanding command @cid, or -1. */
static int busy_trk(const struct nvfio_qpair *qp, uint16_t cid)
{
	const struct nvfio_io_trk *t = &qp->io.trk[cid & qp->trk_mask];

	if ((cid & qp->trk_mask) >= qp->depth || !nvf_queue_trk_busy(t) || t->cid != cid)
		return -1;
	return (int)(cid & qp->trk_mask);
}

int nvfio_qpair_last_cid(const struct nvfio_qpair *qp)
{
	const struct nvfio_cmd *last;
	int ret = nvf_queue_usable((struct nvfio_qpair *)qp, "nvfio_qpair_last_cid");

	if (ret)
		return ret;
	last = (qp->io.sq_next == qp->io.sq ? qp->io.sq_end : qp->io.sq_next) - 1;
	if (busy_trk(qp, last->cid) < 0)
		return nvf_err(-ENOENT, "queue %u: its latest command is no longer outstanding",
			       qp->qid);
	return last->cid;
}

int nvfio_qpair_set_cmd_timeout(struct nvfio_qpair *qp, uint16_t cid, unsigned int timeout_ms)
{
	int idx = nvf_queue_usable(qp, "nvfio_qpair_set_cmd_timeout");
	struct nvf_age *a;

	if (idx)
		return idx;
	idx = busy_trk(qp, cid);
	if (idx < 0)
		return nvf_err(-ENOENT, "queue %u: no command %u is outstanding", qp->qid, cid);
	a = &qp->age[idx];
	a->cid = cid;
	a->stage = 0;
	a->armed = 1;
	a->since = (uint32_t)nvf_now_ms();
	a->limit = timeout_ms;
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
	return qp->depth - nvf_queue_nfree(qp);
}

int nvfio_qpair_fd(const struct nvfio_qpair *qp)
{
	return qp->efd;
}

void nvfio_qpair_get_stats(const struct nvfio_qpair *qp, struct nvfio_qpair_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->submitted = qp->completed + (qp->depth - nvf_queue_nfree(qp)) - queue_parents(qp);
	stats->completed = qp->completed;
	stats->stray = qp->stray;
	stats->polls = qp->polls;
	stats->sq_doorbells = qp->sq_doorbells;
	stats->cq_doorbells = qp->cq_doorbells;
	stats->eagain = qp->eagain;
	stats->timeouts = qp->timeouts;
	stats->aborts = qp->aborts;
	stats->dma_bytes = qp->dma_bytes;
	stats->mem_bytes = qp->dma_bytes + qp->heap_bytes;
}
