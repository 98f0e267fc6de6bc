/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_VFIO_H
#define NVFIO_VFIO_H

/*
 * VFIO: access to a PCI device from user space, in two objects.
 *
 * - An IOMMU context (struct nvfio_iommu) is an address space the devices in it share: DMA
 *   mappings live in it, and <nvfio/dma.h> allocates and registers memory through it. Today it is
 *   a VFIO container with the type1v2 IOMMU, or with no IOMMU at all (the devices then see
 *   physical addresses); an iommufd context can stand behind the same calls.
 * - A device (struct nvfio_vfio_device) is one PCI function opened into a context: its regions
 *   (BARs, config space), bus mastering, reset and interrupts.
 *
 * nvfio_iommu_open() makes a context and nvfio_vfio_device_open() opens a device into it; the
 * VFIO group the device belongs to (the unit of isolation the IOMMU can enforce) is found,
 * opened and attached on the way, and stays with the context. nvfio_vfio_open() does both for
 * one device. Most applications need nothing else: the container and group calls at the end of
 * this header are the low-level steps underneath, for callers that assemble them by hand.
 *
 * Every function returns 0 (or a count) on success and a negative error on failure: -errno or
 * -NVFIO_E* (<nvfio/error.h>); nvfio_last_error() then says what failed and what to do. Objects
 * are not locked: a caller that shares one between threads serialises its calls.
 *
 * PCI addresses are accepted as DDDD:BB:DD.F ("0000:01:00.0") or BB:DD.F ("01:00.0", domain 0);
 * anything else is -NVFIO_EBADADDR.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nvfio_dma;
struct nvfio_iommu;
struct nvfio_vfio_device;
struct nvfio_vfio_container;
struct nvfio_vfio_group;

/* The longest canonical PCI address, "DDDDDDDD:BB:DD.F", with its NUL. */
#define NVFIO_PCI_ADDR_MAX 17

/*
 * nvfio_pci_addr_parse() - check a PCI address and write it in sysfs's canonical form
 * @addr: "DDDD:BB:DD.F" or "BB:DD.F", hexadecimal, either case
 * @out:  receives "dddd:bb:dd.f" (lower case, 4 or more domain digits); may be NULL
 *
 * Returns 0 or -NVFIO_EBADADDR.
 */
int nvfio_pci_addr_parse(const char *addr, char out[NVFIO_PCI_ADDR_MAX]);

/* ==== The IOMMU context ==== */

/* What nvfio_iommu_open() and nvfio_vfio_open() ask of the IOMMU. */
enum nvfio_iommu_open_mode {
	/* As the first device allows: the IOMMU when its group is an IOMMU group, no-IOMMU mode
	 * when it is a vfio-noiommu one. */
	NVFIO_IOMMU_OPEN_AUTO = 0,
	NVFIO_IOMMU_OPEN_IOMMU = 1,   /* insist on an IOMMU (type1v2) */
	NVFIO_IOMMU_OPEN_NOIOMMU = 2, /* insist on no-IOMMU mode: physical addresses, root */
};

/* IOMMU models (the values of the kernel's VFIO_*_IOMMU extensions): nvfio_iommu_type(). */
enum nvfio_vfio_iommu_type {
	NVFIO_VFIO_TYPE1V2 = 3, /* an IOMMU translates the device's addresses */
	NVFIO_VFIO_NOIOMMU = 8, /* no IOMMU: the device sees physical addresses; needs root */
};

/* Flags of nvfio_iommu_dma_map(); 0 means both. */
enum {
	NVFIO_IOMMU_DMA_READ = 1u << 0,	 /* the device may read the memory */
	NVFIO_IOMMU_DMA_WRITE = 1u << 1, /* the device may write the memory */
};

/* A valid IOVA range of a context's IOMMU, both ends inclusive. */
struct nvfio_iommu_iova_range {
	uint64_t start;
	uint64_t last;
};

/* What the IOMMU of a context says about itself (VFIO_IOMMU_GET_INFO for a container). */
struct nvfio_iommu_info {
	uint64_t pgsize_bitmap; /* supported IOMMU page sizes: bit n set means 2^n bytes */
	bool has_dma_avail;	/* the kernel reports the remaining mapping count */
	uint32_t dma_avail;	/* DMA mappings still allowed (vfio_iommu_type1 dma_entry_limit) */
	uint32_t nr_ranges;	/* 0: the kernel does not report ranges */
	const struct nvfio_iommu_iova_range *ranges; /* owned by the context */
};

