// SPDX-License-Identifier: BSD-3-Clause
/* Log pages: smart-log, error-log, fw-log, with nvme-cli's output. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>
#include <nvme/util.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "dev.h"
#include "out.h"

/* Get Log Page of @len bytes (a multiple of 4) into @buf; the exit status on failure. */
static int get_log(struct nvfio_ctrl *ctrl, uint8_t lid, uint32_t nsid, void *buf,
		   uint32_t len, const char *what)
{
	uint32_t numd = len / 4 - 1;
	struct nvfio_cmd cmd = { .opcode = nvme_admin_get_log_page, .nsid = nsid,
				 .cdw10 = (numd & 0xffff) << 16 | lid, .cdw11 = numd >> 16 };
	struct nvfio_cqe cqe;
	int ret = cli_admin(ctrl, &cmd, buf, len, &cqe, 0);

	return ret ? cli_admin_failed(ret, &cqe, what) : 0;
}

/* Bytes as nvme-cli scales them: "1.23 MB". */
static const char *si_bytes(long double b)
{
	static const struct {
		long double mag;
		const char *sfx;
	} s[] = { { 1e30L, "Q" }, { 1e27L, "R" }, { 1e24L, "Y" }, { 1e21L, "Z" },
		  { 1e18L, "E" }, { 1e15L, "P" }, { 1e12L, "T" }, { 1e9L, "G" },
		  { 1e6L, "M" },  { 1e3L, "k" },  { 1e0L, "" } };
	static char out[48];
	const char *sfx = "";
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (b >= s[i].mag) {
			b /= s[i].mag;
			sfx = s[i].sfx;
			break;
		}
	}
	snprintf(out, sizeof(out), "%.2Lf %sB", b, sfx);
	return out;
}

static void smart_json(const struct nvme_smart_log *s, bool human)
{
	struct json_object *root = json_object_new_object();
	unsigned int cw = s->critical_warning;
	char key[32];
	int i;

	if (human) {
		struct json_object *c = json_object_new_object();

		cli_json_int(c, "value", cw);
		cli_json_int(c, "available_spare", cw & 1);
		cli_json_int(c, "temp_threshold", cw >> 1 & 1);
		cli_json_int(c, "reliability_degraded", cw >> 2 & 1);
		cli_json_int(c, "ro", cw >> 3 & 1);
		cli_json_int(c, "vmbu_failed", cw >> 4 & 1);
		cli_json_int(c, "pmr_ro", cw >> 5 & 1);
		json_object_object_add(root, "critical_warning", c);
	} else {
		cli_json_int(root, "critical_warning", cw);
	}
	cli_json_int(root, "temperature", s->temperature[1] << 8 | s->temperature[0]);
	cli_json_int(root, "avail_spare", s->avail_spare);
	cli_json_int(root, "spare_thresh", s->spare_thresh);
	cli_json_int(root, "percent_used", s->percent_used);
	cli_json_int(root, "endurance_grp_critical_warning_summary", s->endu_grp_crit_warn_sumry);
	cli_json_u128(root, "data_units_read", s->data_units_read);
	cli_json_u128(root, "data_units_written", s->data_units_written);
	cli_json_u128(root, "host_read_commands", s->host_reads);
	cli_json_u128(root, "host_write_commands", s->host_writes);
	cli_json_u128(root, "controller_busy_time", s->ctrl_busy_time);
	cli_json_u128(root, "power_cycles", s->power_cycles);
	cli_json_u128(root, "power_on_hours", s->power_on_hours);
	cli_json_u128(root, "unsafe_shutdowns", s->unsafe_shutdowns);
	cli_json_u128(root, "media_errors", s->media_errors);
	cli_json_u128(root, "num_err_log_entries", s->num_err_log_entries);
	cli_json_int(root, "warning_temp_time", le32toh(s->warning_temp_time));
	cli_json_int(root, "critical_comp_time", le32toh(s->critical_comp_time));
	for (i = 0; i < 8; i++) {
		unsigned int t = le16toh(s->temp_sensor[i]);

		if (!t)
			continue;
		snprintf(key, sizeof(key), "temperature_sensor_%d", i + 1);
		cli_json_int(root, key, t);
	}
	cli_json_int(root, "thm_temp1_trans_count", le32toh(s->thm_temp1_trans_count));
	cli_json_int(root, "thm_temp2_trans_count", le32toh(s->thm_temp2_trans_count));
	cli_json_int(root, "thm_temp1_total_time", le32toh(s->thm_temp1_total_time));
	cli_json_int(root, "thm_temp2_total_time", le32toh(s->thm_temp2_total_time));
	cli_json_print(root);
}

