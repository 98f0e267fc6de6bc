/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_SYSFS_H
#define NVFIO_CLI_SYSFS_H

/*
 * What the set-up commands read and write of the kernel's state: sysfs attributes and links,
 * PCI functions, and the roots of /proc and /dev (overridable, as cli_sysfs() is, so that the
 * tests can build a machine of their own). Functions return 0 (or a length) or -errno.
 */

#include <stdbool.h>
#include <stddef.h>

/* The root of procfs: $NVFIO_PROC (for tests), else /proc. */
const char *cli_procfs(void);

/* The root of device nodes: $NVFIO_DEV (for tests), else /dev. */
const char *cli_devfs(void);

/* cli_path() - snprintf into @buf; -ENAMETOOLONG when it does not fit. */
int cli_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * cli_attr_read() - the contents of @path, without the trailing newline
 * Returns the length, or -errno (-ENOENT for a missing attribute).
 */
int cli_attr_read(const char *path, char *buf, size_t size);

/*
 * cli_attr_write() - write @val to @path in one write(), as the kernel wants it (no O_CREAT:
 * an attribute that is not there is an error, -ENOENT)
 * Returns 0 or the -errno of open() or write(): the kernel's answer to the store.
 */
int cli_attr_write(const char *path, const char *val);

/* cli_link_name() - the last component of the target of the symbolic link @path. */
int cli_link_name(const char *path, char *buf, size_t size);

/* cli_exists() - whether @path exists (following links). */
bool cli_exists(const char *path);

/* A PCI address as sysfs writes it: "0000:01:00.0". */
#define CLI_PCI_ADDR_LEN 13

/*
 * cli_pci_addr() - @arg (DDDD:BB:DD.F or BB:DD.F, hex in either case) as sysfs names it
 * Returns 0, or -EINVAL for anything else.
 */
int cli_pci_addr(const char *arg, char out[CLI_PCI_ADDR_LEN]);

/* A PCI function as sysfs shows it. */
struct cli_pci {
	char addr[CLI_PCI_ADDR_LEN];
	unsigned int class; /* 0x010802 */
	unsigned int vendor, device;
	char driver[64]; /* "" when no driver is bound */
	int group;	 /* IOMMU group, -1 for none */
};

/* The class of NVMe controllers, class >> 8 (mass storage, non-volatile memory). */
#define CLI_PCI_CLASS_NVME 0x0108
/* PCI-to-PCI bridges, which may share an IOMMU group with a device VFIO drives. */
#define CLI_PCI_CLASS_BRIDGE 0x0604

/* cli_pci_read() - the function at @addr; -ENODEV when sysfs has none. */
int cli_pci_read(const char *addr, struct cli_pci *p);

/* cli_pci_is_nvme() - whether @p is an NVMe controller (class 0x0108xx). */
bool cli_pci_is_nvme(const struct cli_pci *p);

/*
 * cli_pci_list() - every PCI function (nvme_only: only NVMe controllers), sorted by address
 * @out: receives an array the caller frees
 * Returns the count, or -errno when /sys/bus/pci/devices cannot be read.
 */
int cli_pci_list(bool nvme_only, struct cli_pci **out);

/* cli_pci_class_name() - words for a class code ("SATA controller"), or "unknown class". */
const char *cli_pci_class_name(unsigned int class);

/* cli_pci_driver_str() - @p's driver, or "no driver". */
const char *cli_pci_driver_str(const struct cli_pci *p);

/*
 * cli_group_members() - the PCI addresses in IOMMU group @group, sorted
 * @out: receives an array of CLI_PCI_ADDR_LEN-byte names the caller frees
 * Returns the count or -errno.
 */
int cli_group_members(int group, char (**out)[CLI_PCI_ADDR_LEN]);

/* cli_group_node() - the group's /dev/vfio node: "N", or "noiommu-N" where that one exists. */
void cli_group_node(int group, char *buf, size_t size);

/* cli_kernel_ctrl() - the kernel's controller (nvme0) on PCI function @addr, or -ENOENT. */
int cli_kernel_ctrl(const char *addr, char *buf, size_t size);

/*
 * cli_modprobe() - load @module with modprobe(8) unless @probe_path (a sysfs path that the
 * module creates) exists already
 * Returns 0 once @probe_path exists, else -ENOENT after printing what to run.
 */
int cli_modprobe(const char *module, const char *probe_path);

/* Where the no-IOMMU switch of VFIO lives, under sysfs. */
#define CLI_NOIOMMU_PARAM "module/vfio/parameters/enable_unsafe_noiommu_mode"

/* cli_noiommu() - 1 when VFIO's no-IOMMU mode is on, 0 when off, -ENOENT when unavailable. */
int cli_noiommu(void);

/* cli_iommu_groups() - how many IOMMU groups an IOMMU made (0: none in use); VFIO's no-IOMMU
 * groups do not count. */
int cli_iommu_groups(void);

#endif /* NVFIO_CLI_SYSFS_H */
