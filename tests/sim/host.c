/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "common/test.h"
#include "tests/sim/host.h"

static_assert(sizeof(struct h_sqe) == 64, "SQE");
static_assert(sizeof(struct h_cqe) == 16, "CQE");

uint64_t h_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The IOMMU: only [H_IOVA_BASE, H_IOVA_BASE + mem_len) less the hole is mapped. */
static void *translate(void *ctx, uint64_t iova, size_t len)
{
	struct host *h = ctx;
	uint64_t off;

	if (iova < H_IOVA_BASE || len > h->mem_len)
		return NULL;
	off = iova - H_IOVA_BASE;
	if (off > h->mem_len - len)
		return NULL;
	if (h->hole_end > h->hole_start && off < h->hole_end && off + len > h->hole_start)
		return NULL;
	return h->mem + off;
}

int h_open(struct host *h, const char *opts, size_t mem_mb)
{
	struct nvf_sim_mem m;
	int ret;

	memset(h, 0, sizeof(*h));
	h->mem_len = mem_mb << 20;
	h->mem = mmap(NULL, h->mem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(h->mem != MAP_FAILED);
	m.translate = translate;
	m.ctx = h;
	ret = nvf_sim_create(opts, &m, &h->sim);
	if (ret) {
		munmap(h->mem, h->mem_len);
		h->mem = NULL;
		return ret;
	}
	h->bar = nvf_sim_bar0(h->sim, &h->bar_len);
	return 0;
}

void h_close(struct host *h)
{
	nvf_sim_destroy(h->sim);
	if (h->mem)
		munmap(h->mem, h->mem_len);
	h->sim = NULL;
}

void *h_alloc(struct host *h, size_t len, size_t align)
{
	size_t old = atomic_load(&h->brk), start;
	void *p;

	if (align < 64)
		align = 64;
	/* Host threads of one test may allocate at once (PRP lists). */
	do {
		start = (old + align - 1) & ~(align - 1);
		if (start + len > h->mem_len) {
			fprintf(stderr, "test host: window of %zu bytes is full\n", h->mem_len);
			exit(T_EXIT_FAIL);
		}
	} while (!atomic_compare_exchange_weak(&h->brk, &old, start + len));
	p = h->mem + start;
	memset(p, 0, len);
	return p;
}

uint64_t h_iova(const struct host *h, const void *p)
{
	return H_IOVA_BASE + (uint64_t)((const uint8_t *)p - h->mem);
}

/* The host's side of the words it shares with the model, as acquire loads and release stores:
 * what a register or doorbell write hands over (queues, entries, data) is ordered before it, and
 * what the model published before a register value or phase tag is read after it (as a real
 * driver's barriers do, and in a form ThreadSanitizer follows). */
uint32_t h_reg32(struct host *h, uint32_t off)
{
	return __atomic_load_n((volatile uint32_t *)(h->bar + off), __ATOMIC_ACQUIRE);
}

uint64_t h_reg64(struct host *h, uint32_t off)
{
	return h_reg32(h, off) | (uint64_t)h_reg32(h, off + 4) << 32;
}

void h_wreg32(struct host *h, uint32_t off, uint32_t v)
{
	__atomic_store_n((volatile uint32_t *)(h->bar + off), v, __ATOMIC_RELEASE);
	/* As the driver's register writes do: an idle model asleep looks now. */
	nvf_sim_wake(h->sim);
}

void h_wreg64(struct host *h, uint32_t off, uint64_t v)
{
	h_wreg32(h, off, (uint32_t)v);
	h_wreg32(h, off + 4, (uint32_t)(v >> 32));
}

int h_wait_csts(struct host *h, uint32_t mask, uint32_t want, unsigned int ms)
{
	uint64_t end = h_now_ns() + (uint64_t)ms * 1000000;

	do {
		if ((h_reg32(h, 0x1c) & mask) == want)
			return 0;
		struct timespec ts = {0, 20000};
		nanosleep(&ts, NULL);
	} while (h_now_ns() < end);
	return -1;
}

static unsigned int cap_timeout_ms(struct host *h)
{
	return (unsigned int)((h_reg64(h, 0) >> 24) & 0xff) * 500;
}

int h_enable(struct host *h, unsigned int entries)
{
	h->asq.size = h->acq.size = entries;
	h->asq.ring = h_alloc(h, entries * 64, 4096);
	h->acq.ring = h_alloc(h, entries * 16, 4096);
	h->asq.iova = h_iova(h, h->asq.ring);
	h->acq.iova = h_iova(h, h->acq.ring);
	h->asq.tail = h->acq.head = 0;
	h->acq.phase = 1;
	h->asq.qid = h->acq.qid = 0;
	h_wreg32(h, 0x24, (entries - 1) << 16 | (entries - 1));
	h_wreg64(h, 0x28, h->asq.iova);
	h_wreg64(h, 0x30, h->acq.iova);
	h_wreg32(h, 0x14, 4u << 20 | 6u << 16 | 1);
	return h_wait_csts(h, 0x3, 0x1, cap_timeout_ms(h));
}

int h_disable(struct host *h)
{
	h_wreg32(h, 0x14, 0);
	h->dbs = h->eis = NULL;
	return h_wait_csts(h, 0x1, 0, cap_timeout_ms(h));
}

static volatile uint32_t *sq_db(struct host *h, struct h_queue *sq)
{
	if (h->dbs && sq->qid)
		return &h->dbs[2 * sq->qid];
	return (volatile uint32_t *)(h->bar + 0x1000 + 8 * sq->qid);
}

static volatile uint32_t *cq_db(struct host *h, struct h_queue *cq)
{
	if (h->dbs && cq->qid)
		return &h->dbs[2 * cq->qid + 1];
	return (volatile uint32_t *)(h->bar + 0x1000 + 8 * cq->qid + 4);
}

/* With shadow doorbells a driver also writes the MMIO doorbell when the tail passes the event
 * index; the polling model never needs that write, so this host leaves it out and the tests see
 * the model take the shadow value alone. */
void h_ring(struct host *h, struct h_queue *sq)
{
	__atomic_store_n(sq_db(h, sq), sq->tail, __ATOMIC_RELEASE);
}

uint16_t h_submit(struct host *h, struct h_queue *sq, struct h_sqe *cmd, bool ring)
{
	struct h_sqe *slot = (struct h_sqe *)sq->ring + sq->tail;

	cmd->cid = h->cid++;
	memcpy(slot, cmd, sizeof(*cmd));
	if (++sq->tail == sq->size)
		sq->tail = 0;
	if (ring)
		h_ring(h, sq);
	return cmd->cid;
}

bool h_reap(struct host *h, struct h_queue *cq, struct h_cqe *cqe, unsigned int ms)
{
	volatile struct h_cqe *e = (volatile struct h_cqe *)cq->ring + cq->head;
	uint64_t end = h_now_ns() + (uint64_t)ms * 1000000;

	if (cq == &h->acq && h->nstash) {
		*cqe = h->stash[0];
		memmove(&h->stash[0], &h->stash[1], --h->nstash * sizeof(*cqe));
		return true;
	}

	/* As the driver's waits do; a doorbell alone would wait for the model's sleep to end. The
	 * dword with the phase tag (bit 16) is read as the model publishes it. */
	if (((__atomic_load_n((volatile uint32_t *)e + 3, __ATOMIC_ACQUIRE) >> 16) & 1) != cq->phase)
		nvf_sim_wake(h->sim);
	while (((__atomic_load_n((volatile uint32_t *)e + 3, __ATOMIC_ACQUIRE) >> 16) & 1) !=
	       cq->phase) {
		if (h_now_ns() > end)
			return false;
	}
	memcpy(cqe, (const void *)e, sizeof(*cqe));
	if (++cq->head == cq->size) {
		cq->head = 0;
		cq->phase ^= 1;
	}
	__atomic_store_n(cq_db(h, cq), cq->head, __ATOMIC_RELEASE);
	return true;
}

void h_settle(struct host *h)
{
	nvf_sim_sync(h->sim);
	nvf_sim_sync(h->sim);
}

bool h_none(struct host *h, struct h_queue *cq)
{
	struct h_cqe cqe;

	h_settle(h);
	return !h_reap(h, cq, &cqe, 0);
}

static uint16_t wait_for(struct host *h, struct h_queue *cq, uint16_t cid, struct h_cqe *out)
{
	struct h_cqe cqe;

	unsigned int skipped = 0;
	struct h_cqe later[16];

	for (;;) {
		if (!h_reap(h, cq, &cqe, H_WAIT_MS))
			return H_TIMEOUT;
		if (cqe.cid == cid)
			break;
		if (cq != &h->acq || skipped == 16) {
			fprintf(stderr,
				"test host: unexpected completion cid %u status 0x%x dw0 "
				"0x%x on CQ %u\n",
				cqe.cid, cqe.status >> 1, cqe.dw0, cq->qid);
			continue;
		}
		later[skipped++] = cqe;
	}
	/* Keep the others (asynchronous events) for the test to reap, oldest first. */
	if (skipped) {
		CHECK(h->nstash + skipped <= 16);
		memmove(&h->stash[skipped], &h->stash[0], h->nstash * sizeof(cqe));
		memcpy(&h->stash[0], later, skipped * sizeof(cqe));
		h->nstash += skipped;
	}
	if (out)
		*out = cqe;
	return cqe.status >> 1;
}

uint16_t h_admin(struct host *h, struct h_sqe *cmd, struct h_cqe *cqe)
{
	uint16_t cid = h_submit(h, &h->asq, cmd, true);

	return wait_for(h, &h->acq, cid, cqe);
}

uint16_t h_io(struct host *h, unsigned int qid, struct h_sqe *cmd, struct h_cqe *cqe)
{
	uint16_t cid = h_submit(h, &h->sq[qid], cmd, true);

	return wait_for(h, &h->cq[qid], cid, cqe);
}

uint16_t h_create_ioq(struct host *h, unsigned int qid, unsigned int entries)
{
	struct h_queue *sq = &h->sq[qid], *cq = &h->cq[qid];
	struct h_sqe c;
	uint16_t st;

	memset(sq, 0, sizeof(*sq));
	memset(cq, 0, sizeof(*cq));
	cq->ring = h_alloc(h, entries * 16, 4096);
	sq->ring = h_alloc(h, entries * 64, 4096);
	cq->size = sq->size = entries;
	cq->qid = sq->qid = (uint16_t)qid;
	cq->phase = 1;

	memset(&c, 0, sizeof(c));
	c.opc = 0x05;
	c.prp1 = h_iova(h, cq->ring);
	c.cdw10 = (entries - 1) << 16 | qid;
	c.cdw11 = 1; /* physically contiguous, interrupts off */
	st = h_admin(h, &c, NULL);
	if (st)
		return st;
	memset(&c, 0, sizeof(c));
	c.opc = 0x01;
	c.prp1 = h_iova(h, sq->ring);
	c.cdw10 = (entries - 1) << 16 | qid;
	c.cdw11 = qid << 16 | 1;
	return h_admin(h, &c, NULL);
}

void h_prp(struct host *h, struct h_sqe *cmd, void *buf, size_t len)
{
	uint64_t iova = h_iova(h, buf);
	size_t first = 4096 - (iova & 4095);

	cmd->prp1 = iova;
	cmd->prp2 = 0;
	if (len <= first)
		return;
	if (len - first <= 4096) {
		cmd->prp2 = iova + first;
		return;
	}
	{
		size_t n = (len - first + 4095) / 4096;
		/* Chained list pages: 511 entries per page plus a pointer to the next. */
		size_t pages = (n + 510) / 511;
		uint64_t *list = h_alloc(h, pages * 4096, 4096);
		uint64_t a = iova + first;
		size_t slot = 0;

		cmd->prp2 = h_iova(h, list);
		for (size_t i = 0; i < n; i++) {
			if (slot == 511 && i < n - 1) {
				list[slot] = h_iova(h, list + 512);
				list += 512;
				slot = 0;
			}
			list[slot++] = a;
			a += 4096;
		}
	}
}

uint16_t h_rw(struct host *h, unsigned int qid, uint8_t opc, uint32_t nsid, uint64_t slba,
	      uint32_t nlb, void *buf, size_t len)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = opc;
	c.nsid = nsid;
	c.cdw10 = (uint32_t)slba;
	c.cdw11 = (uint32_t)(slba >> 32);
	c.cdw12 = nlb - 1;
	h_prp(h, &c, buf, len);
	return h_io(h, qid, &c, NULL);
}

