/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Controllers: opening by address, bring-up as an explicit state machine whose every wait is
 * bounded by the controller's own deadline, shutdown and close. Everything else of the driver
 * lies below this file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "nvme/admin.h"
#include "nvme/aer.h"
#include "nvme/ctrl.h"
#include "nvme/id.h"
#include "nvme/ns.h"
#include "support/error.h"
#include "support/time.h"

void nvfio_ctrl_opts_init(struct nvfio_ctrl_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->nr_io_queues = 8;
	opts->queue_depth = 256;
	opts->interrupts = false;
	opts->hugepages = false;
	opts->shadow_doorbells = true;
	opts->iommu = NVFIO_IOMMU_OPEN_AUTO;
	opts->admin_timeout_ms = NVF_ADMIN_TIMEOUT_MS;
	opts->io_timeout_ms = NVF_IO_TIMEOUT_MS;
}

static void tell_state(struct nvfio_ctrl *ctrl, enum nvfio_ctrl_state state, int err)
{
	nvfio_state_cb cb = __atomic_load_n(&ctrl->state_cb, __ATOMIC_SEQ_CST);

	if (cb)
		cb(ctrl->state_arg, ctrl, state, err);
}

/* The device's failure hook: every queue pair's fast path goes to the slow path, which reports
 * the failure; the application hears of it. */
static void ctrl_failed(void *arg, int err)
{
	struct nvfio_ctrl *ctrl = arg;
	struct nvfio_qpair *qp;

	pthread_mutex_lock(&ctrl->lock);
	for (qp = ctrl->qpairs; qp; qp = qp->next_qp)
		nvf_queue_poison(qp, err);
	pthread_mutex_unlock(&ctrl->lock);
	if (ctrl->admin)
		nvf_queue_poison(ctrl->admin, err);
	/* A reset tells its own end. */
	if (!(__atomic_load_n(&ctrl->resetting, __ATOMIC_SEQ_CST) &&
	      pthread_equal(ctrl->reset_thread, pthread_self())))
		tell_state(ctrl, err == -NVFIO_EREMOVED ? NVFIO_CTRL_REMOVED : NVFIO_CTRL_FAILED,
			   err);
}

void nvfio_ctrl_set_state_cb(struct nvfio_ctrl *ctrl, nvfio_state_cb cb, void *arg)
{
	if (!nvf_ctrl_live(ctrl))
		return;
	pthread_mutex_lock(&ctrl->lock);
	__atomic_store_n(&ctrl->state_cb, NULL, __ATOMIC_SEQ_CST);
	ctrl->state_arg = arg;
	__atomic_store_n(&ctrl->state_cb, cb, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&ctrl->lock);
}

int nvfio_ctrl_check(struct nvfio_ctrl *ctrl)
{
	int ret = nvf_ctrl_usable(ctrl, "nvfio_ctrl_check");

	if (ret)
		return ret;
	return nvf_dev_check(ctrl->dev);
}

int nvfio_ctrl_read_regs(struct nvfio_ctrl *ctrl, void *buf, size_t len)
{
	uint32_t *out = buf;
	size_t i;
	int ret = nvf_ctrl_usable(ctrl, "nvfio_ctrl_read_regs");

	if (ret)
		return ret;
	if (!buf || len % 4 || len > NVF_DOORBELL_BASE)
		return nvf_err(-EINVAL, "registers: %zu bytes asked for; a multiple of 4 up to %u",
			       len, NVF_DOORBELL_BASE);
	/* 32-bit reads: every controller takes them, 64-bit registers included. */
	for (i = 0; i < len / 4; i++)
		out[i] = nvf_dev_read32(ctrl->dev, (uint32_t)(4 * i));
	return 0;
}

/*
 * Wait until CSTS & @mask == @want, for at most @timeout_ms. All-ones is a removed device, CFS
 * (when @cfs_fatal) a failed one: neither is waited on.
 */
