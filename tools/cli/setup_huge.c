// SPDX-License-Identifier: BSD-3-Clause
/*
 * Hugepage pools: /sys/kernel/mm/hugepages/hugepages-<size>kB for the machine, and
 * /sys/devices/system/node/node<N>/hugepages/... per NUMA node. The machine's count is the sum
 * of the nodes'; writing it lets the kernel take the pages from any node, writing a node's
 * takes them from that node, which is how a reservation is spread evenly.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "setup.h"

static long pool_attr(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32];

	if (cli_path(path, sizeof(path), "%s/%s", dir, name) ||
	    cli_attr_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static int node_dir(int node, unsigned long size_kb, char *buf, size_t size)
{
	return cli_path(buf, size, "%s/devices/system/node/node%d/hugepages/hugepages-%lukB",
			cli_sysfs(), node, size_kb);
}

static int pool_dir(unsigned long size_kb, char *buf, size_t size)
{
	return cli_path(buf, size, "%s/kernel/mm/hugepages/hugepages-%lukB", cli_sysfs(), size_kb);
}

static int cmp_node(const void *a, const void *b)
{
	return ((const struct cli_huge_node *)a)->node - ((const struct cli_huge_node *)b)->node;
}

/* The nodes that have a pool of @size_kb pages. */
static int read_nodes(struct cli_huge_pool *p)
{
	char dir[PATH_MAX], nd[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	if (cli_path(dir, sizeof(dir), "%s/devices/system/node", cli_sysfs()))
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct cli_huge_node n;

		if (strncmp(e->d_name, "node", 4) || !isdigit((unsigned char)e->d_name[4]))
			continue;
		n.node = atoi(e->d_name + 4);
		if (node_dir(n.node, p->size_kb, nd, sizeof(nd)) ||
		    (n.total = pool_attr(nd, "nr_hugepages")) < 0)
			continue;
		n.free = pool_attr(nd, "free_hugepages");
		if (p->nnodes == cap) {
			void *nv = realloc(p->nodes, (cap = cap ? 2 * cap : 4) * sizeof(n));

			if (!nv) {
				closedir(d);
				return -ENOMEM;
			}
			p->nodes = nv;
		}
		p->nodes[p->nnodes++] = n;
	}
	closedir(d);
	if (p->nnodes)
		qsort(p->nodes, p->nnodes, sizeof(*p->nodes), cmp_node);
	return 0;
}

static int read_pool(unsigned long size_kb, struct cli_huge_pool *p)
{
	char dir[PATH_MAX];

	memset(p, 0, sizeof(*p));
	p->size_kb = size_kb;
	if (pool_dir(size_kb, dir, sizeof(dir)) || (p->total = pool_attr(dir, "nr_hugepages")) < 0)
		return -ENOENT;
	p->free = pool_attr(dir, "free_hugepages");
	return read_nodes(p);
}

static int cmp_pool(const void *a, const void *b)
{
	unsigned long x = ((const struct cli_huge_pool *)a)->size_kb;
	unsigned long y = ((const struct cli_huge_pool *)b)->size_kb;

	return x < y ? -1 : x > y;
}

int cli_huge_pools(struct cli_huge_pool **out)
{
	struct cli_huge_pool *v = NULL;
	char dir[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	int n = 0;
	DIR *d;

	*out = NULL;
	if (cli_path(dir, sizeof(dir), "%s/kernel/mm/hugepages", cli_sysfs()))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		unsigned long kb;

		if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		if ((size_t)n == cap) {
			void *nv = realloc(v, (cap = cap ? 2 * cap : 4) * sizeof(*v));

			if (!nv) {
				cli_huge_pools_free(v, n);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		if (read_pool(kb, &v[n]) == 0)
			n++;
		else
			free(v[n].nodes);
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), cmp_pool);
	*out = v;
	return n;
}

void cli_huge_pools_free(struct cli_huge_pool *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(p[i].nodes);
	free(p);
}

unsigned long cli_huge_size(const char *s)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return 0;
	v = strtoul(s, &end, 10);
	if (!*end || !strcasecmp(end, "k") || !strcasecmp(end, "kB"))
		return v;
	if (!strcasecmp(end, "M") || !strcasecmp(end, "MB") || !strcasecmp(end, "MiB"))
		return v << 10;
	if (!strcasecmp(end, "G") || !strcasecmp(end, "GB") || !strcasecmp(end, "GiB"))
		return v << 20;
	return 0;
}

static int write_count(const char *dir, long n)
{
	char path[PATH_MAX], val[32];

	snprintf(val, sizeof(val), "%ld\n", n);
	if (cli_path(path, sizeof(path), "%s/nr_hugepages", dir))
		return -ENAMETOOLONG;
	return cli_attr_write(path, val);
}

