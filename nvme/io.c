/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O commands: the library half of the inline fast path (<nvfio/nvme_io.h>), and the general
 * path behind it: vectored buffers, requests split into several commands, and the checks that
 * refuse bad requests before they reach the controller. Data pointers are built in dptr.c.
 */
#include <errno.h>
#include <string.h>

#include "nvme/ctrl.h"
#include "nvme/dptr.h"
#include "nvme/ns.h"
#include "support/error.h"

/* An SQE seen as eight quadwords, so the fast path fills it with eight stores. */
union nvf_sqe {
	struct nvfio_cmd cmd;
	uint64_t q[8];
};
_Static_assert(sizeof(union nvf_sqe) == 64, "SQE");

/* Completion of one command of a split request: the request completes with its last command,
 * carrying the first failure. */
static void split_done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct nvfio_qpair *qp = arg;
	uint16_t pidx = qp->io.trk[cqe->cid & qp->trk_mask].parent;
	struct nvfio_io_trk *p = &qp->io.trk[pidx];
	struct nvfio_cqe c;

	if (err && !p->err)
		p->err = err;
	if (!err && nvfio_cqe_status(cqe) && !p->status)
		p->status = cqe->status;
	if (--p->pending)
		return;
	c = *cqe;
	c.cid = p->cid;
	err = p->err;
	if (err)
		c.status = NVFIO_STATUS_HOST_ABORTED << 1;
	else if (p->status)
		c.status = p->status;
	p->status = 0;
	p->err = 0;
	nvf_queue_trk_complete(qp, pidx, err, &c);
}

/* What a request carries. */
struct io_req {
	uint8_t opc;
	uint32_t cdw13; /* DSM hints etc.; cdw12 flags go in cdw12 */
	uint32_t cdw12;
	const struct iovec *iov; /* NULL: no data (Write Zeroes) */
	unsigned int iovcnt;
	uint64_t lba;
	uint64_t len; /* bytes of data, or blocks * block size without data */
	uint32_t max_nlb;
};

/* A submission on a queue pair of a failed controller, or on one being freed: say why. */
static int qp_state_err(struct nvfio_qpair *qp, int state)
{
	int ret = nvf_dev_check(qp->dev);

	if (ret < 0)
		return ret;
	return nvf_err(state,
		       "queue %u of %s is being freed (nvfio_qpair_free()): a callback cannot "
		       "submit to it",
		       qp->qid, qp->ctrl->address);
}

/* The pair's state before a submission: 0 to go on, after re-creating it if its controller was
 * reset (on this, the owner's, thread), or why not. */
static int qp_ready(struct nvfio_qpair *qp)
{
	int state = __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED);

	if (state == NVF_QUEUE_REVIVE)
		return nvf_queue_revive(qp);
	return state ? qp_state_err(qp, state) : 0;
}

static int ns_check(struct nvfio_qpair *qp, struct nvfio_ns *ns)
{
	int ret = qp_ready(qp);

	if (ret)
		return ret;
	if (!ns->active)
		return nvf_err(-ENODEV, "namespace %u of %s is not active", ns->io.nsid,
			       qp->ctrl->address);
	if (ns->info.unusable[0])
		return nvf_err(-ENOTSUP, "namespace %u of %s takes no I/O: %s", ns->io.nsid,
			       qp->ctrl->address, ns->info.unusable);
	return 0;
}

/* Check a data request against its namespace; fills r->len. */
static int io_check(struct nvfio_qpair *qp, struct nvfio_ns *ns, struct io_req *r)
{
	uint64_t nlb;
	unsigned int i;
	int ret;

	ret = ns_check(qp, ns);
	if (ret)
		return ret;
	if (ns->info.meta_size)
		return nvf_err(-ENOTSUP,
			       "namespace %u has %u bytes of metadata per block: use "
			       "nvfio_io_raw()",
			       ns->io.nsid, ns->info.meta_size);
	if (r->iov) {
		r->len = 0;
		for (i = 0; i < r->iovcnt; i++) {
			uintptr_t b = (uintptr_t)r->iov[i].iov_base;

			if ((b | r->iov[i].iov_len) & 3)
				return nvf_err(-EINVAL,
					       "buffer %u (%p, %zu bytes) is not 4-byte "
					       "aligned: NVMe data pointers address dwords",
					       i, r->iov[i].iov_base, r->iov[i].iov_len);
			if (__builtin_add_overflow(r->len, (uint64_t)r->iov[i].iov_len, &r->len))
				return nvf_err(-EINVAL,
					       "the iovec's lengths add up past 2^64 bytes (at "
					       "element %u)",
					       i);
		}
	}
	if (!r->len)
		return nvf_err(-EINVAL, "I/O of no blocks on namespace %u", ns->io.nsid);
	if (r->len & ((1ull << ns->io.lbads) - 1))
		return nvf_err(-EINVAL,
			       "%llu bytes is not a whole number of %u-byte blocks "
			       "(namespace %u)",
			       (unsigned long long)r->len, 1u << ns->io.lbads, ns->io.nsid);
	nlb = r->len >> ns->io.lbads;
	if (r->lba >= ns->info.nblocks || nlb > ns->info.nblocks - r->lba)
		return nvf_err(-ERANGE,
			       "blocks %llu..%llu lie beyond the end of namespace %u "
			       "(%llu blocks)",
			       (unsigned long long)r->lba, (unsigned long long)(r->lba + nlb - 1),
			       ns->io.nsid, (unsigned long long)ns->info.nblocks);
	return 0;
}

