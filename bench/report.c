// SPDX-License-Identifier: BSD-3-Clause
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "bsdist.h"
#include "clock.h"
#include "report.h"

/* Histograms count clock ticks; reports speak ns. */
static double ns(double ticks)
{
	return nvb_ticks_to_ns_d(ticks);
}

/* Milliseconds as fio prints them, but a run that did anything lasted at least 1 ms. */
static uint64_t ms(uint64_t ns)
{
	return (ns + 999999) / 1000000;
}

static uint64_t ns_u(uint64_t ticks)
{
	return (uint64_t)(ns((double)ticks) + 0.5);
}

const double nvb_percentiles[] = {1.0,	5.0,  10.0, 20.0, 30.0, 40.0, 50.0,  60.0, 70.0,
				  80.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99};
const unsigned nvb_npercentiles = sizeof(nvb_percentiles) / sizeof(nvb_percentiles[0]);

static const char *const ddir_name[NVB_DDIRS] = {"read", "write"};

void nvb_num2str(char *buf, size_t len, double v, double base, const char *unit)
{
	static const char *const si[] = {"", "k", "M", "G", "T", "P", "E"};
	static const char *const iec[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	unsigned i = 0;
	int digits, decimals;

	while (v >= 9999.5 && i < 6) {
		v /= base;
		i++;
	}
	digits = v < 9.995 ? 1 : v < 99.95 ? 2 : v < 999.5 ? 3 : 4;
	decimals = i ? 3 - digits : 0;
	if (decimals < 0)
		decimals = 0;
	snprintf(buf, len, "%.*f%s%s", decimals, v, base == 1024.0 ? iec[i] : si[i], unit);
}

/* Count @ios I/Os of @bs bytes (0: of sizes not counted apart) in @e's direction @d. */
static void entry_add_size(struct nvb_entry *e, unsigned d, uint32_t bs, uint64_t ios)
{
	struct nvb_entry_size *z = e->sizes[d];
	unsigned i = 0;

	while (i < e->nsizes[d] && z[i].bs < bs)
		i++;
	if (i < e->nsizes[d] && z[i].bs == bs) {
		z[i].ios += ios;
		return;
	}
	/* The last slot is kept for the sizes that find none. */
	if (bs && e->nsizes[d] == NVB_ENTRY_SIZES - 1) {
		entry_add_size(e, d, 0, ios);
		return;
	}
	memmove(&z[i + 1], &z[i], (e->nsizes[d] - i) * sizeof(*z));
	z[i].bs = bs;
	z[i].ios = ios;
	e->nsizes[d]++;
}

static void entry_add_job(struct nvb_entry *e, const struct nvb_job *job)
{
	for (unsigned d = 0; d < NVB_DDIRS; d++) {
		uint64_t bytes = nvb_job_bytes(job, d);

		nvb_hist_merge(&e->lat[d], &job->lat[d]);
		e->bytes[d] += bytes;
		if (job->runtime_ns) {
			e->iops[d] += (double)job->lat[d].n * 1e9 / (double)job->runtime_ns;
			e->bw[d] += (double)bytes * 1e9 / (double)job->runtime_ns;
		}
		for (unsigned i = 0; job->sized && i <= NVB_BS_UNCOUNTED; i++)
			if (job->bs_issued[d][i])
				entry_add_size(
				    e, d, i == NVB_BS_UNCOUNTED ? 0 : nvb_bs_size(&job->bsd[d], i),
				    job->bs_issued[d][i]);
	}
	if (job->sized || job->bs != e->bs)
		e->bs = 0;
	e->sized |= job->sized;
	if (job->runtime_ns > e->runtime_ns)
		e->runtime_ns = job->runtime_ns;
	e->usr_ns += job->usr_ns;
	e->sys_ns += job->sys_ns;
	e->ctx += job->ctx_switches;
	e->majf += job->majf;
	e->minf += job->minf;
	e->verify_errors += job->verify_errors;
	e->thread_cpu_ns += job->thread_cpu_ns;
	/* The jobs' windows overlap: the process's CPU time is not theirs to add up. */
	if (job->proc_cpu_ns > e->proc_cpu_ns)
		e->proc_cpu_ns = job->proc_cpu_ns;
	e->idle_polls += job->idle_polls;
	e->calib_polls += job->calib_polls;
	e->calib_cpu_ns += job->calib_cpu_ns;
	e->idle_ns += job->idle_ns;
	e->idle_timed += job->idle_timed;
	if (job->error && !e->error) {
		e->error = job->error;
		e->errmsg = job->errmsg;
	}
	e->njobs++;
}

static void entry_init(struct nvb_entry *e, const struct nvb_job *job)
{
	memset(e, 0, sizeof(*e));
	e->o = job->o;
	e->t = job->t;
	e->tid = job->tid;
	e->bs = job->bs;
	e->errmsg = "";
	nvb_hist_reset(&e->lat[NVB_READ]);
	nvb_hist_reset(&e->lat[NVB_WRITE]);
}

unsigned nvb_entries(const struct nvb_run *run, struct nvb_entry **out)
{
	bool group = false;
	struct nvb_entry *e;
	unsigned n;

	for (unsigned s = 0; s < run->nsections; s++)
		group |= run->sections[s].group_reporting;
	n = group ? (run->njobs ? 1 : 0) : run->njobs;
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e) {
		*out = NULL;
		return 0;
	}
	for (unsigned i = 0; i < run->njobs; i++) {
		struct nvb_entry *dst = &e[group ? 0 : i];
		if (!group || i == 0)
			entry_init(dst, run->jobs[i]);
		entry_add_job(dst, run->jobs[i]);
	}
	*out = e;
	return n;
}

