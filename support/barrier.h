/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SUPPORT_BARRIER_H
#define NVFIO_SUPPORT_BARRIER_H

/*
 * Memory ordering between the CPU and a device (or the simulated controller's thread), in one
 * place.
 */

#include <stdatomic.h>
#include <stdint.h>

/*
 * The device-facing barriers. On x86-64 the CPU keeps loads with loads and stores with stores in
 * order, also towards uncached MMIO, so only the compiler must be held back; a store followed by a
 * load needs a real fence. On arm64 the C11 fences order normal memory between CPUs only; a
 * device (a doorbell write, a DMA'd completion) needs the outer-shareable DMB, as Linux's
 * dma_rmb()/dma_wmb()/mb() use. Elsewhere the C11 fences are the best portable guess.
 */
#if defined(__x86_64__) || defined(__i386__)
#define NVF_BARRIER_RMB() __asm__ __volatile__("" ::: "memory")
#define NVF_BARRIER_WMB() __asm__ __volatile__("" ::: "memory")
#define NVF_BARRIER_MB()  atomic_thread_fence(memory_order_seq_cst)
#elif defined(__aarch64__)
#define NVF_BARRIER_RMB() __asm__ __volatile__("dmb oshld" ::: "memory")
#define NVF_BARRIER_WMB() __asm__ __volatile__("dmb oshst" ::: "memory")
#define NVF_BARRIER_MB()  __asm__ __volatile__("dmb osh" ::: "memory")
#else
#define NVF_BARRIER_RMB() atomic_thread_fence(memory_order_acquire)
#define NVF_BARRIER_WMB() atomic_thread_fence(memory_order_release)
#define NVF_BARRIER_MB()  atomic_thread_fence(memory_order_seq_cst)
#endif

/*
 * Order earlier loads before later loads and stores: a CQE's body after its phase bit, and the
 * reads of reaped CQEs before the head doorbell that hands their slots back. DMB LD on arm64 and
 * the acquire fence both order loads against later stores too; x86-64 never moves a store
 * ahead of an earlier load.
 */
static inline void nvf_rmb(void)
{
	NVF_BARRIER_RMB();
}

/* Order earlier stores before later stores (the SQE before the doorbell that publishes it). */
static inline void nvf_wmb(void)
{
	NVF_BARRIER_WMB();
}

/* Full barrier: a store before a later load (a shadow doorbell before reading its event index). */
static inline void nvf_mb(void)
{
	NVF_BARRIER_MB();
}

/* Acquire load and release store of a 32-bit word shared with another agent. */
static inline uint32_t nvf_load_acquire32(const volatile uint32_t *p)
{
	return atomic_load_explicit((const volatile _Atomic uint32_t *)p, memory_order_acquire);
}

static inline void nvf_store_release32(volatile uint32_t *p, uint32_t v)
{
	atomic_store_explicit((volatile _Atomic uint32_t *)p, v, memory_order_release);
}

/*
 * Under ThreadSanitizer (cmake -DNVFIO_SANITIZE=thread) the device is the simulated controller's
 * thread, and TSan models neither the fences above nor volatile accesses: the accesses through
 * which the two sides hand each other memory (registers, doorbells, a completion's phase dword)
 * are then acquire and release atomics, which tell it the order the fences give, so that what
 * it reports is a race the protocol does not order. Other builds are unchanged.
 */
#if defined(__SANITIZE_THREAD__)
#define NVF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NVF_TSAN 1
#endif
#endif

/* MMIO accessors: a single access of the given width, never torn, never merged. */
static inline uint32_t nvf_mmio_read32(const volatile void *addr)
{
#ifdef NVF_TSAN
	return __atomic_load_n((const volatile uint32_t *)addr, __ATOMIC_ACQUIRE);
#else
	return *(const volatile uint32_t *)addr;
#endif
}

static inline void nvf_mmio_write32(volatile void *addr, uint32_t v)
{
#ifdef NVF_TSAN
	__atomic_store_n((volatile uint32_t *)addr, v, __ATOMIC_RELEASE);
#else
	*(volatile uint32_t *)addr = v;
#endif
}

/* A dword the device writes into host memory to publish what came before it: the one of a
 * completion entry that holds the phase tag. */
static inline uint32_t nvf_dma_read32(const volatile uint32_t *p)
{
#ifdef NVF_TSAN
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
#else
	return *p;
#endif
}

/* 64-bit registers as two 32-bit accesses, low then high, as the NVMe spec allows. */
static inline uint64_t nvf_mmio_read64(const volatile void *addr)
{
	const volatile uint32_t *p = (const volatile uint32_t *)addr;
	uint32_t lo = nvf_mmio_read32(p);

	return (uint64_t)nvf_mmio_read32(p + 1) << 32 | lo;
}

static inline void nvf_mmio_write64(volatile void *addr, uint64_t v)
{
	volatile uint32_t *p = (volatile uint32_t *)addr;

	nvf_mmio_write32(p, (uint32_t)v);
	nvf_mmio_write32(p + 1, (uint32_t)(v >> 32));
}

#endif /* NVFIO_SUPPORT_BARRIER_H */
