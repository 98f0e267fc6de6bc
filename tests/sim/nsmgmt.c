/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Namespace Management and Attachment: capacity accounting in Identify Controller, the
 * allocated and attached lists and controller lists of Identify, create (and each field it
 * refuses), attach, I/O, detach and delete with their statuses and Namespace Attribute Changed
 * events, a new namespace reading zeroes in RAM, sparse (thin) and file storage.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR	    0x4000
#define ST(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

#define INVALID		 (ST(0, 0x02) | DNR)
#define INVALID_NS	 (ST(0, 0x0b) | DNR)
#define IOCS_UNSUPPORTED (ST(0, 0x29) | DNR)
#define INVALID_FORMAT	 (ST(1, 0x0a) | DNR)
#define INSUFFICIENT_CAP (ST(1, 0x15) | DNR)
#define NSID_UNAVAILABLE (ST(1, 0x16) | DNR)
#define ALREADY_ATTACHED (ST(1, 0x18) | DNR)
#define NOT_ATTACHED	 (ST(1, 0x1a) | DNR)
#define THIN_UNSUPPORTED (ST(1, 0x1b) | DNR)
#define CTRL_LIST_BAD	 (ST(1, 0x1c) | DNR)

static uint8_t *page, *buf;

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Create a namespace of @nsze blocks, @ncap of them allocated, in LBA format @flbas. */
static uint16_t create(struct host *h, uint64_t nsze, uint64_t ncap, uint8_t flbas, uint8_t dps,
		       uint32_t cdw11, uint32_t *nsid)
{
	memset(page, 0, 4096);
	memcpy(page, &nsze, 8);
	memcpy(page + 8, &ncap, 8);
	page[26] = flbas;
	page[29] = dps;
	return h_cmd(h, 0x0d, 0, 0, cdw11, page, 4096, nsid);
}

static uint16_t delete(struct host *h, uint32_t nsid)
{
	return h_cmd(h, 0x0d, nsid, 1, 0, NULL, 0, NULL);
}

/* Attach (@sel 0) or detach (1) @nsid to the controllers of the list @ids. */
static uint16_t attach(struct host *h, uint32_t nsid, unsigned int sel, unsigned int n,
		       const uint16_t *ids)
{
	memset(page, 0, 4096);
	page[0] = (uint8_t)n;
	memcpy(page + 2, ids, n * 2);
	return h_cmd(h, 0x15, nsid, sel, 0, page, 4096, NULL);
}

/* The NSIDs (or controller IDs) of an Identify list, how many up to @max. */
static unsigned int id_list(struct host *h, unsigned int cns, uint32_t nsid, uint32_t *out,
			    unsigned int max)
{
	unsigned int n = 0;

	CHECK(h_identify(h, cns, nsid, page) == 0);
	if (cns == 0x12 || cns == 0x13) {
		for (n = 0; n < (unsigned int)(page[0] | page[1] << 8) && n < max; n++)
			out[n] = page[2 + 2 * n] | (uint32_t)page[3 + 2 * n] << 8;
		return n;
	}
	while (n < max && ((uint32_t *)page)[n])
		out[n] = ((uint32_t *)page)[n], n++;
	return n;
}

static uint64_t unvmcap(struct host *h)
{
	CHECK(h_identify(h, 1, 0, page) == 0);
	return le64(page + 296);
}

static bool reads(struct host *h, uint32_t nsid, uint8_t v)
{
	memset(buf, ~v, 4096);
	if (h_rw(h, 1, 0x02, nsid, 0, 8, buf, 4096))
		return false;
	for (unsigned int i = 0; i < 4096; i++)
		if (buf[i] != v)
			return false;
	return true;
}

static uint16_t write_all(struct host *h, uint32_t nsid, uint8_t v)
{
	memset(buf, v, 4096);
	return h_rw(h, 1, 0x01, nsid, 0, 8, buf, 4096);
}

static void open_ctrl(struct host *h, const char *opts)
{
	CHECK_OK(h_open(h, opts, 16));
	CHECK(h_enable(h, 32) == 0);
	CHECK(h_create_ioq(h, 1, 16) == 0);
	page = h_alloc(h, 4096, 4096);
	buf = h_alloc(h, 4096, 4096);
}

