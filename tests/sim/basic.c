/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model as a driver first meets it: registers after power-on, enable, Identify, queues,
 * write and read back, Flush, Number of Queues, shutdown.
 */
#include <string.h>

#include "common/test.h"
#include "tests/sim/host.h"

/*
 * Completion entries: SQ identifier and SQ head of each, and the phase tag across wraps, with two
 * SQs of different sizes sharing one CQ of four entries.
 */
static void test_cqe(void)
{
	struct host h;
	struct h_sqe c;
	struct h_cqe cqe;
	uint8_t *buf;
	uint32_t head[3] = {0, 0, 0};

	CHECK_OK(h_open(&h, "size=16M,queues=2", 4));
	CHECK(h_enable(&h, 8) == 0);
	buf = h_alloc(&h, 4096, 4096);
	/* Admin completions carry SQID 0 and the admin SQ head after the command. */
	for (unsigned int i = 1; i <= 10; i++) {
		CHECK(h_identify(&h, 1, 0, buf) == 0);
		h.acq.head = (h.acq.head + 7) % 8; /* look at the entry just reaped */
		memcpy(&cqe, (struct h_cqe *)h.acq.ring + h.acq.head, sizeof(cqe));
		h.acq.head = (h.acq.head + 1) % 8;
		CHECK(cqe.sqid == 0 && cqe.sqhd == i % 8);
	}
	/* CQ 1 of 4 entries; SQ 1 of 3 and SQ 2 of 5 entries on it. */
	h.cq[1].ring = h_alloc(&h, 4 * 16, 4096);
	h.cq[1].size = 4;
	h.cq[1].qid = 1;
	h.cq[1].phase = 1;
	memset(&c, 0, sizeof(c));
	c.opc = 0x05;
	c.prp1 = h_iova(&h, h.cq[1].ring);
	c.cdw10 = 3u << 16 | 1;
	c.cdw11 = 1;
	CHECK(h_admin(&h, &c, NULL) == 0);
	for (unsigned int q = 1; q <= 2; q++) {
		h.sq[q].size = q == 1 ? 3 : 5;
		h.sq[q].ring = h_alloc(&h, h.sq[q].size * 64, 4096);
		h.sq[q].qid = (uint16_t)q;
		memset(&c, 0, sizeof(c));
		c.opc = 0x01;
		c.prp1 = h_iova(&h, h.sq[q].ring);
		c.cdw10 = (h.sq[q].size - 1) << 16 | q;
		c.cdw11 = 1u << 16 | 1;
		CHECK(h_admin(&h, &c, NULL) == 0);
	}
	for (unsigned int i = 0; i < 23; i++) {
		unsigned int q = 1 + i % 2;
		uint16_t cid;

		memset(&c, 0, sizeof(c));
		c.opc = 0x02;
		c.nsid = 1;
		h_prp(&h, &c, buf, 512);
		cid = h_submit(&h, &h.sq[q], &c, true);
		CHECK(h_reap(&h, &h.cq[1], &cqe, 2000));
		head[q] = (head[q] + 1) % h.sq[q].size;
		CHECK(cqe.cid == cid && (cqe.status >> 1) == 0);
		CHECK(cqe.sqid == q && cqe.sqhd == head[q]);
	}
	/* h_reap finds an entry only by its phase tag, which the model flips on each wrap: 23
	 * entries in a CQ of 4 wrapped it five times. */
	CHECK(h.cq[1].phase == 0);
	h_close(&h);
}

