// SPDX-License-Identifier: BSD-3-Clause
/*
 * A job's rare paths: setting up its region and offset generator, the periodic event (ramp end,
 * deadline, progress), errors, and verification.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crc32c.h"
#include "job.h"

#ifdef NVB_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

/*
 * Header at the start of every block a verify job writes; the rest is a pattern from the seed. A
 * block is a unit of the job's offsets (job->bs): an I/O's size with one size, the sizes' common
 * divisor with mixed sizes, whose I/Os carry a block each unit. What a block holds depends on the
 * run and its offset only, so I/Os of other sizes that overlap it write the same.
 */
struct nvb_vhdr {
	uint32_t magic;
	uint32_t crc;	 /* crc32c of the whole block with this field 0 */
	uint64_t offset; /* where it was written */
	uint64_t seed;	 /* which run wrote it */
	uint32_t len;
	uint32_t pad;
};
_Static_assert(sizeof(struct nvb_vhdr) == 32, "verify header layout");

#define NVB_VMAGIC	    0x7646764eu /* "NvFv" */
#define NVB_VERIFY_REPORTS  5
#define NVB_DRAIN_TIMEOUT_S 10
/* Longest stretch between two idle polls that is taken as idle spinning, not an interruption. */
#define NVB_IDLE_MAX_NS 2000

void nvb_job_fail(struct nvb_job *job, int err, const char *fmt, ...)
{
	va_list ap;

	job->to_issue = 0;
	if (job->error)
		return;
	job->error = err < 0 ? err : -EIO;
	va_start(ap, fmt);
	vsnprintf(job->errmsg, sizeof(job->errmsg), fmt, ap);
	va_end(ap);
}

static uint64_t splitmix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static void verify_fill_block(const struct nvb_job *job, void *buf, uint64_t offset, uint32_t len)
{
	struct nvb_vhdr h = {
	    .magic = NVB_VMAGIC,
	    .crc = 0,
	    .offset = offset,
	    .seed = job->data_seed,
	    .len = len,
	};
	uint64_t *w = buf;
	uint64_t x = splitmix(job->data_seed ^ offset);

	for (size_t i = sizeof(h) / 8; i < len / 8; i++) {
		x = splitmix(x);
		w[i] = x;
	}
	memcpy(buf, &h, sizeof(h));
	h.crc = nvb_crc32c(0, buf, len);
	memcpy(buf, &h, sizeof(h));
}

void nvb_verify_fill(struct nvb_job *job, struct nvb_io *io)
{
	for (uint32_t at = 0; at < io->len; at += job->bs)
		verify_fill_block(job, (char *)io->buf + at, io->offset + at, job->bs);
}

/* Check a block read back; a mismatch is counted, reported a few times, and fails the job. */
static void verify_check_block(struct nvb_job *job, void *buf, uint64_t offset, uint32_t len)
{
	struct nvb_vhdr h, z;
	char why[256];
	uint32_t crc;

	memcpy(&h, buf, sizeof(h));
	if (h.magic != NVB_VMAGIC) {
		snprintf(why, sizeof(why),
			 "no verify header (magic 0x%08x, expected 0x%08x): never written, or "
			 "overwritten",
			 h.magic, NVB_VMAGIC);
		goto bad;
	}
	if (h.offset != offset || h.len != len) {
		snprintf(why, sizeof(why),
			 "header says it was written at offset %llu with length %u: misplaced",
			 (unsigned long long)h.offset, h.len);
		goto bad;
	}
	if (h.seed != job->data_seed) {
		snprintf(why, sizeof(why), "written by another run (seed 0x%llx, expected 0x%llx)",
			 (unsigned long long)h.seed, (unsigned long long)job->data_seed);
		goto bad;
	}
	z = h;
	z.crc = 0;
	memcpy(buf, &z, sizeof(z));
	crc = nvb_crc32c(0, buf, len);
	memcpy(buf, &h, sizeof(h));
	if (crc != h.crc) {
		snprintf(why, sizeof(why), "crc32c 0x%08x, header says 0x%08x: data corrupted", crc,
			 h.crc);
		goto bad;
	}
	return;

bad:
	job->verify_errors++;
	if (job->verify_reports < NVB_VERIFY_REPORTS) {
		job->verify_reports++;
		fprintf(stderr, "nvfio-perf: %sverify: block at offset %llu (%u bytes): %s\n",
			job->o->label, (unsigned long long)offset, len, why);
	}
	if (!job->error) {
		job->error = -EILSEQ;
		snprintf(
		    job->errmsg, sizeof(job->errmsg),
		    "verify: a block read back did not match what was written (first at offset "
		    "%llu)",
		    (unsigned long long)offset);
	}
}

