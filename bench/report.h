/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_REPORT_H
#define NVFIO_BENCH_REPORT_H

/*
 * Reports in fio's shapes: the normal text (per job "read: IOPS=..., BW=...", clat and its
 * percentiles, cpu, then the run status group) and JSON with fio's keys (jobs[].read.iops,
 * jobs[].read.clat_ns.percentile["99.000000"], ..., jobs[].usr_cpu), so fio's parsers read it.
 */

#include <stdio.h>

#include "hist.h"
#include "json.h"
#include "run.h"

/* The percentiles fio reports by default. */
extern const double nvb_percentiles[];
extern const unsigned nvb_npercentiles;

/* Sizes an entry counts apart per direction; more (jobs of other sizes merged) go uncounted. */
#define NVB_ENTRY_SIZES (2 * NVB_BSSPLIT_MAX)

/* One reported job: a job thread, or every job thread merged (group_reporting). */
struct nvb_entry {
	const struct nvb_opts *o;
	const struct nvb_target *t;
	unsigned njobs;
	int tid;
	int error;
	const char *errmsg;
	struct nvb_hist lat[NVB_DDIRS];
	uint64_t runtime_ns; /* longest */
	uint64_t bs;	     /* the size of every I/O; 0 where sizes vary */
	uint64_t bytes[NVB_DDIRS];
	double bw[NVB_DDIRS]; /* bytes/s, summed over the merged jobs as iops */
	/* Mixed sizes: I/Os issued of each size, by size (bs 0: of sizes not counted apart). */
	bool sized;
	unsigned nsizes[NVB_DDIRS];
	struct nvb_entry_size {
		uint32_t bs;
		uint64_t ios;
	} sizes[NVB_DDIRS][NVB_ENTRY_SIZES];
	uint64_t usr_ns, sys_ns;
	uint64_t ctx, majf, minf;
	uint64_t verify_errors;
	uint64_t thread_cpu_ns; /* the job threads, from their CPU-time clocks */
	uint64_t proc_cpu_ns;	/* the process over the longest counting window */
	uint64_t idle_polls;
	uint64_t calib_polls;
	uint64_t calib_cpu_ns;
	uint64_t idle_ns, idle_timed;
	double iops[NVB_DDIRS]; /* summed over the merged jobs, each over its own runtime */
};

/*
 * The entries of a run: one per job thread, or one for all of them when a section asks for
 * group_reporting. Returns the count; @out is allocated (free()).
 */
unsigned nvb_entries(const struct nvb_run *run, struct nvb_entry **out);

/* Headline figures of a run, for --compare and --plot. */
struct nvb_figures {
	double iops;	    /* read + write */
	double bw;	    /* bytes/s */
	double lat_mean_ns; /* over both directions */
	double p50_ns, p99_ns, p999_ns, p9999_ns;
	double pct_ns[32];    /* at nvb_percentiles[] */
	double cpu_ns_per_io; /* usr + sys of the job threads per I/O */
	double usr_ns_per_io;
	double sys_ns_per_io;
	uint64_t ios;
	struct nvb_hist lat; /* both directions, every job */
};
void nvb_figures(const struct nvb_run *run, struct nvb_figures *f);

/* The per-section header fio prints before starting ("name: (g=0): rw=..."). */
void nvb_report_header(FILE *f, const struct nvb_opts *sections, unsigned n, unsigned threads);

/* The normal report of a run. */
void nvb_report_normal(FILE *f, const struct nvb_run *run);

/* The members of fio's JSON top level ("fio version", timestamps, "jobs") into an open object. */
void nvb_report_json_members(struct nvb_json *j, const struct nvb_run *run);

/* The whole JSON report of a run. */
void nvb_report_json(FILE *f, const struct nvb_run *run);

/* fio's number format: at most 4 digits, then a prefix (k/M/G... or Ki/Mi/Gi...). */
void nvb_num2str(char *buf, size_t len, double v, double base, const char *unit);

#endif /* NVFIO_BENCH_REPORT_H */
