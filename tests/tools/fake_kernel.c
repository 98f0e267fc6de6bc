// SPDX-License-Identifier: BSD-3-Clause
/*
 * The kernel's side of a fake sysfs, for the set-up tests: loaded with LD_PRELOAD into nvfio,
 * it sees every write() to a file under $NVFIO_SYSFS and does what the kernel would do with
 * it, before write() returns, as the kernel does:
 *
 *   bus/pci/drivers/D/unbind      unbind the function from D (ENODEV when D does not hold it)
 *   bus/pci/drivers/D/bind        bind it to D: EBUSY when bound, ENODEV when D does not match
 *                                 (driver_override names another driver, or none and D's
 *                                 fake_class is not the function's class); a file fake_refuse
 *                                 in D's folder makes D's probe fail with the errno it holds
 *   bus/pci/drivers_probe         bind it to the override's driver, or the first that matches;
 *                                 probe failures are not reported, as the kernel's are not
 *   .../driver_override           "\n" clears it: it reads back "(null)"
 *   .../nr_hugepages              a node's pool grows up to its fake_max; the machine's pool is
 *                                 the sum of the nodes', and writing it spreads over them (no
 *                                 page is ever in use: free_hugepages equals nr_hugepages)
 *
 * Binding to nvme brings the controller's folder back (nvme/), unbinding hides it; binding to
 * vfio-pci makes the group's node under $NVFIO_DEV/vfio (and, without an IOMMU group but with
 * no-IOMMU mode on, a group named vfio-noiommu). Each write is logged to $NVFIO_FAKE_LOG as
 * "PATH VALUE", PATH relative to the sysfs root, so a test can check what was written.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[PATH_MAX];

static void put(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

/* A link the test's checks look at; a failure shows there. */
static void ln(const char *target, const char *path)
{
	if (symlink(target, path))
		fprintf(stderr, "fake kernel: symlink %s: %s\n", path, strerror(errno));
}

static void get(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

static long get_long(const char *path, long dflt)
{
	char buf[32];

	get(path, buf, sizeof(buf));
	return buf[0] ? strtol(buf, NULL, 10) : dflt;
}

static void put_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", v);
	put(path, buf);
}

static bool dev_dir(const char *bdf, char *out)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s", root, bdf);
	return realpath(p, out) != NULL;
}

static void link_base(const char *path, char *buf, size_t size)
{
	char l[PATH_MAX];
	ssize_t n = readlink(path, l, sizeof(l) - 1);

	buf[0] = '\0';
	if (n > 0) {
		l[n] = '\0';
		snprintf(buf, size, "%s", strrchr(l, '/') ? strrchr(l, '/') + 1 : l);
	}
}

static void vfio_node(const char *name, bool make)
{
	char p[PATH_MAX];
	const char *dev = getenv("NVFIO_DEV");

	if (!dev)
		return;
	snprintf(p, sizeof(p), "%s/vfio", dev);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/vfio/%s", dev, name);
	if (make)
		put(p, "");
	else
		unlink(p);
}

/* The group VFIO makes up for a function without one, in no-IOMMU mode. */
static int noiommu_group(const char *dir, const char *bdf)
{
	char p[PATH_MAX], q[PATH_MAX], on[8];
	int g;

	snprintf(p, sizeof(p), "%s/module/vfio/parameters/enable_unsafe_noiommu_mode", root);
	get(p, on, sizeof(on));
	if (on[0] != 'Y' && on[0] != '1')
		return -EINVAL;
	for (g = 0;; g++) {
		snprintf(p, sizeof(p), "%s/kernel/iommu_groups/%d", root, g);
		if (mkdir(p, 0755) == 0)
			break;
	}
	snprintf(q, sizeof(q), "%s/devices", p);
	mkdir(q, 0755);
	snprintf(q, sizeof(q), "%s/devices/%s", p, bdf);
	ln(dir, q);
	snprintf(q, sizeof(q), "%s/name", p);
	put(q, "vfio-noiommu\n");
	snprintf(q, sizeof(q), "%s/iommu_group", dir);
	ln(p, q);
	snprintf(q, sizeof(q), "noiommu-%d", g);
	vfio_node(q, true);
	return 0;
}

