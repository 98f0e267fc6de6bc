/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device Self-test: what Identify advertises, invalid codes and namespaces, one test at a time,
 * the completion the log reports within what the host's clock allows, results newest first (20
 * of them) with their codes and NSID, and every way a test is aborted: by the host, a Format
 * NVM, a controller reset, a sanitize, the deletion of its namespace.
 */
#include <string.h>
#include <time.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR	    0x4000
#define ST(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

#define IN_PROGRESS ST(1, 0x1d)
#define INVALID	    (ST(0, 0x02) | DNR)
#define INVALID_NS  (ST(0, 0x0b) | DNR)

#define SHORT_MS    1000u
#define DEADLINE_MS 30000u

enum { SHORT = 1, EXTENDED = 2, ABORT = 0xf };
enum { NO_ERROR = 0, BY_COMMAND = 1, BY_RESET = 2, NS_REMOVED = 3, BY_FORMAT = 4, BY_SANITIZE = 9 };

struct result {
	uint8_t dsts, seg, vdi, rsvd;
	uint64_t poh;
	uint32_t nsid;
	uint64_t flba;
	uint8_t sct, sc, vs[2];
} __attribute__((packed));

struct st_log {
	uint8_t op, completion, rsvd[2];
	struct result r[20];
} __attribute__((packed));

static uint8_t *page;

static struct st_log read_log(struct host *h)
{
	struct st_log l;

	CHECK(sizeof(l) == 564);
	CHECK(h_get_log(h, 0x06, page, 564) == 0);
	memcpy(&l, page, sizeof(l));
	return l;
}

static uint16_t selftest(struct host *h, uint32_t nsid, uint32_t stc)
{
	return h_cmd(h, 0x14, nsid, stc, 0, NULL, 0, NULL);
}

/* The newest result is @stc's, ended with @code, for @nsid (0: the controller alone). */
static void newest(struct host *h, unsigned int stc, unsigned int code, uint32_t nsid)
{
	struct st_log l = read_log(h);

	CHECK(l.op == 0);
	CHECK(l.r[0].dsts == (stc << 4 | code));
	CHECK(l.r[0].poh == 0);
	if (nsid) {
		CHECK(l.r[0].vdi == 1 && l.r[0].nsid == nsid);
	} else {
		CHECK(l.r[0].vdi == 0);
	}
}