void nvb_figures(const struct nvb_run *run, struct nvb_figures *f)
{
	double cpu = 0.0, usr = 0.0, sys = 0.0;

	memset(f, 0, sizeof(*f));
	nvb_hist_reset(&f->lat);
	for (unsigned i = 0; i < run->njobs; i++) {
		const struct nvb_job *job = run->jobs[i];
		for (int d = 0; d < NVB_DDIRS; d++) {
			nvb_hist_merge(&f->lat, &job->lat[d]);
			if (job->runtime_ns) {
				double iops = (double)job->lat[d].n * 1e9 / (double)job->runtime_ns;
				f->iops += iops;
				f->bw +=
				    (double)nvb_job_bytes(job, d) * 1e9 / (double)job->runtime_ns;
			}
		}
		usr += (double)job->usr_ns;
		sys += (double)job->sys_ns;
	}
	cpu = usr + sys;
	f->ios = f->lat.n;
	f->lat_mean_ns = ns(nvb_hist_mean(&f->lat));
	f->p50_ns = ns((double)nvb_hist_percentile(&f->lat, 50.0));
	f->p99_ns = ns((double)nvb_hist_percentile(&f->lat, 99.0));
	f->p999_ns = ns((double)nvb_hist_percentile(&f->lat, 99.9));
	f->p9999_ns = ns((double)nvb_hist_percentile(&f->lat, 99.99));
	for (unsigned i = 0; i < nvb_npercentiles; i++)
		f->pct_ns[i] = ns((double)nvb_hist_percentile(&f->lat, nvb_percentiles[i]));
	if (f->ios) {
		f->cpu_ns_per_io = cpu / (double)f->ios;
		f->usr_ns_per_io = usr / (double)f->ios;
		f->sys_ns_per_io = sys / (double)f->ios;
	}
}

static const char *rw_name(int rw)
{
	switch (rw) {
	case NVB_RW_READ:
		return "read";
	case NVB_RW_WRITE:
		return "write";
	case NVB_RW_RANDREAD:
		return "randread";
	case NVB_RW_RANDWRITE:
		return "randwrite";
	case NVB_RW_RW:
		return "rw";
	default:
		return "randrw";
	}
}

