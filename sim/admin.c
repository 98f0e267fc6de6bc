/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admin commands of the controller model. All run on thread 0.
 */
#include <stdio.h>
#include <string.h>

#include "sim/cq.h"
#include "sim/priv.h"

#define NVF_SIM_VID	 0x4e56 /* not a registered PCI vendor: this is no real device */
#define INVALID_FORMAT	 (NVF_SIM_CMD_SPEC(NVME_SC_INVALID_FORMAT) | NVF_SIM_DNR)
#define INVALID_LOG_PAGE (NVF_SIM_CMD_SPEC(NVME_SC_INVALID_LOG_PAGE) | NVF_SIM_DNR)
#define AER_LIMIT	 (NVF_SIM_CMD_SPEC(NVME_SC_ASYNC_LIMIT) | NVF_SIM_DNR)
#define NOT_SAVEABLE	 (NVF_SIM_CMD_SPEC(NVME_SC_FEATURE_NOT_SAVEABLE) | NVF_SIM_DNR)
#define CMD_SEQ_ERROR	 (NVF_SIM_GENERIC(NVME_SC_CMD_SEQ_ERROR) | NVF_SIM_DNR)
/* Commands Supported and Effects, Command Submission and Execution (bits 18:16): submit only
 * with nothing else outstanding for the namespace (001b) or for any namespace (010b). */
#define CSE_ONE_NS (1u << 16)
#define CSE_ALL_NS (2u << 16)

static void pad(char *dst, const char *src, size_t len)
{
	size_t n = strlen(src);

	memset(dst, ' ', len);
	memcpy(dst, src, n < len ? n : len);
}

static void put128(uint8_t *dst, uint64_t v)
{
	memset(dst, 0, 16);
	for (unsigned int i = 0; i < 8; i++)
		dst[i] = (uint8_t)(v >> (8 * i));
}

/* The attached (active) namespace @nsid, or NULL. */
static struct nvf_sim_ns *ns_get(struct nvfio_sim *sim, uint32_t nsid)
{
	if (nsid == 0 || nsid > sim->nn)
		return NULL;
	return sim->nsa[nsid - 1];
}

/* ---- Identify ---- */

static void id_ctrl(struct nvfio_sim *sim, struct nvme_id_ctrl *id)
{
	const struct nvf_sim_opts *o = &sim->opts;

	id->vid = NVF_SIM_VID;
	id->ssvid = NVF_SIM_VID;
	pad(id->sn, o->serial, sizeof(id->sn));
	pad(id->mn, o->model, sizeof(id->mn));
	memcpy(id->fr, nvf_sim_fw_running(sim), sizeof(id->fr));
	id->rab = 6;
	id->mdts = (uint8_t)o->mdts;
	id->cntlid = NVF_SIM_CNTLID;
	id->ver = 0x00010400;
	id->rtd3r = 1000;
	id->rtd3e = 1000;
	id->oaes = 1u << 8 /* Namespace Attribute Notices */ | 1u << 9 /* Firmware Activation */;
	id->cntrltype = 1; /* I/O controller */
	id->oacs = NVME_CTRL_OACS_FORMAT | NVME_CTRL_OACS_FW | NVME_CTRL_OACS_NS_MGMT |
		   NVME_CTRL_OACS_SELF_TEST | (o->dbbuf ? NVME_CTRL_OACS_DBBUF_CFG : 0);
	id->acl = NVF_SIM_ACL;
	id->aerl = NVF_SIM_AERL;
	id->frmw = (uint8_t)((o->fw_ro ? NVME_CTRL_FRMW_1ST_RO : 0) | o->fw_slots << 1 |
			     (o->fw_immediate ? NVME_CTRL_FRMW_FW_ACT_NO_RESET : 0));
	id->fwug = (uint8_t)o->fwug;
	id->lpa = 1u << 1 /* Commands Supported and Effects */ | 1u << 2 /* extended data */;
	put128(id->tnvmcap, o->capacity);
	put128(id->unvmcap, nvf_sim_ns_unallocated(sim));
	/* Minutes, rounded up: the extended test takes selftest_ext_ms. */
	id->edstt = (uint16_t)((o->selftest_ext_ms + 59999) / 60000);
	id->dsto = 1; /* one device self-test at a time in the subsystem */
	id->sanicap = o->sanicap | (o->ndi ? NVME_CTRL_SANICAP_NDI : 0) |
		      1u << 30 /* NODMMAS 01b: media not modified again after a sanitize */;
	id->elpe = NVF_SIM_ERRLOG - 1;
	id->npss = 0;
	id->wctemp = NVF_SIM_WCTEMP;
	id->cctemp = NVF_SIM_CCTEMP;
	id->sqes = 0x66;
	id->cqes = 0x44;
	id->nn = sim->nn;
	id->oncs = 1u << 0 /* Compare */ | 1u << 2 /* DSM */ | 1u << 3 /* Write Zeroes */ |
		   1u << 4 /* Save/Select */ | 1u << 6 /* Timestamp */;
	id->vwc = o->vwc ? 0x7 : 0; /* present; Flush with NSID FFFFFFFFh applies to all */
	/* SGLs without alignment rules, and longer than the transfer (the excess is ignored).
	 * No Bit Bucket descriptors (bit 16): they fail with SGL Descriptor Type Invalid. */
	id->sgls = o->sgl ? (1u << 0 | NVME_CTRL_SGLS_OVERSIZE) : 0;
	snprintf(id->subnqn, sizeof(id->subnqn), "nqn.2024-01.io.nvfio:sim:%s", o->serial);
	id->psd[0].mp = 2500; /* 25 W, in 0.01 W */
}

