// SPDX-License-Identifier: BSD-3-Clause
/*
 * nvfio status: where the machine stands for nvfio. It gathers everything into one JSON tree;
 * the text output is printed from that tree, so both always say the same.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/capability.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "out.h"
#include "setup.h"

/* Below this a program with a few queues and buffers is likely to hit the limit (a guess). */
#define MEMLOCK_WANT (64ULL << 20)

typedef struct json_object json;

static json *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static void add(json *o, const char *key, json *v)
{
	json_object_object_add(o, key, v);
}

static void problem(json *list, const char *what, const char *fix)
{
	json *p = json_object_new_object();

	cli_json_str(p, "problem", what);
	cli_json_str(p, "fix", fix);
	json_object_array_add(list, p);
}

/* The capability sets in /proc/self/status are hex masks. */
static bool has_cap(int cap)
{
	char line[256];
	unsigned long long eff = 0;
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	return found && (eff >> cap & 1);
}

static json *group_json(const struct cli_pci *p, bool *viable)
{
	char(*m)[CLI_PCI_ADDR_LEN] = NULL;
	json *arr = json_object_new_array();
	int n = p->group >= 0 ? cli_group_members(p->group, &m) : 0, i;
	char cls[16];

	*viable = true;
	for (i = 0; i < n; i++) {
		struct cli_pci q;
		json *d;
		bool ok;

		if (!strcmp(m[i], p->addr) || cli_pci_read(m[i], &q))
			continue;
		ok = !*q.driver || !strcmp(q.driver, "vfio-pci") || !strcmp(q.driver, "pci-stub") ||
		     q.class >> 8 == CLI_PCI_CLASS_BRIDGE;
		*viable &= ok;
		d = json_object_new_object();
		cli_json_str(d, "address", q.addr);
		snprintf(cls, sizeof(cls), "0x%06x", q.class);
		cli_json_str(d, "class", cls);
		cli_json_str(d, "class_name", cli_pci_class_name(q.class));
		add(d, "driver", str_or_null(q.driver));
		add(d, "viable", json_object_new_boolean(ok));
		json_object_array_add(arr, d);
	}
	free(m);
	return arr;
}

static json *devices_json(const struct cli_users *u)
{
	json *arr = json_object_new_array();
	size_t i, j;

	for (i = 0; i < u->nblk; i++) {
		const struct cli_blk *b = &u->blk[i];
		json *d = json_object_new_object(), *mounts = json_object_new_array(),
		     *holders = json_object_new_array(), *open = json_object_new_array();
		bool swap = false;
		char dev[32];

		cli_json_str(d, "name", b->name);
		cli_json_str(d, "kind", cli_blk_kind_str(b->kind));
		snprintf(dev, sizeof(dev), "%u:%u", b->major, b->minor);
		add(d, "dev", b->has_dev ? json_object_new_string(dev) : NULL);
		add(d, "parent", str_or_null(b->parent));
		for (j = 0; j < u->nuse; j++) {
			const struct cli_use *s = &u->use[j];

			if (s->blk != i)
				continue;
			if (s->kind == CLI_USE_MOUNT)
				json_object_array_add(mounts, json_object_new_string(s->what));
			else if (s->kind == CLI_USE_HOLDER)
				json_object_array_add(holders, json_object_new_string(s->what));
			else if (s->kind == CLI_USE_OPEN)
				json_object_array_add(open, json_object_new_string(s->what));
			else
				swap = true;
		}
		add(d, "mounts", mounts);
		add(d, "swap", json_object_new_boolean(swap));
		add(d, "holders", holders);
		add(d, "open_by", open);
		json_object_array_add(arr, d);
	}
	return arr;
}

static void ctrl_attr(const char *addr, const char *ctrl, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (*ctrl && cli_path(path, sizeof(path), "%s/bus/pci/devices/%s/nvme/%s/%s", cli_sysfs(),
			      addr, ctrl, name) == 0)
		cli_attr_read(path, buf, size);
}