static void test_short(void)
{
	struct host h;
	struct st_log l;
	struct h_progress pr;

	CHECK_OK(h_open(&h, "size=1M,namespaces=2,queues=2,depth=16,selftest_ms=1000,"
			    "selftest_ext_ms=120001",
			16));
	CHECK(h_enable(&h, 32) == 0);
	page = h_alloc(&h, 4096, 4096);

	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK(page[256] & (1u << 4));			   /* OACS: Device Self-test */
	CHECK((page[316] | page[317] << 8) == 3);	   /* EDSTT: minutes, rounded up */
	CHECK(page[318] & 1);				   /* DSTO: one at a time */
	CHECK(h_get_log(&h, 0x05, page, 4096) == 0);
	CHECK(((uint32_t *)page)[0x14] & 1);

	l = read_log(&h);
	CHECK(l.op == 0 && l.completion == 0);
	for (unsigned int i = 0; i < 20; i++)
		CHECK((l.r[i].dsts & 0xf) == 0xf);

	/* Invalid codes and namespaces; an abort with nothing running does nothing. */
	CHECK(selftest(&h, 0, 0) == INVALID);
	CHECK(selftest(&h, 0, 3) == INVALID);
	CHECK(selftest(&h, 0, 0xe) == INVALID);
	CHECK(selftest(&h, 3, SHORT) == INVALID_NS);
	CHECK(selftest(&h, 0xfffffffe, SHORT) == INVALID_NS);
	CHECK(selftest(&h, 0, ABORT) == 0);
	CHECK((read_log(&h).r[0].dsts & 0xf) == 0xf);

	/* A short test of the controller: its completion within the host's bounds. */
	h_progress_start(&pr, SHORT_MS, 100);
	CHECK(selftest(&h, 0, SHORT) == 0);
	h_progress_started(&pr);
	for (;;) {
		h_progress_before(&pr);
		l = read_log(&h);
		if (!l.op)
			break;
		CHECK(l.op == SHORT);
		h_progress_check(&pr, l.completion);
	}
	h_progress_ended(&pr);
	printf("short test: %u readings in progress, last %llu%%\n", pr.seen,
	       (unsigned long long)pr.last);
	newest(&h, SHORT, NO_ERROR, 0);

	/* An extended test (two minutes here) is aborted by the host; one at a time meanwhile. */
	CHECK(selftest(&h, 1, EXTENDED) == 0);
	CHECK(read_log(&h).op == EXTENDED);
	CHECK(selftest(&h, 1, EXTENDED) == IN_PROGRESS);
	CHECK(selftest(&h, 0, SHORT) == IN_PROGRESS);
	CHECK(selftest(&h, 0, ABORT) == 0);
	newest(&h, EXTENDED, BY_COMMAND, 1);
	l = read_log(&h);
	CHECK(l.r[1].dsts == (SHORT << 4 | NO_ERROR));

	/* Every namespace, ended by a Format NVM of one of them. */
	CHECK(selftest(&h, 0xffffffff, EXTENDED) == 0);
	CHECK(h_cmd(&h, 0x80, 2, 0, 0, NULL, 0, NULL) == 0);
	newest(&h, EXTENDED, BY_FORMAT, 0xffffffff);

	/* A controller reset ends one too. */
	CHECK(selftest(&h, 2, EXTENDED) == 0);
	CHECK(h_disable(&h) == 0);
	CHECK(h_enable(&h, 32) == 0);
	newest(&h, EXTENDED, BY_RESET, 2);

	/* Twenty-one more: the log keeps the newest twenty, newest first. */
	for (unsigned int i = 0; i < 21; i++) {
		CHECK(selftest(&h, 0, i & 1 ? SHORT : EXTENDED) == 0);
		CHECK(selftest(&h, 0, ABORT) == 0);
	}
	l = read_log(&h);
	for (unsigned int i = 0; i < 20; i++)
		CHECK(l.r[i].dsts == ((i & 1 ? SHORT : EXTENDED) << 4 | BY_COMMAND));
	h_close(&h);
}

static void test_sanitize_and_delete(void)
{
	struct host h;

	CHECK_OK(h_open(&h, "size=1M,namespaces=2,queues=2,depth=16,sanitize_ms=10", 16));
	CHECK(h_enable(&h, 32) == 0);
	page = h_alloc(&h, 4096, 4096);

	CHECK(selftest(&h, 1, EXTENDED) == 0);
	CHECK(h_cmd(&h, 0x84, 0, 2, 0, NULL, 0, NULL) == 0);
	/* The log is not read during the sanitize (it is not one of those allowed then). */
	for (uint64_t end = h_now_ns() + DEADLINE_MS * 1000000ull;;) {
		CHECK(h_get_log(&h, 0x81, page, 512) == 0);
		if ((page[2] & 7) != 2)
			break;
		CHECK(h_now_ns() < end);
	}
	newest(&h, EXTENDED, BY_SANITIZE, 1);

	/* A test of one namespace ends when that namespace is deleted, not another. */
	CHECK(selftest(&h, 2, EXTENDED) == 0);
	CHECK(h_cmd(&h, 0x0d, 1, 1, 0, NULL, 0, NULL) == 0);
	CHECK(read_log(&h).op == EXTENDED);
	CHECK(h_cmd(&h, 0x0d, 2, 1, 0, NULL, 0, NULL) == 0);
	newest(&h, EXTENDED, NS_REMOVED, 2);
	/* Now no namespace is left to test. */
	CHECK(selftest(&h, 1, SHORT) == INVALID_NS);
	CHECK(selftest(&h, 0, SHORT) == 0);
	h_close(&h);
}

int main(void)
{
	test_short();
	test_sanitize_and_delete();
	return T_EXIT_PASS;
}
