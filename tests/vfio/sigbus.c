/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIGBUS handler of mapped regions, on fake BARs that really fault: memfd mappings whose file
 * is truncated to nothing, as vfio-pci takes a removed device's mapping away. A fault in a BAR
 * reads all-ones and the process lives, through nvfio_vfio_device_map_region() too; the handler
 * is there only while a BAR is; every other SIGBUS reaches the application's own action (a
 * handler with its address, SIG_DFL and SIG_IGN as the kernel has them, in forked children); an
 * application handler installed over nvfio's can hand nvfio its faults; threads mapping and
 * unmapping at once keep it all consistent; nothing stays open or mapped.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "common/test.h"
#include "tests/vfio/leak.h"
#include "vfio/vfio.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* <asm/signal.h>'s on x86 and arm64; glibc does not show it */
#endif

#define ONES	   0xffffffffu
#define PATTERN(i) (0x5a000000u | (uint32_t)(i))
#define THREADS	   4
#define ITERATIONS 1000

static size_t pg;

/* A file mapping that stands in for a BAR: truncating the file makes every access fault. */
struct fake {
	int fd;
	uint32_t *map;
	size_t len;
};

static void fake_open(struct fake *f, size_t len)
{
	f->len = len;
	f->fd = memfd_create("nvfio-fake-bar", MFD_CLOEXEC);
	CHECK(f->fd >= 0);
	CHECK(ftruncate(f->fd, (off_t)len) == 0);
	f->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	CHECK(f->map != MAP_FAILED);
	for (size_t i = 0; i < len / 4; i++)
		f->map[i] = PATTERN(i);
}

/* The device goes: the next access raises SIGBUS with its address. */
static void fake_pull(struct fake *f)
{
	CHECK(ftruncate(f->fd, 0) == 0);
}

static void fake_close(struct fake *f)
{
	CHECK(munmap(f->map, f->len) == 0);
	CHECK(close(f->fd) == 0);
}

