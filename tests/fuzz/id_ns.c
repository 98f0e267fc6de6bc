/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Identify Namespace and the Namespace Identification Descriptor list as a controller may write
 * them (nvf_id_ns_parse(), nvf_id_ns_descs()). The input: one byte that picks the controller's
 * transfer size (8 KiB to 2 MiB), Identify Namespace (fuzz_chunk(): a length, then the start of
 * the 4 KiB), the descriptor list (the rest, the start of its 4 KiB).
 * Whatever they hold, a namespace is either refused with a reason and no I/O, or its block
 * size is one a command can carry and the fast path's limits follow from it.
 */
#include "fuzz/fuzz.h"
#include "nvme/id.h"
#include "nvme/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t sel = fuzz_byte(&in);
	/* 0: no MDTS (NVF_MAX_XFER); otherwise MDTS 1 .. 9 */
	uint32_t max_xfer = sel % 10 ? NVF_PAGE_SIZE << (sel % 10) : NVF_MAX_XFER;
	uint8_t *ns = fuzz_chunk(&in, NVME_IDENTIFY_DATA_SIZE);
	uint8_t *descs = fuzz_page(&in, NVME_IDENTIFY_DATA_SIZE);
	struct nvfio_ns_info info;
	struct nvf_id_ns_io io = {.lbads = 77};
	uint64_t bytes;

	if (!nvf_id_ns_parse(ns, 1, max_xfer, &info, &io)) {
		FUZZ_CHECK(io.lbads == 77);
		goto out;
	}
	nvf_id_ns_descs(descs, &info);
	FUZZ_CHECK(fuzz_terminated(info.unusable, sizeof(info.unusable)));
	FUZZ_CHECK(info.nsid == 1 && info.nblocks && info.lbaf < 64);
	FUZZ_CHECK(io.max_nlb >= 1 && io.max_nlb <= 65536);
	if (info.unusable[0]) {
		FUZZ_CHECK(!info.block_size && !io.nsze && io.max_nlb == 1 && io.lbads == 77);
		goto out;
	}
	FUZZ_CHECK(info.block_size >= 512 && !(info.block_size & (info.block_size - 1)));
	FUZZ_CHECK(info.block_size <= max_xfer && info.block_size == 1u << io.lbads);
	FUZZ_CHECK(info.lbaf <= info.nlbaf && info.lbaf_sizes[info.lbaf] == info.block_size);
	bytes = (uint64_t)io.max_nlb << io.lbads;
	FUZZ_CHECK(bytes <= max_xfer);
	FUZZ_CHECK(io.nsze == 0 || (io.nsze == info.nblocks && !info.meta_size));
out:
	free(descs);
	free(ns);
	return 0;
}
