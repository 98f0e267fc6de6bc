/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest: open QEMU's NVMe controller through VFIO, in one call, into a context of the caller's
 * and step by step; its regions,
 * config space, BAR0 mapping (CAP and VS as QEMU 7.2 sets them), bus mastering and reset; close
 * without leaving a descriptor or a mapping behind.
 */
#include <endian.h>
#include <stdio.h>
#include <unistd.h>

#include <nvme/types.h>

#include "support/barrier.h"
#include "tests/vfio/leak.h"
#include "tests/vfio/vm.h"

static uint16_t cfg16(struct nvfio_vfio_device *d, unsigned int off)
{
	uint16_t v;

	CHECK_OK(nvfio_vfio_device_config_read(d, &v, sizeof(v), off));
	return le16toh(v);
}

static void check_regions(struct vm *vm, struct nvfio_vfio_device *d)
{
	const struct nvfio_vfio_region_info *r;
	struct nvfio_vfio_device_info info;
	uint8_t class[3];

	nvfio_vfio_device_get_info(d, &info);
	printf("device flags 0x%x, %u regions, %u irq indices\n", info.flags, info.num_regions,
	       info.num_irqs);
	CHECK(info.flags & NVFIO_VFIO_DEVICE_PCI);
	CHECK(info.num_regions > NVFIO_VFIO_PCI_CONFIG);
	CHECK(info.num_irqs > NVFIO_VFIO_PCI_MSIX);

	CHECK_OK(nvfio_vfio_device_region_info(d, NVFIO_VFIO_PCI_BAR0, &r));
	printf("BAR0: %llu bytes at 0x%llx, flags 0x%x, msix_mappable %d, sparse %d (%u areas)\n",
	       (unsigned long long)r->size, (unsigned long long)r->offset, r->flags,
	       r->msix_mappable, r->sparse, r->nr_areas);
	CHECK(r->index == NVFIO_VFIO_PCI_BAR0);
	CHECK(r->size == vm_bar0_size());
	CHECK(r->size == 16384 || getenv("NVFIO_VM_MAX_IOQPAIRS"));
	CHECK((r->flags &
	       (NVFIO_VFIO_REGION_READ | NVFIO_VFIO_REGION_WRITE | NVFIO_VFIO_REGION_MMAP)) ==
	      (NVFIO_VFIO_REGION_READ | NVFIO_VFIO_REGION_WRITE | NVFIO_VFIO_REGION_MMAP));
	/* Linux >= 4.16 lets the MSI-X table's BAR be mapped whole and says so. */
	CHECK(r->msix_mappable);
	CHECK(!r->sparse || r->nr_areas > 0);

	/* No CMB or PMR configured: BAR2 and BAR4 are absent. */
	CHECK_OK(nvfio_vfio_device_region_info(d, NVFIO_VFIO_PCI_BAR0 + 2, &r));
	CHECK(r->size == 0);

	CHECK_OK(nvfio_vfio_device_region_info(d, NVFIO_VFIO_PCI_CONFIG, &r));
	CHECK(r->size >= 256 && !(r->flags & NVFIO_VFIO_REGION_MMAP));
	CHECK(cfg16(d, 0) == QEMU_VENDOR_ID);
	CHECK(cfg16(d, 2) == QEMU_NVME_DEV_ID);
	CHECK_OK(nvfio_vfio_device_config_read(d, class, 3, 9));
	CHECK(class[0] == 0x02 && class[1] == 0x08 && class[2] == 0x01); /* NVMe, NVM Express */
	printf("config: vendor 0x%04x device 0x%04x class %02x%02x%02x\n", cfg16(d, 0), cfg16(d, 2),
	       class[2], class[1], class[0]);
}

