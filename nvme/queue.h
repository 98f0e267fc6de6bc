/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_QUEUE_H
#define NVFIO_NVME_QUEUE_H

/*
 * A submission/completion queue pair and its command trackers: the transport-independent queue
 * mechanics shared by the admin queue and the I/O queues. It knows the device (nvme/dev.h) and
 * nothing of the controller above it: struct nvfio_ctrl is only carried for the layers above.
 *
 * Trackers: one per command the pair can hold outstanding (a power of two of them), found from a
 * command identifier's low bits; the bits above are the tracker's generation, advanced each time
 * it is released, so that a completion for an earlier command of the tracker is told apart. Free
 * trackers form a LIFO list through their tag; an outstanding command without a PRP/SGL list has
 * its own command identifier as its tag, so the completion path checks index, generation and
 * state with one compare; one holding a list has NVFIO_IO_TAG_LIST | cid, the parent of a split
 * request NVFIO_IO_TAG_PARENT, so that a failure can find and complete every outstanding command
 * exactly once. The
 * submission ring has one entry more than there are trackers, so it can never overflow and the
 * controller's SQ head need not be followed.
 *
 * An I/O completion queue has up to twice the entries of its submission queue: the controller
 * needs room for every outstanding command's completion, so with the extra entries the head
 * doorbell is rung only when the reaped but unacknowledged entries exceed the slack, not on every
 * poll.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <nvfio/nvme_io.h>

#include "dma/dma.h"
#include "nvme/dev.h"
#include "nvme/pool.h"
#include "nvme/spec.h"
#include "support/barrier.h"
#include "support/compiler.h"

/* A build with NVFIO_CHECKED checks every use of a queue pair and controller: the owner thread,
 * use after free or close (their memory is then kept, marked dead), a poll from a callback; and
 * sends every submission through the library's checks (the translation cache stays empty). */
#ifdef NVFIO_CHECKED
#define NVF_CHECKED 1
#else
#define NVF_CHECKED 0
#endif
#define NVF_MAGIC_LIVE 0x6c69766eu /* "nvil" */
#define NVF_MAGIC_DEAD 0x64616564u /* "dead" */

/* The deepest queue pair: command identifiers and tracker links are 16-bit, less the markers. */
#define NVF_QUEUE_MAX_DEPTH 0xfff0u

/* A command's deadline bookkeeping (queue pair's age[], one per tracker). */
struct nvf_age {
	uint16_t cid;	/* the command the last scan saw in the tracker */
	uint8_t stage;	/* 0: running; 1: Abort sent and accepted, its completion awaited */
	uint8_t armed;	/* cid and since are valid */
	uint32_t since; /* ms (truncated) of the scan that first saw it, or of the last stage */
	uint32_t limit; /* its own deadline from since (nvfio_qpair_set_cmd_timeout()); 0: the
			   pair's */
};

/* A command kept to be submitted again after a reset (nvfio_ctrl_opts.reset_retries): the
 * queue pair's kept[], one per tracker. */
struct nvf_kept {
	struct nvfio_cmd cmd;
	uint32_t left; /* submissions again it may still have */
};

/* Between scans of the trackers for commands past their deadline, and completion doorbells
 * between two looks at the clock by polls that reap. */
#define NVF_SCAN_MS    10
#define NVF_SCAN_REAPS 64

/* The state of a pair whose controller was reset (io.state, above the errors' range): its owner
 * re-creates its queues at its next poll or submission (the revive hook). */
#define NVF_QUEUE_REVIVE 1

/* The phase tag of a CQE, in its dword 3 (bit 0 of the status field). */
#define NVF_CQE_PHASE (1u << 16)

_Static_assert(sizeof(struct nvfio_io_trk) == 32, "tracker size is part of the memory budget");

struct nvfio_qpair {
	/* Submission side, touched by every command; the inline fast path's part first. */
	struct nvfio_qpair_io io;
	volatile uint32_t *sq_db;
	uint32_t *sq_sdb;      /* shadow doorbell, NULL when not in use */
	const uint32_t *sq_ei; /* its event index */
	struct nvfio_dma *dma;
	struct nvf_dma_cache dcache;
	uint16_t app_plugs; /* of io.plugged, the application's (nvfio_qpair_plug()); more means
			       a completion callback of the pair is running */
	uint64_t eagain;
	uint64_t polls;
	uint32_t empty_polls; /* since the clock was last looked at (poll_check()) */
	uint64_t check_ms;    /* when the controller's status was last read by a poll */

