/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_STATUS_H
#define NVFIO_NVME_STATUS_H

#include <stdint.h>

/* Record that @what failed with NVMe status @status (SCT/SC, no phase bit), in words; returns
 * -NVFIO_ENVME. */
int nvf_status_err(uint16_t status, const char *what);

#endif /* NVFIO_NVME_STATUS_H */
