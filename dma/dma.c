/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMA address spaces: allocations, registrations of the caller's memory, and the IOVA tables.
 *
 * Three kinds of backend (struct nvf_iommu):
 *  - an IOMMU (ops set, identity_phys false): IOVAs come from the allocator inside the IOMMU's
 *    valid ranges and each allocation or registration is one ops->map() call. VFIO pins the
 *    pages itself and charges them to RLIMIT_MEMLOCK, so the memory is not mlock()ed here as
 *    well (that would charge it twice); the limit is checked beforehand for a clear message.
 *  - no IOMMU (identity_phys): the device sees physical addresses. Memory must be hugepages
 *    (physically contiguous within a page, never moved by the kernel), is mlock()ed (which
 *    faults it in and checks the limit), and its IOVAs are read from /proc/self/pagemap; the
 *    tables hold one entry per physically contiguous run. ops is not called.
 *  - soft (no ops, identity_phys false): nothing is mapped in hardware; a software device
 *    translates every access through nvf_dma_translate(). IOVAs are allocated as usual but,
 *    unless the backend gives ranges, from 2^60 up, above every user-space address, so a vaddr
 *    passed where an IOVA belongs never translates. Memory is not mlock()ed: the software device
 *    reaches it through the CPU's page tables, so paging it out is harmless, and simulations
 *    and tests then need no locked-memory allowance. What VFIO would refuse to pin, memory
 *    that is not mapped or not writable, is refused by a look at /proc/self/maps (dma/maps.h):
 *    taken, the device model's first access to it would kill the process.
 *
 * Why adjacent registrations do not share an IOMMU mapping: VFIO type1v2 unmaps only whole
 * mappings (an unmap that would split one fails), so two registrations merged into one mapping
 * could not be unregistered one at a time without unmapping both and remapping the survivor, and
 * between those two ioctls I/O in flight to the survivor would fault. Remapping at a fresh IOVA
 * instead would leave IOVAs the driver already handed out dangling. So each registration is
 * mapped on its own, exactly as given, and unmapped exactly so; what is merged is the lookup
 * table: a registration adjacent to another gets the IOVA right after (or before) its
 * neighbour's where that is free, the two runs become one table entry, and a buffer straddling
 * them is one contiguous IOVA range. The mapping count therefore grows by one per registration
 * and is checked against the backend's dma_avail, with a message that says what to do.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dma/dma.h"
#include "dma/iova.h"
#include "dma/map.h"
#include "dma/maps.h"
#include "dma/mem.h"
#include "support/error.h"

/* Where the soft backend's IOVAs start when it names no ranges: above any user address
 * (x86-64 user space ends below 2^56 even with 5-level paging). */
#define NVF_DMA_SOFT_IOVA_BASE (1ull << 60)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

struct nvf_dma_run {
	uint64_t vaddr;
	uint64_t iova;
	uint64_t len;
};

struct nvf_dma_region {
	uintptr_t vaddr;
	size_t len;
	bool alloc;	 /* from nvfio_dma_alloc(): unmapped from the process on free */
	bool mapped;	 /* one ops->map() covers it at runs[0].iova */
	bool iova_owned; /* runs[0].iova came from the IOVA allocator */
	bool locked;	 /* mlock()ed here */
	unsigned int nruns;
	struct nvf_dma_run *runs; /* &one, or an array (no-IOMMU) */
	struct nvf_dma_run one;
};

struct nvfio_dma {
	struct nvf_dma_map map; /* first: all that the lock-free lookups read */

	pthread_mutex_t lock; /* writers: everything below and the map's writer side */
	struct nvf_iommu iommu;
	struct nvf_dma_iova iova;
	struct nvf_dma_region **regions; /* sorted by vaddr, disjoint */
	unsigned int nregions;
	unsigned int cap;
	unsigned int nmappings; /* ops->map() calls not yet undone */
	size_t pinned;		/* bytes those calls pinned */
	size_t page;		/* granule of registrations: CPU page and IOMMU page */
	uintptr_t **watched;	/* zeroed when a mapping goes away (nvf_dma_watch()) */
	unsigned int nwatched;
};

static bool identity(const struct nvfio_dma *dma)
{
	return dma->iommu.identity_phys;
}

