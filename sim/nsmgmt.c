/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Namespaces: one slot per NSID up to Identify NN, each allocated or not and, when allocated,
 * attached to the controller or not; Namespace Management (create, delete) and Namespace
 * Attachment (attach, detach) change them. All on thread 0; the I/O threads find an attached
 * namespace in sim->nsa[], which changes only while they are parked.
 *
 * Capacity: a namespace takes NCAP blocks of TNVMCAP (the capacity= option); UNVMCAP is what is
 * left. NCAP below NSZE (thin provisioning) is taken where the storage is thin (sparse, null).
 * In a file, a namespace created later takes the lowest free extent that fits (the file grows
 * when none does); only the namespaces of the options are found again by a reopen.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sim/priv.h"

#define CMD_SPEC_DNR(sc) (NVF_SIM_CMD_SPEC(sc) | NVF_SIM_DNR)
#define INVALID_FORMAT	 CMD_SPEC_DNR(NVME_SC_INVALID_FORMAT)
#define INSUFFICIENT_CAP CMD_SPEC_DNR(NVME_SC_NS_INSUFFICIENT_CAP)
#define NSID_UNAVAILABLE CMD_SPEC_DNR(NVME_SC_NS_ID_UNAVAILABLE)
#define ALREADY_ATTACHED CMD_SPEC_DNR(NVME_SC_NS_ALREADY_ATTACHED)
#define NOT_ATTACHED	 CMD_SPEC_DNR(NVME_SC_NS_NOT_ATTACHED)
#define THIN_UNSUPPORTED CMD_SPEC_DNR(NVME_SC_THIN_PROV_NOT_SUPP)
#define CTRL_LIST_BAD	 CMD_SPEC_DNR(NVME_SC_CTRL_LIST_INVALID)
#define IOCS_UNSUPPORTED (NVF_SIM_GENERIC(NVME_SC_IOCS_NOT_SUPPORTED) | NVF_SIM_DNR)
#define INTERNAL_ERROR	 NVF_SIM_GENERIC(NVME_SC_INTERNAL)

/* Identifiers derived from the serial number, the NSID and how many namespaces were created
 * before: a reopen with the same options finds the same ones, and a namespace created in a slot
 * that an earlier one left gets new ones (the spec forbids reusing an NGUID or EUI-64). */
static void ns_ids(struct nvfio_sim *sim, struct nvf_sim_ns *ns, uint32_t generation)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = sim->opts.serial; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	h = (h ^ ns->nsid) * 1099511628211ull;
	if (generation)
		h = (h ^ generation) * 1099511628211ull;
	for (unsigned int i = 0; i < 8; i++)
		ns->eui64[i] = (uint8_t)(h >> (56 - 8 * i));
	ns->eui64[0] = 0x02; /* locally administered */
	for (unsigned int i = 0; i < 16; i++) {
		h = (h ^ i) * 1099511628211ull;
		ns->nguid[i] = (uint8_t)(h >> 24);
		ns->uuid[i] = (uint8_t)(h >> 40);
	}
	ns->uuid[6] = (uint8_t)((ns->uuid[6] & 0x0f) | 0x40); /* version 4 */
	ns->uuid[8] = (uint8_t)((ns->uuid[8] & 0x3f) | 0x80); /* variant 1 */
}

int nvf_sim_ns_setup(struct nvfio_sim *sim, struct nvf_sim_ns *ns, unsigned int lbaf,
		     uint64_t nsze, uint64_t ncap, uint64_t file_off)
{
	int ret;

	ns->lbaf = lbaf;
	ns->lbads = nvf_sim_lbafs[lbaf].ds;
	ns->ms = nvf_sim_lbafs[lbaf].ms;
	ns->nsze = nsze;
	ns->ncap = ncap;
	ns->bytes = nsze << ns->lbads;
	ns->cap_bytes = ncap << ns->lbads;
	ns_ids(sim, ns, sim->ns_generation);
	ret = nvf_sim_store_open(sim, ns, ns->bytes, file_off);
	if (ret) {
		nvf_sim_store_close(&ns->store);
		return ret;
	}
	ns->allocated = true;
	return 0;
}

