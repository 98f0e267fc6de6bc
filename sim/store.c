/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Namespace storage: RAM (one anonymous mapping), sparse (chunks allocated on first write, so a
 * 1 TiB namespace costs what is written), or a file (mapped shared, so data survives the
 * controller and a reopen with the same file finds it; image.c locks it and keeps its header).
 *
 * Deallocated blocks read as zeroes in every kind: RAM and file give the pages back to the
 * kernel (MADV_DONTNEED, FALLOC_FL_PUNCH_HOLE), sparse frees whole chunks.
 *
 * Null storage keeps nothing (like Linux's null_blk): every block reads as zeroes, writes are
 * discarded. It is for benchmarks of a driver, where the model should cost as little as it can.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/priv.h"
#include "support/error.h"

#define PAGE 4096ull

typedef _Atomic(uint8_t *) chunk_ptr;

uint64_t nvf_sim_store_size(uint64_t bytes)
{
	/* User data, then metadata for the largest ratio the LBA formats offer (16 bytes per
	 * 512), rounded to pages so that every namespace of a file starts page-aligned. */
	return nvf_sim_align_up(bytes + bytes / 32, PAGE);
}

int nvf_sim_store_open(struct nvfio_sim *sim, struct nvf_sim_ns *ns, uint64_t bytes,
		       uint64_t file_off)
{
	struct nvf_sim_store *st = &ns->store;
	uint64_t size = nvf_sim_store_size(bytes);

	memset(st, 0, sizeof(*st));
	st->kind = sim->opts.storage;
	st->size = size;
	st->fd = -1;
	st->sim = sim;
	st->data_len = bytes;
	ns->meta_off = bytes;

	switch (st->kind) {
	case NVF_SIM_STORE_RAM:
		st->flat = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (st->flat == MAP_FAILED) {
			st->flat = NULL;
			return nvf_err(
			    -ENOMEM,
			    "sim: cannot reserve %llu bytes of RAM for namespace %u: use "
			    "a smaller size= or storage=sparse",
			    (unsigned long long)size, ns->nsid);
		}
		st->map_len = size;
		break;
	case NVF_SIM_STORE_SPARSE: {
		uint64_t nchunks = (size + NVF_SIM_CHUNK - 1) >> NVF_SIM_CHUNK_SHIFT;

		st->nl1 = (nchunks + (1u << NVF_SIM_L2_SHIFT) - 1) >> NVF_SIM_L2_SHIFT;
		st->l1 = calloc(st->nl1, sizeof(*st->l1));
		if (!st->l1)
			return nvf_err(-ENOMEM,
				       "sim: out of memory for the chunk table of "
				       "namespace %u",
				       ns->nsid);
		break;
	}
	case NVF_SIM_STORE_NULL:
		break;
	case NVF_SIM_STORE_FILE:
		st->fd = sim->file_fd;
		st->file_off = file_off;
		st->flat = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, st->fd,
				(off_t)st->file_off);
		if (st->flat == MAP_FAILED) {
			int err = -errno;

			st->flat = NULL;
			return nvf_err(err, "sim: cannot map %s for namespace %u: %s",
				       sim->opts.file, ns->nsid, strerror(-err));
		}
		st->map_len = size;
		break;
	}
	return 0;
}

static void free_chunks(struct nvf_sim_store *st, bool tables)
{
	for (uint64_t i = 0; i < st->nl1; i++) {
		chunk_ptr *l2 = atomic_load_explicit(&st->l1[i], memory_order_relaxed);

		if (!l2)
			continue;
		for (unsigned int j = 0; j < 1u << NVF_SIM_L2_SHIFT; j++) {
			free(atomic_load_explicit(&l2[j], memory_order_relaxed));
			atomic_store_explicit(&l2[j], NULL, memory_order_relaxed);
		}
		if (tables) {
			free(l2);
			atomic_store_explicit(&st->l1[i], NULL, memory_order_relaxed);
		}
	}
	atomic_store_explicit(&st->data_chunks, 0, memory_order_relaxed);
}

void nvf_sim_store_close(struct nvf_sim_store *st)
{
	if (st->kind == NVF_SIM_STORE_SPARSE && st->l1) {
		free_chunks(st, true);
		free(st->l1);
		st->l1 = NULL;
	}
	if (st->flat) {
		if (st->kind == NVF_SIM_STORE_FILE)
			msync(st->flat, st->map_len, MS_SYNC);
		munmap(st->flat, st->map_len);
		st->flat = NULL;
	}
}

/* The chunk holding @off, or NULL if never written (reads as zeroes). */
static inline uint8_t *chunk_get(struct nvf_sim_store *st, uint64_t off)
{
	uint64_t c = off >> NVF_SIM_CHUNK_SHIFT;
	chunk_ptr *l2 = atomic_load_explicit(&st->l1[c >> NVF_SIM_L2_SHIFT], memory_order_acquire);

	if (!l2)
		return NULL;
	return atomic_load_explicit(&l2[c & ((1u << NVF_SIM_L2_SHIFT) - 1)], memory_order_acquire);
}