/* One NVMe function; adds the problems that concern it. */
static json *function_json(const struct cli_pci *p, json *problems, char *usable)
{
	char buf[256], node[32], path[PATH_MAX], what[512], fix[512];
	json *f = json_object_new_object(), *grp;
	struct cli_users u;
	bool viable;

	cli_json_str(f, "address", p->addr);
	snprintf(buf, sizeof(buf), "0x%04x", p->vendor);
	cli_json_str(f, "vendor_id", buf);
	snprintf(buf, sizeof(buf), "0x%04x", p->device);
	cli_json_str(f, "device_id", buf);
	snprintf(buf, sizeof(buf), "0x%06x", p->class);
	cli_json_str(f, "class", buf);
	add(f, "driver", str_or_null(p->driver));
	add(f, "iommu_group", p->group >= 0 ? json_object_new_int(p->group) : NULL);
	grp = group_json(p, &viable);
	add(f, "group_devices", grp);
	add(f, "group_viable", json_object_new_boolean(viable));
	if (cli_users_find(p->addr, &u))
		memset(&u, 0, sizeof(u));
	add(f, "controller", str_or_null(u.ctrl));
	ctrl_attr(p->addr, u.ctrl, "model", buf, sizeof(buf));
	add(f, "model", str_or_null(buf));
	ctrl_attr(p->addr, u.ctrl, "serial", buf, sizeof(buf));
	add(f, "serial", str_or_null(buf));
	add(f, "kernel_devices", devices_json(&u));
	add(f, "in_use", json_object_new_boolean(u.nuse > 0));
	cli_users_free(&u);

	if (strcmp(p->driver, "vfio-pci"))
		return f;
	if (!viable) {
		size_t i, n = json_object_array_length(grp), len = 0;

		snprintf(what, sizeof(what),
			 "IOMMU group %d of %s is not viable: a device in it is on "
			 "a driver other than vfio-pci",
			 p->group, p->addr);
		for (i = 0; i < n && len < sizeof(fix); i++) {
			json *d = json_object_array_get_idx(grp, i), *v;

			if (json_object_object_get_ex(d, "viable", &v) &&
			    json_object_get_boolean(v))
				continue;
			len += (size_t)snprintf(
			    fix + len, sizeof(fix) - len,
			    "%secho %s > %s/bus/pci/devices/%s/driver/unbind", len ? "; " : "",
			    json_object_get_string(json_object_object_get(d, "address")),
			    cli_sysfs(),
			    json_object_get_string(json_object_object_get(d, "address")));
		}
		problem(problems, what, fix);
		return f;
	}
	cli_group_node(p->group, node, sizeof(node));
	if (cli_path(path, sizeof(path), "%s/vfio/%s", cli_devfs(), node) == 0 &&
	    access(path, R_OK | W_OK)) {
		snprintf(what, sizeof(what), "%s (the VFIO group of %s) is not open to this user",
			 path, p->addr);
		snprintf(fix, sizeof(fix),
			 "run as root, or give it to this user: nvfio setup --user=%s "
			 "%s",
			 getenv("USER") ? getenv("USER") : "NAME", p->addr);
		problem(problems, what, fix);
		return f;
	}
	if (!strncmp(node, "noiommu-", 8) && !has_cap(CAP_SYS_RAWIO)) {
		snprintf(what, sizeof(what),
			 "%s is a no-IOMMU group, which opens only with "
			 "CAP_SYS_RAWIO",
			 path);
		problem(problems, what, "run as root");
		return f;
	}
	if (!*usable)
		snprintf(usable, CLI_PCI_ADDR_LEN, "%s", p->addr);
	return f;
}

static json *pools_json(void)
{
	struct cli_huge_pool *p;
	json *arr = json_object_new_array();
	int n = cli_huge_pools(&p), i;
	size_t j;

	for (i = 0; i < n; i++) {
		json *o = json_object_new_object(), *nodes = json_object_new_array();

		cli_json_u64(o, "size_kb", p[i].size_kb);
		cli_json_u64(o, "total", (uint64_t)p[i].total);
		cli_json_u64(o, "free", (uint64_t)(p[i].free > 0 ? p[i].free : 0));
		for (j = 0; j < p[i].nnodes; j++) {
			json *d = json_object_new_object();

			add(d, "node", json_object_new_int(p[i].nodes[j].node));
			cli_json_u64(d, "total", (uint64_t)p[i].nodes[j].total);
			cli_json_u64(d, "free",
				     (uint64_t)(p[i].nodes[j].free > 0 ? p[i].nodes[j].free : 0));
			json_object_array_add(nodes, d);
		}
		add(o, "nodes", nodes);
		json_object_array_add(arr, o);
	}
	if (n > 0)
		cli_huge_pools_free(p, n);
	return arr;
}

static json *limit_json(rlim_t v)
{
	return v == RLIM_INFINITY ? NULL : json_object_new_uint64((uint64_t)v);
}

