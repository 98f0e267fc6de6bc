// SPDX-License-Identifier: BSD-3-Clause
/* I/O commands: read, write, compare, flush, write-zeroes, dsm, with nvme-cli's options. */
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

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* read, write and compare: one command of --block-count + 1 blocks at --start-block. */
static int rw(int argc, char **argv, uint8_t opcode, const char *name, const char *desc)
{
	const struct cli_usage u = { name, "DEVICE -s LBA -c N -z BYTES [OPTIONS]", desc };
	uint32_t nsid = 0;
	uint64_t slba = 0, data_size = 0, meta_size = 0, reftag = 0, stag = 0;
	uint16_t nlb = 0, apptag = 0, appmask = 0, dspec = 0;
	uint8_t prinfo = 0, dtype = 0, dsm = 0;
	const char *data = NULL, *meta = NULL;
	bool lr = false, fua = false, stc = false, show = false, dry = false, lat = false,
	     force = false;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "namespace (default: the only one)"),
		CLI_UINT("start-block", 's', &slba, "LBA", "first block"),
		CLI_UINT("block-count", 'c', &nlb, "N", "blocks, 0's based"),
		CLI_UINT("data-size", 'z', &data_size, "BYTES", "size of the data"),
		CLI_UINT("metadata-size", 'y', &meta_size, "BYTES", "size of separate metadata"),
		CLI_UINT("ref-tag", 'r', &reftag, "TAG", "reference tag (protection information)"),
		CLI_STR("data", 'd', &data, "FILE", "data file (default: stdin or stdout)"),
		CLI_STR("metadata", 'M', &meta, "FILE", "metadata file"),
		CLI_UINT("prinfo", 'p', &prinfo, "PRINFO", "protection information action and checks"),
		CLI_UINT("app-tag-mask", 'm', &appmask, "MASK", "application tag mask"),
		CLI_UINT("app-tag", 'a', &apptag, "TAG", "application tag"),
		CLI_UINT("storage-tag", 'g', &stag, "TAG", "storage tag"),
		CLI_FLAG("limited-retry", 'l', &lr, "limited retry"),
		CLI_FLAG("force-unit-access", 'f', &fua, "force unit access"),
		CLI_FLAG("storage-tag-check", 'C', &stc, "check the storage tag"),
		CLI_UINT("dir-type", 'T', &dtype, "TYPE", "directive type"),
		CLI_UINT("dir-spec", 'S', &dspec, "SPEC", "directive specific"),
		CLI_UINT("dsm", 'D', &dsm, "DSM", "dataset management attributes"),
		CLI_FLAG("show-command", 'v', &show, "print the command"),
		CLI_FLAG("dry-run", 'w', &dry, "print the command, do not send it"),
		CLI_FLAG("latency", 't', &lat, "print the command's latency"),
		CLI_FLAG("force", 0, &force, "accepted for nvme-cli's sake"),
		CLI_END,
	};
	const struct nvfio_ns_info *ni;
	struct nvfio_ns *ns;
	struct nvfio_cqe cqe;
	struct cli_io io;
	char *dev = NULL;
	size_t len, mlen;
	uint64_t t0;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (!data_size) {
		cli_err("%s: give the data size with -z", name);
		return EINVAL;
	}
	if (prinfo > 0xf || dtype > 0xf) {
		cli_err("%s: --prinfo and --dir-type go up to 15", name);
		return EINVAL;
	}
	ret = cli_io_open(&io, dev);
	if (ret)
		return ret;
	nsid = cli_default_nsid(io.ctrl, nsid, name);
	ns = nsid ? nvfio_ctrl_ns(io.ctrl, nsid) : NULL;
	if (!ns) {
		if (nsid)
			cli_err("%s: namespace %u is not active ('nvfio list-ns %s')", name, nsid, dev);
		ret = EINVAL;
		goto out;
	}
	ni = nvfio_ns_get_info(ns);
	len = ((size_t)nlb + 1) * ni->block_size;
	if (data_size < len)
		fprintf(stderr, "Rounding data size to fit block count (%zu bytes)\n", len);
	else
		len = data_size;
	mlen = meta_size;
	if (meta_size && meta_size < ((size_t)nlb + 1) * ni->meta_size) {
		mlen = ((size_t)nlb + 1) * ni->meta_size;
		fprintf(stderr, "Rounding metadata size to fit block count (%zu bytes)\n", mlen);
	}
	if (len > nvfio_ctrl_get_info(io.ctrl)->max_xfer) {
		cli_err("%s: %zu bytes is more than the controller takes in one command (%u)", name,
			len, nvfio_ctrl_get_info(io.ctrl)->max_xfer);
		ret = EINVAL;
		goto out;
	}
	ret = cli_io_alloc(&io, len, mlen);
	if (ret)
		goto out;
	if (opcode != nvme_cmd_read) {
		ret = cli_read_file(data, io.data, data_size < len ? data_size : len, name);
		if (!ret && mlen)
			ret = cli_read_file(meta, io.meta, mlen, name);
		if (ret)
			goto out;
	}
	{
		struct nvfio_cmd cmd = {
			.opcode = opcode,
			.nsid = nsid,
			.cdw10 = (uint32_t)slba,
			.cdw11 = (uint32_t)(slba >> 32),
			.cdw12 = nlb | (uint32_t)dtype << 20 | (uint32_t)stc << 24 |
				 (uint32_t)prinfo << 26 | (uint32_t)fua << 30 | (uint32_t)lr << 31,
			.cdw13 = dsm | (uint32_t)dspec << 16,
			.cdw14 = (uint32_t)reftag,
			.cdw15 = apptag | (uint32_t)appmask << 16,
		};

		if (show || dry) {
			printf("opcode       : %02x\n", opcode);
			printf("nsid         : %02x\n", nsid);
			printf("flags        : %02x\n", 0);
			printf("control      : %04x\n", cmd.cdw12 >> 16);
			printf("nblocks      : %04x\n", nlb);
			printf("slba         : %llx\n", (unsigned long long)slba);
			printf("dsmgmt       : %08x\n", cmd.cdw13);
			printf("reftag       : %llx\n", (unsigned long long)reftag);
			printf("apptag       : %04x\n", apptag);
			printf("appmask      : %04x\n", appmask);
		}
		if (dry)
			goto out;
		t0 = now_us();
		ret = cli_io_run(&io, &cmd, &cqe, name);
		if (lat)
			printf(" latency: %s: %llu us\n", name,
			       (unsigned long long)(now_us() - t0));
	}
	if (!ret && opcode == nvme_cmd_read) {
		ret = cli_write_file(data, io.data, data_size, name);
		if (!ret && mlen && meta)
			ret = cli_write_file(meta, io.meta, mlen, name);
	}
	if (!ret)
		fprintf(stderr, "%s: Success\n", name);
