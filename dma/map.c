/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>

#include "dma/map.h"

static inline void st(_Atomic uint64_t *p, uint64_t v)
{
	atomic_store_explicit(p, v, memory_order_relaxed);
}

static inline struct nvf_dma_tab *tab_of(struct nvf_dma_map *m, int t)
{
	/* Only the writer, holding the mutex, gets here: its own stores are visible to it. */
	return atomic_load_explicit(&m->tab[t], memory_order_relaxed);
}

static struct nvf_dma_tab *tab_new(uint32_t cap)
{
	struct nvf_dma_tab *tab = calloc(1, sizeof(*tab) + cap * sizeof(tab->e[0]));

	if (tab)
		tab->cap = cap;
	return tab;
}

int nvf_dma_map_init(struct nvf_dma_map *m)
{
	struct nvf_dma_tab *v = tab_new(16), *i = tab_new(16);

	if (!v || !i) {
		free(v);
		free(i);
		return -ENOMEM;
	}
	m->seq = 0;
	m->gen = 0;
	atomic_init(&m->tab[0], v);
	atomic_init(&m->tab[1], i);
	m->retired = NULL;
	m->nretired = 0;
	m->nruns = 0;
	return 0;
}

void nvf_dma_map_fini(struct nvf_dma_map *m)
{
	unsigned int i;

	for (i = 0; i < m->nretired; i++)
		free(m->retired[i]);
	free(m->retired);
	free(tab_of(m, 0));
	free(tab_of(m, 1));
	m->retired = NULL;
	m->nretired = 0;
}

int nvf_dma_map_reserve(struct nvf_dma_map *m, unsigned int more)
{
	unsigned int need = m->nruns + more;
	struct nvf_dma_tab *grown[2] = {NULL, NULL};
	struct nvf_dma_tab **retired;
	uint32_t cap;
	int t;

	if (more > UINT32_MAX / 2 - m->nruns)
		return -ENOMEM;
	if (need <= tab_of(m, 0)->cap)
		return 0;

	cap = tab_of(m, 0)->cap;
	while (cap < need)
		cap *= 2;
	retired = realloc(m->retired, (m->nretired + 2) * sizeof(*retired));
	if (!retired)
		return -ENOMEM;
	m->retired = retired;
	for (t = 0; t < 2; t++) {
		grown[t] = tab_new(cap);
		if (!grown[t]) {
			free(grown[0]);
			return -ENOMEM;
		}
	}

	for (t = 0; t < 2; t++) {
		struct nvf_dma_tab *old = tab_of(m, t);
		uint32_t i, n = atomic_load_explicit(&old->n, memory_order_relaxed);

		for (i = 0; i < n; i++) {
			atomic_init(&grown[t]->e[i].key[0], nvf_dma_ld(&old->e[i].key[0]));
			atomic_init(&grown[t]->e[i].key[1], nvf_dma_ld(&old->e[i].key[1]));
			atomic_init(&grown[t]->e[i].len, nvf_dma_ld(&old->e[i].len));
		}
		atomic_init(&grown[t]->n, n);
		/* Same contents, so no write section is needed: a reader on the old table still
		 * gets right answers, and the old table is kept until the space goes. The release
		 * publishes the copied entries with the pointer. */
		atomic_store_explicit(&m->tab[t], grown[t], memory_order_release);
		m->retired[m->nretired++] = old;
	}
	return 0;
}

void nvf_dma_map_write_begin(struct nvf_dma_map *m)
{
	nvf_store_release32(&m->seq, m->seq + 1);
	/* Order the odd count before every entry store that follows (pairs with the reader's
	 * nvf_rmb() before its re-read of the count). */
	nvf_wmb();
}

void nvf_dma_map_write_end(struct nvf_dma_map *m)
{
	/* Release: the entry stores are visible before the even count that blesses them. */
	nvf_store_release32(&m->seq, m->seq + 1);
}

