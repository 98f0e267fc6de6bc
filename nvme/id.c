/* SPDX-License-Identifier: BSD-3-Clause */
/* Identify data: what the driver takes from the pages the controller wrote (nvme/id.h). */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "nvme/id.h"
#include "nvme/spec.h"

/* A fixed-width field of @n bytes into @dst (room for n + 1): up to a NUL, if the controller put
 * one in, without the padding spaces before it or at the end. */
static void copy_id_string(char *dst, const char *src, size_t n)
{
	const char *nul = memchr(src, '\0', n);

	if (nul)
		n = (size_t)(nul - src);
	while (n && src[n - 1] == ' ')
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void nvf_id_ctrl_info(const void *page, struct nvfio_ctrl_info *info)
{
	const struct nvme_id_ctrl *id = page;

	_Static_assert(sizeof(info->model) == sizeof(id->mn) + 1, "MN and its NUL");
	_Static_assert(sizeof(info->serial) == sizeof(id->sn) + 1, "SN and its NUL");
	_Static_assert(sizeof(info->firmware) == sizeof(id->fr) + 1, "FR and its NUL");
	copy_id_string(info->model, id->mn, sizeof(id->mn));
	copy_id_string(info->serial, id->sn, sizeof(id->sn));
	copy_id_string(info->firmware, id->fr, sizeof(id->fr));
	info->vid = le16toh(id->vid);
	info->ssvid = le16toh(id->ssvid);
	info->cntlid = le16toh(id->cntlid);
	info->nn = le32toh(id->nn);
	info->oacs = le16toh(id->oacs);
	info->oncs = le16toh(id->oncs);
	info->sgls = le32toh(id->sgls);
	info->vwc = id->vwc;
	/* MDTS is in units of the minimum memory page size (CAP.MPSMIN, 4 KiB here). */
	info->mdts = !id->mdts			       ? 0
		     : id->mdts >= 64 - NVF_PAGE_SHIFT ? UINT64_MAX /* beyond 64 bits */
						       : (uint64_t)NVF_PAGE_SIZE << id->mdts;
	info->max_xfer = NVF_MAX_XFER;
	if (info->mdts && info->mdts < info->max_xfer)
		info->max_xfer = (uint32_t)info->mdts;
}

bool nvf_id_ns_parse(const void *page, uint32_t nsid, uint32_t max_xfer, struct nvfio_ns_info *info,
		     struct nvf_id_ns_io *io)
{
	const struct nvme_id_ns *id = page;
	unsigned int i, fmt, ds;

	if (!id->nsze)
		return false;
	memset(info, 0, sizeof(*info));
	info->nsid = nsid;
	info->nblocks = le64toh(id->nsze);
	info->capacity = le64toh(id->ncap);
	info->utilization = le64toh(id->nuse);
	info->nlbaf = id->nlbaf;
	/* FLBAS bits 6:5 extend the index past 16 formats. */
	fmt = (id->flbas & 0xf) | (id->nlbaf >= 16 ? ((id->flbas >> 5) & 3u) << 4 : 0);
	info->lbaf = (uint8_t)fmt;
	info->meta_extended = (id->flbas >> 4) & 1;
	_Static_assert(sizeof(info->lbaf_sizes) / sizeof(info->lbaf_sizes[0]) ==
			   sizeof(id->lbaf) / sizeof(id->lbaf[0]),
		       "every LBA format described");
	for (i = 0; i <= id->nlbaf && i < 64; i++) {
		ds = id->lbaf[i].ds;
		info->lbaf_sizes[i] = ds >= 9 && ds < 32 ? 1u << ds : 0;
		info->lbaf_meta[i] = le16toh(id->lbaf[i].ms);
	}
	io->nsze = 0;
	io->max_nlb = 1;
	/* A namespace nvfio cannot do I/O to stays listed, with the reason, and keeps no other
	 * namespace from working. fmt is at most 63, inside lbaf[64] whatever NLBAF says. */
	ds = id->lbaf[fmt].ds;
	if (fmt > id->nlbaf) {
		snprintf(info->unusable, sizeof(info->unusable),
			 "its LBA format in use (%u) is past the %u it has", fmt, id->nlbaf + 1u);
	} else if (ds < 9 || ds > 31) {
		snprintf(info->unusable, sizeof(info->unusable),
			 "its LBA format %u has a block size of 2^%u bytes", fmt, ds);
	} else if ((1u << ds) > max_xfer) {
		snprintf(info->unusable, sizeof(info->unusable),
			 "its block size of %u bytes is above the %u a command may carry", 1u << ds,
			 max_xfer);
	}
	if (info->unusable[0])
		return true;
	info->block_size = 1u << ds;
	info->meta_size = le16toh(id->lbaf[fmt].ms);
	io->lbads = (uint8_t)ds;
	io->max_nlb = max_xfer >> ds;
	if (io->max_nlb > 65536)
		io->max_nlb = 65536;
	/* Blocks with metadata need a metadata pointer or a larger buffer per block than the
	 * fast path describes: such namespaces take raw commands only. */
	io->nsze = info->meta_size ? 0 : info->nblocks;
	return true;
}

void nvf_id_ns_descs(const void *page, struct nvfio_ns_info *info)
{
	const uint8_t *buf = page;
	size_t off = 0;

	while (off + 4 <= NVME_IDENTIFY_DATA_SIZE) {
		uint8_t type = buf[off], len = buf[off + 1];

		if (!type || !len || off + 4 + len > NVME_IDENTIFY_DATA_SIZE)
			break;
		if (type == NVME_NIDT_EUI64 && len == 8)
			memcpy(info->eui64, buf + off + 4, 8);
		else if (type == NVME_NIDT_NGUID && len == 16)
			memcpy(info->nguid, buf + off + 4, 16);
		else if (type == NVME_NIDT_UUID && len == 16)
			memcpy(info->uuid, buf + off + 4, 16);
		off += 4 + len;
	}
}

bool nvf_id_ns_list(const void *page, uint32_t *start, uint32_t nn, uint8_t *seen)
{
	const uint8_t *buf = page;
	uint32_t id, i;

	for (i = 0; i < NVME_ID_NS_LIST_MAX; i++) {
		memcpy(&id, buf + 4 * i, sizeof(id));
		id = le32toh(id);
		if (id <= *start)
			return false;
		if (id <= nn)
			seen[id] = 1;
		*start = id;
	}
	return *start < nn;
}
