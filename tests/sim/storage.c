/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Storage kinds and the commands that change storage: sparse 1 TiB namespace stays small, a
 * file survives close and reopen, is locked while open and refuses a reopen with another
 * geometry than its header records, Dataset Management deallocate and Write Zeroes read back as
 * zeroes, Compare, Format NVM changes the block size and erases, separate metadata.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR	    0x4000
#define ST(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	CHECK(f);
	CHECK(fscanf(f, "%ld %ld", &pages, &rss) == 2);
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

static bool all(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void start(struct host *h, const char *opts)
{
	CHECK_OK(h_open(h, opts, 8));
	CHECK(h_enable(h, 16) == 0);
	CHECK(h_create_ioq(h, 1, 32) == 0);
}

static void test_sparse(void)
{
	struct host h;
	uint8_t *buf, *rd;
	long before, after;
	const uint64_t nblk = (1ull << 40) / 4096;
	const uint64_t where[] = {0, nblk / 3, nblk / 2 + 7, nblk - 1};

	before = rss_kib();
	start(&h, "size=1T,lbads=4096");
	buf = h_alloc(&h, 4096, 4096);
	rd = h_alloc(&h, 4096, 4096);
	for (unsigned int i = 0; i < 4; i++) {
		fill(buf, 4096, i);
		CHECK(h_rw(&h, 1, 0x01, 1, where[i], 1, buf, 4096) == 0);
	}
	for (unsigned int i = 0; i < 4; i++) {
		fill(buf, 4096, i);
		CHECK(h_rw(&h, 1, 0x02, 1, where[i], 1, rd, 4096) == 0);
		CHECK(!memcmp(rd, buf, 4096));
	}
	CHECK(h_rw(&h, 1, 0x02, 1, nblk / 4, 1, rd, 4096) == 0);
	CHECK(all(rd, 4096, 0));
	after = rss_kib();
	printf("1 TiB sparse namespace, 4 blocks written: RSS grew by %ld KiB\n", after - before);
#ifndef NVFIO_SANITIZED
	CHECK(after - before < 32 * 1024);
#endif

	/* Thin provisioning: NUSE counts the 16 KiB chunks written (4 blocks of 4 KiB each). */
	{
		uint8_t *id = h_alloc(&h, 4096, 4096);
		uint64_t *r = h_alloc(&h, 16, 16);
		struct h_sqe c;

		CHECK(h_identify(&h, 0, 1, id) == 0);
		CHECK(id[24] & 1); /* NSFEAT: thin provisioning */
		CHECK(*(uint64_t *)(id + 8) == nblk && *(uint64_t *)(id + 16) == 4 * 4);
		/* Deallocating the chunk of LBA nblk - 1 gives it back; a partial one stays. */
		r[0] = (uint64_t)4 << 32;
		r[1] = nblk - 4;
		memset(&c, 0, sizeof(c));
		c.opc = 0x09;
		c.nsid = 1;
		c.cdw11 = 1u << 2;
		h_prp(&h, &c, r, 16);
		CHECK(h_io(&h, 1, &c, NULL) == 0);
		r[0] = (uint64_t)2 << 32;
		r[1] = 0;
		CHECK(h_io(&h, 1, &c, NULL) == 0);
		CHECK(h_identify(&h, 0, 1, id) == 0);
		CHECK(*(uint64_t *)(id + 16) == 3 * 4);
	}
	h_close(&h);

	/* RAM is fully provisioned: NUSE is NSZE. */
	start(&h, "size=16M,storage=ram");
	buf = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 0, 1, buf) == 0);
	CHECK(!(buf[24] & 1) && *(uint64_t *)(buf + 16) == (16ull << 20) / 512);
	h_close(&h);
}

/* @nlb blocks at @lba of namespaces 1 and 2, filled from @seed and @seed + 1. */
static void write_both(struct host *h, uint64_t lba, uint32_t nlb, size_t len, unsigned int seed)
{
	uint8_t *buf = h_alloc(h, len, 4096);

	for (uint32_t nsid = 1; nsid <= 2; nsid++) {
		fill(buf, len, seed + nsid - 1);
		CHECK(h_rw(h, 1, 0x01, nsid, lba, nlb, buf, len) == 0);
	}
}

