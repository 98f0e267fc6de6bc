/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue mechanics at their edges, on the simulated controller: a queue pair filled to its depth
 * over and over, so that the submission ring, the completion ring (with its slack) and the
 * phase tag wrap many times, every command completing exactly once; the same with a completion
 * queue of 65536 entries (CAP.MQES 0xffff and a depth above 32767, where the entry count no
 * longer fits 16 bits); freeing a queue pair whose callbacks submit again from their
 * completion, which must be refused rather than lost; a request split into several commands
 * completing once, whether one of them fails or the pair is freed under it.
 */
#include <stdlib.h>

#include "nvme/nvme_test.h"

struct ctx {
	unsigned int *hits; /* completions per command slot */
	unsigned int bad;   /* completions with an error or a status */
	unsigned int done;
};

struct slot {
	struct ctx *c;
	unsigned int i;
};

static void slot_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct slot *s = arg;

	s->c->hits[s->i]++;
	s->c->done++;
	if (err || nvfio_cqe_status(cqe))
		s->c->bad++;
}

/* @rounds times: fill the queue pair to @depth reads, check that one more is refused, reap all. */
static void fill_rounds(const char *addr, unsigned int depth, unsigned int rounds)
{
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_qpair_stats st;
	struct nvfio_qpair *qp;
	struct ctx c = {0};
	struct slot *slots;
	uint8_t *buf = t_alloc(ctrl, 4096);
	struct t_done extra = {0};
	unsigned int r, i, spins;
	uint32_t bs = nvfio_ns_get_info(ns)->block_size;

	c.hits = calloc(depth, sizeof(*c.hits));
	slots = calloc(depth, sizeof(*slots));
	CHECK(c.hits && slots);
	CHECK_OK(nvfio_qpair_alloc(ctrl, depth, 0, &qp));
	for (i = 0; i < depth; i++)
		slots[i] = (struct slot){&c, i};
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < depth; i++)
			CHECK_OK(nvfio_read(qp, ns, buf, (r * depth + i) % 1024, 4096 / bs, slot_cb,
					    &slots[i]));
		CHECK_ERR(nvfio_read(qp, ns, buf, 0, 4096 / bs, t_done_cb, &extra), -EAGAIN);
		CHECK(nvfio_qpair_outstanding(qp) == depth);
		for (spins = 0; c.done < (r + 1) * depth && spins < 200000; spins++)
			CHECK(nvfio_qpair_wait(qp, 0, 1) >= 0);
		CHECK(c.done == (r + 1) * depth);
		CHECK(nvfio_qpair_outstanding(qp) == 0);
	}
	for (i = 0; i < depth; i++)
		CHECK(c.hits[i] == rounds);
	CHECK(c.bad == 0 && extra.done == 0);
	nvfio_qpair_get_stats(qp, &st);
	CHECK(st.completed == (uint64_t)rounds * depth);
	CHECK(st.submitted == st.completed);
	/* The completion ring's slack lets the head doorbell trail the reaping. */
	if (!nvfio_ctrl_get_info(ctrl)->shadow_doorbells)
		CHECK(st.cq_doorbells < st.completed);
	printf("depth %u, %u rounds: %llu completions, %llu CQ doorbells, %llu SQ doorbells\n",
	       depth, rounds, (unsigned long long)st.completed, (unsigned long long)st.cq_doorbells,
	       (unsigned long long)st.sq_doorbells);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	free(slots);
	free(c.hits);
}

struct resubmit {
	struct nvfio_qpair *qp;
	struct nvfio_ns *ns;
	void *buf;
	unsigned int calls, canceled, refused, accepted; /* canceled: completed with a failure */
};

static void resubmit_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct resubmit *r = arg;
	int ret;

	r->calls++;
	if (!err && !nvfio_cqe_status(cqe))
		return;
	r->canceled++;
	/* A program that retries what failed: the pair is going away, so this must fail. */
	ret = nvfio_read(r->qp, r->ns, r->buf, 0, 1, resubmit_cb, r);
	if (ret == 0)
		r->accepted++;
	else
		r->refused++;
}