static int do_bind(const char *bdf, const char *drv)
{
	char dir[PATH_MAX], p[PATH_MAX], q[PATH_MAX], ovr[64], cls[32], want[32], grp[32];
	long refuse;

	if (!dev_dir(bdf, dir))
		return -ENODEV;
	snprintf(p, sizeof(p), "%s/driver", dir);
	if (access(p, F_OK) == 0)
		return -EBUSY;
	snprintf(p, sizeof(p), "%s/driver_override", dir);
	get(p, ovr, sizeof(ovr));
	if (!strcmp(ovr, "(null)"))
		ovr[0] = '\0';
	if (ovr[0] && strcmp(ovr, drv))
		return -ENODEV;
	if (!ovr[0]) {
		snprintf(p, sizeof(p), "%s/class", dir);
		get(p, cls, sizeof(cls));
		snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s/fake_class", root, drv);
		get(p, want, sizeof(want));
		if (!want[0] || strncmp(cls, want, strlen(want)))
			return -ENODEV;
	}
	snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s/fake_refuse", root, drv);
	refuse = get_long(p, 0);
	if (refuse)
		return -(int)refuse;
	if (!strcmp(drv, "vfio-pci")) {
		snprintf(p, sizeof(p), "%s/iommu_group", dir);
		link_base(p, grp, sizeof(grp));
		if (grp[0])
			vfio_node(grp, true);
		else if (noiommu_group(dir, bdf))
			return -EINVAL;
	}
	if (!strcmp(drv, "nvme")) {
		snprintf(p, sizeof(p), "%s/.nvme-unbound", dir);
		snprintf(q, sizeof(q), "%s/nvme", dir);
		rename(p, q);
	}
	snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s", root, drv);
	snprintf(q, sizeof(q), "%s/driver", dir);
	ln(p, q);
	snprintf(q, sizeof(q), "%s/bus/pci/drivers/%s/%s", root, drv, bdf);
	ln(dir, q);
	return 0;
}

static int do_unbind(const char *bdf, const char *drv)
{
	char dir[PATH_MAX], p[PATH_MAX], q[PATH_MAX], cur[64], grp[64];

	if (!dev_dir(bdf, dir))
		return -ENODEV;
	snprintf(p, sizeof(p), "%s/driver", dir);
	link_base(p, cur, sizeof(cur));
	if (strcmp(cur, drv))
		return -ENODEV;
	unlink(p);
	snprintf(q, sizeof(q), "%s/bus/pci/drivers/%s/%s", root, drv, bdf);
	unlink(q);
	if (!strcmp(drv, "nvme")) {
		snprintf(p, sizeof(p), "%s/nvme", dir);
		snprintf(q, sizeof(q), "%s/.nvme-unbound", dir);
		rename(p, q);
	}
	if (!strcmp(drv, "vfio-pci")) {
		snprintf(p, sizeof(p), "%s/iommu_group", dir);
		link_base(p, grp, sizeof(grp));
		vfio_node(grp, false);
		snprintf(q, sizeof(q), "noiommu-%s", grp);
		vfio_node(q, false);
	}
	return 0;
}

static int do_probe(const char *bdf)
{
	char dir[PATH_MAX], p[PATH_MAX], ovr[64];
	struct dirent *e;
	DIR *d;

	if (!dev_dir(bdf, dir))
		return -ENODEV;
	snprintf(p, sizeof(p), "%s/driver_override", dir);
	get(p, ovr, sizeof(ovr));
	if (ovr[0] && strcmp(ovr, "(null)")) {
		do_bind(bdf, ovr);
		return 0;
	}
	snprintf(p, sizeof(p), "%s/bus/pci/drivers", root);
	d = opendir(p);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && do_bind(bdf, e->d_name) == 0)
			break;
	if (d)
		closedir(d);
	return 0;
}

/* The nodes' pools of the page size whose machine-wide folder is @pool ("hugepages-2048kB"). */
static int nodes(const char *pool, char paths[][PATH_MAX], int max)
{
	char p[PATH_MAX];
	int n = 0, i;

	for (i = 0; i < 64 && n < max; i++) {
		snprintf(p, sizeof(p), "%s/devices/system/node/node%d/hugepages/%s", root, i, pool);
		if (access(p, F_OK) == 0)
			snprintf(paths[n++], PATH_MAX, "%s", p);
	}
	return n;
}

/* Grow or shrink the pool in @dir by @delta pages within its fake_max; returns what it did. */
static long node_add(const char *dir, long delta)
{
	char nrp[PATH_MAX], frp[PATH_MAX], maxp[PATH_MAX];
	long nr, fr, max;

	snprintf(nrp, sizeof(nrp), "%s/nr_hugepages", dir);
	snprintf(frp, sizeof(frp), "%s/free_hugepages", dir);
	snprintf(maxp, sizeof(maxp), "%s/fake_max", dir);
	max = get_long(maxp, LONG_MAX);
	nr = get_long(nrp, 0);
	fr = get_long(frp, 0);
	if (delta > 0 && nr + delta > max)
		delta = max > nr ? max - nr : 0;
	if (delta < 0 && -delta > fr)
		delta = -fr;
	put_long(nrp, nr + delta);
	put_long(frp, fr + delta);
	return delta;
}

