/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Surprise removal in the test VM: the controller is unbound from vfio-pci while two threads
 * do I/O on their own queue pairs. vfio-pci asks for the device back (its request interrupt);
 * nvfio must notice within its checks (every 10 ms of polling), let go of the device so that
 * the unbind finishes, and complete every outstanding and later command once, with
 * -NVFIO_EREMOVED; the process lives, and closing leaves no file descriptor behind.
 * Usage: vm_nvme_unbind PCI-ADDRESS.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nvme/nvme_test.h"

struct worker {
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	unsigned long ios;
	int removed, other;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	CHECK(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Writes and reads its blocks until the controller goes away. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t bs = nvfio_ns_get_info(w->ns)->block_size;
	struct nvfio_qpair *qp;
	uint8_t *buf;
	uint64_t lba = 0;

	CHECK_OK(nvfio_qpair_alloc(w->ctrl, 8, 0, &qp));
	buf = t_alloc(w->ctrl, 8 * bs);
	for (;;) {
		struct t_done d[8] = {{0}};
		int i, ret = 0, n = 0;

		for (i = 0; i < 8 && !ret; i++) {
			ret = nvfio_write(qp, w->ns, buf + (size_t)i * bs, lba + i, 1, t_done_cb,
					  &d[i]);
			n += ret == 0;
		}
		while (1) {
			int done = 0, r = nvfio_qpair_poll(qp, 0);

			for (i = 0; i < n; i++)
				done += d[i].done;
			if (done == n)
				break;
			if (r < 0 && r != -NVFIO_EREMOVED)
				w->other++;
		}
		for (i = 0; i < n; i++) {
			CHECK(d[i].done == 1);
			if (d[i].err == -NVFIO_EREMOVED)
				w->removed++;
			else if (d[i].err || d[i].status)
				w->other++;
			else
				w->ios++;
		}
		if (ret == -NVFIO_EREMOVED || w->removed)
			break;
		if (ret && ret != -EAGAIN)
			w->other++;
		lba = (lba + 8) % 1024;
	}
	nvfio_dma_free(nvfio_ctrl_dma(w->ctrl), buf);
	nvfio_qpair_free(qp);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[2] = {{0}};
	struct nvfio_ctrl *ctrl;
	pthread_t t[2];
	pid_t child;
	uint64_t start;
	int fds, st, i;

	CHECK(argc == 2);
	fds = count_fds();
	ctrl = t_open(argv[1], NULL);
	for (i = 0; i < 2; i++) {
		w[i].ctrl = ctrl;
		w[i].ns = nvfio_ctrl_ns_next(ctrl, NULL);
		CHECK(pthread_create(&t[i], NULL, worker_main, &w[i]) == 0);
	}
	usleep(300000);
	/* The unbind blocks until the device is let go of: another process does it, through an
	 * exec, so that it holds none of this one's descriptors (a forked copy of the device's
	 * would keep the device in use). */
	start = now_ms();
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "echo %s > /sys/bus/pci/drivers/vfio-pci/unbind",
			 argv[1]);
		for (i = 3; i < 1024; i++)
			close(i);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	printf("I/O stopped %llu ms after the unbind began\n",
	       (unsigned long long)(now_ms() - start));
	for (;;) {
		pid_t r = waitpid(child, &st, WNOHANG);

		CHECK(r >= 0);
		if (r == child)
			break;
		CHECK(now_ms() - start < 30000);
		/* Something must keep looking: the checks run in polls and waits. */
		nvfio_ctrl_check(ctrl);
		usleep(10000);
	}
	printf("unbind done %llu ms after it began (exit %d)\n",
	       (unsigned long long)(now_ms() - start), WEXITSTATUS(st));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (i = 0; i < 2; i++) {
		printf("worker %d: %lu I/Os, %d completed with -NVFIO_EREMOVED, %d other errors\n",
		       i, w[i].ios, w[i].removed, w[i].other);
		CHECK(w[i].ios > 0 && w[i].removed > 0 && w[i].other == 0);
	}
	CHECK(nvfio_ctrl_check(ctrl) == -NVFIO_EREMOVED);
	nvfio_ctrl_close(ctrl);
	printf("file descriptors: %d before open, %d after close\n", fds, count_fds());
	CHECK(count_fds() == fds);
	return T_EXIT_PASS;
}
