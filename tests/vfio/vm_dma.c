/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest: DMA through the IOMMU context. The IOMMU's description (valid IOVA ranges, mappings
 * left, page sizes); raw VFIO_IOMMU_MAP_DMA/UNMAP_DMA of 4 KiB and 2 MiB hugepage memory and their
 * errors; the context's DMA address space (allocations, registrations); and the proof that the
 * mappings are real: the controller fetches an Identify command from a queue in mapped memory,
 * writes its answer and its completion there, and raises MSI-X vector 0 on a bound eventfd; also
 * through a mapping made for an earlier device of the same context.
 * The controller is driven by hand here (just enough NVMe to make it do DMA).
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <nvfio/dma.h>
#include <nvme/types.h>

#include "support/barrier.h"
#include "support/error.h"
#include "tests/vfio/leak.h"
#include "tests/vfio/vm.h"

#define PG    4096u
#define HUGE  (2u << 20)
#define QSIZE 16

struct sqe {
	uint8_t opcode, flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd, mptr, prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct sqe) == 64, "SQE");

struct cqe {
	uint32_t result, rsvd;
	uint16_t sq_head, sq_id, cid, status;
};
_Static_assert(sizeof(struct cqe) == 16, "CQE");

static struct vm vm;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t dma_avail(struct nvfio_iommu *io)
{
	struct nvfio_iommu_info info;

	CHECK_OK(nvfio_iommu_get_info(io, &info));
	CHECK(info.has_dma_avail);
	return info.dma_avail;
}

/* ---- Raw mappings (IOMMU mode) ---- */

static uint64_t pick_iova(const struct nvfio_iommu_info *info, uint64_t align, uint64_t len)
{
	for (uint32_t i = 0; i < info->nr_ranges; i++) {
		uint64_t s = (info->ranges[i].start + (16u << 20) + align - 1) & ~(align - 1);

		if (s > info->ranges[i].start && s + len - 1 <= info->ranges[i].last)
			return s;
	}
	CHECK(!"no IOVA range fits");
	return 0;
}

/*
 * Pinning beyond RLIMIT_MEMLOCK without CAP_IPC_LOCK: the kernel refuses (-ENOMEM from
 * vfio_iommu_type1), and the error says so with the numbers and the remedy.
 */
static void raw_memlock(struct nvfio_iommu *io, const struct nvfio_iommu_info *info)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct caps[2], lowered[2];
	const size_t len = 32 * PG;
	struct rlimit old, low;
	void *mem;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED);
	CHECK(syscall(SYS_capget, &hdr, caps) == 0);
	memcpy(lowered, caps, sizeof(caps));
	/* The effective set only: the permitted one brings it back below. */
	lowered[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	CHECK(syscall(SYS_capset, &hdr, lowered) == 0);
	CHECK(getrlimit(RLIMIT_MEMLOCK, &old) == 0);
	low = old;
	low.rlim_cur = 16 * PG;
	CHECK(setrlimit(RLIMIT_MEMLOCK, &low) == 0);

	CHECK_ERR(nvfio_iommu_dma_map(io, mem, len, pick_iova(info, PG, len), 0), -NVFIO_EMEMLOCK);
	printf("beyond RLIMIT_MEMLOCK: %s\n", nvfio_last_error());
	CHECK(strstr(nvfio_last_error(), "RLIMIT_MEMLOCK is 64 KiB"));
	CHECK(strstr(nvfio_last_error(), "ulimit -l"));

	CHECK(setrlimit(RLIMIT_MEMLOCK, &old) == 0);
	CHECK(syscall(SYS_capset, &hdr, caps) == 0);
	munmap(mem, len);
}

