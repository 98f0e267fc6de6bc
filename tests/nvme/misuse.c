/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bad input to the public functions, row by row: each call gets its documented error, and
 * nothing reaches the device (the model counts every command it fetches), no callback runs and
 * no descriptor or mapping is left behind. Then the misuse nvfio answers rather than crashes:
 * a queue pair freed, waited on or its controller closed from one of its own callbacks (-EBUSY),
 * a full queue pair (-EAGAIN), an unplug without a plug.
 */
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <time.h>

#include <nvfio/sim.h>

#include "nvme/nvme_test.h"
#include "vfio/leak.h"

static struct nvfio_ctrl *ctrl;
static struct nvfio_ns *ns;
static struct nvfio_qpair *qp;
static uint8_t *buf; /* 64 KiB of DMA memory */
static uint8_t heap[8192];
static struct t_done d;
static int rows;

/* The model's count of commands fetched, admin and I/O. */
static uint64_t fetched(void)
{
	struct nvfio_sim_stats st;

	nvfio_sim_get_stats(nvfio_ctrl_sim(ctrl), &st);
	return st.admin_commands + st.io_commands;
}

#define ROW(what, expr, want)                                                                      \
	do {                                                                                       \
		uint64_t before_ = fetched();                                                      \
		int got_ = (expr);                                                                 \
		rows++;                                                                            \
		printf("%-58s %-6d %s\n", what, got_,                                              \
		       got_ < 0 && got_ != -EAGAIN ? nvfio_last_error() : "");                     \
		if (got_ != (want)) {                                                              \
			fprintf(stderr, "%s: got %d (%s), expected %d (%s)\n", what, got_,         \
				nvfio_strerror(got_), (want), nvfio_strerror(want));               \
			exit(T_EXIT_FAIL);                                                         \
		}                                                                                  \
		CHECK(fetched() == before_ && d.done == 0);                                        \
	} while (0)