static int wait_csts(struct nvfio_ctrl *ctrl, uint32_t mask, uint32_t want, bool cfs_fatal,
		     unsigned int timeout_ms, const char *what)
{
	uint64_t deadline = nvf_now_ms() + timeout_ms;
	unsigned int backoff = 0;
	uint32_t csts;

	for (;;) {
		csts = nvf_dev_read32(ctrl->dev, NVME_REG_CSTS);
		if (csts == UINT32_MAX)
			return nvf_dev_fail(ctrl->dev, -NVFIO_EREMOVED);
		if (cfs_fatal && NVME_CSTS_CFS(csts))
			return nvf_dev_fail(ctrl->dev, -NVFIO_EFATAL);
		if ((csts & mask) == want)
			return 0;
		if (nvf_now_ms() > deadline)
			return nvf_err(-NVFIO_ETIMEDOUT,
				       "controller %s did not %s within %u ms "
				       "(CSTS 0x%x)",
				       ctrl->address, what, timeout_ms, csts);
		nvf_backoff(&backoff);
	}
}

static int init_identify(struct nvfio_ctrl *ctrl)
{
	int ret;

	ret = nvf_admin_identify(ctrl, NVME_IDENTIFY_CNS_CTRL, 0, ctrl->id);
	if (ret < 0)
		return ret;
	nvf_id_ctrl_info(ctrl->id, &ctrl->info);
	ctrl->max_xfer = ctrl->info.max_xfer;
	ctrl->sgl = (ctrl->info.sgls & NVME_CTRL_SGLS_SUPPORTED) != 0;
	return 0;
}

static int init_queues(struct nvfio_ctrl *ctrl)
{
	unsigned int want = ctrl->opts.nr_io_queues, nsq, ncq;
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_set_features,
	    .cdw10 = NVME_FEAT_FID_NUM_QUEUES,
	};
	struct nvfio_cqe cqe;
	int ret;

	if (want < 1)
		want = 1;
	if (want > 0xfffe)
		want = 0xfffe;
	/* Both counts are 0's based. */
	cmd.cdw11 = NVME_SET(want - 1, FEAT_NRQS_NSQR) | NVME_SET(want - 1, FEAT_NRQS_NCQR);
	ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, &cqe, 0);
	if (ret < 0) {
		nvf_err_prefix("asking controller %s for %u I/O queues", ctrl->address, want);
		return ret;
	}
	nsq = NVME_GET(cqe.cdw0, FEAT_NRQS_NSQR) + 1;
	ncq = NVME_GET(cqe.cdw0, FEAT_NRQS_NCQR) + 1;
	if (nsq < want)
		want = nsq;
	if (ncq < want)
		want = ncq;
	/* Under the lock queue pairs are allocated with: a reset asks again while other threads
	 * may be allocating. */
	pthread_mutex_lock(&ctrl->lock);
	ctrl->nr_io = want;
	ctrl->info.nr_io_queues = want;
	pthread_mutex_unlock(&ctrl->lock);
	/* After a reset the table stays: the queue pairs keep their ids (those above a smaller
	 * grant learn it when they are re-created). */
	if (ctrl->qid_used)
		return 0;
	ctrl->qid_used = calloc(want + 1, sizeof(*ctrl->qid_used));
	if (!ctrl->qid_used)
		return nvf_err(-ENOMEM, "out of memory for the queue table of %s", ctrl->address);
	return 0;
}

