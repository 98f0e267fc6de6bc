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
#include "print.h"

static int get_log(struct nvfio_ctrl *ctrl, uint8_t lid, uint32_t nsid, void *buf, uint32_t len,
		   const char *what)
{
	const struct cli_log_req q = {.lid = lid, .nsid = nsid};

	return cli_log_page(ctrl, &q, buf, len, what);
}

/* Bytes as nvme-cli scales them: "1.23 MB". */
static const char *si_bytes(long double b)
{
	static const struct {
		long double mag;
		const char *sfx;
	} s[] = {{1e30L, "Q"}, {1e27L, "R"}, {1e24L, "Y"}, {1e21L, "Z"}, {1e18L, "E"}, {1e15L, "P"},
		 {1e12L, "T"}, {1e9L, "G"},  {1e6L, "M"},  {1e3L, "k"},	 {1e0L, ""}};
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

static void smart_normal(const struct nvme_smart_log *s, uint32_t nsid, const char *dev, bool human)
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

void cli_print_smart(const struct nvme_smart_log *s, uint32_t nsid, const char *dev,
		     const struct cli_out *o)
{
	if (o->fmt == CLI_FMT_BINARY)
		cli_raw(s, sizeof(*s));
	else if (o->fmt == CLI_FMT_JSON)
		smart_json(s, o->human);
	else
		smart_normal(s, nsid, dev, o->human);
}

#define OUT_OPTS(o)                                                                                \
	CLI_STR("output-format", 'o', &(o).format, "FMT", "output format: normal|json|binary"),    \
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
	    "counts, for the controller or (-n) one namespace."};
	struct cli_out o = {0};
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
	if (!ret)
		cli_print_smart(&s, nsid, dev, &o);
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

void cli_print_errors(const struct nvme_error_log_page *e, uint32_t n, const char *dev,
		      const struct cli_out *o)
{
	if (o->fmt == CLI_FMT_BINARY)
		cli_raw(e, n * sizeof(*e));
	else if (o->fmt == CLI_FMT_JSON)
		error_json(e, n);
	else
		error_normal(e, n, dev);
}

int cli_error_log(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "error-log", "DEVICE [OPTIONS]",
	    "The Error Information log page: the controller's most recent errors, newest "
	    "first (at most ELPE + 1 entries)."};
	struct cli_out o = {0};
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
	ret =
	    get_log(ctrl, NVME_LOG_LID_ERROR, NVME_NSID_ALL, e, entries * sizeof(*e), "error log");
	if (!ret)
		cli_print_errors(e, entries, dev, &o);
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

void cli_print_fw(const struct nvme_firmware_slot *fw, const char *dev, const struct cli_out *o)
{
	int i;

	if (o->fmt == CLI_FMT_BINARY) {
		cli_raw(fw, sizeof(*fw));
	} else if (o->fmt == CLI_FMT_JSON) {
		struct json_object *root = json_object_new_object();
		struct json_object *s = json_object_new_object();

		cli_json_int(s, "Active Firmware Slot (afi)", fw->afi);
		for (i = 0; i < 7; i++) {
			char key[24], val[40];
			uint64_t v;

			if (!fw->frs[i][0])
				continue;
			memcpy(&v, fw->frs[i], sizeof(v));
			snprintf(key, sizeof(key), "Firmware Rev Slot %d", i + 1);
			snprintf(val, sizeof(val), "%llu (%s)", (unsigned long long)le64toh(v),
				 fw_str(fw->frs[i]));
			cli_json_str(s, key, val);
		}
		json_object_object_add(root, dev, s);
		cli_json_print(root);
	} else {
		printf("Firmware Log for device:%s\n", dev);
		printf("afi  : %#x\n", fw->afi);
		for (i = 0; i < 7; i++) {
			uint64_t v;

			if (!fw->frs[i][0])
				continue;
			memcpy(&v, fw->frs[i], sizeof(v));
			printf("frs%d : %#016llx (%s)\n", i + 1, (unsigned long long)le64toh(v),
			       fw_str(fw->frs[i]));
		}
	}
}

int cli_fw_log(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "fw-log", "DEVICE [OPTIONS]",
	    "The Firmware Slot Information log page: the active slot and each slot's revision."};
	struct cli_out o = {0};
	const struct cli_opt opts[] = {
	    OUT_OPTS(o),
	    CLI_END,
	};
	struct nvme_firmware_slot fw;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = prologue(argc, argv, &u, opts, &o, &dev, &ctrl);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = get_log(ctrl, NVME_LOG_LID_FW_SLOT, NVME_NSID_ALL, &fw, sizeof(fw), "fw log");
	if (ret)
		goto out;
	cli_print_fw(&fw, dev, &o);
