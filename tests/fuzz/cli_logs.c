/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The nvfio tool's printers of log pages, feature values and registers (tools/cli/print.h):
 * smart-log, error-log, fw-log, sanitize-log, self-test-log, get-feature and show-regs, in
 * normal, human-readable and JSON output, on any bytes a controller may return. The input: one
 * byte (its value modulo 7 the printer, bits 4:3 the output: normal, -H/verbose, json, normal),
 * one byte for the printer's count (error-log entries, self-test results, the feature id), then
 * the structure; each is in an allocation of exactly its size.
 */
#include "fuzz/fuzz.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t sel = fuzz_byte(&in), count = fuzz_byte(&in);
	struct cli_out o = {.fmt = (sel >> 3 & 3) == 2 ? CLI_FMT_JSON : CLI_FMT_NORMAL,
			    .human = (sel >> 3 & 3) == 1};
	uint32_t n, r, len;
	void *p = NULL;

	switch (sel % 7) {
	case 0:
		p = fuzz_page(&in, sizeof(struct nvme_smart_log));
		cli_print_smart(p, count, "sim:", &o);
		break;
	case 1:
		n = 1 + count % 64;
		p = fuzz_page(&in, n * sizeof(struct nvme_error_log_page));
		cli_print_errors(p, n, "sim:", &o);
		break;
	case 2:
		p = fuzz_page(&in, sizeof(struct nvme_firmware_slot));
		cli_print_fw(p, "sim:", &o);
		break;
	case 3:
		p = fuzz_page(&in, sizeof(struct nvme_sanitize_log_page));
		cli_print_sanitize(p, "sim:", &o);
		break;
	case 4:
		p = fuzz_page(&in, sizeof(struct nvme_self_test_log));
		cli_print_self_test(p, count % (NVME_LOG_ST_MAX_RESULTS + 1), o.human, "sim:", &o);
		break;
	case 5:
		/* select, value, data length, then the 4 KiB the command reads into */
		r = fuzz_byte(&in) % 9;
		n = fuzz_u32(&in);
		len = fuzz_u32(&in) % 4097;
		p = fuzz_page(&in, 4096);
		cli_print_feature(count, r, n, p, len, o.human);
		break;
	default:
		p = fuzz_page(&in, CLI_REGS_LEN);
		cli_print_regs(p, &o);
		break;
	}
	fflush(stdout);
	free(p);
	return 0;
}
