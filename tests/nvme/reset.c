/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio_ctrl_reset(): the controller comes back and every handle stays valid.
 *  1. Commands the controller holds at the reset complete once, with -NVFIO_ERESET, when their
 *     queue pair's thread next polls; the pair then works again (written data reads back) and
 *     a submission races nothing (the first one after the reset re-creates the pair itself).
 *  2. After a fatal status (CSTS.CFS) every command fails; a reset brings the controller back
 *     and I/O goes on on the same queue pair and namespace handles.
 *  3. A worker thread writes and verifies blocks without pause on its own queue pair while the
 *     main thread resets the controller again and again: every command completes exactly once,
 *     with success or -NVFIO_ERESET (then retried), and no block reads back wrong.
 * Given a PCI address (the test VM, QEMU's controller, with interrupts), 1 and 2 need the model's
 * fault injection and become: data written before a reset reads back after it; then 3.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include <nvfio/sim.h>

#include "nvme/nvme_test.h"

#define WORKER_BLOCKS 64
#define RESETS	      8

struct worker {
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	atomic_int stop;
	unsigned long ios, resets_seen, eagain;
	int failed;
};

/* One synchronous command on @qp, retried while the reset makes it -EAGAIN or -NVFIO_ERESET. */
static int io_once(struct worker *w, struct nvfio_qpair *qp, bool write, void *buf, uint64_t lba,
		   uint32_t nlb)
{
	for (;;) {
		struct t_done d = {0};
		int ret = write ? nvfio_write(qp, w->ns, buf, lba, nlb, t_done_cb, &d)
				: nvfio_read(qp, w->ns, buf, lba, nlb, t_done_cb, &d);

		if (ret == -EAGAIN) {
			w->eagain++;
			nvfio_qpair_poll(qp, 0);
			continue;
		}
		if (ret)
			return ret;
		while (!d.done) {
			ret = nvfio_qpair_poll(qp, 0);
			if (ret < 0 && ret != -EAGAIN)
				return ret;
		}
		if (d.done != 1)
			return -EPROTO;
		if (d.err == -NVFIO_ERESET) {
			w->resets_seen++;
			continue;
		}
		if (d.err || d.status)
			return d.err ? d.err : -EIO;
		w->ios++;
		return 0;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t bs = nvfio_ns_get_info(w->ns)->block_size;
	struct nvfio_qpair *qp;
	uint8_t *buf, *rd;
	uint32_t seed = 1;

	if (nvfio_qpair_alloc(w->ctrl, 16, 0, &qp)) {
		fprintf(stderr, "worker: %s\n", nvfio_last_error());
		w->failed = 1;
		return NULL;
	}
	buf = t_alloc(w->ctrl, bs);
	rd = t_alloc(w->ctrl, bs);
	while (!atomic_load(&w->stop) && !w->failed) {
		uint64_t lba = seed % WORKER_BLOCKS;

		t_fill(buf, bs, lba, seed);
		if (io_once(w, qp, true, buf, lba, 1) || io_once(w, qp, false, rd, lba, 1) ||
		    !t_same(rd, buf, bs, "worker read-back")) {
			fprintf(stderr, "worker: %s\n", nvfio_last_error());
			w->failed = 1;
		}
		seed = seed * 1103515245u + 12345u;
	}
	nvfio_dma_free(nvfio_ctrl_dma(w->ctrl), buf);
	nvfio_dma_free(nvfio_ctrl_dma(w->ctrl), rd);
	if (nvfio_qpair_free(qp))
		w->failed = 1;
	return NULL;
}

/* Resets while another thread does I/O on its own pair. */
static void resets_under_io(struct nvfio_ctrl *ctrl, struct nvfio_ns *ns)
{
	struct worker wk = {.ctrl = ctrl, .ns = ns};
	pthread_t t;
	int i;

	CHECK(pthread_create(&t, NULL, worker_main, &wk) == 0);
	for (i = 0; i < RESETS; i++) {
		usleep(20000);
		CHECK_OK(nvfio_ctrl_reset(ctrl));
	}
	usleep(20000);
	atomic_store(&wk.stop, 1);
	CHECK(pthread_join(t, NULL) == 0);
	printf("worker: %lu I/Os, %lu aborted by a reset and retried, %lu -EAGAIN, failed %d, "
	       "across %d resets\n",
	       wk.ios, wk.resets_seen, wk.eagain, wk.failed, RESETS);
	CHECK(!wk.failed && wk.ios > 0);
}

/* On a real controller: what was written before a reset (beyond the worker's blocks) reads back
 * after it, and after resets under I/O. */
static int on_device(const char *addr)
{
	struct nvfio_ctrl_opts o;
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	struct nvfio_qpair *qp;
	uint8_t *buf, *rd;
	uint32_t bs;
	uint16_t st;

	nvfio_ctrl_opts_init(&o);
	o.interrupts = true;
	ctrl = t_open(addr, &o);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(ns);
	bs = nvfio_ns_get_info(ns)->block_size;
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, NVFIO_QPAIR_INTERRUPTS, &qp));
	buf = t_alloc(ctrl, bs);
	rd = t_alloc(ctrl, bs);
	t_fill(buf, bs, WORKER_BLOCKS + 3, 11);
	CHECK_OK(nvfio_write_sync(qp, ns, buf, WORKER_BLOCKS + 3, 1, &st));
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	CHECK_OK(nvfio_read_sync(qp, ns, rd, WORKER_BLOCKS + 3, 1, &st));
	CHECK(t_same(rd, buf, bs, "read after a reset"));
	CHECK(nvfio_ctrl_get_info(ctrl)->interrupts);
	resets_under_io(ctrl, ns);
	CHECK_OK(nvfio_read_sync(qp, ns, rd, WORKER_BLOCKS + 3, 1, &st));
	CHECK(t_same(rd, buf, bs, "read after the resets"));
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), rd);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}