static void verify_check(struct nvb_job *job, struct nvb_io *io)
{
	for (uint32_t at = 0; at < io->len; at += job->bs)
		verify_check_block(job, (char *)io->buf + at, io->offset + at, job->bs);
}

void nvb_io_done_slow(struct nvb_job *job, struct nvb_io *io, int status)
{
	int64_t d = (int64_t)(job->now - io->start - 1);

	job->free[job->nfree++] = io;
	if (status) {
		/* A failed I/O is not counted (with mixed sizes, its bytes were when drawn). */
		if (job->sized)
			job->bytes[io->ddir] -= io->len;
		nvb_job_fail(job, status, "%s of %u bytes at offset %llu failed: %s",
			     io->ddir == NVB_READ ? "read" : "write", io->len,
			     (unsigned long long)io->offset, strerror(-status));
		return;
	}
	if (job->phase == NVB_PHASE_READ)
		verify_check(job, io);
	nvb_hist_add(io->hist, d < 0 ? 0 : (uint64_t)d);
}

uint64_t nvb_seq_last(const struct nvb_job *job, const struct nvb_bsdist *bd, uint64_t blk,
		      uint32_t *len, uint32_t *units, unsigned *idx)
{
	int i = nvb_bs_fit(bd, job->nblocks - blk, len, units);

	if (i < 0)
		return 0; /* the region holds the largest size: it fits there */
	*idx = (unsigned)i;
	return blk;
}

uint64_t nvb_job_bytes(const struct nvb_job *job, unsigned d)
{
	return job->sized ? job->bytes[d] : job->lat[d].n * job->bs;
}

void nvb_job_arm(struct nvb_job *job)
{
	job->to_issue = job->initial_to_issue;
	job->bytes_left = job->initial_bytes;
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000ull;
}

static uint64_t cpu_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Mixed sizes: add (@sign 1) or take off (-1) the bytes of the I/Os in flight to the job's. */
static void count_inflight(struct nvb_job *job, int sign)
{
	uint64_t b[NVB_DDIRS] = {0, 0};

	if (!job->sized || !job->ios)
		return;
	for (unsigned i = 0; i < job->depth; i++)
		b[job->ios[i].ddir] += job->ios[i].len;
	for (unsigned i = 0; i < job->nfree; i++)
		b[job->free[i]->ddir] -= job->free[i]->len;
	for (unsigned d = 0; d < NVB_DDIRS; d++)
		job->bytes[d] += sign > 0 ? b[d] : -b[d];
}

/* Start counting: statistics so far (the ramp) are dropped, the clock and CPU times start. */
void nvb_job_begin_counting(struct nvb_job *job, uint64_t now)
{
	nvb_hist_reset(&job->lat[NVB_READ]);
	nvb_hist_reset(&job->lat[NVB_WRITE]);
	/* The I/Os in flight complete within the count, as their latencies do. */
	memset(job->bytes, 0, sizeof(job->bytes));
	memset(job->bs_issued, 0, sizeof(job->bs_issued));
	count_inflight(job, 1);
	job->t_start = now;
	job->ramp_end = 0;
	job->deadline = job->runtime_ticks ? now + job->runtime_ticks : 0;
	if (job->to_issue)
		nvb_job_arm(job);
	job->idle_polls = 0;
	job->idle_ticks = 0;
	job->idle_timed = 0;
	job->idle_nfree = UINT_MAX;
	getrusage(RUSAGE_THREAD, &job->ru_start);
	job->thread_clock_start = cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	job->proc_clock_start = cpu_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	__atomic_store_n(&job->progress.ramping, 0, __ATOMIC_RELAXED);
}

