/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DMA space over a fake type1v2 IOMMU and over the soft backend: registration, merging,
 * lookup, unregistration, overlaps, mapping and IOVA limits, allocation, and that nothing is
 * left mapped afterwards.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/test.h"
#include "fake_iommu.h"

#define P 4096ul

/* Address space to register from: registration does not touch memory with these backends,
 * but the addresses are real so that nothing else can be there, and mapped readable and
 * writable so that the soft backend takes them. */
static char *arena;
#define ARENA_LEN (64ul << 20)

static void *at(size_t off)
{
	return arena + off;
}

static uint64_t iova_of(struct nvfio_dma *dma, const void *p, size_t len)
{
	uint64_t iova = UINT64_MAX;

	if (nvfio_dma_iova(dma, p, len, &iova) < 0)
		return UINT64_MAX;
	return iova;
}

static void test_register_merge_unregister(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 0);
	struct nvfio_dma *dma;
	uint64_t a, b;

	CHECK_OK(nvf_dma_create(&io, &dma));

	CHECK_OK(nvfio_dma_register(dma, at(0), 4 * P));
	a = iova_of(dma, at(0), 4 * P);
	CHECK(a != UINT64_MAX && a != 0 && a % P == 0);
	CHECK(fake_has(&f, a, 4 * P, at(0)));
	/* Adjacent: its own mapping, but one table entry and a contiguous IOVA range. */
	CHECK_OK(nvfio_dma_register(dma, at(4 * P), 2 * P));
	b = iova_of(dma, at(4 * P), 2 * P);
	CHECK(b == a + 4 * P);
	CHECK(f.nmaps == 2 && fake_has(&f, b, 2 * P, at(4 * P)));
	CHECK(nvf_dma_nmappings(dma) == 2 && nvf_dma_nentries(dma) == 1);
	CHECK(iova_of(dma, at(3 * P), 2 * P) == a + 3 * P);
	CHECK(iova_of(dma, at(5 * P), 2 * P) == UINT64_MAX);
	/* Adjacent in front, where the IOVA in front is free (the first registration leaves a
	 * hole there). */
	CHECK_OK(nvfio_dma_register(dma, at(30 * P), P));
	CHECK_OK(nvfio_dma_register(dma, at(16 * P), P));
	CHECK_OK(nvfio_dma_unregister(dma, at(30 * P), P));
	CHECK_OK(nvfio_dma_register(dma, at(15 * P), P));
	CHECK(iova_of(dma, at(15 * P), 2 * P) != UINT64_MAX);
	CHECK(nvf_dma_nentries(dma) == 2);

	/* Overlaps are refused, whatever their shape. */
	CHECK_ERR(nvfio_dma_register(dma, at(0), 4 * P), -EEXIST);
	CHECK_ERR(nvfio_dma_register(dma, at(2 * P), P), -EEXIST);
	CHECK_ERR(nvfio_dma_register(dma, at(5 * P), 4 * P), -EEXIST);
	CHECK(strstr(nvfio_last_error(), "overlaps the registration"));
	CHECK_ERR(nvfio_dma_register(dma, at(14 * P), 8 * P), -EEXIST);
	/* Unaligned or empty. */
	CHECK_ERR(nvfio_dma_register(dma, at(100), P), -EINVAL);
	CHECK_ERR(nvfio_dma_register(dma, at(20 * P), 100), -EINVAL);
	CHECK_ERR(nvfio_dma_register(dma, at(20 * P), 0), -EINVAL);
	CHECK(f.nmaps == 4 && f.bad_calls == 0);

	/* Unregistration is exact. */
	CHECK_ERR(nvfio_dma_unregister(dma, at(0), 6 * P), -NVFIO_ENOTMAPPED);
	CHECK(strstr(nvfio_last_error(), "not exactly a registered range"));
	CHECK_ERR(nvfio_dma_unregister(dma, at(P), P), -NVFIO_ENOTMAPPED);
	CHECK_ERR(nvfio_dma_unregister(dma, at(31 * P), P), -NVFIO_ENOTMAPPED);
	CHECK(strstr(nvfio_last_error(), "not registered"));
	CHECK(f.nmaps == 4);

	/* Unregistering one of two merged registrations unmaps exactly its own mapping (the fake
	 * refuses to split one) and leaves the other translating as before. */
	CHECK_OK(nvfio_dma_unregister(dma, at(0), 4 * P));
	CHECK(f.nmaps == 3 && f.bad_calls == 0 && !fake_has(&f, a, 4 * P, at(0)));
	CHECK(iova_of(dma, at(0), 1) == UINT64_MAX);
	CHECK(strstr(nvfio_last_error(), "nvfio_dma_register"));
	CHECK(iova_of(dma, at(4 * P), 2 * P) == b);
	CHECK(nvf_dma_nentries(dma) == 2);
	CHECK_ERR(nvfio_dma_unregister(dma, at(0), 4 * P), -NVFIO_ENOTMAPPED);

	/* Its IOVA is reused. */
	CHECK_OK(nvfio_dma_register(dma, at(0), 4 * P));
	CHECK(iova_of(dma, at(0), 6 * P) == a);
	CHECK(nvf_dma_nentries(dma) == 2);

	/* Destroy with registrations left: every mapping is undone. */
	nvf_dma_destroy(dma);
	CHECK(f.nmaps == 0 && f.bad_calls == 0 && f.map_calls == f.unmap_calls);
}

