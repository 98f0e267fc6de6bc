/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_IOCMD_H
#define NVFIO_CLI_IOCMD_H

/* One I/O command from the command line: a queue pair, DMA buffers, the command, its result. */

#include <stddef.h>
#include <stdint.h>

#include <nvfio/nvme.h>

struct cli_io {
	struct nvfio_ctrl *ctrl;
	struct nvfio_qpair *qp;
	void *data, *meta; /* DMA memory, or NULL */
	size_t data_len, meta_len;
};

/* cli_io_open() - open @dev with one I/O queue pair. 0 or the exit status after a message. */
int cli_io_open(struct cli_io *io, const char *dev);

/* cli_io_alloc() - zeroed DMA buffers of these sizes (0: none). 0 or the exit status. */
int cli_io_alloc(struct cli_io *io, size_t data_len, size_t meta_len);

/* cli_io_run() - run @cmd with the data buffer (and the metadata buffer as MPTR); the completion
 * in @cqe. Returns 0 or the exit status after nvme-cli's message. */
int cli_io_run(struct cli_io *io, struct nvfio_cmd *cmd, struct nvfio_cqe *cqe,
	       const char *what);

/* cli_io_close() - free the buffers, the queue pair and the controller. */
void cli_io_close(struct cli_io *io);

/* cli_default_nsid() - @nsid, or the only active namespace when @nsid is 0; 0 after a message
 * when there are several. */
uint32_t cli_default_nsid(struct nvfio_ctrl *ctrl, uint32_t nsid, const char *cmd);

/* cli_read_file() / cli_write_file() - @len bytes from/to @path ("" or NULL: stdin/stdout).
 * 0 or the exit status after a message. */
int cli_read_file(const char *path, void *buf, size_t len, const char *what);
int cli_write_file(const char *path, const void *buf, size_t len, const char *what);

#endif /* NVFIO_CLI_IOCMD_H */