/* What every namespace shares: the LBA formats, metadata and deallocation behaviour. */
static void id_ns_common(struct nvme_id_ns *id)
{
	id->nlbaf = NVF_SIM_NLBAF - 1;
	id->mc = 1u << 1; /* metadata in a separate buffer */
	id->dlfeat = 1u << 3 /* Deallocate bit of Write Zeroes */ | 0x1 /* reads as zeroes */;
	for (unsigned int i = 0; i < NVF_SIM_NLBAF; i++) {
		id->lbaf[i].ms = nvf_sim_lbafs[i].ms;
		id->lbaf[i].ds = nvf_sim_lbafs[i].ds;
		id->lbaf[i].rp = nvf_sim_lbafs[i].ds == 12 ? 0 : 1;
	}
}

static void id_ns(const struct nvf_sim_ns *ns, struct nvme_id_ns *id)
{
	id_ns_common(id);
	id->nsze = ns->nsze;
	id->ncap = ns->ncap;
	id->nuse = ns->ncap;
	id->nmic = ns->nmic;
	if (ns->store.kind == NVF_SIM_STORE_SPARSE || ns->store.kind == NVF_SIM_STORE_NULL) {
		/* Thin provisioning: NUSE counts the blocks that hold data, in whole chunks
		 * (a chunk is allocated by the first write to any of its blocks). */
		uint64_t chunks =
		    atomic_load_explicit(&ns->store.data_chunks, memory_order_relaxed);
		uint64_t used = chunks << (NVF_SIM_CHUNK_SHIFT - ns->lbads);

		id->nsfeat |= NVME_NS_FEAT_THIN;
		id->nuse = used < ns->ncap ? used : ns->ncap;
	}
	id->flbas = (uint8_t)((ns->lbaf & 0xf) | (ns->lbaf >> 4) << 5);
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	memcpy(id->eui64, ns->eui64, sizeof(id->eui64));
}

/* A Controller List: the controllers from @cntid up that @attached says; there is one. */
static void ctrl_list(uint8_t *buf, unsigned int cntid, bool attached)
{
	if (!attached || cntid > NVF_SIM_CNTLID)
		return;
	buf[0] = 1;
	buf[2] = NVF_SIM_CNTLID & 0xff;
	buf[3] = NVF_SIM_CNTLID >> 8;
}

/* A namespace list of the NSIDs above @from that are attached (or only allocated). */
static uint16_t ns_list(struct nvfio_sim *sim, uint32_t from, bool allocated, uint32_t *list)
{
	unsigned int n = 0;

	if (from >= 0xfffffffeu)
		return NVF_SIM_INVALID_NS;
	for (uint32_t id = from + 1; id <= sim->nn && n < NVME_ID_NS_LIST_MAX; id++)
		if (allocated ? sim->ns[id - 1].allocated : sim->nsa[id - 1] != NULL)
			list[n++] = id;
	return 0;
}

