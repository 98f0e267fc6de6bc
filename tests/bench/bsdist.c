// SPDX-License-Identifier: BSD-3-Clause
/*
 * nvfio-perf's mixed block sizes (--bsrange, --bssplit, --bs per direction): the sizes built from
 * the options (the unit of offsets, the extremes, whether they vary), the draws against the
 * shares, the job's offset generator with mixed sizes (every I/O within the region and aligned to
 * the unit, a sequential pass that ends at the region's end, a pass of the region's bytes, the
 * same I/Os again after a restart, as a verify job's reads need), and the checks against a
 * target's block size and limits.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/test.h"
#include "support/compiler.h"
#include "bsdist.h"
#include "engine.h"
#include "job.h"
#include "options.h"

static char err[NVB_ERR_MAX];
static _Atomic int stop;

/* The options of one job, from a command line given as a NULL-terminated list. */
static struct nvb_opts opts(const char *first, ...)
{
	struct nvb_config cfg;
	struct nvb_opts o;
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "nvfio-perf";
	argv[argc++] = (char *)first;
	va_start(ap, first);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	if (nvb_parse_args(argc, argv, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "parse: %s\n", err);
		exit(T_EXIT_FAIL);
	}
	CHECK(cfg.njobs == 1);
	o = cfg.jobs[0];
	nvb_config_free(&cfg);
	return o;
}

static struct nvb_target target(uint64_t size, uint32_t block_size)
{
	struct nvb_target t;

	memset(&t, 0, sizeof(t));
	snprintf(t.filename, sizeof(t.filename), "t");
	t.size = size;
	t.block_size = block_size;
	return t;
}

static struct nvb_job *job_new(const struct nvb_opts *o, struct nvb_target *t)
{
	size_t size = sizeof(struct nvb_job) + o->iodepth * sizeof(struct nvb_io *);
	struct nvb_job *job = aligned_alloc(64, (size + 63) & ~(size_t)63);

