/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_VFIO_LEAK_H
#define NVFIO_TESTS_VFIO_LEAK_H

/* Counting what a process holds, to show that failed calls leave nothing behind. */

#include <dirent.h>
#include <stdio.h>

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

/* Memory mappings (lines of /proc/self/maps). */
static inline int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

#endif /* NVFIO_TESTS_VFIO_LEAK_H */
