/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed commands from a buggy host, by the tens of thousands: random commands whose every
 * field is drawn from what a broken driver gets wrong (opcodes of the other queue or of none,
 * namespaces that do not exist, LBA ranges past the end or wrapping, PRPs and PRP list entries
 * outside the window, in a hole, unaligned or zero, SGL descriptors of every type with random
 * lengths and segments, fused bits, metadata pointers, queue ids in use or out of range), on the
 * admin queue and an I/O queue, with doorbells beyond the rings and of absent queues between
 * batches. Checked: every command completes exactly once, on its own queue, with an SQ head
 * inside the ring; the controller never reports a fatal status; afterwards it still enables and
 * serves I/O. The sanitizer builds run this too, so an access outside what the model owns fails
 * the test there.
 *
 * Sanitize is drawn rarely and runs for 2 ms: while one runs the model refuses nearly everything.
 * Left out of the draw: Asynchronous Event Request and Doorbell Buffer Config (they change how
 * the host must drive the queues, not what the model must survive) and deleting the I/O queue
 * pair the test itself uses. NVFIO_TEST_SEED and NVFIO_MALFORMED_CMDS change the seed and the
 * number of commands per controller.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "tests/sim/host.h"

#define QD	   64 /* entries of each queue the test drives */
#define BATCH	   16 /* commands per doorbell on each queue */
#define SCRATCH	   (4u << 20)
#define DESC_AREA  (8u * 4096) /* PRP lists, SGL segments, DSM ranges: refilled every batch */
#define WINDOW_MB  8
#define CSTS_CFS   0x2u
#define IOQ	   1
#define ABSENT_QID 9 /* beyond queues=4 */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(next(r) % n);
}

struct storm {
	struct host h;
	struct rng r;
	uint8_t *scratch;
	uint64_t scratch_iova, window_end;
	/* Outstanding command ids on each queue (admin: index 0). */
	uint8_t pending[2][65536];
	unsigned int npending[2];
	uint32_t bs; /* namespace 1's block size */
	uint64_t sent, completed, ok, dbs;
	uint32_t statuses[2][0x8000]; /* how often each status came back, on each queue */
};

/* An address a broken driver might put in a data pointer, a PRP entry or a descriptor. */
static uint64_t bad_ptr(struct storm *s)
{
	uint64_t in = s->scratch_iova + below(&s->r, SCRATCH - 4096);

	switch (below(&s->r, 12)) {
	case 0:
	case 1:
	case 2:
		return in & ~3ull; /* dword-aligned, anywhere in the scratch memory */
	case 3:
	case 4:
		return in & ~4095ull;
	case 5:
		return s->scratch_iova + (below(&s->r, DESC_AREA) & ~15u); /* the descriptor area */
	case 6:
		return s->window_end - 4096 + (below(&s->r, 8192) & ~3u); /* across the end */
	case 7:
		return H_IOVA_BASE + s->h.hole_start + (below(&s->r, 8192) & ~3u); /* the hole */
	case 8:
		return below(&s->r, 2) ? 0 : in | (1 + below(&s->r, 3)); /* zero, unaligned */
	case 9:
		return below(&s->r, 1u << 31); /* below the window */
	case 10:
		return UINT64_MAX - below(&s->r, 65536); /* wrapping */
	default:
		return next(&s->r);
	}
}

/* PRP list entries, SGL descriptors (biased to the types that exist) and DSM ranges: random
 * contents where the pointers above may lead. */
static void refill_descriptors(struct storm *s)
{
	uint64_t *q = (uint64_t *)(s->scratch + below(&s->r, DESC_AREA / 4096) * 4096);

	for (unsigned int i = 0; i < 4096 / 16; i++) {
		switch (below(&s->r, 4)) {
		case 0: /* PRP entries */
			q[2 * i] = bad_ptr(s);
			q[2 * i + 1] = bad_ptr(s);
			break;
		case 1:
		case 2: { /* an SGL descriptor: data block, bit bucket, segment, last segment */
			uint32_t len = below(&s->r, 3)
					   ? below(&s->r, 3) * 4096 + below(&s->r, 2) * 16
					   : (uint32_t)next(&s->r);

			q[2 * i] = bad_ptr(s);
			q[2 * i + 1] = len | (uint64_t)(below(&s->r, 5) << 4 | below(&s->r, 3))
						 << 56;
			break;
		}
		default:
			q[2 * i] = next(&s->r);
			q[2 * i + 1] = next(&s->r);
		}
	}
}

