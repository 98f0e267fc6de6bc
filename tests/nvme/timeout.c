/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deadlines of asynchronous I/O commands, checked by the queue pair's polls, and their
 * escalation, on the model:
 *  1. A command the controller holds is aborted once past its deadline (not before) and
 *     completes with status Command Abort Requested; the pair counts one timeout, one Abort.
 *  2. The timeout callback decides: "wait" gives another deadline's time, then "abort".
 *  3. The callback asks for a reset: the command completes with -NVFIO_ERESET, the pair works.
 *  4. A command the controller will not abort (it is only late) gets the controller reset.
 *  5. A synchronous helper waits for the escalation and reports the aborted command's status.
 * Poll loops are bounded by generous deadlines; only the lower bound (not before the deadline)
 * is checked against the clock.
 */
#include <unistd.h>

#include <nvfio/sim.h>

#include "nvme/nvme_test.h"

#define TIMEOUT_MS 50
#define SC_ABORT_REQUESTED 0x07

struct decide {
	int calls;
	enum nvfio_timeout_action first, then;
	uint16_t cid;
};

static enum nvfio_timeout_action decide_cb(void *arg, struct nvfio_qpair *qp, uint16_t cid,
					   unsigned int elapsed_ms)
{
	struct decide *d = arg;

	d->cid = cid;
	printf("  timeout callback: command %#x outstanding for %u ms\n", cid, elapsed_ms);
	CHECK(elapsed_ms >= TIMEOUT_MS);
	return d->calls++ ? d->then : d->first;
}

int main(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=16M,hold=io:0x02", NULL);
	struct nvfio_sim *sim = nvfio_ctrl_sim(ctrl);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	uint32_t nlb = 4096 / nvfio_ns_get_info(ns)->block_size;
	struct nvfio_qpair_stats st;
	struct nvfio_qpair *qp;
	struct t_done d = {0};
	uint64_t took;
	uint16_t status;
	void *buf;

	CHECK(ns);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	nvfio_qpair_set_timeout(qp, TIMEOUT_MS, NULL, NULL);

	/* 1. */
	CHECK_OK(nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &d));
	took = t_poll_done(qp, &d);
	nvfio_qpair_get_stats(qp, &st);
	printf("held read: done after %llu ms, err %d, status %#x; timeouts %llu, aborts %llu\n",
	       (unsigned long long)took, d.err, d.status, (unsigned long long)st.timeouts,
	       (unsigned long long)st.aborts);
	CHECK(d.done == 1 && d.err == 0 && (d.status & 0x7ff) == SC_ABORT_REQUESTED);
	CHECK(took >= TIMEOUT_MS);
	CHECK(st.timeouts == 1 && st.aborts == 1);

	/* 2. */
	{
		struct decide dc = {.first = NVFIO_TIMEOUT_WAIT, .then = NVFIO_TIMEOUT_ABORT};

		nvfio_qpair_set_timeout(qp, TIMEOUT_MS, decide_cb, &dc);
		memset(&d, 0, sizeof(d));
		CHECK_OK(nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &d));
		took = t_poll_done(qp, &d);
		printf("wait, then abort: %d callback(s), done after %llu ms, status %#x\n",
		       dc.calls, (unsigned long long)took, d.status);
		CHECK(dc.calls == 2 && took >= 2 * TIMEOUT_MS);
		CHECK(d.done == 1 && (d.status & 0x7ff) == SC_ABORT_REQUESTED);
	}

	/* 3. */
	{
		struct decide dc = {.first = NVFIO_TIMEOUT_RESET, .then = NVFIO_TIMEOUT_RESET};
		struct t_done w = {0};

		nvfio_qpair_set_timeout(qp, TIMEOUT_MS, decide_cb, &dc);
		memset(&d, 0, sizeof(d));
		CHECK_OK(nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &d));
		t_poll_done(qp, &d);
		printf("reset asked for: %d callback(s), err %d (%s)\n", dc.calls, d.err,
		       nvfio_strerror(d.err));
		CHECK(dc.calls == 1 && d.done == 1 && d.err == -NVFIO_ERESET);
		CHECK_OK(nvfio_write(qp, ns, buf, 0, nlb, t_done_cb, &w));
		t_poll_done(qp, &w);
		CHECK(w.err == 0 && w.status == 0);
	}

	/* 4. Only late (5 s): Abort finds nothing to abort, so the reset. */
	nvfio_qpair_set_timeout(qp, TIMEOUT_MS, NULL, NULL);
	nvfio_sim_fault_clear(sim);
	CHECK(nvfio_sim_fault_parse(sim, "delay=io:0x02:5000000") >= 0);
	memset(&d, 0, sizeof(d));
	CHECK_OK(nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &d));
	took = t_poll_done(qp, &d);
	nvfio_qpair_get_stats(qp, &st);
	printf("late read: done after %llu ms, err %d (%s); aborts %llu\n",
	       (unsigned long long)took, d.err, nvfio_strerror(d.err),
	       (unsigned long long)st.aborts);
	CHECK(d.done == 1 && d.err == -NVFIO_ERESET && took < 5000);

	/* 5. */
	nvfio_sim_fault_clear(sim);
	CHECK(nvfio_sim_fault_parse(sim, "hold=io:0x02") >= 0);
	CHECK(nvfio_read_sync(qp, ns, buf, 0, nlb, &status) == -NVFIO_ENVME);
	printf("synchronous read of a held block: status %#x\n", status);
	CHECK((status & 0x7ff) == SC_ABORT_REQUESTED);

	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
