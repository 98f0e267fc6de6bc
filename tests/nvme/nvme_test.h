/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_TESTS_NVME_TEST_H
#define NVFIO_TESTS_NVME_TEST_H

/* Helpers of the NVMe driver tests: open a controller, fill and check data patterns. */

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <nvfio/dma.h>
#include <nvfio/nvme.h>
#include <nvfio/nvme_io.h>

#include "common/test.h"

/* Open @address with @opts (NULL: defaults), failing the test on error. */
static inline struct nvfio_ctrl *t_open(const char *address, const struct nvfio_ctrl_opts *opts)
{
	struct nvfio_ctrl *ctrl = NULL;

	CHECK_OK(nvfio_ctrl_open(address, opts, &ctrl));
	return ctrl;
}

/* A DMA buffer of @len bytes. */
static inline void *t_alloc(struct nvfio_ctrl *ctrl, size_t len)
{
	void *p = NULL;

	CHECK_OK(nvfio_dma_alloc(nvfio_ctrl_dma(ctrl), len, 0, &p));
	return p;
}

/* A pattern that differs for every byte offset, block address and seed. */
static inline void t_fill(void *buf, size_t len, uint64_t lba, uint32_t seed)
{
	uint32_t *p = (uint32_t *)buf;
	size_t i;

	for (i = 0; i < len / 4; i++)
		p[i] = (uint32_t)(i * 2654435761u) ^ (uint32_t)(lba * 40503u) ^ seed;
}

/* Whether two buffers match; prints the first difference. */
static inline int t_same(const void *a, const void *b, size_t len, const char *what)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	size_t i;

	for (i = 0; i < len; i++) {
		if (x[i] != y[i]) {
			fprintf(stderr,
				"%s: data differs at byte %zu of %zu (0x%02x, expected 0x%02x)\n",
				what, i, len, x[i], y[i]);
			return 0;
		}
	}
	return 1;
}

/* Completion record for callbacks. */
struct t_done {
	int done;
	int err;
	uint16_t status;
	uint32_t cdw0;
};

static inline void t_done_cb(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct t_done *d = (struct t_done *)arg;

	d->done++;
	d->err = err;
	d->status = nvfio_cqe_status(cqe);
	d->cdw0 = cqe->cdw0;
}

/* Poll until @d completes (fails the test after 10 s). */
static inline void t_wait(struct nvfio_qpair *qp, struct t_done *d)
{
	int i;

	for (i = 0; i < 10000 && !d->done; i++)
		CHECK_OK(nvfio_qpair_wait(qp, 0, 1));
	CHECK(d->done);
}

/* Poll until @d completes, yielding to the model's thread between polls, for at most 30 s
 * (-EAGAIN, while a reset runs, is no failure); returns the milliseconds it took. */
static inline uint64_t t_poll_done(struct nvfio_qpair *qp, struct t_done *d)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (;;) {
		int ret = d->done ? 0 : nvfio_qpair_poll(qp, 0);
		uint64_t ms;

		CHECK(ret >= 0 || ret == -EAGAIN);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms = (uint64_t)((int64_t)(b.tv_sec - a.tv_sec) * 1000 +
				(int64_t)(b.tv_nsec - a.tv_nsec) / 1000000);
		if (d->done)
			return ms;
		CHECK(ms < 30000);
		sched_yield();
	}
}

#endif /* NVFIO_TESTS_NVME_TEST_H */
