/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device Self-test: a short (selftest_ms=) or extended (selftest_ext_ms=) test of the controller
 * alone (NSID 0), of one namespace or of all of them (NSID FFFFFFFFh), run in the background on
 * thread 0's clock, and the Device Self-test log: the test in progress with its completion, and
 * the last 20 results, newest first. One test at a time in the subsystem (DSTO bit 0).
 *
 * A test ends without error when its time is up; a Device Self-test command with code Fh, a
 * Controller Level Reset, a Format NVM or the removal of a namespace it covers, or a sanitize
 * operation abort it, each with its own result code.
 */
#include <string.h>

#include "sim/priv.h"

#define IN_PROGRESS NVF_SIM_CMD_SPEC(NVME_SC_SELF_TEST_IN_PROGRESS)

enum {
	STC_SHORT = 0x1,
	STC_EXTENDED = 0x2,
	STC_ABORT = 0xf,
};

static uint64_t power_on_hours(struct nvfio_sim *sim)
{
	return (nvf_sim_now_ns() - sim->power_on_ns) / 3600000000000ull;
}

static void finish(struct nvfio_sim *sim, uint8_t result)
{
	struct nvf_sim_selftest *d = &sim->dst;
	struct nvme_st_result r;

	memset(&r, 0, sizeof(r));
	r.dsts = (uint8_t)(d->stc << 4 | result);
	r.poh = power_on_hours(sim);
	if (d->nsid) {
		/* The test named namespaces: the NSID field says which. */
		r.vdi = NVME_ST_VALID_DIAG_INFO_NSID;
		r.nsid = d->nsid;
	}
	memmove(&d->res[1], &d->res[0], (NVF_SIM_ST_RESULTS - 1) * sizeof(d->res[0]));
	d->res[0] = r;
	d->stc = 0;
}

void nvf_sim_selftest_init(struct nvfio_sim *sim)
{
	memset(&sim->dst, 0, sizeof(sim->dst));
	for (unsigned int i = 0; i < NVF_SIM_ST_RESULTS; i++)
		sim->dst.res[i].dsts = NVME_ST_RESULT_NOT_USED;
}

uint16_t nvf_sim_selftest_cmd(struct nvfio_sim *sim, const struct nvf_sim_sqe *cmd)
{
	struct nvf_sim_selftest *d = &sim->dst;
	unsigned int stc = cmd->cdw10 & 0xf;
	uint32_t nsid = cmd->nsid;

	if (stc == STC_ABORT) {
		if (d->stc)
			finish(sim, NVME_ST_RESULT_ABORTED);
		return 0;
	}
	if (stc != STC_SHORT && stc != STC_EXTENDED)
		return NVF_SIM_INVALID_FIELD;
	if (nsid && nsid != NVME_NSID_ALL && (nsid > sim->nn || !sim->nsa[nsid - 1]))
		return NVF_SIM_INVALID_NS;
	if (d->stc)
		return IN_PROGRESS;
	d->stc = (uint8_t)stc;
	d->nsid = nsid;
	d->start_ns = nvf_sim_now_ns();
	d->dur_ns = (uint64_t)(stc == STC_SHORT ? sim->opts.selftest_ms : sim->opts.selftest_ext_ms) *
		    1000000;
	return 0;
}

void nvf_sim_selftest_tick(struct nvfio_sim *sim, uint64_t now)
{
	if (sim->dst.stc && now - sim->dst.start_ns >= sim->dst.dur_ns)
		finish(sim, NVME_ST_RESULT_NO_ERR);
}

void nvf_sim_selftest_abort(struct nvfio_sim *sim, uint32_t nsid, uint8_t result)
{
	struct nvf_sim_selftest *d = &sim->dst;

	if (!d->stc)
		return;
	/* A controller-only test (NSID 0) touches no namespace. */
	if (nsid == NVME_NSID_ALL || d->nsid == nsid || (d->nsid == NVME_NSID_ALL && nsid))
		finish(sim, result);
}

size_t nvf_sim_selftest_log(struct nvfio_sim *sim, void *buf)
{
	struct nvme_self_test_log *log = buf;
	const struct nvf_sim_selftest *d = &sim->dst;

	nvf_sim_selftest_tick(sim, nvf_sim_now_ns());
	log->current_operation = d->stc;
	if (d->stc) {
		uint64_t pct = (nvf_sim_now_ns() - d->start_ns) * 100 / (d->dur_ns ? d->dur_ns : 1);

		log->completion = (uint8_t)(pct > 99 ? 99 : pct);
	}
	memcpy(log->result, d->res, sizeof(d->res));
	return sizeof(*log);
}
