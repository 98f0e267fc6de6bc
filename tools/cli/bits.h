/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_BITS_H
#define NVFIO_CLI_BITS_H

/*
 * The -H decoding of a register or identify field as nvme-cli prints it: one line per bit
 * field, "  [hi:lo] : VALUE<TAB>TEXT", then an empty line. Rows are written with the
 * CLI_BITS_* macros below, which name only what each kind uses.
 */

#include <stdbool.h>
#include <stdint.h>

enum cli_bits_kind {
	CLI_BITS_SUPPORTED,   /* "TEXT Supported" / "TEXT Not Supported" */
	CLI_BITS_VALUE,	      /* "TEXT" after the field's value */
	CLI_BITS_RESERVED,    /* "Reserved", printed only when non-zero */
	CLI_BITS_CHOICE,      /* TEXT when set, ALT when clear */
	CLI_BITS_LIST,	      /* TEXT then NAMES[value] */
	CLI_BITS_NUMBER,      /* TEXT, the value in decimal, ALT */
	CLI_BITS_POW2,	      /* TEXT, 2 to the value in decimal, ALT */
	CLI_BITS_ZEROS_BASED, /* "VALUE (0's based)<TAB>TEXT", the value in decimal */
	CLI_BITS_KELVIN,      /* "C°C (K Kelvin)<TAB>TEXT" */
	CLI_BITS_NO_BLANK,    /* only in the end row: no empty line after the fields */
};

struct cli_bits {
	const char *head; /* "  [10:10] : " exactly as nvme-cli spaces it */
	unsigned char lo, width;
	enum cli_bits_kind kind;
	const char *text;
	/* CLI_BITS_CHOICE: the text when the field is 0; NUMBER, POW2: the text after it */
	const char *alt;
	const char *const *names; /* CLI_BITS_LIST: one per value of the field */
	/* Non-zero: the row is printed only when v & when is non-zero (zero, with when_clear);
	 * nvme-cli leaves some rows out so. */
	uint64_t when;
	bool when_clear;
};

#define CLI_BITS_ROW(h, l, w, k, ...)                                                          \
	{ .head = (h), .lo = (l), .width = (w), .kind = (k), __VA_ARGS__ }
#define CLI_BITS_SUP(h, l, t) CLI_BITS_ROW(h, l, 1, CLI_BITS_SUPPORTED, .text = (t))
#define CLI_BITS_ONE_OF(h, l, set, clear)                                                      \
	CLI_BITS_ROW(h, l, 1, CLI_BITS_CHOICE, .text = (set), .alt = (clear))
#define CLI_BITS_VAL(h, l, w, t) CLI_BITS_ROW(h, l, w, CLI_BITS_VALUE, .text = (t))
#define CLI_BITS_RSVD(h, l, w) CLI_BITS_ROW(h, l, w, CLI_BITS_RESERVED, .text = NULL)
#define CLI_BITS_NAMED(h, l, w, t, n)                                                          \
	CLI_BITS_ROW(h, l, w, CLI_BITS_LIST, .text = (t), .names = (n))

#define CLI_BITS_END { .head = NULL }
#define CLI_BITS_END_NO_BLANK { .head = NULL, .kind = CLI_BITS_NO_BLANK }

/* cli_bits_show() - print @v's fields as @rows say, then the empty line. */
void cli_bits_show(uint64_t v, const struct cli_bits *rows);

#endif /* NVFIO_CLI_BITS_H */