static int init_dbbuf(struct nvfio_ctrl *ctrl)
{
	struct nvfio_cmd cmd = {.opcode = nvme_admin_dbbuf};
	struct nvfio_cqe cqe;
	int ret;

	if (!ctrl->opts.shadow_doorbells || !(ctrl->info.oacs & NVME_CTRL_OACS_DBBUF_CFG))
		return 0;
	/* Shadow doorbells of every queue in one page, their event indexes in the next; the
	 * layout follows the doorbell registers, so a stride above 4 bytes needs more room. */
	if ((2u * (ctrl->nr_io + 1)) * ctrl->dev->dstrd > NVF_PAGE_SIZE)
		return 0;
	if (ctrl->dbbuf) {
		/* After a reset: the same pages again (the queue pairs point into them), the
		 * admin queue's values from zero. */
		memset(ctrl->dbbuf, 0, 2 * NVF_PAGE_SIZE);
		cmd.dptr[0] = ctrl->dbbuf_iova;
		cmd.dptr[1] = ctrl->dbbuf_iova + NVF_PAGE_SIZE;
		ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, &cqe, 0);
		if (ret < 0)
			nvf_err_prefix("giving controller %s its shadow doorbells again after its "
				       "reset",
				       ctrl->address);
		return ret;
	}
	ret =
	    nvfio_dma_alloc(ctrl->dev->dma, 2 * NVF_PAGE_SIZE, ctrl->dev->dma_flags, &ctrl->dbbuf);
	if (ret < 0) {
		nvf_err_prefix("allocating shadow doorbells for %s", ctrl->address);
		return ret;
	}
	ret = nvfio_dma_iova(ctrl->dev->dma, ctrl->dbbuf, 2 * NVF_PAGE_SIZE, &ctrl->dbbuf_iova);
	if (ret < 0)
		goto err_free;
	cmd.dptr[0] = ctrl->dbbuf_iova;
	cmd.dptr[1] = ctrl->dbbuf_iova + NVF_PAGE_SIZE;
	ret = nvf_admin_exec(ctrl, &cmd, NULL, 0, &cqe, 0);
	if (ret == -NVFIO_ENVME) {
		/* Advertised but refused: carry on with doorbell registers only. */
		ret = 0;
		goto err_free;
	}
	if (ret < 0)
		goto err_free;
	ctrl->info.shadow_doorbells = true;
	return 0;

err_free:
	/* A command that timed out may still complete and make the controller use the pages. */
	if (ret == -NVFIO_ETIMEDOUT)
		nvf_dev_keep(ctrl->dev, ctrl->dbbuf);
	else
		nvfio_dma_free(ctrl->dev->dma, ctrl->dbbuf);
	ctrl->dbbuf = NULL;
	return ret;
}

/*
 * Asynchronous Event Configuration: the notices the controller has (OAES) among those nvfio acts
 * on or passes on (namespace attributes, firmware activation, ANA changes), as Linux enables
 * them; without it a controller sends none of them. A controller that refuses keeps its own.
 */
static void init_aen(struct nvfio_ctrl *ctrl)
{
	struct nvfio_cmd cmd = {
	    .opcode = nvme_admin_set_features,
	    .cdw10 = NVME_FEAT_FID_ASYNC_EVENT,
	    .cdw11 = ctrl->id->oaes & (NVME_CTRL_OAES_NA | NVME_CTRL_OAES_FA | NVME_CTRL_OAES_ANA),
	};

	if (!cmd.cdw11)
		return;
	nvf_err_freeze();
	nvf_admin_exec(ctrl, &cmd, NULL, 0, NULL, 0);
	nvf_err_thaw();
}

/* Bring the controller from @from (NVF_INIT_DISABLE: whatever state it is in) to ready, with
 * I/O queues granted, namespaces known and an event request outstanding. */
