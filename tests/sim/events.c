/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Asynchronous events, log pages and features: AERs stay outstanding until an event, the AER
 * limit, events masked until their log page is read, a temperature threshold event, SMART
 * counters that count, firmware slot log, timestamp and other features read back. That an event
 * is not delivered is decided once the model has done all it does (no_completion()), what must
 * come is waited for up to H_WAIT_MS: no window of wall-clock time.
 */
#include <string.h>
#include <time.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define DNR 0x4000

static uint16_t feat(struct host *h, bool set, uint32_t fid, uint32_t cdw11, uint32_t *dw0)
{
	struct h_sqe c;
	struct h_cqe cqe;
	uint16_t st;

	memset(&c, 0, sizeof(c));
	c.opc = set ? 0x09 : 0x0a;
	c.cdw10 = fid;
	c.cdw11 = cdw11;
	st = h_admin(h, &c, &cqe);
	if (dw0)
		*dw0 = cqe.dw0;
	return st;
}

static uint16_t get_log(struct host *h, uint8_t lid, bool rae, void *buf, uint32_t len)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = 0x02;
	c.cdw10 = lid | (rae ? 1u << 15 : 0) | ((len / 4 - 1) << 16);
	h_prp(h, &c, buf, len);
	return h_admin(h, &c, NULL);
}

static uint16_t send_aer(struct host *h)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = 0x0c;
	return h_submit(h, &h->asq, &c, true);
}

/* The model has done all it does with what the host did so far, and posted no completion: no
 * window of time to wait through, which a slow machine could let pass before the model acts. */
static void no_completion(struct host *h)
{
	CHECK(h_none(h, &h->acq));
}

/* Until the model holds @n Asynchronous Event Requests (it fetched those sent). */
static void wait_aers(struct host *h, uint64_t n)
{
	uint64_t end = h_now_ns() + H_WAIT_MS * 1000000ull;
	struct nvfio_sim_stats st;

	for (;;) {
		nvfio_sim_get_stats(h->sim, &st);
		if (st.aer_outstanding == n)
			return;
		CHECK(h_now_ns() < end);
	}
}

static struct h_cqe event(struct host *h)
{
	struct h_cqe cqe;