out:
	cli_io_close(&io);
	return ret;
}

int cli_read(int argc, char **argv)
{
	return rw(argc, argv, nvme_cmd_read, "read",
		  "Read: blocks of a namespace to a file (or standard output).");
}

int cli_write(int argc, char **argv)
{
	return rw(argc, argv, nvme_cmd_write, "write",
		  "Write: blocks of a namespace from a file (or standard input).");
}

int cli_compare(int argc, char **argv)
{
	return rw(argc, argv, nvme_cmd_compare, "compare",
		  "Compare: blocks of a namespace against a file (or standard input); a "
		  "difference fails with Compare Failure.");
}

/* Open, choose the namespace, run one command without data: the exit status. */
static int simple(const char *dev, uint32_t nsid, struct nvfio_cmd *cmd, void *buf, size_t len,
		  const char *name, const char *ok)
{
	struct nvfio_cqe cqe;
	struct cli_io io;
	int ret = cli_io_open(&io, dev);

	if (ret)
		return ret;
	cmd->nsid = cli_default_nsid(io.ctrl, nsid, name);
	if (!cmd->nsid) {
		ret = EINVAL;
		goto out;
	}
	if (len) {
		ret = cli_io_alloc(&io, len, 0);
		if (ret)
			goto out;
		memcpy(io.data, buf, len);
	}
	ret = cli_io_run(&io, cmd, &cqe, name);
	if (!ret)
		printf("%s\n", ok);
out:
	cli_io_close(&io);
	return ret;
}

int cli_flush(int argc, char **argv)
{
	static const struct cli_usage u = {
		"flush", "DEVICE [-n NSID]",
		"Flush: commit the namespace's volatile write cache to media."
	};
	uint32_t nsid = 0;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "namespace (default: the only one)"),
		CLI_END,
	};
	struct nvfio_cmd cmd = { .opcode = nvme_cmd_flush };
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	return simple(dev, nsid, &cmd, NULL, 0, "flush", "NVMe Flush: success");
}

