/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_ORDER_H
#define NVFIO_SIM_ORDER_H

/*
 * Memory ordering on the device side of the doorbells.
 *
 * The model is software: the host it serves runs on another CPU, so what the model must order
 * is its own accesses against another CPU's, and C11 acquire and release on the words the two
 * share say exactly that. The model keeps its own two helpers instead of the driver's barriers
 * (support/, written for real devices): were one of those wrong, it would be wrong on both sides
 * of the doorbell, and the model could not catch it.
 *
 * Words go two ways. The host rings doorbells (MMIO or shadow) to hand the model work: the model
 * reads them with acquire. The model publishes completion entries, registers (CSTS), EventIdx
 * values and cleared doorbells: it writes them with release. Nothing needs a store ordered
 * before a later load (a full fence): the model polls its doorbells, so it never relies on the
 * host having seen an EventIdx before it looks at a doorbell again.
 */

#include <stdint.h>

/*
 * A doorbell, as the host rang it: an SQ tail or a CQ head, in BAR0 or in the shadow doorbell
 * buffer. Acquire: the submission entries (and the data they point to) that the host wrote
 * before ringing are read after this load, never from before it.
 */
static inline uint32_t nvf_sim_read_doorbell(const volatile uint32_t *db)
{
	return __atomic_load_n(db, __ATOMIC_ACQUIRE);
}

/*
 * A word the host reads to learn what the model did: the dword of a completion entry that
 * holds its phase tag, a register, an EventIdx, a doorbell cleared to zero. Release: everything
 * the model wrote before (the entry's other dwords, the data a read returned, the queues set up
 * before CSTS.RDY) is visible to a host that sees the new value.
 */
static inline void nvf_sim_publish(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

#endif /* NVFIO_SIM_ORDER_H */
