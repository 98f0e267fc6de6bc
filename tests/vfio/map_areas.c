/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sparse region mapping on a memfd standing in for a device file: mapped areas show the file at
 * their offsets, holes fault, bad areas are refused, nothing stays mapped after a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/test.h"
#include "tests/vfio/leak.h"
#include "vfio/vfio.h"

static sigjmp_buf jump;

static void on_segv(int sig)
{
	siglongjmp(jump, 1);
}

#ifndef VALGRIND_DISABLE_ERROR_REPORTING
#define VALGRIND_DISABLE_ERROR_REPORTING
#define VALGRIND_ENABLE_ERROR_REPORTING
#endif

/* Does reading *p fault? The value goes somewhere: valgrind drops a load nothing uses; and
 * memcheck is told that this read is meant to be invalid. */
static volatile uint32_t sink;

static bool faults(const volatile uint32_t *p)
{
	VALGRIND_DISABLE_ERROR_REPORTING;
	if (sigsetjmp(jump, 1)) {
		VALGRIND_ENABLE_ERROR_REPORTING;
		return true;
	}
	sink = *p;
	VALGRIND_ENABLE_ERROR_REPORTING;
	return false;
}

int main(void)
{
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	const uint64_t foff = 4 * pg; /* the region starts 4 pages into the file */
	const uint64_t size = 4 * pg;
	struct sigaction sa = {.sa_handler = on_segv};
	struct nvfio_vfio_sparse_area areas[2] = {{0, pg}, {2 * pg, 2 * pg}};
	struct nvfio_vfio_sparse_area bad[1];
	uint32_t *words;
	size_t maplen;
	void *addr;
	int fd, maps;

	fd = memfd_create("region", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)(foff + size)) == 0);
	words = mmap(NULL, foff + size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(words != MAP_FAILED);
	/* Every 32-bit word holds its own offset in the file. */
	for (size_t i = 0; i < (foff + size) / 4; i++)
		words[i] = (uint32_t)(i * 4);
	CHECK(munmap(words, foff + size) == 0);
	sigaction(SIGSEGV, &sa, NULL);
	maps = count_maps();

	/* Sparse: pages 0, 2 and 3 of the region are mapped, page 1 is a hole. */
	CHECK_OK(nvf_vfio_map_areas(fd, foff, size, true, areas, 2, PROT_READ | PROT_WRITE, &addr,
				    &maplen));
	CHECK(maplen == size);
	words = addr;
	CHECK(words[0] == foff);
	CHECK(words[(2 * pg) / 4 + 3] == foff + 2 * pg + 12);
	CHECK(words[(4 * pg) / 4 - 1] == foff + 4 * pg - 4);
	CHECK(faults(&words[pg / 4]));
	CHECK(faults(&words[(2 * pg) / 4 - 1]));
	/* Writes reach the file: the mapping is shared. */
	words[1] = 0xabcd;
	CHECK(pread(fd, &words[2], 4, (off_t)foff + 4) == 4 && words[2] == 0xabcd);
	CHECK(munmap(addr, maplen) == 0);
	CHECK(count_maps() == maps);

	/* Not sparse: the whole region, and a size that is not a page multiple rounds up. */
	CHECK_OK(nvf_vfio_map_areas(fd, foff, size - 8, false, NULL, 0, PROT_READ, &addr, &maplen));
	CHECK(maplen == size);
	words = addr;
	CHECK(words[pg / 4] == foff + pg);
	CHECK(munmap(addr, maplen) == 0);

	/* Bad areas and sizes are refused, leaving nothing mapped. */
	bad[0] = (struct nvfio_vfio_sparse_area){pg / 2, pg}; /* unaligned */
	CHECK(nvf_vfio_map_areas(fd, foff, size, true, bad, 1, PROT_READ, &addr, &maplen) ==
	      -EINVAL);
	bad[0] = (struct nvfio_vfio_sparse_area){3 * pg, 2 * pg}; /* runs past the end */
	CHECK(nvf_vfio_map_areas(fd, foff, size, true, bad, 1, PROT_READ, &addr, &maplen) ==
	      -EINVAL);
	bad[0] = (struct nvfio_vfio_sparse_area){8 * pg, pg}; /* starts past the end */
	CHECK(nvf_vfio_map_areas(fd, foff, size, true, bad, 1, PROT_READ, &addr, &maplen) ==
	      -EINVAL);
	CHECK(nvf_vfio_map_areas(fd, foff, 0, false, NULL, 0, PROT_READ, &addr, &maplen) ==
	      -EINVAL);
	/* mmap itself failing (write access to a read-only fd) unwinds the reservation. */
	{
		char path[64];
		int ro;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ro = open(path, O_RDONLY | O_CLOEXEC);
		CHECK(ro >= 0);
		CHECK(nvf_vfio_map_areas(ro, foff, size, true, areas, 2, PROT_READ | PROT_WRITE,
					 &addr, &maplen) == -EACCES);
		close(ro);
	}
	CHECK(count_maps() == maps);
	close(fd);
	return T_EXIT_PASS;
}
