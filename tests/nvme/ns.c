/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several namespaces: each is found with its own size and block size, the same block address
 * written with different data on each reads back as its own, and I/O to a namespace that is not
 * active is refused. Argument: the controller address (default: the simulated controller with
 * three namespaces).
 */
#include "nvme/nvme_test.h"

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "sim:size=64M,namespaces=3";
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	struct nvfio_ns *ns[16];
	struct nvfio_qpair *qp;
	unsigned int n = 0, i;
	uint8_t *buf = t_alloc(ctrl, 3 * 8192);

	for (ns[0] = nvfio_ctrl_ns_next(ctrl, NULL); ns[n] && n < 15;
	     ns[n] = nvfio_ctrl_ns_next(ctrl, ns[n - 1]))
		n++;
	if (n < 2)
		SKIP("%s has %u namespace(s)", addr, n);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	for (i = 0; i < n; i++) {
		const struct nvfio_ns_info *ni = nvfio_ns_get_info(ns[i]);

		printf("namespace %u: %llu blocks of %u bytes\n", ni->nsid,
		       (unsigned long long)ni->nblocks, ni->block_size);
		t_fill(buf, 8192, 10, 0xa0 + ni->nsid);
		CHECK_OK(nvfio_write_sync(qp, ns[i], buf, 10, 8192 / ni->block_size, NULL));
		/* The last block of each, with its own size. */
		CHECK_OK(nvfio_write_sync(qp, ns[i], buf, ni->nblocks - 1, 1, NULL));
		CHECK_ERR(nvfio_write(qp, ns[i], buf, ni->nblocks, 1, t_done_cb, &(struct t_done){0}),
			  -ERANGE);
	}
	for (i = 0; i < n; i++) {
		const struct nvfio_ns_info *ni = nvfio_ns_get_info(ns[i]);

		memset(buf + 8192, 0, 8192);
		CHECK_OK(nvfio_read_sync(qp, ns[i], buf + 8192, 10, 8192 / ni->block_size, NULL));
		t_fill(buf + 16384, 8192, 10, 0xa0 + ni->nsid);
		CHECK(t_same(buf + 8192, buf + 16384, 8192, "namespace data"));
	}
	printf("%u namespaces: each kept its own data\n", n);
	CHECK(!nvfio_ctrl_ns(ctrl, nvfio_ctrl_get_info(ctrl)->nn + 1));
	CHECK_OK(nvfio_qpair_free(qp));
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