static int ctrl_init(struct nvfio_ctrl *ctrl, enum nvf_init_state from)
{
	struct nvf_dev *dev = ctrl->dev;
	uint32_t cc, csts;
	int ret = 0;

	ctrl->state = from;
	while (ctrl->state != NVF_INIT_DONE) {
		switch (ctrl->state) {
		case NVF_INIT_DISABLE:
			cc = nvf_dev_read32(dev, NVME_REG_CC);
			csts = nvf_dev_read32(dev, NVME_REG_CSTS);
			if (cc == UINT32_MAX && csts == UINT32_MAX)
				return nvf_dev_fail(dev, -NVFIO_EREMOVED);
			if (NVME_CC_EN(cc) && !NVME_CSTS_RDY(csts)) {
				/* Clearing EN while an enable is in progress is undefined: let
				 * it finish first. A controller that never gets there is reset
				 * anyway below. */
				wait_csts(ctrl, 1u << NVME_CSTS_RDY_SHIFT,
					  1u << NVME_CSTS_RDY_SHIFT, false, ctrl->ready_timeout_ms,
					  "finish an earlier enable");
			}
			if (NVME_CC_EN(cc))
				nvf_dev_write32(dev, NVME_REG_CC, cc & ~(1u << NVME_CC_EN_SHIFT));
			ctrl->state = NVF_INIT_WAIT_DISABLED;
			break;
		case NVF_INIT_WAIT_DISABLED:
			ret = wait_csts(ctrl, 1u << NVME_CSTS_RDY_SHIFT, 0, false,
					ctrl->ready_timeout_ms, "become disabled (CSTS.RDY = 0)");
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_ADMIN_QUEUE;
			break;
		case NVF_INIT_ADMIN_QUEUE:
			if (!ctrl->admin) {
				ret =
				    nvf_queue_init(dev, ctrl, 0, NVF_ADMIN_DEPTH, 2, &ctrl->admin);
				if (ret < 0)
					return ret;
			}
			nvf_dev_write32(dev, NVME_REG_AQA,
					(uint32_t)(ctrl->admin->sq_entries - 1) |
					    (uint32_t)(ctrl->admin->cq_entries - 1) << 16);
			nvf_dev_write64(dev, NVME_REG_ASQ, ctrl->admin->sq_iova);
			nvf_dev_write64(dev, NVME_REG_ACQ, ctrl->admin->cq_iova);
			ctrl->state = NVF_INIT_IRQ;
			break;
		case NVF_INIT_IRQ:
			if (ctrl->opts.interrupts) {
				if (!dev->nr_vectors)
					return nvf_err(-NVFIO_ENOIRQ,
						       "controller %s has no MSI-X "
						       "vectors: open it without interrupts",
						       ctrl->address);
				if (ctrl->admin_efd < 0) {
					ctrl->admin_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
					if (ctrl->admin_efd < 0)
						return nvf_err(
						    -errno,
						    "creating the admin queue's eventfd for %s: %s "
						    "(out of file descriptors? raise ulimit -n)",
						    ctrl->address, strerror(errno));
				}
				ret = dev->ops->irq_bind(dev, 0, ctrl->admin_efd);
				if (ret < 0) {
					nvf_err_prefix("enabling MSI-X on %s", ctrl->address);
					return ret;
				}
				ctrl->admin->efd = ctrl->admin_efd;
				ctrl->info.interrupts = true;
			}
			ctrl->state = NVF_INIT_ENABLE;
			break;
		case NVF_INIT_ENABLE:
			cc = NVME_SET(NVME_CC_CSS_NVM, CC_CSS) |
			     NVME_SET(NVF_PAGE_SHIFT - 12, CC_MPS) |
			     NVME_SET(NVME_CC_AMS_RR, CC_AMS) | NVME_SET(NVF_SQES, CC_IOSQES) |
			     NVME_SET(NVF_CQES, CC_IOCQES);
			nvf_dev_write32(dev, NVME_REG_CC, cc);
			nvf_dev_write32(dev, NVME_REG_CC, cc | 1u << NVME_CC_EN_SHIFT);
			ctrl->state = NVF_INIT_WAIT_READY;
			break;
		case NVF_INIT_WAIT_READY:
			ret =
			    wait_csts(ctrl, 1u << NVME_CSTS_RDY_SHIFT, 1u << NVME_CSTS_RDY_SHIFT,
				      true, ctrl->ready_timeout_ms, "become ready (CSTS.RDY = 1)");
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_IDENTIFY;
			break;
		case NVF_INIT_IDENTIFY:
			ret = init_identify(ctrl);
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_QUEUES;
			break;
		case NVF_INIT_QUEUES:
			ret = init_queues(ctrl);
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_DBBUF;
			break;
		case NVF_INIT_DBBUF:
			ret = init_dbbuf(ctrl);
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_NAMESPACES;
			break;
		case NVF_INIT_NAMESPACES:
			ret = nvf_ns_scan(ctrl);
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_AER;
			break;
		case NVF_INIT_AER:
			init_aen(ctrl);
			pthread_mutex_lock(&ctrl->admin_lock);
			ret = nvf_aer_start_locked(ctrl);
			pthread_mutex_unlock(&ctrl->admin_lock);
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_FEATURES;
			break;
		case NVF_INIT_FEATURES:
			ret = nvf_feat_restore(ctrl);
			if (ret < 0)
				return ret;
			ctrl->state = NVF_INIT_DONE;
			break;
		case NVF_INIT_DONE:
			break;
		}
	}
	return 0;
}

