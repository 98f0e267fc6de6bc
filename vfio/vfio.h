/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_VFIO_VFIO_H
#define NVFIO_VFIO_VFIO_H

/*
 * Inside the vfio/ layer: the objects behind the public handles (an IOMMU context, and the
 * container, groups and devices of the container backend), the IOMMU backend ops table, and the
 * sysfs, /dev and /proc readers. Every reader takes the root it reads under, so that the
 * unit tests can point it at a fake tree in a temporary directory.
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nvfio/vfio.h>

#include "dma/iommu.h"

/* Where the kernel's files are: sysfs, devtmpfs and procfs mount points. */
struct nvf_vfio_root {
	const char *sys;  /* "/sys" */
	const char *dev;  /* "/dev" */
	const char *proc; /* "/proc" */
};

extern const struct nvf_vfio_root nvf_vfio_root_default;

/*
 * An IOMMU backend: how a container maps memory and describes its IOMMU, and how a device of it
 * is opened. There are two, both on the container/group API: type1v2 (an IOMMU
 * translates) and no-IOMMU (identity, nothing to map). The public API sees only struct
 * nvfio_iommu, never which backend is behind it.
 */
struct nvf_vfio_backend_ops {
	const char *name; /* "vfio-type1v2", "vfio-noiommu" */
	enum nvfio_vfio_iommu_type type;
	/* The device sees physical addresses: the DMA layer maps nothing and reads pagemap. */
	bool identity_phys;
	/* Map/unmap [vaddr, vaddr + len) at @iova; flags NVFIO_VFIO_DMA_*. */
	int (*dma_map)(struct nvfio_vfio_container *c, void *vaddr, size_t len, uint64_t iova,
		       unsigned int flags);
	int (*dma_unmap)(struct nvfio_vfio_container *c, uint64_t iova, size_t len);
	/* Refresh c->info (and c->ranges) from the IOMMU. */
	int (*get_info)(struct nvfio_vfio_container *c);
	/* Open the device @addr (canonical) of group @g; the fd is returned in @fd. */
	int (*device_fd)(struct nvfio_vfio_container *c, struct nvfio_vfio_group *g,
			 const char *addr, int *fd);
};

extern const struct nvf_vfio_backend_ops nvf_vfio_type1v2_ops;
extern const struct nvf_vfio_backend_ops nvf_vfio_noiommu_ops;

/* An IOMMU context; today always backed by a VFIO container. */
struct nvfio_iommu {
	enum nvfio_iommu_open_mode mode;
	const struct nvf_vfio_root *root;
	struct nvfio_vfio_container *container;
};

struct nvfio_vfio_container {
	int fd;
	const struct nvf_vfio_root *root;
	struct nvfio_iommu *ctx;		/* the context it backs */
	const struct nvf_vfio_backend_ops *ops; /* NULL until the IOMMU type is set */
	struct nvfio_vfio_group *groups;	/* joined through this library, by their next */

	struct nvfio_iommu_info info;
	struct nvfio_iommu_iova_range *ranges; /* info.ranges */

	/* DMA glue: the address space of nvfio_iommu_dma() and what it was built from. */
	struct nvfio_dma *dma;
	struct nvf_iommu iommu;
};

struct nvfio_vfio_group {
	int fd;
	unsigned int id;
	bool noiommu;
	const struct nvf_vfio_root *root;
	struct nvfio_vfio_container *container; /* set by nvfio_vfio_group_set_container() */
	struct nvfio_vfio_group *next;		/* in container->groups */
	/* Opened by nvfio_vfio_device_open(): the context closes it. */
	bool ctx_owned;
};

/* A region's description and, once mapped, its mapping. */
struct nvf_vfio_region {
	bool known; /* info filled by VFIO_DEVICE_GET_REGION_INFO */
	struct nvfio_vfio_region_info info;
	struct nvfio_vfio_sparse_area *areas; /* info.areas */
	void *map;			      /* NULL: not mapped */
	size_t map_len;
};

struct nvfio_vfio_device {
	int fd;
	char addr[NVFIO_PCI_ADDR_MAX];
	const struct nvf_vfio_root *root;
	struct nvfio_vfio_group *group;
	struct nvfio_iommu *ctx;
	struct nvfio_vfio_device_info info;
	struct nvf_vfio_region *regions; /* info.num_regions entries */

	/* MSI-X vectors enabled in the kernel (0: MSI-X off); see nvfio_vfio_device_msix_bind(). */
	unsigned int msix_enabled;

