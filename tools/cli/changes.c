// SPDX-License-Identifier: BSD-3-Clause
/*
 * Commands that change the controller: format, sanitize, device-self-test, fw-download,
 * fw-commit, create-ns, delete-ns, attach-ns, detach-ns, reset.
 *
 * Opening a controller resets it, so an operation that a reset would abort (a short device
 * self-test) is waited for in the same process; operations that survive a reset (sanitize, an
 * extended self-test) may be left running and followed with the log commands.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nvme/types.h>

#include "args.h"
#include "cli.h"
#include "cmds.h"
#include "dev.h"
#include "out.h"
#include "progress.h"

/* Parse, open: 0, or the exit status (-1: help shown). */
static int open_for(int argc, char **argv, const struct cli_usage *u, const struct cli_opt *opts,
		    char **dev)
{
	int n, ret = cli_parse(argc, argv, u, opts, dev, 1, &n);

	return ret ? (ret > 0 ? -1 : EINVAL) : 0;
}

static int admin(struct nvfio_ctrl *ctrl, struct nvfio_cmd *cmd, void *buf, uint32_t len,
		 uint32_t *dw0, unsigned int timeout_ms, const char *what)
{
	struct nvfio_cqe cqe;
	int ret = cli_admin(ctrl, cmd, buf, len, &cqe, timeout_ms);

	if (dw0)
		*dw0 = cqe.cdw0;
	return ret ? cli_admin_failed(ret, &cqe, what) : 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int cli_format(int argc, char **argv)
{
	static const struct cli_usage u = {
		"format", "DEVICE -n NSID [OPTIONS]",
		"Format NVM: give a namespace (or all, -n 0xffffffff) another LBA format "
		"(--lbaf, or --block-size), protection information or a secure erase. Without "
		"--force it says what it is about to do and waits 10 seconds for Ctrl-C."
	};
	uint32_t nsid = 0, timeout = 600000;
	uint8_t lbaf = 0xff, ses = 0, pi = 0, pil = 0, ms = 0;
	uint64_t bs = 0;
	bool reset = false, force = false;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "the namespace, 0xffffffff for all"),
		CLI_UINT("timeout", 't', &timeout, "MS", "deadline (default 600000)"),
		CLI_UINT("lbaf", 'l', &lbaf, "IDX", "LBA format (default: the one in use)"),
		CLI_UINT("ses", 's', &ses, "SES", "secure erase: 0 none, 1 user data, 2 crypto"),
		CLI_UINT("pi", 'i', &pi, "PI", "protection information type (0-3)"),
		CLI_UINT("pil", 'p', &pil, "PIL", "protection information at the start (1) or end"),
		CLI_UINT("ms", 'm', &ms, "MS", "metadata extended (1) or separate (0)"),
		CLI_FLAG("reset", 'r', &reset, "accepted for nvme-cli's sake (nvfio re-identifies)"),
		CLI_FLAG("force", 0, &force, "no warning, no pause"),
		CLI_UINT("block-size", 'b', &bs, "BYTES", "the LBA format with this block size"),
		CLI_END,
	};
	struct nvme_id_ns ns;
	struct nvfio_ctrl *ctrl;
	struct cli_ticker tick;
	char *dev = NULL, what[64];
	unsigned int prev = 0;
	int ret = open_for(argc, argv, &u, opts, &dev), i;

	if (ret)
		return ret < 0 ? 0 : ret;
	if (lbaf != 0xff && bs) {
		cli_err("format: give --lbaf or --block-size, not both");
		return EINVAL;
	}
	if (bs & (bs - 1)) {
		cli_err("format: --block-size %llu is not a power of two", (unsigned long long)bs);
		return EINVAL;
	}
	if (ses > 7 || pi > 7 || pil > 1 || ms > 1 || (lbaf != 0xff && lbaf > 63)) {
		cli_err("format: --ses and --pi go up to 7, --pil and --ms up to 1, --lbaf to 63");
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	if (((const struct nvme_id_ctrl *)nvfio_ctrl_identify(ctrl))->fna & 1)
		nsid = NVME_NSID_ALL; /* a format of one namespace formats them all */
	if (!nsid) {
		cli_err("format: give the namespace with -n, or -n 0xffffffff for all of them");
		ret = EINVAL;
		goto out;
	}
	if (nsid != NVME_NSID_ALL) {
		ret = cli_identify(ctrl, NVME_IDENTIFY_CNS_NS, nsid, 0, 0, &ns, "identify namespace");
		if (ret)
			goto out;
		prev = (ns.flbas & 0xf) | (ns.flbas >> 5 & 3) << 4;
		if (bs) {
			for (i = 0; i <= ns.nlbaf && i < 64; i++)
				if ((1ull << ns.lbaf[i].ds) == bs && !ns.lbaf[i].ms)
					break;
			if (i > ns.nlbaf || i == 64) {
				cli_err("format: namespace %u has no LBA format of %llu-byte blocks "
					"without metadata ('nvfio id-ns %s -n %u' lists them)",
					nsid, (unsigned long long)bs, dev, nsid);
				ret = EINVAL;
				goto out;
			}
			lbaf = (uint8_t)i;
		} else if (lbaf == 0xff) {
			lbaf = (uint8_t)prev;
		}
	} else if (lbaf == 0xff) {
		lbaf = 0;
	}
	if (!force) {
		fprintf(stderr, "You are about to format %s, namespace %#x%s.\n", dev, nsid,
			nsid == NVME_NSID_ALL ? "(ALL namespaces)" : "");
		fprintf(stderr, "WARNING: Format may irrevocably delete this device's data.\n"
				"You have 10 seconds to press Ctrl-C to cancel this operation.\n\n"
				"Use the force [--force] option to suppress this warning.\n");
		sleep(10);
		fprintf(stderr, "Sending format operation ... \n");
	}
	{
		struct nvfio_cmd cmd = {
			.opcode = nvme_admin_format_nvm,
			.nsid = nsid,
			.cdw10 = (uint32_t)(lbaf & 0xf) | (uint32_t)ms << 4 | (uint32_t)pi << 5 |
				 (uint32_t)pil << 8 | (uint32_t)ses << 9 |
				 (uint32_t)(lbaf >> 4 & 3) << 12,
		};

		snprintf(what, sizeof(what), "formatting namespace %#x", nsid);
		cli_ticker_start(&tick, what);
		ret = admin(ctrl, &cmd, NULL, 0, NULL, timeout, "format");
		cli_ticker_stop(&tick);
	}
	if (!ret) {
		printf("Success formatting namespace:%x\n", nsid);
		nvfio_ctrl_rescan(ctrl);
	}
out:
	nvfio_ctrl_close(ctrl);
	return ret;
}

