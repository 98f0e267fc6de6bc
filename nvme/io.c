/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O commands: the submission fast path (a read or write of one buffer spanning at most two
 * pages: PRP1/PRP2, no list), and the general path behind it: PRP lists, SGLs, vectored
 * buffers, requests split into several commands, and the checks that refuse bad requests
 * before they reach the controller.
 */
#include <errno.h>
#include <string.h>

#include "nvme/ctrl.h"
#include "nvme/qpair.h"
#include "support/error.h"

/* An SQE seen as eight quadwords, so the fast path fills it with eight stores. */
union nvf_sqe {
	struct nvfio_cmd cmd;
	uint64_t q[8];
};
_Static_assert(sizeof(union nvf_sqe) == 64, "SQE");

/* A position in a list of buffers. */
struct iov_cur {
	const struct iovec *iov;
	unsigned int cnt;
	unsigned int idx;
	size_t off;
};

static void cur_advance(struct iov_cur *c, size_t len)
{
	while (len && c->idx < c->cnt) {
		size_t left = c->iov[c->idx].iov_len - c->off;

		if (len < left) {
			c->off += len;
			return;
		}
		len -= left;
		c->idx++;
		c->off = 0;
	}
	while (c->idx < c->cnt && c->iov[c->idx].iov_len == c->off) {
		c->idx++;
		c->off = 0;
	}
}

static int not_mapped(struct nvfio_qpair *qp, uintptr_t va, size_t len)
{
	return nvf_err(-NVFIO_ENOTMAPPED,
		       "buffer %p (+%zu bytes) is not DMA memory of controller "
		       "%s: allocate it with nvfio_dma_alloc() or register it with "
		       "nvfio_dma_register() on nvfio_ctrl_dma()",
		       (void *)va, len, qp->ctrl->address);
}

/*
 * Describe @len bytes from @c with PRPs. The buffers must be PRP-compatible (checked by the
 * caller): only the first may start inside a page, only the last may end inside one, so the
 * bytes cover consecutive whole pages and the entry count is known before any is written.
 */
static int map_prp(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, struct iov_cur *c, size_t len,
		   uint16_t *listp)
{
	const struct iovec *iov = &c->iov[c->idx];
	uintptr_t first = (uintptr_t)iov->iov_base + c->off;
	size_t pages = ((first & (NVF_PAGE_SIZE - 1)) + len + NVF_PAGE_SIZE - 1) >> NVF_PAGE_SHIFT;
	struct iov_cur cur = *c;
	uint64_t *list = NULL;
	uint16_t l = 0;
	size_t n = 0;

	if (pages > 2) {
		l = nvf_list_get(qp, (pages - 1) * sizeof(uint64_t));
		if (!l)
			return -EAGAIN;
		if ((pages - 1) * sizeof(uint64_t) > nvf_list_size(qp, l)) {
			nvf_list_put(qp, l);
			return nvf_err(
			    -EINVAL, "%zu-byte transfer needs a PRP list longer than a page", len);
		}
		list = nvf_list_addr(qp, l);
	}
	while (len) {
		const struct iovec *v = &cur.iov[cur.idx];
		uintptr_t va = (uintptr_t)v->iov_base + cur.off;
		size_t seg = v->iov_len - cur.off, done = 0;
		uint64_t iova;
		bool contig;

		if (!seg) {
			cur.idx++;
			cur.off = 0;
			continue;
		}
		if (seg > len)
			seg = len;
		contig = nvf_dma_iova_cached(qp->dma, &qp->dcache, (void *)va, seg, &iova) == 0;
		while (done < seg) {
			size_t chunk = NVF_PAGE_SIZE - ((va + done) & (NVF_PAGE_SIZE - 1));
			uint64_t e;

			if (chunk > seg - done)
				chunk = seg - done;
			if (contig) {
				e = iova + done;
			} else if (nvf_dma_iova_cached(qp->dma, &qp->dcache, (void *)(va + done),
						       chunk, &e)) {
				if (l)
					nvf_list_put(qp, l);
				return not_mapped(qp, va + done, chunk);
			}
			if (n == 0)
				cmd->dptr[0] = e;
			else if (!list)
				cmd->dptr[1] = e;
			else
				list[n - 1] = e;
			n++;
			done += chunk;
		}
		len -= seg;
		cur_advance(&cur, seg);
	}
	if (list)
		cmd->dptr[1] = nvf_list_iova(qp, l);
	else if (n < 2)
		cmd->dptr[1] = 0;
	*listp = l;
	return 0;
}

