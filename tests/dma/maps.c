/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a software DMA space (the simulator's: no IOMMU to pin pages) takes for registration:
 * the parser of /proc/self/maps on made-up text (gaps, read-only stretches, adjacent lines,
 * lines out of order or that do not parse), then registrations of real mappings: unmapped,
 * PROT_NONE, read-only and partly read-only memory is refused with -EFAULT and the stretch
 * named, readable and writable memory taken; a backend with IOMMU ops is left to its IOMMU.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/test.h"
#include "dma/maps.h"
#include "fake_iommu.h"

#define P 4096ul

static const char maps[] =
    "00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon\n"
    "00651000-00652000 r--p 00051000 08:02 173521      /usr/bin/dbus-daemon\n"
    "00652000-00655000 rw-p 00052000 08:02 173521      /usr/bin/dbus-daemon\n"
    "00655000-00660000 rw-p 00000000 00:00 0\n"
    "00e03000-00e24000 rw-p 00000000 00:00 0           [heap]\n"
    "7f0000000000-7f0000010000 rw-s 00000000 00:05 1234 /memfd:x (deleted)\n"
    "7ffd1a2b0000-7ffd1a2d1000 rw-p 00000000 00:00 0   [stack]\n";

static int check(const char *text, uint64_t start, uint64_t end, struct nvf_dma_maps_gap *gap)
{
	return nvf_dma_maps_check(text, strlen(text), start, end, gap);
}

static void test_parser(void)
{
	struct nvf_dma_maps_gap g;

	/* Inside one line, across two adjacent ones, a shared mapping. */
	CHECK(check(maps, 0x652000, 0x653000, &g) == 0);
	CHECK(check(maps, 0x653000, 0x660000, &g) == 0);
	CHECK(check(maps, 0x7f0000000000, 0x7f0000010000, &g) == 0);
	/* Read-only, executable: the stretch of the range on that line. */
	CHECK(check(maps, 0x651000, 0x653000, &g) == -EFAULT);
	CHECK(g.start == 0x651000 && g.end == 0x652000 && !strcmp(g.perms, "r--p"));
	CHECK(check(maps, 0x401000, 0x402000, &g) == -EFAULT);
	CHECK(g.start == 0x401000 && g.end == 0x402000 && !strcmp(g.perms, "r-xp"));
	/* A hole after a good stretch, before the first line, after the last. */
	CHECK(check(maps, 0x65f000, 0x661000, &g) == -EFAULT);
	CHECK(g.start == 0x660000 && g.end == 0x661000 && !g.perms[0]);
	CHECK(check(maps, 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(g.start == 0x1000 && g.end == 0x2000 && !g.perms[0]);
	CHECK(check(maps, 0x7ffd1a2d0000, 0x7ffd1a2d2000, &g) == -EFAULT);
	CHECK(g.start == 0x7ffd1a2d1000 && g.end == 0x7ffd1a2d2000);
	/* A hole wider than the range: the range's part of it. */
	CHECK(check(maps, 0x700000, 0x701000, &g) == -EFAULT);
	CHECK(g.start == 0x700000 && g.end == 0x701000);
	CHECK(check(maps, 0x1000, 0x1000, &g) == -EINVAL);

	/* The last line without its newline; empty text. */
	CHECK(check("1000-3000 rw-p 0 0:0 0", 0x1000, 0x3000, &g) == 0);
	CHECK(check("", 0x1000, 0x2000, &g) == -EFAULT && g.start == 0x1000);
	CHECK(nvf_dma_maps_check(maps, 0, 0x652000, 0x653000, &g) == -EFAULT);
	/* Text cut inside a line: the part does not parse and covers nothing. */
	CHECK(nvf_dma_maps_check("1000-3000 rw-p", 12, 0x1000, 0x2000, &g) == -EFAULT);
	/* Lines that do not parse cover nothing: no dash, no space, bad hex, end before start,
	 * short permissions, an address past 64 bits. */
	CHECK(check("1000 3000 rw-p\n", 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(check("1000-3000rw-p\n", 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(check("10g0-3000 rw-p\n", 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(check("3000-1000 rw-p\n", 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(check("1000-3000 rw\n", 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(check("1000-3000 rw-pq\n", 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(check("1000-10000000000000000 rw-p\n", 0x1000, 0x2000, &g) == -EFAULT);
	/* A line out of order (below the one before it) counts for nothing. */
	CHECK(check("5000-6000 rw-p\n1000-3000 rw-p\n", 0x1000, 0x2000, &g) == -EFAULT);
	CHECK(check("1000-2000 rw-p\nbad line\n2000-3000 rw-p\n", 0x1000, 0x3000, &g) == 0);
	/* Capital hex digits and a range ending at the top of the address space. */
	CHECK(check("ABC000-FFFFFFFFFFFFFFFF rw-p\n", 0xabc000, UINT64_MAX, &g) == 0);
}

static void test_register_soft(void)
{
	struct nvf_iommu io = {.name = "soft"};
	struct nvfio_dma *dma;
	char *m;

	CHECK_OK(nvf_dma_create(&io, &dma));
	m = mmap(NULL, 8 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);

	/* Readable and writable: taken, and reachable through the space. */
	CHECK_OK(nvfio_dma_register(dma, m, 2 * P));
	CHECK_OK(nvfio_dma_unregister(dma, m, 2 * P));

	/* Read-only in the middle of the range: the stretch and the remedy are named. */
	CHECK(mprotect(m + 3 * P, P, PROT_READ) == 0);
	CHECK_ERR(nvfio_dma_register(dma, m, 8 * P), -EFAULT);
	CHECK(strstr(nvfio_last_error(), "r--p") &&
	      strstr(nvfio_last_error(), "readable and writable"));
	CHECK_ERR(nvfio_dma_register(dma, m + 3 * P, P), -EFAULT);
	/* What is left on either side is still fine. */
	CHECK_OK(nvfio_dma_register(dma, m, 3 * P));
	CHECK_OK(nvfio_dma_register(dma, m + 4 * P, 4 * P));
	CHECK_OK(nvfio_dma_unregister(dma, m, 3 * P));
	CHECK_OK(nvfio_dma_unregister(dma, m + 4 * P, 4 * P));

	/* PROT_NONE. */
	CHECK(mprotect(m + 3 * P, P, PROT_NONE) == 0);
	CHECK_ERR(nvfio_dma_register(dma, m + 2 * P, 2 * P), -EFAULT);
	CHECK(strstr(nvfio_last_error(), "---p"));

	/* A hole: unmapped in the middle. */
	CHECK(munmap(m + 5 * P, P) == 0);
	CHECK_ERR(nvfio_dma_register(dma, m + 4 * P, 3 * P), -EFAULT);
	CHECK(strstr(nvfio_last_error(), "is not mapped") &&
	      strstr(nvfio_last_error(), "register memory that is mapped readable and writable"));
	/* Nothing was entered by the refusals. */
	CHECK(nvf_dma_nentries(dma) == 0);
	nvf_dma_destroy(dma);
	munmap(m, 8 * P);
}

/* With IOMMU ops the IOMMU decides (VFIO pins the pages and fails on what it cannot): the DMA
 * layer does not look at the process's mappings, and passes PROT_NONE memory on as before. */
static void test_register_iommu(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 0);
	struct nvfio_dma *dma;
	char *m = mmap(NULL, 4 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	CHECK(m != MAP_FAILED);
	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_OK(nvfio_dma_register(dma, m, 4 * P));
	CHECK(f.nmaps == 1 && f.map_calls == 1);
	nvf_dma_destroy(dma);
	munmap(m, 4 * P);
}

int main(void)
{
	test_parser();
	test_register_soft();
	test_register_iommu();
	printf("PASS\n");
	return T_EXIT_PASS;
}
