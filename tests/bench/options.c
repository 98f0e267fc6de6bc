// SPDX-License-Identifier: BSD-3-Clause
/*
 * nvfio-perf's options: every option parsed from the command line and from job files, fio's
 * suffixes, precedence, and bad values refused with a message that names the option and what
 * it accepts.
 */

#include <errno.h>
#include <stdarg.h>

#include <sys/stat.h>
#include <unistd.h>

#include "common/test.h"
#include "support/compiler.h"
#include "engine.h"
#include "options.h"

static char err[NVB_ERR_MAX];

/* Parse a command line given as a NULL-terminated list of arguments. */
static int parse(struct nvb_config *cfg, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "nvfio-perf";
	va_start(ap, cfg);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return nvb_parse_args(argc, argv, cfg, err, sizeof(err));
}

/* The parse must fail, and its message must contain every one of the given words. */
static void refused(int line, int r, ...)
{
	va_list ap;

	if (r != -EINVAL) {
		fprintf(stderr, "line %d: expected -EINVAL, got %d\n", line, r);
		exit(T_EXIT_FAIL);
	}
	va_start(ap, r);
	for (const char *w; (w = va_arg(ap, const char *)) != NULL;) {
		if (!strstr(err, w)) {
			fprintf(stderr, "line %d: message \"%s\" lacks \"%s\"\n", line, err, w);
			exit(T_EXIT_FAIL);
		}
	}
	va_end(ap);
}

#define REFUSED(r, ...) refused(__LINE__, r, __VA_ARGS__, NULL)

/* @r is @want (not -EINVAL) and the message has the words. */
#define REFUSED_ERR(r, want, ...)                                                                  \
	do {                                                                                       \
		int r_ = (r);                                                                      \
		CHECK(r_ == (want));                                                               \
		refused(__LINE__, -EINVAL, __VA_ARGS__, NULL);                                     \
	} while (0)

static void test_sizes(void)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
	    {"0", 0},
	    {"512", 512},
	    {"4k", 4096},
	    {"4K", 4096},
	    {"4kb", 4096},
	    {"4KB", 4096},
	    {"1m", 1ull << 20},
	    {"1M", 1ull << 20},
	    {"1g", 1ull << 30},
	    {"2t", 2ull << 40},
	    {"1p", 1ull << 50},
	    {"0x1000", 4096},
	    {"4ki", 4000}, /* fio's kb_base=1024: the IEC prefix means 1000 */
	    {"4KiB", 4000},
	    {"8b", 8},
	    {"8B", 8},
	    {"010M", 10ull << 20}, /* decimal, leading zeros and all: not octal */
	    {"0010", 10},
	    {"0x10", 16},
	};
	static const char *const bad[] = {"",	  "k",	 "abc",	  "4x", "-1",
					  "1.5g", "4kk", "4 k b", "0x", "4kib2"};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		if (nvb_parse_size(good[i].s, &v) || v != good[i].v) {
			fprintf(stderr, "size %s: got %llu, expected %llu\n", good[i].s,
				(unsigned long long)v, (unsigned long long)good[i].v);
			exit(T_EXIT_FAIL);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (nvb_parse_size(bad[i], &v) == 0) {
			fprintf(stderr, "size '%s' accepted as %llu\n", bad[i],
				(unsigned long long)v);
			exit(T_EXIT_FAIL);
		}
	}
	CHECK(nvb_parse_size("99999999999999999999", &v) == -ERANGE);
	CHECK(nvb_parse_size("16384p", &v) == -ERANGE);
}

static void test_times(void)
{
	const uint64_t s = 1000000000ull;
	uint64_t v;

	CHECK(nvb_parse_time("10", s, &v) == 0 && v == 10 * s);
	CHECK(nvb_parse_time("10", 1000, &v) == 0 && v == 10000);
	CHECK(nvb_parse_time("500ms", s, &v) == 0 && v == 500000000ull);
	CHECK(nvb_parse_time("500msec", s, &v) == 0 && v == 500000000ull);
	CHECK(nvb_parse_time("100us", s, &v) == 0 && v == 100000ull);
	CHECK(nvb_parse_time("100usec", s, &v) == 0 && v == 100000ull);
	CHECK(nvb_parse_time("3s", s, &v) == 0 && v == 3 * s);
	CHECK(nvb_parse_time("3sec", s, &v) == 0 && v == 3 * s);
	CHECK(nvb_parse_time("2m", s, &v) == 0 && v == 120 * s);
	CHECK(nvb_parse_time("2min", s, &v) == 0 && v == 120 * s);
	CHECK(nvb_parse_time("1h", s, &v) == 0 && v == 3600 * s);
	CHECK(nvb_parse_time("1d", s, &v) == 0 && v == 86400 * s);
	CHECK(nvb_parse_time("1H", s, &v) == 0 && v == 3600 * s);
	CHECK(nvb_parse_time("ms", s, &v) == -EINVAL);
	CHECK(nvb_parse_time("10x", s, &v) == -EINVAL);
	CHECK(nvb_parse_time("1.5s", s, &v) == -EINVAL);
	CHECK(nvb_parse_time("-1", s, &v) == -EINVAL);
	CHECK(nvb_parse_time("999999999999d", s, &v) == -ERANGE);
}