static int parse_sanact(const char *s, uint8_t *v)
{
	static const struct {
		const char *name;
		size_t min;
		uint8_t val;
	} acts[] = {
		{ "exit-failure", 1, NVME_SANITIZE_SANACT_EXIT_FAILURE },
		{ "start-block-erase", 7, NVME_SANITIZE_SANACT_START_BLOCK_ERASE },
		{ "start-overwrite", 7, NVME_SANITIZE_SANACT_START_OVERWRITE },
		{ "start-crypto-erase", 7, NVME_SANITIZE_SANACT_START_CRYPTO_ERASE },
	};
	size_t i, len = strlen(s);
	char *end;
	unsigned long n;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (len >= acts[i].min && !strncasecmp(s, acts[i].name, len)) {
			*v = acts[i].val;
			return 0;
		}
	n = strtoul(s, &end, 0);
	if (*s && !*end && n <= 0xff) {
		*v = (uint8_t)n;
		return 0;
	}
	return -EINVAL;
}

/*
 * Follow a background operation through its log page until it ends: @state reads the page into
 * its progress in percent, 1 while it runs, 0 once it ended well, or the exit status of its
 * failure (after saying so). Gives up, leaving the operation to the controller, after
 * @idle_s seconds without progress.
 */
static int follow(struct nvfio_ctrl *ctrl, uint8_t lid, void *page, uint32_t len,
		  const char *what, unsigned int idle_s,
		  int (*state)(const void *page, unsigned int *pct))
{
	const struct cli_log_req q = { .lid = lid, .nsid = NVME_NSID_ALL };
	unsigned int last = 0, still = 0, pct = 0;
	int ret;

	for (;;) {
		ret = cli_log_page(ctrl, &q, page, len, what);
		if (ret)
			return ret;
		ret = state(page, &pct);
		if (ret != 1) {
			cli_progress_bar(what, 100);
			return ret;
		}
		cli_progress_bar(what, pct);
		if (pct != last) {
			last = pct;
			still = 0;
		} else if (++still > idle_s * 4) {
			cli_err("%s: no progress for %u s; it goes on in the controller (its log "
				"page follows it)",
				what, idle_s);
			return ETIMEDOUT;
		}
		sleep_ms(250);
	}
}

