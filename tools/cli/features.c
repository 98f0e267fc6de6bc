// SPDX-License-Identifier: BSD-3-Clause
/* get-feature and set-feature, with nvme-cli's output. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nvme/types.h>
#include <nvme/util.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "dev.h"
#include "out.h"
#include "print.h"

static const char *feature_name(unsigned int fid)
{
	static const struct {
		unsigned char fid;
		const char *name;
	} names[] = {
	    {NVME_FEAT_FID_ARBITRATION, "Arbitration"},
	    {NVME_FEAT_FID_POWER_MGMT, "Power Management"},
	    {NVME_FEAT_FID_LBA_RANGE, "LBA Range Type"},
	    {NVME_FEAT_FID_TEMP_THRESH, "Temperature Threshold"},
	    {NVME_FEAT_FID_ERR_RECOVERY, "Error Recovery"},
	    {NVME_FEAT_FID_VOLATILE_WC, "Volatile Write Cache"},
	    {NVME_FEAT_FID_NUM_QUEUES, "Number of Queues"},
	    {NVME_FEAT_FID_IRQ_COALESCE, "Interrupt Coalescing"},
	    {NVME_FEAT_FID_IRQ_CONFIG, "Interrupt Vector Configuration"},
	    {NVME_FEAT_FID_WRITE_ATOMIC, "Write Atomicity Normal"},
	    {NVME_FEAT_FID_ASYNC_EVENT, "Async Event Configuration"},
	    {NVME_FEAT_FID_AUTO_PST, "Autonomous Power State Transition"},
	    {NVME_FEAT_FID_HOST_MEM_BUF, "Host Memory Buffer"},
	    {NVME_FEAT_FID_TIMESTAMP, "Timestamp"},
	    {NVME_FEAT_FID_KATO, "Keep Alive Timer"},
	    {NVME_FEAT_FID_HCTM, "Host Controlled Thermal Management"},
	    {NVME_FEAT_FID_NOPSC, "Non-Operational Power State Config"},
	    {NVME_FEAT_FID_RRL, "Read Recovery Level"},
	    {NVME_FEAT_FID_PLM_CONFIG, "Predictable Latency Mode Config"},
	    {NVME_FEAT_FID_PLM_WINDOW, "Predictable Latency Mode Window"},
	    {NVME_FEAT_FID_LBA_STS_INTERVAL, "LBA Status Interval"},
	    {NVME_FEAT_FID_HOST_BEHAVIOR, "Host Behavior"},
	    {NVME_FEAT_FID_SANITIZE, "Sanitize"},
	    {NVME_FEAT_FID_ENDURANCE_EVT_CFG, "Endurance Event Group Configuration"},
	    {NVME_FEAT_FID_IOCS_PROFILE, "I/O Command Set Profile"},
	    {NVME_FEAT_FID_SPINUP_CONTROL, "Spinup Control"},
	    {NVME_FEAT_FID_ENH_CTRL_METADATA, "Enhanced Controller Metadata"},
	    {NVME_FEAT_FID_CTRL_METADATA, "Controller Metadata"},
	    {NVME_FEAT_FID_NS_METADATA, "Namespace Metadata"},
	    {NVME_FEAT_FID_SW_PROGRESS, "Software Progress"},
	    {NVME_FEAT_FID_HOST_ID, "Host Identifier"},
	    {NVME_FEAT_FID_RESV_MASK, "Reservation Notification Mask"},
	    {NVME_FEAT_FID_RESV_PERSIST, "Reservation Persistence"},
	    {NVME_FEAT_FID_WRITE_PROTECT, "Namespace Write Protect"},
	    {NVME_FEAT_FID_FDP, "Flexible Direct Placement"},
	    {NVME_FEAT_FID_FDP_EVENTS, "Flexible Direct Placement Events"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].fid == fid)
			return names[i].name;
	return "Unknown";
}

static const char *select_name(unsigned int sel)
{
	switch (sel) {
	case 0:
		return "Current";
	case 1:
		return "Default";
	case 2:
		return "Saved";
	case 3:
		return "Supported capabilities";
	case 8:
		return "Changed";
	default:
		return "Reserved";
	}
}

static const char *yes(uint32_t v, const char *on, const char *off)
{
	return v ? on : off;
}

static void show_timestamp(const uint8_t *b)
{
	uint64_t ms = 0;
	time_t t;
	struct tm tm;
	char when[320];
	int i;

	for (i = 5; i >= 0; i--)
		ms = ms << 8 | b[i];
	t = (time_t)(ms / 1000);
	localtime_r(&t, &tm);
	printf("\tThe timestamp is : %'llu (%s)\n", (unsigned long long)ms,
	       strftime(when, sizeof(when), "%c %Z", &tm) ? when : "-");
	printf("\t%s\n", b[6] & 2 ? "The Timestamp field was initialized with a Timestamp value "
				    "using a Set Features command."
				  : "The Timestamp field was initialized to \u2018"
				    "0\u2019 by a Controller Level Reset.");
	printf("\t%s\n", b[6] & 1
			     ? "The controller may have stopped counting during vendor "
			       "specific intervals after the Timestamp value was initialized"
			     : "The controller counted time in milliseconds continuously since "
			       "the Timestamp value was initialized.");
}

/* The -H decoding of a feature's value, as nvme-cli words it. */
static void show_fields(unsigned int fid, uint32_t r, const uint8_t *buf)
{
	static const char *const hints[] = {"No Workload",
					    "Extended Idle Period with a Burst of Random Writes",
					    "Heavy Sequential Writes"};
	static const char *const wp[] = {"No Write Protect", "Write Protect",
					 "Write Protect Until Power Cycle",
					 "Permanent Write Protect"};
	static const struct {
		unsigned int bit;
		const char *name;
	} aen[] = {
	    {31, "Discovery Log Page Change Notices                         "},
	    {14, "Endurance Group Event Aggregate Log Change Notices        "},
	    {13, "LBA Status Information Notices                            "},
	    {12, "Predictable Latency Event Aggregate Log Change Notices    "},
	    {11, "Asymmetric Namespace Access Change Notices                "},
	    {10, "Telemetry Log Notices                                     "},
	    {9, "Firmware Activation Notices                               "},
	    {8, "Namespace Attribute Notices                               "},
	};
	unsigned int f;
	size_t i;

	switch (fid) {
	case NVME_FEAT_FID_ARBITRATION:
		printf("\tHigh Priority Weight   (HPW): %u\n", (r >> 24) + 1);
		printf("\tMedium Priority Weight (MPW): %u\n", ((r >> 16) & 0xff) + 1);
		printf("\tLow Priority Weight    (LPW): %u\n", ((r >> 8) & 0xff) + 1);
		printf("\tArbitration Burst       (AB): ");
		if ((r & 7) == 7)
			printf("No limit\n");
		else
			printf("%u\n", 1u << (r & 7));
		break;
	case NVME_FEAT_FID_POWER_MGMT:
		f = (r >> 5) & 7;
		printf("\tWorkload Hint (WH): %u - %s\n", f, f < 3 ? hints[f] : "Reserved");
		printf("\tPower State   (PS): %u\n", r & 0x1f);
		break;
	case NVME_FEAT_FID_TEMP_THRESH:
		f = (r >> 20) & 3;
		printf("\tThreshold Type Select         (THSEL): %u - %s\n", f,
		       f == 0	? "Over Temperature Threshold"
		       : f == 1 ? "Under Temperature Threshold"
				: "Reserved");
		f = (r >> 16) & 0xf;
		if (f == 0)
			printf(
			    "\tThreshold Temperature Select (TMPSEL): %u - Composite Temperature\n",
			    f);
		else if (f <= 8)
			printf(
			    "\tThreshold Temperature Select (TMPSEL): %u - Temperature Sensor %u\n",
			    f, f);
		else
			printf("\tThreshold Temperature Select (TMPSEL): %u - Reserved\n", f);
		printf("\tTemperature Threshold         (TMPTH): %ld\u00b0C (%u Kelvin)\n",
		       (long)(r & 0xffff) - 273, r & 0xffff);
		break;
	case NVME_FEAT_FID_ERR_RECOVERY:
		printf("\tDeallocated or Unwritten Logical Block Error Enable (DULBE): %s\n",
		       yes(r >> 16 & 1, "Enabled", "Disabled"));
		printf("\tTime Limited Error Recovery                          (TLER): %u ms\n",
		       (r & 0xffff) * 100);
		break;
	case NVME_FEAT_FID_VOLATILE_WC:
		printf("\tVolatile Write Cache Enable (WCE): %s\n",
		       yes(r & 1, "Enabled", "Disabled"));
		break;
	case NVME_FEAT_FID_NUM_QUEUES:
		printf("\tNumber of IO Completion Queues Allocated (NCQA): %u\n", (r >> 16) + 1);
		printf("\tNumber of IO Submission Queues Allocated (NSQA): %u\n", (r & 0xffff) + 1);
		break;
	case NVME_FEAT_FID_IRQ_COALESCE:
		printf("\tAggregation Time     (TIME): %u usec\n", ((r >> 8) & 0xff) * 100);
		printf("\tAggregation Threshold (THR): %u\n", (r & 0xff) + 1);
		break;
	case NVME_FEAT_FID_IRQ_CONFIG:
		printf("\tCoalescing Disable (CD): %s\n", yes(r >> 16 & 1, "True", "False"));
		printf("\tInterrupt Vector   (IV): %u\n", r & 0xffff);
		break;
	case NVME_FEAT_FID_WRITE_ATOMIC:
		printf("\tDisable Normal (DN): %s\n", yes(r & 1, "True", "False"));
		break;
	case NVME_FEAT_FID_ASYNC_EVENT:
		for (i = 0; i < sizeof(aen) / sizeof(aen[0]); i++)
			printf("\t%s: %s\n", aen[i].name,
			       yes(r >> aen[i].bit & 1, "Send async event",
				   "Do not send async event"));
		printf("\tSMART / Health Critical Warnings                          : %s\n",
		       yes(r & 0xff, "Send async event", "Do not send async event"));
		break;
	case NVME_FEAT_FID_AUTO_PST:
		printf("\tAutonomous Power State Transition Enable (APSTE): %s\n",
		       yes(r & 1, "Enabled", "Disabled"));
		break;
	case NVME_FEAT_FID_HOST_MEM_BUF:
		printf("\tEnable Host Memory (EHM): %s\n", yes(r & 1, "Enabled", "Disabled"));
		break;
	case NVME_FEAT_FID_TIMESTAMP:
		if (buf)
			show_timestamp(buf);
		break;
	case NVME_FEAT_FID_KATO:
		printf("\tKeep Alive Timeout (KATO) in milliseconds: %u\n", r);
		break;
	case NVME_FEAT_FID_HCTM:
		printf("\tThermal Management Temperature 1 (TMT1) : %u Kelvin (%ld\u00b0C)\n",
		       r >> 16, (long)(r >> 16) - 273);
		printf("\tThermal Management Temperature 2 (TMT2) : %u Kelvin (%ld\u00b0C)\n",
		       r & 0xffff, (long)(r & 0xffff) - 273);
		break;
	case NVME_FEAT_FID_NOPSC:
		printf("\tNon-Operational Power State Permissive Mode Enable (NOPPME): %s\n",
		       yes(r & 1, "True", "False"));
		break;
	case NVME_FEAT_FID_RRL:
		printf("\tRead Recovery Level (RRL): %u\n", r & 0xf);
		break;
	case NVME_FEAT_FID_HOST_BEHAVIOR:
		if (buf)
			printf("\tHost Behavior Support: %s\n", yes(buf[0] & 1, "True", "False"));
		break;
	case NVME_FEAT_FID_SANITIZE:
		printf("\tNo-Deallocate Response Mode (NODRM) : %u\n", r & 1);
		break;
	case NVME_FEAT_FID_ENDURANCE_EVT_CFG:
		printf("\tEndurance Group Identifier (ENDGID): %u\n", r & 0xffff);
		printf("\tEndurance Group Critical Warnings  : %u\n", (r >> 16) & 0xff);
		break;
	case NVME_FEAT_FID_IOCS_PROFILE:
		printf("\tI/O Command Set Profile: %s\n", yes(r & 1, "True", "False"));
		break;
	case NVME_FEAT_FID_SPINUP_CONTROL:
		printf("\tSpinup control feature Enabled: %s\n", yes(r & 1, "True", "False"));
		break;
	case NVME_FEAT_FID_SW_PROGRESS:
		printf("\tPre-boot Software Load Count (PBSLC): %u\n", r & 0xff);
		break;
	case NVME_FEAT_FID_HOST_ID:
		if (buf) {
			uint64_t id = 0;

			for (i = 8; i-- > 0;)
				id = id << 8 | buf[i];
			printf("\tHost Identifier (HOSTID):  %llu\n", (unsigned long long)id);
		}
		break;
	case NVME_FEAT_FID_RESV_MASK:
		printf("\tMask Reservation Preempted Notification  (RESPRE): %s\n",
		       yes(r >> 3 & 1, "True", "False"));
		printf("\tMask Reservation Released Notification   (RESREL): %s\n",
		       yes(r >> 2 & 1, "True", "False"));
		printf("\tMask Registration Preempted Notification (REGPRE): %s\n",
		       yes(r >> 1 & 1, "True", "False"));
		break;
	case NVME_FEAT_FID_RESV_PERSIST:
		printf("\tPersist Through Power Loss (PTPL): %s\n", yes(r & 1, "True", "False"));
		break;
	case NVME_FEAT_FID_WRITE_PROTECT:
		printf("\tNamespace Write Protect: %s\n", r < 4 ? wp[r] : "Reserved");
		break;
	case NVME_FEAT_FID_FDP:
		printf("\tFlexible Direct Placement Enable (FDPE)       : %s\n",
		       yes(r & 1, "Yes", "No"));
		printf("\tFlexible Direct Placement Configuration Index : %u\n", (r >> 8) & 0xf);
		break;
	default:
		break;
	}
}

