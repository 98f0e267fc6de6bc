/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device data nvfio must not trust, and inputs it must not take literally, on the model (its
 * idpatch= option returns Identify data as a broken device would):
 *  1. NN of 65536 with an active namespace list that never advances (every id 1): the open
 *     returns, quickly, with namespace 1.
 *  2. MDTS of 64 and of 52 (a limit past 64 bits) is not a shift past 64 bits nor "no limit";
 *     51 is 2^63 bytes.
 *  3. A namespace whose LBA format in use is past those it has, one with 16 MiB blocks and one
 *     with 2^40-byte blocks: each stays listed with the reason, takes no I/O (-ENOTSUP naming
 *     it), and the healthy namespace beside them works.
 *  4. An iovec whose lengths wrap past 2^64 is refused (-EINVAL), not transferred.
 *  5. Deadlines of 0 mean the defaults; nvfio_strerror(INT_MIN) is a string.
 *  6. An event pending at enable reaches the callback given at open; one reaped with no
 *     callback set is kept for the callback set later.
 */
#include <limits.h>
#include <sched.h>
#include <sys/uio.h>
#include <time.h>

#include <nvfio/sim.h>

#include "nvme/nvme_test.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void stuck_list(void)
{
	uint64_t t0 = now_ms();
	/* NN (Identify Controller bytes 516-519) 65536; every active list entry 1. */
	struct nvfio_ctrl *ctrl =
	    t_open("sim:size=4M,idpatch=1:any:516:00000100,idpatch=2:any:0:01000000:1024", NULL);

	printf("NN 65536, a list that never advances: open in %llu ms, nn %u\n",
	       (unsigned long long)(now_ms() - t0), nvfio_ctrl_get_info(ctrl)->nn);
	CHECK(nvfio_ctrl_get_info(ctrl)->nn == 65536);
	CHECK(nvfio_ctrl_ns(ctrl, 1) && !nvfio_ctrl_ns(ctrl, 2));
	CHECK(nvfio_ctrl_ns_next(ctrl, nvfio_ctrl_ns(ctrl, 1)) == NULL);
	CHECK_OK(nvfio_ctrl_rescan(ctrl));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

static void mdts(const char *hex, uint64_t want)
{
	char addr[64];
	struct nvfio_ctrl *ctrl;
	const struct nvfio_ctrl_info *ci;

	snprintf(addr, sizeof(addr), "sim:size=4M,idpatch=1:any:77:%s", hex);
	ctrl = t_open(addr, NULL);
	ci = nvfio_ctrl_get_info(ctrl);
	printf("MDTS 0x%s: mdts %#llx, %u bytes per command\n", hex, (unsigned long long)ci->mdts,
	       ci->max_xfer);
	CHECK(ci->mdts == want && ci->max_xfer == 2u << 20);
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

/* Namespace @bad_nsid of two is broken by @patch; the other works. */
static void bad_ns(const char *patch, const char *why)
{
	char addr[128];
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *bad, *good;
	struct nvfio_qpair *qp;
	void *buf;
	int ret;

	snprintf(addr, sizeof(addr), "sim:size=4M,namespaces=2,%s", patch);
	ctrl = t_open(addr, NULL);
	bad = nvfio_ctrl_ns(ctrl, 1);
	good = nvfio_ctrl_ns(ctrl, 2);
	CHECK(bad && good);
	printf("%s: namespace 1: \"%s\"\n", patch, nvfio_ns_get_info(bad)->unusable);
	CHECK(strstr(nvfio_ns_get_info(bad)->unusable, why));
	CHECK(nvfio_ns_get_info(bad)->block_size == 0);
	CHECK(!nvfio_ns_get_info(good)->unusable[0]);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 4, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	ret = nvfio_read_sync(qp, bad, buf, 0, 1, NULL);
	printf("  a read of it: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -ENOTSUP && strstr(nvfio_last_error(), why));
	CHECK(nvfio_flush_sync(qp, bad, NULL) == -ENOTSUP);
	t_fill(buf, 4096, 0, 3);
	CHECK_OK(nvfio_write_sync(qp, good, buf, 0, 4096 / nvfio_ns_get_info(good)->block_size,
				  NULL));
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

static void wrapping_iovec(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=4M", NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_qpair *qp;
	struct t_done d = {0};
	struct iovec iov[2];
	void *buf;
	int ret;

	CHECK_OK(nvfio_qpair_alloc(ctrl, 4, 0, &qp));
	buf = t_alloc(ctrl, 8192);
	iov[0] = (struct iovec){.iov_base = buf, .iov_len = 4096};
	iov[1] = (struct iovec){.iov_base = (char *)buf + 4096, .iov_len = SIZE_MAX - 4095};
	ret = nvfio_readv(qp, ns, iov, 2, 0, t_done_cb, &d);
	printf("iovec of 4096 + 2^64 - 4096 bytes: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -EINVAL && !d.done && nvfio_qpair_outstanding(qp) == 0);
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

static void zero_timeouts(void)
{
	struct nvfio_ctrl_opts o;
	struct nvfio_ctrl *ctrl;
	struct nvfio_qpair *qp;
	void *buf;

	nvfio_ctrl_opts_init(&o);
	o.admin_timeout_ms = 0;
	o.io_timeout_ms = 0;
	ctrl = t_open("sim:size=4M", &o);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 4, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	CHECK_OK(nvfio_read_sync(qp, nvfio_ctrl_ns_next(ctrl, NULL), buf, 0, 1, NULL));
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	printf("nvfio_strerror(INT_MIN): %s\n", nvfio_strerror(INT_MIN));
	CHECK(strcmp(nvfio_strerror(INT_MIN), "unknown error") == 0);
}

struct evs {
	int n;
	struct nvfio_event ev[4];
};

static void event_cb(void *arg, const struct nvfio_event *ev)
{
	struct evs *e = arg;

	if (e->n < 4)
		e->ev[e->n] = *ev;
	e->n++;
}

/* Poll the admin queue until an event reached @e, for at most 10 s. */
static void poll_events(struct nvfio_ctrl *ctrl, struct evs *e)
{
	uint64_t t0 = now_ms();

	while (!e->n && now_ms() - t0 < 10000) {
		CHECK(nvfio_ctrl_poll_admin(ctrl) >= 0);
		sched_yield();
	}
}

static void events(void)
{
	struct nvfio_ctrl_opts o;
	struct nvfio_sim_stats ss = {0};
	struct nvfio_ctrl *ctrl;
	struct evs e = {0};
	uint64_t t0;

	/* A SMART event (type 1, info 0, log page 2) pending at enable, a callback from the open. */
	nvfio_ctrl_opts_init(&o);
	o.event_cb = event_cb;
	o.event_arg = &e;
	ctrl = t_open("sim:size=4M,event=1:0:2", &o);
	poll_events(ctrl, &e);
	printf("event pending at enable, callback given at open: %d event(s), type %u\n", e.n,
	       e.ev[0].type);
	CHECK(e.n == 1 && e.ev[0].type == 1 && e.ev[0].log_page == 2);
	CHECK_OK(nvfio_ctrl_close(ctrl));

	/* No callback while it arrives: kept for the one set later. */
	memset(&e, 0, sizeof(e));
	ctrl = t_open("sim:size=4M,event=1:0:2", NULL);
	for (t0 = now_ms(); now_ms() - t0 < 10000; sched_yield()) {
		CHECK(nvfio_ctrl_poll_admin(ctrl) >= 0);
		nvfio_sim_get_stats(nvfio_ctrl_sim(ctrl), &ss);
		if (ss.events_completed)
			break;
	}
	CHECK(ss.events_completed == 1);
	CHECK(nvfio_ctrl_poll_admin(ctrl) >= 0); /* the reaped event handled */
	nvfio_ctrl_set_event_cb(ctrl, event_cb, &e);
	poll_events(ctrl, &e);
	printf("event reaped with no callback, callback set later: %d event(s)\n", e.n);
	CHECK(e.n == 1 && e.ev[0].type == 1);
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

int main(void)
{
	stuck_list();
	mdts("40", UINT64_MAX);
	mdts("34", UINT64_MAX);
	mdts("33", 1ull << 63);
	/* FLBAS (byte 26) 15, past the 6 formats; LBA format 0's LBADS (byte 130) 24 and 40. */
	bad_ns("idpatch=0:1:26:0f", "past the");
	bad_ns("idpatch=0:1:130:18", "of 16777216 bytes is above the 524288 a command may carry");
	bad_ns("idpatch=0:1:130:28", "2^40 bytes");
	wrapping_iovec();
	zero_timeouts();
	events();
	return T_EXIT_PASS;
}