static uint64_t bad_lba(struct storm *s)
{
	switch (below(&s->r, 5)) {
	case 0:
		return below(&s->r, 64);
	case 1:
		return (16ull << 20) / 512 - below(&s->r, 64); /* at the end of a namespace */
	case 2:
		return UINT64_MAX - below(&s->r, 64);
	case 3:
		return below(&s->r, 1u << 20);
	default:
		return next(&s->r);
	}
}

static uint32_t bad_nsid(struct storm *s)
{
	static const uint32_t pick[] = {1, 1, 1, 2, 0, 0xffffffffu, 3, 0xfffffffeu};

	return below(&s->r, 8) ? pick[below(&s->r, 8)] : (uint32_t)next(&s->r);
}

/* The data pointer: PRP1/PRP2 or an SGL descriptor, as PSDT (drawn) says. */
static void data_ptr(struct storm *s, struct h_sqe *c)
{
	c->flags = (uint8_t)(below(&s->r, 3) ? 0 : below(&s->r, 4) << 6);
	if (!below(&s->r, 10))
		c->flags |= (uint8_t)(1 + below(&s->r, 3)); /* fused */
	c->prp1 = bad_ptr(s);
	c->prp2 = bad_ptr(s);
	if ((c->flags >> 6) == 1 && below(&s->r, 2)) {
		/* An SGL descriptor in the command itself. */
		uint32_t len =
		    below(&s->r, 2) ? (1 + below(&s->r, 16)) * 512 : (uint32_t)next(&s->r);

		c->prp2 = len | (uint64_t)(below(&s->r, 5) << 4 | below(&s->r, 3)) << 56;
	}
	c->mptr = below(&s->r, 2) ? bad_ptr(s) : 0;
}

/* A read, write, compare or write zeroes that would succeed (namespace 1, in range, PRPs to the
 * scratch memory away from the hole), then, most of the time, one field of it broken: the
 * paths behind the first checks are reached too. */
static void near_valid_io(struct storm *s, struct h_sqe *c)
{
	static const uint8_t opc[] = {0x01, 0x02, 0x05, 0x08};
	uint32_t nlb = 1 + below(&s->r, 8);
	uint8_t *buf = s->scratch + DESC_AREA + below(&s->r, 64) * 4096 + (below(&s->r, 128) & ~3u);
	uint64_t *list = (uint64_t *)(s->scratch + DESC_AREA + 64 * 4096);
	uint64_t iova = h_iova(&s->h, buf), first = 4096 - (iova & 4095), len = nlb * s->bs;

	memset(c, 0, sizeof(*c));
	c->opc = opc[below(&s->r, sizeof(opc))];
	c->nsid = 1;
	c->cdw10 = below(&s->r, 1024);
	c->cdw12 = nlb - 1;
	c->prp1 = iova;
	if (len > first + 4096) {
		c->prp2 = h_iova(&s->h, list);
		for (unsigned int i = 0; i < 9; i++)
			list[i] = (iova & ~4095ull) + 4096 * (i + 1);
	} else if (len > first) {
		c->prp2 = (iova & ~4095ull) + 4096;
	}
	switch (below(&s->r, 8)) {
	case 0:
		c->prp1 = bad_ptr(s);
		break;
	case 1:
		c->prp2 = bad_ptr(s);
		break;
	case 2:
		list[below(&s->r, 9)] = bad_ptr(s);
		break;
	case 3:
		c->cdw10 = (uint32_t)bad_lba(s);
		c->cdw11 = (uint32_t)(bad_lba(s) >> 32);
		break;
	case 4:
		c->cdw12 = (uint32_t)next(&s->r);
		break;
	case 5:
		c->nsid = bad_nsid(s);
		break;
	case 6:
		c->flags = (uint8_t)next(&s->r);
		break;
	default: /* left whole */
		break;
	}
}