int main(int argc, char **argv)
{
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	uint32_t bs;
	struct t_done d[3] = {{0}}, w = {0}, r = {0};
	struct nvfio_qpair *qp;
	uint8_t *buf, *rd;
	int i;

	if (argc > 1)
		return on_device(argv[1]);
	ctrl = t_open("sim:size=16M,hold=io:0x02", NULL);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(ns);
	bs = nvfio_ns_get_info(ns)->block_size;
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	buf = t_alloc(ctrl, bs);
	rd = t_alloc(ctrl, bs);

	/* 1. Three reads the controller holds, then a reset. */
	for (i = 0; i < 3; i++)
		CHECK_OK(nvfio_read(qp, ns, rd, (uint64_t)i, 1, t_done_cb, &d[i]));
	nvfio_qpair_kick(qp);
	usleep(20000);
	CHECK(nvfio_qpair_poll(qp, 0) == 0 && !d[0].done);
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	CHECK(!d[0].done); /* not before the pair's own thread looks */
	CHECK(nvfio_qpair_poll(qp, 0) == 0);
	for (i = 0; i < 3; i++) {
		printf("held read %d: %d completion(s), err %d (%s)\n", i, d[i].done, d[i].err,
		       nvfio_strerror(d[i].err));
		CHECK(d[i].done == 1 && d[i].err == -NVFIO_ERESET);
	}
	nvfio_sim_fault_clear(nvfio_ctrl_sim(ctrl));
	t_fill(buf, bs, 5, 7);
	CHECK_OK(nvfio_write(qp, ns, buf, 5, 1, t_done_cb, &w));
	while (!w.done)
		CHECK_OK(nvfio_qpair_poll(qp, 0));
	CHECK(w.err == 0 && w.status == 0);
	CHECK_OK(nvfio_read(qp, ns, rd, 5, 1, t_done_cb, &r));
	while (!r.done)
		CHECK_OK(nvfio_qpair_poll(qp, 0));
	CHECK(r.err == 0 && t_same(rd, buf, bs, "after the reset"));
	for (i = 0; i < 3; i++)
		CHECK(d[i].done == 1);

	/* A reset, then at once a submission: it re-creates the pair and goes through. */
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	memset(&r, 0, sizeof(r));
	CHECK_OK(nvfio_read(qp, ns, rd, 5, 1, t_done_cb, &r));
	while (!r.done)
		CHECK_OK(nvfio_qpair_poll(qp, 0));
	CHECK(r.err == 0 && t_same(rd, buf, bs, "first command after a reset"));

	/* 2. A fatal status: I/O fails; the reset brings it back. */
	nvfio_sim_fatal(nvfio_ctrl_sim(ctrl));
	CHECK(nvfio_ctrl_check(ctrl) == -NVFIO_EFATAL);
	memset(&r, 0, sizeof(r));
	CHECK(nvfio_read(qp, ns, rd, 5, 1, t_done_cb, &r) == -NVFIO_EFATAL);
	CHECK_OK(nvfio_ctrl_reset(ctrl));
	CHECK(nvfio_ctrl_check(ctrl) == 0);
	CHECK_OK(nvfio_read(qp, ns, rd, 5, 1, t_done_cb, &r));
	while (!r.done)
		CHECK_OK(nvfio_qpair_poll(qp, 0));
	CHECK(r.err == 0 && t_same(rd, buf, bs, "after a fatal status and a reset"));
	{
		uint8_t id[4096];

		CHECK_OK(nvfio_identify(ctrl, 1, 0, id));
	}

	/* 3. */
	resets_under_io(ctrl, ns);

	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), rd);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