int nvf_qpair_map_prp(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, void *buf, size_t len,
		      uint16_t *list)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct iov_cur c = {.iov = &iov, .cnt = 1};

	if ((uintptr_t)buf & 3)
		return nvf_err(-EINVAL, "buffer %p is not 4-byte aligned", buf);
	return map_prp(qp, cmd, &c, len, list);
}

/*
 * Describe up to *@lenp bytes from @c with an SGL: one data block descriptor per IOVA-contiguous
 * piece, in the command itself when there is one, else in a list slot behind a Last Segment
 * descriptor. When the pieces outnumber the slot, *@lenp shrinks to a whole number of blocks
 * (@bs) that fits.
 */
static int map_sgl(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, struct iov_cur *c, size_t *lenp,
		   uint32_t bs, uint16_t *listp)
{
	struct nvf_sgl_desc one, *d;
	struct iov_cur cur = *c;
	size_t len = *lenp, mapped = 0, cap, n = 0, want = 0, excess;
	unsigned int i;
	uint16_t l;

	/* Elements in the range, to choose the slot (pieces may still split on IOVA gaps). */
	for (i = cur.idx; i < cur.cnt && mapped < len; i++) {
		size_t seg = cur.iov[i].iov_len - (i == cur.idx ? cur.off : 0);

		mapped += seg;
		want += seg != 0;
	}
	mapped = 0;
	l = want > 1 ? nvf_list_get(qp, want * sizeof(*d)) : 0;
	if (!l && want > NVF_LIST_SMALL / sizeof(*d))
		l = nvf_list_get(qp, NVF_LIST_SMALL);
	if (want > 1 && !l)
		return -EAGAIN;
	d = l ? nvf_list_addr(qp, l) : &one;
	cap = l ? nvf_list_size(qp, l) / sizeof(*d) : 1;

	while (mapped < len && cur.idx < cur.cnt) {
		const struct iovec *v = &cur.iov[cur.idx];
		uintptr_t va = (uintptr_t)v->iov_base + cur.off;
		size_t seg = v->iov_len - cur.off, done = 0;
		uint64_t iova;

		if (seg > len - mapped)
			seg = len - mapped;
		if (!seg) {
			cur.idx++;
			cur.off = 0;
			continue;
		}
		while (done < seg && n < cap) {
			size_t piece = seg - done;

			if (nvf_dma_iova_cached(qp->dma, &qp->dcache, (void *)(va + done), piece,
						&iova)) {
				piece = NVF_PAGE_SIZE - ((va + done) & (NVF_PAGE_SIZE - 1));
				if (piece > seg - done)
					piece = seg - done;
				if (nvf_dma_iova_cached(qp->dma, &qp->dcache, (void *)(va + done),
							piece, &iova)) {
					if (l)
						nvf_list_put(qp, l);
					return not_mapped(qp, va + done, piece);
				}
			}
			/* Extend the previous descriptor when the IOVA continues it. */
			if (n && d[n - 1].addr + d[n - 1].len == iova) {
				d[n - 1].len += (uint32_t)piece;
			} else {
				memset(&d[n], 0, sizeof(d[n]));
				d[n].addr = iova;
				d[n].len = (uint32_t)piece;
				d[n].type = NVF_SGL_DATA_BLOCK;
				n++;
			}
			done += piece;
		}
		mapped += done;
		if (done < seg)
			break;
		cur_advance(&cur, seg);
	}
	if (mapped < len) {
		/* Out of descriptors: keep whole blocks only. */
		size_t keep = mapped / bs * bs;

		if (!keep) {
			if (l)
				nvf_list_put(qp, l);
			return nvf_err(-EINVAL,
				       "one block spans more than %zu IOVA-contiguous pieces "
				       "of the iovec",
				       cap);
		}
		excess = mapped - keep;
		while (excess) {
			if (d[n - 1].len <= excess) {
				excess -= d[n - 1].len;
				n--;
			} else {
				d[n - 1].len -= (uint32_t)excess;
				excess = 0;
			}
		}
		*lenp = keep;
	}
	cmd->flags = (uint8_t)((cmd->flags & ~NVF_CMD_PSDT_SGL) | NVF_CMD_PSDT_SGL);
	if (n == 1) {
		if (l)
			nvf_list_put(qp, l);
		l = 0;
		memcpy(cmd->dptr, d, sizeof(*d));
	} else {
		struct nvf_sgl_desc seg = {
		    .addr = nvf_list_iova(qp, l),
		    .len = (uint32_t)(n * sizeof(*d)),
		    .type = NVF_SGL_LAST_SEGMENT,
		};

		memcpy(cmd->dptr, &seg, sizeof(seg));
	}
	*listp = l;
	return 0;
}

