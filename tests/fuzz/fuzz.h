/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_FUZZ_FUZZ_H
#define NVFIO_TESTS_FUZZ_FUZZ_H

/*
 * Helpers of the libFuzzer targets (one program per parser, tests/fuzz/<target>.c): the input cut
 * into what a parser takes (pages of exactly their size, NUL-terminated strings, an argv), each
 * in its own allocation so that AddressSanitizer sees a read one byte past it, and the checks a
 * parser's result must pass whatever the input was (a failed one aborts: libFuzzer keeps the
 * input as a crash).
 */

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parser's result must satisfy @cond, for every input. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input as it is consumed: what is left of it. */
struct fuzz_in {
	const uint8_t *p;
	size_t len;
};

/* The next byte of @in, 0 once it is used up. */
static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	uint8_t b = 0;

	if (in->len) {
		b = *in->p++;
		in->len--;
	}
	return b;
}

/* The next 4 bytes, little-endian, 0 where the input ends. */
static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v |= (uint32_t)fuzz_byte(in) << (8 * i);
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t lo = fuzz_u32(in);

	return lo | (uint64_t)fuzz_u32(in) << 32;
}

/* The next @size bytes in an allocation of exactly @size (zeroes where the input ends), as a
 * device's page is always whole; freed with free(). Aborts when out of memory. */
static inline void *fuzz_page(struct fuzz_in *in, size_t size)
{
	size_t n = in->len < size ? in->len : size;
	uint8_t *page = calloc(1, size ? size : 1);

	FUZZ_CHECK(page);
	memcpy(page, in->p, n);
	in->p += n;
	in->len -= n;
	return page;
}

/* fuzz_page() of a part of @in: a 2-byte little-endian length (taken up to @size), then that many
 * bytes, zeroes after them; so that an input of several pages need not spell out each whole. */
static inline void *fuzz_chunk(struct fuzz_in *in, size_t size)
{
	size_t n = fuzz_byte(in);
	struct fuzz_in part;

	n |= (size_t)fuzz_byte(in) << 8;
	if (n > size)
		n = size;
	if (n > in->len)
		n = in->len;
	part.p = in->p;
	part.len = n;
	in->p += n;
	in->len -= n;
	return fuzz_page(&part, size);
}

/* The rest of @in as a NUL-terminated string (cut at its first NUL), freed with free(). */
static inline char *fuzz_str(struct fuzz_in *in)
{
	char *s = malloc(in->len + 1);

	FUZZ_CHECK(s);
	memcpy(s, in->p, in->len);
	s[in->len] = '\0';
	in->p += in->len;
	in->len = 0;
	return s;
}

/* The next part of @in up to @sep (which is consumed, not copied) or its end, as a
 * NUL-terminated string freed with free(); NULL when @in is used up. */
static inline char *fuzz_part(struct fuzz_in *in, char sep)
{
	const uint8_t *end = in->len ? memchr(in->p, sep, in->len) : NULL;
	size_t n = end ? (size_t)(end - in->p) : in->len;
	char *s;

	if (!in->len)
		return NULL;
	s = malloc(n + 1);
	FUZZ_CHECK(s);
	memcpy(s, in->p, n);
	s[n] = '\0';
	in->p += n + (end ? 1 : 0);
	in->len -= n + (end ? 1 : 0);
	return s;
}

/*
 * The rest of @in as an argv: @argv0, then one argument per NUL-separated part (at most @max - 2
 * of them), each its own allocation; argv[argc] is NULL. Returns argc; free with fuzz_argv_free().
 */
static inline int fuzz_argv(struct fuzz_in *in, const char *argv0, char **argv, int max)
{
	int argc = 0;
	char *a;

	argv[argc] = strdup(argv0);
	FUZZ_CHECK(argv[argc]);
	argc++;
	while (argc < max - 1 && (a = fuzz_part(in, '\0')))
		argv[argc++] = a;
	argv[argc] = NULL;
	return argc;
}

static inline void fuzz_argv_free(char **argv, int argc)
{
	int i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
}

/* Is @s NUL-terminated within its @size bytes? */
static inline int fuzz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/*
 * A directory of the target's own, for the parsers that read files: made once, with @files
 * (name, contents; NULL-terminated), and removed at exit. Returns its path; aborts on failure.
 * stdin becomes /dev/null, so that no input can have a parser wait on a terminal.
 */
static char fuzz_dir_path[64];

static inline void fuzz_dir_remove(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

static inline const char *fuzz_dir(const char *const (*files)[2])
{
	/* In memory where there is a tmpfs for it: the targets write files at every input. */
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	FUZZ_CHECK(freopen("/dev/null", "r", stdin));
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/nvfio-fuzz-XXXXXX", tmp);
	FUZZ_CHECK(mkdtemp(fuzz_dir_path));
	atexit(fuzz_dir_remove);
	for (; files && (*files)[0]; files++) {
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", fuzz_dir_path, (*files)[0]);
		f = fopen(path, "w");
		FUZZ_CHECK(f && fputs((*files)[1], f) >= 0 && fclose(f) == 0);
	}
	return fuzz_dir_path;
}

/*
 * Whether @s names files only inside the target's directory: no "..", no absolute path where a
 * file name may stand (after an include directive, or as @arg itself when @arg). The parsers take
 * any path, as they should; the targets keep the fuzzer from reading the machine's files.
 */
static inline bool fuzz_local_paths(const char *s, bool arg)
{
	const char *p;

	if (strstr(s, "..") || (arg && s[0] == '/'))
		return false;
	for (p = s; (p = strstr(p, "include")); p++) {
		const char *q = p + 7;

		while (*q && isspace((unsigned char)*q))
			q++;
		if (*q == '/')
			return false;
	}
	return true;
}

#endif /* NVFIO_TESTS_FUZZ_FUZZ_H */
