// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <nvfio/error.h>

#include "cli.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs(CLI_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_errno(int err)
{
	/* nvfio's own error numbers lie above the errno range: each as the errno nearest it. */
	static const struct {
		int nvfio, errnum;
	} near[] = {
		{ NVFIO_EBADADDR, EINVAL },	 { NVFIO_EBADOPT, EINVAL },
		{ NVFIO_ENODEVICE, ENODEV },	 { NVFIO_EREMOVED, ENODEV },
		{ NVFIO_ENOTVFIO, ENXIO },	 { NVFIO_ENOVFIO, ENXIO },
		{ NVFIO_ENOGROUP, ENXIO },	 { NVFIO_ENOIOMMUTYPE, ENXIO },
		{ NVFIO_ENOTVIABLE, EBUSY },	 { NVFIO_EGROUPBUSY, EBUSY },
		{ NVFIO_ENOHUGEPAGES, ENOMEM }, { NVFIO_EMEMLOCK, ENOMEM },
		{ NVFIO_ENOIOVA, ENOMEM },	 { NVFIO_ENOMAPPINGS, ENOMEM },
		{ NVFIO_ENOPHYS, EPERM },	 { NVFIO_ETIMEDOUT, ETIMEDOUT },
		{ NVFIO_ENOTMAPPED, EFAULT },
	};
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(near) / sizeof(near[0]); i++)
		if (near[i].nvfio == err)
			return near[i].errnum;
	return err > 0 && err < 256 ? err : EIO;
}

int cli_exit_status(uint16_t status)
{
	unsigned int sc = status & 0xff;

	return sc ? (int)sc : 255;
}

const char *cli_sysfs(void)
{
	const char *s = getenv("NVFIO_SYSFS");

	return s && *s ? s : "/sys";
}
