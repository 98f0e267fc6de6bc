/* SPDX-License-Identifier: BSD-3-Clause */
/* The device seam's common part: register facts, failure detection, memory kept for the device. */
#include <errno.h>
#include <stdlib.h>

#include <nvfio/dma.h>

#include "nvme/dev.h"
#include "support/error.h"

int nvf_dev_attach(struct nvf_dev *dev, const char *name, unsigned int dma_flags,
		   void (*on_fail)(void *arg, int err), void *arg)
{
	dev->name = name;
	dev->dma_flags = dma_flags;
	dev->on_fail = on_fail;
	dev->on_fail_arg = arg;
	pthread_mutex_init(&dev->kept_lock, NULL);
	dev->cap = nvf_dev_read64(dev, NVME_REG_CAP);
	if (dev->cap == UINT64_MAX)
		return nvf_dev_fail(dev, -NVFIO_EREMOVED);
	dev->dstrd = 4u << NVME_CAP_DSTRD(dev->cap);
	return 0;
}

void nvf_dev_close(struct nvf_dev *dev)
{
	if (dev->name) {
		while (dev->nkept)
			nvfio_dma_free(dev->dma, dev->kept[--dev->nkept]);
		free(dev->kept);
		pthread_mutex_destroy(&dev->kept_lock);
	}
	dev->ops->close(dev);
}

static int failed_err(const struct nvf_dev *dev, int err)
{
	if (err == -NVFIO_EREMOVED)
		return nvf_err(err,
			       "controller %s is gone: its registers read all-ones (device "
			       "removed or unplugged, or its PCI link is down)",
			       dev->name);
	return nvf_err(err,
		       "controller %s reports a fatal status (CSTS.CFS): close and reopen it "
		       "to reset it",
		       dev->name);
}

int nvf_dev_fail(struct nvf_dev *dev, int err)
{
	int old = 0;

	if (__atomic_compare_exchange_n(&dev->failed, &old, err, false, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
		if (dev->on_fail)
			dev->on_fail(dev->on_fail_arg, err);
	} else {
		err = old;
	}
	return failed_err(dev, err);
}

int nvf_dev_check(struct nvf_dev *dev)
{
	int failed = nvf_dev_failed(dev);
	uint32_t csts;

	if (failed)
		return failed_err(dev, failed);
	if (dev->ops->let_go && dev->ops->let_go(dev))
		return nvf_dev_fail(dev, -NVFIO_EREMOVED);
	csts = nvf_dev_read32(dev, NVME_REG_CSTS);
	if (csts == UINT32_MAX)
		return nvf_dev_fail(dev, -NVFIO_EREMOVED);
	if (NVME_CSTS_CFS(csts))
		return nvf_dev_fail(dev, -NVFIO_EFATAL);
	return 0;
}

void nvf_dev_keep(struct nvf_dev *dev, void *mem)
{
	void **k;

	if (!mem)
		return;
	pthread_mutex_lock(&dev->kept_lock);
	k = realloc(dev->kept, (dev->nkept + 1) * sizeof(*k));
	if (k) {
		k[dev->nkept++] = mem;
		dev->kept = k;
	}
	pthread_mutex_unlock(&dev->kept_lock);
}
