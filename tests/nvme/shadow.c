/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shadow doorbells (Doorbell Buffer Config) on and off: the same verified random I/O at queue
 * depth 16 either way; with them on, the doorbell registers are written only when the
 * controller's event indexes ask for it. Argument: the controller address (default: the
 * simulated controller).
 */
#include "nvme/nvme_test.h"

#define QD  16
#define IOS 4000

struct run {
	struct nvfio_qpair *qp;
	struct nvfio_ns *ns;
	uint8_t *wbuf, *rbuf;
	uint32_t nlb, bs;
	uint64_t rng;
	unsigned int left, done, bad;
};

struct slot {
	struct run *r;
	unsigned int i;
	uint64_t lba;
	int phase; /* 0 write, 1 read back */
};

static void submit(struct slot *s);

static void done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct slot *s = arg;
	struct run *r = s->r;
	size_t len = (size_t)r->nlb * r->bs;

	if (err || nvfio_cqe_status(cqe)) {
		r->bad++;
	} else if (s->phase == 0) {
		s->phase = 1;
		submit(s);
		return;
	} else if (memcmp(r->rbuf + s->i * len, r->wbuf + s->i * len, len)) {
		r->bad++;
	}
	r->done++;
	if (r->left) {
		r->left--;
		s->phase = 0;
		submit(s);
	}
}

static void submit(struct slot *s)
{
	struct run *r = s->r;
	size_t len = (size_t)r->nlb * r->bs;
	int ret;

	if (s->phase == 0) {
		/* Slots own disjoint stripes, so concurrent commands never overlap. */
		r->rng = r->rng * 6364136223846793005ull + 1442695040888963407ull;
		s->lba = ((r->rng >> 33) % 1024 * QD + s->i) * r->nlb;
		t_fill(r->wbuf + s->i * len, len, s->lba, (uint32_t)r->rng);
		ret = nvfio_write(r->qp, r->ns, r->wbuf + s->i * len, s->lba, r->nlb, done, s);
	} else {
		memset(r->rbuf + s->i * len, 0, len);
		ret = nvfio_read(r->qp, r->ns, r->rbuf + s->i * len, s->lba, r->nlb, done, s);
	}
	if (ret) {
		fprintf(stderr, "submit: %s\n", nvfio_last_error());
		r->bad++;
		r->done++;
	}
}

static void run(const char *addr, bool shadow)
{
	struct nvfio_ctrl_opts opts;
	struct nvfio_qpair_stats st;
	struct nvfio_ctrl *ctrl;
	struct slot slots[QD];
	struct run r = {0};
	unsigned int i;

	nvfio_ctrl_opts_init(&opts);
	opts.shadow_doorbells = shadow;
	ctrl = t_open(addr, &opts);
	if (shadow && !(nvfio_ctrl_get_info(ctrl)->oacs & 0x100))
		SKIP("controller has no Doorbell Buffer Config");
	CHECK(nvfio_ctrl_get_info(ctrl)->shadow_doorbells == shadow);
	r.ns = nvfio_ctrl_ns_next(ctrl, NULL);
	r.bs = nvfio_ns_get_info(r.ns)->block_size;
	r.nlb = 4096 / r.bs;
	r.rng = 42;
	CHECK((uint64_t)1024 * QD * r.nlb <= nvfio_ns_get_info(r.ns)->nblocks);
	r.wbuf = t_alloc(ctrl, QD * 4096);
	r.rbuf = t_alloc(ctrl, QD * 4096);
	CHECK_OK(nvfio_qpair_alloc(ctrl, QD, 0, &r.qp));
	r.left = IOS - QD;
	for (i = 0; i < QD; i++) {
		slots[i] = (struct slot){.r = &r, .i = i};
		submit(&slots[i]);
	}
	while (r.done < IOS)
		CHECK(nvfio_qpair_wait(r.qp, 0, 10000) > 0);
	nvfio_qpair_get_stats(r.qp, &st);
	printf("shadow doorbells %s: %u write+read pairs verified, %u bad; %llu commands, %llu "
	       "polls, %llu SQ and %llu CQ doorbell register writes\n",
	       shadow ? "on" : "off", IOS, r.bad, (unsigned long long)st.submitted,
	       (unsigned long long)st.polls, (unsigned long long)st.sq_doorbells,
	       (unsigned long long)st.cq_doorbells);
	CHECK(r.bad == 0);
	CHECK(st.submitted == 2 * IOS);
	CHECK(st.sq_doorbells > 0);
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "sim:size=256M";

	run(addr, false);
	run(addr, true);
	return T_EXIT_PASS;
}
