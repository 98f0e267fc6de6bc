/* SPDX-License-Identifier: BSD-3-Clause */
/* The IOVA allocator: valid ranges honoured, page 0 avoided, alignment, exhaustion, reuse. */
#include <errno.h>
#include <stdint.h>

#include "common/test.h"
#include "dma/iova.h"

#define K4 4096ull
#define M2 (2ull << 20)

static bool in_ranges(const struct nvf_iommu_range *r, unsigned int n, uint64_t iova, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (iova >= r[i].start && iova + (len - 1) <= r[i].last)
			return true;
	return false;
}

static void test_page0_and_whole_space(void)
{
	struct nvf_dma_iova s;
	uint64_t iova;

	CHECK_OK(nvf_dma_iova_init(&s, NULL, 0, K4));
	CHECK_OK(nvf_dma_iova_alloc(&s, K4, K4, 0, &iova));
	CHECK(iova == K4);
	CHECK(s.total == UINT64_MAX - K4 + 1);
	nvf_dma_iova_free(&s, iova, K4);
	CHECK(s.nfree == 1 && s.free[0].start == K4 && s.free[0].last == UINT64_MAX);
	nvf_dma_iova_fini(&s);

	/* A range that lies entirely in page 0 leaves nothing. */
	struct nvf_iommu_range r0 = {0, K4 - 1};
	CHECK_ERR(nvf_dma_iova_init(&s, &r0, 1, K4), -NVFIO_ENOIOVA);
	CHECK(strstr(nvfio_last_error(), "no usable IOVA range"));
}

static void test_ranges_exhaustion_reuse(void)
{
	/* Deliberately unsorted and overlapping. */
	struct nvf_iommu_range r[3] = {{0x40000, 0x4ffff}, {0x0, 0x1ffff}, {0x18000, 0x1ffff}};
	struct nvf_dma_iova s;
	uint64_t got[64], iova;
	unsigned int i, n = 0;

	CHECK_OK(nvf_dma_iova_init(&s, r, 3, K4));
	CHECK(s.nfree == 2);
	CHECK(s.free[0].start == K4 && s.free[0].last == 0x1ffff);
	CHECK(s.total == 0x1f000 + 0x10000);

	while (nvf_dma_iova_alloc(&s, K4, K4, 0, &iova) == 0) {
		CHECK(n < 64);
		CHECK(in_ranges(r, 3, iova, K4) && iova >= K4);
		for (i = 0; i < n; i++)
			CHECK(got[i] != iova);
		got[n++] = iova;
	}
	CHECK(n == 31 + 16);
	CHECK_ERR(nvf_dma_iova_alloc(&s, K4, K4, 0, &iova), -NVFIO_ENOIOVA);
	CHECK(strstr(nvfio_last_error(), "IOVA space exhausted"));
	CHECK(s.nfree == 0);

	/* A freed range is what the next allocation gets. */
	nvf_dma_iova_free(&s, got[20], K4);
	CHECK_OK(nvf_dma_iova_alloc(&s, K4, K4, 0, &iova));
	CHECK(iova == got[20]);

	/* Fragmentation: two free pages that are not adjacent do not make an 8 KiB range. */
	nvf_dma_iova_free(&s, got[3], K4);
	nvf_dma_iova_free(&s, got[5], K4);
	CHECK_ERR(nvf_dma_iova_alloc(&s, 2 * K4, K4, 0, &iova), -NVFIO_ENOIOVA);
	nvf_dma_iova_free(&s, got[4], K4);
	CHECK(s.nfree == 1);
	CHECK_OK(nvf_dma_iova_alloc(&s, 3 * K4, K4, 0, &iova));
	CHECK(iova == got[3]);
	nvf_dma_iova_free(&s, iova, 3 * K4);

	/* Everything back: the extents coalesce into the two valid ranges again. */
	for (i = 0; i < n; i++)
		if (i < 3 || i > 5)
			nvf_dma_iova_free(&s, got[i], K4);
	CHECK(s.nfree == 2 && s.nalloc == 0);
	CHECK(s.free[0].start == K4 && s.free[0].last == 0x1ffff);
	CHECK(s.free[1].start == 0x40000 && s.free[1].last == 0x4ffff);
	CHECK(nvf_dma_iova_largest(&s) == 0x1f000);
	nvf_dma_iova_fini(&s);
}