/* Take a tracker during a multi-command build (nothing is marked until the commit). */
static inline uint16_t build_pop(struct nvfio_qpair *qp)
{
	uint16_t idx = qp->io.free;

	if (idx != NVFIO_IO_TRK_NONE)
		qp->io.free = (uint16_t)qp->io.trk[idx].tag;
	return idx;
}

/*
 * The general submission path: one or more commands for a checked request. Commands are written
 * into the submission ring beyond its tail and trackers taken from the free list without being
 * marked, so that running out of either part way undoes everything; the commit then marks them
 * and moves the tail.
 */
static int io_submit(struct nvfio_qpair *qp, struct nvfio_ns *ns, struct io_req *r, nvfio_cb cb,
		     void *arg)
{
	uint16_t start_free = qp->io.free, parent = NVFIO_IO_TRK_NONE;
	struct nvfio_cmd *tail = qp->io.sq_next;
	uint16_t first = NVFIO_IO_TRK_NONE, idx;
	uint32_t bs = 1u << ns->io.lbads;
	uint64_t remaining = r->len, lba = r->lba;
	struct nvf_dptr_cur cur = {.iov = r->iov, .cnt = r->iovcnt};
	bool prp = true;
	unsigned int taken = 0, n = 0, i;
	int ret;

	if (r->iov) {
		nvf_dptr_advance(&cur, 0);
		prp = nvf_dptr_prp_ok(r->iov, r->iovcnt);
		if (!prp && !qp->ctrl->sgl)
			return nvf_err(
			    -EINVAL,
			    "this iovec needs an SGL (an element other than the "
			    "first starts inside a 4 KiB page, or one other than the last "
			    "ends inside one) and controller %s has no SGL support",
			    qp->ctrl->address);
	}

	while (remaining) {
		union nvf_sqe sqe;
		struct nvfio_io_trk *t;
		uint64_t len = remaining;
		uint16_t list = 0;

		if (len > (uint64_t)r->max_nlb << ns->io.lbads)
			len = (uint64_t)r->max_nlb << ns->io.lbads;
		idx = build_pop(qp);
		if (idx == NVFIO_IO_TRK_NONE) {
			ret = -EAGAIN;
			goto undo;
		}
		taken++;
		if (first == NVFIO_IO_TRK_NONE) {
			first = idx;
		} else if (parent == NVFIO_IO_TRK_NONE) {
			/* A second command: the request needs a parent to complete once. */
			parent = idx;
			idx = build_pop(qp);
			if (idx == NVFIO_IO_TRK_NONE) {
				ret = -EAGAIN;
				goto undo;
			}
			taken++;
			qp->io.trk[first].cb = split_done;
			qp->io.trk[first].arg = qp;
			qp->io.trk[first].parent = parent;
		}
		t = &qp->io.trk[idx];

		memset(&sqe, 0, sizeof(sqe));
		sqe.cmd.opcode = r->opc;
		sqe.cmd.cid = t->cid;
		sqe.cmd.nsid = ns->io.nsid;
		if (r->iov) {
			if (prp) {
				/* With no large list free, cut the command to what a small list
				 * describes. */
				uintptr_t va = (uintptr_t)cur.iov[cur.idx].iov_base + cur.off;
				size_t off = va & (NVF_PAGE_SIZE - 1);
				size_t small =
				    (size_t)(NVF_LIST_SMALL / 8 + 1) * NVF_PAGE_SIZE - off;

				if (((off + len + NVF_PAGE_SIZE - 1) >> NVF_PAGE_SHIFT) - 1 >
					NVF_LIST_SMALL / 8 &&
				    !nvf_pool_large_free(&qp->pool) && qp->pool.small_top &&
				    small >= bs)
					len = small / bs * bs;
				ret = nvf_dptr_prp(qp, &sqe.cmd, &cur, len, &list);
			} else {
				size_t l = len;

				ret = nvf_dptr_sgl(qp, &sqe.cmd, &cur, &l, bs, &list);
				len = l;
			}
			if (ret < 0)
				goto undo;
			nvf_dptr_advance(&cur, len);
		}
		t->list = list;
		t->cb = parent == NVFIO_IO_TRK_NONE ? cb : split_done;
		t->arg = parent == NVFIO_IO_TRK_NONE ? arg : qp;
		t->parent = parent;
		sqe.cmd.cdw10 = (uint32_t)lba;
		sqe.cmd.cdw11 = (uint32_t)(lba >> 32);
		sqe.cmd.cdw12 = (uint32_t)((len >> ns->io.lbads) - 1) | r->cdw12;
		sqe.cmd.cdw13 = r->cdw13;
		nvf_queue_keep(qp, idx, &sqe.cmd);
		*tail = sqe.cmd;
		if (++tail == qp->io.sq_end)
			tail = qp->io.sq;
		n++;
		remaining -= len;
		lba += len >> ns->io.lbads;
	}

	/* Commit: mark the trackers taken, in the order they were taken. */
	idx = start_free;
	for (i = 0; i < taken; i++) {
		struct nvfio_io_trk *t = &qp->io.trk[idx];
		uint16_t next = (uint16_t)t->tag;

		t->tag = idx == parent ? NVFIO_IO_TAG_PARENT
			 : t->list     ? NVFIO_IO_TAG_LIST | t->cid
				       : t->cid;
		idx = next;
	}
	if (parent != NVFIO_IO_TRK_NONE) {
		qp->io.trk[parent].cb = cb;
		qp->io.trk[parent].arg = arg;
		qp->io.trk[parent].pending = (uint16_t)n;
		qp->io.trk[parent].status = 0;
		qp->io.trk[parent].err = 0;
		qp->io.trk[parent].list = 0;
	}
	qp->io.sq_next = tail;
	if (!qp->io.plugged)
		nvf_queue_ring_sq(qp);
	return 0;

undo:
	idx = start_free;
	for (i = 0; i < taken; i++) {
		struct nvfio_io_trk *t = &qp->io.trk[idx];

		if (t->list && idx != parent) {
			nvf_pool_put(&qp->pool, t->list);
		}
		t->list = 0;
		idx = (uint16_t)t->tag;
	}
	qp->io.free = start_free;
	if (ret == -EAGAIN) {
		if (nvf_queue_nfree(qp) == qp->depth && nvf_pool_all_free(&qp->pool))
			return nvf_err(-E2BIG,
				       "a request of %llu bytes needs more commands or PRP/SGL "
				       "lists than queue %u holds (depth %u): split it or use a "
				       "deeper queue pair",
				       (unsigned long long)r->len, qp->qid, qp->depth);
		qp->eagain++;
	}
	return ret;
}

