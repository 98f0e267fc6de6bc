/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sanitize: what Identify and the effects log advertise, the invalid commands, an operation in
 * the background whose progress the Sanitize Status log reports within bounds the host's own
 * clock gives, what it refuses meanwhile, the data erased (zeroes, or the overwrite pattern with
 * No-Deallocate), Global Data Erased until a write, the completion event, failures in restricted
 * and unrestricted mode, No-Deallocate Inhibited, and a controller without sanitize.
 */
#include <string.h>
#include <time.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR	    0x4000
#define ST(sct, sc) ((uint16_t)((sct) << 8 | (sc)))

#define IN_PROGRESS ST(0, 0x1d)
#define FAILED	    (ST(0, 0x1c) | DNR)
#define INVALID	    (ST(0, 0x02) | DNR)

#define SANACT_EXIT	 1u
#define SANACT_BLOCK	 2u
#define SANACT_OVERWRITE 3u
#define SANACT_CRYPTO	 4u
#define AUSE		 (1u << 3)
#define OIPBP		 (1u << 8)
#define NDAS		 (1u << 9)

#define DURATION_MS 1500u
#define DEADLINE_MS 30000u

struct san_log {
	uint16_t sprog, sstat;
	uint32_t scdw10;
	uint32_t eto, etbe, etce, etond, etbend, etcend;
	uint8_t rsvd[480];
};

static uint8_t *page;

static struct san_log read_log(struct host *h)
{
	struct san_log l;

	CHECK(h_get_log(h, 0x81, page, 512) == 0);
	memcpy(&l, page, sizeof(l));
	return l;
}

static uint16_t sanitize(struct host *h, uint32_t cdw10, uint32_t pattern)
{
	return h_cmd(h, 0x84, 0, cdw10, pattern, NULL, 0, NULL);
}

static uint16_t rw(struct host *h, uint8_t opc, uint32_t nsid, void *buf)
{
	return h_rw(h, 1, opc, nsid, 0, 8, buf, 4096);
}

/* Poll the log until the operation is no longer in progress; its status then. */
static unsigned int wait_done(struct host *h)
{
	uint64_t end = h_now_ns() + DEADLINE_MS * 1000000ull;
	struct san_log l;

	do {
		l = read_log(h);
		if ((l.sstat & 7) != 2)
			return l.sstat & 7;
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	} while (h_now_ns() < end);
	fprintf(stderr, "sanitize still in progress after %u ms\n", DEADLINE_MS);
	exit(T_EXIT_FAIL);
}

static void fill(uint8_t *buf, uint8_t v)
{
	memset(buf, v, 4096);
}

static bool all(const uint8_t *buf, size_t len, const uint8_t *unit, size_t ulen)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != unit[i % ulen])
			return false;
	return true;
}

static void open_ctrl(struct host *h, const char *opts)
{
	CHECK_OK(h_open(h, opts, 16));
	CHECK(h_enable(h, 32) == 0);
	CHECK(h_create_ioq(h, 1, 16) == 0);
}

