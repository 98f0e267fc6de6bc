/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_DEV_H
#define NVFIO_NVME_DEV_H

/*
 * The device under the NVMe driver: a BAR0, a DMA address space, MSI-X vectors. The controller
 * code sees only this, so the same driver runs on a VFIO PCI function and on the simulated
 * controller.
 *
 * The seam also keeps what every layer above must agree on about the device: the register
 * facts the controller read at open (CAP, the doorbell stride), how its DMA memory is allocated,
 * whether it has failed, and the memory it may still access. Queues learn of a failure here
 * (nvf_dev_check()); the controller hears of it through the hook it set (nvf_dev_attach()), so
 * nothing below calls up into the controller.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nvfio/nvme.h>

#include "nvme/spec.h"
#include "support/barrier.h"

struct nvf_dev;

struct nvf_dev_ops {
	/* Bind MSI-X vector @vector to @eventfd (-1 releases it). The first bind enables MSI-X.
	 * 0 or a negative error. */
	int (*irq_bind)(struct nvf_dev *dev, unsigned int vector, int eventfd);
	/* Release every vector and disable MSI-X. */
	void (*irq_disable)(struct nvf_dev *dev);
	/* Release the device, its DMA space and everything mapped through it. */
	void (*close)(struct nvf_dev *dev);
	/* Whether the host asks for the device back (it is being unbound or unplugged); if so,
	 * let go of it at once so that the host is not kept waiting: its registers read
	 * all-ones from then on. NULL: the backend is never asked. */
	bool (*let_go)(struct nvf_dev *dev);
	/* The driver wrote a register or waits for the device: a device model that sleeps when
	 * idle looks at its registers and queues now. Called from cold paths only (never per
	 * I/O); NULL: hardware, which needs no telling. */
	void (*wake)(struct nvf_dev *dev);
};

struct nvf_dev {
	/* Filled by the backend. */
	const struct nvf_dev_ops *ops;
	volatile uint8_t *bar0;
	size_t bar0_len;
	struct nvfio_dma *dma;
	unsigned int nr_vectors;
	const char *backend;   /* "sim", "vfio-type1v2", "vfio-noiommu" */
	bool noiommu;	       /* DMA memory must be hugepages */
	struct nvfio_sim *sim; /* the model behind a "sim:" device, else NULL */

	/* Filled by nvf_dev_attach(). */
	const char *name;	/* the address it was opened by, for messages */
	uint64_t cap;		/* CAP */
	uint32_t dstrd;		/* doorbell stride, bytes */
	unsigned int dma_flags; /* for memory the device reads or writes */
	int failed;		/* 0, -NVFIO_EFATAL or -NVFIO_EREMOVED, once seen */
	void (*on_fail)(void *arg, int err);
	void *on_fail_arg;
	/* Memory the device may still access (a queue it may still own): freed at close. */
	pthread_mutex_t kept_lock;
	void **kept;
	unsigned int nkept;
};

/* Open the simulated controller with the options after "sim:". */
int nvf_dev_sim_open(const char *opts, struct nvf_dev **out);

/* Open a PCI function through VFIO. */
int nvf_dev_vfio_open(const char *addr, enum nvfio_iommu_open_mode mode, struct nvf_dev **out);

/*
 * nvf_dev_attach() - take a device opened by a backend into use
 * @name: the controller's address, kept (not copied) for messages
 * @dma_flags: flags of nvfio_dma_alloc() for memory the device accesses
 * @on_fail: called once, from the thread that first sees the device fail, with the failure
 *
 * Reads CAP. 0, or -NVFIO_EREMOVED when the registers read all-ones.
 */
int nvf_dev_attach(struct nvf_dev *dev, const char *name, unsigned int dma_flags,
		   void (*on_fail)(void *arg, int err), void *arg);

/* Free the memory kept for the device (nvf_dev_keep()), then close it. */
void nvf_dev_close(struct nvf_dev *dev);

/*
 * nvf_dev_check() - whether the device is still working
 *
 * Reads CSTS unless a failure is known already: all-ones is a removed device, CFS a fatal
 * status; either is recorded (once, with the hook) and returned with a message naming the
 * device. 0 while it works.
 */
int nvf_dev_check(struct nvf_dev *dev);

/* Record @err (-NVFIO_EFATAL or -NVFIO_EREMOVED) as the device's failure and return it with its
 * message; the first failure recorded stays. */
int nvf_dev_fail(struct nvf_dev *dev, int err);

/* Forget a failure once the device was reset and is to be brought up again (nvfio_ctrl_reset()):
 * the next failure is recorded, and its hook runs, anew. */
static inline void nvf_dev_recover(struct nvf_dev *dev)
{
	__atomic_store_n(&dev->failed, 0, __ATOMIC_SEQ_CST);
}

/*
 * nvf_dev_keep() - hold DMA memory the device may still access until it is closed
 *
 * Without room to note it the memory is leaked: better than a device writing into memory that
 * was handed out again. @mem NULL is ignored.
 */
void nvf_dev_keep(struct nvf_dev *dev, void *mem);

/* The device's failure (0 while it works): set once, from whichever thread sees it. */
static inline int nvf_dev_failed(const struct nvf_dev *dev)
{
	return __atomic_load_n(&dev->failed, __ATOMIC_RELAXED);
}

/* Doorbell register of SQ @qid (@cq false) or CQ @qid, as an offset into BAR0. */
static inline uint32_t nvf_dev_db_offset(const struct nvf_dev *dev, uint16_t qid, bool cq)
{
	return NVF_DOORBELL_BASE + (2u * qid + cq) * dev->dstrd;
}

/* See nvf_dev_ops.wake. */
static inline void nvf_dev_wake(struct nvf_dev *dev)
{
	if (dev->ops->wake)
		dev->ops->wake(dev);
}

/* Register access. A register read as all-ones means the device is gone; a write wakes a device
 * model (doorbells are not written through these). */
static inline uint32_t nvf_dev_read32(const struct nvf_dev *dev, uint32_t off)
{
	return nvf_mmio_read32(dev->bar0 + off);
}

static inline uint64_t nvf_dev_read64(const struct nvf_dev *dev, uint32_t off)
{
	return nvf_mmio_read64(dev->bar0 + off);
}

static inline void nvf_dev_write32(struct nvf_dev *dev, uint32_t off, uint32_t v)
{
	nvf_mmio_write32(dev->bar0 + off, v);
	nvf_dev_wake(dev);
}

static inline void nvf_dev_write64(struct nvf_dev *dev, uint32_t off, uint64_t v)
{
	nvf_mmio_write64(dev->bar0 + off, v);
	nvf_dev_wake(dev);
}

#endif /* NVFIO_NVME_DEV_H */
