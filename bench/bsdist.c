// SPDX-License-Identifier: BSD-3-Clause
/* The sizes of a job's I/Os: built from the options, checked against the target. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bsdist.h"

static const char *const ddir_names[NVB_BS_DDIRS] = {"reads", "writes", "trims"};

const char *nvb_bs_minmax(const struct nvb_opts *o, unsigned d, uint64_t *min, uint64_t *max)
{
	const struct nvb_bssplit *sp = &o->bssplit[d];

	if (sp->n) {
		*min = UINT64_MAX;
		*max = 0;
		for (unsigned i = 0; i < sp->n; i++) {
			*min = sp->bs[i] < *min ? sp->bs[i] : *min;
			*max = sp->bs[i] > *max ? sp->bs[i] : *max;
		}
		return "bssplit";
	}
	if (o->bsrange[d][0]) {
		*min = o->bsrange[d][0];
		*max = o->bsrange[d][1];
		return "bsrange";
	}
	*min = *max = o->bs[d];
	return "bs";
}

static void dist_build(const struct nvb_opts *o, unsigned d, struct nvb_bsdist *bd)
{
	const struct nvb_bssplit *sp = &o->bssplit[d];
	uint64_t min, max;

	memset(bd, 0, sizeof(*bd));
	bd->from = nvb_bs_minmax(o, d, &min, &max);
	bd->min = (uint32_t)min;
	bd->max = (uint32_t)max;
	if (sp->n > 1) {
		uint64_t acc = 0;

		bd->n = sp->n;
		for (unsigned i = 0; i < sp->n; i++) {
			acc += sp->ppm[i];
			bd->len[i] = sp->bs[i];
			/* P(size <= i) of 2^32, less one: size i when the bits are at most that. */
			bd->cum[i] =
			    i + 1 == sp->n ? UINT32_MAX : (uint32_t)((acc << 32) / 1000000 - 1);
		}
	} else {
		/* One size is a range of one step: no scan. */
		bd->steps = (uint32_t)(max / min);
	}
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

void nvb_bs_build(const struct nvb_opts *o, struct nvb_bs *bs)
{
	memset(bs, 0, sizeof(*bs));
	if (o->verify)
		bs->used = 1u << NVB_WRITE;
	else
		bs->used = (o->rw & NVB_RW_READS ? 1u << NVB_READ : 0) |
			   (o->rw & NVB_RW_WRITES ? 1u << NVB_WRITE : 0);
	for (unsigned d = 0; d < NVB_DDIRS; d++)
		dist_build(o, d, &bs->dir[d]);
	if (o->verify)
		bs->dir[NVB_READ] = bs->dir[NVB_WRITE];
	bs->min = UINT32_MAX;
	for (unsigned d = 0; d < NVB_DDIRS; d++) {
		const struct nvb_bsdist *bd = &bs->dir[d];

		if (!(bs->used & (1u << d)))
			continue;
		if (bs->unit && (bd->min != bs->min || bd->max != bs->max))
			bs->mixed = true;
		bs->mixed |= bd->min != bd->max;
		bs->unit = gcd(bd->min, bs->unit);
		bs->min = bd->min < bs->min ? bd->min : bs->min;
		bs->max = bd->max > bs->max ? bd->max : bs->max;
	}
	for (unsigned d = 0; d < NVB_DDIRS; d++) {
		struct nvb_bsdist *bd = &bs->dir[d];

		/* A direction not issued still gets whole units (an engine never sees it). */
		if (bd->min % bs->unit)
			continue;
		bd->min_units = bd->min / bs->unit;
		for (unsigned i = 0; i < bd->n; i++)
			bd->units[i] = bd->len[i] / bs->unit;
	}
}

int nvb_bs_check(const struct nvb_bs *bs, const char *label, const char *target,
		 uint32_t block_size, char *err, size_t errlen)
{
	for (unsigned d = 0; d < NVB_DDIRS; d++) {
		const struct nvb_bsdist *bd = &bs->dir[d];
		uint32_t bad = 0;

		if (!(bs->used & (1u << d)))
			continue;
		if (bd->min % block_size)
			bad = bd->min;
		else if (bd->max % block_size)
			bad = bd->max;
		for (unsigned i = 0; i < bd->n && !bad; i++)
			if (bd->len[i] % block_size)
				bad = bd->len[i];
		if (!bad)
			continue;
		if (strcmp(bd->from, "bs") == 0 && !bs->mixed)
			snprintf(err, errlen,
				 "%s--bs=%u is not a multiple of %s's block size (%u bytes)", label,
				 bad, target, block_size);
		else
			snprintf(
			    err, errlen,
			    "%s--%s: %u bytes, a size of the %s, is not a multiple of %s's block "
			    "size (%u bytes): give multiples of it",
			    label, bd->from, bad, ddir_names[d], target, block_size);
		return -EINVAL;
	}
	return 0;
}

int nvb_bs_fit(const struct nvb_bsdist *bd, uint64_t room, uint32_t *len, uint32_t *units)
{
	int best = -1;

	if (bd->steps) {
		uint64_t j = room / bd->min_units;

		if (!j)
			return -1;
		j = j < bd->steps ? j : bd->steps;
		*len = bd->min * (uint32_t)j;
		*units = bd->min_units * (uint32_t)j;
		return j - 1 < NVB_BS_UNCOUNTED ? (int)j - 1 : NVB_BS_UNCOUNTED;
	}
	for (unsigned i = 0; i < bd->n; i++)
		if (bd->units[i] <= room && (best < 0 || bd->units[i] > bd->units[best]))
			best = (int)i;
	if (best >= 0) {
		*len = bd->len[best];
		*units = bd->units[best];
	}
	return best;
}

uint32_t nvb_bs_size(const struct nvb_bsdist *bd, unsigned i)
{
	return bd->steps ? bd->min * (i + 1) : bd->len[i];
}
