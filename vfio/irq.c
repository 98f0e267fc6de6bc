/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupts: VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS. A vector is bound to an eventfd
 * that the kernel signals when the device raises it.
 *
 * The kernel's rules (vfio-pci): DATA_EVENTFD with fd -1 releases one vector; DATA_NONE with
 * count 0 disables a whole index; DATA_NONE with a count > 0 does not release anything, it
 * signals the bound eventfds (loopback). MSI/MSI-X is enabled with start + count vectors by the
 * first DATA_EVENTFD call, and before Linux 6.5 that set cannot grow without disabling the index.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "support/error.h"
#include "vfio/vfio.h"

_Static_assert((int)NVFIO_VFIO_PCI_INTX == (int)VFIO_PCI_INTX_IRQ_INDEX, "irq index");
_Static_assert((int)NVFIO_VFIO_PCI_MSI == (int)VFIO_PCI_MSI_IRQ_INDEX, "irq index");
_Static_assert((int)NVFIO_VFIO_PCI_MSIX == (int)VFIO_PCI_MSIX_IRQ_INDEX, "irq index");
_Static_assert((int)NVFIO_VFIO_PCI_ERR == (int)VFIO_PCI_ERR_IRQ_INDEX, "irq index");
_Static_assert((int)NVFIO_VFIO_PCI_REQ == (int)VFIO_PCI_REQ_IRQ_INDEX, "irq index");
_Static_assert((int)NVFIO_VFIO_IRQ_EVENTFD == (int)VFIO_IRQ_INFO_EVENTFD, "irq flags");
_Static_assert((int)NVFIO_VFIO_IRQ_MASKABLE == (int)VFIO_IRQ_INFO_MASKABLE, "irq flags");
_Static_assert((int)NVFIO_VFIO_IRQ_AUTOMASKED == (int)VFIO_IRQ_INFO_AUTOMASKED, "irq flags");
_Static_assert((int)NVFIO_VFIO_IRQ_NORESIZE == (int)VFIO_IRQ_INFO_NORESIZE, "irq flags");

static const char *irq_name(unsigned int index)
{
	static const char *const names[] = {"INTx", "MSI", "MSI-X", "ERR", "REQ"};

	return index < 5 ? names[index] : "device-specific";
}

int nvfio_vfio_device_irq_info(const struct nvfio_vfio_device *dev, unsigned int index,
			       struct nvfio_vfio_irq_info *info)
{
	struct vfio_irq_info ii = {.argsz = sizeof(ii), .index = index};

	if (index >= dev->info.num_irqs)
		return nvf_err(-NVFIO_ENOIRQ, "%s has no interrupt index %u (it has %u)", dev->addr,
			       index, dev->info.num_irqs);
	if (ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) < 0) {
		if (errno == EINVAL)
			return nvf_err(-NVFIO_ENOIRQ, "%s has no %s interrupts", dev->addr,
				       irq_name(index));
		return nvf_err(-errno, "VFIO_DEVICE_GET_IRQ_INFO %u of %s: %s", index, dev->addr,
			       strerror(errno));
	}
	info->index = index;
	info->flags = ii.flags;
	info->count = ii.count;
	return 0;
}

/*
 * Check that every descriptor of @fds is an eventfd (or -1) before the kernel sees them: the
 * kernel releases a vector's old eventfd before it looks at the new one, so a bad descriptor
 * would silently unbind a vector that was working.
 */
static int check_eventfds(struct nvfio_vfio_device *dev, unsigned int index, unsigned int start,
			  unsigned int count, const int *fds)
{
	char path[64], target[64];

	if (count && !fds)
		return nvf_err(-EINVAL, "%s vectors [%u, %u) of %s: no eventfds given (NULL)",
			       irq_name(index), start, start + count, dev->addr);
	for (unsigned int i = 0; i < count; i++) {
		ssize_t n;

		if (fds[i] == -1)
			continue;
		if (fds[i] < 0 || fcntl(fds[i], F_GETFD) < 0)
			return nvf_err(-EBADF,
				       "%s vector %u of %s: %d is not an open file descriptor",
				       irq_name(index), start + i, dev->addr, fds[i]);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue; /* no /proc: the kernel will judge */
		target[n] = '\0';
		if (strcmp(target, "anon_inode:[eventfd]") != 0)
			return nvf_err(-EINVAL,
				       "%s vector %u of %s: descriptor %d is %s, not an eventfd",
				       irq_name(index), start + i, dev->addr, fds[i], target);
	}
	return 0;
}