/*
 * nvfio_iommu_open() - make an IOMMU context (today: open /dev/vfio/vfio, a VFIO container, and
 * check the VFIO API version)
 * @mode: NVFIO_IOMMU_OPEN_AUTO, _IOMMU or _NOIOMMU
 * @ctx:  receives the context
 *
 * The context gets its IOMMU with its first device (nvfio_vfio_device_open()), whose group
 * decides the model in NVFIO_IOMMU_OPEN_AUTO mode; until then nvfio_iommu_get_info(),
 * nvfio_iommu_dma_map() and nvfio_iommu_dma() return -EINVAL.
 * Returns 0, -EINVAL (an unknown mode), -NVFIO_ENOVFIO (the vfio module is not loaded),
 * -NVFIO_EAPIVERSION, -EACCES, -ENOMEM.
 */
int nvfio_iommu_open(enum nvfio_iommu_open_mode mode, struct nvfio_iommu **ctx);

/*
 * nvfio_iommu_close() - release the groups the context attached for its devices (the kernel then
 * drops every DMA mapping), destroy its DMA address space (nvfio_iommu_dma()) and close it.
 * Its devices are closed first (a device left open keeps its group, the IOMMU and the mappings
 * alive in the kernel until it closes, and must not be used any more). A group put in by hand
 * (nvfio_vfio_group_set_container()) forgets the context and stays open. NULL is ignored.
 */
void nvfio_iommu_close(struct nvfio_iommu *ctx);

/*
 * nvfio_iommu_type() - the context's IOMMU model: NVFIO_VFIO_TYPE1V2 or NVFIO_VFIO_NOIOMMU once
 * a device is in it, 0 before (and again after the last group left it, see
 * nvfio_vfio_group_unset_container()).
 */
int nvfio_iommu_type(const struct nvfio_iommu *ctx);

/*
 * nvfio_iommu_get_info() - page sizes, valid IOVA ranges and the remaining DMA mapping count
 * @info: receives them; the ranges stay valid until the next call of this function or the first
 *        of nvfio_iommu_dma() (both ask the kernel again), or until the context's IOMMU goes
 *        (its close, or the last group leaving it)
 *
 * Returns 0, -EINVAL (no IOMMU yet: no device opened into the context), -ENOTSUP (no-IOMMU mode
 * has no IOMMU to describe), -EPROTO (a malformed answer), -ENOMEM, or the ioctl's -errno.
 */
int nvfio_iommu_get_info(struct nvfio_iommu *ctx, struct nvfio_iommu_info *info);

/*
 * nvfio_iommu_dma_map() - let the context's devices reach process memory
 * @vaddr, @len: page-aligned memory; it is pinned until unmapped
 * @iova:        page-aligned address the devices use, inside a valid IOVA range
 * @flags:       NVFIO_IOMMU_DMA_READ | NVFIO_IOMMU_DMA_WRITE, or 0 for both
 *
 * Returns 0, -EINVAL (unaligned, outside the valid IOVA ranges, or no IOMMU yet), -EEXIST
 * (overlaps a mapping), -NVFIO_EMEMLOCK (RLIMIT_MEMLOCK too low), -NVFIO_ENOMAPPINGS (mapping
 * limit reached), -EFAULT (@vaddr not mapped), -ENOMEM, -ENOTSUP (no-IOMMU mode: devices use
 * physical addresses, see nvfio_iommu_dma()).
 */
int nvfio_iommu_dma_map(struct nvfio_iommu *ctx, void *vaddr, size_t len, uint64_t iova,
			unsigned int flags);

/*
 * nvfio_iommu_dma_unmap() - undo nvfio_iommu_dma_map()
 * @iova, @len: exactly one or more whole earlier mappings
 *
 * Returns 0, -NVFIO_ENOTMAPPED (nothing, or not all of it, was mapped; what was mapped in the
 * range is unmapped), -EINVAL (the range cuts a mapping, or no IOMMU yet), -ENOTSUP (no-IOMMU
 * mode).
 */
int nvfio_iommu_dma_unmap(struct nvfio_iommu *ctx, uint64_t iova, size_t len);

/*
 * nvfio_iommu_dma() - the context's DMA address space, for <nvfio/dma.h>
 * @dma: receives it; created on the first call, owned by the context, destroyed with its IOMMU
 *       (the context's close, or the last group leaving it)
 *
 * The context must have its IOMMU (a device opened into it). With an IOMMU, memory is mapped
 * through the context; in no-IOMMU mode the device sees physical addresses (hugepages, root).
 * Returns 0, -EINVAL (no IOMMU yet), -ENOMEM.
 */
