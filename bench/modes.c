// SPDX-License-Identifier: BSD-3-Clause
/* Running the jobs once, and what --compare and --plot share with it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "modes.h"
#include "options.h"
#include "run.h"

bool nvb_status_wanted(const struct nvb_prog *prog)
{
	if (prog->eta == NVB_ETA_NEVER)
		return false;
	if (prog->eta == NVB_ETA_ALWAYS)
		return true;
	/* The status line goes to stdout: only on a terminal, never into a report file. */
	return isatty(STDOUT_FILENO) && (!prog->output[0] || prog->output_format == NVB_OUT_NORMAL);
}

bool nvb_run_failed(const struct nvb_run *run)
{
	bool failed = false;

	for (unsigned i = 0; i < run->njobs; i++) {
		const struct nvb_job *job = run->jobs[i];
		if (!job->error)
			continue;
		if (job->o->numjobs > 1)
			fprintf(stderr, "nvfio-perf: %s (job %u): %s\n", job->o->name, job->sub,
				job->errmsg);
		else
			fprintf(stderr, "nvfio-perf: %s%s\n", job->o->label, job->errmsg);
		failed = true;
	}
	return failed;
}

int nvb_run_once(const struct nvb_opts *sections, unsigned n, struct nvb_target **targets,
		 uint64_t run_id, bool status, struct nvb_run *run, char *err, size_t errlen)
{
	memset(run, 0, sizeof(*run));
	run->sections = sections;
	run->nsections = n;
	run->targets = targets;
	run->status = status;
	run->run_id = run_id;
	return nvb_run(run, err, errlen);
}

double nvb_median(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned k = i; k > 0 && v[k - 1] > v[k]; k--) {
			double t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	if (!n)
		return 0.0;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void nvb_xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
				fputc(*s, f);
		}
	}
}

int nvb_mode_single(struct nvb_config *cfg, FILE *out)
{
	struct nvb_target **targets = calloc(cfg->njobs, sizeof(*targets));
	char err[NVB_ERR_MAX];
	struct nvb_run run;
	unsigned threads = 0;
	int r, rc = NVB_EXIT_OK;

	if (!targets) {
		fprintf(stderr, "nvfio-perf: out of memory\n");
		return NVB_EXIT_FAIL;
	}
	r = nvb_targets_open(cfg->jobs, cfg->njobs, targets, err, sizeof(err));
	if (r) {
		fprintf(stderr, "nvfio-perf: %s\n", err);
		free(targets);
		return NVB_EXIT_FAIL;
	}
	for (unsigned s = 0; s < cfg->njobs; s++)
		threads += (unsigned)cfg->jobs[s].numjobs;
	if (cfg->prog.output_format == NVB_OUT_NORMAL) {
		nvb_report_header(out, cfg->jobs, cfg->njobs, threads);
		fflush(out);
	}
	r = nvb_run_once(cfg->jobs, cfg->njobs, targets, 1, nvb_status_wanted(&cfg->prog), &run,
			 err, sizeof(err));
	if (r) {
		fprintf(stderr, "nvfio-perf: %s\n", err);
		rc = NVB_EXIT_FAIL;
	} else {
		if (cfg->prog.output_format == NVB_OUT_JSON)
			nvb_report_json(out, &run);
		else
			nvb_report_normal(out, &run);
		if (nvb_run_failed(&run))
			rc = NVB_EXIT_FAIL;
	}
	nvb_run_free(&run);
	nvb_targets_close(targets, cfg->njobs);
	free(targets);
	return rc;
}
