/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O queue pairs: allocation and freeing, and the Create / Delete I/O Submission and
 * Completion Queue commands that give the controller its side of each.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "nvme/admin.h"
#include "nvme/ctrl.h"
#include "nvme/queue.h"
#include "support/error.h"
#include "support/time.h"

static int ioq_create(struct nvfio_ctrl *ctrl, struct nvfio_qpair *qp)
{
	uint32_t cdw10 = qp->qid | (uint32_t)(qp->sq_entries - 1) << 16;
	uint32_t cq_cdw10 = qp->qid | (uint32_t)(qp->cq_entries - 1) << 16;
	struct nvfio_cmd cmd;
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
	ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	if (ret < 0) {
		nvf_err_prefix("creating completion queue %u of %u entries", qp->qid,
			       qp->cq_entries);
		return ret;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_create_sq;
	cmd.dptr[0] = qp->sq_iova;
	cmd.cdw10 = cdw10;
	cmd.cdw11 = NVF_QUEUE_PHYS_CONTIG | (uint32_t)qp->qid << 16;
	ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	if (ret < 0) {
		nvf_err_prefix("creating submission queue %u of %u entries", qp->qid,
			       qp->sq_entries);
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = nvme_admin_delete_cq;
		cmd.cdw10 = qp->qid;
		nvf_err_freeze();
		nvf_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
		nvf_err_thaw();
		return ret;
	}
	return 0;
}

static int ioq_delete(struct nvfio_ctrl *ctrl, struct nvfio_qpair *qp)
{
	struct nvfio_cmd cmd = {.opcode = nvme_admin_delete_sq, .cdw10 = qp->qid};
	int ret, ret2;

	ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	/* What the controller aborted for the deletion is in the CQ now. */
	nvfio_qpair_poll(qp, 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_delete_cq;
	cmd.cdw10 = qp->qid;
	ret2 = nvf_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	return ret < 0 ? ret : ret2;
}

/*
 * A pair whose controller was reset, on its owner's thread once the reset is over: what was
 * outstanding at the reset is written into the emptied ring again when the pair kept it and it
 * has retries left, else completes with -NVFIO_ERESET (the controller was disabled since, so it
 * no longer touches the buffers); then the rings get their queues again, under the same queue id
 * and vector, and the doorbell is rung for what was written again.
 */
static int ioq_revive(struct nvfio_qpair *qp)
{
	struct nvfio_ctrl *ctrl = qp->ctrl;
	unsigned int requeued;
	int ret;

	/* The reset that marked the pair is over (the controller was disabled: it no longer
	 * touches the commands' buffers) unless one is under way. */
	pthread_mutex_lock(&ctrl->admin_lock);
	ret = ctrl->resetting ? -EAGAIN : 0;
	pthread_mutex_unlock(&ctrl->admin_lock);
	if (ret)
		return nvf_err(ret, "controller %s is being reset: poll and retry", ctrl->address);
	ret = nvf_ctrl_failed(ctrl);
	if (ret) {
		nvf_queue_poison(qp, ret);
		nvf_queue_fail_all(qp, ret);
		return nvf_dev_check(ctrl->dev);
	}
	/* Callbacks run here, with no lock held. */
	nvf_queue_fail_unkept(qp, -NVFIO_ERESET);
	/* No reset may begin while the queues are created: one that did could wipe them before
	 * or after the creation, and the pair could not tell which. A reset (or another pair's
	 * creation) under way: come back at the next poll. */
	if (pthread_mutex_trylock(&ctrl->reset_lock))
		return nvf_err(-EAGAIN, "controller %s is being reset: poll and retry",
			       ctrl->address);
	nvf_queue_reset_rings(qp);
	requeued = nvf_queue_requeue(qp);
	if (qp->qid > ctrl->nr_io) {
		ret = nvf_err(-EBUSY,
			      "after its reset controller %s grants %u I/O queue pairs: queue %u "
			      "is gone; free it",
			      ctrl->address, ctrl->nr_io, qp->qid);
	} else {
		ret = ioq_create(ctrl, qp);
	}
	/* Working again before a later reset can begin, so that it marks the pair again. */
	if (ret < 0)
		nvf_queue_poison(qp, ret);
	else
		__atomic_store_n(&qp->io.state, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&ctrl->reset_lock);
	if (ret < 0) {
		/* What was to be submitted again cannot be. */
		nvf_queue_fail_all(qp, ret);
		return ret;
	}
	/* Commands the application had submitted already: rung whether or not it holds the
	 * pair plugged now. */
	if (requeued)
		nvf_queue_ring_sq(qp);
	nvf_queue_tc_sync(qp);
	return 0;
}

/*
 * A command past its deadline (from the scan of the pair's own thread, no lock held): a fatal
 * status resets at once; a completion in the ring is reaped first; then the application's
 * callback or Abort; a command not aborted, or not back within the admin timeout after its
 * Abort, resets the controller.
 */
static void ioq_timeout(struct nvfio_qpair *qp, uint16_t idx, uint64_t now)
{
	struct nvfio_ctrl *ctrl = qp->ctrl;
	struct nvf_age *a = &qp->age[idx];
	uint16_t cid = qp->io.trk[idx].cid;
	enum nvfio_timeout_action action = NVFIO_TIMEOUT_ABORT;
	struct nvfio_cqe cqe;
	int ret;

	if (nvf_queue_pending(qp))
		return;
	ret = nvf_dev_check(ctrl->dev);
	if (ret == -NVFIO_EREMOVED)
		return; /* the failure path completes everything */
	if (ret == 0 && a->stage == 0) {
		qp->timeouts++;
		if (qp->timeout_cb)
			action = qp->timeout_cb(qp->timeout_arg, qp, cid,
						(unsigned int)((uint32_t)now - a->since) +
						    NVF_SCAN_MS);
		if (action == NVFIO_TIMEOUT_WAIT) {
			a->since = (uint32_t)now;
			return;
		}
		if (action == NVFIO_TIMEOUT_ABORT) {
			/* One at a time (the admin executor runs one command), so within any
			 * Abort Command Limit. Dword 0 bit 0 clear: aborted. */
			struct nvfio_cmd c = {.opcode = nvme_admin_abort_cmd,
					      .cdw10 = qp->qid | (uint32_t)cid << 16};

			qp->aborts++;
			ret = nvf_admin_exec(ctrl, &c, NULL, 0, &cqe, 0);
			if (ret == 0 && !(cqe.cdw0 & 1)) {
				a->stage = 1;
				a->since = (uint32_t)nvf_now_ms();
				return;
			}
		}
	}
	/* Not aborted, the abort's deadline passed, asked for, or a fatal status. */
	nvf_err_freeze();
	nvfio_ctrl_reset(ctrl);
	nvf_err_thaw();
}

void nvfio_qpair_set_timeout(struct nvfio_qpair *qp, unsigned int timeout_ms, nvfio_timeout_cb cb,
			     void *arg)
{
	qp->timeout_ms = timeout_ms ? timeout_ms : qp->ctrl->opts.io_timeout_ms;
	qp->timeout_cb = cb;
	qp->timeout_arg = arg;
}

int nvfio_qpair_alloc(struct nvfio_ctrl *ctrl, unsigned int depth, unsigned int flags,
		      struct nvfio_qpair **out)
{
	unsigned int mqes, qid, max_depth;
	struct nvfio_qpair *qp;
	int ret;

	ret = nvf_ctrl_usable(ctrl, "nvfio_qpair_alloc");
	if (ret)
		return ret;
	if (!out)
		return nvf_err(-EINVAL, "nvfio_qpair_alloc: out is NULL");
	mqes = (unsigned int)NVME_CAP_MQES(ctrl->dev->cap);
	if (nvf_ctrl_failed(ctrl))
		return nvf_err(nvf_ctrl_failed(ctrl),
			       "controller %s has failed; close and reopen it", ctrl->address);
	if (!depth)
		depth = ctrl->opts.queue_depth;
	max_depth = mqes < NVF_QUEUE_MAX_DEPTH ? mqes : NVF_QUEUE_MAX_DEPTH;
	if (depth < 1 || depth > max_depth)
		return nvf_err(
		    -EINVAL, "queue depth %u out of range: controller %s takes 1 to %u (CAP.MQES)",
		    depth, ctrl->address, max_depth);
	if ((flags & NVFIO_QPAIR_INTERRUPTS) && !ctrl->opts.interrupts)
		return nvf_err(-EINVAL,
			       "queue pair with interrupts on controller %s opened without "
			       "them: set nvfio_ctrl_opts.interrupts",
			       ctrl->address);

	pthread_mutex_lock(&ctrl->lock);
	for (qid = 1; qid <= ctrl->nr_io; qid++)
		if (!ctrl->qid_used[qid])
			break;
	if (qid > ctrl->nr_io) {
		pthread_mutex_unlock(&ctrl->lock);
		return nvf_err(-EBUSY,
			       "all %u I/O queue pairs of controller %s are allocated: free "
			       "one, or open with more nvfio_ctrl_opts.nr_io_queues (%u asked)",
			       ctrl->nr_io, ctrl->address, ctrl->opts.nr_io_queues);
	}
	if ((flags & NVFIO_QPAIR_INTERRUPTS) && qid >= ctrl->dev->nr_vectors) {
		pthread_mutex_unlock(&ctrl->lock);
		return nvf_err(-EINVAL,
			       "controller %s has %u MSI-X vectors: none left for queue %u",
			       ctrl->address, ctrl->dev->nr_vectors, qid);
	}
	ctrl->qid_used[qid] = true;
	pthread_mutex_unlock(&ctrl->lock);

	ret = nvf_queue_init(ctrl->dev, ctrl, (uint16_t)qid, depth,
			     depth < NVF_LIST_LARGE_MAX ? depth : NVF_LIST_LARGE_MAX, &qp);
	if (ret < 0)
		goto err_qid;
	if (ctrl->opts.reset_retries) {
		qp->kept = calloc(depth, sizeof(*qp->kept));
		if (!qp->kept) {
			ret = nvf_err(-ENOMEM, "out of memory keeping %u commands for resets", depth);
			goto err_qp;
		}
		qp->retries = ctrl->opts.reset_retries;
		qp->heap_bytes += (size_t)depth * sizeof(*qp->kept);
		nvf_queue_tc_sync(qp);
	}
	if (ctrl->dbbuf) {
		size_t off = nvf_dev_db_offset(ctrl->dev, (uint16_t)qid, false) - NVF_DOORBELL_BASE;
		size_t coff = nvf_dev_db_offset(ctrl->dev, (uint16_t)qid, true) - NVF_DOORBELL_BASE;

		qp->sq_sdb = (uint32_t *)((uint8_t *)ctrl->dbbuf + off);
		qp->cq_sdb = (uint32_t *)((uint8_t *)ctrl->dbbuf + coff);
		qp->sq_ei = (const uint32_t *)((uint8_t *)ctrl->dbbuf + NVF_PAGE_SIZE + off);
		qp->cq_ei = (const uint32_t *)((uint8_t *)ctrl->dbbuf + NVF_PAGE_SIZE + coff);
	}
	if (flags & NVFIO_QPAIR_INTERRUPTS) {
		qp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (qp->efd < 0) {
			ret = nvf_err(-errno, "eventfd for queue %u: %s", qid, strerror(errno));
			goto err_qp;
		}
		qp->irq = true;
		qp->vector = qid;
		ret = ctrl->dev->ops->irq_bind(ctrl->dev, qid, qp->efd);
		if (ret < 0) {
			nvf_err_prefix("binding MSI-X vector %u of %s", qid, ctrl->address);
			goto err_efd;
		}
	}
	/* No reset between the creation and the list a reset marks: the pair would keep queues
	 * the controller no longer has. */
	pthread_mutex_lock(&ctrl->reset_lock);
	ret = ioq_create(ctrl, qp);
	if (ret < 0) {
		pthread_mutex_unlock(&ctrl->reset_lock);
		goto err_irq;
	}
	qp->revive = ioq_revive;
	qp->on_timeout = ioq_timeout;
	qp->abort_timeout_ms = ctrl->opts.admin_timeout_ms;
	nvfio_qpair_set_timeout(qp, 0, NULL, NULL);
	qp->scan_ms = nvf_now_ms();

	pthread_mutex_lock(&ctrl->lock);
	qp->next_qp = ctrl->qpairs;
	ctrl->qpairs = qp;
	pthread_mutex_unlock(&ctrl->lock);
	pthread_mutex_unlock(&ctrl->reset_lock);
	*out = qp;
	return 0;

err_irq:
	if (qp->irq)
		ctrl->dev->ops->irq_bind(ctrl->dev, qid, -1);
err_efd:
	if (qp->efd >= 0)
		close(qp->efd);
	/* A create command that timed out may still complete: the controller would then own a
	 * queue in this memory under this id, so both stay with it until it is disabled. */
	if (ret == -NVFIO_ETIMEDOUT || nvf_ctrl_failed(ctrl)) {
		nvf_dev_keep(ctrl->dev, qp->dmamem);
		qp->dmamem = NULL;
		nvf_queue_destroy(qp);
		return ret;
	}
err_qp:
	nvf_queue_destroy(qp);
err_qid:
	pthread_mutex_lock(&ctrl->lock);
	ctrl->qid_used[qid] = false;
	pthread_mutex_unlock(&ctrl->lock);
	return ret;
}

int nvfio_qpair_free(struct nvfio_qpair *qp)
{
	struct nvfio_ctrl *ctrl;
	struct nvfio_qpair **pp;
	bool gone;
	int ret = 0;

	if (!qp)
		return 0;
	if (NVF_CHECKED && qp->magic != NVF_MAGIC_LIVE)
		return nvf_err(-EBADF, "nvfio_qpair_free: queue pair %p freed already", (void *)qp);
	if (nvf_queue_in_callback(qp))
		return nvf_err(-EBUSY, "queue %u freed from one of its completion callbacks: free "
				       "it after the poll returns",
			       qp->qid);
	ctrl = qp->ctrl;
	pthread_mutex_lock(&ctrl->lock);
	for (pp = &ctrl->qpairs; *pp; pp = &(*pp)->next_qp) {
		if (*pp == qp) {
			*pp = qp->next_qp;
			break;
		}
	}
	pthread_mutex_unlock(&ctrl->lock);

	/* From here on the callbacks that run (for commands aborted by the deletion or canceled
	 * below) cannot submit again: a command written now would reach a deleted queue, or take
	 * a tracker the cancel loop has passed, and never complete. */
	/* A pair not re-created since a reset has no queues on the controller to delete. */
	gone = __atomic_load_n(&qp->io.state, __ATOMIC_SEQ_CST) == NVF_QUEUE_REVIVE;
	if (!nvf_ctrl_failed(ctrl))
		nvf_queue_poison(qp, -ECANCELED);
	/* Deleting the SQ makes the controller complete what it still holds (Command Aborted due
	 * to SQ Deletion); reap that, then complete what is left ourselves. */
	if (!nvf_ctrl_failed(ctrl) && !gone)
		ret = ioq_delete(ctrl, qp);
	nvf_queue_fail_all(qp, nvf_ctrl_failed(ctrl) ? nvf_ctrl_failed(ctrl) : -ECANCELED);
	if (qp->irq)
		ctrl->dev->ops->irq_bind(ctrl->dev, qp->vector, -1);
	if (qp->efd >= 0)
		close(qp->efd);
	/* Queues the controller may still own (the deletion failed or the controller did) keep
	 * their memory until the controller is disabled: it could still write completions there
	 * or fetch commands from there. The queue id stays taken with it. */
	if (ret < 0 || nvf_ctrl_failed(ctrl)) {
		nvf_dev_keep(ctrl->dev, qp->dmamem);
		qp->dmamem = NULL;
	} else {
		pthread_mutex_lock(&ctrl->lock);
		ctrl->qid_used[qp->qid] = false;
		pthread_mutex_unlock(&ctrl->lock);
	}
	nvf_queue_bury(qp);
	return ret;
}
