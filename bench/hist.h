/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_HIST_H
#define NVFIO_BENCH_HIST_H

/*
 * Latency histogram, log-linear: every power of two [2^k, 2^(k+1)) is split into 64 equal
 * buckets, so a bucket is never wider than 1/64 of its lower bound and any percentile read from
 * it is within 0.8% of the exact one; values below 127 each have a bucket of their own. The same
 * idea as fio's and HdrHistogram's.
 *
 * The bucket of v is read off the double v + 1: its exponent is the power of two, the top 6 bits
 * of its mantissa the bucket within it. Adding a sample is a conversion, a shift, a count and
 * the sum (the bias of the exponent folds into the count's address): no branch, no allocation.
 * The sum is of v + 1, which the bucket needs anyway. The number of samples is not kept per
 * sample: nvb_hist_finish() counts the buckets once when adding is over. The unit is the caller's
 * (nvfio-perf keeps clock ticks and converts when it reports).
 *
 * Values must be below 2^63, and are bucketed exactly below 2^53 (above, the conversion to
 * double may round a value into the next bucket: centuries of ticks). min and max are read from
 * the buckets: exact below 127, else within the bucket. The sum (for the exact mean) must fit in
 * 64 bits.
 */

#include <stdint.h>
#include <string.h>

#define NVB_HIST_SUB_BITS 6
#define NVB_HIST_SUB	  (1u << NVB_HIST_SUB_BITS)
/* 63 powers of two, and one bucket for values within rounding of 2^63. */
#define NVB_HIST_BUCKETS (63 * NVB_HIST_SUB + 1)

struct nvb_hist {
	uint64_t n;    /* samples, as of nvb_hist_finish() */
	uint64_t sum1; /* of v + 1 over the samples: the mean is sum1 / n - 1 */
	uint64_t count[NVB_HIST_BUCKETS];
};

/* The bucket of v, given v + 1 (>= 1). The index is computed in 64 bits so that the bias folds
 * into the address of count[] where the histogram's address is known. */
static inline uint64_t nvb_hist_index1(uint64_t v1)
{
	double d = (double)(int64_t)v1;
	uint64_t bits;

	memcpy(&bits, &d, sizeof(bits));
	/* Exponent (biased by 1023) and the mantissa's top bits, above the other 52 - 6. */
	return (bits >> (52 - NVB_HIST_SUB_BITS)) - ((uint64_t)1023 << NVB_HIST_SUB_BITS);
}

static inline unsigned nvb_hist_index(uint64_t v)
{
	return (unsigned)nvb_hist_index1(v + 1);
}

/* Add the sample v, given as v + 1: for callers that can have the + 1 for free (nvfio-perf
 * stamps an I/O's start one tick early). */
static inline void nvb_hist_add1(struct nvb_hist *h, uint64_t v1)
{
	h->count[nvb_hist_index1(v1)]++;
	h->sum1 += v1;
}

static inline void nvb_hist_add(struct nvb_hist *h, uint64_t v)
{
	nvb_hist_add1(h, v + 1);
}

/* Empty the histogram. */
void nvb_hist_reset(struct nvb_hist *h);

/* The number of samples, counted from the buckets. */
uint64_t nvb_hist_count(const struct nvb_hist *h);

/* Set n from the buckets: call when adding is over, before reading the histogram. */
void nvb_hist_finish(struct nvb_hist *h);

/* Add every sample of @src to @dst (both finished, or both not). */
void nvb_hist_merge(struct nvb_hist *dst, const struct nvb_hist *src);

/* [lo, hi) of bucket @idx; lo == hi for the buckets below 64 that no integer falls in. */
void nvb_hist_bucket(unsigned idx, uint64_t *lo, uint64_t *hi);

/*
 * nvb_hist_percentile() - the value at percentile @p (0 < p <= 100): the sample of rank
 * ceil(p/100 * n) in sorted order, as its bucket's midpoint (exact below 127). 0 when empty.
 */
uint64_t nvb_hist_percentile(const struct nvb_hist *h, double p);

/* Smallest and largest sample: the low end of the first bucket used, the high end of the last. */
uint64_t nvb_hist_min(const struct nvb_hist *h);
uint64_t nvb_hist_max(const struct nvb_hist *h);

/* Mean (exact) and standard deviation (from the buckets' midpoints); 0 when empty. */
double nvb_hist_mean(const struct nvb_hist *h);
double nvb_hist_stdev(const struct nvb_hist *h);

#endif /* NVFIO_BENCH_HIST_H */
