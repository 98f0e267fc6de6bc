/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_HIST_H
#define NVFIO_BENCH_HIST_H

/*
 * Latency histogram, log-linear: values below 128 ns each have their own bucket; above, every
 * power of two [2^k, 2^(k+1)) is split into 64 equal buckets, so a bucket is never wider than
 * 1/64 of its lower bound and any percentile read from it is within 0.8% of the exact one. The
 * same idea as fio's and HdrHistogram's. Adding a sample is a count, a bucket index from the
 * position of the highest set bit, and the min/max/sum; no branch on the value's range beyond
 * a clamp, no allocation.
 *
 * Values are ns up to 2^40 (about 18 minutes); larger ones land in the last bucket (min and max
 * stay exact).
 */

#include <stdint.h>

#define NVB_HIST_SUB_BITS 6
#define NVB_HIST_SUB	  (1u << NVB_HIST_SUB_BITS)
#define NVB_HIST_MAX_BITS 40
#define NVB_HIST_LIMIT	  (1ull << NVB_HIST_MAX_BITS)
#define NVB_HIST_BUCKETS  ((NVB_HIST_MAX_BITS - NVB_HIST_SUB_BITS + 1) * NVB_HIST_SUB)

struct nvb_hist {
	uint64_t n;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t count[NVB_HIST_BUCKETS];
};

static inline unsigned nvb_hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v >= NVB_HIST_LIMIT)
		v = NVB_HIST_LIMIT - 1;
	msb = 63u - (unsigned)__builtin_clzll(v | 1);
	shift = msb > NVB_HIST_SUB_BITS ? msb - NVB_HIST_SUB_BITS : 0;
	return (shift << NVB_HIST_SUB_BITS) + (unsigned)(v >> shift);
}

static inline void nvb_hist_add(struct nvb_hist *h, uint64_t v)
{
	h->count[nvb_hist_index(v)]++;
	h->n++;
	h->sum += v;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
}

/* Empty the histogram. */
void nvb_hist_reset(struct nvb_hist *h);

/* Add every sample of @src to @dst. */
void nvb_hist_merge(struct nvb_hist *dst, const struct nvb_hist *src);

/* [lo, hi) of bucket @idx. */
void nvb_hist_bucket(unsigned idx, uint64_t *lo, uint64_t *hi);

/*
 * nvb_hist_percentile() - the value at percentile @p (0 < p <= 100): the sample of rank
 * ceil(p/100 * n) in sorted order, as its bucket's midpoint clamped to [min, max]. 0 when empty.
 */
uint64_t nvb_hist_percentile(const struct nvb_hist *h, double p);

/* Mean (exact) and standard deviation (from the buckets' midpoints); 0 when empty. */
double nvb_hist_mean(const struct nvb_hist *h);
double nvb_hist_stdev(const struct nvb_hist *h);

#endif /* NVFIO_BENCH_HIST_H */
