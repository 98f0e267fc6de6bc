/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public admin commands: each runs through the admin executor, then delivers the events
 * that arrived meanwhile (as nvfio_ctrl_poll_admin() does), on the caller's thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nvme/admin.h"
#include "nvme/aer.h"
#include "nvme/ns.h"
#include "support/error.h"

/* After a command the controller answered (whatever its status): deliver events. Once a
 * command (this one or one of the driver's own) is one the controller would neither complete
 * nor abort: reset it, which takes back the command's slot in the admin queue (else enough of
 * them fill it for good), the error kept. */
static int deliver(struct nvfio_ctrl *ctrl, int ret)
{
	if (ret >= 0 || ret == -NVFIO_ENVME)
		nvf_aer_deliver(ctrl);
	if (__atomic_load_n(&ctrl->admin_orphans, __ATOMIC_RELAXED)) {
		nvf_err_freeze();
		nvfio_ctrl_reset(ctrl);
		nvf_err_thaw();
	}
	return ret;
}

int nvfio_admin_raw(struct nvfio_ctrl *ctrl, const struct nvfio_cmd *cmd, void *buf, size_t len,
		    struct nvfio_cqe *cqe, unsigned int timeout_ms)
{
	struct nvfio_cmd c;
	int ret = nvf_ctrl_usable(ctrl, "nvfio_admin_raw");

	if (ret)
		return ret;
	if (!cmd)
		return nvf_err(-EINVAL, "nvfio_admin_raw: the command is NULL");
	c = *cmd;
	if (len && !buf)
		return nvf_err(-EINVAL, "nvfio_admin_raw: a length without a buffer");
	if (!len)
		c.dptr[0] = c.dptr[1] = 0;
	return deliver(ctrl, nvf_admin_exec(ctrl, &c, buf, len, cqe, timeout_ms));
}

int nvfio_identify(struct nvfio_ctrl *ctrl, uint8_t cns, uint32_t nsid, void *buf)
{
	int ret = nvf_ctrl_usable(ctrl, "nvfio_identify");

	if (ret)
		return ret;
	if (!buf)
		return nvf_err(-EINVAL, "nvfio_identify: the buffer is NULL");
	return deliver(ctrl, nvf_admin_identify(ctrl, cns, nsid, buf));
}

int nvfio_get_log_page(struct nvfio_ctrl *ctrl, uint8_t lid, uint32_t nsid, uint64_t offset,
		       void *buf, size_t len)
{
	int ret = nvf_ctrl_usable(ctrl, "nvfio_get_log_page");

	if (ret)
		return ret;
	if (!buf)
		return nvf_err(-EINVAL, "nvfio_get_log_page: the buffer is NULL");
	return deliver(ctrl, nvf_admin_get_log(ctrl, lid, nsid, offset, buf, len));
}

int nvfio_get_features(struct nvfio_ctrl *ctrl, uint8_t fid, uint32_t nsid, uint32_t cdw11,
		       void *buf, size_t len, uint32_t *result)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_get_features,
	    .nsid = nsid,
	    .cdw10 = fid,
	    .cdw11 = cdw11,
	};
	struct nvfio_cqe cqe = {0};
	int ret = nvf_ctrl_usable(ctrl, "nvfio_get_features");

	if (ret)
		return ret;
	ret = nvf_admin_run(ctrl, &cmd, NULL, buf, buf ? len : 0, &cqe, 0);
	if (ret == 0 && result)
		*result = cqe.cdw0;
	return deliver(ctrl, ret);
}

/* Keep a value the controller took, in place of an earlier one of the same feature and
 * namespace, at the end of the list. Without memory for it, it is not set again after a reset. */
static void feat_keep(struct nvfio_ctrl *ctrl, const struct nvfio_cmd *cmd, const void *buf,
		      size_t len)
{
	uint8_t fid = (uint8_t)cmd->cdw10;
	struct nvf_feat *f = malloc(sizeof(*f) + len), **pp;

	pthread_mutex_lock(&ctrl->feat_lock);
	for (pp = &ctrl->feats; *pp;) {
		if ((*pp)->fid == fid && (*pp)->nsid == cmd->nsid) {
			struct nvf_feat *old = *pp;

			*pp = old->next;
			free(old);
		} else {
			pp = &(*pp)->next;
		}
	}
	if (f) {
		f->next = NULL;
		f->fid = fid;
		f->nsid = cmd->nsid;
		f->cdw11 = cmd->cdw11;
		f->cdw12 = cmd->cdw12;
		f->len = (uint32_t)len;
		if (len)
			memcpy(f->data, buf, len);
		*pp = f;
	}
	pthread_mutex_unlock(&ctrl->feat_lock);
}

