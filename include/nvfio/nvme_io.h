/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_IO_H
#define NVFIO_NVME_IO_H

/*
 * The I/O submission fast path, inline (as liburing keeps its hot path in its header).
 *
 * nvfio_read() and nvfio_write() are inline so that the common case - one buffer spanning at
 * most two memory pages, one command, room in the queue - costs a few dozen instructions in the
 * caller's own code. They only write the submission queue entry: the doorbell is rung for the
 * whole batch by the next nvfio_qpair_poll(), nvfio_qpair_wait() or nvfio_qpair_kick(). Everything
 * else (splitting, PRP lists, SGLs, checks that fail, a cold translation cache, a full queue) is
 * handed to nvfio_io_slow() in the library.
 *
 * The structures below are the leading parts of the library's queue pair and namespace objects
 * that the inline code reads and writes. Their layout is part of the ABI: it changes only with
 * the library's soname. Programs must not use them directly.
 */

#include <stdint.h>

#include <nvfio/nvme.h>

/* Queue entries are built as little-endian quadwords, as NVMe lays them out. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "nvfio's inline fast path assumes a little-endian CPU"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A command tracker: one per command a queue pair can hold, found from a completion's command
 * identifier, whose low bits are the tracker's index and whose bits above them a generation that
 * changes each time the tracker is reused, so that a late completion for a command that has since
 * been completed another way (timed out, aborted) never completes the tracker's next command.
 */
struct nvfio_io_trk {
	nvfio_cb cb;
	void *arg;
	/* While a command without a PRP/SGL list is outstanding: the command identifier it
	 * carries, so that a completion is matched with one compare. Otherwise a marker above
	 * 16 bits (NVFIO_IO_TAG_*) with, for a free tracker, the next free tracker's index, for a
	 * command holding a list, its command identifier. */
	uint32_t tag;
	uint16_t cid;  /* the identifier of the tracker's current or next command */
	uint16_t list; /* PRP/SGL list slot + 1 held by the command; 0: none (always, when free) */
	union {
		uint16_t parent;  /* command of a split request: the parent tracker */
		uint16_t pending; /* parent: commands not completed yet */
	};
	uint16_t status; /* parent: the first failed command's status field (with phase bit) */
	int32_t err;	 /* parent: the first error of a command nvfio completed itself */
};

#define NVFIO_IO_TAG_FREE   0x10000u /* | the next free tracker's index (NVFIO_IO_TRK_NONE) */
#define NVFIO_IO_TAG_LIST   0x20000u /* | the command identifier: outstanding, holding a list */
#define NVFIO_IO_TAG_PARENT 0x40000u /* split request waiting for its commands */
#define NVFIO_IO_TRK_NONE   0xffffu  /* end of the free list */

/* The submission side of a queue pair: the first member of struct nvfio_qpair. */
struct nvfio_qpair_io {
	struct nvfio_cmd *sq_next; /* where the next command goes */
	struct nvfio_cmd *sq_end;  /* one past the last entry of the ring */
	struct nvfio_cmd *sq;	   /* the ring */
	struct nvfio_cmd *sq_rung; /* sq_next when the doorbell was last rung */
	struct nvfio_io_trk *trk;  /* trackers */
	uint16_t free;		   /* index of the first free tracker */
	uint16_t plugged;	   /* > 0: polls do not ring the doorbell */
	int state;		   /* 0, or the controller's failure */
	/* Translation cache: [tc_lo, tc_hi) is at IOVA va + tc_delta. The library empties it
	 * (tc_hi = 0) when any mapping of the DMA space goes away, and when the controller fails,
	 * so that the fast path needs no check of its own for either. */
	uintptr_t tc_lo;
	uintptr_t tc_hi;
	uint64_t tc_delta;
};

/* What a submission reads of a namespace: the first member of struct nvfio_ns. */
struct nvfio_ns_io {
	uint64_t nsze; /* blocks; 0 while I/O to the namespace is not possible */
	/* An SQE's first quadword for a read and for a write, command id 0 (nsid << 32 |
	 * opcode). */
	uint64_t sqe_read;
	uint64_t sqe_write;
	uint32_t nsid;
	uint8_t lbads; /* log2 of the block size */
	uint8_t rsvd[3];
};