void nvb_report_header(FILE *f, const struct nvb_opts *sections, unsigned n, unsigned threads)
{
	for (unsigned s = 0; s < n; s++) {
		const struct nvb_opts *o = &sections[s];
		uint64_t lo[NVB_BS_DDIRS], hi[NVB_BS_DDIRS];

		for (unsigned d = 0; d < NVB_BS_DDIRS; d++)
			nvb_bs_minmax(o, d, &lo[d], &hi[d]);
		fprintf(f,
			"%s: (g=0): rw=%s, bs=(R) %lluB-%lluB, (W) %lluB-%lluB, (T) %lluB-%lluB, "
			"ioengine=%s, iodepth=%llu\n",
			o->name, rw_name(o->rw), (unsigned long long)lo[0],
			(unsigned long long)hi[0], (unsigned long long)lo[1],
			(unsigned long long)hi[1], (unsigned long long)lo[2],
			(unsigned long long)hi[2], o->ioengine, (unsigned long long)o->iodepth);
		if (o->numjobs > 1)
			fprintf(f, "...\n");
	}
	fprintf(f, "%s\nStarting %u thread%s\n", NVB_VERSION, threads, threads == 1 ? "" : "s");
}

/* fio's unit choice for latency: nsec, or usec/msec when every figure is at least 1000 of it. */
static const char *lat_unit(double min, double *div)
{
	if (min >= 1e6) {
		*div = 1e6;
		return "msec";
	}
	if (min >= 1e3) {
		*div = 1e3;
		return "usec";
	}
	*div = 1.0;
	return "nsec";
}

static void print_percentiles(FILE *f, const struct nvb_hist *h)
{
	uint64_t v[32];
	double div = 1.0, maxv;
	const char *unit = "nsec";
	int width;

	for (unsigned i = 0; i < nvb_npercentiles; i++)
		v[i] = ns_u(nvb_hist_percentile(h, nvb_percentiles[i]));
	maxv = (double)v[nvb_npercentiles - 1];
	if (maxv >= 1e8) {
		div = 1e6;
		unit = "msec";
	} else if (maxv >= 1e5) {
		div = 1e3;
		unit = "usec";
	}
	width = snprintf(NULL, 0, "%.0f", maxv / div);
	if (width < 5)
		width = 5;
	fprintf(f, "    clat percentiles (%s):\n", unit);
	for (unsigned i = 0; i < nvb_npercentiles; i++) {
		if (i % 4 == 0)
			fprintf(f, "     |");
		fprintf(f, " %5.2fth=[%*.0f]%s", nvb_percentiles[i], width, (double)v[i] / div,
			i + 1 == nvb_npercentiles ? "\n"
			: i % 4 == 3		  ? ",\n"
						  : ",");
	}
}

static void print_dir(FILE *f, const struct nvb_entry *e, int d)
{
	const struct nvb_hist *h = &e->lat[d];
	double bw = e->bw[d], io = (double)e->bytes[d], div;
	double mean = ns(nvb_hist_mean(h)), sd = ns(nvb_hist_stdev(h));
	double min = ns((double)nvb_hist_min(h)), max = ns((double)nvb_hist_max(h));
	char iops[32], bwi[32], bws[32], ios[32], mn[32], mx[32];
	const char *unit;

	if (!h->n)
		return;
	nvb_num2str(iops, sizeof(iops), e->iops[d], 1000.0, "");
	nvb_num2str(bwi, sizeof(bwi), bw, 1024.0, "B/s");
	nvb_num2str(bws, sizeof(bws), bw, 1000.0, "B/s");
	nvb_num2str(ios, sizeof(ios), io, 1024.0, "B");
	fprintf(f, "  %s: IOPS=%s, BW=%s (%s)(%s/%llumsec)\n", ddir_name[d], iops, bwi, bws, ios,
		(unsigned long long)ms(e->runtime_ns));
	unit = lat_unit(min, &div);
	nvb_num2str(mn, sizeof(mn), min / div, 1000.0, "");
	nvb_num2str(mx, sizeof(mx), max / div, 1000.0, "");
	fprintf(f, "    clat (%s): min=%s, max=%s, avg=%.2f, stdev=%.2f\n", unit, mn, mx,
		mean / div, sd / div);
	print_percentiles(f, h);
}