static void raw_iommu(struct nvfio_iommu *io, void *page, void *huge, uint64_t *page_iova)
{
	struct nvfio_iommu_info info;
	uint32_t avail0;
	uint64_t iova, hiova, msi = 0xfee00000;
	bool msi_reserved = true;

	CHECK_OK(nvfio_iommu_get_info(io, &info));
	printf("IOMMU: page sizes 0x%llx, %u DMA mappings left, %u IOVA ranges:\n",
	       (unsigned long long)info.pgsize_bitmap, info.dma_avail, info.nr_ranges);
	for (uint32_t i = 0; i < info.nr_ranges; i++) {
		printf("  [0x%llx, 0x%llx]\n", (unsigned long long)info.ranges[i].start,
		       (unsigned long long)info.ranges[i].last);
		if (info.ranges[i].start <= msi && msi <= info.ranges[i].last)
			msi_reserved = false;
	}
	CHECK(info.pgsize_bitmap & PG);
	CHECK(info.has_dma_avail && info.dma_avail > 0);
	CHECK(info.nr_ranges >= 1);
	/* x86's interrupt window is never a valid IOVA. */
	CHECK(msi_reserved);
	avail0 = info.dma_avail;

	/* 4 KiB of ordinary memory. */
	iova = pick_iova(&info, PG, PG);
	CHECK_OK(nvfio_iommu_dma_map(io, page, PG, iova, 0));
	CHECK(dma_avail(io) == avail0 - 1);
	CHECK_ERR(nvfio_iommu_dma_map(io, page, PG, iova, 0), -EEXIST);
	CHECK_ERR(nvfio_iommu_dma_map(io, (char *)page + 1, PG, iova + PG, 0), -EINVAL);
	CHECK_ERR(nvfio_iommu_dma_map(io, page, PG, msi, 0), -EINVAL);
	printf("outside the ranges: %s\n", nvfio_last_error());
	CHECK_OK(nvfio_iommu_dma_unmap(io, iova, PG));
	CHECK(dma_avail(io) == avail0);
	/* An unmapped range: the documented error, and nothing changes. */
	CHECK_ERR(nvfio_iommu_dma_unmap(io, iova, PG), -NVFIO_ENOTMAPPED);
	printf("unmapped range: %s\n", nvfio_last_error());
	CHECK(dma_avail(io) == avail0);

	/* A 2 MiB hugepage, at a 2 MiB aligned IOVA; a piece of it cannot be unmapped alone. */
	if (huge) {
		/* Ranges again: each dma_avail() asks for the info, which ends the validity of
		 * the ranges read before (<nvfio/vfio.h>). */
		CHECK_OK(nvfio_iommu_get_info(io, &info));
		hiova = pick_iova(&info, HUGE, HUGE);
		CHECK_OK(nvfio_iommu_dma_map(io, huge, HUGE, hiova,
					     NVFIO_IOMMU_DMA_READ | NVFIO_IOMMU_DMA_WRITE));
		CHECK(dma_avail(io) == avail0 - 1);
		CHECK_ERR(nvfio_iommu_dma_unmap(io, hiova + PG, PG), -EINVAL);
		CHECK_OK(nvfio_iommu_dma_unmap(io, hiova, HUGE));
		CHECK(dma_avail(io) == avail0);
	}

	CHECK_OK(nvfio_iommu_get_info(io, &info)); /* ranges again, as above */
	raw_memlock(io, &info);
	CHECK(dma_avail(io) == avail0);

	/* Left mapped for the device test below. */
	CHECK_OK(nvfio_iommu_dma_map(io, page, PG, iova, 0));
	*page_iova = iova;
}

/* ---- The controller, driven by hand ---- */

struct ctrl {
	char *bar;
	struct sqe *sq;
	struct cqe *cq;
	uint64_t sq_iova, cq_iova;
	unsigned int tail, head;
	unsigned int timeout_ms;
};

static void wait_rdy(struct ctrl *ct, unsigned int want)
{
	double end = now() + ct->timeout_ms / 1000.0;

	while (NVME_CSTS_RDY(nvf_mmio_read32(ct->bar + NVME_REG_CSTS)) != want) {
		CHECK(!NVME_CSTS_CFS(nvf_mmio_read32(ct->bar + NVME_REG_CSTS)));
		CHECK(now() < end);
		usleep(1000);
	}
}

static void ctrl_enable(struct ctrl *ct)
{
	uint32_t cc;

	nvf_mmio_write32(ct->bar + NVME_REG_CC, 0);
	wait_rdy(ct, 0);
	nvf_mmio_write32(ct->bar + NVME_REG_AQA, (QSIZE - 1) << 16 | (QSIZE - 1));
	nvf_mmio_write64(ct->bar + NVME_REG_ASQ, ct->sq_iova);
	nvf_mmio_write64(ct->bar + NVME_REG_ACQ, ct->cq_iova);
	/* 64-byte SQEs, 16-byte CQEs, 4 KiB pages, NVM command set. */
	cc = 1u | (6u << 16) | (4u << 20);
	/* The queue registers above reach the controller before it is enabled: MMIO writes to
	 * one BAR are not reordered, the barrier keeps the compiler from doing so. */
	nvf_wmb();
	nvf_mmio_write32(ct->bar + NVME_REG_CC, cc);
	wait_rdy(ct, 1);
}

static void ctrl_disable(struct ctrl *ct)
{
	nvf_mmio_write32(ct->bar + NVME_REG_CC, 0);
	wait_rdy(ct, 0);
}

