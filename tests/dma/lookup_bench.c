/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of a vaddr->IOVA lookup with 1, 100 and 10000 registrations (none merged), and of the
 * IOVA->vaddr translation and of a per-queue cache hit. Prints ns per lookup, and user-space
 * instructions per lookup where the CPU's counters are available (perf_event_open); under
 * `valgrind --tool=callgrind` the instruction count of each loop can be read off as well.
 *
 * lookup_bench [iterations [registrations...]]   (default: 10000000 1 100 10000)
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dma/dma.h"

#define P 4096ul

static int counter = -1;

static void counter_open(void)
{
	struct perf_event_attr a = {
	    .type = PERF_TYPE_HARDWARE,
	    .size = sizeof(a),
	    .config = PERF_COUNT_HW_INSTRUCTIONS,
	    .disabled = 1,
	    .exclude_kernel = 1,
	    .exclude_hv = 1,
	};

	counter = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t counter_read(void)
{
	uint64_t v = 0;

	if (counter < 0 || read(counter, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

enum { IDX = 4096 };
static unsigned int idx[IDX];
static volatile uint64_t sink;

/* Kinds of lookup measured. */
enum { V2I, I2V, CACHED };
static const char *const kind_name[] = {"nvfio_dma_iova", "nvf_dma_translate",
					"nvf_dma_iova_cached (hit)"};

static void run(struct nvfio_dma *dma, char *base, unsigned int n, const uint64_t *iovas, int kind,
		unsigned long iters)
{
	struct nvf_dma_cache cache;
	uint64_t ins0, ins1, acc = 0, iova;
	double t0, t1;
	unsigned long i;

	nvf_dma_cache_init(dma, &cache);
	if (counter >= 0) {
		ioctl(counter, PERF_EVENT_IOC_RESET, 0);
		ioctl(counter, PERF_EVENT_IOC_ENABLE, 0);
	}
	ins0 = counter_read();
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		unsigned int k = idx[i % IDX] % n;

		switch (kind) {
		case V2I:
			nvfio_dma_iova(dma, base + 2 * k * P + 64, 512, &iova);
			acc += iova;
			break;
		case I2V:
			acc += (uintptr_t)nvf_dma_translate(dma, iovas[k] + 64, 512);
			break;
		case CACHED:
			nvf_dma_iova_cached(dma, &cache, base + (i & 7) * 512, 512, &iova);
			acc += iova;
			break;
		}
	}
	t1 = now_ns();
	ins1 = counter_read();
	if (counter >= 0)
		ioctl(counter, PERF_EVENT_IOC_DISABLE, 0);
	sink = acc;
	if (counter >= 0 && ins1 > ins0)
		printf("%6u registrations  %-26s %6.1f ns/lookup  %6.1f instructions/lookup\n", n,
		       kind_name[kind], (t1 - t0) / iters, (double)(ins1 - ins0) / iters);
	else
		printf("%6u registrations  %-26s %6.1f ns/lookup\n", n, kind_name[kind],
		       (t1 - t0) / iters);
}

int main(int argc, char **argv)
{
	unsigned int sizes[8] = {1, 100, 10000}, nsizes = 3;
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000000ul;
	struct nvf_iommu io = {.name = "soft"};
	unsigned int s, k, seed = 1;
	uint64_t *iovas;
	char *base;

	/* Never touched; readable and writable, as the soft backend registers only that. */
	base = mmap(NULL, 2 * 10000 * P, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	iovas = malloc(10000 * sizeof(*iovas));
	if (base == MAP_FAILED || !iovas || !iters)
		return 1;
	if (argc > 2) {
		for (nsizes = 0; nsizes < 8 && (int)nsizes < argc - 2; nsizes++) {
			sizes[nsizes] = (unsigned int)strtoul(argv[nsizes + 2], NULL, 0);
			if (!sizes[nsizes] || sizes[nsizes] > 10000)
				return 1;
		}
	}
	for (k = 0; k < IDX; k++) {
		seed = seed * 1103515245 + 12345;
		idx[k] = seed >> 8;
	}
	counter_open();
	if (counter < 0)
		printf("(no CPU instruction counter here: ns only; run under valgrind "
		       "--tool=callgrind for instruction counts)\n");

	for (s = 0; s < nsizes; s++) {
		struct nvfio_dma *dma;

		if (nvf_dma_create(&io, &dma) < 0)
			return 1;
		/* Every other page, so that no two registrations merge into one entry. */
		for (k = 0; k < sizes[s]; k++) {
			if (nvfio_dma_register(dma, base + 2 * k * P, P) < 0 ||
			    nvfio_dma_iova(dma, base + 2 * k * P, P, &iovas[k]) < 0)
				return 1;
		}
		if (nvf_dma_nentries(dma) != sizes[s])
			return 1;
		run(dma, base, sizes[s], iovas, V2I, iters);
		run(dma, base, sizes[s], iovas, I2V, iters);
		run(dma, base, sizes[s], iovas, CACHED, iters);
		nvf_dma_destroy(dma);
	}
	return 0;
}
