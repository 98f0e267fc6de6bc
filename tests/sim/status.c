/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Status codes the model returns for bad commands, as the spec says.
 */
#include <string.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR	    0x4000
#define ST(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

static uint16_t admin(struct host *h, uint8_t opc, uint32_t nsid, uint32_t cdw10, uint32_t cdw11,
		      uint64_t prp1, struct h_cqe *cqe)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = opc;
	c.nsid = nsid;
	c.cdw10 = cdw10;
	c.cdw11 = cdw11;
	c.prp1 = prp1;
	return h_admin(h, &c, cqe);
}

static uint16_t io(struct host *h, uint8_t opc, uint32_t nsid, uint64_t slba, uint32_t nlb0,
		   void *buf, size_t len)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = opc;
	c.nsid = nsid;
	c.cdw10 = (uint32_t)slba;
	c.cdw11 = (uint32_t)(slba >> 32);
	c.cdw12 = nlb0;
	if (buf)
		h_prp(h, &c, buf, len);
	return h_io(h, 1, &c, NULL);
}

int main(void)
{
	struct host h;
	struct h_cqe cqe;
	uint8_t *buf, *q;
	struct h_sqe c;
	uint64_t nsze = (16ull << 20) / 512;

	CHECK_OK(h_open(&h, "size=16M,namespaces=2,queues=4,depth=64,mdts=3", 8));
	CHECK(h_enable(&h, 16) == 0);
	buf = h_alloc(&h, 65536, 4096);
	q = h_alloc(&h, 64 * 64, 4096);

	/* Invalid opcodes. */
	CHECK(admin(&h, 0xc5, 0, 0, 0, 0, NULL) == (ST(0, 0x01) | DNR));
	CHECK(admin(&h, 0x18, 0, 0, 0, 0, NULL) == (ST(0, 0x01) | DNR)); /* Keep Alive: KAS 0 */

	/* Identify: unknown CNS, bad namespaces. */
	CHECK(admin(&h, 0x06, 0, 0x55, 0, h_iova(&h, buf), NULL) == (ST(0, 0x02) | DNR));
	CHECK(admin(&h, 0x06, 0, 0x00, 0, h_iova(&h, buf), NULL) == (ST(0, 0x0b) | DNR));
	CHECK(admin(&h, 0x06, 3, 0x00, 0, h_iova(&h, buf), NULL) == (ST(0, 0x0b) | DNR));
	CHECK(admin(&h, 0x06, 0xfffffffe, 0x02, 0, h_iova(&h, buf), NULL) == (ST(0, 0x0b) | DNR));
	CHECK(admin(&h, 0x06, 2, 0x03, 0, h_iova(&h, buf), NULL) == 0);
	CHECK(buf[0] == 1 && buf[1] == 8);    /* EUI64 descriptor first */
	CHECK(buf[12] == 2 && buf[13] == 16); /* then NGUID */
	CHECK(buf[32] == 3 && buf[33] == 16); /* then UUID */
	CHECK(buf[52] == 4 && buf[53] == 1);  /* then CSI */

	/* Get Log Page: unknown log; offset beyond the log. */
	CHECK(admin(&h, 0x02, 0, 0x7f | 127u << 16, 0, h_iova(&h, buf), NULL) ==
	      (ST(1, 0x09) | DNR));
	{
		memset(&c, 0, sizeof(c));
		c.opc = 0x02;
		c.cdw10 = 0x02 | 127u << 16;
		c.cdw12 = 4096;
		c.prp1 = h_iova(&h, buf);
		CHECK(h_admin(&h, &c, NULL) == (ST(0, 0x02) | DNR));
	}

	/* Features: unknown FID, Power State beyond NPSS, saving, Number of Queues 0xffff. */
	CHECK(admin(&h, 0x0a, 0, 0x7e, 0, 0, NULL) == (ST(0, 0x02) | DNR));
	CHECK(admin(&h, 0x09, 0, 0x02, 1, 0, NULL) == (ST(0, 0x02) | DNR));
	CHECK(admin(&h, 0x09, 0, 0x02 | 1u << 31, 0, 0, NULL) == (ST(1, 0x0d) | DNR));
	CHECK(admin(&h, 0x09, 0, 0x07, 0xffff, 0, NULL) == (ST(0, 0x02) | DNR));
	/* Get Features with select = supported capabilities. */
	CHECK(admin(&h, 0x0a, 0, 0x06 | 3u << 8, 0, 0, &cqe) == 0);
	CHECK(cqe.dw0 & (1u << 2));

	/* Create I/O CQ: QID 0, beyond the maximum, size 1, size > MQES+1, no PC, bad vector. */
	CHECK(admin(&h, 0x05, 0, 0 | 7u << 16, 1, h_iova(&h, q), NULL) == (ST(1, 0x01) | DNR));
	CHECK(admin(&h, 0x05, 0, 5 | 7u << 16, 1, h_iova(&h, q), NULL) == (ST(1, 0x01) | DNR));
	CHECK(admin(&h, 0x05, 0, 1 | 0u << 16, 1, h_iova(&h, q), NULL) == (ST(1, 0x02) | DNR));
	CHECK(admin(&h, 0x05, 0, 1 | 64u << 16, 1, h_iova(&h, q), NULL) == (ST(1, 0x02) | DNR));
	CHECK(admin(&h, 0x05, 0, 1 | 7u << 16, 0, h_iova(&h, q), NULL) == (ST(0, 0x02) | DNR));
	CHECK(admin(&h, 0x05, 0, 1 | 7u << 16, 3 | 5u << 16, h_iova(&h, q), NULL) ==
	      (ST(1, 0x08) | DNR));
	/* Queue memory: not page-aligned, not mapped. */
	CHECK(admin(&h, 0x05, 0, 1 | 7u << 16, 1, h_iova(&h, q) + 64, NULL) == (ST(0, 0x13) | DNR));
	CHECK(admin(&h, 0x05, 0, 1 | 7u << 16, 1, 0x1000, NULL) == (ST(0, 0x02) | DNR));
	/* Create I/O SQ: its CQ does not exist. */
	CHECK(admin(&h, 0x01, 0, 1 | 7u << 16, 1 | 1u << 16, h_iova(&h, q), NULL) ==
	      (ST(1, 0x00) | DNR));
	CHECK(h_create_ioq(&h, 1, 64) == 0);
	/* Again: QID in use. */
	CHECK(admin(&h, 0x05, 0, 1 | 7u << 16, 1, h_iova(&h, q), NULL) == (ST(1, 0x01) | DNR));
	CHECK(admin(&h, 0x01, 0, 1 | 7u << 16, 1 | 1u << 16, h_iova(&h, q), NULL) ==
	      (ST(1, 0x01) | DNR));
	/* Delete: CQ with an SQ on it; unknown queues. */
	CHECK(admin(&h, 0x04, 0, 1, 0, 0, NULL) == (ST(1, 0x0c) | DNR));
	CHECK(admin(&h, 0x00, 0, 3, 0, 0, NULL) == (ST(1, 0x01) | DNR));
	CHECK(admin(&h, 0x00, 0, 0, 0, 0, NULL) == (ST(1, 0x01) | DNR));
	CHECK(admin(&h, 0x04, 0, 2, 0, 0, NULL) == (ST(1, 0x01) | DNR));

	/* Abort of a command the controller does not hold: completes, "not aborted". */
	CHECK(admin(&h, 0x08, 0, 1 | 1234u << 16, 0, 0, &cqe) == 0);
	CHECK(cqe.dw0 & 1);

	/* I/O: invalid opcode, invalid namespace, LBA out of range, beyond MDTS, fused. */
	CHECK(io(&h, 0x7e, 1, 0, 0, NULL, 0) == (ST(0, 0x01) | DNR));
	CHECK(io(&h, 0x02, 3, 0, 0, buf, 512) == (ST(0, 0x0b) | DNR));
	CHECK(io(&h, 0x02, 0, 0, 0, buf, 512) == (ST(0, 0x0b) | DNR));
	CHECK(io(&h, 0x01, 0xffffffff, 0, 0, buf, 512) == (ST(0, 0x0b) | DNR));
	CHECK(io(&h, 0x02, 1, nsze, 0, buf, 512) == (ST(0, 0x80) | DNR));
	CHECK(io(&h, 0x02, 1, nsze - 1, 1, buf, 1024) == (ST(0, 0x80) | DNR));
	CHECK(io(&h, 0x02, 1, UINT64_MAX, 1, buf, 1024) == (ST(0, 0x80) | DNR));
	CHECK(io(&h, 0x02, 1, nsze - 1, 0, buf, 512) == 0);
	CHECK(io(&h, 0x02, 1, 0, 64, buf, 65 * 512) == (ST(0, 0x02) | DNR)); /* > 32 KiB */
	CHECK(io(&h, 0x02, 1, 0, 63, buf, 64 * 512) == 0);
	CHECK(io(&h, 0x08, 2, nsze, 0, NULL, 0) == (ST(0, 0x80) | DNR)); /* Write Zeroes */
	memset(&c, 0, sizeof(c));
	c.opc = 0x02;
	c.flags = 1; /* fused, first */
	c.nsid = 1;
	h_prp(&h, &c, buf, 512);
	CHECK(h_io(&h, 1, &c, NULL) == (ST(0, 0x02) | DNR));
	/* Flush of every namespace (VWC advertises it). */
	CHECK(io(&h, 0x00, 0xffffffff, 0, 0, NULL, 0) == 0);

	/* The error log records failures, newest first, and SMART counts them. */
	memset(buf, 0, 4096);
	CHECK(admin(&h, 0x02, 0, 0x01 | 31u << 16, 0, h_iova(&h, buf), NULL) == 0);
	CHECK(*(uint64_t *)buf >= 20);	    /* error count */
	CHECK(*(uint16_t *)(buf + 8) == 1); /* SQID of the fused read */
	CHECK((*(uint16_t *)(buf + 12) >> 1) == (ST(0, 0x02) | DNR));
	CHECK(*(uint64_t *)(buf + 64) == *(uint64_t *)buf - 1);

	/* A doorbell beyond the queue is ignored and reported as an asynchronous event. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x0c;
	h_submit(&h, &h.asq, &c, true);
	h_wreg32(&h, 0x1000 + 8, 200);
	CHECK(h_reap(&h, &h.acq, &cqe, 2000));
	CHECK((cqe.status >> 1) == 0);
	CHECK((cqe.dw0 & 0x7) == 0 && ((cqe.dw0 >> 8) & 0xff) == 1 &&
	      ((cqe.dw0 >> 16) & 0xff) == 1);
	h_wreg32(&h, 0x1000 + 8, h.sq[1].tail);
	CHECK(io(&h, 0x02, 1, 0, 0, buf, 512) == 0);

	/* Reading the Error log re-arms error events; then a doorbell of a queue that was never
	 * created is an Invalid Doorbell Register event. */
	CHECK(admin(&h, 0x02, 0, 0x01 | 31u << 16, 0, h_iova(&h, buf), NULL) == 0);
	h_submit(&h, &h.asq, &c, true);
	h_wreg32(&h, 0x1000 + 8 * 3, 5);
	CHECK(h_reap(&h, &h.acq, &cqe, 2000));
	CHECK((cqe.status >> 1) == 0 && cqe.dw0 == (0u | 0u << 8 | 1u << 16));

	/* A CQ head beyond its queue, while the CQ has room: Invalid Doorbell Write Value. */
	CHECK(admin(&h, 0x02, 0, 0x01 | 31u << 16, 0, h_iova(&h, buf), NULL) == 0);
	h_submit(&h, &h.asq, &c, true);
	h_wreg32(&h, 0x1000 + 12, 64);
	CHECK(h_reap(&h, &h.acq, &cqe, 2000));
	CHECK((cqe.status >> 1) == 0 && cqe.dw0 == (0u | 1u << 8 | 1u << 16));
	h_wreg32(&h, 0x1000 + 12, h.cq[1].head);
	CHECK(io(&h, 0x02, 1, 0, 0, buf, 512) == 0);

	/* A queue pair created, used and deleted: its doorbells are those of an absent queue. */
	CHECK(admin(&h, 0x02, 0, 0x01 | 31u << 16, 0, h_iova(&h, buf), NULL) == 0);
	CHECK(h_create_ioq(&h, 2, 16) == 0);
	CHECK(h_rw(&h, 2, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(admin(&h, 0x00, 0, 2, 0, 0, NULL) == 0);
	CHECK(admin(&h, 0x04, 0, 2, 0, 0, NULL) == 0);
	h_submit(&h, &h.asq, &c, true);
	CHECK(!h_reap(&h, &h.acq, &cqe, 50)); /* nothing to report yet */
	h_wreg32(&h, 0x1000 + 8 * 2 + 4, 1);
	CHECK(h_reap(&h, &h.acq, &cqe, 2000));
	CHECK((cqe.status >> 1) == 0 && cqe.dw0 == (0u | 0u << 8 | 1u << 16));

	h_close(&h);
	return 0;
}
