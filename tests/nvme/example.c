/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The example program of the README: open a controller, write a block, read it back, close.
 * Usage: example [ADDRESS]   (a PCI address bound to vfio-pci, or "sim:"; default "sim:")
 */
#include <stdio.h>
#include <string.h>

#include <nvfio/nvfio.h>

int main(int argc, char **argv)
{
	const char *address = argc > 1 ? argv[1] : "sim:";
	struct nvfio_ctrl *ctrl;
	struct nvfio_qpair *qp;
	struct nvfio_ns *ns;
	char *buf;
	int ret;

	ret = nvfio_ctrl_open(address, NULL, &ctrl);
	if (ret < 0) {
		fprintf(stderr, "%s\n", nvfio_last_error());
		return 1;
	}
	ns = nvfio_ctrl_ns_next(ctrl, NULL); /* the first active namespace */
	if (!ns || nvfio_qpair_alloc(ctrl, 0, 0, &qp) < 0 ||
	    nvfio_dma_alloc(nvfio_ctrl_dma(ctrl), 4096, 0, (void **)&buf) < 0)
		goto fail;

	snprintf(buf, 4096, "hello from nvfio");
	if (nvfio_write_sync(qp, ns, buf, 0, 4096 / nvfio_ns_get_info(ns)->block_size, NULL) < 0)
		goto fail;
	memset(buf, 0, 4096);
	if (nvfio_read_sync(qp, ns, buf, 0, 4096 / nvfio_ns_get_info(ns)->block_size, NULL) < 0)
		goto fail;
	printf("%s: %s (model %s)\n", address, buf, nvfio_ctrl_get_info(ctrl)->model);
	ret = strcmp(buf, "hello from nvfio") != 0;
	nvfio_ctrl_close(ctrl); /* frees the queue pair and the buffer too */
	return ret;

fail:
	fprintf(stderr, "%s\n", nvfio_last_error());
	nvfio_ctrl_close(ctrl);
	return 1;
}
