/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Groups: /dev/vfio/N (or /dev/vfio/noiommu-N), the unit the IOMMU isolates, joined to a
 * container before any of its devices can be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "support/error.h"
#include "vfio/vfio.h"

_Static_assert((int)NVFIO_VFIO_GROUP_VIABLE == (int)VFIO_GROUP_FLAGS_VIABLE, "group flags");
_Static_assert((int)NVFIO_VFIO_GROUP_CONTAINER_SET == (int)VFIO_GROUP_FLAGS_CONTAINER_SET,
	       "group flags");

int nvf_vfio_group_open_at(const struct nvf_vfio_root *root, unsigned int id, bool noiommu,
			   struct nvfio_vfio_group **out)
{
	struct nvfio_vfio_group *g;
	char path[PATH_MAX];
	int ret;

	g = calloc(1, sizeof(*g));
	if (!g)
		return nvf_err(-ENOMEM, "no memory for a VFIO group");
	g->id = id;
	g->noiommu = noiommu;
	g->root = root;

	snprintf(path, sizeof(path), "%s/vfio/%s%u", root->dev, noiommu ? "noiommu-" : "", id);
	g->fd = open(path, O_RDWR | O_CLOEXEC);
	if (g->fd < 0) {
		ret = -errno;
		switch (ret) {
		case -ENOENT:
			ret = nvf_err(-NVFIO_ENOGROUP,
				      "%s does not exist: no device of IOMMU group %u is bound to "
				      "vfio-pci%s",
				      path, id,
				      noiommu ? " in no-IOMMU mode"
					      : " (or the group is a no-IOMMU one: noiommu-N)");
			break;
		case -EBUSY:
			ret = nvf_err(-NVFIO_EGROUPBUSY,
				      "%s is already open, by another process or another container "
				      "of this one: 'fuser -v %s' shows who holds it",
				      path, path);
			break;
		case -EACCES:
		case -EPERM:
			ret =
			    nvf_err(ret, "no permission to open %s: %s", path,
				    noiommu ? "no-IOMMU mode needs root (CAP_SYS_RAWIO)"
					    : "run as root, or give the group file to the user "
					      "('chown <user> /dev/vfio/N') and raise its memlock "
					      "limit");
			break;
		default:
			ret = nvf_err(ret, "cannot open %s: %s", path, strerror(-ret));
			break;
		}
		free(g);
		return ret;
	}
	*out = g;
	return 0;
}

int nvfio_vfio_group_open(unsigned int id, struct nvfio_vfio_group **g)
{
	return nvf_vfio_group_open_at(&nvf_vfio_root_default, id, false, g);
}

int nvfio_vfio_group_open_name(const char *name, struct nvfio_vfio_group **g)
{
	const char *num = name;
	bool noiommu = false;
	unsigned long id;
	char *end;

	if (name && strncmp(name, "noiommu-", 8) == 0) {
		noiommu = true;
		num = name + 8;
	}
	if (!num || *num < '0' || *num > '9')
		goto bad;
	errno = 0;
	id = strtoul(num, &end, 10);
	if (errno || *end || id > UINT_MAX)
		goto bad;
	return nvf_vfio_group_open_at(&nvf_vfio_root_default, (unsigned int)id, noiommu, g);
bad:
	return nvf_err(-EINVAL, "'%.64s' is not a VFIO group name: N or noiommu-N, as in /dev/vfio",
		       name ? name : "(null)");
}

void nvfio_vfio_group_close(struct nvfio_vfio_group *g)
{
	if (!g)
		return;
	/* Quietly: close runs on error paths whose message must survive. If devices are still
	 * open the unset fails, and the kernel takes the group out of the container when the
	 * last of them closes; the bookkeeping follows now either way. */
	if (g->container) {
		ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
		nvf_vfio_container_group_left(g);
	}
	close(g->fd);
	free(g);
}

int nvfio_vfio_group_fd(const struct nvfio_vfio_group *g)
{
	return g->fd;
}