/* Index of the first entry whose key[0] is above @addr. */
static uint32_t upper(struct nvf_dma_tab *tab, uint64_t addr)
{
	uint32_t lo = 0, hi = atomic_load_explicit(&tab->n, memory_order_relaxed);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (nvf_dma_ld(&tab->e[mid].key[0]) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void entry_copy(struct nvf_dma_entry *dst, const struct nvf_dma_entry *src)
{
	st(&dst->key[0], nvf_dma_ld(&src->key[0]));
	st(&dst->key[1], nvf_dma_ld(&src->key[1]));
	st(&dst->len, nvf_dma_ld(&src->len));
}

static void entry_set(struct nvf_dma_entry *e, uint64_t k0, uint64_t k1, uint64_t len)
{
	st(&e->key[0], k0);
	st(&e->key[1], k1);
	st(&e->len, len);
}

/* Open a hole at @i (entries shift up by one), or close the entry at @i. */
static void open_at(struct nvf_dma_tab *tab, uint32_t i)
{
	uint32_t n = atomic_load_explicit(&tab->n, memory_order_relaxed), j;

	for (j = n; j > i; j--)
		entry_copy(&tab->e[j], &tab->e[j - 1]);
	atomic_store_explicit(&tab->n, n + 1, memory_order_relaxed);
}

static void close_at(struct nvf_dma_tab *tab, uint32_t i)
{
	uint32_t n = atomic_load_explicit(&tab->n, memory_order_relaxed), j;

	for (j = i; j + 1 < n; j++)
		entry_copy(&tab->e[j], &tab->e[j + 1]);
	atomic_store_explicit(&tab->n, n - 1, memory_order_relaxed);
}

/* One table's half of an insertion; @a is the key it is sorted by, @b the other address. */
static void tab_insert(struct nvf_dma_tab *tab, uint64_t a, uint64_t b, uint64_t len)
{
	uint32_t i = upper(tab, a), n = atomic_load_explicit(&tab->n, memory_order_relaxed);
	struct nvf_dma_entry *prev = i > 0 ? &tab->e[i - 1] : NULL;
	struct nvf_dma_entry *next = i < n ? &tab->e[i] : NULL;
	bool join_prev, join_next;

	/* Merge only when the run continues its neighbour in both address spaces, so that an
	 * entry is always one linear stretch. */
	join_prev = prev && nvf_dma_ld(&prev->key[0]) + nvf_dma_ld(&prev->len) == a &&
		    nvf_dma_ld(&prev->key[1]) + nvf_dma_ld(&prev->len) == b;
	join_next =
	    next && a + len == nvf_dma_ld(&next->key[0]) && b + len == nvf_dma_ld(&next->key[1]);

	if (join_prev && join_next) {
		st(&prev->len, nvf_dma_ld(&prev->len) + len + nvf_dma_ld(&next->len));
		close_at(tab, i);
	} else if (join_prev) {
		st(&prev->len, nvf_dma_ld(&prev->len) + len);
	} else if (join_next) {
		entry_set(next, a, b, nvf_dma_ld(&next->len) + len);
	} else {
		open_at(tab, i);
		entry_set(&tab->e[i], a, b, len);
	}
}

static void tab_remove(struct nvf_dma_tab *tab, uint64_t a, uint64_t b, uint64_t len)
{
	uint32_t i = upper(tab, a) - 1;
	struct nvf_dma_entry *e = &tab->e[i];
	uint64_t start = nvf_dma_ld(&e->key[0]), other = nvf_dma_ld(&e->key[1]);
	uint64_t elen = nvf_dma_ld(&e->len);
	uint64_t left = a - start, right = start + elen - (a + len);

	(void)b;
	if (!left && !right) {
		close_at(tab, i);
	} else if (!right) {
		st(&e->len, left);
	} else if (!left) {
		entry_set(e, a + len, other + (a + len - start), right);
	} else {
		/* The split: reserve() kept room for one entry per run. */
		st(&e->len, left);
		open_at(tab, i + 1);
		entry_set(&tab->e[i + 1], a + len, other + (a + len - start), right);
	}
}

void nvf_dma_map_insert(struct nvf_dma_map *m, uint64_t vaddr, uint64_t iova, uint64_t len)
{
	tab_insert(tab_of(m, 0), vaddr, iova, len);
	tab_insert(tab_of(m, 1), iova, vaddr, len);
	m->nruns++;
}

void nvf_dma_map_remove(struct nvf_dma_map *m, uint64_t vaddr, uint64_t iova, uint64_t len)
{
	/* A cache that sees the new generation also sees the write section begun; sequentially
	 * consistent for the watched bounds (nvf_dma_watch()). */
	__atomic_store_n(&m->gen, m->gen + 1, __ATOMIC_SEQ_CST);
	tab_remove(tab_of(m, 0), vaddr, iova, len);
	tab_remove(tab_of(m, 1), iova, vaddr, len);
	m->nruns--;
}

bool nvf_dma_map_find_locked(struct nvf_dma_map *m, int t, uint64_t addr, struct nvf_dma_hit *hit)
{
	struct nvf_dma_tab *tab = tab_of(m, t);
	uint32_t i = upper(tab, addr);
	struct nvf_dma_entry *e;

	if (i == 0)
		return false;
	e = &tab->e[i - 1];
	if (addr - nvf_dma_ld(&e->key[0]) >= nvf_dma_ld(&e->len))
		return false;
	hit->from = nvf_dma_ld(&e->key[0]);
	hit->to = nvf_dma_ld(&e->key[1]);
	hit->len = nvf_dma_ld(&e->len);
	return true;
}

bool nvf_dma_map_iova_busy(struct nvf_dma_map *m, uint64_t iova, uint64_t len)
{
	struct nvf_dma_tab *tab = tab_of(m, 1);
	uint64_t last = iova + (len - 1);
	uint32_t i = upper(tab, last);
	struct nvf_dma_entry *e;

	/* The last entry starting at or below the range's end overlaps it iff it ends after
	 * the range's start. */
	if (i == 0)
		return false;
	e = &tab->e[i - 1];
	return nvf_dma_ld(&e->key[0]) + (nvf_dma_ld(&e->len) - 1) >= iova;
}

unsigned int nvf_dma_map_nentries(struct nvf_dma_map *m)
{
	return atomic_load_explicit(&tab_of(m, 0)->n, memory_order_relaxed);
}
