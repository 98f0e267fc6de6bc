// SPDX-License-Identifier: BSD-3-Clause
/*
 * nvfio setup and nvfio release: hand NVMe functions to vfio-pci and give them back to the
 * kernel's nvme driver, through driver_override (which keeps every other driver off the
 * function, whatever its ID tables say). A function is moved only after the checks pass, and a
 * move that does not take is undone: the function goes back to its driver with its
 * driver_override as it was.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "setup.h"

#define MAX_ADDRS 256

/* How a function was before this command touched it. */
struct saved {
	char driver[64];
	char override[64];
};

static int dev_attr(const char *addr, const char *attr, char *buf, size_t size)
{
	return cli_path(buf, size, "%s/bus/pci/devices/%s/%s", cli_sysfs(), addr, attr);
}

static int drv_attr(const char *drv, const char *attr, char *buf, size_t size)
{
	return cli_path(buf, size, "%s/bus/pci/drivers/%s%s%s", cli_sysfs(), drv, *attr ? "/" : "",
			attr);
}

static void current_driver(const char *addr, char *buf, size_t size)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (dev_attr(addr, "driver", path, sizeof(path)) == 0)
		cli_link_name(path, buf, size);
}

/* The kernel shows an empty driver_override as "(null)". */
static void read_override(const char *addr, char *buf, size_t size)
{
	char path[PATH_MAX];

	if (dev_attr(addr, "driver_override", path, sizeof(path)) ||
	    cli_attr_read(path, buf, size) < 0 || !strcmp(buf, "(null)"))
		buf[0] = '\0';
}

/* A bare newline clears it: an empty write would never reach the kernel. */
static int write_override(const char *addr, const char *drv)
{
	char path[PATH_MAX], val[80];

	snprintf(val, sizeof(val), "%s\n", drv);
	if (dev_attr(addr, "driver_override", path, sizeof(path)))
		return -ENAMETOOLONG;
	return cli_attr_write(path, val);
}

static int drv_write(const char *drv, const char *attr, const char *addr)
{
	char path[PATH_MAX];

	if (drv_attr(drv, attr, path, sizeof(path)))
		return -ENAMETOOLONG;
	return cli_attr_write(path, addr);
}

static int probe(const char *addr)
{
	char path[PATH_MAX];

	if (cli_path(path, sizeof(path), "%s/bus/pci/drivers_probe", cli_sysfs()))
		return -ENAMETOOLONG;
	return cli_attr_write(path, addr);
}

/*
 * Move @addr from @from ("" for none) to @to, with driver_override set to @override first ("":
 * cleared, so the ID tables decide). The probe's own error is lost in drivers_probe, so when it
 * does not take, the driver's bind file is asked, which returns it.
 */
static int move(const char *addr, const char *from, const char *to, const char *override, char *why,
		size_t size)
{
	char cur[64];
	int ret;

	ret = write_override(addr, override);
	if (ret) {
		snprintf(why, size, "writing driver_override: %s", strerror(-ret));
		return ret;
	}
	if (*from) {
		ret = drv_write(from, "unbind", addr);
		current_driver(addr, cur, sizeof(cur));
		if (ret || *cur) {
			snprintf(why, size, "unbinding it from %s: %s", from,
				 ret ? strerror(-ret) : "it is still bound");
			return ret ? ret : -EBUSY;
		}
	}
	probe(addr);
	current_driver(addr, cur, sizeof(cur));
	if (!*cur) {
		ret = drv_write(to, "bind", addr);
		current_driver(addr, cur, sizeof(cur));
	}
	if (!strcmp(cur, to))
		return 0;
	if (*cur)
		snprintf(why, size, "%s took it instead of %s", cur, to);
	else
		snprintf(why, size,
			 "%s did not take it (bind: %s; 'dmesg | tail' has the kernel's "
			 "reason)",
			 to, ret ? strerror(-ret) : "no error");
	return ret ? ret : -ENODEV;
}

/* Put @addr back as @s says it was, and say how that went. */
static void restore(const char *addr, const struct saved *s);

