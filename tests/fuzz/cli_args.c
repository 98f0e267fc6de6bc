/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The nvfio tool's option parser (cli_parse(), cli_parse_list()) on any command line: flags,
 * numbers of 1, 2, 4 and 8 bytes, strings, clusters of short options, --help, positional
 * arguments. The input: one byte, how many of the arguments go to the first parse; then the
 * arguments, separated by NUL bytes, the rest of them the second parse's. The second argv must
 * parse the same after the first as after itself: glibc's getopt state once outlived a parse (a
 * cluster cut short, "-axq" with x unknown, kept a pointer to "q", which the next parse took as
 * its own option). The first argv stays allocated until then, since AddressSanitizer does not
 * see glibc's read of freed memory and its bookkeeping there reads as the end of the cluster.
 * Each parse ends in 0, help or -EINVAL, and what it returns points into its own argv.
 */
#include <errno.h>

#include "args.h"
#include "fuzz/fuzz.h"

#define MAX_ARGS 32

static bool flag_a, flag_b;
static uint8_t u8;
static uint16_t u16;
static uint32_t u32;
static uint64_t u64;
static const char *str;
static bool u32_given;

static const struct cli_usage usage = {"fuzz", "DEVICE [OPTIONS]", "The parser, fuzzed."};
static const struct cli_opt opts[] = {
    CLI_FLAG("alpha", 'a', &flag_a, "a flag"),
    CLI_FLAG("beta", 0, &flag_b, "a flag without a letter"),
    CLI_UINT("byte", 'y', &u8, "NUM", "1 byte"),
    CLI_UINT("half", 'w', &u16, "NUM", "2 bytes"),
    CLI_UINT_G("word", 'n', &u32, "NUM", "4 bytes", &u32_given),
    CLI_UINT("quad", 'q', &u64, "NUM", "8 bytes"),
    CLI_STR("string", 's', &str, "STR", "a string"),
    CLI_END,
};

static bool inside(const char *p, char **argv, int argc)
{
	int i;

	for (i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return true;
	return false;
}

/* What one parse gave, kept past its argv. */
struct result {
	int ret, npos;
	bool a, b, given;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	char str[64], pos[2][64];
};

/* Parse the arguments of @in into @r; @argv is theirs, for the caller to free. Returns argc. */
static int parse(struct fuzz_in in, struct result *r, char **argv)
{
	char *pos[2];
	uint64_t list[8];
	int argc = fuzz_argv(&in, "fuzz", argv, MAX_ARGS + 2), i;

	flag_a = flag_b = u32_given = false;
	u8 = 0, u16 = 0, u32 = 0, u64 = 0;
	str = NULL;
	memset(r, 0, sizeof(*r));
	r->npos = -1;
	r->ret = cli_parse(argc, argv, &usage, opts, pos, 2, &r->npos);
	FUZZ_CHECK(r->ret == 0 || r->ret == CLI_HELP_SHOWN || r->ret == -EINVAL);
	FUZZ_CHECK(r->npos >= 0 && r->npos <= 2);
	for (i = 0; i < r->npos; i++) {
		FUZZ_CHECK(inside(pos[i], argv, argc));
		snprintf(r->pos[i], sizeof(r->pos[i]), "%s", pos[i]);
	}
	if (str) {
		FUZZ_CHECK(inside(str, argv, argc));
		snprintf(r->str, sizeof(r->str), "%s", str);
	}
	r->a = flag_a, r->b = flag_b, r->given = u32_given;
	r->u8 = u8, r->u16 = u16, r->u32 = u32, r->u64 = u64;
	for (i = 1; i < argc; i++)
		FUZZ_CHECK(cli_parse_list(argv[i], list, 8) <= 8);
	return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size}, first;
	size_t n = fuzz_byte(&in) % MAX_ARGS, i;
	char *argv_a[MAX_ARGS + 2], *argv_b[MAX_ARGS + 2], *argv_again[MAX_ARGS + 2];
	struct result ra, rb, again;
	int na, nb, nagain;

	/* The first n arguments, then the rest. */
	first = in;
	for (i = 0; i < n && in.len; i++) {
		const uint8_t *nul = memchr(in.p, '\0', in.len);
		size_t used = nul ? (size_t)(nul - in.p) + 1 : in.len;

		in.p += used;
		in.len -= used;
	}
	first.len = (size_t)(in.p - first.p);
	na = parse(first, &ra, argv_a);
	nb = parse(in, &rb, argv_b);
	nagain = parse(in, &again, argv_again);
	FUZZ_CHECK(!memcmp(&rb, &again, sizeof(rb)));
	fuzz_argv_free(argv_again, nagain);
	fuzz_argv_free(argv_b, nb);
	fuzz_argv_free(argv_a, na);
	return 0;
}
