/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Format NVM changes the block size (to a 4096-byte format and back to 512), the driver picks
 * the new size up, and I/O works in each. Argument: the controller address (default: the
 * simulated controller).
 */
#include "nvme/nvme_test.h"

static int find_format(const struct nvfio_ns_info *ni, uint32_t size)
{
	unsigned int i;

	for (i = 0; i <= ni->nlbaf && i < 64; i++)
		if (ni->lbaf_sizes[i] == size && ni->lbaf_meta[i] == 0)
			return (int)i;
	return -1;
}

static void io_check(struct nvfio_ctrl *ctrl, struct nvfio_ns *ns, uint8_t *buf)
{
	const struct nvfio_ns_info *ni = nvfio_ns_get_info(ns);
	struct nvfio_qpair *qp;
	uint32_t nlb = 16384 / ni->block_size;

	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	t_fill(buf, 16384, 5, ni->block_size);
	CHECK_OK(nvfio_write_sync(qp, ns, buf, 5, nlb, NULL));
	CHECK_OK(nvfio_read_sync(qp, ns, buf + 16384, 5, nlb, NULL));
	CHECK(t_same(buf + 16384, buf, 16384, "after format"));
	/* Blocks are counted in the new size: the last one is there, the one after is not. */
	CHECK_OK(nvfio_read_sync(qp, ns, buf, ni->nblocks - 1, 1, NULL));
	CHECK_ERR(nvfio_read(qp, ns, buf, ni->nblocks, 1, t_done_cb, &(struct t_done){0}), -ERANGE);
	CHECK_OK(nvfio_qpair_free(qp));
}

/* Format namespace @ns with LBA format @lbaf of @size-byte blocks; the namespace keeps its
 * @bytes and takes I/O in the new size. */
static void format_to(struct nvfio_ctrl *ctrl, struct nvfio_ns *ns, int lbaf, uint32_t size,
		      uint64_t bytes, uint8_t *buf)
{
	const struct nvfio_ns_info *ni = nvfio_ns_get_info(ns);

	CHECK_OK(nvfio_format(ctrl, ni->nsid, (uint8_t)lbaf, 0, 0));
	ni = nvfio_ns_get_info(ns);
	printf("after format %d: %llu blocks of %u B\n", lbaf, (unsigned long long)ni->nblocks,
	       ni->block_size);
	CHECK(ni->block_size == size && ni->lbaf == lbaf);
	CHECK(ni->nblocks * size == bytes);
	io_check(ctrl, ns, buf);
}

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "sim:size=64M";
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	const struct nvfio_ns_info *ni = nvfio_ns_get_info(ns);
	uint64_t bytes = ni->nblocks * ni->block_size;
	int f512 = find_format(ni, 512), f4k = find_format(ni, 4096), orig = ni->lbaf;
	uint8_t *buf = t_alloc(ctrl, 32768);

	if (!(nvfio_ctrl_get_info(ctrl)->oacs & 2))
		SKIP("controller has no Format NVM (OACS bit 1)");
	if (f512 < 0 || f4k < 0)
		SKIP("namespace 1 offers no 512- and 4096-byte formats without metadata");
	printf("formats: 512 B = %d, 4096 B = %d, in use %d (%u B)\n", f512, f4k, orig,
	       ni->block_size);

	format_to(ctrl, ns, f4k, 4096, bytes, buf);
	format_to(ctrl, ns, f512, 512, bytes, buf);

	/* A format the namespace does not have is the controller's to refuse. */
	CHECK_ERR(nvfio_format(ctrl, ni->nsid, (uint8_t)(ni->nlbaf + 1), 0, 0), -NVFIO_ENVME);
	printf("bad format: %s\n", nvfio_last_error());
	if (orig != f512)
		CHECK_OK(nvfio_format(ctrl, ni->nsid, (uint8_t)orig, 0, 0));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