/* One VFIO_DEVICE_SET_IRQS; @fds holds @count eventfds when @flags has DATA_EVENTFD. */
static int set_irqs(struct nvfio_vfio_device *dev, uint32_t flags, unsigned int index,
		    unsigned int start, unsigned int count, const int *fds)
{
	size_t data = (flags & VFIO_IRQ_SET_DATA_EVENTFD) ? (size_t)count * sizeof(int32_t) : 0;
	struct vfio_irq_set *set;
	int ret = 0;

	set = calloc(1, sizeof(*set) + data);
	if (!set)
		return nvf_err(-ENOMEM, "no memory for VFIO_DEVICE_SET_IRQS");
	set->argsz = (uint32_t)(sizeof(*set) + data);
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (data)
		for (unsigned int i = 0; i < count; i++)
			((int32_t *)set->data)[i] = fds[i];
	if (ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set) < 0) {
		ret = -errno;
		switch (ret) {
		case -EBADF:
			nvf_err(ret,
				"%s vectors [%u, %u) of %s: a file descriptor is not open "
				"(closed by another thread meanwhile?)",
				irq_name(index), start, start + count, dev->addr);
			break;
		case -ENOSPC:
			nvf_err(ret, "enabling %s on %s: the host is out of interrupt vectors",
				irq_name(index), dev->addr);
			break;
		case -EINVAL:
			nvf_err(ret,
				"%s vectors [%u, %u) of %s: refused (out of range, or another "
				"interrupt index is enabled)",
				irq_name(index), start, start + count, dev->addr);
			break;
		default:
			nvf_err(ret, "VFIO_DEVICE_SET_IRQS %s of %s: %s", irq_name(index),
				dev->addr, strerror(-ret));
			break;
		}
	}
	free(set);
	return ret;
}

/* An array of @n eventfds, all -1 (no eventfd: the vector is released), to fill in. */
static int *unbound_fds(unsigned int n)
{
	int *fds = malloc(n * sizeof(*fds));

	if (!fds) {
		nvf_err(-ENOMEM, "no memory for %u MSI-X vectors", n);
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++)
		fds[i] = -1;
	return fds;
}

/* Check [start, start + count) against the vectors of @index. */
static int check_range(struct nvfio_vfio_device *dev, unsigned int index, unsigned int start,
		       unsigned int count, struct nvfio_vfio_irq_info *info)
{
	int ret;

	ret = nvfio_vfio_device_irq_info(dev, index, info);
	if (ret < 0)
		return ret;
	if (!info->count)
		return nvf_err(-NVFIO_ENOIRQ, "%s has no %s interrupts", dev->addr,
			       irq_name(index));
	if (start >= info->count || count > info->count - start)
		return nvf_err(-NVFIO_ENOIRQ, "%s vectors [%u, %u) exceed the %u of %s",
			       irq_name(index), start, start + count, info->count, dev->addr);
	return 0;
}

int nvfio_vfio_device_msix_bind(struct nvfio_vfio_device *dev, unsigned int start,
				unsigned int count, const int *fds)
{
	struct nvfio_vfio_irq_info info = { 0 };
	int *all, ret;

	if (!count)
		return 0;
	ret = check_range(dev, VFIO_PCI_MSIX_IRQ_INDEX, start, count, &info);
	if (ret < 0)
		return ret;
	ret = check_eventfds(dev, VFIO_PCI_MSIX_IRQ_INDEX, start, count, fds);
	if (ret < 0)
		return ret;
	if (dev->msix_enabled) {
		/* Only the vectors given: enabling all of them again would release the others.
		 * Past the enabled set (nvfio_vfio_device_irq_set_eventfds() enabled fewer),
		 * kernels before 6.5 refuse and later ones add the vectors. */
		ret = set_irqs(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			       VFIO_PCI_MSIX_IRQ_INDEX, start, count, fds);
		if (ret == -EINVAL && start + count > dev->msix_enabled)
			return nvf_err(ret,
				       "MSI-X of %s is enabled with %u vectors and this kernel "
				       "cannot add vectors [%u, %u) to it: disable MSI-X first "
				       "(nvfio_vfio_device_irq_disable), then bind",
				       dev->addr, dev->msix_enabled, start, start + count);
		if (ret == 0 && start + count > dev->msix_enabled)
			dev->msix_enabled = start + count;
		return ret;
	}

	/* First bind: enable every vector at once, since older kernels fix the set here. */
	all = unbound_fds(info.count);
	if (!all)
		return -ENOMEM;
	memcpy(all + start, fds, count * sizeof(*fds));
	ret = set_irqs(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		       VFIO_PCI_MSIX_IRQ_INDEX, 0, info.count, all);
	free(all);
	if (ret == 0)
		dev->msix_enabled = info.count;
	return ret;
}