void nvb_job_end_counting(struct nvb_job *job)
{
	struct rusage ru;

	/* The CPU-time window lies inside the wall-clock one (begin reads the CPU clocks after
	 * t_start, end before t_end), so a short run cannot show more CPU than time passed. */
	job->thread_cpu_ns = cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID) - job->thread_clock_start;
	job->proc_cpu_ns = cpu_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - job->proc_clock_start;
	job->t_end = nvb_ticks();
	getrusage(RUSAGE_THREAD, &ru);
	/* Left in flight (the target stopped completing): never completed. */
	count_inflight(job, -1);
	job->runtime_ns = nvb_ticks_to_ns_long(job->t_end - job->t_start);
	job->idle_ns = nvb_ticks_to_ns_long(job->idle_ticks);
	nvb_hist_finish(&job->lat[NVB_READ]);
	nvb_hist_finish(&job->lat[NVB_WRITE]);
	job->usr_ns = tv_ns(&ru.ru_utime) - tv_ns(&job->ru_start.ru_utime);
	job->sys_ns = tv_ns(&ru.ru_stime) - tv_ns(&job->ru_start.ru_stime);
	/* getrusage() splits the thread's time by sampled ticks, so over a short window its sum
	 * can miss or overshoot the real figure (even past the wall time). Keep its split, but take
	 * the total from the thread's CPU-time clock. */
	if (job->usr_ns + job->sys_ns) {
		uint64_t total = job->usr_ns + job->sys_ns;

		job->usr_ns =
		    (uint64_t)((double)job->thread_cpu_ns * (double)job->usr_ns / (double)total);
		job->sys_ns = job->thread_cpu_ns - job->usr_ns;
	} else {
		job->usr_ns = job->thread_cpu_ns;
	}
	job->ctx_switches = (uint64_t)(ru.ru_nvcsw - job->ru_start.ru_nvcsw) +
			    (uint64_t)(ru.ru_nivcsw - job->ru_start.ru_nivcsw);
	job->majf = (uint64_t)(ru.ru_majflt - job->ru_start.ru_majflt);
	job->minf = (uint64_t)(ru.ru_minflt - job->ru_start.ru_minflt);
}

