/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admin commands: a synchronous executor over the admin queue (one command in flight per
 * caller, serialised by the admin lock), the Asynchronous Event Request kept outstanding, queue
 * creation and deletion, and the public admin helpers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvme/ctrl.h"
#include "support/error.h"

struct admin_req {
	struct nvfio_ctrl *ctrl;
	struct nvfio_cqe cqe;
	int err;
	bool done;
	bool orphan;  /* the waiter gave up; the completion frees the request */
	void *bounce; /* DMA buffer the command still owns when orphaned */
};

static void admin_done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct admin_req *r = arg;

	if (r->orphan) {
		if (r->bounce)
			nvfio_dma_free(r->ctrl->dev->dma, r->bounce);
		free(r);
		return;
	}
	r->err = err;
	r->cqe = *cqe;
	r->done = true;
}

int nvf_nvme_status_err(uint16_t status, const char *what)
{
	return nvf_err(-NVFIO_ENVME, "%s: the controller answered %s", what,
		       nvfio_status_str(status));
}

static void aer_done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct nvfio_ctrl *ctrl = arg;
	uint16_t status = nvfio_cqe_status(cqe);

	ctrl->aer_outstanding = false;
	if (err)
		return;
	if (status) {
		/* Aborted (queue deletion, shutdown) or refused: stop asking. */
		ctrl->aer_enabled = false;
		return;
	}
	if (ctrl->nevents < NVF_EVENTS_MAX) {
		struct nvfio_event *ev = &ctrl->events[ctrl->nevents++];

		ev->type = (uint8_t)NVF_AER_TYPE(cqe->cdw0);
		ev->info = (uint8_t)NVF_AER_INFO(cqe->cdw0);
		ev->log_page = (uint8_t)NVF_AER_LID(cqe->cdw0);
		ev->cdw0 = cqe->cdw0;
	}
}

int nvf_nvme_aer_submit_locked(struct nvfio_ctrl *ctrl)
{
	struct nvfio_cmd cmd = {.opcode = nvme_admin_async_event};
	int ret;

	ctrl->aer_enabled = true;
	if (ctrl->aer_outstanding || nvf_nvme_failed(ctrl))
		return 0;
	ret = nvf_qpair_submit_cmd(ctrl->admin, &cmd, 0, aer_done, ctrl);
	if (ret < 0)
		return nvf_err(ret, "no room in the admin queue of %s for an event request",
			       ctrl->address);
	ctrl->aer_outstanding = true;
	return 0;
}

/* Reap the admin queue and keep the event request outstanding. Admin lock held. */
int nvf_nvme_admin_poll_locked(struct nvfio_ctrl *ctrl)
{
	int n = nvf_qpair_reap(ctrl->admin, 0);

	if (ctrl->aer_enabled && !ctrl->aer_outstanding && !nvf_nvme_failed(ctrl))
		nvf_nvme_aer_submit_locked(ctrl);
	return n;
}

static const char *admin_name(uint8_t opcode)
{
	switch (opcode) {
	case nvme_admin_delete_sq:
		return "Delete I/O Submission Queue";
	case nvme_admin_create_sq:
		return "Create I/O Submission Queue";
	case nvme_admin_get_log_page:
		return "Get Log Page";
	case nvme_admin_delete_cq:
		return "Delete I/O Completion Queue";
	case nvme_admin_create_cq:
		return "Create I/O Completion Queue";
	case nvme_admin_identify:
		return "Identify";
	case nvme_admin_abort_cmd:
		return "Abort";
	case nvme_admin_set_features:
		return "Set Features";
	case nvme_admin_get_features:
		return "Get Features";
	case nvme_admin_async_event:
		return "Asynchronous Event Request";
	case nvme_admin_dbbuf:
		return "Doorbell Buffer Config";
	case nvme_admin_format_nvm:
		return "Format NVM";
	default:
		return "admin command";
	}
}

