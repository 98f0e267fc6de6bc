/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Errors reach the right place: a read past the end is refused before the controller sees it; a
 * raw command for a namespace that does not exist gets Invalid Namespace (0x0b) from the
 * controller in its callback. On the simulated controller also (fault injection): an injected
 * status reaches the callback and the synchronous helpers; a command the controller never
 * completes times out; Controller Fatal Status and surprise removal are reported, never waited
 * on, and the controller still closes; an asynchronous event reaches the event callback.
 * Argument: the controller address (default: the simulated controller; the fault-injection part
 * runs on it only).
 */
#include <stdlib.h>
#include <unistd.h>

#include <nvfio/sim.h>

#include "nvme/nvme_test.h"

struct events {
	int n;
	struct nvfio_event last;
};

static void event_cb(void *arg, const struct nvfio_event *ev)
{
	struct events *e = arg;

	e->n++;
	e->last = *ev;
}

static void generic(const char *addr)
{
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_sim *sim = nvfio_ctrl_sim(ctrl);
	struct nvfio_sim_stats before, after;
	struct nvfio_cmd cmd = {0};
	struct nvfio_qpair *qp;
	struct nvfio_cqe cqe;
	struct t_done d = {0};
	uint8_t *buf = t_alloc(ctrl, 8192);

	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));

	/* Past the end: refused, and the controller never saw a command. */
	if (sim)
		nvfio_sim_get_stats(sim, &before);
	CHECK_ERR(nvfio_read(qp, ns, buf, nvfio_ns_get_info(ns)->nblocks, 1, t_done_cb, &d),
		  -ERANGE);
	CHECK(nvfio_qpair_poll(qp, 0) == 0 && d.done == 0);
	if (sim) {
		nvfio_sim_get_stats(sim, &after);
		CHECK(after.io_commands == before.io_commands);
	}
	printf("past the end, refused: %s\n", nvfio_last_error());

	/* A raw read of a namespace that does not exist: the controller's status, in the
	 * callback, with the error kept apart. */
	cmd.opcode = 0x02;
	cmd.nsid = nvfio_ctrl_get_info(ctrl)->nn + 1;
	CHECK_OK(nvfio_io_raw(qp, &cmd, buf, 512, t_done_cb, &d));
	t_wait(qp, &d);
	printf("raw read of nsid %u: err %d, %s\n", cmd.nsid, d.err, nvfio_status_str(d.status));
	CHECK(d.err == 0 && nvfio_status_sct(d.status) == 0 && nvfio_status_sc(d.status) == 0x0b);
	CHECK_ERR(nvfio_io_raw_sync(qp, &cmd, buf, 512, &cqe), -NVFIO_ENVME);
	CHECK(nvfio_status_sc(nvfio_cqe_status(&cqe)) == 0x0b);
	CHECK(strstr(nvfio_last_error(), "Invalid Namespace"));

	/* The same through the admin queue. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = 0x06;
	cmd.nsid = 0xfffffff0;
	CHECK_ERR(nvfio_admin_raw(ctrl, &cmd, buf, 4096, &cqe, 0), -NVFIO_ENVME);
	printf("identify of nsid 0x%x: %s\n", cmd.nsid, nvfio_last_error());

	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

static void injected_status(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=64M", NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_sim *sim = nvfio_ctrl_sim(ctrl);
	struct nvfio_qpair *qp;
	struct t_done d = {0};
	uint8_t *buf = t_alloc(ctrl, 4096);
	uint16_t status = 0;
	int id;

	CHECK(sim);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	/* Unrecovered Read Error on the next read. */
	id = nvfio_sim_fault_parse(sim, "fail=io:0x02:2:0x81:1");
	CHECK(id >= 0);
	CHECK_OK(nvfio_read(qp, ns, buf, 0, 1, t_done_cb, &d));
	t_wait(qp, &d);
	CHECK(d.err == 0 && nvfio_status_sct(d.status) == 2 && nvfio_status_sc(d.status) == 0x81);
	CHECK(nvfio_sim_fault_hits(sim, id) == 1);
	printf("injected: %s\n", nvfio_status_str(d.status));
	/* And through a synchronous helper: the error and the status, both. */
	id = nvfio_sim_fault_parse(sim, "fail=io:0x01:0:0x06:1");
	CHECK_ERR(nvfio_write_sync(qp, ns, buf, 0, 1, &status), -NVFIO_ENVME);
	CHECK(nvfio_status_sc(status) == 0x06);
	printf("sync: %s\n", nvfio_last_error());
	CHECK_OK(nvfio_read_sync(qp, ns, buf, 0, 1, NULL));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

