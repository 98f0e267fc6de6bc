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
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "modes.h"
#include "options.h"
#include "run.h"

static void on_sigint(int sig)
{
	int saved = errno;

	(void)sig;
	nvb_stop = 1;
	/* A second ^C ends the program at once. */
	signal(SIGINT, SIG_DFL);
	errno = saved;
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

/*
 * --output=F: the report goes to a file of its own beside F (.F.XXXXXX), renamed over F when the
 * run succeeds and removed when it fails, so that a failed run neither leaves an empty F nor
 * clobbers the one an earlier run wrote. What is not a plain file (a FIFO, /dev/stdout, a
 * symbolic link) is written in place. @tmp gets the temporary file's name, "" for none.
 */
static FILE *output_open(const char *path, char *tmp, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path + 1) : 0;
	struct stat st;
	mode_t mask;
	FILE *f;
	int fd;

	tmp[0] = '\0';
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return fopen(path, "w");
	if ((size_t)snprintf(tmp, len, "%.*s.%s.XXXXXX", dir, path, path + dir) >= len) {
		tmp[0] = '\0';
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		tmp[0] = '\0';
		return NULL;
	}
	/* The permissions fopen() would have given it. */
	mask = umask(0);
	umask(mask);
	f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;

		close(fd);
		unlink(tmp);
		tmp[0] = '\0';
		errno = e;
	}
	return f;
}

/* Put the report in place (@ok) or drop it; NVB_EXIT_FAIL when it could not be written. */
static int output_close(FILE *out, const char *path, const char *tmp, bool ok)
{
	int rc = NVB_EXIT_OK;

	if (fclose(out) != 0) {
		fprintf(stderr, "nvfio-perf: --output=%s: %s\n", path, strerror(errno));
		rc = NVB_EXIT_FAIL;
		ok = false;
	}
	if (!tmp[0])
		return rc;
	if (!ok) {
		unlink(tmp);
		fprintf(stderr, "nvfio-perf: --output=%s: not written, since the run failed\n",
			path);
	} else if (rename(tmp, path) != 0) {
		fprintf(stderr, "nvfio-perf: --output=%s: renaming %s to it: %s\n", path, tmp,
			strerror(errno));
		unlink(tmp);
		rc = NVB_EXIT_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct nvb_config cfg;
	char err[NVB_ERR_MAX], tmp[NVB_PATH_MAX + 16];
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
		out = output_open(cfg.prog.output, tmp, sizeof(tmp));
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

	if (out != stdout && output_close(out, cfg.prog.output, tmp, rc == NVB_EXIT_OK) != 0)
		rc = NVB_EXIT_FAIL;
	nvb_config_free(&cfg);
	return rc;
}
