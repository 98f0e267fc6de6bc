/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every kind of injected fault, observed from the host side and through the counters: failed
 * commands, probabilistic failures, held commands released by Abort / SQ deletion / reset,
 * delayed completions, controller fatal status, surprise removal, and the same faults asked
 * for in the address. What must not happen is decided by the model's state (h_settle(), its
 * counters), what must happen is waited for up to H_WAIT_MS: no wall-clock window.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR 0x4000

static void start(struct host *h, const char *opts)
{
	CHECK_OK(h_open(h, opts, 8));
	CHECK(h_enable(h, 32) == 0);
	CHECK(h_create_ioq(h, 1, 32) == 0);
}

static void read_cmd(struct host *h, struct h_sqe *c, void *buf, uint64_t slba)
{
	memset(c, 0, sizeof(*c));
	c->opc = 0x02;
	c->nsid = 1;
	c->cdw10 = (uint32_t)slba;
	h_prp(h, c, buf, 512);
}

static struct nvfio_sim_stats stats(struct host *h)
{
	struct nvfio_sim_stats st;

	nvfio_sim_get_stats(h->sim, &st);
	return st;
}

/* Until the model holds @n commands; bounded by H_WAIT_MS. */
static void wait_holding(struct host *h, uint64_t n)
{
	uint64_t end = h_now_ns() + H_WAIT_MS * 1000000ull;

	while (stats(h).holding != n)
		CHECK(h_now_ns() < end);
}

static void test_fail(void)
{
	struct host h;
	struct nvfio_sim_fault f;
	uint8_t *buf;
	int id, id2;
	unsigned int failed = 0;

	start(&h, "size=16M");
	buf = h_alloc(&h, 4096, 4096);

	memset(&f, 0, sizeof(f));
	f.kind = NVFIO_SIM_FAIL;
	f.queues = NVFIO_SIM_IO;
	f.opcode = 0x02;
	f.sct = 2;
	f.sc = 0x81; /* Unrecovered Read Error */
	f.count = 3;
	id = nvfio_sim_fault_add(h.sim, &f);
	CHECK(id >= 0);
	for (unsigned int i = 0; i < 3; i++)
		CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0x281);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(h_rw(&h, 1, 0x01, 1, 0, 1, buf, 512) == 0); /* writes never matched */
	CHECK(nvfio_sim_fault_hits(h.sim, id) == 3);
	CHECK(stats(&h).failed == 3);
	/* Media errors show in SMART / health (bytes 160..175), failures in the error log. */
	{
		struct h_sqe c;
		uint8_t *log = h_alloc(&h, 512, 4096);

		memset(&c, 0, sizeof(c));
		c.opc = 0x02;
		c.cdw10 = 0x02 | 127u << 16;
		h_prp(&h, &c, log, 512);
		CHECK(h_admin(&h, &c, NULL) == 0);
		CHECK(log[160] == 3);
		CHECK(log[176] >= 3); /* error log entries */
	}

	/* Admin command, with DNR. */
	memset(&f, 0, sizeof(f));
	f.kind = NVFIO_SIM_FAIL;
	f.queues = NVFIO_SIM_ADMIN;
	f.opcode = 0x06;
	f.sct = 0;
	f.sc = 0x06;
	f.dnr = 1;
	f.count = 1;
	CHECK(nvfio_sim_fault_add(h.sim, &f) >= 0);
	CHECK(h_identify(&h, 1, 0, buf) == (0x06 | DNR));
	CHECK(h_identify(&h, 1, 0, buf) == 0);

	/* With a probability: about half of 400 reads. */
	id2 = nvfio_sim_fault_parse(h.sim, "fail=io:0x02:0:0x04:50%");
	CHECK(id2 >= 0);
	for (unsigned int i = 0; i < 400; i++) {
		uint16_t st = h_rw(&h, 1, 0x02, 1, i, 1, buf, 512);

		CHECK(st == 0 || st == 0x04);
		failed += st != 0;
	}
	CHECK(failed > 120 && failed < 280);
	CHECK(nvfio_sim_fault_hits(h.sim, id2) == failed);
	CHECK(nvfio_sim_fault_remove(h.sim, id2) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(nvfio_sim_fault_remove(h.sim, 99) == -2);
	CHECK(nvfio_sim_fault_hits(h.sim, 99) == -2);
	CHECK(nvfio_sim_fault_parse(h.sim, "fail=io:0x02") == -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "fail=<admin|io|any>"));
	CHECK(nvfio_sim_fault_parse(h.sim, "bogus=1") == -NVFIO_EBADOPT);
	f.sct = 9;
	CHECK(nvfio_sim_fault_add(h.sim, &f) == -22);
	h_close(&h);
}

