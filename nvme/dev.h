/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_DEV_H
#define NVFIO_NVME_DEV_H

/*
 * The device under the NVMe driver: a BAR0, a DMA address space, MSI-X vectors and a reset. The
 * controller code sees only this, so the same driver runs on a VFIO PCI function, on the
 * simulated controller and (later) on a vfio-user server.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nvfio/nvme.h>

#include "support/barrier.h"

struct nvf_nvme_dev;

struct nvf_nvme_dev_ops {
	/* Bind MSI-X vector @vector to @eventfd (-1 releases it). The first bind enables MSI-X.
	 * 0 or a negative error. */
	int (*irq_bind)(struct nvf_nvme_dev *dev, unsigned int vector, int eventfd);
	/* Release every vector and disable MSI-X. */
	void (*irq_disable)(struct nvf_nvme_dev *dev);
	/* Function-level reset. 0, -ENOTSUP, or a negative error. */
	int (*reset)(struct nvf_nvme_dev *dev);
	/* Release the device, its DMA space and everything mapped through it. */
	void (*close)(struct nvf_nvme_dev *dev);
};

struct nvf_nvme_dev {
	const struct nvf_nvme_dev_ops *ops;
	volatile uint8_t *bar0;
	size_t bar0_len;
	struct nvfio_dma *dma;
	unsigned int nr_vectors;
	const char *backend;   /* "sim", "vfio-type1v2", "vfio-noiommu" */
	bool noiommu;	       /* DMA memory must be hugepages */
	struct nvfio_sim *sim; /* the model behind a "sim:" device, else NULL */
};

/* Open the simulated controller with the options after "sim:". */
int nvf_nvme_dev_sim_open(const char *opts, struct nvf_nvme_dev **out);

/* Open a PCI function through VFIO. */
int nvf_nvme_dev_vfio_open(const char *addr, enum nvfio_iommu_mode mode, struct nvf_nvme_dev **out);

/* Register access. A register read as all-ones means the device is gone. */
static inline uint32_t nvf_dev_read32(const struct nvf_nvme_dev *dev, uint32_t off)
{
	return nvf_mmio_read32(dev->bar0 + off);
}

static inline uint64_t nvf_dev_read64(const struct nvf_nvme_dev *dev, uint32_t off)
{
	return nvf_mmio_read64(dev->bar0 + off);
}

static inline void nvf_dev_write32(const struct nvf_nvme_dev *dev, uint32_t off, uint32_t v)
{
	nvf_mmio_write32(dev->bar0 + off, v);
}

static inline void nvf_dev_write64(const struct nvf_nvme_dev *dev, uint32_t off, uint64_t v)
{
	nvf_mmio_write64(dev->bar0 + off, v);
}

#endif /* NVFIO_NVME_DEV_H */