int nvfio_iommu_dma(struct nvfio_iommu *ctx, struct nvfio_dma **dma);

/* ==== Devices ==== */

/* nvfio_vfio_device_get_info(): the kernel's VFIO_DEVICE_FLAGS_* and counts. */
struct nvfio_vfio_device_info {
	uint32_t flags;	      /* NVFIO_VFIO_DEVICE_* */
	uint32_t num_regions; /* region indices 0 .. num_regions - 1 */
	uint32_t num_irqs;    /* interrupt indices 0 .. num_irqs - 1 */
};

enum {
	NVFIO_VFIO_DEVICE_RESET = 1u << 0, /* VFIO_DEVICE_RESET is available */
	NVFIO_VFIO_DEVICE_PCI = 1u << 1,   /* a vfio-pci device */
};

/* Region indices of a PCI device (VFIO_PCI_*_REGION_INDEX). */
enum {
	NVFIO_VFIO_PCI_BAR0 = 0, /* BARn is NVFIO_VFIO_PCI_BAR0 + n */
	NVFIO_VFIO_PCI_ROM = 6,
	NVFIO_VFIO_PCI_CONFIG = 7,
	NVFIO_VFIO_PCI_VGA = 8,
};

/* Interrupt indices of a PCI device (VFIO_PCI_*_IRQ_INDEX). */
enum {
	NVFIO_VFIO_PCI_INTX = 0,
	NVFIO_VFIO_PCI_MSI = 1,
	NVFIO_VFIO_PCI_MSIX = 2,
	NVFIO_VFIO_PCI_ERR = 3,
	NVFIO_VFIO_PCI_REQ = 4,
};

/* Region flags (VFIO_REGION_INFO_FLAG_*). */
enum {
	NVFIO_VFIO_REGION_READ = 1u << 0,
	NVFIO_VFIO_REGION_WRITE = 1u << 1,
	NVFIO_VFIO_REGION_MMAP = 1u << 2,
};

/* One area of a region that may be mmapped, when the region is only partly mappable. */
struct nvfio_vfio_sparse_area {
	uint64_t offset; /* from the start of the region */
	uint64_t size;
};

/* A region and what its capability chain says. */
struct nvfio_vfio_region_info {
	uint32_t index;
	uint32_t flags;	 /* NVFIO_VFIO_REGION_* */
	uint64_t size;	 /* 0: the region (BAR) is not implemented */
	uint64_t offset; /* where the region starts in the device file */

	bool msix_mappable; /* the MSI-X table in this BAR may be mmapped with the rest */
	bool has_type;	    /* a VFIO_REGION_INFO_CAP_TYPE capability was given */
	uint32_t type, subtype;
	bool sparse; /* only areas[] may be mmapped (nr_areas may then be 0: none) */
	uint32_t nr_areas;
	const struct nvfio_vfio_sparse_area *areas; /* owned by the device */
};

/* An interrupt index (VFIO_IRQ_INFO_* flags). */
struct nvfio_vfio_irq_info {
	uint32_t index;
	uint32_t flags; /* NVFIO_VFIO_IRQ_* */
	uint32_t count; /* vectors of this index; 0: not available */
};

enum {
	NVFIO_VFIO_IRQ_EVENTFD = 1u << 0,
	NVFIO_VFIO_IRQ_MASKABLE = 1u << 1,
	NVFIO_VFIO_IRQ_AUTOMASKED = 1u << 2,
	NVFIO_VFIO_IRQ_NORESIZE = 1u << 3,
};

/*
 * nvfio_vfio_device_open() - open a PCI device into an IOMMU context
 * @ctx:   the context; the device's DMA goes through it
 * @addr:  PCI address of a device bound to vfio-pci
 * @flags: none are defined yet: 0
 * @dev:   receives the device
 *
 * The device's group is opened and attached to the context, unless it already is (another device
 * of the same group); it stays attached until the context closes, so that DMA mappings outlive
 * the devices. The first device sets the context's IOMMU model; a device of the other kind (a
 * no-IOMMU group in an IOMMU context or the reverse) is refused. The device fd is asked from the
 * group with one retry after 250 ms on ENODEV, a race of some kernels between a device's binding
 * and its visibility to VFIO. A failed open detaches again the group it attached.
 *
 * Returns 0, -EINVAL (unknown @flags), -NVFIO_EBADADDR, -NVFIO_ENODEVICE (no such device),
 * -NVFIO_ENOTVFIO (bound to another driver, or to none: the message names it and how to rebind),
 * -NVFIO_ENOGROUP (no IOMMU group: IOMMU off and no-IOMMU mode not enabled), -NVFIO_ENOTVIABLE
 * (another device of the group is on a host driver), -NVFIO_EGROUPBUSY (the group is open
 * elsewhere), -NVFIO_ENOIOMMUTYPE (the context's mode or model does not fit the device's group),
 * -EACCES/-EPERM, -ENOMEM.
 */
