// SPDX-License-Identifier: BSD-3-Clause
/* The commands of the nvfio tool, in the order its help lists them. */
#include <stddef.h>

#include "cli.h"
#include "cmds.h"

const struct cli_cmd cli_dev_cmds[] = {
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
	{ NULL, NULL, NULL },
};