static void smart_normal(const struct nvme_smart_log *s, uint32_t nsid, const char *dev,
			 bool human)
{
	unsigned int t = s->temperature[1] << 8 | s->temperature[0], cw = s->critical_warning;
	int i;

	printf("Smart Log for NVME device:%s namespace-id:%x\n", dev, nsid);
	printf("critical_warning\t\t\t: %#x\n", cw);
	if (human) {
		printf("      Available Spare[0]             : %d\n", cw & 1);
		printf("      Temp. Threshold[1]             : %d\n", cw >> 1 & 1);
		printf("      NVM subsystem Reliability[2]   : %d\n", cw >> 2 & 1);
		printf("      Read-only[3]                   : %d\n", cw >> 3 & 1);
		printf("      Volatile mem. backup failed[4] : %d\n", cw >> 4 & 1);
		printf("      Persistent Mem. RO[5]          : %d\n", cw >> 5 & 1);
	}
	printf("temperature\t\t\t\t: %ld\u00b0C (%u Kelvin)\n", (long)t - 273, t);
	printf("available_spare\t\t\t\t: %u%%\n", s->avail_spare);
	printf("available_spare_threshold\t\t: %u%%\n", s->spare_thresh);
	printf("percentage_used\t\t\t\t: %u%%\n", s->percent_used);
	printf("endurance group critical warning summary: %#x\n", s->endu_grp_crit_warn_sumry);
	printf("Data Units Read\t\t\t\t: %s", cli_u128_str(s->data_units_read));
	printf(" (%s)\n", si_bytes(cli_u128_ld(s->data_units_read) * 512000));
	printf("Data Units Written\t\t\t: %s", cli_u128_str(s->data_units_written));
	printf(" (%s)\n", si_bytes(cli_u128_ld(s->data_units_written) * 512000));
	printf("host_read_commands\t\t\t: %s\n", cli_u128_str(s->host_reads));
	printf("host_write_commands\t\t\t: %s\n", cli_u128_str(s->host_writes));
	printf("controller_busy_time\t\t\t: %s\n", cli_u128_str(s->ctrl_busy_time));
	printf("power_cycles\t\t\t\t: %s\n", cli_u128_str(s->power_cycles));
	printf("power_on_hours\t\t\t\t: %s\n", cli_u128_str(s->power_on_hours));
	printf("unsafe_shutdowns\t\t\t: %s\n", cli_u128_str(s->unsafe_shutdowns));
	printf("media_errors\t\t\t\t: %s\n", cli_u128_str(s->media_errors));
	printf("num_err_log_entries\t\t\t: %s\n", cli_u128_str(s->num_err_log_entries));
	printf("Warning Temperature Time\t\t: %u\n", le32toh(s->warning_temp_time));
	printf("Critical Composite Temperature Time\t: %u\n", le32toh(s->critical_comp_time));
	for (i = 0; i < 8; i++) {
		unsigned int ts = le16toh(s->temp_sensor[i]);

		if (ts)
			printf("Temperature Sensor %d           : %ld\u00b0C (%u Kelvin)\n", i + 1,
			       (long)ts - 273, ts);
	}
	printf("Thermal Management T1 Trans Count\t: %u\n", le32toh(s->thm_temp1_trans_count));
	printf("Thermal Management T2 Trans Count\t: %u\n", le32toh(s->thm_temp2_trans_count));
	printf("Thermal Management T1 Total Time\t: %u\n", le32toh(s->thm_temp1_total_time));
	printf("Thermal Management T2 Total Time\t: %u\n", le32toh(s->thm_temp2_total_time));
}

#define OUT_OPTS(o)                                                                            \
	CLI_STR("output-format", 'o', &(o).format, "FMT", "output format: normal|json|binary"),  \
		CLI_FLAG("raw-binary", 'b', &(o).binary, "output the raw log page")

/* Parse, check the format, open the device: 0, or the exit status (-1: help shown). */
static int prologue(int argc, char **argv, const struct cli_usage *u, const struct cli_opt *opts,
		    struct cli_out *o, char **dev, struct nvfio_ctrl **ctrl)
{
	int n, ret = cli_parse(argc, argv, u, opts, dev, 1, &n);

