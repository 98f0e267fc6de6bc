/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A command's data pointer (PRP1/PRP2 with PRP lists, or an SGL) turned into the host memory it
 * names. The whole pointer is walked and every piece translated before any byte moves, so a
 * pointer that leaves mapped memory fails the command with a data transfer error and touches
 * nothing, as an IOMMU fault would stop a device's DMA.
 */
#include <string.h>

#include "sim/priv.h"

#define PRP_OFFSET_INVALID (NVF_SIM_GENERIC(NVME_SC_PRP_INVALID_OFFSET) | NVF_SIM_DNR)
/* "Invalid SGL Segment Descriptor" since NVMe 1.3 (it was "Invalid SGL Last Segment"). */
#define SGL_SEG_INVALID	   (NVF_SIM_GENERIC(NVME_SC_SGL_INVALID_LAST) | NVF_SIM_DNR)
#define SGL_COUNT_INVALID  (NVF_SIM_GENERIC(NVME_SC_SGL_INVALID_COUNT) | NVF_SIM_DNR)
#define SGL_LENGTH_INVALID (NVF_SIM_GENERIC(NVME_SC_SGL_INVALID_DATA) | NVF_SIM_DNR)
#define SGL_TYPE_INVALID   (NVF_SIM_GENERIC(NVME_SC_SGL_INVALID_TYPE) | NVF_SIM_DNR)

/* Descriptors followed per command at most, so that a looping segment chain ends. */
#define SGL_MAX_DESCS 65536

static inline uint16_t add_seg(struct nvf_sim_thread *t, unsigned int *n,
			       const struct nvf_sim_xport *x, uint64_t iova, uint32_t len)
{
	uint8_t *p = nvf_sim_dma(x, iova, len);
	struct nvf_sim_seg *s;

	if (nvf_sim_unlikely(!p))
		return NVF_SIM_DATA_XFER;
	if (*n) {
		s = &t->segs[*n - 1];
		if (s->p + s->len == p) {
			s->len += len;
			return 0;
		}
	}
	if (nvf_sim_unlikely(*n == NVF_SIM_MAX_SEGS))
		return NVF_SIM_GENERIC(NVME_SC_INTERNAL);
	s = &t->segs[(*n)++];
	s->p = p;
	s->len = len;
	return 0;
}

static uint16_t map_prp(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t len,
			unsigned int *nsegs)
{
	const struct nvfio_sim *sim = t->sim;
	const struct nvf_sim_xport *x = &sim->x;
	uint64_t ps = 1ull << sim->page_shift, mask = ps - 1;
	uint64_t prp1 = cmd->dptr[0], prp2 = cmd->dptr[1], list;
	uint32_t first, rem;
	unsigned int n = 0;
	uint16_t st;

	if (nvf_sim_unlikely(prp1 & 3))
		return PRP_OFFSET_INVALID;
	first = (uint32_t)(ps - (prp1 & mask));
	if (first > len)
		first = len;
	st = add_seg(t, &n, x, prp1, first);
	if (nvf_sim_unlikely(st))
		return st;
	rem = len - first;
	if (nvf_sim_likely(!rem))
		goto out;
	if (rem <= ps) {
		if (nvf_sim_unlikely(prp2 & mask))
			return PRP_OFFSET_INVALID;
		st = add_seg(t, &n, x, prp2, rem);
		if (nvf_sim_unlikely(st))
			return st;
		goto out;
	}

	/* PRP2 points to a list; the last entry of each list page chains to the next page. */
	list = prp2;
	if (nvf_sim_unlikely(list & 7))
		return PRP_OFFSET_INVALID;
	while (rem) {
		uint64_t slots = (ps - (list & mask)) / 8;
		uint64_t need = (rem + ps - 1) / ps;
		uint64_t take = need <= slots ? need : slots;
		const uint64_t *ent = nvf_sim_dma(x, list, take * 8);

		if (nvf_sim_unlikely(!ent))
			return NVF_SIM_DATA_XFER;
		for (uint64_t i = 0; i < take; i++) {
			uint64_t e = ent[i];
			uint32_t in = rem < ps ? rem : (uint32_t)ps;

			if (i == slots - 1 && need > slots) {
				if (nvf_sim_unlikely(e & mask))
					return PRP_OFFSET_INVALID;
				list = e;
				break;
			}
			if (nvf_sim_unlikely(e & mask))
				return PRP_OFFSET_INVALID;
			st = add_seg(t, &n, x, e, in);
			if (nvf_sim_unlikely(st))
				return st;
			rem -= in;
		}
	}
out:
	*nsegs = n;
	return 0;
}

