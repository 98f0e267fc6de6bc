// SPDX-License-Identifier: BSD-3-Clause
/*
 * The JSON report of a made-up run (no I/O): it parses as JSON and has fio's keys (checked by
 * check-json.py, given as the argument), strings are escaped, and the figures are the
 * histograms'. Also the normal report's shape.
 */

#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"
#include "options.h"
#include "report.h"

static struct nvb_job *fake_job(const struct nvb_opts *o, struct nvb_target *t, unsigned n,
				uint64_t base)
{
	struct nvb_job *job = aligned_alloc(64, (sizeof(*job) + 63) & ~(size_t)63);

	CHECK(job);
	memset(job, 0, sizeof(*job));
	job->o = o;
	job->t = t;
	job->bs = (uint32_t)o->bs[NVB_READ];
	job->tid = 1234;
	nvb_hist_reset(&job->lat[NVB_READ]);
	nvb_hist_reset(&job->lat[NVB_WRITE]);
	for (unsigned i = 0; i < n; i++)
		nvb_hist_add(&job->lat[NVB_READ], base + (i % 1000) * 10);
	nvb_hist_finish(&job->lat[NVB_READ]);
	nvb_hist_finish(&job->lat[NVB_WRITE]);
	job->runtime_ns = 2000000000ull;
	job->usr_ns = 500000000ull;
	job->sys_ns = 100000000ull;
	return job;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 20];
	size_t n;

	CHECK(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/nvb-json-XXXXXX";
	struct nvb_config cfg;
	struct nvb_target t = {.block_size = 512};
	struct nvb_job *jobs[2];
	struct nvb_run run = {0};
	char err[NVB_ERR_MAX], cmd[4096], *text;
	char *args[] = {"nvfio-perf",
			"--name=quote\"and\\back",
			"--filename=/tmp/x",
			"--rw=randread",
			"--bs=4k",
			"--iodepth=8",
			NULL};
	FILE *f;
	int fd, st;

	if (argc < 2)
		SKIP("give the path of check-json.py");
	CHECK_OK(nvb_parse_args(6, args, &cfg, err, sizeof(err)));
	snprintf(cfg.jobs[0].ioengine, sizeof(cfg.jobs[0].ioengine), "io_uring");
	snprintf(t.filename, sizeof(t.filename), "/tmp/x");
	snprintf(t.describe, sizeof(t.describe), "file");
	nvb_clock_init();

	jobs[0] = fake_job(&cfg.jobs[0], &t, 100000, 20000);
	jobs[1] = fake_job(&cfg.jobs[0], &t, 50000, 40000);
	run.sections = cfg.jobs;
	run.nsections = 1;
	run.jobs = jobs;
	run.njobs = 2;
	run.started = 1700000000;
	run.elapsed_ns = 2000000000ull;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	CHECK(f);
	nvb_report_json(f, &run);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 %s %s --expect-read --jobs=2", argv[1], path);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) == 127)
		SKIP("python3 is not installed");
	CHECK(WEXITSTATUS(st) == 0);
	text = slurp(path);
	/* fio's key spellings, and the name escaped. */
	CHECK(strstr(text, "\"fio version\" : \"nvfio-perf-"));
	CHECK(strstr(text, "\"99.000000\" : "));
	CHECK(strstr(text, "\"jobname\" : \"quote\\\"and\\\\back\""));
	CHECK(strstr(text, "\"total_ios\" : 100000"));
	CHECK(strstr(text, "\"total_ios\" : 50000"));
	/* IOPS: 100000 I/Os over 2 s. */
	CHECK(strstr(text, "\"iops\" : 50000.000000"));
	/* usr_cpu: 0.5 s of 2 s. */
	CHECK(strstr(text, "\"usr_cpu\" : 25.000000"));

	/* Merged with group_reporting: one job, both threads' I/Os. */
	cfg.jobs[0].group_reporting = true;
	f = fopen(path, "w");
	CHECK(f);
	nvb_report_json(f, &run);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 %s %s --expect-read --jobs=1", argv[1], path);
	CHECK(system(cmd) == 0);
	text = slurp(path);
	CHECK(strstr(text, "\"total_ios\" : 150000"));
	cfg.jobs[0].group_reporting = false;

	/* The normal report: fio's lines. */
	f = fopen(path, "w");
	CHECK(f);
	nvb_report_normal(f, &run);
	fclose(f);
	text = slurp(path);
	CHECK(strstr(text, "(groupid=0, jobs=1): err= 0: pid=1234"));
	CHECK(strstr(text, "  read: IOPS=50.0k, BW=195MiB/s (205MB/s)"));
	CHECK(strstr(text, "    clat percentiles ("));
	CHECK(strstr(text, "     |  1.00th=["));
	CHECK(strstr(text, "99.99th=["));
	CHECK(strstr(text, "Run status group 0 (all jobs):"));
	CHECK(strstr(text, "   READ: bw="));
	CHECK(strstr(text, "  cpu          : usr=25.00%, sys=5.00%"));
	CHECK(!strstr(text, "write:"));

	unlink(path);
	free(jobs[0]);
	free(jobs[1]);
	nvb_config_free(&cfg);
	printf("json: all checks passed\n");
	return T_EXIT_PASS;
}