/* Completion of one command of a split request: the request completes with its last command,
 * carrying the first failure. */
static void split_done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct nvfio_qpair *qp = arg;
	uint16_t pidx = qp->io.trk[cqe->cid].parent;
	struct nvfio_io_trk *p = &qp->io.trk[pidx];
	struct nvfio_cqe c;

	if (err && !p->err)
		p->err = err;
	if (!err && nvfio_cqe_status(cqe) && !p->status)
		p->status = cqe->status;
	if (--p->pending)
		return;
	c = *cqe;
	c.cid = pidx;
	err = p->err;
	if (err)
		c.status = NVFIO_STATUS_HOST_ABORTED << 1;
	else if (p->status)
		c.status = p->status;
	p->status = 0;
	p->err = 0;
	nvf_trk_complete(qp, pidx, err, &c);
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
	int ret = nvf_nvme_ctrl_check(qp->ctrl);

	if (ret < 0)
		return ret;
	return nvf_err(state,
		       "queue %u of %s is being freed (nvfio_qpair_free()): a callback cannot "
		       "submit to it",
		       qp->qid, qp->ctrl->address);
}

static int ns_check(struct nvfio_qpair *qp, struct nvfio_ns *ns)
{
	int state = __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED);

	if (state)
		return qp_state_err(qp, state);
	if (!ns->active)
		return nvf_err(-ENODEV, "namespace %u of %s is not active", ns->io.nsid,
			       qp->ctrl->address);
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
			r->len += r->iov[i].iov_len;
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

/* Whether the buffers can be described with PRPs. */
static bool iov_prp_ok(const struct iovec *iov, unsigned int cnt)
{
	unsigned int i, first = cnt, last = 0;

	for (i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		if (first == cnt)
			first = i;
		last = i;
	}
	for (i = first; i < cnt; i++) {
		uintptr_t b = (uintptr_t)iov[i].iov_base;

		if (!iov[i].iov_len)
			continue;
		if (i != first && (b & (NVF_PAGE_SIZE - 1)))
			return false;
		if (i != last && ((b + iov[i].iov_len) & (NVF_PAGE_SIZE - 1)))
			return false;
	}
	return true;
}

/* Take a tracker during a multi-command build (nothing is marked until the commit). */
static inline uint16_t build_pop(struct nvfio_qpair *qp)
{
	uint16_t idx = qp->io.free;

	if (idx != NVFIO_IO_TRK_NONE)
		qp->io.free = qp->io.trk[idx].next;
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
	struct iov_cur cur = {.iov = r->iov, .cnt = r->iovcnt};
	bool prp = true;
	unsigned int taken = 0, n = 0, i;
	int ret;

	if (r->iov) {
		cur_advance(&cur, 0);
		prp = iov_prp_ok(r->iov, r->iovcnt);
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
		sqe.cmd.cid = idx;
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
				    qp->large_top == qp->nsmall && qp->small_top && small >= bs)
					len = small / bs * bs;
				ret = map_prp(qp, &sqe.cmd, &cur, len, &list);
			} else {
				size_t l = len;

				ret = map_sgl(qp, &sqe.cmd, &cur, &l, bs, &list);
				len = l;
			}
			if (ret < 0)
				goto undo;
			cur_advance(&cur, len);
		}
		t->list = list;
		t->cb = parent == NVFIO_IO_TRK_NONE ? cb : split_done;
		t->arg = parent == NVFIO_IO_TRK_NONE ? arg : qp;
		t->parent = parent;
		sqe.cmd.cdw10 = (uint32_t)lba;
		sqe.cmd.cdw11 = (uint32_t)(lba >> 32);
		sqe.cmd.cdw12 = (uint32_t)((len >> ns->io.lbads) - 1) | r->cdw12;
		sqe.cmd.cdw13 = r->cdw13;
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
		uint16_t next = qp->io.trk[idx].next;

		qp->io.trk[idx].next = idx == parent	      ? NVFIO_IO_TRK_PARENT
				       : qp->io.trk[idx].list ? NVFIO_IO_TRK_BUSY_LIST
							      : NVFIO_IO_TRK_BUSY;
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
		nvf_sq_ring(qp);
	return 0;

