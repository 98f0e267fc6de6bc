// SPDX-License-Identifier: BSD-3-Clause
/* list and list-ctrl, with nvme-cli's output. */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "dev.h"
#include "out.h"

static const char *si(double *v)
{
	static const struct {
		double mag;
		const char *sfx;
	} s[] = { { 1e30, "Q" }, { 1e27, "R" }, { 1e24, "Y" }, { 1e21, "Z" }, { 1e18, "E" },
		  { 1e15, "P" }, { 1e12, "T" }, { 1e9, "G" },   { 1e6, "M" },   { 1e3, "k" },
		  { 1e0, "" } };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (*v >= s[i].mag) {
			*v /= s[i].mag;
			return s[i].sfx;
		}
	}
	return "";
}

static const char *binary_sfx(long long *v)
{
	static const struct {
		int shift;
		const char *sfx;
	} s[] = { { 50, "Pi" }, { 40, "Ti" }, { 30, "Gi" }, { 20, "Mi" }, { 10, "Ki" } };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (llabs(*v) >= 1LL << s[i].shift) {
			*v = (*v + (1LL << (s[i].shift - 1))) / (1LL << s[i].shift);
			return s[i].sfx;
		}
	}
	return "";
}

/* The PCI functions bound to vfio-pci with the NVMe class code, sorted; their count. */
static int vfio_nvme_functions(char (*out)[16], int max)
{
	char path[PATH_MAX];
	struct dirent **ents;
	int n, i, got = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci", cli_sysfs());
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		char cls[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/%s/class", cli_sysfs(),
			 ents[i]->d_name);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(cls, sizeof(cls), f))
				cls[0] = '\0';
			fclose(f);
		}
		if (!strncmp(cls, "0x0108", 6) && got < max &&
		    strlen(ents[i]->d_name) < sizeof(out[0]))
			strcpy(out[got++], ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return got;
}

static void list_ctrl(struct nvfio_ctrl *ctrl, const char *addr, struct json_object *devices)
{
	const struct nvfio_ctrl_info *ci = nvfio_ctrl_get_info(ctrl);
	const struct nvfio_ns *ns = NULL;

	while ((ns = nvfio_ctrl_ns_next(ctrl, ns))) {
		const struct nvfio_ns_info *ni = nvfio_ns_get_info(ns);
		long long lba = ni->block_size;
		double nsze = (double)ni->nblocks * (double)lba;
		double nuse = (double)ni->utilization * (double)lba;

		if (devices) {
			struct json_object *d = json_object_new_object();

			cli_json_int(d, "NameSpace", ni->nsid);
			cli_json_str(d, "DevicePath", addr);
			cli_json_str(d, "Firmware", ci->firmware);
			cli_json_str(d, "ModelNumber", ci->model);
			cli_json_str(d, "SerialNumber", ci->serial);
			cli_json_u64(d, "UsedBytes", ni->utilization * (uint64_t)lba);
			cli_json_u64(d, "MaximumLBA", ni->nblocks);
			cli_json_u64(d, "PhysicalSize", ni->nblocks * (uint64_t)lba);
			cli_json_int(d, "SectorSize", lba);
			json_object_array_add(devices, d);
		} else {
			char usage[128], format[128];
			const char *su = si(&nuse), *ss = si(&nsze), *ls = binary_sfx(&lba);

			snprintf(usage, sizeof(usage), "%6.2f %2sB / %6.2f %2sB", nuse, su, nsze, ss);
			snprintf(format, sizeof(format), "%3.0f %2sB + %2d B", (double)lba, ls,
				 ni->meta_size);
			printf("%-21s %-21s %-20s %-40s %-9u %-26s %-16s %-8s\n", addr, "-",
			       ci->serial, ci->model, ni->nsid, usage, format, ci->firmware);
		}
	}
}