int nvfio_vfio_device_open(struct nvfio_iommu *ctx, const char *addr, unsigned int flags,
			   struct nvfio_vfio_device **dev);

/*
 * nvfio_vfio_open() - nvfio_iommu_open() and nvfio_vfio_device_open() in one call: a device in a
 * context of its own, which nvfio_vfio_device_close() closes with it
 * @mode: as for nvfio_iommu_open()
 *
 * The device is checked (address, driver, group, @mode) before the context is made.
 * Returns as those two.
 */
int nvfio_vfio_open(const char *addr, enum nvfio_iommu_open_mode mode,
		    struct nvfio_vfio_device **dev);

/*
 * nvfio_vfio_device_close() - unmap the device's regions, release its interrupts, close it; a
 * device from nvfio_vfio_open() takes its context with it (with every DMA mapping). NULL is
 * ignored.
 */
void nvfio_vfio_device_close(struct nvfio_vfio_device *dev);

/* nvfio_vfio_device_fd() - the device's file descriptor (owned by the device). */
int nvfio_vfio_device_fd(const struct nvfio_vfio_device *dev);

/* nvfio_vfio_device_addr() - the device's canonical PCI address. */
const char *nvfio_vfio_device_addr(const struct nvfio_vfio_device *dev);

/* nvfio_vfio_device_iommu() - the context the device is in. */
struct nvfio_iommu *nvfio_vfio_device_iommu(const struct nvfio_vfio_device *dev);

/* nvfio_vfio_device_get_info() - VFIO_DEVICE_GET_INFO, as read when the device was opened. */
void nvfio_vfio_device_get_info(const struct nvfio_vfio_device *dev,
				struct nvfio_vfio_device_info *info);

/*
 * nvfio_vfio_device_region_info() - VFIO_DEVICE_GET_REGION_INFO with its capability chain
 * @index: NVFIO_VFIO_PCI_BAR0 .. NVFIO_VFIO_PCI_VGA, or a device-specific region
 * @info:  receives a pointer to the description, owned by the device
 *
 * The kernel is asked once per region; later calls answer from the device.
 * Returns 0, -NVFIO_ENOREGION (no such index), -EPROTO (a malformed capability chain), -ENOMEM.
 */
int nvfio_vfio_device_region_info(struct nvfio_vfio_device *dev, unsigned int index,
				  const struct nvfio_vfio_region_info **info);

/*
 * nvfio_vfio_device_map_region() - mmap a region (a BAR) for MMIO
 * @addr: receives the start of the region in this process
 * @len:  receives its size; may be NULL
 *
 * One virtual range the size of the region is reserved; where the region is only partly
 * mappable (sparse areas), only those areas are mapped, at their offsets, and the rest faults.
 * Calling it again returns the same mapping. The mapping lives until
 * nvfio_vfio_device_unmap_region() or the device's close.
 *
 * While the mapping lives, an access to it that faults (the device was removed by surprise and
 * vfio-pci took the mapping away, or its memory decoding is off) does not kill the process with
 * SIGBUS: nvfio's SIGBUS handler puts memory that reads all-ones in place of the whole mapping,
 * as a removed device reads, marks the device removed (nvfio_vfio_device_removed()) and lets the
 * access run again. See "BAR faults and SIGBUS" below for the handler itself.
 *
 * Returns 0, -NVFIO_ENOREGION (absent, empty, or not mappable: use
 * nvfio_vfio_device_region_read/write), -EINVAL (a sparse area outside the region), -ENOSPC
 * (256 regions of all devices are mapped already), -ENOMEM.
 */
int nvfio_vfio_device_map_region(struct nvfio_vfio_device *dev, unsigned int index, void **addr,
				 size_t *len);

