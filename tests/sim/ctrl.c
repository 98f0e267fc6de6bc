/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Controller-level behaviour: options and their errors, defaults, function-level reset (queues
 * gone, storage kept), shutdown, MSI-X through eventfds, and idle back-off (an idle controller
 * costs little CPU and still answers quickly).
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/test.h"
#include "tests/sim/host.h"

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void bad_option(const char *opts, const char *word)
{
	struct host h;

	CHECK(h_open(&h, opts, 1) == -NVFIO_EBADOPT);
	if (!strstr(nvfio_last_error(), word)) {
		fprintf(stderr, "'%s': message '%s' does not name '%s'\n", opts, nvfio_last_error(),
			word);
		CHECK(0);
	}
}

static void test_options(void)
{
	struct host h;
	uint8_t *id;

	bad_option("lbads=1000", "512 or 4096");
	bad_option("size=1000", "size=1000");
	bad_option("size=1Z", "size");
	bad_option("queues=0", "queues");
	bad_option("queues=5000", "1 to 1024");
	bad_option("depth=1", "depth");
	bad_option("mdts=11", "mdts");
	bad_option("storage=tape", "null (no data)");
	bad_option("storage=null,file=/tmp/x", "needs storage=file");
	bad_option("storage=file", "file=");
	bad_option("sgl=maybe", "on or off");
	bad_option("ms=7", "ms");
	bad_option("lbads=4096,ms=16", "4096-byte blocks");
	bad_option("frobnicate=1", "frobnicate");
	bad_option("size", "key=value");
	bad_option("serial=abcdefghijklmnopqrstuvwxyz", "serial");
	bad_option("threads=99", "threads");

	/* Defaults: one 1 GiB namespace of 512-byte blocks. */
	CHECK_OK(h_open(&h, "", 4));
	CHECK(h_enable(&h, 16) == 0);
	id = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 1, 0, id) == 0);
	CHECK(*(uint32_t *)(id + 516) == 1);
	CHECK(h_identify(&h, 0, 1, id) == 0);
	CHECK(*(uint64_t *)id == (1ull << 30) / 512);
	h_close(&h);

	/* Sizes with suffixes, block size as a shift. */
	CHECK_OK(h_open(&h, "size=3M,lbads=12,ms=8,namespaces=3", 4));
	CHECK(h_enable(&h, 16) == 0);
	id = h_alloc(&h, 4096, 4096);
	CHECK(h_identify(&h, 0, 3, id) == 0);
	CHECK(*(uint64_t *)id == (3ull << 20) / 4096);
	CHECK((id[26] & 0xf) == 4);
	h_close(&h);
}

static void test_reset(void)
{
	struct host h;
	uint8_t *buf;
	struct h_sqe c;

	CHECK_OK(h_open(&h, "size=16M,queues=2,storage=ram", 8));
	CHECK(h_enable(&h, 16) == 0);
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	buf = h_alloc(&h, 4096, 4096);
	memset(buf, 0x77, 4096);
	CHECK(h_rw(&h, 1, 0x01, 1, 3, 8, buf, 4096) == 0);

	/* Function-level reset: power-on registers, no queues, storage kept. */
	CHECK_OK(nvf_sim_reset(h.sim));
	CHECK(h_reg32(&h, 0x14) == 0 && h_reg32(&h, 0x1c) == 0 && h_reg32(&h, 0x24) == 0);
	CHECK(h_reg64(&h, 0x28) == 0 && h_reg64(&h, 0x30) == 0);
	CHECK((h_reg64(&h, 0) & 0xffff) == 1023);
	CHECK(h_enable(&h, 16) == 0);
	/* Queue 1 is gone: deleting it fails, creating it again works. */
	memset(&c, 0, sizeof(c));
	c.opc = 0x00;
	c.cdw10 = 1;
	CHECK((h_admin(&h, &c, NULL) & 0x7ff) == 0x101);
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	memset(buf, 0, 4096);
	CHECK(h_rw(&h, 1, 0x02, 1, 3, 8, buf, 4096) == 0);
	for (unsigned int i = 0; i < 4096; i++)
		CHECK(buf[i] == 0x77);

	/* Abrupt shutdown also reaches "complete"; clearing SHN clears SHST; commands are not
	 * processed after a shutdown until the controller is reset. */
	h_wreg32(&h, 0x14, h_reg32(&h, 0x14) | 2u << 14);
	CHECK(h_wait_csts(&h, 0xc, 0x8, 1000) == 0);
	memset(&c, 0, sizeof(c));
	c.opc = 0x02;
	c.nsid = 1;
	h_prp(&h, &c, buf, 512);
	h_submit(&h, &h.sq[1], &c, true);
	{
		struct h_cqe cqe;

		CHECK(!h_reap(&h, &h.cq[1], &cqe, 30));
	}
	h_wreg32(&h, 0x14, h_reg32(&h, 0x14) & ~(3u << 14));
	CHECK(h_wait_csts(&h, 0xc, 0x0, 1000) == 0);
	CHECK(h_disable(&h) == 0);

	/* Disable and shut down in one write, then enable: the controller works again. */
	CHECK(h_enable(&h, 16) == 0);
	h_wreg32(&h, 0x14, (h_reg32(&h, 0x14) & ~1u) | 1u << 14);
	CHECK(h_wait_csts(&h, 0xd, 0x8, 1000) == 0);
	CHECK(h_enable(&h, 16) == 0);
	CHECK(h_identify(&h, 1, 0, buf) == 0);
	h_close(&h);
}