	uint32_t sq_entries; /* up to 65536, as CAP.MQES allows */

	/* Completion side. */
	const volatile struct nvfio_cqe *cq_cur; /* next entry to look at */
	uint32_t cq_phase;   /* its expected phase tag, in place (NVF_CQE_PHASE) */
	uint32_t cq_entries; /* up to 65536: CAP.MQES 0xffff with a depth above 32767 */
	uint16_t depth;
	uint32_t trk_mask;   /* trackers are a power of two, those past depth never busy */
	uint16_t cq_acked;   /* head the controller was last told */
	uint16_t cq_unacked; /* entries reaped since */
	uint16_t cq_slack;   /* reaped entries that may stay unacknowledged */
	volatile struct nvfio_cqe *cq;
	volatile struct nvfio_cqe *cq_end; /* one past the last entry */
	volatile uint32_t *cq_db;
	uint32_t *cq_sdb;
	const uint32_t *cq_ei;
	uint64_t completed;
	uint64_t stray; /* completions for no outstanding command, ignored */

	/* After a controller reset: re-create the pair on the controller (set by the layer that
	 * creates queues; NULL for the admin queue), and whether that is under way. */
	int (*revive)(struct nvfio_qpair *qp);
	bool reviving;

	/* Deadlines, checked by a scan of the trackers every NVF_SCAN_MS (no clock read per
	 * command): what each tracker's command was at the scans that saw it, and since when.
	 * on_timeout (set by the layer that creates queues) escalates a command past its
	 * deadline; NULL (the admin queue) means the executor's own deadlines apply. */
	struct nvf_age *age;
	unsigned int timeout_ms;       /* a command's deadline */
	unsigned int abort_timeout_ms; /* an aborted command's, from the Abort on */
	uint64_t scan_ms;
	uint32_t reaps; /* completion doorbells since reap last looked at the clock */
	void (*on_timeout)(struct nvfio_qpair *qp, uint16_t idx, uint64_t now);
	nvfio_timeout_cb timeout_cb;
	void *timeout_arg;
	uint64_t timeouts, aborts;
	uint64_t sq_doorbells;
	uint64_t cq_doorbells;

	struct nvf_pool pool;

	/* Commands kept for resets, NULL when they are not; with them, every command takes the
	 * library's paths (the translation cache stays empty), which copy it here. */
	struct nvf_kept *kept;
	unsigned int retries;

	/* Checked builds: NVF_MAGIC_LIVE until freed, and the thread that first used it. */
	uint32_t magic;
	bool owned;
	pthread_t owner;

	/* Set-up state. */
	struct nvf_dev *dev;
	struct nvfio_ctrl *ctrl; /* the owner, for the layers above */
	uint16_t qid;
	bool irq;
	unsigned int vector;
	int efd;
	void *dmamem;
	uint64_t sq_iova, cq_iova;
	size_t dma_bytes, heap_bytes;
	struct nvfio_qpair *next_qp; /* controller's list of I/O queue pairs */
};

/*
 * Make the fast path's view of the translation cache follow the cache. The owner thread does
 * this while another may be marking the pair failed (nvf_queue_poison()) or removing a mapping
 * (which empties the bound: nvf_dma_watch()): with both sides sequentially consistent, either
 * this sees the failure or the new generation, or the other's store lands after it.
 */
static inline void nvf_queue_tc_sync(struct nvfio_qpair *qp)
{
	qp->io.tc_lo = qp->dcache.vaddr;
	qp->io.tc_delta = qp->dcache.iova - (uint64_t)qp->dcache.vaddr;
	__atomic_store_n(&qp->io.tc_hi, qp->dcache.vaddr + qp->dcache.len, __ATOMIC_SEQ_CST);
	/* A mapping removed since the cache was filled: the removal may have emptied the bound
	 * before the store above (nvf_dma_watch()). */
	if (__atomic_load_n(&qp->io.state, __ATOMIC_SEQ_CST) || qp->kept || NVF_CHECKED ||
	    __atomic_load_n(qp->dcache.space_gen, __ATOMIC_SEQ_CST) != qp->dcache.gen)
		__atomic_store_n(&qp->io.tc_hi, 0, __ATOMIC_SEQ_CST);
}

