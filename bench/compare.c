// SPDX-License-Identifier: BSD-3-Clause
/*
 * --compare: the same jobs on two targets, alternately (A B A B ...) so that drift in the
 * machine (frequency, other load, a warming device) falls on both alike; each figure is shown
 * for both with min, median and max over the rounds, and the ratio A/B taken round by round.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "modes.h"
#include "options.h"
#include "run.h"

int nvb_side_prepare(const struct nvb_opts *jobs, unsigned n, const char *filename,
		     const char *engine, const char *peer_engine, struct nvb_opts **out, char *err,
		     size_t errlen)
{
	struct nvb_opts *side = malloc(n * sizeof(*side));

	if (!side) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(side, jobs, n * sizeof(*side));
	for (unsigned s = 0; s < n; s++) {
		struct nvb_opts *o = &side[s];
		const struct nvb_engine *mine, *peer;
		const char *peer_name = peer_engine;

		if (filename)
			snprintf(o->filename, sizeof(o->filename), "%s", filename);
		if (filename || engine)
			snprintf(o->ioengine, sizeof(o->ioengine), "%s", engine ? engine : "");
		mine = nvb_engine_find(o->ioengine[0] ? o->ioengine
						      : nvb_engine_for_target(o->filename));
		peer = peer_name ? nvb_engine_find(peer_name) : NULL;
		if (!mine)
			continue; /* resolution reports it */
		for (int i = 0; i < nvb_opt_count(); i++) {
			unsigned m = nvb_opt_engines(i);
			if (!(o->given_mask & (1ull << i)) || !m || (m & mine->mask))
				continue;
			/* The other side's engine takes it: it is meant for that side only. */
			if (peer && (m & peer->mask))
				o->given_mask &= ~(1ull << i);
		}
	}
	*out = side;
	return 0;
}

/* The figures compared, and how to read each from a run. */
struct figure {
	const char *name;
	const char *key;
	const char *unit;
	double scale;
	bool higher_better;
};

static const struct figure figures[] = {
    {"IOPS", "iops", "", 1.0, true},
    {"bandwidth", "bw_mib", "MiB/s", 1.0 / 1048576.0, true},
    {"latency mean", "lat_mean_us", "us", 1e-3, false},
    {"latency p50", "lat_p50_us", "us", 1e-3, false},
    {"latency p99", "lat_p99_us", "us", 1e-3, false},
    {"latency p99.9", "lat_p999_us", "us", 1e-3, false},
    {"CPU per I/O", "cpu_ns_per_io", "ns", 1.0, false},
    {"  usr per I/O", "usr_ns_per_io", "ns", 1.0, false},
    {"  sys per I/O", "sys_ns_per_io", "ns", 1.0, false},
};
#define NFIG (sizeof(figures) / sizeof(figures[0]))

static double figure_value(const struct nvb_figures *f, unsigned i)
{
	double v[] = {f->iops,	       f->bw,	   f->lat_mean_ns,   f->p50_ns,
		      f->p99_ns,       f->p999_ns, f->cpu_ns_per_io, f->usr_ns_per_io,
		      f->sys_ns_per_io};
	return v[i] * figures[i].scale;
}

struct stat3 {
	double min, med, max;
};

static struct stat3 stat3(const double *v, unsigned n)
{
	double tmp[1000];
	struct stat3 s = {INFINITY, 0.0, -INFINITY};

	for (unsigned i = 0; i < n; i++) {
		tmp[i] = v[i];
		s.min = v[i] < s.min ? v[i] : s.min;
		s.max = v[i] > s.max ? v[i] : s.max;
	}
	s.med = nvb_median(tmp, n);
	if (!n)
		s.min = s.max = 0.0;
	return s;
}

