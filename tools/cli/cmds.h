/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_CMDS_H
#define NVFIO_CLI_CMDS_H

/* Each command's entry point: argv[0] is the command's name; returns the exit status. */

/* identify.c */
int cli_id_ctrl(int argc, char **argv);
int cli_id_ns(int argc, char **argv);
int cli_list_ns(int argc, char **argv);
int cli_ns_descs(int argc, char **argv);

/* logs.c */
int cli_smart_log(int argc, char **argv);
int cli_error_log(int argc, char **argv);
int cli_fw_log(int argc, char **argv);
int cli_get_log(int argc, char **argv);
int cli_sanitize_log(int argc, char **argv);
int cli_self_test_log(int argc, char **argv);

/* features.c */
int cli_get_feature(int argc, char **argv);
int cli_set_feature(int argc, char **argv);

/* regs.c */
int cli_show_regs(int argc, char **argv);

/* list.c */
int cli_list(int argc, char **argv);
int cli_list_ctrl(int argc, char **argv);

#endif /* NVFIO_CLI_CMDS_H */
