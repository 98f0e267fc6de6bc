/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The nvfio tool's printers of identify data (tools/cli/print.h): id-ctrl, id-ns, list-ns and
 * ns-descs, in normal, human-readable and JSON output, on any 4 KiB a controller may return. The
 * input: one byte (bits 1:0 the printer, 3:2 the output: normal, -H, json, normal; bit 4 the
 * vendor specific field too), then the page. The output goes where the runner sends it (closed).
 */
#include "fuzz/fuzz.h"
#include "print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t sel = fuzz_byte(&in);
	struct cli_out o = {.fmt = (sel >> 2 & 3) == 2 ? CLI_FMT_JSON : CLI_FMT_NORMAL,
			    .human = (sel >> 2 & 3) == 1};
	bool vs = sel >> 4 & 1;
	uint8_t *page = fuzz_page(&in, NVME_IDENTIFY_DATA_SIZE);

	switch (sel & 3) {
	case 0:
		cli_print_id_ctrl((const struct nvme_id_ctrl *)page, &o, vs);
		break;
	case 1:
		cli_print_id_ns((const struct nvme_id_ns *)page, 1, &o, vs);
		break;
	case 2:
		cli_print_ns_list((const uint32_t *)page, &o);
		break;
	default:
		cli_print_ns_descs(page, 1, &o);
		break;
	}
	fflush(stdout);
	free(page);
	return 0;
}
