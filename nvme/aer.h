/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_AER_H
#define NVFIO_NVME_AER_H

/*
 * Asynchronous events: the Asynchronous Event Request kept outstanding on the admin queue (its
 * completion stores the event and asks again), and the delivery of stored events, which runs
 * outside the admin executor: from nvfio_ctrl_poll_admin() and after each public admin call.
 */

#include "nvme/ctrl.h"

/* Start keeping an event request outstanding. Admin lock held. 0 or -errno. */
int nvf_aer_start_locked(struct nvfio_ctrl *ctrl);

/*
 * nvf_aer_deliver() - deliver the events stored meanwhile
 *
 * For each: read the log page it names (which also lets the controller report the next event
 * of that type), rescan the namespaces on a namespace change, then tell the application. Runs
 * without the admin lock, one thread at a time (a thread that finds another delivering leaves
 * the events to it).
 */
void nvf_aer_deliver(struct nvfio_ctrl *ctrl);

#endif /* NVFIO_NVME_AER_H */