/*
 * nvfio_vfio_device_release() - let go of a device that is being unbound or removed
 *
 * Each mapped region is replaced, in one step, by private memory that reads all-ones (so that
 * code still touching it sees a removed device instead of faulting), and the device file is
 * closed, which lets the kernel finish the unbind (vfio-pci waits for it, raising the request
 * interrupt, NVFIO_VFIO_PCI_REQ). The object stays until nvfio_vfio_device_close(); calls that
 * need the device file fail meanwhile, and nvfio_vfio_device_removed() is true. Returns 0, or
 * -ENOMEM (a region could not be replaced: it stays mapped, and the file open).
 */
int nvfio_vfio_device_release(struct nvfio_vfio_device *dev);

/*
 * nvfio_vfio_device_removed() - whether the device is known to be gone: an access to one of its
 * mapped regions faulted (its mappings now read all-ones, see nvfio_vfio_device_map_region()),
 * or nvfio_vfio_device_release() let go of it. Any thread may ask. The device file stays open
 * after a fault: nvfio_vfio_device_release() or nvfio_vfio_device_close() lets the kernel finish
 * the removal.
 */
bool nvfio_vfio_device_removed(const struct nvfio_vfio_device *dev);

/* nvfio_vfio_device_unmap_region() - undo nvfio_vfio_device_map_region(); 0 or -NVFIO_ENOREGION. */
int nvfio_vfio_device_unmap_region(struct nvfio_vfio_device *dev, unsigned int index);

/*
 * nvfio_vfio_device_region_read() / _write() - access a region through the device file
 * @off: offset inside the region; [off, off + len) must lie inside it
 *
 * Returns 0, -NVFIO_ENOREGION, -EINVAL (out of the region, or the region does not allow it),
 * -EIO.
 */
int nvfio_vfio_device_region_read(struct nvfio_vfio_device *dev, unsigned int index, void *buf,
				  size_t len, uint64_t off);
int nvfio_vfio_device_region_write(struct nvfio_vfio_device *dev, unsigned int index,
				   const void *buf, size_t len, uint64_t off);

/* nvfio_vfio_device_config_read() / _write() - the same, on PCI config space (little endian). */
int nvfio_vfio_device_config_read(struct nvfio_vfio_device *dev, void *buf, size_t len,
				  uint64_t off);
int nvfio_vfio_device_config_write(struct nvfio_vfio_device *dev, const void *buf, size_t len,
				   uint64_t off);

/*
 * nvfio_vfio_device_bus_master() - set or clear Bus Master Enable (PCI command register bit 2),
 * without which the device cannot do DMA or raise MSI/MSI-X. Returns 0 or a negative error.
 */
int nvfio_vfio_device_bus_master(struct nvfio_vfio_device *dev, bool enable);

/*
 * nvfio_vfio_device_reset() - VFIO_DEVICE_RESET (function-level or another reset the kernel
 * finds). The kernel saves and restores config space around it, so bus mastering, MSI-X and its
 * eventfd bindings stay as they were; the device's own registers return to their reset values,
 * and BAR mappings stay valid. Returns 0, -ENOTSUP (the device has no reset method), or a
 * negative error.
 */
int nvfio_vfio_device_reset(struct nvfio_vfio_device *dev);

/* ---- Interrupts of a device ---- */

/*
 * nvfio_vfio_device_irq_info() - VFIO_DEVICE_GET_IRQ_INFO for @index (NVFIO_VFIO_PCI_*)
 *
 * Returns 0, -NVFIO_ENOIRQ (no such index), or the ioctl's -errno.
 */
int nvfio_vfio_device_irq_info(const struct nvfio_vfio_device *dev, unsigned int index,
			       struct nvfio_vfio_irq_info *info);

/*
 * nvfio_vfio_device_msix_bind() - have MSI-X vectors [start, start + count) signal eventfds
 * @fds: @count eventfds, fds[i] for vector start + i; -1 releases that vector
 *
 * The first bind enables MSI-X with every vector the device has (the kernel cannot grow the
 * set later on kernels before 6.5), the vectors not given staying unbound. Binding a bound
 * vector replaces its eventfd; no other vector's binding changes. Where
 * nvfio_vfio_device_irq_set_eventfds() enabled MSI-X with fewer vectors, binding past them works
 * only on kernels that can grow the set (6.5+), -EINVAL elsewhere.
 * Every descriptor is checked before the kernel sees any (the kernel drops a vector's old eventfd
 * before looking at the new one), so bad input leaves the bindings as they were.
 * Returns 0, -NVFIO_ENOIRQ (no MSI-X, or the range exceeds the vectors), -EBADF (not an open
 * descriptor), -EINVAL (@fds NULL, not an eventfd, another interrupt index is enabled, or the
 * enabled set cannot grow), -ENOSPC (the host is out of interrupt vectors), -ENOMEM.
 */