static uint16_t identify(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvfio_sim *sim = t->sim;
	uint8_t buf[NVME_IDENTIFY_DATA_SIZE];
	unsigned int cns = cmd->cdw10 & 0xff, cntid = cmd->cdw10 >> 16;
	struct nvf_sim_ns *ns;
	uint16_t st;

	memset(buf, 0, sizeof(buf));
	switch (cns) {
	case NVME_IDENTIFY_CNS_NS:
	case NVME_IDENTIFY_CNS_ALLOCATED_NS:
		if (cmd->nsid == NVME_NSID_ALL && cns == NVME_IDENTIFY_CNS_NS) {
			id_ns_common((struct nvme_id_ns *)buf);
			break;
		}
		ns = nvf_sim_ns_slot(sim, cmd->nsid);
		if (!ns)
			return NVF_SIM_INVALID_NS;
		/* An NSID that is valid but not active (or not allocated) reads as zeroes. */
		if (cns == NVME_IDENTIFY_CNS_NS ? ns->attached : ns->allocated)
			id_ns(ns, (struct nvme_id_ns *)buf);
		break;
	case NVME_IDENTIFY_CNS_CTRL:
		id_ctrl(sim, (struct nvme_id_ctrl *)buf);
		break;
	case NVME_IDENTIFY_CNS_NS_ACTIVE_LIST:
	case NVME_IDENTIFY_CNS_ALLOCATED_NS_LIST:
		st = ns_list(sim, cmd->nsid, cns == NVME_IDENTIFY_CNS_ALLOCATED_NS_LIST,
			     (uint32_t *)buf);
		if (st)
			return st;
		break;
	case NVME_IDENTIFY_CNS_NS_CTRL_LIST:
		ns = nvf_sim_ns_slot(sim, cmd->nsid);
		if (!ns)
			return NVF_SIM_INVALID_NS;
		ctrl_list(buf, cntid, ns->attached);
		break;
	case NVME_IDENTIFY_CNS_CTRL_LIST:
		ctrl_list(buf, cntid, true);
		break;
	case NVME_IDENTIFY_CNS_NS_DESC_LIST: {
		uint8_t *p = buf;

		ns = ns_get(sim, cmd->nsid);
		if (!ns)
			return NVF_SIM_INVALID_NS;
		p[0] = NVME_NIDT_EUI64;
		p[1] = NVME_NIDT_EUI64_LEN;
		memcpy(p + 4, ns->eui64, 8);
		p += 4 + 8;
		p[0] = NVME_NIDT_NGUID;
		p[1] = NVME_NIDT_NGUID_LEN;
		memcpy(p + 4, ns->nguid, 16);
		p += 4 + 16;
		p[0] = NVME_NIDT_UUID;
		p[1] = NVME_NIDT_UUID_LEN;
		memcpy(p + 4, ns->uuid, 16);
		p += 4 + 16;
		p[0] = NVME_NIDT_CSI;
		p[1] = NVME_NIDT_CSI_LEN;
		p[4] = NVME_CSI_NVM;
		break;
	}
	default:
		return NVF_SIM_INVALID_FIELD;
	}
	/* A broken device's data, as the options ask (bounds checked when parsed). */
	for (unsigned int i = 0; i < sim->opts.nidpatch; i++) {
		const struct nvf_sim_idpatch *p = &sim->opts.idpatch[i];

		if (p->cns != cns || (!p->any_nsid && p->nsid != cmd->nsid))
			continue;
		for (unsigned int r = 0; r < p->repeat; r++)
			memcpy(buf + p->off + (size_t)r * p->len, p->bytes, p->len);
	}
	return nvf_sim_to_host(t, cmd, buf, sizeof(buf), true);
}

/* ---- Asynchronous events ---- */

void nvf_sim_aer_flush(struct nvfio_sim *sim)
{
	struct nvf_sim_cq *cq = &sim->cq[0];

	pthread_mutex_lock(&sim->ev_lock);
	while (sim->naer) {
		unsigned int i;
		struct nvf_sim_event ev;

		for (i = 0; i < sim->nev; i++)
			if (!(sim->ev_masked & (1u << sim->evq[i].type)))
				break;
		if (i == sim->nev)
			break;
		ev = sim->evq[i];
		/* Counted before the completion is posted, so that a host which has seen the
		 * completion also sees it counted; taken back if the admin CQ has no room. */
		NVF_SIM_STAT_ADD(sim, events_completed, 1);
		NVF_SIM_STAT_SET(sim, aer_outstanding, sim->naer - 1);
		if (!nvf_sim_cq_post(
			cq, 0, (uint16_t)sim->sq[0].head, sim->aer_cid[sim->naer - 1], 0,
			(uint32_t)ev.type | (uint32_t)ev.info << 8 | (uint32_t)ev.lid << 16)) {
			NVF_SIM_STAT_ADD(sim, events_completed, (uint64_t)-1);
			NVF_SIM_STAT_SET(sim, aer_outstanding, sim->naer);
			/* The admin CQ is full: try again on the next pass. */
			nvf_sim_request_event(sim);
			break;
		}
		memmove(&sim->evq[i], &sim->evq[i + 1], (sim->nev - i - 1) * sizeof(ev));
		sim->nev--;
		sim->naer--;
		sim->ev_masked |= (uint8_t)(1u << ev.type);
		sim->ev_lid[ev.type] = ev.lid;
	}
	pthread_mutex_unlock(&sim->ev_lock);
	if (cq->irq_pending) {
		cq->irq_pending = false;
		nvf_sim_irq(&sim->x, cq->iv);
	}
}

