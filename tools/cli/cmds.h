/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_CMDS_H
#define NVFIO_CLI_CMDS_H

/* Each command's entry point: argv[0] is the command's name; returns the exit status. */

/* setup.c, setup_status.c: the machine's set-up */
int cli_setup(int argc, char **argv);
int cli_release(int argc, char **argv);
int cli_status(int argc, char **argv);

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

/* changes.c */
int cli_format(int argc, char **argv);
int cli_sanitize(int argc, char **argv);
int cli_device_self_test(int argc, char **argv);
int cli_fw_download(int argc, char **argv);
int cli_fw_commit(int argc, char **argv);
int cli_create_ns(int argc, char **argv);
int cli_delete_ns(int argc, char **argv);
int cli_attach_ns(int argc, char **argv);
int cli_detach_ns(int argc, char **argv);
int cli_reset(int argc, char **argv);

/* io.c */
int cli_read(int argc, char **argv);
int cli_write(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_flush(int argc, char **argv);
int cli_write_zeroes(int argc, char **argv);
int cli_dsm(int argc, char **argv);

/* passthru.c */
int cli_admin_passthru(int argc, char **argv);
int cli_io_passthru(int argc, char **argv);

#endif /* NVFIO_CLI_CMDS_H */