static void test_ram(void)
{
	static const uint16_t me[] = {1}, other[] = {2}, twice[] = {1, 1};
	struct host h;
	uint32_t l[8], nsid;
	struct h_sqe aer;
	struct h_cqe ev;
	uint8_t nguid[16];

	open_ctrl(&h, "size=1M,namespaces=1,max_namespaces=4,capacity=4M,queues=2,depth=16,"
		      "storage=ram");
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK(page[256] & (1u << 3)); /* OACS: Namespace Management */
	CHECK(le64(page + 280) == 4u << 20 && le64(page + 296) == 3u << 20);
	CHECK(page[516] == 4); /* NN */
	CHECK(h_get_log(&h, 0x05, page, 4096) == 0);
	CHECK(((uint32_t *)page)[0x0d] == (1u | 1u << 3) && ((uint32_t *)page)[0x15] == (1u | 1u << 3));
	CHECK(id_list(&h, 0x13, 0, l, 8) == 1 && l[0] == 1);
	CHECK(id_list(&h, 0x12, 1, l, 8) == 1 && l[0] == 1);
	CHECK(id_list(&h, 0x10, 0, l, 8) == 1 && l[0] == 1);
	CHECK(h_identify(&h, 0x12, 5, page) == INVALID_NS);

	/* Namespace Attribute Changed notices enabled, one AER waiting. */
	CHECK(h_cmd(&h, 0x09, 0, 0x0b, 1u << 8, NULL, 0, NULL) == 0);
	memset(&aer, 0, sizeof(aer));
	aer.opc = 0x0c;
	h_submit(&h, &h.asq, &aer, true);

	/* What create refuses. */
	CHECK(create(&h, 2048, 2048, 6, 0, 0, NULL) == INVALID_FORMAT);
	CHECK(create(&h, 2048, 2048, 1u << 4, 0, 0, NULL) == INVALID_FORMAT);
	CHECK(create(&h, 2048, 2048, 0, 1, 0, NULL) == INVALID);
	CHECK(create(&h, 0, 0, 0, 0, 0, NULL) == INVALID);
	CHECK(create(&h, 2048, 4096, 0, 0, 0, NULL) == INVALID);
	CHECK(create(&h, 4096, 2048, 0, 0, 0, NULL) == THIN_UNSUPPORTED);
	CHECK(create(&h, 2048, 2048, 0, 0, 2u << 24, NULL) == IOCS_UNSUPPORTED);
	CHECK(create(&h, 8192, 8192, 0, 0, 0, NULL) == INSUFFICIENT_CAP);
	CHECK(h_cmd(&h, 0x0d, 0, 2, 0, NULL, 0, NULL) == INVALID);
	CHECK(unvmcap(&h) == 3u << 20);

	/* Created: allocated, not attached. */
	CHECK(create(&h, 2048, 2048, 0, 0, 0, &nsid) == 0 && nsid == 2);
	CHECK(unvmcap(&h) == 2u << 20);
	CHECK(id_list(&h, 0x10, 0, l, 8) == 2 && l[0] == 1 && l[1] == 2);
	CHECK(id_list(&h, 0x02, 0, l, 8) == 1 && l[0] == 1);
	CHECK(id_list(&h, 0x12, 2, l, 8) == 0);
	CHECK(h_identify(&h, 0x11, 2, page) == 0 && le64(page) == 2048 && le64(page + 8) == 2048);
	memcpy(nguid, page + 104, 16);
	CHECK(h_identify(&h, 0x00, 2, page) == 0 && le64(page) == 0); /* inactive: zeroes */
	CHECK(h_identify(&h, 0x11, 3, page) == 0 && le64(page) == 0); /* unallocated */
	CHECK(h_rw(&h, 1, 0x02, 2, 0, 8, buf, 4096) == INVALID_NS);

	/* Attach: what it refuses, then the namespace, its event and its data. */
	CHECK(attach(&h, 2, 0, 0, me) == CTRL_LIST_BAD);
	CHECK(attach(&h, 2, 0, 1, other) == CTRL_LIST_BAD);
	CHECK(attach(&h, 2, 0, 2, twice) == CTRL_LIST_BAD);
	CHECK(attach(&h, 2, 2, 1, me) == INVALID);
	CHECK(attach(&h, 3, 0, 1, me) == INVALID_NS);
	CHECK(attach(&h, 0, 0, 1, me) == INVALID_NS);
	CHECK(attach(&h, 0xffffffff, 0, 1, me) == INVALID_NS);
	CHECK(attach(&h, 2, 0, 1, me) == 0);
	CHECK(h_reap(&h, &h.acq, &ev, 5000));
	CHECK(ev.dw0 == (2u | 0u << 8 | 4u << 16));
	CHECK(h_get_log(&h, 0x04, page, 4096) == 0);
	CHECK(((uint32_t *)page)[0] == 2 && ((uint32_t *)page)[1] == 0);
	CHECK(attach(&h, 2, 0, 1, me) == ALREADY_ATTACHED);
	CHECK(id_list(&h, 0x02, 0, l, 8) == 2 && l[1] == 2);
	CHECK(id_list(&h, 0x12, 2, l, 8) == 1 && l[0] == 1);
	CHECK(reads(&h, 2, 0));
	CHECK(write_all(&h, 2, 0x3c) == 0 && reads(&h, 2, 0x3c));

	/* Format keeps its size in bytes. */
	CHECK(h_cmd(&h, 0x80, 2, 3, 0, NULL, 0, NULL) == 0);
	CHECK(h_identify(&h, 0x00, 2, page) == 0 && le64(page) == 256 && page[26] == 3);
	CHECK(h_cmd(&h, 0x80, 2, 0, 0, NULL, 0, NULL) == 0);

	/* Detach: I/O refused, a second detach too; an event again. */
	CHECK(write_all(&h, 2, 0x3c) == 0);
	h_submit(&h, &h.asq, &aer, true);
	CHECK(attach(&h, 2, 1, 1, me) == 0);
	CHECK(h_reap(&h, &h.acq, &ev, 5000) && ev.dw0 == (2u | 4u << 16));
	CHECK(attach(&h, 2, 1, 1, me) == NOT_ATTACHED);
	CHECK(h_rw(&h, 1, 0x02, 2, 0, 8, buf, 4096) == INVALID_NS);

	/* Fill the slots; then no NSID is left. */
	CHECK(create(&h, 256, 256, 3, 0, 0, &nsid) == 0 && nsid == 3);
	CHECK(create(&h, 256, 256, 3, 0, 0, &nsid) == 0 && nsid == 4);
	CHECK(unvmcap(&h) == 0);
	CHECK(create(&h, 8, 8, 0, 0, 0, NULL) == NSID_UNAVAILABLE);

	/* Delete, and create again in the slot: new identifiers, zeroes. */
	CHECK(delete(&h, 2) == 0);
	CHECK(delete(&h, 2) == INVALID_NS);
	CHECK(delete(&h, 0) == INVALID_NS);
	CHECK(unvmcap(&h) == 1u << 20);
	CHECK(id_list(&h, 0x10, 0, l, 8) == 3 && l[0] == 1 && l[1] == 3 && l[2] == 4);
	CHECK(id_list(&h, 0x10, 3, l, 8) == 1 && l[0] == 4);
	CHECK(create(&h, 2048, 2048, 0, 0, 0, &nsid) == 0 && nsid == 2);
	CHECK(h_identify(&h, 0x11, 2, page) == 0 && memcmp(page + 104, nguid, 16));
	CHECK(attach(&h, 2, 0, 1, me) == 0);
	CHECK(reads(&h, 2, 0));

	/* Delete every one: the attached ones go away with their notices. */
	CHECK(delete(&h, 0xffffffff) == 0);
	CHECK(id_list(&h, 0x10, 0, l, 8) == 0);
	CHECK(id_list(&h, 0x02, 0, l, 8) == 0);
	CHECK(unvmcap(&h) == 4u << 20);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 8, buf, 4096) == INVALID_NS);
	h_close(&h);
}

