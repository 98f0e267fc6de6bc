/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_HIST_H
#define NVFIO_BENCH_HIST_H

/*
 * Latency histogram, log-linear: values below 128 each have their own bucket; above, every power
 * of two [2^k, 2^(k+1)) is split into 64 equal buckets, so a bucket is never wider than 1/64 of
 * its lower bound and any percentile read from it is within 0.8% of the exact one. The same idea
 * as fio's and HdrHistogram's. The buckets cover every 64-bit value, so adding a sample is a
 * bucket index from the position of the highest set bit, a count, and the sum: no clamp, no
 * compare, no allocation. The number of samples is not kept per sample: nvb_hist_finish() counts
 * the buckets once when adding is over. The unit is the caller's (nvfio-perf keeps clock ticks
 * and converts when it reports).
 *
 * min and max are read from the buckets: exact below 128, else within the bucket (1/64). The sum
 * (for the exact mean) must fit in 64 bits: centuries of clock ticks.
 */

#include <stdint.h>

#define NVB_HIST_SUB_BITS 6
#define NVB_HIST_SUB	  (1u << NVB_HIST_SUB_BITS)
#define NVB_HIST_BUCKETS  ((64 - NVB_HIST_SUB_BITS + 1) * NVB_HIST_SUB)

struct nvb_hist {
	uint64_t n; /* samples, as of nvb_hist_finish() */
	uint64_t sum;
	uint64_t count[NVB_HIST_BUCKETS];
};

static inline unsigned nvb_hist_index(uint64_t v)
{
	/* msb >= 6: values below 128 get shift 0 and a bucket of their own. */
	unsigned shift =
	    (63u - (unsigned)__builtin_clzll(v | (2 * NVB_HIST_SUB - 1))) - NVB_HIST_SUB_BITS;

	return (shift << NVB_HIST_SUB_BITS) + (unsigned)(v >> shift);
}

static inline void nvb_hist_add(struct nvb_hist *h, uint64_t v)
{
	h->count[nvb_hist_index(v)]++;
	h->sum += v;
}

/* Empty the histogram. */
void nvb_hist_reset(struct nvb_hist *h);

/* The number of samples, counted from the buckets. */
uint64_t nvb_hist_count(const struct nvb_hist *h);

/* Set n from the buckets: call when adding is over, before reading the histogram. */
void nvb_hist_finish(struct nvb_hist *h);

/* Add every sample of @src to @dst (both finished, or both not). */
void nvb_hist_merge(struct nvb_hist *dst, const struct nvb_hist *src);

/* [lo, hi) of bucket @idx. */
void nvb_hist_bucket(unsigned idx, uint64_t *lo, uint64_t *hi);

/*
 * nvb_hist_percentile() - the value at percentile @p (0 < p <= 100): the sample of rank
 * ceil(p/100 * n) in sorted order, as its bucket's midpoint (exact below 128). 0 when empty.
 */
uint64_t nvb_hist_percentile(const struct nvb_hist *h, double p);

/* Smallest and largest sample: the low end of the first bucket used, the high end of the last. */
uint64_t nvb_hist_min(const struct nvb_hist *h);
uint64_t nvb_hist_max(const struct nvb_hist *h);

/* Mean (exact) and standard deviation (from the buckets' midpoints); 0 when empty. */
double nvb_hist_mean(const struct nvb_hist *h);
double nvb_hist_stdev(const struct nvb_hist *h);

#endif /* NVFIO_BENCH_HIST_H */