void cli_print_feature(unsigned int fid, unsigned int sel, uint32_t r, const uint8_t *buf,
		       uint32_t len, bool human)
{
	printf("get-feature:%#0*x (%s), %s value:%#0*x\n", fid ? 4 : 2, fid, feature_name(fid),
	       select_name(sel), r ? 10 : 8, r);
	if (sel == 3) {
		if (r & 1)
			printf("  Feature is saveable\n");
		if (r & 2)
			printf("  Feature is per-namespace\n");
		if (r & 4)
			printf("  Feature is changeable\n");
	} else if (human) {
		show_fields(fid, r, len ? buf : NULL);
	} else if (len) {
		cli_hexdump(buf, len, 16, 1);
	}
}

struct feat_req {
	uint32_t fid, nsid, cdw11, len;
	uint8_t sel;
};

/* One Get Features; @buf receives req->len bytes. 0, or -NVFIO_ENVME etc. with @cqe set. */
static int get_one(struct nvfio_ctrl *ctrl, const struct feat_req *q, void *buf, uint32_t *result,
		   struct nvfio_cqe *cqe)
{
	struct nvfio_cmd cmd = {.opcode = nvme_admin_get_features,
				.nsid = q->nsid,
				.cdw10 = (uint32_t)q->sel << 8 | q->fid,
				.cdw11 = q->cdw11};
	int ret = cli_admin(ctrl, &cmd, q->len ? buf : NULL, q->len, cqe, 0);

