// SPDX-License-Identifier: BSD-3-Clause
#include <stdio.h>

#include "bits.h"

void cli_bits_show(uint64_t v, const struct cli_bits *r)
{
	for (; r->head; r++) {
		uint64_t f = (v >> r->lo) & ((UINT64_C(1) << r->width) - 1);
		unsigned long long x = f;

		if (r->when && !(v & r->when) != r->when_clear)
			continue;
		switch (r->kind) {
		case CLI_BITS_RESERVED:
			if (f)
				printf("%s%#llx\tReserved\n", r->head, x);
			break;
		case CLI_BITS_SUPPORTED:
			printf("%s%#llx\t%s %sSupported\n", r->head, x, r->text, f ? "" : "Not ");
			break;
		case CLI_BITS_CHOICE:
			printf("%s%#llx\t%s\n", r->head, x, f ? r->text : r->alt);
			break;
		case CLI_BITS_VALUE:
			printf("%s%#llx\t%s\n", r->head, x, r->text);
			break;
		case CLI_BITS_LIST:
			printf("%s%#llx\t%s%s\n", r->head, x, r->text, r->names[f]);
			break;
		case CLI_BITS_NUMBER:
			printf("%s%#llx\t%s%llu%s\n", r->head, x, r->text, x, r->alt);
			break;
		case CLI_BITS_POW2:
			printf("%s%#llx\t%s%llu%s\n", r->head, x, r->text, 1ULL << f, r->alt);
			break;
		case CLI_BITS_ZEROS_BASED:
			printf("%s%llu (0's based)\t%s\n", r->head, x, r->text);
			break;
		case CLI_BITS_KELVIN:
			printf("%s%lld\u00b0C (%llu Kelvin)\t%s\n", r->head, (long long)x - 273, x,
			       r->text);
			break;
		case CLI_BITS_NO_BLANK:
			break;
		}
	}
	if (r->kind != CLI_BITS_NO_BLANK)
		printf("\n");
}