/*
 * Run one admin command and wait for it. @in is copied to the controller and @out filled from
 * it through a DMA bounce buffer of @len bytes; with @len 0 the command's dptr is left as the
 * caller set it.
 */
static int admin_run(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, const void *in, void *out,
		     size_t len, struct nvfio_cqe *cqe, unsigned int timeout_ms)
{
	struct nvfio_qpair *aq = ctrl->admin;
	struct admin_req *r;
	uint64_t start, last_check;
	unsigned int backoff = 0;
	uint16_t list = 0;
	void *bounce = NULL;
	bool own_bounce = false;
	int ret;

	if (len > ctrl->max_xfer && ctrl->max_xfer)
		return nvf_err(-EINVAL,
			       "%s of %zu bytes exceeds the %u-byte transfer limit (MDTS) "
			       "of %s",
			       admin_name(cmd->opcode), len, ctrl->max_xfer, ctrl->address);
	if (!timeout_ms)
		timeout_ms = ctrl->opts.admin_timeout_ms;
	r = calloc(1, sizeof(*r));
	if (!r)
		return nvf_err(-ENOMEM, "out of memory for %s on %s", admin_name(cmd->opcode),
			       ctrl->address);
	r->ctrl = ctrl;

	pthread_mutex_lock(&ctrl->admin_lock);
	if (nvf_nvme_failed(ctrl)) {
		ret = nvf_nvme_ctrl_check(ctrl);
		goto out_unlock;
	}
	if (len) {
		if (len <= NVF_SCRATCH && !ctrl->scratch) {
			ret = nvfio_dma_alloc(ctrl->dev->dma, NVF_SCRATCH, nvf_nvme_dma_flags(ctrl),
					      &ctrl->scratch);
			if (ret < 0) {
				nvf_err_prefix("the %u-byte admin data buffer of %s", NVF_SCRATCH,
					       ctrl->address);
				goto out_unlock;
			}
		}
		if (len <= NVF_SCRATCH) {
			bounce = ctrl->scratch;
		} else {
			ret =
			    nvfio_dma_alloc(ctrl->dev->dma, len, nvf_nvme_dma_flags(ctrl), &bounce);
			if (ret < 0) {
				nvf_err_prefix("a %zu-byte data buffer for %s on %s", len,
					       admin_name(cmd->opcode), ctrl->address);
				goto out_unlock;
			}
			own_bounce = true;
		}
		if (in)
			memcpy(bounce, in, len);
		else
			memset(bounce, 0, len);
		ret = nvf_qpair_map_prp(aq, cmd, bounce, len, &list);
		if (ret == -EAGAIN)
			ret = nvf_err(-EBUSY,
				      "%s of %zu bytes on %s: the admin queue's PRP lists are held "
				      "by commands that timed out; close and reopen the controller",
				      admin_name(cmd->opcode), len, ctrl->address);
		if (ret < 0)
			goto out_bounce;
	}
	cmd->flags &= (uint8_t)~NVF_CMD_PSDT_SGL;
	ret = nvf_qpair_submit_cmd(aq, cmd, list, admin_done, r);
	if (ret < 0) {
		if (list)
			nvf_list_put(aq, list);
		ret = nvf_err(-EBUSY,
			      "the admin queue of %s is full of commands the controller "
			      "never completed",
			      ctrl->address);
		goto out_bounce;
	}

	start = last_check = nvf_nvme_now_ms();
	for (;;) {
		uint64_t now;

		nvf_nvme_admin_poll_locked(ctrl);
		if (r->done)
			break;
		now = nvf_nvme_now_ms();
		if (now - last_check >= 10) {
			last_check = now;
			ret = nvf_nvme_ctrl_check(ctrl);
			if (ret < 0) {
				nvf_qpair_fail_all(aq, ret);
				continue;
			}
		}
		if (now - start >= timeout_ms) {
			/* The command may still complete and write its buffer: it keeps both. */
			r->orphan = true;
			r->bounce = bounce;
			if (bounce == ctrl->scratch)
				ctrl->scratch = NULL;
			pthread_mutex_unlock(&ctrl->admin_lock);
			return nvf_err(-NVFIO_ETIMEDOUT,
				       "%s (opcode 0x%02x) got no completion from "
				       "%s within %u ms: a slow controller needs a longer "
				       "nvfio_ctrl_opts.admin_timeout_ms, a stuck one a reset "
				       "(close and reopen it)",
				       admin_name(cmd->opcode), cmd->opcode, ctrl->address,
				       timeout_ms);
		}
		nvf_nvme_backoff(&backoff);
	}

	if (r->err) {
		ret = r->err == -NVFIO_EFATAL || r->err == -NVFIO_EREMOVED
			  ? nvf_nvme_ctrl_check(ctrl)
			  : nvf_err(r->err, "%s on %s did not complete: %s",
				    admin_name(cmd->opcode), ctrl->address, nvfio_strerror(r->err));
		goto out_bounce;
	}
	if (cqe)
		*cqe = r->cqe;
	if (out)
		memcpy(out, bounce, len);
	ret = 0;
	if (nvfio_cqe_status(&r->cqe)) {
		char what[128];

		snprintf(what, sizeof(what), "%s (opcode 0x%02x) on %s", admin_name(cmd->opcode),
			 cmd->opcode, ctrl->address);
		ret = nvf_nvme_status_err(nvfio_cqe_status(&r->cqe), what);
	}
out_bounce:
	if (own_bounce)
		nvfio_dma_free(ctrl->dev->dma, bounce);
out_unlock:
	pthread_mutex_unlock(&ctrl->admin_lock);
	free(r);
	if (ret >= 0 || ret == -NVFIO_ENVME)
		nvf_nvme_admin_events(ctrl);
	return ret;
}