/* move() @p to @to, putting it back as it was if that fails; @what for the message. */
static int hand_over(const struct cli_pci *p, const char *to, const char *override,
		     const char *what)
{
	char why[512];
	struct saved s;
	int ret;

	snprintf(s.driver, sizeof(s.driver), "%s", p->driver);
	read_override(p->addr, s.override, sizeof(s.override));
	ret = move(p->addr, p->driver, to, override, why, sizeof(why));
	if (ret) {
		cli_err("%s: %s failed: %s", p->addr, what, why);
		restore(p->addr, &s);
	}
	return ret;
}

static void restore(const char *addr, const struct saved *s)
{
	char cur[64], ovr[64];

	current_driver(addr, cur, sizeof(cur));
	if (*cur && strcmp(cur, s->driver))
		drv_write(cur, "unbind", addr);
	write_override(addr, s->override);
	current_driver(addr, cur, sizeof(cur));
	if (*s->driver && strcmp(cur, s->driver) && drv_write(s->driver, "bind", addr)) {
		probe(addr);
	}
	current_driver(addr, cur, sizeof(cur));
	read_override(addr, ovr, sizeof(ovr));
	if (!strcmp(cur, s->driver) && !strcmp(ovr, s->override)) {
		cli_err("%s: put back as it was: %s, driver_override %s%s", addr,
			*cur ? cur : "no driver", *ovr ? "" : "cleared", ovr);
		return;
	}
	cli_err("%s: could not put it back (now on %s, driver_override '%s'; it was on %s, '%s'): "
		"echo '%s' > %s/bus/pci/devices/%s/driver_override; echo %s > "
		"%s/bus/pci/drivers/%s/bind",
		addr, *cur ? cur : "no driver", ovr, *s->driver ? s->driver : "no driver",
		s->override, s->override, cli_sysfs(), addr, addr, cli_sysfs(),
		*s->driver ? s->driver : "nvme");
}

static bool in_list(const char *addr, const struct cli_pci *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i].addr, addr))
			return true;
	return false;
}

/* Check and name the functions given, or take every NVMe function @want says. */
static int targets(char **pos, int npos, bool (*want)(const struct cli_pci *), struct cli_pci *out,
		   int *n)
{
	struct cli_pci *all;
	int i, cnt;

	*n = 0;
	for (i = 0; i < npos; i++) {
		char addr[CLI_PCI_ADDR_LEN];

		if (cli_pci_addr(pos[i], addr)) {
			cli_err("'%s' is not a PCI address: give DDDD:BB:DD.F or BB:DD.F ('nvfio "
				"status' lists the NVMe functions)",
				pos[i]);
			return -EINVAL;
		}
		/* Named twice, it is moved once: a second move would undo the first. */
		if (in_list(addr, out, *n))
			continue;
		if (cli_pci_read(addr, &out[*n])) {
			cli_err(
			    "no PCI function %s: check the address ('nvfio status' lists the NVMe "
			    "functions, 'lspci -D' every function)",
			    addr);
			return -ENODEV;
		}
		if (!cli_pci_is_nvme(&out[*n])) {
			cli_err(
			    "%s is not an NVMe controller: it is a %s (class 0x%06x) on %s; nvfio "
			    "hands over only NVMe functions (class 0x0108xx): check the address "
			    "('nvfio status' lists them)",
			    addr, cli_pci_class_name(out[*n].class), out[*n].class,
			    cli_pci_driver_str(&out[*n]));
			return -EINVAL;
		}
		(*n)++;
	}
	if (npos)
		return 0;
	cnt = cli_pci_list(true, &all);
	if (cnt < 0) {
		cli_err("cannot list the PCI functions in %s/bus/pci/devices: %s", cli_sysfs(),
			strerror(-cnt));
		return cnt;
	}
	for (i = 0; i < cnt && *n < MAX_ADDRS; i++)
		if (want(&all[i]))
			out[(*n)++] = all[i];
	free(all);
	return 0;
}

/* ---- setup ---- */

struct setup_opts {
	bool force, huge_only, noiommu;
	const char *user;
	const char *hugesize;
	uint32_t hugemem;
	bool named; /* functions were named on the command line */
	uid_t uid;
	gid_t gid;
};

static bool not_on_vfio(const struct cli_pci *p)
{
	return strcmp(p->driver, "vfio-pci") != 0;
}