	/* 1 once released or once an access to a mapped region faulted (SIGBUS: the handler of
	 * sigbus.c sets it); read and written with atomics. */
	int removed;

	/* nvfio_vfio_open() made the context: the device's close releases it. */
	bool owns_ctx;
};

/* ---- PCI addresses, sysfs and /proc (sysfs.c) ---- */

/* Is @drv a VFIO driver (vfio-pci, or a vendor variant such as mlx5_vfio_pci)? */
bool nvf_vfio_driver_is_vfio(const char *drv);

/*
 * The driver @addr (canonical) is bound to: 0 with @drv set ("" when unbound), or
 * -NVFIO_ENODEVICE when sysfs has no such device.
 */
int nvf_vfio_sysfs_driver(const struct nvf_vfio_root *root, const char *addr, char *drv,
			  size_t len);

/* The device's IOMMU group from its iommu_group link: 0, -NVFIO_ENODEVICE, -NVFIO_ENOGROUP. */
int nvf_vfio_sysfs_group(const struct nvf_vfio_root *root, const char *addr, unsigned int *id,
			 bool *noiommu);

/*
 * nvf_vfio_sysfs_group() with the messages: -NVFIO_ENODEVICE says to check the address,
 * -NVFIO_ENOGROUP how to turn the IOMMU or no-IOMMU mode on.
 */
int nvf_vfio_find_group(const struct nvf_vfio_root *root, const char *addr, unsigned int *id,
			bool *noiommu);

/* Is group @id a vfio-noiommu group (its sysfs name)? */
bool nvf_vfio_sysfs_group_is_noiommu(const struct nvf_vfio_root *root, unsigned int id);

/*
 * Check that @addr exists and is bound to a VFIO driver: 0, -NVFIO_ENODEVICE or -NVFIO_ENOTVFIO,
 * with a message naming the driver and the commands that rebind the device.
 */
int nvf_vfio_check_bound(const struct nvf_vfio_root *root, const char *addr);

/*
 * Describe why group @id is not viable: every device of it that is bound to a host driver, as
 * "0000:00:1f.2 (ahci), 0000:00:1f.3 (snd_hda_intel)", into @buf. Returns how many were found.
 */
int nvf_vfio_group_blockers(const struct nvf_vfio_root *root, unsigned int id, char *buf,
			    size_t len);

/* Record -NVFIO_ENOTVIABLE for group @id with the blockers and the remedy; returns the error. */
int nvf_vfio_err_not_viable(const struct nvf_vfio_root *root, unsigned int id);

/* Read a small sysfs/proc file into @buf (NUL-terminated, trailing newline removed). */
int nvf_vfio_read_file(const char *path, char *buf, size_t len);

/*
 * Find "vfio-msix[@vector](@addr)" in @text, the contents of /proc/interrupts: the IRQ number
 * (>= 0) or -NVFIO_ENOIRQ.
 */
int nvf_vfio_parse_interrupts(const char *text, const char *addr, unsigned int vector);

/* The same, reading <root->proc>/interrupts. */
int nvf_vfio_msix_host_irq_at(const struct nvf_vfio_root *root, const char *addr,
			      unsigned int vector);

/* ---- Capability chains (caps.c) ---- */

/*
 * Issue a VFIO_*_GET_INFO ioctl whose answer may carry a capability chain: first with @query
 * (@qlen bytes; its leading argsz is set here), then again with as much room as the kernel asked
 * for, since it leaves the chain out of an answer that does not fit. Returns 0 with the answer in
 * a malloc'ed *@out and its length in *@len, -errno of the ioctl, -ENOMEM, or -EMSGSIZE if the
 * chain kept growing between calls. Records no message: the caller knows what it asked.
 */
int nvf_vfio_get_info(int fd, unsigned long request, const void *query, size_t qlen, void **out,
		      size_t *len);

/*
 * Parse a VFIO_DEVICE_GET_REGION_INFO answer (struct vfio_region_info and its capability chain,
 * @len bytes) into @info; sparse areas go to a malloc'ed array in *@areas (NULL if none).
 * Returns 0, -EPROTO (malformed chain), -ENOMEM.
 */
int nvf_vfio_parse_region_info(const void *buf, size_t len, struct nvfio_vfio_region_info *info,
			       struct nvfio_vfio_sparse_area **areas);

/*
 * Parse a VFIO_IOMMU_GET_INFO answer (struct vfio_iommu_type1_info and its chain) into @info;
 * the IOVA ranges go to a malloc'ed array in *@ranges (NULL if none).
 * Returns 0, -EPROTO, -ENOMEM.
 */