int nvf_nvme_admin_exec(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, void *buf, size_t len,
			struct nvfio_cqe *cqe, unsigned int timeout_ms)
{
	uint8_t dir = cmd->opcode & 3;

	return admin_run(ctrl, cmd, dir & 1 ? buf : NULL, dir & 2 ? buf : NULL, len, cqe,
			 timeout_ms);
}

/* Deliver the events reaped meanwhile: read the log page each names (which also lets the
 * controller report the next event of that type), rescan namespaces on a namespace change,
 * then tell the application. Runs without the admin lock, one thread at a time. */
void nvf_nvme_admin_events(struct nvfio_ctrl *ctrl)
{
	struct nvfio_event ev;
	uint8_t *log;

	if (nvf_nvme_ns_scanning())
		return;
	pthread_mutex_lock(&ctrl->admin_lock);
	if (ctrl->events_busy || !ctrl->nevents) {
		pthread_mutex_unlock(&ctrl->admin_lock);
		return;
	}
	ctrl->events_busy = true;
	pthread_mutex_unlock(&ctrl->admin_lock);

	log = malloc(NVF_PAGE_SIZE);
	for (;;) {
		pthread_mutex_lock(&ctrl->admin_lock);
		if (!ctrl->nevents) {
			ctrl->events_busy = false;
			pthread_mutex_unlock(&ctrl->admin_lock);
			break;
		}
		ev = ctrl->events[0];
		memmove(&ctrl->events[0], &ctrl->events[1],
			--ctrl->nevents * sizeof(ctrl->events[0]));
		pthread_mutex_unlock(&ctrl->admin_lock);

		if (ev.log_page && log) {
			size_t len = ev.log_page == NVME_LOG_LID_ERROR	 ? 64
				     : ev.log_page == NVME_LOG_LID_SMART ? 512
									 : NVF_PAGE_SIZE;

			nvfio_get_log_page(ctrl, ev.log_page, NVME_NSID_ALL, 0, log, len);
		}
		if (ev.type == NVME_AER_NOTICE && ev.info == NVME_AER_NOTICE_NS_CHANGED)
			nvf_nvme_ns_scan(ctrl);
		if (ctrl->event_cb)
			ctrl->event_cb(ctrl->event_arg, &ev);
	}
	free(log);
}