	*result = cqe->cdw0;
	return ret;
}

static bool invalid_field(int ret, const struct nvfio_cqe *cqe)
{
	return ret == -NVFIO_ENVME && (nvfio_cqe_status(cqe) & 0x7ff) == NVME_SC_INVALID_FIELD;
}

/* One feature: read (twice for "changed"), then print as nvme-cli does. */
static int show_feature(struct nvfio_ctrl *ctrl, struct feat_req q, uint32_t data_len, bool binary,
			bool human, struct nvfio_cqe *cqe)
{
	uint8_t buf[4096], def[4096];
	uint32_t r, rdef = 0;
	bool changed = q.sel == 8;
	int ret;

	q.len = data_len;
	if (!q.len)
		nvme_get_feature_length((int)q.fid, q.cdw11, &q.len);
	if (q.fid == NVME_FEAT_FID_HOST_ID && (q.cdw11 & 1))
		q.len = 16;
	if (q.sel == 3 || q.len > sizeof(buf))
		q.len = q.sel == 3 ? 0 : sizeof(buf);
	memset(buf, 0, sizeof(buf));
	memset(def, 0, sizeof(def));
	if (changed)
		q.sel = 0;
	ret = get_one(ctrl, &q, buf, &r, cqe);
	if (ret)
		return ret;
	if (changed) {
		struct nvfio_cqe c2;

		q.sel = 1;
		if (get_one(ctrl, &q, def, &rdef, &c2) == 0 && rdef == r &&
		    (!q.len || !memcmp(buf, def, q.len)))
			return 0;
		q.sel = 8;
	}
	if (binary && q.len) {
		cli_raw(buf, q.len);
		return 0;
	}
	cli_print_feature(q.fid, q.sel, r, buf, q.len, human);
	return 0;
}

