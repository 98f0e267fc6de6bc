/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sanitize: block erase, crypto erase and overwrite (those sanitize= offers, in SANICAP), run in
 * the background for sanitize_ms= on thread 0's clock, with the Sanitize Status log.
 *
 * States as the spec draws them: idle; in progress (started with AUSE 0, restricted, or 1,
 * unrestricted); failed in restricted mode, left only by a new sanitize operation; failed in
 * unrestricted mode, left by Exit Failure Mode or a new operation. While one is in progress, I/O
 * commands other than Flush and the admin commands the spec does not allow fail with Sanitize In
 * Progress; after a restricted failure the same ones fail with Sanitize Failed. A controller
 * reset does not stop an operation. sanitize_fail=N makes the first N operations fail at their
 * end (the data is then left as it was).
 *
 * At the end every allocated namespace, attached or not, reads as zeroes, unless the host asked
 * for No-Deallocate (NDAS) after an overwrite: then it reads the pattern of the last pass. With
 * ndi=on (SANICAP No-Deallocate Inhibited) a command asking for NDAS fails with Invalid Field,
 * or, with Sanitize Config's No-Deallocate Response Mode set, is carried out with deallocation
 * and reported as such in SSTAT.
 *
 * The I/O threads see the state through faults_armed: an operation in progress or a restricted
 * failure holds one count of it, so their commands take the checked path; none else pays.
 */
#include <string.h>

#include "sim/priv.h"

#define IN_PROGRESS NVF_SIM_GENERIC(NVME_SC_SANITIZE_IN_PROGRESS)
#define FAILED	    (NVF_SIM_GENERIC(NVME_SC_SANITIZE_FAILED) | NVF_SIM_DNR)

#define CDW10_AUSE   (1u << 3)
#define CDW10_OIPBP  (1u << 8)
#define CDW10_NDAS   (1u << 9)
#define NODRM	     (1u << 0) /* Sanitize Config: No-Deallocate Response Mode */
#define SSTAT_PASSES 3	       /* completed overwrite passes, bits 7:3 */

static int state(const struct nvfio_sim *sim)
{
	return atomic_load_explicit(&sim->san.state, memory_order_relaxed);
}

/* The I/O threads take the checked path while @on; the park makes sure each has seen it before
 * its next command. */
static void gate(struct nvfio_sim *sim, bool on)
{
	if (sim->san.gated == on)
		return;
	sim->san.gated = on;
	if (on)
		atomic_fetch_add(&sim->faults_armed, 1);
	else
		atomic_fetch_sub(&sim->faults_armed, 1);
	nvf_sim_park(sim);
	nvf_sim_unpark(sim);
}

uint64_t nvf_sim_host_writes(struct nvfio_sim *sim)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < sim->nthr; i++)
		n += atomic_load_explicit(&sim->thr[i].wr_cmds, memory_order_relaxed);
	return n;
}

static bool deallocates(const struct nvfio_sim *sim, uint32_t cdw10)
{
	return !(cdw10 & CDW10_NDAS) || sim->opts.ndi;
}

uint16_t nvf_sim_sanitize_cmd(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	struct nvf_sim_sanitize *s = &sim->san;
	unsigned int act = cmd->cdw10 & 0x7, owpass = (cmd->cdw10 >> 4) & 0xf;
	unsigned int need;

	switch (act) {
	case NVME_SANITIZE_SANACT_EXIT_FAILURE:
		if (state(sim) == NVF_SIM_SAN_RUNNING)
			return IN_PROGRESS;
		if (state(sim) == NVF_SIM_SAN_FAILED_RESTRICTED)
			return FAILED;
		atomic_store(&s->state, NVF_SIM_SAN_IDLE);
		return 0;
	case NVME_SANITIZE_SANACT_START_BLOCK_ERASE:
		need = NVF_SIM_SANITIZE_BLOCK;
		break;
	case NVME_SANITIZE_SANACT_START_OVERWRITE:
		need = NVF_SIM_SANITIZE_OVERWRITE;
		break;
	case NVME_SANITIZE_SANACT_START_CRYPTO_ERASE:
		need = NVF_SIM_SANITIZE_CRYPTO;
		break;
	default:
		return NVF_SIM_INVALID_FIELD;
	}
	if (!(sim->opts.sanicap & need))
		return NVF_SIM_INVALID_FIELD;
	if ((cmd->cdw10 & CDW10_NDAS) && sim->opts.ndi && !(sim->feat.sanitize_cfg & NODRM))
		return NVF_SIM_INVALID_FIELD;
	if (state(sim) == NVF_SIM_SAN_RUNNING)
		return IN_PROGRESS;

	nvf_sim_selftest_abort(sim, NVME_NSID_ALL, NVME_ST_RESULT_ABORTED_SANITIZE);
	s->cdw10 = cmd->cdw10;
	s->pattern = cmd->cdw11;
	s->passes = act == NVME_SANITIZE_SANACT_START_OVERWRITE ? (owpass ? owpass : 16) : 0;
	s->start_ns = nvf_sim_now_ns();
	s->dur_ns = (uint64_t)sim->opts.sanitize_ms * 1000000;
	s->sstat = NVME_SANITIZE_SSTAT_STATUS_IN_PROGESS;
	s->erased = false;
	atomic_store(&s->state, NVF_SIM_SAN_RUNNING);
	gate(sim, true);
	return 0;
}

