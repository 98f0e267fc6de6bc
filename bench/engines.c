// SPDX-License-Identifier: BSD-3-Clause
/* The engines, and which one a target gets. */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "options.h"

static const struct nvb_engine *const engines[] = {
    &nvb_engine_nvfio,
    &nvb_engine_uring,
    &nvb_engine_uring_cmd,
};

const struct nvb_engine *nvb_engine_find(const char *name)
{
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

static bool hex_run(const char **p, unsigned n)
{
	for (unsigned i = 0; i < n; i++, (*p)++)
		if (!isxdigit((unsigned char)**p))
			return false;
	return true;
}

bool nvb_is_pci_address(const char *s)
{
	const char *p = s;

	/* DDDD:BB:DD.F or BB:DD.F */
	if (strlen(s) == 12) {
		if (!hex_run(&p, 4) || *p++ != ':')
			return false;
	} else if (strlen(s) != 7) {
		return false;
	}
	return hex_run(&p, 2) && *p++ == ':' && hex_run(&p, 2) && *p++ == '.' && *p >= '0' &&
	       *p <= '7' && p[1] == '\0';
}

/* What a PCI class code names, for a device that is not an NVMe controller. */
static const char *class_name(unsigned cls)
{
	switch (cls >> 8) {
	case 0x0600:
		return "host bridge";
	case 0x0604:
		return "PCI bridge";
	case 0x0106:
		return "SATA controller";
	default:
		break;
	}
	switch (cls >> 16) {
	case 0x01:
		return "storage controller other than NVMe";
	case 0x02:
		return "network controller";
	case 0x03:
		return "display controller";
	case 0x06:
		return "bridge";
	case 0x0c:
		return "serial bus controller";
	default:
		return "device";
	}
}

int nvb_pci_check_nvme(const char *sysfs, const char *filename, char *err, size_t errlen)
{
	const char *addr = strncmp(filename, "pci:", 4) == 0 ? filename + 4 : filename;
	char path[NVB_PATH_MAX + 64], buf[32], *end;
	unsigned long cls;
	FILE *f;

	if (!nvb_is_pci_address(addr))
		return 0;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s%s/class", sysfs,
		 strlen(addr) == 7 ? "0000:" : "", addr);
	f = fopen(path, "r");
	if (!f)
		return 0; /* no such device: the library says so */
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	cls = strtoul(buf, &end, 16);
	if (end == buf || (cls >> 8) == 0x0108)
		return 0;
	snprintf(err, errlen,
		 "%s is not an NVMe controller: it is a %s (PCI class 0x%06lx), and nvfio drives "
		 "NVMe controllers only (class 0x0108xx): find them with 'lspci -D -d ::0108'",
		 filename, class_name((unsigned)cls), cls);
	return -ENODEV;
}

const char *nvb_engine_for_target(const char *filename)
{
	/* A scheme the library knows is the library's to parse, well formed or not: "pci:zz" gets
	 * its error for the address, not io_uring's for a missing file (./pci:zz names one). */
	if (strncmp(filename, "sim:", 4) == 0 || strcmp(filename, "sim") == 0 ||
	    strncmp(filename, "pci:", 4) == 0 || strncmp(filename, "vfio-user:", 10) == 0 ||
	    nvb_is_pci_address(filename))
		return "nvfio";
	return "io_uring";
}

int nvb_resolve_engine(struct nvb_opts *o, char *err, size_t errlen)
{
	const struct nvb_engine *e;
	bool chosen = o->ioengine[0] != '\0';

	if (!chosen)
		snprintf(o->ioengine, sizeof(o->ioengine), "%s",
			 nvb_engine_for_target(o->filename));
	e = nvb_engine_find(o->ioengine);
	if (!e) {
		if (strcmp(o->ioengine, "nvfio") == 0)
			snprintf(
			    err, errlen,
			    "%sioengine=nvfio%s: this nvfio-perf was built without the nvfio "
			    "NVMe driver (include/nvfio/nvme.h); rebuild nvfio",
			    o->label, chosen ? "" : " (chosen by --filename)");
		else
			snprintf(
			    err, errlen,
			    "%s--ioengine=%s: unknown; accepted: nvfio, io_uring, io_uring_cmd",
			    o->label, o->ioengine);
		return -EINVAL;
	}
	for (int i = 0; i < nvb_opt_count(); i++) {
		unsigned m = nvb_opt_engines(i);
		if (!(o->given_mask & (1ull << i)) || !m || (m & e->mask))
			continue;
		snprintf(err, errlen, "%s--%s is an option of %s, not of ioengine=%s%s", o->label,
			 nvb_opt_name(i),
			 m == (NVB_ENG_URING | NVB_ENG_URING_CMD)
			     ? "ioengine=io_uring and io_uring_cmd"
			 : m == NVB_ENG_URING_CMD ? "ioengine=io_uring_cmd"
			 : m == NVB_ENG_NVFIO	  ? "ioengine=nvfio"
						  : "other engines",
			 o->ioengine, chosen ? "" : " (chosen by --filename)");
		return -EINVAL;
	}
	if (o->verify && !(o->rw & NVB_RW_WRITES)) {
		snprintf(err, errlen,
			 "%s--verify=crc32c writes the region and reads it back: give a --rw "
			 "that writes (write, randwrite, rw, randrw)",
			 o->label);
		return -EINVAL;
	}
	if (o->verify && o->norandommap) {
		snprintf(
		    err, errlen,
		    "%s--verify with --norandommap: every block must be written exactly once "
		    "before it is read back; drop --norandommap",
		    o->label);
		return -EINVAL;
	}
	if (o->time_based && !o->runtime_ns) {
		snprintf(err, errlen, "%s--time_based needs --runtime", o->label);
		return -EINVAL;
	}
	return 0;
}