static void controller_rows(void)
{
	struct nvfio_ctrl_opts o;
	struct nvfio_ctrl *c = NULL;
	struct nvfio_qpair *q = NULL;
	struct nvfio_cmd cmd = {.opcode = 0x06, .cdw10 = 1};
	uint32_t regs[4];

	nvfio_ctrl_opts_init(&o);
	ROW("ctrl_open: NULL address", nvfio_ctrl_open(NULL, NULL, &c), -EINVAL);
	ROW("ctrl_open: NULL out", nvfio_ctrl_open("sim:", NULL, NULL), -EINVAL);
	ROW("ctrl_open: unknown sim: option", nvfio_ctrl_open("sim:bogus=1", NULL, &c),
	    -NVFIO_EBADOPT);
	ROW("ctrl_open: sim: size out of range", nvfio_ctrl_open("sim:size=1", NULL, &c),
	    -NVFIO_EBADOPT);
	ROW("ctrl_open: not an address", nvfio_ctrl_open("zz:zz", NULL, &c), -NVFIO_EBADADDR);
	ROW("ctrl_open: vfio-user", nvfio_ctrl_open("vfio-user:/tmp/x", NULL, &c), -ENOTSUP);
	o.queue_depth = 0;
	ROW("ctrl_open: queue_depth 0", nvfio_ctrl_open("sim:", &o, &c), -NVFIO_EBADOPT);
	CHECK(c == NULL);
	ROW("ctrl_read_regs: NULL buffer", nvfio_ctrl_read_regs(ctrl, NULL, 4), -EINVAL);
	ROW("ctrl_read_regs: length not a multiple of 4", nvfio_ctrl_read_regs(ctrl, regs, 3),
	    -EINVAL);
	ROW("ctrl_read_regs: past the registers", nvfio_ctrl_read_regs(ctrl, heap, 8192),
	    -EINVAL);
	ROW("ctrl_ns: nsid 0", nvfio_ctrl_ns(ctrl, 0) == NULL ? -ENOENT : 0, -ENOENT);
	ROW("ctrl_ns: nsid past NN", nvfio_ctrl_ns(ctrl, 1u << 30) == NULL ? -ENOENT : 0,
	    -ENOENT);
	ROW("identify: NULL buffer", nvfio_identify(ctrl, 1, 0, NULL), -EINVAL);
	ROW("get_log_page: NULL buffer", nvfio_get_log_page(ctrl, 2, ~0u, 0, NULL, 512), -EINVAL);
	ROW("get_log_page: length 0", nvfio_get_log_page(ctrl, 2, ~0u, 0, heap, 0), -EINVAL);
	ROW("get_log_page: length not a multiple of 4",
	    nvfio_get_log_page(ctrl, 2, ~0u, 0, heap, 510), -EINVAL);
	ROW("get_log_page: offset not a multiple of 4",
	    nvfio_get_log_page(ctrl, 2, ~0u, 2, heap, 512), -EINVAL);
	ROW("get_log_page: above MDTS", nvfio_get_log_page(ctrl, 2, ~0u, 0, heap, 1u << 30),
	    -EINVAL);
	ROW("set_features: Number of Queues",
	    nvfio_set_features(ctrl, 0x07, 0, 0, 0, false, NULL, 0, NULL), -EINVAL);
	ROW("set_features: data above 4096 bytes",
	    nvfio_set_features(ctrl, 0x03, 1, 0, 0, false, heap, 8192, NULL), -EINVAL);
	ROW("format: LBA format 64", nvfio_format(ctrl, 1, 64, 0, 0), -EINVAL);
	ROW("format: secure erase setting 3", nvfio_format(ctrl, 1, 0, 3, 0), -EINVAL);
	ROW("admin_raw: NULL command", nvfio_admin_raw(ctrl, NULL, NULL, 0, NULL, 0), -EINVAL);
	ROW("admin_raw: a length without a buffer", nvfio_admin_raw(ctrl, &cmd, NULL, 4096, NULL, 0),
	    -EINVAL);
	ROW("admin_raw: above MDTS", nvfio_admin_raw(ctrl, &cmd, heap, 1u << 30, NULL, 0),
	    -EINVAL);
	ROW("qpair_alloc: NULL controller", nvfio_qpair_alloc(NULL, 4, 0, &q), -EINVAL);
	ROW("qpair_alloc: NULL out", nvfio_qpair_alloc(ctrl, 4, 0, NULL), -EINVAL);
	ROW("qpair_alloc: depth above CAP.MQES", nvfio_qpair_alloc(ctrl, 1u << 20, 0, &q), -EINVAL);
	ROW("qpair_alloc: interrupts on a polled controller",
	    nvfio_qpair_alloc(ctrl, 4, NVFIO_QPAIR_INTERRUPTS, &q), -EINVAL);
	CHECK(q == NULL);
	ROW("dma_register: not page-aligned",
	    nvfio_dma_register(nvfio_ctrl_dma(ctrl), heap + 1, 4096), -EINVAL);
	ROW("dma_unregister: never registered",
	    nvfio_dma_unregister(nvfio_ctrl_dma(ctrl), heap, 4096), -NVFIO_ENOTMAPPED);
	ROW("qpair_set_cmd_timeout: no such command",
	    nvfio_qpair_set_cmd_timeout(qp, 0x1234, 10), -ENOENT);
}