int nvfio_vfio_device_msix_bind(struct nvfio_vfio_device *dev, unsigned int start,
				unsigned int count, const int *fds);

/*
 * nvfio_vfio_device_msix_unbind() - release the eventfds of MSI-X vectors [start, start + count)
 * (MSI-X stays enabled; vectors it was not enabled with are bound to nothing and skipped).
 * Returns 0, -NVFIO_ENOIRQ (the range exceeds the device's vectors), -ENOMEM.
 */
int nvfio_vfio_device_msix_unbind(struct nvfio_vfio_device *dev, unsigned int start,
				  unsigned int count);

/*
 * nvfio_vfio_device_irq_set_eventfds() - VFIO_DEVICE_SET_IRQS, DATA_EVENTFD | ACTION_TRIGGER on
 * any index (INTx, MSI, MSI-X, ERR, REQ): bind fds[i] (or release, for -1) to vector start + i.
 * Unlike nvfio_vfio_device_msix_bind() the kernel's own rules apply (MSI/MSI-X are enabled with
 * start + count vectors by the first call; a @count of 0 does nothing). Returns 0, -NVFIO_ENOIRQ,
 * -EINVAL, -EBADF, -ENOMEM.
 */
int nvfio_vfio_device_irq_set_eventfds(struct nvfio_vfio_device *dev, unsigned int index,
				       unsigned int start, unsigned int count, const int *fds);

/*
 * nvfio_vfio_device_irq_disable() - disable a whole interrupt index (every vector's binding is
 * released; for MSI/MSI-X the capability is disabled). Returns 0 or -NVFIO_ENOIRQ.
 */
int nvfio_vfio_device_irq_disable(struct nvfio_vfio_device *dev, unsigned int index);

/*
 * nvfio_vfio_device_irq_trigger() - signal the eventfds bound to vectors [start, start + count)
 * of @index from the kernel, as if the device had raised them (loopback testing).
 * Returns 0, -NVFIO_ENOIRQ, -EINVAL (index not enabled).
 */
int nvfio_vfio_device_irq_trigger(struct nvfio_vfio_device *dev, unsigned int index,
				  unsigned int start, unsigned int count);

/*
 * nvfio_vfio_device_irq_unmask() - unmask a maskable (INTx) interrupt after handling it.
 * Returns 0 or -NVFIO_ENOIRQ.
 */
int nvfio_vfio_device_irq_unmask(struct nvfio_vfio_device *dev, unsigned int index);

/*
 * nvfio_vfio_device_irq_unmask_eventfd() - have the kernel unmask INTx whenever @fd is signalled
 * (a resample eventfd); -1 removes it. Returns 0, -NVFIO_ENOIRQ, -EBADF.
 */
int nvfio_vfio_device_irq_unmask_eventfd(struct nvfio_vfio_device *dev, unsigned int index, int fd);

/*
 * nvfio_vfio_msix_host_irq() - the host IRQ number of MSI-X vector @vector of the device at
 * @addr, from its "vfio-msix[vector](addr)" line in /proc/interrupts (present while the vector
 * is bound to an eventfd); useful to set its affinity in /proc/irq/N/smp_affinity.
 *
 * Returns the IRQ number (>= 0), -NVFIO_EBADADDR, -NVFIO_ENOIRQ (no such line), -ENOMEM, or
 * -errno from reading /proc/interrupts.
 */
int nvfio_vfio_msix_host_irq(const char *addr, unsigned int vector);