static void sum_nodes(const char *pool, const char *gdir)
{
	char paths[64][PATH_MAX], p[PATH_MAX];
	long nr = 0, fr = 0;
	int n = nodes(pool, paths, 64), i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/nr_hugepages", paths[i]);
		nr += get_long(p, 0);
		snprintf(p, sizeof(p), "%s/free_hugepages", paths[i]);
		fr += get_long(p, 0);
	}
	snprintf(p, sizeof(p), "%s/nr_hugepages", gdir);
	put_long(p, nr);
	snprintf(p, sizeof(p), "%s/free_hugepages", gdir);
	put_long(p, fr);
}

/* @dir is the pool folder written to, @want the count written, @old the count before. */
static void hugepages(const char *dir, long want, long old)
{
	char paths[64][PATH_MAX], gdir[PATH_MAX], pool[64], p[PATH_MAX];
	const char *base = strrchr(dir, '/') + 1;
	int n, i;

	snprintf(pool, sizeof(pool), "%s", base);
	snprintf(gdir, sizeof(gdir), "%s/kernel/mm/hugepages/%s", root, pool);
	n = nodes(pool, paths, 64);
	snprintf(p, sizeof(p), "%s/nr_hugepages", dir);
	put_long(p, old);
	if (strcmp(dir, gdir)) {
		node_add(dir, want - old);
	} else if (!n) {
		node_add(dir, want - old);
		return;
	} else {
		/* One page at a time, node after node, as the kernel spreads them. */
		long left = want - old;
		bool moved = true;

		while (left && moved) {
			moved = false;
			for (i = 0; i < n && left; i++) {
				if (node_add(paths[i], left > 0 ? 1 : -1)) {
					left += left > 0 ? -1 : 1;
					moved = true;
				}
			}
		}
	}
	sum_nodes(pool, gdir);
}

static ssize_t (*real_write)(int, const void *, size_t);

static void log_write(const char *rel, const char *val)
{
	const char *log = getenv("NVFIO_FAKE_LOG");
	FILE *f = log ? fopen(log, "a") : NULL;

	if (f) {
		fprintf(f, "%s %s\n", rel, val);
		fclose(f);
	}
}

ssize_t write(int fd, const void *buf, size_t len)
{
	char fdp[64], path[PATH_MAX], val[256], dir[PATH_MAX];
	const char *rel, *base;
	long old = 0;
	ssize_t n;
	int err = 0;

	if (!real_write)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (!root[0] && (!getenv("NVFIO_SYSFS") || !realpath(getenv("NVFIO_SYSFS"), root)))
		return real_write(fd, buf, len);
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", fd);
	n = readlink(fdp, path, sizeof(path) - 1);
	if (n <= 0)
		return real_write(fd, buf, len);
	path[n] = '\0';
	if (strncmp(path, root, strlen(root)) || path[strlen(root)] != '/')
		return real_write(fd, buf, len);
	rel = path + strlen(root) + 1;
	base = strrchr(path, '/') + 1;
	snprintf(val, sizeof(val), "%.*s", (int)(len < sizeof(val) ? len : sizeof(val) - 1),
		 (const char *)buf);
	val[strcspn(val, "\n")] = '\0';
	log_write(rel, val);
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - 1 - path), path);
	if (!strcmp(base, "nr_hugepages")) {
		char p[PATH_MAX];

		/* open(O_TRUNC) has emptied nr_hugepages already; the fake's pages are all free,
		 * so free_hugepages still holds the count. */
		snprintf(p, sizeof(p), "%s/free_hugepages", dir);
		old = get_long(p, 0);
	}
	n = real_write(fd, buf, len);
	if (n < 0)
		return n;
	if (!strcmp(base, "driver_override")) {
		if (!val[0])
			put(path, "(null)\n");
	} else if (!strcmp(rel, "bus/pci/drivers_probe")) {
		err = do_probe(val);
	} else if (!strcmp(base, "bind") || !strcmp(base, "unbind")) {
		const char *drv = strrchr(dir, '/') + 1;

		err = !strcmp(base, "bind") ? do_bind(val, drv) : do_unbind(val, drv);
	} else if (!strcmp(base, "nr_hugepages")) {
		hugepages(dir, strtol(val, NULL, 10), old);
	}
	if (err) {
		errno = -err;
		return -1;
	}
	return n;
}