static void io_rows(void)
{
	uint32_t bs = nvfio_ns_get_info(ns)->block_size;
	uint64_t nblocks = nvfio_ns_get_info(ns)->nblocks;
	struct nvfio_cmd cmd = {.opcode = 0x02, .nsid = 1};
	struct iovec iov[2] = {{buf, 4096}, {buf + 4096, SIZE_MAX - 4095}};

	ROW("read: NULL queue pair", nvfio_io_slow(NULL, ns, 0x02, buf, 0, 1, t_done_cb, &d),
	    -EINVAL);
	ROW("read: NULL callback (off the fast path: an unaligned buffer)",
	    nvfio_read(qp, ns, buf + 2, 0, 1, NULL, &d), -EINVAL);
	ROW("read: 0 blocks", nvfio_read(qp, ns, buf, 0, 0, t_done_cb, &d), -EINVAL);
	ROW("read: past the end", nvfio_read(qp, ns, buf, nblocks, 1, t_done_cb, &d), -ERANGE);
	ROW("read: LBA + count wraps", nvfio_read(qp, ns, buf, UINT64_MAX, 2, t_done_cb, &d),
	    -ERANGE);
	ROW("read: more blocks than the namespace",
	    nvfio_read(qp, ns, buf, 0, (uint32_t)nblocks + 1, t_done_cb, &d), -ERANGE);
	ROW("read: buffer not 4-byte aligned", nvfio_read(qp, ns, buf + 2, 0, 1, t_done_cb, &d),
	    -EINVAL);
	ROW("read: buffer not in DMA memory", nvfio_read(qp, ns, heap, 0, 1, t_done_cb, &d),
	    -NVFIO_ENOTMAPPED);
	ROW("write: buffer not in DMA memory", nvfio_write(qp, ns, heap, 0, 1, t_done_cb, &d),
	    -NVFIO_ENOTMAPPED);
	ROW("write: NULL namespace (off the fast path)",
	    nvfio_io_slow(qp, NULL, 0x01, buf, 0, 1, t_done_cb, &d), -EINVAL);
	ROW("compare: NULL callback", nvfio_compare(qp, ns, buf, 0, 1, NULL, &d), -EINVAL);
	ROW("readv: NULL iovec", nvfio_readv(qp, ns, NULL, 1, 0, t_done_cb, &d), -EINVAL);
	ROW("readv: no elements", nvfio_readv(qp, ns, iov, 0, 0, t_done_cb, &d), -EINVAL);
	ROW("readv: lengths wrap past 2^64", nvfio_readv(qp, ns, iov, 2, 0, t_done_cb, &d),
	    -EINVAL);
	iov[1].iov_len = bs - 4;
	ROW("writev: not a whole number of blocks", nvfio_writev(qp, ns, iov, 2, 0, t_done_cb, &d),
	    -EINVAL);
	ROW("writev: NULL namespace", nvfio_writev(qp, NULL, iov, 1, 0, t_done_cb, &d), -EINVAL);
	ROW("flush: NULL namespace", nvfio_flush(qp, NULL, t_done_cb, &d), -EINVAL);
	ROW("flush: NULL callback", nvfio_flush(qp, ns, NULL, &d), -EINVAL);
	ROW("write_zeroes: 0 blocks", nvfio_write_zeroes(qp, ns, 0, 0, t_done_cb, &d), -EINVAL);
	ROW("write_zeroes: past the end", nvfio_write_zeroes(qp, ns, nblocks, 8, t_done_cb, &d),
	    -ERANGE);
	ROW("deallocate: past the end", nvfio_deallocate(qp, ns, nblocks - 1, 2, t_done_cb, &d),
	    -ERANGE);
	ROW("deallocate: NULL namespace", nvfio_deallocate(qp, NULL, 0, 1, t_done_cb, &d), -EINVAL);
	ROW("io_raw: NULL command", nvfio_io_raw(qp, NULL, NULL, 0, t_done_cb, &d), -EINVAL);
	ROW("io_raw: NULL callback", nvfio_io_raw(qp, &cmd, NULL, 0, NULL, &d), -EINVAL);
	ROW("io_raw: a length without a buffer", nvfio_io_raw(qp, &cmd, NULL, 4096, t_done_cb, &d),
	    -EINVAL);
	ROW("io_raw: above MDTS", nvfio_io_raw(qp, &cmd, buf, 1u << 30, t_done_cb, &d), -EINVAL);
	ROW("io_raw: buffer not in DMA memory", nvfio_io_raw(qp, &cmd, heap, 512, t_done_cb, &d),
	    -NVFIO_ENOTMAPPED);
	ROW("read_sync: past the end", nvfio_read_sync(qp, ns, buf, nblocks, 1, NULL), -ERANGE);
}

/* Callbacks that misuse their queue pair: each records what nvfio answered. */
static int cb_ret;