static int sanitize_state(const void *page, unsigned int *pct)
{
	const struct nvme_sanitize_log_page *s = page;
	unsigned int st = le16toh(s->sstat) & 7;

	if (st == NVME_SANITIZE_SSTAT_STATUS_IN_PROGESS) {
		*pct = le16toh(s->sprog) * 100u / 0x10000;
		return 1;
	}
	if (st == NVME_SANITIZE_SSTAT_STATUS_COMPLETED_FAILED) {
		cli_err("sanitize failed: the controller is in sanitize failure mode until a "
			"sanitize succeeds (or 'nvfio sanitize DEVICE -a exit-failure' where --ause "
			"was given)");
		return EIO;
	}
	return 0;
}

int cli_sanitize(int argc, char **argv)
{
	static const struct cli_usage u = {
		"sanitize", "DEVICE -a ACTION [OPTIONS]",
		"Sanitize: erase all user data of the NVM subsystem (block erase, overwrite or "
		"crypto erase), or leave failure mode (exit-failure). On a terminal, or with "
		"--wait, it follows the sanitize log until the operation ends; otherwise it "
		"returns once the controller has started it."
	};
	bool no_dealloc = false, oipbp = false, ause = false, wait = false;
	uint8_t owpass = 0, sanact = 0;
	uint32_t ovrpat = 0;
	const char *act = NULL;
	const struct cli_opt opts[] = {
		CLI_FLAG("no-dealloc", 'd', &no_dealloc, "no deallocation after sanitize"),
		CLI_FLAG("oipbp", 'i', &oipbp, "invert the overwrite pattern between passes"),
		CLI_UINT("owpass", 'n', &owpass, "N", "overwrite passes (1-16, 0 means 16)"),
		CLI_FLAG("ause", 'u', &ause, "allow unrestricted sanitize exit"),
		CLI_STR("sanact", 'a', &act, "ACTION",
			"exit-failure, start-block-erase, start-overwrite, start-crypto-erase (or "
			"1-4)"),
		CLI_UINT("ovrpat", 'p', &ovrpat, "DW", "overwrite pattern"),
		CLI_FLAG("wait", 'w', &wait, "wait for the end, on a terminal or not"),
		CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = open_for(argc, argv, &u, opts, &dev);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (!act || parse_sanact(act, &sanact) ||
	    sanact < NVME_SANITIZE_SANACT_EXIT_FAILURE ||
	    sanact > NVME_SANITIZE_SANACT_START_CRYPTO_ERASE) {
		cli_err("sanitize: give -a exit-failure, start-block-erase, start-overwrite or "
			"start-crypto-erase");
		return EINVAL;
	}
	if (sanact == NVME_SANITIZE_SANACT_EXIT_FAILURE && (ause || no_dealloc)) {
		cli_err("sanitize: --ause and --no-dealloc do not go with exit-failure");
		return EINVAL;
	}
	if (sanact == NVME_SANITIZE_SANACT_START_OVERWRITE && owpass > 16) {
		cli_err("sanitize: --owpass goes up to 16");
		return EINVAL;
	}
	if (sanact != NVME_SANITIZE_SANACT_START_OVERWRITE && (owpass || oipbp || ovrpat)) {
		cli_err("sanitize: --owpass, --oipbp and --ovrpat are for start-overwrite");
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	{
		struct nvfio_cmd cmd = {
			.opcode = nvme_admin_sanitize_nvm,
			.cdw10 = sanact | (uint32_t)ause << 3 | (uint32_t)(owpass & 0xf) << 4 |
				 (uint32_t)oipbp << 8 | (uint32_t)no_dealloc << 9,
			.cdw11 = ovrpat,
		};

		ret = admin(ctrl, &cmd, NULL, 0, NULL, 0, "sanitize");
	}
	if (!ret && sanact != NVME_SANITIZE_SANACT_EXIT_FAILURE &&
	    (wait || isatty(STDERR_FILENO)))
		ret = follow(ctrl, NVME_LOG_LID_SANITIZE, &(struct nvme_sanitize_log_page){ 0 },
			     sizeof(struct nvme_sanitize_log_page), "sanitize", 600, sanitize_state);
	nvfio_ctrl_close(ctrl);
	return ret;
}

static int self_test_state(const void *page, unsigned int *pct)
{
	const struct nvme_self_test_log *log = page;
	unsigned int res = log->result[0].dsts & 0xf;

	if (log->current_operation & 0xf) {
		*pct = log->completion;
		return 1;
	}
	if (res != NVME_ST_RESULT_NO_ERR) {
		cli_err("device self-test: result %#x ('nvfio self-test-log -v' says what it means)",
			res);
		return EIO;
	}
	return 0;
}

int cli_device_self_test(int argc, char **argv)
{
	static const struct cli_usage u = {
		"device-self-test", "DEVICE -s CODE [OPTIONS]",
		"Device Self-test: start a short (-s 1) or extended (-s 2) test, or abort one "
		"(-s 0xf), and wait for its result (opening the controller again would reset it, "
		"which aborts a short test). -s 0xe reports the progress of a running test."
	};
	uint32_t nsid = NVME_NSID_ALL;
	uint8_t stc = NVME_ST_CODE_RESERVED;
	bool wait = false;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "namespaces to test (default all)"),
		CLI_UINT("self-test-code", 's', &stc, "CODE",
			 "1 short, 2 extended, 0xe vendor specific, 0xf abort"),
		CLI_FLAG("wait", 'w', &wait, "accepted for nvme-cli's sake: nvfio always waits"),
		CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = open_for(argc, argv, &u, opts, &dev);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (stc != NVME_ST_CODE_SHORT && stc != NVME_ST_CODE_EXTENDED && stc != NVME_ST_CODE_VS &&
	    stc != NVME_ST_CODE_ABORT) {
		cli_err("device-self-test: give -s 1 (short), 2 (extended), 0xe (vendor specific) "
			"or 0xf (abort)");
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	{
		struct nvfio_cmd cmd = { .opcode = nvme_admin_dev_self_test, .nsid = nsid,
					 .cdw10 = stc };

		ret = admin(ctrl, &cmd, NULL, 0, NULL, 0, "device self-test");
	}
	if (!ret) {
		if (stc == NVME_ST_CODE_ABORT)
			printf("Aborting device self-test operation\n");
		else if (stc == NVME_ST_CODE_EXTENDED)
			printf("Extended Device self-test started\n");
		else if (stc == NVME_ST_CODE_SHORT)
			printf("Short Device self-test started\n");
		if (stc != NVME_ST_CODE_ABORT) {
			/* As long again as the controller says an extended test takes, and a
			 * minute more. */
			unsigned int idle = le16toh(((const struct nvme_id_ctrl *)
							 nvfio_ctrl_identify(ctrl))->edstt) * 120u + 60;
			struct nvme_self_test_log log;

			printf("Waiting for self test completion...\n");
			fflush(stdout);
			ret = follow(ctrl, NVME_LOG_LID_DEVICE_SELF_TEST, &log, sizeof(log),
				     "self-test", idle, self_test_state);
		}
	}
	nvfio_ctrl_close(ctrl);
	return ret;
}

int cli_fw_download(int argc, char **argv)
{
	static const struct cli_usage u = {
		"fw-download", "DEVICE --fw FILE [OPTIONS]",
		"Firmware Image Download: send an image to the controller in pieces of --xfer "
		"bytes; 'nvfio fw-commit' then puts it in a slot."
	};
	const char *fw = NULL;
	uint32_t xfer = 4096, offset = 0;
	bool progress = false, ignore_ovr = false;
	const struct cli_opt opts[] = {
		CLI_STR("fw", 'f', &fw, "FILE", "the image"),
		CLI_UINT("xfer", 'x', &xfer, "BYTES", "bytes per command (a multiple of 4096)"),
		CLI_UINT("offset", 'o', &offset, "DWORDS", "where the image starts, in dwords"),
		CLI_FLAG("progress", 'p', &progress, "show the bytes sent"),
		CLI_FLAG("ignore-ovr", 'i', &ignore_ovr, "ignore an Overlapping Range status"),
		CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	struct stat sb;
	uint8_t *img = NULL;
	char *dev = NULL;
	uint64_t off;
	int fd, ret = open_for(argc, argv, &u, opts, &dev);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (!fw) {
		cli_err("fw-download: give the image with --fw");
		return EINVAL;
	}
	fd = open(fw, O_RDONLY);
	if (fd < 0) {
		cli_err("fw-download: cannot open %s: %s", fw, strerror(errno));
		return errno;
	}
	if (fstat(fd, &sb) || sb.st_size <= 0 || sb.st_size % 4 || sb.st_size > (1 << 30)) {
		cli_err("fw-download: %s is %lld bytes; an image is a non-zero multiple of 4 bytes",
			fw, (long long)sb.st_size);
		close(fd);
		return EINVAL;
	}
	img = malloc((size_t)sb.st_size);
	if (!img || read(fd, img, (size_t)sb.st_size) != sb.st_size) {
		cli_err("fw-download: cannot read %s: %s", fw, img ? strerror(errno) : "no memory");
		close(fd);
		free(img);
		return EIO;
	}
	close(fd);
	if (!xfer || xfer % 4096)
		xfer = 4096;
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret) {
		free(img);
		return ret;
	}
	if (xfer > nvfio_ctrl_get_info(ctrl)->max_xfer)
		xfer = nvfio_ctrl_get_info(ctrl)->max_xfer & ~4095u;
	for (off = 0; off < (uint64_t)sb.st_size && !ret; off += xfer) {
		uint32_t n = (uint64_t)sb.st_size - off < xfer ? (uint32_t)(sb.st_size - off) : xfer;
		uint64_t at = (uint64_t)offset * 4 + off;
		struct nvfio_cmd cmd = { .opcode = nvme_admin_fw_download, .cdw10 = n / 4 - 1,
					 .cdw11 = (uint32_t)(at / 4) };
		struct nvfio_cqe cqe;

		if (progress)
			printf("Firmware download: transferring 0x%08llx/0x%08llx bytes: %03d%%\r",
			       (unsigned long long)off, (unsigned long long)sb.st_size,
			       (int)(100 * off / (uint64_t)sb.st_size));
		fflush(stdout);
		ret = cli_admin(ctrl, &cmd, img + off, n, &cqe, 0);
		if (ret == -NVFIO_ENVME && ignore_ovr &&
		    (nvfio_cqe_status(&cqe) & 0x7ff) == NVME_SC_OVERLAPPING_RANGE)
			ret = 0;
		if (ret)
			ret = cli_admin_failed(ret, &cqe, "fw-download");
	}
	if (!ret) {
		if (progress)
			printf("\n");
		printf("Firmware download success\n");
	}
	free(img);
	nvfio_ctrl_close(ctrl);
	return ret;
}

int cli_fw_commit(int argc, char **argv)
{
	static const struct cli_usage u = {
		"fw-commit", "DEVICE -a ACTION [OPTIONS]",
		"Firmware Commit: put the downloaded image in --slot (0: the controller chooses) "
		"and activate it at the next reset (actions 0-2) or at once (3)."
	};
	uint8_t slot = 0, action = 0, bpid = 0;
	const struct cli_opt opts[] = {
		CLI_UINT("slot", 's', &slot, "SLOT", "firmware slot (0-7)"),
		CLI_UINT("action", 'a', &action, "CA",
			 "0 replace, 1 replace and activate at reset, 2 activate at reset, 3 "
			 "replace and activate now, 6/7 boot partition"),
		CLI_UINT("bpid", 'b', &bpid, "ID", "boot partition (actions 6 and 7)"),
		CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	struct nvfio_cqe cqe;
	char *dev = NULL;
	int ret = open_for(argc, argv, &u, opts, &dev);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (slot > 7 || action > 7 || action == 4 || action == 5 || bpid > 1) {
		cli_err("fw-commit: --slot goes up to 7, --action is 0-3, 6 or 7, --bpid 0 or 1");
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	{
		struct nvfio_cmd cmd = { .opcode = nvme_admin_fw_commit,
					 .cdw10 = slot | (uint32_t)action << 3 |
						  (uint32_t)bpid << 31 };

		ret = cli_admin(ctrl, &cmd, NULL, 0, &cqe, 0);
	}
	if (ret == -NVFIO_ENVME) {
		uint16_t sc = nvfio_cqe_status(&cqe) & 0x7ff;
		const char *kind = sc == NVME_SC_FW_NEEDS_CONV_RESET	  ? "conventional"
				   : sc == NVME_SC_FW_NEEDS_SUBSYS_RESET ? "subsystem"
				   : sc == NVME_SC_FW_NEEDS_RESET	  ? "any controller"
									  : NULL;

		if (kind) {
			printf("Success activating firmware action:%d slot:%d", action, slot);
			if (action == 6 || action == 7)
				printf(" bpid:%d", bpid);
			printf(", but firmware requires %s reset\n", kind);
			ret = 0;
		} else {
			ret = cli_admin_failed(ret, &cqe, "fw-commit");
		}
	} else if (ret) {
		ret = cli_admin_failed(ret, &cqe, "fw-commit");
	} else {
		printf("Success committing firmware action:%d slot:%d", action, slot);
		if (action == 6 || action == 7)
			printf(" bpid:%d", bpid);
		printf("\n");
	}
	if (!ret) {
		printf("Multiple Update Detected (MUD) Value: %u\n", cqe.cdw0);
		if (cqe.cdw0 & 1)
			printf("Detected an overlapping firmware/boot partition image update command "
			       "sequence due to processing a command from a Management Endpoint");
		if (cqe.cdw0 >> 1 & 1)
			printf("Detected an overlapping firmware/boot partition image update command "
			       "sequence due to processing a command from an Admin SQ on a "
			       "controller");
	}
	nvfio_ctrl_close(ctrl);
	return ret;
}

int cli_create_ns(int argc, char **argv)
{
	static const struct cli_usage u = {
		"create-ns", "DEVICE --nsze BLOCKS --ncap BLOCKS [OPTIONS]",
		"Namespace Management, create: a namespace of --nsze blocks in LBA format --flbas "
		"(or the one with --block-size bytes); attach it with 'nvfio attach-ns'."
	};
	uint64_t nsze = 0, ncap = 0, bs = 0;
	uint8_t flbas = 0, dps = 0, nmic = 0, csi = 0;
	uint32_t anagrpid = 0, timeout = 120000;
	uint16_t nvmsetid = 0;
	bool flbas_given = false;
	const struct cli_opt opts[] = {
		CLI_UINT("nsze", 's', &nsze, "BLOCKS", "size"),
		CLI_UINT("ncap", 'c', &ncap, "BLOCKS", "capacity"),
		CLI_UINT_G("flbas", 'f', &flbas, "FLBAS", "formatted LBA size (the format index)",
			   &flbas_given),
		CLI_UINT("dps", 'd', &dps, "DPS", "data protection settings"),
		CLI_UINT("nmic", 'm', &nmic, "NMIC", "1: shared between controllers"),
		CLI_UINT("anagrp-id", 'a', &anagrpid, "ID", "ANA group"),
		CLI_UINT("nvmset-id", 'i', &nvmsetid, "ID", "NVM set"),
		CLI_UINT("block-size", 'b', &bs, "BYTES", "the LBA format with this block size"),
		CLI_UINT("timeout", 't', &timeout, "MS", "deadline (default 120000)"),
		CLI_UINT("csi", 'y', &csi, "CSI", "command set"),
		CLI_END,
	};
	struct nvme_id_ns ns;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	uint32_t nsid;
	int ret = open_for(argc, argv, &u, opts, &dev), i;

	if (ret)
		return ret < 0 ? 0 : ret;
	if (flbas_given && bs) {
		cli_err("create-ns: give --flbas or --block-size, not both");
		return EINVAL;
	}
	if (!nsze || !ncap) {
		cli_err("create-ns: give the size with --nsze and the capacity with --ncap (blocks)");
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	if (bs) {
		ret = cli_identify(ctrl, NVME_IDENTIFY_CNS_NS, NVME_NSID_ALL, 0, 0, &ns,
				   "identify namespace");
		if (ret)
			goto out;
		for (i = 0; i <= ns.nlbaf && i < 64; i++)
			if ((1ull << ns.lbaf[i].ds) == bs && !ns.lbaf[i].ms)
				break;
		if (i > ns.nlbaf || i == 64) {
			cli_err("create-ns: the controller has no LBA format of %llu-byte blocks "
				"without metadata",
				(unsigned long long)bs);
			ret = EINVAL;
			goto out;
		}
		flbas = (uint8_t)((i & 0xf) | (i >> 4) << 5);
	}
	memset(&ns, 0, sizeof(ns));
	ns.nsze = htole64(nsze);
	ns.ncap = htole64(ncap);
	ns.flbas = flbas;
	ns.dps = dps;
	ns.nmic = nmic;
	ns.anagrpid = htole32(anagrpid);
	ns.nvmsetid = htole16(nvmsetid);
	{
		struct nvfio_cmd cmd = { .opcode = nvme_admin_ns_mgmt, .cdw10 = NVME_NS_MGMT_SEL_CREATE,
					 .cdw11 = (uint32_t)csi << 24 };

		ret = admin(ctrl, &cmd, &ns, sizeof(ns), &nsid, timeout, "create namespace");
	}
	if (!ret)
		printf("create-ns: Success, created nsid:%u\n", nsid);
out:
	nvfio_ctrl_close(ctrl);
	return ret;
}

int cli_delete_ns(int argc, char **argv)
{
	static const struct cli_usage u = {
		"delete-ns", "DEVICE -n NSID [OPTIONS]",
		"Namespace Management, delete: namespace NSID (0xffffffff: all) and its data."
	};
	uint32_t nsid = 0, timeout = 120000;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "the namespace"),
		CLI_UINT("timeout", 't', &timeout, "MS", "deadline (default 120000)"),
		CLI_END,
	};
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = open_for(argc, argv, &u, opts, &dev);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (!nsid) {
		cli_err("delete-ns: give the namespace with -n (0xffffffff deletes all)");
		return EINVAL;
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	{
		struct nvfio_cmd cmd = { .opcode = nvme_admin_ns_mgmt, .nsid = nsid,
					 .cdw10 = NVME_NS_MGMT_SEL_DELETE };

		ret = admin(ctrl, &cmd, NULL, 0, NULL, timeout, "delete namespace");
	}
	if (!ret)
		printf("delete-ns: Success, deleted nsid:%u\n", nsid);
	nvfio_ctrl_close(ctrl);
	return ret;
}

static int attach(int argc, char **argv, bool on)
{
	const struct cli_usage u = {
		on ? "attach-ns" : "detach-ns", "DEVICE -n NSID [-c IDS]",
		on ? "Namespace Attachment: attach namespace NSID to the controllers listed (default: "
		     "this one)."
		   : "Namespace Attachment: detach namespace NSID from the controllers listed "
		     "(default: this one)."
	};
	uint32_t nsid = 0;
	const char *ctrls = NULL;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "the namespace"),
		CLI_STR("controllers", 'c', &ctrls, "IDS", "comma-separated controller ids"),
		CLI_END,
	};
	struct nvme_ctrl_list list;
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	uint64_t ids[2047];
	int n = 0, ret = open_for(argc, argv, &u, opts, &dev), i;

	if (ret)
		return ret < 0 ? 0 : ret;
	if (!nsid) {
		cli_err("%s: give the namespace with -n", u.cmd);
		return EINVAL;
	}
	if (ctrls) {
		n = cli_parse_list(ctrls, ids, 2047);
		for (i = 0; i < n; i++)
			if (ids[i] > 0xffff)
				n = -1;
		if (n < 0) {
			cli_err("%s: '%s' is not a comma-separated list of controller ids", u.cmd,
				ctrls);
			return EINVAL;
		}
	}
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	if (!ctrls) {
		ids[0] = nvfio_ctrl_get_info(ctrl)->cntlid;
		n = 1;
	}
	memset(&list, 0, sizeof(list));
	list.num = htole16((uint16_t)n);
	for (i = 0; i < n; i++)
		list.identifier[i] = htole16((uint16_t)ids[i]);
	{
		struct nvfio_cmd cmd = { .opcode = nvme_admin_ns_attach, .nsid = nsid,
					 .cdw10 = on ? NVME_NS_ATTACH_SEL_CTRL_ATTACH
						     : NVME_NS_ATTACH_SEL_CTRL_DEATTACH };

		ret = admin(ctrl, &cmd, &list, sizeof(list), NULL, 0, u.cmd);
	}
	if (!ret)
		printf("%s: Success, nsid:%u\n", u.cmd, nsid);
	nvfio_ctrl_close(ctrl);
	return ret;
}

int cli_attach_ns(int argc, char **argv)
{
	return attach(argc, argv, true);
}

int cli_detach_ns(int argc, char **argv)
{
	return attach(argc, argv, false);
}

int cli_reset(int argc, char **argv)
{
	static const struct cli_usage u = {
		"reset", "DEVICE",
		"Controller reset: open the controller, reset it (disable, then bring the admin "
		"queue, I/O queues, shadow doorbells and namespaces back), then shut it down as "
		"every nvfio command does at its end."
	};
	const struct cli_opt opts[] = { CLI_END };
	struct nvfio_ctrl *ctrl;
	char *dev = NULL;
	int ret = open_for(argc, argv, &u, opts, &dev);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = cli_dev_open(dev, 0, &ctrl);
	if (ret)
		return ret;
	ret = nvfio_ctrl_reset(ctrl);
	if (ret) {
		cli_err("reset: %s", nvfio_last_error());
		nvfio_ctrl_close(ctrl);
		return cli_exit_errno(ret);
	}
	ret = nvfio_ctrl_close(ctrl);
	if (ret) {
		cli_err("reset: %s", nvfio_last_error());
		return cli_exit_errno(ret);
	}
	return 0;
}
