// SPDX-License-Identifier: BSD-3-Clause
/*
 * What uses an NVMe controller's kernel devices. The nvme driver lays them out in two ways:
 * without native multipath the namespaces (nvme0n1) hang under the controller, with it the
 * controller has hidden paths (nvme0c0n1) and the block device people use is the head
 * (nvme0n1) under the subsystem (/sys/class/nvme-subsystem/nvme-subsys0/nvme0n1). Either way
 * partitions hang under their disk, and users show up as holders in sysfs (device-mapper, md),
 * in the mount table (by major:minor; btrfs shows an anonymous one, so by source too), in the
 * swap list and in the processes' open files.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli.h"
#include "setup.h"

const char *cli_blk_kind_str(enum cli_blk_kind kind)
{
	switch (kind) {
	case CLI_BLK_CTRL:
		return "controller";
	case CLI_BLK_NS:
		return "namespace";
	case CLI_BLK_PART:
		return "partition";
	case CLI_BLK_PATH:
		return "path";
	case CLI_BLK_HEAD:
		return "head";
	case CLI_BLK_GENERIC:
		return "generic";
	}
	return "device";
}

/* Grow @*v (of @size-byte items) to hold one more than @n. */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	nv = realloc(v, (*cap = *cap ? 2 * *cap : 8) * size);
	if (!nv)
		free(v);
	return nv;
}

/* Past the digits at @s, or NULL when there are none. */
static const char *digits(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return NULL;
	while (isdigit((unsigned char)*s))
		s++;
	return s;
}

static bool is_ns_name(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(s, prefix, n) && (s = digits(s + n)) && *s == 'n' && (s = digits(s + 1)) &&
	       !*s;
}

static bool is_path_name(const char *s)
{
	return !strncmp(s, "nvme", 4) && (s = digits(s + 4)) && *s == 'c' && (s = digits(s + 1)) &&
	       *s == 'n' && (s = digits(s + 1)) && !*s;
}

static int add_blk(struct cli_users *u, size_t *cap, const char *dir, const char *name,
		   const char *parent, enum cli_blk_kind kind)
{
	char path[PATH_MAX], dev[32];
	struct cli_blk *b;

	u->blk = grow(u->blk, u->nblk, cap, sizeof(*u->blk));
	if (!u->blk)
		return -ENOMEM;
	b = &u->blk[u->nblk++];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(b->parent, sizeof(b->parent), "%s", parent);
	b->kind = kind;
	if (cli_path(path, sizeof(path), "%s/dev", dir) == 0 &&
	    cli_attr_read(path, dev, sizeof(dev)) > 0 &&
	    sscanf(dev, "%u:%u", &b->major, &b->minor) == 2)
		b->has_dev = true;
	return 0;
}

/* @disk's partitions: the entries of its directory that carry a "partition" attribute. */
static int add_parts(struct cli_users *u, size_t *cap, const char *dir, const char *disk)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *e;
	int ret = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while (!ret && (e = readdir(d))) {
		if (strncmp(e->d_name, disk, strlen(disk)) || e->d_name[strlen(disk)] != 'p')
			continue;
		if (cli_path(sub, sizeof(sub), "%s/%s", dir, e->d_name) ||
		    cli_path(path, sizeof(path), "%s/partition", sub) || !cli_exists(path))
			continue;
		ret = add_blk(u, cap, sub, e->d_name, disk, CLI_BLK_PART);
	}
	closedir(d);
	return ret;
}

/* The subsystem directory that links to controller @ctrl. */
static int find_subsys(const char *ctrl, char *out, size_t size)
{
	char dir[PATH_MAX];
	struct dirent *e;
	int ret = -ENOENT;
	DIR *d;

	if (cli_path(dir, sizeof(dir), "%s/class/nvme-subsystem", cli_sysfs()))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (ret && (e = readdir(d))) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.' ||
		    cli_path(path, sizeof(path), "%s/%s/%s", dir, e->d_name, ctrl) ||
		    !cli_exists(path))
			continue;
		ret = cli_path(out, size, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	return ret;
}

/*
 * The head of path @path: the kernel names a path nvme<subsys>c<ctrl>n<head> and its head
 * nvme<subsys>n<head>, and the head lists its paths in multipath/ (where it has that folder).
 */