static int write_node(int node, unsigned long size_kb, long n)
{
	char dir[PATH_MAX];

	return node_dir(node, size_kb, dir, sizeof(dir)) ? -ENAMETOOLONG : write_count(dir, n);
}

static void size_str(unsigned long kb, char *buf, size_t size)
{
	if (kb >= 1 << 20 && kb % (1 << 20) == 0)
		snprintf(buf, size, "%lu GiB", kb >> 20);
	else if (kb >= 1 << 10 && kb % (1 << 10) == 0)
		snprintf(buf, size, "%lu MiB", kb >> 10);
	else
		snprintf(buf, size, "%lu KiB", kb);
}

/* The size as the kernel's hugepagesz= takes it. */
static const char *boot_size(unsigned long kb, char *buf, size_t size)
{
	if (kb % (1 << 20) == 0)
		snprintf(buf, size, "%luG", kb >> 20);
	else if (kb % (1 << 10) == 0)
		snprintf(buf, size, "%luM", kb >> 10);
	else
		snprintf(buf, size, "%luK", kb);
	return buf;
}

static void print_pool(const struct cli_huge_pool *p, const char *what)
{
	char sz[32];
	size_t i;

	size_str(p->size_kb, sz, sizeof(sz));
	printf("hugepages: %ld pages of %s %s (%lu MiB)", p->total, sz, what,
	       (unsigned long)p->total * p->size_kb >> 10);
	for (i = 0; i < p->nnodes; i++)
		printf("%s node%d: %ld", i ? "," : ";", p->nodes[i].node, p->nodes[i].total);
	printf("\n");
}

/* Put every node (or the machine's pool) back to @old's counts. */
static void restore(const struct cli_huge_pool *old, const char *dir)
{
	size_t i;

	if (!old->nnodes) {
		write_count(dir, old->total);
		return;
	}
	for (i = 0; i < old->nnodes; i++)
		write_node(old->nodes[i].node, old->size_kb, old->nodes[i].total);
}

int cli_huge_reserve(unsigned long size_kb, unsigned long mib)
{
	struct cli_huge_pool old, now;
	char dir[PATH_MAX], sz[32], bs[32];
	long want = (long)(((unsigned long long)mib * 1024 + size_kb - 1) / size_kb);
	int ret = 0;
	size_t i;

	size_str(size_kb, sz, sizeof(sz));
	if (pool_dir(size_kb, dir, sizeof(dir)) || read_pool(size_kb, &old)) {
		cli_err(
		    "this kernel offers no %s hugepages (%s is missing): 'nvfio status' lists the "
		    "sizes it has; 1 GiB pages may need hugepagesz=1G on the kernel command line",
		    sz, dir);
		return -ENOENT;
	}
	if (old.total >= want) {
		print_pool(&old, "already reserved");
		free(old.nodes);
		return 0;
	}
	if (old.nnodes > 1) {
		/* Evenly: a program runs on whichever node, and a node's pages serve it best. */
		for (i = 0; i < old.nnodes && !ret; i++) {
			long each = want / (long)old.nnodes + ((long)i < want % (long)old.nnodes);

			if (old.nodes[i].total < each)
				ret = write_node(old.nodes[i].node, size_kb, each);
		}
	} else {
		ret = write_count(dir, want);
	}
	if (!ret && read_pool(size_kb, &now) == 0) {
		/* A node short of memory: let the kernel find the rest wherever it can. */
		if (now.total < want && old.nnodes > 1)
			ret = write_count(dir, want);
		free(now.nodes);
	}
	if (!ret && read_pool(size_kb, &now))
		ret = -EIO;
	if (ret) {
		restore(&old, dir);
		cli_err("reserving %s hugepages failed (%s/nr_hugepages: %s); the pool is as it "
			"was%s",
			sz, dir, strerror(-ret),
			ret == -EACCES || ret == -EPERM ? ": run nvfio setup as root" : "");
		free(old.nodes);
		return ret;
	}
	if (now.total < want) {
		restore(&old, dir);
		cli_err(
		    "only %ld of the %ld hugepages of %s asked for (%lu MiB) could be reserved: "
		    "the memory is short or fragmented; the pool is back at %ld. Reserve them at "
		    "boot (hugepagesz=%s hugepages=%ld on the kernel command line), free memory "
		    "(echo 3 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory), "
		    "or ask for less",
		    now.total, want, sz, mib, old.total, boot_size(size_kb, bs, sizeof(bs)), want);
		ret = -ENOMEM;
	} else {
		print_pool(&now, "reserved");
	}
	free(now.nodes);
	free(old.nodes);
	return ret;
}