static void io_cmd(struct storm *s, struct h_sqe *c)
{
	if (below(&s->r, 2)) {
		near_valid_io(s, c);
		return;
	}

	static const uint8_t opc[] = {0x00, 0x01, 0x02, 0x02, 0x01, 0x04, 0x05, 0x08,
				      0x09, 0x0c, 0x0d, 0x0e, 0x11, 0x15, 0x19, 0x06};
	uint64_t slba = bad_lba(s);

	memset(c, 0, sizeof(*c));
	c->opc = below(&s->r, 5) ? opc[below(&s->r, sizeof(opc))] : (uint8_t)next(&s->r);
	c->nsid = bad_nsid(s);
	data_ptr(s, c);
	c->cdw10 = (uint32_t)slba;
	c->cdw11 = (uint32_t)(slba >> 32);
	c->cdw12 = below(&s->r, 4) ? below(&s->r, 80) : (uint32_t)next(&s->r);
	if (c->opc == 0x09) { /* Dataset Management: NR and attributes */
		c->cdw10 = below(&s->r, 2) ? below(&s->r, 4) : below(&s->r, 256);
		c->cdw11 = below(&s->r, 8);
	}
	if (!below(&s->r, 4)) {
		c->cdw13 = (uint32_t)next(&s->r);
		c->cdw14 = (uint32_t)next(&s->r);
		c->cdw15 = (uint32_t)next(&s->r);
	}
}

static void admin_cmd(struct storm *s, struct h_sqe *c)
{
	static const uint8_t opc[] = {0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x06, 0x08, 0x09, 0x0a,
				      0x0d, 0x10, 0x11, 0x14, 0x15, 0x18, 0x80, 0x84, 0x02, 0x06};

	memset(c, 0, sizeof(*c));
	do
		c->opc = below(&s->r, 6) ? opc[below(&s->r, sizeof(opc))] : (uint8_t)next(&s->r);
	while (c->opc == 0x0c || c->opc == 0x7c || (c->opc == 0x84 && below(&s->r, 256)));
	c->nsid = bad_nsid(s);
	data_ptr(s, c);
	switch (below(&s->r, 3)) {
	case 0:
		c->cdw10 = below(&s->r, 256) | below(&s->r, 4) << 8 | below(&s->r, 1024) << 16;
		break;
	case 1:
		c->cdw10 = below(&s->r, 16) | below(&s->r, 65536) << 16;
		break;
	default:
		c->cdw10 = (uint32_t)next(&s->r);
	}
	c->cdw11 = below(&s->r, 2) ? below(&s->r, 1u << 17) : (uint32_t)next(&s->r);
	c->cdw12 = below(&s->r, 2) ? below(&s->r, 8192) : (uint32_t)next(&s->r);
	c->cdw13 = below(&s->r, 2) ? 0 : (uint32_t)next(&s->r);
	c->cdw14 = below(&s->r, 2) ? 0 : (uint32_t)next(&s->r);
	c->cdw15 = below(&s->r, 2) ? 0 : (uint32_t)next(&s->r);
	/* Namespace 1 stays, for the commands that would succeed; so does the test's own I/O
	 * queue pair. */
	if ((c->opc == 0x0d || c->opc == 0x15) && (c->nsid == 1 || c->nsid == 0xffffffffu))
		c->nsid = 2;
	if ((c->opc == 0x00 || c->opc == 0x04) && (c->cdw10 & 0xffff) == IOQ)
		c->cdw10 = (c->cdw10 & ~0xffffu) | (2 + below(&s->r, 8));
}