static void fmt(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 100000.0)
		nvb_num2str(buf, len, v, 1000.0, "");
	else if (fabs(v) >= 100.0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

static void json_stat(struct nvb_json *j, const char *key, const double *v, unsigned n)
{
	struct stat3 s = stat3(v, n);

	nvb_json_obj(j, key);
	nvb_json_dbl(j, "min", s.min);
	nvb_json_dbl(j, "median", s.med);
	nvb_json_dbl(j, "max", s.max);
	nvb_json_arr(j, "values");
	for (unsigned i = 0; i < n; i++)
		nvb_json_dbl(j, NULL, v[i]);
	nvb_json_end_arr(j);
	nvb_json_end_obj(j);
}

int nvb_mode_compare(struct nvb_config *cfg, FILE *out)
{
	const struct nvb_prog *prog = &cfg->prog;
	unsigned n = cfg->njobs, rounds = (unsigned)prog->rounds;
	struct nvb_opts *side[2] = {NULL, NULL};
	struct nvb_target **targets[2] = {NULL, NULL};
	double(*val)[2][NFIG] = NULL; /* [round][side][figure] */
	struct nvb_run *runs = NULL;  /* kept for the JSON report: [round * 2 + side] */
	char err[NVB_ERR_MAX];
	const char *eng[2];
	int rc = NVB_EXIT_FAIL, r;
	bool failed = false, json = prog->output_format == NVB_OUT_JSON;

	/* Which engine each side gets decides which engine options go to which side. */
	eng[0] = cfg->jobs[0].ioengine[0] ? cfg->jobs[0].ioengine
					  : nvb_engine_for_target(cfg->jobs[0].filename);
	eng[1] = prog->compare_ioengine[0] ? prog->compare_ioengine
					   : nvb_engine_for_target(prog->compare);
	r = nvb_side_prepare(cfg->jobs, n, NULL, NULL, eng[1], &side[0], err, sizeof(err));
	if (!r)
		r = nvb_side_prepare(cfg->jobs, n, prog->compare, prog->compare_ioengine, eng[0],
				     &side[1], err, sizeof(err));
	if (r)
		goto fail;
	val = calloc(rounds, sizeof(*val));
	runs = calloc(2 * rounds, sizeof(*runs));
	targets[0] = calloc(n, sizeof(*targets[0]));
	targets[1] = calloc(n, sizeof(*targets[1]));
	if (!val || !runs || !targets[0] || !targets[1]) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	for (int s = 0; s < 2; s++) {
		r = nvb_targets_open(side[s], n, targets[s], err, sizeof(err));
		if (r)
			goto fail;
	}
	if (!json) {
		fprintf(out, "%s: comparing A=%s (%s) and B=%s (%s), %u rounds\n", NVB_VERSION,
			side[0][0].filename, side[0][0].ioengine, side[1][0].filename,
			side[1][0].ioengine, rounds);
		fflush(out);
	}
	for (unsigned k = 0; k < rounds && !nvb_stop; k++) {
		for (int s = 0; s < 2 && !nvb_stop; s++) {
			struct nvb_run *run = &runs[k * 2 + (unsigned)s];
			struct nvb_figures f;

			r = nvb_run_once(side[s], n, targets[s], 2 * k + (unsigned)s + 1,
					 nvb_status_wanted(prog), run, err, sizeof(err));
			if (r)
				goto fail;
			failed |= nvb_run_failed(run);
			nvb_figures(run, &f);
			for (unsigned i = 0; i < NFIG; i++)
				val[k][s][i] = figure_value(&f, i);
			if (!json) {
				char a[32], b[32];
				fmt(a, sizeof(a), f.iops);
				fmt(b, sizeof(b), f.cpu_ns_per_io);
				fprintf(out,
					"round %u/%u %c: IOPS=%s, lat p50=%.2fus, CPU/IO=%sns\n",
					k + 1, rounds, 'A' + s, a, f.p50_ns / 1e3, b);
				fflush(out);
			}
		}
	}
	if (nvb_stop) {
		/* Interrupted: report the rounds that both sides completed. */
		unsigned done = 0;
		while (done < rounds && runs[done * 2 + 1].njobs)
			done++;
		rounds = done;
	}

	if (json) {
		struct nvb_json j;
		nvb_json_init(&j, out);
		nvb_json_obj(&j, NULL);
		nvb_json_str(&j, "fio version", NVB_VERSION);
		nvb_json_obj(&j, "compare");
		for (int s = 0; s < 2; s++) {
			nvb_json_obj(&j, s ? "b" : "a");
			nvb_json_str(&j, "filename", side[s][0].filename);
			nvb_json_str(&j, "ioengine", side[s][0].ioengine);
			nvb_json_str(&j, "target", targets[s][0]->describe);
			nvb_json_end_obj(&j);
		}
		nvb_json_u64(&j, "rounds", rounds);
		nvb_json_obj(&j, "figures");
		for (unsigned i = 0; i < NFIG; i++) {
			double a[1000], b[1000], ratio[1000];
			for (unsigned k = 0; k < rounds; k++) {
				a[k] = val[k][0][i];
				b[k] = val[k][1][i];
				ratio[k] = b[k] != 0.0 ? a[k] / b[k] : NAN;
			}
			nvb_json_obj(&j, figures[i].key);
			nvb_json_str(&j, "unit", figures[i].unit);
			json_stat(&j, "a", a, rounds);
			json_stat(&j, "b", b, rounds);
			json_stat(&j, "ratio", ratio, rounds);
			nvb_json_end_obj(&j);
		}
		nvb_json_end_obj(&j);
		nvb_json_end_obj(&j);
		nvb_json_arr(&j, "runs");
		for (unsigned k = 0; k < rounds; k++) {
			for (int s = 0; s < 2; s++) {
				nvb_json_obj(&j, NULL);
				nvb_json_u64(&j, "round", k + 1);
				nvb_json_str(&j, "side", s ? "b" : "a");
				nvb_report_json_members(&j, &runs[k * 2 + (unsigned)s]);
				nvb_json_end_obj(&j);
			}
		}
		nvb_json_end_arr(&j);
		nvb_json_end_obj(&j);
	} else {
		fprintf(out, "\n%-22s %27s   %27s   %s\n", "", "A: min / median / max",
			"B: min / median / max", "A/B: min / median / max");
		for (unsigned i = 0; i < NFIG; i++) {
			double a[1000], b[1000], ratio[1000];
			struct stat3 sa, sb, sr;
			char x[3][3][32], name[40];
			for (unsigned k = 0; k < rounds; k++) {
				a[k] = val[k][0][i];
				b[k] = val[k][1][i];
				ratio[k] = b[k] != 0.0 ? a[k] / b[k] : NAN;
			}
			sa = stat3(a, rounds);
			sb = stat3(b, rounds);
			sr = stat3(ratio, rounds);
			fmt(x[0][0], 32, sa.min);
			fmt(x[0][1], 32, sa.med);
			fmt(x[0][2], 32, sa.max);
			fmt(x[1][0], 32, sb.min);
			fmt(x[1][1], 32, sb.med);
			fmt(x[1][2], 32, sb.max);
			snprintf(x[2][0], 32, "%.3f", sr.min);
			snprintf(x[2][1], 32, "%.3f", sr.med);
			snprintf(x[2][2], 32, "%.3f", sr.max);
			snprintf(name, sizeof(name), "%s%s%s%s", figures[i].name,
				 figures[i].unit[0] ? " (" : "", figures[i].unit,
				 figures[i].unit[0] ? ")" : "");
			fprintf(out, "%-22s %7s / %7s / %7s   %7s / %7s / %7s   %s / %s / %s\n",
				name, x[0][0], x[0][1], x[0][2], x[1][0], x[1][1], x[1][2], x[2][0],
				x[2][1], x[2][2]);
		}
		fprintf(out, "\nA: %s (%s, %s)\nB: %s (%s, %s)\n", side[0][0].filename,
			side[0][0].ioengine, targets[0][0]->describe, side[1][0].filename,
			side[1][0].ioengine, targets[1][0]->describe);
		fprintf(out, "CPU per I/O counts the job threads' user and system time.\n");
	}
	rc = failed ? NVB_EXIT_FAIL : NVB_EXIT_OK;
	goto out;

fail:
	fprintf(stderr, "nvfio-perf: %s\n", err);
out:
	if (runs)
		for (unsigned k = 0; k < 2 * (unsigned)prog->rounds; k++)
			nvb_run_free(&runs[k]);
	for (int s = 0; s < 2; s++) {
		if (targets[s])
			nvb_targets_close(targets[s], n);
		free(targets[s]);
		free(side[s]);
	}
	free(runs);
	free(val);
	return rc;
}
