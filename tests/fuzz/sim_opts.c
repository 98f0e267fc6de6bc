/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated controller's options, the text after "sim:" (nvf_sim_parse_opts()), and its
 * fault rules as nvfio_sim_fault_parse() takes them (nvf_sim_parse_fault()). The input is the
 * string, parsed both ways. What is taken stays within the model's limits.
 */
#include <errno.h>

#include <nvfio/error.h>

#include "fuzz/fuzz.h"
#include "sim/priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	char *s = fuzz_str(&in);
	struct nvf_sim_opts *o = malloc(sizeof(*o));
	struct nvf_sim_inject *inj = malloc(sizeof(*inj));
	struct nvfio_sim_fault f;
	int ret;

	FUZZ_CHECK(o && inj);
	ret = nvf_sim_parse_opts(o, inj, s);
	if (ret == 0) {
		FUZZ_CHECK(o->namespaces >= 1 && o->namespaces <= 1024);
		FUZZ_CHECK(o->queues >= 1 && o->queues <= 1024);
		FUZZ_CHECK(o->depth >= 2 && o->depth <= 65536);
		FUZZ_CHECK(o->threads >= 1 && o->threads <= 16);
		FUZZ_CHECK(o->lbaf < NVF_SIM_NLBAF && o->size % 4096 == 0 && o->size);
		FUZZ_CHECK(o->mdts >= 1 && o->mdts <= 10 && o->max_namespaces >= o->namespaces);
		FUZZ_CHECK(inj->nfaults <= NVF_SIM_MAX_RULES + 1);
		FUZZ_CHECK(inj->nevents <= NVF_SIM_MAX_EVENTS + 1);
		FUZZ_CHECK(o->nidpatch <= NVF_SIM_MAX_IDPATCH);
		FUZZ_CHECK(fuzz_terminated(o->file, sizeof(o->file)));
		FUZZ_CHECK(fuzz_terminated(o->model, sizeof(o->model)));
	} else {
		FUZZ_CHECK(ret == -NVFIO_EBADOPT || ret == -ENOMEM);
	}
	ret = nvf_sim_parse_fault(s, &f);
	FUZZ_CHECK(ret == 0 || ret == -NVFIO_EBADOPT);
	free(inj);
	free(o);
	free(s);
	return 0;
}