int main(void)
{
	struct host h;
	uint8_t *id, *buf, *rd;
	uint64_t cap;
	struct h_sqe c;
	struct h_cqe cqe;

	CHECK_OK(
	    h_open(&h, "size=64M,queues=4,depth=256,mdts=5,serial=SER123,model=TestModel", 16));

	/* Power-on registers. */
	cap = h_reg64(&h, 0x00);
	CHECK((cap & 0xffff) == 255);		/* MQES */
	CHECK(((cap >> 16) & 1) == 1);		/* CQR */
	CHECK(((cap >> 24) & 0xff) >= 1);	/* TO */
	CHECK(((cap >> 32) & 0xf) == 0);	/* DSTRD */
	CHECK(((cap >> 37) & 1) == 1);		/* CSS NVM */
	CHECK(((cap >> 48) & 0xf) == 0);	/* MPSMIN 4K */
	CHECK(h_reg32(&h, 0x08) == 0x00010400); /* VS 1.4 */
	CHECK(h_reg32(&h, 0x1c) == 0);		/* CSTS */
	CHECK(h.bar_len >= 0x1000 + 8 * 5);
	CHECK(nvf_sim_irq_count(h.sim) == 5);

	CHECK(h_enable(&h, 32) == 0);

	id = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, id) == 0);
	CHECK(!memcmp(id + 4, "SER123              ", 20));
	CHECK(!memcmp(id + 24, "TestModel ", 10));
	CHECK(id[77] == 5);			   /* MDTS */
	CHECK(id[512] == 0x66 && id[513] == 0x44); /* SQES, CQES */
	CHECK(id[516] == 1);			   /* NN */
	CHECK(*(uint32_t *)(id + 80) == 0x00010400);

	CHECK(h_identify(&h, 0, 1, id) == 0);
	CHECK(*(uint64_t *)id == (64ull << 20) / 512); /* NSZE */
	CHECK((id[26] & 0xf) == 0);		       /* FLBAS */
	CHECK(id[128 + 2] == 9);		       /* LBAF0 LBADS */

	CHECK(h_identify(&h, 2, 0, id) == 0);
	CHECK(((uint32_t *)id)[0] == 1 && ((uint32_t *)id)[1] == 0);

	/* Number of Queues: ask for 2 pairs, get 2. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x09;
	c.cdw10 = 0x07;
	c.cdw11 = 1u << 16 | 1;
	CHECK(h_admin(&h, &c, &cqe) == 0);
	CHECK(cqe.dw0 == (1u << 16 | 1));

	CHECK(h_create_ioq(&h, 1, 64) == 0);
	CHECK(h_create_ioq(&h, 2, 64) == 0);
	/* Beyond what was granted. */
	CHECK(h_create_ioq(&h, 3, 64) == ((1u << 8 | 0x01) | 0x4000));

	/* Set Features Number of Queues after queues exist: Command Sequence Error. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x09;
	c.cdw10 = 0x07;
	c.cdw11 = 3u << 16 | 3;
	CHECK(H_SC(h_admin(&h, &c, NULL)) == 0x0c);

	buf = h_alloc(&h, 65536, 4096);
	rd = h_alloc(&h, 65536, 4096);
	for (unsigned int i = 0; i < 65536; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	/* 1 block, 8 blocks (PRP2), 128 blocks (PRP list), on both queues. */
	CHECK(h_rw(&h, 1, 0x01, 1, 0, 1, buf, 512) == 0);
	CHECK(h_rw(&h, 2, 0x01, 1, 100, 8, buf, 4096) == 0);
	CHECK(h_rw(&h, 1, 0x01, 1, 1000, 128, buf, 65536) == 0);
	CHECK(h_rw(&h, 2, 0x02, 1, 0, 1, rd, 512) == 0);
	CHECK(!memcmp(rd, buf, 512));
	CHECK(h_rw(&h, 1, 0x02, 1, 100, 8, rd, 4096) == 0);
	CHECK(!memcmp(rd, buf, 4096));
	memset(rd, 0, 65536);
	CHECK(h_rw(&h, 2, 0x02, 1, 1000, 128, rd, 65536) == 0);
	CHECK(!memcmp(rd, buf, 65536));
	/* Never-written blocks read as zeroes. */
	memset(rd, 0xaa, 4096);
	CHECK(h_rw(&h, 1, 0x02, 1, 5000, 8, rd, 4096) == 0);
	for (unsigned int i = 0; i < 4096; i++)
		CHECK(rd[i] == 0);

	/* Flush. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x00;
	c.nsid = 1;
	CHECK(h_io(&h, 1, &c, NULL) == 0);

	/* Normal shutdown reaches SHST complete; CC.EN=0 resets. */
	h_wreg32(&h, 0x14, h_reg32(&h, 0x14) | 1u << 14);
	CHECK(h_wait_csts(&h, 0xc, 0x8, 1000) == 0);
	CHECK(h_disable(&h) == 0);

	h_close(&h);

	test_cqe();
	return 0;
}