static void test_cpus(void)
{
	cpu_set_t set;

	CHECK(nvb_parse_cpus("0-3,5", &set) == 0 && CPU_COUNT(&set) == 5 && CPU_ISSET(5, &set) &&
	      !CPU_ISSET(4, &set));
	CHECK(nvb_parse_cpus("7", &set) == 0 && CPU_COUNT(&set) == 1 && CPU_ISSET(7, &set));
	CHECK(nvb_parse_cpus("", &set) == -EINVAL);
	CHECK(nvb_parse_cpus("3-1", &set) == -EINVAL);
	CHECK(nvb_parse_cpus("a", &set) == -EINVAL);
	CHECK(nvb_parse_cpus("0,", &set) == -EINVAL);
	CHECK(nvb_parse_cpus("1-", &set) == -EINVAL);
	CHECK(nvb_parse_cpus("99999", &set) == -EINVAL);
}

/* Every option on the command line, each with a value other than its default. */
static void test_every_option(void)
{
	struct nvb_config cfg;
	const struct nvb_opts *o;

	/* Every option of the table is in one of the command lines below. */
	static const char *const covered =
	    "name filename ioengine rw rwmixread rwmixwrite bs bsrange bssplit iodepth "
	    "iodepth_batch_submit "
	    "numjobs cpus_allowed cpus_allowed_policy runtime time_based ramp_time size offset "
	    "norandommap number_ios verify exec_preverify randseed direct thread idle_yield "
	    "idle_calibrate group_reporting hipri sqthread_poll sqthread_poll_cpu fixedbufs "
	    "registerfiles nop cmd_type nsid shadow_doorbells reset_interval reset_retries "
	    "output-format output compare "
	    "compare_ioengine rounds "
	    "plot plot_qd eta clocksource help version ";

	for (int i = 0; i < nvb_opt_count(); i++) {
		char word[64];
		snprintf(word, sizeof(word), " %s ", nvb_opt_name(i));
		if (!strstr(covered, word) && strncmp(covered, word + 1, strlen(word + 1)) != 0) {
			fprintf(stderr, "option --%s has no test\n", nvb_opt_name(i));
			exit(T_EXIT_FAIL);
		}
	}
	CHECK_OK(parse(&cfg, "--name=all", "--filename=/dev/nvme0n1", "--ioengine=io_uring",
		       "--rw=randrw", "--rwmixread=70", "--bs=8k", "--iodepth=64",
		       "--iodepth_batch_submit=16", "--numjobs=3", "--cpus_allowed=0-1",
		       "--cpus_allowed_policy=split", "--runtime=10s", "--time_based",
		       "--ramp_time=2", "--size=1g", "--offset=4m", "--norandommap",
		       "--number_ios=1000", "--exec_preverify=true", "--randseed=42", "--direct=0",
		       "--thread", "--idle_yield", "--idle_calibrate=5", "--group_reporting",
		       "--hipri", "--sqthread_poll", "--sqthread_poll_cpu=1", "--fixedbufs",
		       "--registerfiles", "--nop", "--output-format=json", "--output=/tmp/x.json",
		       "--compare=sim:", "--compare_ioengine=nvfio", "--rounds=5", "--plot=x.svg",
		       "--plot_qd=1,4,16", "--eta=never", "--clocksource=cpu", NULL));
	CHECK(cfg.njobs == 1);
	o = &cfg.jobs[0];
	CHECK(strcmp(o->name, "all") == 0);
	CHECK(strcmp(o->filename, "/dev/nvme0n1") == 0);
	CHECK(strcmp(o->ioengine, "io_uring") == 0);
	CHECK(o->rw == NVB_RW_RANDRW && o->rwmixread == 70);
	CHECK(o->bs[0] == 8192 && o->iodepth == 64 && o->iodepth_batch_submit == 16);
	CHECK(o->numjobs == 3 && o->cpus_allowed_set && CPU_COUNT(&o->cpus_allowed) == 2);
	CHECK(o->cpus_allowed_policy == NVB_CPUS_SPLIT);
	CHECK(o->runtime_ns == 10000000000ull && o->time_based && o->ramp_time_ns == 2000000000ull);
	CHECK(o->size == 1ull << 30 && !o->size_pct && o->offset == 4ull << 20);
	CHECK(o->norandommap && o->number_ios == 1000);
	CHECK(strcmp(o->exec_preverify, "true") == 0 && o->randseed == 42);
	CHECK(!o->direct && o->idle_yield && o->idle_calibrate == 5 && o->group_reporting);
	CHECK(o->hipri && o->sqthread_poll && o->sqthread_poll_cpu == 1 && o->fixedbufs &&
	      o->registerfiles && o->nop);
	CHECK(cfg.prog.output_format == NVB_OUT_JSON);
	CHECK(strcmp(cfg.prog.output, "/tmp/x.json") == 0);
	CHECK(strcmp(cfg.prog.compare, "sim:") == 0 &&
	      strcmp(cfg.prog.compare_ioengine, "nvfio") == 0 && cfg.prog.rounds == 5);
	CHECK(strcmp(cfg.prog.plot, "x.svg") == 0 && cfg.prog.plot_nqd == 3 &&
	      cfg.prog.plot_qd[2] == 16);
	CHECK(cfg.prog.eta == NVB_ETA_NEVER);
	CHECK(cfg.prog.clocksource == NVB_CLOCK_CPU);
	/* The options as given, for the JSON "job options". */
	CHECK(memmem(o->given, o->given_len, "bs=8k", 6) != NULL);
	nvb_config_free(&cfg);

	/* The other forms and the remaining values. */
	CHECK_OK(parse(&cfg, "--filename", "f", "--bs", "16k", "--rwmixwrite=30", "--rw=rw",
		       "--size=50%", "--offset=10%", "--verify=crc32c", "--cmd_type=nvme",
		       "--ioengine=io_uring_cmd", "--nsid=2", "--readwrite=write",
		       "--shadow_doorbells=off", "--reset_interval=20", "--reset_retries=3", NULL));
	o = &cfg.jobs[0];
	CHECK(o->reset_interval_ns == 20000000 && o->reset_retries == 3);
	CHECK(strcmp(o->name, "nvfio-perf") == 0);
	CHECK(strcmp(o->filename, "f") == 0 && o->bs[0] == 16384 && o->rwmixread == 70);
	CHECK(o->rw == NVB_RW_WRITE); /* readwrite is rw's other name; the last one wins */
	CHECK(o->size_pct && o->size == 500000 && o->offset_pct && o->offset == 100000);
	CHECK(o->verify == NVB_VERIFY_CRC32C && o->cmd_type == NVB_CMD_NVME && o->nsid == 2);
	CHECK(!o->shadow_doorbells);
	nvb_config_free(&cfg);

	CHECK_OK(parse(&cfg, "--help", NULL));
	CHECK(cfg.prog.help);
	nvb_config_free(&cfg);
	CHECK_OK(parse(&cfg, "--version", NULL));
	CHECK(cfg.prog.version);
	nvb_config_free(&cfg);
	CHECK_OK(parse(&cfg, "--verify=none", "--direct=yes", "--time_based=off", NULL));
	CHECK(!cfg.jobs[0].verify && cfg.jobs[0].direct && !cfg.jobs[0].time_based);
	nvb_config_free(&cfg);
}