static void send(struct storm *s, unsigned int q, struct h_sqe *c)
{
	struct h_queue *sq = q ? &s->h.sq[IOQ] : &s->h.asq;
	uint16_t cid = h_submit(&s->h, sq, c, false);

	/* h_submit numbers commands from one counter: a cid comes back only after 65536 more. */
	CHECK(!s->pending[q][cid]);
	s->pending[q][cid] = 1;
	s->npending[q]++;
	s->sent++;
}

static void reap(struct storm *s, unsigned int q)
{
	struct h_queue *cq = q ? &s->h.cq[IOQ] : &s->h.acq;
	struct h_cqe cqe;

	while (s->npending[q]) {
		if (!h_reap(&s->h, cq, &cqe, H_WAIT_MS)) {
			fprintf(stderr, "%u commands on queue %u never completed (CSTS 0x%x)\n",
				s->npending[q], q ? IOQ : 0, h_reg32(&s->h, 0x1c));
			CHECK(0);
		}
		if (!s->pending[q][cqe.cid]) {
			fprintf(stderr, "a completion for cid %u not outstanding on queue %u\n",
				cqe.cid, q ? IOQ : 0);
			CHECK(0);
		}
		CHECK(cqe.sqid == (q ? IOQ : 0));
		CHECK(cqe.sqhd < QD);
		s->pending[q][cqe.cid] = 0;
		s->npending[q]--;
		s->completed++;
		s->ok += (cqe.status >> 1) == 0;
		s->statuses[q][cqe.status >> 1]++;
	}
}

/* Doorbells a broken driver writes: an SQ tail or a CQ head beyond the ring, the doorbells of a
 * queue that does not exist. Each is put right (or left, for the absent queue) before the next
 * batch; the model ignores the values and reports them as events nobody asked for here. */
static void bad_doorbell(struct storm *s)
{
	struct host *h = &s->h;
	uint32_t sq_db = 0x1000 + 8 * IOQ, cq_db = sq_db + 4;

	switch (below(&s->r, 4)) {
	case 0:
		h_wreg32(h, sq_db, QD + below(&s->r, 65536 - QD));
		h_settle(h);
		h_wreg32(h, sq_db, h->sq[IOQ].tail);
		break;
	case 1:
		h_wreg32(h, 0x1000, QD + below(&s->r, 4096));
		h_settle(h);
		h_wreg32(h, 0x1000, h->asq.tail);
		break;
	case 2:
		h_wreg32(h, cq_db, QD + below(&s->r, 65536 - QD));
		h_settle(h);
		h_wreg32(h, cq_db, h->cq[IOQ].head);
		break;
	default:
		h_wreg32(h, 0x1000 + 8 * ABSENT_QID + 4 * below(&s->r, 2), (uint32_t)next(&s->r));
		h_settle(h);
	}
	s->dbs++;
}

/* The statuses seen most on each queue, for someone tuning the draw. */
static void print_statuses(const struct storm *s)
{
	for (unsigned int q = 0; q < 2; q++) {
		uint32_t seen[0x8000];

		memcpy(seen, s->statuses[q], sizeof(seen));
		printf("  %s queue, most frequent statuses:", q ? "I/O" : "admin");
		for (unsigned int n = 0; n < 8; n++) {
			unsigned int best = 0;

			for (unsigned int i = 1; i < 0x8000; i++)
				if (seen[i] > seen[best])
					best = i;
			if (!seen[best])
				break;
			printf(" %03x:%u", best & 0x7ff, seen[best]);
			seen[best] = 0;
		}
		printf("\n");
	}
}