void nvb_job_publish(struct nvb_job *job)
{
	/* Counting the buckets costs a few thousand instructions: only when asked (the status
	 * line, once a second) and at the end. */
	uint64_t n[NVB_DDIRS], b[NVB_DDIRS];

	for (unsigned d = 0; d < NVB_DDIRS; d++) {
		n[d] = nvb_hist_count(&job->lat[d]);
		b[d] = job->sized ? job->bytes[d] : n[d] * job->bs;
		__atomic_store_n(&job->progress.ios_rw[d], job->ios_before[d] + n[d],
				 __ATOMIC_RELAXED);
		__atomic_store_n(&job->progress.bytes_rw[d], job->bytes_before[d] + b[d],
				 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&job->progress.counted, n[NVB_READ] + n[NVB_WRITE], __ATOMIC_RELAXED);
	__atomic_store_n(&job->progress.counted_bytes, b[NVB_READ] + b[NVB_WRITE],
			 __ATOMIC_RELAXED);
	__atomic_store_n(&job->progress.want, 0, __ATOMIC_RELEASE);
}

void nvb_job_event(struct nvb_job *job)
{
	uint64_t now = nvb_ticks();

	job->next_event = now + job->event_ticks;
	if (job->ramp_end && now >= job->ramp_end) {
		for (unsigned d = 0; d < NVB_DDIRS; d++) {
			uint64_t n = nvb_hist_count(&job->lat[d]);

			job->ios_before[d] += n;
			job->bytes_before[d] += job->sized ? job->bytes[d] : n * job->bs;
		}
		nvb_job_begin_counting(job, now);
	} else if (job->deadline && now >= job->deadline) {
		job->to_issue = 0;
	}
	if (*job->stop)
		job->to_issue = 0;
	if (__atomic_load_n(&job->progress.want, __ATOMIC_ACQUIRE))
		nvb_job_publish(job);

	if (job->calibrating) {
		if (job->idle_polls >= job->idle_target)
			job->abandon = true;
		return;
	}
	if (!job->to_issue && job->nfree != job->depth) {
		if (!job->drain_deadline) {
			job->drain_deadline =
			    now + nvb_ns_to_ticks(NVB_DRAIN_TIMEOUT_S * 1000000000ull);
		} else if (now >= job->drain_deadline) {
			nvb_job_fail(
			    job, -ETIMEDOUT,
			    "%u I/Os still in flight %d s after the job stopped issuing; the "
			    "target stopped completing I/O",
			    job->depth - job->nfree, NVB_DRAIN_TIMEOUT_S);
			job->abandon = true;
		}
	}
}

void nvb_idle_calibrate(struct nvb_job *job)
{
	unsigned nfree = job->nfree;
	uint64_t before = job->idle_polls, timed = job->idle_timed, ticks = job->idle_ticks;
	uint64_t t0;

#ifdef NVB_HAVE_CALLGRIND
	CALLGRIND_DUMP_STATS_AT("nvfio-perf job loop");
#endif
	/* Nothing to issue and, as far as the loop can tell, every slot in flight: it polls the
	 * empty queue (and yields, with --idle_yield) until the event sees enough idle polls. */
	job->nfree = 0;
	job->to_issue = 0;
	job->abandon = false;
	job->calibrating = true;
	job->idle_target = before + job->o->idle_calibrate;
	t0 = cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	job->engine->run(job);
	job->calib_cpu_ns = cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	job->calib_polls = job->idle_polls - before;
	job->idle_polls = before;
	job->idle_timed = timed;
	job->idle_ticks = ticks;
	job->calibrating = false;
	job->abandon = false;
	job->nfree = nfree;
#ifdef NVB_HAVE_CALLGRIND
	CALLGRIND_DUMP_STATS_AT("nvfio-perf idle iterations");
#endif
}

static unsigned ilog2_ceil(uint64_t n)
{
	unsigned k = 0;

	while (k < 63 && (1ull << k) < n)
		k++;
	return k;
}

/* Reset the offset generator and directions for a phase (the same order every time). */
void nvb_job_start_phase(struct nvb_job *job, uint8_t rw, uint8_t phase)
{
	const struct nvb_opts *o = job->o;
	unsigned k = ilog2_ceil(job->nblocks);

	job->rw = rw;
	job->phase = phase;
	job->fixed_ddir = rw & NVB_RW_READS ? NVB_READ : NVB_WRITE;
	/* Unless mixed, the direction is the slots' for the whole phase. */
	for (unsigned i = 0; job->ios && i < job->depth; i++) {
		job->ios[i].ddir = job->fixed_ddir;
		job->ios[i].hist = &job->lat[job->fixed_ddir];
	}
	job->seq_next = 0;
	job->rng = splitmix(o->randseed + job->sub) | 1;
	job->map_mask = k ? (1ull << k) - 1 : 0;
	job->map_shift = k / 2 + 1;
	job->mode = nvb_job_mode(job);
	job->map_state = splitmix(o->randseed ^ (job->sub * 0x100000001b3ull)) & job->map_mask;
	/* rwmixread percent of 2^32. */
	job->mix_threshold = (uint32_t)(((uint64_t)o->rwmixread << 32) / 100 > UINT32_MAX
					    ? UINT32_MAX
					    : ((uint64_t)o->rwmixread << 32) / 100);
	if (o->rwmixread == 100)
		job->mix_threshold = UINT32_MAX;
}

int nvb_job_region(const struct nvb_opts *o, const struct nvb_target *t, uint64_t *offp,
		   uint64_t *sizep, char *err, size_t errlen)
{
	uint64_t off, size;
	struct nvb_bs bs;
	int r;

	nvb_bs_build(o, &bs);
	off = o->offset_pct ? (uint64_t)((unsigned __int128)t->size * o->offset / 1000000u)
			    : o->offset;
	off -= off % t->block_size;
	if (off >= t->size) {
		snprintf(err, errlen, "%s--offset=%llu is at or past the end of %s (%llu bytes)",
			 o->label, (unsigned long long)off, t->filename,
			 (unsigned long long)t->size);
		return -EINVAL;
	}
	if (o->size_pct)
		size = (uint64_t)((unsigned __int128)t->size * o->size / 1000000u);
	else if (o->size)
		size = o->size;
	else
		size = t->size - off;
	if (size > t->size - off) {
		snprintf(err, errlen,
			 "%s--size=%llu from --offset=%llu goes past the end of %s (%llu bytes)",
			 o->label, (unsigned long long)size, (unsigned long long)off, t->filename,
			 (unsigned long long)t->size);
		return -EINVAL;
	}
	r = nvb_bs_check(&bs, o->label, t->filename, t->block_size, err, errlen);
	if (r)
		return r;
	/* The library splits an I/O larger than a command carries; what it cannot take is more
	 * commands at once than a queue pair holds (nvb_job_cmds() of them per I/O). */
	if (t->max_depth && nvb_job_cmds(t, bs.max) > t->max_depth) {
		char what[64];

		snprintf(what, sizeof(what), bs.mixed ? "the largest size, %u bytes," : "--bs=%u",
			 bs.max);
		snprintf(err, errlen,
			 "%s%s takes %llu commands of at most %u bytes (%s's largest transfer), "
			 "more than its queue pairs hold (%u): give a smaller %s",
			 o->label, what, (unsigned long long)nvb_job_cmds(t, bs.max), t->max_io,
			 t->filename, t->max_depth, bs.mixed ? "one" : "--bs");
		return -EINVAL;
	}
	if (size < bs.max) {
		snprintf(err, errlen, "%sthe region (%llu bytes) is smaller than %s=%u", o->label,
			 (unsigned long long)size, bs.mixed ? "the largest size" : "--bs", bs.max);
		return -EINVAL;
	}
	if (t->max_depth && o->iodepth > t->max_depth) {
		snprintf(err, errlen,
			 "%s--iodepth=%llu: %s takes at most %u I/Os in flight per job", o->label,
			 (unsigned long long)o->iodepth, t->filename, t->max_depth);
		return -EINVAL;
	}
	if (o->verify && bs.unit < 512) {
		if (bs.mixed)
			snprintf(err, errlen,
				 "%s--verify checks blocks of %u bytes, the sizes' common divisor; "
				 "it needs 512 at least: give sizes that are multiples of 512",
				 o->label, bs.unit);
		else
			snprintf(err, errlen, "%s--verify needs --bs of at least 512", o->label);
		return -EINVAL;
	}
	if (t->max_jobs && o->numjobs > t->max_jobs) {
		snprintf(err, errlen, "%s--numjobs=%llu: %s serves at most %u jobs at once",
			 o->label, (unsigned long long)o->numjobs, t->filename, t->max_jobs);
		return -EINVAL;
	}
	*offp = off;
	*sizep = size;
	return 0;
}

int nvb_job_setup(struct nvb_job *job, const struct nvb_opts *o, struct nvb_target *t,
		  unsigned index, unsigned sub, _Atomic int *stop, uint64_t run_id, char *err,
		  size_t errlen)
{
	uint64_t off, size;
	struct nvb_bs bs;
	int r;

	memset(job, 0, sizeof(*job));
	job->o = o;
	job->t = t;
	job->engine = t->engine;
	job->index = index;
	job->sub = sub;
	job->stop = stop;
	job->cpu = -1;
	r = nvb_job_region(o, t, &off, &size, err, errlen);
	if (r)
		return r;

	nvb_bs_build(o, &bs);
	/* One size: bs is it (unit == max). */
	job->bs = bs.unit;
	job->max_bs = bs.max;
	job->sized = bs.mixed;
	memcpy(job->bsd, bs.dir, sizeof(job->bsd));
	job->region_off = off;
	job->nblocks = size / job->bs;
	job->depth = (unsigned)o->iodepth;
	job->batch = o->iodepth_batch_submit ? (unsigned)o->iodepth_batch_submit : job->depth;
	if (job->batch > job->depth)
		job->batch = job->depth;
	job->norandommap = o->norandommap;
	job->idle_yield = o->idle_yield;
	job->data_seed = splitmix(o->randseed ^ (run_id * 0x9E3779B97F4A7C15ull));
	/* A verify job's runtime bounds its writes only when it is time based: what it wrote
	 * is read back whole however long that takes (run.c, verify_job()). */
	job->runtime_ticks = o->verify && !o->time_based ? 0 : nvb_ns_to_ticks(o->runtime_ns);
	job->event_ticks = nvb_ns_to_ticks(1000000); /* 1 ms */
	/* An idle iteration takes tens of ns, a yield a microsecond or so (--idle_yield). */
	job->idle_max_ticks = nvb_ns_to_ticks(NVB_IDLE_MAX_NS);

	/* Mixed sizes: a pass is the region's bytes (fio's size), not a count of I/Os. */
	job->initial_bytes = job->sized && !o->time_based ? job->nblocks * job->bs : UINT64_MAX;
	if (job->sized)
		job->initial_to_issue =
		    o->number_ios && !(o->verify && !o->time_based) ? o->number_ios : UINT64_MAX;
	else if (o->verify && !o->time_based)
		job->initial_to_issue = job->nblocks;
	else if (o->time_based)
		job->initial_to_issue = o->number_ios ? o->number_ios : UINT64_MAX;
	else
		job->initial_to_issue =
		    o->number_ios && o->number_ios < job->nblocks ? o->number_ios : job->nblocks;
	nvb_hist_reset(&job->lat[NVB_READ]);
	nvb_hist_reset(&job->lat[NVB_WRITE]);
	nvb_job_start_phase(job, (uint8_t)o->rw, NVB_PHASE_RUN);
	return 0;
}