out:
	nvfio_ctrl_close(ctrl);
	return ret;
}

int cli_get_log(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "get-log", "DEVICE -i LID -l LEN [OPTIONS]",
	    "Get Log Page: LEN bytes of any log page, from --lpo on, as a hex dump (or raw "
	    "with -b). Longer than the controller's transfer size, it is read in pieces."};
	struct cli_log_req q = {.nsid = NVME_NSID_ALL, .lid = 0xff};
	uint32_t len = 0, aen = 0;
	bool binary = false;
	const struct cli_opt opts[] = {
	    CLI_UINT("namespace-id", 'n', &q.nsid, "NSID", "namespace (default 0xffffffff)"),
	    CLI_UINT("log-id", 'i', &q.lid, "LID", "the log page"),
	    CLI_UINT("log-len", 'l', &len, "LEN", "bytes to read (a multiple of 4)"),
	    CLI_UINT("aen", 'a', &aen, "DW0",
		     "an event's completion dword 0: its log page, 4096 bytes"),
	    CLI_UINT("lpo", 'o', &q.lpo, "OFF", "offset into the log page (bytes)"),
	    CLI_UINT("lsp", 's', &q.lsp, "LSP", "log specific field"),
	    CLI_UINT("lsi", 'S', &q.lsi, "LSI", "log specific identifier"),
	    CLI_FLAG("rae", 'r', &q.rae, "retain an asynchronous event"),
	    CLI_UINT("uuid-index", 'U', &q.uuid, "IDX", "UUID index"),
	    CLI_FLAG("raw-binary", 'b', &binary, "the page as it is"),
	    CLI_UINT("csi", 'y', &q.csi, "CSI", "command set identifier"),
	    CLI_FLAG("ot", 'O', &q.ot, "--lpo is an index, not a byte offset"),
	    CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	uint8_t *log;
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (aen) {
		len = 4096;
		q.lid = aen >> 16 & 0xff;
	}
	if (!len || len % 4) {
		cli_err("get-log: --log-len must be a non-zero multiple of 4");
		return EINVAL;
	}
	if (q.lsp > 127 || q.uuid > 127) {
		cli_err("get-log: --lsp and --uuid-index go up to 127");
		return EINVAL;
	}
	log = calloc(1, len);
	if (!log)
		return ENOMEM;
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret) {
		free(log);
		return ret;
	}
	ret = cli_log_page(ctrl, &q, log, len, "log page");
	if (!ret && binary) {
		cli_raw(log, len);
	} else if (!ret) {
		printf("Device:%s log-id:%d namespace-id:%#x\n", dev, q.lid, q.nsid);
		cli_hexdump(log, len, 16, 1);
	}
	nvfio_ctrl_close(ctrl);
	free(log);
	return ret;
}

static const char *sstat_str(unsigned int st)
{
	switch (st & 7) {
	case 0:
		return "NVM Subsystem has never been sanitized.";
	case 1:
		return "Most Recent Sanitize Command Completed Successfully.";
	case 2:
		return "Sanitize in Progress.";
	case 3:
		return "Most Recent Sanitize Command Failed.";
	case 4:
		return "Most Recent Sanitize Command (No-Deallocate After Sanitize) Completed "
		       "Successfully.";
	default:
		return "Unknown";
	}
}

static void est_time(const char *text, uint32_t v)
{
	printf("%s:  %u%s\n", text, v, v == 0xffffffff ? " (No time period reported)" : "");
}

