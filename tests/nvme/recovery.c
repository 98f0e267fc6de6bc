/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a controller reset keeps for the application, on the model:
 *  1. With nvfio_ctrl_opts.reset_retries, a command the controller held at the reset is
 *     submitted again after it and completes once, as the controller completes it then: a
 *     read returns the data, a write split into several commands lands whole.
 *  2. A command held again at every reset completes with -NVFIO_ERESET once its retries are
 *     spent, and not before.
 *  3. The state callback hears RESETTING then READY for a reset, FAILED once for a fatal status
 *     (and the reset that follows), REMOVED once for a removal.
 *  4. A feature set with nvfio_set_features() is set again after a reset, the Timestamp to the
 *     time of the reset; one set behind nvfio's back (nvfio_admin_raw()) is back at its default,
 *     which shows that the model does forget features at a reset.
 *  5. A command's own deadline (nvfio_qpair_last_cid(), nvfio_qpair_set_cmd_timeout()) is met
 *     long before the pair's; a command no longer outstanding is -ENOENT.
 *  6. A reset that fails (the controller fails Identify on its way back) leaves it failed: the
 *     state callback hears FAILED, the command outstanding completes once with the failure,
 *     later ones are refused, and the queue pair and controller still close.
 */
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <nvfio/sim.h>

#include "nvme/nvme_test.h"

#define SC_ABORT_REQUESTED 0x07
#define FEAT_TEMP_THRESH   0x04
#define FEAT_ERR_RECOVERY  0x05
#define FEAT_TIMESTAMP	   0x0e

static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Poll @n times (a pair revives at its next poll after a reset); @fail: the controller's
 * failure, which the polls may report. */
static void polls(struct nvfio_qpair *qp, int n, int fail)
{
	while (n--) {
		int ret = nvfio_qpair_poll(qp, 0);

		CHECK(ret >= 0 || ret == -EAGAIN || (fail && ret == fail));
		sched_yield();
	}
}

/* Polls until the model holds @n commands (10 s at most): a fault's count is spent only when the
 * model fetches the command, which a slow machine (or a sanitizer) may do after a reset that
 * would otherwise find it not yet held, and then hold its resubmission for ever. */
static void until_held(struct nvfio_qpair *qp, struct nvfio_sim *sim, uint64_t n)
{
	struct nvfio_sim_stats st;
	int i;

	for (i = 0; i < 100000; i++) {
		nvfio_sim_get_stats(sim, &st);
		if (st.holding >= n)
			return;
		polls(qp, 1, 0);
		usleep(100);
	}
	CHECK(st.holding >= n);
}

struct states {
	int n;
	enum nvfio_ctrl_state seen[16];
	int err[16];
};

static void state_cb(void *arg, struct nvfio_ctrl *ctrl, enum nvfio_ctrl_state state, int err)
{
	struct states *s = arg;

	(void)ctrl;
	if (s->n < 16) {
		s->seen[s->n] = state;
		s->err[s->n] = err;
	}
	s->n++;
}

