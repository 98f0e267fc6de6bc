/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How a device gets into an IOMMU context: find its group, check it against the context's mode
 * and model, attach the group (once, for every device of it), set the IOMMU model with the first
 * group, and ask the group for the device. nvfio_vfio_open() does it in a context of its own.
 */
#include <errno.h>

#include "support/error.h"
#include "vfio/vfio.h"

/* A device to open, checked: its canonical address and its group. */
struct target {
	char addr[NVFIO_PCI_ADDR_MAX];
	unsigned int group;
	bool noiommu;
};

/* Check @addr (bound to VFIO, in a group) against @mode, stopping at the first thing wrong. */
static int locate(const struct nvf_vfio_root *root, const char *addr,
		  enum nvfio_iommu_open_mode mode, struct target *t)
{
	int ret;

	ret = nvf_vfio_check_mode(mode);
	if (ret < 0)
		return ret;
	ret = nvfio_pci_addr_parse(addr, t->addr);
	if (ret < 0)
		return ret;
	ret = nvf_vfio_check_bound(root, t->addr);
	if (ret < 0)
		return ret;
	ret = nvf_vfio_find_group(root, t->addr, &t->group, &t->noiommu);
	if (ret < 0)
		return ret;
	if (t->noiommu && mode == NVFIO_IOMMU_OPEN_IOMMU)
		return nvf_err(-NVFIO_ENOIOMMUTYPE,
			       "%s is in no-IOMMU group noiommu-%u but an IOMMU was required: turn "
			       "the IOMMU on (intel_iommu=on or amd_iommu=on) and rebind it",
			       t->addr, t->group);
	if (!t->noiommu && mode == NVFIO_IOMMU_OPEN_NOIOMMU)
		return nvf_err(-NVFIO_ENOIOMMUTYPE,
			       "%s is in IOMMU group %u: no-IOMMU mode is only possible with the "
			       "IOMMU off (or the device outside it) and "
			       "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode set",
			       t->addr, t->group);
	return 0;
}

/* The group of @t already in the context's container, or NULL. */
static struct nvfio_vfio_group *attached_group(const struct nvfio_vfio_container *c,
					       const struct target *t)
{
	struct nvfio_vfio_group *g;

	for (g = c->groups; g; g = g->next)
		if (g->id == t->group && g->noiommu == t->noiommu)
			return g;
	return NULL;
}

static int attach(struct nvfio_iommu *ctx, const struct target *t, struct nvfio_vfio_device **out)
{
	enum nvfio_vfio_iommu_type type = t->noiommu ? NVFIO_VFIO_NOIOMMU : NVFIO_VFIO_TYPE1V2;
	struct nvfio_vfio_container *c = ctx->container;
	struct nvfio_vfio_group *g;
	bool opened = false;
	int ret;

	/* One IOMMU model per context: the kernel would refuse the group less clearly. */
	if (c->ops && c->ops->type != type)
		return nvf_err(-NVFIO_ENOIOMMUTYPE,
			       "%s is in %s group %s%u but the IOMMU context is %s: open it in a "
			       "context of its own",
			       t->addr, t->noiommu ? "no-IOMMU" : "IOMMU",
			       t->noiommu ? "noiommu-" : "", t->group, c->ops->name);

	g = attached_group(c, t);
	if (!g) {
		ret = nvf_vfio_group_open_at(ctx->root, t->group, t->noiommu, &g);
		if (ret < 0)
			return ret;
		g->ctx_owned = true;
		opened = true;
		ret = nvfio_vfio_group_set_container(g, c);
		if (ret < 0)
			goto err_group;
	}
	if (!c->ops) {
		ret = nvfio_vfio_container_set_iommu(c, type);
		if (ret < 0)
			goto err_group;
	}
	ret = nvfio_vfio_group_device_open(g, t->addr, out);
	if (ret < 0)
		goto err_group;
	return 0;

	/* Closing the group takes it out of the container; the last one out drops the model. */
err_group:
	if (opened)
		nvfio_vfio_group_close(g);
	return ret;
}

int nvfio_vfio_device_open(struct nvfio_iommu *ctx, const char *addr, unsigned int flags,
			   struct nvfio_vfio_device **dev)
{
	struct target t;
	int ret;

	if (flags)
		return nvf_err(-EINVAL, "nvfio_vfio_device_open: unknown flags 0x%x (pass 0)",
			       flags);
	ret = locate(ctx->root, addr, ctx->mode, &t);
	if (ret < 0)
		return ret;
	return attach(ctx, &t, dev);
}

int nvf_vfio_open_at(const struct nvf_vfio_root *root, const char *addr,
		     enum nvfio_iommu_open_mode mode, struct nvfio_vfio_device **out)
{
	struct nvfio_iommu *ctx;
	struct target t;
	int ret;

	/* The device first: what is wrong with it says more than a missing /dev/vfio/vfio. */
	ret = locate(root, addr, mode, &t);
	if (ret < 0)
		return ret;
	ret = nvf_vfio_iommu_open_at(root, mode, &ctx);
	if (ret < 0)
		return ret;
	ret = attach(ctx, &t, out);
	if (ret < 0) {
		nvfio_iommu_close(ctx);
		return ret;
	}
	(*out)->owns_ctx = true;
	return 0;
}

int nvfio_vfio_open(const char *addr, enum nvfio_iommu_open_mode mode,
		    struct nvfio_vfio_device **dev)
{
	return nvf_vfio_open_at(&nvf_vfio_root_default, addr, mode, dev);
}