int nvf_nvme_create_qpair(struct nvfio_ctrl *ctrl, struct nvfio_qpair *qp)
{
	uint32_t cdw10 = qp->qid | (uint32_t)(qp->sq_entries - 1) << 16;
	uint32_t cq_cdw10 = qp->qid | (uint32_t)(qp->cq_entries - 1) << 16;
	struct nvfio_cmd cmd;
	char what[96];
	int ret;

	if (qp->sq_sdb) {
		/* A queue id used before keeps its old shadow values: start from zero. */
		*qp->sq_sdb = 0;
		*qp->cq_sdb = 0;
		*(uint32_t *)qp->sq_ei = 0;
		*(uint32_t *)qp->cq_ei = 0;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_create_cq;
	cmd.dptr[0] = qp->cq_iova;
	cmd.cdw10 = cq_cdw10;
	cmd.cdw11 = NVF_QUEUE_PHYS_CONTIG;
	if (qp->irq)
		cmd.cdw11 |= NVF_CQ_IRQ_ENABLED | qp->vector << 16;
	ret = nvf_nvme_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	if (ret < 0) {
		snprintf(what, sizeof(what), "creating completion queue %u of %u entries", qp->qid,
			 qp->cq_entries);
		nvf_err_prefix("%s", what);
		return ret;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_create_sq;
	cmd.dptr[0] = qp->sq_iova;
	cmd.cdw10 = cdw10;
	cmd.cdw11 = NVF_QUEUE_PHYS_CONTIG | (uint32_t)qp->qid << 16;
	ret = nvf_nvme_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	if (ret < 0) {
		char msg[1024];

		snprintf(msg, sizeof(msg), "creating submission queue %u of %u entries: %s",
			 qp->qid, qp->sq_entries, nvfio_last_error());
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = nvme_admin_delete_cq;
		cmd.cdw10 = qp->qid;
		nvf_nvme_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
		return nvf_err(ret, "%s", msg);
	}
	return 0;
}

int nvf_nvme_delete_qpair(struct nvfio_ctrl *ctrl, struct nvfio_qpair *qp)
{
	struct nvfio_cmd cmd = {.opcode = nvme_admin_delete_sq, .cdw10 = qp->qid};
	int ret, ret2;

	ret = nvf_nvme_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	/* What the controller aborted for the deletion is in the CQ now. */
	nvf_qpair_reap(qp, 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_delete_cq;
	cmd.cdw10 = qp->qid;
	ret2 = nvf_nvme_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	return ret < 0 ? ret : ret2;
}

/* ---- Public admin functions ---- */

int nvfio_admin_raw(struct nvfio_ctrl *ctrl, const struct nvfio_cmd *cmd, void *buf, size_t len,
		    struct nvfio_cqe *cqe, unsigned int timeout_ms)
{
	struct nvfio_cmd c = *cmd;

	if (len && !buf)
		return nvf_err(-EINVAL, "nvfio_admin_raw: a length without a buffer");
	if (!len)
		c.dptr[0] = c.dptr[1] = 0;
	return nvf_nvme_admin_exec(ctrl, &c, buf, len, cqe, timeout_ms);
}

int nvfio_identify(struct nvfio_ctrl *ctrl, uint8_t cns, uint32_t nsid, void *buf)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_identify,
	    .nsid = nsid,
	    .cdw10 = cns,
	};

	return nvf_nvme_admin_exec(ctrl, &cmd, buf, NVME_IDENTIFY_DATA_SIZE, NULL, 0);
}

int nvfio_get_log_page(struct nvfio_ctrl *ctrl, uint8_t lid, uint32_t nsid, uint64_t offset,
		       void *buf, size_t len)
{
	uint32_t numd = (uint32_t)(len / 4 - 1);
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_get_log_page,
	    .nsid = nsid,
	    .cdw10 = lid | (numd & 0xffff) << 16,
	    .cdw11 = numd >> 16,
	    .cdw12 = (uint32_t)offset,
	    .cdw13 = (uint32_t)(offset >> 32),
	};

	if (!len || len % 4 || offset % 4)
		return nvf_err(-EINVAL,
			       "Get Log Page: length and offset must be non-zero "
			       "multiples of 4 bytes (%zu at %llu)",
			       len, (unsigned long long)offset);
	return nvf_nvme_admin_exec(ctrl, &cmd, buf, len, NULL, 0);
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
	int ret;

	ret = admin_run(ctrl, &cmd, NULL, buf, buf ? len : 0, &cqe, 0);
	if (ret == 0 && result)
		*result = cqe.cdw0;
	return ret;
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
	int ret;

	if (fid == NVME_FEAT_FID_NUM_QUEUES)
		return nvf_err(-EINVAL, "Number of Queues is set by nvfio_ctrl_open(): use "
					"nvfio_ctrl_opts.nr_io_queues");
	ret = admin_run(ctrl, &cmd, buf, NULL, buf ? len : 0, &cqe, 0);
	if (ret == 0 && result)
		*result = cqe.cdw0;
	return ret;
}

