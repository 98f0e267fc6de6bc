/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hugepage-backed allocations, the no-IOMMU (physical address) mode and the no-hugepages error.
 * Needs root to size the hugepage pool through sysfs; the old sizes are put back at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"
#include "dma/dma.h"

#define P   4096ul
#define M2  (2ul << 20)
#define G1  (1ul << 30)
#define DIR "/sys/kernel/mm/hugepages/hugepages-%lukB/%s"

static long pool_get(unsigned long pgsize, const char *file)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), DIR, pgsize >> 10, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int pool_set(unsigned long pgsize, const char *file, long v)
{
	char path[256];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), DIR, pgsize >> 10, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", v) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}

static long pool_avail(unsigned long pgsize)
{
	return pool_get(pgsize, "free_hugepages") - pool_get(pgsize, "resv_hugepages");
}

static long old_nr2m = -1, old_over2m = -1, old_nr1g = -1;

static void restore(void)
{
	if (old_over2m >= 0)
		pool_set(M2, "nr_overcommit_hugepages", old_over2m);
	if (old_nr2m >= 0)
		pool_set(M2, "nr_hugepages", old_nr2m);
	if (old_nr1g >= 0)
		pool_set(G1, "nr_hugepages", old_nr1g);
}

/* The test reads physical addresses itself rather than trusting the code under test. */
static uint64_t phys_of(const void *p)
{
	uint64_t w = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	CHECK(fd >= 0);
	CHECK(pread(fd, &w, 8, (off_t)((uintptr_t)p / P * 8)) == 8);
	close(fd);
	CHECK(w >> 63 & 1);
	return (w & ((1ull << 55) - 1)) * P + (uintptr_t)p % P;
}

static void test_soft_2m(void)
{
	struct nvf_iommu io = {.name = "soft"};
	struct nvfio_dma *dma;
	long before = pool_get(M2, "free_hugepages");
	unsigned char *p, *q;
	uint64_t iova;
	size_t i;

	CHECK_OK(nvf_dma_create(&io, &dma));
	CHECK_OK(nvfio_dma_alloc(dma, M2, NVFIO_DMA_HUGE_2M, (void **)&p));
	CHECK((uintptr_t)p % M2 == 0);
	CHECK(pool_get(M2, "free_hugepages") == before - 1);
	for (i = 0; i < M2; i += 512)
		CHECK(p[i] == 0);
	memset(p, 0x5a, M2);
	CHECK_OK(nvfio_dma_iova(dma, p, M2, &iova));
	CHECK(iova % M2 == 0);
	CHECK(nvf_dma_translate(dma, iova + M2 - 1, 1) == p + M2 - 1);

	CHECK_OK(nvfio_dma_alloc(dma, M2 + 1, NVFIO_DMA_HUGE_2M, (void **)&q));
	CHECK(pool_get(M2, "free_hugepages") == before - 3);
	CHECK_OK(nvfio_dma_iova(dma, q, 2 * M2, &iova));
	CHECK(iova % M2 == 0);
	nvfio_dma_free(dma, p);
	CHECK(pool_get(M2, "free_hugepages") == before - 2);
	nvf_dma_destroy(dma);
	CHECK(pool_get(M2, "free_hugepages") == before);
}

