/* SPDX-License-Identifier: BSD-3-Clause */
/* Data pointers: PRPs, PRP lists and SGLs for a command's buffers. */
#include <errno.h>
#include <string.h>

#include "nvme/dptr.h"
#include "support/error.h"

void nvf_dptr_advance(struct nvf_dptr_cur *c, size_t len)
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
		       (void *)va, len, qp->dev->name);
}

/* PRP-compatible buffers cover consecutive whole pages but for the first's start and the last's
 * end, so the entry count is known before any entry is written. */
int nvf_dptr_prp(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, struct nvf_dptr_cur *c, size_t len,
		 uint16_t *listp)
{
	const struct iovec *iov = &c->iov[c->idx];
	uintptr_t first = (uintptr_t)iov->iov_base + c->off;
	size_t pages = ((first & (NVF_PAGE_SIZE - 1)) + len + NVF_PAGE_SIZE - 1) >> NVF_PAGE_SHIFT;
	struct nvf_dptr_cur cur = *c;
	uint64_t *list = NULL;
	uint16_t l = 0;
	size_t n = 0;

	if (pages > 2) {
		l = nvf_pool_get(&qp->pool, (pages - 1) * sizeof(uint64_t));
		if (!l)
			return -EAGAIN;
		if ((pages - 1) * sizeof(uint64_t) > nvf_pool_size(&qp->pool, l)) {
			nvf_pool_put(&qp->pool, l);
			return nvf_err(
			    -EINVAL, "%zu-byte transfer needs a PRP list longer than a page", len);
		}
		list = nvf_pool_addr(&qp->pool, l);
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
					nvf_pool_put(&qp->pool, l);
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
		nvf_dptr_advance(&cur, seg);
	}
	if (list)
		cmd->dptr[1] = nvf_pool_iova(&qp->pool, l);
	else if (n < 2)
		cmd->dptr[1] = 0;
	*listp = l;
	return 0;
}

int nvf_dptr_prp_buf(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, void *buf, size_t len,
		     uint16_t *list)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct nvf_dptr_cur c = {.iov = &iov, .cnt = 1};

	if ((uintptr_t)buf & 3)
		return nvf_err(-EINVAL, "buffer %p is not 4-byte aligned", buf);
	return nvf_dptr_prp(qp, cmd, &c, len, list);
}

/* The elements are counted first, to choose the slot: a small one when they fit. */
int nvf_dptr_sgl(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, struct nvf_dptr_cur *c,
		 size_t *lenp, uint32_t bs, uint16_t *listp)
{
	struct nvf_sgl_desc one, *d;
	struct nvf_dptr_cur cur = *c;
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
	l = want > 1 ? nvf_pool_get(&qp->pool, want * sizeof(*d)) : 0;
	if (!l && want > NVF_LIST_SMALL / sizeof(*d))
		l = nvf_pool_get(&qp->pool, NVF_LIST_SMALL);
	if (want > 1 && !l)
		return -EAGAIN;
	d = l ? nvf_pool_addr(&qp->pool, l) : &one;
	cap = l ? nvf_pool_size(&qp->pool, l) / sizeof(*d) : 1;

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
						nvf_pool_put(&qp->pool, l);
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
		nvf_dptr_advance(&cur, seg);
	}
	if (mapped < len) {
		/* Out of descriptors: keep whole blocks only. */
		size_t keep = mapped / bs * bs;

		if (!keep) {
			if (l)
				nvf_pool_put(&qp->pool, l);
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
			nvf_pool_put(&qp->pool, l);
		l = 0;
		memcpy(cmd->dptr, d, sizeof(*d));
	} else {
		struct nvf_sgl_desc seg = {
		    .addr = nvf_pool_iova(&qp->pool, l),
		    .len = (uint32_t)(n * sizeof(*d)),
		    .type = NVF_SGL_LAST_SEGMENT,
		};

		memcpy(cmd->dptr, &seg, sizeof(seg));
	}
	*listp = l;
	return 0;
}

bool nvf_dptr_prp_ok(const struct iovec *iov, unsigned int cnt)
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
