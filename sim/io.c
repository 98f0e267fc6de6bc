/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVM command set I/O commands: Read, Write, Flush, Write Zeroes, Dataset Management, Compare.
 * The Read and Write path takes no lock and allocates nothing: decode, bounds check, translate
 * the data pointer, copy.
 */
#include <string.h>

#include "sim/priv.h"

#define COMPARE_FAILURE NVF_SIM_MEDIA(NVME_SC_COMPARE_FAILED)
#define INTERNAL_ERROR	NVF_SIM_GENERIC(NVME_SC_INTERNAL)

static inline struct nvf_sim_ns *ns_get(struct nvfio_sim *sim, uint32_t nsid)
{
	if (nvf_sim_unlikely(nsid - 1 >= sim->nn))
		return NULL;
	return sim->nsa[nsid - 1];
}

static inline uint16_t check_range(const struct nvf_sim_ns *ns, uint64_t slba, uint64_t nlb)
{
	if (nvf_sim_unlikely(slba + nlb > ns->nsze || slba + nlb < slba))
		return NVF_SIM_LBA_RANGE;
	return 0;
}

/* The separate metadata buffer of a command (MPTR: one contiguous buffer). */
static uint16_t map_meta(struct nvfio_sim *sim, const struct nvf_sim_ns *ns,
			 const struct nvf_sim_sqe *cmd, uint32_t nlb, uint8_t **p)
{
	if (NVF_SIM_SQE_PSDT(cmd->flags) == NVF_SIM_PSDT_SGL_MPTR_SGL)
		return NVF_SIM_INVALID_FIELD;
	*p = nvf_sim_dma(&sim->x, cmd->mptr, (size_t)nlb * ns->ms);
	return *p ? 0 : NVF_SIM_DATA_XFER;
}

static uint16_t rw(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, bool write)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_ns *ns = ns_get(sim, cmd->nsid);
	uint64_t slba = (uint64_t)cmd->cdw11 << 32 | cmd->cdw10, off;
	uint32_t nlb = (cmd->cdw12 & 0xffff) + 1, len;
	uint8_t *meta = NULL;
	unsigned int n;
	uint16_t st;

	if (nvf_sim_unlikely(!ns))
		return NVF_SIM_INVALID_NS;
	len = nlb << ns->lbads;
	if (nvf_sim_unlikely(len > sim->mdts_bytes))
		return NVF_SIM_INVALID_FIELD;
	st = check_range(ns, slba, nlb);
	if (nvf_sim_unlikely(st))
		return st;
	if (nvf_sim_likely(
		NVF_SIM_SQE_PSDT(cmd->flags) == NVF_SIM_PSDT_PRP && !(cmd->dptr[0] & 3) &&
		len <= (1u << sim->page_shift) - (cmd->dptr[0] & ((1u << sim->page_shift) - 1)))) {
		/* The common case: the whole transfer within PRP1's page. */
		t->segs[0].p = nvf_sim_dma(&sim->x, cmd->dptr[0], len);
		if (nvf_sim_unlikely(!t->segs[0].p))
			return NVF_SIM_DATA_XFER;
		t->segs[0].len = len;
		n = 1;
	} else {
		st = nvf_sim_map_data(t, cmd, len, false, &n);
		if (nvf_sim_unlikely(st))
			return st;
	}
	if (nvf_sim_unlikely(ns->ms)) {
		st = map_meta(sim, ns, cmd, nlb, &meta);
		if (st)
			return st;
	}

	off = slba << ns->lbads;
	if (write) {
		for (unsigned int i = 0; i < n; i++) {
			if (nvf_sim_unlikely(
				nvf_sim_store_write(&ns->store, off, t->segs[i].p, t->segs[i].len)))
				return INTERNAL_ERROR;
			off += t->segs[i].len;
		}
		if (meta && nvf_sim_store_write(&ns->store, ns->meta_off + slba * ns->ms, meta,
						(size_t)nlb * ns->ms))
			return INTERNAL_ERROR;
		nvf_sim_count(&t->wr_cmds, 1);
		nvf_sim_count(&t->wr_units, len >> 9);
	} else {
		for (unsigned int i = 0; i < n; i++) {
			nvf_sim_store_read(&ns->store, off, t->segs[i].p, t->segs[i].len);
			off += t->segs[i].len;
		}
		if (meta)
			nvf_sim_store_read(&ns->store, ns->meta_off + slba * ns->ms, meta,
					   (size_t)nlb * ns->ms);
		nvf_sim_count(&t->rd_cmds, 1);
		nvf_sim_count(&t->rd_units, len >> 9);
	}
	return 0;
}

