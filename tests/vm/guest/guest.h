/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_VM_GUEST_H
#define NVFIO_TESTS_VM_GUEST_H

/*
 * Small sysfs helpers for the harness's own guest programs, which check the VM set-up without the
 * library so that a harness fault cannot hide behind a library fault or the reverse.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/test.h"

/* Reads the first line of @path into @buf without its newline and trailing blanks; -errno. */
static inline int guest_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* Reads an unsigned number (decimal, or hex with 0x) from the first line of @path; -errno. */
static inline int guest_read_ulong(const char *path, unsigned long *val)
{
	char buf[64], *end;
	int rc = guest_read_line(path, buf, sizeof(buf));

	if (rc)
		return rc;
	errno = 0;
	*val = strtoul(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/* The environment variable @name, which the harness always sets; fails the test without it. */
static inline const char *guest_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "environment variable %s is not set: not run by tests/vm/run?\n",
			name);
		exit(T_EXIT_FAIL);
	}
	return v;
}

/* The @idx-th (from 0) blank-separated number of a list variable such as NVFIO_VM_LBADS. */
static inline unsigned long guest_env_list(const char *name, unsigned idx)
{
	const char *p = guest_env(name);
	char *end;
	unsigned long v = 0;

	for (unsigned i = 0; i <= idx; i++) {
		v = strtoul(p, &end, 10);
		if (end == p) {
			fprintf(stderr, "%s=\"%s\" has no entry %u\n", name, guest_env(name), idx);
			exit(T_EXIT_FAIL);
		}
		p = end;
	}
	return v;
}

/* Reads @len bytes of the PCI config space of @addr at @off; -errno. */
static inline int guest_config_read(const char *addr, unsigned off, void *buf, size_t len)
{
	char path[128];
	int fd, rc = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", addr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	close(fd);
	return rc;
}

/* The MSI-X table size of @addr from its capability in config space, or a negative errno. */
static inline int guest_msix_table_size(const char *addr)
{
	uint8_t ptr, id;
	uint16_t ctrl;
	int guard = 48, rc;

	rc = guest_config_read(addr, 0x34, &ptr, 1);
	if (rc)
		return rc;
	while (ptr && guard--) {
		rc = guest_config_read(addr, ptr & ~3u, &id, 1);
		if (rc)
			return rc;
		if (id == 0x11) {
			rc = guest_config_read(addr, (ptr & ~3u) + 2, &ctrl, 2);
			return rc ? rc : (ctrl & 0x7ff) + 1;
		}
		rc = guest_config_read(addr, (ptr & ~3u) + 1, &ptr, 1);
		if (rc)
			return rc;
	}
	return -ENOENT;
}

#endif /* NVFIO_TESTS_VM_GUEST_H */