static void test_large_pages_alignment(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 0);
	struct nvfio_dma *dma;
	char *p = (char *)(((uintptr_t)arena + (4ul << 20)) & ~((2ul << 20) - 1));

	CHECK_OK(nvf_dma_create(&io, &dma));
	/* A small registration first so that the next IOVA is not 2 MiB-aligned by chance. */
	CHECK_OK(nvfio_dma_register(dma, at(ARENA_LEN - P), P));
	/* 4 MiB at a 2 MiB-aligned address + 4 KiB: the IOVA has the same offset in its 2 MiB
	 * page as the vaddr, so the IOMMU can use 2 MiB pages for the aligned part. */
	CHECK_OK(nvfio_dma_register(dma, p + P, 4ul << 20));
	CHECK(iova_of(dma, p + P, 1) % (2ul << 20) == P);
	nvf_dma_destroy(dma);
	CHECK(f.nmaps == 0 && f.bad_calls == 0);
}

static void test_mapping_limit(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 8);
	struct nvfio_dma *dma;
	unsigned int i;

	CHECK_OK(nvf_dma_create(&io, &dma));
	for (i = 0; i < 8; i++)
		CHECK_OK(nvfio_dma_register(dma, at(2 * i * P), P));
	CHECK_ERR(nvfio_dma_register(dma, at(100 * P), P), -NVFIO_ENOMAPPINGS);
	CHECK(strstr(nvfio_last_error(), "8 mappings in use"));
	CHECK(strstr(nvfio_last_error(), "dma_entry_limit"));
	/* Adjacent registrations count too (each is its own mapping). */
	CHECK_ERR(nvfio_dma_register(dma, at(P), P), -NVFIO_ENOMAPPINGS);
	void *mem;
	CHECK_ERR(nvfio_dma_alloc(dma, P, 0, &mem), -NVFIO_ENOMAPPINGS);
	CHECK(f.nmaps == 8 && f.map_calls == 8);
	CHECK_OK(nvfio_dma_unregister(dma, at(0), P));
	CHECK_OK(nvfio_dma_register(dma, at(100 * P), P));
	nvf_dma_destroy(dma);
	CHECK(f.nmaps == 0 && f.bad_calls == 0);

	/* The kernel's own count is lower than what the space was told: its -ENOSPC reads the
	 * same, and the IOVA taken for the failed attempt goes back. */
	io = fake_iommu_init(&f, 0);
	f.limit = 2;
	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_OK(nvfio_dma_register(dma, at(0), P));
	CHECK_OK(nvfio_dma_register(dma, at(4 * P), P));
	CHECK_ERR(nvfio_dma_register(dma, at(8 * P), P), -NVFIO_ENOMAPPINGS);
	CHECK(strstr(nvfio_last_error(), "dma_entry_limit"));
	CHECK(iova_of(dma, at(8 * P), 1) == UINT64_MAX);
	nvf_dma_destroy(dma);
	CHECK(f.nmaps == 0 && f.bad_calls == 0);
}