static int add_head(struct cli_users *u, size_t *cap, const char *subsys, const char *path)
{
	char head[40], dir[PATH_MAX], mp[PATH_MAX], mpdir[PATH_MAX];
	const char *c = strchr(path + 4, 'c'), *n = strrchr(path, 'n');
	int ret;

	snprintf(head, sizeof(head), "%.*s%s", (int)(c - path), path, n);
	if (cli_path(dir, sizeof(dir), "%s/%s", subsys, head) || !cli_exists(dir))
		return 0;
	if (cli_path(mpdir, sizeof(mpdir), "%s/multipath", dir) == 0 && cli_exists(mpdir) &&
	    (cli_path(mp, sizeof(mp), "%s/%s", mpdir, path) || !cli_exists(mp)))
		return 0;
	ret = add_blk(u, cap, dir, head, path, CLI_BLK_HEAD);
	return ret ? ret : add_parts(u, cap, dir, head);
}

static int find_blks(const char *addr, struct cli_users *u)
{
	char dir[PATH_MAX], sub[PATH_MAX], subsys[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	bool mpath = find_subsys(u->ctrl, subsys, sizeof(subsys)) == 0;
	int ret;
	DIR *d;

	if (cli_path(dir, sizeof(dir), "%s/bus/pci/devices/%s/nvme/%s", cli_sysfs(), addr, u->ctrl))
		return -ENAMETOOLONG;
	ret = add_blk(u, &cap, dir, u->ctrl, "", CLI_BLK_CTRL);
	d = opendir(dir);
	if (!d)
		return ret;
	while (!ret && (e = readdir(d))) {
		if (cli_path(sub, sizeof(sub), "%s/%s", dir, e->d_name))
			continue;
		if (is_path_name(e->d_name)) {
			ret = add_blk(u, &cap, sub, e->d_name, "", CLI_BLK_PATH);
			if (!ret && mpath)
				ret = add_head(u, &cap, subsys, e->d_name);
		} else if (is_ns_name(e->d_name, "nvme")) {
			ret = add_blk(u, &cap, sub, e->d_name, "", CLI_BLK_NS);
			if (!ret)
				ret = add_parts(u, &cap, sub, e->d_name);
		} else if (is_ns_name(e->d_name, "ng")) {
			ret = add_blk(u, &cap, sub, e->d_name, "", CLI_BLK_GENERIC);
		}
	}
	closedir(d);
	return ret;
}

static bool is_chr(const struct cli_blk *b)
{
	return b->kind == CLI_BLK_CTRL || b->kind == CLI_BLK_GENERIC;
}

/* Whether @b can have users of its own: a path is hidden, the users are its head's. */
static bool usable(const struct cli_blk *b)
{
	return b->kind != CLI_BLK_PATH;
}

static int add_use(struct cli_users *u, size_t *cap, size_t blk, enum cli_use_kind kind,
		   const char *what)
{
	u->use = grow(u->use, u->nuse, cap, sizeof(*u->use));
	if (!u->use)
		return -ENOMEM;
	u->use[u->nuse].blk = blk;
	u->use[u->nuse].kind = kind;
	snprintf(u->use[u->nuse].what, sizeof(u->use[u->nuse].what), "%s", what);
	u->nuse++;
	return 0;
}

/* The device named /dev/@name in a mount table, swap list or fd link. */
static long by_name(const struct cli_users *u, const char *path, bool chr)
{
	size_t i;

	if (strncmp(path, "/dev/", 5))
		return -1;
	for (i = 0; i < u->nblk; i++)
		if (usable(&u->blk[i]) && is_chr(&u->blk[i]) == chr &&
		    !strcmp(path + 5, u->blk[i].name))
			return (long)i;
	return -1;
}

static long by_dev(const struct cli_users *u, unsigned int major, unsigned int minor, bool chr)
{
	size_t i;

	for (i = 0; i < u->nblk; i++)
		if (usable(&u->blk[i]) && u->blk[i].has_dev && is_chr(&u->blk[i]) == chr &&
		    u->blk[i].major == major && u->blk[i].minor == minor)
			return (long)i;
	return -1;
}

static int holders(struct cli_users *u, size_t *cap)
{
	char dir[PATH_MAX], path[PATH_MAX], name[128], what[256];
	size_t i, nblk = u->nblk;
	int ret = 0;

	for (i = 0; i < nblk && !ret; i++) {
		const struct cli_blk *b = &u->blk[i];
		struct dirent *e;
		DIR *d;

		if (!usable(b) || is_chr(b))
			continue;
		if (cli_path(dir, sizeof(dir), "%s/class/block/%s/holders", cli_sysfs(), b->name))
			continue;
		d = opendir(dir);
		if (!d)
			continue;
		while (!ret && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			/* device-mapper names its devices; md and others go by their kernel name.
			 */
			if (cli_path(path, sizeof(path), "%s/class/block/%s/dm/name", cli_sysfs(),
				     e->d_name) == 0 &&
			    cli_attr_read(path, name, sizeof(name)) > 0)
				snprintf(what, sizeof(what), "%s (%s)", e->d_name, name);
			else
				snprintf(what, sizeof(what), "%s", e->d_name);
			ret = add_use(u, cap, i, CLI_USE_HOLDER, what);
		}
		closedir(d);
	}
	return ret;
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/*
 * Mounts: /proc/self/mountinfo gives major:minor (field 3), the mount point (field 5) and,
 * after " - ", the type and the source; /proc/mounts (the fallback) only source and point.
 */
static int mounts(struct cli_users *u, size_t *cap)
{
	char path[PATH_MAX], line[3 * PATH_MAX];
	bool info = true;
	int ret = 0;
	FILE *f;

	if (cli_path(path, sizeof(path), "%s/self/mountinfo", cli_procfs()))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f) {
		info = false;
		if (cli_path(path, sizeof(path), "%s/mounts", cli_procfs()))
			return -ENAMETOOLONG;
		f = fopen(path, "re");
		if (!f)
			return 0;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char point[PATH_MAX], src[PATH_MAX];
		unsigned int major = 0, minor = 0;
		long i = -1;

		if (info) {
			const char *sep = strstr(line, " - ");

			if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &major, &minor, point) != 3)
				continue;
			if (!sep || sscanf(sep + 3, "%*s %4095s", src) != 1)
				src[0] = '\0';
			i = by_dev(u, major, minor, false);
		} else if (sscanf(line, "%4095s %4095s", src, point) != 2) {
			continue;
		}
		unescape(src);
		unescape(point);
		if (i < 0)
			i = by_name(u, src, false);
		if (i >= 0)
			ret = add_use(u, cap, (size_t)i, CLI_USE_MOUNT, point);
	}
	fclose(f);
	return ret;
}