static void test_hold(void)
{
	struct host h;
	struct h_sqe c;
	struct h_cqe cqe;
	uint8_t *buf;
	uint16_t cid, cid2;

	start(&h, "size=16M,queues=2");
	buf = h_alloc(&h, 4096, 4096);
	CHECK(nvfio_sim_fault_parse(h.sim, "hold=io:0x02:2") >= 0);

	/* Held until an Abort names it. */
	read_cmd(&h, &c, buf, 0);
	cid = h_submit(&h, &h.sq[1], &c, true);
	wait_holding(&h, 1);
	CHECK(h_none(&h, &h.cq[1]));
	CHECK(stats(&h).held == 1 && stats(&h).holding == 1);
	memset(&c, 0, sizeof(c));
	c.opc = 0x08;
	c.cdw10 = 1 | (uint32_t)cid << 16;
	CHECK(h_admin(&h, &c, &cqe) == 0);
	CHECK((cqe.dw0 & 1) == 0); /* aborted */
	CHECK(h_reap(&h, &h.cq[1], &cqe, H_WAIT_MS));
	CHECK(cqe.cid == cid && (cqe.status >> 1) == 0x07);
	CHECK(stats(&h).aborted == 1 && stats(&h).holding == 0);
	/* The same Abort again: nothing held any more. */
	CHECK(h_admin(&h, &c, &cqe) == 0 && (cqe.dw0 & 1));

	/* Held until its SQ is deleted: completes as aborted by SQ deletion. */
	read_cmd(&h, &c, buf, 0);
	cid2 = h_submit(&h, &h.sq[1], &c, true);
	wait_holding(&h, 1);
	CHECK(h_none(&h, &h.cq[1]));
	memset(&c, 0, sizeof(c));
	c.opc = 0x00;
	c.cdw10 = 1;
	CHECK(h_admin(&h, &c, NULL) == 0);
	CHECK(h_reap(&h, &h.cq[1], &cqe, H_WAIT_MS));
	CHECK(cqe.cid == cid2 && (cqe.status >> 1) == 0x08);
	CHECK(stats(&h).sq_deleted == 1);
	memset(&c, 0, sizeof(c));
	c.opc = 0x04;
	c.cdw10 = 1;
	CHECK(h_admin(&h, &c, NULL) == 0);

	/* Rule used up: reads complete again. */
	CHECK(h_create_ioq(&h, 1, 32) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);

	/* Held admin command, dropped by a function-level reset. */
	CHECK(nvfio_sim_fault_parse(h.sim, "hold=admin:0x06") >= 0);
	memset(&c, 0, sizeof(c));
	c.opc = 0x06;
	c.cdw10 = 1;
	h_prp(&h, &c, buf, 4096);
	h_submit(&h, &h.asq, &c, true);
	wait_holding(&h, 1);
	CHECK(h_none(&h, &h.acq));
	CHECK_OK(nvf_sim_reset(h.sim));
	CHECK(stats(&h).holding == 0 && stats(&h).dropped >= 1);
	CHECK(h_reg32(&h, 0x14) == 0 && h_reg32(&h, 0x1c) == 0);
	h_close(&h);
}

