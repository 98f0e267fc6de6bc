/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Identify Controller as a controller may write it (nvf_id_ctrl_info()): the input is the 4 KiB
 * page. Whatever it holds, the strings come out NUL-terminated without trailing padding, and
 * the transfer size nvfio uses is a whole number of pages from 8 KiB to NVF_MAX_XFER that MDTS
 * allows.
 */
#include "fuzz/fuzz.h"
#include "nvme/id.h"
#include "nvme/spec.h"

static void check_string(const char *s, size_t size)
{
	size_t n;

	FUZZ_CHECK(fuzz_terminated(s, size));
	n = strlen(s);
	FUZZ_CHECK(!n || s[n - 1] != ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t *page = fuzz_page(&in, NVME_IDENTIFY_DATA_SIZE);
	struct nvfio_ctrl_info info;

	memset(&info, 0xa5, sizeof(info));
	nvf_id_ctrl_info(page, &info);
	check_string(info.model, sizeof(info.model));
	check_string(info.serial, sizeof(info.serial));
	check_string(info.firmware, sizeof(info.firmware));
	FUZZ_CHECK(info.max_xfer >= 2 * NVF_PAGE_SIZE && info.max_xfer <= NVF_MAX_XFER);
	FUZZ_CHECK(info.max_xfer % NVF_PAGE_SIZE == 0);
	FUZZ_CHECK(!info.mdts || info.max_xfer <= info.mdts);
	FUZZ_CHECK(info.mdts || info.max_xfer == NVF_MAX_XFER);
	free(page);
	return 0;
}
