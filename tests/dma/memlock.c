/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The locked-memory limit: pinning DMA memory beyond RLIMIT_MEMLOCK fails up front with a
 * message that gives the numbers and the `ulimit -l` to run, and takes nothing. Root is not
 * limited while it holds CAP_IPC_LOCK, so the test drops that capability first.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/test.h"
#include "fake_iommu.h"

#define P     4096ul
#define LIMIT (64ul << 10)

static char *arena;

static bool drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d) < 0)
		return false;
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(SYS_capset, &hdr, d) == 0;
}

static void test_iommu(void)
{
	struct fake_iommu f;
	struct nvf_iommu io = fake_iommu_init(&f, 0);
	struct nvfio_dma *dma;
	void *p;

	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_ERR(nvfio_dma_register(dma, arena, 1ul << 20), -NVFIO_EMEMLOCK);
	printf("register: %s\n", nvfio_last_error());
	CHECK(strstr(nvfio_last_error(), "RLIMIT_MEMLOCK is 64 KiB"));
	CHECK(strstr(nvfio_last_error(), "1024 KiB needed"));
	CHECK(strstr(nvfio_last_error(), "`ulimit -l "));
	CHECK(f.map_calls == 0);

	CHECK_ERR(nvfio_dma_alloc(dma, 1ul << 20, 0, &p), -NVFIO_EMEMLOCK);
	CHECK(strstr(nvfio_last_error(), "ulimit -l"));
	CHECK(f.map_calls == 0 && nvf_dma_nentries(dma) == 0);

	/* Within the limit it works, and what this space pinned counts against the rest. */
	CHECK_OK(nvfio_dma_register(dma, arena, 8 * P));
	CHECK_OK(nvfio_dma_alloc(dma, 4 * P, 0, &p));
	CHECK_ERR(nvfio_dma_register(dma, arena + 16 * P, 8 * P), -NVFIO_EMEMLOCK);
	CHECK(strstr(nvfio_last_error(), "48 KiB are locked already"));
	CHECK_OK(nvfio_dma_register(dma, arena + 16 * P, 4 * P));
	CHECK(f.nmaps == 3);

	/* The kernel refusing to pin (VFIO's -ENOMEM) reads the same way. */
	CHECK_OK(nvfio_dma_unregister(dma, arena + 16 * P, 4 * P));
	f.fail_map = -ENOMEM;
	CHECK_ERR(nvfio_dma_register(dma, arena + 16 * P, P), -NVFIO_EMEMLOCK);
	CHECK(strstr(nvfio_last_error(), "refused to pin"));
	CHECK(f.nmaps == 2);
	nvf_dma_destroy(dma);
	CHECK(f.nmaps == 0 && f.bad_calls == 0);
}

static void test_noiommu(void)
{
	struct nvf_iommu io = {.name = "noiommu-test", .identity_phys = true};
	struct nvfio_dma *dma;
	void *p;

	/* Checked before any hugepage is taken, so this needs none reserved. */
	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_ERR(nvfio_dma_alloc(dma, 1, 0, &p), -NVFIO_EMEMLOCK);
	CHECK(strstr(nvfio_last_error(), "2048 KiB needed"));
	nvf_dma_destroy(dma);
}

/* The soft backend pins nothing, so the limit does not apply to it. */
static void test_soft(void)
{
	struct nvf_iommu io = {.name = "soft"};
	struct nvfio_dma *dma;
	void *p;

	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_OK(nvfio_dma_register(dma, arena, 1ul << 20));
	CHECK_OK(nvfio_dma_alloc(dma, 1ul << 20, 0, &p));
	nvf_dma_destroy(dma);
}

int main(void)
{
	struct rlimit rl;

	if (geteuid() == 0 && !drop_cap_ipc_lock())
		SKIP("cannot drop CAP_IPC_LOCK, which lifts the locked-memory limit");
	CHECK(getrlimit(RLIMIT_MEMLOCK, &rl) == 0);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < LIMIT)
		SKIP("hard RLIMIT_MEMLOCK below %lu bytes", LIMIT);
	rl.rlim_cur = LIMIT;
	CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);

	arena = mmap(NULL, 2ul << 20, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(arena != MAP_FAILED);
	test_iommu();
	test_noiommu();
	test_soft();
	printf("PASS\n");
	return T_EXIT_PASS;
}
