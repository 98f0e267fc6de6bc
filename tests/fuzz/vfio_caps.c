/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's answers to VFIO_DEVICE_GET_REGION_INFO and VFIO_IOMMU_GET_INFO, with their
 * capability chains (nvf_vfio_parse_region_info(), nvf_vfio_parse_iommu_info()). The input: one
 * byte (even: a region, odd: the IOMMU), then the answer, in an allocation of exactly its length.
 * Whatever the offsets and lengths say (past the end, into the header, in a loop), the parse
 * reads only the answer, fails with -EPROTO or returns arrays of the length it says.
 */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "vfio/vfio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t sel = fuzz_byte(&in);
	size_t len = in.len;
	void *buf = fuzz_page(&in, len);
	int ret;

	if (sel & 1) {
		struct nvfio_iommu_iova_range *ranges = NULL;
		struct nvfio_iommu_info info;

		ret = nvf_vfio_parse_iommu_info(buf, len, &info, &ranges);
		FUZZ_CHECK(ret == 0 || ret == -EPROTO || ret == -ENOMEM);
		if (ret == 0) {
			FUZZ_CHECK(info.ranges == ranges &&
				   (ranges != NULL) == (info.nr_ranges > 0));
			for (uint32_t i = 0; i < info.nr_ranges; i++)
				(void)ranges[i].last;
		} else {
			FUZZ_CHECK(!ranges);
		}
		free(ranges);
	} else {
		struct nvfio_vfio_sparse_area *areas = NULL;
		struct nvfio_vfio_region_info info;

		ret = nvf_vfio_parse_region_info(buf, len, &info, &areas);
		FUZZ_CHECK(ret == 0 || ret == -EPROTO || ret == -ENOMEM);
		if (ret == 0) {
			FUZZ_CHECK(info.areas == areas && (areas != NULL) == (info.nr_areas > 0));
			for (uint32_t i = 0; i < info.nr_areas; i++)
				(void)areas[i].size;
		} else {
			FUZZ_CHECK(!areas);
		}
		free(areas);
	}
	free(buf);
	return 0;
}