static void erase_all(struct nvfio_sim *sim)
{
	const struct nvf_sim_sanitize *s = &sim->san;
	bool fill = s->passes && !deallocates(sim, s->cdw10);
	/* With the pattern inverted between passes, an even count ends on the inverse. */
	uint32_t last = (s->cdw10 & CDW10_OIPBP) && !(s->passes & 1) ? ~s->pattern : s->pattern;

	nvf_sim_park(sim);
	for (unsigned int i = 0; i < sim->nn; i++) {
		struct nvf_sim_store *st = &sim->ns[i].store;

		if (!sim->ns[i].allocated)
			continue;
		if (fill)
			nvf_sim_store_fill(st, last);
		else
			nvf_sim_store_erase(st);
	}
	nvf_sim_store_reclaim(sim);
	nvf_sim_unpark(sim);
}

void nvf_sim_sanitize_tick(struct nvfio_sim *sim, uint64_t now)
{
	struct nvf_sim_sanitize *s = &sim->san;

	if (state(sim) != NVF_SIM_SAN_RUNNING || now - s->start_ns < s->dur_ns)
		return;
	if (s->fails_left) {
		s->fails_left--;
		s->sstat = NVME_SANITIZE_SSTAT_STATUS_COMPLETED_FAILED;
		if (s->cdw10 & CDW10_AUSE) {
			atomic_store(&s->state, NVF_SIM_SAN_FAILED_UNRESTRICTED);
			gate(sim, false);
		} else {
			atomic_store(&s->state, NVF_SIM_SAN_FAILED_RESTRICTED);
		}
	} else {
		erase_all(sim);
		s->sstat = (uint16_t)((s->cdw10 & CDW10_NDAS) && sim->opts.ndi
					  ? NVME_SANITIZE_SSTAT_STATUS_ND_COMPLETE_SUCCESS
					  : NVME_SANITIZE_SSTAT_STATUS_COMPLETE_SUCCESS);
		s->sstat |= (uint16_t)(s->passes << SSTAT_PASSES);
		s->erased = true;
		s->writes_seen = nvf_sim_host_writes(sim);
		atomic_store(&s->state, NVF_SIM_SAN_IDLE);
		gate(sim, false);
	}
	nvf_sim_event(sim, NVME_AER_CSS, NVME_AER_CSS_NVM_SANITIZE_COMPLETED,
		      NVME_LOG_LID_SANITIZE);
}

/* Get Log Page during a sanitize: the pages that hold no user data. */
static bool log_allowed(unsigned int lid)
{
	return lid == NVME_LOG_LID_ERROR || lid == NVME_LOG_LID_SMART ||
	       lid == NVME_LOG_LID_SANITIZE;
}

uint16_t nvf_sim_sanitize_admin_gate(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	int st = state(sim);
	uint16_t refused;

	if (st == NVF_SIM_SAN_RUNNING)
		refused = IN_PROGRESS;
	else if (st == NVF_SIM_SAN_FAILED_RESTRICTED)
		refused = FAILED;
	else
		return 0;
	switch (cmd->opc) {
	case nvme_admin_delete_sq:
	case nvme_admin_create_sq:
	case nvme_admin_delete_cq:
	case nvme_admin_create_cq:
	case nvme_admin_identify:
	case nvme_admin_abort_cmd:
	case nvme_admin_set_features:
	case nvme_admin_get_features:
	case nvme_admin_async_event:
	case nvme_admin_dbbuf:
		return 0;
	case nvme_admin_get_log_page:
		return log_allowed(cmd->cdw10 & 0xff) ? 0 : refused;
	case nvme_admin_sanitize_nvm:
		/* The command itself says why it cannot run; after a restricted failure a new
		 * operation is the way out. */
		return 0;
	default:
		return refused;
	}
}

uint16_t nvf_sim_sanitize_io_gate(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	int st = state(sim);

	if (nvf_sim_likely(st != NVF_SIM_SAN_RUNNING && st != NVF_SIM_SAN_FAILED_RESTRICTED) ||
	    cmd->opc == nvme_cmd_flush)
		return 0;
	return st == NVF_SIM_SAN_RUNNING ? IN_PROGRESS : FAILED;
}

/* An estimate in seconds, or FFFFFFFFh for an operation not offered. */
static uint32_t estimate(const struct nvfio_sim *sim, unsigned int cap)
{
	if (!(sim->opts.sanicap & cap))
		return 0xffffffffu;
	return (sim->opts.sanitize_ms + 999) / 1000;
}

size_t nvf_sim_sanitize_log(struct nvfio_sim *sim, void *buf)
{
	struct nvme_sanitize_log_page *log = buf;
	const struct nvf_sim_sanitize *s = &sim->san;
	uint64_t now = nvf_sim_now_ns();
	uint16_t sstat;

	nvf_sim_sanitize_tick(sim, now);
	sstat = s->sstat;
	log->sprog = 0xffff;
	if (state(sim) == NVF_SIM_SAN_RUNNING) {
		uint64_t done = now - s->start_ns, dur = s->dur_ns ? s->dur_ns : 1;
		uint64_t prog = done * 65536 / dur;

		log->sprog = (uint16_t)(prog > 0xffff ? 0xffff : prog);
		if (s->passes)
			sstat |= (uint16_t)(done * s->passes / dur << SSTAT_PASSES);
		if (log->sprog == 0xffff)
			log->sprog = 0xfffe; /* not done until the tick says so */
	}
	if (s->erased && nvf_sim_host_writes(sim) == s->writes_seen)
		sstat |= NVME_SANITIZE_SSTAT_GLOBAL_DATA_ERASED;
	log->sstat = sstat;
	log->scdw10 = s->cdw10;
	log->eto = estimate(sim, NVF_SIM_SANITIZE_OVERWRITE);
	log->etbe = estimate(sim, NVF_SIM_SANITIZE_BLOCK);
	log->etce = estimate(sim, NVF_SIM_SANITIZE_CRYPTO);
	log->etond = log->eto;
	log->etbend = log->etbe;
	log->etcend = log->etce;
	return sizeof(*log);
}