/* Thin where the storage is thin: NCAP below NSZE, and only NCAP counted. */
static void test_sparse(void)
{
	static const uint16_t me[] = {1};
	struct host h;
	uint32_t nsid;

	open_ctrl(&h, "size=1M,namespaces=1,max_namespaces=2,capacity=2M,queues=2,depth=16");
	CHECK(create(&h, 8192, 1024, 0, 0, 0, &nsid) == 0 && nsid == 2);
	CHECK(unvmcap(&h) == 512u << 10);
	CHECK(attach(&h, 2, 0, 1, me) == 0);
	CHECK(h_identify(&h, 0x00, 2, page) == 0);
	CHECK(le64(page) == 8192 && le64(page + 8) == 1024 && (page[24] & 1));
	CHECK(h_rw(&h, 1, 0x01, 2, 8000, 8, buf, 4096) == 0);
	CHECK(h_rw(&h, 1, 0x02, 2, 8184, 8, buf, 4096) == 0);
	CHECK(h_rw(&h, 1, 0x02, 2, 8192, 8, buf, 4096) == (ST(0, 0x80) | DNR));
	h_close(&h);
}

/* A file: a namespace created where a deleted one was reads zeroes, not the old data. */
static void test_file(void)
{
	static const uint16_t me[] = {1};
	char path[] = "/tmp/nvfio-nsmgmt-XXXXXX";
	char opts[128];
	struct host h;
	uint32_t nsid;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	snprintf(opts, sizeof(opts),
		 "size=1M,namespaces=1,max_namespaces=3,queues=2,depth=16,file=%s", path);
	open_ctrl(&h, opts);
	CHECK(write_all(&h, 1, 0xe7) == 0 && reads(&h, 1, 0xe7));
	CHECK(delete(&h, 1) == 0);
	CHECK(create(&h, 2048, 2048, 0, 0, 0, &nsid) == 0 && nsid == 1);
	CHECK(create(&h, 4096, 4096, 0, 0, 0, &nsid) == 0 && nsid == 2);
	CHECK(unvmcap(&h) == 0);
	CHECK(create(&h, 2048, 2048, 0, 0, 0, NULL) == INSUFFICIENT_CAP);
	CHECK(attach(&h, 1, 0, 1, me) == 0 && attach(&h, 2, 0, 1, me) == 0);
	CHECK(reads(&h, 1, 0) && reads(&h, 2, 0));
	CHECK(write_all(&h, 2, 0x81) == 0 && reads(&h, 2, 0x81) && reads(&h, 1, 0));
	CHECK(h_rw(&h, 1, 0x01, 2, 4095, 1, buf, 512) == 0);
	h_close(&h);
	unlink(path);
}

int main(void)
{
	test_ram();
	test_sparse();
	test_file();
	return T_EXIT_PASS;
}
