/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_VM_GUEST_H
#define NVFIO_TESTS_VM_GUEST_H

/*
 * Small sysfs helpers for guest programs: the harness's own, which check the VM set-up without the
 * library so that a harness fault cannot hide behind a library fault or the reverse, and tests
 * that move the controller between drivers or ask the host for something (guest_host_request()).
 */

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
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

/* Writes @val to the sysfs file @path; fails the test if it cannot. */
static inline void guest_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(T_EXIT_FAIL);
	}
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val)) {
		fprintf(stderr, "%s <- %s: %s\n", path, val, strerror(errno));
		exit(T_EXIT_FAIL);
	}
	close(fd);
}

/* The name of the driver @addr is bound to, or "none"; in a static buffer. */
static inline const char *guest_driver_of(const char *addr)
{
	static char link[PATH_MAX];
	char path[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return "none";
	link[n] = '\0';
	return strrchr(link, '/') + 1;
}

/* Hands @addr to @driver through driver_override, as tests/vm/init does; fails the test if the
 * driver does not take it. */
static inline void guest_bind_to(const char *addr, const char *driver)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", addr);
	guest_sysfs_write(path, driver);
	if (strcmp(guest_driver_of(addr), "none")) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", addr);
		guest_sysfs_write(path, addr);
	}
	guest_sysfs_write("/sys/bus/pci/drivers_probe", addr);
	printf("%s is on %s\n", addr, guest_driver_of(addr));
	if (strcmp(guest_driver_of(addr), driver)) {
		fprintf(stderr, "%s: %s did not take it\n", addr, driver);
		exit(T_EXIT_FAIL);
	}
}

/* Waits (30 s at most, else fails the test) until the kernel's nvme driver has @addr live with
 * block devices for namespaces 1..@nns; its name (nvme0) goes to @name. */
static inline void guest_wait_nvme_live(const char *addr, unsigned nns, char *name, size_t size)
{
	char path[PATH_MAX], state[32];
	unsigned tries, n;

	for (tries = 0; tries < 300; tries++, usleep(100000)) {
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/nvme", addr);
		d = opendir(path);
		if (!d)
			continue;
		name[0] = '\0';
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "nvme", 4))
				snprintf(name, size, "%s", e->d_name);
		closedir(d);
		snprintf(path, sizeof(path), "/sys/class/nvme/%s/state", name);
		if (!name[0] || guest_read_line(path, state, sizeof(state)) ||
		    strcmp(state, "live"))
			continue;
		for (n = 1; n <= nns; n++) {
			snprintf(path, sizeof(path), "/dev/%sn%u", name, n);
			if (access(path, F_OK))
				break;
		}
		if (n > nns)
			return;
	}
	fprintf(stderr, "%s: the nvme driver did not bring it up with %u namespaces in 30 s\n",
		addr, nns);
	exit(T_EXIT_FAIL);
}

/*
 * Asks tests/vm/run, on the host, to do @req to the VM while this program runs: today only
 * "device_del <id>" (QEMU's monitor command; the controller's id is nvme0). The request goes on
 * the results port as a marker of its own line with the boot's token; the host acts on it within
 * about 0.1 s and says so on its own output. Fails the test if the port cannot be written.
 */
static inline void guest_host_request(const char *req)
{
	char line[256], token[64] = "";
	FILE *env = fopen("/tests/env", "r");
	int fd, n;

	if (env) {
		while (fgets(line, sizeof(line), env))
			if (sscanf(line, "NVFIO_VM_TOKEN=%63s", token) == 1)
				break;
		fclose(env);
	}
	if (!token[0]) {
		fprintf(stderr, "no boot token in /tests/env: not run by tests/vm/run?\n");
		exit(T_EXIT_FAIL);
	}
	fflush(stdout);
	fflush(stderr);
	/* Own lines: the program's output shares the port (through the guest's tee). */
	n = snprintf(line, sizeof(line), "\n@@NVFIO:%s:HOST %s\n", token, req);
	fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
	if (fd < 0 || n <= 0 || (size_t)n >= sizeof(line) || write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "cannot ask the host for '%s': %s\n", req, strerror(errno));
		exit(T_EXIT_FAIL);
	}
	close(fd);
}

#endif /* NVFIO_TESTS_VM_GUEST_H */