/* Identify Controller into @iova; wait for its completion. */
static void identify(struct ctrl *ct, uint64_t iova)
{
	struct sqe *s = &ct->sq[ct->tail];
	volatile struct cqe *c = &ct->cq[ct->head];
	uint16_t cid = (uint16_t)(0x100 + ct->tail);
	double end = now() + 5.0;
	uint16_t status;

	memset(s, 0, sizeof(*s));
	s->opcode = 0x06; /* Identify */
	s->cid = htole16(cid);
	s->prp1 = htole64(iova);
	s->cdw10 = htole32(1); /* CNS 1: the controller */
	ct->tail = (ct->tail + 1) % QSIZE;
	/* The SQE is in memory before the doorbell tells the controller to fetch it. */
	nvf_wmb();
	nvf_mmio_write32(ct->bar + 0x1000, ct->tail);

	/* Phase 1 on the first pass through the queue. */
	while (!(le16toh(c->status) & 1)) {
		CHECK(now() < end);
		usleep(100);
	}
	/* The rest of the CQE is read after its phase bit. */
	nvf_rmb();
	status = le16toh(c->status) >> 1;
	CHECK(le16toh(c->cid) == cid);
	if (status) {
		fprintf(stderr, "Identify failed: status 0x%x\n", status);
		exit(T_EXIT_FAIL);
	}
	ct->head++;
	nvf_mmio_write32(ct->bar + 0x1004, ct->head);
}

static void check_identify(const void *buf)
{
	const struct nvme_id_ctrl *id = buf;
	const char *serial = getenv("NVFIO_VM_SERIAL");
	char sn[21];

	memcpy(sn, id->sn, 20);
	sn[20] = '\0';
	for (int i = 19; i >= 0 && sn[i] == ' '; i--)
		sn[i] = '\0';
	printf("Identify: vid 0x%04x ssvid 0x%04x sn '%s' mn '%.40s'\n", le16toh(id->vid),
	       le16toh(id->ssvid), sn, id->mn);
	CHECK(le16toh(id->vid) == QEMU_VENDOR_ID);
	if (serial)
		CHECK(strcmp(sn, serial) == 0);
}

static void device_dma(struct nvfio_vfio_device *d, struct nvfio_dma *dma, void *raw,
		       uint64_t raw_iova)
{
	struct ctrl ct = {0};
	void *sq, *cq, *idbuf;
	uint64_t idiova, cap;
	struct pollfd pfd;
	void *bar;
	int efd;

	CHECK_OK(nvfio_dma_alloc(dma, PG, NVFIO_DMA_CONTIG, &sq));
	CHECK_OK(nvfio_dma_alloc(dma, PG, NVFIO_DMA_CONTIG, &cq));
	CHECK_OK(nvfio_dma_alloc(dma, PG, NVFIO_DMA_CONTIG, &idbuf));
	CHECK_OK(nvfio_dma_iova(dma, sq, PG, &ct.sq_iova));
	CHECK_OK(nvfio_dma_iova(dma, cq, PG, &ct.cq_iova));
	CHECK_OK(nvfio_dma_iova(dma, idbuf, PG, &idiova));
	ct.sq = sq;
	ct.cq = cq;

	CHECK_OK(nvfio_vfio_device_map_region(d, NVFIO_VFIO_PCI_BAR0, &bar, NULL));
	ct.bar = bar;
	cap = nvf_mmio_read64(ct.bar + NVME_REG_CAP);
	ct.timeout_ms = (unsigned int)NVME_CAP_TO(cap) * 500 + 1000;
	CHECK((efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) >= 0);
	CHECK_OK(nvfio_vfio_device_msix_bind(d, 0, 1, &efd));
	CHECK_OK(nvfio_vfio_device_bus_master(d, true));

	ctrl_enable(&ct);
	memset(idbuf, 0, PG);
	identify(&ct, idiova);
	check_identify(idbuf);
	/* The admin completion queue interrupts on vector 0. */
	pfd = (struct pollfd){.fd = efd, .events = POLLIN};
	CHECK(poll(&pfd, 1, 2000) == 1);
	printf("MSI-X vector 0 fired (host IRQ %d)\n", nvfio_vfio_msix_host_irq(vm.addr, 0));

	/* The same into memory mapped by hand through the context. */
	if (raw) {
		memset(raw, 0, PG);
		identify(&ct, raw_iova);
		check_identify(raw);
	}
	ctrl_disable(&ct);

	CHECK_OK(nvfio_vfio_device_msix_unbind(d, 0, 1));
	close(efd);
	nvfio_dma_free(dma, sq);
	nvfio_dma_free(dma, cq);
	nvfio_dma_free(dma, idbuf);
}

