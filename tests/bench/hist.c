// SPDX-License-Identifier: BSD-3-Clause
/*
 * The latency histogram against a sorted-array reference: every percentile fio reports, for
 * several distributions, within the bucket width (1/64 of the value); mean exact; count, merge,
 * min and max.
 */

#include <math.h>

#include <unistd.h>

#include "common/test.h"
#include "support/compiler.h"
#include "hist.h"

#define N 200000

static uint64_t state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1Dull;
}

static double uniform(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const double pcts[] = {1,  5,  10, 20, 30,   40,	  50,	 60,	70,
			      80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

static void check_against_sorted(const char *what, uint64_t *v, size_t n)
{
	struct nvb_hist *h = calloc(1, sizeof(*h));
	long double sum = 0;

	CHECK(h);
	nvb_hist_reset(h);
	for (size_t i = 0; i < n; i++) {
		nvb_hist_add(h, v[i]);
		sum += v[i];
	}
	nvb_hist_finish(h);
	qsort(v, n, sizeof(*v), cmp);
	CHECK(h->n == n && nvb_hist_count(h) == n);
	CHECK(fabs(nvb_hist_mean(h) - (double)(sum / n)) <= 1e-6 * (double)(sum / n) + 1e-9);

	for (size_t i = 0; i < ARRAY_SIZE(pcts); i++) {
		/* Nearest rank: the smallest value with at least p% of the samples at or below. */
		size_t rank = (size_t)ceil(pcts[i] / 100.0 * (double)n);
		uint64_t exact = v[(rank ? rank : 1) - 1];
		uint64_t got = nvb_hist_percentile(h, pcts[i]);
		double tol = exact < 128 ? 0.0 : (double)exact / 64.0;

		if (fabs((double)got - (double)exact) > tol) {
			fprintf(stderr, "%s: p%g = %llu, exact %llu (tolerance %.1f)\n", what,
				pcts[i], (unsigned long long)got, (unsigned long long)exact, tol);
			exit(T_EXIT_FAIL);
		}
	}
	/* min and max: the ends of their buckets. */
	CHECK(nvb_hist_min(h) <= v[0] && v[0] - nvb_hist_min(h) <= v[0] / 64);
	CHECK(nvb_hist_max(h) >= v[n - 1] && nvb_hist_max(h) - v[n - 1] <= v[n - 1] / 64 + 1);
	/* The standard deviation from the buckets, against the exact one. */
	{
		long double m = sum / n, acc = 0;
		for (size_t i = 0; i < n; i++)
			acc += ((long double)v[i] - m) * ((long double)v[i] - m);
		double sd = sqrt((double)(acc / (n - 1)));
		CHECK(fabs(nvb_hist_stdev(h) - sd) <= 0.02 * sd + 1.0);
	}
	free(h);
}

static void test_buckets(void)
{
	uint64_t lo, hi, prev_hi = 0;

	/* Buckets tile the values without gaps (skipping those no integer falls in), each within
	 * 1/64 of its lower bound, exactly up to 2^53. */
	for (unsigned i = 0; i < NVB_HIST_BUCKETS; i++) {
		nvb_hist_bucket(i, &lo, &hi);
		if (lo == hi)
			continue;
		CHECK(lo == prev_hi);
		CHECK(hi > lo);
		CHECK(lo < 127 ? hi - lo == 1 : hi - lo <= (lo + 1) / 64 + 1);
		if (hi < (1ull << 53)) {
			CHECK(nvb_hist_index(lo) == i && nvb_hist_index(hi - 1) == i);
		}
		prev_hi = hi;
	}
	CHECK(prev_hi == (65ull << 57) - 1);
	CHECK(nvb_hist_index(0) == 0);
	for (uint64_t v = 0; v < 127; v++) {
		nvb_hist_bucket(nvb_hist_index(v), &lo, &hi);
		CHECK(lo == v && hi == v + 1);
	}
	CHECK(nvb_hist_index((1ull << 63) - 2) == NVB_HIST_BUCKETS - 1);
}

int main(void)
{
	uint64_t *v = malloc(N * sizeof(*v));
	struct nvb_hist *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));

	CHECK(v && a && b);
	test_buckets();

	for (size_t i = 0; i < N; i++)
		v[i] = rnd() % 100; /* small values: exact buckets */
	check_against_sorted("small", v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = 1000 + rnd() % 1000000;
	check_against_sorted("uniform", v, N);
	for (size_t i = 0; i < N; i++) /* lognormal, like device latency: a long tail */
		v[i] = (uint64_t)exp(9.0 + 0.8 * sqrt(-2.0 * log(uniform() + 1e-300)) *
					       cos(6.283185307179586 * uniform()));
	check_against_sorted("lognormal", v, N);
	for (size_t i = 0; i < N; i++) /* bimodal: cache hits and misses */
		v[i] = (rnd() & 7) ? 2000 + rnd() % 200 : 90000 + rnd() % 30000;
	check_against_sorted("bimodal", v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = rnd() >> (24 + rnd() % 40); /* every magnitude up to 2^40 */
	check_against_sorted("wide", v, N);
	for (size_t i = 0; i < 1000; i++)
		v[i] = 5000;
	check_against_sorted("constant", v, 1000);

	/* Merge: the same as adding everything to one. */
	nvb_hist_reset(a);
	nvb_hist_reset(b);
	for (size_t i = 0; i < N; i++)
		nvb_hist_add(i % 3 ? a : b, 100 + i);
	nvb_hist_finish(a);
	nvb_hist_finish(b);
	nvb_hist_merge(a, b);
	CHECK(a->n == N && nvb_hist_count(a) == N);
	CHECK(fabs(nvb_hist_mean(a) - (100.0 + (N - 1) / 2.0)) < 1e-6);
	CHECK(nvb_hist_percentile(a, 50) > 100 + N / 2 - N / 64 &&
	      nvb_hist_percentile(a, 50) < 100 + N / 2 + N / 64);

	/* Adding v + 1 (as the job loop does) is adding v: same buckets, same mean, 0 included. */
	nvb_hist_reset(a);
	nvb_hist_reset(b);
	for (size_t i = 0; i < N; i++) {
		/* Below 2^63, as the histogram takes (hist.h). */
		uint64_t x = i < 100 ? i : (rnd() >> 1) >> (rnd() % 60);

		nvb_hist_add(a, x);
		nvb_hist_add1(b, x + 1);
	}
	nvb_hist_finish(a);
	nvb_hist_finish(b);
	CHECK(!memcmp(a, b, sizeof(*a)) && a->count[0] >= 1);
	CHECK(nvb_hist_mean(a) == nvb_hist_mean(b));

	/* Empty. */
	nvb_hist_reset(b);
	nvb_hist_finish(b);
	CHECK(nvb_hist_percentile(b, 99) == 0 && nvb_hist_mean(b) == 0 && nvb_hist_stdev(b) == 0);
	CHECK(nvb_hist_min(b) == 0 && nvb_hist_max(b) == 0);

	free(v);
	free(a);
	free(b);
	printf("hist: all checks passed\n");
	return T_EXIT_PASS;
}