static uint16_t compare(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_ns *ns = ns_get(sim, cmd->nsid);
	uint64_t slba = (uint64_t)cmd->cdw11 << 32 | cmd->cdw10, off;
	uint32_t nlb = (cmd->cdw12 & 0xffff) + 1, len;
	uint8_t *meta = NULL;
	unsigned int n;
	uint16_t st;
	bool diff = false;

	if (!ns)
		return NVF_SIM_INVALID_NS;
	len = nlb << ns->lbads;
	if (len > sim->mdts_bytes)
		return NVF_SIM_INVALID_FIELD;
	st = check_range(ns, slba, nlb);
	if (st)
		return st;
	st = nvf_sim_map_data(t, cmd, len, false, &n);
	if (st)
		return st;
	if (ns->ms) {
		st = map_meta(sim, ns, cmd, nlb, &meta);
		if (st)
			return st;
	}
	off = slba << ns->lbads;
	for (unsigned int i = 0; i < n && !diff; i++) {
		diff = nvf_sim_store_cmp(&ns->store, off, t->segs[i].p, t->segs[i].len);
		off += t->segs[i].len;
	}
	if (!diff && meta)
		diff = nvf_sim_store_cmp(&ns->store, ns->meta_off + slba * ns->ms, meta,
					 (size_t)nlb * ns->ms);
	nvf_sim_count(&t->rd_cmds, 1);
	nvf_sim_count(&t->rd_units, len >> 9);
	return diff ? COMPARE_FAILURE : 0;
}

static void zero_blocks(struct nvf_sim_ns *ns, uint64_t slba, uint64_t nlb, bool dealloc)
{
	nvf_sim_store_zero(&ns->store, slba << ns->lbads, nlb << ns->lbads, dealloc);
	if (ns->ms)
		nvf_sim_store_zero(&ns->store, ns->meta_off + slba * ns->ms, nlb * ns->ms, dealloc);
}

static uint16_t write_zeroes(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvf_sim_ns *ns = ns_get(t->sim, cmd->nsid);
	uint64_t slba = (uint64_t)cmd->cdw11 << 32 | cmd->cdw10;
	uint32_t nlb = (cmd->cdw12 & 0xffff) + 1;
	uint16_t st;

	if (!ns)
		return NVF_SIM_INVALID_NS;
	st = check_range(ns, slba, nlb);
	if (st)
		return st;
	/* With or without DEAC the blocks read as zeroes; freeing them is how both are done. */
	zero_blocks(ns, slba, nlb, true);
	nvf_sim_count(&t->wr_cmds, 1);
	return 0;
}

static uint16_t dsm(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvf_sim_ns *ns = ns_get(t->sim, cmd->nsid);
	unsigned int nr = (cmd->cdw10 & 0xff) + 1;
	struct nvme_dsm_range r[NVME_DSM_MAX_RANGES];
	uint16_t st;

	if (!ns)
		return NVF_SIM_INVALID_NS;
	st = nvf_sim_from_host(t, cmd, r, nr * (uint32_t)sizeof(r[0]), false);
	if (st)
		return st;
	for (unsigned int i = 0; i < nr; i++) {
		st = check_range(ns, r[i].slba, r[i].nlb);
		if (st)
			return st;
	}
	if (!(cmd->cdw11 & NVME_DSMGMT_AD))
		return 0; /* integral read/write hints: nothing to do */
	for (unsigned int i = 0; i < nr; i++)
		if (r[i].nlb)
			zero_blocks(ns, r[i].slba, r[i].nlb, true);
	return 0;
}

static uint16_t flush(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_ns *ns;

	if (cmd->nsid == NVME_NSID_ALL && sim->opts.vwc) {
		for (unsigned int i = 0; i < sim->nn; i++)
			if (sim->nsa[i] && nvf_sim_store_flush(&sim->nsa[i]->store))
				return INTERNAL_ERROR;
		return 0;
	}
	ns = ns_get(sim, cmd->nsid);
	if (!ns)
		return NVF_SIM_INVALID_NS;
	return nvf_sim_store_flush(&ns->store) ? INTERNAL_ERROR : 0;
}

uint16_t nvf_sim_io(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0)
{
	(void)dw0;
	if (nvf_sim_unlikely(NVF_SIM_SQE_FUSE(cmd->flags)))
		return NVF_SIM_INVALID_FIELD;
	switch (cmd->opc) {
	case nvme_cmd_read:
		return rw(t, cmd, false);
	case nvme_cmd_write:
		return rw(t, cmd, true);
	case nvme_cmd_flush:
		return flush(t, cmd);
	case nvme_cmd_write_zeroes:
		return write_zeroes(t, cmd);
	case nvme_cmd_dsm:
		return dsm(t, cmd);
	case nvme_cmd_compare:
		return compare(t, cmd);
	default:
		return NVF_SIM_INVALID_OPCODE;
	}
}
