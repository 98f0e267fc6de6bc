// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
	if (err < 0)
		err = -err;
	/* nvfio's own error numbers lie above the errno range: report them as EIO. */
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
