/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio and the kernel's nvme driver agree on the data, in the test VM: what nvfio writes is read
 * back identically through /dev/nvme0n1 after the controller is rebound to the kernel's driver,
 * and what the kernel writes is read back identically by nvfio after it is rebound to vfio-pci.
 * Each side writes runs of several sizes (one block, 4 KiB, 128 KiB and 1 MiB, which nvfio splits
 * at MDTS) at block addresses of its own, and reads back the other side's as well as its own.
 * Usage: vm_nvme_kernel_rw PCI-ADDRESS (the controller on vfio-pci; left there).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "nvme/nvme_test.h"
#include "vm/guest/guest.h"

/* Each side's runs, in blocks of 512 bytes (scaled for larger blocks): offset, length. */
static const struct run {
	uint64_t off, len;
} runs[] = { { 0, 1 }, { 8, 8 }, { 64, 256 }, { 1024, 2048 } };

#define SIDE_SPAN   4096u /* blocks of 512 bytes between the two sides' areas */
#define SEED_NVFIO  0x6e766669u
#define SEED_KERNEL 0x6b726e6cu
#define MAX_BYTES   (1u << 20)

/* A run's offset or length in blocks of @bs bytes (a length at least one block). */
static uint64_t blocks(uint64_t b512, uint32_t bs)
{
	return b512 * 512 / bs;
}

static uint64_t count(uint64_t b512, uint32_t bs)
{
	return blocks(b512, bs) ? blocks(b512, bs) : 1;
}

/* Writes nvfio's runs, or checks both sides' through nvfio. */
static void nvfio_side(const char *addr, bool write)
{
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	uint32_t bs = nvfio_ns_get_info(ns)->block_size;
	struct nvfio_qpair *qp;
	uint8_t *buf = t_alloc(ctrl, MAX_BYTES), *want = malloc(MAX_BYTES);
	uint16_t status;
	unsigned i, side;

	CHECK(want);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 16, 0, &qp));
	for (side = 0; side < 2; side++) {
		uint32_t seed = side ? SEED_KERNEL : SEED_NVFIO;

		if (write && side)
			break;
		for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
			uint64_t lba = blocks(runs[i].off + side * SIDE_SPAN, bs);
			uint64_t n = count(runs[i].len, bs);
			size_t len = n * bs;
			char what[96];

			CHECK(len <= MAX_BYTES);
			t_fill(want, len, lba, seed);
			if (write) {
				memcpy(buf, want, len);
				CHECK_OK(nvfio_write_sync(qp, ns, buf, lba, (uint32_t)n, &status));
				CHECK(status == 0);
				continue;
			}
			memset(buf, 0, len);
			CHECK_OK(nvfio_read_sync(qp, ns, buf, lba, (uint32_t)n, &status));
			CHECK(status == 0);
			snprintf(what, sizeof(what), "nvfio reading %s %zu bytes at block %llu",
				 side ? "the kernel's" : "its own", len, (unsigned long long)lba);
			CHECK(t_same(buf, want, len, what));
			printf("%s: same\n", what);
		}
	}
	if (write) {
		CHECK_OK(nvfio_flush_sync(qp, ns, &status));
		printf("nvfio wrote its %zu runs\n", sizeof(runs) / sizeof(runs[0]));
	}
	nvfio_qpair_free(qp);
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	free(want);
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

/* Checks nvfio's runs through the kernel's block device, then writes the kernel's. */
static void kernel_side(const char *dev)
{
	uint32_t bs = 1u << guest_env_list("NVFIO_VM_LBADS", 0);
	uint8_t *buf, *want = malloc(MAX_BYTES);
	unsigned i, side;
	int fd = open(dev, O_RDWR | O_DIRECT);

	CHECK(fd >= 0 && want);
	CHECK(posix_memalign((void **)&buf, 4096, MAX_BYTES) == 0);
	for (side = 0; side < 2; side++) {
		uint32_t seed = side ? SEED_KERNEL : SEED_NVFIO;

		for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
			uint64_t lba = blocks(runs[i].off + side * SIDE_SPAN, bs);
			size_t len = count(runs[i].len, bs) * bs;
			off_t at = (off_t)(lba * bs);
			char what[PATH_MAX + 96];

			t_fill(want, len, lba, seed);
			if (side) {
				CHECK(pwrite(fd, want, len, at) == (ssize_t)len);
				continue;
			}
			memset(buf, 0, len);
			CHECK(pread(fd, buf, len, at) == (ssize_t)len);
			snprintf(what, sizeof(what), "%s reading nvfio's %zu bytes at block %llu", dev,
				 len, (unsigned long long)lba);
			CHECK(t_same(buf, want, len, what));
			printf("%s: same\n", what);
		}
	}
	CHECK(fsync(fd) == 0);
	printf("the kernel wrote its %zu runs\n", sizeof(runs) / sizeof(runs[0]));
	close(fd);
	free(buf);
	free(want);
}

int main(int argc, char **argv)
{
	char name[NAME_MAX + 1], dev[PATH_MAX];

	CHECK(argc == 2);
	CHECK(!strcmp(guest_driver_of(argv[1]), "vfio-pci"));
	nvfio_side(argv[1], true);
	guest_bind_to(argv[1], "nvme");
	guest_wait_nvme_live(argv[1], 1, name, sizeof(name));
	snprintf(dev, sizeof(dev), "/dev/%sn1", name);
	kernel_side(dev);
	guest_bind_to(argv[1], "vfio-pci");
	nvfio_side(argv[1], false);
	return T_EXIT_PASS;
}