int nvf_vfio_parse_iommu_info(const void *buf, size_t len, struct nvfio_iommu_info *info,
			      struct nvfio_iommu_iova_range **ranges);

/* ---- Objects, at a given root (iommu.c, container.c, group.c, device.c, open.c) ---- */

/* 0 for a known mode of nvfio_iommu_open(), else -EINVAL with the modes there are (iommu.c). */
int nvf_vfio_check_mode(enum nvfio_iommu_open_mode mode);

int nvf_vfio_iommu_open_at(const struct nvf_vfio_root *root, enum nvfio_iommu_open_mode mode,
			   struct nvfio_iommu **ctx);
int nvf_vfio_container_open_at(const struct nvf_vfio_root *root, struct nvfio_vfio_container **c);
int nvf_vfio_group_open_at(const struct nvf_vfio_root *root, unsigned int id, bool noiommu,
			   struct nvfio_vfio_group **g);
int nvf_vfio_open_at(const struct nvf_vfio_root *root, const char *addr,
		     enum nvfio_iommu_open_mode mode, struct nvfio_vfio_device **dev);

/*
 * Destroy the container's DMA address space and close it (a context's close, after its own
 * groups left). Groups still in it (put in by hand) forget it, so that their own close reaches
 * nothing freed; the kernel keeps the container for them until they close.
 */
void nvf_vfio_container_close(struct nvfio_vfio_container *c);

/* Group @g joined container @c (group.c). */
void nvf_vfio_container_group_joined(struct nvfio_vfio_container *c, struct nvfio_vfio_group *g);

/* Group @g left its container (group.c): when the last one leaves, the kernel drops the IOMMU
 * model, and the container forgets it with its DMA address space. */
void nvf_vfio_container_group_left(struct nvfio_vfio_group *g);

/* Open a device fd from its group with the one retry on ENODEV (the legacy backends' device_fd). */
int nvf_vfio_group_device_fd(struct nvfio_vfio_group *g, const char *addr, int *fd);

/*
 * Map a region of @fd at file offset @foff, @size bytes, honouring sparse areas: reserve one
 * PROT_NONE range, then map each area (or the whole region if @nr_areas is 0 and !@sparse) at
 * its offset. Returns 0 with *@addr and *@maplen (what to munmap), -EINVAL (an area outside the
 * region or unaligned), -ENOMEM.
 */
int nvf_vfio_map_areas(int fd, uint64_t foff, uint64_t size, bool sparse,
		       const struct nvfio_vfio_sparse_area *areas, unsigned int nr_areas, int prot,
		       void **addr, size_t *maplen);

/* ---- BAR faults (sigbus.c) ---- */

/* How many mapped regions, of all devices together, the SIGBUS handler can answer for. */
#define NVF_VFIO_BARS_MAX 256

/*
 * Register [@addr, @addr + @len), the mapping of a device's region: a fault in it (SIGBUS) puts
 * memory that reads all-ones in place of the whole of it and sets *@removed to 1, and the access
 * runs again. The first registration installs the handler (nvf_vfio_sigbus_handler()), keeping
 * the action it replaces to chain to; the last unregistration puts that action back.
 * Returns 0, -ENOSPC (NVF_VFIO_BARS_MAX ranges registered), or -errno of sigaction(). Records
 * no message.
 */
int nvf_vfio_bar_register(void *addr, size_t len, int *removed);

/*
 * Forget the range registered at @addr (nothing if none is), after waiting for a handler that
 * is replacing it right now. Call it before unmapping the range.
 */
void nvf_vfio_bar_unregister(void *addr);

/*
 * If @info is a fault inside a registered range, put all-ones memory in place of the range, mark
 * it removed and return true; false otherwise, or when the memory could not be had. Async-signal
 * safe; nvfio_vfio_sigbus_handle() without keeping errno.
 */
bool nvf_vfio_bar_fault(const siginfo_t *info);

/* The SA_SIGINFO handler nvfio installs for SIGBUS while a range is registered. */
void nvf_vfio_sigbus_handler(int sig, siginfo_t *info, void *uc);

/*
 * Replace [@addr, @addr + @len) (page-aligned) in one step by private memory that reads
 * all-ones: filled first, then moved over it. Async-signal safe. Returns 0 or -errno of mmap()
 * or mremap() (the range is then as it was).
 */
int nvf_vfio_fill_ones(void *addr, size_t len);

#endif /* NVFIO_VFIO_VFIO_H */