int cli_write_zeroes(int argc, char **argv)
{
	static const struct cli_usage u = {
		"write-zeroes", "DEVICE -s LBA -c N [OPTIONS]",
		"Write Zeroes: --block-count + 1 blocks at --start-block read back as zeros."
	};
	uint32_t nsid = 0;
	uint64_t slba = 0, reftag = 0, stag = 0;
	uint16_t nlb = 0, apptag = 0, appmask = 0;
	uint8_t prinfo = 0;
	bool deac = false, lr = false, fua = false, stc = false;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "namespace (default: the only one)"),
		CLI_UINT("start-block", 's', &slba, "LBA", "first block"),
		CLI_UINT("block-count", 'c', &nlb, "N", "blocks, 0's based"),
		CLI_FLAG("deac", 'd', &deac, "deallocate"),
		CLI_FLAG("limited-retry", 'l', &lr, "limited retry"),
		CLI_FLAG("force-unit-access", 'f', &fua, "force unit access"),
		CLI_UINT("prinfo", 'p', &prinfo, "PRINFO", "protection information"),
		CLI_UINT("ref-tag", 'r', &reftag, "TAG", "reference tag"),
		CLI_UINT("app-tag-mask", 'm', &appmask, "MASK", "application tag mask"),
		CLI_UINT("app-tag", 'a', &apptag, "TAG", "application tag"),
		CLI_UINT("storage-tag", 'S', &stag, "TAG", "storage tag"),
		CLI_FLAG("storage-tag-check", 'C', &stc, "check the storage tag"),
		CLI_END,
	};
	char *dev = NULL;
	int n, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);
	struct nvfio_cmd cmd = {
		.opcode = nvme_cmd_write_zeroes,
		.cdw10 = (uint32_t)slba,
		.cdw11 = (uint32_t)(slba >> 32),
		.cdw12 = nlb | (uint32_t)stc << 24 | (uint32_t)deac << 25 |
			 (uint32_t)(prinfo & 0xf) << 26 | (uint32_t)fua << 30 | (uint32_t)lr << 31,
		.cdw14 = (uint32_t)reftag,
		.cdw15 = apptag | (uint32_t)appmask << 16,
	};

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	if (prinfo > 0xf) {
		cli_err("write-zeroes: --prinfo goes up to 15");
		return EINVAL;
	}
	return simple(dev, nsid, &cmd, NULL, 0, "write-zeroes", "NVME Write Zeroes Success");
}

int cli_dsm(int argc, char **argv)
{
	static const struct cli_usage u = {
		"dsm", "DEVICE --slbs LBAS --blocks COUNTS [OPTIONS]",
		"Dataset Management: up to 256 ranges (comma-separated starting blocks, block "
		"counts and context attributes), deallocated with --ad."
	};
	uint32_t nsid = 0, cdw11 = 0;
	const char *attrs = NULL, *blocks = NULL, *slbs = NULL;
	bool ad = false, idw = false, idr = false;
	const struct cli_opt opts[] = {
		CLI_UINT("namespace-id", 'n', &nsid, "NSID", "namespace (default: the only one)"),
		CLI_STR("ctx-attrs", 'a', &attrs, "LIST", "context attributes of each range"),
		CLI_STR("blocks", 'b', &blocks, "LIST", "blocks of each range"),
		CLI_STR("slbs", 's', &slbs, "LIST", "first block of each range"),
		CLI_FLAG("ad", 'd', &ad, "attribute deallocate"),
		CLI_FLAG("idw", 'w', &idw, "attribute integral dataset for write"),
		CLI_FLAG("idr", 'r', &idr, "attribute integral dataset for read"),
		CLI_UINT("cdw11", 'c', &cdw11, "DW", "the attributes as dword 11"),
		CLI_END,
	};
	static uint64_t ca[256], nb[256], sl[256];
	struct nvme_dsm_range r[256];
	char *dev = NULL;
	int n, nc, nbk, ns, nr, i, ret = cli_parse(argc, argv, &u, opts, &dev, 1, &n);
	struct nvfio_cmd cmd = { .opcode = nvme_cmd_dsm };

	if (ret)
		return ret > 0 ? 0 : EINVAL;
	nc = cli_parse_list(attrs, ca, 256);
	nbk = cli_parse_list(blocks, nb, 256);
	ns = cli_parse_list(slbs, sl, 256);
	if (nc < 0 || nbk < 0 || ns < 0) {
		cli_err("dsm: --ctx-attrs, --blocks and --slbs are comma-separated numbers, at most "
			"256 each");
		return EINVAL;
	}
	nr = nc > nbk ? nc : nbk;
	nr = ns > nr ? ns : nr;
	if (!nr) {
		cli_err("dsm: no range given (--slbs and --blocks)");
		return EINVAL;
	}
	memset(r, 0, sizeof(r));
	for (i = 0; i < nr; i++) {
		if (nb[i] > UINT32_MAX || ca[i] > UINT32_MAX) {
			cli_err("dsm: range %d: a count or attribute above 32 bits", i);
			return EINVAL;
		}
		r[i].cattr = htole32((uint32_t)(i < nc ? ca[i] : 0));
		r[i].nlb = htole32((uint32_t)(i < nbk ? nb[i] : 0));
		r[i].slba = htole64(i < ns ? sl[i] : 0);
	}
	cmd.cdw10 = (uint32_t)nr - 1;
	cmd.cdw11 = cdw11 ? cdw11 : (uint32_t)ad << 2 | (uint32_t)idw << 1 | idr;
	return simple(dev, nsid, &cmd, r, (size_t)nr * sizeof(r[0]), "dsm", "NVMe DSM: success");
}
