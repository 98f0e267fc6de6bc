/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BAR faults: a load or store to a mapped BAR of a device that is gone (surprise removal: vfio-pci
 * zaps the mapping and the next access faults) or whose memory decoding is off raises SIGBUS.
 * While any region is mapped, a process-wide handler answers such a fault by putting memory that
 * reads all-ones in place of the whole mapping, as a removed PCI device reads, and returning, so
 * that the access runs again and the driver sees a removed device instead of the process dying.
 * Every other SIGBUS goes to the action the application had before.
 *
 * The handler reads a fixed table of mapped ranges with atomics and takes no lock. The table is
 * changed under one mutex; a slot is emptied, then its user waits for handlers still inside it
 * (each holds the slot's busy count while it looks and replaces) before the range is unmapped,
 * so that a handler never puts memory at an address that has been given to something else.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "vfio/vfio.h"

/* The handler takes no lock: neither may the atomics it uses. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2 &&
		   ATOMIC_POINTER_LOCK_FREE == 2 && sizeof(uintptr_t) == sizeof(long),
	       "the SIGBUS handler needs lock-free atomics");

enum { BAR_FREE, BAR_ACTIVE };

struct bar {
	_Atomic int state;	   /* BAR_FREE, BAR_ACTIVE */
	_Atomic unsigned int busy; /* handlers looking at this slot now */
	_Atomic uintptr_t start;
	_Atomic size_t len;
	int *_Atomic removed; /* set to 1 once the range faulted */
};

static struct bar bars[NVF_VFIO_BARS_MAX];
static _Atomic unsigned int bars_hi; /* slots [0, bars_hi) have been used */

/* The rest is changed under @lock only. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int nbars; /* ranges registered */
static bool displaced;	   /* the application replaced nvfio's handler while it was installed */

/*
 * The action before nvfio's, for the handler to chain to. It is rewritten only when nvfio's
 * handler is not installed, but a handler that started before may still be reading it: a
 * sequence count (odd while it is written) lets a reader retry instead of using a torn copy.
 */
static struct sigaction prev;
static _Atomic unsigned int prev_seq;

static void prev_write(const struct sigaction *sa)
{
	sigset_t bus, old;

	/* A SIGBUS sent to this thread meanwhile would spin on the odd count forever. */
	sigemptyset(&bus);
	sigaddset(&bus, SIGBUS);
	pthread_sigmask(SIG_BLOCK, &bus, &old);
	atomic_fetch_add_explicit(&prev_seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(&prev, sa, sizeof(prev));
	atomic_fetch_add_explicit(&prev_seq, 1, memory_order_release);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void prev_read(struct sigaction *sa)
{
	unsigned int s;

	for (;;) {
		s = atomic_load_explicit(&prev_seq, memory_order_acquire);
		if (s & 1)
			continue;
		memcpy(sa, &prev, sizeof(*sa));
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&prev_seq, memory_order_relaxed) == s)
			return;
	}
}

int nvf_vfio_fill_ones(void *addr, size_t len)
{
	void *ones;
	int ret;

	/* Filled first, then moved over the range: no moment reads anything else. */
	ones = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ones == MAP_FAILED)
		return -errno;
	memset(ones, 0xff, len);
	if (mremap(ones, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, addr) == MAP_FAILED) {
		ret = -errno;
		munmap(ones, len);
		return ret;
	}
	return 0;
}

/* Tell the device (nvfio_vfio_device_removed()): its mapping reads all-ones from now on. */
static void mark_removed(struct bar *b)
{
	int *removed = atomic_load_explicit(&b->removed, memory_order_relaxed);

	__atomic_store_n(removed, 1, __ATOMIC_RELEASE);
}

bool nvf_vfio_bar_fault(const siginfo_t *info)
{
	uintptr_t a;
	unsigned int n;

	/* Only a fault has an address; a SIGBUS sent by kill() or sigqueue() is not nvfio's. */
	if (!info || info->si_signo != SIGBUS || info->si_code <= 0)
		return false;
	a = (uintptr_t)info->si_addr;
	n = atomic_load_explicit(&bars_hi, memory_order_acquire);
	for (unsigned int i = 0; i < n; i++) {
		struct bar *b = &bars[i];
		bool hit = false;
		int ret = -1;

		/* Busy before looking, seq_cst against nvf_vfio_bar_unregister()'s store of FREE
		 * and load of busy: either it sees this handler, or this handler sees FREE. */
		atomic_fetch_add(&b->busy, 1);
		if (atomic_load(&b->state) == BAR_ACTIVE) {
			uintptr_t start = atomic_load_explicit(&b->start, memory_order_relaxed);
			size_t len = atomic_load_explicit(&b->len, memory_order_relaxed);

			if (a - start < len) {
				hit = true;
				ret = nvf_vfio_fill_ones((void *)start, len);
				if (ret == 0)
					mark_removed(b);
			}
		}
		atomic_fetch_sub_explicit(&b->busy, 1, memory_order_release);
		if (hit)
			return ret == 0;
	}
	return false;
}

/* Synchronous faults come back when the access runs again; the rest are events. */
static bool fault_repeats(const siginfo_t *info)
{
	return info->si_code == BUS_ADRALN || info->si_code == BUS_ADRERR ||
	       info->si_code == BUS_OBJERR || info->si_code == BUS_MCEERR_AR;
}