static void check_bar0(struct nvfio_vfio_device *d)
{
	void *bar, *again;
	size_t len;
	uint64_t cap, cap2;
	uint32_t vs;

	CHECK_OK(nvfio_vfio_device_map_region(d, NVFIO_VFIO_PCI_BAR0, &bar, &len));
	CHECK(len == vm_bar0_size());
	CHECK_OK(nvfio_vfio_device_map_region(d, NVFIO_VFIO_PCI_BAR0, &again, NULL));
	CHECK(again == bar);

	cap = nvf_mmio_read64((char *)bar + NVME_REG_CAP);
	vs = nvf_mmio_read32((char *)bar + NVME_REG_VS);
	printf("CAP 0x%016llx: MQES %u CQR %u TO %u DSTRD %u CSS 0x%x MPSMIN %u MPSMAX %u; "
	       "VS 0x%08x\n",
	       (unsigned long long)cap, (unsigned int)NVME_CAP_MQES(cap),
	       (unsigned int)NVME_CAP_CQR(cap), (unsigned int)NVME_CAP_TO(cap),
	       (unsigned int)NVME_CAP_DSTRD(cap), (unsigned int)NVME_CAP_CSS(cap),
	       (unsigned int)NVME_CAP_MPSMIN(cap), (unsigned int)NVME_CAP_MPSMAX(cap), vs);
	CHECK(vs == QEMU_NVME_VS);
	CHECK(NVME_CAP_MQES(cap) == QEMU_NVME_MQES);
	CHECK(NVME_CAP_CQR(cap) == 1);
	CHECK(NVME_CAP_AMS(cap) == 0);
	CHECK(NVME_CAP_TO(cap) == QEMU_NVME_TO);
	CHECK(NVME_CAP_DSTRD(cap) == 0);
	CHECK(NVME_CAP_CSS(cap) == (NVME_CAP_CSS_NVM | NVME_CAP_CSS_CSI | NVME_CAP_CSS_ADMIN));
	CHECK(NVME_CAP_MPSMIN(cap) == 0);
	CHECK(NVME_CAP_MPSMAX(cap) == QEMU_NVME_MPSMAX);
	CHECK(NVME_CAP_CMBS(cap) == 0 && NVME_CAP_PMRS(cap) == 0);

	/* The same registers through the device file. */
	CHECK_OK(nvfio_vfio_device_region_read(d, NVFIO_VFIO_PCI_BAR0, &cap2, 8, NVME_REG_CAP));
	CHECK(le64toh(cap2) == cap);
}

static void check_bus_master(struct nvfio_vfio_device *d)
{
	CHECK_OK(nvfio_vfio_device_bus_master(d, true));
	CHECK(cfg16(d, 4) & 0x4);
	CHECK_OK(nvfio_vfio_device_bus_master(d, true)); /* idempotent */
	CHECK_OK(nvfio_vfio_device_bus_master(d, false));
	CHECK(!(cfg16(d, 4) & 0x4));
	CHECK_OK(nvfio_vfio_device_bus_master(d, true));
	CHECK(cfg16(d, 4) & 0x4);
}

/* Wait until CSTS.RDY reads @want, for at most CAP.TO (500 ms units). */
static void wait_rdy(char *b, unsigned int want)
{
	unsigned int ms = (unsigned int)NVME_CAP_TO(nvf_mmio_read64(b + NVME_REG_CAP)) * 500;

	while (NVME_CSTS_RDY(nvf_mmio_read32(b + NVME_REG_CSTS)) != want) {
		CHECK(ms-- > 0);
		usleep(1000);
	}
}

static void check_reset(struct nvfio_vfio_device *d)
{
	struct nvfio_vfio_device_info info;
	void *bar;
	char *b;
	uint64_t cap;

	CHECK_OK(nvfio_vfio_device_map_region(d, NVFIO_VFIO_PCI_BAR0, &bar, NULL));
	b = bar;
	cap = nvf_mmio_read64(b + NVME_REG_CAP);
	nvfio_vfio_device_get_info(d, &info);
	if (!(info.flags & NVFIO_VFIO_DEVICE_RESET)) {
		CHECK_ERR(nvfio_vfio_device_reset(d), -ENOTSUP);
		printf("no reset method: %s\n", nvfio_last_error());
		return;
	}
	/* Enable the controller (queues at addresses it never gets to use: no command is
	 * submitted), so that the reset has something visible to undo. */
	nvf_mmio_write32(b + NVME_REG_CC, 0);
	wait_rdy(b, 0);
	nvf_mmio_write32(b + NVME_REG_AQA, 0x001f001f);
	nvf_mmio_write64(b + NVME_REG_ASQ, 0x100000);
	nvf_mmio_write64(b + NVME_REG_ACQ, 0x200000);
	/* The queue registers are written before CC enables the controller; MMIO to one BAR is
	 * not reordered, the barrier keeps the compiler from doing so. */
	nvf_wmb();
	nvf_mmio_write32(b + NVME_REG_CC, 1u | (6u << 16) | (4u << 20));
	wait_rdy(b, 1);
	CHECK(NVME_CC_EN(nvf_mmio_read32(b + NVME_REG_CC)) == 1);

	CHECK_OK(nvfio_vfio_device_reset(d));
	printf("after reset: CC 0x%08x CSTS 0x%08x AQA 0x%08x\n", nvf_mmio_read32(b + NVME_REG_CC),
	       nvf_mmio_read32(b + NVME_REG_CSTS), nvf_mmio_read32(b + NVME_REG_AQA));
	CHECK(NVME_CC_EN(nvf_mmio_read32(b + NVME_REG_CC)) == 0);
	CHECK(NVME_CSTS_RDY(nvf_mmio_read32(b + NVME_REG_CSTS)) == 0);
	CHECK(nvf_mmio_read64(b + NVME_REG_CAP) == cap);
	/* The kernel restores config space: still the same device, bus master as it was. */
	CHECK(cfg16(d, 0) == QEMU_VENDOR_ID);
	CHECK(cfg16(d, 4) & 0x4);
	printf("reset: controller disabled, mapping still valid\n");
}

