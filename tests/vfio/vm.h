/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_VFIO_VM_H
#define NVFIO_TESTS_VFIO_VM_H

/*
 * Guest programs of the VM tests: argv[1] is the PCI address of QEMU's NVMe controller, bound to
 * vfio-pci; NVFIO_VM_MODE says how (iommu: type1v2 behind intel-iommu; noiommu). The NVFIO_VM_*
 * variables describe QEMU's controller configuration (tests/vm/configs).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <nvfio/vfio.h>

#include "common/test.h"

/* QEMU's NVMe controller (hw/nvme, QEMU 7.2). */
#define QEMU_VENDOR_ID	 0x1b36 /* Red Hat, Inc. */
#define QEMU_NVME_DEV_ID 0x0010
#define QEMU_NVME_VS	 0x00010400 /* NVMe 1.4.0 */
#define QEMU_NVME_MQES	 0x7ff
#define QEMU_NVME_TO	 0xf
#define QEMU_NVME_MPSMAX 4

struct vm {
	const char *addr;
	bool iommu; /* NVFIO_VM_MODE=iommu */
};

static inline unsigned int vm_env(const char *name, unsigned int dflt)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : dflt;
}

static inline struct vm vm_setup(int argc, char **argv)
{
	struct vm vm;
	const char *mode = getenv("NVFIO_VM_MODE");

	if (argc < 2 || !mode)
		SKIP("a guest program of the VM tests: run by tests/vm/run with the controller's "
		     "PCI address and NVFIO_VM_MODE");
	if (strcmp(mode, "iommu") != 0 && strcmp(mode, "noiommu") != 0)
		SKIP("mode %s does not bind the controller to vfio-pci", mode);
	vm.addr = argv[1];
	vm.iommu = strcmp(mode, "iommu") == 0;
	printf("device %s, mode %s\n", vm.addr, mode);
	return vm;
}

/* QEMU 7.2's BAR0: registers and doorbells, then the MSI-X table, then the PBA, each 4 KiB
 * aligned, the whole rounded up to a power of two (nvme_bar_size()). */
static inline size_t vm_bar0_size(void)
{
	unsigned int qpairs = vm_env("NVFIO_VM_MAX_IOQPAIRS", 64);
	unsigned int irqs = vm_env("NVFIO_VM_MSIX_QSIZE", 65);
	size_t sz, p2 = 1;

	sz = 4096 + 2 * (qpairs + 1) * 4;
	sz = (sz + 4095) & ~(size_t)4095;
	sz += 16 * irqs;
	sz = (sz + 4095) & ~(size_t)4095;
	sz += (irqs + 63) / 64 * 8;
	while (p2 < sz)
		p2 <<= 1;
	return p2;
}

#endif /* NVFIO_TESTS_VFIO_VM_H */
