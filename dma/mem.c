/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dma/mem.h"
#include "support/error.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

/* Documentation/admin-guide/mm/pagemap.rst: both files hold one 64-bit word per base page
 * (PAGE_SIZE, not necessarily 4 KiB), pagemap per virtual page, kpageflags per frame. */
#define PAGEMAP_PRESENT (1ull << 63)
#define PAGEMAP_PFN	((1ull << 55) - 1)
#define KPF_HUGE	17
#define WORDS		512 /* words read at a time */

static size_t base_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static const char *size_name(size_t pgsize)
{
	return pgsize == NVF_DMA_1G ? "1 GiB" : "2 MiB";
}

static int log2_of(size_t v)
{
	return 63 - __builtin_clzll((unsigned long long)v);
}

/* A number from a sysfs file of the hugepage pool, or -1. */
static long pool_read(const char *dir, const char *file)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int no_hugepages(size_t len, size_t pgsize)
{
	char dir[128];
	long nr, nfree, resv, avail, want;
	size_t need = len / pgsize;

	snprintf(dir, sizeof(dir), "/sys/kernel/mm/hugepages/hugepages-%zukB", pgsize >> 10);
	nr = pool_read(dir, "nr_hugepages");
	nfree = pool_read(dir, "free_hugepages");
	resv = pool_read(dir, "resv_hugepages");
	if (nr < 0 || nfree < 0)
		return nvf_err(
		    -NVFIO_ENOHUGEPAGES,
		    "this system offers no %s hugepages (%s is missing); use another page "
		    "size for the DMA allocation",
		    size_name(pgsize), dir);
	/* Free pages already promised to other mappings cannot be had. */
	avail = nfree - (resv > 0 ? resv : 0);
	if (avail < 0)
		avail = 0;
	want = nr + (long)need - avail;
	if (pgsize == NVF_DMA_1G)
		return nvf_err(
		    -NVFIO_ENOHUGEPAGES,
		    "not enough free 1 GiB hugepages for %zu bytes of DMA memory: %zu "
		    "needed, %ld of %ld reserved are free; reserve %ld with `hugeadm "
		    "--pool-pages-min 1GB:%ld` or `echo %ld > %s/nr_hugepages` (1 GiB pages "
		    "are often only available when reserved at boot: hugepagesz=1G "
		    "hugepages=%ld on the kernel command line)",
		    len, need, avail, nr, want, want, want, dir, want);
	return nvf_err(
	    -NVFIO_ENOHUGEPAGES,
	    "not enough free 2 MiB hugepages for %zu bytes of DMA memory: %zu needed, %ld "
	    "of %ld reserved are free; reserve %ld with `hugeadm --pool-pages-min 2MB:%ld` "
	    "or `echo %ld > %s/nr_hugepages`",
	    len, need, avail, nr, want, want, want, dir);
}

int nvf_dma_mem_map(size_t len, size_t pgsize, void **out)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
	bool huge = pgsize > base_page();
	void *p;

	if (huge)
		flags |= MAP_HUGETLB | (log2_of(pgsize) << MAP_HUGE_SHIFT);
	/* A private hugetlb mapping reserves its pages here, so a short pool fails now rather
	 * than with SIGBUS on first touch. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		if (huge && (err == ENOMEM || err == EINVAL))
			return no_hugepages(len, pgsize);
		return nvf_err(-err, "mapping %zu bytes of DMA memory failed: %s", len,
			       strerror(err));
	}
	/* A child must not share DMA pages copy-on-write: the parent's next write would move
	 * its data to a fresh page while the device keeps using the old one. */
	if (madvise(p, len, MADV_DONTFORK) < 0) {
		int err = errno;

		munmap(p, len);
		return nvf_err(-err, "madvise(MADV_DONTFORK) on DMA memory failed: %s",
			       strerror(err));
	}
	*out = p;
	return 0;
}

static bool has_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective & CAP_TO_MASK(CAP_IPC_LOCK);
}

/* What the kernel counts as locked for this process (VmLck: mlock and VFIO pins), bytes. */
static size_t locked_now(void)
{
	char line[128];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb << 10;
}

/* @refused: the kernel said no (VFIO's -ENOMEM, mlock()); otherwise it is a check beforehand. */
static int memlock_msg(bool refused, size_t len, size_t locked, const struct rlimit *rl)
{
	unsigned long long need_kb = (locked + len + 1023) >> 10;
	char hard[64];

	if (rl->rlim_max == RLIM_INFINITY)
		snprintf(hard, sizeof(hard), "unlimited");
	else if (rl->rlim_max < locked + len)
		snprintf(hard, sizeof(hard), "%llu KiB, which only root can raise",
			 (unsigned long long)rl->rlim_max >> 10);
	else
		snprintf(hard, sizeof(hard), "%llu KiB", (unsigned long long)rl->rlim_max >> 10);
	return nvf_err(-NVFIO_EMEMLOCK,
		       "%s %zu bytes of DMA memory %s the locked-memory limit: %zu KiB are "
		       "locked already, %llu KiB needed, RLIMIT_MEMLOCK is %llu KiB (hard limit "
		       "%s); raise it with `ulimit -l %llu` (or `ulimit -l unlimited`; the "
		       "memlock item of /etc/security/limits.conf for a login, LimitMEMLOCK= for "
		       "a systemd service), or run with CAP_IPC_LOCK",
		       refused ? "the kernel refused to pin" : "pinning", len,
		       refused ? "beyond" : "exceeds", locked >> 10, need_kb,
		       (unsigned long long)rl->rlim_cur >> 10, hard, need_kb);
}

