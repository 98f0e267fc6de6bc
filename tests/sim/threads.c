/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A controller with several threads (threads=3): I/O queues on all of them driven at once from
 * several host threads with all data verified, deallocations racing nothing, while the admin
 * queue keeps creating and deleting another queue pair (which parks the I/O threads).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define NQ     3
#define ITERS  300
#define BLOCKS 64 /* per write: 32 KiB */

struct worker {
	struct host *h;
	unsigned int qid;
	uint8_t *wbuf, *rbuf;
	uint64_t *range;
	int failed;
};

static void pattern(uint8_t *p, size_t len, unsigned int qid, unsigned int it)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = (uint64_t)qid << 48 | (uint64_t)it << 24 | i;

		memcpy(p + i, &v, 8);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct host *h = w->h;
	uint64_t base = (uint64_t)w->qid * 100000;
	/* Under valgrind a fifth as many rounds: the same interleavings, in minutes of CI less. */
	unsigned int iters = RUNNING_ON_VALGRIND ? ITERS / 5 : ITERS;

	for (unsigned int it = 0; it < iters && !w->failed; it++) {
		uint64_t lba = base + (it % 50) * BLOCKS;
		struct h_sqe c;

		pattern(w->wbuf, BLOCKS * 512, w->qid, it);
		uint16_t st1 = h_rw(h, w->qid, 0x01, 1, lba, BLOCKS, w->wbuf, BLOCKS * 512);
		uint16_t st2 = h_rw(h, w->qid, 0x02, 1, lba, BLOCKS, w->rbuf, BLOCKS * 512);

		if (st1 || st2 || memcmp(w->wbuf, w->rbuf, BLOCKS * 512)) {
			fprintf(stderr, "queue %u iteration %u: write 0x%x, read 0x%x\n", w->qid,
				it, st1, st2);
			w->failed = 1;
			break;
		}
		if (it % 10 != 9)
			continue;
		/* Deallocate what was just written (whole 16 KiB chunks and pieces). */
		w->range[0] = (uint64_t)BLOCKS << 32;
		w->range[1] = lba;
		memset(&c, 0, sizeof(c));
		c.opc = 0x09;
		c.nsid = 1;
		c.cdw11 = 1u << 2;
		h_prp(h, &c, w->range, 16);
		if (h_io(h, w->qid, &c, NULL) ||
		    h_rw(h, w->qid, 0x02, 1, lba, BLOCKS, w->rbuf, BLOCKS * 512)) {
			w->failed = 2;
			break;
		}
		for (unsigned int i = 0; i < BLOCKS * 512; i++)
			if (w->rbuf[i]) {
				w->failed = 3;
				break;
			}
	}
	return NULL;
}