/*
 * Whether the kernel's users of @p let it go; prints each one. Returns 0 (go on), 1 (an unnamed
 * function in use: left alone, which is no failure) or -EBUSY.
 */
static int check_users(const struct cli_pci *p, const struct setup_opts *o)
{
	struct cli_users u;
	char line[PATH_MAX + 128];
	size_t i;
	int ret = cli_users_find(p->addr, &u);

	if (ret) {
		cli_err("%s: cannot tell what uses it: %s", p->addr, strerror(-ret));
		return ret;
	}
	if (u.unreadable)
		cli_err("%s: the open files of %u processes could not be read: run as root to see "
			"them all",
			p->addr, u.unreadable);
	for (i = 0; i < u.nuse; i++) {
		cli_use_str(&u, &u.use[i], line, sizeof(line));
		cli_err("%s: %s", p->addr, line);
	}
	if (!u.nuse) {
		cli_users_free(&u);
		return 0;
	}
	if (!o->named)
		cli_err("%s: left with %s (in use, above); name it with --force to take it anyway",
			p->addr, u.ctrl);
	else if (!o->force)
		cli_err(
		    "not taking %s from the kernel: unmount it, swapoff, stop what holds it open "
		    "or built on it (above), or give --force (their I/O then fails)",
		    p->addr);
	else
		cli_err("%s: taking it anyway (--force): the users above lose %s", p->addr, u.ctrl);
	cli_users_free(&u);
	if (!o->named)
		return 1;
	return o->force ? 0 : -EBUSY;
}

/*
 * VFIO hands out a group only when every device in it is on vfio-pci, on no driver, or is a
 * bridge (pcieport, pci-stub are for devices nobody does DMA to through the group).
 */
static int check_group(const struct cli_pci *p, const struct cli_pci *list, int n)
{
	char(*m)[CLI_PCI_ADDR_LEN] = NULL, msg[2048] = "", fix[2048] = "";
	size_t len = 0, flen = 0;
	int cnt, i, bad = 0;

	if (p->group < 0)
		return 0;
	cnt = cli_group_members(p->group, &m);
	for (i = 0; i < cnt; i++) {
		struct cli_pci q;

		if (in_list(m[i], list, n) || cli_pci_read(m[i], &q))
			continue;
		if (!*q.driver || !strcmp(q.driver, "vfio-pci") || !strcmp(q.driver, "pci-stub") ||
		    q.class >> 8 == CLI_PCI_CLASS_BRIDGE)
			continue;
		if (len < sizeof(msg))
			len += (size_t)snprintf(msg + len, sizeof(msg) - len,
						"%s%s in the same group is bound to %s",
						bad ? "; " : "", q.addr, q.driver);
		if (flen < sizeof(fix))
			flen += (size_t)snprintf(fix + flen, sizeof(fix) - flen,
						 "%secho %s > %s/bus/pci/drivers/%s/unbind",
						 bad ? "; " : "", q.addr, cli_sysfs(), q.driver);
		bad++;
	}
	free(m);
	if (!bad)
		return 0;
	cli_err(
	    "IOMMU group %d is not viable: %s. VFIO gives out a group only when every device "
	    "in it is on vfio-pci, on no driver, or a PCI bridge: unbind %s (%s), or put %s in a "
	    "slot with a group of its own; %s is left as it is",
	    p->group, msg, bad > 1 ? "them" : "it", fix, p->addr, p->addr);
	return -EBUSY;
}

/* A function without an IOMMU group can only go to VFIO in its no-IOMMU mode. */
static int check_iommu(const struct cli_pci *p, const struct setup_opts *o)
{
	char path[PATH_MAX];
	int on;

	if (p->group >= 0)
		return 0;
	on = cli_noiommu();
	if (on == 0 && o->noiommu) {
		if (cli_path(path, sizeof(path), "%s/%s", cli_sysfs(), CLI_NOIOMMU_PARAM) == 0 &&
		    cli_attr_write(path, "Y\n") == 0) {
			printf("VFIO no-IOMMU mode: on (--unsafe-noiommu): devices on vfio-pci can "
			       "reach all memory\n");
			return 0;
		}
		cli_err("%s: could not turn on VFIO's no-IOMMU mode (%s): run as root", p->addr,
			path);
		return -EACCES;
	}
	if (on == 1)
		return 0;
	cli_err("%s has no IOMMU group: no IOMMU is on. Boot with intel_iommu=on (Intel) or "
		"amd_iommu=on (AMD), or use VFIO's no-IOMMU mode, unsafe (the device can reach all "
		"memory) and root-only: %s",
		p->addr,
		on == 0 ? "'nvfio setup --unsafe-noiommu'"
			: "this kernel's vfio has none: rebuild it with CONFIG_VFIO_NOIOMMU");
	return -ENODEV;
}

