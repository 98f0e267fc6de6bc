// SPDX-License-Identifier: BSD-3-Clause
#include <math.h>
#include <string.h>

#include "json.h"

void nvb_json_init(struct nvb_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator, indentation and key before a member or element. */
static void member(struct nvb_json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	j->first[j->depth] = false;
	if (key) {
		put_string(j->f, key);
		fputs(" : ", j->f);
	}
}

static void open_(struct nvb_json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < NVB_JSON_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct nvb_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void nvb_json_obj(struct nvb_json *j, const char *key)
{
	open_(j, key, '{');
}

void nvb_json_arr(struct nvb_json *j, const char *key)
{
	open_(j, key, '[');
}

void nvb_json_end_obj(struct nvb_json *j)
{
	close_(j, '}');
}

void nvb_json_end_arr(struct nvb_json *j)
{
	close_(j, ']');
}

void nvb_json_str(struct nvb_json *j, const char *key, const char *v)
{
	member(j, key);
	put_string(j->f, v);
}

void nvb_json_u64(struct nvb_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void nvb_json_i64(struct nvb_json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void nvb_json_dbl(struct nvb_json *j, const char *key, double v)
{
	member(j, key);
	fprintf(j->f, "%.6f", isfinite(v) ? v : 0.0);
}

void nvb_json_bool(struct nvb_json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}
