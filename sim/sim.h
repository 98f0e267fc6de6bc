/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_SIM_H
#define NVFIO_SIM_SIM_H

/*
 * The simulated NVMe controller (the device side of "sim:"), as the driver's device glue sees it.
 *
 * The model shares no code with the driver beyond the spec headers: host memory is reached only
 * through the translation handed to nvf_sim_create() (struct nvf_sim_mem), and how the model
 * reaches its BAR, host memory and interrupts (sim/xport.h) is kept apart from how it handles
 * commands.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nvfio_sim;

/* How the model reaches host memory: the IOMMU-like translation of the device's DMA. */
struct nvf_sim_mem {
	/* Host address of [iova, iova + len), or NULL if any byte of it is not mapped (the command
	 * then fails with a data transfer error and nothing else is touched). Called from the
	 * model's own thread(s), concurrently with the application registering memory. */
	void *(*translate)(void *ctx, uint64_t iova, size_t len);
	void *ctx;
};

/*
 * nvf_sim_create() - create and start a controller
 * @opts: the options after "sim:" ("size=1G,lbads=512,namespaces=2,..."), may be ""
 * @mem:  host-memory access; copied
 *
 * Returns 0 or -NVFIO_EBADOPT (message names the option and its accepted values), -ENOMEM.
 */
int nvf_sim_create(const char *opts, const struct nvf_sim_mem *mem, struct nvfio_sim **out);

/* Stop the controller's threads and free everything (file storage is flushed and closed). */
void nvf_sim_destroy(struct nvfio_sim *sim);

/* BAR0: registers at 0, doorbells at 0x1000 with the stride CAP.DSTRD says; @len gets its size. */
volatile void *nvf_sim_bar0(struct nvfio_sim *sim, size_t *len);

/* Number of MSI-X vectors the controller offers. */
unsigned int nvf_sim_irq_count(struct nvfio_sim *sim);

/* Signal @eventfd (write 1) when MSI-X vector @vector fires; -1 unbinds. 0 or -EINVAL. */
int nvf_sim_set_irq(struct nvfio_sim *sim, unsigned int vector, int eventfd);

/* Function-level reset: as VFIO_DEVICE_RESET does to a PCI function. */
int nvf_sim_reset(struct nvfio_sim *sim);

/*
 * nvf_sim_wake() - the host wrote a register, or waits for the controller: look now
 *
 * A controller idle for NVF_SIM_SLEEP_NS (thread.c) sleeps until this is called, or at most
 * NVF_SIM_SLEEP_MS: a doorbell written after that is served at the latest then, unless the host
 * calls this too (from its cold paths: a wait, a poll that found nothing for a while, a register
 * write). From any thread; one fence and one load while no thread of the model sleeps.
 */
void nvf_sim_wake(struct nvfio_sim *sim);

/*
 * For tests and benchmarks of the model itself.
 *
 * nvf_sim_thread_cpu_ns() - CPU time the controller's threads have used so far, in ns.
 * nvf_sim_account() - turn per-pass accounting on or off: with it on, the threads measure the CPU
 * time of each pass that carried out I/O commands (one clock read per pass, not per command).
 * nvf_sim_busy() - CPU ns spent in such passes and the I/O commands they carried out.
 * nvf_sim_naps() - how many times the controller's threads slept so far (naps and deep sleeps).
 * nvf_sim_sync() - return once thread 0 has carried out every request made before the call
 * (events posted, faults raised) at the start of a pass; after two calls, that pass has ended
 * too (with threads=1: its registers, admin and I/O queues looked at), so that a test decides by
 * state instead of by waiting for a while.
 */
void nvf_sim_sync(struct nvfio_sim *sim);
uint64_t nvf_sim_thread_cpu_ns(struct nvfio_sim *sim);
uint64_t nvf_sim_naps(struct nvfio_sim *sim);
void nvf_sim_account(struct nvfio_sim *sim, bool on);
void nvf_sim_busy(struct nvfio_sim *sim, uint64_t *ns, uint64_t *cmds);

#endif /* NVFIO_SIM_SIM_H */