static uint16_t aer(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	if (sim->naer > NVF_SIM_AERL)
		return AER_LIMIT;
	sim->aer_cid[sim->naer++] = cmd->cid;
	NVF_SIM_STAT_SET(sim, aer_outstanding, sim->naer);
	nvf_sim_aer_flush(sim);
	return NVF_SIM_DEFER;
}

/* ---- Get Log Page ---- */

static bool over_temp(struct nvfio_sim *sim)
{
	return NVF_SIM_TEMP_KELVIN > sim->feat.temp_over[0] ||
	       NVF_SIM_TEMP_KELVIN < sim->feat.temp_under[0];
}

static void smart_log(struct nvfio_sim *sim, struct nvme_smart_log *s)
{
	uint64_t rd = 0, wr = 0, rdu = 0, wru = 0;
	uint64_t hours = (nvf_sim_now_ns() - sim->power_on_ns) / 3600000000000ull;

	for (unsigned int i = 0; i < sim->nthr; i++) {
		struct nvf_sim_thread *t = &sim->thr[i];

		rd += atomic_load_explicit(&t->rd_cmds, memory_order_relaxed);
		wr += atomic_load_explicit(&t->wr_cmds, memory_order_relaxed);
		rdu += atomic_load_explicit(&t->rd_units, memory_order_relaxed);
		wru += atomic_load_explicit(&t->wr_units, memory_order_relaxed);
	}
	s->critical_warning = over_temp(sim) ? NVME_SMART_CRIT_TEMPERATURE : 0;
	s->temperature[0] = NVF_SIM_TEMP_KELVIN & 0xff;
	s->temperature[1] = NVF_SIM_TEMP_KELVIN >> 8;
	s->avail_spare = 100;
	s->spare_thresh = 10;
	s->percent_used = 0;
	/* Thousands of 512-byte units, rounded up. */
	put128(s->data_units_read, (rdu + 999) / 1000);
	put128(s->data_units_written, (wru + 999) / 1000);
	put128(s->host_reads, rd);
	put128(s->host_writes, wr);
	put128(s->power_cycles, 1);
	put128(s->power_on_hours, hours);
	put128(s->media_errors, atomic_load_explicit(&sim->media_errors, memory_order_relaxed));
	pthread_mutex_lock(&sim->err_lock);
	put128(s->num_err_log_entries, sim->err_count);
	pthread_mutex_unlock(&sim->err_lock);
	s->temp_sensor[0] = NVF_SIM_TEMP_KELVIN;
}