static void test_iova_exhaustion_and_map_failure(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 0);
	struct nvfio_dma *dma;
	uint64_t first;

	/* 64 KiB of IOVA space, less page 0. */
	f.ranges[0] = (struct nvf_iommu_range){0, 0xffff};
	f.nranges = io.nranges = 1;
	CHECK_OK(nvf_dma_create(&io, &dma));
	/* The space copied the ranges: changing ours now must not matter. */
	f.ranges[0].last = 0xfffffff;
	f.ranges[0].last = 0xffff;
	CHECK_ERR(nvfio_dma_register(dma, at(0), 16 * P), -NVFIO_ENOIOVA);
	CHECK(strstr(nvfio_last_error(), "IOVA space exhausted"));
	CHECK(f.map_calls == 0);
	CHECK_OK(nvfio_dma_register(dma, at(0), 15 * P));
	first = iova_of(dma, at(0), 1);
	CHECK(first == P);
	CHECK_ERR(nvfio_dma_register(dma, at(20 * P), P), -NVFIO_ENOIOVA);
	CHECK_OK(nvfio_dma_unregister(dma, at(0), 15 * P));

	/* A backend failure leaves nothing behind and keeps its message. */
	f.fail_map = -EIO;
	CHECK_ERR(nvfio_dma_register(dma, at(0), 4 * P), -EIO);
	CHECK(strstr(nvfio_last_error(), "fake-type1v2"));
	CHECK(iova_of(dma, at(0), 1) == UINT64_MAX);
	CHECK(f.nmaps == 0);
	CHECK_OK(nvfio_dma_register(dma, at(0), 15 * P)); /* the whole space is free again */
	CHECK(iova_of(dma, at(0), 1) == first);

	/* A backend failing to unmap: the caller hears of it, the registration is gone, and its
	 * IOVAs are not handed out again while the IOMMU may still map them. */
	f.fail_unmap = -EIO;
	CHECK_ERR(nvfio_dma_unregister(dma, at(0), 15 * P), -EIO);
	CHECK(strstr(nvfio_last_error(), "unregistering"));
	CHECK(strstr(nvfio_last_error(), "stays reserved"));
	CHECK(iova_of(dma, at(0), 1) == UINT64_MAX);
	CHECK_ERR(nvfio_dma_unregister(dma, at(0), 15 * P), -NVFIO_ENOTMAPPED);
	CHECK_ERR(nvfio_dma_register(dma, at(0), P), -NVFIO_ENOIOVA);
	CHECK(nvf_dma_nmappings(dma) == 1 && f.nmaps == 1);
	nvf_dma_destroy(dma);
	/* The mapping the fake kept dies with its container, as in the kernel. */
	f.nmaps = 0;
	CHECK(f.bad_calls == 0);
}