static void test_noiommu(void)
{
	struct nvf_iommu io = {.name = "noiommu-test", .identity_phys = true};
	struct nvfio_dma *dma;
	long before = pool_get(M2, "free_hugepages");
	unsigned int runs = 1, k;
	unsigned char *p, *h, *h2, *small;
	uint64_t iova;
	int fd;

	CHECK_OK(nvf_dma_create(&io, &dma));
	/* No flag: hugepages are implied without an IOMMU. */
	CHECK_OK(nvfio_dma_alloc(dma, 3 * M2, 0, (void **)&p));
	CHECK(pool_get(M2, "free_hugepages") == before - 3);
	for (k = 0; k < 3; k++) {
		CHECK_OK(nvfio_dma_iova(dma, p + k * M2 + 40, 8, &iova));
		CHECK(iova == phys_of(p + k * M2) + 40);
		CHECK(nvf_dma_translate(dma, iova, 8) == p + k * M2 + 40);
		if (k && phys_of(p + k * M2) != phys_of(p + (k - 1) * M2) + M2)
			runs++;
	}
	/* One table entry per physically contiguous run; a range across two runs that are not
	 * contiguous has no single IOVA. */
	CHECK(nvf_dma_nentries(dma) == runs);
	if (phys_of(p + M2) != phys_of(p) + M2)
		CHECK_ERR(nvfio_dma_iova(dma, p + M2 - 8, 16, &iova), -NVFIO_ENOTMAPPED);
	printf("no-IOMMU: 3 hugepages in %u physically contiguous run(s)\n", runs);

	CHECK_ERR(nvfio_dma_alloc(dma, 2 * M2, NVFIO_DMA_CONTIG, (void **)&h), -EINVAL);
	CHECK(strstr(nvfio_last_error(), "must fit in one"));
	CHECK_OK(nvfio_dma_alloc(dma, 100, NVFIO_DMA_CONTIG, (void **)&h));
	nvfio_dma_free(dma, h);
	nvfio_dma_free(dma, p);
	CHECK(nvf_dma_nentries(dma) == 0);

	/* The caller's own hugepage memory registers at its physical address, every base page of
	 * it (two hugepages: more pagemap words than one read takes). */
	h = mmap(NULL, 2 * M2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		 -1, 0);
	CHECK(h != MAP_FAILED);
	CHECK_OK(nvfio_dma_register(dma, h, 2 * M2));
	for (size_t off = 0; off < 2 * M2; off += P) {
		CHECK_OK(nvfio_dma_iova(dma, h + off, P, &iova));
		CHECK(iova == phys_of(h + off));
	}
	CHECK_OK(nvfio_dma_unregister(dma, h, 2 * M2));
	munmap(h, 2 * M2);

	/* The same physical page through a second address is refused. */
	fd = memfd_create("dma-test", MFD_HUGETLB);
	CHECK(fd >= 0 && ftruncate(fd, M2) == 0);
	h = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	h2 = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(h != MAP_FAILED && h2 != MAP_FAILED);
	CHECK_OK(nvfio_dma_register(dma, h, M2));
	CHECK_ERR(nvfio_dma_register(dma, h2, M2), -EEXIST);
	CHECK(strstr(nvfio_last_error(), "another virtual address"));
	CHECK(nvf_dma_nentries(dma) == 1);
	CHECK_OK(nvfio_dma_unregister(dma, h, M2));
	munmap(h, M2);
	munmap(h2, M2);
	close(fd);

	/* Ordinary 4 KiB pages cannot be used without an IOMMU: the kernel may move them. */
	small = mmap(NULL, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(small != MAP_FAILED);
	CHECK_ERR(nvfio_dma_register(dma, small, 4 * P), -EINVAL);
	CHECK(strstr(nvfio_last_error(), "hugepage-backed"));
	CHECK(nvf_dma_nentries(dma) == 0);
	munmap(small, 4 * P);

	nvf_dma_destroy(dma);
	CHECK(pool_get(M2, "free_hugepages") == before);
}

/* Without CAP_SYS_ADMIN the kernel hides physical addresses: a clear error, nothing kept. */
static void test_noiommu_without_cap(void)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2];
		struct nvf_iommu io = {.name = "noiommu-test", .identity_phys = true};
		struct nvfio_dma *dma;
		long before = pool_get(M2, "free_hugepages");
		void *p;

		/* The pool is the parent's to restore. */
		old_nr2m = old_over2m = old_nr1g = -1;
		CHECK(syscall(SYS_capget, &hdr, d) == 0);
		d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
		CHECK(syscall(SYS_capset, &hdr, d) == 0);
		CHECK_OK(nvf_dma_create(&io, &dma));
		CHECK_ERR(nvfio_dma_alloc(dma, M2, 0, &p), -NVFIO_ENOPHYS);
		CHECK(strstr(nvfio_last_error(), "CAP_SYS_ADMIN"));
		printf("without CAP_SYS_ADMIN: %s\n", nvfio_last_error());
		fflush(stdout);
		CHECK(nvf_dma_nentries(dma) == 0);
		CHECK(pool_get(M2, "free_hugepages") == before);
		nvf_dma_destroy(dma);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_no_hugepages(void)
{
	struct nvf_iommu soft = {.name = "soft"}, noiommu = {.identity_phys = true};
	struct nvfio_dma *dma;
	void *p;

	CHECK(pool_set(M2, "nr_hugepages", 0) == 0);
	if (pool_avail(M2) > 0) {
		printf("note: 2 MiB pages held by other processes; no-hugepages check not run\n");
		return;
	}
	CHECK_OK(nvf_dma_create(&soft, &dma));
	CHECK_ERR(nvfio_dma_alloc(dma, 2 * M2, NVFIO_DMA_HUGE_2M, &p), -NVFIO_ENOHUGEPAGES);
	printf("no hugepages: %s\n", nvfio_last_error());
	CHECK(strstr(nvfio_last_error(), "2 needed"));
	CHECK(strstr(nvfio_last_error(), "`hugeadm --pool-pages-min 2MB:"));
	CHECK(strstr(nvfio_last_error(),
		     "> /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages`"));
	/* 4 KiB pages still work. */
	CHECK_OK(nvfio_dma_alloc(dma, 2 * M2, 0, &p));
	CHECK(nvf_dma_nentries(dma) == 1);
	nvf_dma_destroy(dma);

	CHECK_OK(nvf_dma_create(&noiommu, &dma));
	CHECK_ERR(nvfio_dma_alloc(dma, 1, 0, &p), -NVFIO_ENOHUGEPAGES);
	CHECK(strstr(nvfio_last_error(), "1 needed"));
	CHECK(nvf_dma_nentries(dma) == 0);
	nvf_dma_destroy(dma);
}