static void test_defaults(void)
{
	struct nvb_config cfg;
	const struct nvb_opts *o;

	CHECK_OK(parse(&cfg, "--filename=x", NULL));
	o = &cfg.jobs[0];
	CHECK(o->rw == NVB_RW_READ && o->bs[0] == 4096 && o->iodepth == 1 && o->numjobs == 1);
	CHECK(o->iodepth_batch_submit == 1 && o->rwmixread == 50 && o->direct);
	CHECK(o->shadow_doorbells && !o->reset_interval_ns && !o->reset_retries);
	CHECK(!o->time_based && !o->runtime_ns && !o->size && !o->offset && !o->verify);
	CHECK(cfg.prog.output_format == NVB_OUT_NORMAL && cfg.prog.rounds == 3);
	CHECK(cfg.prog.plot_nqd == 8 && cfg.prog.plot_qd[7] == 128);
	nvb_config_free(&cfg);
}

static void test_bad_values(void)
{
	struct nvb_config cfg;

	REFUSED(parse(&cfg, "--rw=randomread", NULL), "rw=randomread", "read, write, randread");
	REFUSED(parse(&cfg, "--ioengine=libaio", NULL), "ioengine=libaio", "nvfio, io_uring");
	REFUSED(parse(&cfg, "--bs=abc", NULL), "bs=abc", "not a size", "4k");
	REFUSED(parse(&cfg, "--bs=0", NULL), "bs=0", "out of range");
	REFUSED(parse(&cfg, "--bs=1g", NULL), "bs=1g", "out of range");
	REFUSED(parse(&cfg, "--iodepth=0", NULL), "iodepth=0", "1 to 65535");
	REFUSED(parse(&cfg, "--iodepth=x", NULL), "iodepth=x", "whole number");
	REFUSED(parse(&cfg, "--iodepth_batch_submit=-1", NULL), "iodepth_batch_submit");
	REFUSED(parse(&cfg, "--numjobs=0", NULL), "numjobs=0", "1 to 1024");
	REFUSED(parse(&cfg, "--rwmixread=101", NULL), "rwmixread=101", "0 to 100");
	REFUSED(parse(&cfg, "--rwmixwrite=200", NULL), "rwmixwrite=200");
	REFUSED(parse(&cfg, "--runtime=10x", NULL), "runtime=10x", "not a time", "ms");
	REFUSED(parse(&cfg, "--ramp_time=abc", NULL), "ramp_time=abc", "not a time");
	REFUSED(parse(&cfg, "--size=lots", NULL), "size=lots", "not a size", "50%");
	REFUSED(parse(&cfg, "--size=0", NULL), "size=0", "at least 1");
	REFUSED(parse(&cfg, "--size=150%", NULL), "size=150%", "percentage");
	REFUSED(parse(&cfg, "--offset=x%", NULL), "offset=x%", "percentage");
	REFUSED(parse(&cfg, "--number_ios=0", NULL), "number_ios=0");
	REFUSED(parse(&cfg, "--verify=md5", NULL), "verify=md5", "crc32c");
	REFUSED(parse(&cfg, "--cpus_allowed=3-1", NULL), "cpus_allowed=3-1", "CPU list");
	REFUSED(parse(&cfg, "--cpus_allowed_policy=all", NULL), "cpus_allowed_policy=all",
		"shared, split");
	REFUSED(parse(&cfg, "--direct=maybe", NULL), "direct=maybe", "not a boolean", "true");
	REFUSED(parse(&cfg, "--time_based=2", NULL), "time_based=2", "not a boolean");
	REFUSED(parse(&cfg, "--cmd_type=scsi", NULL), "cmd_type=scsi", "nvme");
	REFUSED(parse(&cfg, "--sqthread_poll_cpu=x", NULL), "sqthread_poll_cpu=x");
	REFUSED(parse(&cfg, "--nsid=0", NULL), "nsid=0");
	REFUSED(parse(&cfg, "--shadow_doorbells=some", NULL), "shadow_doorbells=some",
		"not a boolean");
	REFUSED(parse(&cfg, "--output-format=terse", NULL), "output-format=terse", "normal, json");
	REFUSED(parse(&cfg, "--rounds=0", NULL), "rounds=0", "1 to 1000");
	REFUSED(parse(&cfg, "--plot_qd=1,,4", NULL), "plot_qd", "queue depths");
	REFUSED(parse(&cfg, "--plot_qd=0", NULL), "plot_qd", "'0' is not a queue depth");
	REFUSED(parse(&cfg, "--eta=sometimes", NULL), "eta=sometimes", "auto, always, never");
	REFUSED(parse(&cfg, "--clocksource=hpet", NULL), "clocksource=hpet",
		"auto, cpu, clock_gettime");
	REFUSED(parse(&cfg, "--compare_ioengine=spdk", NULL), "compare_ioengine=spdk");
	REFUSED(parse(&cfg, "--filename=", NULL), "filename", "empty");
	REFUSED(parse(&cfg, "--bs", NULL), "--bs needs a value");
	REFUSED(parse(&cfg, "--iodepht=4", NULL), "iodepht", "did you mean 'iodepth'");
	REFUSED(parse(&cfg, "--frobnicate", NULL), "unknown option 'frobnicate'", "--help");
	REFUSED(parse(&cfg, "/nonexistent/job.fio", NULL), "job file /nonexistent/job.fio");
}