/* The group's /dev/vfio node, once it is there (devtmpfs makes it as vfio-pci binds). */
static int group_node(int group, char *node, size_t nsize, char *path, size_t psize)
{
	int i;

	for (i = 0; i < 20; i++) {
		cli_group_node(group, node, nsize);
		if (cli_path(path, psize, "%s/vfio/%s", cli_devfs(), node))
			return -ENAMETOOLONG;
		if (cli_exists(path))
			return 0;
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	return -ENOENT;
}

static int give_user(const struct cli_pci *p, const struct setup_opts *o)
{
	char node[32], path[PATH_MAX];
	int ret = group_node(p->group, node, sizeof(node), path, sizeof(path));

	if (ret) {
		cli_err("%s: there is no %s for IOMMU group %d to give to %s: is devtmpfs mounted "
			"on %s?",
			p->addr, path, p->group, o->user, cli_devfs());
		return ret;
	}
	if (chown(path, o->uid, o->gid) || chmod(path, 0660)) {
		ret = -errno;
		cli_err("%s: giving %s to %s failed: %s", p->addr, path, o->user, strerror(-ret));
		return ret;
	}
	printf("%s: %s belongs to %s\n", p->addr, path, o->user);
	if (!strncmp(node, "noiommu-", 8))
		printf("%s: a no-IOMMU group opens only with CAP_SYS_RAWIO: %s needs it too "
		       "(setcap cap_sys_rawio+ep PROGRAM), or must run as root\n",
		       p->addr, o->user);
	return 0;
}

static int setup_one(const struct cli_pci *p, const struct cli_pci *list, int n,
		     const struct setup_opts *o)
{
	char node[32], path[PATH_MAX];
	struct cli_pci now;
	struct saved s;
	int ret;

	if (!strcmp(p->driver, "vfio-pci")) {
		cli_group_node(p->group, node, sizeof(node));
		printf("%s: already on vfio-pci, IOMMU group %d (%s/vfio/%s)\n", p->addr, p->group,
		       cli_devfs(), node);
		return o->user ? give_user(p, o) : 0;
	}
	ret = check_users(p, o);
	if (!ret)
		ret = check_group(p, list, n);
	if (!ret)
		ret = check_iommu(p, o);
	if (ret)
		return ret > 0 ? 0 : ret;

	snprintf(s.driver, sizeof(s.driver), "%s", p->driver);
	read_override(p->addr, s.override, sizeof(s.override));
	ret = hand_over(p, "vfio-pci", "vfio-pci", "handing it to vfio-pci");
	if (ret)
		return ret;
	/* Without an IOMMU the group exists only now, made up by VFIO. */
	cli_pci_read(p->addr, &now);
	if (group_node(now.group, node, sizeof(node), path, sizeof(path)) == 0)
		printf("%s: on vfio-pci (was on %s), IOMMU group %d (%s)\n", p->addr,
		       cli_pci_driver_str(p), now.group, path);
	else
		printf("%s: on vfio-pci (was on %s), IOMMU group %d\n", p->addr,
		       cli_pci_driver_str(p), now.group);
	if (o->user) {
		ret = give_user(&now, o);
		if (ret) {
			restore(p->addr, &s);
			return ret;
		}
	}
	return 0;
}

static void user_notes(const struct setup_opts *o)
{
	printf("for %s: /dev/vfio/vfio must be open to all (it is 0666 by default); the locked-"
	       "memory limit must cover the DMA memory (VFIO pins it): '%s - memlock unlimited' in "
	       "/etc/security/limits.conf (log in again) or LimitMEMLOCK=infinity for a service; "
	       "nvfio maps its hugepages anonymously (MAP_HUGETLB), so no hugetlbfs mount or "
	       "group is needed\n",
	       o->user, o->user);
}

int cli_setup(int argc, char **argv)
{
	struct setup_opts o = {.hugesize = "2M"};
	struct cli_opt opts[] = {
	    CLI_FLAG("force", 'f', &o.force,
		     "take a named function even when the kernel's devices on it are in use"),
	    CLI_STR("user", 'u', &o.user, "NAME",
		    "give NAME the VFIO group nodes, so that nvfio runs without root"),
	    CLI_UINT("hugemem", 'm', &o.hugemem, "MiB",
		     "have at least MiB of hugepages reserved, spread over the NUMA nodes"),
	    CLI_STR("hugepage-size", 0, &o.hugesize, "SIZE",
		    "the hugepage size for --hugemem: 2M (default) or 1G"),
	    CLI_FLAG("hugepages-only", 0, &o.huge_only,
		     "only reserve the hugepages (--hugemem); bind nothing"),
	    CLI_FLAG("unsafe-noiommu", 0, &o.noiommu,
		     "without an IOMMU, turn on VFIO's no-IOMMU mode (the device can reach "
		     "all memory)"),
	    CLI_END,
	};
	static const struct cli_usage usage = {
	    "setup", "[BDF...] [OPTIONS]",
	    "Hand NVMe functions (BDF: 0000:01:00.0 or 01:00.0) to vfio-pci through "
	    "driver_override, loading vfio-pci first, so that nvfio can drive them. Without BDF, "
	    "every NVMe function not on vfio-pci whose namespaces nothing uses (no mount, holder, "
	    "swap or open file); a named one in use is refused, naming the user, unless --force. "
	    "Only NVMe functions (class 0x0108xx) are taken, and only where the IOMMU group is "
	    "viable (every other device in it on vfio-pci, on no driver, or a bridge). A function "
	    "that vfio-pci does not take goes back to its driver. Exit status: 0, or the errno of "
	    "the first failure (EINVAL bad address or not NVMe, ENODEV no such function or no "
	    "IOMMU, EBUSY in use or group not viable, ENOMEM hugepages short)."};
	struct cli_pci *list;
	char *pos[MAX_ADDRS];
	int npos, n = 0, i, ret, first = 0;
	unsigned long kb;

	ret = cli_parse(argc, argv, &usage, opts, pos, MAX_ADDRS, &npos);
	if (ret)
		return ret == CLI_HELP_SHOWN ? 0 : cli_exit_errno(ret);
	kb = cli_huge_size(o.hugesize);
	if (!kb) {
		cli_err("--hugepage-size: '%s' is not a size: 2M or 1G", o.hugesize);
		return EINVAL;
	}
	if (o.huge_only && (!o.hugemem || npos)) {
		cli_err("--hugepages-only: %s", npos ? "it binds nothing: drop the addresses"
						     : "say how much with --hugemem=MiB");
		return EINVAL;
	}
	if (o.user) {
		struct passwd *pw = getpwnam(o.user);

		if (!pw) {
			cli_err("--user: there is no user '%s' here", o.user);
			return EINVAL;
		}
		o.uid = pw->pw_uid;
		o.gid = pw->pw_gid;
	}
	o.named = npos > 0;
	list = calloc(MAX_ADDRS, sizeof(*list));
	if (!list)
		return ENOMEM;
	ret = o.huge_only ? 0 : targets(pos, npos, not_on_vfio, list, &n);
	if (ret)
		goto out;
	if (o.hugemem) {
		ret = cli_huge_reserve(kb, o.hugemem);
		if (ret || o.huge_only)
			goto out;
	}
	if (!n) {
		printf("no NVMe function to hand over: each is on vfio-pci already, or there is "
		       "none ('nvfio status' shows them)\n");
		goto out;
	}
	for (i = 0; i < n && !strcmp(list[i].driver, "vfio-pci"); i++)
		;
	if (i < n) {
		char path[PATH_MAX];

		ret = drv_attr("vfio-pci", "", path, sizeof(path));
		if (!ret)
			ret = cli_modprobe("vfio-pci", path);
		if (ret)
			goto out;
	}
	for (i = 0; i < n; i++) {
		int r = setup_one(&list[i], list, n, &o);

		if (r && !first)
			first = r;
	}
	if (o.user)
		user_notes(&o);
	ret = first;
out:
	free(list);
	return ret ? cli_exit_errno(ret) : 0;
}

/* ---- release ---- */

static bool on_vfio(const struct cli_pci *p)
{
	return !strcmp(p->driver, "vfio-pci");
}

struct openers {
	const char *addr, *path;
	int n;
};

static void report_opener(void *ctx, int pid, const char *comm)
{
	struct openers *o = ctx;

	cli_err("%s: %s is open in process %d (%s)", o->addr, o->path, pid, comm);
	o->n++;
}

static int release_one(const struct cli_pci *p)
{
	char node[32], path[PATH_MAX], ctrl[40];
	int ret;

	if (!strcmp(p->driver, "nvme")) {
		if (cli_kernel_ctrl(p->addr, ctrl, sizeof(ctrl)))
			snprintf(ctrl, sizeof(ctrl), "no controller yet");
		printf("%s: already on nvme (%s)\n", p->addr, ctrl);
		return 0;
	}
	if (*p->driver && strcmp(p->driver, "vfio-pci")) {
		cli_err(
		    "%s is on %s, not vfio-pci: nvfio release gives back only what vfio-pci holds",
		    p->addr, p->driver);
		return -EBUSY;
	}
	if (p->group >= 0) {
		struct openers op = {p->addr, path, 0};
		unsigned int unreadable;

		/* vfio-pci's unbind waits for the group's users: better to say who they are. */
		cli_group_node(p->group, node, sizeof(node));
		/* As the programs see it, whatever our /dev is. */
		if (cli_path(path, sizeof(path), "/dev/vfio/%s", node))
			return -ENAMETOOLONG;
		unreadable = cli_fd_users(path, report_opener, &op);
		if (unreadable)
			cli_err("%s: the open files of %u processes could not be read: run as root "
				"to see them all",
				p->addr, unreadable);
		if (op.n) {
			cli_err(
			    "not releasing %s: a program drives it through %s; stop it first (the "
			    "kernel would wait for it)",
			    p->addr, path);
			return -EBUSY;
		}
	}
	if (drv_attr("nvme", "", path, sizeof(path)) == 0) {
		ret = cli_modprobe("nvme", path);
		if (ret)
			return ret;
	}
	ret = hand_over(p, "nvme", "", "giving it back to nvme");
	if (ret)
		return ret;
	if (cli_kernel_ctrl(p->addr, ctrl, sizeof(ctrl)))
		snprintf(ctrl, sizeof(ctrl), "its controller not named yet");
	printf("%s: on nvme (%s), driver_override cleared; the kernel scans its namespaces now "
	       "('nvfio status' lists them)\n",
	       p->addr, ctrl);
	return 0;
}

int cli_release(int argc, char **argv)
{
	struct cli_opt opts[] = {CLI_END};
	static const struct cli_usage usage = {
	    "release", "[BDF...]",
	    "Give NVMe functions back to the kernel's nvme driver: clear driver_override, unbind "
	    "from vfio-pci, bind nvme. Without BDF, every NVMe function on vfio-pci. A function "
	    "that a program still drives through its VFIO group is refused, naming the program. "
	    "Exit status: 0, or the errno of the first failure."};
	struct cli_pci *list;
	char *pos[MAX_ADDRS];
	int npos, n, i, ret, first = 0;

	ret = cli_parse(argc, argv, &usage, opts, pos, MAX_ADDRS, &npos);
	if (ret)
		return ret == CLI_HELP_SHOWN ? 0 : cli_exit_errno(ret);
	list = calloc(MAX_ADDRS, sizeof(*list));
	if (!list)
		return ENOMEM;
	ret = targets(pos, npos, on_vfio, list, &n);
	if (!ret && !n)
		printf("no NVMe function is on vfio-pci: nothing to give back\n");
	for (i = 0; !ret && i < n; i++) {
		int r = release_one(&list[i]);

		if (r && !first)
			first = r;
	}
	if (!ret)
		ret = first;
	free(list);
	return ret ? cli_exit_errno(ret) : 0;
}
