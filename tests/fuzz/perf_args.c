/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio-perf's command line (nvb_parse_args()): options in fio's forms (--name=value, --name
 * value, booleans alone), the job files it names, --name starting a job. The input: the
 * arguments, separated by NUL bytes. Job files are read from the target's own directory (the
 * current directory of the run), as perf_jobfile's. The parse succeeds with at least one job, or
 * fails with a message.
 */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "options.h"
#include "perf.h"

static const char *const files[][2] = {
    {"global.fio", "[global]\nfilename=sim:\nbs=4k\nrw=randread\niodepth=8\n"},
    {"job.fio", "[job]\nsize=1m\nnumjobs=2\nruntime=1s\ntime_based\n"},
    {"self.fio", "[global]\ninclude self.fio\n"},
    {NULL, NULL},
};

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FUZZ_CHECK(chdir(fuzz_dir(files)) == 0);
	FUZZ_CHECK(clearenv() == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	char *argv[64], err[NVB_ERR_MAX];
	int argc = fuzz_argv(&in, "nvfio-perf", argv, 64), i, ret;
	struct nvb_config cfg;

	for (i = 1; i < argc; i++)
		if (!fuzz_local_paths(argv[i], argv[i][0] != '-'))
			goto out;
	ret = nvb_parse_args(argc, argv, &cfg, err, sizeof(err));
	FUZZ_CHECK(fuzz_terminated(err, sizeof(err)));
	if (ret == 0) {
		FUZZ_CHECK(cfg.njobs >= 1 || cfg.prog.help || cfg.prog.version);
		nvb_config_free(&cfg);
	} else {
		FUZZ_CHECK(err[0] || ret == -ENOMEM);
	}
out:
	fuzz_argv_free(argv, argc);
	return 0;
}