static void effects_log(struct nvfio_sim *sim, struct nvme_cmd_effects_log *e)
{
	static const uint8_t admin[] = {
	    nvme_admin_delete_sq,   nvme_admin_create_sq,    nvme_admin_get_log_page,
	    nvme_admin_delete_cq,   nvme_admin_create_cq,    nvme_admin_identify,
	    nvme_admin_abort_cmd,   nvme_admin_set_features, nvme_admin_get_features,
	    nvme_admin_async_event, nvme_admin_format_nvm,
	};

	for (unsigned int i = 0; i < sizeof(admin); i++)
		e->acs[admin[i]] = NVME_CMD_EFFECTS_CSUPP;
	e->acs[nvme_admin_format_nvm] |= NVME_CMD_EFFECTS_LBCC | NVME_CMD_EFFECTS_NCC |
					 NVME_CMD_EFFECTS_NIC | CSE_ONE_NS;
	e->acs[nvme_admin_dev_self_test] = NVME_CMD_EFFECTS_CSUPP;
	e->acs[nvme_admin_fw_download] = NVME_CMD_EFFECTS_CSUPP;
	/* A new firmware may change what Identify Controller says. */
	e->acs[nvme_admin_fw_commit] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_CCC;
	e->acs[nvme_admin_ns_mgmt] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_NIC;
	e->acs[nvme_admin_ns_attach] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_NIC;
	if (sim->opts.sanicap)
		e->acs[nvme_admin_sanitize_nvm] =
		    NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC | CSE_ALL_NS;
	if (sim->opts.dbbuf)
		e->acs[nvme_admin_dbbuf] = NVME_CMD_EFFECTS_CSUPP;
	e->iocs[nvme_cmd_flush] = NVME_CMD_EFFECTS_CSUPP;
	e->iocs[nvme_cmd_read] = NVME_CMD_EFFECTS_CSUPP;
	e->iocs[nvme_cmd_compare] = NVME_CMD_EFFECTS_CSUPP;
	e->iocs[nvme_cmd_write] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC;
	e->iocs[nvme_cmd_write_zeroes] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC;
	e->iocs[nvme_cmd_dsm] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC;
}

static uint16_t get_log_page(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd)
{
	struct nvfio_sim *sim = t->sim;
	unsigned int lid = cmd->cdw10 & 0xff;
	bool rae = cmd->cdw10 & (1u << 15);
	uint64_t numd = ((uint64_t)(cmd->cdw11 & 0xffff) << 16 | cmd->cdw10 >> 16) + 1;
	uint64_t off = (uint64_t)cmd->cdw13 << 32 | cmd->cdw12;
	uint8_t *buf = sim->logbuf;
	size_t size = 0;
	uint64_t len = numd * 4;
	unsigned int nchanged = 0;
	uint16_t st;

	if (off & 3)
		return NVF_SIM_INVALID_FIELD;
	memset(buf, 0, sizeof(sim->logbuf));
	switch (lid) {
	case NVME_LOG_LID_ERROR: {
		struct nvme_error_log_page *e = (struct nvme_error_log_page *)buf;
		uint64_t n;

		pthread_mutex_lock(&sim->err_lock);
		n = sim->err_count < NVF_SIM_ERRLOG ? sim->err_count : NVF_SIM_ERRLOG;
		for (uint64_t i = 0; i < n; i++)
			e[i] = sim->errlog[(sim->err_count - 1 - i) % NVF_SIM_ERRLOG];
		pthread_mutex_unlock(&sim->err_lock);
		size = NVF_SIM_ERRLOG * sizeof(*e);
		break;
	}
	case NVME_LOG_LID_SMART:
		smart_log(sim, (struct nvme_smart_log *)buf);
		size = sizeof(struct nvme_smart_log);
		break;
	case NVME_LOG_LID_FW_SLOT:
		size = nvf_sim_fw_log(sim, buf);
		break;
	case NVME_LOG_LID_DEVICE_SELF_TEST:
		size = nvf_sim_selftest_log(sim, buf);
		break;
	case NVME_LOG_LID_SANITIZE:
		if (!sim->opts.sanicap)
			return INVALID_LOG_PAGE;
		size = nvf_sim_sanitize_log(sim, buf);
		break;
	case NVME_LOG_LID_CHANGED_NS: {
		uint32_t *list = (uint32_t *)buf;

		pthread_mutex_lock(&sim->ev_lock);
		nchanged = sim->nchanged;
		if (nchanged > NVME_ID_NS_LIST_MAX)
			list[0] = 0xffffffffu;
		else
			memcpy(list, sim->changed_ns, nchanged * sizeof(uint32_t));
		pthread_mutex_unlock(&sim->ev_lock);
		size = NVME_ID_NS_LIST_MAX * sizeof(uint32_t);
		break;
	}
	case NVME_LOG_LID_CMD_EFFECTS:
		effects_log(sim, (struct nvme_cmd_effects_log *)buf);
		size = sizeof(struct nvme_cmd_effects_log);
		break;
	default:
		return INVALID_LOG_PAGE;
	}
	if (off > size)
		return NVF_SIM_INVALID_FIELD;
	if (len > size - off)
		len = size - off;
	st = len ? nvf_sim_to_host(t, cmd, buf + off, (uint32_t)len, true) : 0;
	if (st)
		return st;
	if (!rae) {
		/* Only a read that reached the host clears what it reported: the namespaces it
		 * listed (others may have been added meanwhile) and the mask of events whose log
		 * page this is. */
		pthread_mutex_lock(&sim->ev_lock);
		if (lid == NVME_LOG_LID_CHANGED_NS) {
			if (nchanged > NVME_ID_NS_LIST_MAX || nchanged >= sim->nchanged) {
				sim->nchanged = 0;
			} else if (sim->nchanged <= NVME_ID_NS_LIST_MAX) {
				memmove(sim->changed_ns, sim->changed_ns + nchanged,
					(sim->nchanged - nchanged) * sizeof(uint32_t));
				sim->nchanged -= nchanged;
			}
		}
		for (unsigned int ty = 0; ty < 8; ty++)
			if ((sim->ev_masked & (1u << ty)) && sim->ev_lid[ty] == lid)
				sim->ev_masked &= (uint8_t) ~(1u << ty);
		pthread_mutex_unlock(&sim->ev_lock);
		nvf_sim_aer_flush(sim);
	}
	return 0;
}