/* Anything the fast path does not take: check, then the general path. */
static __attribute__((noinline)) int io_rw_slow(struct nvfio_qpair *qp, struct nvfio_ns *ns,
						uint8_t opc, const void *buf, uint64_t lba,
						uint32_t nlb, nvfio_cb cb, void *arg)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = (size_t)nlb << ns->io.lbads};
	struct io_req r = {
	    .opc = opc,
	    .iov = &iov,
	    .iovcnt = 1,
	    .lba = lba,
	    .max_nlb = ns->max_nlb,
	};
	int ret;

	if (!nlb)
		return nvf_err(-EINVAL, "I/O of no blocks on namespace %u", ns->io.nsid);
	ret = io_check(qp, ns, &r);
	if (ret)
		return ret;
	return io_submit(qp, ns, &r, cb, arg);
}

/* Whether the inline fast path (<nvfio/nvme_io.h>) takes the request once the translation cache
 * is refilled: the same shape test, on a pair that has not failed. */
static bool fast_after_refill(struct nvfio_qpair *qp, struct nvfio_ns *ns, const void *buf,
			      uint64_t lba, uint32_t nlb)
{
	uint64_t len = (uint64_t)nlb << ns->io.lbads, iova;

	if (!nvfio_io_fits_(&ns->io, (uintptr_t)buf, lba, nlb, len) ||
	    qp->io.free == NVFIO_IO_TRK_NONE || __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED) ||
	    qp->kept)
		return false;
	if (nvf_dma_iova_cached(qp->dma, &qp->dcache, buf, (size_t)len, &iova))
		return false;
	nvf_queue_tc_sync(qp);
	return nvfio_io_tc_hit_(&qp->io, (uintptr_t)buf, len);
}

