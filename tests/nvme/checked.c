/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The misuse only a checked build (cmake -DNVFIO_CHECKED=ON) can answer, answered:
 *  1. A NULL callback on what would be the inline fast path: -EINVAL.
 *  2. A second thread using a queue pair: -EPERM.
 *  3. A poll from one of the pair's own callbacks: -EBUSY.
 *  4. A queue pair used or freed after nvfio_qpair_free(): -EBADF.
 *  5. A controller used or closed after nvfio_ctrl_close(), and its queue pairs: -EBADF, NULL
 *     from the calls that return a pointer.
 * Skipped in a build without the checks (./tools/test builds one with them).
 */
#include <pthread.h>

#include "nvme/nvme_test.h"

#ifndef NVFIO_CHECKED
int main(void)
{
	printf("SKIP: the library was built without NVFIO_CHECKED (./tools/test builds it with "
	       "cmake -DNVFIO_CHECKED=ON and runs this there)\n");
	return T_EXIT_SKIP;
}
#else

static struct nvfio_qpair *qp;
static struct nvfio_ns *ns;
static void *buf;
static uint8_t id[4096];

static void *other_thread(void *arg)
{
	struct t_done d = {0};

	*(int *)arg = nvfio_read(qp, ns, buf, 0, 1, t_done_cb, &d);
	if (*(int *)arg == -EPERM && nvfio_qpair_poll(qp, 0) != -EPERM)
		*(int *)arg = -EPROTO;
	return NULL;
}

static int cb_ret;

static void poll_in_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	cb_ret = nvfio_qpair_poll(arg, 0);
}

int main(void)
{
	struct nvfio_ctrl *ctrl = t_open("sim:size=1M", NULL);
	struct nvfio_qpair *q2;
	struct t_done d = {0};
	pthread_t t;
	int ret = 0, i;

	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 8, 0, &qp));
	buf = t_alloc(ctrl, 8192);

	/* 1. */
	ret = nvfio_read(qp, ns, buf, 0, 1, NULL, NULL);
	printf("NULL callback, fast-path shape: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -EINVAL);

	/* 2. The first use makes this thread the owner. */
	CHECK_OK(nvfio_read_sync(qp, ns, buf, 0, 1, NULL));
	CHECK(pthread_create(&t, NULL, other_thread, &ret) == 0);
	pthread_join(t, NULL);
	printf("second thread: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -EPERM);

	/* 3. */
	cb_ret = 1;
	CHECK_OK(nvfio_read(qp, ns, buf, 0, 1, poll_in_cb, qp));
	for (i = 0; i < 1000000 && cb_ret == 1; i++)
		CHECK(nvfio_qpair_poll(qp, 0) >= 0);
	printf("poll from its own callback: %d: %s\n", cb_ret, nvfio_last_error());
	CHECK(cb_ret == -EBUSY);

	/* 4. */
	CHECK_OK(nvfio_qpair_alloc(ctrl, 4, 0, &q2));
	CHECK_OK(nvfio_qpair_free(q2));
	ret = nvfio_read(q2, ns, buf, 0, 1, t_done_cb, &d);
	printf("read on a freed queue pair: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -EBADF && !d.done);
	CHECK(nvfio_qpair_poll(q2, 0) == -EBADF);
	CHECK(nvfio_qpair_wait(q2, 0, 0) == -EBADF);
	CHECK(nvfio_flush(q2, ns, t_done_cb, &d) == -EBADF);
	ret = nvfio_qpair_free(q2);
	printf("freed again: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -EBADF);

	/* 5. */
	nvfio_dma_free(nvfio_ctrl_dma(ctrl), buf);
	CHECK_OK(nvfio_ctrl_close(ctrl));
	ret = nvfio_identify(ctrl, 1, 0, id);
	printf("identify after close: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -EBADF);
	CHECK(nvfio_ctrl_close(ctrl) == -EBADF);
	CHECK(nvfio_qpair_alloc(ctrl, 4, 0, &q2) == -EBADF);
	CHECK(nvfio_ctrl_reset(ctrl) == -EBADF);
	CHECK(nvfio_ctrl_poll_admin(ctrl) == -EBADF);
	CHECK(nvfio_ctrl_get_info(ctrl) == NULL && nvfio_ctrl_ns(ctrl, 1) == NULL);
	CHECK(nvfio_ctrl_dma(ctrl) == NULL && nvfio_ctrl_admin_fd(ctrl) == -1);
	ret = nvfio_qpair_poll(qp, 0);
	printf("poll of a queue pair of a closed controller: %d: %s\n", ret, nvfio_last_error());
	CHECK(ret == -EBADF);
	return T_EXIT_PASS;
}
#endif