struct nvf_sim_ns *nvf_sim_ns_slot(struct nvfio_sim *sim, uint32_t nsid)
{
	if (nsid == 0 || nsid > sim->nn)
		return NULL;
	return &sim->ns[nsid - 1];
}

uint64_t nvf_sim_ns_unallocated(struct nvfio_sim *sim)
{
	uint64_t used = 0;

	for (unsigned int i = 0; i < sim->nn; i++)
		if (sim->ns[i].allocated)
			used += sim->ns[i].cap_bytes;
	return used < sim->opts.capacity ? sim->opts.capacity - used : 0;
}

/* The lowest offset of the file where @size bytes overlap no namespace; the file grows to hold
 * them. 0 or -errno. */
static int file_extent(struct nvfio_sim *sim, uint64_t size, uint64_t *off)
{
	uint64_t at = NVF_SIM_IMAGE_DATA;
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned int i = 0; i < sim->nn; i++) {
			const struct nvf_sim_store *st = &sim->ns[i].store;

			if (!sim->ns[i].allocated)
				continue;
			if (at < st->file_off + st->size && st->file_off < at + size) {
				at = st->file_off + st->size;
				moved = true;
			}
		}
	}
	if (at + size > sim->file_len) {
		if (ftruncate(sim->file_fd, (off_t)(at + size)))
			return -errno;
		sim->file_len = at + size;
	}
	*off = at;
	return 0;
}

static void attach(struct nvfio_sim *sim, struct nvf_sim_ns *ns)
{
	nvf_sim_park(sim);
	ns->attached = true;
	sim->nsa[ns->nsid - 1] = ns;
	nvf_sim_unpark(sim);
	nvf_sim_ns_changed(sim, ns->nsid);
}

static void detach(struct nvfio_sim *sim, struct nvf_sim_ns *ns)
{
	nvf_sim_park(sim);
	ns->attached = false;
	sim->nsa[ns->nsid - 1] = NULL;
	nvf_sim_unpark(sim);
	nvf_sim_selftest_abort(sim, ns->nsid, NVME_ST_RESULT_NS_REMOVED);
	nvf_sim_ns_changed(sim, ns->nsid);
}