/* The chunk holding @off, allocated (zeroed) if needed. Threads race with compare-exchange. */
static uint8_t *chunk_alloc(struct nvf_sim_store *st, uint64_t off)
{
	uint64_t c = off >> NVF_SIM_CHUNK_SHIFT;
	_Atomic(chunk_ptr *) *slot1 = &st->l1[c >> NVF_SIM_L2_SHIFT];
	chunk_ptr *l2 = atomic_load_explicit(slot1, memory_order_acquire);
	chunk_ptr *slot2;
	uint8_t *chunk, *expect = NULL;

	if (!l2) {
		chunk_ptr *fresh = calloc(1u << NVF_SIM_L2_SHIFT, sizeof(*fresh));
		chunk_ptr *none = NULL;

		if (!fresh)
			return NULL;
		if (atomic_compare_exchange_strong_explicit(
			slot1, &none, fresh, memory_order_acq_rel, memory_order_acquire)) {
			l2 = fresh;
		} else {
			free(fresh);
			l2 = none;
		}
	}
	slot2 = &l2[c & ((1u << NVF_SIM_L2_SHIFT) - 1)];
	chunk = atomic_load_explicit(slot2, memory_order_acquire);
	if (chunk)
		return chunk;
	chunk = aligned_alloc(PAGE, NVF_SIM_CHUNK);
	if (!chunk)
		return NULL;
	memset(chunk, 0, NVF_SIM_CHUNK);
	if (!atomic_compare_exchange_strong_explicit(slot2, &expect, chunk, memory_order_acq_rel,
						     memory_order_acquire)) {
		free(chunk);
		chunk = expect;
	} else if (off < st->data_len) {
		atomic_fetch_add_explicit(&st->data_chunks, 1, memory_order_relaxed);
	}
	return chunk;
}

void nvf_sim_store_read(struct nvf_sim_store *st, uint64_t off, void *dst, size_t len)
{
	uint8_t *d = dst;

	if (st->flat) {
		memcpy(d, st->flat + off, len);
		return;
	}
	if (nvf_sim_unlikely(!st->l1)) {
		memset(d, 0, len);
		return;
	}
	while (len) {
		size_t in = NVF_SIM_CHUNK - (off & (NVF_SIM_CHUNK - 1));
		uint8_t *c = chunk_get(st, off);

		if (in > len)
			in = len;
		if (c)
			memcpy(d, c + (off & (NVF_SIM_CHUNK - 1)), in);
		else
			memset(d, 0, in);
		d += in;
		off += in;
		len -= in;
	}
}

int nvf_sim_store_write(struct nvf_sim_store *st, uint64_t off, const void *src, size_t len)
{
	const uint8_t *s = src;

	if (st->flat) {
		memcpy(st->flat + off, s, len);
		return 0;
	}
	if (nvf_sim_unlikely(!st->l1))
		return 0;
	while (len) {
		size_t in = NVF_SIM_CHUNK - (off & (NVF_SIM_CHUNK - 1));
		uint8_t *c = chunk_get(st, off);

		if (!c && !(c = chunk_alloc(st, off)))
			return -ENOMEM;
		if (in > len)
			in = len;
		memcpy(c + (off & (NVF_SIM_CHUNK - 1)), s, in);
		s += in;
		off += in;
		len -= in;
	}
	return 0;
}

/* 1 unless @len bytes at @b are all zero. */
static int cmp_zero(const uint8_t *b, size_t len)
{
	static const uint8_t zero[4096];

	for (size_t done = 0; done < len; done += sizeof(zero)) {
		size_t n = len - done < sizeof(zero) ? len - done : sizeof(zero);

		if (memcmp(zero, b + done, n))
			return 1;
	}
	return 0;
}

int nvf_sim_store_cmp(struct nvf_sim_store *st, uint64_t off, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	if (st->flat)
		return memcmp(st->flat + off, b, len) != 0;
	if (!st->l1)
		return cmp_zero(b, len);
	while (len) {
		size_t in = NVF_SIM_CHUNK - (off & (NVF_SIM_CHUNK - 1));
		uint8_t *c = chunk_get(st, off);

		if (in > len)
			in = len;
		if (c ? memcmp(c + (off & (NVF_SIM_CHUNK - 1)), b, in) != 0 : cmp_zero(b, in))
			return 1;
		b += in;
		off += in;
		len -= in;
	}
	return 0;
}

/* Free a whole chunk that a Deallocate covered. Another model thread may be copying from it
 * (a read racing the deallocate of the same blocks): then it is retired and freed by thread 0
 * once every thread is parked. */
