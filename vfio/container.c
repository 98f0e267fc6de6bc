/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The container: /dev/vfio/vfio, its IOMMU model, and the DMA address space built on it. The
 * IOMMU-specific work is done by the backend chosen at nvfio_vfio_container_set_iommu().
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

int nvfio_vfio_container_open(struct nvfio_vfio_container **c)
{
	return nvf_vfio_container_open_at(&nvf_vfio_root_default, c);
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

void nvfio_vfio_container_close(struct nvfio_vfio_container *c)
{
	struct nvfio_vfio_group *g, *next;

	if (!c)
		return;
	/* Groups still in it (closed in the wrong order) forget it, so that their own close
	 * reaches nothing freed; the kernel keeps the container for them until they close. */
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

int nvfio_vfio_container_iommu_type(const struct nvfio_vfio_container *c)
{
	return c->ops ? (int)c->ops->type : 0;
}

int nvfio_vfio_container_iommu_info(struct nvfio_vfio_container *c,
				    struct nvfio_vfio_iommu_info *info)
{
	int ret;

	if (!c->ops)
		return nvf_err(-EINVAL, "the container's IOMMU type is not set "
					"(nvfio_vfio_container_set_iommu)");
	ret = c->ops->get_info(c);
	if (ret < 0)
		return ret;
	*info = c->info;
	return 0;
}

int nvfio_vfio_container_dma_map(struct nvfio_vfio_container *c, void *vaddr, size_t len,
				 uint64_t iova, unsigned int flags)
{
	if (!c->ops)
		return nvf_err(-EINVAL, "the container's IOMMU type is not set "
					"(nvfio_vfio_container_set_iommu)");
	return c->ops->dma_map(c, vaddr, len, iova, flags);
}

int nvfio_vfio_container_dma_unmap(struct nvfio_vfio_container *c, uint64_t iova, size_t len)
{
	if (!c->ops)
		return nvf_err(-EINVAL, "the container's IOMMU type is not set "
					"(nvfio_vfio_container_set_iommu)");
	return c->ops->dma_unmap(c, iova, len);
}

/* The DMA layer's view of the container: struct nvf_iommu_ops over the backend. */
static int iommu_map(void *ctx, void *vaddr, size_t len, uint64_t iova)
{
	struct nvfio_vfio_container *c = ctx;

	if (!c->ops)
		return nvf_err(-ENODEV, "the container's IOMMU is gone: its last group left it");
	return c->ops->dma_map(c, vaddr, len, iova, 0);
}

static int iommu_unmap(void *ctx, uint64_t iova, size_t len)
{
	struct nvfio_vfio_container *c = ctx;

	/* The IOMMU went away with every mapping in it (see container_forget_iommu()). */
	if (!c->ops)
		return 0;
	return c->ops->dma_unmap(c, iova, len);
}

static const struct nvf_iommu_ops container_iommu_ops = {
    .map = iommu_map,
    .unmap = iommu_unmap,
};

_Static_assert(sizeof(struct nvf_iommu_range) == sizeof(struct nvfio_vfio_iova_range),
	       "range layouts");

int nvfio_vfio_container_dma(struct nvfio_vfio_container *c, struct nvfio_dma **dma)
{
	struct nvf_iommu *io = &c->iommu;
	int ret;

	if (c->dma) {
		*dma = c->dma;
		return 0;
	}
	if (!c->ops)
		return nvf_err(-EINVAL, "the container's IOMMU type is not set "
					"(nvfio_vfio_container_set_iommu)");

	memset(io, 0, sizeof(*io));
	io->name = c->ops->name;
	io->ctx = c;
	if (c->ops->identity_phys) {
		io->identity_phys = true;
	} else {
		io->ops = &container_iommu_ops;
		ret = c->ops->get_info(c);
		if (ret < 0)
			return ret;
		if (c->info.nr_ranges) {
			io->ranges = calloc(c->info.nr_ranges, sizeof(*io->ranges));
			if (!io->ranges)
				return nvf_err(-ENOMEM, "no memory for the IOVA ranges");
			for (uint32_t i = 0; i < c->info.nr_ranges; i++) {
				io->ranges[i].start = c->info.ranges[i].start;
				io->ranges[i].last = c->info.ranges[i].last;
			}
			io->nranges = c->info.nr_ranges;
		}
		io->dma_avail = c->info.has_dma_avail ? c->info.dma_avail : 0;
		io->pgsize_bitmap = c->info.pgsize_bitmap;
	}

	ret = nvf_dma_create(io, &c->dma);
	if (ret < 0) {
		free(io->ranges);
		memset(io, 0, sizeof(*io));
		c->dma = NULL;
		return ret;
	}
	*dma = c->dma;
	return 0;
}