/* Advertised, refused when invalid, and one block erase watched from start to end. */
static void test_block_erase(void)
{
	struct host h;
	uint8_t *buf;
	struct san_log l;
	struct h_progress pr;
	uint64_t t0;
	struct h_cqe ev;
	struct h_sqe aer;
	static const uint8_t zero[1];

	open_ctrl(&h, "size=1M,namespaces=2,queues=2,depth=16,storage=ram,sanitize_ms=1500");
	page = h_alloc(&h, 4096, 4096);
	buf = h_alloc(&h, 4096, 4096);

	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK((page[328] & 7) == 7);		      /* SANICAP: crypto, block, overwrite */
	CHECK(!(page[331] & 0x20));		      /* No-Deallocate not inhibited */
	CHECK(h_get_log(&h, 0x05, page, 4096) == 0); /* effects: supported, changes data */
	CHECK((((uint32_t *)page)[0x84] & 3) == 3);

	l = read_log(&h);
	CHECK(l.sprog == 0xffff && (l.sstat & 7) == 0 && !(l.sstat & 0x100));
	CHECK(l.etbe == 2 && l.etce == 2 && l.eto == 2);

	/* Reserved and wrong actions; Exit Failure Mode with nothing failed does nothing. */
	CHECK(sanitize(&h, 0, 0) == INVALID);
	CHECK(sanitize(&h, 5, 0) == INVALID);
	CHECK(sanitize(&h, 7, 0) == INVALID);
	CHECK(sanitize(&h, SANACT_EXIT, 0) == 0);
	CHECK((read_log(&h).sstat & 7) == 0);

	fill(buf, 0xa5);
	CHECK(rw(&h, 0x01, 1, buf) == 0);
	CHECK(rw(&h, 0x01, 2, buf) == 0);

	/* An AER waits for the completion event. */
	memset(&aer, 0, sizeof(aer));
	aer.opc = 0x0c;
	h_submit(&h, &h.asq, &aer, true);

	h_progress_start(&pr, DURATION_MS, 65536);
	t0 = pr.t0;
	CHECK(sanitize(&h, SANACT_BLOCK, 0) == 0);
	h_progress_started(&pr);

	/* Refused meanwhile: I/O but Flush, Format, other log pages, a self-test, firmware and
	 * namespace commands; allowed: Identify, SMART, features. A command that completed before
	 * the operation's time could be up must have been refused (each is harmless if it ran). */
#define REFUSED(expr)                                                                              \
	do {                                                                                       \
		uint16_t st_ = (expr);                                                             \
		if (h_now_ns() - t0 < DURATION_MS * 1000000ull)                                    \
			CHECK(st_ == IN_PROGRESS);                                                 \
	} while (0)
	REFUSED(rw(&h, 0x02, 1, buf));
	REFUSED(rw(&h, 0x02, 2, buf));
	REFUSED(h_cmd(&h, 0x80, 1, 0, 0, NULL, 0, NULL));
	REFUSED(h_get_log(&h, 0x03, page, 512));
	REFUSED(sanitize(&h, SANACT_EXIT, 0));
	REFUSED(h_cmd(&h, 0x14, 0, 1, 0, NULL, 0, NULL));
	REFUSED(h_cmd(&h, 0x10, 0, 2, 0, NULL, 0, NULL));
	REFUSED(h_cmd(&h, 0x0d, 1, 0xf, 0, NULL, 0, NULL));
	CHECK(h_get_log(&h, 0x02, page, 512) == 0);
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK(h_cmd(&h, 0x0a, 0, 0x0b, 0, NULL, 0, NULL) == 0);
	/* Progress: each reading within what the host's clock allows, never going back. */
	for (;;) {
		h_progress_before(&pr);
		l = read_log(&h);
		if ((l.sstat & 7) != 2)
			break;
		CHECK(l.scdw10 == SANACT_BLOCK);
		h_progress_check(&pr, l.sprog);
	}
	h_progress_ended(&pr);
	printf("block erase: %u readings in progress, last SPROG %llu\n", pr.seen,
	       (unsigned long long)pr.last);

	CHECK((l.sstat & 7) == 1 && (l.sstat & 0x100) && l.sprog == 0xffff);
	CHECK(l.scdw10 == SANACT_BLOCK);
	CHECK(h_reap(&h, &h.acq, &ev, 5000));
	CHECK((ev.status >> 1) == 0);
	CHECK((ev.dw0 & 0xff) == 6 && ((ev.dw0 >> 8) & 0xff) == 1 && ((ev.dw0 >> 16) & 0xff) == 0x81);

	/* Both namespaces read zeroes; the first write ends Global Data Erased. */
	fill(buf, 0xff);
	CHECK(rw(&h, 0x02, 1, buf) == 0 && all(buf, 4096, zero, 1));
	fill(buf, 0xff);
	CHECK(rw(&h, 0x02, 2, buf) == 0 && all(buf, 4096, zero, 1));
	CHECK(read_log(&h).sstat & 0x100);
	CHECK(rw(&h, 0x01, 2, buf) == 0);
	CHECK(!(read_log(&h).sstat & 0x100));

	/* A controller reset does not stop an operation. */
	t0 = h_now_ns();
	CHECK(sanitize(&h, SANACT_CRYPTO | AUSE, 0) == 0);
	CHECK(h_disable(&h) == 0);
	CHECK(h_enable(&h, 32) == 0);
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	l = read_log(&h);
	if (h_now_ns() - t0 < DURATION_MS * 1000000ull)
		CHECK((l.sstat & 7) == 2);
	CHECK(wait_done(&h) == 1);
	CHECK(read_log(&h).scdw10 == (SANACT_CRYPTO | AUSE));
	CHECK(rw(&h, 0x02, 2, buf) == 0 && all(buf, 4096, zero, 1));
	h_close(&h);
}