/* Mark the pair failed, from any thread: the fast path then sends everything to the slow path,
 * which reports @err. */
static inline void nvf_queue_poison(struct nvfio_qpair *qp, int err)
{
	__atomic_store_n(&qp->io.state, err, __ATOMIC_SEQ_CST);
	__atomic_store_n(&qp->io.tc_hi, 0, __ATOMIC_SEQ_CST);
}

/* Whether a doorbell move from @old to @new passed the controller's event index @ei (the
 * shadow doorbell rule of the Doorbell Buffer Config command). */
static inline bool nvf_queue_need_event(uint16_t ei, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - ei - 1) < (uint16_t)(new_idx - old);
}

/* Tell the controller about the new SQ tail: the shadow doorbell, and the register only when
 * the event index asks for it. */
static inline void nvf_queue_ring_sq(struct nvfio_qpair *qp)
{
	uint16_t tail = (uint16_t)(qp->io.sq_next - qp->io.sq);
	uint16_t last = (uint16_t)(qp->io.sq_rung - qp->io.sq);

	qp->io.sq_rung = qp->io.sq_next;
	if (qp->sq_sdb) {
		/* The SQEs before the shadow tail that publishes them. */
		nvf_wmb();
		nvf_store_release32(qp->sq_sdb, tail);
		/* The shadow store before the event index load: the controller may update the
		 * index after reading an older shadow value. */
		nvf_mb();
		if (!nvf_queue_need_event((uint16_t)nvf_load_acquire32(qp->sq_ei), tail, last))
			return;
	}
	/* The SQEs before the doorbell write that publishes them. */
	nvf_wmb();
	nvf_mmio_write32(qp->sq_db, tail);
	qp->sq_doorbells++;
}

static inline void nvf_queue_ring_cq(struct nvfio_qpair *qp)
{
	uint16_t head = (uint16_t)(qp->cq_cur - qp->cq), old = qp->cq_acked;

	qp->cq_acked = head;
	qp->cq_unacked = 0;
	/* Our reads of the reaped CQEs before the head that lets the controller reuse them: a
	 * load barrier (a store barrier, dmb oshst on arm64, would not order loads). */
	nvf_rmb();
	if (qp->cq_sdb) {
		nvf_store_release32(qp->cq_sdb, head);
		/* The shadow store before the event index load. */
		nvf_mb();
		if (!nvf_queue_need_event((uint16_t)nvf_load_acquire32(qp->cq_ei), head, old))
			return;
	}
	nvf_mmio_write32(qp->cq_db, head);
	qp->cq_doorbells++;
}

/* Whether one of the pair's completion callbacks is running (the library holds it plugged). */
static inline bool nvf_queue_in_callback(const struct nvfio_qpair *qp)
{
	return qp->io.plugged > qp->app_plugs;
}

/* Whether the completion ring holds an entry not reaped yet. */
static inline bool nvf_queue_pending(const struct nvfio_qpair *qp)
{
	return !((nvf_dma_read32(&((const volatile uint32_t *)qp->cq_cur)[3]) ^ qp->cq_phase) &
		 NVF_CQE_PHASE);
}

/* Whether tracker @t holds an outstanding command (not a free tracker, not a parent). */
static inline bool nvf_queue_trk_busy(const struct nvfio_io_trk *t)
{
	return t->tag < NVFIO_IO_TAG_FREE || (t->tag & NVFIO_IO_TAG_LIST);
}

/* Put tracker @idx back on the free list with its next generation. */
static inline void nvf_queue_trk_release(struct nvfio_qpair *qp, struct nvfio_io_trk *t,
					 uint16_t idx)
{
	t->tag = NVFIO_IO_TAG_FREE | qp->io.free;
	t->cid = (uint16_t)(t->cid + qp->trk_mask + 1);
	qp->io.free = idx;
}

