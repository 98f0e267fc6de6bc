/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <nvfio/vfio.h> used from C++: each function it declares is referenced (vfio_functions.inc, read
 * from the header by CMake), so the program links only if every one has C linkage and is in the
 * library; the enums work as C++ values; and the calls that need no device answer as documented.
 */
#include <cstring>
#include <unistd.h>

#include <nvfio/vfio.h>

#include "common/test.h"

typedef void (*any_fn)(void);

#define NVFIO_FN(f) reinterpret_cast<any_fn>(&f),
static any_fn const functions[] = {
#include "vfio_functions.inc"
};
#undef NVFIO_FN

int main()
{
	struct nvfio_iommu *ctx = nullptr;
	struct nvfio_vfio_device *dev = nullptr;
	char canon[NVFIO_PCI_ADDR_MAX];
	const unsigned int rw = NVFIO_IOMMU_DMA_READ | NVFIO_IOMMU_DMA_WRITE;
	int ret;

	/* 50 functions when written: a header reshaped so that CMake finds none must not pass. */
	CHECK(sizeof(functions) / sizeof(functions[0]) >= 50);
	for (any_fn f : functions)
		CHECK(f != nullptr);
	CHECK(rw == 3);

	CHECK_OK(nvfio_pci_addr_parse("01:00.0", canon));
	CHECK(std::strcmp(canon, "0000:01:00.0") == 0);
	CHECK_ERR(nvfio_vfio_open("junk", NVFIO_IOMMU_OPEN_IOMMU, &dev), -NVFIO_EBADADDR);
	CHECK(dev == nullptr);

	ret = nvfio_iommu_open(NVFIO_IOMMU_OPEN_AUTO, &ctx);
	if (access("/dev/vfio/vfio", F_OK) != 0) {
		CHECK_ERR(ret, -NVFIO_ENOVFIO);
		CHECK(ctx == nullptr);
	} else {
		CHECK_OK(ret);
		CHECK(nvfio_iommu_type(ctx) == 0);
		CHECK(nvfio_vfio_container_check_extension(nvfio_iommu_vfio_container(ctx),
							   NVFIO_VFIO_TYPE1V2) >= 0);
		nvfio_iommu_close(ctx);
	}
	nvfio_iommu_close(nullptr);
	nvfio_vfio_device_close(nullptr);
	nvfio_vfio_group_close(nullptr);
	return T_EXIT_PASS;
}
