/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the kernel says about PCI devices outside the VFIO ioctls: PCI addresses, the sysfs
 * driver and iommu_group links, the members of a group, /proc/interrupts.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/error.h"
#include "vfio/vfio.h"

const struct nvf_vfio_root nvf_vfio_root_default = {
    .sys = "/sys",
    .dev = "/dev",
    .proc = "/proc",
};

/* Take exactly @min..@max hex digits from *@s; -1 if there are fewer or more. */
static long take_hex(const char **s, int min, int max)
{
	long v = 0;
	int n = 0;

	while (isxdigit((unsigned char)**s)) {
		if (++n > max)
			return -1;
		v = v * 16 + (isdigit((unsigned char)**s) ? **s - '0' : (tolower(**s) - 'a' + 10));
		(*s)++;
	}
	return n < min ? -1 : v;
}

int nvfio_pci_addr_parse(const char *addr, char out[NVFIO_PCI_ADDR_MAX])
{
	long dom = 0, bus, dev, fn;
	const char *s = addr;
	const char *second;

	if (!addr) {
		addr = "(null)";
		goto bad;
	}

	/* Two colons: the domain is present; one: it is 0. */
	second = strchr(addr, ':');
	if (second && strchr(second + 1, ':')) {
		dom = take_hex(&s, 4, 8);
		if (dom < 0 || *s++ != ':')
			goto bad;
	}
	bus = take_hex(&s, 2, 2);
	if (bus < 0 || *s++ != ':')
		goto bad;
	dev = take_hex(&s, 2, 2);
	if (dev < 0 || dev > 0x1f || *s++ != '.')
		goto bad;
	fn = take_hex(&s, 1, 1);
	if (fn < 0 || fn > 7 || *s != '\0')
		goto bad;

	if (out) {
		char tmp[48]; /* the digit counts above keep it within NVFIO_PCI_ADDR_MAX */

		snprintf(tmp, sizeof(tmp), "%04lx:%02lx:%02lx.%lx", dom, bus, dev, fn);
		memcpy(out, tmp, strlen(tmp) + 1);
	}
	return 0;
bad:
	return nvf_err(-NVFIO_EBADADDR,
		       "'%.64s' is not a PCI address: write it as DDDD:BB:DD.F (0000:01:00.0) or "
		       "BB:DD.F (01:00.0), as lspci -D shows it",
		       addr);
}

int nvf_vfio_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* The last path component of symlink @path into @out: 0, or -errno (-ENOENT: no link). */
static int link_basename(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

bool nvf_vfio_driver_is_vfio(const char *drv)
{
	/* vfio-pci itself, and the vendor variants (mlx5_vfio_pci, hisi_acc_vfio_pci, ...). */
	return strcmp(drv, "vfio-pci") == 0 || strstr(drv, "vfio_pci") || strstr(drv, "vfio-pci");
}

/* Drivers that leave a group viable: they never let the device do DMA for the kernel. */
static bool driver_keeps_viable(const char *drv)
{
	return !drv[0] || nvf_vfio_driver_is_vfio(drv) || strcmp(drv, "pci-stub") == 0 ||
	       strcmp(drv, "pcieport") == 0;
}

/*
 * The last path component of the link @name in the sysfs directory of device @addr: 0,
 * -NVFIO_ENODEVICE (no such device), -ENOENT (no such link) or another -errno.
 */
static int device_link(const struct nvf_vfio_root *root, const char *addr, const char *name,
		       char *out, size_t len)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root->sys, addr);
	if (stat(path, &st) < 0)
		return errno == ENOENT ? -NVFIO_ENODEVICE : -errno;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", root->sys, addr, name);
	return link_basename(path, out, len);
}

int nvf_vfio_sysfs_driver(const struct nvf_vfio_root *root, const char *addr, char *drv, size_t len)
{
	int ret = device_link(root, addr, "driver", drv, len);

	if (ret == -ENOENT) {
		drv[0] = '\0';
		return 0;
	}
	return ret;
}

bool nvf_vfio_sysfs_group_is_noiommu(const struct nvf_vfio_root *root, unsigned int id)
{
	char path[PATH_MAX], name[64];

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%u/name", root->sys, id);
	return nvf_vfio_read_file(path, name, sizeof(name)) == 0 &&
	       strcmp(name, "vfio-noiommu") == 0;
}