unsigned int nvfio_vfio_group_id(const struct nvfio_vfio_group *g)
{
	return g->id;
}

bool nvfio_vfio_group_is_noiommu(const struct nvfio_vfio_group *g)
{
	return g->noiommu;
}

int nvfio_vfio_group_status(const struct nvfio_vfio_group *g)
{
	struct vfio_group_status st = {.argsz = sizeof(st)};

	if (ioctl(g->fd, VFIO_GROUP_GET_STATUS, &st) < 0)
		return nvf_err(-errno, "VFIO_GROUP_GET_STATUS of group %u: %s", g->id,
			       strerror(errno));
	return (int)(st.flags & (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET));
}

int nvfio_vfio_group_set_container(struct nvfio_vfio_group *g, struct nvfio_vfio_container *c)
{
	int st, ret;

	if (g->container)
		return nvf_err(-EBUSY, "IOMMU group %u is already in a container", g->id);
	st = nvfio_vfio_group_status(g);
	if (st < 0)
		return st;
	if (!(st & NVFIO_VFIO_GROUP_VIABLE))
		return nvf_vfio_err_not_viable(g->root, g->id);
	if (st & NVFIO_VFIO_GROUP_CONTAINER_SET)
		return nvf_err(-EBUSY,
			       "IOMMU group %u is already in a container (opened elsewhere "
			       "in this process)",
			       g->id);

	if (ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd) < 0) {
		ret = -errno;
		if (ret == -EPERM)
			return nvf_vfio_err_not_viable(g->root, g->id);
		return nvf_err(ret, "adding IOMMU group %u to the container: %s", g->id,
			       strerror(-ret));
	}
	nvf_vfio_container_group_joined(c, g);
	return 0;
}

int nvfio_vfio_group_unset_container(struct nvfio_vfio_group *g)
{
	if (!g->container)
		return nvf_err(-EINVAL, "IOMMU group %u is not in a container", g->id);
	if (ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER) < 0) {
		int ret = -errno;

		if (ret == -EBUSY)
			return nvf_err(ret,
				       "IOMMU group %u cannot leave its container while its "
				       "devices are open: close them first",
				       g->id);
		return nvf_err(ret, "VFIO_GROUP_UNSET_CONTAINER of group %u: %s", g->id,
			       strerror(-ret));
	}
	nvf_vfio_container_group_left(g);
	return 0;
}

int nvf_vfio_group_device_fd(struct nvfio_vfio_group *g, const char *addr, int *fd)
{
	const struct timespec delay = {.tv_nsec = 250000000L};
	unsigned int other;
	int ret;

	ret = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, addr);
	if (ret < 0 && errno == ENODEV) {
		/* Some kernels (6.1 among them) make a freshly bound device visible in sysfs and
		 * /dev/vfio before adding it to the group's list: wait once and ask again. */
		nanosleep(&delay, NULL);
		ret = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, addr);
	}
	if (ret >= 0) {
		*fd = ret;
		return 0;
	}

	ret = -errno;
	switch (ret) {
	case -ENODEV:
		if (nvf_vfio_sysfs_group(g->root, addr, &other, NULL) == 0 && other != g->id)
			return nvf_err(-NVFIO_ENODEVICE, "%s is in IOMMU group %u, not in group %u",
				       addr, other, g->id);
		return nvf_err(-NVFIO_ENODEVICE, "%s is not a VFIO device of IOMMU group %u", addr,
			       g->id);
	case -EINVAL:
		return nvf_err(ret,
			       "cannot open %s: group %u must be in a container whose IOMMU "
			       "type is set",
			       addr, g->id);
	case -EPERM:
		return nvf_err(ret, "no permission to open %s%s", addr,
			       g->noiommu ? ": no-IOMMU mode needs root (CAP_SYS_RAWIO)" : "");
	default:
		return nvf_err(ret, "VFIO_GROUP_GET_DEVICE_FD %s: %s", addr, strerror(-ret));
	}
}
