/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_JSON_H
#define NVFIO_BENCH_JSON_H

/* A small JSON writer: nesting, commas and string escapes handled, output indented like fio's. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define NVB_JSON_DEPTH 16

struct nvb_json {
	FILE *f;
	int depth;
	bool first[NVB_JSON_DEPTH];
};

void nvb_json_init(struct nvb_json *j, FILE *f);
/* Open an object or array, as a member named @key, or as a value when @key is NULL. */
void nvb_json_obj(struct nvb_json *j, const char *key);
void nvb_json_arr(struct nvb_json *j, const char *key);
void nvb_json_end_obj(struct nvb_json *j);
void nvb_json_end_arr(struct nvb_json *j);
void nvb_json_str(struct nvb_json *j, const char *key, const char *v);
void nvb_json_u64(struct nvb_json *j, const char *key, uint64_t v);
void nvb_json_i64(struct nvb_json *j, const char *key, int64_t v);
/* A number with 6 decimals (NaN and infinities, which JSON lacks, become 0). */
void nvb_json_dbl(struct nvb_json *j, const char *key, double v);
void nvb_json_bool(struct nvb_json *j, const char *key, bool v);

#endif /* NVFIO_BENCH_JSON_H */