static void test_1g(void)
{
	struct nvf_iommu io = {.name = "soft"};
	struct nvfio_dma *dma;
	unsigned char *p;
	uint64_t iova;

	old_nr1g = pool_get(G1, "nr_hugepages");
	if (old_nr1g < 0) {
		printf("note: no 1 GiB hugepage support; 1 GiB checks not run\n");
		return;
	}
	CHECK_OK(nvf_dma_create(&io, &dma));
	if (pool_avail(G1) <= 0) {
		CHECK_ERR(nvfio_dma_alloc(dma, 1, NVFIO_DMA_HUGE_1G, (void **)&p),
			  -NVFIO_ENOHUGEPAGES);
		CHECK(strstr(nvfio_last_error(), "hugepagesz=1G"));
		CHECK(strstr(nvfio_last_error(), "--pool-pages-min 1GB:"));
		pool_set(G1, "nr_hugepages", old_nr1g + 1);
	}
	if (pool_avail(G1) <= 0) {
		printf(
		    "note: the kernel could not reserve a 1 GiB page; 1 GiB allocation not run\n");
	} else {
		CHECK_OK(nvfio_dma_alloc(dma, 1, NVFIO_DMA_HUGE_1G, (void **)&p));
		CHECK((uintptr_t)p % G1 == 0);
		p[G1 - 1] = 1;
		CHECK_OK(nvfio_dma_iova(dma, p, G1, &iova));
		CHECK(iova % G1 == 0);
		printf("1 GiB page allocated and mapped\n");
	}
	nvf_dma_destroy(dma);
	pool_set(G1, "nr_hugepages", old_nr1g);
}

int main(void)
{
	if (geteuid() != 0)
		SKIP("sizing the hugepage pool needs root");
	old_nr2m = pool_get(M2, "nr_hugepages");
	old_over2m = pool_get(M2, "nr_overcommit_hugepages");
	if (old_nr2m < 0)
		SKIP("this kernel has no 2 MiB hugepages");
	atexit(restore);
	/* No surplus pages: the no-hugepages check needs an empty pool to stay empty. */
	if (pool_set(M2, "nr_overcommit_hugepages", 0) < 0 ||
	    pool_set(M2, "nr_hugepages", old_nr2m + 8) < 0)
		SKIP("cannot write to /sys/kernel/mm/hugepages (read-only sysfs?)");
	if (pool_avail(M2) < 8)
		SKIP("the kernel could reserve only %ld of 8 2 MiB hugepages", pool_avail(M2));

	test_soft_2m();
	test_noiommu();
	test_noiommu_without_cap();
	test_no_hugepages();
	test_1g();
	printf("PASS\n");
	return T_EXIT_PASS;
}
