// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nvfio/dma.h>
#include <nvfio/error.h>

#include "cli.h"
#include "dev.h"
#include "iocmd.h"

int cli_io_open(struct cli_io *io, const char *dev)
{
	int ret;

	memset(io, 0, sizeof(*io));
	ret = cli_dev_open(dev, 1, &io->ctrl);
	if (ret)
		return ret;
	ret = nvfio_qpair_alloc(io->ctrl, 2, 0, &io->qp);
	if (ret) {
		cli_err("%s: %s", dev, nvfio_last_error());
		cli_io_close(io);
		return cli_exit_errno(ret);
	}
	return 0;
}

int cli_io_alloc(struct cli_io *io, size_t data_len, size_t meta_len)
{
	struct nvfio_dma *dma = nvfio_ctrl_dma(io->ctrl);
	int ret = 0;

	io->data_len = data_len;
	io->meta_len = meta_len;
	if (data_len)
		ret = nvfio_dma_alloc(dma, data_len, 0, &io->data);
	if (!ret && meta_len)
		ret = nvfio_dma_alloc(dma, meta_len, 0, &io->meta);
	if (ret) {
		cli_err("buffers of %zu and %zu bytes: %s", data_len, meta_len, nvfio_last_error());
		return cli_exit_errno(ret);
	}
	return 0;
}

int cli_io_run(struct cli_io *io, struct nvfio_cmd *cmd, struct nvfio_cqe *cqe, const char *what)
{
	int ret;

	memset(cqe, 0, sizeof(*cqe));
	if (io->meta) {
		ret = nvfio_dma_iova(nvfio_ctrl_dma(io->ctrl), io->meta, io->meta_len, &cmd->mptr);
		if (ret)
			return cli_admin_failed(ret, NULL, what);
	}
	ret = nvfio_io_raw_sync(io->qp, cmd, io->data, io->data ? io->data_len : 0, cqe);
	return ret ? cli_admin_failed(ret, cqe, what) : 0;
}

void cli_io_close(struct cli_io *io)
{
	struct nvfio_dma *dma = io->ctrl ? nvfio_ctrl_dma(io->ctrl) : NULL;

	if (io->meta)
		nvfio_dma_free(dma, io->meta);
	if (io->data)
		nvfio_dma_free(dma, io->data);
	if (io->qp)
		nvfio_qpair_free(io->qp);
	if (io->ctrl)
		nvfio_ctrl_close(io->ctrl);
	memset(io, 0, sizeof(*io));
}

uint32_t cli_default_nsid(struct nvfio_ctrl *ctrl, uint32_t nsid, const char *cmd)
{
	const struct nvfio_ns *first = nvfio_ctrl_ns_next(ctrl, NULL);

	if (nsid)
		return nsid;
	if (first && !nvfio_ctrl_ns_next(ctrl, first))
		return nvfio_ns_get_info(first)->nsid;
	cli_err("%s: the controller has %s: give one with -n", cmd,
		first ? "several namespaces" : "no active namespace");
	return 0;
}

int cli_read_file(const char *path, void *buf, size_t len, const char *what)
{
	int fd = path && *path ? open(path, O_RDONLY) : STDIN_FILENO;
	size_t got = 0;

	if (fd < 0) {
		cli_err("%s: cannot open %s: %s", what, path, strerror(errno));
		return errno;
	}
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}

int cli_write_file(const char *path, const void *buf, size_t len, const char *what)
{
	int fd = path && *path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : STDOUT_FILENO;
	size_t put = 0;

	if (fd < 0) {
		cli_err("%s: cannot open %s: %s", what, path, strerror(errno));
		return errno;
	}
	while (put < len) {
		ssize_t n = write(fd, (const char *)buf + put, len - put);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_err("%s: cannot write %s: %s", what, path && *path ? path : "the output",
				strerror(errno));
			if (fd != STDOUT_FILENO)
				close(fd);
			return EIO;
		}
		put += (size_t)n;
	}
	if (fd != STDOUT_FILENO)
		close(fd);
	return 0;
}