static uint16_t map_sgl(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t len,
			unsigned int *nsegs)
{
	const struct nvf_sim_xport *x = &t->sim->x;
	struct nvf_sim_sgl_desc cur;
	const struct nvf_sim_sgl_desc *list = NULL;
	uint32_t nlist = 0, idx = 0, rem = len;
	unsigned int n = 0, seen = 0;
	bool in_last = false;
	uint16_t st;

	memcpy(&cur, cmd->dptr, sizeof(cur));
	for (;;) {
		uint8_t type = cur.type >> 4;

		if (nvf_sim_unlikely(++seen > SGL_MAX_DESCS))
			return SGL_COUNT_INVALID;
		if (nvf_sim_unlikely(cur.type & 0xf))
			return SGL_TYPE_INVALID;
		switch (type) {
		case NVF_SIM_SGL_DATA_BLOCK:
			if (rem && cur.len) {
				uint32_t in = cur.len < rem ? cur.len : rem;

				st = add_seg(t, &n, x, cur.addr, in);
				if (nvf_sim_unlikely(st))
					return st;
				rem -= in;
			}
			break;
		case NVF_SIM_SGL_SEGMENT:
		case NVF_SIM_SGL_LAST_SEGMENT:
			/* Invalid SGL Segment Descriptor covers a segment descriptor inside the
			 * last segment, one that does not end its segment, and one whose length
			 * is not a whole number of descriptors. */
			if (in_last || (list && idx != nlist))
				return SGL_SEG_INVALID;
			if (!cur.len || cur.len % sizeof(struct nvf_sim_sgl_desc))
				return SGL_SEG_INVALID;
			list = nvf_sim_dma(x, cur.addr, cur.len);
			if (nvf_sim_unlikely(!list))
				return NVF_SIM_DATA_XFER;
			nlist = cur.len / sizeof(struct nvf_sim_sgl_desc);
			idx = 0;
			in_last = type == NVF_SIM_SGL_LAST_SEGMENT;
			break;
		default:
			return SGL_TYPE_INVALID;
		}
		/* Descriptors beyond the transfer length are ignored (SGLS bit 18). */
		if (!rem)
			break;
		if (!list || idx == nlist)
			return SGL_LENGTH_INVALID;
		memcpy(&cur, &list[idx++], sizeof(cur));
	}
	*nsegs = n;
	return 0;
}

uint16_t nvf_sim_map_data(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t len,
			  bool admin, unsigned int *nsegs)
{
	unsigned int psdt = NVF_SIM_SQE_PSDT(cmd->flags);

	if (nvf_sim_likely(psdt == NVF_SIM_PSDT_PRP))
		return map_prp(t, cmd, len, nsegs);
	/* Admin commands on PCIe carry PRPs only; PSDT 10b (MPTR as an SGL) needs SGLS bit 19,
	 * which the model does not advertise, and 11b is reserved. */
	if (admin || !t->sim->opts.sgl || psdt != NVF_SIM_PSDT_SGL_MPTR_CONTIG)
		return NVF_SIM_INVALID_FIELD;
	return map_sgl(t, cmd, len, nsegs);
}

uint16_t nvf_sim_to_host(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, const void *buf,
			 uint32_t len, bool admin)
{
	const uint8_t *b = buf;
	unsigned int n;
	uint16_t st = nvf_sim_map_data(t, cmd, len, admin, &n);

	if (st)
		return st;
	for (unsigned int i = 0; i < n; i++) {
		memcpy(t->segs[i].p, b, t->segs[i].len);
		b += t->segs[i].len;
	}
	return 0;
}

uint16_t nvf_sim_from_host(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, void *buf,
			   uint32_t len, bool admin)
{
	uint8_t *b = buf;
	unsigned int n;
	uint16_t st = nvf_sim_map_data(t, cmd, len, admin, &n);

	if (st)
		return st;
	for (unsigned int i = 0; i < n; i++) {
		memcpy(b, t->segs[i].p, t->segs[i].len);
		b += t->segs[i].len;
	}
	return 0;
}