static json *iommu_json(int groups)
{
	json *o = json_object_new_object(), *units = json_object_new_array();
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (cli_path(path, sizeof(path), "%s/class/iommu", cli_sysfs()) == 0 &&
	    (d = opendir(path))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				json_object_array_add(units, json_object_new_string(e->d_name));
		closedir(d);
	}
	add(o, "on", json_object_new_boolean(groups > 0));
	add(o, "groups", json_object_new_int(groups));
	add(o, "units", units);
	return o;
}

static bool path_in_sysfs(const char *rel)
{
	char path[PATH_MAX];

	return cli_path(path, sizeof(path), "%s/%s", cli_sysfs(), rel) == 0 && cli_exists(path);
}

/* The machine-wide problems, after the functions'. */
static void machine_problems(json *problems, int nfuncs, const char *usable, const char *free_fn)
{
	int groups = cli_iommu_groups(), noiommu = cli_noiommu();
	struct cli_huge_pool *pools;
	struct rlimit rl;
	char what[256], fix[256];
	int n, i;

	if (!path_in_sysfs("bus/pci/drivers/vfio-pci"))
		problem(problems, "vfio-pci is not loaded",
			"modprobe vfio-pci (nvfio setup does it)");
	if (!groups && noiommu != 1)
		problem(problems, "no IOMMU is on",
			noiommu == 0
			    ? "boot with intel_iommu=on (Intel) or amd_iommu=on (AMD); or, "
			      "unsafe and root-only, VFIO's no-IOMMU mode: nvfio setup "
			      "--unsafe-noiommu"
			: path_in_sysfs("module/vfio")
			    ? "boot with intel_iommu=on (Intel) or amd_iommu=on (AMD); this "
			      "kernel's vfio has no no-IOMMU mode (CONFIG_VFIO_NOIOMMU)"
			    : "boot with intel_iommu=on (Intel) or amd_iommu=on (AMD); or load "
			      "vfio (modprobe vfio-pci) to see whether its no-IOMMU mode is there");
	if (!nfuncs)
		problem(problems, "this machine has no NVMe function",
			"none here: nvfio's simulated controller (sim:) needs no hardware");
	else if (!*usable) {
		if (*free_fn)
			snprintf(fix, sizeof(fix), "nvfio setup %s", free_fn);
		else
			snprintf(fix, sizeof(fix),
				 "nvfio setup --force ADDRESS, for one whose "
				 "namespaces you can spare (each is in use)");
		problem(problems, "no NVMe function is ready on vfio-pci for this user", fix);
	}
	/* Without an IOMMU the device sees physical addresses: only pinned hugepages will do. */
	n = cli_huge_pools(&pools);
	for (i = 0; !groups && i < n; i++)
		if (pools[i].size_kb == 2048 && pools[i].free <= 0)
			problem(problems, "no free 2 MiB hugepages, which no-IOMMU mode needs",
				"nvfio setup --hugepages-only --hugemem=256");
	if (n > 0)
		cli_huge_pools_free(pools, n);
	if (!has_cap(CAP_IPC_LOCK) && getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < MEMLOCK_WANT) {
		snprintf(what, sizeof(what),
			 "the locked-memory limit is %llu KiB: VFIO pins the DMA "
			 "memory against it",
			 (unsigned long long)rl.rlim_cur >> 10);
		snprintf(fix, sizeof(fix),
			 "ulimit -l unlimited (as far as the hard limit lets), or "
			 "'%s - memlock unlimited' in /etc/security/limits.conf",
			 getenv("USER") ? getenv("USER") : "USER");
		problem(problems, what, fix);
	}
}

static json *gather(void)
{
	json *root = json_object_new_object(), *funcs = json_object_new_array(),
	     *problems = json_object_new_array(), *o;
	struct cli_pci *list;
	char usable[CLI_PCI_ADDR_LEN] = "", free_fn[CLI_PCI_ADDR_LEN] = "";
	struct rlimit rl;
	int n = cli_pci_list(true, &list), i, on;

	for (i = 0; i < n; i++) {
		json *f = function_json(&list[i], problems, usable), *v;

		if (!*free_fn && strcmp(list[i].driver, "vfio-pci") &&
		    json_object_object_get_ex(f, "in_use", &v) && !json_object_get_boolean(v))
			snprintf(free_fn, sizeof(free_fn), "%s", list[i].addr);
		json_object_array_add(funcs, f);
	}
	free(list);
	add(root, "nvme_functions", funcs);
	add(root, "hugepages", pools_json());
	o = json_object_new_object();
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		rl.rlim_cur = rl.rlim_max = 0;
	add(o, "soft", limit_json(rl.rlim_cur));
	add(o, "hard", limit_json(rl.rlim_max));
	add(o, "cap_ipc_lock", json_object_new_boolean(has_cap(CAP_IPC_LOCK)));
	add(root, "memlock", o);
	add(root, "iommu", iommu_json(cli_iommu_groups()));
	o = json_object_new_object();
	on = cli_noiommu();
	add(o, "available", json_object_new_boolean(on >= 0));
	add(o, "enabled", json_object_new_boolean(on == 1));
	add(root, "noiommu", o);
	add(root, "vfio_pci_loaded",
	    json_object_new_boolean(path_in_sysfs("bus/pci/drivers/vfio-pci")));
	machine_problems(problems, n > 0 ? n : 0, usable, free_fn);
	add(root, "problems", problems);
	add(root, "ready", str_or_null(usable));
	return root;
}

