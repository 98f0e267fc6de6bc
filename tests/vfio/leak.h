/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_VFIO_LEAK_H
#define NVFIO_TESTS_VFIO_LEAK_H

/* Counting what a process holds, to show that failed calls leave nothing behind. */

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/test.h" /* RUNNING_ON_VALGRIND */

/* Open file descriptors (entries of /proc/self/fd, less the one opendir() uses). Only those
 * below the soft limit count: valgrind keeps its own above the limit it shows the program. */
static inline int count_fds(void)
{
	struct dirent *de;
	struct rlimit rl;
	int n = 0;
	DIR *d;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && (rlim_t)strtoul(de->d_name, NULL, 10) < rl.rlim_cur)
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

/* Whether memory this process did not ask for comes and goes as it runs: a sanitizer's
 * allocator, or valgrind's own mappings (it translates code as the program reaches it). */
static inline bool maps_of_others(void)
{
#ifdef NVFIO_TEST_ASAN
	return true;
#else
	return RUNNING_ON_VALGRIND;
#endif
}

/*
 * Memory mappings (lines of /proc/self/maps). Where others map memory as a test runs
 * (maps_of_others()), only mappings of something named (a device's BARs, hugetlb memory, the
 * DMA layer's files) are counted; LeakSanitizer or memcheck cover the heap, and the plain build
 * still counts every anonymous mapping the library could leave behind.
 */
static inline int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	bool named_only = maps_of_others();
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char c;

		/* The sixth field names what is mapped; anonymous memory has none. */
		if (named_only && sscanf(line, "%*s %*s %*s %*s %*s %c", &c) != 1)
			continue;
		n += strchr(line, '\n') != NULL;
	}
	fclose(f);
	return n;
}

#endif /* NVFIO_TESTS_VFIO_LEAK_H */
