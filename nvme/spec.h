/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_SPEC_H
#define NVFIO_NVME_SPEC_H

/*
 * What the driver needs from the NVMe base specification beyond libnvme's <nvme/types.h>: the
 * queue entry layouts (public in <nvfio/nvme.h>, checked here), the SGL descriptor, the doorbell
 * layout and a few field encodings.
 */

#include <stddef.h>
#include <stdint.h>

#include <nvme/types.h>
#include <nvfio/nvme.h>
#include <nvfio/nvme_io.h>

/* Memory page size the driver programs in CC.MPS (MPS = 0) and builds PRPs for. */
#define NVF_PAGE_SHIFT 12
#define NVF_PAGE_SIZE  (1u << NVF_PAGE_SHIFT)

/* Submission and completion queue entry sizes, as CC.IOSQES / IOCQES (log2) say. */
#define NVF_SQES 6
#define NVF_CQES 4

_Static_assert(sizeof(struct nvfio_cmd) == 1 << NVF_SQES, "SQE is 64 bytes");
_Static_assert(offsetof(struct nvfio_cmd, nsid) == 4, "SQE CDW1");
_Static_assert(offsetof(struct nvfio_cmd, mptr) == 16, "SQE MPTR");
_Static_assert(offsetof(struct nvfio_cmd, dptr) == 24, "SQE DPTR");
_Static_assert(offsetof(struct nvfio_cmd, cdw10) == 40, "SQE CDW10");
_Static_assert(offsetof(struct nvfio_cmd, cdw15) == 60, "SQE CDW15");
_Static_assert(sizeof(struct nvfio_cqe) == 1 << NVF_CQES, "CQE is 16 bytes");
_Static_assert(offsetof(struct nvfio_cqe, sqhd) == 8, "CQE DW2");
_Static_assert(offsetof(struct nvfio_cqe, cid) == 12, "CQE DW3");

/* The inline fast path's constants (<nvfio/nvme_io.h>) are libnvme's and the driver's. */
_Static_assert(NVFIO_IO_OPC_READ == nvme_cmd_read && NVFIO_IO_OPC_WRITE == nvme_cmd_write,
	       "fast path opcodes");
_Static_assert(NVFIO_IO_PAGE_SIZE == NVF_PAGE_SIZE, "fast path page size");

/* CDW0 flags byte: PRP or SGL for the data pointer (PSDT, bits 7:6). */
#define NVF_CMD_PSDT_PRP 0x00
#define NVF_CMD_PSDT_SGL 0x40 /* SGL, metadata pointer a single buffer */

/* SGL descriptor (base spec 4.1.8 / 4.3.2). */
struct nvf_sgl_desc {
	uint64_t addr;
	uint32_t len;
	uint8_t rsvd[3];
	uint8_t type; /* descriptor type in bits 7:4, subtype in bits 3:0 */
};
_Static_assert(sizeof(struct nvf_sgl_desc) == 16, "SGL descriptor is 16 bytes");

#define NVF_SGL_DATA_BLOCK   (0x0 << 4)
#define NVF_SGL_LAST_SEGMENT (0x3 << 4)

/* Doorbells start at 0x1000; the SQ y tail doorbell is at 0x1000 + (2y) * (4 << CAP.DSTRD), the
 * CQ y head doorbell right after it. The shadow doorbell and event index buffers use the same
 * layout from offset 0. */
#define NVF_DOORBELL_BASE 0x1000

/* Create I/O Completion Queue CDW11, Create I/O Submission Queue CDW11. */
#define NVF_QUEUE_PHYS_CONTIG (1u << 0)
#define NVF_CQ_IRQ_ENABLED    (1u << 1)

/* Asynchronous Event completion dword 0. */
#define NVF_AER_TYPE(dw0) ((dw0)&0x7)
#define NVF_AER_INFO(dw0) (((dw0) >> 8) & 0xff)
#define NVF_AER_LID(dw0)  (((dw0) >> 16) & 0xff)

/* Shutdown deadline: at least this, longer when RTD3E says so, never more than the cap. */
#define NVF_SHUTDOWN_DEFAULT_MS 5000
#define NVF_SHUTDOWN_MAX_MS	60000

/* The largest transfer nvfio puts in one command, so that one 4 KiB PRP list always suffices:
 * 2 MiB starting mid-page spans 513 pages, the first in PRP1 and 512 in the list. */
#define NVF_MAX_XFER (2u << 20)

#endif /* NVFIO_NVME_SPEC_H */