/* ---- text, from the tree ---- */

static json *get(json *o, const char *key)
{
	json *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *gets_or(json *o, const char *key, const char *dflt)
{
	json *v = get(o, key);

	return v ? json_object_get_string(v) : dflt;
}

static void print_size(uint64_t bytes)
{
	if (bytes >= 1ULL << 30 && !(bytes % (1ULL << 30)))
		printf("%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes >= 1ULL << 20 && !(bytes % (1ULL << 20)))
		printf("%llu MiB", (unsigned long long)(bytes >> 20));
	else
		printf("%llu KiB", (unsigned long long)(bytes >> 10));
}

static void print_list(json *arr, const char *label, bool *first)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		printf("%s%s %s", *first ? " " : ", ", label,
		       json_object_get_string(json_object_array_get_idx(arr, i)));
		*first = false;
	}
}

static void print_function(json *f)
{
	json *devs = get(f, "kernel_devices"), *grp = get(f, "group_devices");
	size_t i, n;
	char id[16];

	snprintf(id, sizeof(id), "%s:%s", gets_or(f, "vendor_id", "0x?") + 2,
		 gets_or(f, "device_id", "0x?") + 2);
	printf("%-13s %-10s %-9s %-6s %s\n", gets_or(f, "address", "?"), id,
	       gets_or(f, "driver", "-"), gets_or(f, "iommu_group", "-"), gets_or(f, "model", "-"));
	n = json_object_array_length(devs);
	for (i = 0; i < n; i++) {
		json *d = json_object_array_get_idx(devs, i);
		const char *kind = gets_or(d, "kind", "");
		bool first = true;

		if (strcmp(kind, "namespace") && strcmp(kind, "partition") && strcmp(kind, "head"))
			continue;
		printf("    %s %s (%s", kind, gets_or(d, "name", "?"), gets_or(d, "dev", "-"));
		if (!strcmp(kind, "head"))
			printf(", multipath, path %s", gets_or(d, "parent", "?"));
		printf(")");
		print_list(get(d, "mounts"), "mounted on", &first);
		if (json_object_get_boolean(get(d, "swap"))) {
			printf("%sswap", first ? " " : ", ");
			first = false;
		}
		print_list(get(d, "holders"), "held by", &first);
		print_list(get(d, "open_by"), "open in process", &first);
		printf("%s\n", first ? " unused" : "");
	}
	n = json_object_array_length(grp);
	for (i = 0; i < n; i++) {
		json *d = json_object_array_get_idx(grp, i);

		printf("    same IOMMU group: %s %s on %s%s\n", gets_or(d, "address", "?"),
		       gets_or(d, "class_name", "?"), gets_or(d, "driver", "no driver"),
		       json_object_get_boolean(get(d, "viable")) ? "" : " (not viable)");
	}
}