int nvf_vfio_sysfs_group(const struct nvf_vfio_root *root, const char *addr, unsigned int *id,
			 bool *noiommu)
{
	char name[32], *end;
	unsigned long v;
	int ret;

	ret = device_link(root, addr, "iommu_group", name, sizeof(name));
	if (ret == -ENOENT)
		return -NVFIO_ENOGROUP;
	if (ret < 0)
		return ret;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno || end == name || *end || v > UINT_MAX)
		return -EPROTO;
	*id = (unsigned int)v;
	if (noiommu)
		*noiommu = nvf_vfio_sysfs_group_is_noiommu(root, *id);
	return 0;
}

static int err_no_device(const char *addr)
{
	return nvf_err(-NVFIO_ENODEVICE, "no PCI device %s: check the address with lspci -D", addr);
}

int nvf_vfio_find_group(const struct nvf_vfio_root *root, const char *addr, unsigned int *id,
			bool *noiommu)
{
	int ret = nvf_vfio_sysfs_group(root, addr, id, noiommu);

	if (ret == -NVFIO_ENODEVICE)
		return err_no_device(addr);
	if (ret == -NVFIO_ENOGROUP)
		return nvf_err(
		    ret,
		    "%s has no IOMMU group: turn the IOMMU on (intel_iommu=on or "
		    "amd_iommu=on on the kernel command line), or allow no-IOMMU mode "
		    "('echo 1 > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode', "
		    "or 'modprobe vfio enable_unsafe_noiommu_mode=1' before vfio-pci "
		    "loads) and rebind it to vfio-pci",
		    addr);
	if (ret < 0)
		return nvf_err(ret, "reading the IOMMU group of %s from sysfs: %s", addr,
			       nvfio_strerror(ret));
	return 0;
}

int nvf_vfio_check_bound(const struct nvf_vfio_root *root, const char *addr)
{
	char drv[64];
	int ret;

	ret = nvf_vfio_sysfs_driver(root, addr, drv, sizeof(drv));
	if (ret == -NVFIO_ENODEVICE)
		return err_no_device(addr);
	if (ret < 0)
		return nvf_err(ret, "reading the driver of %s from sysfs: %s", addr,
			       strerror(-ret));
	if (!drv[0])
		return nvf_err(-NVFIO_ENOTVFIO,
			       "%s is bound to no driver, not vfio-pci: bind it with "
			       "'modprobe vfio-pci; echo vfio-pci > "
			       "/sys/bus/pci/devices/%s/driver_override; "
			       "echo %s > /sys/bus/pci/drivers_probe'",
			       addr, addr, addr);
	if (!nvf_vfio_driver_is_vfio(drv))
		return nvf_err(-NVFIO_ENOTVFIO,
			       "%s is bound to %s, not vfio-pci: rebind it with "
			       "'modprobe vfio-pci; echo vfio-pci > "
			       "/sys/bus/pci/devices/%s/driver_override; "
			       "echo %s > /sys/bus/pci/devices/%s/driver/unbind; "
			       "echo %s > /sys/bus/pci/drivers_probe'",
			       addr, drv, addr, addr, addr, addr);
	return 0;
}

int nvf_vfio_group_blockers(const struct nvf_vfio_root *root, unsigned int id, char *buf,
			    size_t len)
{
	char path[PATH_MAX], drv[64];
	struct dirent *de;
	size_t used = 0;
	int found = 0;
	DIR *dir;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%u/devices", root->sys, id);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		if (nvf_vfio_sysfs_driver(root, de->d_name, drv, sizeof(drv)) < 0)
			continue;
		if (driver_keeps_viable(drv))
			continue;
		n = snprintf(buf + used, len - used, "%s%s (bound to %s)", found ? ", " : "",
			     de->d_name, drv);
		found++;
		if (n < 0 || (size_t)n >= len - used)
			used = len - 1;
		else
			used += (size_t)n;
	}
	closedir(dir);
	return found;
}

int nvf_vfio_err_not_viable(const struct nvf_vfio_root *root, unsigned int id)
{
	char blockers[512];
	int n;

	n = nvf_vfio_group_blockers(root, id, blockers, sizeof(blockers));
	if (n > 0)
		return nvf_err(
		    -NVFIO_ENOTVIABLE,
		    "IOMMU group %u is not viable: it also holds %s; every device of the "
		    "group must be bound to vfio-pci or to no driver: for each, 'echo "
		    "vfio-pci > /sys/bus/pci/devices/<addr>/driver_override; echo <addr> "
		    "> /sys/bus/pci/devices/<addr>/driver/unbind; echo <addr> > "
		    "/sys/bus/pci/drivers_probe' (ls /sys/kernel/iommu_groups/%u/devices)",
		    id, blockers, id);
	return nvf_err(-NVFIO_ENOTVIABLE,
		       "IOMMU group %u is not viable: a device of the group is used by a host "
		       "driver; bind every device in /sys/kernel/iommu_groups/%u/devices to "
		       "vfio-pci or unbind it",
		       id, id);
}