static void timeout(void)
{
	struct nvfio_ctrl_opts opts;
	struct t_done held = {0};
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	struct nvfio_sim *sim;
	struct nvfio_sim_stats st;
	struct nvfio_qpair *qp;
	uint8_t *buf;

	nvfio_ctrl_opts_init(&opts);
	opts.io_timeout_ms = 200;
	opts.admin_timeout_ms = 200;
	ctrl = t_open("sim:size=64M", &opts);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	sim = nvfio_ctrl_sim(ctrl);
	buf = t_alloc(ctrl, 4096);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	/* A synchronous read the controller holds: aborted at its deadline (io_timeout_ms), and
	 * the helper says so; nothing stays outstanding. */
	CHECK(nvfio_sim_fault_parse(sim, "hold=io:0x02:1") >= 0);
	{
		uint16_t status = 0;

		CHECK_ERR(nvfio_read_sync(qp, ns, buf, 0, 1, &status), -NVFIO_ENVME);
		printf("held read: %s\n", nvfio_last_error());
		CHECK((status & 0x7ff) == 0x07); /* Command Abort Requested */
		CHECK(nvfio_qpair_outstanding(qp) == 0);
		nvfio_sim_get_stats(sim, &st);
		CHECK(st.aborted == 1);
	}
	/* The queue pair still works, and freeing it (deleting the SQ) ends a held one. */
	CHECK(nvfio_sim_fault_parse(sim, "hold=io:0x02:1") >= 0);
	CHECK_OK(nvfio_read(qp, ns, buf, 0, 1, t_done_cb, &held));
	nvfio_qpair_kick(qp);
	CHECK_OK(nvfio_read_sync(qp, ns, buf, 1, 1, NULL));
	CHECK(nvfio_sim_fault_parse(sim, "hold=admin:0x06:1") >= 0);
	CHECK_ERR(nvfio_identify(ctrl, 1, 0, buf), -NVFIO_ETIMEDOUT);
	printf("held admin command: %s\n", nvfio_last_error());
	CHECK_OK(nvfio_qpair_free(qp));
	nvfio_sim_get_stats(sim, &st);
	CHECK(st.held == 3 && st.sq_deleted == 1 && held.done == 1);
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

/*
 * Admin commands past their deadline, more of them than the admin queue holds (31) and than it
 * has PRP lists (2): each is aborted (the model holds them) and its slot and list reclaimed;
 * one the controller only delays (Abort finds nothing) gets the controller reset. Either way the
 * caller hears -NVFIO_ETIMEDOUT at once and the next admin command works.
 */
static void admin_timeouts(void)
{
	struct nvfio_ctrl_opts opts;
	struct nvfio_ctrl *ctrl;
	struct nvfio_sim *sim;
	struct nvfio_sim_stats st;
	uint8_t *log = malloc(16384);
	uint32_t v;
	int i;

	nvfio_ctrl_opts_init(&opts);
	opts.admin_timeout_ms = 20;
	ctrl = t_open("sim:size=16M", &opts);
	sim = nvfio_ctrl_sim(ctrl);
	CHECK(log && nvfio_ctrl_get_info(ctrl)->max_xfer >= 16384);
	CHECK(nvfio_sim_fault_parse(sim, "hold=admin:0x02") >= 0);
	for (i = 0; i < 40; i++)
		CHECK_ERR(nvfio_get_log_page(ctrl, 2, 0xffffffff, 0, log, 16384), -NVFIO_ETIMEDOUT);
	printf("40 held admin commands: %s\n", nvfio_last_error());
	CHECK(strstr(nvfio_last_error(), "was aborted"));
	nvfio_sim_get_stats(sim, &st);
	CHECK(st.aborted == 40 && st.holding == 0);
	CHECK_OK(nvfio_identify(ctrl, 1, 0, log));

	nvfio_sim_fault_clear(sim);
	CHECK(nvfio_sim_fault_parse(sim, "delay=admin:0x0a:2000000") >= 0);
	for (i = 0; i < 40; i++)
		CHECK_ERR(nvfio_get_features(ctrl, 0x04, 0, 0, NULL, 0, &v), -NVFIO_ETIMEDOUT);
	printf("40 late admin commands: %s\n", nvfio_last_error());
	CHECK(strstr(nvfio_last_error(), "would not abort it"));
	nvfio_sim_get_stats(sim, &st);
	printf("  the model saw %llu resets\n", (unsigned long long)st.resets);
	CHECK(st.resets >= 40);
	nvfio_sim_fault_clear(sim);
	CHECK_OK(nvfio_get_features(ctrl, 0x04, 0, 0, NULL, 0, &v));
	free(log);
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

/*
 * The controller fails (fatal status or removal) with a command outstanding: completed with the
 * failure, once. Noticed by nvfio_qpair_wait(), or with @polled by a thread that only polls: by
 * the poll itself (within the poll's status check interval), or at the next poll when another
 * path found it first.
 */
static void failure(int removal, bool polled)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=64M", NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_sim *sim = nvfio_ctrl_sim(ctrl);
	int want = removal ? -NVFIO_EREMOVED : -NVFIO_EFATAL;
	const char *what = removal ? "removal" : "fatal status";
	struct nvfio_qpair *qp;
	struct t_done d = {0};
	uint8_t *buf = t_alloc(ctrl, 4096);
	long polls = 0;
	int r;

	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	CHECK_OK(nvfio_read_sync(qp, ns, buf, 0, 1, NULL));
	CHECK(nvfio_sim_fault_parse(sim, "hold=io:0x02:1") >= 0);
	CHECK_OK(nvfio_read(qp, ns, buf, 0, 1, t_done_cb, &d));
	nvfio_qpair_kick(qp);
	if (polled) {
		/* Held by the controller: polls find nothing, and say nothing is wrong. */
		for (int i = 0; i < 5000; i++)
			CHECK(nvfio_qpair_poll(qp, 0) == 0);
		CHECK(d.done == 0);
	}
	if (removal)
		nvfio_sim_remove(sim);
	else
		nvfio_sim_fatal(sim);
	if (polled && removal) {
		/* Known by another path first: the very next poll acts on it. */
		CHECK_ERR(nvfio_ctrl_check(ctrl), want);
		CHECK(d.done == 0);
		CHECK_ERR(nvfio_qpair_poll(qp, 0), want);
		printf("%s known before the poll: %s\n", what, nvfio_last_error());
	} else if (polled) {
		while ((r = nvfio_qpair_poll(qp, 0)) == 0 && polls < 2000000000L)
			polls++;
		CHECK_ERR(r, want);
		printf("%s noticed by polling after %ld empty polls: %s\n", what, polls,
		       nvfio_last_error());
	} else {
		CHECK_ERR(nvfio_qpair_wait(qp, 0, 5000), want);
		printf("%s: %s\n", what, nvfio_last_error());
	}
	CHECK(d.done == 1 && d.err == want && d.status == (NVFIO_STATUS_HOST_ABORTED));
	CHECK_ERR(nvfio_ctrl_check(ctrl), want);
	if (polled) {
		/* Still failed, with nothing left to complete: every poll says so. */
		CHECK_ERR(nvfio_qpair_poll(qp, 0), want);
		CHECK_ERR(nvfio_qpair_poll(qp, 0), want);
	}
	/* New work is refused at once, admin and I/O. */
	CHECK_ERR(nvfio_read(qp, ns, buf, 0, 1, t_done_cb, &d), want);
	CHECK_ERR(nvfio_identify(ctrl, 1, 0, buf), want);
	CHECK(d.done == 1);
	/* Closing does not wait on it. */
	CHECK_ERR(nvfio_ctrl_close(ctrl), want);
}

/* A bring-up command that never completes fails the open with a timeout that names it, and
 * the open leaves nothing behind (LeakSanitizer builds check that). */
static void open_timeout(void)
{
	struct nvfio_ctrl_opts opts;
	struct nvfio_ctrl *ctrl = NULL;

	nvfio_ctrl_opts_init(&opts);
	opts.admin_timeout_ms = 100;
	/* Doorbell Buffer Config (0x7c), then Identify (0x06). */
	CHECK_ERR(nvfio_ctrl_open("sim:size=16M,hold=admin:0x7c", &opts, &ctrl), -NVFIO_ETIMEDOUT);
	CHECK(!ctrl && strstr(nvfio_last_error(), "Doorbell Buffer Config"));
	printf("open: %s\n", nvfio_last_error());
	CHECK_ERR(nvfio_ctrl_open("sim:size=16M,hold=admin:0x06", &opts, &ctrl), -NVFIO_ETIMEDOUT);
	CHECK(!ctrl && strstr(nvfio_last_error(), "Identify"));
}

static void events(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=64M,namespaces=2", NULL);
	struct nvfio_sim *sim = nvfio_ctrl_sim(ctrl);
	struct events e = {0};
	int i;

	nvfio_ctrl_set_event_cb(ctrl, event_cb, &e);
	/* Namespace Attribute Changed: nvfio reads the changed list and rescans. */
	CHECK_OK(nvfio_sim_post_event(sim, 2, 0, 4, 2));
	for (i = 0; i < 1000 && !e.n; i++) {
		CHECK(nvfio_ctrl_poll_admin(ctrl) >= 0);
		usleep(1000);
	}
	CHECK(e.n == 1);
	printf("event: type %u info %u log 0x%02x\n", e.last.type, e.last.info, e.last.log_page);
	CHECK(e.last.type == 2 && e.last.info == 0 && e.last.log_page == 4);
	/* The request is outstanding again: a second event arrives too. */
	CHECK_OK(nvfio_sim_post_event(sim, 1, 1, 2, 0));
	for (i = 0; i < 1000 && e.n < 2; i++) {
		CHECK(nvfio_ctrl_poll_admin(ctrl) >= 0);
		usleep(1000);
	}
	CHECK(e.n == 2 && e.last.type == 1 && e.last.log_page == 2);
	/* An event reaped by the admin commands of a rescan waits for the next poll. */
	CHECK_OK(nvfio_sim_post_event(sim, 2, 0, 4, 1));
	usleep(2000);
	CHECK_OK(nvfio_ctrl_rescan(ctrl));
	for (i = 0; i < 1000 && e.n < 3; i++) {
		CHECK(nvfio_ctrl_poll_admin(ctrl) >= 0);
		usleep(1000);
	}
	CHECK(e.n == 3 && e.last.type == 2);
	CHECK(nvfio_ctrl_ns(ctrl, 2));
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

int main(int argc, char **argv)
{
	generic(argc > 1 ? argv[1] : "sim:size=64M");
	if (argc > 1)
		return T_EXIT_PASS;
	injected_status();
	timeout();
	failure(0, false);
	failure(1, false);
	failure(0, true);
	failure(1, true);
	admin_timeouts();
	open_timeout();
	events();
	return T_EXIT_PASS;
}