static void test_file(void)
{
	char path[] = "/tmp/nvfio-sim-XXXXXX";
	char opts[256];
	struct host h;
	uint8_t *buf, *rd;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	snprintf(opts, sizeof(opts), "size=8M,namespaces=2,file=%s", path);

	start(&h, opts);
	write_both(&h, 77, 16, 8192, 42);
	/* Shut down cleanly, as a driver would. */
	h_wreg32(&h, 0x14, h_reg32(&h, 0x14) | 1u << 14);
	CHECK(h_wait_csts(&h, 0xc, 0x8, 1000) == 0);
	h_close(&h);

	start(&h, opts);
	buf = h_alloc(&h, 8192, 4096);
	rd = h_alloc(&h, 8192, 4096);
	fill(buf, 8192, 42);
	CHECK(h_rw(&h, 1, 0x02, 1, 77, 16, rd, 8192) == 0);
	CHECK(!memcmp(rd, buf, 8192));
	fill(buf, 8192, 43);
	CHECK(h_rw(&h, 1, 0x02, 2, 77, 16, rd, 8192) == 0);
	CHECK(!memcmp(rd, buf, 8192));
	/* Deallocate punches the file. */
	{
		struct h_sqe c;
		uint64_t *r = h_alloc(&h, 16, 16);

		r[0] = (uint64_t)16 << 32; /* cattr 0, nlb 16 */
		r[1] = 77;
		memset(&c, 0, sizeof(c));
		c.opc = 0x09;
		c.nsid = 1;
		c.cdw11 = 1u << 2;
		h_prp(&h, &c, r, 16);
		CHECK(h_io(&h, 1, &c, NULL) == 0);
		CHECK(h_rw(&h, 1, 0x02, 1, 77, 16, rd, 8192) == 0);
		CHECK(all(rd, 8192, 0));
	}
	h_close(&h);
	unlink(path);

	/* A path that cannot be created. */
	{
		struct host bad;

		CHECK(h_open(&bad, "file=/nonexistent-dir/x.img", 1) < 0);
		CHECK(strstr(nvfio_last_error(), "/nonexistent-dir/x.img"));
	}
}

static void format_all(struct host *h, unsigned int lbaf)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = 0x80;
	c.nsid = 0xffffffff;
	c.cdw10 = lbaf;
	CHECK(h_admin(h, &c, NULL) == 0);
}

/* An image is one controller's at a time, starts with a header that records its geometry, and
 * keeps its data after that header's page. */
static void test_file_image(void)
{
	char path[] = "/tmp/nvfio-sim-XXXXXX";
	char opts[256], other[320];
	struct host h, h2;
	uint8_t *buf, head[4096], want[512];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	snprintf(opts, sizeof(opts), "size=8M,namespaces=2,file=%s", path);

	/* An empty file gets the header; namespace 1's block 0 is at 4096, namespace 2 after
	 * namespace 1's data and metadata. */
	start(&h, opts);
	write_both(&h, 0, 1, 512, 7);

	/* A second controller on the same image is refused while the first has it. */
	CHECK_ERR(h_open(&h2, opts, 1), -EBUSY);
	CHECK(strstr(nvfio_last_error(), path) && strstr(nvfio_last_error(), "in use"));
	h_close(&h);

	CHECK(pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head));
	CHECK(!memcmp(head, "NVFIOSIM", 8));
	CHECK(pread(fd, head, 512, 4096) == 512);
	fill(want, 512, 7);
	CHECK(!memcmp(head, want, 512));
	CHECK(pread(fd, head, 512, 4096 + (8 << 20) + (8 << 20) / 32) == 512);
	fill(want, 512, 8);
	CHECK(!memcmp(head, want, 512));

	/* Closed, it can be had again; with another geometry, not, and the message says what
	 * differs and what to ask for. */
	snprintf(other, sizeof(other), "size=16M,namespaces=2,file=%s", path);
	CHECK_ERR(h_open(&h2, other, 1), -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "namespaces=2,size=8388608"));
	snprintf(other, sizeof(other), "size=8M,namespaces=1,file=%s", path);
	CHECK_ERR(h_open(&h2, other, 1), -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "holds 2 namespace(s)"));
	snprintf(other, sizeof(other), "size=8M,namespaces=2,lbads=4096,file=%s", path);
	CHECK_ERR(h_open(&h2, other, 1), -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "512-byte blocks") &&
	      strstr(nvfio_last_error(), "lbads=512,ms=0"));
	snprintf(other, sizeof(other), "size=8M,namespaces=2,ms=8,file=%s", path);
	CHECK_ERR(h_open(&h2, other, 1), -NVFIO_EBADOPT);

	/* A Format NVM is recorded: a reopen finds the namespaces in the new format, and options
	 * that name another are refused. */
	start(&h, opts);
	format_all(&h, 3);
	h_close(&h);
	start(&h, opts);
	buf = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 0, 2, buf) == 0);
	CHECK((buf[26] & 0xf) == 3 && *(uint64_t *)buf == (8ull << 20) / 4096);
	h_close(&h);
	snprintf(other, sizeof(other), "size=8M,namespaces=2,lbads=512,file=%s", path);
	CHECK_ERR(h_open(&h2, other, 1), -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "namespace 1") &&
	      strstr(nvfio_last_error(), "4096-byte blocks") &&
	      strstr(nvfio_last_error(), "lbads=4096,ms=0"));
	snprintf(other, sizeof(other), "size=8M,namespaces=2,lbads=4096,file=%s", path);
	start(&h, other);
	format_all(&h, 0);
	h_close(&h);
	start(&h, opts);
	h_close(&h);

	/* A file that is not empty and has no header is not taken for an image. */
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, "not an image", 12, 0) == 12);
	CHECK_ERR(h_open(&h2, opts, 1), -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "not an image") && strstr(nvfio_last_error(), path));
	close(fd);
	unlink(path);
}