/* ---- Features ---- */

static uint64_t timestamp_now(struct nvfio_sim *sim, bool *host_set)
{
	struct nvf_sim_features *f = &sim->feat;
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	*host_set = f->timestamp_valid;
	if (!f->timestamp_valid)
		return (nvf_sim_now_ns() - sim->power_on_ns) / 1000000;
	ms = (int64_t)(now.tv_sec - f->timestamp_set.tv_sec) * 1000 +
	     (now.tv_nsec - f->timestamp_set.tv_nsec) / 1000000;
	return (f->timestamp_ms + (uint64_t)ms) & ((1ull << 48) - 1);
}

static void check_temperature(struct nvfio_sim *sim)
{
	/* A threshold set across the current temperature raises a SMART / health event, when
	 * the host enabled critical warning bit 1 in Asynchronous Event Configuration. */
	if (!over_temp(sim)) {
		sim->temp_event_sent = false;
		return;
	}
	if (!sim->temp_event_sent && (sim->feat.async_event & NVME_SMART_CRIT_TEMPERATURE)) {
		sim->temp_event_sent = true;
		nvf_sim_event(sim, NVME_AER_SMART, 0x01, NVME_LOG_LID_SMART);
	}
}

static uint16_t features(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0,
			 bool set)
{
	struct nvfio_sim *sim = t->sim;
	struct nvf_sim_features *f = &sim->feat, def;
	unsigned int fid = cmd->cdw10 & 0xff, sel = (cmd->cdw10 >> 8) & 7;
	uint32_t v = cmd->cdw11;
	const struct nvf_sim_features *src = f;

	if (set && (cmd->cdw10 & (1u << 31)))
		return NOT_SAVEABLE;
	if (!set && sel > 3)
		return NVF_SIM_INVALID_FIELD;
	if (!set && (sel == 1 || sel == 2)) {
		/* Nothing is saveable, so saved values are the defaults. */
		def = *f;
		for (unsigned int i = 0; i < 9; i++) {
			def.temp_over[i] = 0xffff;
			def.temp_under[i] = 0;
		}
		def.temp_over[0] = NVF_SIM_WCTEMP;
		def.arbitration = def.power_mgmt = def.err_recovery = def.irq_coalesce = 0;
		def.write_atomic = def.async_event = def.sanitize_cfg = 0;
		def.vwc = sim->opts.vwc ? 1 : 0;
		def.timestamp_valid = false;
		src = &def;
	}

	switch (fid) {
	case NVME_FEAT_FID_ARBITRATION:
		if (set)
			f->arbitration = v;
		*dw0 = src->arbitration;
		break;
	case NVME_FEAT_FID_POWER_MGMT:
		if (set) {
			if ((v & 0x1f) > 0)
				return NVF_SIM_INVALID_FIELD;
			f->power_mgmt = v & 0xff;
		}
		*dw0 = src->power_mgmt;
		break;
	case NVME_FEAT_FID_TEMP_THRESH: {
		unsigned int tmpsel = (v >> 16) & 0xf, thsel = (v >> 20) & 3;

		if (thsel > 1 || (tmpsel > 8 && !(set && tmpsel == 0xf)))
			return NVF_SIM_INVALID_FIELD;
		if (set) {
			for (unsigned int i = 0; i < 9; i++) {
				if (tmpsel != 0xf && i != tmpsel)
					continue;
				if (thsel)
					f->temp_under[i] = v & 0xffff;
				else
					f->temp_over[i] = v & 0xffff;
			}
			check_temperature(sim);
			*dw0 = 0;
		} else {
			*dw0 = thsel ? src->temp_under[tmpsel] : src->temp_over[tmpsel];
		}
		break;
	}
	case NVME_FEAT_FID_ERR_RECOVERY:
		if (set) {
			if (v & (1u << 16)) /* DULBE: not supported */
				return NVF_SIM_INVALID_FIELD;
			f->err_recovery = v & 0xffff;
		}
		*dw0 = src->err_recovery;
		break;
	case NVME_FEAT_FID_VOLATILE_WC:
		if (!sim->opts.vwc)
			return NVF_SIM_INVALID_FIELD;
		if (set)
			f->vwc = v & 1;
		*dw0 = src->vwc;
		break;
	case NVME_FEAT_FID_NUM_QUEUES:
		if (set) {
			unsigned int nsqr = (v & 0xffff) + 1, ncqr = (v >> 16) + 1;

			if ((v & 0xffff) == 0xffff || (v >> 16) == 0xffff)
				return NVF_SIM_INVALID_FIELD;
			if (sim->queues_created)
				return CMD_SEQ_ERROR;
			sim->nsq_granted = nsqr < sim->opts.queues ? nsqr : sim->opts.queues;
			sim->ncq_granted = ncqr < sim->opts.queues ? ncqr : sim->opts.queues;
		}
		if (src == f)
			*dw0 = (sim->ncq_granted - 1) << 16 | (sim->nsq_granted - 1);
		else
			*dw0 = (sim->opts.queues - 1) << 16 | (sim->opts.queues - 1);
		break;
	case NVME_FEAT_FID_IRQ_COALESCE:
		if (set)
			f->irq_coalesce = v & 0xffff;
		*dw0 = src->irq_coalesce;
		break;
	case NVME_FEAT_FID_IRQ_CONFIG: {
		unsigned int iv = v & 0xffff;

		if (iv >= sim->x.nirq)
			return NVF_SIM_INVALID_FIELD;
		if (set)
			sim->ivc[iv] = v & 0x1ffff;
		*dw0 = src == f ? sim->ivc[iv] : iv;
		break;
	}
	case NVME_FEAT_FID_WRITE_ATOMIC:
		if (set)
			f->write_atomic = v & 1;
		*dw0 = src->write_atomic;
		break;
	case NVME_FEAT_FID_ASYNC_EVENT:
		if (set) {
			f->async_event = v;
			check_temperature(sim);
		}
		*dw0 = src->async_event;
		break;
	case NVME_FEAT_FID_SANITIZE:
		if (!sim->opts.sanicap)
			return NVF_SIM_INVALID_FIELD;
		if (set)
			f->sanitize_cfg = v & 1;
		*dw0 = src->sanitize_cfg;
		break;
	case NVME_FEAT_FID_TIMESTAMP: {
		uint8_t ts[8];
		uint16_t st;

		if (set) {
			st = nvf_sim_from_host(t, cmd, ts, sizeof(ts), true);
			if (st)
				return st;
			f->timestamp_ms = 0;
			for (unsigned int i = 0; i < 6; i++)
				f->timestamp_ms |= (uint64_t)ts[i] << (8 * i);
			clock_gettime(CLOCK_MONOTONIC, &f->timestamp_set);
			f->timestamp_valid = true;
		} else if (sel != 3) {
			bool host;
			uint64_t now = src == f ? timestamp_now(sim, &host) : 0;

			if (src != f)
				host = false;
			memset(ts, 0, sizeof(ts));
			for (unsigned int i = 0; i < 6; i++)
				ts[i] = (uint8_t)(now >> (8 * i));
			ts[6] = host ? 1u << 1 : 0; /* Timestamp Origin: 1 = set by the host */
			st = nvf_sim_to_host(t, cmd, ts, sizeof(ts), true);
			if (st)
				return st;
		}
		*dw0 = 0;
		break;
	}
	default:
		return NVF_SIM_INVALID_FIELD;
	}
	if (!set && sel == 3)
		*dw0 = 1u << 2; /* changeable, not saveable, not namespace specific */
	return 0;
}

