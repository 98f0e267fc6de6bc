/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvfio-perf's job files (fio's ini format: sections, key=value, include FILE, ${VAR}) as a user
 * may write them (nvb_parse_jobfile_text()). The input is the text of a job file in the target's
 * own directory, which holds a few others to include (one includes itself); the environment has
 * JOBDIR (that directory) and NVB_BS only. The parse succeeds with jobs, or fails with a message.
 */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "options.h"
#include "perf.h"

static const char *const files[][2] = {
    {"global.fio", "[global]\nfilename=sim:\nbs=4k\nrw=randread\niodepth=8\n"},
    {"job.fio", "[job]\nsize=1m\nnumjobs=2\nruntime=1s\ntime_based\n"},
    {"self.fio", "[global]\ninclude self.fio\n"},
    {"env.fio", "[env]\nbs=${NVB_BS}\nfilename=${JOBDIR}/data\n"},
    {NULL, NULL},
};

static char where[128];

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_dir(files);

	FUZZ_CHECK(clearenv() == 0);
	FUZZ_CHECK(setenv("JOBDIR", dir, 1) == 0 && setenv("NVB_BS", "8k", 1) == 0);
	snprintf(where, sizeof(where), "%s/fuzz.fio", dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	char *text = fuzz_str(&in), err[NVB_ERR_MAX];
	struct nvb_config cfg;
	int ret;

	if (!fuzz_local_paths(text, false)) {
		free(text);
		return 0;
	}
	nvb_config_init(&cfg);
	err[0] = '\0';
	ret = nvb_parse_jobfile_text(text, where, &cfg, err, sizeof(err));
	FUZZ_CHECK(fuzz_terminated(err, sizeof(err)));
	FUZZ_CHECK(ret == 0 || err[0] || ret == -ENOMEM);
	nvb_config_free(&cfg);
	free(text);
	return 0;
}
