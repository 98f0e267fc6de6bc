// SPDX-License-Identifier: BSD-3-Clause
/*
 * The nvfio tool's printers (tools/cli/print.h) on data a controller may return that the fuzz
 * targets found them wrong on: a descriptor list whose CSI descriptor (1 byte long) puts the next
 * descriptor at an odd offset, and LBA formats whose block size is past an int (2^31 to 2^255).
 */
#include <endian.h>
#include <unistd.h>

#include "common/test.h"
#include "print.h"

/* What @print writes to stdout, as a string the caller frees. */
static char *capture(void (*print)(const void *arg), const void *arg)
{
	char path[] = "/tmp/nvfio-print-XXXXXX", *text;
	int fd = mkstemp(path), saved = dup(STDOUT_FILENO);

	CHECK(fd >= 0 && saved >= 0);
	fflush(stdout);
	CHECK(dup2(fd, STDOUT_FILENO) == STDOUT_FILENO);
	print(arg);
	fflush(stdout);
	CHECK(dup2(saved, STDOUT_FILENO) == STDOUT_FILENO);
	close(saved);
	close(fd);
	text = t_read_file(path);
	unlink(path);
	CHECK(text);
	return text;
}

static void descs(const void *buf)
{
	const struct cli_out o = {.fmt = CLI_FMT_NORMAL};

	cli_print_ns_descs(buf, 1, &o);
}

static void descs_json(const void *buf)
{
	const struct cli_out o = {.fmt = CLI_FMT_JSON};

	cli_print_ns_descs(buf, 1, &o);
}

static void id_ns_human(const void *ns)
{
	const struct cli_out o = {.fmt = CLI_FMT_NORMAL, .human = true};

	cli_print_id_ns(ns, 1, &o, false);
}

int main(void)
{
	static uint8_t buf[NVME_IDENTIFY_DATA_SIZE];
	static struct nvme_id_ns ns;
	char *out;
	int i;

	/* CSI (type 4, length 1) at 0, then a UUID at offset 5. */
	buf[0] = NVME_NIDT_CSI, buf[1] = 1, buf[4] = 2;
	buf[5] = NVME_NIDT_UUID, buf[6] = 16;
	for (i = 0; i < 16; i++)
		buf[9 + i] = (uint8_t)(0x10 + i);
	out = capture(descs, buf);
	CHECK(strstr(out, "csi     : 0x2\n"));
	CHECK(strstr(out, "uuid    : 10111213-1415-1617-1819-1a1b1c1d1e1f\n"));
	free(out);
	out = capture(descs_json, buf);
	CHECK(strstr(out, "\"loc\":5") && strstr(out, "\"nidt\":3"));
	free(out);

	/* Block sizes of 2^9, 2^30, 2^31 and 2^255. */
	ns.nsze = htole64(8);
	ns.nlbaf = 3;
	ns.lbaf[0].ds = 9;
	ns.lbaf[1].ds = 30;
	ns.lbaf[2].ds = 31;
	ns.lbaf[3].ds = 255;
	out = capture(id_ns_human, &ns);
	CHECK(strstr(out, "LBA Format  0 : Metadata Size: 0   bytes - Data Size: 512 bytes"));
	CHECK(strstr(out, "Data Size: 1073741824 bytes"));
	CHECK(strstr(out, "Data Size: 2^31 bytes") && strstr(out, "Data Size: 2^255 bytes"));
	free(out);

	printf("printers: descriptors at odd offsets, block sizes past an int\n");
	return T_EXIT_PASS;
}
