/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_SETUP_H
#define NVFIO_CLI_SETUP_H

/*
 * The machine's set-up (setup.c, setup_use.c, setup_huge.c, setup_status.c): which kernel
 * devices an NVMe function carries and what uses them, hugepage pools, and the binding to
 * vfio-pci and back.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sysfs.h"

/* The kernel's devices of one controller, in every layout its nvme driver makes. */
enum cli_blk_kind {
	CLI_BLK_CTRL,	 /* the controller's character device, nvme0 */
	CLI_BLK_NS,	 /* a namespace's block device under the controller, nvme0n1 */
	CLI_BLK_PART,	 /* a partition of a namespace or head, nvme0n1p2 */
	CLI_BLK_PATH,	 /* a native multipath path, nvme0c0n1 (hidden: nobody opens it) */
	CLI_BLK_HEAD,	 /* the multipath head of a path, under the subsystem, nvme0n1 */
	CLI_BLK_GENERIC, /* a namespace's generic character device, ng0n1 */
};

struct cli_blk {
	char name[40];
	char parent[40]; /* a partition's namespace or head; a head's path; else "" */
	enum cli_blk_kind kind;
	unsigned int major, minor;
	bool has_dev; /* major:minor read from its dev attribute */
};

enum cli_use_kind {
	CLI_USE_MOUNT,	/* what: the mount point */
	CLI_USE_SWAP,	/* what: "" */
	CLI_USE_HOLDER, /* what: the holder, "dm-0 (vg-data)" */
	CLI_USE_OPEN,	/* what: the process, "4242 (fio)" */
};

struct cli_use {
	size_t blk; /* index into cli_users.blk */
	enum cli_use_kind kind;
	char what[PATH_MAX];
};

struct cli_users {
	char ctrl[40]; /* the kernel's controller, "" when none (not on nvme) */
	struct cli_blk *blk;
	size_t nblk;
	struct cli_use *use;
	size_t nuse;
	unsigned int unreadable; /* processes whose open files could not be read */
};

/*
 * cli_users_find() - the kernel devices of the controller at PCI function @addr and what uses
 * each: mounts (by major:minor and by source), swap, holders (device-mapper, md) and processes
 * with one open
 * Returns 0 or -errno (-ENOMEM); a function without a kernel controller has none.
 */
int cli_users_find(const char *addr, struct cli_users *u);
void cli_users_free(struct cli_users *u);

/* cli_use_str() - @use as a sentence with its remedy: "partition nvme0n1p2 is mounted on /boot;
 * to free it: umount /boot". */
void cli_use_str(const struct cli_users *u, const struct cli_use *use, char *buf, size_t size);

/* cli_blk_kind_str() - "controller", "namespace", "partition", "path", "head", "generic". */
const char *cli_blk_kind_str(enum cli_blk_kind kind);

/*
 * cli_fd_users() - the processes that have @path ("/dev/vfio/12") open, matched by the name
 * their /proc/PID/fd links show
 * @cb: called with each process's pid and name (its comm)
 * Returns the number of processes whose open files could not be read.
 */
unsigned int cli_fd_users(const char *path, void (*cb)(void *ctx, int pid, const char *comm),
			  void *ctx);

/* A hugepage pool: one page size, the machine's and per NUMA node. */
struct cli_huge_node {
	int node;
	long total, free;
};

struct cli_huge_pool {
	unsigned long size_kb;
	long total, free;
	struct cli_huge_node *nodes; /* NULL/0 where the kernel shows no nodes */
	size_t nnodes;
};

/* cli_huge_pools() - every page size's pool, smallest first; the count or -errno. */
int cli_huge_pools(struct cli_huge_pool **out);
void cli_huge_pools_free(struct cli_huge_pool *p, int n);

/*
 * cli_huge_reserve() - have at least @mib MiB of @size_kb pages in the pool, spread evenly
 * over the NUMA nodes where there are several (a pool already that large is left alone)
 * Prints what it got. Returns 0, or -ENOMEM after putting the pool back as it was and saying
 * why, or another -errno.
 */
int cli_huge_reserve(unsigned long size_kb, unsigned long mib);

/* cli_huge_size() - "2M", "1G", "2048" (kB) -> kB; 0 for anything else. */
unsigned long cli_huge_size(const char *s);

#endif /* NVFIO_CLI_SETUP_H */
