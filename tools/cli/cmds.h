/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_CMDS_H
#define NVFIO_CLI_CMDS_H

/* Each command's entry point: argv[0] is the command's name; returns the exit status. */

int cmd_setup(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif /* NVFIO_CLI_CMDS_H */