/* Normal shutdown (CC.SHN), then disable, so nothing of ours is in the device's hands. */
static int ctrl_shutdown(struct nvfio_ctrl *ctrl)
{
	struct nvf_dev *dev = ctrl->dev;
	unsigned int timeout = NVF_SHUTDOWN_DEFAULT_MS;
	uint32_t cc;
	int ret;

	if (nvf_ctrl_failed(ctrl) == -NVFIO_EFATAL) {
		/* No shutdown from a fatal status, but a reset (CC.EN = 0), so that the controller
		 * lets go of the queues before their memory is freed. */
		cc = nvf_dev_read32(dev, NVME_REG_CC);
		if (cc != UINT32_MAX && NVME_CC_EN(cc)) {
			nvf_dev_write32(dev, NVME_REG_CC, cc & ~(1u << NVME_CC_EN_SHIFT));
			wait_csts(ctrl, 1u << NVME_CSTS_RDY_SHIFT, 0, false, ctrl->ready_timeout_ms,
				  "become disabled after its fatal status");
		}
	}
	if (nvf_ctrl_failed(ctrl) || ctrl->state < NVF_INIT_WAIT_READY)
		return nvf_ctrl_failed(ctrl);
	/* RTD3E is the typical time to shut down, not a bound: take it when it is longer than the
	 * default, within reason. */
	if (ctrl->id && ctrl->id->rtd3e / 1000 + 1 > timeout) {
		timeout = ctrl->id->rtd3e / 1000 + 1;
		if (timeout > NVF_SHUTDOWN_MAX_MS)
			timeout = NVF_SHUTDOWN_MAX_MS;
	}
	cc = nvf_dev_read32(dev, NVME_REG_CC);
	if (cc == UINT32_MAX)
		return nvf_dev_check(dev);
	cc &= ~((uint32_t)NVME_CC_SHN_MASK << NVME_CC_SHN_SHIFT);
	nvf_dev_write32(dev, NVME_REG_CC, cc | NVME_SET(NVME_CC_SHN_NORMAL, CC_SHN));
	ret = wait_csts(ctrl, NVME_CSTS_SHST_MASK << NVME_CSTS_SHST_SHIFT,
			NVME_CSTS_SHST_CMPLT << NVME_CSTS_SHST_SHIFT, true, timeout,
			"complete its shutdown (CSTS.SHST)");
	nvf_dev_write32(dev, NVME_REG_CC, cc & ~(1u << NVME_CC_EN_SHIFT));
	if (ret == 0)
		ret = wait_csts(ctrl, 1u << NVME_CSTS_RDY_SHIFT, 0, false, ctrl->ready_timeout_ms,
				"become disabled after shutdown");
	return ret;
}

/* Release everything; @bury: the controller was the application's (nvfio_ctrl_close()). */
static void ctrl_release(struct nvfio_ctrl *ctrl, bool bury)
{
	struct nvf_dev *dev = ctrl->dev;

	if (ctrl->admin) {
		nvf_queue_fail_all(ctrl->admin,
				   nvf_ctrl_failed(ctrl) ? nvf_ctrl_failed(ctrl) : -ECANCELED);
		ctrl->admin->efd = -1;
	}
	if (dev && ctrl->info.interrupts)
		dev->ops->irq_disable(dev);
	if (ctrl->admin_efd >= 0)
		close(ctrl->admin_efd);
	if (dev && ctrl->dbbuf)
		nvfio_dma_free(dev->dma, ctrl->dbbuf);
	if (dev && ctrl->scratch)
		nvfio_dma_free(dev->dma, ctrl->scratch);
	nvf_queue_destroy(ctrl->admin);
	ctrl->admin = NULL;
	/* A checked build keeps the namespaces with the controller, dead, as handles may still
	 * point at them. */
	if (!(NVF_CHECKED && bury))
		nvf_ns_free(ctrl);
	if (dev)
		nvf_dev_close(dev);
	ctrl->dev = NULL;
	pthread_mutex_destroy(&ctrl->admin_lock);
	pthread_mutex_destroy(&ctrl->ns_lock);
	pthread_mutex_destroy(&ctrl->lock);
	pthread_cond_destroy(&ctrl->reset_cond);
	pthread_mutex_destroy(&ctrl->reset_lock);
	nvf_feat_free(ctrl);
	pthread_mutex_destroy(&ctrl->feat_lock);
	free(ctrl->qid_used);
	free(ctrl->id);
	ctrl->qid_used = NULL;
	ctrl->id = NULL;
	if (NVF_CHECKED && bury) {
		ctrl->magic = NVF_MAGIC_DEAD;
		return;
	}
	free(ctrl->address);
	free(ctrl);
}