int nvfio_set_features(struct nvfio_ctrl *ctrl, uint8_t fid, uint32_t nsid, uint32_t cdw11,
		       uint32_t cdw12, bool save, const void *buf, size_t len, uint32_t *result)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_set_features,
	    .nsid = nsid,
	    .cdw10 = fid | (save ? 1u << 31 : 0),
	    .cdw11 = cdw11,
	    .cdw12 = cdw12,
	};
	struct nvfio_cqe cqe = {0};
	int ret = nvf_ctrl_usable(ctrl, "nvfio_set_features");

	if (ret)
		return ret;
	if (fid == NVME_FEAT_FID_NUM_QUEUES)
		return nvf_err(-EINVAL, "Number of Queues is set by nvfio_ctrl_open(): use "
					"nvfio_ctrl_opts.nr_io_queues");
	if (buf && len > NVF_FEAT_DATA_MAX)
		return nvf_err(-EINVAL, "Set Features: %zu bytes of data; a feature has at most %u",
			       len, NVF_FEAT_DATA_MAX);
	ret = nvf_admin_run(ctrl, &cmd, buf, NULL, buf ? len : 0, &cqe, 0);
	if (ret == 0 && result)
		*result = cqe.cdw0;
	if (ret == 0)
		feat_keep(ctrl, &cmd, buf, buf ? len : 0);
	return deliver(ctrl, ret);
}

/* The timestamp now, as the Timestamp feature's data structure lays it out: milliseconds since
 * the Epoch in its first six bytes, set by the host (the rest zero). */
static void timestamp_now(uint8_t *data)
{
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	memset(data, 0, 8);
	for (unsigned int i = 0; i < 6; i++)
		data[i] = (uint8_t)(ms >> (8 * i));
}

int nvf_feat_restore(struct nvfio_ctrl *ctrl)
{
	struct nvf_feat *f;
	int ret = 0;

	pthread_mutex_lock(&ctrl->feat_lock);
	for (f = ctrl->feats; f && ret == 0; f = f->next) {
		struct nvfio_cmd cmd = {
		    .opcode = nvme_admin_set_features,
		    .nsid = f->nsid,
		    .cdw10 = f->fid,
		    .cdw11 = f->cdw11,
		    .cdw12 = f->cdw12,
		};

		if (f->fid == NVME_FEAT_FID_TIMESTAMP && f->len >= 8)
			timestamp_now(f->data);
		ret = nvf_admin_run(ctrl, &cmd, f->len ? f->data : NULL, NULL, f->len, NULL, 0);
		/* A value the controller now refuses is its own business; one it cannot be asked
		 * for (it timed out, failed, went away) is the reset's. */
		if (ret == -NVFIO_ENVME)
			ret = 0;
	}
	pthread_mutex_unlock(&ctrl->feat_lock);
	if (ret < 0)
		nvf_err_prefix("setting the features again");
	return ret;
}

void nvf_feat_free(struct nvfio_ctrl *ctrl)
{
	while (ctrl->feats) {
		struct nvf_feat *f = ctrl->feats;

		ctrl->feats = f->next;
		free(f);
	}
}

int nvfio_format(struct nvfio_ctrl *ctrl, uint32_t nsid, uint8_t lbaf, uint8_t ses,
		 unsigned int timeout_ms)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_format_nvm,
	    .nsid = nsid,
	    .cdw10 = (lbaf & 0xfu) | (uint32_t)(ses & 7u) << 9 | (uint32_t)((lbaf >> 4) & 3u) << 12,
	};
	int ret = nvf_ctrl_usable(ctrl, "nvfio_format");

	if (ret)
		return ret;
	if (lbaf > 63 || ses > 2)
		return nvf_err(-EINVAL, "Format NVM: LBA format %u / secure erase %u out of range",
			       lbaf, ses);
	ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, NULL, timeout_ms ? timeout_ms : 600000);
	if (ret < 0)
		return deliver(ctrl, ret);
	/* The formatted namespaces' sizes and formats change. */
	return deliver(ctrl, nvf_ns_scan(ctrl));
}

int nvfio_abort(struct nvfio_ctrl *ctrl, uint16_t sqid, uint16_t cid, uint32_t *result)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_abort_cmd,
	    .cdw10 = sqid | (uint32_t)cid << 16,
	};
	struct nvfio_cqe cqe = {0};
	int ret = nvf_ctrl_usable(ctrl, "nvfio_abort");

	if (ret)
		return ret;
	ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, &cqe, 0);
	if (ret == 0 && result)
		*result = cqe.cdw0;
	return deliver(ctrl, ret);
}
