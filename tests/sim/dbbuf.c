/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Doorbell Buffer Config: after it, the model takes I/O queue doorbells from the shadow buffer
 * (the MMIO doorbells are never written) and keeps the EventIdx buffer up to date: an SQ's event
 * index is the tail the model consumed, a CQ's the head it last read.
 */
#include <string.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR 0x4000

static uint16_t dbbuf(struct host *h, uint64_t dbs, uint64_t eis)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = 0x7c;
	c.prp1 = dbs;
	c.prp2 = eis;
	return h_admin(h, &c, NULL);
}

/* An event index as the model publishes it, once it has reached @want (it is written after the
 * completions of the commands it counts, so a host can see those first): 1 s at most. */
static uint32_t settled(const uint32_t *p, uint32_t want)
{
	uint64_t end = h_now_ns() + 1000000000ull;
	uint32_t v;

	while ((v = __atomic_load_n(p, __ATOMIC_ACQUIRE)) != want && h_now_ns() < end)
		;
	return v;
}

static volatile uint32_t *mmio_db(struct host *h, unsigned int qid, int cq)
{
	return (volatile uint32_t *)(h->bar + 0x1000 + 8 * qid + (cq ? 4 : 0));
}

int main(void)
{
	struct host h;
	uint32_t *dbs, *eis;
	uint8_t *buf, *id;
	uint32_t sq1_mmio, sq2_mmio;

	CHECK_OK(h_open(&h, "size=16M,queues=4", 8));
	CHECK(h_enable(&h, 16) == 0);
	id = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, id) == 0);
	CHECK(*(uint16_t *)(id + 256) & (1u << 8)); /* OACS: Doorbell Buffer Config */

	dbs = h_alloc(&h, 4096, 4096);
	eis = h_alloc(&h, 4096, 4096);
	buf = h_alloc(&h, 4096, 4096);

	/* Misaligned or unmapped buffers are refused. */
	CHECK(dbbuf(&h, h_iova(&h, dbs) + 8, h_iova(&h, eis)) == (0x02 | DNR));
	CHECK(dbbuf(&h, h_iova(&h, dbs), 0) == (0x02 | DNR));
	CHECK(dbbuf(&h, h_iova(&h, dbs), H_IOVA_BASE + h.mem_len) == (0x02 | DNR));

	/* Queue 1 exists before the config, queues 2 and 3 are created after it. */
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(dbbuf(&h, h_iova(&h, dbs), h_iova(&h, eis)) == 0);
	/* The model carried queue 1's doorbells over into the shadow buffer. */
	CHECK(dbs[2] == 2 && dbs[3] == 2);
	h.dbs = dbs;
	h.eis = eis;
	CHECK(h_create_ioq(&h, 2, 16) == 0);
	CHECK(h_create_ioq(&h, 3, 4) == 0);
	sq1_mmio = *mmio_db(&h, 1, 0);
	sq2_mmio = *mmio_db(&h, 2, 0);

	for (unsigned int i = 0; i < 20; i++) {
		CHECK(h_rw(&h, 1, 0x01, 1, i, 1, buf, 512) == 0);
		CHECK(h_rw(&h, 2, 0x02, 1, i, 1, buf, 512) == 0);
	}
	/* Only the shadow doorbells moved; event indexes follow the consumed tails. */
	CHECK(*mmio_db(&h, 1, 0) == sq1_mmio && *mmio_db(&h, 2, 0) == sq2_mmio);
	CHECK(dbs[2 * 1] == (2 + 20) % 16 && settled(&eis[2 * 1], dbs[2 * 1]) == dbs[2 * 1]);
	CHECK(dbs[2 * 2] == 20 % 16 && settled(&eis[2 * 2], dbs[2 * 2]) == dbs[2 * 2]);

	/* A CQ of 4 entries: on the fourth completion the model must read the head to find room;
	 * it then records that head (3) as the CQ's event index. */
	for (unsigned int i = 0; i < 5; i++)
		CHECK(h_rw(&h, 3, 0x02, 1, i, 1, buf, 512) == 0);
	CHECK(settled(&eis[2 * 3 + 1], 3) == 3);

	/* The admin queue keeps using its MMIO doorbells. */
	CHECK(h_identify(&h, 1, 0, id) == 0);
	CHECK(dbs[0] == 0 && dbs[1] == 0);

	/* A controller reset forgets the buffers: new queues use MMIO doorbells again. */
	CHECK(h_disable(&h) == 0);
	CHECK(h_enable(&h, 16) == 0);
	memset(dbs, 0, 4096);
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);
	CHECK(*mmio_db(&h, 1, 0) == 1 && dbs[2] == 0);
	h_close(&h);

	/* dbbuf=off: not advertised, opcode refused. */
	CHECK_OK(h_open(&h, "size=16M,dbbuf=off", 4));
	CHECK(h_enable(&h, 16) == 0);
	id = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, id) == 0);
	CHECK(!(*(uint16_t *)(id + 256) & (1u << 8)));
	dbs = h_alloc(&h, 4096, 4096);
	CHECK(dbbuf(&h, h_iova(&h, dbs), h_iova(&h, dbs)) == (0x01 | DNR));
	h_close(&h);
	return 0;
}