static void test_dsm_wz_compare(const char *opts)
{
	struct host h;
	uint8_t *buf, *rd;
	uint64_t *ranges;
	struct h_sqe c;

	start(&h, opts);
	buf = h_alloc(&h, 65536, 4096);
	rd = h_alloc(&h, 65536, 4096);
	ranges = h_alloc(&h, 4096, 4096);
	fill(buf, 65536, 5);
	/* 128 blocks at 0, 256 blocks from 1024 (two writes). */
	CHECK(h_rw(&h, 1, 0x01, 1, 0, 128, buf, 65536) == 0);
	CHECK(h_rw(&h, 1, 0x01, 1, 1024, 128, buf, 65536) == 0);
	CHECK(h_rw(&h, 1, 0x01, 1, 1152, 128, buf, 65536) == 0);

	/* Compare: equal, then different in the last byte. */
	CHECK(h_rw(&h, 1, 0x05, 1, 0, 128, buf, 65536) == 0);
	buf[65535] ^= 1;
	CHECK(h_rw(&h, 1, 0x05, 1, 0, 128, buf, 65536) == ST(2, 0x85));
	buf[65535] ^= 1;

	/* Deallocate blocks 8..39 and the whole 1024..1279 range; 0..7 and 40.. stay. */
	ranges[0] = (uint64_t)32 << 32;
	ranges[1] = 8;
	ranges[2] = (uint64_t)256 << 32;
	ranges[3] = 1024;
	memset(&c, 0, sizeof(c));
	c.opc = 0x09;
	c.nsid = 1;
	c.cdw10 = 1; /* two ranges */
	c.cdw11 = 1u << 2;
	h_prp(&h, &c, ranges, 32);
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 128, rd, 65536) == 0);
	CHECK(!memcmp(rd, buf, 8 * 512));
	CHECK(all(rd + 8 * 512, 32 * 512, 0));
	CHECK(!memcmp(rd + 40 * 512, buf + 40 * 512, 88 * 512));
	CHECK(h_rw(&h, 1, 0x02, 1, 1024, 128, rd, 65536) == 0);
	CHECK(all(rd, 65536, 0));
	/* Deallocated blocks compare equal to zeroes. */
	memset(rd, 0, 65536);
	CHECK(h_rw(&h, 1, 0x05, 1, 1152, 128, rd, 65536) == 0);

	/* A range beyond the namespace fails the whole command. */
	ranges[0] = (uint64_t)8 << 32;
	ranges[1] = UINT64_MAX - 4;
	memset(&c, 0, sizeof(c));
	c.opc = 0x09;
	c.nsid = 1;
	c.cdw11 = 1u << 2;
	h_prp(&h, &c, ranges, 16);
	CHECK(h_io(&h, 1, &c, NULL) == (ST(0, 0x80) | DNR));

	/* Write Zeroes, with and without DEAC, not block- or page-aligned in bytes. */
	CHECK(h_rw(&h, 1, 0x01, 1, 0, 128, buf, 65536) == 0);
	memset(&c, 0, sizeof(c));
	c.opc = 0x08;
	c.nsid = 1;
	c.cdw10 = 3;
	c.cdw12 = 9 - 1;
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	c.cdw10 = 50;
	c.cdw12 = (20 - 1) | 1u << 25;
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 128, rd, 65536) == 0);
	CHECK(!memcmp(rd, buf, 3 * 512));
	CHECK(all(rd + 3 * 512, 9 * 512, 0));
	CHECK(!memcmp(rd + 12 * 512, buf + 12 * 512, 38 * 512));
	CHECK(all(rd + 50 * 512, 20 * 512, 0));
	CHECK(!memcmp(rd + 70 * 512, buf + 70 * 512, 58 * 512));
	h_close(&h);
}

