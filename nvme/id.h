/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_ID_H
#define NVFIO_NVME_ID_H

/*
 * What the driver takes from the controller's Identify data: pure functions of the 4 KiB pages
 * the controller wrote, so that a broken or hostile controller's pages can be tested and fuzzed
 * without one. Each reads exactly NVME_IDENTIFY_DATA_SIZE bytes and nothing else, whatever the
 * page holds (an MDTS of 0 or 64, an NN of 2^32 - 1, an LBA format past the ones listed, strings
 * without a NUL, a list out of order).
 */

#include <stdbool.h>
#include <stdint.h>

#include <nvfio/nvme.h>

/*
 * nvf_id_ctrl_info() - Identify Controller (CNS 01h) into the controller's description
 *
 * Fills the strings (trailing spaces dropped, always NUL-terminated), the ids and the optional
 * features of @info, its mdts (bytes; 0 none, UINT64_MAX a limit past 64 bits) and its max_xfer
 * (the bytes nvfio puts in one command: MDTS, at most NVF_MAX_XFER, never 0). Leaves the rest.
 */
void nvf_id_ctrl_info(const void *page, struct nvfio_ctrl_info *info);

/* What the I/O fast path takes from a namespace's Identify data. */
struct nvf_id_ns_io {
	uint64_t nsze;	  /* blocks I/O may address; 0: the namespace takes raw commands only */
	uint32_t max_nlb; /* blocks one command may carry, 1 .. 65536 */
	uint8_t lbads;	  /* log2 of the block size; left as it was when the format is unusable */
};

/*
 * nvf_id_ns_parse() - Identify Namespace (CNS 00h) of namespace @nsid
 * @max_xfer: the controller's max_xfer (nvf_id_ctrl_info())
 * @info:     filled from the page (the identifiers are left zero: nvf_id_ns_descs() adds them);
 *            a namespace nvfio cannot do I/O to gets the reason in info->unusable and a
 *            block_size of 0
 * @io:       lbads on entry is the value to keep when the format is unusable
 *
 * Returns false for an inactive namespace (NSZE 0: @info and @io untouched), true otherwise.
 */
bool nvf_id_ns_parse(const void *page, uint32_t nsid, uint32_t max_xfer, struct nvfio_ns_info *info,
		     struct nvf_id_ns_io *io);

/*
 * nvf_id_ns_descs() - the Namespace Identification Descriptor list (CNS 03h) into @info's
 * EUI-64, NGUID and UUID. The walk ends at a descriptor of type or length 0, or one that would
 * reach past the page; a descriptor of a known type with another length is skipped.
 */
void nvf_id_ns_descs(const void *page, struct nvfio_ns_info *info);

/*
 * nvf_id_ns_list() - one Active Namespace ID list (CNS 02h), asked for the ids after *@start
 * @nn:   ids above it are skipped (the namespaces tracked)
 * @seen: [0 .. @nn]: set to 1 for each id listed
 *
 * The ids are taken while they ascend: a 0 ends the list, and so does an id not above the one
 * before (a broken controller's list, which would otherwise have the scan ask again for ever).
 * *@start becomes the last id taken. Returns true when the list was full and the scan should ask
 * for the ids after *@start, false when it is over.
 */
bool nvf_id_ns_list(const void *page, uint32_t *start, uint32_t nn, uint8_t *seen);

#endif /* NVFIO_NVME_ID_H */
