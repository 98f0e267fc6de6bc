/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_PRINT_H
#define NVFIO_CLI_PRINT_H

/*
 * The printers of what a controller returned (identify data, log pages, feature values,
 * registers), apart from the commands that fetch it, so that they can be tested and fuzzed on any
 * bytes without a device. Each prints to stdout in @o->fmt (normal, json, or binary where the
 * command offers it) as nvme-cli does, and reads only the structure it is given.
 */

#include <stdbool.h>
#include <stdint.h>

#include <nvme/types.h>

#include "out.h"

/* identify.c: id-ctrl (@vs: the vendor specific field too), id-ns, list-ns (1024 ids, as the
 * controller wrote them), ns-descs (the 4 KiB descriptor list). */
void cli_print_id_ctrl(const struct nvme_id_ctrl *id, const struct cli_out *o, bool vs);
void cli_print_id_ns(const struct nvme_id_ns *ns, uint32_t nsid, const struct cli_out *o, bool vs);
void cli_print_ns_list(const uint32_t *list, const struct cli_out *o);
void cli_print_ns_descs(const uint8_t *buf, uint32_t nsid, const struct cli_out *o);

/* logs.c: smart-log, error-log (@n entries), fw-log, sanitize-log, self-test-log (@num
 * results, at most NVME_LOG_ST_MAX_RESULTS; @verbose: in words); @dev names the device. */
void cli_print_smart(const struct nvme_smart_log *s, uint32_t nsid, const char *dev,
		     const struct cli_out *o);
void cli_print_errors(const struct nvme_error_log_page *e, uint32_t n, const char *dev,
		      const struct cli_out *o);
void cli_print_fw(const struct nvme_firmware_slot *fw, const char *dev, const struct cli_out *o);
void cli_print_sanitize(const struct nvme_sanitize_log_page *s, const char *dev,
			const struct cli_out *o);
void cli_print_self_test(const struct nvme_self_test_log *log, int num, bool verbose,
			 const char *dev, const struct cli_out *o);

/*
 * features.c: get-feature's text for feature @fid read with select @sel: its value @r and the
 * @len bytes of its data structure in @buf (a buffer of 4096 bytes, as the command reads into);
 * @human: the fields decoded, else the data as a hex dump.
 */
void cli_print_feature(unsigned int fid, unsigned int sel, uint32_t r, const uint8_t *buf,
		       uint32_t len, bool human);

/* regs.c: show-regs, of CLI_REGS_LEN bytes of BAR0 (nvme-cli's: from 0 to the end of the PMR
 * registers). */
#define CLI_REGS_LEN 0x0e1c
void cli_print_regs(const uint32_t *regs, const struct cli_out *o);

#endif /* NVFIO_CLI_PRINT_H */