	CHECK(h_reap(h, &h->acq, &cqe, H_WAIT_MS));
	CHECK((cqe.status >> 1) == 0);
	return cqe;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/*
 * An admin CQ of two entries (one completion at a time): reading a log page releases a queued
 * event into the one free slot, ahead of the Get Log Page's own completion, which must then
 * wait for room rather than be lost.
 */
static void test_full_admin_cq(void)
{
	struct host h;
	struct h_cqe cqe;
	uint8_t *log;
	uint16_t aer2;

	CHECK_OK(h_open(&h, "size=16M", 4));
	CHECK(h_enable(&h, 2) == 0);
	log = h_alloc(&h, 4096, 4096);
	send_aer(&h);
	CHECK_OK(nvfio_sim_post_event(h.sim, NVFIO_SIM_AER_ERROR, 5, 0x01, 0));
	cqe = event(&h);
	CHECK(cqe.dw0 == (0u | 5u << 8 | 1u << 16));
	CHECK_OK(nvfio_sim_post_event(h.sim, NVFIO_SIM_AER_ERROR, 6, 0x01, 0));
	aer2 = send_aer(&h);
	wait_aers(&h, 1);
	no_completion(&h);
	CHECK(get_log(&h, 0x01, false, log, 512) == 0);
	/* The event came first and was kept aside by the host while it waited. */
	CHECK(h_reap(&h, &h.acq, &cqe, 0));
	CHECK(cqe.cid == aer2 && cqe.dw0 == (0u | 6u << 8 | 1u << 16));
	h_close(&h);
}

int main(void)
{
	struct host h;
	struct nvfio_sim_stats st;
	struct h_cqe cqe;
	uint16_t aer[4];
	uint8_t *buf, *log;
	uint32_t dw0;

	CHECK_OK(h_open(&h, "size=16M,namespaces=2,queues=2,firmware=FW42", 8));
	CHECK(h_enable(&h, 32) == 0);
	buf = h_alloc(&h, 512 * 1024, 4096);
	log = h_alloc(&h, 4096, 4096);
	CHECK(h_create_ioq(&h, 1, 16) == 0);

	/* Four AERs are kept (AERL = 3); the fifth exceeds the limit. */
	for (unsigned int i = 0; i < 4; i++)
		aer[i] = send_aer(&h);
	{
		struct h_sqe c;

		memset(&c, 0, sizeof(c));
		c.opc = 0x0c;
		CHECK(h_admin(&h, &c, NULL) == (0x105 | DNR));
	}
	no_completion(&h);
	nvfio_sim_get_stats(h.sim, &st);
	CHECK(st.aer_outstanding == 4);

	/* A namespace attribute notice completes one of them. */
	CHECK_OK(nvfio_sim_post_event(h.sim, NVFIO_SIM_AER_NOTICE, 0, 0x04, 2));
	cqe = event(&h);
	CHECK(cqe.dw0 == (2u | 0u << 8 | 4u << 16));
	CHECK(cqe.cid == aer[0] || cqe.cid == aer[1] || cqe.cid == aer[2] || cqe.cid == aer[3]);

	/* A second notice waits until the host reads the Changed Namespace List. */
	CHECK_OK(nvfio_sim_post_event(h.sim, NVFIO_SIM_AER_NOTICE, 0, 0x04, 1));
	no_completion(&h);
	/* Reading with RAE set keeps it masked. */
	CHECK(get_log(&h, 0x04, true, log, 4096) == 0);
	CHECK(((uint32_t *)log)[0] == 2 && ((uint32_t *)log)[1] == 1 && ((uint32_t *)log)[2] == 0);
	no_completion(&h);
	/* Reading it for real re-arms the type: the second notice is delivered. */
	CHECK(get_log(&h, 0x04, false, log, 4096) == 0);
	cqe = event(&h);
	CHECK(cqe.dw0 == (2u | 4u << 16));
	CHECK(get_log(&h, 0x04, false, log, 4096) == 0);
	CHECK(((uint32_t *)log)[0] == 0);

	/* A read that fails (its buffer is not mapped) clears nothing. */
	CHECK_OK(nvfio_sim_post_event(h.sim, NVFIO_SIM_AER_NOTICE, 0, 0x04, 2));
	cqe = event(&h);
	send_aer(&h); /* in place of the one just used */
	wait_aers(&h, 2);
	{
		struct h_sqe c;

		memset(&c, 0, sizeof(c));
		c.opc = 0x02;
		c.cdw10 = 0x04 | (1023u << 16);
		c.prp1 = H_IOVA_BASE + h.mem_len;
		CHECK(h_admin(&h, &c, NULL) == 0x0004);
	}
	no_completion(&h);
	CHECK(get_log(&h, 0x04, false, log, 4096) == 0);
	CHECK(((uint32_t *)log)[0] == 2 && ((uint32_t *)log)[1] == 0);

	/* NUMDU and the offset: the firmware slot log from byte 8, and a length beyond 64 Ki
	 * dwords (clipped to the log's size). */
	{
		struct h_sqe c;

		memset(&c, 0, sizeof(c));
		c.opc = 0x02;
		c.cdw10 = 0x03 | 1u << 16; /* two dwords */
		c.cdw12 = 8;
		h_prp(&h, &c, log, 8);
		memset(log, 0xff, 512);
		CHECK(h_admin(&h, &c, NULL) == 0);
		CHECK(!memcmp(log, "FW42    ", 8) && log[8] == 0xff);
		c.cdw10 = 0x03;
		c.cdw11 = 1; /* NUMDU 1, NUMDL 0: 65537 dwords */
		c.cdw12 = 0;
		h_prp(&h, &c, log, 512);
		memset(log, 0xff, 512);
		CHECK(h_admin(&h, &c, NULL) == 0);
		CHECK(log[0] == 1 && !memcmp(log + 8, "FW42    ", 8) && log[511] == 0);
	}

	/* Temperature threshold below the current temperature: SMART event, when enabled. */
	CHECK(feat(&h, true, 0x0b, 1u << 1, NULL) == 0);
	CHECK(feat(&h, true, 0x04, 300, NULL) == 0);
	cqe = event(&h);
	CHECK(cqe.dw0 == (1u | 1u << 8 | 2u << 16));
	CHECK(get_log(&h, 0x02, false, log, 512) == 0);
	CHECK(log[0] & (1u << 1));	      /* critical warning: temperature */
	CHECK((log[1] | log[2] << 8) == 313); /* Kelvin */
	CHECK(feat(&h, false, 0x04, 0, &dw0) == 0 && dw0 == 300);
	CHECK(feat(&h, true, 0x04, 350, NULL) == 0);
	CHECK(get_log(&h, 0x02, false, log, 512) == 0);
	CHECK(!(log[0] & (1u << 1)));

	/* An error event (from the API) goes to the last outstanding AER. */
	CHECK_OK(nvfio_sim_post_event(h.sim, NVFIO_SIM_AER_ERROR, 3, 0x01, 0));
	cqe = event(&h);
	CHECK(cqe.dw0 == (0u | 3u << 8 | 1u << 16));
	/* No AER left: an event waits for the next one. */
	CHECK_OK(nvfio_sim_post_event(h.sim, NVFIO_SIM_AER_VENDOR, 9, 0xc0, 0));
	nvfio_sim_get_stats(h.sim, &st);
	CHECK(st.aer_outstanding == 0);
	no_completion(&h);
	send_aer(&h);
	cqe = event(&h);
	CHECK(cqe.dw0 == (7u | 9u << 8 | 0xc0u << 16));
	nvfio_sim_get_stats(h.sim, &st);
	CHECK(st.events_posted == 6 && st.events_completed == 6 && st.aer_outstanding == 0);
	CHECK(nvfio_sim_post_event(h.sim, 8, 0, 0, 0) == -22);

	/* SMART counters count: 1000 blocks written, 2000 read, in thousands of 512 bytes. */
	CHECK(get_log(&h, 0x02, false, log, 512) == 0);
	{
		uint64_t dur = le64(log + 32), duw = le64(log + 48);
		uint64_t hr = le64(log + 64), hw = le64(log + 80);

		for (unsigned int i = 0; i < 4; i++)
			CHECK(h_rw(&h, 1, 0x01, 1, i * 250, 250, buf, 250 * 512) == 0);
		for (unsigned int i = 0; i < 8; i++)
			CHECK(h_rw(&h, 1, 0x02, 1, i * 250, 250, buf, 250 * 512) == 0);
		CHECK(get_log(&h, 0x02, false, log, 512) == 0);
		CHECK(le64(log + 32) - dur >= 1 && le64(log + 32) - dur <= 3);
		CHECK(le64(log + 48) - duw >= 1 && le64(log + 48) - duw <= 2);
		CHECK(le64(log + 64) - hr == 8);
		CHECK(le64(log + 80) - hw == 4);
	}

	/* Firmware slot log. */
	CHECK(get_log(&h, 0x03, false, log, 512) == 0);
	CHECK(log[0] == 1 && !memcmp(log + 8, "FW42    ", 8));
	/* Commands supported and effects. */
	CHECK(get_log(&h, 0x05, false, log, 4096) == 0);
	CHECK(((uint32_t *)log)[0x06] & 1);	  /* Identify */
	CHECK(((uint32_t *)log)[0x80] & 2);	  /* Format changes LBA content */
	CHECK(((uint32_t *)log)[256 + 0x02] & 1); /* Read */

	/* Features read back what was set; defaults through SEL = 1. */
	CHECK(feat(&h, true, 0x01, 0x03020103, NULL) == 0);
	CHECK(feat(&h, false, 0x01, 0, &dw0) == 0 && dw0 == 0x03020103);
	CHECK(feat(&h, false, 0x01 | 1u << 8, 0, &dw0) == 0 && dw0 == 0);
	CHECK(feat(&h, true, 0x06, 0, NULL) == 0);
	CHECK(feat(&h, false, 0x06, 0, &dw0) == 0 && dw0 == 0);
	CHECK(feat(&h, false, 0x06 | 1u << 8, 0, &dw0) == 0 && dw0 == 1);
	CHECK(feat(&h, true, 0x08, 0x0a04, NULL) == 0);
	CHECK(feat(&h, false, 0x08, 0, &dw0) == 0 && dw0 == 0x0a04);
	CHECK(feat(&h, true, 0x09, 1u << 16 | 2, NULL) == 0);
	CHECK(feat(&h, false, 0x09, 2, &dw0) == 0 && dw0 == (1u << 16 | 2));
	CHECK(feat(&h, true, 0x09, 3, NULL) == (0x02 | DNR)); /* vector 3 of 3 */
	CHECK(feat(&h, true, 0x05, 100, NULL) == 0);
	CHECK(feat(&h, false, 0x05, 0, &dw0) == 0 && dw0 == 100);
	CHECK(feat(&h, true, 0x05, 1u << 16, NULL) == (0x02 | DNR)); /* DULBE */
	CHECK(feat(&h, true, 0x0a, 1, NULL) == 0);
	CHECK(feat(&h, false, 0x0a, 0, &dw0) == 0 && dw0 == 1);
	CHECK(feat(&h, false, 0x07, 0, &dw0) == 0 && dw0 == (1u << 16 | 1));

	/* Timestamp: set, then read back a little later with origin "set by the host". */
	{
		struct h_sqe c;
		uint8_t *ts = h_alloc(&h, 8, 8);
		uint64_t v = 0, t0, t1;
		struct timespec d = {0, 20000000};

		ts[0] = 0x10;
		ts[1] = 0x27; /* 10000 ms */
		memset(&c, 0, sizeof(c));
		c.opc = 0x09;
		c.cdw10 = 0x0e;
		h_prp(&h, &c, ts, 8);
		/* What it reads is bounded by the host's own clock around the two commands, not
		 * by a guess at how long they take. */
		t0 = h_now_ns();
		CHECK(h_admin(&h, &c, NULL) == 0);
		nanosleep(&d, NULL);
		memset(ts, 0, 8);
		c.opc = 0x0a;
		CHECK(h_admin(&h, &c, NULL) == 0);
		t1 = h_now_ns();
		memcpy(&v, ts, 6);
		CHECK(v >= 10020 && v <= 10000 + (t1 - t0) / 1000000 + 1);
		CHECK(((ts[6] >> 1) & 7) == 1);
	}

	/* A controller reset drops outstanding AERs. */
	send_aer(&h);
	wait_aers(&h, 1);
	CHECK(h_disable(&h) == 0);
	nvfio_sim_get_stats(h.sim, &st);
	CHECK(st.aer_outstanding == 0);
	h_close(&h);

	test_full_admin_cq();
	return 0;
}