/* Mixed sizes: the I/Os issued of each size, a line per direction. */
static void print_sizes(FILE *f, const struct nvb_entry *e)
{
	for (unsigned d = 0; d < NVB_DDIRS; d++) {
		if (!e->nsizes[d])
			continue;
		fprintf(f, "     issued bs  : %s", ddir_name[d]);
		for (unsigned i = 0; i < e->nsizes[d]; i++) {
			if (e->sizes[d][i].bs)
				fprintf(f, "%s %uB=%llu", i ? "," : "", e->sizes[d][i].bs,
					(unsigned long long)e->sizes[d][i].ios);
			else
				fprintf(f, "%s other=%llu", i ? "," : "",
					(unsigned long long)e->sizes[d][i].ios);
		}
		fprintf(f, "\n");
	}
}

static void fmt_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%a %b %e %H:%M:%S %Y", &tm);
}

void nvb_report_normal(FILE *f, const struct nvb_run *run)
{
	struct nvb_entry *e;
	unsigned n = nvb_entries(run, &e);
	char when[64];
	double minbw[NVB_DDIRS], maxbw[NVB_DDIRS], sumbw[NVB_DDIRS] = {0, 0};
	uint64_t minrt = UINT64_MAX, maxrt = 0, io[NVB_DDIRS] = {0, 0};

	fmt_time(when, sizeof(when), run->started);
	for (int d = 0; d < NVB_DDIRS; d++) {
		minbw[d] = INFINITY;
		maxbw[d] = 0;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct nvb_entry *x = &e[i];
		double rt = x->runtime_ns ? (double)x->runtime_ns : 1.0;
		fprintf(f, "\n%s: (groupid=0, jobs=%u): err=%2d: pid=%d: %s\n", x->o->name,
			x->njobs, -x->error, x->tid, when);
		if (x->error)
			fprintf(f, "  error        : %s\n", x->errmsg);
		fprintf(f, "  target       : %s (%s, %s)\n", x->t->filename, x->o->ioengine,
			x->t->describe);
		for (int d = 0; d < NVB_DDIRS; d++)
			print_dir(f, x, d);
		fprintf(f,
			"  cpu          : usr=%.2f%%, sys=%.2f%%, ctx=%llu, majf=%llu, minf=%llu\n",
			100.0 * (double)x->usr_ns / rt / x->njobs,
			100.0 * (double)x->sys_ns / rt / x->njobs, (unsigned long long)x->ctx,
			(unsigned long long)x->majf, (unsigned long long)x->minf);
		if (x->lat[0].n + x->lat[1].n) {
			double ios = (double)(x->lat[0].n + x->lat[1].n);
			fprintf(f,
				"  cpu per I/O  : %.0f ns (usr=%.0f ns, sys=%.0f ns) on the job "
				"thread%s\n",
				(double)(x->usr_ns + x->sys_ns) / ios, (double)x->usr_ns / ios,
				(double)x->sys_ns / ios, x->njobs > 1 ? "s" : "");
		}
		fprintf(f, "     issued rwts: total=%llu,%llu,0,0 short=0,0,0,0 dropped=0,0,0,0\n",
			(unsigned long long)x->lat[0].n, (unsigned long long)x->lat[1].n);
		if (x->sized)
			print_sizes(f, x);
		if (x->o->verify)
			fprintf(f, "     verify     : %llu bad block%s\n",
				(unsigned long long)x->verify_errors,
				x->verify_errors == 1 ? "" : "s");
		for (int d = 0; d < NVB_DDIRS; d++) {
			double bw = x->bw[d];
			io[d] += x->bytes[d];
			sumbw[d] += bw;
			if (!x->lat[d].n)
				continue;
			minbw[d] = bw < minbw[d] ? bw : minbw[d];
			maxbw[d] = bw > maxbw[d] ? bw : maxbw[d];
		}
		minrt = x->runtime_ns < minrt ? x->runtime_ns : minrt;
		maxrt = x->runtime_ns > maxrt ? x->runtime_ns : maxrt;
	}
	fprintf(f, "\nRun status group 0 (all jobs):\n");
	for (int d = 0; d < NVB_DDIRS; d++) {
		char a[32], b[32], c[32], dd[32], ee[32], ff[32], g[32], h[32];
		if (!io[d])
			continue;
		nvb_num2str(a, sizeof(a), sumbw[d], 1024.0, "B/s");
		nvb_num2str(b, sizeof(b), sumbw[d], 1000.0, "B/s");
		nvb_num2str(c, sizeof(c), minbw[d], 1024.0, "B/s");
		nvb_num2str(dd, sizeof(dd), maxbw[d], 1024.0, "B/s");
		nvb_num2str(ee, sizeof(ee), minbw[d], 1000.0, "B/s");
		nvb_num2str(ff, sizeof(ff), maxbw[d], 1000.0, "B/s");
		nvb_num2str(g, sizeof(g), (double)io[d], 1024.0, "B");
		nvb_num2str(h, sizeof(h), (double)io[d], 1000.0, "B");
		fprintf(f, "%7s: bw=%s (%s), %s-%s (%s-%s), io=%s (%s), run=%llu-%llumsec\n",
			d == NVB_READ ? "READ" : "WRITE", a, b, c, dd, ee, ff, g, h,
			(unsigned long long)ms(minrt), (unsigned long long)ms(maxrt));
	}
	free(e);
}