/* The three directions of a parsed job's --bs (reads, writes, trims). */
static bool bs_are(const struct nvb_opts *o, uint64_t r, uint64_t w, uint64_t t)
{
	return o->bs[0] == r && o->bs[1] == w && o->bs[2] == t;
}

/* Parse one option on the command line; its job is cfg->jobs[0]. */
static int parse1(struct nvb_config *cfg, const char *arg)
{
	return parse(cfg, arg, NULL);
}

/* --bs, --bsrange and --bssplit: fio's per-direction forms and their errors. */
static void test_block_sizes(void)
{
	struct nvb_config cfg;
	const struct nvb_opts *o;
	char many[NVB_BSSPLIT_MAX * 8 + 16];
	size_t n = 0;

	/* A value not ending in a comma applies to the directions after it; an empty one, or a
	 * missing one after a final comma, keeps the default. */
	static const struct {
		const char *arg;
		uint64_t r, w, t;
	} bs[] = {
	    {"--bs=256k", 262144, 262144, 262144},
	    {"--bs=8k,32k", 8192, 32768, 32768},
	    {"--bs=8k,32k,", 8192, 32768, 4096},
	    {"--bs=,8k", 4096, 8192, 8192},
	    {"--bs=,8k,", 4096, 8192, 4096},
	    {"--bs=8k,", 8192, 4096, 4096},
	    {"--blocksize=1k,2k,4k", 1024, 2048, 4096},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bs); i++) {
		CHECK_OK(parse1(&cfg, bs[i].arg));
		if (!bs_are(&cfg.jobs[0], bs[i].r, bs[i].w, bs[i].t)) {
			fprintf(stderr, "%s: %llu,%llu,%llu\n", bs[i].arg,
				(unsigned long long)cfg.jobs[0].bs[0],
				(unsigned long long)cfg.jobs[0].bs[1],
				(unsigned long long)cfg.jobs[0].bs[2]);
			exit(T_EXIT_FAIL);
		}
		nvb_config_free(&cfg);
	}

	CHECK_OK(parse1(&cfg, "--bsrange=1k-4k,2k:8k"));
	o = &cfg.jobs[0];
	CHECK(o->bsrange[0][0] == 1024 && o->bsrange[0][1] == 4096);
	CHECK(o->bsrange[1][0] == 2048 && o->bsrange[1][1] == 8192);
	CHECK(o->bsrange[2][0] == 2048 && o->bsrange[2][1] == 8192);
	CHECK(o->bssplit[0].n == 0 && bs_are(o, 4096, 4096, 4096));
	CHECK(memmem(o->given, o->given_len, "bsrange=1k-4k,2k:8k", 20) != NULL);
	nvb_config_free(&cfg);
	CHECK_OK(parse1(&cfg, "--blocksize_range=,4k-16k,"));
	o = &cfg.jobs[0];
	CHECK(o->bsrange[0][0] == 0 && o->bsrange[1][0] == 4096 && o->bsrange[1][1] == 16384 &&
	      o->bsrange[2][0] == 0);
	nvb_config_free(&cfg);

	/* fio's examples: shares given, and blanks sharing the rest equally. */
	CHECK_OK(parse1(&cfg, "--bssplit=4k/10:64k/50:32k/40"));
	o = &cfg.jobs[0];
	CHECK(o->bssplit[0].n == 3 && o->bssplit[2].n == 3);
	CHECK(o->bssplit[0].bs[0] == 4096 && o->bssplit[0].ppm[0] == 100000);
	CHECK(o->bssplit[0].bs[1] == 65536 && o->bssplit[0].ppm[1] == 500000);
	CHECK(o->bssplit[0].bs[2] == 32768 && o->bssplit[0].ppm[2] == 400000);
	nvb_config_free(&cfg);
	CHECK_OK(parse1(&cfg, "--bssplit=4k/50:1k/:32k/"));
	o = &cfg.jobs[0];
	CHECK(o->bssplit[1].n == 3 && o->bssplit[1].ppm[0] == 500000 &&
	      o->bssplit[1].ppm[1] == 250000 && o->bssplit[1].ppm[2] == 250000);
	nvb_config_free(&cfg);
	CHECK_OK(parse1(&cfg, "--bssplit=2k/50:4k/50,4k/90:8k/10"));
	o = &cfg.jobs[0];
	CHECK(o->bssplit[0].n == 2 && o->bssplit[0].bs[0] == 2048 &&
	      o->bssplit[0].ppm[1] == 500000);
	CHECK(o->bssplit[1].n == 2 && o->bssplit[1].bs[1] == 8192 &&
	      o->bssplit[1].ppm[1] == 100000);
	nvb_config_free(&cfg);
	/* Blanks, the millionths that do not divide to the first; a bare size is a blank; a share
	 * may have decimals. */
	CHECK_OK(parse1(&cfg, "--bssplit=4k:8k/:16k,,12800/12.5:25600/87.5"));
	o = &cfg.jobs[0];
	CHECK(o->bssplit[0].ppm[0] == 333334 && o->bssplit[0].ppm[1] == 333333 &&
	      o->bssplit[0].ppm[2] == 333333);
	CHECK(o->bssplit[1].n == 0);
	CHECK(o->bssplit[2].n == 2 && o->bssplit[2].ppm[0] == 125000 &&
	      o->bssplit[2].bs[0] == 12800);
	nvb_config_free(&cfg);
	/* In a job file, as every option. */
	nvb_config_init(&cfg);
	CHECK_OK(nvb_parse_jobfile_text("[global]\nbsrange=4k-8k\n[j]\nbssplit = 4k/75:64k/25\n",
					"b.fio", &cfg, err, sizeof(err)));
	o = &cfg.jobs[0];
	CHECK(o->bsrange[0][1] == 8192 && o->bssplit[0].n == 2 && o->bssplit[0].ppm[0] == 750000);
	nvb_config_free(&cfg);

	/* Every error names the value and what to give instead. */
	REFUSED(parse1(&cfg, "--bs=4k,8k,16k,32k"), "bs=4k,8k,16k,32k", "more than three values",
		"READS[,WRITES[,TRIMS]]");
	REFUSED(parse1(&cfg, "--bs=4k,0"), "bs=4k,0", "'0' is out of range", "1 to");
	REFUSED(parse1(&cfg, "--bs=4k,4q"), "'4q' is not a size", "4k, 128k");
	REFUSED(parse1(&cfg, "--bsrange=4k"), "bsrange=4k", "not a range", "MIN-MAX");
	REFUSED(parse1(&cfg, "--bsrange=64k-4k"), "bsrange=64k-4k", "smallest size comes first",
		"(4k-64k)");
	REFUSED(parse1(&cfg, "--bsrange=4k-10k"), "10240 is not a multiple of 4096",
		"multiples of the smallest");
	REFUSED(parse1(&cfg, "--bsrange=0-4k"), "'0' is out of range");
	REFUSED(parse1(&cfg, "--bsrange=4k-1g"), "'1g' is out of range");
	REFUSED(parse1(&cfg, "--bsrange=4k-x"), "'x' is not a size");
	REFUSED(parse1(&cfg, "--bsrange=1-2-3"), "'2-3' is not a size");
	REFUSED(parse1(&cfg, "--bssplit=4k/60:8k/50"), "add up to 110%", "more than 100%");
	REFUSED(parse1(&cfg, "--bssplit=4k/50:8k/40"), "add up to 90%", "not 100%",
		"leave one blank");
	REFUSED(parse1(&cfg, "--bssplit=4k/100:8k/"), "leaving nothing for those left blank");
	REFUSED(parse1(&cfg, "--bssplit=4k/0:8k/"), "4k/0", "a percentage above 0",
		"leave it blank, 4k/");
	REFUSED(parse1(&cfg, "--bssplit=4k/101"), "4k/101", "at most 100");
	REFUSED(parse1(&cfg, "--bssplit=4k/x:8k/"), "4k/x", "a percentage");
	REFUSED(parse1(&cfg, "--bssplit=4k/-5:8k/"), "4k/-5", "a percentage");
	REFUSED(parse1(&cfg, "--bssplit=4k/50::8k/50"), "an empty entry", "SIZE/PCT:SIZE/PCT");
	REFUSED(parse1(&cfg, "--bssplit=4q/50:8k/50"), "'4q' is not a size");
	REFUSED(parse1(&cfg, "--bssplit=0/50:8k/50"), "'0' is out of range");
	REFUSED(parse1(&cfg, "--bssplit=4k/50:6k/50"), "6144 is not a multiple of 4096",
		"smallest size", "blockalign");
	REFUSED(parse1(&cfg, "--bssplit=4k/50:4k/50"), "4k is given twice");
	REFUSED(parse1(&cfg, "--bssplit=4k/50:8k/50,4k/50,1k/50,2k"), "more than three values");
	for (unsigned i = 0; i <= NVB_BSSPLIT_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s%uk",
				      i ? ":" : "--bssplit=", i + 1);
	REFUSED(parse1(&cfg, many), "more than 64 sizes for one direction");
	REFUSED(parse(&cfg, "--bssplit", NULL), "--bssplit needs a value");
	REFUSED(parse1(&cfg, "--bs="), "bs=: empty", "SIZE[,SIZE]");
	REFUSED(parse1(&cfg, "--bsrange="), "bsrange=: empty", "MIN-MAX");
	REFUSED(parse1(&cfg, "--bssplit=4k/50:64k/50:"), "an empty entry");
	/* A refused value leaves nothing behind: the job file's line is named. */
	nvb_config_init(&cfg);
	REFUSED(nvb_parse_jobfile_text("[j]\nbssplit=4k/50:8k\nbsrange=8k-4k\n", "b.fio", &cfg, err,
				       sizeof(err)),
		"b.fio:3:", "bsrange=8k-4k");
	nvb_config_free(&cfg);
}

