/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The translation tables: merging of runs that touch in both address spaces, lookups in both
 * directions, removal that splits an entry, and lock-free readers racing a writer.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "common/test.h"
#include "dma/map.h"

#define P 4096ull

static struct nvf_dma_map m;

static void ins(uint64_t v, uint64_t i, uint64_t len)
{
	CHECK_OK(nvf_dma_map_reserve(&m, 1));
	nvf_dma_map_write_begin(&m);
	nvf_dma_map_insert(&m, v, i, len);
	nvf_dma_map_write_end(&m);
}

static void rem(uint64_t v, uint64_t i, uint64_t len)
{
	nvf_dma_map_write_begin(&m);
	nvf_dma_map_remove(&m, v, i, len);
	nvf_dma_map_write_end(&m);
}

/* vaddr -> iova, or UINT64_MAX */
static uint64_t v2i(uint64_t v, uint64_t len)
{
	struct nvf_dma_hit h;

	return nvf_dma_map_lookup(&m, 0, v, len, &h) ? h.to + (v - h.from) : UINT64_MAX;
}

static uint64_t i2v(uint64_t i, uint64_t len)
{
	struct nvf_dma_hit h;

	return nvf_dma_map_lookup(&m, 1, i, len, &h) ? h.to + (i - h.from) : UINT64_MAX;
}

static void test_merge_split(void)
{
	uint32_t gen;

	CHECK_OK(nvf_dma_map_init(&m));
	CHECK(v2i(0x10000, 1) == UINT64_MAX && i2v(0, 1) == UINT64_MAX);

	ins(0x100000, 0x5000000, 4 * P);
	CHECK(nvf_dma_map_nentries(&m) == 1);
	CHECK(v2i(0x100000, 4 * P) == 0x5000000);
	CHECK(v2i(0x100000 + 3 * P + 17, 1) == 0x5000000 + 3 * P + 17);
	CHECK(v2i(0x100000 + 3 * P, P + 1) == UINT64_MAX); /* runs off the end */
	CHECK(v2i(0x100000 - 1, 2) == UINT64_MAX);	   /* starts before */
	CHECK(v2i(0x100000 + 4 * P, 1) == UINT64_MAX);
	CHECK(i2v(0x5000000 + 5, 10) == 0x100000 + 5);
	CHECK(v2i(0x100000, 0) == 0x5000000); /* len 0 counts as one byte */

	/* Touches in vaddr and in IOVA: one entry. */
	ins(0x100000 + 4 * P, 0x5000000 + 4 * P, 2 * P);
	CHECK(nvf_dma_map_nentries(&m) == 1);
	CHECK(v2i(0x100000 + 3 * P, 2 * P) == 0x5000000 + 3 * P); /* straddles the two runs */
	/* Touches in front. */
	ins(0x100000 - P, 0x5000000 - P, P);
	CHECK(nvf_dma_map_nentries(&m) == 1);
	CHECK(v2i(0x100000 - P, 7 * P) == 0x5000000 - P);

	/* Touches in vaddr only: two entries, and a range over both is not contiguous. */
	ins(0x100000 + 6 * P, 0x9000000, P);
	CHECK(nvf_dma_map_nentries(&m) == 2);
	CHECK(v2i(0x100000 + 5 * P, 2 * P) == UINT64_MAX);
	CHECK(v2i(0x100000 + 6 * P, P) == 0x9000000);
	CHECK(i2v(0x9000000 + 8, 8) == 0x100000 + 6 * P + 8);
	/* Touches in IOVA only. */
	ins(0x800000, 0x9000000 + P, P);
	CHECK(nvf_dma_map_nentries(&m) == 3);
	CHECK(i2v(0x9000000, 2 * P) == UINT64_MAX);
	/* Fills the gap between two entries in both spaces: three become one. */
	ins(0x200000, 0x6000000, P);
	ins(0x200000 + 2 * P, 0x6000000 + 2 * P, P);
	CHECK(nvf_dma_map_nentries(&m) == 5);
	ins(0x200000 + P, 0x6000000 + P, P);
	CHECK(nvf_dma_map_nentries(&m) == 4);
	CHECK(v2i(0x200000, 3 * P) == 0x6000000);

	/* Removing the middle run splits the entry; the generation moves. */
	gen = m.gen;
	rem(0x100000, 0x5000000, 4 * P);
	CHECK(m.gen != gen);
	CHECK(nvf_dma_map_nentries(&m) == 5);
	CHECK(v2i(0x100000 - P, P) == 0x5000000 - P);
	CHECK(v2i(0x100000, 1) == UINT64_MAX);
	CHECK(v2i(0x100000 + 3 * P, 1) == UINT64_MAX);
	CHECK(v2i(0x100000 + 4 * P, 2 * P) == 0x5000000 + 4 * P);
	CHECK(i2v(0x5000000 + 2 * P, 1) == UINT64_MAX);
	CHECK(i2v(0x5000000 + 5 * P, 1) == 0x100000 + 5 * P);
	/* Head and tail removal. */
	rem(0x100000 - P, 0x5000000 - P, P);
	rem(0x200000 + 2 * P, 0x6000000 + 2 * P, P);
	CHECK(v2i(0x200000, 2 * P) == 0x6000000 && v2i(0x200000 + 2 * P, 1) == UINT64_MAX);
	rem(0x200000, 0x6000000, P);
	CHECK(v2i(0x200000 + P, P) == 0x6000000 + P && v2i(0x200000, 1) == UINT64_MAX);
	rem(0x200000 + P, 0x6000000 + P, P);
	rem(0x100000 + 4 * P, 0x5000000 + 4 * P, 2 * P);
	rem(0x100000 + 6 * P, 0x9000000, P);
	rem(0x800000, 0x9000000 + P, P);
	CHECK(nvf_dma_map_nentries(&m) == 0 && m.nruns == 0);

	/* Busy checks (no-IOMMU: physical ranges must not be entered twice). */
	ins(0x100000, 0x5000000, 4 * P);
	CHECK(nvf_dma_map_iova_busy(&m, 0x5000000 + 3 * P, 2 * P));
	CHECK(nvf_dma_map_iova_busy(&m, 0x5000000 - P, 2 * P));
	CHECK(!nvf_dma_map_iova_busy(&m, 0x5000000 - P, P));
	CHECK(!nvf_dma_map_iova_busy(&m, 0x5000000 + 4 * P, P));
	rem(0x100000, 0x5000000, 4 * P);
	nvf_dma_map_fini(&m);
}