int nvf_dma_mem_check_memlock(size_t len, size_t pinned)
{
	struct rlimit rl;
	size_t locked;

	if (has_cap_ipc_lock())
		return 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	locked = locked_now();
	if (locked < pinned)
		locked = pinned;
	if (len > rl.rlim_cur || locked > rl.rlim_cur - len)
		return memlock_msg(false, len, locked, &rl);
	return 0;
}

int nvf_dma_mem_memlock_error(size_t len, size_t pinned)
{
	struct rlimit rl;
	size_t locked = locked_now();

	if (has_cap_ipc_lock() || getrlimit(RLIMIT_MEMLOCK, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY)
		return nvf_err(-ENOMEM, "out of memory pinning %zu bytes of DMA memory", len);
	if (locked < pinned)
		locked = pinned;
	return memlock_msg(true, len, locked, &rl);
}

static int open_proc(const char *path, int *fd)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int err = errno;

		if (err == EACCES || err == EPERM)
			return nvf_err(
			    -NVFIO_ENOPHYS,
			    "cannot read %s: no-IOMMU mode needs physical addresses, which "
			    "only root (CAP_SYS_ADMIN) may read",
			    path);
		return nvf_err(-err, "cannot open %s: %s", path, strerror(err));
	}
	return 0;
}

/* Read @n 64-bit words of a /proc table at word index @idx. */
static int read_words(int fd, const char *path, uint64_t idx, uint64_t *w, size_t n)
{
	size_t want = n * sizeof(*w);
	ssize_t got = pread(fd, w, want, (off_t)(idx * sizeof(*w)));

	if (got < 0)
		return nvf_err(-errno, "reading %s failed: %s", path, strerror(errno));
	if ((size_t)got != want)
		return nvf_err(-EIO, "short read from %s", path);
	return 0;
}

int nvf_dma_mem_phys(const void *vaddr, size_t len, size_t step, uint64_t *phys)
{
	static const char path[] = "/proc/self/pagemap";
	const size_t frame = base_page(), stride = step / frame;
	uintptr_t va = (uintptr_t)vaddr;
	size_t i, j, k, n = len / step;
	uint64_t w[WORDS];
	int fd, ret;

	ret = open_proc(path, &fd);
	if (ret < 0)
		return ret;
	/* One read covers every sample that fits in w[] (all of them, 512 at a time, for base
	 * pages; one per read for hugepages, whose samples are 512 or more words apart). */
	for (i = 0; i < n; i += k) {
		k = stride < WORDS ? (WORDS - 1) / stride + 1 : 1;
		if (k > n - i)
			k = n - i;
		ret = read_words(fd, path, (va + i * step) / frame, w, (k - 1) * stride + 1);
		if (ret < 0)
			goto out;
		for (j = 0; j < k; j++) {
			uintptr_t v = va + (i + j) * step;
			uint64_t word = w[j * stride];

			if (!(word & PAGEMAP_PRESENT)) {
				ret = nvf_err(-NVFIO_ENOPHYS, "page at %p is not present in memory",
					      (void *)v);
				goto out;
			}
			if (!(word & PAGEMAP_PFN)) {
				ret = nvf_err(-NVFIO_ENOPHYS,
					      "the kernel hides physical addresses from this "
					      "process: no-IOMMU mode needs them and so needs root "
					      "(CAP_SYS_ADMIN)");
				goto out;
			}
			phys[i + j] = (word & PAGEMAP_PFN) * frame + v % frame;
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

int nvf_dma_mem_check_huge(uint64_t phys, size_t len)
{
	static const char path[] = "/proc/kpageflags";
	const size_t frame = base_page();
	uint64_t flags[WORDS], pfn = phys / frame, end = (phys + len + frame - 1) / frame;
	int fd, ret;

	ret = open_proc(path, &fd);
	if (ret < 0)
		return ret;
	while (pfn < end) {
		size_t i, n = end - pfn < WORDS ? (size_t)(end - pfn) : WORDS;

		ret = read_words(fd, path, pfn, flags, n);
		if (ret < 0)
			goto out;
		for (i = 0; i < n; i++) {
			if (!(flags[i] >> KPF_HUGE & 1)) {
				ret = nvf_err(-EINVAL,
					      "no-IOMMU mode needs hugepage-backed memory (the "
					      "device uses physical addresses, which only hugetlb "
					      "pages keep), but physical page 0x%llx is not one",
					      (unsigned long long)(pfn + i) * frame);
				goto out;
			}
		}
		pfn += n;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}