static void test_format(void)
{
	struct host h;
	uint8_t *buf, *id;
	struct h_sqe c;

	start(&h, "size=32M,namespaces=2");
	buf = h_alloc(&h, 8192, 4096);
	id = h_alloc(&h, 4096, 4096);
	fill(buf, 8192, 1);
	CHECK(h_rw(&h, 1, 0x01, 1, 0, 16, buf, 8192) == 0);
	CHECK(h_rw(&h, 1, 0x01, 2, 0, 16, buf, 8192) == 0);

	CHECK(h_identify(&h, 0, 1, id) == 0);
	CHECK(id[25] == 5);			     /* NLBAF: six formats */
	CHECK(id[128 + 4 * 3 + 2] == 12);	     /* LBAF3: 4096 bytes */
	CHECK(*(uint16_t *)(id + 128 + 4 * 4) == 8); /* LBAF4 metadata */

	/* Format namespace 1 to LBAF 3 (4096 bytes): block size changes, data gone. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x80;
	c.nsid = 1;
	c.cdw10 = 3 | 1u << 9;
	CHECK(h_admin(&h, &c, NULL) == 0);
	CHECK(h_identify(&h, 0, 1, id) == 0);
	CHECK((id[26] & 0xf) == 3);
	CHECK(*(uint64_t *)id == (32ull << 20) / 4096);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 2, buf, 8192) == 0);
	CHECK(all(buf, 8192, 0));
	/* Namespace 2 is untouched. */
	CHECK(h_rw(&h, 1, 0x02, 2, 0, 16, buf, 8192) == 0);
	fill(id, 8192 > 4096 ? 4096 : 4096, 1);
	CHECK(!memcmp(buf, id, 4096));
	/* 512-byte I/O on a 4096-byte namespace: nlb counts 4 KiB blocks now. */
	CHECK(h_rw(&h, 1, 0x02, 1, (32ull << 20) / 4096, 1, buf, 4096) == (ST(0, 0x80) | DNR));

	/* Invalid formats: no such LBAF, extended metadata, protection information. */
	c.cdw10 = 9;
	CHECK(h_admin(&h, &c, NULL) == (ST(1, 0x0a) | DNR));
	c.cdw10 = 1 | 1u << 4;
	CHECK(h_admin(&h, &c, NULL) == (ST(1, 0x0a) | DNR));
	c.cdw10 = 1 | 1u << 5;
	CHECK(h_admin(&h, &c, NULL) == (ST(1, 0x0a) | DNR));
	c.nsid = 7;
	c.cdw10 = 0;
	CHECK(h_admin(&h, &c, NULL) == (ST(0, 0x0b) | DNR));

	/* Back to 512 on every namespace. */
	c.nsid = 0xffffffff;
	c.cdw10 = 0;
	CHECK(h_admin(&h, &c, NULL) == 0);
	CHECK(h_identify(&h, 0, 1, id) == 0);
	CHECK((id[26] & 0xf) == 0 && *(uint64_t *)id == (32ull << 20) / 512);
	CHECK(h_identify(&h, 0, 2, id) == 0);
	CHECK((id[26] & 0xf) == 0);
	CHECK(h_rw(&h, 1, 0x02, 2, 0, 16, buf, 8192) == 0);
	CHECK(all(buf, 8192, 0));
	h_close(&h);
}