static bool hw_mapped(const struct nvfio_dma *dma)
{
	return dma->iommu.ops && !dma->iommu.identity_phys;
}

static bool soft_only(const struct nvfio_dma *dma)
{
	return !dma->iommu.ops && !dma->iommu.identity_phys;
}

int nvf_dma_create(const struct nvf_iommu *iommu, struct nvfio_dma **out)
{
	struct nvf_iommu_range soft = {NVF_DMA_SOFT_IOVA_BASE, UINT64_MAX};
	const struct nvf_iommu_range *ranges;
	struct nvfio_dma *dma;
	unsigned int nranges;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int ret;

	if (!iommu || !out || (iommu->nranges && !iommu->ranges))
		return nvf_err(-EINVAL, "creating a DMA space: no IOMMU description given");
	if (iommu->ops && (!iommu->ops->map || !iommu->ops->unmap))
		return nvf_err(-EINVAL, "creating a DMA space: IOMMU backend %s lacks map/unmap",
			       iommu->name ? iommu->name : "?");

	dma = calloc(1, sizeof(*dma));
	if (!dma)
		return nvf_err(-ENOMEM, "out of memory creating a DMA space");
	dma->iommu = *iommu;
	dma->iommu.ranges = NULL;
	if (iommu->nranges) {
		dma->iommu.ranges = malloc(iommu->nranges * sizeof(*iommu->ranges));
		if (!dma->iommu.ranges) {
			ret = nvf_err(-ENOMEM, "out of memory creating a DMA space");
			goto err_free;
		}
		memcpy(dma->iommu.ranges, iommu->ranges, iommu->nranges * sizeof(*iommu->ranges));
	}
	/* The smallest IOMMU page is the granule a mapping can start and end on. */
	if (iommu->pgsize_bitmap && (iommu->pgsize_bitmap & -iommu->pgsize_bitmap) > page)
		page = (size_t)(iommu->pgsize_bitmap & -iommu->pgsize_bitmap);
	dma->page = page;

	ranges = dma->iommu.ranges;
	nranges = dma->iommu.nranges;
	if (!dma->iommu.ops && !identity(dma) && !nranges) {
		ranges = &soft;
		nranges = 1;
	}
	/* Page 0 stays out: an IOVA of 0 looks like a missing pointer in a command. */
	if (!identity(dma)) {
		ret = nvf_dma_iova_init(&dma->iova, ranges, nranges, page);
		if (ret < 0) {
			nvf_err_prefix("creating a DMA space over %s",
				       iommu->name ? iommu->name : "an IOMMU");
			goto err_ranges;
		}
	}
	ret = nvf_dma_map_init(&dma->map);
	if (ret < 0) {
		ret = nvf_err(ret, "out of memory creating a DMA space");
		goto err_iova;
	}
	ret = pthread_mutex_init(&dma->lock, NULL);
	if (ret) {
		ret = nvf_err(-ret, "creating a DMA space: pthread_mutex_init failed");
		goto err_map;
	}
	*out = dma;
	return 0;

err_map:
	nvf_dma_map_fini(&dma->map);
err_iova:
	nvf_dma_iova_fini(&dma->iova);
err_ranges:
	free(dma->iommu.ranges);
err_free:
	free(dma);
	return ret;
}

