// SPDX-License-Identifier: BSD-3-Clause
/* The commands of the nvfio tool, in the order its help lists them. */
#include <stddef.h>

#include "cli.h"
#include "cmds.h"

const struct cli_cmd cli_dev_cmds[] = {
	{ "setup", cli_setup, "hand NVMe functions to vfio-pci, reserve hugepages (as root)" },
	{ "release", cli_release, "give NVMe functions back to the kernel's nvme driver" },
	{ "status", cli_status, "what nvfio needs here: functions, groups, hugepages, limits" },
	{ "list", cli_list, "the namespaces of every controller bound to vfio-pci" },
	{ "id-ctrl", cli_id_ctrl, "Identify Controller" },
	{ "id-ns", cli_id_ns, "Identify Namespace" },
	{ "list-ns", cli_list_ns, "namespace ids, active or allocated (--all)" },
	{ "ns-descs", cli_ns_descs, "namespace identification descriptors" },
	{ "list-ctrl", cli_list_ctrl, "controllers of the subsystem or of a namespace" },
	{ "show-regs", cli_show_regs, "the controller's registers" },
	{ "get-feature", cli_get_feature, "Get Features: one feature or all" },
	{ "set-feature", cli_set_feature, "Set Features" },
	{ "smart-log", cli_smart_log, "SMART / health information log" },
	{ "error-log", cli_error_log, "error information log" },
	{ "fw-log", cli_fw_log, "firmware slot information log" },
	{ "get-log", cli_get_log, "any log page, as a hex dump or raw" },
	{ "sanitize-log", cli_sanitize_log, "sanitize status log" },
	{ "self-test-log", cli_self_test_log, "device self-test log" },
	{ "format", cli_format, "Format NVM: another LBA format, or a secure erase" },
	{ "sanitize", cli_sanitize, "erase all user data (block erase, overwrite, crypto)" },
	{ "device-self-test", cli_device_self_test, "run a device self-test and wait for it" },
	{ "fw-download", cli_fw_download, "send a firmware image" },
	{ "fw-commit", cli_fw_commit, "put a firmware image in a slot, activate it" },
	{ "create-ns", cli_create_ns, "create a namespace" },
	{ "delete-ns", cli_delete_ns, "delete a namespace" },
	{ "attach-ns", cli_attach_ns, "attach a namespace to controllers" },
	{ "detach-ns", cli_detach_ns, "detach a namespace from controllers" },
	{ "reset", cli_reset, "reset the controller" },
	{ "read", cli_read, "read blocks to a file" },
	{ "write", cli_write, "write blocks from a file" },
	{ "compare", cli_compare, "compare blocks with a file" },
	{ "flush", cli_flush, "commit the volatile write cache" },
	{ "write-zeroes", cli_write_zeroes, "zero blocks" },
	{ "dsm", cli_dsm, "dataset management (deallocate ranges)" },
	{ "admin-passthru", cli_admin_passthru, "any admin command" },
	{ "io-passthru", cli_io_passthru, "any I/O command" },
	{ NULL, NULL, NULL },
};
