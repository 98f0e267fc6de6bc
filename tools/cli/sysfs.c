// SPDX-License-Identifier: BSD-3-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "sysfs.h"

static const char *root(const char *env, const char *dflt)
{
	const char *s = getenv(env);

	return s && *s ? s : dflt;
}

const char *cli_procfs(void)
{
	return root("NVFIO_PROC", "/proc");
}

const char *cli_devfs(void)
{
	return root("NVFIO_DEV", "/dev");
}

int cli_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int cli_attr_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return (int)n;
}

int cli_attr_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

int cli_link_name(const char *path, char *buf, size_t size)
{
	char link[PATH_MAX];
	const char *base;
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

bool cli_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* @n hex digits of @s, then @sep (or the end when @sep is 0); the value in @v. */
static const char *hex_field(const char *s, int n, char sep, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return NULL;
		*v = *v * 16 + (unsigned int)(isdigit((unsigned char)s[i])
						  ? s[i] - '0'
						  : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	if (s[n] != sep)
		return NULL;
	return s + n + (sep ? 1 : 0);
}

int cli_pci_addr(const char *arg, char out[CLI_PCI_ADDR_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	const char *p = arg;

	/* The domain is optional (BB:DD.F means domain 0000). */
	if (strlen(arg) == 12 && !(p = hex_field(p, 4, ':', &dom)))
		return -EINVAL;
	if (strlen(p) != 7 || !(p = hex_field(p, 2, ':', &bus)) ||
	    !(p = hex_field(p, 2, '.', &dev)) || !hex_field(p, 1, 0, &fn) || dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, CLI_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static unsigned int attr_hex(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32];

	if (cli_path(path, sizeof(path), "%s/%s", dir, name) ||
	    cli_attr_read(path, buf, sizeof(buf)) < 0)
		return 0;
	return (unsigned int)strtoul(buf, NULL, 16);
}

int cli_pci_read(const char *addr, struct cli_pci *p)
{
	char dir[PATH_MAX], path[PATH_MAX], grp[32];

	memset(p, 0, sizeof(*p));
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	if (cli_path(dir, sizeof(dir), "%s/bus/pci/devices/%s", cli_sysfs(), addr))
		return -ENAMETOOLONG;
	if (cli_path(path, sizeof(path), "%s/class", dir) || !cli_exists(path))
		return -ENODEV;
	p->class = attr_hex(dir, "class");
	p->vendor = attr_hex(dir, "vendor");
	p->device = attr_hex(dir, "device");
	if (cli_path(path, sizeof(path), "%s/driver", dir) == 0)
		cli_link_name(path, p->driver, sizeof(p->driver));
	p->group = -1;
	if (cli_path(path, sizeof(path), "%s/iommu_group", dir) == 0 &&
	    cli_link_name(path, grp, sizeof(grp)) == 0)
		p->group = atoi(grp);
	return 0;
}

bool cli_pci_is_nvme(const struct cli_pci *p)
{
	return p->class >> 8 == CLI_PCI_CLASS_NVME;
}

const char *cli_pci_driver_str(const struct cli_pci *p)
{
	return p->driver[0] ? p->driver : "no driver";
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The entries of @dir named as PCI addresses, sorted; the count or -errno. */
static int list_addrs(const char *dir, char (**out)[CLI_PCI_ADDR_LEN])
{
	char(*v)[CLI_PCI_ADDR_LEN] = NULL;
	struct dirent *e;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);

	*out = NULL;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char addr[CLI_PCI_ADDR_LEN];

		if (cli_pci_addr(e->d_name, addr))
			continue;
		if (n == cap) {
			void *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		memcpy(v[n++], addr, sizeof(addr));
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_addr);
	*out = v;
	return (int)n;
}

int cli_pci_list(bool nvme_only, struct cli_pci **out)
{
	char(*addrs)[CLI_PCI_ADDR_LEN], dir[PATH_MAX];
	struct cli_pci *v;
	int n, i, k = 0;

	*out = NULL;
	if (cli_path(dir, sizeof(dir), "%s/bus/pci/devices", cli_sysfs()))
		return -ENAMETOOLONG;
	n = list_addrs(dir, &addrs);
	if (n <= 0)
		return n;
	v = calloc((size_t)n, sizeof(*v));
	if (!v) {
		free(addrs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (cli_pci_read(addrs[i], &v[k]) == 0 && (!nvme_only || cli_pci_is_nvme(&v[k])))
			k++;
	free(addrs);
	*out = v;
	return k;
}

const char *cli_pci_class_name(unsigned int class)
{
	static const struct {
		unsigned int code; /* class >> 8, or the base class alone (class >> 16) */
		const char *name;
	} names[] = {
	    {0x0100, "SCSI storage controller"},
	    {0x0101, "IDE interface"},
	    {0x0104, "RAID controller"},
	    {0x0105, "ATA controller"},
	    {0x0106, "SATA controller"},
	    {0x0107, "SAS controller"},
	    {0x0108, "NVMe controller"},
	    {0x0200, "Ethernet controller"},
	    {0x0280, "network controller"},
	    {0x0300, "VGA controller"},
	    {0x0302, "3D controller"},
	    {0x0403, "audio device"},
	    {0x0600, "host bridge"},
	    {0x0601, "ISA bridge"},
	    {0x0604, "PCI bridge"},
	    {0x0c03, "USB controller"},
	    {0x0c05, "SMBus controller"},
	    {0x01, "mass storage controller"},
	    {0x02, "network controller"},
	    {0x03, "display controller"},
	    {0x04, "multimedia controller"},
	    {0x05, "memory controller"},
	    {0x06, "bridge"},
	    {0x07, "communication controller"},
	    {0x08, "system peripheral"},
	    {0x0c, "serial bus controller"},
	    {0x12, "processing accelerator"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == (names[i].code > 0xff ? class >> 8 : class >> 16))
			return names[i].name;
	return "unknown class";
}

int cli_group_members(int group, char (**out)[CLI_PCI_ADDR_LEN])
{
	char dir[PATH_MAX];

	*out = NULL;
	if (cli_path(dir, sizeof(dir), "%s/kernel/iommu_groups/%d/devices", cli_sysfs(), group))
		return -ENAMETOOLONG;
	return list_addrs(dir, out);
}

void cli_group_node(int group, char *buf, size_t size)
{
	char path[PATH_MAX];

	/* Without an IOMMU, VFIO names the group it makes up noiommu-N. */
	if (cli_path(path, sizeof(path), "%s/vfio/noiommu-%d", cli_devfs(), group) == 0 &&
	    cli_exists(path))
		snprintf(buf, size, "noiommu-%d", group);
	else
		snprintf(buf, size, "%d", group);
}

int cli_kernel_ctrl(const char *addr, char *buf, size_t size)
{
	char dir[PATH_MAX];
	struct dirent *e;
	int ret = -ENOENT;
	DIR *d;

	if (cli_path(dir, sizeof(dir), "%s/bus/pci/devices/%s/nvme", cli_sysfs(), addr))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "nvme", 4) || !isdigit((unsigned char)e->d_name[4]))
			continue;
		snprintf(buf, size, "%s", e->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

int cli_modprobe(const char *module, const char *probe_path)
{
	pid_t pid;
	int st;

	if (cli_exists(probe_path))
		return 0;
	pid = fork();
	if (pid == 0) {
		execlp("modprobe", "modprobe", module, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	if (cli_exists(probe_path))
		return 0;
	cli_err("the %s module is not loaded and 'modprobe %s' did not load it (%s is missing): "
		"run 'modprobe %s' as root and see what it says",
		module, module, probe_path, module);
	return -ENOENT;
}

int cli_noiommu(void)
{
	char path[PATH_MAX], buf[8];

	if (cli_path(path, sizeof(path), "%s/%s", cli_sysfs(), CLI_NOIOMMU_PARAM) ||
	    cli_attr_read(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	return buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}

int cli_iommu_groups(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (cli_path(path, sizeof(path), "%s/kernel/iommu_groups", cli_sysfs()))
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char name[64], np[PATH_MAX];

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		/* The groups VFIO makes up without an IOMMU do not count. */
		if (cli_path(np, sizeof(np), "%s/%s/name", path, e->d_name) == 0 &&
		    cli_attr_read(np, name, sizeof(name)) > 0 && !strcmp(name, "vfio-noiommu"))
			continue;
		n++;
	}
	closedir(d);
	return n;
}