int nvf_vfio_parse_interrupts(const char *text, const char *addr, unsigned int vector)
{
	char needle[64];
	size_t nlen;
	const char *line;

	nlen = (size_t)snprintf(needle, sizeof(needle), "vfio-msix[%u](%s)", vector, addr);
	/* Cut short, the name would be searched for past the buffer: an address this long (a
	 * canonical one is at most 16 characters) names no device. */
	if (nlen >= sizeof(needle))
		return -NVFIO_ENOIRQ;
	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *eol = strchr(line, '\n');
		const char *p = line, *hit;
		long irq = 0;
		bool digits = false;

		if (!eol)
			eol = line + strlen(line);
		/* "  45:  0  0  IR-PCI-MSIX-0000:01:00.0  0-edge  vfio-msix[0](0000:01:00.0)":
		 * the IRQ number, then per-CPU counts, chip, hwirq, handler names. Lines such as
		 * "NMI:" or "LOC:" have no number and are skipped. */
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		while (p < eol && isdigit((unsigned char)*p)) {
			irq = irq * 10 + (*p++ - '0');
			digits = true;
			if (irq > INT_MAX)
				break;
		}
		if (!digits || p >= eol || *p != ':' || irq > INT_MAX)
			continue;
		for (hit = p; (hit = memmem(hit, (size_t)(eol - hit), needle, nlen)); hit += nlen) {
			char before = hit[-1], after = hit[nlen];

			/* A shared line lists names separated by ", "; match whole names only. */
			if ((before == ' ' || before == '\t' || before == ',') &&
			    (after == '\0' || after == '\n' || after == ' ' || after == ','))
				return (int)irq;
		}
	}
	return -NVFIO_ENOIRQ;
}

int nvf_vfio_msix_host_irq_at(const struct nvf_vfio_root *root, const char *addr,
			      unsigned int vector)
{
	char path[PATH_MAX], *text = NULL;
	size_t cap = 0, used = 0;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/interrupts", root->proc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nvf_err(-errno, "cannot read %s: %s", path, strerror(errno));
	for (;;) {
		ssize_t n;

		if (cap - used < 4096) {
			char *t = realloc(text, cap + 65536);

			if (!t) {
				ret = nvf_err(-ENOMEM, "no memory to read %s", path);
				goto out;
			}
			text = t;
			cap += 65536;
		}
		n = read(fd, text + used, cap - used - 1);
		if (n < 0) {
			ret = nvf_err(-errno, "reading %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	text[used] = '\0';
	ret = nvf_vfio_parse_interrupts(text, addr, vector);
	if (ret < 0)
		nvf_err(ret,
			"no vfio-msix[%u](%s) line in %s: the vector is not bound to an eventfd "
			"(nvfio_vfio_device_msix_bind)",
			vector, addr, path);
out:
	free(text);
	close(fd);
	return ret;
}

int nvfio_vfio_msix_host_irq(const char *addr, unsigned int vector)
{
	char canon[NVFIO_PCI_ADDR_MAX];
	int ret;

	ret = nvfio_pci_addr_parse(addr, canon);
	if (ret < 0)
		return ret;
	return nvf_vfio_msix_host_irq_at(&nvf_vfio_root_default, canon, vector);
}

int nvfio_vfio_noiommu_enabled(void)
{
	char v[16];
	int ret;

	ret = nvf_vfio_read_file("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", v,
				 sizeof(v));
	if (ret < 0)
		return nvf_err(-NVFIO_ENOVFIO,
			       "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode is missing: "
			       "the vfio module is not loaded (modprobe vfio-pci) or was built "
			       "without CONFIG_VFIO_NOIOMMU");
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
}

int nvfio_vfio_group_of_device(const char *addr, unsigned int *id, bool *noiommu)
{
	char canon[NVFIO_PCI_ADDR_MAX];
	int ret;

	ret = nvfio_pci_addr_parse(addr, canon);
	if (ret < 0)
		return ret;
	return nvf_vfio_find_group(&nvf_vfio_root_default, canon, id, noiommu);
}
