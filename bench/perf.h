/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_PERF_H
#define NVFIO_BENCH_PERF_H

/*
 * nvfio-perf: what one job is asked to do (struct nvb_opts, one per job section) and what the
 * whole program is asked to do (struct nvb_prog). Option names and meanings are fio's.
 */

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVB_VERSION "nvfio-perf-0.1.0"

#define NVB_NAME_MAX	64
#define NVB_PATH_MAX	1024
#define NVB_GIVEN_MAX	2048
#define NVB_ERR_MAX	512
#define NVB_PLOT_QD_MAX 16

enum nvb_ddir {
	NVB_READ = 0,
	NVB_WRITE = 1,
	NVB_DDIRS = 2,
};

/* fio's per-direction options (bs, bsrange, bssplit) take reads, writes and trims; nvfio-perf
 * issues no trims, so the third is parsed (a fio job file's value is accepted) and unused. */
#define NVB_BS_DDIRS 3

/* Sizes one direction's --bssplit takes at most (fio's limit). */
#define NVB_BSSPLIT_MAX 64

/* One direction's --bssplit: each size with its share of the direction's I/Os. */
struct nvb_bssplit {
	unsigned n;		       /* entries; 0: none given for this direction */
	uint32_t bs[NVB_BSSPLIT_MAX];  /* bytes, each a multiple of the smallest */
	uint32_t ppm[NVB_BSSPLIT_MAX]; /* parts per million, adding up to 1000000 */
};

/* --rw: bit 0 random, bit 1 reads, bit 2 writes. */
enum nvb_rw {
	NVB_RW_READ = 2,
	NVB_RW_RANDREAD = 3,
	NVB_RW_WRITE = 4,
	NVB_RW_RANDWRITE = 5,
	NVB_RW_RW = 6,
	NVB_RW_RANDRW = 7,
};
#define NVB_RW_RANDOM 1u
#define NVB_RW_READS  2u
#define NVB_RW_WRITES 4u

enum nvb_verify {
	NVB_VERIFY_NONE = 0,
	NVB_VERIFY_CRC32C = 1,
};

enum nvb_cpus_policy {
	NVB_CPUS_SHARED = 0,
	NVB_CPUS_SPLIT = 1,
};

enum nvb_cmd_type {
	NVB_CMD_NVME = 0,
};

enum nvb_output_format {
	NVB_OUT_NORMAL = 0,
	NVB_OUT_JSON = 1,
};

enum nvb_eta {
	NVB_ETA_AUTO = 0,
	NVB_ETA_ALWAYS = 1,
	NVB_ETA_NEVER = 2,
};

/* --clocksource: fio's names. */
enum nvb_clocksource {
	NVB_CLOCK_AUTO = 0,    /* the TSC where the kernel keeps it as its clock, or where it runs
				  at one rate and every job is pinned to one CPU; else GETTIME */
	NVB_CLOCK_CPU = 1,     /* the TSC, even where the kernel does not trust it */
	NVB_CLOCK_GETTIME = 2, /* clock_gettime(CLOCK_MONOTONIC) */
};

/* One job section, after [global], the section and the command line have been applied. */
struct nvb_opts {
	char name[NVB_NAME_MAX];
	/* What messages about the job start with: "NAME: ", or "" for the job the command line's
	 * options make alone (its name, nvfio-perf, would repeat the program's). */
	char label[NVB_NAME_MAX + 2];
	char filename[NVB_PATH_MAX];
	char ioengine[32]; /* "" until resolved from the filename */
	int rw;		   /* enum nvb_rw */
	uint64_t rwmixread;
	/* The size of an I/O, per direction (enum nvb_ddir, then trims): --bssplit where given for
	 * the direction, else --bsrange where given (0: not), else --bs. */
	uint64_t bs[NVB_BS_DDIRS];
	uint64_t bsrange[NVB_BS_DDIRS][2]; /* smallest, largest; sizes are multiples of the first */
	struct nvb_bssplit bssplit[NVB_BS_DDIRS];
	uint64_t iodepth;
	uint64_t iodepth_batch_submit; /* 0: iodepth */
	uint64_t numjobs;
	cpu_set_t cpus_allowed;
	bool cpus_allowed_set;
	int cpus_allowed_policy;
	uint64_t runtime_ns;
	uint64_t ramp_time_ns;
	bool time_based;
	uint64_t size; /* bytes, or parts per million of the target when size_pct */
	bool size_pct;
	uint64_t offset; /* bytes, or parts per million of the target when offset_pct */
	bool offset_pct;
	bool norandommap;
	uint64_t number_ios; /* 0: no limit */
	int verify;	     /* enum nvb_verify */
	char exec_preverify[NVB_PATH_MAX];
	uint64_t randseed;
	bool direct;
	bool idle_yield;
	uint64_t idle_calibrate; /* idle iterations to measure after the job (callgrind) */
	bool group_reporting;

	/* io_uring and io_uring_cmd */
	bool hipri;
	bool sqthread_poll;
	uint64_t sqthread_poll_cpu; /* UINT64_MAX: not pinned */
	bool fixedbufs;
	bool registerfiles;
	bool nop;     /* IORING_OP_NOP in place of the I/O */
	int cmd_type; /* enum nvb_cmd_type */

	/* nvfio */
	uint64_t nsid;		    /* 0: the first active namespace */
	bool shadow_doorbells;	    /* use the controller's shadow doorbells where it has them */
	uint64_t reset_interval_ns; /* reset the controller this often while jobs run; 0: never */
	uint64_t reset_retries;	    /* nvfio_ctrl_opts.reset_retries */

	/* Which options were given (bit = index in the option table), for validation. */
	uint64_t given_mask;
	/* "key=value\0key=value\0..." as given, for the JSON "job options". */
	char given[NVB_GIVEN_MAX];
	size_t given_len;
};

/* Program-wide options. */
struct nvb_prog {
	int output_format; /* enum nvb_output_format */
	char output[NVB_PATH_MAX];
	char compare[NVB_PATH_MAX];
	char compare_ioengine[32];
	uint64_t rounds;
	char plot[NVB_PATH_MAX];
	uint64_t plot_qd[NVB_PLOT_QD_MAX];
	unsigned plot_nqd;
	int eta;	 /* enum nvb_eta */
	int clocksource; /* enum nvb_clocksource */
	bool help;
	bool version;
};

/* The parsed command line: program options and the jobs to run together. */
struct nvb_config {
	struct nvb_prog prog;
	struct nvb_opts *jobs;
	unsigned njobs;
};

static inline bool nvb_rw_random(const struct nvb_opts *o)
{
	return o->rw & NVB_RW_RANDOM;
}

#endif /* NVFIO_BENCH_PERF_H */
