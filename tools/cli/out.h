/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_OUT_H
#define NVFIO_CLI_OUT_H

/*
 * Output as nvme-cli writes it: "normal" text, "json" (json-c's pretty printing, as nvme-cli
 * uses it, so that the bytes are the same) or "binary" (the structure as the controller
 * returned it).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum cli_fmt {
	CLI_FMT_NORMAL,
	CLI_FMT_JSON,
	CLI_FMT_BINARY,
};

/* The -o/--output-format value, -b/--raw-binary and -H/--human-readable of most commands. */
struct cli_out {
	const char *format;
	bool binary;
	bool human;
	enum cli_fmt fmt; /* set by cli_out_check() */
};

/* cli_out_check() - resolve @o->fmt; -EINVAL after an error message for a bad format. */
int cli_out_check(struct cli_out *o);

/* cli_json_print() - print @root as nvme-cli does, then free it. */
void cli_json_print(struct json_object *root);

/* Values as nvme-cli adds them: "int" is json-c's 32-bit int (larger values wrap as nvme-cli's
 * do), "u64" a 64-bit integer, "u128" a decimal string of a 16-byte little-endian value. */
void cli_json_int(struct json_object *o, const char *key, int64_t v);
void cli_json_u64(struct json_object *o, const char *key, uint64_t v);
void cli_json_u128(struct json_object *o, const char *key, const uint8_t v[16]);
void cli_json_str(struct json_object *o, const char *key, const char *v);

/* cli_u128_str() - a 16-byte little-endian value in decimal, with the locale's thousands
 * separator as nvme-cli prints it; in a static buffer. */
const char *cli_u128_str(const uint8_t v[16]);

/* cli_u128_ld() - the same value as a long double (for the human-readable decoding). */
long double cli_u128_ld(const uint8_t v[16]);

/* cli_raw() - write @len bytes to stdout as they are. */
void cli_raw(const void *buf, size_t len);

/* cli_hexdump() - nvme-cli's hex dump: offset, 16 bytes in groups of @group, ASCII. */
void cli_hexdump(const void *buf, size_t len, unsigned int width, unsigned int group);

/* Fixed-width fields of identify data: @len bytes of @s, as printf's "%-.*s" would. */
void cli_field_str(char *out, size_t size, const char *s, size_t len);

/* A UUID as nvme-cli prints one (8-4-4-4-12 lower-case hex). */
void cli_uuid_str(char out[37], const uint8_t u[16]);

#endif /* NVFIO_CLI_OUT_H */
