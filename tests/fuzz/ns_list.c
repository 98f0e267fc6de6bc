/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The active namespace list as a controller may return it, page after page, as the scan asks
 * for it (nvf_id_ns_list()): the input is NN (4 bytes, capped as the scan caps it), then the
 * pages the controller returns in turn (each a fuzz_chunk(): a length, then the page's start).
 * Whatever they hold (ids out of order, repeating, above NN, full lists that do not advance), the
 * scan ends, asks again only past the ids it has, and marks only ids from 1 to NN.
 */
#include "fuzz/fuzz.h"
#include "nvme/id.h"
#include "nvme/spec.h"

/* The scan tracks namespace ids up to this (nvme/ns.c). */
#define NS_MAX 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint32_t nn = fuzz_u32(&in), start = 0, prev, rounds = 0;
	uint8_t *seen;

	if (nn > NS_MAX)
		nn = NS_MAX;
	seen = calloc(nn + 1, 1);
	FUZZ_CHECK(seen);
	do {
		uint8_t *page = fuzz_chunk(&in, NVME_IDENTIFY_DATA_SIZE);
		bool more;

		prev = start;
		more = nvf_id_ns_list(page, &start, nn, seen);
		free(page);
		FUZZ_CHECK(start >= prev);
		if (!more)
			break;
		/* Asking again is asking past what it has, and never past NN. */
		FUZZ_CHECK(start > prev && start < nn);
		rounds++;
	} while (in.len);
	FUZZ_CHECK(rounds <= nn / NVME_ID_NS_LIST_MAX);
	FUZZ_CHECK(!seen[0]);
	free(seen);
	return 0;
}