static int open_device(const char *address, const struct nvfio_ctrl_opts *opts,
		       struct nvf_dev **dev)
{
	if (!strncmp(address, "sim:", 4))
		return nvf_dev_sim_open(address + 4, dev);
	if (!strcmp(address, "sim"))
		return nvf_dev_sim_open("", dev);
	if (!strncmp(address, "vfio-user:", 10))
		return nvf_err(-ENOTSUP,
			       "\"%s\": vfio-user controllers are not supported by this "
			       "build of nvfio",
			       address);
	if (!strncmp(address, "pci:", 4))
		address += 4;
	return nvf_dev_vfio_open(address, opts->iommu, dev);
}

int nvfio_ctrl_open(const char *address, const struct nvfio_ctrl_opts *opts,
		    struct nvfio_ctrl **out)
{
	struct nvfio_ctrl_opts defaults;
	struct nvfio_ctrl *ctrl;
	uint64_t cap;
	int ret;

	if (!address || !out)
		return nvf_err(-EINVAL, "nvfio_ctrl_open: address and out are required");
	if (!opts) {
		nvfio_ctrl_opts_init(&defaults);
		opts = &defaults;
	}
	if (opts->queue_depth < 1)
		return nvf_err(-NVFIO_EBADOPT, "queue_depth must be at least 1");

	ctrl = calloc(1, sizeof(*ctrl));
	if (!ctrl)
		return nvf_err(-ENOMEM, "out of memory opening %s", address);
	ctrl->magic = NVF_MAGIC_LIVE;
	ctrl->opts = *opts;
	/* 0 is the default, not "at once". */
	if (!ctrl->opts.admin_timeout_ms)
		ctrl->opts.admin_timeout_ms = NVF_ADMIN_TIMEOUT_MS;
	if (!ctrl->opts.io_timeout_ms)
		ctrl->opts.io_timeout_ms = NVF_IO_TIMEOUT_MS;
	ctrl->admin_efd = -1;
	ctrl->event_cb = opts->event_cb;
	ctrl->event_arg = opts->event_arg;
	pthread_mutex_init(&ctrl->lock, NULL);
	pthread_mutex_init(&ctrl->admin_lock, NULL);
	pthread_mutex_init(&ctrl->ns_lock, NULL);
	pthread_mutex_init(&ctrl->reset_lock, NULL);
	pthread_cond_init(&ctrl->reset_cond, NULL);
	pthread_mutex_init(&ctrl->feat_lock, NULL);
	ctrl->address = strdup(address);
	ctrl->id = calloc(1, sizeof(*ctrl->id));
	if (!ctrl->address || !ctrl->id) {
		ret = nvf_err(-ENOMEM, "out of memory opening %s", address);
		goto err;
	}

	ret = open_device(address, opts, &ctrl->dev);
	if (ret < 0)
		goto err;

