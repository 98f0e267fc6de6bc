/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's DMA: PRP lists across pages, SGLs, and the IOMMU-like bounds checks (a data
 * pointer outside mapped memory fails with a data transfer error and touches nothing).
 */
#include <string.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR	    0x4000
#define XFER_ERR    0x0004
#define ST(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

struct sgl {
	uint64_t addr;
	uint32_t len;
	uint8_t rsvd[3];
	uint8_t type;
};

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + seed);
}

static uint16_t rw_cmd(struct host *h, struct h_sqe *c, uint8_t opc, uint64_t slba, uint32_t nlb)
{
	c->opc = opc;
	c->nsid = 1;
	c->cdw10 = (uint32_t)slba;
	c->cdw11 = (uint32_t)(slba >> 32);
	c->cdw12 = nlb - 1;
	return h_io(h, 1, c, NULL);
}

static void sgl_desc(struct sgl *d, uint64_t addr, uint32_t len, uint8_t type)
{
	memset(d, 0, sizeof(*d));
	d->addr = addr;
	d->len = len;
	d->type = (uint8_t)(type << 4);
}

static void test_prp(struct host *h)
{
	uint8_t *src = h_alloc(h, 1 << 20, 4096), *dst = h_alloc(h, 1 << 20, 4096);
	struct h_sqe c;

	/* Transfers from 512 B to MDTS (512 KiB), starting at odd dword offsets in a page, so the
	 * PRP list chains across list pages (more than 511 entries needs two list pages at 4K
	 * MPS only beyond 2 MiB; use a list that starts near the end of its page instead). */
	for (uint32_t nlb = 1; nlb <= 1024; nlb *= 4) {
		size_t len = (size_t)nlb * 512;
		size_t off = (nlb * 40) % 4096 & ~3u;

		fill(src + off, len, nlb);
		memset(dst + off, 0, len);
		CHECK(h_rw(h, 1, 0x01, 1, 4096, nlb, src + off, len) == 0);
		CHECK(h_rw(h, 1, 0x02, 1, 4096, nlb, dst + off, len) == 0);
		CHECK(!memcmp(src + off, dst + off, len));
	}

	/* A PRP list that starts 16 bytes before the end of its page: two entries there, the
	 * second chaining to the next list page, as the spec allows. */
	{
		uint64_t *lists = h_alloc(h, 2 * 4096, 4096);
		uint64_t *tail = (uint64_t *)((uint8_t *)lists + 4096 - 16);
		uint64_t *next = lists + 512;
		size_t len = 5 * 4096;

		fill(src, len, 99);
		memset(&c, 0, sizeof(c));
		c.prp1 = h_iova(h, src);
		c.prp2 = h_iova(h, tail);
		tail[0] = h_iova(h, src + 4096);
		tail[1] = h_iova(h, next);
		next[0] = h_iova(h, src + 2 * 4096);
		next[1] = h_iova(h, src + 3 * 4096);
		next[2] = h_iova(h, src + 4 * 4096);
		CHECK(rw_cmd(h, &c, 0x01, 8192, 40) == 0);
		memset(dst, 0, len);
		CHECK(h_rw(h, 1, 0x02, 1, 8192, 40, dst, len) == 0);
		CHECK(!memcmp(src, dst, len));
	}

	/* A PRP list entry with an offset: PRP Offset Invalid, and nothing read into PRP1's page.
	 */
	{
		uint64_t *list = h_alloc(h, 4096, 4096);

		memset(dst, 0xee, 4096);
		memset(&c, 0, sizeof(c));
		c.prp1 = h_iova(h, dst);
		c.prp2 = h_iova(h, list);
		list[0] = h_iova(h, dst + 4096);
		list[1] = h_iova(h, dst + 2 * 4096) + 512;
		CHECK(rw_cmd(h, &c, 0x02, 0, 24) == (ST(0, 0x13) | DNR));
		CHECK(dst[0] == 0xee && dst[4095] == 0xee);
	}

	/* Misaligned pointers. */
	memset(&c, 0, sizeof(c));
	c.prp1 = h_iova(h, src) + 2;
	CHECK(rw_cmd(h, &c, 0x02, 0, 1) == (ST(0, 0x13) | DNR));
	memset(&c, 0, sizeof(c));
	c.prp1 = h_iova(h, src);
	c.prp2 = h_iova(h, src) + 4096 + 512;
	CHECK(rw_cmd(h, &c, 0x02, 0, 16) == (ST(0, 0x13) | DNR));
}

