/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVFIO_H
#define NVFIO_NVFIO_H

/* The whole public API of nvfio. */

#include <nvfio/error.h>
#include <nvfio/vfio.h>
#include <nvfio/dma.h>
#include <nvfio/nvme.h>
#include <nvfio/nvme_io.h>
#include <nvfio/sim.h>

#endif /* NVFIO_NVFIO_H */