static void test_name_sections(void)
{
	struct nvb_config cfg;

	/* Options before the first --name are global; each --name starts a job. */
	CHECK_OK(parse(&cfg, "--filename=g", "--bs=8k", "--name=a", "--rw=write", "--name=b",
		       "--bs=16k", "--filename=h", NULL));
	CHECK(cfg.njobs == 2);
	CHECK(strcmp(cfg.jobs[0].name, "a") == 0 && cfg.jobs[0].rw == NVB_RW_WRITE &&
	      cfg.jobs[0].bs[0] == 8192 && strcmp(cfg.jobs[0].filename, "g") == 0);
	CHECK(strcmp(cfg.jobs[1].name, "b") == 0 && cfg.jobs[1].rw == NVB_RW_READ &&
	      cfg.jobs[1].bs[0] == 16384 && strcmp(cfg.jobs[1].filename, "h") == 0);
	nvb_config_free(&cfg);
}

static void test_jobfile(void)
{
	static const char text[] = "; a fio job file\n"
				   "[global]\n"
				   "ioengine=io_uring\n"
				   "filename = /tmp/f\n"
				   "bs=8k\n"
				   "# comments both ways\n"
				   "time_based\n"
				   "runtime=5\n"
				   "\n"
				   "[reader]\n"
				   "rw=randread\n"
				   "iodepth=32\n"
				   "\n"
				   "[writer]\n"
				   "name=the-writer\n"
				   "rw=write\n"
				   "bs=64k\n"
				   "numjobs=2\n";
	struct nvb_config cfg;
	const struct nvb_opts *a, *b;

	nvb_config_init(&cfg);
	CHECK_OK(nvb_parse_jobfile_text(text, "job.fio", &cfg, err, sizeof(err)));
	CHECK(cfg.njobs == 2);
	a = &cfg.jobs[0];
	b = &cfg.jobs[1];
	CHECK(strcmp(a->name, "reader") == 0 && a->rw == NVB_RW_RANDREAD && a->iodepth == 32);
	CHECK(a->bs[0] == 8192 && a->time_based && a->runtime_ns == 5000000000ull);
	CHECK(strcmp(a->filename, "/tmp/f") == 0 && strcmp(a->ioengine, "io_uring") == 0);
	CHECK(strcmp(b->name, "the-writer") == 0 && b->rw == NVB_RW_WRITE && b->bs[0] == 65536);
	CHECK(b->numjobs == 2 && b->iodepth == 1 && b->time_based);
	nvb_config_free(&cfg);

	/* Errors name the file and line. */
	nvb_config_init(&cfg);
	REFUSED(
	    nvb_parse_jobfile_text("[j]\nbs=4k\niodepth=lots\n", "x.fio", &cfg, err, sizeof(err)),
	    "x.fio:3:", "iodepth=lots");
	nvb_config_free(&cfg);
	nvb_config_init(&cfg);
	REFUSED(nvb_parse_jobfile_text("bs=4k\n[j]\n", "x.fio", &cfg, err, sizeof(err)),
		"x.fio:1:", "outside a section");
	nvb_config_free(&cfg);
	nvb_config_init(&cfg);
	REFUSED(nvb_parse_jobfile_text("[j\nbs=4k\n", "x.fio", &cfg, err, sizeof(err)),
		"x.fio:1:", "section header");
	nvb_config_free(&cfg);
	nvb_config_init(&cfg);
	REFUSED(nvb_parse_jobfile_text("[j]\nblocksiz=4k\n", "x.fio", &cfg, err, sizeof(err)),
		"x.fio:2:", "did you mean 'blocksize'");
	nvb_config_free(&cfg);
}

