/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Close and reopen a controller a hundred times, each time with a queue pair and an I/O: no file
 * descriptor, memory mapping or thread may be left behind. Argument: the controller address
 * (default: the simulated controller).
 */
#include <dirent.h>
#include <time.h>

#include "nvme/nvme_test.h"
#include "tests/vfio/leak.h"

static unsigned int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned int n = 0;

	CHECK(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void cycle(const char *addr, double *open_ms, double *first_io_ms)
{
	double t0 = now_ms(), t1;
	struct nvfio_ctrl *ctrl = t_open(addr, NULL);
	struct nvfio_ns *ns = nvfio_ctrl_ns_next(ctrl, NULL);
	struct nvfio_qpair *qp;
	uint8_t *buf;

	t1 = now_ms();
	CHECK(ns);
	CHECK_OK(nvfio_qpair_alloc(ctrl, 4, 0, &qp));
	buf = t_alloc(ctrl, 4096);
	CHECK_OK(nvfio_read_sync(qp, ns, buf, 0, 1, NULL));
	*open_ms = t1 - t0;
	*first_io_ms = now_ms() - t0;
	/* Closing with the queue pair and the buffer still allocated releases them too. */
	CHECK_OK(nvfio_ctrl_close(ctrl));
}

int main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "sim:size=64M";
	unsigned int threads, i;
	int fds, maps;
	double open_ms, io_ms, sum_open = 0, sum_io = 0, max_io = 0;

	/* One round first: the C library and the DMA layer set up what they keep for good. */
	cycle(addr, &open_ms, &io_ms);
	fds = count_fds();
	maps = count_maps();
	threads = count_dir("/proc/self/task");
	for (i = 0; i < 100; i++) {
		cycle(addr, &open_ms, &io_ms);
		sum_open += open_ms;
		sum_io += io_ms;
		if (io_ms > max_io)
			max_io = io_ms;
	}
	printf("100 reopens: open %.2f ms, open to first I/O %.2f ms on average (max %.2f ms)\n",
	       sum_open / 100, sum_io / 100, max_io);
	printf("fds %d -> %d, maps %d -> %d, threads %u -> %u\n", fds, count_fds(), maps,
	       count_maps(), threads, count_dir("/proc/self/task"));
	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	CHECK(count_dir("/proc/self/task") == threads);
	return T_EXIT_PASS;
}
