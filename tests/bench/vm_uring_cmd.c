/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio-perf's io_uring_cmd engine (NVMe passthrough on the generic character device) against
 * the kernel's nvme driver in the test VM: random reads, then random writes verified with crc32c,
 * each checked by exit status and the JSON report. Usage: vm_uring_cmd PCI-ADDRESS (kernel mode).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"

#ifndef NVFIO_PERF
#error NVFIO_PERF must name the nvfio-perf binary
#endif

/* The first "key" : number in @text, or -1. */
static long long json_number(const char *text, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\" : ", key);
	p = strstr(text, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static void job(const char *dev, const char *name, const char *args, long long ios)
{
	char cmd[1024], out[128];
	char *json;
	int st;

	snprintf(out, sizeof(out), "%s.json", name);
	snprintf(cmd, sizeof(cmd),
		 "%s --name=%s --filename=%s --ioengine=io_uring_cmd --cmd_type=nvme --bs=4k "
		 "--iodepth=8 --output-format=json --output=%s %s",
		 NVFIO_PERF, name, dev, out, args);
	printf("$ %s\n", cmd);
	fflush(stdout);
	st = system(cmd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	json = t_read_file(out);
	CHECK(json);
	printf("%s: error %lld, total_ios %lld\n", name, json_number(json, "error"),
	       json_number(json, "total_ios"));
	CHECK(json_number(json, "error") == 0);
	if (ios >= 0)
		CHECK(json_number(json, "total_ios") == ios);
	free(json);
}

int main(int argc, char **argv)
{
	struct stat st;
	glob_t g;

	CHECK(argc == 2);
	CHECK(access(NVFIO_PERF, X_OK) == 0);
	/* The nvme driver probes asynchronously: give it a few seconds to make its nodes. */
	for (int i = 0; i < 100 && glob("/dev/ng*n1", 0, NULL, &g) != 0; i++)
		usleep(100000);
	CHECK(g.gl_pathc >= 1);
	CHECK(stat(g.gl_pathv[0], &st) == 0 && S_ISCHR(st.st_mode));
	printf("passthrough device %s of %s\n", g.gl_pathv[0], argv[1]);

	job(g.gl_pathv[0], "randread", "--rw=randread --size=8m --number_ios=2000", 2000);
	job(g.gl_pathv[0], "verify", "--rw=randwrite --size=4m --verify=crc32c", -1);
	globfree(&g);
	return T_EXIT_PASS;
}