static void json_lat(struct nvb_json *j, const char *key, const struct nvb_hist *h, bool pct)
{
	nvb_json_obj(j, key);
	nvb_json_u64(j, "min", ns_u(nvb_hist_min(h)));
	nvb_json_u64(j, "max", ns_u(nvb_hist_max(h)));
	nvb_json_dbl(j, "mean", ns(nvb_hist_mean(h)));
	nvb_json_dbl(j, "stddev", ns(nvb_hist_stdev(h)));
	nvb_json_u64(j, "N", h->n);
	if (pct && h->n) {
		nvb_json_obj(j, "percentile");
		for (unsigned i = 0; i < nvb_npercentiles; i++) {
			char k[32];
			snprintf(k, sizeof(k), "%.6f", nvb_percentiles[i]);
			nvb_json_u64(j, k, ns_u(nvb_hist_percentile(h, nvb_percentiles[i])));
		}
		nvb_json_end_obj(j);
	}
	nvb_json_end_obj(j);
}

static void json_dir(struct nvb_json *j, const char *key, const struct nvb_entry *e, int d)
{
	struct nvb_hist empty;
	const struct nvb_hist *h = d >= 0 ? &e->lat[d] : &empty;
	double iops = d >= 0 ? e->iops[d] : 0.0, bw = d >= 0 ? e->bw[d] : 0.0;
	uint64_t bytes = d >= 0 ? e->bytes[d] : 0;

	nvb_hist_reset(&empty);
	nvb_json_obj(j, key);
	nvb_json_u64(j, "io_bytes", bytes);
	nvb_json_u64(j, "io_kbytes", bytes / 1024);
	nvb_json_u64(j, "bw_bytes", (uint64_t)bw);
	nvb_json_u64(j, "bw", (uint64_t)(bw / 1024.0));
	nvb_json_dbl(j, "iops", iops);
	nvb_json_u64(j, "runtime", h->n ? ms(e->runtime_ns) : 0);
	nvb_json_u64(j, "total_ios", h->n);
	nvb_json_u64(j, "short_ios", 0);
	nvb_json_u64(j, "drop_ios", 0);
	/* Latency runs from queueing to completion: fio's lat; slat is not split off. */
	json_lat(j, "slat_ns", &empty, false);
	json_lat(j, "clat_ns", h, true);
	json_lat(j, "lat_ns", h, false);
	nvb_json_end_obj(j);
}