	if (ctrl->dev->bar0_len < NVF_DOORBELL_BASE + 8) {
		ret = nvf_err(-NVFIO_ENOREGION,
			      "BAR0 of %s is %zu bytes: too small for an NVMe "
			      "controller",
			      address, ctrl->dev->bar0_len);
		goto err;
	}
	ret = nvf_dev_attach(ctrl->dev, ctrl->address,
			     NVFIO_DMA_CONTIG | (opts->hugepages ? NVFIO_DMA_HUGE_2M : 0),
			     ctrl_failed, ctrl);
	if (ret < 0)
		goto err;
	cap = ctrl->dev->cap;
	ctrl->ready_timeout_ms = (unsigned int)(NVME_CAP_TO(cap) ? NVME_CAP_TO(cap) : 1) * 500;
	ctrl->info.version = nvf_dev_read32(ctrl->dev, NVME_REG_VS);
	ctrl->info.max_queue_depth = (uint32_t)NVME_CAP_MQES(cap);
	ctrl->info.nr_vectors = ctrl->dev->nr_vectors;
	ctrl->info.backend = ctrl->dev->backend;
	ctrl->info.address = ctrl->address;
	if (NVME_CAP_MPSMIN(cap) > NVF_PAGE_SHIFT - 12) {
		ret = nvf_err(-ENOTSUP,
			      "controller %s needs memory pages of at least %u bytes; "
			      "nvfio uses 4096",
			      address, 1u << (12 + NVME_CAP_MPSMIN(cap)));
		goto err;
	}
	if (!(NVME_CAP_CSS(cap) & NVME_CAP_CSS_NVM)) {
		ret = nvf_err(-ENOTSUP,
			      "controller %s does not offer the NVM command set "
			      "(CAP.CSS 0x%x)",
			      address, (unsigned int)NVME_CAP_CSS(cap));
		goto err;
	}
	if ((size_t)ctrl->dev->dstrd * 2 * (opts->nr_io_queues + 1) + NVF_DOORBELL_BASE >
	    ctrl->dev->bar0_len) {
		unsigned int fit = (unsigned int)((ctrl->dev->bar0_len - NVF_DOORBELL_BASE) /
						  (2 * ctrl->dev->dstrd));
		ctrl->opts.nr_io_queues = fit > 1 ? fit - 1 : 1;
	}

	ret = ctrl_init(ctrl, NVF_INIT_DISABLE);
	if (ret < 0) {
		nvf_err_prefix("opening %s", address);
		goto err_shutdown;
	}
	*out = ctrl;
	return 0;

err_shutdown:
	/* Shutting down and releasing must not overwrite the reason the open failed. */
	nvf_err_freeze();
	if (ctrl->state > NVF_INIT_WAIT_READY && !nvf_ctrl_failed(ctrl))
		ctrl_shutdown(ctrl);
	ctrl_release(ctrl, false);
	nvf_err_thaw();
	return ret;
err:
	nvf_err_freeze();
	ctrl_release(ctrl, false);
	nvf_err_thaw();
	return ret;
}

int nvfio_ctrl_close(struct nvfio_ctrl *ctrl)
{
	struct nvfio_qpair *qp;
	int ret;

	if (!ctrl)
		return 0;
	if (NVF_CHECKED && ctrl->magic != NVF_MAGIC_LIVE)
		return nvf_err(-EBADF, "nvfio_ctrl_close: controller %p closed already",
			       (void *)ctrl);
	pthread_mutex_lock(&ctrl->lock);
	for (qp = ctrl->qpairs; qp && !nvf_queue_in_callback(qp); qp = qp->next_qp)
		;
	pthread_mutex_unlock(&ctrl->lock);
	if (qp)
		return nvf_err(-EBUSY,
			       "controller %s closed from a completion callback of its queue %u: "
			       "close it after the poll returns",
			       ctrl->address, qp->qid);
	while (ctrl->qpairs)
		nvfio_qpair_free(ctrl->qpairs);
	ret = ctrl_shutdown(ctrl);
	ctrl_release(ctrl, true);
	return ret;
}

/* The admin queue after the controller was disabled: what was outstanding (the event request)
 * completes with -NVFIO_ERESET, the rings start over. With admin_lock held. */
static void reset_admin_queue(struct nvfio_ctrl *ctrl)
{
	nvf_queue_fail_all(ctrl->admin, -NVFIO_ERESET);
	ctrl->aer_outstanding = false;
	__atomic_store_n(&ctrl->admin_orphans, 0, __ATOMIC_RELAXED);
	nvf_queue_reset_rings(ctrl->admin);
	__atomic_store_n(&ctrl->admin->io.state, 0, __ATOMIC_SEQ_CST);
	nvf_queue_tc_sync(ctrl->admin);
}