/* NULL where the caller must give something (the library's paths check; the inline fast path
 * cannot afford to for the callback, which a checked build then catches here). */
static int args_bad(struct nvfio_qpair *qp, const struct nvfio_ns *ns, bool need_ns, nvfio_cb cb,
		    const char *fn)
{
	int ret = nvf_queue_usable(qp, fn);

	if (ret)
		return ret;
	if ((ns || !need_ns) && cb)
		return 0;
	return nvf_err(-EINVAL, "%s: %s is NULL", fn,
		       !cb ? "the completion callback" : "the namespace");
}

/* The fast path's work for a pair that keeps its commands for resets (its translation cache
 * stays empty, so every command comes here): the same entry, through the queue's own cache,
 * and its copy. Whether it took the request. */
static bool kept_fast(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint8_t opcode, const void *buf,
		      uint64_t lba, uint32_t nlb, nvfio_cb cb, void *arg)
{
	uintptr_t va = (uintptr_t)buf;
	uint64_t len = (uint64_t)nlb << ns->io.lbads, iova;
	struct nvfio_cmd *sqe, *next;
	uint16_t idx = qp->io.free, cid;

	if (!nvfio_io_fits_(&ns->io, va, lba, nlb, len) || idx == NVFIO_IO_TRK_NONE ||
	    __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED) ||
	    nvf_dma_iova_cached(qp->dma, &qp->dcache, buf, (size_t)len, &iova))
		return false;
	cid = nvfio_io_trk_take_(&qp->io, idx, cb, arg);
	sqe = qp->io.sq_next;
	next = nvfio_io_sq_after_(&qp->io);
	nvfio_io_sqe_fill_((uint64_t *)sqe,
			   opcode == NVFIO_IO_OPC_READ ? ns->io.sqe_read : ns->io.sqe_write, cid, iova,
			   va, len, lba, nlb);
	nvf_queue_keep(qp, idx, sqe);
	qp->io.sq_next = next;
	return true;
}

int nvfio_io_slow(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint8_t opcode, const void *buf,
		  uint64_t lba, uint32_t nlb, nvfio_cb cb, void *arg)
{
	int ret = args_bad(qp, ns, true, cb, opcode == nvme_cmd_read ? "nvfio_read" : "nvfio_write");

	if (ret)
		return ret;
	if (qp->kept && !NVF_CHECKED && kept_fast(qp, ns, opcode, buf, lba, nlb, cb, arg))
		return 0;
	/* When only the translation cache was cold, the fast path now takes it (and cannot come
	 * back here for the same reason). */
	if (fast_after_refill(qp, ns, buf, lba, nlb))
		return nvfio_io_rw_(qp, ns, opcode, buf, lba, nlb, cb, arg);
	return io_rw_slow(qp, ns, opcode, buf, lba, nlb, cb, arg);
}

int nvfio_compare(struct nvfio_qpair *qp, struct nvfio_ns *ns, const void *buf, uint64_t lba,
		  uint32_t nlb, nvfio_cb cb, void *arg)
{
	int ret = args_bad(qp, ns, true, cb, "nvfio_compare");

	if (ret)
		return ret;
	if (!(qp->ctrl->info.oncs & NVME_CTRL_ONCS_COMPARE))
		return nvf_err(-ENOTSUP, "controller %s has no Compare command", qp->ctrl->address);
	return io_rw_slow(qp, ns, nvme_cmd_compare, buf, lba, nlb, cb, arg);
}

static int io_vec(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint8_t opc, const struct iovec *iov,
		  unsigned int iovcnt, uint64_t lba, nvfio_cb cb, void *arg)
{
	struct io_req r = {
	    .opc = opc,
	    .iov = iov,
	    .iovcnt = iovcnt,
	    .lba = lba,
	};
	int ret = args_bad(qp, ns, true, cb, opc == nvme_cmd_read ? "nvfio_readv" : "nvfio_writev");

	if (ret)
		return ret;
	r.max_nlb = ns->max_nlb;
	if (!iov || !iovcnt)
		return nvf_err(-EINVAL, "vectored I/O without buffers");
	ret = io_check(qp, ns, &r);
	if (ret)
		return ret;
	return io_submit(qp, ns, &r, cb, arg);
}

int nvfio_readv(struct nvfio_qpair *qp, struct nvfio_ns *ns, const struct iovec *iov,
		unsigned int iovcnt, uint64_t lba, nvfio_cb cb, void *arg)
{
	return io_vec(qp, ns, nvme_cmd_read, iov, iovcnt, lba, cb, arg);
}

