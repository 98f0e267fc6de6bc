/* SPDX-License-Identifier: BSD-3-Clause */
/* The admin executor, and the admin commands the driver itself builds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/admin.h"
#include "nvme/dptr.h"
#include "nvme/status.h"
#include "support/error.h"
#include "support/time.h"

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

static void abort_done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct admin_req *a = arg;

	a->err = err;
	a->cqe = *cqe;
	a->done = true;
}

/*
 * Command @cmd of request @r is past its deadline (admin lock held): Abort it, and wait for the
 * Abort and then the command, each within @timeout_ms. Returns whether the command is back
 * (aborted, or completed meanwhile); if not, it still holds its slot and buffer.
 */
static bool abort_late(struct nvfio_ctrl *ctrl, const struct nvfio_cmd *cmd,
		       struct admin_req *r, unsigned int timeout_ms)
{
	struct nvfio_cmd c = {.opcode = nvme_admin_abort_cmd, .cdw10 = (uint32_t)cmd->cid << 16};
	struct admin_req a = {.ctrl = ctrl};
	unsigned int backoff = 0;
	uint64_t start;

	if (cmd->opcode == nvme_admin_abort_cmd ||
	    nvf_queue_submit(ctrl->admin, &c, 0, abort_done, &a) < 0)
		return r->done;
	start = nvf_now_ms();
	while (!(a.done && (r->done || a.err || (a.cqe.cdw0 & 1)))) {
		nvf_admin_poll_locked(ctrl);
		if (nvf_queue_check(ctrl->admin, nvf_now_ms()) < 0)
			continue;
		if (nvf_now_ms() - start >= 2ull * timeout_ms)
			break;
		nvf_backoff(&backoff);
	}
	if (!a.done)
		/* Not even the Abort came back: it too is the reset's to reclaim. */
		nvf_queue_forget(ctrl->admin, &a);
	return r->done;
}

/*
 * The executor. The request lives on the heap, so that a command given up on (timed out) can
 * still complete into it; it then frees itself and the bounce buffer it holds.
 */
int nvf_admin_run(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, const void *in, void *out,
		  size_t len, struct nvfio_cqe *cqe, unsigned int timeout_ms)
{
	struct nvfio_qpair *aq = ctrl->admin;
	struct admin_req *r;
	uint64_t start;
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
	/* Other threads' commands wait for a reset to end (its own go through). */
	while (ctrl->resetting && !pthread_equal(ctrl->reset_thread, pthread_self()))
		pthread_cond_wait(&ctrl->reset_cond, &ctrl->admin_lock);
	if (nvf_ctrl_failed(ctrl)) {
		ret = nvf_dev_check(ctrl->dev);
		goto out_unlock;
	}
	if (len) {
		if (len <= NVF_SCRATCH && !ctrl->scratch) {
			ret = nvfio_dma_alloc(ctrl->dev->dma, NVF_SCRATCH, ctrl->dev->dma_flags,
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
			ret = nvfio_dma_alloc(ctrl->dev->dma, len, ctrl->dev->dma_flags, &bounce);
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
		ret = nvf_dptr_prp_buf(aq, cmd, bounce, len, &list);
		if (ret == -EAGAIN)
			ret = nvf_err(-EBUSY,
				      "%s of %zu bytes on %s: the admin queue's PRP lists are held "
				      "by commands that timed out; close and reopen the controller",
				      admin_name(cmd->opcode), len, ctrl->address);
		if (ret < 0)
			goto out_bounce;
	}
	cmd->flags &= (uint8_t)~NVF_CMD_PSDT_SGL;
	ret = nvf_queue_submit(aq, cmd, list, admin_done, r);
	if (ret < 0) {
		if (list)
			nvf_pool_put(&aq->pool, list);
		ret = nvf_err(-EBUSY,
			      "the admin queue of %s is full of commands the controller "
			      "never completed",
			      ctrl->address);
		goto out_bounce;
	}

	start = nvf_now_ms();
	for (;;) {
		uint64_t now;

		nvf_admin_poll_locked(ctrl);
		if (r->done)
			break;
		now = nvf_now_ms();
		/* A failed controller completes the command (with its failure) on the next poll. */
		if (nvf_queue_check(aq, now) < 0)
			continue;
		if (now - start >= timeout_ms) {
			if (abort_late(ctrl, cmd, r, timeout_ms)) {
				ret = nvf_err(-NVFIO_ETIMEDOUT,
					      "%s (opcode 0x%02x) got no completion from %s "
					      "within %u ms and was aborted: a slow controller "
					      "needs a longer nvfio_ctrl_opts.admin_timeout_ms",
					      admin_name(cmd->opcode), cmd->opcode, ctrl->address,
					      timeout_ms);
				goto out_bounce;
			}
			/* The command may still complete and write the bounce buffer: it keeps
			 * it (never the caller's), and its slot until a reset. */
			r->orphan = true;
			r->bounce = bounce;
			if (bounce == ctrl->scratch)
				ctrl->scratch = NULL;
			__atomic_add_fetch(&ctrl->admin_orphans, 1, __ATOMIC_RELAXED);
			pthread_mutex_unlock(&ctrl->admin_lock);
			return nvf_err(-NVFIO_ETIMEDOUT,
				       "%s (opcode 0x%02x) got no completion from "
				       "%s within %u ms, and the controller would not abort it "
				       "(a controller reset takes it back): a slow controller "
				       "needs a longer nvfio_ctrl_opts.admin_timeout_ms",
				       admin_name(cmd->opcode), cmd->opcode, ctrl->address,
				       timeout_ms);
		}
		nvf_backoff(&backoff);
	}

	if (r->err) {
		ret = r->err == -NVFIO_EFATAL || r->err == -NVFIO_EREMOVED
			  ? nvf_dev_check(ctrl->dev)
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
		ret = nvf_status_err(nvfio_cqe_status(&r->cqe), what);
	}
out_bounce:
	if (own_bounce)
		nvfio_dma_free(ctrl->dev->dma, bounce);
out_unlock:
	pthread_mutex_unlock(&ctrl->admin_lock);
	free(r);
	return ret;
}

int nvf_admin_exec(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, void *buf, size_t len,
		   struct nvfio_cqe *cqe, unsigned int timeout_ms)
{
	uint8_t dir = cmd->opcode & 3;

	return nvf_admin_run(ctrl, cmd, dir & 1 ? buf : NULL, dir & 2 ? buf : NULL, len, cqe,
			     timeout_ms);
}

int nvf_admin_poll_locked(struct nvfio_ctrl *ctrl)
{
	return nvfio_qpair_poll(ctrl->admin, 0);
}

int nvf_admin_identify(struct nvfio_ctrl *ctrl, uint8_t cns, uint32_t nsid, void *buf)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_identify,
	    .nsid = nsid,
	    .cdw10 = cns,
	};

	return nvf_admin_exec(ctrl, &cmd, buf, NVME_IDENTIFY_DATA_SIZE, NULL, 0);
}

int nvf_admin_get_log(struct nvfio_ctrl *ctrl, uint8_t lid, uint32_t nsid, uint64_t offset,
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
	return nvf_admin_exec(ctrl, &cmd, buf, len, NULL, 0);
}