static void test_alloc(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 0);
	struct nvfio_dma *dma;
	unsigned char *p, *q;
	uint64_t iova;
	size_t i;

	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_OK(nvfio_dma_alloc(dma, 3 * P + 1, 0, (void **)&p));
	CHECK((uintptr_t)p % P == 0);
	for (i = 0; i < 4 * P; i++)
		CHECK(p[i] == 0);
	memset(p, 0xa5, 4 * P);
	CHECK_OK(nvfio_dma_iova(dma, p + 4 * P - 1, 1, &iova));
	CHECK(fake_has(&f, iova - (4 * P - 1), 4 * P, p));
	CHECK(iova_of(dma, p + 4 * P, 1) == UINT64_MAX); /* rounded to pages, no further */
	CHECK_OK(nvfio_dma_alloc(dma, P, NVFIO_DMA_CONTIG, (void **)&q));
	CHECK(f.nmaps == 2);

	/* Registering or unregistering allocated memory is refused with a pointer to the API. */
	CHECK_ERR(nvfio_dma_register(dma, p, P), -EEXIST);
	CHECK(strstr(nvfio_last_error(), "DMA allocation"));
	CHECK_ERR(nvfio_dma_unregister(dma, p, 4 * P), -NVFIO_ENOTMAPPED);
	CHECK(strstr(nvfio_last_error(), "nvfio_dma_free"));
	CHECK_ERR(nvfio_dma_alloc(dma, 0, 0, (void **)&q), -EINVAL);
	CHECK_ERR(nvfio_dma_alloc(dma, P, 0x80, (void **)&q), -EINVAL);
	CHECK_ERR(nvfio_dma_alloc(dma, P, NVFIO_DMA_HUGE_2M | NVFIO_DMA_HUGE_1G, (void **)&q),
		  -EINVAL);
	CHECK(f.nmaps == 2);

	nvfio_dma_free(dma, p);
	CHECK(f.nmaps == 1 && iova_of(dma, p, 1) == UINT64_MAX);
	nvfio_dma_free(dma, p); /* twice: ignored, said why */
	CHECK(strstr(nvfio_last_error(), "not an address nvfio_dma_alloc() returned"));
	nvfio_dma_free(dma, NULL);
	CHECK(f.nmaps == 1);
	nvf_dma_destroy(dma); /* frees q */
	CHECK(f.nmaps == 0 && f.bad_calls == 0);
}

static void test_soft(void)
{
	struct nvf_iommu io = {.name = "soft"};
	struct nvfio_dma *dma;
	struct nvf_dma_cache cache;
	uint64_t a, b, iova;
	char *mem;

	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_OK(nvfio_dma_register(dma, at(0), 4 * P));
	CHECK_OK(nvfio_dma_register(dma, at(4 * P), 4 * P));
	a = iova_of(dma, at(0), 8 * P);
	/* Never a user address, so a vaddr used as an IOVA does not translate. */
	CHECK(a >= (1ull << 60));
	CHECK(nvf_dma_translate(dma, a, 8 * P) == at(0));
	CHECK(nvf_dma_translate(dma, a + 5 * P + 3, 7) == at(5 * P + 3));
	CHECK(nvf_dma_translate(dma, a + 7 * P, P + 1) == NULL);
	CHECK(nvf_dma_translate(dma, (uintptr_t)at(0), 1) == NULL);
	CHECK(nvf_dma_translate(dma, a - 1, 2) == NULL);
	CHECK(nvf_dma_translate(dma, 0, 1) == NULL);

	/* Allocations: no IOMMU, no locking, translated like registrations. */
	CHECK_OK(nvfio_dma_alloc(dma, 2 * P, 0, (void **)&mem));
	CHECK_OK(nvfio_dma_iova(dma, mem, 2 * P, &b));
	CHECK(nvf_dma_translate(dma, b + 10, 10) == mem + 10);

	/* The per-queue cache: hits after a fill, survives additions, misses after a removal. */
	nvf_dma_cache_init(dma, &cache);
	CHECK_OK(nvf_dma_iova_cached(dma, &cache, at(P), 16, &iova));
	CHECK(iova == a + P && cache.len == 8 * P);
	cache.iova += 1; /* a hit answers from the cache alone: prove it */
	CHECK_OK(nvf_dma_iova_cached(dma, &cache, at(2 * P), 16, &iova));
	CHECK(iova == a + 2 * P + 1);
	CHECK_OK(nvfio_dma_register(dma, at(20 * P), P));
	CHECK_OK(nvf_dma_iova_cached(dma, &cache, at(2 * P), 16, &iova));
	CHECK(iova == a + 2 * P + 1);
	CHECK_OK(nvfio_dma_unregister(dma, at(20 * P), P));
	CHECK_OK(nvf_dma_iova_cached(dma, &cache, at(2 * P), 16, &iova));
	CHECK(iova == a + 2 * P); /* refilled */
	CHECK_OK(nvfio_dma_unregister(dma, at(0), 4 * P));
	CHECK_ERR(nvf_dma_iova_cached(dma, &cache, at(2 * P), 16, &iova), -NVFIO_ENOTMAPPED);
	CHECK_OK(nvf_dma_iova_cached(dma, &cache, at(5 * P), 16, &iova));
	CHECK(iova == a + 5 * P);
	CHECK(nvf_dma_translate(dma, a, 1) == NULL);
	nvf_dma_destroy(dma);

	/* A soft backend may still name its ranges; they are honoured. */
	struct nvf_iommu_range r = {0x100000, 0x1fffff};
	io.ranges = &r;
	io.nranges = 1;
	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_OK(nvfio_dma_register(dma, at(0), 256 * P));
	CHECK(iova_of(dma, at(0), 1) == 0x100000);
	CHECK_ERR(nvfio_dma_register(dma, at(300 * P), P), -NVFIO_ENOIOVA);
	nvf_dma_destroy(dma);
}