/*
 * ---- BAR faults and SIGBUS ----
 *
 * While at least one region of any device is mapped (nvfio_vfio_device_map_region()), nvfio has
 * a process-wide SIGBUS handler installed (SA_SIGINFO | SA_ONSTACK | SA_RESTART): it is installed
 * by the first mapping and the action it replaced is put back when the last mapping goes
 * (unmapped, or its device closed). A SIGBUS whose address lies in a mapped region is nvfio's
 * (above); every other SIGBUS goes to the action the application had when the handler was
 * installed: its handler (with that action's mask added), or, for SIG_DFL, the default (the
 * process dies of SIGBUS, as without nvfio), or, for SIG_IGN, what the kernel does (a SIGBUS sent
 * by kill() is ignored, a fault kills). SA_RESETHAND and SA_NODEFER of that action are not
 * reproduced. Where the all-ones memory cannot be had (no memory), the fault is treated as not
 * nvfio's.
 *
 * An application that installs its own SIGBUS handler while nvfio's is installed replaces it,
 * and must then pass the faults on: call nvfio_vfio_sigbus_handle() first and return when it says
 * the fault was nvfio's (or chain to the action sigaction() returned as the old one). nvfio then
 * leaves that handler in place: it does not put its own previous action back over it when the
 * last mapping goes, nor install itself over it again (only over SIG_DFL or SIG_IGN, or when its
 * own handler is found back). Changing SIGBUS's action in one thread while another maps or
 * unmaps the first or last region is a race the application must avoid.
 *
 * Under valgrind, the access can run again only with --vex-iropt-register-updates=
 * allregs-at-mem-access (by default valgrind does not keep the registers a faulting load
 * needs to resume).
 */

/*
 * nvfio_vfio_sigbus_handle() - answer a SIGBUS that is nvfio's, from the application's handler
 * @siginfo: the siginfo_t * the SA_SIGINFO handler was given
 *
 * A fault (si_code > 0) inside a mapped region of any device: that mapping is replaced by memory
 * that reads all-ones and its device marked removed, and the handler should return at once, so
 * that the access runs again and reads all-ones. Async-signal safe; errno is kept.
 * Returns true for such a fault, false for any other SIGBUS (the application's own) or when the
 * replacement memory could not be had.
 */
bool nvfio_vfio_sigbus_handle(const void *siginfo);

/*
 * ==== Low level: the VFIO container and groups under a context ====
 *
 * How the container backend gets a device into a context, step by step, for callers that need
 * the steps themselves (their own group handling, VFIO extensions, the raw descriptors). Most
 * applications need only the context and the device above. In the kernel's container model a
 * context's container (/dev/vfio/vfio) holds groups (/dev/vfio/N, or /dev/vfio/noiommu-N without
 * an IOMMU); every device of a group must be bound to vfio-pci (or to no driver) before the group
 * can join a container, and the container's IOMMU model can be set once a group is in it:
 *
 *	nvfio_iommu_open(mode, &ctx);
 *	c = nvfio_iommu_vfio_container(ctx);
 *	nvfio_vfio_group_open(id, &g);
 *	nvfio_vfio_group_set_container(g, c);
 *	nvfio_vfio_container_set_iommu(c, NVFIO_VFIO_TYPE1V2);
 *	nvfio_vfio_group_device_open(g, addr, &dev);
 *
 * A group opened here belongs to the caller, who closes it after its devices; the groups
 * nvfio_vfio_device_open() attached belong to the context (look at them, do not close them).
 */

/* Bits of nvfio_vfio_group_status() (the kernel's VFIO_GROUP_FLAGS_*). */
enum {
	NVFIO_VFIO_GROUP_VIABLE = 1u << 0,	  /* every device of the group is free for VFIO */
	NVFIO_VFIO_GROUP_CONTAINER_SET = 1u << 1, /* the group is in a container */
};

/* nvfio_iommu_vfio_container() - the VFIO container behind a context (owned by the context). */
struct nvfio_vfio_container *nvfio_iommu_vfio_container(const struct nvfio_iommu *ctx);

/* nvfio_vfio_container_fd() - the container's file descriptor (owned by the container). */
int nvfio_vfio_container_fd(const struct nvfio_vfio_container *c);

/*
 * nvfio_vfio_container_check_extension() - VFIO_CHECK_EXTENSION
 * @ext: a VFIO extension number (NVFIO_VFIO_TYPE1V2, NVFIO_VFIO_NOIOMMU, or another of
 *       <linux/vfio.h>)
 *
 * Returns 1 if supported, 0 if not, or a negative error.
 */
int nvfio_vfio_container_check_extension(const struct nvfio_vfio_container *c, unsigned int ext);

/*
 * nvfio_vfio_container_set_iommu() - choose the container's IOMMU model (that of its context)
 *
 * At least one group must be in the container (nvfio_vfio_group_set_container()).
 * Returns 0, -NVFIO_ENOIOMMUTYPE (not offered: the message says how to enable it), -EINVAL (no
 * group yet), -EBUSY (already set), -EPERM (no-IOMMU needs CAP_SYS_RAWIO).
 */
int nvfio_vfio_container_set_iommu(struct nvfio_vfio_container *c, enum nvfio_vfio_iommu_type t);

