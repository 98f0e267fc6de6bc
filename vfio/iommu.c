/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IOMMU context: the address space its devices share, with its mappings and the DMA layer's
 * view of it. Today a context is a VFIO container whose backend (type1v2 or no-IOMMU) is chosen
 * by its first device; the calls here only reach it through the backend ops.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dma/dma.h"
#include "support/error.h"
#include "vfio/vfio.h"

int nvf_vfio_check_mode(enum nvfio_iommu_open_mode mode)
{
	if (mode != NVFIO_IOMMU_OPEN_AUTO && mode != NVFIO_IOMMU_OPEN_IOMMU &&
	    mode != NVFIO_IOMMU_OPEN_NOIOMMU)
		return nvf_err(-EINVAL,
			       "unknown IOMMU mode %d: NVFIO_IOMMU_OPEN_AUTO, _IOMMU or _NOIOMMU",
			       (int)mode);
	return 0;
}

int nvf_vfio_iommu_open_at(const struct nvf_vfio_root *root, enum nvfio_iommu_open_mode mode,
			   struct nvfio_iommu **out)
{
	struct nvfio_iommu *ctx;
	int ret;

	ret = nvf_vfio_check_mode(mode);
	if (ret < 0)
		return ret;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return nvf_err(-ENOMEM, "no memory for an IOMMU context");
	ctx->mode = mode;
	ctx->root = root;
	ret = nvf_vfio_container_open_at(root, &ctx->container);
	if (ret < 0) {
		free(ctx);
		return ret;
	}
	ctx->container->ctx = ctx;
	*out = ctx;
	return 0;
}

int nvfio_iommu_open(enum nvfio_iommu_open_mode mode, struct nvfio_iommu **ctx)
{
	return nvf_vfio_iommu_open_at(&nvf_vfio_root_default, mode, ctx);
}

void nvfio_iommu_close(struct nvfio_iommu *ctx)
{
	struct nvfio_vfio_group *g, *next;

	if (!ctx)
		return;
	/* The context's own groups leave first, as a device's close used to take its group: when
	 * the last one goes the kernel has dropped every mapping, and the DMA layer must not
	 * unmap them again. */
	for (g = ctx->container->groups; g; g = next) {
		next = g->next;
		if (g->ctx_owned)
			nvfio_vfio_group_close(g);
	}
	nvf_vfio_container_close(ctx->container);
	free(ctx);
}

struct nvfio_vfio_container *nvfio_iommu_vfio_container(const struct nvfio_iommu *ctx)
{
	return ctx->container;
}

int nvfio_iommu_type(const struct nvfio_iommu *ctx)
{
	const struct nvfio_vfio_container *c = ctx->container;

	return c->ops ? (int)c->ops->type : 0;
}

static int err_no_iommu(void)
{
	return nvf_err(-EINVAL, "the IOMMU context has no IOMMU yet: open a device into it first "
				"(nvfio_vfio_device_open), or set it by hand "
				"(nvfio_vfio_container_set_iommu)");
}

int nvfio_iommu_get_info(struct nvfio_iommu *ctx, struct nvfio_iommu_info *info)
{
	struct nvfio_vfio_container *c = ctx->container;
	int ret;

	if (!c->ops)
		return err_no_iommu();
	ret = c->ops->get_info(c);
	if (ret < 0)
		return ret;
	*info = c->info;
	return 0;
}

int nvfio_iommu_dma_map(struct nvfio_iommu *ctx, void *vaddr, size_t len, uint64_t iova,
			unsigned int flags)
{
	struct nvfio_vfio_container *c = ctx->container;

	if (!c->ops)
		return err_no_iommu();
	return c->ops->dma_map(c, vaddr, len, iova, flags);
}

int nvfio_iommu_dma_unmap(struct nvfio_iommu *ctx, uint64_t iova, size_t len)
{
	struct nvfio_vfio_container *c = ctx->container;

	if (!c->ops)
		return err_no_iommu();
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

	/* The IOMMU went away with every mapping in it (container_forget_iommu(), container.c). */
	if (!c->ops)
		return 0;
	return c->ops->dma_unmap(c, iova, len);
}

static const struct nvf_iommu_ops container_iommu_ops = {
    .map = iommu_map,
    .unmap = iommu_unmap,
};

_Static_assert(sizeof(struct nvf_iommu_range) == sizeof(struct nvfio_iommu_iova_range),
	       "range layouts");

int nvfio_iommu_dma(struct nvfio_iommu *ctx, struct nvfio_dma **dma)
{
	struct nvfio_vfio_container *c = ctx->container;
	struct nvf_iommu *io = &c->iommu;
	int ret;

	if (c->dma) {
		*dma = c->dma;
		return 0;
	}
	if (!c->ops)
		return err_no_iommu();

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
