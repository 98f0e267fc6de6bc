/* SPDX-License-Identifier: BSD-3-Clause */
/* Namespaces: discovery of the active ones and what Identify Namespace says about each. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/admin.h"
#include "nvme/ns.h"
#include "support/error.h"

/* Namespace ids beyond this are not tracked (an NN of millions would cost memory for nothing). */
#define NVF_NS_MAX 65536u

static void ns_deactivate(struct nvfio_ns *ns)
{
	ns->active = false;
	ns->io.nsze = 0;
}

static void ns_descriptors(struct nvfio_ctrl *ctrl, uint32_t nsid, struct nvfio_ns_info *info,
			   uint8_t *buf)
{
	size_t off = 0;

	if (nvf_admin_identify(ctrl, NVME_IDENTIFY_CNS_NS_DESC_LIST, nsid, buf) < 0)
		return;
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

/*
 * A rescan (a controller reset) runs while other threads submit and read the namespace's
 * description: what it found is written only where it differs, so that a namespace that did not
 * change is not rewritten under them (nor seen unusable for a moment). A changed one is written
 * field by field, the fast path's words whole.
 */
static void ns_publish(struct nvfio_ns *ns, const struct nvfio_ns_info *info, uint64_t nsze,
		       uint8_t lbads, uint32_t max_nlb)
{
	if (memcmp(&ns->info, info, sizeof(*info)))
		ns->info = *info;
	if (ns->io.lbads != lbads)
		__atomic_store_n(&ns->io.lbads, lbads, __ATOMIC_RELAXED);
	if (ns->max_nlb != max_nlb)
		ns->max_nlb = max_nlb;
	if (!ns->active)
		ns->active = true;
	if (ns->io.nsze != nsze)
		__atomic_store_n(&ns->io.nsze, nsze, __ATOMIC_RELAXED);
}

static int ns_identify(struct nvfio_ctrl *ctrl, uint32_t nsid, uint8_t *buf)
{
	struct nvme_id_ns *id = (struct nvme_id_ns *)buf;
	struct nvfio_ns *ns = ctrl->ns[nsid];
	struct nvfio_ns_info info = {0};
	uint32_t max_nlb = 1;
	uint64_t nsze = 0;
	unsigned int i, fmt;
	uint8_t lbads;
	int ret;

	if (!ns) {
		ns = calloc(1, sizeof(*ns));
		if (!ns)
			return nvf_err(-ENOMEM, "out of memory for namespace %u", nsid);
		ns->io.nsid = nsid;
		ns->io.sqe_read = (uint64_t)nsid << 32 | nvme_cmd_read;
		ns->io.sqe_write = (uint64_t)nsid << 32 | nvme_cmd_write;
		ns->ctrl = ctrl;
		ctrl->ns[nsid] = ns;
	}
	lbads = ns->io.lbads;
	ret = nvf_admin_identify(ctrl, NVME_IDENTIFY_CNS_NS, nsid, buf);
	if (ret < 0 || !id->nsze) {
		ns_deactivate(ns);
		return ret == -NVFIO_ENVME ? 0 : ret;
	}
	info.nsid = nsid;
	info.nblocks = id->nsze;
	info.capacity = id->ncap;
	info.utilization = id->nuse;
	info.nlbaf = id->nlbaf;
	fmt = (id->flbas & 0xf) | (id->nlbaf >= 16 ? ((id->flbas >> 5) & 3u) << 4 : 0);
	info.lbaf = (uint8_t)fmt;
	info.meta_extended = (id->flbas >> 4) & 1;
	for (i = 0; i <= id->nlbaf && i < 64; i++) {
		info.lbaf_sizes[i] =
		    id->lbaf[i].ds >= 9 && id->lbaf[i].ds < 32 ? 1u << id->lbaf[i].ds : 0;
		info.lbaf_meta[i] = id->lbaf[i].ms;
	}
	/* A namespace nvfio cannot do I/O to stays listed, with the reason, and keeps no other
	 * namespace from working. */
	if (fmt > id->nlbaf) {
		snprintf(info.unusable, sizeof(info.unusable),
			 "its LBA format in use (%u) is past the %u it has", fmt, id->nlbaf + 1u);
	} else if (id->lbaf[fmt].ds < 9 || id->lbaf[fmt].ds > 31) {
		snprintf(info.unusable, sizeof(info.unusable),
			 "its LBA format %u has a block size of 2^%u bytes", fmt, id->lbaf[fmt].ds);
	} else if ((1u << id->lbaf[fmt].ds) > ctrl->max_xfer) {
		snprintf(info.unusable, sizeof(info.unusable),
			 "its block size of %u bytes is above the %u a command may carry",
			 1u << id->lbaf[fmt].ds, ctrl->max_xfer);
	}
	if (!info.unusable[0]) {
		info.block_size = 1u << id->lbaf[fmt].ds;
		info.meta_size = id->lbaf[fmt].ms;
		lbads = id->lbaf[fmt].ds;
		max_nlb = ctrl->max_xfer >> lbads;
		if (max_nlb > 65536)
			max_nlb = 65536;
		/* Blocks with metadata need a metadata pointer or a larger buffer per block than
		 * the fast path describes: such namespaces take raw commands only. */
		nsze = info.meta_size ? 0 : info.nblocks;
	}
	/* Last: it reuses the buffer that holds Identify Namespace. */
	ns_descriptors(ctrl, nsid, &info, buf);
	ns_publish(ns, &info, nsze, lbads, max_nlb);
	return 0;
}

int nvf_ns_scan(struct nvfio_ctrl *ctrl)
{
	uint32_t nn = ctrl->id->nn, nsid, i, start = 0;
	uint8_t *buf, *seen;
	uint32_t *list;
	bool have_list = true;
	int ret = 0;

	if (nn > NVF_NS_MAX)
		nn = NVF_NS_MAX;
	buf = malloc(NVME_IDENTIFY_DATA_SIZE);
	list = malloc(NVME_IDENTIFY_DATA_SIZE);
	seen = calloc(nn + 1, 1);
	if (!buf || !list || !seen) {
		ret = nvf_err(-ENOMEM, "out of memory for the namespace lists (NN %u)", nn);
		goto out;
	}
	pthread_mutex_lock(&ctrl->ns_lock);
	if (!ctrl->ns) {
		ctrl->ns = calloc(nn + 1, sizeof(*ctrl->ns));
		if (!ctrl->ns) {
			ret = nvf_err(-ENOMEM, "out of memory for a table of %u namespaces", nn);
			goto out_unlock;
		}
		ctrl->nn = nn;
	}
	if (nn > ctrl->nn)
		nn = ctrl->nn;

	/* The active namespace list comes 1024 ids at a time, each list starting after the id
	 * given; controllers before NVMe 1.1 lack it and every id is tried instead. */
	for (;;) {
		ret = nvf_admin_identify(ctrl, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, start, list);
		if (ret == -NVFIO_ENVME && start == 0) {
			have_list = false;
			ret = 0;
			break;
		}
		if (ret < 0)
			goto out_unlock;
		/* The ids ascend, each list past the one before: a list that does not (a broken
		 * controller's) ends the scan, so that it always ends. */
		for (i = 0; i < NVME_ID_NS_LIST_MAX && list[i] > start; i++) {
			if (list[i] <= nn)
				seen[list[i]] = 1;
			start = list[i];
		}
		if (i < NVME_ID_NS_LIST_MAX || start >= nn)
			break;
	}
	for (nsid = 1; nsid <= nn; nsid++) {
		if (have_list && !seen[nsid]) {
			if (ctrl->ns[nsid])
				ns_deactivate(ctrl->ns[nsid]);
			continue;
		}
		ret = ns_identify(ctrl, nsid, buf);
		if (ret < 0)
			goto out_unlock;
		if (!have_list && !ctrl->ns[nsid]->active) {
			free(ctrl->ns[nsid]);
			ctrl->ns[nsid] = NULL;
		}
	}
out_unlock:
	pthread_mutex_unlock(&ctrl->ns_lock);
out:
	free(seen);
	free(list);
	free(buf);
	if (ret < 0)
		nvf_err_prefix("discovering the namespaces of %s", ctrl->address);
	return ret;
}

void nvf_ns_free(struct nvfio_ctrl *ctrl)
{
	uint32_t i;

	if (!ctrl->ns)
		return;
	for (i = 0; i <= ctrl->nn; i++)
		free(ctrl->ns[i]);
	free(ctrl->ns);
	ctrl->ns = NULL;
}

struct nvfio_ns *nvfio_ctrl_ns(struct nvfio_ctrl *ctrl, uint32_t nsid)
{
	if (!nvf_ctrl_live(ctrl))
		return NULL;
	if (!ctrl->ns || nsid == 0 || nsid > ctrl->nn || !ctrl->ns[nsid] || !ctrl->ns[nsid]->active)
		return NULL;
	return ctrl->ns[nsid];
}

struct nvfio_ns *nvfio_ctrl_ns_next(struct nvfio_ctrl *ctrl, const struct nvfio_ns *prev)
{
	uint32_t nsid = prev ? prev->io.nsid + 1 : 1;

	if (!nvf_ctrl_live(ctrl))
		return NULL;
	for (; ctrl->ns && nsid <= ctrl->nn; nsid++)
		if (ctrl->ns[nsid] && ctrl->ns[nsid]->active)
			return ctrl->ns[nsid];
	return NULL;
}

const struct nvfio_ns_info *nvfio_ns_get_info(const struct nvfio_ns *ns)
{
	return &ns->info;
}

int nvfio_ctrl_rescan(struct nvfio_ctrl *ctrl)
{
	int ret = nvf_ctrl_usable(ctrl, "nvfio_ctrl_rescan");

	if (ret)
		return ret;
	return nvf_ns_scan(ctrl);
}
