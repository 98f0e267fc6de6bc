/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_NVME_DPTR_H
#define NVFIO_NVME_DPTR_H

/*
 * Data pointers: describing buffers to the controller with PRPs (PRP1/PRP2, or a PRP list) or
 * SGLs (one data block descriptor, or a segment of them), with lists from the queue pair's pool
 * (nvme/pool.h) and IOVAs from its translation cache.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "nvme/queue.h"

/* A position in a list of buffers. */
struct nvf_dptr_cur {
	const struct iovec *iov;
	unsigned int cnt;
	unsigned int idx;
	size_t off;
};

/* Move @c on by @len bytes, past empty buffers too. */
void nvf_dptr_advance(struct nvf_dptr_cur *c, size_t len);

/* Whether the buffers can be described with PRPs: only the first may start inside a page, only
 * the last may end inside one. */
bool nvf_dptr_prp_ok(const struct iovec *iov, unsigned int cnt);

/*
 * nvf_dptr_prp() - describe @len bytes from @c with PRPs into @cmd
 * @list: set to the list slot taken (0: none), which the command holds until it completes
 *
 * The buffers must be PRP-compatible (nvf_dptr_prp_ok()). 0, -EAGAIN (no list free),
 * -NVFIO_ENOTMAPPED, -EINVAL.
 */
int nvf_dptr_prp(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, struct nvf_dptr_cur *c, size_t len,
		 uint16_t *list);

/* The same for one 4-byte aligned buffer. */
int nvf_dptr_prp_buf(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, void *buf, size_t len,
		     uint16_t *list);

/*
 * nvf_dptr_sgl() - describe up to *@lenp bytes from @c with an SGL into @cmd
 *
 * One data block descriptor per IOVA-contiguous piece, in the command itself when there is one,
 * else in a list slot behind a Last Segment descriptor. When the pieces outnumber the slot,
 * *@lenp shrinks to a whole number of blocks (@bs) that fits. 0, -EAGAIN, -NVFIO_ENOTMAPPED,
 * -EINVAL.
 */
int nvf_dptr_sgl(struct nvfio_qpair *qp, struct nvfio_cmd *cmd, struct nvf_dptr_cur *c,
		 size_t *lenp, uint32_t bs, uint16_t *list);

#endif /* NVFIO_NVME_DPTR_H */