/* ---- The context's DMA address space ---- */

static void dma_space(struct nvfio_vfio_device *d, struct nvfio_dma **out)
{
	struct nvfio_iommu *io = nvfio_vfio_device_iommu(d);
	struct nvfio_dma *dma, *again;
	void *small, *huge, *mine;
	uint64_t iova, iova2;
	uint32_t avail0 = 0;

	CHECK_OK(nvfio_iommu_dma(io, &dma));
	CHECK_OK(nvfio_iommu_dma(io, &again));
	CHECK(dma == again);
	if (vm.iommu)
		avail0 = dma_avail(io);

	CHECK_OK(nvfio_dma_alloc(dma, PG, 0, &small));
	CHECK_OK(nvfio_dma_iova(dma, small, PG, &iova));
	CHECK(iova % PG == 0);
	if (vm_env("NVFIO_VM_HUGEPAGES", 0) || !vm.iommu) {
		CHECK_OK(nvfio_dma_alloc(dma, HUGE, NVFIO_DMA_HUGE_2M | NVFIO_DMA_CONTIG, &huge));
		CHECK_OK(nvfio_dma_iova(dma, huge, HUGE, &iova2));
		CHECK(iova2 % HUGE == 0 || !vm.iommu);
		printf("DMA space: 4 KiB at IOVA 0x%llx, 2 MiB hugepage at 0x%llx\n",
		       (unsigned long long)iova, (unsigned long long)iova2);
	} else {
		huge = NULL;
	}
	if (vm.iommu) {
		/* Each allocation is one IOMMU mapping; registrations of the caller's own memory
		 * work with any page. */
		CHECK(dma_avail(io) == avail0 - 1 - (huge != NULL));
		mine =
		    mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(mine != MAP_FAILED);
		CHECK_OK(nvfio_dma_register(dma, mine, 2 * PG));
		CHECK_OK(nvfio_dma_iova(dma, (char *)mine + PG, PG, &iova2));
		CHECK(dma_avail(io) == avail0 - 2 - (huge != NULL));
		CHECK_OK(nvfio_dma_unregister(dma, mine, 2 * PG));
		CHECK_ERR(nvfio_dma_unregister(dma, mine, 2 * PG), -NVFIO_ENOTMAPPED);
		munmap(mine, 2 * PG);
	}
	nvfio_dma_free(dma, small);
	nvfio_dma_free(dma, huge);
	if (vm.iommu)
		CHECK(dma_avail(io) == avail0);
	*out = dma;
}

/*
 * A context of the caller's has no IOMMU to map into before its first device; afterwards its
 * mappings outlive the device, since the group stays attached: a second device of the context
 * does DMA through memory mapped for the first.
 */
static void mappings_outlive_devices(void *page)
{
	struct nvfio_vfio_device *d;
	struct nvfio_iommu_info info;
	struct nvfio_iommu *io;
	struct nvfio_dma *dma;
	uint64_t iova = 0;
	uint32_t avail = 0;

	CHECK_OK(nvfio_iommu_open(NVFIO_IOMMU_OPEN_AUTO, &io));
	CHECK_ERR(nvfio_iommu_dma_map(io, page, PG, 1u << 30, 0), -EINVAL);
	CHECK_ERR(nvfio_iommu_dma(io, &dma), -EINVAL);
	CHECK_OK(nvfio_vfio_device_open(io, vm.addr, 0, &d));
	if (vm.iommu) {
		CHECK_OK(nvfio_iommu_get_info(io, &info));
		iova = pick_iova(&info, PG, PG);
		CHECK_OK(nvfio_iommu_dma_map(io, page, PG, iova, 0));
		avail = dma_avail(io);
	}
	nvfio_vfio_device_close(d);
	if (vm.iommu)
		CHECK(dma_avail(io) == avail);
	CHECK_OK(nvfio_vfio_device_open(io, vm.addr, 0, &d));
	CHECK_OK(nvfio_iommu_dma(io, &dma));
	device_dma(d, dma, vm.iommu ? page : NULL, iova);
	nvfio_vfio_device_close(d);
	if (vm.iommu)
		CHECK_OK(nvfio_iommu_dma_unmap(io, iova, PG));
	nvfio_iommu_close(io);
}