int main(void)
{
	struct host h;
	struct worker w[NQ];
	pthread_t tid[NQ];
	bool joined[NQ] = {false};
	uint8_t *id;
	unsigned int cycles = 0;

	CHECK_OK(h_open(&h, "size=256M,queues=8,threads=3", 32));
	CHECK(h_enable(&h, 32) == 0);
	for (unsigned int q = 1; q <= NQ; q++)
		CHECK(h_create_ioq(&h, q, 32) == 0);
	id = h_alloc(&h, 4096, 4096);
	for (unsigned int i = 0; i < NQ; i++) {
		w[i].h = &h;
		w[i].qid = i + 1;
		w[i].wbuf = h_alloc(&h, BLOCKS * 512, 4096);
		w[i].rbuf = h_alloc(&h, BLOCKS * 512, 4096);
		w[i].range = h_alloc(&h, 16, 16);
		w[i].failed = 0;
	}
	/* The next queue's memory, reused for each create/delete cycle. */
	h_create_ioq(&h, 5, 32);
	{
		struct h_sqe c;

		memset(&c, 0, sizeof(c));
		c.opc = 0x00;
		c.cdw10 = 5;
		CHECK(h_admin(&h, &c, NULL) == 0);
		c.opc = 0x04;
		CHECK(h_admin(&h, &c, NULL) == 0);
	}

	for (unsigned int i = 0; i < NQ; i++)
		CHECK(pthread_create(&tid[i], NULL, work, &w[i]) == 0);
	/* Meanwhile: queue management and other admin commands. */
	for (bool running = true; running;) {
		struct h_sqe c;

		memset(&c, 0, sizeof(c));
		c.opc = 0x05;
		c.prp1 = h_iova(&h, h.cq[5].ring);
		c.cdw10 = 31u << 16 | 5;
		c.cdw11 = 1;
		CHECK(h_admin(&h, &c, NULL) == 0);
		c.opc = 0x01;
		c.prp1 = h_iova(&h, h.sq[5].ring);
		c.cdw11 = 5u << 16 | 1;
		CHECK(h_admin(&h, &c, NULL) == 0);
		CHECK(h_identify(&h, 1, 0, id) == 0);
		memset(&c, 0, sizeof(c));
		c.opc = 0x00;
		c.cdw10 = 5;
		CHECK(h_admin(&h, &c, NULL) == 0);
		c.opc = 0x04;
		CHECK(h_admin(&h, &c, NULL) == 0);
		cycles++;
		running = false;
		for (unsigned int i = 0; i < NQ; i++) {
			if (!joined[i] && pthread_tryjoin_np(tid[i], NULL) == 0)
				joined[i] = true;
			running |= !joined[i];
		}
	}
	for (unsigned int i = 0; i < NQ; i++) {
		if (w[i].failed)
			fprintf(stderr, "queue %u failed (%d)\n", w[i].qid, w[i].failed);
		CHECK(!w[i].failed);
	}
	printf("%u queue create/delete cycles during the I/O\n", cycles);
	CHECK(cycles > 0);

	/* A command held on another thread's queue is aborted from the admin queue (thread 0);
	 * a delayed one completes from its own thread. */
	{
		struct h_sqe c;
		struct h_cqe cqe;
		uint16_t cid;

		CHECK(nvfio_sim_fault_parse(h.sim, "hold=io:0x02:1") >= 0);
		memset(&c, 0, sizeof(c));
		c.opc = 0x02;
		c.nsid = 1;
		h_prp(&h, &c, w[1].rbuf, 512);
		cid = h_submit(&h, &h.sq[2], &c, true);
		CHECK(!h_reap(&h, &h.cq[2], &cqe, 30));
		memset(&c, 0, sizeof(c));
		c.opc = 0x08;
		c.cdw10 = 2 | (uint32_t)cid << 16;
		CHECK(h_admin(&h, &c, &cqe) == 0 && (cqe.dw0 & 1) == 0);
		CHECK(h_reap(&h, &h.cq[2], &cqe, 1000));
		CHECK(cqe.cid == cid && (cqe.status >> 1) == 0x07);

		CHECK(nvfio_sim_fault_parse(h.sim, "delay=io:0x02:5000:1") >= 0);
		CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, w[0].rbuf, 512) == 0);
		{
			struct nvfio_sim_stats st;

			nvfio_sim_get_stats(h.sim, &st);
			CHECK(st.aborted == 1 && st.delayed == 1 && st.holding == 0);
		}
	}

	/* A controller reset while every thread holds commands and more are in flight: all of
	 * it is dropped, the queues are gone, and the controller works again on all threads. */
	{
		struct nvfio_sim_stats st;
		struct h_sqe c;
		uint64_t dropped;

		CHECK(nvfio_sim_fault_parse(h.sim, "hold=io:0x02:3") >= 0);
		nvfio_sim_get_stats(h.sim, &st);
		dropped = st.dropped;
		for (unsigned int q = 1; q <= NQ; q++) {
			memset(&c, 0, sizeof(c));
			c.opc = 0x02;
			c.nsid = 1;
			h_prp(&h, &c, w[q - 1].rbuf, 512);
			h_submit(&h, &h.sq[q], &c, true);
		}
		for (unsigned int i = 0; i < 1000 && st.holding < NQ; i++) {
			struct timespec d = {0, 1000000};

			nanosleep(&d, NULL);
			nvfio_sim_get_stats(h.sim, &st);
		}
		CHECK(st.holding == NQ);
		for (unsigned int q = 1; q <= NQ; q++) {
			c.opc = 0x01;
			h_submit(&h, &h.sq[q], &c, true);
		}
		CHECK(h_disable(&h) == 0);
		nvfio_sim_get_stats(h.sim, &st);
		CHECK(st.holding == 0 && st.dropped >= dropped + NQ);
		CHECK(h_enable(&h, 32) == 0);
		for (unsigned int q = 1; q <= NQ; q++) {
			CHECK(h_create_ioq(&h, q, 32) == 0);
			CHECK(h_rw(&h, q, 0x02, 1, 0, 1, w[q - 1].rbuf, 512) == 0);
		}
	}
	h_close(&h);
	return 0;
}
