/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Completions for no outstanding command: a controller that posts a completion twice, or with a
 * command id it made up, must not complete any command. Two such entries are put in the CQ of a
 * queue pair whose one command the controller holds: an id past the trackers whose low bits name
 * the held command's tracker, and the id of a free tracker. The poll must ignore and count both,
 * and the held command must still complete exactly once, when the queue pair is freed. Then
 * the generation: a command completes, its tracker takes the next one with another id, and a
 * late repeat of the first command's completion must not complete the second.
 */
#include <unistd.h>

#include "nvme/nvme_test.h"
#include "nvme/queue.h"

/* Write a completion for @cid into the next CQ entry the host will look at, @ahead past it. */
static void fake_cqe(struct nvfio_qpair *qp, unsigned int ahead, uint16_t cid)
{
	volatile struct nvfio_cqe *e = qp->cq + ((qp->cq_cur - qp->cq) + ahead) % qp->cq_entries;

	e->cdw0 = 0;
	e->sqhd = 0;
	e->sqid = qp->qid;
	e->cid = cid;
	/* Status 0 with the phase tag the host expects on this pass of the ring, last. */
	e->status = (uint16_t)((qp->cq_phase & NVF_CQE_PHASE) >> 16);
}

int main(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=16M,hold=io:0x02", NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_qpair_stats st;
	struct t_done d = {0};
	struct nvfio_qpair *qp;
	void *buf;

	CHECK(ns);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 4, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	CHECK(qp->trk_mask == 3);
	/* The read takes tracker 0; the controller holds it. */
	CHECK_OK(
	    nvfio_read(qp, ns, buf, 0, 4096 / nvfio_ns_get_info(ns)->block_size, t_done_cb, &d));
	nvfio_qpair_kick(qp);
	usleep(20000);
	CHECK(nvfio_qpair_poll(qp, 0) == 0 && d.done == 0);

	fake_cqe(qp, 0, 4); /* past the 4 trackers; 4 & 3 is the held command's 0 */
	fake_cqe(qp, 1, 2); /* a free tracker */
	CHECK(nvfio_qpair_poll(qp, 0) == 0);
	nvfio_qpair_get_stats(qp, &st);
	printf("after two stray completions: %d completed, stray %llu, outstanding %u\n", d.done,
	       (unsigned long long)st.stray, nvfio_qpair_outstanding(qp));
	CHECK(d.done == 0);
	CHECK(st.stray == 2 && st.completed == 0);
	CHECK(nvfio_qpair_outstanding(qp) == 1);

	/* Freeing the pair completes the held command, once. */
	CHECK_OK(nvfio_qpair_free(qp));
	printf("after free: %d completion(s), err %d, status 0x%x\n", d.done, d.err, d.status);
	CHECK(d.done == 1);

	/* A write (not held) completes on tracker 0 with id 0; the read after it takes tracker 0
	 * again (the free list is LIFO) with id 4; id 0 posted again is stale. */
	{
		struct t_done w = {0}, r = {0};
		uint32_t nlb = 4096 / nvfio_ns_get_info(ns)->block_size;

		CHECK_OK(nvfio_qpair_alloc(ctrl, 4, 0, &qp));
		CHECK_OK(nvfio_write(qp, ns, buf, 0, nlb, t_done_cb, &w));
		while (!w.done)
			CHECK_OK(nvfio_qpair_poll(qp, 0));
		CHECK(w.status == 0 && qp->io.free == 0 && qp->io.trk[0].cid == 4);
		CHECK_OK(nvfio_read(qp, ns, buf, 0, nlb, t_done_cb, &r));
		nvfio_qpair_kick(qp);
		usleep(20000);
		CHECK(nvfio_qpair_poll(qp, 0) == 0 && r.done == 0);
		fake_cqe(qp, 0, 0);
		CHECK(nvfio_qpair_poll(qp, 0) == 0);
		nvfio_qpair_get_stats(qp, &st);
		printf("a stale completion for id 0 while id 4 is held: %d completed, stray %llu\n",
		       r.done, (unsigned long long)st.stray);
		CHECK(r.done == 0 && st.stray == 1 && nvfio_qpair_outstanding(qp) == 1);
		CHECK_OK(nvfio_qpair_free(qp));
		CHECK(r.done == 1 && w.done == 1);
	}
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