/* ---- Format NVM ---- */

static uint16_t format_nvm(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	unsigned int lbaf = (cmd->cdw10 & 0xf) | ((cmd->cdw10 >> 12) & 0x3) << 4;
	unsigned int mset = (cmd->cdw10 >> 4) & 1, pi = (cmd->cdw10 >> 5) & 7;
	unsigned int ses = (cmd->cdw10 >> 9) & 7;
	uint32_t first, last;
	uint16_t status = 0;

	if (cmd->nsid == NVME_NSID_ALL) {
		first = 1;
		last = sim->nn;
	} else if (ns_get(sim, cmd->nsid)) {
		first = last = cmd->nsid;
	} else {
		return NVF_SIM_INVALID_NS;
	}
	if (lbaf >= NVF_SIM_NLBAF || mset || pi)
		return INVALID_FORMAT;
	if (ses > 1)
		return NVF_SIM_INVALID_FIELD;

	nvf_sim_selftest_abort(sim, cmd->nsid, NVME_ST_RESULT_ABORTED_FORMAT);
	nvf_sim_park(sim);
	for (uint32_t id = first; id <= last; id++) {
		struct nvf_sim_ns *ns = sim->nsa[id - 1];

		if (!ns)
			continue;
		nvf_sim_store_erase(&ns->store);
		ns->lbaf = lbaf;
		ns->lbads = nvf_sim_lbafs[lbaf].ds;
		ns->ms = nvf_sim_lbafs[lbaf].ms;
		ns->nsze = ns->bytes >> ns->lbads;
		ns->ncap = ns->cap_bytes >> ns->lbads;
		/* A file's header says how to read it: a reopen must ask for this format. */
		if (nvf_sim_image_formatted(sim, ns))
			status = NVF_SIM_GENERIC(NVME_SC_INTERNAL);
	}
	nvf_sim_store_reclaim(sim);
	nvf_sim_unpark(sim);
	return status;
}

