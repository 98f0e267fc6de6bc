// SPDX-License-Identifier: BSD-3-Clause
/*
 * --plot=FILE.svg: for each target (--filename, and --compare's if given) a sweep over queue
 * depths, drawn as IOPS against queue depth, and the latency percentile curve of each target at
 * the jobs' own --iodepth. The SVG is written by hand: two panels, axes with ticks, one colour
 * per target.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bsdist.h"
#include "engine.h"
#include "modes.h"
#include "options.h"
#include "run.h"

#define W	1000.0
#define H	440.0
#define PANEL_W 400.0
#define PANEL_H 300.0
#define LEFT1	90.0
#define LEFT2	580.0
#define TOP	60.0

static const char *const colours[] = {"#1f77b4", "#d62728"};

struct series {
	char label[NVB_PATH_MAX + 48];
	unsigned npts;
	double qd[NVB_PLOT_QD_MAX];
	double iops[NVB_PLOT_QD_MAX];
	double pct_ns[32]; /* at nvb_percentiles[], at the jobs' --iodepth */
	uint64_t curve_qd;
};

static double nines(double p)
{
	/* Percentile axis as fio users read tails: 90 -> 1, 99 -> 2, 99.9 -> 3. */
	return -log10(1.0 - p / 100.0);
}

static double nice_ceil(double v)
{
	double e, m;

	if (v <= 0)
		return 1.0;
	e = pow(10.0, floor(log10(v)));
	m = v / e;
	return (m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0) * e;
}

static void text(FILE *f, double x, double y, const char *anchor, const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
	nvb_xml_text(f, s);
	fprintf(f, "</text>\n");
}

static void fmt_lat(char *buf, size_t len, double ns)
{
	if (ns >= 1e6)
		snprintf(buf, len, "%gms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%gus", ns / 1e3);
	else
		snprintf(buf, len, "%gns", ns);
}