undo:
	idx = start_free;
	for (i = 0; i < taken; i++) {
		struct nvfio_io_trk *t = &qp->io.trk[idx];

		if (t->list && idx != parent) {
			nvf_list_put(qp, t->list);
		}
		t->list = 0;
		idx = t->next;
	}
	qp->io.free = start_free;
	if (ret == -EAGAIN) {
		if (nvf_qpair_nfree(qp) == qp->depth && qp->small_top == qp->nsmall &&
		    qp->large_top == qp->nsmall + qp->nlarge)
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
 * is refilled. */
static bool fast_after_refill(struct nvfio_qpair *qp, struct nvfio_ns *ns, const void *buf,
			      uint64_t lba, uint32_t nlb)
{
	uintptr_t va = (uintptr_t)buf;
	uint64_t len = (uint64_t)nlb << ns->io.lbads, elba, iova;

	if (__builtin_add_overflow(lba, (uint64_t)nlb, &elba) || elba > ns->io.nsze || !nlb ||
	    (va & 3) || (va & (NVF_PAGE_SIZE - 1)) + len > 2 * NVF_PAGE_SIZE ||
	    qp->io.free == NVFIO_IO_TRK_NONE || __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED))
		return false;
	if (nvf_dma_iova_cached(qp->dma, &qp->dcache, buf, (size_t)len, &iova))
		return false;
	nvf_qpair_tc_sync(qp);
	return va >= qp->io.tc_lo && va + len <= qp->io.tc_hi;
}

int nvfio_io_slow(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint8_t opcode, const void *buf,
		  uint64_t lba, uint32_t nlb, nvfio_cb cb, void *arg)
{
	/* When only the translation cache was cold, the fast path now takes it (and cannot come
	 * back here for the same reason). */
	if (fast_after_refill(qp, ns, buf, lba, nlb))
		return nvfio_io_rw_(qp, ns, opcode, buf, lba, nlb, cb, arg);
	return io_rw_slow(qp, ns, opcode, buf, lba, nlb, cb, arg);
}

int nvfio_compare(struct nvfio_qpair *qp, struct nvfio_ns *ns, const void *buf, uint64_t lba,
		  uint32_t nlb, nvfio_cb cb, void *arg)
{
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
	    .max_nlb = ns->max_nlb,
	};
	int ret;

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
	struct nvfio_cmd cmd = {.opcode = nvme_cmd_flush, .nsid = ns->io.nsid};
	int ret = ns_check(qp, ns);

	if (ret)
		return ret;
	return nvf_qpair_submit_cmd(qp, &cmd, 0, cb, arg);
}

int nvfio_write_zeroes(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint64_t lba, uint32_t nlb,
		       nvfio_cb cb, void *arg)
{
	struct io_req r = {
	    .opc = nvme_cmd_write_zeroes,
	    .lba = lba,
	    .len = (uint64_t)nlb << ns->io.lbads,
	    .max_nlb = 65536,
	};
	int ret;

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
	struct io_req r = {.lba = lba, .len = (uint64_t)nlb << ns->io.lbads};
	struct nvfio_cmd cmd = {
	    .opcode = nvme_cmd_dsm,
	    .nsid = ns->io.nsid,
	    .cdw10 = 0, /* one range */
	    .cdw11 = NVME_DSMGMT_AD,
	};
	struct nvme_dsm_range *range;
	uint16_t l;
	int ret;

	if (!(qp->ctrl->info.oncs & NVME_CTRL_ONCS_DSM))
		return nvf_err(-ENOTSUP, "controller %s has no Dataset Management command",
			       qp->ctrl->address);
	ret = io_check(qp, ns, &r);
	if (ret)
		return ret;
	l = nvf_list_get(qp, sizeof(*range));
	if (!l) {
		qp->eagain++;
		return -EAGAIN;
	}
	range = nvf_list_addr(qp, l);
	memset(range, 0, sizeof(*range));
	range->nlb = nlb;
	range->slba = lba;
	cmd.dptr[0] = nvf_list_iova(qp, l);
	ret = nvf_qpair_submit_cmd(qp, &cmd, l, cb, arg);
	if (ret < 0)
		nvf_list_put(qp, l);
	return ret;
}

int nvfio_io_raw(struct nvfio_qpair *qp, const struct nvfio_cmd *cmd, void *buf, size_t len,
		 nvfio_cb cb, void *arg)
{
	struct nvfio_cmd c = *cmd;
	int state = __atomic_load_n(&qp->io.state, __ATOMIC_RELAXED);
	uint16_t l = 0;
	int ret;

	if (state)
		return qp_state_err(qp, state);
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
		ret = nvf_qpair_map_prp(qp, &c, buf, len, &l);
		if (ret < 0) {
			if (ret == -EAGAIN)
				qp->eagain++;
			return ret;
		}
	}
	ret = nvf_qpair_submit_cmd(qp, &c, l, cb, arg);
	if (ret < 0 && l)
		nvf_list_put(qp, l);
	return ret;
}