static void free_in_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	cb_ret = nvfio_qpair_free(arg);
}

static void wait_in_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	cb_ret = nvfio_qpair_wait(arg, 0, 0);
}

static void close_in_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	cb_ret = nvfio_ctrl_close(ctrl);
}

static void sync_in_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	cb_ret = nvfio_read_sync(arg, ns, buf + 8192, 0, 1, NULL);
	if (nvfio_qpair_outstanding(arg) != 0) /* nothing was submitted */
		cb_ret = -EPROTO;
}

static void in_callback(nvfio_cb cb, const char *what)
{
	struct timespec a, b;

	cb_ret = 1;
	CHECK_OK(nvfio_read(qp, ns, buf, 0, 1, cb, qp));
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		CHECK(nvfio_qpair_poll(qp, 0) >= 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while (cb_ret == 1 && b.tv_sec - a.tv_sec < 10);
	printf("%-58s %-6d %s\n", what, cb_ret, nvfio_last_error());
	CHECK(cb_ret == -EBUSY);
	rows++;
}

int main(void)
{
	struct t_done held[2] = {{0}};
	int fds, maps;

	/* Counted after one open and close, so that what the C library keeps (a thread stack
	 * cache) is there on both sides. */
	CHECK_OK(nvfio_ctrl_close(t_open("sim:size=1M", NULL)));
	fds = count_fds();
	maps = count_maps();
	ctrl = t_open("sim:size=1M", NULL);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	buf = t_alloc(ctrl, 65536);
	/* The model has fetched the event request the open left with it, so that its counts
	 * move only for what a row sends. */
	for (;;) {
		struct nvfio_sim_stats st;

		nvfio_sim_get_stats(nvfio_ctrl_sim(ctrl), &st);
		if (st.aer_outstanding)
			break;
		sched_yield();
	}

	controller_rows();
	io_rows();

	in_callback(free_in_cb, "qpair_free: from its own callback");
	in_callback(wait_in_cb, "qpair_wait: from its own callback");
	in_callback(close_in_cb, "ctrl_close: from a callback of its queue pair");
	in_callback(sync_in_cb, "read_sync: from a callback of the same pair");

	/* A full queue pair: -EAGAIN, nothing lost, and it takes commands again once polled. */
	{
		struct nvfio_qpair *q1;
		struct t_done x = {0};

		CHECK_OK(nvfio_qpair_alloc(ctrl, 2, 0, &q1));
		CHECK(nvfio_sim_fault_parse(nvfio_ctrl_sim(ctrl), "hold=io:0x02:2") >= 0);
		CHECK_OK(nvfio_read(q1, ns, buf, 0, 1, t_done_cb, &held[0]));
		CHECK_OK(nvfio_read(q1, ns, buf + 4096, 0, 1, t_done_cb, &held[1]));
		nvfio_qpair_kick(q1);
		for (;;) { /* both with the model, so that its count stands still */
			struct nvfio_sim_stats st;

			nvfio_sim_get_stats(nvfio_ctrl_sim(ctrl), &st);
			if (st.holding == 2)
				break;
			sched_yield();
		}
		ROW("read: queue pair full", nvfio_read(q1, ns, buf + 8192, 0, 1, t_done_cb, &x),
		    -EAGAIN);
		CHECK_OK(nvfio_qpair_free(q1));
		CHECK(held[0].done == 1 && held[1].done == 1 && x.done == 0);
		nvfio_sim_fault_clear(nvfio_ctrl_sim(ctrl));
	}

	/* An unplug without a plug changes nothing, and the pair still works. */
	nvfio_qpair_unplug(qp);
	CHECK_OK(nvfio_read_sync(qp, ns, buf, 0, 1, NULL));

	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	printf("descriptors %d -> %d, mappings %d -> %d\n", fds, count_fds(), maps, count_maps());
	CHECK(count_fds() == fds && count_maps() == maps);
	printf("%d rows, each its documented error, nothing sent to the device\n", rows);
	return T_EXIT_PASS;
}