	if (ret)
		return ret > 0 ? -1 : EINVAL;
	if (cli_out_check(o))
		return EINVAL;
	return cli_dev_open(*dev, 0, ctrl);
}

int cli_smart_log(int argc, char **argv)
{
	static const struct cli_usage u = {
		"smart-log", "DEVICE [OPTIONS]",
		"The SMART / Health Information log page: temperature, wear, data units, error "
		"counts, for the controller or (-n) one namespace."
	};
	struct cli_out o = { 0 };
	uint32_t nsid = NVME_NSID_ALL;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "the namespace (default: all)"),
		OUT_OPTS(o),
		CLI_FLAG("human-readable", 'H', &o.human, "decode the critical warning"),
		CLI_END,
	};
	struct nvme_smart_log s;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = prologue(argc, argv, &u, opts, &o, &dev, &ctrl);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = get_log(ctrl, NVME_LOG_LID_SMART, nsid, &s, sizeof(s), "smart log");
	if (!ret) {
		if (o.fmt == CLI_FMT_BINARY)
			cli_raw(&s, sizeof(s));
		else if (o.fmt == CLI_FMT_JSON)
			smart_json(&s, o.human);
		else
			smart_normal(&s, nsid, dev, o.human);
	}
	nvfio_ctrl_close(ctrl);
	return ret;
}

static const char *trtype_str(uint8_t t)
{
	switch (t) {
	case 0:
		return "The transport type is not indicated or the error is not transport related.";
	case 1:
		return "RDMA Transport error.";
	case 2:
		return "Fibre Channel Transport error.";
	case 3:
		return "TCP Transport error.";
	case 254:
		return "Intra-host Transport error.";
	default:
		return "Reserved";
	}
}

static void error_json(const struct nvme_error_log_page *e, uint32_t n)
{
	struct json_object *root = json_object_new_object(), *arr = json_object_new_array();
	uint32_t i;

	json_object_object_add(root, "errors", arr);
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		uint16_t sf = le16toh(e[i].status_field);

		cli_json_u64(o, "error_count", le64toh(e[i].error_count));
		cli_json_int(o, "sqid", le16toh(e[i].sqid));
		cli_json_int(o, "cmdid", le16toh(e[i].cmdid));
		cli_json_int(o, "status_field", sf >> 1);
		cli_json_int(o, "phase_tag", sf & 1);
		cli_json_int(o, "parm_error_location", le16toh(e[i].parm_error_location));
		cli_json_u64(o, "lba", le64toh(e[i].lba));
		cli_json_int(o, "nsid", le32toh(e[i].nsid));
		cli_json_int(o, "vs", e[i].vs);
		cli_json_int(o, "trtype", e[i].trtype);
		cli_json_u64(o, "cs", le64toh(e[i].cs));
		cli_json_int(o, "trtype_spec_info", le16toh(e[i].trtype_spec_info));
		json_object_array_add(arr, o);
	}
	cli_json_print(root);
}

static void error_normal(const struct nvme_error_log_page *e, uint32_t n, const char *dev)
{
	uint32_t i;

	printf("Error Log Entries for device:%s entries:%u\n", dev, n);
	printf(".................\n");
	for (i = 0; i < n; i++) {
		uint16_t sf = le16toh(e[i].status_field);

		printf(" Entry[%2u]   \n", i);
		printf(".................\n");
		printf("error_count\t: %llu\n", (unsigned long long)le64toh(e[i].error_count));
		printf("sqid\t\t: %d\n", le16toh(e[i].sqid));
		printf("cmdid\t\t: %#x\n", le16toh(e[i].cmdid));
		/* libnvme's words for the status, as nvme-cli prints them */
		printf("status_field\t: %#x(%s)\n", sf >> 1, nvme_status_to_string(sf >> 1, false));
		printf("phase_tag\t: %#x\n", sf & 1);
		printf("parm_err_loc\t: %#x\n", le16toh(e[i].parm_error_location));
		printf("lba\t\t: %#llx\n", (unsigned long long)le64toh(e[i].lba));
		printf("nsid\t\t: %#x\n", le32toh(e[i].nsid));
		printf("vs\t\t: %d\n", e[i].vs);
		printf("trtype\t\t: %s\n", trtype_str(e[i].trtype));
		printf("cs\t\t: %#llx\n", (unsigned long long)le64toh(e[i].cs));
		printf("trtype_spec_info: %#x\n", le16toh(e[i].trtype_spec_info));
		printf(".................\n");
	}
}