/* Complete the command of tracker @idx: release its list slot and the tracker, then run its
 * callback. */
static inline void nvf_queue_trk_complete(struct nvfio_qpair *qp, uint16_t idx, int err,
					  const struct nvfio_cqe *cqe)
{
	struct nvfio_io_trk *t = &qp->io.trk[idx];
	nvfio_cb cb = t->cb;
	void *arg = t->arg;

	if (unlikely(t->list)) {
		nvf_pool_put(&qp->pool, t->list);
		t->list = 0;
	}
	nvf_queue_trk_release(qp, t, idx);
	cb(arg, err, cqe);
}

/* Note command @cmd of tracker @idx for resets, when the pair keeps commands. */
static inline void nvf_queue_keep(struct nvfio_qpair *qp, uint16_t idx, const struct nvfio_cmd *cmd)
{
	if (qp->kept) {
		qp->kept[idx].cmd = *cmd;
		qp->kept[idx].left = qp->retries;
	}
}

/*
 * nvf_queue_reset_rings() - empty the rings for a controller that forgot them (after a reset):
 * tail and head back to entry 0, the completion ring cleared so that no old entry passes for a
 * new one, its phase back to 1. The pair's trackers must all be free.
 */
void nvf_queue_reset_rings(struct nvfio_qpair *qp);

/*
 * nvf_queue_revive() - on the owner's thread, re-create a pair whose controller was reset.
 * Returns 0 (the pair works again), -EAGAIN (the reset is still going on), or the error that
 * keeps it from working (the pair then reports it).
 */
int nvf_queue_revive(struct nvfio_qpair *qp);

/*
 * nvf_queue_init() - allocate a queue pair's memory and trackers
 * @qid: 0 for the admin queue
 * @nlarge: whole-page PRP/SGL lists to keep (small ones come with an I/O queue's depth)
 *
 * The rings are laid out, the doorbells found; the controller is told nothing. 0 or -errno.
 */
int nvf_queue_init(struct nvf_dev *dev, struct nvfio_ctrl *ctrl, uint16_t qid, unsigned int depth,
		   unsigned int nlarge, struct nvfio_qpair **out);
void nvf_queue_destroy(struct nvfio_qpair *qp);
/* What nvfio_qpair_free() does last: nvf_queue_destroy(), except that a checked build keeps the
 * object itself, marked dead, so that a later use is caught. */
void nvf_queue_bury(struct nvfio_qpair *qp);
/*
 * nvf_queue_usable() - whether the application may use @qp here (for @what, in messages): not
 * NULL; in a checked build also not freed, and on its owner's thread (the first to use it).
 * 0, -EINVAL, -EBADF or -EPERM.
 */
int nvf_queue_usable(struct nvfio_qpair *qp, const char *what);
/* Free trackers (walks the free list). */
unsigned int nvf_queue_nfree(const struct nvfio_qpair *qp);
/* Complete every outstanding command with @err, as if the controller had. */
void nvf_queue_fail_all(struct nvfio_qpair *qp, int err);
/* After a reset: complete with @err every outstanding command that will not be submitted again
 * (not kept, or out of retries). */
void nvf_queue_fail_unkept(struct nvfio_qpair *qp, int err);
/*
 * nvf_queue_requeue() - after a reset, with the rings emptied and the others failed: write
 * each outstanding command into the ring again (no doorbell), spending one of its retries.
 * Every deadline starts over. Returns the commands written.
 */
unsigned int nvf_queue_requeue(struct nvfio_qpair *qp);
/* Find the tracker that holds @arg and make its completion a no-op (the waiter gave up). */
void nvf_queue_forget(struct nvfio_qpair *qp, const void *arg);
/* Submit a command whose data is already described (dptr set, list taken): 0 or -EAGAIN. */
int nvf_queue_submit(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, uint16_t list, nvfio_cb cb,
		     void *arg);
/* Whether the device failed (its error, with the pair's commands completed), looking at the
 * device at most every 10 ms at @now (ms). */
int nvf_queue_check(struct nvfio_qpair *qp, uint64_t now);

#endif /* NVFIO_NVME_QUEUE_H */
