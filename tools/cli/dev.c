// SPDX-License-Identifier: BSD-3-Clause
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <nvme/types.h>

#include <nvfio/error.h>

#include "cli.h"
#include "dev.h"

/* "nvme0", "/dev/nvme0n1", "nvme1n2p3", "nvme0c1n1" -> "nvme0" in @ctrl; false otherwise. */
static bool kernel_ctrl_name(const char *addr, char *ctrl, size_t size)
{
	const char *p = addr;
	size_t n;

	if (!strncmp(p, "/dev/", 5))
		p += 5;
	if (strncmp(p, "nvme", 4) || !isdigit((unsigned char)p[4]))
		return false;
	for (n = 4; isdigit((unsigned char)p[n]); n++)
		;
	if (p[n] && p[n] != 'n' && p[n] != 'c')
		return false;
	if (n >= size)
		return false;
	memcpy(ctrl, p, n);
	ctrl[n] = '\0';
	return true;
}

static int kernel_name(const char *addr, const char *name)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t len;
	const char *bdf;

	snprintf(path, sizeof(path), "%s/class/nvme/%s/device", cli_sysfs(), name);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0) {
		cli_err("%s is a name of the kernel's nvme driver, but it has no controller %s: "
			"give the PCI address of a controller bound to vfio-pci ('nvfio status' "
			"lists them)",
			addr, name);
		return ENODEV;
	}
	link[len] = '\0';
	bdf = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	cli_err("%s is controller %s, PCI function %s, which the kernel's nvme driver holds; "
		"nvfio drives controllers bound to vfio-pci: hand it over with 'nvfio setup %s' "
		"(as root; the kernel loses its namespaces until 'nvfio release %s')",
		addr, name, bdf, bdf, bdf);
	return EBUSY;
}

int cli_dev_open(const char *addr, unsigned int io, struct nvfio_ctrl **out)
{
	struct nvfio_ctrl_opts opts;
	char name[32];
	int ret;

	if (!addr) {
		cli_err("no device given: a PCI address bound to vfio-pci (0000:01:00.0), or sim:");
		return EINVAL;
	}
	if (kernel_ctrl_name(addr, name, sizeof(name)))
		return kernel_name(addr, name);
	nvfio_ctrl_opts_init(&opts);
	opts.nr_io_queues = io;
	opts.queue_depth = 32;
	ret = nvfio_ctrl_open(addr, &opts, out);
	if (ret) {
		cli_err("%s: %s", addr, nvfio_last_error());
		return cli_exit_errno(ret);
	}
	return 0;
}

int cli_admin(struct nvfio_ctrl *ctrl, const struct nvfio_cmd *cmd, void *buf, uint32_t len,
	      struct nvfio_cqe *cqe, unsigned int timeout_ms)
{
	memset(cqe, 0, sizeof(*cqe));
	return nvfio_admin_raw(ctrl, cmd, buf, len, cqe, timeout_ms);
}

int cli_admin_failed(int err, const struct nvfio_cqe *cqe, const char *what)
{
	if (err == -NVFIO_ENVME && cqe) {
		uint16_t st = nvfio_cqe_status(cqe);

		fprintf(stderr, "NVMe status: %s(%#x)\n", nvfio_status_str(st), st & 0x7ff);
		return cli_exit_status(st);
	}
	fprintf(stderr, "%s: %s\n", what, nvfio_last_error());
	return cli_exit_errno(err);
}

int cli_log_page(struct nvfio_ctrl *ctrl, const struct cli_log_req *q, void *buf, uint32_t len,
		const char *what)
{
	uint32_t max = nvfio_ctrl_get_info(ctrl)->max_xfer & ~3u, done = 0;

	while (done < len) {
		uint32_t n = len - done < max ? len - done : max, numd = n / 4 - 1;
		uint64_t off = q->lpo + done;
		struct nvfio_cmd cmd = {
			.opcode = nvme_admin_get_log_page,
			.nsid = q->nsid,
			.cdw10 = (numd & 0xffff) << 16 | (uint32_t)q->rae << 15 |
				 (uint32_t)(q->lsp & 0x7f) << 8 | q->lid,
			.cdw11 = (uint32_t)q->lsi << 16 | numd >> 16,
			.cdw12 = (uint32_t)off,
			.cdw13 = (uint32_t)(off >> 32),
			.cdw14 = (uint32_t)q->csi << 24 | (uint32_t)q->ot << 23 | (q->uuid & 0x7f),
		};
		struct nvfio_cqe cqe;
		int ret = cli_admin(ctrl, &cmd, (uint8_t *)buf + done, n, &cqe, 0);

		if (ret)
			return cli_admin_failed(ret, &cqe, what);
		done += n;
	}
	return 0;
}

int cli_identify(struct nvfio_ctrl *ctrl, uint8_t cns, uint32_t nsid, uint16_t cntid,
		 uint32_t cdw11, void *buf, const char *what)
{
	struct nvfio_cmd cmd = { .opcode = nvme_admin_identify, .nsid = nsid,
				 .cdw10 = (uint32_t)cntid << 16 | cns, .cdw11 = cdw11 };
	struct nvfio_cqe cqe;
	int ret = cli_admin(ctrl, &cmd, buf, NVME_IDENTIFY_DATA_SIZE, &cqe, 0);

	return ret ? cli_admin_failed(ret, &cqe, what) : 0;
}