static uint32_t rd(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

/* A removed flag the handler sets, read as an atomic: the compiler must not assume it. */
static int flag(int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void wr(uint32_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

/* ---- The application's own handlers (what they set is volatile: a load runs them) ---- */

static _Thread_local void *volatile app_addr; /* where its last SIGBUS was, in this thread */
static _Thread_local volatile int app_calls;
static _Thread_local volatile bool app_usr1_blocked;
static atomic_int app_calls_all;

/* What an application does with a fault of its own: memory of zeroes in place of the page. */
static void app_fix(void *addr)
{
	void *page = (void *)((uintptr_t)addr & ~(uintptr_t)(pg - 1));

	if (mmap(page, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0) == MAP_FAILED)
		_exit(T_EXIT_FAIL);
}

static void app_action(int sig, siginfo_t *info, void *uc)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	app_usr1_blocked = sigismember(&cur, SIGUSR1) == 1;
	app_addr = info->si_addr;
	app_calls++;
	atomic_fetch_add(&app_calls_all, 1);
	app_fix(info->si_addr);
}

/* The page app_plain() repairs: a plain handler is given no address. */
static void *volatile plain_fix;
static volatile int plain_calls;

static void app_plain(int sig)
{
	plain_calls++;
	app_fix(plain_fix);
}

/* An application handler installed over nvfio's, that hands nvfio its faults first. */
static volatile int aware_nvfio, aware_own;

static void app_aware(int sig, siginfo_t *info, void *uc)
{
	if (nvfio_vfio_sigbus_handle(info)) {
		aware_nvfio++;
		return;
	}
	aware_own++;
	app_fix(info->si_addr);
}

/* ---- Looking at SIGBUS's action ---- */

static struct sigaction action(void)
{
	struct sigaction sa;

	/* glibc copies back only the kernel's part of the mask: clear the rest for comparing. */
	memset(&sa, 0, sizeof(sa));
	CHECK(sigaction(SIGBUS, NULL, &sa) == 0);
	return sa;
}

static bool same_action(const struct sigaction *a, const struct sigaction *b)
{
	/* glibc adds SA_RESTORER (its return trampoline) to every action it sets, SIG_DFL too. */
	if (((a->sa_flags ^ b->sa_flags) & ~SA_RESTORER) || a->sa_handler != b->sa_handler)
		return false;
	for (int s = 1; s < SIGRTMIN; s++)
		if (sigismember(&a->sa_mask, s) != sigismember(&b->sa_mask, s))
			return false;
	return true;
}

static bool nvfio_installed(void)
{
	struct sigaction sa = action();

	return (sa.sa_flags & SA_SIGINFO) && sa.sa_sigaction == nvf_vfio_sigbus_handler &&
	       (sa.sa_flags & SA_ONSTACK);
}

static void set_action(void (*fn)(int, siginfo_t *, void *), void (*plain)(int), int mask_sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (mask_sig)
		sigaddset(&sa.sa_mask, mask_sig);
	if (fn) {
		sa.sa_sigaction = fn;
		sa.sa_flags = SA_SIGINFO;
	} else {
		sa.sa_handler = plain;
	}
	CHECK(sigaction(SIGBUS, &sa, NULL) == 0);
}

/* ---- The device path: nvfio_vfio_device_map_region() on a fake device ---- */

/* A device object whose "device file" is a memfd holding two 4-page BARs, BAR1 2 pages in. */
static struct nvfio_vfio_device *fake_device(void)
{
	struct nvfio_vfio_device *dev = calloc(1, sizeof(*dev));
	uint32_t *words;

	CHECK(dev);
	strcpy(dev->addr, "0000:42:00.0");
	dev->fd = memfd_create("nvfio-fake-device", MFD_CLOEXEC);
	CHECK(dev->fd >= 0);
	CHECK(ftruncate(dev->fd, (off_t)(8 * pg)) == 0);
	words = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, 0);
	CHECK(words != MAP_FAILED);
	for (size_t i = 0; i < 8 * pg / 4; i++)
		words[i] = PATTERN(i);
	CHECK(munmap(words, 8 * pg) == 0);
	dev->info.flags = VFIO_DEVICE_FLAGS_PCI;
	dev->info.num_regions = VFIO_PCI_CONFIG_REGION_INDEX + 1;
	dev->regions = calloc(dev->info.num_regions, sizeof(*dev->regions));
	CHECK(dev->regions);
	for (unsigned int i = 0; i < 2; i++) {
		dev->regions[i].known = true;
		dev->regions[i].info = (struct nvfio_vfio_region_info){
		    .index = i,
		    .flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			     VFIO_REGION_INFO_FLAG_MMAP,
		    .size = 4 * pg,
		    .offset = 2 * pg * i,
		};
	}
	return dev;
}

static void test_device_path(void)
{
	struct sigaction before = action(), after;
	struct nvfio_vfio_device *dev = fake_device();
	uint32_t *bar0, *bar1;
	size_t len;

	CHECK(!nvfio_installed());
	CHECK_OK(nvfio_vfio_device_map_region(dev, 0, (void **)&bar0, &len));
	CHECK(len == 4 * pg);
	CHECK(nvfio_installed());
	CHECK_OK(nvfio_vfio_device_map_region(dev, 1, (void **)&bar1, NULL));
	CHECK(rd(&bar0[7]) == PATTERN(7));
	CHECK(rd(&bar1[7]) == PATTERN(2 * pg / 4 + 7));
	CHECK(!nvfio_vfio_device_removed(dev));

	/* The device goes: both BARs read all-ones, writes go nowhere, and the process lives. */
	CHECK(ftruncate(dev->fd, 0) == 0);
	CHECK(rd(&bar0[pg / 4 + 3]) == ONES);
	CHECK(nvfio_vfio_device_removed(dev));
	CHECK(rd(&bar0[0]) == ONES && rd(&bar0[len / 4 - 1]) == ONES);
	wr(&bar1[5], 0);
	CHECK(rd(&bar1[6]) == ONES);

	/* Installed while a BAR is mapped: the first unmap leaves it, the last puts back. */
	CHECK_OK(nvfio_vfio_device_unmap_region(dev, 0));
	CHECK(nvfio_installed());
	CHECK_OK(nvfio_vfio_device_unmap_region(dev, 1));
	after = action();
	CHECK(same_action(&before, &after));

	/* Mapped again after the fault: it faults again, reads all-ones again; release keeps the
	 * all-ones memory and closes the file; close unmaps, and SIGBUS is back as it was. */
	CHECK_OK(nvfio_vfio_device_map_region(dev, 0, (void **)&bar0, NULL));
	CHECK(nvfio_installed());
	CHECK(rd(&bar0[9]) == ONES);
	CHECK_OK(nvfio_vfio_device_release(dev));
	CHECK(nvfio_vfio_device_fd(dev) == -1);
	CHECK(rd(&bar0[10]) == ONES);
	nvfio_vfio_device_close(dev);
	after = action();
	CHECK(same_action(&before, &after));
}

/* ---- The registry ---- */

/* A handler of the application's before nvfio's: it is called for faults outside any BAR. */
static void test_chain_siginfo(void)
{
	struct fake bar, own;
	struct sigaction before, after;
	int removed = 0;

	set_action(app_action, NULL, SIGUSR1);
	before = action();
	fake_open(&bar, 2 * pg);
	fake_open(&own, 2 * pg);
	CHECK_OK(nvf_vfio_bar_register(bar.map, bar.len, &removed));
	CHECK(nvfio_installed());

	fake_pull(&own);
	app_calls = 0;
	CHECK(rd(&own.map[pg / 4 + 1]) == 0); /* the application's handler put zeroes there */
	CHECK(app_calls == 1);
	CHECK(app_addr == &own.map[pg / 4 + 1]);
	CHECK(app_usr1_blocked); /* with the mask of its own action */
	CHECK(rd(&bar.map[1]) == PATTERN(1));
	CHECK(!flag(&removed));

	fake_pull(&bar);
	CHECK(rd(&bar.map[pg / 4 + 2]) == ONES);
	CHECK(flag(&removed) == 1);
	CHECK(app_calls == 1);

	nvf_vfio_bar_unregister(bar.map);
	after = action();
	CHECK(same_action(&before, &after));
	CHECK(after.sa_sigaction == app_action);
	fake_close(&bar);
	fake_close(&own);
}

/* A plain handler (no SA_SIGINFO) before nvfio's. */
static void test_chain_plain(void)
{
	struct fake bar, own;
	int removed = 0;

	set_action(NULL, app_plain, 0);
	fake_open(&bar, pg);
	fake_open(&own, pg);
	CHECK_OK(nvf_vfio_bar_register(bar.map, bar.len, &removed));
	fake_pull(&own);
	plain_fix = own.map;
	CHECK(rd(&own.map[3]) == 0);
	CHECK(plain_calls == 1);
	fake_pull(&bar);
	CHECK(rd(&bar.map[3]) == ONES);
	CHECK(plain_calls == 1);
	nvf_vfio_bar_unregister(bar.map);
	CHECK(action().sa_handler == app_plain);
	fake_close(&bar);
	fake_close(&own);
}

/* nvfio_vfio_sigbus_handle() answers for faults in BARs only. */
static void test_handle(void)
{
	struct fake bar, own;
	siginfo_t si;
	int removed = 0;

	set_action(NULL, SIG_DFL, 0);
	fake_open(&bar, 2 * pg);
	fake_open(&own, pg);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGBUS;
	si.si_code = BUS_ADRERR;
	si.si_addr = &bar.map[pg / 4];
	CHECK(!nvfio_vfio_sigbus_handle(&si)); /* not registered */
	CHECK(!nvfio_vfio_sigbus_handle(NULL));
	CHECK_OK(nvf_vfio_bar_register(bar.map, bar.len, &removed));
	si.si_code = SI_USER; /* sent, not a fault: no address to trust */
	CHECK(!nvfio_vfio_sigbus_handle(&si));
	si.si_code = BUS_ADRERR;
	si.si_signo = SIGSEGV;
	CHECK(!nvfio_vfio_sigbus_handle(&si));
	si.si_signo = SIGBUS;
	si.si_addr = own.map;
	CHECK(!nvfio_vfio_sigbus_handle(&si));
	CHECK(rd(&bar.map[0]) == PATTERN(0) && !flag(&removed));
	/* A fault anywhere in the range replaces all of it, even where nothing faulted yet. */
	errno = 1234;
	si.si_addr = (char *)bar.map + bar.len - 1;
	CHECK(nvfio_vfio_sigbus_handle(&si));
	CHECK(errno == 1234);
	CHECK(flag(&removed) == 1);
	CHECK(rd(&bar.map[0]) == ONES && rd(&bar.map[bar.len / 4 - 1]) == ONES);
	nvf_vfio_bar_unregister(bar.map);
	fake_close(&bar);
	fake_close(&own);
}

/* An application handler installed after nvfio's, as <nvfio/vfio.h> says it should be. */
static void test_displaced(void)
{
	struct fake bar, own;
	int removed = 0;

	set_action(NULL, SIG_DFL, 0);
	fake_open(&bar, pg);
	fake_open(&own, pg);
	CHECK_OK(nvf_vfio_bar_register(bar.map, bar.len, &removed));
	CHECK(nvfio_installed());
	set_action(app_aware, NULL, 0);
	fake_pull(&bar);
	CHECK(rd(&bar.map[2]) == ONES);
	CHECK(aware_nvfio == 1 && aware_own == 0 && flag(&removed) == 1);
	fake_pull(&own);
	CHECK(rd(&own.map[2]) == 0);
	CHECK(aware_nvfio == 1 && aware_own == 1);

	/* Left in charge: not replaced by SIG_DFL when the last BAR goes, nor by nvfio's when
	 * the next one comes. */
	nvf_vfio_bar_unregister(bar.map);
	CHECK(action().sa_sigaction == app_aware);
	CHECK_OK(nvf_vfio_bar_register(bar.map, bar.len, &removed));
	CHECK(action().sa_sigaction == app_aware);
	nvf_vfio_bar_unregister(bar.map);
	CHECK(action().sa_sigaction == app_aware);

	/* Given back to SIG_DFL, nvfio takes it again. */
	set_action(NULL, SIG_DFL, 0);
	CHECK_OK(nvf_vfio_bar_register(bar.map, bar.len, &removed));
	CHECK(nvfio_installed());
	nvf_vfio_bar_unregister(bar.map);
	CHECK(action().sa_handler == SIG_DFL && !(action().sa_flags & SA_SIGINFO));
	fake_close(&bar);
	fake_close(&own);
}

/* The table holds NVF_VFIO_BARS_MAX ranges; the next is refused and changes nothing. */
static void test_full(void)
{
	char *base = mmap(NULL, (NVF_VFIO_BARS_MAX + 1) * pg, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int removed = 0;

	CHECK(base != MAP_FAILED);
	set_action(NULL, SIG_IGN, 0);
	for (int i = 0; i < NVF_VFIO_BARS_MAX; i++)
		CHECK_OK(nvf_vfio_bar_register(base + i * pg, pg, &removed));
	CHECK_ERR(nvf_vfio_bar_register(base + NVF_VFIO_BARS_MAX * pg, pg, &removed), -ENOSPC);
	CHECK(nvfio_installed());
	nvf_vfio_bar_unregister(base + NVF_VFIO_BARS_MAX * pg); /* never registered: nothing */
	for (int i = 0; i < NVF_VFIO_BARS_MAX; i++) {
		CHECK(nvfio_installed());
		nvf_vfio_bar_unregister(base + i * pg);
	}
	CHECK(action().sa_handler == SIG_IGN);
	CHECK(munmap(base, (NVF_VFIO_BARS_MAX + 1) * pg) == 0);
	set_action(NULL, SIG_DFL, 0);
}

/* ---- SIG_DFL and SIG_IGN before nvfio's, in a child ---- */

enum child_case { OWN_FAULT, SENT, BAR_FAULT };

static void child(void (*plain)(int), enum child_case what)
{
	struct rlimit none = {0, 0};
	struct fake bar, own;
	int removed = 0;

	setrlimit(RLIMIT_CORE, &none); /* a death by SIGBUS would dump core */
	alarm(10);		       /* a fault answered by nothing repeats forever */
	set_action(NULL, plain, 0);
	fake_open(&bar, pg);
	fake_open(&own, pg);
	CHECK_OK(nvf_vfio_bar_register(bar.map, bar.len, &removed));
	switch (what) {
	case OWN_FAULT:
		fake_pull(&own);
		(void)rd(&own.map[0]);
		break;
	case SENT:
		raise(SIGBUS);
		break;
	case BAR_FAULT:
		fake_pull(&bar);
		CHECK(rd(&bar.map[0]) == ONES && flag(&removed));
		break;
	}
	nvf_vfio_bar_unregister(bar.map);
	_exit(T_EXIT_PASS);
}

/* Run child() in a child process; true if it died of SIGBUS, false if it exited 0. */
static bool dies_of_sigbus(void (*plain)(int), enum child_case what)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		child(plain, what);
	CHECK(waitpid(pid, &status, 0) == pid);
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGBUS;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == T_EXIT_PASS);
	return false;
}