	CHECK(job);
	if (nvb_job_setup(job, o, t, 0, 0, &stop, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		exit(T_EXIT_FAIL);
	}
	return job;
}

/* Whether @len is one of @bd's sizes. */
static bool has_size(const struct nvb_bsdist *bd, uint32_t len)
{
	if (bd->steps)
		return len % bd->min == 0 && len >= bd->min && len <= bd->max;
	for (unsigned i = 0; i < bd->n; i++)
		if (bd->len[i] == len)
			return true;
	return false;
}

static void test_build(void)
{
	struct nvb_opts o;
	struct nvb_bs bs;

	/* One size, however it is given, is not mixed. */
	o = opts("--bs=8k", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(!bs.mixed && bs.unit == 8192 && bs.max == 8192);
	o = opts("--bssplit=16k/100", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(!bs.mixed && bs.unit == 16384 && bs.min == 16384);
	o = opts("--bsrange=4k-4k", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(!bs.mixed && bs.unit == 4096);
	/* Directions not issued do not count. */
	o = opts("--bs=4k,64k", "--rw=randread", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(!bs.mixed && bs.max == 4096 && bs.used == 1u << NVB_READ);
	o = opts("--bsrange=,4k-64k", "--rw=read", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(!bs.mixed && bs.max == 4096);
	/* A verify job reads what it wrote: the writes' sizes for both. */
	o = opts("--bssplit=4k/50:8k/50,64k/50:128k/50", "--rw=randwrite", "--verify=crc32c", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.mixed && bs.unit == 65536 && bs.max == 131072 && bs.used == 1u << NVB_WRITE);
	CHECK(bs.dir[NVB_READ].min == 65536 && bs.dir[NVB_READ].n == 2);

	/* Mixed: by range, by split, by direction; the unit divides every size. */
	o = opts("--bsrange=4k-64k", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.mixed && bs.unit == 4096 && bs.min == 4096 && bs.max == 65536);
	CHECK(bs.dir[NVB_READ].steps == 16 && bs.dir[NVB_READ].min_units == 1);
	CHECK(strcmp(bs.dir[NVB_READ].from, "bsrange") == 0);
	o = opts("--bs=4k,64k", "--rw=randrw", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.mixed && bs.unit == 4096 && bs.max == 65536);
	CHECK(bs.dir[NVB_WRITE].steps == 1 && bs.dir[NVB_WRITE].min_units == 16);
	o = opts("--bsrange=12k-24k,8k-16k", "--rw=rw", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.mixed && bs.unit == 4096 && bs.min == 8192 && bs.max == 24576);
	o = opts("--bssplit=8k/25:64k/75", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.mixed && bs.unit == 8192 && bs.dir[NVB_READ].n == 2 && !bs.dir[NVB_READ].steps);
	CHECK(bs.dir[NVB_READ].units[1] == 8 && bs.dir[NVB_READ].cum[1] == UINT32_MAX);
	CHECK(strcmp(bs.dir[NVB_READ].from, "bssplit") == 0);
	/* bssplit over bsrange over bs, whatever their order. */
	o = opts("--bssplit=8k/50:16k/50", "--bsrange=4k-8k", "--bs=1m", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.min == 8192 && bs.max == 16384);
	o = opts("--bsrange=4k-8k", "--bs=1m", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.min == 4096 && bs.max == 8192);
}

/* Draws from @bd: each size's share within 0.01 of @want[] (parts per million). */
static void check_shares(const struct nvb_bsdist *bd, const uint32_t *want, unsigned n)
{
	enum { DRAWS = 400000 };
	uint64_t count[NVB_BSSPLIT_MAX + 1] = {0}, rng = 12345;

	for (unsigned k = 0; k < DRAWS; k++) {
		uint32_t len, units;
		unsigned i = nvb_bs_pick(bd, nvb_rand(&rng), &len, &units);

		CHECK(i < n && len == nvb_bs_size(bd, i) && units * (len / units) == len);
		count[i]++;
	}
	for (unsigned i = 0; i < n; i++) {
		double got = (double)count[i] / DRAWS, exp = want[i] / 1e6;

		if (got < exp - 0.01 || got > exp + 0.01) {
			fprintf(stderr, "size %u: %.4f of the draws, expected %.4f\n",
				nvb_bs_size(bd, i), got, exp);
			exit(T_EXIT_FAIL);
		}
	}
}

static void test_pick(void)
{
	static const uint32_t split[] = {100000, 500000, 400000};
	uint32_t even[16], len, units;
	struct nvb_opts o;
	struct nvb_bs bs;

	o = opts("--bssplit=4k/10:64k/50:32k/40", NULL);
	nvb_bs_build(&o, &bs);
	check_shares(&bs.dir[NVB_READ], split, 3);
	CHECK(nvb_bs_size(&bs.dir[NVB_READ], 1) == 65536);
	/* A range: every multiple of the smallest, each as likely. */
	o = opts("--bsrange=4k-64k", NULL);
	nvb_bs_build(&o, &bs);
	for (unsigned i = 0; i < 16; i++)
		even[i] = 1000000 / 16;
	check_shares(&bs.dir[NVB_READ], even, 16);
	/* The extremes of the random bits. */
	CHECK(nvb_bs_pick(&bs.dir[NVB_READ], 0, &len, &units) == 0 && len == 4096 && units == 1);
	CHECK(nvb_bs_pick(&bs.dir[NVB_READ], UINT64_MAX, &len, &units) == 15 && len == 65536);
	o = opts("--bssplit=4k/10:64k/90", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(nvb_bs_pick(&bs.dir[NVB_READ], 0, &len, &units) == 0 && len == 4096);
	CHECK(nvb_bs_pick(&bs.dir[NVB_READ], UINT64_MAX, &len, &units) == 1 && len == 65536);
	/* A range of more sizes than there are counters: drawn, not counted apart. */
	o = opts("--bsrange=512-1m", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.dir[NVB_READ].steps == 2048);
	CHECK(nvb_bs_pick(&bs.dir[NVB_READ], UINT64_MAX, &len, &units) == NVB_BS_UNCOUNTED &&
	      len == 1048576);

	/* The largest size that fits what is left of a pass. */
	o = opts("--bssplit=4k/50:16k/25:64k/25", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(nvb_bs_fit(&bs.dir[NVB_READ], 15, &len, &units) == 1 && len == 16384 && units == 4);
	CHECK(nvb_bs_fit(&bs.dir[NVB_READ], 3, &len, &units) == 0 && len == 4096);
	CHECK(nvb_bs_fit(&bs.dir[NVB_READ], 0, &len, &units) == -1);
	o = opts("--bsrange=8k-64k", NULL);
	nvb_bs_build(&o, &bs);
	CHECK(bs.unit == 8192);
	CHECK(nvb_bs_fit(&bs.dir[NVB_READ], 5, &len, &units) == 4 && len == 40960 && units == 5);
	CHECK(nvb_bs_fit(&bs.dir[NVB_READ], 100, &len, &units) == 7 && len == 65536);
	CHECK(nvb_bs_fit(&bs.dir[NVB_READ], 0, &len, &units) == -1);
}

/* One I/O of the generator, as the job loop draws it in @mode (NVB_MODE_SIZES with others). */
static uint64_t next(struct nvb_job *job, struct nvb_gen *g, struct nvb_io *io, unsigned mode)
{
	if (!(mode & NVB_MODE_MIXED)) {
		io->ddir = job->fixed_ddir;
		io->hist = &job->lat[job->fixed_ddir];
	}
	return nvb_next_io(job, g, io, mode);
}

struct pass {
	uint64_t ios, bytes, wraps;
	uint64_t first[64], first_len[64]; /* the first I/Os, to compare after a restart */
};

/*
 * Run @job's generator (phase @rw) until its bytes are issued (or @max I/Os), checking every
 * I/O: in the region, aligned to the unit, of a size of its direction; sequential I/Os follow on
 * from each other and a pass ends at the region's end.
 */
static void run_pass(struct nvb_job *job, uint8_t rw, uint64_t max, struct pass *p)
{
	uint64_t end = job->region_off + job->nblocks * job->bs, expect = job->region_off;
	struct nvb_io io = {.len = 0};
	struct nvb_gen g;
	unsigned mode;

	memset(p, 0, sizeof(*p));
	nvb_job_start_phase(job, rw, NVB_PHASE_RUN);
	nvb_job_arm(job);
	mode = job->mode;
	CHECK(mode & NVB_MODE_SIZES);
	nvb_gen_load(&g, job);
	while (g.bytes_left && p->ios < max) {
		uint64_t blk = next(job, &g, &io, mode);

		CHECK(io.offset == job->region_off + blk * job->bs);
		CHECK((io.offset - job->region_off) % job->bs == 0 && io.len % job->bs == 0);
		CHECK(io.offset >= job->region_off && io.offset + io.len <= end);
		CHECK(has_size(&job->bsd[io.ddir], io.len));
		if (!(mode & NVB_MODE_RANDOM)) {
			if (io.offset != expect) {
				/* A new pass, where the last left less than a size. */
				CHECK(io.offset == job->region_off);
				p->wraps++;
			}
			expect = io.offset + io.len == end ? job->region_off : io.offset + io.len;
			if (expect == job->region_off)
				p->wraps++;
		}
		if (p->ios < 64) {
			p->first[p->ios] = io.offset;
			p->first_len[p->ios] = io.len;
		}
		p->ios++;
		p->bytes += io.len;
	}
	nvb_gen_save(&g, job, mode);
}

static void test_generator(void)
{
	static const char *const rws[] = {"--rw=read", "--rw=randread", "--rw=randwrite",
					  "--rw=randrw", "--rw=rw"};
	static const char *const sizes[] = {"--bssplit=4k/50:64k/30:16k/20",
					    "--bsrange=4k-128k,8k-32k", "--bs=512,64k",
					    "--bssplit=12k/50:24k/50,8k"};
	struct nvb_target t = target(64ull << 20, 512);
	unsigned mixed = 0;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (size_t r = 0; r < ARRAY_SIZE(rws); r++) {
			struct nvb_opts o =
			    opts(sizes[s], rws[r], "--size=8m", "--offset=1m", "--iodepth=4", NULL);
			struct nvb_job *job = job_new(&o, &t);
			uint64_t region = job->nblocks * job->bs, issued[NVB_DDIRS];
			bool exact = true;
			struct pass a, b;

			/* One size for each direction, and one direction: not mixed (--bs=512,64k
			 * reading or writing, 8k writes). */
			if (!job->sized) {
				CHECK(s >= 2 && !(o.rw & NVB_RW_READS && o.rw & NVB_RW_WRITES));
				free(job);
				continue;
			}
			mixed++;
			/* The region: whole units of the offsets. */
			CHECK(job->region_off == 1u << 20 && region <= 8u << 20 &&
			      region > (8u << 20) - job->bs);
			CHECK(job->initial_bytes == region && job->initial_to_issue == UINT64_MAX);
			run_pass(job, (uint8_t)o.rw, UINT64_MAX, &a);
			/* A pass is the region's bytes: the last I/O may go past them, by less
			 * than the largest size. */
			CHECK(a.bytes >= region && a.bytes < region + job->max_bs);
			issued[0] = issued[1] = 0;
			for (unsigned d = 0; d < NVB_DDIRS; d++)
				for (unsigned i = 0; i <= NVB_BSSPLIT_MAX; i++)
					issued[d] += job->bs_issued[d][i];
			CHECK(issued[0] + issued[1] == a.ios);
			CHECK(job->bytes[0] + job->bytes[1] == a.bytes);
			/* Sequential, where every direction's smallest size is the unit: the
			 * region exactly, once. (Otherwise the tail of a pass may be too small
			 * for a size of the direction drawn: test_sequential_tail().) */
			for (unsigned d = 0; d < NVB_DDIRS; d++)
				if ((o.rw & (d == NVB_READ ? NVB_RW_READS : NVB_RW_WRITES)) &&
				    job->bsd[d].min != job->bs)
					exact = false;
			if (!(o.rw & NVB_RW_RANDOM) && exact)
				CHECK(a.bytes == region && a.wraps == 1);
			/* Restarted, the generator makes the same I/Os: the verify read phase
			 * reads back what the writes wrote. */
			memset(job->bs_issued, 0, sizeof(job->bs_issued));
			run_pass(job, (uint8_t)o.rw, UINT64_MAX, &b);
			CHECK(a.ios == b.ios && a.bytes == b.bytes);
			CHECK(memcmp(a.first, b.first, sizeof(a.first)) == 0);
			CHECK(memcmp(a.first_len, b.first_len, sizeof(a.first_len)) == 0);
			free(job);
		}
	}
	CHECK(mixed == 16);
}

/* Sequential passes with the smallest sizes of the directions apart: the tail of a pass less
 * than a write's smallest size is left, the next pass starts over. */
static void test_sequential_tail(void)
{
	struct nvb_target t = target(1ull << 20, 4096);
	struct nvb_opts o =
	    opts("--bs=4k,64k", "--rw=rw", "--size=68k", "--time_based", "--runtime=1", NULL);
	struct nvb_job *job = job_new(&o, &t);
	struct pass p;

	CHECK(job->sized && job->initial_bytes == UINT64_MAX && job->nblocks == 17);
	run_pass(job, (uint8_t)o.rw, 10000, &p);
	CHECK(p.ios == 10000 && p.wraps > 100);
	free(job);
}

/* The job's checks against its target: block size, limits, region. */
static void test_region(void)
{
	struct nvb_target t = target(64ull << 20, 4096);
	struct nvb_opts o;
	uint64_t off, size;

	o = opts("--bssplit=4k/50:64k/50", NULL);
	CHECK_OK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)));
	o = opts("--bssplit=512/50:4k/50", NULL);
	CHECK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "--bssplit: 512 bytes, a size of the reads, is not a multiple of t's "
			  "block size (4096 bytes)"));
	o = opts("--bsrange=4k-16k,2k-8k", "--rw=randwrite", NULL);
	CHECK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "--bsrange: 2048 bytes, a size of the writes"));
	o = opts("--bs=4k,6k", "--rw=randrw", NULL);
	CHECK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "--bs: 6144 bytes, a size of the writes"));
	o = opts("--bs=6k", NULL);
	CHECK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "--bs=6144 is not a multiple of t's block size"));
	o = opts("--bssplit=4k/50:128k/50", "--size=64k", NULL);
	CHECK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "the region (65536 bytes) is smaller than the largest size=131072"));
	t.max_io = 128 << 10;
	t.max_depth = 2;
	o = opts("--bssplit=4k/50:512k/50", NULL);
	CHECK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "the largest size, 524288 bytes, takes 4 commands of at most 131072"));
	t = target(64ull << 20, 256);
	o = opts("--bssplit=256/50:512/50", "--rw=write", "--verify=crc32c", NULL);
	CHECK(nvb_job_region(&o, &t, &off, &size, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "--verify checks blocks of 256 bytes"));
}

int main(void)
{
	test_build();
	test_pick();
	test_generator();
	test_sequential_tail();
	test_region();
	printf("bsdist: all checks passed\n");
	return T_EXIT_PASS;
}