/* fio's latency distribution: the share of I/Os in (previous bound, bound], ns then us then ms. */
static void json_distribution(struct nvb_json *j, const struct nvb_entry *e)
{
	static const unsigned keys[] = {2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000};
	static const char *const names[] = {"latency_ns", "latency_us", "latency_ms"};
	double share[3][12] = {{0}};
	double total = (double)(e->lat[0].n + e->lat[1].n);

	for (int d = 0; d < NVB_DDIRS; d++) {
		for (unsigned b = 0; b < NVB_HIST_BUCKETS; b++) {
			uint64_t lo, hi;
			double v;
			unsigned u = 0, k = 0;
			if (!e->lat[d].count[b])
				continue;
			nvb_hist_bucket(b, &lo, &hi);
			v = ns(((double)lo + (double)(hi - 1)) / 2.0);
			while (u < 2 && v > 1000.0) {
				v /= 1000.0;
				u++;
			}
			while (k < (u == 2 ? 11u : 10u) && v > keys[k])
				k++;
			share[u][k] += (double)e->lat[d].count[b];
		}
	}
	for (unsigned u = 0; u < 3; u++) {
		nvb_json_obj(j, names[u]);
		for (unsigned k = 0; k < (u == 2 ? 11u : 10u); k++) {
			char key[16];
			snprintf(key, sizeof(key), "%u", keys[k]);
			nvb_json_dbl(j, key, total ? 100.0 * share[u][k] / total : 0.0);
		}
		if (u == 2)
			nvb_json_dbl(j, ">=2000", total ? 100.0 * share[2][11] / total : 0.0);
		nvb_json_end_obj(j);
	}
}