/*
 * nvfio_io_slow() - the library half of nvfio_read() / nvfio_write(): any request the inline
 * fast path does not take, with the same arguments and results. Not for direct use.
 */
int nvfio_io_slow(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint8_t opcode, const void *buf,
		  uint64_t lba, uint32_t nlb, nvfio_cb cb, void *arg);

/* The opcodes the inline path builds: libnvme's nvme_cmd_write and nvme_cmd_read (the library
 * checks that they agree). */
#define NVFIO_IO_OPC_WRITE 0x01
#define NVFIO_IO_OPC_READ  0x02

/* The memory page size nvfio programs (CC.MPS = 0) and builds PRPs for. */
#define NVFIO_IO_PAGE_SIZE 4096u

/* The most the inline path describes: two pages, PRP1 and PRP2, never above the per-command
 * limit (MDTS is at least two pages), so that only an empty transfer needs a check of its own. */
#define NVFIO_IO_FAST_SPAN (2u * NVFIO_IO_PAGE_SIZE)

/* Data pointers address dwords. */
#define NVFIO_IO_ALIGN_MASK 3u

/*
 * nvfio_io_fits_() - whether a request has the fast path's shape: 1 or more blocks inside the
 * namespace, and a dword-aligned buffer spanning at most two pages from its page offset. The
 * library's slow path asks the same before it refills the translation cache.
 */
static inline __attribute__((always_inline)) int
nvfio_io_fits_(const struct nvfio_ns_io *n, uintptr_t va, uint64_t lba, uint32_t nlb, uint64_t len)
{
	/* Inside the namespace without an addition that could wrap: @lba below the end, and
	 * the last block (nlb - 1, which 0 blocks turn into 2^64 - 1) no further than the blocks
	 * left. Expected here, not only by the caller: the compiler then lays the fast path out
	 * straight, without a jump back from it. */
	return __builtin_expect(lba < n->nsze && (uint64_t)nlb - 1 < n->nsze - lba &&
					(va & (NVFIO_IO_PAGE_SIZE - 1)) + len <= NVFIO_IO_FAST_SPAN &&
					!(va & NVFIO_IO_ALIGN_MASK),
				1);
}

/* nvfio_io_tc_hit_() - whether [@va, @va + @len) lies in the translation cache (which an
 * unmapping empties before it returns: a hit never uses a mapping removed before). */
static inline __attribute__((always_inline)) int nvfio_io_tc_hit_(const struct nvfio_qpair_io *q,
								  uintptr_t va, uint64_t len)
{
	return __builtin_expect(va >= q->tc_lo &&
					va + len <= __atomic_load_n(&q->tc_hi, __ATOMIC_RELAXED),
				1);
}

/* nvfio_io_trk_take_() - take tracker @idx, the free list's head, for a command completing to
 * @cb(@arg); returns the command identifier the command carries. */
static inline __attribute__((always_inline)) uint16_t
nvfio_io_trk_take_(struct nvfio_qpair_io *q, uint16_t idx, nvfio_cb cb, void *arg)
{
	struct nvfio_io_trk *t = &q->trk[idx];
	uint16_t cid = t->cid;

	q->free = (uint16_t)t->tag;
	t->tag = cid;
	t->cb = cb;
	t->arg = arg;
	return cid;
}

/*
 * nvfio_io_sqe_fill_() - write a read or write entry as eight quadwords: opcode, command id and
 * nsid (@cdw0_1, command id 0, from the namespace); cdw2-3; mptr; PRP1; PRP2 (the second page,
 * when the buffer reaches into one); starting LBA; block count (0's based); cdw14-15.
 */
