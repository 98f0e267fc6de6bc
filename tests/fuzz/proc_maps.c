/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /proc/self/maps as the kernel may write it, asked whether a range of memory is mapped readable
 * and writable (nvf_dma_maps_check()). The input: the range's start and end (8 bytes each,
 * little-endian), then the text, in an allocation of exactly its length (the parser takes it
 * without a NUL). The answer is 0, -EINVAL for an empty range, or -EFAULT with the first gap,
 * which lies within the range.
 */
#include <errno.h>

#include "dma/maps.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint64_t start = fuzz_u64(&in), end = fuzz_u64(&in);
	size_t len = in.len;
	char *text = fuzz_page(&in, len);
	struct nvf_dma_maps_gap gap;
	int ret;

	memset(&gap, 0x5a, sizeof(gap));
	ret = nvf_dma_maps_check(text, len, start, end, &gap);
	if (start >= end) {
		FUZZ_CHECK(ret == -EINVAL);
	} else if (ret == -EFAULT) {
		FUZZ_CHECK(start <= gap.start && gap.start < gap.end && gap.end <= end);
		FUZZ_CHECK(fuzz_terminated(gap.perms, sizeof(gap.perms)));
	} else {
		FUZZ_CHECK(ret == 0);
	}
	free(text);
	return 0;
}
