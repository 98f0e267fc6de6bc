// SPDX-License-Identifier: BSD-3-Clause
/* admin-passthru and io-passthru, with nvme-cli's options and output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nvme/types.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "dev.h"
#include "iocmd.h"
#include "out.h"

static const char *cmd_name(bool admin, uint8_t opc)
{
	static const struct {
		uint8_t opc;
		const char *name;
	} adm[] = {
		{ nvme_admin_delete_sq, "Delete I/O Submission Queue" },
		{ nvme_admin_create_sq, "Create I/O Submission Queue" },
		{ nvme_admin_get_log_page, "Get Log Page" },
		{ nvme_admin_delete_cq, "Delete I/O Completion Queue" },
		{ nvme_admin_create_cq, "Create I/O Completion Queue" },
		{ nvme_admin_identify, "Identify" },
		{ nvme_admin_abort_cmd, "Abort" },
		{ nvme_admin_set_features, "Set Features" },
		{ nvme_admin_get_features, "Get Features" },
		{ nvme_admin_async_event, "Asynchronous Event Request" },
		{ nvme_admin_ns_mgmt, "Namespace Management" },
		{ nvme_admin_fw_commit, "Firmware Commit" },
		{ nvme_admin_fw_download, "Firmware Image Download" },
		{ nvme_admin_dev_self_test, "Device Self-test" },
		{ nvme_admin_ns_attach, "Namespace Attachment" },
		{ nvme_admin_keep_alive, "Keep Alive" },
		{ nvme_admin_directive_send, "Directive Send" },
		{ nvme_admin_directive_recv, "Directive Receive" },
		{ nvme_admin_virtual_mgmt, "Virtualization Management" },
		{ nvme_admin_nvme_mi_send, "NVMe-MI Send" },
		{ nvme_admin_nvme_mi_recv, "NVMe-MI Receive" },
		{ nvme_admin_dbbuf, "Doorbell Buffer Config" },
		{ nvme_admin_format_nvm, "Format NVM" },
		{ nvme_admin_security_send, "Security Send" },
		{ nvme_admin_security_recv, "Security Receive" },
		{ nvme_admin_sanitize_nvm, "Sanitize" },
		{ nvme_admin_get_lba_status, "Get LBA Status" },
	}, io[] = {
		{ nvme_cmd_flush, "Flush" },
		{ nvme_cmd_write, "Write" },
		{ nvme_cmd_read, "Read" },
		{ nvme_cmd_write_uncor, "Write Uncorrectable" },
		{ nvme_cmd_compare, "Compare" },
		{ nvme_cmd_write_zeroes, "Write Zeroes" },
		{ nvme_cmd_dsm, "Dataset Management" },
		{ nvme_cmd_resv_register, "Reservation Register" },
		{ nvme_cmd_resv_report, "Reservation Report" },
		{ nvme_cmd_resv_acquire, "Reservation Acquire" },
		{ nvme_cmd_resv_release, "Reservation Release" },
		{ nvme_cmd_verify, "Verify" },
		{ nvme_cmd_copy, "Copy" },
		{ nvme_zns_cmd_mgmt_send, "Zone Management Send" },
		{ nvme_zns_cmd_mgmt_recv, "Zone Management Receive" },
		{ nvme_zns_cmd_append, "Zone Append" },
	};
	size_t i;

	if (admin) {
		for (i = 0; i < sizeof(adm) / sizeof(adm[0]); i++)
			if (adm[i].opc == opc)
				return adm[i].name;
	} else {
		for (i = 0; i < sizeof(io) / sizeof(io[0]); i++)
			if (io[i].opc == opc)
				return io[i].name;
	}
	return "Vendor Specific";
}

static int passthru(int argc, char **argv, bool admin)
{
	const struct cli_usage u = {
		admin ? "admin-passthru" : "io-passthru", "DEVICE --opcode OPC [OPTIONS]",
		admin ? "Send any admin command; its result (dword 0) and the data it returned."
		      : "Send any I/O command on an I/O queue; its result (dword 0) and the data it "
			"returned."
	};
	uint8_t opcode = 0, flags = 0, prefill = 0;
	uint16_t rsvd = 0;
	uint32_t nsid = 0, data_len = 0, meta_len = 0, timeout = 0;
	uint32_t cdw[16] = { 0 };
	const char *input = NULL, *meta = NULL;
	bool raw = false, show = false, dry = false, rd = false, wr = false, lat = false,
	     op_given = false;
	const struct cli_opt opts[] = {
		CLI_UINT_G("opcode", 'o', &opcode, "OPC", "the opcode", &op_given),
		CLI_UINT("flags", 'f', &flags, "FLAGS", "fused operation bits"),
		CLI_UINT("prefill", 'p', &prefill, "BYTE", "fill the data buffer with this first"),
		CLI_UINT("rsvd", 'R', &rsvd, "VAL", "reserved bits of dword 0 (not sent by nvfio)"),
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "namespace"),
		CLI_UINT("data-len", 'l', &data_len, "BYTES", "data buffer length"),
		CLI_UINT("metadata-len", 'm', &meta_len, "BYTES", "metadata buffer length"),
		CLI_UINT("timeout", 't', &timeout, "MS", "deadline (default: the controller's)"),
		CLI_UINT("cdw2", '2', &cdw[2], "DW", "dword 2"),
		CLI_UINT("cdw3", '3', &cdw[3], "DW", "dword 3"),
		CLI_UINT("cdw10", '4', &cdw[10], "DW", "dword 10"),
		CLI_UINT("cdw11", '5', &cdw[11], "DW", "dword 11"),
		CLI_UINT("cdw12", '6', &cdw[12], "DW", "dword 12"),
		CLI_UINT("cdw13", '7', &cdw[13], "DW", "dword 13"),
		CLI_UINT("cdw14", '8', &cdw[14], "DW", "dword 14"),
		CLI_UINT("cdw15", '9', &cdw[15], "DW", "dword 15"),
		CLI_STR("input-file", 'i', &input, "FILE",
			"data to send (write), or where received data goes (read)"),
		CLI_STR("metadata", 'M', &meta, "FILE", "metadata to send or receive"),
		CLI_FLAG("raw-binary", 'b', &raw, "received data as it is"),
		CLI_FLAG("show-command", 's', &show, "print the command"),
		CLI_FLAG("dry-run", 'd', &dry, "print the command, do not send it"),
		CLI_FLAG("read", 'r', &rd, "the command returns data"),
		CLI_FLAG("write", 'w', &wr, "the command sends data"),
		CLI_FLAG("latency", 'T', &lat, "print the command's latency"),
		CLI_END,
	};
	struct nvfio_cmd cmd;
	struct nvfio_cqe cqe;
	struct cli_io io = { 0 };
	struct timespec t0, t1;
	char *dev = NULL;
	void *buf = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (!op_given) {
		cli_err("%s: give the command with --opcode", u.cmd);
		return EINVAL;
	}
	if (opcode & 1)
		wr = true;
	if (opcode & 2)
		rd = true;
	if (data_len && !rd && !wr) {
		cli_err("%s: --data-len without a direction: give --read or --write (opcode bits "
			"1:0 say it for standard commands)",
			u.cmd);
		return EINVAL;
	}
	if (meta_len && admin) {
		cli_err("admin-passthru: admin commands carry no metadata");
		return EINVAL;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = opcode;
	cmd.flags = flags & 3;
	cmd.nsid = nsid;
	cmd.cdw2 = cdw[2];
	cmd.cdw3 = cdw[3];
	cmd.cdw10 = cdw[10];
	cmd.cdw11 = cdw[11];
	cmd.cdw12 = cdw[12];
	cmd.cdw13 = cdw[13];
	cmd.cdw14 = cdw[14];
	cmd.cdw15 = cdw[15];
	if (show || dry) {
		printf("opcode       : %02x\n", opcode);
		printf("flags        : %02x\n", flags);
		printf("rsvd1        : %04x\n", rsvd);
		printf("nsid         : %08x\n", nsid);
		printf("cdw2         : %08x\n", cdw[2]);
		printf("cdw3         : %08x\n", cdw[3]);
		printf("data_len     : %08x\n", data_len);
		printf("metadata_len : %08x\n", meta_len);
		for (n = 10; n <= 15; n++)
			printf("cdw%-2d        : %08x\n", n, cdw[n]);
		printf("timeout_ms   : %08x\n", timeout);
	}
	if (dry)
		return 0;
	if (admin) {
		ret = cli_dev_open(dev, 0, &io.ctrl);
		if (ret)
			return ret;
		if (data_len) {
			buf = malloc(data_len);
			if (!buf) {
				ret = ENOMEM;
				goto out;
			}
			memset(buf, prefill, data_len);
		}
	} else {
		ret = cli_io_open(&io, dev);
		if (!ret)
			ret = cli_io_alloc(&io, data_len, meta_len);
		if (ret)
			goto out;
		buf = io.data;
		if (buf)
			memset(buf, prefill, data_len);
	}
	if (wr && data_len) {
		ret = cli_read_file(input, buf, data_len, u.cmd);
		if (!ret && meta_len)
			ret = cli_read_file(meta, io.meta, meta_len, u.cmd);
		if (ret)
			goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (admin) {
		ret = cli_admin(io.ctrl, &cmd, buf, data_len, &cqe, timeout);
		if (ret)
			ret = cli_admin_failed(ret, &cqe, "passthru");
	} else {
		ret = cli_io_run(&io, &cmd, &cqe, "passthru");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (lat)
		printf("%s Command %s latency: %llu us\n", admin ? "Admin" : "IO",
		       cmd_name(admin, opcode),
		       (unsigned long long)((t1.tv_sec - t0.tv_sec) * 1000000LL +
					    (t1.tv_nsec - t0.tv_nsec) / 1000));
	if (ret)
		goto out;
	fprintf(stderr, "%s Command %s is Success and result: 0x%08x\n", admin ? "Admin" : "IO",
		cmd_name(admin, opcode), cqe.cdw0);
	if (rd && data_len) {
		if (input && *input) {
			ret = cli_write_file(input, buf, data_len, u.cmd);
			if (!ret && meta_len && meta)
				ret = cli_write_file(meta, io.meta, meta_len, u.cmd);
		} else if (raw) {
			cli_raw(buf, data_len);
		} else {
			cli_hexdump(buf, data_len, 16, 1);
		}
	}
out:
	if (admin) {
		free(buf);
		nvfio_ctrl_close(io.ctrl);
	} else {
		cli_io_close(&io);
	}
	return ret;
}

int cli_admin_passthru(int argc, char **argv)
{
	return passthru(argc, argv, true);
}

int cli_io_passthru(int argc, char **argv)
{
	return passthru(argc, argv, false);
}