/* Overwrite: zeroes when deallocated after it, the last pass's pattern with No-Deallocate. */
static void test_overwrite(void)
{
	struct host h;
	uint8_t *buf;
	struct san_log l;
	static const uint8_t zero[1];
	const uint8_t pat[4] = {0xef, 0xbe, 0xad, 0xde}, inv[4] = {0x10, 0x41, 0x52, 0x21};

	open_ctrl(&h, "size=1M,namespaces=1,queues=2,depth=16,sanitize_ms=20");
	page = h_alloc(&h, 4096, 4096);
	buf = h_alloc(&h, 4096, 4096);

	fill(buf, 0x5a);
	CHECK(rw(&h, 0x01, 1, buf) == 0);
	CHECK(sanitize(&h, SANACT_OVERWRITE | 3u << 4, 0xdeadbeef) == 0);
	CHECK(wait_done(&h) == 1);
	l = read_log(&h);
	CHECK(((l.sstat >> 3) & 0x1f) == 3);
	CHECK(rw(&h, 0x02, 1, buf) == 0 && all(buf, 4096, zero, 1));

	/* Two passes, inverted between them, kept: the inverse of the pattern. */
	CHECK(sanitize(&h, SANACT_OVERWRITE | 2u << 4 | OIPBP | NDAS, 0xdeadbeef) == 0);
	CHECK(wait_done(&h) == 1);
	CHECK(((read_log(&h).sstat >> 3) & 0x1f) == 2);
	CHECK(rw(&h, 0x02, 1, buf) == 0 && all(buf, 4096, inv, 4));
	/* The last block of the namespace too (a sparse store filled every chunk). */
	CHECK(h_rw(&h, 1, 0x02, 1, 2047, 1, buf, 512) == 0 && all(buf, 512, inv, 4));

	/* OWPASS 0 means 16 passes; three passes inverted end on the pattern itself. */
	CHECK(sanitize(&h, SANACT_OVERWRITE | NDAS, 0xdeadbeef) == 0);
	CHECK(wait_done(&h) == 1);
	CHECK(((read_log(&h).sstat >> 3) & 0x1f) == 16);
	CHECK(sanitize(&h, SANACT_OVERWRITE | 3u << 4 | OIPBP | NDAS, 0xdeadbeef) == 0);
	CHECK(wait_done(&h) == 1);
	CHECK(rw(&h, 0x02, 1, buf) == 0 && all(buf, 4096, pat, 4));
	/* A block erase after it reports no passes. */
	CHECK(sanitize(&h, SANACT_BLOCK, 0) == 0);
	CHECK(wait_done(&h) == 1);
	CHECK(((read_log(&h).sstat >> 3) & 0x1f) == 0);
	h_close(&h);
}

/* Failures: restricted (AUSE 0) refuses I/O with Sanitize Failed until a new sanitize works;
 * unrestricted (AUSE 1) lets the host go on and Exit Failure Mode returns to idle. */