static void ns_delete(struct nvfio_sim *sim, struct nvf_sim_ns *ns)
{
	uint32_t nsid = ns->nsid;

	if (ns->attached)
		detach(sim, ns);
	else
		nvf_sim_selftest_abort(sim, nsid, NVME_ST_RESULT_NS_REMOVED);
	/* No thread reads a detached namespace's store, but one may have retired its chunks. */
	nvf_sim_park(sim);
	nvf_sim_store_reclaim(sim);
	nvf_sim_unpark(sim);
	nvf_sim_store_close(&ns->store);
	memset(ns, 0, sizeof(*ns));
	ns->nsid = nsid;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint16_t ns_create(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0)
{
	struct nvfio_sim *sim = t->sim;
	uint8_t buf[NVME_IDENTIFY_DATA_SIZE];
	const struct nvme_id_ns *id = (const struct nvme_id_ns *)buf;
	uint64_t nsze, ncap, off = 0;
	unsigned int lbaf, lbads;
	struct nvf_sim_ns *ns = NULL;
	uint16_t st;

	if (cmd->cdw11 >> 24 != NVME_CSI_NVM)
		return IOCS_UNSUPPORTED;
	st = nvf_sim_from_host(t, cmd, buf, sizeof(buf), true);
	if (st)
		return st;
	nsze = le64(buf + offsetof(struct nvme_id_ns, nsze));
	ncap = le64(buf + offsetof(struct nvme_id_ns, ncap));
	lbaf = (id->flbas & 0xf) | ((id->flbas >> 5) & 0x3) << 4;
	if (lbaf >= NVF_SIM_NLBAF || (id->flbas & (1u << 4)))
		return INVALID_FORMAT; /* no such format, or metadata at the end of the block */
	lbads = nvf_sim_lbafs[lbaf].ds;
	if (id->dps || (id->nmic & ~1u) || !nsze || !ncap || ncap > nsze ||
	    nsze > (1ull << 50) >> lbads)
		return NVF_SIM_INVALID_FIELD;
	if (ncap < nsze && sim->opts.storage != NVF_SIM_STORE_SPARSE &&
	    sim->opts.storage != NVF_SIM_STORE_NULL)
		return THIN_UNSUPPORTED;
	for (unsigned int i = 0; i < sim->nn && !ns; i++)
		if (!sim->ns[i].allocated)
			ns = &sim->ns[i];
	if (!ns)
		return NSID_UNAVAILABLE;
	if (ncap << lbads > nvf_sim_ns_unallocated(sim))
		return INSUFFICIENT_CAP;
	if (sim->opts.storage == NVF_SIM_STORE_FILE &&
	    file_extent(sim, nvf_sim_store_size(nsze << lbads), &off))
		return INTERNAL_ERROR;
	sim->ns_generation++;
	if (nvf_sim_ns_setup(sim, ns, lbaf, nsze, ncap, off))
		return INTERNAL_ERROR;
	ns->nmic = id->nmic;
	/* What a file held there before is not this namespace's: it starts as zeroes. */
	if (ns->store.kind == NVF_SIM_STORE_FILE)
		nvf_sim_store_erase(&ns->store);
	*dw0 = ns->nsid;
	return 0;
}

uint16_t nvf_sim_ns_mgmt(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_ns *ns;

	switch (cmd->cdw10 & 0xf) {
	case NVME_NS_MGMT_SEL_CREATE:
		return ns_create(t, cmd, dw0);
	case NVME_NS_MGMT_SEL_DELETE:
		if (cmd->nsid == NVME_NSID_ALL) {
			for (unsigned int i = 0; i < sim->nn; i++)
				if (sim->ns[i].allocated)
					ns_delete(sim, &sim->ns[i]);
			return 0;
		}
		ns = nvf_sim_ns_slot(sim, cmd->nsid);
		if (!ns || !ns->allocated)
			return NVF_SIM_INVALID_NS;
		ns_delete(sim, ns);
		return 0;
	default:
		return NVF_SIM_INVALID_FIELD;
	}
}

uint16_t nvf_sim_ns_attach(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_ns *ns = nvf_sim_ns_slot(sim, cmd->nsid);
	unsigned int sel = cmd->cdw10 & 0xf;
	uint8_t buf[NVME_IDENTIFY_DATA_SIZE];
	unsigned int n;
	uint16_t st;

	if (sel != NVME_NS_ATTACH_SEL_CTRL_ATTACH && sel != NVME_NS_ATTACH_SEL_CTRL_DEATTACH)
		return NVF_SIM_INVALID_FIELD;
	if (!ns || !ns->allocated)
		return NVF_SIM_INVALID_NS;
	st = nvf_sim_from_host(t, cmd, buf, sizeof(buf), true);
	if (st)
		return st;
	/* A controller list: the number of identifiers, then each; this subsystem has one. */
	n = buf[0] | (unsigned int)buf[1] << 8;
	if (n != 1 || (buf[2] | buf[3] << 8) != NVF_SIM_CNTLID)
		return CTRL_LIST_BAD;
	if (sel == NVME_NS_ATTACH_SEL_CTRL_ATTACH) {
		if (ns->attached)
			return ALREADY_ATTACHED;
		attach(sim, ns);
	} else {
		if (!ns->attached)
			return NOT_ATTACHED;
		detach(sim, ns);
	}
	return 0;
}