/* Commands held by the controller are aborted when their pair is freed; a callback's attempt to
 * submit again is refused, so every callback runs once and none is left behind. */
static void free_refuses(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=16M,hold=io:0x02", NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_qpair *qp;
	struct resubmit r = {0};
	unsigned int i;

	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	r.qp = qp;
	r.ns = ns;
	r.buf = t_alloc(ctrl, 4096);
	for (i = 0; i < 8; i++)
		CHECK_OK(nvfio_read(qp, ns, r.buf, i, 1, resubmit_cb, &r));
	nvfio_qpair_kick(qp);
	CHECK(nvfio_qpair_poll(qp, 0) == 0);
	nvfio_qpair_free(qp);
	printf("freed with 8 held: %u callbacks, %u failed, %u resubmissions refused (%s)\n",
	       r.calls, r.canceled, r.refused, nvfio_last_error());
	CHECK(r.calls == 8 && r.canceled == 8);
	CHECK(r.accepted == 0 && r.refused == 8);
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

/* A request split into eight commands completes once: with the status of the one that failed,
 * or, freed while some are held, with the deletion's abort status or -ECANCELED. */
static void split_once(const char *addr, int want_err, unsigned int want_sc)
{
	struct nvfio_ctrl_opts opts;
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	struct nvfio_qpair *qp;
	struct t_done d = {0};
	uint8_t *buf;
	int i;

	nvfio_ctrl_opts_init(&opts);
	opts.admin_timeout_ms = 200;
	ctrl = t_open(addr, &opts);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(nvfio_ctrl_get_info(ctrl)->max_xfer == 8192);
	buf = t_alloc(ctrl, 65536);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 16, 0, &qp));
	CHECK_OK(
	    nvfio_read(qp, ns, buf, 0, 65536 / nvfio_ns_get_info(ns)->block_size, t_done_cb, &d));
	/* Eight commands and the request's own tracker. */
	CHECK(nvfio_qpair_outstanding(qp) == 9);
	for (i = 0; i < 200 && nvfio_qpair_outstanding(qp); i++)
		CHECK(nvfio_qpair_wait(qp, 0, 1) >= 0);
	if (nvfio_qpair_outstanding(qp)) {
		/* Some are held: freeing the pair completes the request. */
		CHECK(d.done == 0);
		nvfio_qpair_free(qp);
		qp = NULL;
	}
	printf("split request: %d callback(s), err %d, status %s\n", d.done, d.err,
	       nvfio_status_str(d.status));
	CHECK(d.done == 1);
	CHECK(d.err == want_err);
	CHECK(want_err || nvfio_status_sc(d.status) == want_sc);
	CHECK(!want_err || d.status == NVFIO_STATUS_HOST_ABORTED);
	nvfio_qpair_free(qp);
	nvfio_ctrl_close(ctrl);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fill_rounds("sim:size=16M", 1, 50);
	fill_rounds("sim:size=16M", 7, 40);
	fill_rounds("sim:size=16M,dbbuf=off", 64, 20);
	/* CAP.MQES 0xffff: a 65536-entry completion queue wraps twice. */
	fill_rounds("sim:size=16M,depth=65536,dbbuf=off", 40000, 4);
	free_refuses();
	/* One of the eight commands fails with Unrecovered Read Error. */
	split_once("sim:size=16M,mdts=1,fail=io:0x02:2:0x81:1", 0, 0x81);
	/* Three are held: the queue deletion aborts them (SQ deletion, SC 0x08). */
	split_once("sim:size=16M,mdts=1,hold=io:0x02:3", 0, 0x08);
	/* Three are held and the deletion times out: nvfio cancels them itself. */
	split_once("sim:size=16M,mdts=1,hold=io:0x02:3,hold=admin:0x00", -ECANCELED, 0);
	return 0;
}
