/* SPDX-License-Identifier: BSD-3-Clause */
/* The device glue of a PCI function bound to vfio-pci, through the public VFIO API. */
#include <errno.h>
#include <stdlib.h>

#include <nvfio/vfio.h>

#include "nvme/dev.h"
#include "support/error.h"

struct vfio_dev {
	struct nvf_dev dev;
	struct nvfio_vfio_device *vdev;
};

static int vfio_irq_bind(struct nvf_dev *dev, unsigned int vector, int eventfd)
{
	struct vfio_dev *v = (struct vfio_dev *)dev;

	if (eventfd < 0)
		return nvfio_vfio_device_msix_unbind(v->vdev, vector, 1);
	return nvfio_vfio_device_msix_bind(v->vdev, vector, 1, &eventfd);
}

static void vfio_irq_disable(struct nvf_dev *dev)
{
	struct vfio_dev *v = (struct vfio_dev *)dev;

	nvfio_vfio_device_irq_disable(v->vdev, NVFIO_VFIO_PCI_MSIX);
}

static void vfio_close(struct nvf_dev *dev)
{
	struct vfio_dev *v = (struct vfio_dev *)dev;

	nvfio_vfio_device_bus_master(v->vdev, false);
	/* The context's DMA space, the BAR mapping and the interrupts go with the device. */
	nvfio_vfio_device_close(v->vdev);
	free(v);
}

static const struct nvf_dev_ops vfio_ops = {
    .irq_bind = vfio_irq_bind,
    .irq_disable = vfio_irq_disable,
    .close = vfio_close,
};

int nvf_dev_vfio_open(const char *addr, enum nvfio_iommu_open_mode mode, struct nvf_dev **out)
{
	struct nvfio_vfio_irq_info irq;
	struct nvfio_iommu *io;
	struct vfio_dev *v;
	void *bar;
	size_t len;
	int ret;

	ret = nvfio_pci_addr_parse(addr, NULL);
	if (ret < 0)
		return nvf_err(ret,
			       "\"%s\" is not a controller address: give a PCI address "
			       "(0000:01:00.0 or 01:00.0), \"sim:\" with options, or "
			       "\"vfio-user:/path/to/socket\"",
			       addr);

	v = calloc(1, sizeof(*v));
	if (!v)
		return nvf_err(-ENOMEM, "out of memory opening %s", addr);
	ret = nvfio_vfio_open(addr, mode, &v->vdev);
	if (ret < 0)
		goto err_free;
	io = nvfio_vfio_device_iommu(v->vdev);
	v->dev.noiommu = nvfio_iommu_type(io) == NVFIO_VFIO_NOIOMMU;
	v->dev.backend = v->dev.noiommu ? "vfio-noiommu" : "vfio-type1v2";
	ret = nvfio_iommu_dma(io, &v->dev.dma);
	if (ret < 0)
		goto err_close;
	ret = nvfio_vfio_device_map_region(v->vdev, NVFIO_VFIO_PCI_BAR0, &bar, &len);
	if (ret < 0) {
		nvf_err_prefix("mapping BAR0 of %s", addr);
		goto err_close;
	}
	v->dev.bar0 = bar;
	v->dev.bar0_len = len;
	ret = nvfio_vfio_device_bus_master(v->vdev, true);
	if (ret < 0)
		goto err_close;
	if (nvfio_vfio_device_irq_info(v->vdev, NVFIO_VFIO_PCI_MSIX, &irq) == 0)
		v->dev.nr_vectors = irq.count;
	v->dev.ops = &vfio_ops;
	*out = &v->dev;
	return 0;

err_close:
	nvfio_vfio_device_close(v->vdev);
err_free:
	free(v);
	return ret;
}