uint16_t h_identify(struct host *h, uint32_t cns, uint32_t nsid, void *buf)
{
	struct h_sqe c;

	memset(&c, 0, sizeof(c));
	c.opc = 0x06;
	c.nsid = nsid;
	c.cdw10 = cns;
	h_prp(h, &c, buf, 4096);
	return h_admin(h, &c, NULL);
}

uint16_t h_cmd(struct host *h, uint8_t opc, uint32_t nsid, uint32_t cdw10, uint32_t cdw11,
	       void *buf, size_t len, uint32_t *dw0)
{
	struct h_sqe c;
	struct h_cqe cqe;
	uint16_t st;

	memset(&c, 0, sizeof(c));
	c.opc = opc;
	c.nsid = nsid;
	c.cdw10 = cdw10;
	c.cdw11 = cdw11;
	if (buf)
		h_prp(h, &c, buf, len);
	st = h_admin(h, &c, &cqe);
	if (dw0)
		*dw0 = cqe.dw0;
	return st;
}

uint16_t h_get_log(struct host *h, uint8_t lid, void *buf, size_t len)
{
	return h_cmd(h, 0x02, 0xffffffffu, lid | (uint32_t)(len / 4 - 1) << 16, 0, buf, len, NULL);
}

void h_progress_start(struct h_progress *p, unsigned int dur_ms, uint64_t full)
{
	memset(p, 0, sizeof(*p));
	p->dur_ms = dur_ms;
	p->full = full;
	p->t0 = h_now_ns();
}