static void test_failure(void)
{
	struct host h;
	uint8_t *buf;
	const uint8_t a5[1] = {0xa5};
	static const uint8_t zero[1];

	open_ctrl(&h, "size=1M,queues=2,depth=16,sanitize_ms=10,sanitize_fail=2");
	page = h_alloc(&h, 4096, 4096);
	buf = h_alloc(&h, 4096, 4096);
	fill(buf, 0xa5);
	CHECK(rw(&h, 0x01, 1, buf) == 0);

	CHECK(sanitize(&h, SANACT_BLOCK, 0) == 0);
	CHECK(wait_done(&h) == 3);
	CHECK(rw(&h, 0x02, 1, buf) == FAILED);
	CHECK(h_cmd(&h, 0x80, 1, 0, 0, NULL, 0, NULL) == FAILED);
	CHECK(sanitize(&h, SANACT_EXIT, 0) == FAILED);
	CHECK(h_get_log(&h, 0x02, page, 512) == 0);

	/* A new one, unrestricted: it fails too, but the host may go on. */
	CHECK(sanitize(&h, SANACT_BLOCK | AUSE, 0) == 0);
	CHECK(wait_done(&h) == 3);
	fill(buf, 0);
	CHECK(rw(&h, 0x02, 1, buf) == 0 && all(buf, 4096, a5, 1)); /* left as it was */
	CHECK(sanitize(&h, SANACT_EXIT, 0) == 0);
	CHECK((read_log(&h).sstat & 7) == 3); /* still the most recent operation's status */

	CHECK(sanitize(&h, SANACT_BLOCK, 0) == 0);
	CHECK(wait_done(&h) == 1);
	CHECK(rw(&h, 0x02, 1, buf) == 0 && all(buf, 4096, zero, 1));
	h_close(&h);
}

/* No-Deallocate Inhibited: NDAS is refused, unless Sanitize Config's No-Deallocate Response
 * Mode says to deallocate anyway; then SSTAT says so. */
static void test_ndi(void)
{
	struct host h;
	uint8_t *buf;
	uint32_t dw0;
	static const uint8_t zero[1];

	open_ctrl(&h, "size=1M,queues=2,depth=16,sanitize_ms=10,ndi=on");
	page = h_alloc(&h, 4096, 4096);
	buf = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK(page[331] & 0x20);
	CHECK(sanitize(&h, SANACT_OVERWRITE | NDAS, 0x11223344) == INVALID);
	CHECK(h_cmd(&h, 0x09, 0, 0x17, 1, NULL, 0, NULL) == 0);
	CHECK(h_cmd(&h, 0x0a, 0, 0x17, 0, NULL, 0, &dw0) == 0 && dw0 == 1);
	fill(buf, 0x77);
	CHECK(rw(&h, 0x01, 1, buf) == 0);
	CHECK(sanitize(&h, SANACT_OVERWRITE | NDAS, 0x11223344) == 0);
	CHECK(wait_done(&h) == 4);
	CHECK(rw(&h, 0x02, 1, buf) == 0 && all(buf, 4096, zero, 1));
	h_close(&h);
}

/* Only what sanitize= offers; none at all: no command, no log page. */
static void test_offered(void)
{
	struct host h;

	open_ctrl(&h, "size=1M,queues=2,depth=16,sanitize=block,sanitize_ms=10");
	page = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK((page[328] & 7) == 2);
	CHECK(sanitize(&h, SANACT_CRYPTO, 0) == INVALID);
	CHECK(sanitize(&h, SANACT_OVERWRITE, 0) == INVALID);
	CHECK(read_log(&h).eto == 0xffffffffu);
	CHECK(sanitize(&h, SANACT_BLOCK, 0) == 0);
	CHECK(wait_done(&h) == 1);
	h_close(&h);

	open_ctrl(&h, "size=1M,queues=2,depth=16,sanitize=none");
	page = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, page) == 0);
	CHECK((page[328] & 7) == 0);
	CHECK(sanitize(&h, SANACT_BLOCK, 0) == (ST(0, 0x01) | DNR));
	CHECK(h_get_log(&h, 0x81, page, 512) == (ST(1, 0x09) | DNR));
	h_close(&h);

	CHECK_ERR(h_open(&h, "sanitize=block+erase", 1), -NVFIO_EBADOPT);
	CHECK(strstr(nvfio_last_error(), "sanitize"));
}

int main(void)
{
	test_block_erase();
	test_overwrite();
	test_failure();
	test_ndi();
	test_offered();
	return T_EXIT_PASS;
}
