/* SPDX-License-Identifier: BSD-3-Clause */
/* Synchronous I/O helpers: submit, then wait on the queue pair until the command completes. */
#include <errno.h>
#include <stdio.h>

#include "nvme/ctrl.h"
#include "nvme/ns.h"
#include "nvme/status.h"
#include "support/error.h"
#include "support/time.h"

struct sync_ctx {
	bool done;
	int err;
	struct nvfio_cqe cqe;
};

static void sync_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct sync_ctx *s = arg;

	s->err = err;
	s->cqe = *cqe;
	s->done = true;
}

typedef int (*submit_fn)(struct nvfio_qpair *qp, void *p, struct sync_ctx *s);

static int run_sync(struct nvfio_qpair *qp, submit_fn submit, void *p, const char *what,
		    uint16_t *status, struct nvfio_cqe *cqe)
{
	/* The command's deadline is the queue pair's, and past it the escalation (Abort, then a
	 * reset) completes it: wait for that, bounded anyway by the longest it can take. */
	unsigned int timeout = qp->timeout_ms + qp->abort_timeout_ms +
			       2 * qp->ctrl->ready_timeout_ms + 1000;
	uint64_t start = nvf_now_ms(), now;
	struct sync_ctx s = {0};
	int ret;

	/* Before anything is submitted: the wait could not reap the pair from inside its reap. */
	if (nvf_queue_in_callback(qp))
		return nvf_err(-EBUSY, "%s on queue %u from one of its completion callbacks: submit "
				       "it asynchronously, or after the poll returns",
			       what, qp->qid);
	/* A full queue drains as its other commands complete. */
	while ((ret = submit(qp, p, &s)) == -EAGAIN) {
		ret = nvfio_qpair_wait(qp, 0, 10);
		if (ret < 0)
			return ret;
		if (nvf_now_ms() - start >= timeout)
			return nvf_err(-NVFIO_ETIMEDOUT, "%s: queue %u stayed full for %u ms", what,
				       qp->qid, timeout);
	}
	if (ret < 0)
		return ret;
	while (!s.done) {
		now = nvf_now_ms();
		if (now - start >= timeout) {
			/* The command stays with the controller; its completion is dropped. */
			nvf_queue_forget(qp, &s);
			return nvf_err(-NVFIO_ETIMEDOUT,
				       "%s got no completion from %s within %u "
				       "ms",
				       what, qp->ctrl->address, timeout);
		}
		ret = nvfio_qpair_wait(qp, 0, (int)(timeout - (now - start)));
		if (ret < 0 && !s.done) {
			nvf_queue_forget(qp, &s);
			return ret;
		}
	}
	if (cqe)
		*cqe = s.cqe;
	if (s.err)
		return s.err == -NVFIO_EFATAL || s.err == -NVFIO_EREMOVED
			   ? nvf_dev_check(qp->dev)
			   : nvf_err(s.err, "%s did not complete: %s", what, nvfio_strerror(s.err));
	if (status)
		*status = nvfio_cqe_status(&s.cqe);
	if (nvfio_cqe_status(&s.cqe))
		return nvf_status_err(nvfio_cqe_status(&s.cqe), what);
	return 0;
}

struct rw_args {
	struct nvfio_ns *ns;
	void *buf;
	uint64_t lba;
	uint32_t nlb;
	bool write;
};

static int submit_rw(struct nvfio_qpair *qp, void *p, struct sync_ctx *s)
{
	struct rw_args *a = p;

	if (a->write)
		return nvfio_write(qp, a->ns, a->buf, a->lba, a->nlb, sync_cb, s);
	return nvfio_read(qp, a->ns, a->buf, a->lba, a->nlb, sync_cb, s);
}

int nvfio_read_sync(struct nvfio_qpair *qp, struct nvfio_ns *ns, void *buf, uint64_t lba,
		    uint32_t nlb, uint16_t *status)
{
	struct rw_args a = {ns, buf, lba, nlb, false};
	char what[96];

	snprintf(what, sizeof(what), "read of %u blocks at %llu (namespace %u)", nlb,
		 (unsigned long long)lba, ns->io.nsid);
	return run_sync(qp, submit_rw, &a, what, status, NULL);
}

int nvfio_write_sync(struct nvfio_qpair *qp, struct nvfio_ns *ns, const void *buf, uint64_t lba,
		     uint32_t nlb, uint16_t *status)
{
	struct rw_args a = {ns, (void *)buf, lba, nlb, true};
	char what[96];

	snprintf(what, sizeof(what), "write of %u blocks at %llu (namespace %u)", nlb,
		 (unsigned long long)lba, ns->io.nsid);
	return run_sync(qp, submit_rw, &a, what, status, NULL);
}

static int submit_flush(struct nvfio_qpair *qp, void *p, struct sync_ctx *s)
{
	return nvfio_flush(qp, p, sync_cb, s);
}

int nvfio_flush_sync(struct nvfio_qpair *qp, struct nvfio_ns *ns, uint16_t *status)
{
	char what[64];

	snprintf(what, sizeof(what), "flush of namespace %u", ns->io.nsid);
	return run_sync(qp, submit_flush, ns, what, status, NULL);
}

struct raw_args {
	const struct nvfio_cmd *cmd;
	void *buf;
	size_t len;
};

static int submit_raw(struct nvfio_qpair *qp, void *p, struct sync_ctx *s)
{
	struct raw_args *a = p;

	return nvfio_io_raw(qp, a->cmd, a->buf, a->len, sync_cb, s);
}

int nvfio_io_raw_sync(struct nvfio_qpair *qp, const struct nvfio_cmd *cmd, void *buf, size_t len,
		      struct nvfio_cqe *cqe)
{
	struct raw_args a = {cmd, buf, len};
	char what[64];

	snprintf(what, sizeof(what), "I/O command 0x%02x (namespace %u)", cmd->opcode, cmd->nsid);
	return run_sync(qp, submit_raw, &a, what, NULL, cqe);
}
