/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_SIM_SPEC_H
#define NVFIO_SIM_SPEC_H

/*
 * What the controller model needs from the NVMe base specification and <nvme/types.h> lacks:
 * the queue entry layouts, SGL descriptors and a few register and field encodings. Kept apart
 * from the driver's own definitions on purpose (the model shares only the spec headers).
 */

#include <assert.h>
#include <stdint.h>

#include <nvme/types.h>

/* Submission queue entry (64 bytes, CC.IOSQES = 6). */
struct nvf_sim_sqe {
	uint8_t opc;
	uint8_t flags; /* FUSE bits 1:0, PSDT bits 7:6 */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t dptr[2]; /* PRP1/PRP2, or SGL descriptor 1 */
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};
static_assert(sizeof(struct nvf_sim_sqe) == 64, "SQE is 64 bytes");
static_assert(offsetof(struct nvf_sim_sqe, mptr) == 16, "MPTR at byte 16");
static_assert(offsetof(struct nvf_sim_sqe, dptr) == 24, "DPTR at byte 24");
static_assert(offsetof(struct nvf_sim_sqe, cdw10) == 40, "CDW10 at byte 40");

#define NVF_SIM_SQE_FUSE(flags) ((flags)&0x3)
#define NVF_SIM_SQE_PSDT(flags) (((flags) >> 6) & 0x3)
enum {
	NVF_SIM_PSDT_PRP = 0,
	NVF_SIM_PSDT_SGL_MPTR_CONTIG = 1,
	NVF_SIM_PSDT_SGL_MPTR_SGL = 2,
};

/* Completion queue entry (16 bytes, CC.IOCQES = 4). */
struct nvf_sim_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	/* Written as one 32-bit store: CID in bits 15:0, phase in bit 16, status in bits 31:17. */
	uint32_t dw3;
};
static_assert(sizeof(struct nvf_sim_cqe) == 16, "CQE is 16 bytes");
static_assert(offsetof(struct nvf_sim_cqe, dw3) == 12, "CID/phase/status in dword 3");

/* SGL descriptor (16 bytes). */
struct nvf_sim_sgl_desc {
	uint64_t addr;
	uint32_t len;
	uint8_t rsvd[3];
	uint8_t type; /* descriptor type in bits 7:4, subtype in bits 3:0 */
};
static_assert(sizeof(struct nvf_sim_sgl_desc) == 16, "SGL descriptor is 16 bytes");

enum {
	NVF_SIM_SGL_DATA_BLOCK = 0x0,
	NVF_SIM_SGL_BIT_BUCKET = 0x1,
	NVF_SIM_SGL_SEGMENT = 0x2,
	NVF_SIM_SGL_LAST_SEGMENT = 0x3,
};

/* A status as the CQE carries it in bits 31:17, less the phase: SC 7:0, SCT 10:8, DNR 14. */
#define NVF_SIM_STATUS(sct, sc) ((uint16_t)(((sct) << 8) | (sc)))
#define NVF_SIM_DNR		((uint16_t)NVME_SC_DNR)
#define NVF_SIM_GENERIC(sc)	NVF_SIM_STATUS(NVME_SCT_GENERIC, sc)
#define NVF_SIM_CMD_SPEC(sc)	NVF_SIM_STATUS(NVME_SCT_CMD_SPECIFIC, sc)
#define NVF_SIM_MEDIA(sc)	NVF_SIM_STATUS(NVME_SCT_MEDIA, sc)

#define NVF_SIM_INVALID_FIELD  (NVF_SIM_GENERIC(NVME_SC_INVALID_FIELD) | NVF_SIM_DNR)
#define NVF_SIM_INVALID_OPCODE (NVF_SIM_GENERIC(NVME_SC_INVALID_OPCODE) | NVF_SIM_DNR)
#define NVF_SIM_INVALID_NS     (NVF_SIM_GENERIC(NVME_SC_INVALID_NS) | NVF_SIM_DNR)
#define NVF_SIM_DATA_XFER      NVF_SIM_GENERIC(NVME_SC_DATA_XFER_ERROR)
#define NVF_SIM_LBA_RANGE      (NVF_SIM_GENERIC(NVME_SC_LBA_RANGE) | NVF_SIM_DNR)

/* Doorbells start at this offset in BAR0; with CAP.DSTRD = 0 each one is 4 bytes. */
#define NVF_SIM_DOORBELL_BASE 0x1000u

#endif /* NVFIO_SIM_SPEC_H */
