/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_OPTIONS_H
#define NVFIO_BENCH_OPTIONS_H

/*
 * Command line and job files, with fio's option names, value syntax and meanings.
 *
 * Values: sizes are integers (decimal or 0x hex) with an optional suffix k, m, g, t, p meaning
 * powers of 1024 and ki, mi, gi, ti, pi meaning powers of 1000 (fio's default kb_base=1024), an
 * optional trailing b, any case; times are integers with an optional suffix us/usec, ms/msec,
 * s/sec, m/min, h, d (seconds without one); booleans are 1/0, true/false, yes/no, on/off, or
 * the bare name for true.
 *
 * Precedence, last wins: defaults, the job file's [global], the job's section, then the command
 * line's options given before any --name. A command-line job (--name=X and the options after
 * it) starts from the defaults and the command line's global options.
 *
 * All parse functions return 0 or -EINVAL with a sentence in @err that names the option, the
 * value, and what is accepted.
 */

#include <stdio.h>

#include "perf.h"

/* Engines an option belongs to (0: every engine). */
enum {
	NVB_ENG_NVFIO = 1u << 0,
	NVB_ENG_URING = 1u << 1,
	NVB_ENG_URING_CMD = 1u << 2,
};

/* nvb_parse_args() - parse argv (argv[0] is the program) into @cfg; free it with nvb_config_free().
 */
int nvb_parse_args(int argc, char **argv, struct nvb_config *cfg, char *err, size_t errlen);

/*
 * nvb_parse_jobfile_text() - add the jobs of a job file's text to @cfg, as nvb_parse_args() does
 * for a job file named on the command line (@where names it in messages). For tests.
 */
int nvb_parse_jobfile_text(const char *text, const char *where, struct nvb_config *cfg, char *err,
			   size_t errlen);

/*
 * nvb_parse_jobfile() - the same for the job file at @path: read (at most 1 MiB of text), its
 * include directives followed (relative to the including file's directory, 8 deep at most),
 * ${VAR} taken from the environment. For tests.
 */
int nvb_parse_jobfile(const char *path, struct nvb_config *cfg, char *err, size_t errlen);

void nvb_config_init(struct nvb_config *cfg);
void nvb_config_free(struct nvb_config *cfg);

/* The defaults of a job. */
void nvb_opts_defaults(struct nvb_opts *o);

/* nvb_parse_size() - a size with fio's suffixes; 0 or -EINVAL (not a size) or -ERANGE. */
int nvb_parse_size(const char *s, uint64_t *out);

/* nvb_parse_time() - a time with fio's suffixes, in ns; @unit_ns is the unit of a bare number. */
int nvb_parse_time(const char *s, uint64_t unit_ns, uint64_t *out);

/* nvb_parse_cpus() - a CPU list "0-3,5"; 0 or -EINVAL. */
int nvb_parse_cpus(const char *s, cpu_set_t *set);

/*
 * nvb_opt_index() - the option table index of @name ('-' and '_' alike), or -1. Bits of
 * nvb_opts.given_mask are these indexes.
 */
int nvb_opt_index(const char *name);

/* nvb_opt_engines() - NVB_ENG_* mask of the engines option @index belongs to, 0 for all. */
unsigned nvb_opt_engines(int index);

/* nvb_opt_name() - the name of option @index. */
const char *nvb_opt_name(int index);

/* Number of entries in the option table. */
int nvb_opt_count(void);

/* nvb_usage() - the option summary for --help. */
void nvb_usage(FILE *f);

#endif /* NVFIO_BENCH_OPTIONS_H */
