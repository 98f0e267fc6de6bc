/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt mode: a queue pair with its own MSI-X vector signals its eventfd, which a program can
 * put in its epoll set; nvfio_qpair_wait() sleeps on it. A polled queue pair on the same
 * controller has no eventfd. Argument: the controller address (default: the simulated one).
 */
#include <sys/epoll.h>
#include <unistd.h>

#include "nvme/nvme_test.h"

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "sim:size=64M";
	struct nvfio_ctrl_opts opts;
	struct nvfio_qpair *qp, *polled;
	struct nvfio_ctrl *ctrl;
	struct epoll_event ev = {.events = EPOLLIN};
	struct t_done d = {0};
	struct nvfio_ns *ns;
	uint8_t *buf;
	uint32_t bs;
	int ep, n, i;

	/* Without interrupts a queue pair cannot have them. */
	ctrl = t_open(addr, NULL);
	CHECK(nvfio_ctrl_admin_fd(ctrl) < 0);
	CHECK_ERR(nvfio_qpair_alloc(ctrl, 8, NVFIO_QPAIR_INTERRUPTS, &qp), -EINVAL);
	CHECK_OK(nvfio_ctrl_close(ctrl));

	nvfio_ctrl_opts_init(&opts);
	opts.interrupts = true;
	opts.nr_io_queues = 2;
	ctrl = t_open(addr, &opts);
	CHECK(nvfio_ctrl_get_info(ctrl)->interrupts);
	CHECK(nvfio_ctrl_admin_fd(ctrl) >= 0);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	bs = nvfio_ns_get_info(ns)->block_size;
	buf = t_alloc(ctrl, 64 * 1024);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 16, NVFIO_QPAIR_INTERRUPTS, &qp));
	CHECK(nvfio_qpair_fd(qp) >= 0);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 16, 0, &polled));
	CHECK(nvfio_qpair_fd(polled) < 0);

	/* The program's own epoll loop: submit, kick, sleep until the eventfd fires, reap. */
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, nvfio_qpair_fd(qp), &ev) == 0);
	for (i = 0; i < 20; i++) {
		uint64_t lba = (uint64_t)i * 8;

		memset(&d, 0, sizeof(d));
		t_fill(buf, 4096, lba, 0x1a);
		CHECK_OK(nvfio_write(qp, ns, buf, lba, 4096 / bs, t_done_cb, &d));
		nvfio_qpair_kick(qp);
		while (!d.done) {
			n = epoll_wait(ep, &ev, 1, 5000);
			CHECK(n == 1);
			CHECK(nvfio_qpair_poll(qp, 0) >= 0);
		}
		CHECK(d.err == 0 && d.status == 0);
	}
	printf("epoll loop: 20 writes completed by interrupt\n");

	/* nvfio_qpair_wait() sleeping on the eventfd, and the data read back. */
	for (i = 0; i < 20; i++) {
		uint64_t lba = (uint64_t)i * 8;

		memset(&d, 0, sizeof(d));
		memset(buf + 8192, 0, 4096);
		CHECK_OK(nvfio_read(qp, ns, buf + 8192, lba, 4096 / bs, t_done_cb, &d));
		n = nvfio_qpair_wait(qp, 0, 5000);
		CHECK(n == 1 && d.done && d.err == 0 && d.status == 0);
		t_fill(buf, 4096, lba, 0x1a);
		CHECK(t_same(buf + 8192, buf, 4096, "read back by interrupt"));
	}
	/* A wait with nothing outstanding times out. */
	CHECK(nvfio_qpair_wait(qp, 0, 50) == 0);
	/* The polled pair works alongside. */
	CHECK_OK(nvfio_read_sync(polled, ns, buf, 0, 1, NULL));
	printf("nvfio_qpair_wait on the eventfd: 20 reads verified\n");

	close(ep);
	CHECK_OK(nvfio_qpair_free(polled));
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
