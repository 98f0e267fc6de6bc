/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_H
#define NVFIO_CLI_H

/*
 * The nvfio tool: nvme-cli's commands for controllers driven from user space, and the machine's
 * set-up. Each command is a function taking its own argv (argv[0] is the command's name) and
 * returning the process's exit status.
 */

#include <stdint.h>

#define CLI_NAME "nvfio"

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* cli_err() - print "nvfio: MESSAGE" and a newline to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Exit statuses, as nvme-cli's: 0 for success; for a command the controller failed, its Status
 * Code (the low byte of the status field; 255 when that byte is 0, so that a failure never
 * reads as success); otherwise the errno of what went wrong (nvfio's own errors as the nearest
 * errno: a bad address EINVAL, no such device ENODEV, a group in use EBUSY, no hugepages or
 * memlock ENOMEM, a timeout ETIMEDOUT, anything else EIO).
 */
int cli_exit_errno(int err);
int cli_exit_status(uint16_t status);

/* The root of sysfs: $NVFIO_SYSFS (for tests), else /sys. */
const char *cli_sysfs(void);

/* The device commands (dev_cmds.c and the files it names). */
extern const struct cli_cmd cli_dev_cmds[];

#endif /* NVFIO_CLI_H */
