/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_CMDS_H
#define NVFIO_CLI_CMDS_H

/* Each command's entry point: argv[0] is the command's name; returns the exit status. */

#endif /* NVFIO_CLI_CMDS_H */
