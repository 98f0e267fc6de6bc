/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_COMMON_TEST_H
#define NVFIO_TESTS_COMMON_TEST_H

/*
 * Helpers for test programs: exit 0 on pass, 1 on failure, 77 on skip. A skip always says why.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvfio/error.h>

/* RUNNING_ON_VALGRIND: non-zero when the test runs under valgrind (tests/valgrind/run), where
 * CPU time and the process's mappings are valgrind's as much as the test's. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define T_EXIT_PASS 0
#define T_EXIT_FAIL 1
#define T_EXIT_SKIP 77

/* Fail the test unless @cond holds. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			exit(T_EXIT_FAIL);                                                         \
		}                                                                                  \
	} while (0)

/* Fail unless an nvfio call returned 0 (or a count); print its error and message otherwise. */
#define CHECK_OK(expr)                                                                             \
	do {                                                                                       \
		long __r = (long)(expr);                                                           \
		if (__r < 0) {                                                                     \
			fprintf(stderr, "%s:%d: %s = %ld (%s): %s\n", __FILE__, __LINE__, #expr,   \
				__r, nvfio_strerror((int)__r), nvfio_last_error());                \
			exit(T_EXIT_FAIL);                                                         \
		}                                                                                  \
	} while (0)

/* Fail unless an nvfio call returned exactly the negative error @err. */
#define CHECK_ERR(expr, err)                                                                       \
	do {                                                                                       \
		long __r = (long)(expr);                                                           \
		if (__r != (long)(err)) {                                                          \
			fprintf(stderr, "%s:%d: %s = %ld (%s), expected %ld (%s)\n", __FILE__,     \
				__LINE__, #expr, __r, nvfio_strerror((int)__r), (long)(err),       \
				nvfio_strerror((int)(err)));                                       \
			exit(T_EXIT_FAIL);                                                         \
		}                                                                                  \
	} while (0)

/* The whole file @path as a NUL-terminated string the caller frees, or NULL. */
static inline char *t_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0) {
		fclose(f);
		return NULL;
	}
	rewind(f);
	buf = (char *)calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

#define SKIP(...)                                                                                  \
	do {                                                                                       \
		printf("SKIP: " __VA_ARGS__);                                                      \
		printf("\n");                                                                      \
		exit(T_EXIT_SKIP);                                                                 \
	} while (0)

#endif /* NVFIO_TESTS_COMMON_TEST_H */