static void test_metadata(void)
{
	struct host h;
	uint8_t *buf, *meta, *rdm;
	struct h_sqe c;

	start(&h, "size=16M,lbads=512,ms=8");
	buf = h_alloc(&h, 4096, 4096);
	meta = h_alloc(&h, 64, 64);
	rdm = h_alloc(&h, 64, 64);
	fill(buf, 4096, 9);
	fill(meta, 64, 77);
	memset(&c, 0, sizeof(c));
	c.opc = 0x01;
	c.nsid = 1;
	c.cdw10 = 10;
	c.cdw12 = 7;
	c.mptr = h_iova(&h, meta);
	h_prp(&h, &c, buf, 4096);
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	c.opc = 0x02;
	c.mptr = h_iova(&h, rdm);
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	CHECK(!memcmp(meta, rdm, 64));
	/* Metadata pointer outside: data transfer error. */
	c.mptr = H_IOVA_BASE + h.mem_len - 32;
	CHECK(h_io(&h, 1, &c, NULL) == 0x0004);
	h_close(&h);
}

/* storage=null keeps nothing: a write succeeds, and the block still reads as zeroes. */
static void test_null(void)
{
	struct host h;
	uint8_t *buf, *rd, *meta;
	struct h_sqe c;
	long before = rss_kib(), after;

	start(&h, "size=1T,storage=null,ms=8");
	buf = h_alloc(&h, 65536, 4096);
	rd = h_alloc(&h, 65536, 4096);
	meta = h_alloc(&h, 1024, 64);
	for (uint64_t lba = 0; lba < (1ull << 40) / 512; lba += (1ull << 40) / 512 / 64) {
		fill(buf, 65536, (unsigned int)lba);
		memset(&c, 0, sizeof(c));
		c.opc = 0x01;
		c.nsid = 1;
		c.cdw10 = (uint32_t)lba;
		c.cdw11 = (uint32_t)(lba >> 32);
		c.cdw12 = 127;
		c.mptr = h_iova(&h, meta);
		memset(meta, 0x5a, 1024);
		h_prp(&h, &c, buf, 65536);
		CHECK(h_io(&h, 1, &c, NULL) == 0);
		memset(rd, 0xa5, 65536);
		memset(meta, 0xa5, 1024);
		c.opc = 0x02;
		h_prp(&h, &c, rd, 65536);
		CHECK(h_io(&h, 1, &c, NULL) == 0);
		CHECK(all(rd, 65536, 0) && all(meta, 1024, 0));
	}
	/* Compare: equal to zeroes, not to what was written. */
	memset(meta, 0, 1024);
	memset(&c, 0, sizeof(c));
	c.opc = 0x05;
	c.nsid = 1;
	c.cdw12 = 7;
	c.mptr = h_iova(&h, meta);
	h_prp(&h, &c, rd, 4096);
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	h_prp(&h, &c, buf, 4096);
	CHECK(h_io(&h, 1, &c, NULL) == ST(2, 0x85));
	/* Write Zeroes, Flush: nothing to do, success. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x08;
	c.nsid = 1;
	c.cdw12 = 0xffff;
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	c.opc = 0x00;
	c.cdw12 = 0;
	CHECK(h_io(&h, 1, &c, NULL) == 0);
	/* Nothing is kept: thin provisioning with no block in use. */
	CHECK(h_identify(&h, 0, 1, rd) == 0);
	CHECK((rd[24] & 1) && *(uint64_t *)(rd + 16) == 0);
	after = rss_kib();
	printf("1 TiB null namespace after 64 writes of 64 KiB: RSS grew by %ld KiB\n",
	       after - before);
#ifndef NVFIO_SANITIZED /* a sanitizer's shadow memory grows with what the test touches */
	CHECK(after - before < 3 * 1024); /* 4 MiB were written: none of it is kept */
#endif
	h_close(&h);
}

int main(void)
{
	test_sparse();
	test_file();
	test_file_image();
	test_dsm_wz_compare("size=16M,storage=sparse");
	test_dsm_wz_compare("size=16M,storage=ram");
	test_format();
	test_metadata();
	test_null();
	return 0;
}