int cli_get_feature(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "get-feature", "DEVICE [OPTIONS]",
	    "Get Features: a feature's current, default or saved value, what it supports "
	    "(-s 3), or with -f 0 every feature the controller has (those it refuses with "
	    "Invalid Field are left out); -s 8 shows only features changed from their default."};
	struct feat_req q = {.nsid = NVME_NSID_ALL};
	uint32_t data_len = 0;
	uint8_t uuid = 0, fid = 0;
	bool binary = false, human = false;
	const struct cli_opt opts[] = {
	    CLI_UINT("feature-id", 'f', &fid, "FID", "the feature (0: all)"),
	    CLI_UINT("namespace-id", 'n', &q.nsid, "NSID", "namespace (default 0xffffffff)"),
	    CLI_UINT("sel", 's', &q.sel, "SEL",
		     "0 current, 1 default, 2 saved, 3 supported capabilities, 8 changed"),
	    CLI_UINT("data-len", 'l', &data_len, "LEN", "bytes of the feature's data structure"),
	    CLI_FLAG("raw-binary", 'b', &binary, "the data structure as it is"),
	    CLI_UINT("cdw11", 'c', &q.cdw11, "DW", "dword 11 (feature specific)"),
	    CLI_UINT("uuid-index", 'U', &uuid, "IDX", "UUID index"),
	    CLI_FLAG("human-readable", 'H', &human, "decode the value"),
	    CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	struct nvfio_cqe cqe;
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);
	unsigned int i, last;

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (q.sel > 8 || (q.sel > 3 && q.sel < 8)) {
		cli_err("get-feature: --sel %u is not 0-3 or 8", q.sel);
		return EINVAL;
	}
	if (uuid > 127) {
		cli_err("get-feature: --uuid-index %u is above 127", uuid);
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	last = fid ? fid : 0xff;
	for (i = fid; i <= last; i++) {
		int r;

		q.fid = i;
		r = show_feature(ctrl, q, data_len, binary, human, &cqe);
		if (!r)
			continue;
		if (fid || !invalid_field(r, &cqe)) {
			ret = cli_admin_failed(r, &cqe, "get-feature");
			break;
		}
	}
	nvfio_ctrl_close(ctrl);
	return ret;
}