int nvfio_writev(struct nvfio_qpair *qp, struct nvfio_ns *ns, const struct iovec *iov,
		 unsigned int iovcnt, uint64_t lba, nvfio_cb cb, void *arg)
{
	return io_vec(qp, ns, nvme_cmd_write, iov, iovcnt, lba, cb, arg);
}

int nvfio_flush(struct nvfio_qpair *qp, struct nvfio_ns *ns, nvfio_cb cb, void *arg)
{
	struct nvfio_cmd cmd = {.opcode = nvme_cmd_flush};
	int ret = args_bad(qp, ns, true, cb, "nvfio_flush");

	if (!ret)
		ret = ns_check(qp, ns);
	if (ret)
		return ret;
	cmd.nsid = ns->io.nsid;
	return nvf_queue_submit(qp, &cmd, 0, cb, arg);
}

int nvfio_write_zeroes(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint64_t lba, uint32_t nlb,
		       nvfio_cb cb, void *arg)
{
	struct io_req r = {
	    .opc = nvme_cmd_write_zeroes,
	    .lba = lba,
	    .max_nlb = 65536,
	};
	int ret = args_bad(qp, ns, true, cb, "nvfio_write_zeroes");

	if (ret)
		return ret;
	r.len = (uint64_t)nlb << ns->io.lbads;
	if (!(qp->ctrl->info.oncs & NVME_CTRL_ONCS_WRITE_ZEROES))
		return nvf_err(-ENOTSUP, "controller %s has no Write Zeroes command",
			       qp->ctrl->address);
	ret = io_check(qp, ns, &r);
	if (ret)
		return ret;
	return io_submit(qp, ns, &r, cb, arg);
}

int nvfio_deallocate(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint64_t lba, uint32_t nlb,
		     nvfio_cb cb, void *arg)
{
	struct io_req r = {.lba = lba};
	struct nvfio_cmd cmd = {
	    .opcode = nvme_cmd_dsm,
	    .cdw10 = 0, /* one range */
	    .cdw11 = NVME_DSMGMT_AD,
	};
	struct nvme_dsm_range *range;
	uint16_t l;
	int ret = args_bad(qp, ns, true, cb, "nvfio_deallocate");

	if (ret)
		return ret;
	r.len = (uint64_t)nlb << ns->io.lbads;
	cmd.nsid = ns->io.nsid;
	if (!(qp->ctrl->info.oncs & NVME_CTRL_ONCS_DSM))
		return nvf_err(-ENOTSUP, "controller %s has no Dataset Management command",
			       qp->ctrl->address);
	ret = io_check(qp, ns, &r);
	if (ret)
		return ret;
	l = nvf_pool_get(&qp->pool, sizeof(*range));
	if (!l) {
		qp->eagain++;
		return -EAGAIN;
	}
	range = nvf_pool_addr(&qp->pool, l);
	memset(range, 0, sizeof(*range));
	range->nlb = nlb;
	range->slba = lba;
	cmd.dptr[0] = nvf_pool_iova(&qp->pool, l);
	ret = nvf_queue_submit(qp, &cmd, l, cb, arg);
	if (ret < 0)
		nvf_pool_put(&qp->pool, l);
	return ret;
}

int nvfio_io_raw(struct nvfio_qpair *qp, const struct nvfio_cmd *cmd, void *buf, size_t len,
		 nvfio_cb cb, void *arg)
{
	struct nvfio_cmd c;
	uint16_t l = 0;
	int ret = args_bad(qp, NULL, false, cb, "nvfio_io_raw");

	if (!ret && !cmd)
		ret = nvf_err(-EINVAL, "nvfio_io_raw: the command is NULL");
	if (!ret)
		ret = qp_ready(qp);
	if (ret)
		return ret;
	c = *cmd;
	c.flags &= (uint8_t)~NVF_CMD_PSDT_SGL;
	c.dptr[0] = c.dptr[1] = 0;
	if (len) {
		if (!buf)
			return nvf_err(-EINVAL, "nvfio_io_raw: a length without a buffer");
		if (len > qp->ctrl->max_xfer)
			return nvf_err(-EINVAL,
				       "raw command of %zu bytes exceeds the %u-byte "
				       "transfer limit of %s",
				       len, qp->ctrl->max_xfer, qp->ctrl->address);
		ret = nvf_dptr_prp_buf(qp, &c, buf, len, &l);
		if (ret < 0) {
			if (ret == -EAGAIN)
				qp->eagain++;
			return ret;
		}
	}
	ret = nvf_queue_submit(qp, &c, l, cb, arg);
	if (ret < 0 && l)
		nvf_pool_put(&qp->pool, l);
	return ret;
}