int nvfio_format(struct nvfio_ctrl *ctrl, uint32_t nsid, uint8_t lbaf, uint8_t ses,
		 unsigned int timeout_ms)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_format_nvm,
	    .nsid = nsid,
	    .cdw10 = (lbaf & 0xfu) | (uint32_t)(ses & 7u) << 9 | (uint32_t)((lbaf >> 4) & 3u) << 12,
	};
	int ret;

	if (lbaf > 63 || ses > 2)
		return nvf_err(-EINVAL, "Format NVM: LBA format %u / secure erase %u out of range",
			       lbaf, ses);
	ret = nvf_nvme_admin_exec(ctrl, &cmd, NULL, 0, NULL, timeout_ms ? timeout_ms : 600000);
	if (ret < 0)
		return ret;
	return nvf_nvme_ns_scan(ctrl);
}

int nvfio_abort(struct nvfio_ctrl *ctrl, uint16_t sqid, uint16_t cid, uint32_t *result)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_abort_cmd,
	    .cdw10 = sqid | (uint32_t)cid << 16,
	};
	struct nvfio_cqe cqe = {0};
	int ret;

	ret = nvf_nvme_admin_exec(ctrl, &cmd, NULL, 0, &cqe, 0);
	if (ret == 0 && result)
		*result = cqe.cdw0;
	return ret;
}

void nvfio_ctrl_set_event_cb(struct nvfio_ctrl *ctrl,
			     void (*cb)(void *arg, const struct nvfio_event *ev), void *arg)
{
	pthread_mutex_lock(&ctrl->admin_lock);
	ctrl->event_cb = cb;
	ctrl->event_arg = arg;
	pthread_mutex_unlock(&ctrl->admin_lock);
}

int nvfio_ctrl_poll_admin(struct nvfio_ctrl *ctrl)
{
	int n, ret;

	ret = nvf_nvme_ctrl_check(ctrl);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&ctrl->admin_lock);
	if (ctrl->admin_efd >= 0) {
		uint64_t v;

		if (read(ctrl->admin_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			v = 0;
	}
	n = nvf_nvme_admin_poll_locked(ctrl);
	pthread_mutex_unlock(&ctrl->admin_lock);
	nvf_nvme_admin_events(ctrl);
	return n;
}

int nvfio_ctrl_rescan(struct nvfio_ctrl *ctrl)
{
	return nvf_nvme_ns_scan(ctrl);
}