int cli_set_feature(int argc, char **argv)
{
	static const struct cli_usage u = {
	    "set-feature", "DEVICE -f FID [OPTIONS]",
	    "Set Features: give feature FID the value -v (dword 11) and -c (dword 12), with "
	    "its data structure from --data (or standard input when -l is given without it); "
	    "--save keeps it across resets where the feature can be saved."};
	uint32_t nsid = 0, cdw12 = 0, len = 0, value = 0;
	uint8_t fid = 0, uuid = 0;
	const char *file = NULL;
	bool save = false, fid_given = false;
	const struct cli_opt opts[] = {
	    CLI_UINT("namespace-id", 'n', &nsid, "NSID", "namespace"),
	    CLI_UINT_G("feature-id", 'f', &fid, "FID", "the feature", &fid_given),
	    CLI_UINT("value", 'v', &value, "DW", "the value (dword 11)"),
	    CLI_UINT("cdw12", 'c', &cdw12, "DW", "dword 12"),
	    CLI_UINT("uuid-index", 'U', &uuid, "IDX", "UUID index"),
	    CLI_UINT("data-len", 'l', &len, "LEN", "bytes of the data structure"),
	    CLI_STR("data", 'd', &file, "FILE", "the data structure"),
	    CLI_FLAG("save", 's', &save, "persist across resets"),
	    CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	struct nvfio_cqe cqe;
	uint8_t *buf = NULL;
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (!fid_given || !fid) {
		cli_err("set-feature: give the feature with -f/--feature-id");
		return EINVAL;
	}
	if (!len)
		nvme_get_feature_length(fid, value, &len);
	if (len > 4096) {
		cli_err("set-feature: --data-len %u is above 4096", len);
		return EINVAL;
	}
	if (len) {
		int fd = file ? open(file, O_RDONLY) : STDIN_FILENO;
		ssize_t got;

		if (fd < 0) {
			cli_err("set-feature: cannot open %s: %s", file, strerror(errno));
			return errno;
		}
		buf = calloc(1, len);
		got = buf ? read(fd, buf, len) : -1;
		if (fd != STDIN_FILENO)
			close(fd);
		if (got < 0) {
			cli_err("set-feature: cannot read the data structure: %s",
				buf ? strerror(errno) : "out of memory");
			free(buf);
			return buf ? EIO : ENOMEM;
		}
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret) {
		free(buf);
		return ret;
	}
	{
		struct nvfio_cmd cmd = {.opcode = nvme_admin_set_features,
					.nsid = nsid,
					.cdw10 = (save ? 1u << 31 : 0) | fid,
					.cdw11 = value,
					.cdw12 = cdw12,
					.cdw14 = uuid & 0x7f};

		ret = cli_admin(ctrl, &cmd, buf, len, &cqe, 0);
	}
	if (ret) {
		ret = cli_admin_failed(ret, &cqe, "set-feature");
	} else {
		printf("set-feature:%#0*x (%s), value:%#0*x, cdw12:%#0*x, save:%#x\n", fid ? 4 : 2,
		       fid, feature_name(fid), value ? 10 : 8, value, cdw12 ? 10 : 8, cdw12, save);
		if (buf)
			cli_hexdump(buf, len, 16, 1);
	}
	free(buf);
	nvfio_ctrl_close(ctrl);
	return ret;
}