static void write_svg(FILE *f, const struct series *s, unsigned ns, const char *title)
{
	double ymax = 0, xmax_log = 0, lmin = INFINITY, lmax = 0;
	double qmin = INFINITY, qmax = 0;
	char buf[64];

	for (unsigned k = 0; k < ns; k++) {
		for (unsigned i = 0; i < s[k].npts; i++) {
			ymax = s[k].iops[i] > ymax ? s[k].iops[i] : ymax;
			qmin = s[k].qd[i] < qmin ? s[k].qd[i] : qmin;
			qmax = s[k].qd[i] > qmax ? s[k].qd[i] : qmax;
		}
		for (unsigned i = 0; i < nvb_npercentiles; i++) {
			double v = s[k].pct_ns[i] > 1 ? s[k].pct_ns[i] : 1;
			lmin = v < lmin ? v : lmin;
			lmax = v > lmax ? v : lmax;
		}
	}
	ymax = nice_ceil(ymax * 1.05);
	if (!(qmin > 0))
		qmin = 1;
	if (qmax <= qmin)
		qmax = qmin * 2;
	xmax_log = nines(nvb_percentiles[nvb_npercentiles - 1]);
	lmin = pow(10.0, floor(log10(lmin)));
	lmax = pow(10.0, ceil(log10(lmax)));
	if (lmax <= lmin)
		lmax = lmin * 10;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H + 20.0 * ns, W, H + 20.0 * ns);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	text(f, W / 2, 24, "middle", " font-size=\"16\"", title);

	/* Left panel: IOPS against queue depth (log2 x). */
	fprintf(f, "<g>\n");
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		"stroke=\"#444\"/>\n",
		LEFT1, TOP, PANEL_W, PANEL_H);
	text(f, LEFT1 + PANEL_W / 2, TOP - 10, "middle", " font-weight=\"bold\"",
	     "IOPS against queue depth");
	for (int t = 0; t <= 5; t++) {
		double v = ymax * t / 5, y = TOP + PANEL_H - PANEL_H * t / 5;
		nvb_num2str(buf, sizeof(buf), v, 1000.0, "");
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			LEFT1, y, LEFT1 + PANEL_W, y);
		text(f, LEFT1 - 6, y + 4, "end", "", buf);
	}
	for (double q = 1; q <= qmax * 1.001; q *= 2) {
		double x;
		if (q < qmin / 1.001)
			continue;
		x = LEFT1 + PANEL_W * (log2(q) - log2(qmin)) / (log2(qmax) - log2(qmin));
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			x, TOP, x, TOP + PANEL_H);
		snprintf(buf, sizeof(buf), "%g", q);
		text(f, x, TOP + PANEL_H + 16, "middle", "", buf);
	}
	text(f, LEFT1 + PANEL_W / 2, TOP + PANEL_H + 36, "middle", "", "queue depth (iodepth)");
	text(f, LEFT1 - 60, TOP + PANEL_H / 2, "middle", " transform=\"rotate(-90 30 210)\"",
	     "IOPS");
	for (unsigned k = 0; k < ns; k++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			colours[k % 2]);
		for (unsigned i = 0; i < s[k].npts; i++) {
			double x = LEFT1 + PANEL_W * (log2(s[k].qd[i]) - log2(qmin)) /
					       (log2(qmax) - log2(qmin));
			double y = TOP + PANEL_H - PANEL_H * s[k].iops[i] / ymax;
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		fprintf(f, "\"/>\n");
		for (unsigned i = 0; i < s[k].npts; i++) {
			double x = LEFT1 + PANEL_W * (log2(s[k].qd[i]) - log2(qmin)) /
					       (log2(qmax) - log2(qmin));
			double y = TOP + PANEL_H - PANEL_H * s[k].iops[i] / ymax;
			nvb_num2str(buf, sizeof(buf), s[k].iops[i], 1000.0, " IOPS");
			fprintf(
			    f,
			    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>QD %g: ", x,
			    y, colours[k % 2], s[k].qd[i]);
			nvb_xml_text(f, buf);
			fprintf(f, "</title></circle>\n");
		}
	}
	fprintf(f, "</g>\n");

	/* Right panel: latency (log y) against percentile (nines x). */
	fprintf(f, "<g>\n");
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		"stroke=\"#444\"/>\n",
		LEFT2, TOP, PANEL_W, PANEL_H);
	text(f, LEFT2 + PANEL_W / 2, TOP - 10, "middle", " font-weight=\"bold\"",
	     "completion latency percentiles");
	for (double v = lmin; v <= lmax * 1.001; v *= 10) {
		double y = TOP + PANEL_H - PANEL_H * log10(v / lmin) / log10(lmax / lmin);
		fmt_lat(buf, sizeof(buf), v);
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			LEFT2, y, LEFT2 + PANEL_W, y);
		text(f, LEFT2 - 6, y + 4, "end", "", buf);
	}
	{
		static const double ticks[] = {0, 90, 99, 99.9, 99.99};
		for (unsigned t = 0; t < 5; t++) {
			double x = LEFT2 + PANEL_W * nines(ticks[t]) / xmax_log;
			fprintf(f,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"#ddd\"/>\n",
				x, TOP, x, TOP + PANEL_H);
			snprintf(buf, sizeof(buf), "%g%%", ticks[t]);
			text(f, x, TOP + PANEL_H + 16, "middle", "", buf);
		}
	}
	text(f, LEFT2 + PANEL_W / 2, TOP + PANEL_H + 36, "middle", "", "percentile");
	for (unsigned k = 0; k < ns; k++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			colours[k % 2]);
		for (unsigned i = 0; i < nvb_npercentiles; i++) {
			double v = s[k].pct_ns[i] > 1 ? s[k].pct_ns[i] : 1;
			double x = LEFT2 + PANEL_W * nines(nvb_percentiles[i]) / xmax_log;
			double y = TOP + PANEL_H - PANEL_H * log10(v / lmin) / log10(lmax / lmin);
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "</g>\n");

	/* Legend. */
	for (unsigned k = 0; k < ns; k++) {
		double y = H - 10 + 20.0 * k;
		char lbl[NVB_PATH_MAX + 96];
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"3\"/>\n",
			LEFT1, y - 4, LEFT1 + 24, y - 4, colours[k % 2]);
		snprintf(lbl, sizeof(lbl), "%s (percentiles at QD %llu)", s[k].label,
			 (unsigned long long)s[k].curve_qd);
		text(f, LEFT1 + 30, y, "start", "", lbl);
	}
	fprintf(f, "</svg>\n");
}

