/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several queue pairs driven from several threads at once, each thread on its own queue pair and
 * its own region of the namespace, queue depth 16, writes then reads back with every block
 * verified. Argument: the controller address (default: the simulated controller).
 */
#include <pthread.h>

#include "nvme/nvme_test.h"

#define THREADS	   4
#define QD	   16
#define CHUNK_BLKS 8
#define CHUNKS	   256

struct worker {
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	struct nvfio_qpair *qp;
	unsigned int id;
	uint32_t bs;
	uint64_t base;
	uint8_t *wbuf, *rbuf;
	unsigned int next, done, bad, errors;
	int reading;
};

struct slot {
	struct worker *w;
	unsigned int chunk;
};

static uint64_t chunk_lba(struct worker *w, unsigned int c)
{
	/* Chunks in a scattered order so that neighbouring commands do not hit neighbours. */
	return w->base + (uint64_t)((c * 97u) % CHUNKS) * CHUNK_BLKS;
}

static void submit(struct worker *w, struct slot *s);

static void done(void *arg, int err, const struct nvfio_cqe *cqe)
{
	struct slot *s = arg;
	struct worker *w = s->w;
	size_t len = (size_t)CHUNK_BLKS * w->bs, off = (size_t)s->chunk * len;

	if (err || nvfio_cqe_status(cqe)) {
		fprintf(stderr, "thread %u chunk %u: err %d status %s\n", w->id, s->chunk, err,
			nvfio_status_str(nvfio_cqe_status(cqe)));
		w->errors++;
	} else if (w->reading && memcmp(w->rbuf + off, w->wbuf + off, len)) {
		fprintf(stderr, "thread %u chunk %u: data differs\n", w->id, s->chunk);
		w->bad++;
	}
	w->done++;
	if (w->next < CHUNKS)
		submit(w, s);
}

static void submit(struct worker *w, struct slot *s)
{
	size_t len = (size_t)CHUNK_BLKS * w->bs;
	unsigned int c = w->next++;
	int ret;

	s->chunk = c;
	if (w->reading)
		ret = nvfio_read(w->qp, w->ns, w->rbuf + c * len, chunk_lba(w, c), CHUNK_BLKS, done,
				 s);
	else
		ret = nvfio_write(w->qp, w->ns, w->wbuf + c * len, chunk_lba(w, c), CHUNK_BLKS,
				  done, s);
	if (ret) {
		fprintf(stderr, "thread %u: submit: %s\n", w->id, nvfio_last_error());
		w->errors++;
		w->done++;
	}
}

static void pass(struct worker *w, int reading)
{
	struct slot slots[QD];
	unsigned int i;

	w->reading = reading;
	w->next = w->done = 0;
	for (i = 0; i < QD; i++) {
		slots[i].w = w;
		submit(w, &slots[i]);
	}
	while (w->done < CHUNKS) {
		int n = nvfio_qpair_wait(w->qp, 0, 10000);

		if (n <= 0) {
			fprintf(stderr, "thread %u: wait returned %d: %s\n", w->id, n,
				nvfio_last_error());
			w->errors++;
			return;
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	t_fill(w->wbuf, (size_t)CHUNKS * CHUNK_BLKS * w->bs, w->base, 0x51ed0000u + w->id);
	pass(w, 0);
	pass(w, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "sim:size=256M,queues=8";
	struct worker w[THREADS];
	pthread_t th[THREADS];
	struct nvfio_ctrl_opts opts;
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	unsigned int i, n;
	size_t len;

	nvfio_ctrl_opts_init(&opts);
	opts.nr_io_queues = THREADS;
	ctrl = t_open(addr, &opts);
	ns = nvfio_ctrl_ns_next(ctrl, NULL);
	CHECK(ns);
	n = nvfio_ctrl_get_info(ctrl)->nr_io_queues;
	if (n > THREADS)
		n = THREADS;
	CHECK(n >= 2);
	memset(w, 0, sizeof(w));
	for (i = 0; i < n; i++) {
		w[i].ctrl = ctrl;
		w[i].ns = ns;
		w[i].id = i;
		w[i].bs = nvfio_ns_get_info(ns)->block_size;
		w[i].base = (uint64_t)i * CHUNKS * CHUNK_BLKS;
		CHECK(w[i].base + CHUNKS * CHUNK_BLKS <= nvfio_ns_get_info(ns)->nblocks);
		len = (size_t)CHUNKS * CHUNK_BLKS * w[i].bs;
		w[i].wbuf = t_alloc(ctrl, len);
		w[i].rbuf = t_alloc(ctrl, len);
		CHECK_OK(nvfio_qpair_alloc(ctrl, QD, 0, &w[i].qp));
	}
	/* One more than granted is refused. */
	if (nvfio_ctrl_get_info(ctrl)->nr_io_queues == n) {
		struct nvfio_qpair *extra;

		CHECK_ERR(nvfio_qpair_alloc(ctrl, QD, 0, &extra), -EBUSY);
		printf("queue pair %u refused: %s\n", n + 1, nvfio_last_error());
	}
	for (i = 0; i < n; i++)
		CHECK(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
	for (i = 0; i < n; i++)
		CHECK(pthread_join(th[i], NULL) == 0);
	for (i = 0; i < n; i++) {
		printf("thread %u (queue %u): %u chunks verified, %u bad, %u errors\n", i,
		       nvfio_qpair_id(w[i].qp), CHUNKS, w[i].bad, w[i].errors);
		CHECK(w[i].bad == 0 && w[i].errors == 0);
		CHECK_OK(nvfio_qpair_free(w[i].qp));
	}
	CHECK_OK(nvfio_ctrl_close(ctrl));
	return T_EXIT_PASS;
}
