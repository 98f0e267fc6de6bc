// SPDX-License-Identifier: BSD-3-Clause
/*
 * The nvfio tool's option parser (tools/cli/args.c): each parse starts afresh, whatever the
 * previous one left behind. glibc's getopt_long() keeps a pointer into the argv it last parsed
 * (the rest of a cluster of short options such as "-axb"); a parse that ended in the middle of
 * a cluster must not leave the next one reading that argv, which may be freed by then.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/test.h"
#include "args.h"

static bool a, b;
static uint32_t num;
static const char *str;

static const struct cli_usage usage = {"test", "DEVICE [OPTIONS]", "The parser under test."};
static const struct cli_opt opts[] = {
    CLI_FLAG("alpha", 'a', &a, "a flag"),
    CLI_FLAG("beta", 'b', &b, "another flag"),
    CLI_UINT("num", 'n', &num, "NUM", "a 32-bit number"),
    CLI_STR("str", 's', &str, "STR", "a string"),
    CLI_END,
};

/* Parse the NULL-terminated @args (after argv[0]) from copies on the heap, freed before the
 * return, as a caller's argv may be. The positional argument goes to @dev. */
static int parse(char *dev, size_t devlen, const char *const *args)
{
	char *argv[16], *pos[1] = {NULL};
	int argc = 0, npos = 0, ret, i;

	a = b = false;
	num = 0;
	str = NULL;
	argv[argc++] = strdup("test");
	for (; *args; args++)
		argv[argc++] = strdup(*args);
	argv[argc] = NULL;
	for (i = 0; i < argc; i++)
		CHECK(argv[i]);
	ret = cli_parse(argc, argv, &usage, opts, pos, 1, &npos);
	if (dev)
		snprintf(dev, devlen, "%s", npos ? pos[0] : "");
	/* Values that point into argv are copied or dropped before it goes. */
	str = NULL;
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return ret;
}

int main(void)
{
	char dev[32];

	/* The plain forms. */
	CHECK(parse(dev, sizeof(dev), (const char *[]){"-ab", "-n7", "sim:", NULL}) == 0);
	CHECK(a && b && num == 7 && !strcmp(dev, "sim:"));
	CHECK(parse(dev, sizeof(dev), (const char *[]){"--num=0x10", "--beta", NULL}) == 0);
	CHECK(!a && b && num == 16 && !dev[0]);
	CHECK(parse(NULL, 0, (const char *[]){"--num", "4294967296", NULL}) == -EINVAL);
	CHECK(parse(NULL, 0, (const char *[]){"-n", NULL}) == -EINVAL);
	CHECK(parse(NULL, 0, (const char *[]){"one", "two", NULL}) == -EINVAL);
	CHECK(parse(NULL, 0, (const char *[]){"--gamma", NULL}) == -EINVAL);

	/*
	 * A cluster whose middle is unknown ends the parse there, with "b" not yet read. The next
	 * parse, of another argv (the first one freed), must read only its own: no -a or -b, and
	 * under AddressSanitizer no read of the freed string.
	 */
	CHECK(parse(NULL, 0, (const char *[]){"-axb", NULL}) == -EINVAL);
	CHECK(parse(dev, sizeof(dev), (const char *[]){"dev0", NULL}) == 0);
	CHECK(!a && !b && !strcmp(dev, "dev0"));
	/* The same after a value missing at the end of a cluster, and after --help's stop. */
	CHECK(parse(NULL, 0, (const char *[]){"-bn", NULL}) == -EINVAL);
	CHECK(parse(NULL, 0, (const char *[]){"-a", NULL}) == 0);
	CHECK(a && !b);
	CHECK(parse(NULL, 0, (const char *[]){"-hab", NULL}) == CLI_HELP_SHOWN);
	CHECK(parse(dev, sizeof(dev), (const char *[]){"dev1", NULL}) == 0);
	CHECK(!a && !b && !strcmp(dev, "dev1"));

	printf("cli_parse: clusters, values and errors; every parse starts afresh\n");
	return T_EXIT_PASS;
}
