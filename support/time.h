/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SUPPORT_TIME_H
#define NVFIO_SUPPORT_TIME_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: the clock every deadline of the library is measured on. */
uint64_t nvf_now_ms(void);

/*
 * nvf_backoff() - wait a little longer each time while polling a device
 * @us: state, 0 before the first wait
 *
 * A yield first (the device, or the simulated controller's thread, is usually quick), then
 * sleeps doubling from 5 us to 1 ms.
 */
void nvf_backoff(unsigned int *us);

#endif /* NVFIO_SUPPORT_TIME_H */
