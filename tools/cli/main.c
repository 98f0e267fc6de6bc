// SPDX-License-Identifier: BSD-3-Clause
/*
 * nvfio: nvme-cli's commands for NVMe controllers driven from user space (bound to vfio-pci,
 * or simulated), and the set-up that hands controllers to vfio-pci and back.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
	const struct cli_cmd *c;

	fprintf(out,
		"Usage: %s COMMAND [DEVICE] [OPTIONS]\n\n"
		"nvme-cli's commands for NVMe controllers that nvfio drives from user space.\n"
		"DEVICE is a PCI address bound to vfio-pci (0000:01:00.0 or 01:00.0) or sim:OPTIONS\n"
		"(nvfio's simulated controller). '%s COMMAND --help' describes a command.\n\n"
		"Commands:\n",
		CLI_NAME, CLI_NAME);
	for (c = cli_dev_cmds; c->name; c++)
		fprintf(out, "  %-18s %s\n", c->name, c->summary);
	fprintf(out, "  %-18s %s\n", "help", "this list, or 'help COMMAND' for a command's");
	fprintf(out, "  %-18s %s\n", "version", "nvfio's version");
}

static const struct cli_cmd *find(const char *name)
{
	const struct cli_cmd *c;

	for (c = cli_dev_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	/* nvme-cli prints large counters with the locale's thousands separator. */
	setlocale(LC_ALL, "");
	if (argc < 2) {
		usage(stderr);
		return EINVAL;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc > 2) {
			char *help[] = { argv[2], "--help", NULL };

			c = find(argv[2]);
			if (!c) {
				cli_err("'%s' is not a command; '%s help' lists them", argv[2],
					CLI_NAME);
				return EINVAL;
			}
			return c->run(2, help);
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("%s version %s\n", CLI_NAME, NVFIO_VERSION);
		return 0;
	}
	c = find(argv[1]);
	if (!c) {
		cli_err("'%s' is not a command; '%s help' lists them", argv[1], CLI_NAME);
		return EINVAL;
	}
	return c->run(argc - 1, argv + 1);
}