/* Index of the first region starting above @v. */
static unsigned int region_upper(struct nvfio_dma *dma, uintptr_t v)
{
	unsigned int lo = 0, hi = dma->nregions;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (dma->regions[mid]->vaddr <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The region overlapping [v, v + len), if any: the last one starting before its end. */
static struct nvf_dma_region *region_overlap(struct nvfio_dma *dma, uintptr_t v, size_t len)
{
	unsigned int i = region_upper(dma, v + (len - 1));
	struct nvf_dma_region *r = i ? dma->regions[i - 1] : NULL;

	return r && r->vaddr + (r->len - 1) >= v ? r : NULL;
}

/* The region that starts exactly at @v, if any, and its index. */
static struct nvf_dma_region *region_at(struct nvfio_dma *dma, uintptr_t v, unsigned int *idx)
{
	unsigned int i = region_upper(dma, v);

	if (!i || dma->regions[i - 1]->vaddr != v)
		return NULL;
	*idx = i - 1;
	return dma->regions[i - 1];
}

static int region_reserve(struct nvfio_dma *dma)
{
	struct nvf_dma_region **p;
	unsigned int cap;

	if (dma->nregions < dma->cap)
		return 0;
	cap = dma->cap ? dma->cap * 2 : 16;
	p = realloc(dma->regions, cap * sizeof(*p));
	if (!p)
		return nvf_err(-ENOMEM, "out of memory for DMA bookkeeping");
	dma->regions = p;
	dma->cap = cap;
	return 0;
}

static void region_insert(struct nvfio_dma *dma, struct nvf_dma_region *r)
{
	unsigned int i = region_upper(dma, r->vaddr);

	memmove(&dma->regions[i + 1], &dma->regions[i],
		(dma->nregions - i) * sizeof(*dma->regions));
	dma->regions[i] = r;
	dma->nregions++;
}

static void region_delete(struct nvfio_dma *dma, unsigned int i)
{
	memmove(&dma->regions[i], &dma->regions[i + 1],
		(dma->nregions - i - 1) * sizeof(*dma->regions));
	dma->nregions--;
}

static int mappings_exhausted(struct nvfio_dma *dma)
{
	return nvf_err(
	    -NVFIO_ENOMAPPINGS,
	    "the IOMMU's DMA mapping limit is reached: %u mappings in use, %s allows %u; "
	    "use fewer, larger buffers (each allocation and registration is one mapping, "
	    "adjacent ones included), or raise VFIO's limit with `echo N > "
	    "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit` before the "
	    "container is opened (default 65535)",
	    dma->nmappings, dma->iommu.name ? dma->iommu.name : "the backend",
	    dma->iommu.dma_avail ? dma->iommu.dma_avail : dma->nmappings);
}

/*
 * Before pinning @len more bytes: the backend's mapping count (each allocation or registration
 * is one mapping) and the locked-memory limit, so that a refusal comes with the numbers before
 * any memory is populated. The soft backend pins nothing.
 */
static int check_pin_limits(struct nvfio_dma *dma, size_t len)
{
	if (hw_mapped(dma) && dma->iommu.dma_avail && dma->nmappings >= dma->iommu.dma_avail)
		return mappings_exhausted(dma);
	if (hw_mapped(dma) || identity(dma))
		return nvf_dma_mem_check_memlock(len, dma->pinned);
	return 0;
}

/* An IOVA next to a neighbour's, so that the new run and the neighbour's share a table entry;
 * it must also be congruent to @phase modulo @align. 0, or -EBUSY if there is none. */
static int iova_beside(struct nvfio_dma *dma, uintptr_t v, size_t len, uint64_t align,
		       uint64_t phase, uint64_t *iova)
{
	struct nvf_dma_hit hit;
	uint64_t cand;

	if (v && nvf_dma_map_find_locked(&dma->map, 0, v - 1, &hit) && hit.from + hit.len == v) {
		cand = hit.to + hit.len;
		if ((cand & (align - 1)) == phase &&
		    nvf_dma_iova_reserve(&dma->iova, cand, len) == 0) {
			*iova = cand;
			return 0;
		}
	}
	if (nvf_dma_map_find_locked(&dma->map, 0, v + len, &hit) && hit.from == v + len &&
	    hit.to >= len) {
		cand = hit.to - len;
		if ((cand & (align - 1)) == phase &&
		    nvf_dma_iova_reserve(&dma->iova, cand, len) == 0) {
			*iova = cand;
			return 0;
		}
	}
	return -EBUSY;
}

static int map_error(struct nvfio_dma *dma, int ret, size_t len, uint64_t iova)
{
	const char *name = dma->iommu.name ? dma->iommu.name : "the IOMMU";

	if (ret == -ENOMEM)
		return nvf_dma_mem_memlock_error(len, dma->pinned);
	if (ret == -ENOSPC)
		return mappings_exhausted(dma);
	if (nvfio_last_error()[0]) {
		nvf_err_prefix("mapping %zu bytes for DMA at IOVA 0x%llx through %s", len,
			       (unsigned long long)iova, name);
		return ret;
	}
	return nvf_err(ret, "mapping %zu bytes for DMA at IOVA 0x%llx through %s failed: %s", len,
		       (unsigned long long)iova, name, nvfio_strerror(ret));
}

/*
 * IOMMU and soft backends: one IOVA range for the whole region, mapped with one call; the
 * caller has checked the limits. @align, @phase: what the IOVA must be congruent to (so that
 * large IOMMU pages can be used).
 */
static int setup_iova(struct nvfio_dma *dma, struct nvf_dma_region *r, uint64_t align,
		      uint64_t phase)
{
	uint64_t iova;
	int ret;

	ret = nvf_dma_map_reserve(&dma->map, 1);
	if (ret < 0)
		return nvf_err(ret, "out of memory for the DMA tables");
	if (iova_beside(dma, r->vaddr, r->len, align, phase, &iova) < 0) {
		ret = nvf_dma_iova_alloc(&dma->iova, r->len, align, phase, &iova);
		if (ret < 0)
			return ret;
	}
	if (hw_mapped(dma)) {
		nvf_err_clear();
		ret = dma->iommu.ops->map(dma->iommu.ctx, (void *)r->vaddr, r->len, iova);
		if (ret < 0) {
			ret = map_error(dma, ret, r->len, iova);
			nvf_dma_iova_free(&dma->iova, iova, r->len);
			return ret;
		}
		dma->nmappings++;
		dma->pinned += r->len;
		r->mapped = true;
	}
	r->iova_owned = true;
	r->one = (struct nvf_dma_run){r->vaddr, iova, r->len};
	r->runs = &r->one;
	r->nruns = 1;

	/* Published only now that the IOMMU maps it: no one gets an IOVA that is not mapped. */
	nvf_dma_map_write_begin(&dma->map);
	nvf_dma_map_insert(&dma->map, r->vaddr, iova, r->len);
	nvf_dma_map_write_end(&dma->map);
	return 0;
}

/*
 * No-IOMMU: lock the memory in, read the physical address of every @step bytes, and enter one
 * run per physically contiguous stretch; the caller has checked the limits. @check_huge: memory
 * the caller brought, which must be proved to be hugetlb pages (what we allocated is).
 */
static int setup_identity(struct nvfio_dma *dma, struct nvf_dma_region *r, size_t step,
			  bool check_huge)
{
	size_t i, n = r->len / step;
	struct nvf_dma_run *runs = NULL;
	unsigned int k = 0, j;
	uint64_t *phys;
	int ret;

	phys = malloc(n * sizeof(*phys));
	runs = malloc(n * sizeof(*runs));
	if (!phys || !runs) {
		ret = nvf_err(-ENOMEM, "out of memory for the physical addresses of %zu bytes",
			      r->len);
		goto err_free;
	}
	if (mlock((void *)r->vaddr, r->len) < 0) {
		int err = errno;

		if (err == ENOMEM || err == EAGAIN || err == EPERM)
			ret = nvf_dma_mem_memlock_error(r->len, dma->pinned);
		else
			ret = nvf_err(-err, "locking %zu bytes at %p for DMA failed: %s", r->len,
				      (void *)r->vaddr, strerror(err));
		nvf_err_prefix("is all of [%p, +%zu) mapped?", (void *)r->vaddr, r->len);
		goto err_free;
	}
	/* mlock() faults the pages in already, unless something interposes it (sanitizers
	 * do); write faults, so that a private mapping's copy-on-write is broken now and not
	 * after the device has been given the physical address. */
	if (madvise((void *)r->vaddr, r->len, MADV_POPULATE_WRITE) < 0 && errno != EINVAL) {
		ret = nvf_err(-errno, "faulting in %zu bytes at %p for DMA failed: %s", r->len,
			      (void *)r->vaddr, strerror(errno));
		goto err_unlock;
	}
	ret = nvf_dma_mem_phys((void *)r->vaddr, r->len, step, phys);
	if (ret < 0)
		goto err_unlock;

	for (i = 0; i < n; i++) {
		if (k && runs[k - 1].iova + runs[k - 1].len == phys[i]) {
			runs[k - 1].len += step;
			continue;
		}
		runs[k++] = (struct nvf_dma_run){r->vaddr + i * step, phys[i], step};
	}
	if (check_huge) {
		for (j = 0; j < k; j++) {
			ret = nvf_dma_mem_check_huge(runs[j].iova, runs[j].len);
			if (ret < 0)
				goto err_unlock;
		}
	}
	ret = nvf_dma_map_reserve(&dma->map, k);
	if (ret < 0) {
		ret = nvf_err(ret, "out of memory for the DMA tables");
		goto err_unlock;
	}

	/* All runs enter in one write section, so a reader sees all of them or none, also when
	 * a conflict below takes the first ones out again. */
	nvf_dma_map_write_begin(&dma->map);
	for (j = 0; j < k; j++) {
		if (nvf_dma_map_iova_busy(&dma->map, runs[j].iova, runs[j].len)) {
			while (j--)
				nvf_dma_map_remove(&dma->map, runs[j].vaddr, runs[j].iova,
						   runs[j].len);
			nvf_dma_map_write_end(&dma->map);
			ret = nvf_err(-EEXIST,
				      "the physical memory behind [%p, +%zu) is already registered "
				      "for DMA through another virtual address",
				      (void *)r->vaddr, r->len);
			goto err_unlock;
		}
		nvf_dma_map_insert(&dma->map, runs[j].vaddr, runs[j].iova, runs[j].len);
	}
	nvf_dma_map_write_end(&dma->map);

	free(phys);
	if (k == 1) {
		r->one = runs[0];
		free(runs);
		runs = &r->one;
	} else {
		/* One slot per page was the worst case; keep only the runs. */
		struct nvf_dma_run *shrunk = realloc(runs, k * sizeof(*runs));

		if (shrunk)
			runs = shrunk;
	}
	r->runs = runs;
	r->nruns = k;
	r->locked = true;
	return 0;

err_unlock:
	munlock((void *)r->vaddr, r->len);
err_free:
	free(runs);
	free(phys);
	return ret;
}

/*
 * Undo setup_iova()/setup_identity() and the region's memory if we allocated it. Returns 0, or
 * the backend's unmap error: the region is gone from the tables all the same, but its IOVAs stay
 * reserved since the IOMMU may still map them.
 */
static int teardown(struct nvfio_dma *dma, struct nvf_dma_region *r)
{
	unsigned int j;
	int ret = 0;

	/* Out of the tables first, so that nothing new gets its IOVAs, then out of the IOMMU,
	 * then back to the allocator, so that an IOVA is never handed out while still mapped. */
	nvf_dma_map_write_begin(&dma->map);
	for (j = 0; j < r->nruns; j++)
		nvf_dma_map_remove(&dma->map, r->runs[j].vaddr, r->runs[j].iova, r->runs[j].len);
	nvf_dma_map_write_end(&dma->map);
	/* After the generation moved (the removals above): see nvf_dma_watch(). */
	for (j = 0; j < dma->nwatched; j++)
		__atomic_store_n(dma->watched[j], 0, __ATOMIC_SEQ_CST);

	if (r->mapped) {
		ret = dma->iommu.ops->unmap(dma->iommu.ctx, r->runs[0].iova, r->len);
		if (ret < 0) {
			/* Keep the IOVA out of the allocator: it may still be mapped. */
			nvf_err(ret,
				"unmapping %zu bytes at IOVA 0x%llx from %s failed (%s); the "
				"IOVA range stays reserved",
				r->len, (unsigned long long)r->runs[0].iova,
				dma->iommu.name ? dma->iommu.name : "the IOMMU",
				nvfio_strerror(ret));
			r->iova_owned = false;
		} else {
			dma->nmappings--;
			dma->pinned -= r->len;
		}
	}
	if (r->iova_owned)
		nvf_dma_iova_free(&dma->iova, r->runs[0].iova, r->len);
	if (r->alloc)
		munmap((void *)r->vaddr, r->len);
	else if (r->locked)
		munlock((void *)r->vaddr, r->len);
	if (r->runs != &r->one)
		free(r->runs);
	free(r);
	return ret;
}

void nvf_dma_destroy(struct nvfio_dma *dma)
{
	if (!dma)
		return;
	pthread_mutex_lock(&dma->lock);
	/* An unmap failing here leaves its message; there is no one to return it to. */
	while (dma->nregions) {
		teardown(dma, dma->regions[dma->nregions - 1]);
		dma->nregions--;
	}
	pthread_mutex_unlock(&dma->lock);
	pthread_mutex_destroy(&dma->lock);
	free(dma->regions);
	free(dma->watched);
	nvf_dma_map_fini(&dma->map);
	nvf_dma_iova_fini(&dma->iova);
	free(dma->iommu.ranges);
	free(dma);
}

/* The largest IOMMU page that fits in @len: the IOVA then shares the vaddr's offset in it, so
 * that the IOMMU can map hugepage-backed memory with large pages. */
static uint64_t iova_align(struct nvfio_dma *dma, size_t len)
{
	uint64_t sizes = dma->iommu.pgsize_bitmap ? dma->iommu.pgsize_bitmap
						  : (NVF_DMA_1G | NVF_DMA_2M | dma->page);
	uint64_t a = dma->page;
	int bit;

	for (bit = 63; bit >= 0; bit--) {
		uint64_t s = 1ull << bit;

		if ((sizes & s) && s <= len && s <= NVF_DMA_1G && s > a) {
			a = s;
			break;
		}
	}
	return a;
}

int nvfio_dma_register(struct nvfio_dma *dma, void *vaddr, size_t len)
{
	uintptr_t v = (uintptr_t)vaddr;
	struct nvf_dma_region *r, *other;
	uint64_t align;
	int ret;

	if (!dma || !v || !len || !IS_ALIGNED(v, dma->page) || !IS_ALIGNED(len, dma->page) ||
	    v + len < v)
		return nvf_err(-EINVAL,
			       "cannot register [%p, +%zu) for DMA: the range must be non-empty "
			       "and start and end on a %zu-byte page boundary",
			       vaddr, len, dma ? dma->page : 0);
	/* An IOMMU pins the pages for writing and fails on what it cannot pin; nothing else
	 * would. Outside the lock: it reads a file as long as the process has mappings. */
	if (soft_only(dma)) {
		ret = nvf_dma_maps_check_self(vaddr, len);
		if (ret < 0) {
			nvf_err_prefix("cannot register [%p, +%zu) for DMA", vaddr, len);
			return ret;
		}
	}

	pthread_mutex_lock(&dma->lock);
	other = region_overlap(dma, v, len);
	if (other) {
		ret = nvf_err(-EEXIST,
			      "cannot register [%p, %p) for DMA: it overlaps the %s [%p, %p); "
			      "register only memory that is not yet registered",
			      vaddr, (void *)(v + len),
			      other->alloc ? "DMA allocation" : "registration",
			      (void *)other->vaddr, (void *)(other->vaddr + other->len));
		goto out;
	}
	ret = region_reserve(dma);
	if (ret < 0)
		goto out;
	ret = check_pin_limits(dma, len);
	if (ret < 0)
		goto err_prefix;
	r = calloc(1, sizeof(*r));
	if (!r) {
		ret = nvf_err(-ENOMEM, "out of memory for DMA bookkeeping");
		goto out;
	}
	r->vaddr = v;
	r->len = len;
	if (identity(dma)) {
		ret = setup_identity(dma, r, dma->page, true);
	} else {
		align = iova_align(dma, len);
		ret = setup_iova(dma, r, align, v & (align - 1));
	}
	if (ret < 0) {
		free(r);
		goto err_prefix;
	}
	region_insert(dma, r);
	goto out;

err_prefix:
	nvf_err_prefix("registering [%p, +%zu) for DMA", vaddr, len);
out:
	pthread_mutex_unlock(&dma->lock);
	return ret;
}

int nvfio_dma_unregister(struct nvfio_dma *dma, void *vaddr, size_t len)
{
	uintptr_t v = (uintptr_t)vaddr;
	struct nvf_dma_region *r;
	unsigned int i;
	int ret = 0;

	if (!dma)
		return nvf_err(-NVFIO_ENOTMAPPED, "unregistering from a DMA space that is NULL");
	pthread_mutex_lock(&dma->lock);
	r = region_at(dma, v, &i);
	if (r && r->len == len && !r->alloc) {
		region_delete(dma, i);
		ret = teardown(dma, r);
		if (ret < 0)
			nvf_err_prefix("unregistering [%p, +%zu) from DMA", vaddr, len);
		goto out;
	}
	r = len ? region_overlap(dma, v, len) : NULL;
	if (r && r->alloc)
		ret = nvf_err(
		    -NVFIO_ENOTMAPPED,
		    "cannot unregister [%p, +%zu): it is part of the DMA allocation [%p, %p); "
		    "release that with nvfio_dma_free()",
		    vaddr, len, (void *)r->vaddr, (void *)(r->vaddr + r->len));
	else if (r)
		ret = nvf_err(
		    -NVFIO_ENOTMAPPED,
		    "cannot unregister [%p, +%zu): it is not exactly a registered range but "
		    "overlaps the registration [%p, +%zu); unregister exactly the range "
		    "that was registered",
		    vaddr, len, (void *)r->vaddr, r->len);
	else
		ret = nvf_err(-NVFIO_ENOTMAPPED,
			      "cannot unregister [%p, +%zu): it is not registered for DMA (never "
			      "registered, or already unregistered)",
			      vaddr, len);
out:
	pthread_mutex_unlock(&dma->lock);
	return ret;
}

int nvfio_dma_alloc(struct nvfio_dma *dma, size_t len, unsigned int flags, void **vaddr)
{
	size_t pgsize, size;
	struct nvf_dma_region *r;
	void *p;
	int ret;

	if (!dma || !vaddr || !len ||
	    (flags & ~(unsigned int)(NVFIO_DMA_HUGE_2M | NVFIO_DMA_HUGE_1G | NVFIO_DMA_CONTIG)) ||
	    (flags & NVFIO_DMA_HUGE_2M && flags & NVFIO_DMA_HUGE_1G))
		return nvf_err(-EINVAL,
			       "nvfio_dma_alloc(%zu bytes, flags 0x%x): needs a DMA space, a place "
			       "for the address, a non-zero length, and flags of NVFIO_DMA_* with "
			       "at most one page size",
			       len, flags);
	if (flags & NVFIO_DMA_HUGE_1G)
		pgsize = NVF_DMA_1G;
	else if ((flags & NVFIO_DMA_HUGE_2M) || identity(dma))
		pgsize = NVF_DMA_2M;
	else
		pgsize = dma->page;
	if (len > SIZE_MAX - pgsize)
		return nvf_err(-ENOMEM, "cannot allocate %zu bytes of DMA memory", len);
	size = ALIGN_UP(len, pgsize);
	if (identity(dma) && (flags & NVFIO_DMA_CONTIG) && size > pgsize)
		return nvf_err(
		    -EINVAL,
		    "cannot allocate %zu bytes of contiguous DMA memory without an IOMMU: "
		    "contiguous allocations must fit in one %zu-byte hugepage",
		    len, pgsize);

	pthread_mutex_lock(&dma->lock);
	ret = region_reserve(dma);
	if (ret < 0)
		goto out;
	r = calloc(1, sizeof(*r));
	if (!r) {
		ret = nvf_err(-ENOMEM, "out of memory for DMA bookkeeping");
		goto out;
	}
	/* Before populating (possibly a gigabyte of) memory for nothing. */
	ret = check_pin_limits(dma, size);
	if (ret < 0)
		goto err_free;
	ret = nvf_dma_mem_map(size, pgsize, &p);
	if (ret < 0)
		goto err_free;
	r->vaddr = (uintptr_t)p;
	r->len = size;
	r->alloc = true;
	if (identity(dma))
		ret = setup_identity(dma, r, pgsize, false);
	else
		ret = setup_iova(dma, r, pgsize, 0);
	if (ret < 0)
		goto err_unmap;
	region_insert(dma, r);
	*vaddr = p;
	goto out;

err_unmap:
	munmap(p, size);
err_free:
	free(r);
out:
	pthread_mutex_unlock(&dma->lock);
	return ret;
}

void nvfio_dma_free(struct nvfio_dma *dma, void *vaddr)
{
	uintptr_t v = (uintptr_t)vaddr;
	struct nvf_dma_region *r;
	unsigned int i;

	if (!dma || !vaddr)
		return;
	pthread_mutex_lock(&dma->lock);
	r = region_at(dma, v, &i);
	if (r && r->alloc) {
		region_delete(dma, i);
		teardown(dma, r);
	} else {
		nvf_err(-NVFIO_ENOTMAPPED,
			"nvfio_dma_free(%p): not an address nvfio_dma_alloc() returned; ignored",
			vaddr);
	}
	pthread_mutex_unlock(&dma->lock);
}

int nvfio_dma_iova(const struct nvfio_dma *dma, const void *vaddr, size_t len, uint64_t *iova)
{
	struct nvf_dma_hit hit;

	if (likely(nvf_dma_map_lookup(&dma->map, 0, (uintptr_t)vaddr, len, &hit))) {
		*iova = hit.to + ((uintptr_t)vaddr - hit.from);
		return 0;
	}
	return nvf_err(-NVFIO_ENOTMAPPED,
		       "[%p, +%zu) is not inside one DMA allocation or registration: allocate it "
		       "with nvfio_dma_alloc() or register it with nvfio_dma_register()",
		       vaddr, len);
}

void *nvf_dma_translate(const struct nvfio_dma *dma, uint64_t iova, size_t len)
{
	struct nvf_dma_hit hit;

	if (likely(nvf_dma_map_lookup(&dma->map, 1, iova, len, &hit)))
		return (void *)(uintptr_t)(hit.to + (iova - hit.from));
	return NULL;
}

int nvf_dma_watch(struct nvfio_dma *dma, uintptr_t *slot)
{
	uintptr_t **w;

	pthread_mutex_lock(&dma->lock);
	w = realloc(dma->watched, (dma->nwatched + 1) * sizeof(*w));
	if (w) {
		w[dma->nwatched++] = slot;
		dma->watched = w;
	}
	pthread_mutex_unlock(&dma->lock);
	return w ? 0 : nvf_err(-ENOMEM, "out of memory watching a translation cache");
}

void nvf_dma_unwatch(struct nvfio_dma *dma, uintptr_t *slot)
{
	unsigned int i;

	pthread_mutex_lock(&dma->lock);
	for (i = 0; i < dma->nwatched; i++) {
		if (dma->watched[i] == slot) {
			dma->watched[i] = dma->watched[--dma->nwatched];
			break;
		}
	}
	pthread_mutex_unlock(&dma->lock);
}

void nvf_dma_cache_init(struct nvfio_dma *dma, struct nvf_dma_cache *cache)
{
	memset(cache, 0, sizeof(*cache));
	cache->space_gen = &dma->map.gen;
}

int nvf_dma_iova_fill(struct nvfio_dma *dma, struct nvf_dma_cache *cache, const void *vaddr,
		      size_t len, uint64_t *iova)
{
	/* The generation is read before the lookup: a removal racing the lookup then leaves the
	 * cache with an old generation, and the next use misses instead of trusting it. */
	uint32_t gen = nvf_load_acquire32(&dma->map.gen);
	struct nvf_dma_hit hit;

	if (unlikely(!nvf_dma_map_lookup(&dma->map, 0, (uintptr_t)vaddr, len, &hit)))
		return nvfio_dma_iova(dma, vaddr, len, iova);
	cache->vaddr = (uintptr_t)hit.from;
	cache->len = hit.len;
	cache->iova = hit.to;
	cache->gen = gen;
	*iova = hit.to + ((uintptr_t)vaddr - hit.from);
	return 0;
}

unsigned int nvf_dma_nentries(struct nvfio_dma *dma)
{
	unsigned int n;

	pthread_mutex_lock(&dma->lock);
	n = nvf_dma_map_nentries(&dma->map);
	pthread_mutex_unlock(&dma->lock);
	return n;
}

unsigned int nvf_dma_nmappings(struct nvfio_dma *dma)
{
	unsigned int n;

	pthread_mutex_lock(&dma->lock);
	n = dma->nmappings;
	pthread_mutex_unlock(&dma->lock);
	return n;
}