/*
 * nvfio_vfio_noiommu_enabled() - whether the vfio module allows no-IOMMU mode
 * (/sys/module/vfio/parameters/enable_unsafe_noiommu_mode).
 *
 * Returns 1, 0, or -NVFIO_ENOVFIO (vfio not loaded, or built without no-IOMMU support).
 */
int nvfio_vfio_noiommu_enabled(void);

/*
 * nvfio_vfio_group_of_device() - find a device's IOMMU group from sysfs (its iommu_group link)
 * @addr:    PCI address
 * @id:      receives the group number
 * @noiommu: receives whether it is a no-IOMMU group (/dev/vfio/noiommu-N); may be NULL
 *
 * Returns 0, -NVFIO_EBADADDR, -NVFIO_ENODEVICE, -NVFIO_ENOGROUP.
 */
int nvfio_vfio_group_of_device(const char *addr, unsigned int *id, bool *noiommu);

/*
 * nvfio_vfio_group_open() - open /dev/vfio/@id
 *
 * Returns 0, -NVFIO_ENOGROUP (no such group file), -NVFIO_EGROUPBUSY (open elsewhere),
 * -EACCES/-EPERM, -ENOMEM.
 */
int nvfio_vfio_group_open(unsigned int id, struct nvfio_vfio_group **g);

/*
 * nvfio_vfio_group_open_name() - open a group by its /dev/vfio name: "N" or "noiommu-N"
 *
 * Returns as nvfio_vfio_group_open(), or -EINVAL for another name.
 */
int nvfio_vfio_group_open_name(const char *name, struct nvfio_vfio_group **g);

/*
 * nvfio_vfio_group_close() - leave the container (if in one) and close. Its devices are closed
 * first (a device left open keeps the group, its IOMMU and its mappings alive in the kernel
 * until it closes). NULL is ignored.
 */
void nvfio_vfio_group_close(struct nvfio_vfio_group *g);

/* nvfio_vfio_group_fd() - the group's file descriptor (owned by the group). */
int nvfio_vfio_group_fd(const struct nvfio_vfio_group *g);

/* nvfio_vfio_group_id() - the group number. */
unsigned int nvfio_vfio_group_id(const struct nvfio_vfio_group *g);

/* nvfio_vfio_group_is_noiommu() - whether it is a no-IOMMU group. */
bool nvfio_vfio_group_is_noiommu(const struct nvfio_vfio_group *g);

/*
 * nvfio_vfio_group_status() - VFIO_GROUP_GET_STATUS
 *
 * Returns the NVFIO_VFIO_GROUP_* bits (>= 0) or a negative error.
 */
int nvfio_vfio_group_status(const struct nvfio_vfio_group *g);

/*
 * nvfio_vfio_group_set_container() - put the group into a context's container
 *
 * Returns 0, -NVFIO_ENOTVIABLE (the message lists the group's other devices, the drivers they
 * are bound to and how to release them), -EBUSY (already in a container), -EINVAL.
 */
int nvfio_vfio_group_set_container(struct nvfio_vfio_group *g, struct nvfio_vfio_container *c);

/*
 * nvfio_vfio_group_unset_container() - take the group out of its container
 *
 * Devices of the group must be closed first. When the last group leaves, the kernel drops the
 * container's IOMMU model and every DMA mapping in it, and the context's DMA address space
 * (nvfio_iommu_dma()) is destroyed with them. Returns 0, -EINVAL (not in one), -EBUSY.
 */
int nvfio_vfio_group_unset_container(struct nvfio_vfio_group *g);

/*
 * nvfio_vfio_group_device_open() - open a device of a group that is in a container with its
 * IOMMU model set; the device is in that container's context (nvfio_vfio_device_iommu()).
 * The device fd is asked as by nvfio_vfio_device_open(), with its retry.
 *
 * Returns 0, -NVFIO_EBADADDR, -NVFIO_ENODEVICE, -NVFIO_ENOTVFIO (bound to another driver: the
 * message names it and how to rebind), -EINVAL (group not ready), -EPERM, -ENOMEM.
 */
int nvfio_vfio_group_device_open(struct nvfio_vfio_group *g, const char *addr,
				 struct nvfio_vfio_device **dev);

/* nvfio_vfio_device_group() - the group a device was opened from. */
struct nvfio_vfio_group *nvfio_vfio_device_group(const struct nvfio_vfio_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* NVFIO_VFIO_H */
