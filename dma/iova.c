/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dma/iova.h"
#include "support/error.h"

static int range_cmp(const void *a, const void *b)
{
	const struct nvf_iommu_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int grow(struct nvf_dma_iova *s, unsigned int need)
{
	struct nvf_iommu_range *p;
	unsigned int cap;

	if (need <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 8;
	while (cap < need)
		cap *= 2;
	p = realloc(s->free, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->free = p;
	s->cap = cap;
	return 0;
}

int nvf_dma_iova_init(struct nvf_dma_iova *s, const struct nvf_iommu_range *ranges, unsigned int n,
		      uint64_t lowest)
{
	static const struct nvf_iommu_range all = {0, UINT64_MAX};
	unsigned int i, k = 0;

	memset(s, 0, sizeof(*s));
	if (n == 0) {
		ranges = &all;
		n = 1;
	}
	if (grow(s, n + 1) < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct nvf_iommu_range r = ranges[i];

		if (r.last < r.start || r.last < lowest)
			continue;
		if (r.start < lowest)
			r.start = lowest;
		s->free[k++] = r;
	}
	qsort(s->free, k, sizeof(*s->free), range_cmp);

	/* Merge overlapping and touching ranges so that the extents are never adjacent. */
	s->nfree = 0;
	for (i = 0; i < k; i++) {
		struct nvf_iommu_range *prev = s->nfree ? &s->free[s->nfree - 1] : NULL;

		if (prev && (prev->last == UINT64_MAX || s->free[i].start <= prev->last + 1)) {
			if (s->free[i].last > prev->last)
				prev->last = s->free[i].last;
			continue;
		}
		s->free[s->nfree++] = s->free[i];
	}
	s->nvalid = s->nfree;
	for (i = 0; i < s->nfree; i++) {
		uint64_t len = s->free[i].last - s->free[i].start;

		/* len + 1 and the sum saturate: the whole 64-bit space does not fit in 64 bits. */
		if (len == UINT64_MAX || s->total > UINT64_MAX - len - 1)
			s->total = UINT64_MAX;
		else
			s->total += len + 1;
	}
	if (!s->nfree) {
		nvf_dma_iova_fini(s);
		return nvf_err(-NVFIO_ENOIOVA,
			       "the IOMMU reports no usable IOVA range at or above 0x%llx",
			       (unsigned long long)lowest);
	}
	return 0;
}

void nvf_dma_iova_fini(struct nvf_dma_iova *s)
{
	free(s->free);
	memset(s, 0, sizeof(*s));
}

uint64_t nvf_dma_iova_largest(const struct nvf_dma_iova *s)
{
	uint64_t best = 0;
	unsigned int i;

	for (i = 0; i < s->nfree; i++) {
		uint64_t len = s->free[i].last - s->free[i].start;

		len = len == UINT64_MAX ? len : len + 1;
		if (len > best)
			best = len;
	}
	return best;
}

/* Room for the split an allocation may cause now, and for the extent its free will add later. */
static int reserve_slots(struct nvf_dma_iova *s)
{
	unsigned int need = s->nalloc + 1 + s->nvalid;

	if (need < s->nfree + 1)
		need = s->nfree + 1;
	return grow(s, need);
}

/* Carve [start, start + size) out of extent @i, which contains it. */
static void take(struct nvf_dma_iova *s, unsigned int i, uint64_t start, uint64_t size)
{
	struct nvf_iommu_range *e = &s->free[i];
	uint64_t last = start + (size - 1);

	if (start == e->start && last == e->last) {
		memmove(e, e + 1, (s->nfree - i - 1) * sizeof(*e));
		s->nfree--;
	} else if (start == e->start) {
		e->start = last + 1;
	} else if (last == e->last) {
		e->last = start - 1;
	} else {
		memmove(e + 2, e + 1, (s->nfree - i - 1) * sizeof(*e));
		e[1].start = last + 1;
		e[1].last = e->last;
		e->last = start - 1;
		s->nfree++;
	}
	s->nalloc++;
}

int nvf_dma_iova_alloc(struct nvf_dma_iova *s, uint64_t size, uint64_t align, uint64_t phase,
		       uint64_t *iova)
{
	unsigned int i;

	if (size == 0 || align == 0 || (align & (align - 1)) || phase >= align)
		return nvf_err(-EINVAL, "bad IOVA request: %llu bytes, alignment %llu, phase %llu",
			       (unsigned long long)size, (unsigned long long)align,
			       (unsigned long long)phase);
	if (reserve_slots(s) < 0)
		return nvf_err(-ENOMEM, "out of memory for the IOVA allocator");

	for (i = 0; i < s->nfree; i++) {
		const struct nvf_iommu_range *e = &s->free[i];
		uint64_t start = (e->start & ~(align - 1)) + phase;

		if (start < e->start) {
			if (start > UINT64_MAX - align)
				continue;
			start += align;
		}
		if (start > e->last || size - 1 > e->last - start)
			continue;
		take(s, i, start, size);
		*iova = start;
		return 0;
	}
	return nvf_err(
	    -NVFIO_ENOIOVA,
	    "IOVA space exhausted: no free range of %llu bytes aligned to %llu bytes is left "
	    "in the IOMMU's valid ranges (largest free extent: %llu bytes, %u extents); "
	    "free or unregister DMA memory first",
	    (unsigned long long)size, (unsigned long long)align,
	    (unsigned long long)nvf_dma_iova_largest(s), s->nfree);
}

int nvf_dma_iova_reserve(struct nvf_dma_iova *s, uint64_t iova, uint64_t size)
{
	unsigned int lo = 0, hi = s->nfree;

	if (size == 0 || size - 1 > UINT64_MAX - iova)
		return -EBUSY;
	/* The last extent starting at or below @iova is the only one that can contain it. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (s->free[mid].start <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || iova + (size - 1) > s->free[lo - 1].last)
		return -EBUSY;
	if (reserve_slots(s) < 0)
		return -ENOMEM;
	take(s, lo - 1, iova, size);
	return 0;
}

void nvf_dma_iova_free(struct nvf_dma_iova *s, uint64_t iova, uint64_t size)
{
	uint64_t last = iova + (size - 1);
	unsigned int lo = 0, hi = s->nfree;
	struct nvf_iommu_range *prev, *next;
	bool join_prev, join_next;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (s->free[mid].start < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	prev = lo > 0 ? &s->free[lo - 1] : NULL;
	next = lo < s->nfree ? &s->free[lo] : NULL;
	join_prev = prev && prev->last + 1 == iova;
	join_next = next && last != UINT64_MAX && last + 1 == next->start;

	if (join_prev && join_next) {
		prev->last = next->last;
		memmove(next, next + 1, (s->nfree - lo - 1) * sizeof(*next));
		s->nfree--;
	} else if (join_prev) {
		prev->last = last;
	} else if (join_next) {
		next->start = iova;
	} else {
		/* reserve_slots() at allocation time guarantees the room. */
		memmove(&s->free[lo + 1], &s->free[lo], (s->nfree - lo) * sizeof(*s->free));
		s->free[lo].start = iova;
		s->free[lo].last = last;
		s->nfree++;
	}
	s->nalloc--;
}