static void test_bounds(struct host *h)
{
	uint8_t *buf = h_alloc(h, 3 * 4096, 4096), *old = h_alloc(h, 3 * 4096, 4096);
	uint64_t *list = h_alloc(h, 4096, 4096);
	uint64_t outside = H_IOVA_BASE + h->mem_len; /* first byte past the window */
	struct h_sqe c;

	/* Known contents at LBA 0..23. */
	fill(old, 3 * 4096, 7);
	CHECK(h_rw(h, 1, 0x01, 1, 0, 24, old, 3 * 4096) == 0);

	/* Read whose PRP2 leaves the window: data transfer error, PRP1's page untouched. */
	memset(buf, 0xee, 3 * 4096);
	memset(&c, 0, sizeof(c));
	c.prp1 = h_iova(h, buf);
	c.prp2 = outside;
	CHECK(rw_cmd(h, &c, 0x02, 0, 16) == XFER_ERR);
	for (unsigned int i = 0; i < 4096; i++)
		CHECK(buf[i] == 0xee);

	/* Read whose PRP list has one entry outside: nothing written anywhere. */
	list[0] = h_iova(h, buf + 4096);
	list[1] = outside;
	memset(&c, 0, sizeof(c));
	c.prp1 = h_iova(h, buf);
	c.prp2 = h_iova(h, list);
	CHECK(rw_cmd(h, &c, 0x02, 0, 24) == XFER_ERR);
	for (unsigned int i = 0; i < 3 * 4096; i++)
		CHECK(buf[i] == 0xee);

	/* The PRP list itself outside the window. */
	memset(&c, 0, sizeof(c));
	c.prp1 = h_iova(h, buf);
	c.prp2 = outside;
	CHECK(rw_cmd(h, &c, 0x02, 0, 24) == XFER_ERR);

	/* Write whose last page is outside: the blocks keep their old contents. */
	fill(buf, 3 * 4096, 200);
	list[0] = h_iova(h, buf + 4096);
	list[1] = outside;
	memset(&c, 0, sizeof(c));
	c.prp1 = h_iova(h, buf);
	c.prp2 = h_iova(h, list);
	CHECK(rw_cmd(h, &c, 0x01, 0, 24) == XFER_ERR);
	memset(buf, 0, 3 * 4096);
	CHECK(h_rw(h, 1, 0x02, 1, 0, 24, buf, 3 * 4096) == 0);
	CHECK(!memcmp(buf, old, 3 * 4096));

	/* A hole in the middle of the window (an unmapped page between mapped ones). */
	h->hole_start = (uint64_t)(buf + 4096 - h->mem);
	h->hole_end = h->hole_start + 4096;
	memset(&c, 0, sizeof(c));
	c.prp1 = h_iova(h, buf);
	c.prp2 = h_iova(h, list);
	list[0] = h_iova(h, buf + 4096);
	list[1] = h_iova(h, buf + 8192);
	CHECK(rw_cmd(h, &c, 0x02, 0, 24) == XFER_ERR);
	h->hole_start = h->hole_end = 0;
	CHECK(rw_cmd(h, &c, 0x02, 0, 24) == 0);
	CHECK(!memcmp(buf, old, 3 * 4096));

	/* Admin data pointer outside: Identify fails the same way. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x06;
	c.cdw10 = 1;
	c.prp1 = outside - 2048;
	c.prp2 = 0;
	CHECK(h_admin(h, &c, NULL) == XFER_ERR);
}

static void test_sgl(struct host *h)
{
	uint8_t *src = h_alloc(h, 64 * 1024, 4096), *dst = h_alloc(h, 64 * 1024, 4096);
	struct sgl *seg1 = h_alloc(h, 4096, 16), *seg2 = h_alloc(h, 4096, 16);
	struct h_sqe c;
	struct sgl *d = (struct sgl *)&c.prp1;

	fill(src, 16384, 3);

	/* One data block descriptor, byte-aligned address. */
	memset(&c, 0, sizeof(c));
	c.flags = 1u << 6;
	sgl_desc(d, h_iova(h, src) + 3, 4096, 0x0);
	CHECK(rw_cmd(h, &c, 0x01, 100, 8) == 0);
	CHECK(h_rw(h, 1, 0x02, 1, 100, 8, dst, 4096) == 0);
	CHECK(!memcmp(dst, src + 3, 4096));

	/* Segment -> (data, data, last segment) -> (data, data): 16 KiB in four odd pieces. */
	sgl_desc(&seg1[0], h_iova(h, src), 1000, 0x0);
	sgl_desc(&seg1[1], h_iova(h, src) + 1000, 3000, 0x0);
	sgl_desc(&seg1[2], h_iova(h, seg2), 2 * 16, 0x3);
	sgl_desc(&seg2[0], h_iova(h, src) + 4000, 10000, 0x0);
	sgl_desc(&seg2[1], h_iova(h, src) + 14000, 4000, 0x0); /* 1616 bytes past the end: ok */
	memset(&c, 0, sizeof(c));
	c.flags = 1u << 6;
	sgl_desc(d, h_iova(h, seg1), 3 * 16, 0x2);
	CHECK(rw_cmd(h, &c, 0x01, 200, 32) == 0);
	memset(dst, 0, 16384);
	CHECK(h_rw(h, 1, 0x02, 1, 200, 32, dst, 16384) == 0);
	CHECK(!memcmp(dst, src, 16384));
	/* Read it back through the same SGL. */
	memset(dst, 0, 16384);
	sgl_desc(&seg1[0], h_iova(h, dst), 1000, 0x0);
	sgl_desc(&seg1[1], h_iova(h, dst) + 1000, 3000, 0x0);
	sgl_desc(&seg2[0], h_iova(h, dst) + 4000, 10000, 0x0);
	sgl_desc(&seg2[1], h_iova(h, dst) + 14000, 2384, 0x0);
	memset(&c, 0, sizeof(c));
	c.flags = 1u << 6;
	sgl_desc(d, h_iova(h, seg1), 3 * 16, 0x2);
	CHECK(rw_cmd(h, &c, 0x02, 200, 32) == 0);
	CHECK(!memcmp(dst, src, 16384));

	/* Too short: Data SGL Length Invalid. */
	memset(&c, 0, sizeof(c));
	c.flags = 1u << 6;
	sgl_desc(d, h_iova(h, src), 4095, 0x0);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x0f) | DNR));
	/* Bit bucket / unknown type: SGL Descriptor Type Invalid. */
	sgl_desc(d, h_iova(h, src), 4096, 0x1);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x11) | DNR));
	sgl_desc(d, h_iova(h, src), 4096, 0x9);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x11) | DNR));
	/* A segment inside a last segment. */
	sgl_desc(&seg2[0], h_iova(h, seg1), 16, 0x2);
	sgl_desc(d, h_iova(h, seg2), 16, 0x3);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x0d) | DNR));
	/* A segment descriptor that does not end its segment; a segment whose length is not a
	 * whole number of descriptors: both Invalid SGL Segment Descriptor. */
	sgl_desc(&seg2[0], h_iova(h, seg1), 16, 0x2);
	sgl_desc(&seg2[1], h_iova(h, src), 4096, 0x0);
	sgl_desc(d, h_iova(h, seg2), 32, 0x2);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x0d) | DNR));
	sgl_desc(d, h_iova(h, seg2), 24, 0x2);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x0d) | DNR));
	sgl_desc(d, h_iova(h, seg2), 24, 0x3);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x0d) | DNR));
	/* MPTR as an SGL (PSDT 10b) is not advertised; PSDT 11b is reserved. */
	sgl_desc(d, h_iova(h, src), 4096, 0x0);
	c.flags = 2u << 6;
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x02) | DNR));
	c.flags = 3u << 6;
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == (ST(0, 0x02) | DNR));
	c.flags = 1u << 6;
	/* Data block outside the window; segment list outside the window. */
	sgl_desc(d, H_IOVA_BASE + h->mem_len - 100, 4096, 0x0);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == XFER_ERR);
	sgl_desc(d, H_IOVA_BASE + h->mem_len, 32, 0x2);
	CHECK(rw_cmd(h, &c, 0x02, 0, 8) == XFER_ERR);
	/* SGLs are not for admin commands on PCIe. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x06;
	c.cdw10 = 1;
	c.flags = 1u << 6;
	sgl_desc(d, h_iova(h, dst), 4096, 0x0);
	CHECK(h_admin(h, &c, NULL) == (ST(0, 0x02) | DNR));
}

int main(void)
{
	struct host h;
	uint8_t *id;

	CHECK_OK(h_open(&h, "size=64M,queues=2,depth=64", 16));
	CHECK(h_enable(&h, 16) == 0);
	CHECK(h_create_ioq(&h, 1, 64) == 0);
	id = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, id) == 0);
	CHECK((*(uint32_t *)(id + 536) & 3) == 1);	/* SGLS: supported, no alignment */
	CHECK(*(uint32_t *)(id + 536) & (1u << 18));	/* longer than the transfer: allowed */
	CHECK(!(*(uint32_t *)(id + 536) & (1u << 16))); /* no Bit Bucket descriptors */
	test_prp(&h);
	test_bounds(&h);
	test_sgl(&h);
	h_close(&h);

	/* MDTS 10 (4 MiB): 4 MiB from the middle of a page needs 1024 PRP entries after PRP1, in
	 * three list pages chained by their last entries (511 + 511 + 2). */
	CHECK_OK(h_open(&h, "size=64M,queues=1,mdts=10", 24));
	CHECK(h_enable(&h, 16) == 0);
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	{
		size_t len = 4u << 20;
		uint8_t *src = h_alloc(&h, len + 4096, 4096), *dst = h_alloc(&h, len + 4096, 4096);

		fill(src + 2048, len, 11);
		CHECK(h_rw(&h, 1, 0x01, 1, 512, 8192, src + 2048, len) == 0);
		CHECK(h_rw(&h, 1, 0x02, 1, 512, 8192, dst + 1024, len) == 0);
		CHECK(!memcmp(src + 2048, dst + 1024, len));
		CHECK(h_rw(&h, 1, 0x02, 1, 512, 8193, dst, len + 512) == (ST(0, 0x02) | DNR));
	}
	h_close(&h);

	/* sgl=off: not advertised, refused. */
	CHECK_OK(h_open(&h, "size=16M,queues=1,sgl=off", 4));
	CHECK(h_enable(&h, 16) == 0);
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	id = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, id) == 0);
	CHECK(*(uint32_t *)(id + 536) == 0);
	{
		struct h_sqe c;

		memset(&c, 0, sizeof(c));
		c.flags = 1u << 6;
		sgl_desc((struct sgl *)&c.prp1, h_iova(&h, id), 512, 0);
		CHECK(rw_cmd(&h, &c, 0x02, 0, 1) == (ST(0, 0x02) | DNR));
	}
	h_close(&h);

	/* Enabling with an admin queue outside mapped memory: CSTS.CFS, not ready. */
	CHECK_OK(h_open(&h, "size=16M", 4));
	h_wreg32(&h, 0x24, 15u << 16 | 15);
	h_wreg64(&h, 0x28, 0x7000000000ull);
	h_wreg64(&h, 0x30, H_IOVA_BASE);
	h_wreg32(&h, 0x14, 4u << 20 | 6u << 16 | 1);
	CHECK(h_wait_csts(&h, 0x3, 0x2, 2000) == 0);
	/* A reset (CC.EN = 0) clears it. */
	h_wreg32(&h, 0x14, 0);
	CHECK(h_wait_csts(&h, 0x3, 0x0, 2000) == 0);
	/* Invalid CC (IOSQES 5) fails the same way. */
	h_wreg64(&h, 0x28, H_IOVA_BASE + 4096);
	h_wreg32(&h, 0x14, 4u << 20 | 5u << 16 | 1);
	CHECK(h_wait_csts(&h, 0x3, 0x2, 2000) == 0);
	h_close(&h);
	return 0;
}
