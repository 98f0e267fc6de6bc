/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_UTIL_H
#define NVFIO_SIM_UTIL_H

/* Small helpers the model's files share: branch hints for the I/O path, and alignment. */

#include <stdint.h>

/* What the I/O path expects: the compiler lays out the expected branch as the straight line. */
#define nvf_sim_likely(x)   __builtin_expect(!!(x), 1)
#define nvf_sim_unlikely(x) __builtin_expect(!!(x), 0)

/* @v rounded up or down to a multiple of @a, a power of two. */
static inline uint64_t nvf_sim_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static inline uint64_t nvf_sim_align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

#endif /* NVFIO_SIM_UTIL_H */