void cli_print_sanitize(const struct nvme_sanitize_log_page *s, const char *dev,
			const struct cli_out *o)
{
	unsigned int st = le16toh(s->sstat);

	if (o->fmt == CLI_FMT_BINARY) {
		cli_raw(s, sizeof(*s));
	} else if (o->fmt == CLI_FMT_JSON) {
		struct json_object *root = json_object_new_object(), *d = json_object_new_object();
		struct json_object *sj = json_object_new_object();
		char str[160];

		cli_json_int(d, "sprog", le16toh(s->sprog));
		cli_json_int(sj, "global_erased", st >> 8 & 1);
		cli_json_int(sj, "no_cmplted_passes", st >> 3 & 0x1f);
		snprintf(str, sizeof(str), "(%u) %s", st & 7, sstat_str(st));
		cli_json_str(sj, "status", str);
		json_object_object_add(d, "sstat", sj);
		cli_json_int(d, "cdw10_info", le32toh(s->scdw10));
		cli_json_int(d, "time_over_write", le32toh(s->eto));
		cli_json_int(d, "time_block_erase", le32toh(s->etbe));
		cli_json_int(d, "time_crypto_erase", le32toh(s->etce));
		cli_json_int(d, "time_over_write_no_dealloc", le32toh(s->etond));
		cli_json_int(d, "time_block_erase_no_dealloc", le32toh(s->etbend));
		cli_json_int(d, "time_crypto_erase_no_dealloc", le32toh(s->etcend));
		json_object_object_add(root, dev, d);
		cli_json_print(root);
	} else {
		printf("Sanitize Progress                      (SPROG) :  %u", le16toh(s->sprog));
		if (o->human && (st & 7) == 2)
			printf("\t(%f%%)\n", (double)le16toh(s->sprog) * 100 / 0x10000);
		else
			printf("\n");
		printf("Sanitize Status                        (SSTAT) :  %#x\n", st & 7);
		if (o->human) {
			printf("\t[2:0]\t%s\n", sstat_str(st));
			printf("\t[7:3]\tNumber of completed passes if most recent operation was "
			       "overwrite:\t%u\n",
			       st >> 3 & 0x1f);
			printf("\t  [8]\t%s\n",
			       st >> 8 & 1
				   ? "Global Data Erased set: no NS LB in the NVM subsystem "
				     "has been written to and no PMR in the NVM subsystem has "
				     "been enabled"
				   : "Global Data Erased cleared: a NS LB in the NVM subsystem "
				     "has been written to or a PMR in the NVM subsystem has "
				     "been enabled");
		}
		printf("Sanitize Command Dword 10 Information (SCDW10) :  %#x\n",
		       le32toh(s->scdw10));
		est_time("Estimated Time For Overwrite                   ", le32toh(s->eto));
		est_time("Estimated Time For Block Erase                 ", le32toh(s->etbe));
		est_time("Estimated Time For Crypto Erase                ", le32toh(s->etce));
		est_time("Estimated Time For Overwrite (No-Deallocate)   ", le32toh(s->etond));
		est_time("Estimated Time For Block Erase (No-Deallocate) ", le32toh(s->etbend));
		est_time("Estimated Time For Crypto Erase (No-Deallocate)", le32toh(s->etcend));
	}
}

int cli_sanitize_log(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "sanitize-log", "DEVICE [OPTIONS]",
	    "The Sanitize Status log page: progress and result of the last sanitize, and the "
	    "controller's time estimates."};
	struct cli_out o = {0};
	bool rae = false;
	const struct cli_opt opts[] = {
	    CLI_FLAG("rae", 'r', &rae, "retain an asynchronous event"),
	    CLI_STR("output-format", 'o', &o.format, "FMT", "output format: normal|json|binary"),
	    CLI_FLAG("human-readable", 'H', &o.human, "decode the status"),
	    CLI_FLAG("raw-binary", 'b', &o.binary, "the page as it is"),
	    CLI_END,
	};
	struct cli_log_req q = {.lid = NVME_LOG_LID_SANITIZE, .nsid = NVME_NSID_ALL};
	struct nvme_sanitize_log_page s;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = prologue(argc, argv, &u, opts, &o, &dev, &ctrl);

	if (ret)
		return ret < 0 ? 0 : ret;
	q.rae = rae;
	ret = cli_log_page(ctrl, &q, &s, sizeof(s), "sanitize status log");
	if (ret)
		goto out;
	cli_print_sanitize(&s, dev, &o);
out:
	nvfio_ctrl_close(ctrl);
	return ret;
}

static void st_result(const struct nvme_st_result *r, bool verbose)
{
	static const char *const res[] = {
	    "Operation completed without error",
	    "Operation was aborted by a Device Self-test command",
	    "Operation was aborted by a Controller Level Reset",
	    "Operation was aborted due to a removal of a namespace from the namespace inventory",
	    "Operation was aborted due to the processing of a Format NVM command",
	    "A fatal error or unknown test error occurred while the controller was executing "
	    "the device self-test operation and the operation did not complete",
	    "Operation completed with a segment that failed and the segment that failed is not "
	    "known",
	    "Operation completed with one or more failed segments and the first segment that "
	    "failed is indicated in the SegmentNumber field",
	    "Operation was aborted for unknown reason",
	    "Operation was aborted due to a sanitize operation",
	};
	unsigned int op = r->dsts & 0xf, code = r->dsts >> 4;

	printf("  Operation Result             : %#x", op);
	if (verbose)
		printf(" %s", op < 10	  ? res[op]
			      : op == 0xf ? "Entry not used (does not contain a result)"
					  : "Reserved");
	printf("\n");
	if (op == 0xf)
		return;
	printf("  Self Test Code               : %x", code);
	if (verbose)
		printf(" %s", code == 1	    ? "Short device self-test operation"
			      : code == 2   ? "Extended device self-test operation"
			      : code == 0xe ? "Vendor specific"
					    : "Reserved");
	printf("\n");
	if (op == 7)
		printf("  Segment Number               : %#x\n", r->seg);
	printf("  Valid Diagnostic Information : %#x\n", r->vdi);
	printf("  Power on hours (POH)         : %#llx\n", (unsigned long long)le64toh(r->poh));
	if (r->vdi & NVME_ST_VALID_DIAG_INFO_NSID)
		printf("  Namespace Identifier         : %#x\n", le32toh(r->nsid));
	if (r->vdi & NVME_ST_VALID_DIAG_INFO_FLBA)
		printf("  Failing LBA                  : %#llx\n",
		       (unsigned long long)le64toh(r->flba));
	if (r->vdi & NVME_ST_VALID_DIAG_INFO_SCT)
		printf("  Status Code Type             : %#x\n", r->sct);
	if (r->vdi & NVME_ST_VALID_DIAG_INFO_SC) {
		printf("  Status Code                  : %#x", r->sc);
		if (verbose)
			printf(" %s", nvme_status_to_string((r->sct & 7) << 8 | r->sc, false));
		printf("\n");
	}
	printf("  Vendor Specific              : %#x %#x\n", r->vs[0], r->vs[1]);
}