/*
 * Threads translating both ways through the public calls while another registers and
 * unregisters the neighbours of the buffers they use, so that the entries holding those
 * buffers are merged and split under them.
 */
static struct nvfio_dma *cdma;
static atomic_bool cstop;
static atomic_ulong cbad, cdone;
static uint64_t stable_iova[8];

static void *hammer(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	unsigned long n = 0, b = 0;
	struct nvf_dma_cache cache;

	nvf_dma_cache_init(cdma, &cache);
	while (!atomic_load_explicit(&cstop, memory_order_relaxed)) {
		unsigned int k;
		uint64_t iova;

		seed = seed * 1103515245 + 12345;
		k = (seed >> 8) % 8;
		if (nvfio_dma_iova(cdma, at(k * 4 * P + P), P, &iova) < 0 || iova != stable_iova[k])
			b++;
		if (nvf_dma_iova_cached(cdma, &cache, at(k * 4 * P + P + 64), 64, &iova) < 0 ||
		    iova != stable_iova[k] + 64)
			b++;
		if (nvf_dma_translate(cdma, stable_iova[k] + 8, 8) != at(k * 4 * P + P + 8))
			b++;
		n++;
	}
	atomic_fetch_add(&cbad, b);
	atomic_fetch_add(&cdone, n);
	return NULL;
}

static void test_concurrent(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 0);
	struct timespec t0, t;
	pthread_t th;
	unsigned int k, seed = 3;
	unsigned long churn = 0;
	bool present[8][2] = {{false}};

	CHECK_OK(nvf_dma_create(&io, &cdma));
	for (k = 0; k < 8; k++) {
		CHECK_OK(nvfio_dma_register(cdma, at(k * 4 * P + P), P));
		stable_iova[k] = iova_of(cdma, at(k * 4 * P + P), P);
	}
	CHECK(pthread_create(&th, NULL, hammer, (void *)1) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		unsigned int side;
		char *p;

		seed = seed * 1103515245 + 12345;
		k = (seed >> 8) % 8;
		side = (seed >> 4) & 1;
		p = at(k * 4 * P + (side ? 2 * P : 0));
		if (present[k][side])
			CHECK_OK(nvfio_dma_unregister(cdma, p, P));
		else
			CHECK_OK(nvfio_dma_register(cdma, p, P));
		present[k][side] = !present[k][side];
		churn++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 500000000L);
	atomic_store(&cstop, true);
	pthread_join(th, NULL);
	printf("concurrent: %lu lookup rounds, %lu register/unregister, %lu wrong\n",
	       (unsigned long)atomic_load(&cdone), churn, (unsigned long)atomic_load(&cbad));
	CHECK(atomic_load(&cbad) == 0 && atomic_load(&cdone) > 100);
	nvf_dma_destroy(cdma);
	CHECK(f.nmaps == 0 && f.bad_calls == 0);
}

int main(void)
{
	/* Nothing here is ever touched, it only reserves the addresses; readable and writable, as
	 * the soft backend takes only memory a device could write. */
	arena = mmap(NULL, ARENA_LEN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(arena != MAP_FAILED);
	test_register_merge_unregister();
	test_large_pages_alignment();
	test_mapping_limit();
	test_iova_exhaustion_and_map_failure();
	test_alloc();
	test_soft();
	test_concurrent();
	munmap(arena, ARENA_LEN);
	printf("PASS\n");
	return T_EXIT_PASS;
}
