/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_VFIO_LEAK_H
#define NVFIO_TESTS_VFIO_LEAK_H

/* Counting what a process holds, to show that failed calls leave nothing behind. */

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* Open file descriptors (entries of /proc/self/fd, less the one opendir() uses). */
static inline int count_fds(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* A sanitizer build (cmake -DNVFIO_SANITIZE=...; ThreadSanitizer's runtime maps memory too). */
#if defined(NVFIO_SANITIZED) || defined(__SANITIZE_ADDRESS__)
#define NVFIO_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NVFIO_TEST_ASAN 1
#endif
#endif

/*
 * Memory mappings (lines of /proc/self/maps). A sanitizer's allocator maps anonymous memory
 * for itself as a test runs, so under one only mappings of something named (a device's
 * BARs, hugetlb memory) are counted; LeakSanitizer covers the heap, and the plain build still
 * counts every anonymous mapping the library could leave behind.
 */
static inline int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
#ifdef NVFIO_TEST_ASAN
		char c;

		/* The sixth field names what is mapped; anonymous memory has none. */
		if (sscanf(line, "%*s %*s %*s %*s %*s %c", &c) != 1)
			continue;
#endif
		n += strchr(line, '\n') != NULL;
	}
	fclose(f);
	return n;
}

#endif /* NVFIO_TESTS_VFIO_LEAK_H */