/* Die of @sig as the kernel would have killed the process without nvfio's handler. */
static void die_by_default(int sig, const siginfo_t *info)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	/* A repeating fault returns to the access, which faults again, now fatally, with its own
	 * address in the core; another SIGBUS is sent again, pending until this handler returns. */
	if (!fault_repeats(info))
		raise(sig);
}

/* Hand a SIGBUS that is not nvfio's to the action the application had before. */
static void chain(int sig, siginfo_t *info, void *uc)
{
	struct sigaction sa;
	sigset_t old;

	prev_read(&sa);
	if (!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL) {
		die_by_default(sig, info);
		return;
	}
	if (!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN) {
		/* The kernel ignores a sent SIGBUS, but kills on a fault it cannot deliver. */
		if (fault_repeats(info))
			die_by_default(sig, info);
		return;
	}
	/* As the kernel would have run it: with its own mask added. */
	pthread_sigmask(SIG_BLOCK, &sa.sa_mask, &old);
	if (sa.sa_flags & SA_SIGINFO)
		sa.sa_sigaction(sig, info, uc);
	else
		sa.sa_handler(sig);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void nvf_vfio_sigbus_handler(int sig, siginfo_t *info, void *uc)
{
	int saved = errno;

	if (!nvf_vfio_bar_fault(info))
		chain(sig, info, uc);
	errno = saved;
}

static bool is_ours(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == nvf_vfio_sigbus_handler;
}

static bool is_default(const struct sigaction *sa)
{
	return !(sa->sa_flags & SA_SIGINFO) &&
	       (sa->sa_handler == SIG_DFL || sa->sa_handler == SIG_IGN);
}

/*
 * The first range: install the handler, keeping what was there to chain to. Once the application
 * has replaced nvfio's handler (and so, as <nvfio/vfio.h> asks, chains to it or calls
 * nvfio_vfio_sigbus_handle()), its handler is left in charge: installing over it would make the
 * two call each other. SIG_DFL or SIG_IGN there is taken back.
 */
static int handler_get(void)
{
	struct sigaction cur, sa;

	/* Asked first, installed after: a handler running in between must find it written. The
	 * application changing SIGBUS meanwhile, in another thread, is its race. */
	if (sigaction(SIGBUS, NULL, &cur) < 0)
		return -errno;
	if (is_ours(&cur)) {
		displaced = false;
		return 0;
	}
	if (displaced && !is_default(&cur))
		return 0;
	prev_write(&cur);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = nvf_vfio_sigbus_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		return -errno;
	displaced = false;
	return 0;
}

/* The last range is gone: put back the action before, unless the application replaced ours. */
static void handler_put(void)
{
	struct sigaction cur, sa;

	if (sigaction(SIGBUS, NULL, &cur) < 0)
		return;
	if (!is_ours(&cur)) {
		displaced = true;
		return;
	}
	prev_read(&sa);
	sigaction(SIGBUS, &sa, NULL);
}

int nvf_vfio_bar_register(void *addr, size_t len, int *removed)
{
	unsigned int i;
	int ret;

	pthread_mutex_lock(&lock);
	for (i = 0; i < NVF_VFIO_BARS_MAX; i++)
		if (atomic_load_explicit(&bars[i].state, memory_order_relaxed) == BAR_FREE)
			break;
	if (i == NVF_VFIO_BARS_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	if (nbars == 0) {
		ret = handler_get();
		if (ret < 0)
			goto out;
	}
	atomic_store_explicit(&bars[i].start, (uintptr_t)addr, memory_order_relaxed);
	atomic_store_explicit(&bars[i].len, len, memory_order_relaxed);
	atomic_store_explicit(&bars[i].removed, removed, memory_order_relaxed);
	/* Published with its range: a handler that sees ACTIVE reads the range stored above. */
	atomic_store(&bars[i].state, BAR_ACTIVE);
	if (i >= atomic_load_explicit(&bars_hi, memory_order_relaxed))
		atomic_store_explicit(&bars_hi, i + 1, memory_order_release);
	nbars++;
	ret = 0;
out:
	pthread_mutex_unlock(&lock);
	return ret;
}

void nvf_vfio_bar_unregister(void *addr)
{
	unsigned int n;

	pthread_mutex_lock(&lock);
	n = atomic_load_explicit(&bars_hi, memory_order_relaxed);
	for (unsigned int i = 0; i < n; i++) {
		struct bar *b = &bars[i];

		if (atomic_load_explicit(&b->state, memory_order_relaxed) != BAR_ACTIVE ||
		    atomic_load_explicit(&b->start, memory_order_relaxed) != (uintptr_t)addr)
			continue;
		atomic_store(&b->state, BAR_FREE);
		/* A handler inside the slot is replacing the range: a moment, then it is done. */
		while (atomic_load(&b->busy))
			sched_yield();
		if (--nbars == 0)
			handler_put();
		break;
	}
	pthread_mutex_unlock(&lock);
}

bool nvfio_vfio_sigbus_handle(const void *siginfo)
{
	int saved = errno;
	bool ours = nvf_vfio_bar_fault(siginfo);

	errno = saved;
	return ours;
}
