/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio_vfio_open(): container, group and device for one PCI address, in the mode the machine
 * offers (an IOMMU group, or a vfio-noiommu one) unless the caller insists on one.
 */
#include <errno.h>

#include "support/error.h"
#include "vfio/vfio.h"

int nvf_vfio_open_at(const struct nvf_vfio_root *root, const char *addr, unsigned int flags,
		     struct nvfio_vfio_device **out)
{
	struct nvfio_vfio_container *c = NULL;
	struct nvfio_vfio_group *g = NULL;
	struct nvfio_vfio_device *dev = NULL;
	char canon[NVFIO_PCI_ADDR_MAX];
	enum nvfio_vfio_iommu_type type;
	unsigned int id;
	bool noiommu;
	int ret;

	if ((flags & NVFIO_VFIO_OPEN_IOMMU) && (flags & NVFIO_VFIO_OPEN_NOIOMMU))
		return nvf_err(-EINVAL, "NVFIO_VFIO_OPEN_IOMMU and _NOIOMMU exclude each other");
	ret = nvfio_pci_addr_parse(addr, canon);
	if (ret < 0)
		return ret;
	ret = nvf_vfio_check_bound(root, canon);
	if (ret < 0)
		return ret;

	ret = nvf_vfio_find_group(root, canon, &id, &noiommu);
	if (ret < 0)
		return ret;
	if (noiommu && (flags & NVFIO_VFIO_OPEN_IOMMU))
		return nvf_err(-NVFIO_ENOIOMMUTYPE,
			       "%s is in no-IOMMU group noiommu-%u but an IOMMU was required: turn "
			       "the IOMMU on (intel_iommu=on or amd_iommu=on) and rebind it",
			       canon, id);
	if (!noiommu && (flags & NVFIO_VFIO_OPEN_NOIOMMU))
		return nvf_err(-NVFIO_ENOIOMMUTYPE,
			       "%s is in IOMMU group %u: no-IOMMU mode is only possible with the "
			       "IOMMU off (or the device outside it) and "
			       "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode set",
			       canon, id);
	type = noiommu ? NVFIO_VFIO_NOIOMMU : NVFIO_VFIO_TYPE1V2;

	ret = nvf_vfio_container_open_at(root, &c);
	if (ret < 0)
		return ret;
	ret = nvf_vfio_group_open_at(root, id, noiommu, &g);
	if (ret < 0)
		goto err_container;
	ret = nvfio_vfio_group_set_container(g, c);
	if (ret < 0)
		goto err_group;
	ret = nvfio_vfio_container_set_iommu(c, type);
	if (ret < 0)
		goto err_group;
	ret = nvfio_vfio_device_open(g, canon, &dev);
	if (ret < 0)
		goto err_group;
	dev->owns_group = true;
	*out = dev;
	return 0;

	/* Closing the group takes it out of the container, which drops the IOMMU type. */
err_group:
	nvfio_vfio_group_close(g);
err_container:
	nvfio_vfio_container_close(c);
	return ret;
}

int nvfio_vfio_open(const char *addr, unsigned int flags, struct nvfio_vfio_device **dev)
{
	return nvf_vfio_open_at(&nvf_vfio_root_default, addr, flags, dev);
}

void nvfio_vfio_close(struct nvfio_vfio_device *dev)
{
	nvfio_vfio_device_close(dev);
}