static void retries(void)
{
	struct nvfio_ctrl_opts o;
	struct nvfio_ctrl *ctrl;
	struct nvfio_sim *sim;
	struct nvfio_sim_stats ss;
	struct nvfio_ns *ns;
	struct nvfio_qpair *qp;
	struct t_done d[8] = {{0}}, w = {0};
	uint32_t bs, nlb, big;
	uint8_t *buf, *rd;
	int i;

	nvfio_ctrl_opts_init(&o);
	o.reset_retries = 2;
	ctrl = t_open("sim:size=16M,mdts=1", &o); /* 8 KiB per command: big writes split */
	sim = nvfio_ctrl_sim(ctrl);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(ns);
	bs = nvfio_ns_get_info(ns)->block_size;
	nlb = 4096 / bs;
	big = 65536 / bs;
	CHECK_OK(nvfio_qpair_alloc(ctrl, 32, 0, &qp));
	buf = t_alloc(ctrl, 65536);
	rd = t_alloc(ctrl, 65536);

	/* 1. A held read, others beside it. */
	t_fill(buf, 65536, 0, 7);
	CHECK_OK(nvfio_write_sync(qp, ns, buf, 0, big, NULL));
	CHECK(nvfio_sim_fault_parse(sim, "hold=io:0x02:1") >= 0);
	for (i = 0; i < 8; i++)
		CHECK_OK(nvfio_read(qp, ns, rd + i * 4096, (uint64_t)i * nlb, nlb, t_done_cb, &d[i]));
	for (i = 1; i < 8; i++)
		t_poll_done(qp, &d[i]);
	polls(qp, 100, 0);
	CHECK(d[0].done == 0);
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	t_poll_done(qp, &d[0]);
	nvfio_sim_get_stats(sim, &ss);
	printf("held read, reset, submitted again: err %d status %#x; the model dropped %llu\n",
	       d[0].err, d[0].status, (unsigned long long)ss.dropped);
	for (i = 0; i < 8; i++)
		CHECK(d[i].done == 1 && d[i].err == 0 && d[i].status == 0);
	CHECK(ss.dropped >= 1);
	CHECK(t_same(rd, buf, 32768, "read again after the reset"));

	/* A split write with one of its commands held. */
	nvfio_sim_fault_clear(sim);
	CHECK(nvfio_sim_fault_parse(sim, "hold=io:0x01:1") >= 0);
	t_fill(buf, 65536, 0, 8);
	CHECK_OK(nvfio_write(qp, ns, buf, 0, big, t_done_cb, &w));
	until_held(qp, sim, 1);
	CHECK(w.done == 0);
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	t_poll_done(qp, &w);
	printf("split write with a held command, reset: err %d status %#x\n", w.err, w.status);
	CHECK(w.done == 1 && w.err == 0 && w.status == 0);
	memset(rd, 0, 65536);
	CHECK_OK(nvfio_read_sync(qp, ns, rd, 0, big, NULL));
	CHECK(t_same(rd, buf, 65536, "split write after the reset"));

	/* 2. Held every time: two retries, then -NVFIO_ERESET at the third reset. */
	nvfio_sim_fault_clear(sim);
	CHECK(nvfio_sim_fault_parse(sim, "hold=io:0x02") >= 0);
	memset(&d[0], 0, sizeof(d[0]));
	CHECK_OK(nvfio_read(qp, ns, rd, 0, nlb, t_done_cb, &d[0]));
	for (i = 0; i < 3; i++) {
		polls(qp, 50, 0);
		CHECK(d[0].done == 0);
		CHECK_OK(nvfio_ctrl_reset(ctrl));
		polls(qp, 50, 0);
	}
	t_poll_done(qp, &d[0]);
	printf("held at every reset: after 3 resets err %d (%s)\n", d[0].err,
	       nvfio_strerror(d[0].err));
	CHECK(d[0].done == 1 && d[0].err == -NVFIO_ERESET);
	nvfio_sim_fault_clear(sim);

	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), rd);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

static void states_and_features(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=16M", NULL);
	struct nvfio_sim *sim = nvfio_ctrl_sim(ctrl);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_cmd raw = {.opcode = 0x09, .cdw10 = FEAT_ERR_RECOVERY, .cdw11 = 0x20};
	struct nvfio_cqe cqe;
	struct states s = {0};
	struct nvfio_qpair *qp;
	uint8_t ts[8] = {0};
	uint64_t ms = 0, now;
	uint32_t v;
	int i, ret;

	CHECK(ns);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	nvfio_ctrl_set_state_cb(ctrl, state_cb, &s);

	/* 4. */
	CHECK_OK(nvfio_set_features(ctrl, FEAT_TEMP_THRESH, 0, 0x150, 0, false, NULL, 0, NULL));
	ts[0] = 1; /* 1 ms after the Epoch */
	CHECK_OK(nvfio_set_features(ctrl, FEAT_TIMESTAMP, 0, 0, 0, false, ts, sizeof(ts), NULL));
	CHECK_OK(nvfio_admin_raw(ctrl, &raw, NULL, 0, &cqe, 0));
	CHECK_OK(nvfio_get_features(ctrl, FEAT_ERR_RECOVERY, 0, 0, NULL, 0, &v));
	CHECK(v == 0x20);

	/* 3. A reset. */
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	printf("reset: %d state(s): %d %d\n", s.n, s.seen[0], s.seen[1]);
	CHECK(s.n == 2 && s.seen[0] == NVFIO_CTRL_RESETTING && s.seen[1] == NVFIO_CTRL_READY);
	CHECK(s.err[1] == 0);

	CHECK_OK(nvfio_get_features(ctrl, FEAT_TEMP_THRESH, 0, 0, NULL, 0, &v));
	printf("after the reset: temperature threshold %#x (set 0x150)", v);
	CHECK(v == 0x150);
	CHECK_OK(nvfio_get_features(ctrl, FEAT_ERR_RECOVERY, 0, 0, NULL, 0, &v));
	printf(", error recovery %#x (set raw 0x20)", v);
	CHECK(v == 0);
	memset(ts, 0, sizeof(ts));
	CHECK_OK(nvfio_get_features(ctrl, FEAT_TIMESTAMP, 0, 0, ts, sizeof(ts), NULL));
	for (i = 0; i < 6; i++)
		ms |= (uint64_t)ts[i] << (8 * i);
	now = realtime_ms();
	printf(", timestamp %llu ms from now\n", (unsigned long long)(now - ms));
	CHECK(ms <= now + 1000 && now - ms < 60000);

	/* A fatal status: told once, by the poll that sees it; then the reset. */
	s.n = 0;
	nvfio_sim_fatal(sim);
	for (i = 0; i < 2000 && !s.n; i++) {
		ret = nvfio_qpair_wait(qp, 0, 1);
		CHECK(ret >= 0 || ret == -NVFIO_EFATAL);
	}
	polls(qp, 10, -NVFIO_EFATAL);
	printf("fatal status: %d state(s): %d (err %d)\n", s.n, s.seen[0], s.err[0]);
	CHECK(s.n == 1 && s.seen[0] == NVFIO_CTRL_FAILED && s.err[0] == -NVFIO_EFATAL);
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	CHECK(s.n == 3 && s.seen[1] == NVFIO_CTRL_RESETTING && s.seen[2] == NVFIO_CTRL_READY);
	CHECK_OK(nvfio_get_features(ctrl, FEAT_TEMP_THRESH, 0, 0, NULL, 0, &v));
	CHECK(v == 0x150);

	/* Removal. */
	s.n = 0;
	nvfio_sim_remove(sim);
	for (i = 0; i < 2000 && !s.n; i++) {
		ret = nvfio_qpair_wait(qp, 0, 1);
		CHECK(ret >= 0 || ret == -NVFIO_EREMOVED);
	}
	polls(qp, 10, -NVFIO_EREMOVED);
	CHECK(nvfio_ctrl_check(ctrl) == -NVFIO_EREMOVED);
	printf("removal: %d state(s): %d (err %d)\n", s.n, s.seen[0], s.err[0]);
	CHECK(s.n == 1 && s.seen[0] == NVFIO_CTRL_REMOVED && s.err[0] == -NVFIO_EREMOVED);

	nvfio_ctrl_set_state_cb(ctrl, NULL, NULL);
	CHECK(nvfio_qpair_free(qp) <= 0);
	nvfio_ctrl_close(ctrl);
}

