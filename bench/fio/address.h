/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_FIO_ADDRESS_H
#define NVFIO_BENCH_FIO_ADDRESS_H

/*
 * fio splits a job's filename at every colon (several files), so the engine's targets are
 * spelled with dots where nvfio_ctrl_open() has colons:
 *
 *   0000.01.00.0       PCI function 0000:01:00.0
 *   01.00.0            PCI function 0000:01:00.0 (domain 0)
 *   sim                the simulated controller with its defaults ("sim:")
 *   sim.OPTIONS        the simulated controller "sim:OPTIONS", e.g. sim.size=1G,lbads=4096
 *   vfio-user.PATH     "vfio-user:PATH" (reserved by the library)
 *
 * A colon escaped for fio ("0000\:01\:00.0", "sim\:size=1G") reaches the engine as a colon and
 * is taken as well; that is also how OPTIONS that contain colons (the simulated controller's
 * fault injection) are written.
 */

#include <stddef.h>

/*
 * nvfe_address() - the nvfio_ctrl_open() address a fio filename names
 * @name:   the file name as fio hands it to the engine
 * @out:    receives the address; PCI addresses in the full lower-case form "dddd:bb:dd.f", so
 *          that two spellings of one function compare equal
 * @outlen: size of @out
 * @err:    receives a sentence saying what is wrong and how to write it, on failure
 * @errlen: size of @err
 *
 * Returns 0, or -EINVAL (not a target the engine knows; @err says why) or -ENAMETOOLONG.
 */
int nvfe_address(const char *name, char *out, size_t outlen, char *err, size_t errlen);

#endif /* NVFIO_BENCH_FIO_ADDRESS_H */
