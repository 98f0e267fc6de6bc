/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVFIO_H
#define NVFIO_NVFIO_H

/*
 * The public API of nvfio for applications. The simulated controller's fault injection, a
 * testing aid, is apart: include <nvfio/sim.h> for it.
 */

#include <nvfio/error.h>
#include <nvfio/vfio.h>
#include <nvfio/dma.h>
#include <nvfio/nvme.h>
#include <nvfio/nvme_io.h>

#endif /* NVFIO_NVFIO_H */
