// SPDX-License-Identifier: BSD-3-Clause
#include <stdio.h>

#include "bits.h"

void cli_bits_show(uint64_t v, const struct cli_bits *r)
{
	for (; r->head; r++) {
		uint64_t f = (v >> r->lo) & ((UINT64_C(1) << r->width) - 1);

		switch (r->kind) {
		case CLI_BITS_RESERVED:
			if (f)
				printf("%s%#llx\tReserved\n", r->head, (unsigned long long)f);
			break;
		case CLI_BITS_SUPPORTED:
			printf("%s%#llx\t%s %sSupported\n", r->head, (unsigned long long)f, r->text,
			       f ? "" : "Not ");
			break;
		case CLI_BITS_CHOICE:
			printf("%s%#llx\t%s\n", r->head, (unsigned long long)f,
			       f ? r->text : r->alt);
			break;
		case CLI_BITS_VALUE:
			printf("%s%#llx\t%s\n", r->head, (unsigned long long)f, r->text);
			break;
		}
	}
	printf("\n");
}