static void run(const char *opts, uint32_t bs, uint64_t seed, unsigned int cmds)
{
	struct storm *s = calloc(1, sizeof(*s));
	struct nvfio_sim_stats st;
	uint8_t *buf;

	CHECK(s);
	s->r.s = seed | 1;
	s->bs = bs;
	CHECK_OK(h_open(&s->h, opts, WINDOW_MB));
	CHECK(h_enable(&s->h, QD) == 0);
	CHECK(h_create_ioq(&s->h, IOQ, QD) == 0);
	s->scratch = h_alloc(&s->h, SCRATCH, 4096);
	s->scratch_iova = h_iova(&s->h, s->scratch);
	s->window_end = H_IOVA_BASE + s->h.mem_len;
	/* A hole of two pages in the middle of the scratch memory. */
	s->h.hole_start = (uint64_t)(s->scratch - s->h.mem) + SCRATCH / 2;
	s->h.hole_end = s->h.hole_start + 8192;

	while (s->sent < cmds) {
		struct h_sqe c;
		unsigned int na = 1 + below(&s->r, 4), ni = 1 + below(&s->r, BATCH);

		refill_descriptors(s);
		for (unsigned int i = 0; i < na; i++) {
			admin_cmd(s, &c);
			send(s, 0, &c);
		}
		for (unsigned int i = 0; i < ni; i++) {
			io_cmd(s, &c);
			send(s, 1, &c);
		}
		h_ring(&s->h, &s->h.asq);
		h_ring(&s->h, &s->h.sq[IOQ]);
		reap(s, 0);
		reap(s, 1);
		CHECK(!(h_reg32(&s->h, 0x1c) & CSTS_CFS));
		if (!below(&s->r, 64))
			bad_doorbell(s);
	}
	nvfio_sim_get_stats(s->h.sim, &st);
	CHECK(st.holding == 0);
	printf("%s: %" PRIu64 " commands, %" PRIu64 " succeeded, %" PRIu64
	       " bad doorbell writes, CSTS 0x%x\n",
	       opts, s->completed, s->ok, s->dbs, h_reg32(&s->h, 0x1c));
	print_statuses(s);
	/* Something of every kind went through: a draw that only produced failures tests less. */
	CHECK(s->ok > s->completed / 50);

	/* Still a controller: a reset, then Identify and I/O work (namespace 1 may have been
	 * deleted or formatted by the storm: any namespace left will do). */
	CHECK(h_disable(&s->h) == 0);
	s->h.hole_start = s->h.hole_end = 0;
	CHECK(h_enable(&s->h, QD) == 0);
	buf = s->scratch;
	CHECK(h_identify(&s->h, 1, 0, buf) == 0);
	CHECK(h_create_ioq(&s->h, IOQ, QD) == 0);
	CHECK(h_identify(&s->h, 2, 0, buf) == 0);
	if (((uint32_t *)buf)[0]) {
		uint32_t nsid = ((uint32_t *)buf)[0];
		uint16_t w, r;

		memset(buf + 8192, 0x5a, 4096);
		w = h_rw(&s->h, IOQ, 0x01, nsid, 0, 1, buf + 8192, 4096);
		r = h_rw(&s->h, IOQ, 0x02, nsid, 0, 1, buf + 16384, 4096);
		/* A sanitize or format the storm started may still refuse I/O for a moment; what
		 * must not happen is a timeout. */
		CHECK(w != H_TIMEOUT && r != H_TIMEOUT);
	}
	h_close(&s->h);
	free(s);
}

int main(void)
{
	const char *e = getenv("NVFIO_TEST_SEED");
	uint64_t seed = e ? strtoull(e, NULL, 0) : 0x6e7666696fULL;
	/* Under valgrind a fifth as many: the same kinds of command, in minutes of CI less. */
	unsigned int cmds = RUNNING_ON_VALGRIND ? 4000 : 20000;

	e = getenv("NVFIO_MALFORMED_CMDS");
	if (e)
		cmds = (unsigned int)strtoul(e, NULL, 0);
	printf("seed 0x%" PRIx64 " (NVFIO_TEST_SEED), %u commands per controller\n", seed, cmds);
	run("size=16M,namespaces=2,queues=4,depth=64,mdts=3,sgl=on,sanitize_ms=2", 512, seed, cmds);
	run("size=8M,lbads=4096,ms=8,namespaces=2,queues=4,depth=64,sgl=on,sanitize_ms=2", 4096,
	    seed + 1, cmds);
	run("size=8M,ms=16,queues=4,depth=64,mdts=5,threads=2,selftest_ms=5,sanitize_ms=2,"
	    "storage=ram",
	    512, seed + 2, cmds);
	return 0;
}