static void test_delay(void)
{
	struct host h;
	uint8_t *buf, *rd;
	uint64_t t0, dt;

	start(&h, "size=16M,delay=io:0x02:20000:2");
	buf = h_alloc(&h, 4096, 4096);
	rd = h_alloc(&h, 4096, 4096);
	memset(buf, 0x3c, 512);
	CHECK(h_rw(&h, 1, 0x01, 1, 9, 1, buf, 512) == 0);
	for (unsigned int i = 0; i < 2; i++) {
		memset(rd, 0, 512);
		t0 = h_now_ns();
		CHECK(h_rw(&h, 1, 0x02, 1, 9, 1, rd, 512) == 0);
		dt = h_now_ns() - t0;
		CHECK(dt >= 20000000);
		CHECK(!memcmp(rd, buf, 512));
	}
	/* Used up: the next read is not delayed (counted, not timed: a busy machine may take
	 * 20 ms for anything). */
	CHECK(h_rw(&h, 1, 0x02, 1, 9, 1, rd, 512) == 0);
	CHECK(stats(&h).delayed == 2);
	h_close(&h);
}

static void test_fatal(void)
{
	struct host h;
	struct h_sqe c;
	uint8_t *buf;

	start(&h, "size=16M");
	buf = h_alloc(&h, 4096, 4096);
	nvfio_sim_fatal(h.sim);
	CHECK(h_reg32(&h, 0x1c) & 0x2);
	CHECK(stats(&h).fatal == 1);
	/* Nothing is processed any more. */
	read_cmd(&h, &c, buf, 0);
	h_submit(&h, &h.sq[1], &c, true);
	CHECK(h_none(&h, &h.cq[1]));
	/* A controller reset clears it and the controller works again. */
	CHECK(h_disable(&h) == 0);
	CHECK(!(h_reg32(&h, 0x1c) & 0x2));
	CHECK(h_enable(&h, 32) == 0);
	CHECK(h_create_ioq(&h, 1, 32) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	h_close(&h);

	/* cfs=N: fatal after N completed commands (here: 2 queue creations, 3 reads). */
	start(&h, "size=16M,cfs=5");
	buf = h_alloc(&h, 4096, 4096);
	for (unsigned int i = 0; i < 3; i++)
		CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(h_wait_csts(&h, 0x2, 0x2, H_WAIT_MS) == 0);
	h_close(&h);

	/* cfs=0: fatal as soon as it is enabled. */
	CHECK_OK(h_open(&h, "cfs=0", 4));
	CHECK(h_enable(&h, 16) != 0);
	CHECK(h_wait_csts(&h, 0x3, 0x3, H_WAIT_MS) == 0);
	h_close(&h);
}

static void test_remove(void)
{
	struct host h;
	struct h_sqe c;
	uint8_t *buf;

	start(&h, "size=16M");
	buf = h_alloc(&h, 4096, 4096);
	nvfio_sim_remove(h.sim);
	CHECK(h_reg32(&h, 0x1c) == 0xffffffffu);
	CHECK(h_reg64(&h, 0x00) == UINT64_MAX);
	CHECK(stats(&h).removed == 1);
	read_cmd(&h, &c, buf, 0);
	h_submit(&h, &h.sq[1], &c, true);
	CHECK(h_none(&h, &h.cq[1]));
	/* Writes to the registers and doorbells change nothing that reads back, once the model
	 * has made a pass over them. */
	h_wreg32(&h, 0x14, 0);
	h_wreg32(&h, 0x1000 + 8, 1);
	h_settle(&h);
	CHECK(h_reg32(&h, 0x1c) == 0xffffffffu && h_reg32(&h, 0x14) == 0xffffffffu);
	CHECK(h_reg32(&h, 0x1000 + 8) == 0xffffffffu);
	/* A function-level reset does not bring it back. */
	CHECK_OK(nvf_sim_reset(h.sim));
	CHECK(h_reg32(&h, 0x1c) == 0xffffffffu);
	h_close(&h);

	/* remove=0: gone from the start. */
	CHECK_OK(h_open(&h, "remove=0", 4));
	CHECK(h_reg32(&h, 0x00) == 0xffffffffu && h_reg32(&h, 0x1c) == 0xffffffffu);
	h_close(&h);

	/* remove=N: after N completed commands. */
	start(&h, "size=16M,remove=4");
	buf = h_alloc(&h, 4096, 4096);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(h_wait_csts(&h, 0xffffffffu, 0xffffffffu, H_WAIT_MS) == 0);
	h_close(&h);
}

static void test_address(void)
{
	struct host h;
	struct h_cqe cqe;
	struct h_sqe c;
	uint8_t *buf;

	/* Faults in the address: the first read fails, the first Identify is held, an event
	 * waits for the first AER. */
	start(&h, "size=16M,fail=io:0x02:2:0x81:1,event=2:0:4");
	buf = h_alloc(&h, 4096, 4096);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0x281);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	memset(&c, 0, sizeof(c));
	c.opc = 0x0c;
	h_submit(&h, &h.asq, &c, true);
	CHECK(h_reap(&h, &h.acq, &cqe, H_WAIT_MS));
	CHECK(cqe.dw0 == (2u | 4u << 16));
	h_close(&h);

	CHECK_OK(h_open(&h, "hold=admin:0x06:1", 4));
	CHECK(h_enable(&h, 16) == 0);
	memset(&c, 0, sizeof(c));
	c.opc = 0x06;
	c.cdw10 = 1;
	buf = h_alloc(&h, 4096, 4096);
	h_prp(&h, &c, buf, 4096);
	h_submit(&h, &h.asq, &c, true);
	wait_holding(&h, 1);
	CHECK(h_none(&h, &h.acq));
	CHECK(h_identify(&h, 1, 0, buf) == 0);
	h_close(&h);

	CHECK(h_open(&h, "hold=io", 4) == -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "hold=<admin|io|any>"));
	CHECK(h_open(&h, "delay=io:0x02:x", 4) == -NVFIO_EBADOPT);
	CHECK(h_open(&h, "event=9:0:0", 4) == -NVFIO_EBADOPT);
	CHECK(h_open(&h, "cfs=-1", 4) == -NVFIO_EBADOPT);
	/* idpatch=: within the 4096 bytes, whole bytes of hex, at most 8 of them. */
	CHECK(h_open(&h, "idpatch=1:any:4095:0102", 4) == -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "idpatch=<cns>:<nsid|any>:<offset>"));
	CHECK(h_open(&h, "idpatch=1:any:0:01:4097", 4) == -NVFIO_EBADOPT);
	CHECK(h_open(&h, "idpatch=1:any:0:0g", 4) == -NVFIO_EBADOPT);
	CHECK(h_open(&h, "idpatch=1:any:0:123", 4) == -NVFIO_EBADOPT);
	CHECK(h_open(&h, "idpatch=1:x:0:12", 4) == -NVFIO_EBADOPT);
	CHECK(h_open(&h,
		     "idpatch=1:any:0:01,idpatch=1:any:0:01,idpatch=1:any:0:01,idpatch=1:any:0:01,"
		     "idpatch=1:any:0:01,idpatch=1:any:0:01,idpatch=1:any:0:01,idpatch=1:any:0:01,"
		     "idpatch=1:any:0:01",
		     4) == -NVFIO_EBADOPT);
	/* And in effect: Identify Controller's MN begins with what was written. */
	CHECK_OK(h_open(&h, "idpatch=1:any:24:4142:2", 4));
	CHECK(h_enable(&h, 16) == 0);
	buf = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, buf) == 0);
	CHECK(memcmp((uint8_t *)buf + 24, "ABAB", 4) == 0);
	h_close(&h);
}

int main(void)
{
	test_fail();
	test_hold();
	test_delay();
	test_fatal();
	test_remove();
	test_address();
	return 0;
}