static void json_entry(struct nvb_json *j, const struct nvb_entry *e, const struct nvb_run *run)
{
	double rt = e->runtime_ns ? (double)e->runtime_ns : 1.0;
	uint64_t ios = e->lat[0].n + e->lat[1].n;
	const char *kv;

	nvb_json_obj(j, NULL);
	nvb_json_str(j, "jobname", e->o->name);
	nvb_json_u64(j, "groupid", 0);
	nvb_json_i64(j, "error", -e->error);
	nvb_json_u64(j, "eta", 0);
	nvb_json_u64(j, "elapsed", (run->elapsed_ns + 500000000ull) / 1000000000ull);
	nvb_json_obj(j, "job options");
	for (kv = e->o->given; kv < e->o->given + e->o->given_len; kv += strlen(kv) + 1) {
		char key[64];
		const char *eq = strchr(kv, '=');
		size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
		if (kl >= sizeof(key))
			continue;
		memcpy(key, kv, kl);
		key[kl] = '\0';
		nvb_json_str(j, key, eq ? eq + 1 : "");
	}
	nvb_json_end_obj(j);
	json_dir(j, "read", e, NVB_READ);
	json_dir(j, "write", e, NVB_WRITE);
	json_dir(j, "trim", e, -1);
	{
		struct nvb_hist empty;
		nvb_hist_reset(&empty);
		nvb_json_obj(j, "sync");
		nvb_json_u64(j, "total_ios", 0);
		json_lat(j, "lat_ns", &empty, false);
		nvb_json_end_obj(j);
	}
	nvb_json_u64(j, "job_runtime", ms(e->runtime_ns));
	nvb_json_dbl(j, "usr_cpu", 100.0 * (double)e->usr_ns / rt / e->njobs);
	nvb_json_dbl(j, "sys_cpu", 100.0 * (double)e->sys_ns / rt / e->njobs);
	nvb_json_u64(j, "ctx", e->ctx);
	nvb_json_u64(j, "majf", e->majf);
	nvb_json_u64(j, "minf", e->minf);
	json_distribution(j, e);
	/* What fio has no key for. */
	nvb_json_obj(j, "nvfio");
	nvb_json_str(j, "ioengine", e->o->ioengine);
	nvb_json_str(j, "filename", e->t->filename);
	nvb_json_str(j, "target", e->t->describe);
	nvb_json_u64(j, "jobs", e->njobs);
	nvb_json_u64(j, "iodepth", e->o->iodepth);
	nvb_json_u64(j, "bs", e->bs);
	if (e->sized) {
		/* I/Os issued of each size ("other": of a range too wide to count apart). */
		nvb_json_obj(j, "bs_issued");
		for (unsigned d = 0; d < NVB_DDIRS; d++) {
			nvb_json_obj(j, ddir_name[d]);
			for (unsigned i = 0; i < e->nsizes[d]; i++) {
				char k[16];

				snprintf(k, sizeof(k), "%u", e->sizes[d][i].bs);
				nvb_json_u64(j, e->sizes[d][i].bs ? k : "other",
					     e->sizes[d][i].ios);
			}
			nvb_json_end_obj(j);
		}
		nvb_json_end_obj(j);
	}
	/* The clock that timed the I/Os, in --clocksource's names. */
	nvb_json_str(j, "clocksource", nvb_clock.tsc ? "cpu" : "clock_gettime");
	nvb_json_dbl(j, "cpu_ns_per_io", ios ? (double)(e->usr_ns + e->sys_ns) / (double)ios : 0.0);
	nvb_json_dbl(j, "usr_ns_per_io", ios ? (double)e->usr_ns / (double)ios : 0.0);
	nvb_json_dbl(j, "sys_ns_per_io", ios ? (double)e->sys_ns / (double)ios : 0.0);
	nvb_json_u64(j, "verify_errors", e->verify_errors);
	nvb_json_dbl(j, "thread_cpu_ns_per_io", ios ? (double)e->thread_cpu_ns / (double)ios : 0.0);
	nvb_json_dbl(j, "process_cpu_ns_per_io", ios ? (double)e->proc_cpu_ns / (double)ios : 0.0);
	nvb_json_u64(j, "idle_polls", e->idle_polls);
	nvb_json_u64(j, "idle_polls_timed", e->idle_timed);
	nvb_json_u64(j, "idle_ns", e->idle_ns);
	nvb_json_dbl(j, "busy_cpu_ns_per_io",
		     ios && e->thread_cpu_ns > e->idle_ns
			 ? (double)(e->thread_cpu_ns - e->idle_ns) / (double)ios
			 : 0.0);
	nvb_json_u64(j, "idle_calibration_polls", e->calib_polls);
	nvb_json_u64(j, "idle_calibration_cpu_ns", e->calib_cpu_ns);
	nvb_json_str(j, "error_message", e->error ? e->errmsg : "");
	nvb_json_end_obj(j);
	nvb_json_end_obj(j);
}

void nvb_report_json_members(struct nvb_json *j, const struct nvb_run *run)
{
	struct nvb_entry *e;
	unsigned n = nvb_entries(run, &e);
	struct timeval tv;
	char when[64];

	gettimeofday(&tv, NULL);
	fmt_time(when, sizeof(when), run->started);
	nvb_json_str(j, "fio version", NVB_VERSION);
	nvb_json_u64(j, "timestamp", (uint64_t)run->started);
	nvb_json_u64(j, "timestamp_ms", (uint64_t)run->started * 1000u);
	nvb_json_str(j, "time", when);
	nvb_json_arr(j, "jobs");
	for (unsigned i = 0; i < n; i++)
		json_entry(j, &e[i], run);
	nvb_json_end_arr(j);
	nvb_json_arr(j, "disk_util");
	nvb_json_end_arr(j);
	free(e);
}

void nvb_report_json(FILE *f, const struct nvb_run *run)
{
	struct nvb_json j;

	nvb_json_init(&j, f);
	nvb_json_obj(&j, NULL);
	nvb_report_json_members(&j, run);
	nvb_json_end_obj(&j);
}