/* A context with the device's group put in by hand (by its /dev/vfio name), IOMMU type set. */
static void open_by_hand(struct nvfio_iommu **io, struct nvfio_vfio_group **g)
{
	enum nvfio_vfio_iommu_type type = vm.iommu ? NVFIO_VFIO_TYPE1V2 : NVFIO_VFIO_NOIOMMU;
	struct nvfio_vfio_container *c;
	unsigned int id;
	bool noiommu;
	char name[32];

	CHECK_OK(nvfio_iommu_open(NVFIO_IOMMU_OPEN_AUTO, io));
	c = nvfio_iommu_vfio_container(*io);
	CHECK_OK(nvfio_vfio_group_of_device(vm.addr, &id, &noiommu));
	snprintf(name, sizeof(name), "%s%u", noiommu ? "noiommu-" : "", id);
	CHECK_OK(nvfio_vfio_group_open_name(name, g));
	CHECK_OK(nvfio_vfio_group_set_container(*g, c));
	CHECK_OK(nvfio_vfio_container_set_iommu(c, type));
}

/* The DMA space dies with the IOMMU when the last group leaves the container, quietly. */
static void space_dies_with_group(void)
{
	struct nvfio_vfio_group *g;
	struct nvfio_vfio_device *d;
	struct nvfio_iommu *io;
	struct nvfio_dma *dma;
	void *mem;

	open_by_hand(&io, &g);
	CHECK_OK(nvfio_vfio_group_device_open(g, vm.addr, &d));
	CHECK_OK(nvfio_iommu_dma(io, &dma));
	CHECK_OK(nvfio_dma_alloc(dma, 2 * PG, 0, &mem));
	nvfio_vfio_device_close(d);
	nvf_err_clear();
	CHECK_OK(nvfio_vfio_group_unset_container(g));
	CHECK(nvfio_iommu_type(io) == 0);
	CHECK(nvfio_last_error()[0] == '\0');
	/* A new space needs an IOMMU type again. */
	CHECK_ERR(nvfio_iommu_dma(io, &dma), -EINVAL);
	nvfio_vfio_group_close(g);
	nvfio_iommu_close(io);
}

/*
 * The context closed before a group put in by hand, against the documented order: the group
 * forgets it, so that its own close touches nothing freed, and the device can be opened afresh
 * afterwards.
 */
static void context_closed_first(void)
{
	struct nvfio_vfio_group *g;
	struct nvfio_vfio_device *d;
	struct nvfio_iommu *io;
	struct nvfio_dma *dma;
	void *mem;

	open_by_hand(&io, &g);
	CHECK_OK(nvfio_iommu_dma(io, &dma));
	CHECK_OK(nvfio_dma_alloc(dma, PG, 0, &mem));
	nvfio_iommu_close(io);
	CHECK_ERR(nvfio_vfio_group_unset_container(g), -EINVAL);
	nvfio_vfio_group_close(g);
	CHECK_OK(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d));
	nvfio_vfio_device_close(d);
}

int main(int argc, char **argv)
{
	struct nvfio_vfio_device *d;
	struct nvfio_iommu *io;
	struct nvfio_iommu_info info;
	struct nvfio_dma *dma;
	void *page, *huge;
	uint64_t page_iova = 0;
	int fds, maps;

	vm = vm_setup(argc, argv);
	page = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	huge = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		    -1, 0);
	if (huge == MAP_FAILED) {
		CHECK(!vm_env("NVFIO_VM_HUGEPAGES", 0));
		printf("no hugepages in the guest: the 2 MiB cases are left out\n");
		huge = NULL;
	}
	fds = count_fds();
	maps = count_maps();

	CHECK_OK(nvfio_vfio_open(vm.addr, NVFIO_IOMMU_OPEN_AUTO, &d));
	io = nvfio_vfio_device_iommu(d);
	if (vm.iommu) {
		raw_iommu(io, page, huge, &page_iova);
	} else {
		CHECK_ERR(nvfio_iommu_dma_map(io, page, PG, 1u << 20, 0), -ENOTSUP);
		CHECK_ERR(nvfio_iommu_dma_unmap(io, 1u << 20, PG), -ENOTSUP);
		CHECK_ERR(nvfio_iommu_get_info(io, &info), -ENOTSUP);
	}
	dma_space(d, &dma);
	device_dma(d, dma, vm.iommu ? page : NULL, page_iova);
	if (vm.iommu)
		CHECK_OK(nvfio_iommu_dma_unmap(io, page_iova, PG));

	/* Close with memory still allocated in the DMA space: close releases it. */
	{
		void *left;

		CHECK_OK(nvfio_dma_alloc(dma, PG, 0, &left));
	}
	nvfio_vfio_device_close(d);
	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	mappings_outlive_devices(page);
	space_dies_with_group();
	context_closed_first();
	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	munmap(page, PG);
	if (huge)
		munmap(huge, HUGE);
	return T_EXIT_PASS;
}
