// SPDX-License-Identifier: BSD-3-Clause
/*
 * nvfio-perf: a fio-style benchmark that runs nvfio and the kernel's io_uring side by side.
 */

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "modes.h"
#include "options.h"
#include "run.h"

static void on_sigint(int sig)
{
	(void)sig;
	nvb_stop = 1;
	/* A second ^C ends the program at once. */
	signal(SIGINT, SIG_DFL);
}

/* Whether every job thread runs on one CPU (--cpus_allowed of one CPU, or split among them). */
static bool jobs_pinned(const struct nvb_config *cfg)
{
	for (unsigned i = 0; i < cfg->njobs; i++) {
		const struct nvb_opts *o = &cfg->jobs[i];

		if (!o->cpus_allowed_set || (CPU_COUNT(&o->cpus_allowed) != 1 &&
					     o->cpus_allowed_policy != NVB_CPUS_SPLIT))
			return false;
	}
	return cfg->njobs > 0;
}

int main(int argc, char **argv)
{
	struct nvb_config cfg;
	char err[NVB_ERR_MAX];
	FILE *out = stdout;
	int r, rc;

	r = nvb_parse_args(argc, argv, &cfg, err, sizeof(err));
	if (r) {
		fprintf(stderr, "nvfio-perf: %s\n", err);
		return NVB_EXIT_FAIL;
	}
	if (cfg.prog.help) {
		nvb_usage(stdout);
		nvb_config_free(&cfg);
		return NVB_EXIT_OK;
	}
	if (cfg.prog.version) {
		printf("%s\n", NVB_VERSION);
		nvb_config_free(&cfg);
		return NVB_EXIT_OK;
	}
	if (cfg.prog.output[0]) {
		out = fopen(cfg.prog.output, "w");
		if (!out) {
			fprintf(stderr, "nvfio-perf: --output=%s: %s\n", cfg.prog.output,
				strerror(errno));
			nvb_config_free(&cfg);
			return NVB_EXIT_FAIL;
		}
	}
	signal(SIGINT, on_sigint);
	nvb_clock_set_source(cfg.prog.clocksource, jobs_pinned(&cfg));
	nvb_clock_init();

	/* With --compare too, the plot draws both targets. */
	if (cfg.prog.plot[0])
		rc = nvb_mode_plot(&cfg, out);
	else if (cfg.prog.compare[0])
		rc = nvb_mode_compare(&cfg, out);
	else
		rc = nvb_mode_single(&cfg, out);

	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "nvfio-perf: --output=%s: %s\n", cfg.prog.output, strerror(errno));
		rc = NVB_EXIT_FAIL;
	}
	nvb_config_free(&cfg);
	return rc;
}
