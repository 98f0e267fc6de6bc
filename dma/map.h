/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_DMA_MAP_H
#define NVFIO_DMA_MAP_H

/*
 * The translation tables: every mapped run (a stretch of memory whose IOVA is its vaddr plus a
 * constant) in two sorted arrays, one keyed by vaddr (the driver's vaddr->IOVA lookups) and one
 * keyed by IOVA (a software device's IOVA->vaddr translation). Runs that touch in both address
 * spaces are merged into one entry, so adjacent registrations cost one entry and a buffer that
 * straddles them is still one contiguous IOVA range.
 *
 * Readers take no lock: a sequence counter, odd while a writer is changing the arrays, tells a
 * reader to retry, and no array is freed while the space lives (a grown array retires the old
 * one to a list freed at the end), so a reader racing a writer reads stale but valid memory.
 * Every shared field is a C11 atomic read relaxed, so the race is defined behaviour; the
 * ordering comes from the fences around the counter. Writers hold the space's mutex.
 *
 * Capacity is reserved before an insertion (which may fail with -ENOMEM) so that removal, which
 * may split one entry into two, never allocates: each table always has room for as many entries
 * as there are runs, and entries never outnumber runs.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/barrier.h"
#include "support/compiler.h"

/* key[0] is the address the table is sorted by, key[1] the other one. */
struct nvf_dma_entry {
	_Atomic uint64_t key[2];
	_Atomic uint64_t len;
};

struct nvf_dma_tab {
	_Atomic uint32_t n;
	uint32_t cap;
	struct nvf_dma_entry e[];
};

struct nvf_dma_map {
	/* Read by every lookup: kept together, apart from the writer-side fields. */
	uint32_t seq; /* odd while a writer is inside */
	uint32_t gen; /* bumped whenever a run is removed (struct nvf_dma_cache) */
	_Atomic(struct nvf_dma_tab *) tab[2]; /* [0] by vaddr, [1] by IOVA */

	/* Writer side. */
	struct nvf_dma_tab **retired;
	unsigned int nretired;
	unsigned int nruns;
};

/* What a lookup found: the whole entry, for a cache to keep. */
struct nvf_dma_hit {
	uint64_t from; /* start of the entry in the looked-up address space */
	uint64_t to;   /* its start in the other one */
	uint64_t len;
};

int nvf_dma_map_init(struct nvf_dma_map *m);
void nvf_dma_map_fini(struct nvf_dma_map *m);

/* Make room for @more additional runs. 0 or -ENOMEM; changes nothing readers see. */
int nvf_dma_map_reserve(struct nvf_dma_map *m, unsigned int more);

/* Bracket insertions and removals; readers retry while a writer is inside. */
void nvf_dma_map_write_begin(struct nvf_dma_map *m);
void nvf_dma_map_write_end(struct nvf_dma_map *m);

/* Add the run [vaddr, vaddr + len) -> [iova, iova + len). Room must have been reserved; neither
 * range may overlap an existing run. */
void nvf_dma_map_insert(struct nvf_dma_map *m, uint64_t vaddr, uint64_t iova, uint64_t len);

/* Remove exactly a run that nvf_dma_map_insert() added. */
void nvf_dma_map_remove(struct nvf_dma_map *m, uint64_t vaddr, uint64_t iova, uint64_t len);

/* Writer side: does [iova, iova + len) overlap an entry? */
bool nvf_dma_map_iova_busy(struct nvf_dma_map *m, uint64_t iova, uint64_t len);

/* Writer side: the entry of table @t containing @addr, if any. */
bool nvf_dma_map_find_locked(struct nvf_dma_map *m, int t, uint64_t addr, struct nvf_dma_hit *hit);

unsigned int nvf_dma_map_nentries(struct nvf_dma_map *m);

static inline uint64_t nvf_dma_ld(const _Atomic uint64_t *p)
{
	return atomic_load_explicit(p, memory_order_relaxed);
}

/*
 * nvf_dma_map_lookup() - the entry of table @t (0: by vaddr, 1: by IOVA) that holds all of
 * [addr, addr + len) (len 0 counts as 1), lock-free
 *
 * Returns true and fills @hit, or false.
 */
static inline bool nvf_dma_map_lookup(const struct nvf_dma_map *m, int t, uint64_t addr,
				      uint64_t len, struct nvf_dma_hit *hit)
{
	if (len == 0)
		len = 1;
	for (;;) {
		const struct nvf_dma_tab *tab;
		const struct nvf_dma_entry *e;
		uint32_t seq, lo, hi;
		bool found = false;

		/* Acquire: the entries read below are at least as new as this count says. */
		seq = nvf_load_acquire32(&m->seq);
		if (unlikely(seq & 1))
			continue;
		/* Acquire pairs with the release that published a grown table: its contents and
		 * its n <= cap are visible before anything is read from it. */
		tab = atomic_load_explicit(&m->tab[t], memory_order_acquire);
		lo = 0;
		hi = atomic_load_explicit(&tab->n, memory_order_relaxed);
		/* The last entry starting at or below @addr is the only candidate. */
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;

			if (nvf_dma_ld(&tab->e[mid].key[0]) <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0) {
			uint64_t start, off, elen;

			e = &tab->e[lo - 1];
			start = nvf_dma_ld(&e->key[0]);
			off = addr - start;
			elen = nvf_dma_ld(&e->len);
			if (off < elen && len <= elen - off) {
				hit->from = start;
				hit->to = nvf_dma_ld(&e->key[1]);
				hit->len = elen;
				found = true;
			}
		}
		/* Order the entry reads above before the re-read of the counter: if any of them
		 * saw a writer's store, the re-read sees that writer's odd count. */
		nvf_rmb();
		if (likely(nvf_load_acquire32(&m->seq) == seq))
			return found;
	}
}

#endif /* NVFIO_DMA_MAP_H */
