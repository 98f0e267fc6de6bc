/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The container behind an IOMMU context: /dev/vfio/vfio, the groups in it and its IOMMU model.
 * The IOMMU-specific work is done by the backend chosen at nvfio_vfio_container_set_iommu();
 * mapping and the DMA address space are the context's calls (iommu.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "dma/dma.h"
#include "support/error.h"
#include "vfio/vfio.h"

_Static_assert((int)NVFIO_VFIO_TYPE1V2 == (int)VFIO_TYPE1v2_IOMMU, "iommu type");
_Static_assert((int)NVFIO_VFIO_NOIOMMU == (int)VFIO_NOIOMMU_IOMMU, "iommu type");

int nvf_vfio_container_open_at(const struct nvf_vfio_root *root, struct nvfio_vfio_container **out)
{
	struct nvfio_vfio_container *c;
	char path[PATH_MAX];
	int ret, version;

	c = calloc(1, sizeof(*c));
	if (!c)
		return nvf_err(-ENOMEM, "no memory for a VFIO container");
	c->root = root;

	snprintf(path, sizeof(path), "%s/vfio/vfio", root->dev);
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			ret = nvf_err(-NVFIO_ENOVFIO,
				      "%s does not exist: VFIO is not loaded; load it with "
				      "'modprobe vfio-pci' (and bind the device to vfio-pci)",
				      path);
		else
			ret = nvf_err(ret, "cannot open %s: %s", path, strerror(-ret));
		goto err_free;
	}

	version = ioctl(c->fd, VFIO_GET_API_VERSION);
	if (version != VFIO_API_VERSION) {
		ret = nvf_err(-NVFIO_EAPIVERSION,
			      "%s speaks VFIO API version %d, this library version %d", path,
			      version, VFIO_API_VERSION);
		goto err_close;
	}

	*out = c;
	return 0;

err_close:
	close(c->fd);
err_free:
	free(c);
	return ret;
}

/*
 * Forget the DMA address space and the IOMMU model. With @iommu_gone (the last group left, so
 * the kernel released the IOMMU and every mapping with it) the DMA layer's unmaps have nothing
 * left to undo and must not reach the kernel; otherwise they are done for real.
 */
static void container_forget_iommu(struct nvfio_vfio_container *c, bool iommu_gone)
{
	if (iommu_gone)
		c->ops = NULL;
	if (c->dma) {
		nvf_dma_destroy(c->dma);
		c->dma = NULL;
	}
	free(c->iommu.ranges);
	memset(&c->iommu, 0, sizeof(c->iommu));
	free(c->ranges);
	c->ranges = NULL;
	memset(&c->info, 0, sizeof(c->info));
	c->ops = NULL;
}

void nvf_vfio_container_group_joined(struct nvfio_vfio_container *c, struct nvfio_vfio_group *g)
{
	g->container = c;
	g->next = c->groups;
	c->groups = g;
}

void nvf_vfio_container_group_left(struct nvfio_vfio_group *g)
{
	struct nvfio_vfio_container *c = g->container;
	struct nvfio_vfio_group **p;

	for (p = &c->groups; *p; p = &(*p)->next) {
		if (*p == g) {
			*p = g->next;
			break;
		}
	}
	g->container = NULL;
	g->next = NULL;
	if (!c->groups)
		container_forget_iommu(c, true);
}

void nvf_vfio_container_close(struct nvfio_vfio_container *c)
{
	struct nvfio_vfio_group *g, *next;

	for (g = c->groups; g; g = next) {
		next = g->next;
		g->container = NULL;
		g->next = NULL;
	}
	container_forget_iommu(c, false);
	close(c->fd);
	free(c);
}

int nvfio_vfio_container_fd(const struct nvfio_vfio_container *c)
{
	return c->fd;
}

int nvfio_vfio_container_check_extension(const struct nvfio_vfio_container *c, unsigned int ext)
{
	int ret = ioctl(c->fd, VFIO_CHECK_EXTENSION, (unsigned long)ext);

	if (ret < 0)
		return nvf_err(-errno, "VFIO_CHECK_EXTENSION %u: %s", ext, strerror(errno));
	return ret > 0 ? 1 : 0;
}

int nvfio_vfio_container_set_iommu(struct nvfio_vfio_container *c, enum nvfio_vfio_iommu_type t)
{
	const struct nvf_vfio_backend_ops *ops;
	int ret;

	switch (t) {
	case NVFIO_VFIO_TYPE1V2:
		ops = &nvf_vfio_type1v2_ops;
		break;
	case NVFIO_VFIO_NOIOMMU:
		ops = &nvf_vfio_noiommu_ops;
		break;
	default:
		return nvf_err(-EINVAL, "unknown IOMMU type %d", (int)t);
	}
	if (c->ops)
		return nvf_err(-EBUSY, "the container's IOMMU type is already set (%s)",
			       c->ops->name);

	ret = nvfio_vfio_container_check_extension(c, t);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		if (t == NVFIO_VFIO_NOIOMMU)
			return nvf_err(-NVFIO_ENOIOMMUTYPE,
				       "no-IOMMU mode is not enabled: 'echo 1 > "
				       "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode' "
				       "(needs a kernel with CONFIG_VFIO_NOIOMMU), then rebind the "
				       "device to vfio-pci");
		return nvf_err(
		    -NVFIO_ENOIOMMUTYPE,
		    "the kernel offers no type1v2 IOMMU for VFIO: load it with "
		    "'modprobe vfio_iommu_type1' and turn the IOMMU on (intel_iommu=on or "
		    "amd_iommu=on on the kernel command line)");
	}

	if (ioctl(c->fd, VFIO_SET_IOMMU, (unsigned long)t) < 0) {
		ret = -errno;
		if (ret == -EINVAL && !c->groups)
			return nvf_err(ret, "setting the IOMMU type needs a group in the container "
					    "first (nvfio_vfio_group_set_container)");
		if (ret == -EPERM)
			return nvf_err(ret, "%s needs CAP_SYS_RAWIO: run as root", ops->name);
		if (ret == -ENODEV)
			return nvf_err(-NVFIO_ENOIOMMUTYPE,
				       "%s does not fit the container's groups: a no-IOMMU group "
				       "takes only no-IOMMU mode and an IOMMU group only type1v2",
				       ops->name);
		return nvf_err(ret, "VFIO_SET_IOMMU %s: %s", ops->name, strerror(-ret));
	}
	c->ops = ops;
	return 0;
}