static inline __attribute__((always_inline)) void nvfio_io_sqe_fill_(uint64_t *sqe, uint64_t cdw0_1,
								     uint16_t cid, uint64_t iova,
								     uintptr_t va, uint64_t len,
								     uint64_t lba, uint32_t nlb)
{
	sqe[0] = cdw0_1 | (uint32_t)cid << 16;
	sqe[1] = 0;
	sqe[2] = 0;
	sqe[3] = iova;
	sqe[4] = (va & (NVFIO_IO_PAGE_SIZE - 1)) + len > NVFIO_IO_PAGE_SIZE
		     ? (iova | (NVFIO_IO_PAGE_SIZE - 1)) + 1
		     : 0;
	sqe[5] = lba;
	sqe[6] = (uint64_t)nlb - 1; /* as the range check computed it; nlb is never 0 here */
	sqe[7] = 0;
}

/* nvfio_io_sq_after_() - the ring entry after the tail, wrapping: where the tail moves once the
 * entry is written. */
static inline __attribute__((always_inline)) struct nvfio_cmd *
nvfio_io_sq_after_(const struct nvfio_qpair_io *q)
{
	return __builtin_expect(q->sq_next + 1 == q->sq_end, 0) ? q->sq : q->sq_next + 1;
}

/* The fast path: the guard (shape, translation, a free tracker), a tracker, the entry, the
 * tail. Everything else goes to the library's nvfio_io_slow(). */
static inline __attribute__((always_inline)) int nvfio_io_rw_(struct nvfio_qpair *qp,
							      struct nvfio_ns *ns, uint8_t opcode,
							      const void *buf, uint64_t lba,
							      uint32_t nlb, nvfio_cb cb, void *arg)
{
	struct nvfio_qpair_io *q = (struct nvfio_qpair_io *)qp;
	const struct nvfio_ns_io *n = (const struct nvfio_ns_io *)ns;
	uintptr_t va = (uintptr_t)buf;
	uint64_t len = (uint64_t)nlb << n->lbads;
	uint16_t idx = q->free, cid;
	struct nvfio_cmd *sqe, *next;

	if (__builtin_expect(!nvfio_io_fits_(n, va, lba, nlb, len) || idx == NVFIO_IO_TRK_NONE ||
				 !nvfio_io_tc_hit_(q, va, len),
			     0))
		return nvfio_io_slow(qp, ns, opcode, buf, lba, nlb, cb, arg);
	cid = nvfio_io_trk_take_(q, idx, cb, arg);
	/* The next tail before the entry's stores, which the compiler cannot tell from stores to
	 * the queue pair. */
	sqe = q->sq_next;
	next = nvfio_io_sq_after_(q);
	nvfio_io_sqe_fill_((uint64_t *)sqe,
			   opcode == NVFIO_IO_OPC_READ ? n->sqe_read : n->sqe_write, cid,
			   va + q->tc_delta, va, len, lba, nlb);
	/* The tail moves on; the doorbell is the next poll's, wait's or kick's to ring. */
	q->sq_next = next;
	return 0;
}

/* nvfio_read() - read @nlb blocks from @lba into @buf (see "I/O commands" in <nvfio/nvme.h>). */
static inline __attribute__((always_inline)) int nvfio_read(struct nvfio_qpair *qp,
							    struct nvfio_ns *ns, void *buf,
							    uint64_t lba, uint32_t nlb, nvfio_cb cb,
							    void *arg)
{
	return nvfio_io_rw_(qp, ns, NVFIO_IO_OPC_READ, buf, lba, nlb, cb, arg);
}

/* nvfio_write() - write @nlb blocks from @buf at @lba (see "I/O commands" in <nvfio/nvme.h>). */
static inline __attribute__((always_inline)) int nvfio_write(struct nvfio_qpair *qp,
							     struct nvfio_ns *ns, const void *buf,
							     uint64_t lba, uint32_t nlb,
							     nvfio_cb cb, void *arg)
{
	return nvfio_io_rw_(qp, ns, NVFIO_IO_OPC_WRITE, buf, lba, nlb, cb, arg);
}

#ifdef __cplusplus
}
#endif

#endif /* NVFIO_NVME_IO_H */
