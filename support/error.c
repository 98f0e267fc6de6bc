/* SPDX-License-Identifier: BSD-3-Clause */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/error.h"

#define NVF_ERRMSG_MAX 1024

static _Thread_local char errmsg[NVF_ERRMSG_MAX];
static _Thread_local unsigned int frozen;

static const char *const nvfio_errstr[NVFIO_ELAST - NVFIO_EBASE] = {
	[NVFIO_EBADADDR - NVFIO_EBASE] = "not a PCI address",
	[NVFIO_ENODEVICE - NVFIO_EBASE] = "no such PCI device",
	[NVFIO_ENOTVFIO - NVFIO_EBASE] = "device not bound to vfio-pci",
	[NVFIO_ENOGROUP - NVFIO_EBASE] = "device has no IOMMU group",
	[NVFIO_ENOTVIABLE - NVFIO_EBASE] = "IOMMU group not viable",
	[NVFIO_EAPIVERSION - NVFIO_EBASE] = "unsupported VFIO API version",
	[NVFIO_ENOIOMMUTYPE - NVFIO_EBASE] = "IOMMU type not available",
	[NVFIO_EGROUPBUSY - NVFIO_EBASE] = "IOMMU group in use",
	[NVFIO_ENOREGION - NVFIO_EBASE] = "no such region, or region not mappable",
	[NVFIO_ENOIRQ - NVFIO_EBASE] = "no such interrupt",
	[NVFIO_ENOVFIO - NVFIO_EBASE] = "VFIO not available",
	[NVFIO_ENOHUGEPAGES - NVFIO_EBASE] = "no free hugepages",
	[NVFIO_EMEMLOCK - NVFIO_EBASE] = "locked-memory limit (RLIMIT_MEMLOCK) too low",
	[NVFIO_ENOIOVA - NVFIO_EBASE] = "IOVA space exhausted",
	[NVFIO_ENOMAPPINGS - NVFIO_EBASE] = "IOMMU DMA mapping limit reached",
	[NVFIO_ENOTMAPPED - NVFIO_EBASE] = "memory not registered for DMA",
	[NVFIO_ENOPHYS - NVFIO_EBASE] = "physical address not available",
	[NVFIO_ETIMEDOUT - NVFIO_EBASE] = "controller timed out",
	[NVFIO_EFATAL - NVFIO_EBASE] = "controller fatal status",
	[NVFIO_EREMOVED - NVFIO_EBASE] = "device removed",
	[NVFIO_ENVME - NVFIO_EBASE] = "NVMe command failed",
	[NVFIO_EBADOPT - NVFIO_EBASE] = "bad controller address or option",
	[NVFIO_ERESET - NVFIO_EBASE] = "aborted by a controller reset",
};

const char *nvfio_strerror(int err)
{
	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	if (err > NVFIO_EBASE && err < NVFIO_ELAST && nvfio_errstr[err - NVFIO_EBASE])
		return nvfio_errstr[err - NVFIO_EBASE];
	if (err < NVFIO_EBASE)
		return strerror(err);
	return "unknown error";
}

const char *nvfio_last_error(void)
{
	return errmsg;
}

int nvf_err(int err, const char *fmt, ...)
{
	va_list ap;

	if (!frozen) {
		va_start(ap, fmt);
		vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
		va_end(ap);
	}
	return err < 0 ? err : -err;
}

void nvf_err_prefix(const char *fmt, ...)
{
	char old[NVF_ERRMSG_MAX];
	size_t n, len;
	va_list ap;
	int r;

	if (frozen)
		return;
	memcpy(old, errmsg, sizeof(old));
	va_start(ap, fmt);
	r = vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	if (r < 0 || !old[0])
		return;
	/* Append ": <old message>", cut at the buffer's end. */
	n = strlen(errmsg);
	if (n + 3 > sizeof(errmsg))
		return;
	len = strlen(old);
	if (len > sizeof(errmsg) - n - 3)
		len = sizeof(errmsg) - n - 3;
	memcpy(errmsg + n, ": ", 2);
	memcpy(errmsg + n + 2, old, len);
	errmsg[n + 2 + len] = '\0';
}

void nvf_err_clear(void)
{
	errmsg[0] = '\0';
}

void nvf_err_freeze(void)
{
	frozen++;
}

void nvf_err_thaw(void)
{
	if (frozen)
		frozen--;
}
