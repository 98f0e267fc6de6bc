/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_BITS_H
#define NVFIO_CLI_BITS_H

/*
 * The -H decoding of a register or identify field as nvme-cli prints it: one line per bit
 * field, "  [hi:lo] : VALUE<TAB>TEXT", then an empty line.
 */

#include <stdint.h>

enum cli_bits_kind {
	CLI_BITS_SUPPORTED, /* "TEXT Supported" / "TEXT Not Supported" */
	CLI_BITS_VALUE,	    /* "TEXT" after the field's value */
	CLI_BITS_RESERVED,  /* "Reserved", printed only when non-zero */
	CLI_BITS_CHOICE,    /* TEXT when set, ALT when clear */
};

struct cli_bits {
	const char *head; /* "  [10:10] : " exactly as nvme-cli spaces it */
	unsigned char lo, width;
	enum cli_bits_kind kind;
	const char *text;
	const char *alt; /* CLI_BITS_CHOICE: the text when the field is 0 */
};

#define CLI_BITS_END { NULL, 0, 0, CLI_BITS_VALUE, NULL, NULL }

/* cli_bits_show() - print @v's fields as @rows say, then the empty line. */
void cli_bits_show(uint64_t v, const struct cli_bits *rows);

#endif /* NVFIO_CLI_BITS_H */
