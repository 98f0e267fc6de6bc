// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "out.h"

int cli_out_check(struct cli_out *o)
{
	const char *f = o->format ? o->format : "normal";

	if (!strcmp(f, "normal"))
		o->fmt = CLI_FMT_NORMAL;
	else if (!strcmp(f, "json"))
		o->fmt = CLI_FMT_JSON;
	else if (!strcmp(f, "binary"))
		o->fmt = CLI_FMT_BINARY;
	else
		return cli_err("unknown output format '%s': normal, json or binary", f), -EINVAL;
	if (o->binary)
		o->fmt = CLI_FMT_BINARY;
	return 0;
}

void cli_json_print(struct json_object *root)
{
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE),
	      stdout);
	fputc('\n', stdout);
	json_object_put(root);
}

void cli_json_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int((int32_t)(uint32_t)v));
}

void cli_json_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

void cli_json_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

/* Decimal digits of a 128-bit value, least significant first; returns their count. */
static size_t u128_digits(const uint8_t v[16], char *dig)
{
	uint32_t w[4];
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++)
		w[3 - i] = (uint32_t)v[4 * i] | (uint32_t)v[4 * i + 1] << 8 |
			   (uint32_t)v[4 * i + 2] << 16 | (uint32_t)v[4 * i + 3] << 24;
	do {
		uint64_t rem = 0;

		for (i = 0; i < 4; i++) {
			uint64_t cur = rem << 32 | w[i];

			w[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
		}
		dig[n++] = (char)('0' + rem);
	} while (w[0] | w[1] | w[2] | w[3]);
	return n;
}

const char *cli_u128_str(const uint8_t v[16]) /* NOLINT: static buffer by design */
{
	static char out[80];
	const char *sep = localeconv()->thousands_sep;
	size_t seplen = sep ? strlen(sep) : 0, n, i, o = 0;
	char dig[40];

	n = u128_digits(v, dig);
	for (i = n; i-- > 0;) {
		out[o++] = dig[i];
		if (seplen && i && i % 3 == 0 && o + seplen < sizeof(out) - 1) {
			memcpy(out + o, sep, seplen);
			o += seplen;
		}
	}
	out[o] = '\0';
	return out;
}

void cli_json_u128(struct json_object *o, const char *key, const uint8_t v[16])
{
	char dig[40], out[41];
	size_t n = u128_digits(v, dig), i;

	for (i = 0; i < n; i++)
		out[i] = dig[n - 1 - i];
	out[n] = '\0';
	cli_json_str(o, key, out);
}

long double cli_u128_ld(const uint8_t v[16])
{
	long double r = 0;
	int i;

	for (i = 15; i >= 0; i--)
		r = r * 256 + v[i];
	return r;
}

void cli_raw(const void *buf, size_t len)
{
	fwrite(buf, 1, len, stdout);
}

void cli_hexdump(const void *bufp, size_t len, unsigned int width, unsigned int group)
{
	const uint8_t *buf = bufp;
	char ascii[33];
	size_t i;
	bool done = false;

	if (width > 32)
		width = 32;
	printf("     ");
	for (i = 0; i <= 15; i++)
		printf("%3zx", i);
	for (i = 0; i < len; i++) {
		done = false;
		if (i % width == 0)
			printf("\n%04zx:", i);
		printf(i % group == 0 ? " %02x" : "%02x", buf[i]);
		ascii[i % width] = buf[i] >= '!' && buf[i] <= '~' ? (char)buf[i] : '.';
		if ((i + 1) % width == 0) {
			printf(" \"%.*s\"", (int)width, ascii);
			done = true;
		}
	}
	if (!done) {
		unsigned int b = width - (unsigned int)(i % width);

		printf(" %*s \"%.*s\"", (int)(2 * b + b / group + (b % group ? 1 : 0)), "",
		       (int)(i % width), ascii);
	}
	printf("\n");
}

void cli_field_str(char *out, size_t size, const char *s, size_t len)
{
	size_t n = strnlen(s, len);

	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

void cli_uuid_str(char out[37], const uint8_t u[16])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}
