/* SPDX-License-Identifier: BSD-3-Clause */
/* The device glue of a PCI function bound to vfio-pci, through the public VFIO API. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <nvfio/vfio.h>

#include "nvme/dev.h"
#include "support/error.h"

struct vfio_dev {
	struct nvf_dev dev;
	struct nvfio_vfio_device *vdev;
	int req_efd;	   /* the request interrupt's eventfd, or -1 */
	bool released;	   /* let go of (nvfio_vfio_device_release()) */
	pthread_mutex_t lock; /* the release */
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

/*
 * vfio-pci raises the request interrupt while it waits to take the device back (an unbind, a
 * hot unplug): answer by letting go of it, from whichever thread looks first. A device whose BAR
 * faulted (the VFIO layer's SIGBUS handler put all-ones memory in its place) is let go of too.
 */
static bool vfio_let_go(struct nvf_dev *dev)
{
	struct vfio_dev *v = (struct vfio_dev *)dev;
	uint64_t n;
	bool gone;

	pthread_mutex_lock(&v->lock);
	/* Asked for by vfio-pci, or the device is gone already (a BAR access faulted). */
	if (!v->released &&
	    ((v->req_efd >= 0 && read(v->req_efd, &n, sizeof(n)) == (ssize_t)sizeof(n)) ||
	     nvfio_vfio_device_removed(v->vdev))) {
		if (v->req_efd >= 0)
			nvfio_vfio_device_irq_set_eventfds(v->vdev, NVFIO_VFIO_PCI_REQ, 0, 1,
							   &(int){-1});
		v->released = nvfio_vfio_device_release(v->vdev) == 0;
	}
	gone = v->released;
	pthread_mutex_unlock(&v->lock);
	return gone;
}

static void vfio_close(struct nvf_dev *dev)
{
	struct vfio_dev *v = (struct vfio_dev *)dev;

	if (v->req_efd >= 0) {
		if (!v->released)
			nvfio_vfio_device_irq_set_eventfds(v->vdev, NVFIO_VFIO_PCI_REQ, 0, 1,
							   &(int){-1});
		close(v->req_efd);
	}
	pthread_mutex_destroy(&v->lock);
	if (!v->released)
		nvfio_vfio_device_bus_master(v->vdev, false);
	/* The context's DMA space, the BAR mapping and the interrupts go with the device. */
	nvfio_vfio_device_close(v->vdev);
	free(v);
}

static const struct nvf_dev_ops vfio_ops = {
    .irq_bind = vfio_irq_bind,
    .irq_disable = vfio_irq_disable,
    .close = vfio_close,
    .let_go = vfio_let_go,
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
	v->req_efd = -1;
	pthread_mutex_init(&v->lock, NULL);
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
	/* Where the kernel can ask for the device back, listen (nvf_dev_check() looks). */
	if (nvfio_vfio_device_irq_info(v->vdev, NVFIO_VFIO_PCI_REQ, &irq) == 0 && irq.count) {
		v->req_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (v->req_efd >= 0 && nvfio_vfio_device_irq_set_eventfds(
					   v->vdev, NVFIO_VFIO_PCI_REQ, 0, 1, &v->req_efd) < 0) {
			close(v->req_efd);
			v->req_efd = -1;
		}
	}
	v->dev.ops = &vfio_ops;
	*out = &v->dev;
	return 0;

err_close:
	nvfio_vfio_device_close(v->vdev);
err_free:
	pthread_mutex_destroy(&v->lock);
	free(v);
	return ret;
}
