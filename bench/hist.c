// SPDX-License-Identifier: BSD-3-Clause
#include <math.h>
#include <string.h>

#include "hist.h"

void nvb_hist_reset(struct nvb_hist *h)
{
	memset(h, 0, sizeof(*h));
}

uint64_t nvb_hist_count(const struct nvb_hist *h)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < NVB_HIST_BUCKETS; i++)
		n += h->count[i];
	return n;
}

void nvb_hist_finish(struct nvb_hist *h)
{
	h->n = nvb_hist_count(h);
}

void nvb_hist_merge(struct nvb_hist *dst, const struct nvb_hist *src)
{
	for (unsigned i = 0; i < NVB_HIST_BUCKETS; i++)
		dst->count[i] += src->count[i];
	dst->n += src->n;
	dst->sum1 += src->sum1;
}

void nvb_hist_bucket(unsigned idx, uint64_t *lo, uint64_t *hi)
{
	unsigned e = idx >> NVB_HIST_SUB_BITS, m = idx & (NVB_HIST_SUB - 1);

	/* The bucket holds the v whose v + 1 lies in [(64 + m) 2^e / 64, (65 + m) 2^e / 64). */
	if (e >= NVB_HIST_SUB_BITS) {
		*lo = ((uint64_t)(NVB_HIST_SUB + m) << (e - NVB_HIST_SUB_BITS)) - 1;
		*hi = ((uint64_t)(NVB_HIST_SUB + m + 1) << (e - NVB_HIST_SUB_BITS)) - 1;
	} else {
		*lo = ((((uint64_t)(NVB_HIST_SUB + m) << e) + NVB_HIST_SUB - 1) >>
		       NVB_HIST_SUB_BITS) -
		      1;
		*hi = ((((uint64_t)(NVB_HIST_SUB + m + 1) << e) + NVB_HIST_SUB - 1) >>
		       NVB_HIST_SUB_BITS) -
		      1;
	}
}

uint64_t nvb_hist_min(const struct nvb_hist *h)
{
	uint64_t lo, hi;

	for (unsigned i = 0; i < NVB_HIST_BUCKETS; i++) {
		if (h->count[i]) {
			nvb_hist_bucket(i, &lo, &hi);
			return lo;
		}
	}
	return 0;
}

uint64_t nvb_hist_max(const struct nvb_hist *h)
{
	uint64_t lo, hi;

	for (unsigned i = NVB_HIST_BUCKETS; i-- > 0;) {
		if (h->count[i]) {
			nvb_hist_bucket(i, &lo, &hi);
			return hi - 1;
		}
	}
	return 0;
}

static double midpoint(unsigned idx)
{
	uint64_t lo, hi;

	nvb_hist_bucket(idx, &lo, &hi);
	return ((double)lo + (double)(hi - 1)) / 2.0;
}

uint64_t nvb_hist_percentile(const struct nvb_hist *h, double p)
{
	uint64_t rank, seen = 0, lo, hi;
	unsigned i;

	if (!h->n)
		return 0;
	if (p <= 0.0)
		return nvb_hist_min(h);
	rank = (uint64_t)ceil(p / 100.0 * (double)h->n);
	if (rank < 1)
		rank = 1;
	if (rank > h->n)
		rank = h->n;
	for (i = 0; i < NVB_HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank)
			break;
	}
	if (i == NVB_HIST_BUCKETS)
		return nvb_hist_max(h);
	nvb_hist_bucket(i, &lo, &hi);
	return lo + (hi - 1 - lo) / 2;
}

double nvb_hist_mean(const struct nvb_hist *h)
{
	return h->n ? (double)(h->sum1 - h->n) / (double)h->n : 0.0;
}

double nvb_hist_stdev(const struct nvb_hist *h)
{
	double mean = 0.0, acc = 0.0;

	if (h->n < 2)
		return 0.0;
	/* Around the buckets' own mean, so that samples sharing a bucket deviate by nothing. */
	for (unsigned i = 0; i < NVB_HIST_BUCKETS; i++)
		if (h->count[i])
			mean += midpoint(i) * (double)h->count[i];
	mean /= (double)h->n;
	for (unsigned i = 0; i < NVB_HIST_BUCKETS; i++) {
		double d;
		if (!h->count[i])
			continue;
		d = midpoint(i) - mean;
		acc += d * d * (double)h->count[i];
	}
	return sqrt(acc / (double)(h->n - 1));
}