void cli_print_self_test(const struct nvme_self_test_log *log, int num, bool verbose,
			 const char *dev, const struct cli_out *o)
{
	int i;

	if (o->fmt == CLI_FMT_BINARY) {
		cli_raw(log, sizeof(*log));
	} else if (o->fmt == CLI_FMT_JSON) {
		struct json_object *root = json_object_new_object(), *arr = json_object_new_array();

		cli_json_int(root, "Current Device Self-Test Operation", log->current_operation);
		cli_json_int(root, "Current Device Self-Test Completion", log->completion);
		for (i = 0; i < num; i++) {
			const struct nvme_st_result *r = &log->result[i];
			struct json_object *e = json_object_new_object();

			cli_json_int(e, "Self test result", r->dsts & 0xf);
			if ((r->dsts & 0xf) != 0xf) {
				cli_json_int(e, "Self test code", r->dsts >> 4);
				cli_json_int(e, "Segment number", r->seg);
				cli_json_int(e, "Valid Diagnostic Information", r->vdi);
				cli_json_u64(e, "Power on hours", le64toh(r->poh));
				if (r->vdi & NVME_ST_VALID_DIAG_INFO_NSID)
					cli_json_int(e, "Namespace Identifier", le32toh(r->nsid));
				if (r->vdi & NVME_ST_VALID_DIAG_INFO_FLBA)
					cli_json_u64(e, "Failing LBA", le64toh(r->flba));
				if (r->vdi & NVME_ST_VALID_DIAG_INFO_SCT)
					cli_json_int(e, "Status Code Type", r->sct);
				if (r->vdi & NVME_ST_VALID_DIAG_INFO_SC)
					cli_json_int(e, "Status Code", r->sc);
				cli_json_int(e, "Vendor Specific", r->vs[1] << 8 | r->vs[0]);
			}
			json_object_array_add(arr, e);
		}
		json_object_object_add(root, "List of Valid Reports", arr);
		cli_json_print(root);
	} else {
		printf("Device Self Test Log for NVME device:%s\n", dev);
		printf("Current operation  : %#x\n", log->current_operation);
		printf("Current Completion : %u%%\n", log->completion);
		for (i = 0; i < num; i++) {
			printf("Self Test Result[%d]:\n", i);
			st_result(&log->result[i], verbose);
		}
	}
}

int cli_self_test_log(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "self-test-log", "DEVICE [OPTIONS]",
	    "The Device Self-test log page: the test running now and its progress, then the "
	    "last results, newest first."};
	struct cli_out o = {0};
	uint8_t entries = NVME_LOG_ST_MAX_RESULTS;
	bool verbose = false;
	const struct cli_opt opts[] = {
	    CLI_UINT("dst-entries", 'e', &entries, "NUM", "results to show (default 20)"),
	    CLI_STR("output-format", 'o', &o.format, "FMT", "output format: normal|json|binary"),
	    CLI_FLAG("verbose", 'v', &verbose, "the results in words"),
	    CLI_END,
	};
	struct nvme_self_test_log log;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = prologue(argc, argv, &u, opts, &o, &dev, &ctrl);
	int num = entries < NVME_LOG_ST_MAX_RESULTS ? entries : NVME_LOG_ST_MAX_RESULTS;

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = get_log(ctrl, NVME_LOG_LID_DEVICE_SELF_TEST, NVME_NSID_ALL, &log, sizeof(log),
		      "self test log");
	if (ret)
		goto out;
	cli_print_self_test(&log, num, verbose, dev, &o);
out:
	nvfio_ctrl_close(ctrl);
	return ret;
}
