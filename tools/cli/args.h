/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_ARGS_H
#define NVFIO_CLI_ARGS_H

/*
 * Command-line options of the nvfio tool, declared as a table so that parsing and --help come
 * from the same place. Options take nvme-cli's forms: --name=VALUE, --name VALUE, -n VALUE,
 * -nVALUE; numbers in decimal, 0x hexadecimal or 0 octal, checked against the field's width.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cli_arg {
	CLI_ARG_FLAG, /* bool, no value */
	CLI_ARG_UINT, /* unsigned integer of 1, 2, 4 or 8 bytes */
	CLI_ARG_STR,  /* const char * */
};

struct cli_opt {
	const char *name; /* long name, without the dashes */
	char key;	  /* short letter, or 0 */
	enum cli_arg type;
	void *val;	  /* where the value goes */
	unsigned int size; /* CLI_ARG_UINT: sizeof(*val) */
	const char *meta; /* the value's name in --help ("NUM", "FILE", ...) */
	const char *help;
	bool *given;	  /* set when the option appears on the command line; may be NULL */
};

#define CLI_FLAG(n, k, p, h)	 { (n), (k), CLI_ARG_FLAG, (p), 0, NULL, (h), NULL }
#define CLI_UINT(n, k, p, m, h)	 { (n), (k), CLI_ARG_UINT, (p), sizeof(*(p)), (m), (h), NULL }
#define CLI_UINT_G(n, k, p, m, h, g) { (n), (k), CLI_ARG_UINT, (p), sizeof(*(p)), (m), (h), (g) }
#define CLI_STR(n, k, p, m, h)	 { (n), (k), CLI_ARG_STR, (p), 0, (m), (h), NULL }
#define CLI_END			 { NULL, 0, CLI_ARG_FLAG, NULL, 0, NULL, NULL, NULL }

/* What a command is, for its --help. */
struct cli_usage {
	const char *cmd;  /* "id-ctrl" */
	const char *args; /* "DEVICE [OPTIONS]" */
	const char *desc; /* one paragraph */
};

/* cli_parse() results besides 0. */
#define CLI_HELP_SHOWN 1 /* --help was given and printed: exit 0 */

/*
 * cli_parse() - parse @argv against @opts
 * @pos, @npos: receive the arguments that are not options, in order (at most @max_pos; more is
 *              an error), e.g. the device
 *
 * Returns 0, CLI_HELP_SHOWN, or -EINVAL after printing what is wrong and how to get help.
 */
int cli_parse(int argc, char **argv, const struct cli_usage *usage, const struct cli_opt *opts,
	      char **pos, int max_pos, int *npos);

/* cli_help() - print @usage and @opts to @out (stdout for --help, stderr after an error). */
void cli_help(const struct cli_usage *usage, const struct cli_opt *opts, void *out);

/* cli_parse_list() - "1,0x2,3" into @v; the count (0 for NULL or ""), or -1 when malformed or
 * longer than @max. */
int cli_parse_list(const char *s, uint64_t *v, int max);

#endif /* NVFIO_CLI_ARGS_H */
