/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Surprise removal in the test VM while four threads do I/O on their own queue pairs, two ways:
 * vm_nvme_unbind unbinds the controller from vfio-pci; vm_nvme_unplug (config hotplug, the
 * controller behind a PCIe root port) has QEMU hot-unplug it (device_del through the monitor,
 * which the guest's hotplug driver turns into a removal). Either way vfio-pci asks for the device
 * back (its request interrupt); nvfio must notice within its checks (every 10 ms of polling), let
 * go of the device so that the removal finishes, and complete every outstanding and later
 * command once, with -NVFIO_EREMOVED; the process lives, and closing leaves no file descriptor,
 * VFIO or DMA mapping or hugepage behind.
 * Usage: vm_nvme_unbind|vm_nvme_unplug PCI-ADDRESS.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nvme/nvme_test.h"
#include "vm/guest/guest.h"

#define WORKERS 4

struct worker {
	struct nvfio_ctrl *ctrl;
	struct nvfio_ns *ns;
	unsigned first_lba;
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

/* Mappings of the device (BARs: the VFIO device file) and of DMA memory (hugepages). */
static int count_device_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "vfio") || strstr(line, "anon_hugepage") ||
		     strstr(line, "/dev/hugepages");
	fclose(f);
	return n;
}

static unsigned long free_hugepages(void)
{
	unsigned long n = 0;

	guest_read_ulong("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", &n);
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
			ret = nvfio_write(qp, w->ns, buf + (size_t)i * bs, w->first_lba + lba + i, 1,
					  t_done_cb, &d[i]);
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
	/* Polls after the removal keep answering, and nothing completes twice. */
	CHECK(nvfio_qpair_poll(qp, 0) <= 0);
	nvfio_dma_free(nvfio_ctrl_dma(w->ctrl), buf);
	nvfio_qpair_free(qp);
	return NULL;
}

/* The unbind blocks until the device is let go of: another process does it, through an exec,
 * so that it holds none of this one's descriptors (a forked copy of the device's would keep the
 * device in use). */
static pid_t start_unbind(const char *addr)
{
	pid_t child = fork();
	int i;

	CHECK(child >= 0);
	if (child == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "echo %s > /sys/bus/pci/drivers/vfio-pci/unbind", addr);
		for (i = 3; i < 1024; i++)
			close(i);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return child;
}

/* Whether the removal is over: the unbind's process ended (its status checked), or the
 * unplugged device left the bus. */
static bool removal_done(pid_t child, const char *addr)
{
	char path[PATH_MAX];
	int st;

	if (child > 0) {
		pid_t r = waitpid(child, &st, WNOHANG);

		CHECK(r >= 0);
		if (r != child)
			return false;
		printf("unbind exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		return true;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
	return access(path, F_OK) != 0;
}

int main(int argc, char **argv)
{
	struct worker w[WORKERS] = {{0}};
	bool unplug = strstr(argv[0], "unplug") != NULL;
	unsigned long huge;
	struct nvfio_ctrl *ctrl;
	pthread_t t[WORKERS];
	pid_t child = 0;
	uint64_t start;
	int fds, maps, i;

	CHECK(argc == 2);
	fds = count_fds();
	maps = count_device_maps();
	huge = free_hugepages();
	ctrl = t_open(argv[1], NULL);
	/* The count sees the controller's own mappings (BAR0 at least), so that nothing left
	 * behind can hide from it. */
	printf("device and DMA mappings while open: %d\n", count_device_maps());
	CHECK(count_device_maps() > maps);
	for (i = 0; i < WORKERS; i++) {
		w[i].ctrl = ctrl;
		w[i].ns = nvfio_ctrl_ns_next(ctrl, NULL);
		w[i].first_lba = (unsigned)i * 1024;
		CHECK(pthread_create(&t[i], NULL, worker_main, &w[i]) == 0);
	}
	usleep(300000);
	start = now_ms();
	if (unplug)
		guest_host_request("device_del nvme0");
	else
		child = start_unbind(argv[1]);
	for (i = 0; i < WORKERS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	printf("I/O stopped %llu ms after the %s began\n", (unsigned long long)(now_ms() - start),
	       unplug ? "unplug" : "unbind");
	while (!removal_done(child, argv[1])) {
		CHECK(now_ms() - start < 30000);
		/* Something must keep looking: the checks run in polls and waits. */
		nvfio_ctrl_check(ctrl);
		usleep(10000);
	}
	printf("%s done %llu ms after it began\n", unplug ? "unplug" : "unbind",
	       (unsigned long long)(now_ms() - start));
	for (i = 0; i < WORKERS; i++) {
		printf("worker %d: %lu I/Os, %d completed with -NVFIO_EREMOVED, %d other errors\n",
		       i, w[i].ios, w[i].removed, w[i].other);
		CHECK(w[i].ios > 0 && w[i].removed > 0 && w[i].other == 0);
	}
	CHECK(nvfio_ctrl_check(ctrl) == -NVFIO_EREMOVED);
	nvfio_ctrl_close(ctrl);
	printf("file descriptors: %d before open, %d after close\n", fds, count_fds());
	printf("device and DMA mappings: %d before open, %d after close\n", maps,
	       count_device_maps());
	printf("free hugepages: %lu before open, %lu after close\n", huge, free_hugepages());
	CHECK(count_fds() == fds && count_device_maps() == maps && free_hugepages() == huge);
	return T_EXIT_PASS;
}
