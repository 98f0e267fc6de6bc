/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admin commands from several threads at once, while asynchronous events arrive: each thread
 * allocates and frees queue pairs and runs Identify, Get Log Page and Get Features, checking
 * what comes back; the main thread posts events one at a time and each must be delivered once,
 * whichever thread's admin call reaps it. Argument: the controller address (default: the
 * simulated controller; events are posted on it only).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <nvfio/sim.h>

#include "nvme/nvme_test.h"

#define THREADS 4
#define ROUNDS	40

struct shared {
	struct nvfio_ctrl *ctrl;
	int events;   /* delivered, atomically */
	int stop;     /* workers done, atomically */
	int failures; /* atomically */
};

static void event_cb(void *arg, const struct nvfio_event *ev)
{
	struct shared *s = arg;

	if (ev->type == 1 && ev->log_page == 2)
		__atomic_add_fetch(&s->events, 1, __ATOMIC_SEQ_CST);
}

static void fail(struct shared *s, const char *what, int ret)
{
	fprintf(stderr, "%s: %d %s\n", what, ret, nvfio_last_error());
	__atomic_add_fetch(&s->failures, 1, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
	struct shared *s = arg;
	const uint8_t *id_ref = nvfio_ctrl_identify(s->ctrl);
	uint8_t *id = malloc(4096), smart[512];
	unsigned int i;
	uint32_t nq;
	int ret;

	for (i = 0; i < ROUNDS && id; i++) {
		struct nvfio_qpair *qp = NULL;

		ret = nvfio_qpair_alloc(s->ctrl, 4, 0, &qp);
		if (ret < 0 && ret != -EBUSY)
			fail(s, "nvfio_qpair_alloc", ret);
		memset(id, 0, 4096);
		ret = nvfio_identify(s->ctrl, 1, 0, id);
		if (ret < 0)
			fail(s, "nvfio_identify", ret);
		else if (memcmp(id, id_ref, 4096))
			fail(s, "Identify Controller differs from the one read at open", 0);
		ret = nvfio_get_log_page(s->ctrl, 2, 0xffffffff, 0, smart, sizeof(smart));
		if (ret < 0)
			fail(s, "nvfio_get_log_page", ret);
		ret = nvfio_get_features(s->ctrl, 0x07, 0, 0, NULL, 0, &nq);
		if (ret < 0)
			fail(s, "nvfio_get_features", ret);
		else if ((nq & 0xffff) + 1 < nvfio_ctrl_get_info(s->ctrl)->nr_io_queues)
			fail(s, "Number of Queues below the queue pairs granted", (int)nq);
		ret = nvfio_qpair_free(qp);
		if (ret < 0)
			fail(s, "nvfio_qpair_free", ret);
	}
	if (!id)
		fail(s, "malloc", -ENOMEM);
	free(id);
	__atomic_add_fetch(&s->stop, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(int argc, char **argv)
{
	struct nvfio_ctrl_opts opts;
	struct shared s = {0};
	pthread_t t[THREADS];
	struct nvfio_sim *sim;
	int i, posted = 0, spins;

	nvfio_ctrl_opts_init(&opts);
	opts.nr_io_queues = 2; /* fewer than the threads: some allocations find none (-EBUSY) */
	s.ctrl = t_open(argc > 1 ? argv[1] : "sim:size=16M", &opts);
	sim = nvfio_ctrl_sim(s.ctrl);
	nvfio_ctrl_set_event_cb(s.ctrl, event_cb, &s);
	for (i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, &s) == 0);
	/* One event at a time (the controller holds back another of the same type until its log
	 * page is read): each is reaped by whichever thread polls the admin queue first. */
	while (sim && __atomic_load_n(&s.stop, __ATOMIC_SEQ_CST) < THREADS) {
		CHECK_OK(nvfio_sim_post_event(sim, 1, 0, 2, 0));
		posted++;
		for (spins = 0;
		     __atomic_load_n(&s.events, __ATOMIC_SEQ_CST) < posted && spins < 5000;
		     spins++) {
			if (__atomic_load_n(&s.stop, __ATOMIC_SEQ_CST) == THREADS)
				CHECK(nvfio_ctrl_poll_admin(s.ctrl) >= 0);
			usleep(200);
		}
		CHECK(__atomic_load_n(&s.events, __ATOMIC_SEQ_CST) == posted);
	}
	for (i = 0; i < THREADS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	printf("%d threads x %d rounds of admin commands, %d events posted, %d delivered\n",
	       THREADS, ROUNDS, posted, s.events);
	CHECK(s.failures == 0);
	CHECK(s.events == posted);
	CHECK(!sim || posted > 0);
	CHECK_OK(nvfio_ctrl_close(s.ctrl));
	return T_EXIT_PASS;
}