static void cmd_deadline(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=16M,hold=io:0x02", NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	uint32_t nlb = 4096 / nvfio_ns_get_info(ns)->block_size;
	struct nvfio_qpair_stats st;
	struct nvfio_qpair *qp;
	struct t_done d = {0};
	uint64_t took;
	int cid;
	void *buf;

	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	CHECK(nvfio_qpair_last_cid(qp) == -ENOENT);
	CHECK_OK(nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &d));
	cid = nvfio_qpair_last_cid(qp);
	CHECK(cid >= 0);
	CHECK(nvfio_qpair_set_cmd_timeout(qp, (uint16_t)(cid ^ 0x8000), 50) == -ENOENT);
	CHECK_OK(nvfio_qpair_set_cmd_timeout(qp, (uint16_t)cid, 50));
	took = t_poll_done(qp, &d);
	nvfio_qpair_get_stats(qp, &st);
	printf("a 50 ms deadline of its own (the pair's: 30 s): command %#x aborted after %llu ms, "
	       "status %#x\n",
	       cid, (unsigned long long)took, d.status);
	CHECK(d.done == 1 && (d.status & 0x7ff) == SC_ABORT_REQUESTED);
	CHECK(took >= 50 && took < 10000);
	CHECK(st.timeouts == 1 && st.aborts == 1);
	CHECK(nvfio_qpair_last_cid(qp) == -ENOENT);
	CHECK(nvfio_qpair_set_cmd_timeout(qp, (uint16_t)cid, 50) == -ENOENT);

	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

static void failed_reset(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=16M,hold=io:0x02", NULL);
	struct nvfio_sim *sim = nvfio_ctrl_sim(ctrl);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	uint32_t nlb = 4096 / nvfio_ns_get_info(ns)->block_size;
	struct nvfio_qpair *qp;
	struct states s = {0};
	struct t_done d = {0}, e = {0};
	int ret, i;
	void *buf;

	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	nvfio_ctrl_set_state_cb(ctrl, state_cb, &s);
	CHECK_OK(nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &d));
	polls(qp, 20, 0);
	CHECK(nvfio_sim_fault_parse(sim, "fail=admin:0x06:0:6") >= 0); /* Internal Error */
	ret = nvfio_ctrl_reset(ctrl);
	printf("reset with Identify failing: %d (%s): %s\n", ret, nvfio_strerror(ret),
	       nvfio_last_error());
	CHECK(ret < 0);
	CHECK(s.n == 2 && s.seen[0] == NVFIO_CTRL_RESETTING && s.seen[1] == NVFIO_CTRL_FAILED &&
	      s.err[1] == ret);
	for (i = 0; i < 100 && !d.done; i++)
		nvfio_qpair_poll(qp, 0);
	printf("the held read: %d completion(s), err %d (%s)\n", d.done, d.err,
	       nvfio_strerror(d.err));
	CHECK(d.done == 1 && d.err < 0);
	ret = nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &e);
	CHECK(ret < 0 && ret != -EAGAIN && !e.done);
	CHECK(nvfio_ctrl_check(ctrl) < 0);
	polls(qp, 10, nvfio_ctrl_check(ctrl));
	CHECK(d.done == 1 && s.n == 2);
	nvfio_qpair_free(qp);
	nvfio_ctrl_close(ctrl);
}

int main(void)
{
	retries();
	states_and_features();
	cmd_deadline();
	failed_reset();
	return T_EXIT_PASS;
}
