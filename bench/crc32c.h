/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_CRC32C_H
#define NVFIO_BENCH_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * nvb_crc32c() - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of @len bytes, continuing
 * from @crc (0 to start). Uses SSE4.2's crc32 instruction where the CPU has it.
 */
uint32_t nvb_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* NVFIO_BENCH_CRC32C_H */