static int swaps(struct cli_users *u, size_t *cap)
{
	char path[PATH_MAX], line[PATH_MAX + 128], name[PATH_MAX];
	int ret = 0;
	FILE *f;

	if (cli_path(path, sizeof(path), "%s/swaps", cli_procfs()))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!ret && fgets(line, sizeof(line), f)) {
		long i;

		if (sscanf(line, "%4095s", name) != 1)
			continue;
		unescape(name);
		i = by_name(u, name, false);
		if (i >= 0)
			ret = add_use(u, cap, (size_t)i, CLI_USE_SWAP, "");
	}
	fclose(f);
	return ret;
}

/*
 * Every process's open files: an fd link names the file ("/dev/nvme0n1"), and stat() through
 * it gives the device number even where the process opened a node of another name.
 * @match: told of each link (@st NULL where stat() failed); returns true to pass over the
 *         process's other files
 */
static unsigned int scan_fds(bool (*match)(void *ctx, const char *link, const struct stat *st,
					   int pid, const char *comm),
			     void *ctx)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX], comm[64];
	unsigned int unreadable = 0;
	struct dirent *p, *e;
	DIR *pd, *fd;

	pd = opendir(cli_procfs());
	if (!pd)
		return 1;
	while ((p = readdir(pd))) {
		bool done = false;
		const char *s;

		for (s = p->d_name; isdigit((unsigned char)*s); s++)
			;
		/* Not this process: what it has open, it inherited from the one that ran it. */
		if (*s || s == p->d_name || atoi(p->d_name) == (int)getpid())
			continue;
		if (cli_path(dir, sizeof(dir), "%s/%s/fd", cli_procfs(), p->d_name))
			continue;
		fd = opendir(dir);
		if (!fd) {
			/* A process that has exited since does not count. */
			unreadable += errno != ENOENT;
			continue;
		}
		comm[0] = '\0';
		if (cli_path(path, sizeof(path), "%s/%s/comm", cli_procfs(), p->d_name) == 0)
			cli_attr_read(path, comm, sizeof(comm));
		while (!done && (e = readdir(fd))) {
			struct stat st;
			ssize_t n;

			if (e->d_name[0] == '.' ||
			    cli_path(path, sizeof(path), "%s/%s", dir, e->d_name))
				continue;
			n = readlink(path, link, sizeof(link) - 1);
			if (n < 0)
				continue;
			link[n] = '\0';
			done = match(ctx, link, stat(path, &st) == 0 ? &st : NULL, atoi(p->d_name),
				     comm);
		}
		closedir(fd);
	}
	closedir(pd);
	return unreadable;
}