/* The one-call open and close. */
static void one_call(struct vm *vm)
{
	struct nvfio_vfio_device *d;
	struct nvfio_vfio_group *g;
	unsigned int id;
	bool noiommu;
	int st;

	CHECK_OK(nvfio_vfio_open(vm->addr, NVFIO_IOMMU_OPEN_AUTO, &d));
	CHECK(strcmp(nvfio_vfio_device_addr(d), vm->addr) == 0);
	CHECK(nvfio_vfio_device_fd(d) >= 0);
	CHECK(nvfio_iommu_type(nvfio_vfio_device_iommu(d)) ==
	      (vm->iommu ? NVFIO_VFIO_TYPE1V2 : NVFIO_VFIO_NOIOMMU));
	g = nvfio_vfio_device_group(d);
	CHECK_OK(nvfio_vfio_group_of_device(vm->addr, &id, &noiommu));
	CHECK(nvfio_vfio_group_id(g) == id);
	CHECK(nvfio_vfio_group_is_noiommu(g) == !vm->iommu && noiommu == !vm->iommu);
	st = nvfio_vfio_group_status(g);
	CHECK(st == (NVFIO_VFIO_GROUP_VIABLE | NVFIO_VFIO_GROUP_CONTAINER_SET));

	check_regions(vm, d);
	check_bar0(d);
	check_bus_master(d);
	check_reset(d);

	CHECK_OK(nvfio_vfio_device_unmap_region(d, NVFIO_VFIO_PCI_BAR0));
	CHECK_ERR(nvfio_vfio_device_unmap_region(d, NVFIO_VFIO_PCI_BAR0), -NVFIO_ENOREGION);
	/* Left mapped on purpose: close must unmap it. */
	{
		void *bar;

		CHECK_OK(nvfio_vfio_device_map_region(d, NVFIO_VFIO_PCI_BAR0, &bar, NULL));
	}
	nvfio_vfio_device_close(d);
}

/*
 * Devices opened into a context of the caller's: the first sets its IOMMU model, their group is
 * attached once and stays with the context after they close; a mode the device's group does not
 * fit is refused before anything is attached.
 */
static void context(struct vm *vm)
{
	enum nvfio_vfio_iommu_type type = vm->iommu ? NVFIO_VFIO_TYPE1V2 : NVFIO_VFIO_NOIOMMU;
	struct nvfio_vfio_device *d = NULL, *d2;
	struct nvfio_vfio_group *g;
	struct nvfio_iommu *ctx;
	int fds, maps;

	CHECK_OK(
	    nvfio_iommu_open(vm->iommu ? NVFIO_IOMMU_OPEN_NOIOMMU : NVFIO_IOMMU_OPEN_IOMMU, &ctx));
	fds = count_fds();
	maps = count_maps();
	CHECK_ERR(nvfio_vfio_device_open(ctx, vm->addr, 0, &d), -NVFIO_ENOIOMMUTYPE);
	CHECK(d == NULL && nvfio_iommu_type(ctx) == 0);
	CHECK(count_fds() == fds && count_maps() == maps);
	nvfio_iommu_close(ctx);

	CHECK_OK(nvfio_iommu_open(NVFIO_IOMMU_OPEN_AUTO, &ctx));
	CHECK(nvfio_iommu_type(ctx) == 0);
	CHECK_ERR(nvfio_vfio_device_open(ctx, vm->addr, 1, &d), -EINVAL);
	CHECK_OK(nvfio_vfio_device_open(ctx, vm->addr, 0, &d));
	CHECK(nvfio_vfio_device_iommu(d) == ctx);
	CHECK(nvfio_iommu_type(ctx) == (int)type);
	g = nvfio_vfio_device_group(d);
	CHECK(nvfio_vfio_group_status(g) ==
	      (NVFIO_VFIO_GROUP_VIABLE | NVFIO_VFIO_GROUP_CONTAINER_SET));
	/* Another device of the group (here the same function again) finds it attached. */
	CHECK_OK(nvfio_vfio_device_open(ctx, vm->addr, 0, &d2));
	CHECK(nvfio_vfio_device_group(d2) == g);
	nvfio_vfio_device_close(d2);
	check_bar0(d);
	nvfio_vfio_device_close(d);
	CHECK(nvfio_iommu_type(ctx) == (int)type);
	CHECK_OK(nvfio_vfio_device_open(ctx, vm->addr, 0, &d));
	CHECK(nvfio_vfio_device_group(d) == g);
	nvfio_vfio_device_close(d);
	nvfio_iommu_close(ctx);
}

