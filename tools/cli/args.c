// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

#define CLI_MAX_OPTS 64

void cli_help(const struct cli_usage *usage, const struct cli_opt *opts, void *outp)
{
	FILE *out = outp;
	const struct cli_opt *o;

	fprintf(out, "Usage: %s %s %s\n\n%s\n\nOptions:\n", CLI_NAME, usage->cmd, usage->args,
		usage->desc);
	for (o = opts; o && o->name; o++) {
		char head[96];
		int n;

		if (o->key)
			n = snprintf(head, sizeof(head), "  -%c, --%s", o->key, o->name);
		else
			n = snprintf(head, sizeof(head), "      --%s", o->name);
		if (o->type != CLI_ARG_FLAG && n > 0 && (size_t)n < sizeof(head))
			snprintf(head + n, sizeof(head) - (size_t)n, "=%s",
				 o->meta ? o->meta : "VALUE");
		fprintf(out, "%-32s %s\n", head, o->help);
	}
	fprintf(out, "%-32s %s\n", "  -h, --help", "show this help");
}

static int set_uint(const struct cli_opt *o, const char *arg)
{
	uint64_t max = o->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * o->size)) - 1;
	unsigned long long v;
	char *end;

	errno = 0;
	if (*arg == '-' || *arg == '\0')
		goto bad;
	v = strtoull(arg, &end, 0);
	if (errno || *end || v > max)
		goto bad;
	switch (o->size) {
	case 1:
		*(uint8_t *)o->val = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)o->val = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)o->val = (uint32_t)v;
		break;
	default:
		*(uint64_t *)o->val = (uint64_t)v;
		break;
	}
	return 0;
bad:
	cli_err("--%s: '%s' is not a number from 0 to %llu", o->name, arg, (unsigned long long)max);
	return -EINVAL;
}

int cli_parse(int argc, char **argv, const struct cli_usage *usage, const struct cli_opt *opts,
	      char **pos, int max_pos, int *npos)
{
	struct option longs[CLI_MAX_OPTS + 2];
	char shorts[3 * CLI_MAX_OPTS + 8];
	size_t ns = 0;
	int n = 0, c, idx;

	/* ':' first: a missing value is reported as ':', apart from an unknown option. */
	shorts[ns++] = ':';
	for (; opts && opts[n].name; n++) {
		if (n == CLI_MAX_OPTS)
			return cli_err("internal: too many options for %s", usage->cmd), -EINVAL;
		longs[n] = (struct option){
		    opts[n].name, opts[n].type == CLI_ARG_FLAG ? no_argument : required_argument,
		    NULL, 256 + n};
		if (opts[n].key) {
			shorts[ns++] = opts[n].key;
			if (opts[n].type != CLI_ARG_FLAG)
				shorts[ns++] = ':';
		}
	}
	longs[n++] = (struct option){"help", no_argument, NULL, 'h'};
	longs[n] = (struct option){NULL, 0, NULL, 0};
	shorts[ns++] = 'h';
	shorts[ns] = '\0';

	*npos = 0;
	/* 0, not 1: glibc then forgets the rest of a cluster of short options the previous parse
	 * stopped in ("-axb" ends at x with "b" kept), a pointer into an argv that may be freed. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, &idx)) != -1) {
		const struct cli_opt *o = NULL;

		if (c == 'h') {
			cli_help(usage, opts, stdout);
			return CLI_HELP_SHOWN;
		}
		if (c == '?' || c == ':') {
			const char *what = argv[optind - 1];

			if (optopt && optopt < 256)
				cli_err("%s: option -%c %s", usage->cmd, optopt,
					c == ':' ? "needs a value" : "is unknown");
			else
				cli_err("%s: option %s %s", usage->cmd, what,
					c == ':' ? "needs a value" : "is unknown");
			fprintf(stderr, "see '%s %s --help'\n", CLI_NAME, usage->cmd);
			return -EINVAL;
		}
		if (c >= 256) {
			o = &opts[c - 256];
		} else {
			for (o = opts; o->name && o->key != c; o++)
				;
		}
		if (o->given)
			*o->given = true;
		switch (o->type) {
		case CLI_ARG_FLAG:
			*(bool *)o->val = true;
			break;
		case CLI_ARG_UINT:
			if (set_uint(o, optarg))
				return -EINVAL;
			break;
		case CLI_ARG_STR:
			*(const char **)o->val = optarg;
			break;
		}
	}
	for (; optind < argc; optind++) {
		if (*npos == max_pos) {
			cli_err("%s: unexpected argument '%s'", usage->cmd, argv[optind]);
			fprintf(stderr, "see '%s %s --help'\n", CLI_NAME, usage->cmd);
			return -EINVAL;
		}
		pos[(*npos)++] = argv[optind];
	}
	return 0;
}

int cli_parse_list(const char *s, uint64_t *v, int max)
{
	int n = 0;

	while (s && *s) {
		char *end;

		errno = 0;
		if (n == max || *s == '-')
			return -1;
		v[n] = strtoull(s, &end, 0);
		if (end == s || errno || (*end && *end != ','))
			return -1;
		n++;
		s = *end ? end + 1 : end;
	}
	return n;
}