struct blk_scan {
	struct cli_users *u;
	size_t *cap;
	int err;
};

static bool blk_match(void *ctx, const char *link, const struct stat *st, int pid, const char *comm)
{
	struct blk_scan *s = ctx;
	char what[128];
	long i = -1;
	size_t j;

	if (st && (S_ISBLK(st->st_mode) || S_ISCHR(st->st_mode)))
		i = by_dev(s->u, major(st->st_rdev), minor(st->st_rdev), S_ISCHR(st->st_mode));
	if (i < 0)
		i = by_name(s->u, link, false);
	if (i < 0)
		i = by_name(s->u, link, true);
	if (i < 0)
		return false;
	snprintf(what, sizeof(what), "%d (%s)", pid, comm);
	/* One line per process and device, however many times it has the device open. */
	for (j = 0; j < s->u->nuse; j++)
		if (s->u->use[j].blk == (size_t)i && s->u->use[j].kind == CLI_USE_OPEN &&
		    !strcmp(s->u->use[j].what, what))
			return false;
	if (!s->err)
		s->err = add_use(s->u, s->cap, (size_t)i, CLI_USE_OPEN, what);
	return false;
}

int cli_users_find(const char *addr, struct cli_users *u)
{
	struct blk_scan scan = {u, NULL, 0};
	size_t cap = 0;
	int ret;

	memset(u, 0, sizeof(*u));
	if (cli_kernel_ctrl(addr, u->ctrl, sizeof(u->ctrl)))
		return 0;
	ret = find_blks(addr, u);
	if (!ret)
		ret = holders(u, &cap);
	if (!ret)
		ret = mounts(u, &cap);
	if (!ret)
		ret = swaps(u, &cap);
	if (!ret) {
		scan.cap = &cap;
		u->unreadable = scan_fds(blk_match, &scan);
		ret = scan.err;
	}
	if (ret)
		cli_users_free(u);
	return ret;
}

void cli_users_free(struct cli_users *u)
{
	free(u->blk);
	free(u->use);
	u->blk = NULL;
	u->use = NULL;
	u->nblk = u->nuse = 0;
}

void cli_use_str(const struct cli_users *u, const struct cli_use *use, char *buf, size_t size)
{
	const struct cli_blk *b = &u->blk[use->blk];
	char name[96];

	if (b->kind == CLI_BLK_HEAD)
		snprintf(name, sizeof(name), "namespace %s (multipath head of %s)", b->name,
			 b->parent);
	else if (b->kind == CLI_BLK_GENERIC)
		snprintf(name, sizeof(name), "generic device %s", b->name);
	else
		snprintf(name, sizeof(name), "%s %s", cli_blk_kind_str(b->kind), b->name);
	switch (use->kind) {
	case CLI_USE_MOUNT:
		snprintf(buf, size, "%s is mounted on %s; to free it: umount %s", name, use->what,
			 use->what);
		break;
	case CLI_USE_SWAP:
		snprintf(buf, size, "%s is in use as swap; to free it: swapoff /dev/%s", name,
			 b->name);
		break;
	case CLI_USE_HOLDER: {
		const char *paren = strchr(use->what, '(');

		if (!strncmp(use->what, "dm-", 3) && paren)
			snprintf(buf, size,
				 "%s is held by %s; to free it: dmsetup remove %.*s "
				 "(for LVM: vgchange -an), once nothing uses that",
				 name, use->what, (int)strcspn(paren + 1, ")"), paren + 1);
		else if (!strncmp(use->what, "md", 2))
			snprintf(buf, size, "%s is held by %s; to free it: mdadm --stop /dev/%s",
				 name, use->what, use->what);
		else
			snprintf(buf, size, "%s is held by %s; to free it: stop %s", name,
				 use->what, use->what);
		break;
	}
	case CLI_USE_OPEN:
		snprintf(buf, size, "%s is open in process %s; to free it: stop that process", name,
			 use->what);
		break;
	}
}

struct path_scan {
	const char *path;
	void (*cb)(void *ctx, int pid, const char *comm);
	void *ctx;
};

static bool path_match(void *ctx, const char *link, const struct stat *st, int pid,
		       const char *comm)
{
	struct path_scan *s = ctx;

	(void)st;
	if (strcmp(link, s->path))
		return false;
	s->cb(s->ctx, pid, comm);
	return true;
}

unsigned int cli_fd_users(const char *path, void (*cb)(void *ctx, int pid, const char *comm),
			  void *ctx)
{
	struct path_scan s = {path, cb, ctx};

	return scan_fds(path_match, &s);
}
