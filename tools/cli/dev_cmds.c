// SPDX-License-Identifier: BSD-3-Clause
/* The commands of the nvfio tool, in the order its help lists them. */
#include <stddef.h>

#include "cli.h"
#include "cmds.h"

const struct cli_cmd cli_dev_cmds[] = {
	{ NULL, NULL, NULL },
};