int cli_list(int argc, char **argv)
{
	static const struct cli_usage u = {
		"list", "[DEVICE...] [OPTIONS]",
		"Every namespace of the NVMe controllers bound to vfio-pci (or of the DEVICEs "
		"given), as nvme-cli's list shows the kernel's. Node is the controller's address; "
		"a controller another process holds is reported and skipped."
	};
	const char *format = NULL;
	bool verbose = false;
	const struct cli_opt opts[] = {
		CLI_STR("output-format", 'o', &format, "FMT", "output format: normal|json"),
		CLI_FLAG("verbose", 'v', &verbose, "accepted for nvme-cli's sake; the same list"),
		CLI_END,
	};
	static const char dash[] = "------------------------------------------------------------";
	char found[64][16], *pos[64];
	struct json_object *root = NULL, *devices = NULL;
	struct cli_out o = { 0 };
	int n, i, ret, bad = 0;

	ret = cli_parse(argc, argv, &u, opts, pos, 64, &n);
	if (ret)
		return ret > 0 ? 0 : EINVAL;
	o.format = format;
	if (cli_out_check(&o))
		return EINVAL;
	if (o.fmt == CLI_FMT_BINARY) {
		cli_err("list: output format binary is not offered (normal or json)");
		return EINVAL;
	}
	if (!n) {
		n = vfio_nvme_functions(found, 64);
		for (i = 0; i < n; i++)
			pos[i] = found[i];
	}
	if (o.fmt == CLI_FMT_JSON) {
		root = json_object_new_object();
		devices = json_object_new_array();
	} else {
		printf("%-21s %-21s %-20s %-40s %-9s %-26s %-16s %-8s\n", "Node", "Generic", "SN",
		       "Model", "Namespace", "Usage", "Format", "FW Rev");
		printf("%-.21s %-.21s %-.20s %-.40s %-.9s %-.26s %-.16s %-.8s\n", dash, dash, dash,
		       dash, dash, dash, dash, dash);
	}
	for (i = 0; i < n; i++) {
		struct nvfio_ctrl *ctrl;

		ret = cli_dev_open(pos[i], 0, &ctrl);
		if (ret) {
			bad = ret;
			continue;
		}
		list_ctrl(ctrl, pos[i], devices);
		nvfio_ctrl_close(ctrl);
	}
	if (root) {
		json_object_object_add(root, "Devices", devices);
		cli_json_print(root);
	}
	return bad;
}

int cli_list_ctrl(int argc, char **argv)
{
	static const struct cli_usage u = {
		"list-ctrl", "DEVICE [OPTIONS]",
		"The controllers of the NVM subsystem (from --cntid on), or with -n those attached "
		"to a namespace."
	};
	struct cli_out o = { 0 };
	uint16_t cntid = 0;
	uint32_t nsid = NVME_NSID_NONE;
	const struct cli_opt opts[] = {
		CLI_UINT("cntid", 'c', &cntid, "ID", "the lowest controller id to list"),
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "controllers attached to this namespace"),
		CLI_STR("output-format", 'o', &o.format, "FMT", "output format: normal|json|binary"),
		CLI_END,
	};
	struct nvme_ctrl_list list;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n), i;

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (cli_out_check(&o))
		return EINVAL;
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	if (nsid == NVME_NSID_NONE)
		ret = cli_identify(ctrl, NVME_IDENTIFY_CNS_CTRL_LIST, 0, cntid, 0, &list,
				   "identify controller list");
	else
		ret = cli_identify(ctrl, NVME_IDENTIFY_CNS_NS_CTRL_LIST, nsid, cntid, 0, &list,
				   "identify controller list");
	if (ret) {
		/* reported */
	} else if (o.fmt == CLI_FMT_BINARY) {
		cli_raw(&list, sizeof(list));
	} else {
		unsigned int num = le16toh(list.num);
		struct json_object *root = NULL, *arr = NULL;

		if (o.fmt == CLI_FMT_JSON) {
			root = json_object_new_object();
			arr = json_object_new_array();
			cli_json_int(root, "num_ctrl", num);
		} else {
			printf("num of ctrls present: %u\n", num);
		}
		for (i = 0; i < (int)(num < 2047 ? num : 2047); i++) {
			unsigned int id = le16toh(list.identifier[i]);

			if (arr) {
				struct json_object *e = json_object_new_object();

				cli_json_int(e, "ctrl_id", id);
				json_object_array_add(arr, e);
			} else {
				printf("[%4u]:%#x\n", i, id);
			}
		}
		if (root) {
			json_object_object_add(root, "ctrl_list", arr);
			cli_json_print(root);
		}
	}
	nvfio_ctrl_close(ctrl);
	return ret;
}