int cli_error_log(int argc, char **argv)
{
	static const struct cli_usage u = {
		"error-log", "DEVICE [OPTIONS]",
		"The Error Information log page: the controller's most recent errors, newest "
		"first (at most ELPE + 1 entries)."
	};
	struct cli_out o = { 0 };
	uint32_t entries = 64;
	const struct cli_opt opts[] = {
		CLI_UINT("log-entries", 'e', &entries, "NUM", "entries to read (default 64)"),
		OUT_OPTS(o),
		CLI_END,
	};
	const struct nvme_id_ctrl *id;
	struct nvme_error_log_page *e;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = prologue(argc, argv, &u, opts, &o, &dev, &ctrl);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (!entries) {
		cli_err("error-log: --log-entries must be at least 1");
		nvfio_ctrl_close(ctrl);
		return EINVAL;
	}
	id = nvfio_ctrl_identify(ctrl);
	if (entries > (uint32_t)id->elpe + 1)
		entries = (uint32_t)id->elpe + 1;
	e = calloc(entries, sizeof(*e));
	if (!e) {
		nvfio_ctrl_close(ctrl);
		return ENOMEM;
	}
	ret = get_log(ctrl, NVME_LOG_LID_ERROR, NVME_NSID_ALL, e, entries * sizeof(*e),
		      "error log");
	if (!ret) {
		if (o.fmt == CLI_FMT_BINARY)
			cli_raw(e, entries * sizeof(*e));
		else if (o.fmt == CLI_FMT_JSON)
			error_json(e, entries);
		else
			error_normal(e, entries, dev);
	}
	free(e);
	nvfio_ctrl_close(ctrl);
	return ret;
}

static const char *fw_str(const char *c)
{
	static char out[9];
	int i;

	for (i = 0; i < 8; i++)
		out[i] = c[i] >= '!' && c[i] <= '~' ? c[i] : '.';
	out[8] = '\0';
	return out;
}

int cli_fw_log(int argc, char **argv)
{
	static const struct cli_usage u = {
		"fw-log", "DEVICE [OPTIONS]",
		"The Firmware Slot Information log page: the active slot and each slot's revision."
	};
	struct cli_out o = { 0 };
	const struct cli_opt opts[] = {
		OUT_OPTS(o),
		CLI_END,
	};
	struct nvme_firmware_slot fw;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = prologue(argc, argv, &u, opts, &o, &dev, &ctrl), i;

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = get_log(ctrl, NVME_LOG_LID_FW_SLOT, NVME_NSID_ALL, &fw, sizeof(fw), "fw log");
	if (ret)
		goto out;
	if (o.fmt == CLI_FMT_BINARY) {
		cli_raw(&fw, sizeof(fw));
	} else if (o.fmt == CLI_FMT_JSON) {
		struct json_object *root = json_object_new_object();
		struct json_object *s = json_object_new_object();

		cli_json_int(s, "Active Firmware Slot (afi)", fw.afi);
		for (i = 0; i < 7; i++) {
			char key[24], val[40];
			uint64_t v;

			if (!fw.frs[i][0])
				continue;
			memcpy(&v, fw.frs[i], sizeof(v));
			snprintf(key, sizeof(key), "Firmware Rev Slot %d", i + 1);
			snprintf(val, sizeof(val), "%llu (%s)", (unsigned long long)le64toh(v),
				 fw_str(fw.frs[i]));
			cli_json_str(s, key, val);
		}
		json_object_object_add(root, dev, s);
		cli_json_print(root);
	} else {
		printf("Firmware Log for device:%s\n", dev);
		printf("afi  : %#x\n", fw.afi);
		for (i = 0; i < 7; i++) {
			uint64_t v;

			if (!fw.frs[i][0])
				continue;
			memcpy(&v, fw.frs[i], sizeof(v));
			printf("frs%d : %#016llx (%s)\n", i + 1, (unsigned long long)le64toh(v),
			       fw_str(fw.frs[i]));
		}
	}
out:
	nvfio_ctrl_close(ctrl);
	return ret;
}
