/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_SIM_HOST_H
#define NVFIO_TESTS_SIM_HOST_H

/*
 * A minimal NVMe host for testing the controller model directly: it owns an IOVA window over
 * its own memory (the model's translate callback bounds-checks it like an IOMMU), enables the
 * controller, creates queues and submits raw commands. Its queue entry layouts are written here
 * from the spec, independently of the model's.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nvfio/sim.h>

#include "sim/sim.h"

struct h_sqe {
	uint8_t opc;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t rsvd[2];
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct h_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status; /* phase in bit 0 */
};

/* Status as returned by the helpers: SC in bits 7:0, SCT in 10:8, DNR in bit 14. */
#define H_SC(s)	  ((s)&0xff)
#define H_SCT(s)  (((s) >> 8) & 0x7)
#define H_TIMEOUT 0xffffu

#define H_IOVA_BASE 0x100000000ull /* deliberately not the virtual address */

/* How long the host waits for what must happen (a completion, a register's change): generous, so
 * that valgrind or a busy machine does not make a test fail, but finite. Nothing is decided by
 * waiting this long: what must not happen is checked by state (h_settle()). */
#define H_WAIT_MS 30000u

struct h_queue {
	void *ring;
	uint64_t iova;
	uint32_t size;
	uint32_t tail; /* SQ */
	uint32_t head; /* CQ */
	uint8_t phase;
	uint16_t qid;
};

#define H_MAX_IOQ 64

struct host {
	/* What the model's translate callback reads, on its own cache line: the host's queue
	 * bookkeeping below changes all the time and must not bounce this line. */
	struct {
		uint8_t *mem; /* the IOVA window: [H_IOVA_BASE, H_IOVA_BASE + mem_len) */
		size_t mem_len;
		/* Offsets in the window the translate callback refuses (a hole to point at). */
		uint64_t hole_start, hole_end;
	} __attribute__((aligned(64)));
	struct nvfio_sim *sim __attribute__((aligned(64)));
	volatile uint8_t *bar;
	size_t bar_len;
	_Atomic size_t brk;
	struct h_queue asq, acq;
	struct h_queue sq[H_MAX_IOQ + 1], cq[H_MAX_IOQ + 1];
	_Atomic uint16_t cid;
	uint32_t *dbs, *eis; /* shadow doorbells, when configured */
	/* Admin completions that arrived while waiting for another one (events), in order. */
	struct h_cqe stash[16];
	unsigned int nstash;
};

/* Create a controller with @opts and a @mem_mb MiB window; 0 or a negative error. */
int h_open(struct host *h, const char *opts, size_t mem_mb);
void h_close(struct host *h);

/* Memory in the window, zeroed, aligned to @align; its IOVA. Aborts the test when full. */
void *h_alloc(struct host *h, size_t len, size_t align);
uint64_t h_iova(const struct host *h, const void *p);

uint32_t h_reg32(struct host *h, uint32_t off);
uint64_t h_reg64(struct host *h, uint32_t off);
void h_wreg32(struct host *h, uint32_t off, uint32_t v);
void h_wreg64(struct host *h, uint32_t off, uint64_t v);

/* Wait until (CSTS & mask) == want, at most @ms. 0 or -1. */
int h_wait_csts(struct host *h, uint32_t mask, uint32_t want, unsigned int ms);

/* Admin queue of @entries, CC with IOSQES=6/IOCQES=4/MPS 4K, wait for RDY. 0 or -1. */
int h_enable(struct host *h, unsigned int entries);
int h_disable(struct host *h);

/* Put @cmd in the queue (cid assigned unless @keep_cid), ring the doorbell unless @no_ring. */
uint16_t h_submit(struct host *h, struct h_queue *sq, struct h_sqe *cmd, bool ring);
void h_ring(struct host *h, struct h_queue *sq);
/* Reap one completion from @cq within @ms; true if one was found. */
bool h_reap(struct host *h, struct h_queue *cq, struct h_cqe *cqe, unsigned int ms);
/* Let the model (threads=1) finish the pass it is in and one more, so that all it does with what
 * the host did before is done: then h_none() says that @cq holds no completion. */
void h_settle(struct host *h);
bool h_none(struct host *h, struct h_queue *cq);

/* Submit and wait for the completion of that command. Returns its status or H_TIMEOUT. */
uint16_t h_admin(struct host *h, struct h_sqe *cmd, struct h_cqe *cqe);
uint16_t h_io(struct host *h, unsigned int qid, struct h_sqe *cmd, struct h_cqe *cqe);

/* Create I/O CQ and SQ @qid of @entries (interrupts off). Returns the first failing status. */
uint16_t h_create_ioq(struct host *h, unsigned int qid, unsigned int entries);

/* Read/write @nlb blocks at @slba on @nsid through I/O queue @qid, PRPs built by the helper. */
uint16_t h_rw(struct host *h, unsigned int qid, uint8_t opc, uint32_t nsid, uint64_t slba,
	      uint32_t nlb, void *buf, size_t len);

/* Fill @cmd's PRP1/PRP2 (and a PRP list in window memory) for @buf of @len bytes. */
void h_prp(struct host *h, struct h_sqe *cmd, void *buf, size_t len);

/* Identify controller / namespace into @buf (4096 bytes in the window). */
uint16_t h_identify(struct host *h, uint32_t cns, uint32_t nsid, void *buf);

/* An admin command of @opc with its NSID, CDW10 and CDW11, and @buf of @len bytes in the window
 * (or NULL) as its data; its status, *dw0 its result when not NULL. */
uint16_t h_cmd(struct host *h, uint8_t opc, uint32_t nsid, uint32_t cdw10, uint32_t cdw11,
	       void *buf, size_t len, uint32_t *dw0);

/* Get Log Page @lid (controller scope, RAE clear) into @buf of @len bytes in the window. */
uint16_t h_get_log(struct host *h, uint8_t lid, void *buf, size_t len);

/*
 * Watching a background operation of @dur_ms report its progress as a value out of @full, with
 * bounds from the host's own clock alone: the operation started after _start() and before
 * _started(), so a value read after _before() cannot be below what that much time gives, nor
 * above what the time since _start() gives; values never go back, and the operation cannot end
 * before its time (_ended()). _check() fails the test past a 30 s deadline and naps 20 ms.
 */
struct h_progress {
	uint64_t t0, t1, a, last, full;
	unsigned int dur_ms, seen;
};
void h_progress_start(struct h_progress *p, unsigned int dur_ms, uint64_t full);
void h_progress_started(struct h_progress *p);
void h_progress_before(struct h_progress *p);
void h_progress_check(struct h_progress *p, uint64_t value);
void h_progress_ended(const struct h_progress *p);

/* Thread CPU time of the whole process, for idle checks. */
uint64_t h_now_ns(void);

#endif /* NVFIO_TESTS_SIM_HOST_H */