/*
 * Readers hammer lookups while a writer adds and removes runs. The stable runs sit between
 * churning ones they merge with and split from, so the entries holding them change all the
 * time; a reader must always find a stable run at its right IOVA, and a churning run, when
 * found, at its right IOVA. The tables also grow underneath the readers.
 */
enum { STABLE = 64, SLOTS = 4 * STABLE };
static atomic_bool stop;
static atomic_ulong bad, lookups;

static uint64_t slot_v(unsigned int s)
{
	return 0x40000000ull + s * P;
}

static uint64_t slot_i(unsigned int s)
{
	return 0x700000000ull + s * P;
}

static void *reader(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg, s;
	unsigned long n = 0, b = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t r;

		seed = seed * 1103515245 + 12345;
		s = (seed >> 8) % SLOTS;
		r = (seed & 1) ? v2i(slot_v(s) + 8, 16) : i2v(slot_i(s) + 8, 16);
		if (s % 4 == 0) {
			/* stable */
			if (r != ((seed & 1) ? slot_i(s) : slot_v(s)) + 8)
				b++;
		} else if (r != UINT64_MAX && r != ((seed & 1) ? slot_i(s) : slot_v(s)) + 8) {
			b++;
		}
		/* Published as it goes: the writer runs until enough lookups overlapped it. */
		if (++n % 256 == 0)
			atomic_fetch_add_explicit(&lookups, 256, memory_order_relaxed);
	}
	atomic_fetch_add(&bad, b);
	atomic_fetch_add(&lookups, n % 256);
	return NULL;
}

static void test_concurrent(void)
{
	static bool present[SLOTS];
	pthread_t th[2];
	unsigned int s, seed = 7, i, j;
	struct timespec t0, t;
	unsigned long writes = 0, batches = 0;
	long elapsed;

	CHECK_OK(nvf_dma_map_init(&m));
	for (s = 0; s < SLOTS; s += 4) {
		ins(slot_v(s), slot_i(s), P);
		present[s] = true;
	}
	for (i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, reader, (void *)(uintptr_t)(i + 1)) == 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (j = 0; j < 1000; j++) {
			seed = seed * 1103515245 + 12345;
			s = (seed >> 8) % SLOTS;
			if (s % 4 == 0)
				continue;
			if (present[s])
				rem(slot_v(s), slot_i(s), P);
			else
				ins(slot_v(s), slot_i(s), P);
			present[s] = !present[s];
			writes++;
		}
		/* Unrelated runs far away make the tables grow while readers run. */
		if (++batches % 8 == 0 && m.nruns < 4000)
			for (j = 0; j < 200; j++)
				ins(0x900000000ull + (m.nruns + j) * 2 * P,
				    0x90000000000ull + (m.nruns + j) * 2 * P, P);
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed = (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec);
		/* A second at least, and on until the readers did a few thousand lookups meanwhile
		 * (a loaded machine can keep them off the CPU for that second), a minute at most.
		 */
	} while (elapsed < 1000000000L ||
		 (atomic_load_explicit(&lookups, memory_order_relaxed) < 4096 &&
		  elapsed < 60000000000L));

	atomic_store(&stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("concurrent: %lu lookups, %lu writes, %u entries, %lu wrong\n",
	       (unsigned long)atomic_load(&lookups), writes, nvf_dma_map_nentries(&m),
	       (unsigned long)atomic_load(&bad));
	CHECK(atomic_load(&bad) == 0);
	CHECK(atomic_load(&lookups) > 1000);
	CHECK(m.nretired > 0);
	for (s = 0; s < SLOTS; s++)
		CHECK((v2i(slot_v(s), P) != UINT64_MAX) == present[s]);
	nvf_dma_map_fini(&m);
}

int main(void)
{
	test_merge_split();
	test_concurrent();
	printf("PASS\n");
	return T_EXIT_PASS;
}
