/* SPDX-License-Identifier: BSD-3-Clause */
/* Namespaces: discovery of the active ones and what Identify Namespace says about each. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/admin.h"
#include "nvme/id.h"
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
	if (nvf_admin_identify(ctrl, NVME_IDENTIFY_CNS_NS_DESC_LIST, nsid, buf) < 0)
		return;
	nvf_id_ns_descs(buf, info);
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
	struct nvfio_ns *ns = ctrl->ns[nsid];
	struct nvfio_ns_info info;
	struct nvf_id_ns_io io;
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
	io.lbads = ns->io.lbads;
	ret = nvf_admin_identify(ctrl, NVME_IDENTIFY_CNS_NS, nsid, buf);
	if (ret < 0 || !nvf_id_ns_parse(buf, nsid, ctrl->max_xfer, &info, &io)) {
		ns_deactivate(ns);
		return ret == -NVFIO_ENVME ? 0 : ret;
	}
	/* Last: it reuses the buffer that holds Identify Namespace. */
	ns_descriptors(ctrl, nsid, &info, buf);
	ns_publish(ns, &info, io.nsze, io.lbads, io.max_nlb);
	return 0;
}

int nvf_ns_scan(struct nvfio_ctrl *ctrl)
{
	uint32_t nn = ctrl->info.nn, nsid, start = 0;
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
		if (!nvf_id_ns_list(list, &start, nn, seen))
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