static void test_jobfile_cli_precedence(void)
{
	char path[] = "/tmp/nvb-options-XXXXXX";
	struct nvb_config cfg;
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	CHECK(f);
	fprintf(f, "[global]\nbs=8k\niodepth=4\n[one]\nrw=randwrite\nbs=16k\n[two]\n");
	fclose(f);
	/* The command line's options override the file's [global] and its sections. */
	CHECK_OK(parse(&cfg, "--iodepth=32", "--bs=512", path, "--filename=z", NULL));
	CHECK(cfg.njobs == 2);
	CHECK(cfg.jobs[0].iodepth == 32 && cfg.jobs[0].bs[0] == 512 &&
	      cfg.jobs[0].rw == NVB_RW_RANDWRITE && strcmp(cfg.jobs[0].filename, "z") == 0);
	CHECK(cfg.jobs[1].iodepth == 32 && cfg.jobs[1].bs[0] == 512 &&
	      cfg.jobs[1].rw == NVB_RW_READ);
	nvb_config_free(&cfg);
	unlink(path);
}

/* Write @text (@len bytes) to @dir/@name. */
static void put_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f);
	CHECK(fwrite(text, 1, len, f) == len);
	CHECK(fclose(f) == 0);
}

#define PUT(dir, name, text) put_file(dir, name, text, sizeof(text) - 1)

/* Parse job file @name of @dir into @cfg. */
static int parse_file(const char *dir, const char *name, struct nvb_config *cfg)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	nvb_config_init(cfg);
	return nvb_parse_jobfile(path, cfg, err, sizeof(err));
}

/* Job file @name in @dir with @text is refused with a message of the words that follow. */
#define REFUSED_FILE(dir, name, text, ...)                                                         \
	do {                                                                                       \
		struct nvb_config c_;                                                              \
		PUT(dir, name, text);                                                              \
		REFUSED(parse_file(dir, name, &c_), __VA_ARGS__);                                  \
		nvb_config_free(&c_);                                                              \
	} while (0)