void h_progress_started(struct h_progress *p)
{
	p->t1 = h_now_ns();
}

void h_progress_before(struct h_progress *p)
{
	p->a = h_now_ns();
}

void h_progress_check(struct h_progress *p, uint64_t value)
{
	uint64_t b = h_now_ns(), dur = p->dur_ms * 1000000ull;
	uint64_t lo = p->a > p->t1 ? (p->a - p->t1) * p->full / dur : 0;
	uint64_t hi = (b - p->t0) * p->full / dur + 1;
	struct timespec ts = {0, 20000000};

	if (value + 1 < lo || value > hi || value >= p->full || value < p->last) {
		fprintf(stderr,
			"test host: progress %llu of %llu read %.1f to %.1f ms after the start "
			"(%u ms in all), after %llu\n",
			(unsigned long long)value, (unsigned long long)p->full, (p->a - p->t1) / 1e6,
			(b - p->t0) / 1e6, p->dur_ms, (unsigned long long)p->last);
		exit(T_EXIT_FAIL);
	}
	p->last = value;
	p->seen++;
	CHECK(b - p->t0 < 30000000000ull);
	nanosleep(&ts, NULL);
}

void h_progress_ended(const struct h_progress *p)
{
	CHECK(h_now_ns() - p->t0 >= p->dur_ms * 1000000ull);
}