static void chunk_drop(struct nvf_sim_store *st, uint64_t off)
{
	struct nvfio_sim *sim = st->sim;
	uint64_t c = off >> NVF_SIM_CHUNK_SHIFT;
	chunk_ptr *l2 = atomic_load_explicit(&st->l1[c >> NVF_SIM_L2_SHIFT], memory_order_acquire);
	uint8_t *chunk;

	if (!l2)
		return;
	chunk = atomic_exchange_explicit(&l2[c & ((1u << NVF_SIM_L2_SHIFT) - 1)], NULL,
					 memory_order_acq_rel);
	if (!chunk)
		return;
	if (off < st->data_len)
		atomic_fetch_sub_explicit(&st->data_chunks, 1, memory_order_relaxed);
	if (sim->nthr == 1) {
		free(chunk);
		return;
	}
	pthread_mutex_lock(&sim->retire_lock);
	memcpy(chunk, &sim->retired, sizeof(void *));
	sim->retired = chunk;
	atomic_fetch_add_explicit(&sim->nretired, 1, memory_order_release);
	pthread_mutex_unlock(&sim->retire_lock);
}

void nvf_sim_store_reclaim(struct nvfio_sim *sim)
{
	void *p;

	pthread_mutex_lock(&sim->retire_lock);
	p = sim->retired;
	sim->retired = NULL;
	atomic_store_explicit(&sim->nretired, 0, memory_order_relaxed);
	pthread_mutex_unlock(&sim->retire_lock);
	while (p) {
		void *next;

		memcpy(&next, p, sizeof(void *));
		free(p);
		p = next;
	}
}

int nvf_sim_store_zero(struct nvf_sim_store *st, uint64_t off, size_t len, bool dealloc)
{
	uint64_t end = off + len;

	if (st->kind == NVF_SIM_STORE_NULL)
		return 0;
	if (st->kind == NVF_SIM_STORE_SPARSE) {
		while (off < end) {
			uint64_t cend = nvf_sim_align_down(off, NVF_SIM_CHUNK) + NVF_SIM_CHUNK;
			uint64_t in = (cend < end ? cend : end) - off;

			if (!(off & (NVF_SIM_CHUNK - 1)) && in == NVF_SIM_CHUNK && dealloc) {
				chunk_drop(st, off);
			} else {
				uint8_t *c = chunk_get(st, off);

				if (c)
					memset(c + (off & (NVF_SIM_CHUNK - 1)), 0, in);
			}
			off += in;
		}
		return 0;
	}

	/* RAM and file: give whole pages back, clear the edges. */
	{
		uint64_t a = nvf_sim_align_up(off, PAGE), b = nvf_sim_align_down(end, PAGE);

		if (a >= b) {
			memset(st->flat + off, 0, len);
			return 0;
		}
		memset(st->flat + off, 0, a - off);
		memset(st->flat + b, 0, end - b);
		if (st->kind == NVF_SIM_STORE_RAM) {
			if (madvise(st->flat + a, b - a, MADV_DONTNEED))
				memset(st->flat + a, 0, b - a);
		} else if (fallocate(st->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				     (off_t)(st->file_off + a), (off_t)(b - a))) {
			memset(st->flat + a, 0, b - a);
		}
	}
	return 0;
}

int nvf_sim_store_flush(struct nvf_sim_store *st)
{
	if (st->kind == NVF_SIM_STORE_FILE && msync(st->flat, st->map_len, MS_SYNC))
		return -errno;
	return 0;
}

/* Format NVM: everything reads as zeroes. Called with the other threads parked. */
int nvf_sim_store_erase(struct nvf_sim_store *st)
{
	if (st->kind == NVF_SIM_STORE_SPARSE) {
		free_chunks(st, true);
		return 0;
	}
	return nvf_sim_store_zero(st, 0, st->size, true);
}

/*
 * Sanitize by overwrite: every byte, data and metadata, holds @pattern (little-endian, as the
 * command's OVRPAT dword). Called with the other threads parked. Sparse storage then holds every
 * chunk; null storage keeps nothing and still reads zeroes.
 */
int nvf_sim_store_fill(struct nvf_sim_store *st, uint32_t pattern)
{
	uint8_t unit[PAGE];

	if (st->kind == NVF_SIM_STORE_NULL)
		return 0;
	for (size_t i = 0; i < sizeof(unit); i += 4) {
		unit[i] = (uint8_t)pattern;
		unit[i + 1] = (uint8_t)(pattern >> 8);
		unit[i + 2] = (uint8_t)(pattern >> 16);
		unit[i + 3] = (uint8_t)(pattern >> 24);
	}
	for (uint64_t off = 0; off < st->size; off += PAGE) {
		int ret = nvf_sim_store_write(st, off, unit, PAGE);

		if (ret)
			return ret;
	}
	return 0;
}