/* Run the sections at queue depth @qd on @targets; the figures into @fig. */
static int run_at(const struct nvb_opts *base, unsigned n, struct nvb_target **targets, uint64_t qd,
		  uint64_t run_id, bool status, struct nvb_figures *fig, bool *failed, char *err,
		  size_t errlen)
{
	struct nvb_opts *o = malloc(n * sizeof(*o));
	struct nvb_run run;
	int r;

	if (!o)
		return -ENOMEM;
	memcpy(o, base, n * sizeof(*o));
	for (unsigned s = 0; s < n; s++)
		o[s].iodepth = qd;
	r = nvb_run_once(o, n, targets, run_id, status, &run, err, errlen);
	if (!r) {
		*failed |= nvb_run_failed(&run);
		nvb_figures(&run, fig);
	}
	nvb_run_free(&run);
	free(o);
	return r;
}

int nvb_mode_plot(struct nvb_config *cfg, FILE *out)
{
	const struct nvb_prog *prog = &cfg->prog;
	unsigned n = cfg->njobs, nsides = prog->compare[0] ? 2 : 1;
	struct nvb_opts *side[2] = {NULL, NULL};
	struct nvb_target **targets[2] = {NULL, NULL};
	struct series *ser = calloc(2, sizeof(*ser));
	struct nvb_figures *fig = malloc(sizeof(*fig));
	bool json = prog->output_format == NVB_OUT_JSON, failed = false;
	char err[NVB_ERR_MAX], title[128], bsname[32];
	const char *eng[2];
	struct nvb_bs bs;
	uint64_t run_id = 1;
	FILE *svg = NULL;
	int rc = NVB_EXIT_FAIL, r;

	if (!ser || !fig) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	eng[0] = cfg->jobs[0].ioengine[0] ? cfg->jobs[0].ioengine
					  : nvb_engine_for_target(cfg->jobs[0].filename);
	eng[1] = prog->compare_ioengine[0] ? prog->compare_ioengine
					   : nvb_engine_for_target(prog->compare);
	r = nvb_side_prepare(cfg->jobs, n, NULL, NULL, nsides > 1 ? eng[1] : NULL, &side[0], err,
			     sizeof(err));
	if (!r && nsides > 1)
		r = nvb_side_prepare(cfg->jobs, n, prog->compare, prog->compare_ioengine, eng[0],
				     &side[1], err, sizeof(err));
	if (r)
		goto fail;
	for (unsigned k = 0; k < nsides; k++) {
		targets[k] = calloc(n, sizeof(*targets[k]));
		if (!targets[k]) {
			snprintf(err, sizeof(err), "out of memory");
			goto fail;
		}
		r = nvb_targets_open(side[k], n, targets[k], err, sizeof(err));
		if (r)
			goto fail;
	}
	/* Open the picture first, so a bad path fails before the sweep. */
	svg = fopen(prog->plot, "w");
	if (!svg) {
		snprintf(err, sizeof(err), "--plot=%s: %s", prog->plot, strerror(errno));
		goto fail;
	}

	for (unsigned k = 0; k < nsides && !nvb_stop; k++) {
		struct series *s = &ser[k];
		bool have_curve = false;

		snprintf(s->label, sizeof(s->label), "%s (%s)", side[k][0].filename,
			 side[k][0].ioengine);
		s->curve_qd = side[k][0].iodepth;
		for (unsigned i = 0; i < prog->plot_nqd && !nvb_stop; i++) {
			uint64_t qd = prog->plot_qd[i];
			r = run_at(side[k], n, targets[k], qd, run_id++, nvb_status_wanted(prog),
				   fig, &failed, err, sizeof(err));
			if (r)
				goto fail;
			s->qd[s->npts] = (double)qd;
			s->iops[s->npts] = fig->iops;
			s->npts++;
			if (qd == s->curve_qd) {
				for (unsigned p = 0; p < nvb_npercentiles; p++)
					s->pct_ns[p] = fig->pct_ns[p];
				have_curve = true;
			}
			if (!json) {
				char b[32];
				nvb_num2str(b, sizeof(b), fig->iops, 1000.0, "");
				fprintf(out, "%s: QD %llu: IOPS=%s, lat p50=%.2fus p99=%.2fus\n",
					s->label, (unsigned long long)qd, b, fig->p50_ns / 1e3,
					fig->p99_ns / 1e3);
				fflush(out);
			}
		}
		if (!have_curve && !nvb_stop) {
			r = run_at(side[k], n, targets[k], s->curve_qd, run_id++,
				   nvb_status_wanted(prog), fig, &failed, err, sizeof(err));
			if (r)
				goto fail;
			for (unsigned p = 0; p < nvb_npercentiles; p++)
				s->pct_ns[p] = fig->pct_ns[p];
		}
	}

	nvb_bs_build(&side[0][0], &bs);
	if (bs.mixed)
		snprintf(bsname, sizeof(bsname), "%u-%u", bs.min, bs.max);
	else
		snprintf(bsname, sizeof(bsname), "%u", bs.max);
	snprintf(title, sizeof(title), "%s: %s, bs=%s, %llu job%s", NVB_VERSION,
		 side[0][0].rw & NVB_RW_RANDOM ? "random" : "sequential", bsname,
		 (unsigned long long)side[0][0].numjobs, side[0][0].numjobs == 1 ? "" : "s");
	write_svg(svg, ser, nsides, title);
	if (fclose(svg) != 0) {
		svg = NULL;
		snprintf(err, sizeof(err), "--plot=%s: %s", prog->plot, strerror(errno));
		goto fail;
	}
	svg = NULL;

	if (json) {
		struct nvb_json j;
		nvb_json_init(&j, out);
		nvb_json_obj(&j, NULL);
		nvb_json_str(&j, "fio version", NVB_VERSION);
		nvb_json_str(&j, "plot", prog->plot);
		nvb_json_arr(&j, "series");
		for (unsigned k = 0; k < nsides; k++) {
			nvb_json_obj(&j, NULL);
			nvb_json_str(&j, "filename", side[k][0].filename);
			nvb_json_str(&j, "ioengine", side[k][0].ioengine);
			nvb_json_arr(&j, "sweep");
			for (unsigned i = 0; i < ser[k].npts; i++) {
				nvb_json_obj(&j, NULL);
				nvb_json_u64(&j, "iodepth", (uint64_t)ser[k].qd[i]);
				nvb_json_dbl(&j, "iops", ser[k].iops[i]);
				nvb_json_end_obj(&j);
			}
			nvb_json_end_arr(&j);
			nvb_json_u64(&j, "percentile_iodepth", ser[k].curve_qd);
			nvb_json_obj(&j, "clat_ns_percentile");
			for (unsigned p = 0; p < nvb_npercentiles; p++) {
				char key[32];
				snprintf(key, sizeof(key), "%.6f", nvb_percentiles[p]);
				nvb_json_u64(&j, key, (uint64_t)ser[k].pct_ns[p]);
			}
			nvb_json_end_obj(&j);
			nvb_json_end_obj(&j);
		}
		nvb_json_end_arr(&j);
		nvb_json_end_obj(&j);
	} else {
		fprintf(out, "plot written to %s\n", prog->plot);
	}
	rc = failed ? NVB_EXIT_FAIL : NVB_EXIT_OK;
	goto out;

fail:
	fprintf(stderr, "nvfio-perf: %s\n", err);
out:
	if (svg)
		fclose(svg);
	for (unsigned k = 0; k < 2; k++) {
		if (targets[k])
			nvb_targets_close(targets[k], n);
		free(targets[k]);
		free(side[k]);
	}
	free(ser);
	free(fig);
	return rc;
}