int nvfio_vfio_device_msix_unbind(struct nvfio_vfio_device *dev, unsigned int start,
				  unsigned int count)
{
	struct nvfio_vfio_irq_info info = { 0 };
	int *none, ret;

	if (!count)
		return 0;
	ret = check_range(dev, VFIO_PCI_MSIX_IRQ_INDEX, start, count, &info);
	if (ret < 0)
		return ret;
	/* Vectors outside the enabled set are bound to nothing, and the kernel refuses them. */
	if (start >= dev->msix_enabled)
		return 0;
	if (count > dev->msix_enabled - start)
		count = dev->msix_enabled - start;
	none = unbound_fds(count);
	if (!none)
		return -ENOMEM;
	ret = set_irqs(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		       VFIO_PCI_MSIX_IRQ_INDEX, start, count, none);
	free(none);
	return ret;
}

int nvfio_vfio_device_irq_set_eventfds(struct nvfio_vfio_device *dev, unsigned int index,
				       unsigned int start, unsigned int count, const int *fds)
{
	struct nvfio_vfio_irq_info info = { 0 };
	int ret;

	if (!count)
		return 0;
	ret = check_range(dev, index, start, count, &info);
	if (ret < 0)
		return ret;
	ret = check_eventfds(dev, index, start, count, fds);
	if (ret < 0)
		return ret;
	ret = set_irqs(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, index, start,
		       count, fds);
	if (ret == 0 && index == VFIO_PCI_MSIX_IRQ_INDEX && !dev->msix_enabled)
		dev->msix_enabled = start + count;
	return ret;
}

int nvfio_vfio_device_irq_disable(struct nvfio_vfio_device *dev, unsigned int index)
{
	struct nvfio_vfio_irq_info info = { 0 };
	int ret;

	ret = nvfio_vfio_device_irq_info(dev, index, &info);
	if (ret < 0)
		return ret;
	ret =
	    set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, NULL);
	if (ret == 0 && index == VFIO_PCI_MSIX_IRQ_INDEX)
		dev->msix_enabled = 0;
	return ret;
}

int nvfio_vfio_device_irq_trigger(struct nvfio_vfio_device *dev, unsigned int index,
				  unsigned int start, unsigned int count)
{
	struct nvfio_vfio_irq_info info = { 0 };
	int ret;

	if (!count)
		return 0;
	ret = check_range(dev, index, start, count, &info);
	if (ret < 0)
		return ret;
	return set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, index, start,
			count, NULL);
}

int nvfio_vfio_device_irq_unmask(struct nvfio_vfio_device *dev, unsigned int index)
{
	struct nvfio_vfio_irq_info info = { 0 };
	int ret;

	ret = check_range(dev, index, 0, 1, &info);
	if (ret < 0)
		return ret;
	return set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, index, 0, 1,
			NULL);
}

int nvfio_vfio_device_irq_unmask_eventfd(struct nvfio_vfio_device *dev, unsigned int index, int fd)
{
	struct nvfio_vfio_irq_info info = { 0 };
	int ret;

	ret = check_range(dev, index, 0, 1, &info);
	if (ret < 0)
		return ret;
	ret = check_eventfds(dev, index, 0, 1, &fd);
	if (ret < 0)
		return ret;
	return set_irqs(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK, index, 0, 1,
			&fd);
}