static void print_text(json *root)
{
	json *funcs = get(root, "nvme_functions"), *pools = get(root, "hugepages"),
	     *ml = get(root, "memlock"), *iommu = get(root, "iommu"), *nio = get(root, "noiommu"),
	     *probs = get(root, "problems"), *v;
	size_t i, j, n;

	n = json_object_array_length(funcs);
	printf("NVMe functions:%s\n", n ? "" : " none");
	if (n)
		printf("%-13s %-10s %-9s %-6s %s\n", "ADDRESS", "ID", "DRIVER", "GROUP", "MODEL");
	for (i = 0; i < n; i++)
		print_function(json_object_array_get_idx(funcs, i));

	n = json_object_array_length(pools);
	printf("Hugepages:%s\n", n ? "" : " none (this kernel has no hugetlbfs)");
	for (i = 0; i < n; i++) {
		json *p = json_object_array_get_idx(pools, i), *nodes = get(p, "nodes");

		printf("  ");
		print_size(json_object_get_uint64(get(p, "size_kb")) << 10);
		printf(" pages: %s free of %s", gets_or(p, "free", "?"), gets_or(p, "total", "?"));
		for (j = 0; j < json_object_array_length(nodes); j++) {
			json *d = json_object_array_get_idx(nodes, j);

			printf("%s node%s: %s free of %s", j ? "," : ";", gets_or(d, "node", "?"),
			       gets_or(d, "free", "?"), gets_or(d, "total", "?"));
		}
		printf("\n");
	}

	printf("Locked-memory limit (RLIMIT_MEMLOCK): ");
	if ((v = get(ml, "soft")))
		print_size(json_object_get_uint64(v));
	else
		printf("unlimited");
	printf(", hard ");
	if ((v = get(ml, "hard")))
		print_size(json_object_get_uint64(v));
	else
		printf("unlimited");
	printf("%s\n", json_object_get_boolean(get(ml, "cap_ipc_lock"))
			   ? " (no limit for this process: CAP_IPC_LOCK)"
			   : "");

	printf("IOMMU: %s", json_object_get_boolean(get(iommu, "on")) ? "on" : "off");
	if (json_object_get_boolean(get(iommu, "on")))
		printf(" (%s groups)", gets_or(iommu, "groups", "?"));
	printf("\n");
	printf("VFIO no-IOMMU mode: %s\n",
	       json_object_get_boolean(get(nio, "enabled"))	? "on (unsafe)"
	       : json_object_get_boolean(get(nio, "available")) ? "off (available)"
								: "not available");
	printf("vfio-pci: %s\n",
	       json_object_get_boolean(get(root, "vfio_pci_loaded")) ? "loaded" : "not loaded");

	n = json_object_array_length(probs);
	if (!n) {
		printf("\nReady: nvfio can drive %s.\n", gets_or(root, "ready", "?"));
		return;
	}
	printf("\nWhat stops nvfio here, and the fix:\n");
	for (i = 0; i < n; i++) {
		json *p = json_object_array_get_idx(probs, i);

		printf("  %s\n      %s\n", gets_or(p, "problem", "?"), gets_or(p, "fix", "?"));
	}
}

int cli_status(int argc, char **argv)
{
	struct cli_out out = {0};
	struct cli_opt opts[] = {
	    CLI_STR("output-format", 'o', &out.format, "FMT", "normal or json"),
	    CLI_END,
	};
	static const struct cli_usage usage = {
	    "status", "[OPTIONS]",
	    "Where this machine stands for nvfio: the NVMe functions (address, vendor:device, "
	    "model, driver, IOMMU group and the other devices in it, the kernel's devices on it "
	    "and what uses them), the hugepage pools, the locked-memory limit, the IOMMU and "
	    "VFIO's no-IOMMU mode, and for each thing that stops nvfio, the command that fixes "
	    "it.\n\n"
	    "JSON keys (stable): nvme_functions[] {address, vendor_id, device_id, class (hex "
	    "strings), driver, iommu_group, group_devices[] {address, class, class_name, driver, "
	    "viable}, group_viable, controller, model, serial, kernel_devices[] {name, kind "
	    "(controller, namespace, partition, path, head, generic), dev (\"major:minor\"), "
	    "parent, mounts[], swap, holders[], open_by[]}, in_use}; hugepages[] {size_kb, total, "
	    "free, nodes[] {node, total, free}}; memlock {soft, hard (bytes; null: unlimited), "
	    "cap_ipc_lock}; iommu {on, groups, units[]}; noiommu {available, enabled}; "
	    "vfio_pci_loaded; problems[] {problem, fix}; ready (the first function nvfio can drive "
	    "here, or null). A value not known is null."};
	json *root;
	int ret;

	ret = cli_parse(argc, argv, &usage, opts, NULL, 0, &(int){0});
	if (ret)
		return ret == CLI_HELP_SHOWN ? 0 : cli_exit_errno(ret);
	ret = cli_out_check(&out);
	if (ret)
		return cli_exit_errno(ret);
	if (out.fmt == CLI_FMT_BINARY) {
		cli_err("status: there is no binary form; -o normal or -o json");
		return EINVAL;
	}
	root = gather();
	if (out.fmt == CLI_FMT_JSON) {
		cli_json_print(root);
		return 0;
	}
	print_text(root);
	json_object_put(root);
	return 0;
}