static void test_alignment(void)
{
	struct nvf_iommu_range r[2] = {{0x1000, 0x3fffff}, {0x10001000, 0x20000fff}};
	struct nvf_dma_iova s;
	uint64_t a, b, c;

	CHECK_OK(nvf_dma_iova_init(&s, r, 2, K4));
	CHECK_OK(nvf_dma_iova_alloc(&s, M2, M2, 0, &a));
	CHECK(a == M2); /* the first 2 MiB boundary at or above 0x1000 */
	CHECK_OK(nvf_dma_iova_alloc(&s, M2, M2, 0, &b));
	CHECK(b % M2 == 0 && b >= 0x10001000 && b + M2 - 1 <= 0x20000fff);
	/* A phase: the IOVA keeps the vaddr's offset in a 2 MiB page. */
	CHECK_OK(nvf_dma_iova_alloc(&s, 3 * K4, M2, 0x5000, &c));
	CHECK(c % M2 == 0x5000 && c < M2);
	/* Alignment the ranges cannot satisfy. */
	CHECK_ERR(nvf_dma_iova_alloc(&s, K4, 1ull << 40, 0, &c), -NVFIO_ENOIOVA);
	/* Bad requests. */
	CHECK_ERR(nvf_dma_iova_alloc(&s, K4, 3 * K4, 0, &c), -EINVAL);
	CHECK_ERR(nvf_dma_iova_alloc(&s, 0, K4, 0, &c), -EINVAL);
	nvf_dma_iova_fini(&s);
}

static void test_top_of_space_and_reserve(void)
{
	struct nvf_iommu_range r = {UINT64_MAX - 4 * M2 + 1, UINT64_MAX};
	struct nvf_dma_iova s;
	uint64_t a, b;

	CHECK_OK(nvf_dma_iova_init(&s, &r, 1, K4));
	CHECK_OK(nvf_dma_iova_alloc(&s, 4 * M2, M2, 0, &a));
	CHECK(a == r.start && s.nfree == 0);
	nvf_dma_iova_free(&s, a, 4 * M2);
	CHECK(s.nfree == 1 && s.free[0].last == UINT64_MAX);

	b = UINT64_MAX - M2 + 1;
	CHECK_OK(nvf_dma_iova_reserve(&s, b, M2));
	CHECK_ERR(nvf_dma_iova_reserve(&s, b, M2), -EBUSY);
	CHECK_ERR(nvf_dma_iova_reserve(&s, b - K4, 2 * K4), -EBUSY);
	CHECK_ERR(nvf_dma_iova_reserve(&s, b, 2 * M2), -EBUSY); /* wraps */
	CHECK_OK(nvf_dma_iova_reserve(&s, r.start + K4, K4));	/* splits the extent */
	CHECK(s.nfree == 2);
	nvf_dma_iova_free(&s, b, M2);
	nvf_dma_iova_free(&s, r.start + K4, K4);
	CHECK(s.nfree == 1 && s.free[0].start == r.start && s.free[0].last == UINT64_MAX);
	nvf_dma_iova_fini(&s);
}

/* Random allocations and frees against a shadow map of the pages. */
static void test_random(void)
{
	enum { PAGES = 1024, LIVE = 200 };
	struct nvf_iommu_range r[3] = {{0, 0xfffff}, {0x200000, 0x2fffff}, {0x380000, 0x3fffff}};
	static unsigned char used[PAGES];
	struct {
		uint64_t iova, len;
	} live[LIVE];
	struct nvf_dma_iova s;
	unsigned int i, nlive = 0, seed = 1;
	uint64_t p;

	CHECK_OK(nvf_dma_iova_init(&s, r, 3, K4));
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		if (nlive < LIVE && (seed >> 16) % 3) {
			uint64_t len = ((seed >> 8) % 8 + 1) * K4, align = K4 << ((seed >> 4) % 3);
			uint64_t iova;
			int ret = nvf_dma_iova_alloc(&s, len, align, 0, &iova);

			if (ret == -NVFIO_ENOIOVA)
				continue;
			CHECK_OK(ret);
			CHECK(iova % align == 0 && iova >= K4 && in_ranges(r, 3, iova, len));
			for (p = iova / K4; p < (iova + len) / K4; p++) {
				CHECK(p < PAGES && !used[p]);
				used[p] = 1;
			}
			live[nlive].iova = iova;
			live[nlive++].len = len;
		} else if (nlive) {
			unsigned int k = (seed >> 16) % nlive;

			nvf_dma_iova_free(&s, live[k].iova, live[k].len);
			for (p = live[k].iova / K4; p < (live[k].iova + live[k].len) / K4; p++)
				used[p] = 0;
			live[k] = live[--nlive];
		}
		CHECK(s.nfree <= s.cap);
	}
	while (nlive) {
		nvf_dma_iova_free(&s, live[nlive - 1].iova, live[nlive - 1].len);
		nlive--;
	}
	CHECK(s.nfree == 3 && s.nalloc == 0);
	nvf_dma_iova_fini(&s);
}

int main(void)
{
	test_page0_and_whole_space();
	test_ranges_exhaustion_reuse();
	test_alignment();
	test_top_of_space_and_reserve();
	test_random();
	printf("PASS\n");
	return T_EXIT_PASS;
}