static void test_irq(void)
{
	struct host h;
	struct h_sqe c;
	struct h_cqe cqe;
	uint8_t *buf;
	int efd0 = eventfd(0, EFD_NONBLOCK), efd2 = eventfd(0, EFD_NONBLOCK);
	uint64_t v;
	struct pollfd pfd;

	CHECK(efd0 >= 0 && efd2 >= 0);
	CHECK_OK(h_open(&h, "size=16M,queues=3", 8));
	CHECK(nvf_sim_set_irq(h.sim, 4, efd0) == -22);
	CHECK_OK(nvf_sim_set_irq(h.sim, 0, efd0));
	CHECK_OK(nvf_sim_set_irq(h.sim, 2, efd2));
	CHECK(h_enable(&h, 16) == 0);
	buf = h_alloc(&h, 4096, 4096);

	/* The admin CQ always interrupts on vector 0. */
	CHECK(h_identify(&h, 1, 0, buf) == 0);
	pfd.fd = efd0;
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 1000) == 1);
	CHECK(read(efd0, &v, 8) == 8 && v >= 1);

	/* An I/O CQ with interrupts enabled on vector 2. */
	h.cq[1].ring = h_alloc(&h, 16 * 16, 4096);
	h.cq[1].size = 16;
	h.cq[1].qid = 1;
	h.cq[1].phase = 1;
	memset(&c, 0, sizeof(c));
	c.opc = 0x05;
	c.prp1 = h_iova(&h, h.cq[1].ring);
	c.cdw10 = 15u << 16 | 1;
	c.cdw11 = 2u << 16 | 3; /* IV 2, IEN, PC */
	CHECK(h_admin(&h, &c, NULL) == 0);
	h.sq[1].ring = h_alloc(&h, 16 * 64, 4096);
	h.sq[1].size = 16;
	h.sq[1].qid = 1;
	memset(&c, 0, sizeof(c));
	c.opc = 0x01;
	c.prp1 = h_iova(&h, h.sq[1].ring);
	c.cdw10 = 15u << 16 | 1;
	c.cdw11 = 1u << 16 | 1;
	CHECK(h_admin(&h, &c, NULL) == 0);
	while (read(efd2, &v, 8) == 8)
		;
	memset(&c, 0, sizeof(c));
	c.opc = 0x02;
	c.nsid = 1;
	h_prp(&h, &c, buf, 512);
	h_submit(&h, &h.sq[1], &c, true);
	pfd.fd = efd2;
	CHECK(poll(&pfd, 1, 1000) == 1);
	CHECK(read(efd2, &v, 8) == 8 && v >= 1);
	CHECK(h_reap(&h, &h.cq[1], &cqe, 100));
	/* Unbound: no signal. */
	CHECK_OK(nvf_sim_set_irq(h.sim, 2, -1));
	h_submit(&h, &h.sq[1], &c, true);
	CHECK(h_reap(&h, &h.cq[1], &cqe, 1000));
	CHECK(poll(&pfd, 1, 20) == 0);
	h_close(&h);
	close(efd0);
	close(efd2);
}

static void test_idle(void)
{
	struct host h;
	uint8_t *buf;
	uint64_t cpu0, cpu1, t0, lat;

	CHECK_OK(h_open(&h, "size=16M,queues=4", 8));
	CHECK(h_enable(&h, 16) == 0);
	CHECK(h_create_ioq(&h, 1, 16) == 0);
	CHECK(h_create_ioq(&h, 2, 16) == 0);
	buf = h_alloc(&h, 4096, 4096);
	CHECK(h_rw(&h, 1, 0x02, 1, 0, 1, buf, 512) == 0);

	/* Let it settle into its back-off, then measure 200 ms of idleness. */
	sleep_ms(20);
	cpu0 = nvf_sim_thread_cpu_ns(h.sim);
	sleep_ms(200);
	cpu1 = nvf_sim_thread_cpu_ns(h.sim);
	printf("idle controller: %.2f ms of CPU in 200 ms\n", (double)(cpu1 - cpu0) / 1e6);
	CHECK(cpu1 - cpu0 < 20000000); /* under 10% of a core */

	/* Work after idleness is picked up within the longest nap. */
	t0 = h_now_ns();
	CHECK(h_rw(&h, 2, 0x02, 1, 0, 1, buf, 512) == 0);
	lat = h_now_ns() - t0;
	printf("first command after idleness: %.1f us\n", (double)lat / 1e3);
	/* Under valgrind the threads take turns at translated code: the time says nothing. */
	CHECK(lat < 50000000 || RUNNING_ON_VALGRIND);
	h_close(&h);
}

int main(void)
{
	test_options();
	test_reset();
	test_irq();
	test_idle();
	return 0;
}