/* include FILE, ${VAR}, and what is not a job file: a NUL byte, a file past 1 MiB, /dev/zero. */
static void test_jobfile_include(void)
{
	char dir[] = "/tmp/nvb-include-XXXXXX", sub[64], cmd[128];
	struct nvb_config cfg;
	char *big;

	CHECK(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	CHECK(mkdir(sub, 0755) == 0);
	/* A relative include is the including file's directory's, at any depth. */
	PUT(dir, "main.fio", "[global]\ninclude sub/common.fio\n[a]\nrw=write\n");
	PUT(sub, "common.fio", "bs=16k\n include  more.fio \n");
	PUT(sub, "more.fio", "iodepth=8\n");
	CHECK_OK(parse_file(dir, "main.fio", &cfg));
	CHECK(cfg.njobs == 1 && cfg.jobs[0].bs[0] == 16384 && cfg.jobs[0].iodepth == 8 &&
	      cfg.jobs[0].rw == NVB_RW_WRITE);
	nvb_config_free(&cfg);
	/* Sections may come from the included file, and what follows the include continues. */
	PUT(dir, "jobs.fio", "[x]\nbs=8k\n[y]\n");
	PUT(dir, "top.fio", "[global]\niodepth=2\ninclude jobs.fio\nrw=randread\n");
	CHECK_OK(parse_file(dir, "top.fio", &cfg));
	CHECK(cfg.njobs == 2 && strcmp(cfg.jobs[0].name, "x") == 0 && cfg.jobs[0].bs[0] == 8192);
	CHECK(cfg.jobs[1].iodepth == 2 && cfg.jobs[1].rw == NVB_RW_RANDREAD);
	nvb_config_free(&cfg);
	/* Errors in an included file name it and its line. */
	PUT(dir, "bad.fio", "[j]\ninclude sub/worse.fio\n");
	PUT(sub, "worse.fio", "\nbs=4q\n");
	REFUSED(parse_file(dir, "bad.fio", &cfg), "sub/worse.fio:2:", "bs=4q");
	nvb_config_free(&cfg);
	REFUSED(parse_file(dir, "none.fio", &cfg), "none.fio", "No such file");
	nvb_config_free(&cfg);
	REFUSED_FILE(dir, "missing.fio", "[j]\ninclude gone.fio\n", "missing.fio:2:", "gone.fio");
	/* Nesting is bounded: a file that includes itself stops. */
	REFUSED_FILE(dir, "self.fio", "[j]\ninclude self.fio\n",
		     "self.fio:2:", "more than 8 job files deep");

	/* ${VAR} from the environment, in values and in include; unset is an error naming it. */
	setenv("NVB_TEST_BS", "32k", 1);
	setenv("NVB_TEST_SUB", "sub", 1);
	PUT(dir, "env.fio",
	    "[j]\nbs=${NVB_TEST_BS}\ninclude ${NVB_TEST_SUB}/more.fio\n"
	    "filename=/tmp/${NVB_TEST_BS}.${NVB_TEST_BS}\n");
	CHECK_OK(parse_file(dir, "env.fio", &cfg));
	CHECK(cfg.njobs == 1 && cfg.jobs[0].bs[0] == 32768 && cfg.jobs[0].iodepth == 8 &&
	      strcmp(cfg.jobs[0].filename, "/tmp/32k.32k") == 0);
	nvb_config_free(&cfg);
	unsetenv("NVB_TEST_UNSET");
	REFUSED_FILE(dir, "unset.fio", "[j]\n\nbs=${NVB_TEST_UNSET}\n",
		     "unset.fio:3:", "NVB_TEST_UNSET is not set");
	REFUSED_FILE(dir, "open.fio", "[j]\nbs=${NVB_TEST_BS\n", "open.fio:2:", "${NAME}");

	/* A NUL byte is refused by its line, not taken for the end of the file. */
	put_file(dir, "nul.fio", "[j]\nbs=4k\nio\0depth=2\nrw=write\n", 27);
	REFUSED(parse_file(dir, "nul.fio", &cfg), "nul.fio:3:", "NUL byte");
	nvb_config_free(&cfg);
	/* Past 1 MiB, or never ending: refused, not read until memory runs out. */
	big = malloc((1u << 20) + 2);
	CHECK(big);
	memset(big, '#', (1u << 20) + 1);
	big[0] = '[';
	big[1] = 'j';
	big[2] = ']';
	big[3] = '\n';
	big[(1u << 20) - 1] = '\n';
	put_file(dir, "huge.fio", big, 1u << 20); /* exactly 1 MiB: taken */
	CHECK_OK(parse_file(dir, "huge.fio", &cfg));
	CHECK(cfg.njobs == 1);
	nvb_config_free(&cfg);
	put_file(dir, "huge.fio", big, (1u << 20) + 1);
	REFUSED(parse_file(dir, "huge.fio", &cfg), "huge.fio", "larger than 1024 KiB");
	nvb_config_free(&cfg);
	free(big);
	nvb_config_init(&cfg);
	REFUSED(nvb_parse_jobfile("/dev/zero", &cfg, err, sizeof(err)), "/dev/zero",
		"larger than 1024 KiB");
	nvb_config_free(&cfg);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* A PCI address that is not an NVMe controller is named for what it is, on a fake sysfs. */
static void test_pci_class(void)
{
	static const struct {
		const char *addr, *cls;
	} devs[] = {
	    {"0000:00:00.0", "0x060000\n"},
	    {"0000:00:1c.0", "0x060400\n"},
	    {"0000:01:00.0", "0x010802\n"},
	    {"0000:02:00.0", "0x020000\n"},
	};
	char dir[] = "/tmp/nvb-sysfs-XXXXXX", path[256], cmd[128];

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bus", dir);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/bus/pci", dir);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", dir);
	CHECK(mkdir(path, 0755) == 0);
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", dir, devs[i].addr);
		CHECK(mkdir(path, 0755) == 0);
		put_file(path, "class", devs[i].cls, strlen(devs[i].cls));
	}
	REFUSED_ERR(nvb_pci_check_nvme(dir, "0000:00:00.0", err, sizeof(err)), -ENODEV,
		    "0000:00:00.0 is not an NVMe controller", "host bridge", "0x060000",
		    "0x0108xx");
	CHECK(!strstr(err, "vfio-pci"));
	REFUSED_ERR(nvb_pci_check_nvme(dir, "pci:00:1c.0", err, sizeof(err)), -ENODEV,
		    "PCI bridge");
	REFUSED_ERR(nvb_pci_check_nvme(dir, "02:00.0", err, sizeof(err)), -ENODEV,
		    "network controller");
	CHECK_OK(nvb_pci_check_nvme(dir, "0000:01:00.0", err, sizeof(err)));
	CHECK_OK(nvb_pci_check_nvme(dir, "pci:01:00.0", err, sizeof(err)));
	/* Not there, or not a PCI address: the library's to say. */
	CHECK_OK(nvb_pci_check_nvme(dir, "0000:09:00.0", err, sizeof(err)));
	CHECK_OK(nvb_pci_check_nvme(dir, "sim:", err, sizeof(err)));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* Engine choice by target, and engine options refused where the engine lacks them. */
static void test_engines(void)
{
	struct nvb_config cfg;

	CHECK(nvb_is_pci_address("0000:01:00.0") && nvb_is_pci_address("01:00.0") &&
	      nvb_is_pci_address("abcd:ef:1f.7"));
	CHECK(!nvb_is_pci_address("0000:01:00.8") && !nvb_is_pci_address("01:00") &&
	      !nvb_is_pci_address("/dev/nvme0n1") && !nvb_is_pci_address("g0:00.0"));
	CHECK(strcmp(nvb_engine_for_target("sim:"), "nvfio") == 0);
	CHECK(strcmp(nvb_engine_for_target("sim:size=1G"), "nvfio") == 0);
	CHECK(strcmp(nvb_engine_for_target("vfio-user:/run/x.sock"), "nvfio") == 0);
	CHECK(strcmp(nvb_engine_for_target("0000:01:00.0"), "nvfio") == 0);
	CHECK(strcmp(nvb_engine_for_target("pci:0000:01:00.0"), "nvfio") == 0);
	CHECK(strcmp(nvb_engine_for_target("pci:zz"), "nvfio") == 0);
	CHECK(strcmp(nvb_engine_for_target("sim:zz"), "nvfio") == 0);
	CHECK(strcmp(nvb_engine_for_target("./pci:zz"), "io_uring") == 0);
	CHECK(strcmp(nvb_engine_for_target("/dev/loop0"), "io_uring") == 0);
	CHECK(strcmp(nvb_engine_for_target("/tmp/file"), "io_uring") == 0);

	CHECK_OK(parse(&cfg, "--filename=/dev/loop0", "--hipri", "--fixedbufs", NULL));
	CHECK_OK(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)));
	CHECK(strcmp(cfg.jobs[0].ioengine, "io_uring") == 0);
	nvb_config_free(&cfg);

	CHECK_OK(parse(&cfg, "--filename=/dev/loop0", "--cmd_type=nvme", NULL));
	REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--cmd_type", "io_uring_cmd",
		"ioengine=io_uring");
	nvb_config_free(&cfg);

	CHECK_OK(parse(&cfg, "--filename=/dev/loop0", "--nsid=1", NULL));
	REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--nsid", "ioengine=nvfio");
	nvb_config_free(&cfg);
	CHECK_OK(parse(&cfg, "--filename=/dev/loop0", "--shadow_doorbells=0", NULL));
	REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--shadow_doorbells",
		"ioengine=nvfio");
	nvb_config_free(&cfg);
	CHECK_OK(parse(&cfg, "--filename=/dev/loop0", "--reset_interval=1s", NULL));
	REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--reset_interval",
		"ioengine=nvfio");
	nvb_config_free(&cfg);
	REFUSED(parse(&cfg, "--reset_retries=256", NULL), "reset_retries=256");

	if (nvb_engine_find("nvfio")) {
		CHECK_OK(parse(&cfg, "--filename=sim:", "--hipri", NULL));
		REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--hipri", "io_uring",
			"not of ioengine=nvfio", "chosen by --filename");
		nvb_config_free(&cfg);
		CHECK_OK(parse(&cfg, "--filename=sim:", NULL));
		CHECK_OK(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)));
		CHECK(strcmp(cfg.jobs[0].ioengine, "nvfio") == 0);
		nvb_config_free(&cfg);
	}

	/* Combinations that cannot work. */
	CHECK_OK(parse(&cfg, "--filename=/tmp/f", "--verify=crc32c", NULL));
	REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--verify", "--rw",
		"randwrite");
	nvb_config_free(&cfg);
	CHECK_OK(parse(&cfg, "--filename=/tmp/f", "--verify=crc32c", "--rw=randwrite",
		       "--norandommap", NULL));
	REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--norandommap");
	nvb_config_free(&cfg);
	CHECK_OK(parse(&cfg, "--filename=/tmp/f", "--verify=crc32c", "--rw=write", "--time_based",
		       "--runtime=1", NULL));
	CHECK_OK(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err))); /* verifies what it wrote */
	nvb_config_free(&cfg);
	CHECK_OK(parse(&cfg, "--filename=/tmp/f", "--time_based", NULL));
	REFUSED(nvb_resolve_engine(&cfg.jobs[0], err, sizeof(err)), "--time_based needs --runtime");
	nvb_config_free(&cfg);
}

int main(void)
{
	test_sizes();
	test_times();
	test_cpus();
	test_every_option();
	test_defaults();
	test_bad_values();
	test_block_sizes();
	test_name_sections();
	test_jobfile();
	test_jobfile_cli_precedence();
	test_jobfile_include();
	test_pci_class();
	test_engines();
	printf("options: all checks passed\n");
	return T_EXIT_PASS;
}