static void test_default_actions(void)
{
	CHECK(dies_of_sigbus(SIG_DFL, OWN_FAULT));
	CHECK(dies_of_sigbus(SIG_DFL, SENT));
	CHECK(!dies_of_sigbus(SIG_DFL, BAR_FAULT));
	/* The kernel kills on a fault it cannot deliver. */
	CHECK(dies_of_sigbus(SIG_IGN, OWN_FAULT));
	CHECK(!dies_of_sigbus(SIG_IGN, SENT));
	CHECK(!dies_of_sigbus(SIG_IGN, BAR_FAULT));
}

/* ---- Threads mapping and unmapping at once ---- */

static void *stress(void *arg)
{
	struct fake own;
	int fd = memfd_create("nvfio-fake-bar", MFD_CLOEXEC);
	const size_t len = 2 * pg;

	CHECK(fd >= 0);
	fake_open(&own, pg);
	for (int i = 0; i < ITERATIONS; i++) {
		int removed = 0;
		uint32_t *map;

		CHECK(ftruncate(fd, 0) == 0 && ftruncate(fd, (off_t)len) == 0);
		map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(map != MAP_FAILED);
		CHECK_OK(nvf_vfio_bar_register(map, len, &removed));
		/* Whatever the other threads do, it is installed while this BAR is registered. */
		CHECK(nvfio_installed());
		CHECK(rd(&map[1]) == 0);
		if (i % 3 == 0) {
			CHECK(ftruncate(fd, 0) == 0);
			CHECK(rd(&map[len / 4 - 1]) == ONES);
			CHECK(flag(&removed) == 1);
		}
		if (i % 5 == 0) {
			/* Not nvfio's: the application's handler, with this address. */
			int calls = app_calls;

			CHECK(ftruncate(own.fd, 0) == 0);
			CHECK(rd(&own.map[i % (pg / 4)]) == 0);
			CHECK(app_calls == calls + 1 && app_addr == &own.map[i % (pg / 4)]);
			/* The handler's zero page goes: the file shows through again. */
			CHECK(munmap(own.map, pg) == 0);
			CHECK(ftruncate(own.fd, (off_t)pg) == 0);
			own.map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, own.fd, 0);
			CHECK(own.map != MAP_FAILED);
		}
		CHECK(nvfio_installed());
		nvf_vfio_bar_unregister(map);
		CHECK(munmap(map, len) == 0);
	}
	fake_close(&own);
	close(fd);
	return NULL;
}

static void run_threads(void)
{
	pthread_t t[THREADS];

	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, stress, NULL) == 0);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
}

static void test_threads(void)
{
	struct sigaction before, after;

	set_action(app_action, NULL, 0);
	before = action();
	atomic_store(&app_calls_all, 0);
	run_threads();
	CHECK(atomic_load(&app_calls_all) == THREADS * ((ITERATIONS + 4) / 5));
	after = action();
	CHECK(same_action(&before, &after));
	set_action(NULL, SIG_DFL, 0);
}

static void *nothing(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_t t[THREADS];
	int fds, maps;

	pg = (size_t)sysconf(_SC_PAGESIZE);
	/* Threads' stacks stay cached once joined: have them before counting mappings. */
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, nothing, NULL) == 0);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	fds = count_fds();
	maps = count_maps();

	test_device_path();
	test_chain_siginfo();
	test_chain_plain();
	test_handle();
	test_displaced();
	test_full();
	test_default_actions();
	test_threads();

	CHECK(count_fds() == fds);
	CHECK(count_maps() == maps);
	return T_EXIT_PASS;
}