int nvfio_ctrl_reset(struct nvfio_ctrl *ctrl)
{
	struct nvfio_qpair *qp;
	struct nvf_dev *dev;
	uint32_t cc;
	int ret = nvf_ctrl_usable(ctrl, "nvfio_ctrl_reset");

	if (ret)
		return ret;
	dev = ctrl->dev;
	pthread_mutex_lock(&ctrl->reset_lock);
	/* From here the admin commands of other threads wait; one running now finishes first. */
	pthread_mutex_lock(&ctrl->admin_lock);
	ctrl->reset_thread = pthread_self();
	__atomic_store_n(&ctrl->resetting, true, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&ctrl->admin_lock);
	tell_state(ctrl, NVFIO_CTRL_RESETTING, 0);
	/* Every queue pair's submissions and polls go to their slow paths, which re-create the
	 * pair once the controller is back. */
	pthread_mutex_lock(&ctrl->lock);
	for (qp = ctrl->qpairs; qp; qp = qp->next_qp)
		nvf_queue_poison(qp, NVF_QUEUE_REVIVE);
	pthread_mutex_unlock(&ctrl->lock);

	/* Disabled, the controller forgets every queue and no longer touches their memory. */
	cc = nvf_dev_read32(dev, NVME_REG_CC);
	if (cc != UINT32_MAX && NVME_CC_EN(cc))
		nvf_dev_write32(dev, NVME_REG_CC, cc & ~(1u << NVME_CC_EN_SHIFT));
	ret = wait_csts(ctrl, 1u << NVME_CSTS_RDY_SHIFT, 0, false, ctrl->ready_timeout_ms,
			"become disabled for its reset (CSTS.RDY = 0)");
	if (ret == 0) {
		pthread_mutex_lock(&ctrl->admin_lock);
		reset_admin_queue(ctrl);
		pthread_mutex_unlock(&ctrl->admin_lock);
		/* A failure seen before (a fatal status) is what the reset is for. */
		nvf_dev_recover(dev);
		ret = ctrl_init(ctrl, NVF_INIT_ADMIN_QUEUE);
	}
	if (ret < 0) {
		nvf_err_prefix("resetting controller %s", ctrl->address);
		nvf_err_freeze();
		nvf_dev_fail(dev, ret == -NVFIO_EREMOVED ? ret : -NVFIO_EFATAL);
		nvf_err_thaw();
	}
	pthread_mutex_lock(&ctrl->admin_lock);
	__atomic_store_n(&ctrl->resetting, false, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ctrl->reset_gen, 1, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&ctrl->reset_cond);
	pthread_mutex_unlock(&ctrl->admin_lock);
	tell_state(ctrl,
		   ret == 0		    ? NVFIO_CTRL_READY
		   : ret == -NVFIO_EREMOVED ? NVFIO_CTRL_REMOVED
					    : NVFIO_CTRL_FAILED,
		   ret);
	pthread_mutex_unlock(&ctrl->reset_lock);
	return ret;
}

const struct nvfio_ctrl_info *nvfio_ctrl_get_info(const struct nvfio_ctrl *ctrl)
{
	if (!nvf_ctrl_live(ctrl))
		return NULL;
	return &ctrl->info;
}

const void *nvfio_ctrl_identify(const struct nvfio_ctrl *ctrl)
{
	if (!nvf_ctrl_live(ctrl))
		return NULL;
	return ctrl->id;
}

struct nvfio_dma *nvfio_ctrl_dma(struct nvfio_ctrl *ctrl)
{
	if (!nvf_ctrl_live(ctrl))
		return NULL;
	return ctrl->dev->dma;
}

struct nvfio_sim *nvfio_ctrl_sim(struct nvfio_ctrl *ctrl)
{
	if (!nvf_ctrl_live(ctrl))
		return NULL;
	return ctrl->dev->sim;
}

int nvfio_ctrl_admin_fd(const struct nvfio_ctrl *ctrl)
{
	if (!nvf_ctrl_live(ctrl))
		return -1;
	return ctrl->admin_efd;
}