uint16_t nvf_sim_admin(struct nvf_sim_thread *t, const struct nvf_sim_sqe *cmd, uint32_t *dw0)
{
	struct nvfio_sim *sim = t->sim;

	NVF_SIM_STAT_ADD(sim, admin_commands, 1);
	if (NVF_SIM_SQE_FUSE(cmd->flags))
		return NVF_SIM_INVALID_FIELD;
	if (NVF_SIM_SQE_PSDT(cmd->flags) != NVF_SIM_PSDT_PRP)
		return NVF_SIM_INVALID_FIELD;
	if (nvf_sim_unlikely(atomic_load_explicit(&sim->san.state, memory_order_relaxed) !=
			     NVF_SIM_SAN_IDLE)) {
		uint16_t st = nvf_sim_sanitize_admin_gate(sim, cmd);

		if (st)
			return st;
	}
	switch (cmd->opc) {
	case nvme_admin_identify:
		return identify(t, cmd);
	case nvme_admin_get_log_page:
		return get_log_page(t, cmd);
	case nvme_admin_get_features:
		return features(t, cmd, dw0, false);
	case nvme_admin_set_features:
		return features(t, cmd, dw0, true);
	case nvme_admin_create_cq:
		return nvf_sim_create_cq(sim, cmd);
	case nvme_admin_create_sq:
		return nvf_sim_create_sq(sim, cmd);
	case nvme_admin_delete_sq:
		return nvf_sim_delete_sq(sim, cmd);
	case nvme_admin_delete_cq:
		return nvf_sim_delete_cq(sim, cmd);
	case nvme_admin_abort_cmd:
		return nvf_sim_abort(sim, cmd, dw0);
	case nvme_admin_async_event:
		return aer(sim, cmd);
	case nvme_admin_format_nvm:
		return format_nvm(sim, cmd);
	case nvme_admin_dbbuf:
		if (!sim->opts.dbbuf)
			return NVF_SIM_INVALID_OPCODE;
		return nvf_sim_dbbuf(sim, cmd);
	case nvme_admin_sanitize_nvm:
		if (!sim->opts.sanicap)
			return NVF_SIM_INVALID_OPCODE;
		return nvf_sim_sanitize_cmd(sim, cmd);
	case nvme_admin_dev_self_test:
		return nvf_sim_selftest_cmd(sim, cmd);
	case nvme_admin_fw_download:
		return nvf_sim_fw_download(t, cmd);
	case nvme_admin_fw_commit:
		return nvf_sim_fw_commit(sim, cmd);
	case nvme_admin_ns_mgmt:
		return nvf_sim_ns_mgmt(t, cmd, dw0);
	case nvme_admin_ns_attach:
		return nvf_sim_ns_attach(t, cmd);
	default:
		return NVF_SIM_INVALID_OPCODE;
	}
}