/* The same, one object at a time. */
static void step_by_step(struct vm *vm)
{
	enum nvfio_vfio_iommu_type type = vm->iommu ? NVFIO_VFIO_TYPE1V2 : NVFIO_VFIO_NOIOMMU;
	struct nvfio_vfio_container *c;
	struct nvfio_vfio_group *g;
	struct nvfio_vfio_device *d;
	struct nvfio_iommu *ctx;
	char name[32];
	unsigned int id;
	bool noiommu;

	CHECK_OK(nvfio_iommu_open(NVFIO_IOMMU_OPEN_AUTO, &ctx));
	c = nvfio_iommu_vfio_container(ctx);
	CHECK(nvfio_vfio_container_check_extension(c, type) == 1);
	CHECK_OK(nvfio_vfio_group_of_device(vm->addr, &id, &noiommu));
	CHECK(noiommu == !vm->iommu);
	snprintf(name, sizeof(name), "%s%u", noiommu ? "noiommu-" : "", id);
	CHECK_OK(nvfio_vfio_group_open_name(name, &g));
	CHECK(nvfio_vfio_group_status(g) == NVFIO_VFIO_GROUP_VIABLE);
	/* No device before the group is in a container with an IOMMU type. */
	CHECK_ERR(nvfio_vfio_group_device_open(g, vm->addr, &d), -EINVAL);
	CHECK_OK(nvfio_vfio_group_set_container(g, c));
	CHECK(nvfio_vfio_group_status(g) ==
	      (NVFIO_VFIO_GROUP_VIABLE | NVFIO_VFIO_GROUP_CONTAINER_SET));
	CHECK_ERR(nvfio_vfio_group_set_container(g, c), -EBUSY);
	CHECK_OK(nvfio_vfio_container_set_iommu(c, type));
	CHECK(nvfio_iommu_type(ctx) == (int)type);
	CHECK_ERR(nvfio_vfio_container_set_iommu(c, type), -EBUSY);

	/* The short form of the address, where the domain is 0. */
	if (strncmp(vm->addr, "0000:", 5) == 0)
		CHECK_OK(nvfio_vfio_group_device_open(g, vm->addr + 5, &d));
	else
		CHECK_OK(nvfio_vfio_group_device_open(g, vm->addr, &d));
	CHECK(strncmp(nvfio_vfio_device_addr(d), "0000:", 5) == 0 ||
	      strncmp(vm->addr, "0000:", 5) != 0);
	CHECK(nvfio_vfio_device_group(d) == g && nvfio_vfio_device_iommu(d) == ctx);
	/* The group cannot leave while its device is open. */
	CHECK_ERR(nvfio_vfio_group_unset_container(g), -EBUSY);
	nvfio_vfio_device_close(d);
	CHECK_OK(nvfio_vfio_group_unset_container(g));
	CHECK(nvfio_vfio_group_status(g) == NVFIO_VFIO_GROUP_VIABLE);
	/* The last group left: the kernel dropped the IOMMU type, and so did we. */
	CHECK(nvfio_iommu_type(ctx) == 0);
	CHECK_ERR(nvfio_vfio_group_unset_container(g), -EINVAL);
	nvfio_vfio_group_close(g);
	nvfio_iommu_close(ctx);

	/* Numbered open of an IOMMU group. */
	if (!noiommu) {
		CHECK_OK(nvfio_vfio_group_open(id, &g));
		nvfio_vfio_group_close(g);
	}
}

static void modes(struct vm *vm)
{
	struct nvfio_vfio_device *d = NULL;
	int ret;

	CHECK_OK(nvfio_vfio_open(
	    vm->addr, vm->iommu ? NVFIO_IOMMU_OPEN_IOMMU : NVFIO_IOMMU_OPEN_NOIOMMU, &d));
	nvfio_vfio_device_close(d);
	d = NULL;
	CHECK_ERR(nvfio_vfio_open(
		      vm->addr, vm->iommu ? NVFIO_IOMMU_OPEN_NOIOMMU : NVFIO_IOMMU_OPEN_IOMMU, &d),
		  -NVFIO_ENOIOMMUTYPE);
	printf("wrong mode: %s\n", nvfio_last_error());
	CHECK(d == NULL);
	ret = nvfio_vfio_noiommu_enabled();
	if (vm->iommu)
		CHECK(ret == 0 || ret == -NVFIO_ENOVFIO);
	else
		CHECK(ret == 1);
}

int main(int argc, char **argv)
{
	struct vm vm = vm_setup(argc, argv);
	int fds = count_fds(), maps = count_maps();

	one_call(&vm);
	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	step_by_step(&vm);
	context(&vm);
	modes(&vm);
	/* Twice more: nothing held from the first round gets in the way. */
	one_call(&vm);
	step_by_step(&vm);
	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	return T_EXIT_PASS;
}
