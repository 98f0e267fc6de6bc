/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_DEV_H
#define NVFIO_CLI_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include <nvfio/nvme.h>

/*
 * cli_dev_open() - open the controller a device argument names
 * @addr: a PCI address bound to vfio-pci, "sim:...", "vfio-user:..."; a kernel name
 *        (/dev/nvme0, nvme0n1) is answered with the PCI function it is and how to hand it over
 * @io:   1 when the command needs an I/O queue pair, else 0
 *
 * Returns 0, or the exit status after printing what went wrong and the remedy.
 */
int cli_dev_open(const char *addr, unsigned int io, struct nvfio_ctrl **out);

/*
 * cli_admin_failed() - report a failed admin call as nvme-cli does ("NVMe status: ..." for a
 * status the controller returned, else the error) and return the exit status
 * @what: the command, for errors other than a status ("identify controller")
 */
int cli_admin_failed(int err, const struct nvfio_cqe *cqe, const char *what);

/* cli_admin() - nvfio_admin_raw() keeping the completion for cli_admin_failed(). */
int cli_admin(struct nvfio_ctrl *ctrl, const struct nvfio_cmd *cmd, void *buf, uint32_t len,
	      struct nvfio_cqe *cqe, unsigned int timeout_ms);

/* Get Log Page's fields besides the page and its length. */
struct cli_log_req {
	uint8_t lid, lsp, uuid, csi;
	uint16_t lsi;
	bool rae, ot;
	uint32_t nsid;
	uint64_t lpo;
};

/*
 * cli_log_page() - Get Log Page of @len bytes (a multiple of 4) into @buf, in pieces of at most
 * the controller's transfer size at increasing offsets. 0, or the exit status after the report.
 */
int cli_log_page(struct nvfio_ctrl *ctrl, const struct cli_log_req *q, void *buf, uint32_t len,
		const char *what);

/* cli_identify() - Identify @cns (cdw10 CNTID and CNS, cdw11 @cdw11) into @buf, 4096 bytes.
 * 0, or the exit status after the report. */
int cli_identify(struct nvfio_ctrl *ctrl, uint8_t cns, uint32_t nsid, uint16_t cntid,
		 uint32_t cdw11, void *buf, const char *what);

#endif /* NVFIO_CLI_DEV_H */
