/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_NS_H
#define NVFIO_NVME_NS_H

/* Namespaces: the object, and the scan that finds the active ones and describes each. */

#include <stdbool.h>
#include <stdint.h>

#include <nvfio/nvme_io.h>

struct nvfio_ns {
	/* Read by every I/O submission (nsze is 0 while the namespace takes no I/O). */
	struct nvfio_ns_io io;
	uint32_t max_nlb; /* blocks one command may carry */
	bool active;
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns_info info;
};

/* Find the active namespaces and describe each (Identify Namespace, its descriptors). Uses the
 * admin executor only: events reaped meanwhile wait for their delivery. 0 or -errno. */
int nvf_ns_scan(struct nvfio_ctrl *ctrl);

/* Free every namespace object (at close). */
void nvf_ns_free(struct nvfio_ctrl *ctrl);

#endif /* NVFIO_NVME_NS_H */
