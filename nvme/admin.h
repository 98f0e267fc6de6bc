/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_ADMIN_H
#define NVFIO_NVME_ADMIN_H

/*
 * The admin executor: one admin command at a time per caller, serialised by the admin lock,
 * waited for within a deadline, with its data through a DMA bounce buffer. It delivers no
 * events (aer.c does, from the public calls), so that the parts of the driver that run admin
 * commands (namespace scans, queue creation, bring-up) never re-enter each other.
 */

#include <stddef.h>
#include <stdint.h>

#include "nvme/ctrl.h"

/*
 * nvf_admin_run() - run one admin command and wait for it
 * @in: copied to the controller (NULL: zeroes), @out: filled from it, both of @len bytes; with
 *	@len 0 the command's data pointer is left as the caller set it
 * @cqe: the completion, when not NULL
 * @timeout_ms: 0 for the controller's default (nvfio_ctrl_opts.admin_timeout_ms)
 *
 * 0, -NVFIO_ENVME (the controller's status, in words in the message), -NVFIO_ETIMEDOUT (the
 * command keeps its buffer until it completes), -EBUSY, -NVFIO_EFATAL, -NVFIO_EREMOVED, -errno.
 */
int nvf_admin_run(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, const void *in, void *out,
		  size_t len, struct nvfio_cqe *cqe, unsigned int timeout_ms);

/* nvf_admin_run() with the data's direction taken from the opcode's low bits. */
int nvf_admin_exec(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, void *buf, size_t len,
		   struct nvfio_cqe *cqe, unsigned int timeout_ms);

/* Reap the admin queue. Admin lock held. */
int nvf_admin_poll_locked(struct nvfio_ctrl *ctrl);

/* Identify (4096 bytes into @buf) and Get Log Page, as the public calls build them. */
int nvf_admin_identify(struct nvfio_ctrl *ctrl, uint8_t cns, uint32_t nsid, void *buf);
int nvf_admin_get_log(struct nvfio_ctrl *ctrl, uint8_t lid, uint32_t nsid, uint64_t offset,
		      void *buf, size_t len);

/* The most data a feature value nvfio keeps for resets may carry. */
#define NVF_FEAT_DATA_MAX 4096u

/* Set again the features the application set (after a reset): 0, or the error of a command the
 * controller could not be asked (a refused value is skipped). */
int nvf_feat_restore(struct nvfio_ctrl *ctrl);
/* Forget them (at close). */
void nvf_feat_free(struct nvfio_ctrl *ctrl);

#endif /* NVFIO_NVME_ADMIN_H */
