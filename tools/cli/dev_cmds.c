// SPDX-License-Identifier: BSD-3-Clause
/* The commands of the nvfio tool, in the order its help lists them. */
#include <stddef.h>

#include "cli.h"
#include "cmds.h"

const struct cli_cmd cli_dev_cmds[] = {
	{ "setup", cmd_setup, "hand NVMe functions to vfio-pci, reserve hugepages (as root)" },
	{ "release", cmd_release, "give NVMe functions back to the kernel's nvme driver" },
	{ "status", cmd_status, "what nvfio needs here: functions, groups, hugepages, limits" },
	{ NULL, NULL, NULL },
};
