/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_ERROR_H
#define NVFIO_ERROR_H

/*
 * Errors.
 *
 * Every nvfio function that can fail returns 0 (or a count) on success and a negative number on
 * failure: either -errno, or -NVFIO_E*, one of the codes below for failures that errno cannot
 * name. nvfio never reports through the global errno.
 *
 * A failing call also leaves a sentence on the calling thread that names what failed and what to
 * do about it (which device, which group, which limit, which command to run); read it with
 * nvfio_last_error(). An NVMe command's own status (SCT/SC) is separate from both and is reported
 * with the command's completion.
 */

#ifdef __cplusplus
extern "C" {
#endif

enum nvfio_error {
	NVFIO_EBASE = 4096,

	/* vfio/ */
	NVFIO_EBADADDR,      /* not a PCI address (DDDD:BB:DD.F or BB:DD.F) */
	NVFIO_ENODEVICE,     /* no such PCI device in sysfs */
	NVFIO_ENOTVFIO,      /* device not bound to vfio-pci */
	NVFIO_ENOGROUP,      /* device has no IOMMU group (IOMMU off, no no-IOMMU mode) */
	NVFIO_ENOTVIABLE,    /* group not viable: another device in it is bound to a host driver */
	NVFIO_EAPIVERSION,   /* VFIO API version is not the one this library speaks */
	NVFIO_ENOIOMMUTYPE,  /* the requested IOMMU type (type1v2 or no-IOMMU) is not available */
	NVFIO_EGROUPBUSY,    /* group already opened by another process or container */
	NVFIO_ENOREGION,     /* region index absent or not mappable */
	NVFIO_ENOIRQ,        /* interrupt index or vector absent */
	NVFIO_ENOVFIO,       /* VFIO not available: no /dev/vfio/vfio (vfio-pci not loaded) */

	/* dma/ */
	NVFIO_ENOHUGEPAGES,  /* no free hugepages of the needed size */
	NVFIO_EMEMLOCK,      /* RLIMIT_MEMLOCK too low for the mapping */
	NVFIO_ENOIOVA,       /* IOVA space exhausted */
	NVFIO_ENOMAPPINGS,   /* the IOMMU's DMA mapping count is exhausted */
	NVFIO_ENOTMAPPED,    /* address or range not registered for DMA */
	NVFIO_ENOPHYS,       /* physical address not readable (no-IOMMU needs root / CAP_SYS_ADMIN) */

	/* nvme/ */
	NVFIO_ETIMEDOUT,     /* the controller did not answer within its deadline */
	NVFIO_EFATAL,        /* controller fatal status (CSTS.CFS) */
	NVFIO_EREMOVED,      /* device gone: registers read all-ones */
	NVFIO_ENVME,         /* the command completed with a non-zero NVMe status */
	NVFIO_EBADOPT,       /* bad controller address or option */
	NVFIO_ERESET,        /* the command was outstanding when the controller was reset */

	NVFIO_ELAST
};

/*
 * nvfio_strerror() - words for an error code
 * @err: a return value of an nvfio function: -errno, -NVFIO_E*, or the positive forms
 *
 * Returns a constant string; never NULL.
 */
const char *nvfio_strerror(int err);

/*
 * nvfio_last_error() - what the calling thread's last failing nvfio call said about its failure
 *
 * Returns the message (with the remedy, where there is one) of the most recent failure on this
 * thread, or "" if none. Valid until the next nvfio call on the same thread.
 */
const char *nvfio_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* NVFIO_ERROR_H */
