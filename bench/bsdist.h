/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_BSDIST_H
#define NVFIO_BENCH_BSDIST_H

/*
 * The sizes of a job's I/Os, from --bs, --bsrange and --bssplit as fio takes them: per direction
 * one size, a range (multiples of its smallest size, each as likely), or sizes in shares of the
 * I/Os. Offsets are multiples of a unit that divides every size (fio aligns to the smallest size:
 * its blockalign's default). A job whose I/Os all have one size does not use this in its loop
 * (job.h: NVB_MODE_SIZES is not set); the others draw each I/O's size with nvb_bs_pick().
 */

#include <stdbool.h>
#include <stdint.h>

#include "perf.h"

/* A size's index in nvb_bs_pick()'s answer that no counter follows: a range of more sizes. */
#define NVB_BS_UNCOUNTED NVB_BSSPLIT_MAX

/* The sizes of one direction. One size is a range of one step. */
struct nvb_bsdist {
	uint32_t min, max;	       /* bytes */
	uint32_t min_units;	       /* min in units of the job's offsets (nvb_bs.unit) */
	uint32_t steps;		       /* a range: min * (1 .. steps), each as likely; 0: a split */
	uint32_t n;		       /* a split's sizes */
	uint32_t cum[NVB_BSSPLIT_MAX]; /* a split: size i when 32 random bits are <= cum[i] */
	uint32_t len[NVB_BSSPLIT_MAX]; /* a split's sizes in bytes */
	uint32_t units[NVB_BSSPLIT_MAX];
	const char *from; /* the option that gave them: "bs", "bsrange", "bssplit" */
};

/* The sizes of one job. */
struct nvb_bs {
	struct nvb_bsdist dir[NVB_DDIRS];
	unsigned used; /* the directions the job issues (1u << enum nvb_ddir) */
	uint32_t unit; /* offsets are multiples: the gcd of the smallest sizes of those */
	uint32_t min;  /* their smallest size */
	uint32_t max;  /* and their largest: a slot's buffer */
	bool mixed;    /* not every I/O the same size */
};

/*
 * nvb_bs_minmax() - the smallest and largest I/O size of direction @d (enum nvb_ddir, or 2 for
 * trims) of @o, in bytes, and the option they come from.
 */
const char *nvb_bs_minmax(const struct nvb_opts *o, unsigned d, uint64_t *min, uint64_t *max);

/*
 * nvb_bs_build() - the sizes of @o's I/Os. A --verify job's reads take its writes' sizes: they
 * read back what the writes wrote, in the same order.
 */
void nvb_bs_build(const struct nvb_opts *o, struct nvb_bs *bs);

/*
 * nvb_bs_check() - whether every size of @bs is a multiple of @block_size, the block size of
 * @target (named in the message): 0, or -EINVAL with a sentence in @err (@label first).
 */
int nvb_bs_check(const struct nvb_bs *bs, const char *label, const char *target,
		 uint32_t block_size, char *err, size_t errlen);

/*
 * nvb_bs_pick() - a size drawn from @bd with the random bits @r: its length and its units, and
 * its index among @bd's sizes for the counters (NVB_BS_UNCOUNTED for a range of more sizes than
 * there are counters).
 */
static inline __attribute__((always_inline)) unsigned
nvb_bs_pick(const struct nvb_bsdist *bd, uint64_t r, uint32_t *len, uint32_t *units)
{
	unsigned i;

	if (bd->steps) {
		uint32_t j = (uint32_t)(((unsigned __int128)r * bd->steps) >> 64);

		*len = bd->min * (j + 1);
		*units = bd->min_units * (j + 1);
		return j < NVB_BS_UNCOUNTED ? j : NVB_BS_UNCOUNTED;
	}
	/* The last threshold is UINT32_MAX: the scan ends within the split. */
	for (i = 0; (uint32_t)(r >> 32) > bd->cum[i]; i++)
		;
	*len = bd->len[i];
	*units = bd->units[i];
	return i;
}

/*
 * nvb_bs_fit() - the largest size of @bd of at most @room units, for the last I/O of a sequential
 * pass: its index (as nvb_bs_pick()), length and units; -1 when none is that small.
 */
int nvb_bs_fit(const struct nvb_bsdist *bd, uint64_t room, uint32_t *len, uint32_t *units);

/* nvb_bs_size() - the size of index @i of @bd (nvb_bs_pick()), in bytes. */
uint32_t nvb_bs_size(const struct nvb_bsdist *bd, unsigned i);

#endif /* NVFIO_BENCH_BSDIST_H */
