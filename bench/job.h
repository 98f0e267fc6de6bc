/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_BENCH_JOB_H
#define NVFIO_BENCH_JOB_H

/*
 * A job thread's state and the per-I/O work of the tool itself: choosing the next offset and
 * direction, and accounting a completion. Everything here is inline, allocation-free,
 * lock-free and makes no system call; the rare paths (errors, verification, the periodic
 * event) are out of line.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "bsdist.h"
#include "clock.h"
#include "engine.h"
#include "hist.h"
#include "perf.h"

#define NVB_CACHELINE 64

enum nvb_verify_phase {
	NVB_PHASE_RUN = 0,   /* no verification */
	NVB_PHASE_WRITE = 1, /* writing blocks with headers and checksums */
	NVB_PHASE_READ = 2,  /* reading them back and checking */
};

/* What the main thread can read while the job runs (its own cache line). */
struct nvb_job_progress {
	uint64_t ios_rw[NVB_DDIRS];   /* completed, ramp included (for rates) */
	uint64_t bytes_rw[NVB_DDIRS]; /* their bytes */
	uint64_t counted;	      /* completed since counting began */
	uint64_t counted_bytes;	      /* their bytes */
	uint32_t want;		      /* set by the main thread: publish at the next event */
	uint32_t state;		      /* enum nvb_job_state */
	uint32_t ramping;
} __attribute__((aligned(NVB_CACHELINE)));

enum nvb_job_state {
	NVB_JOB_SETUP = 0,
	NVB_JOB_RUNNING,
	NVB_JOB_VERIFYING,
	NVB_JOB_DONE,
};

struct nvb_job {
	/* Hot: read or written on every I/O. */
	unsigned nfree;
	unsigned depth;
	unsigned batch;
	uint32_t bs;	     /* bytes per I/O; with mixed sizes the unit of offsets and sizes */
	uint64_t to_issue;   /* I/Os still to issue; UINT64_MAX: until told to stop */
	uint64_t region_off; /* bytes */
	uint64_t nblocks;    /* blocks of bs in the region */
	/* Mixed sizes only (NVB_MODE_SIZES): bytes still to issue (UINT64_MAX: no limit), and
	 * those issued since counting began, less those of I/Os that failed, plus those in flight
	 * when it began: when nothing is in flight, those completed (nvb_job_bytes()). */
	uint64_t bytes_left;
	uint64_t bytes[NVB_DDIRS];
	uint64_t seq_next;
	uint64_t map_state; /* random map: an LCG over [0, 2^k) permuted, skipping >= nblocks */
	uint64_t map_mask;
	unsigned map_shift;
	uint8_t rw;	    /* enum nvb_rw of the current phase */
	uint8_t fixed_ddir; /* when rw is not mixed */
	uint8_t phase;	    /* enum nvb_verify_phase */
	uint8_t mode;	    /* NVB_MODE_* of the phase */
	bool norandommap;
	bool idle_yield;
	uint32_t mix_threshold; /* a read when the top 32 random bits fall below it */
	uint64_t rng;
	uint64_t next_event; /* ticks */
	uint64_t now;	     /* ticks: the timestamp of the completions being reaped */
	void *ctx;	     /* the engine's per-job state */
	/* Room for an engine to keep its per-job state in the job itself (NVB_LOOP_CTX in
	 * job_loop.h): the loop then reaches both through one base register. */
	uint64_t engine_state[8];
	struct nvb_hist lat[NVB_DDIRS] __attribute__((aligned(NVB_CACHELINE)));

	/* Cold: set up by the runner, read by the rare paths and the report. */
	const struct nvb_opts *o __attribute__((aligned(NVB_CACHELINE)));
	struct nvb_target *t;
	const struct nvb_engine *engine;
	unsigned index; /* among every job thread of the run */
	unsigned sub;	/* among this section's numjobs */
	int cpu;	/* pinned CPU, -1 for none */
	struct nvb_io *ios;
	void *bufs; /* the engine's buffer area, for job_close */
	_Atomic int *stop;
	uint64_t initial_to_issue;
	uint64_t initial_bytes; /* the bytes to issue, for mixed sizes; UINT64_MAX: no limit */
	uint32_t max_bs;	/* the largest I/O: a slot's buffer */
	bool sized;		/* mixed sizes: the job loop draws each I/O's (NVB_MODE_SIZES) */
	uint64_t event_ticks;
	uint64_t ramp_end; /* ticks, 0: not ramping */
	uint64_t deadline; /* ticks, 0: none */
	uint64_t runtime_ticks;
	uint64_t t_start; /* ticks when counting began */
	uint64_t t_end;
	uint64_t data_seed; /* verification pattern */
	struct rusage ru_start;
	uint64_t thread_clock_start; /* CLOCK_THREAD_CPUTIME_ID, ns */
	uint64_t proc_clock_start;   /* CLOCK_PROCESS_CPUTIME_ID, ns */
	uint64_t idle_polls;	     /* polls that found nothing, since counting began */
	uint64_t idle_target;	     /* while calibrating: stop at this many idle polls */
	uint64_t calib_polls;	     /* idle polls run by the calibration */
	uint64_t calib_cpu_ns;	     /* the job thread's CPU time over them */
	/* Idle iterations timed in place: where the last idle poll left the loop, and the sum. */
	uint64_t idle_now; /* ticks of the last idle poll */
	uint64_t idle_to_issue;
	unsigned idle_nfree; /* UINT_MAX: no idle poll since counting began */
	uint64_t idle_max_ticks;
	uint64_t idle_ticks; /* idle iterations that ran back to back, in ticks */
	uint64_t idle_timed; /* how many */
	bool calibrating;
	int error;    /* first error, negative errno */
	bool abandon; /* in-flight I/O did not complete in time: stop waiting */
	uint64_t drain_deadline;
	char errmsg[NVB_ERR_MAX];
	uint64_t verify_errors;
	unsigned verify_reports;
	int tid;
	uint64_t ios_before[NVB_DDIRS]; /* completed before counting began */
	uint64_t bytes_before[NVB_DDIRS];
	/* Mixed sizes: each direction's, and the I/Os issued of each size (index of
	 * nvb_bs_pick()) since counting began. */
	struct nvb_bsdist bsd[NVB_DDIRS];
	uint64_t bs_issued[NVB_DDIRS][NVB_BSSPLIT_MAX + 1];

	/* Results, filled when the job ends. */
	uint64_t runtime_ns;
	uint64_t usr_ns, sys_ns;
	/* From the CPU-time clocks, which are exact where getrusage() may lag by a tick. */
	uint64_t thread_cpu_ns; /* the job thread over the counting window */
	uint64_t proc_cpu_ns;	/* every thread of the process over the counting window */
	uint64_t idle_ns;	/* idle_ticks in ns */
	uint64_t ctx_switches, majf, minf;

	struct nvb_job_progress progress;

	/* The stack of idle slots (iodepth of them), in the job itself: one load less per I/O. */
	struct nvb_io *free[];
};

/* The out-of-line parts: a failed I/O or one to verify, the periodic event. */
void nvb_io_done_slow(struct nvb_job *job, struct nvb_io *io, int status);
void nvb_verify_fill(struct nvb_job *job, struct nvb_io *io);
void nvb_job_event(struct nvb_job *job);

/*
 * The last I/O of a sequential pass with mixed sizes, at block @blk, whose drawn size (*@len
 * bytes, *@units, index *@idx) runs past the region's end: the largest size of @bd that fits
 * instead, or, where none does, the drawn one at the start of the next pass. Returns the block.
 */
uint64_t nvb_seq_last(const struct nvb_job *job, const struct nvb_bsdist *bd, uint64_t blk,
		      uint32_t *len, uint32_t *units, unsigned *idx);

/* The bytes of I/O completed in direction @d since counting began. */
uint64_t nvb_job_bytes(const struct nvb_job *job, unsigned d);

/* The commands one I/O of @bs bytes takes on target @t (more than one past t->max_io). */
static inline uint64_t nvb_job_cmds(const struct nvb_target *t, uint64_t bs)
{
	return t->max_io ? (bs + t->max_io - 1) / t->max_io : 1;
}

/*
 * nvb_job_region() - check section @o against its target @t (the region, --bs, --iodepth,
 * --numjobs) and give the region's start and length in bytes. 0 or -EINVAL with a sentence in
 * @err. nvb_targets_open() runs it for every section, so that a job that cannot run is refused
 * before any starts.
 */
int nvb_job_region(const struct nvb_opts *o, const struct nvb_target *t, uint64_t *off,
		   uint64_t *size, char *err, size_t errlen);

/*
 * nvb_job_setup() - prepare @job (thread @sub of section @o on target @t) in the main thread:
 * region, limits, offset generator. 0 or -EINVAL with a sentence in @err.
 */
int nvb_job_setup(struct nvb_job *job, const struct nvb_opts *o, struct nvb_target *t,
		  unsigned index, unsigned sub, _Atomic int *stop, uint64_t run_id, char *err,
		  size_t errlen);

/* Restart the offset generator (same order each time) for a phase doing @rw. */
void nvb_job_start_phase(struct nvb_job *job, uint8_t rw, uint8_t phase);

/* Set the I/Os (and, with mixed sizes, bytes) to issue to the job's whole amount. */
void nvb_job_arm(struct nvb_job *job);

/* Start counting at @now (ticks), dropping what came before; end it and take the CPU times. */
void nvb_job_begin_counting(struct nvb_job *job, uint64_t now);
void nvb_job_end_counting(struct nvb_job *job);

/*
 * --idle_calibrate=N, after the job: under callgrind, dump the counts of the job loop, run the
 * loop idle for about N polls with every slot taken as in flight (so each iteration goes the
 * way an idle poll during the job goes), and dump their counts (bench/instructions-per-io).
 * The thread's CPU time over those polls is kept too, so that idle spinning can be taken off
 * the CPU time per I/O without callgrind (bench/compare-host). Polled engines only: a waiting
 * engine would wait for ever on an empty queue.
 */
void nvb_idle_calibrate(struct nvb_job *job);

/* Make the job's counts visible to the main thread. */
void nvb_job_publish(struct nvb_job *job);

/* Stop the job with @err (negative errno) and a message; the loop drains what is in flight. */
void nvb_job_fail(struct nvb_job *job, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline uint64_t nvb_rand(uint64_t *s)
{
	/* xorshift64*: a few instructions, good enough to scatter offsets and pick directions. */
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/*
 * Access modes, for compiling the job loop once per mode so that the per-I/O path tests nothing
 * that is fixed for the phase.
 */
enum {
	NVB_MODE_RANDOM = 1u << 0, /* random offsets */
	NVB_MODE_NOMAP = 1u << 1,  /* ... that may repeat (--norandommap) */
	NVB_MODE_MIXED = 1u << 2,  /* reads and writes mixed (rw, randrw) */
	NVB_MODE_WRITE = 1u << 3,  /* not mixed: all writes (else all reads) */
	NVB_MODE_FILL = 1u << 4,   /* writes carry verify headers */
	NVB_MODE_SIZES = 1u << 5,  /* each I/O's size drawn (bsrange, bssplit) */
};

/*
 * The offset generator's moving state, copied into the job loop's locals for a batch: the
 * engine's stores (the submission entry, its tracker) could alias the job as far as the compiler
 * can tell, which would make it load and store it for every I/O; a local it keeps in a register.
 * What is fixed for the phase is read from the job, where an instruction can take it as its
 * memory operand (more locals would only crowd the engine's registers).
 */
struct nvb_gen {
	uint64_t map_state;
	uint64_t rng;
	uint64_t seq_next;
	uint64_t bytes_left; /* NVB_MODE_SIZES */
};

static inline __attribute__((always_inline)) void nvb_gen_load(struct nvb_gen *g,
							       const struct nvb_job *job)
{
	g->map_state = job->map_state;
	g->rng = job->rng;
	g->seq_next = job->seq_next;
	g->bytes_left = job->bytes_left;
}

/* Write back what the batch moved on: the rest is fixed for the phase. */
static inline __attribute__((always_inline)) void
nvb_gen_save(const struct nvb_gen *g, struct nvb_job *job, const unsigned mode)
{
	if ((mode & NVB_MODE_RANDOM) && !(mode & NVB_MODE_NOMAP))
		job->map_state = g->map_state;
	if (mode & (NVB_MODE_NOMAP | NVB_MODE_MIXED | NVB_MODE_SIZES))
		job->rng = g->rng;
	if (!(mode & NVB_MODE_RANDOM))
		job->seq_next = g->seq_next;
	if (mode & NVB_MODE_SIZES)
		job->bytes_left = g->bytes_left;
}

/*
 * The random map: each block of the region exactly once per pass, in scattered order, with no
 * memory per block. An LCG over [0, 2^k) has full period (odd increment, multiplier 1 mod 4:
 * Hull-Dobell); its low bits cycle with short periods, so the high half is folded into them
 * (x ^ x >> s is a bijection of [0, 2^k), so each value still comes once per period). Values
 * past the region are skipped: fewer than one in two, as 2^k < 2 * nblocks.
 */
static inline __attribute__((always_inline)) uint64_t nvb_map_next(struct nvb_gen *g,
								   const struct nvb_job *job)
{
	uint64_t s = g->map_state, x;

	do {
		/* Constants that fit an instruction's 32-bit immediate. */
		s = (s * 0x5851F42Du + 0x3C6EF35Fu) & job->map_mask;
		x = s ^ (s >> job->map_shift);
	} while (x >= job->nblocks);
	g->map_state = s;
	return x;
}

/* The mode of the job's current phase. */
static inline unsigned nvb_job_mode(const struct nvb_job *job)
{
	unsigned m = 0;

	if (job->rw & NVB_RW_RANDOM)
		m |= job->norandommap ? NVB_MODE_RANDOM | NVB_MODE_NOMAP : NVB_MODE_RANDOM;
	if ((job->rw & (NVB_RW_READS | NVB_RW_WRITES)) == (NVB_RW_READS | NVB_RW_WRITES))
		m |= NVB_MODE_MIXED;
	else if (job->rw & NVB_RW_WRITES)
		m |= NVB_MODE_WRITE;
	if (job->phase == NVB_PHASE_WRITE)
		m |= NVB_MODE_FILL;
	if (job->sized)
		m |= NVB_MODE_SIZES;
	return m;
}

/* The direction of @io under @mode (a compile-time constant where it can be). */
static inline __attribute__((always_inline)) bool nvb_io_is_read(const struct nvb_io *io,
								 const unsigned mode)
{
	if (mode & NVB_MODE_MIXED)
		return io->ddir == NVB_READ;
	return !(mode & NVB_MODE_WRITE);
}

/*
 * Mixed sizes: draw the size of @io (direction @d), starting at block @blk, into io->len, and
 * return the block it starts at: one that runs past the region's end is moved back to end there
 * when offsets are random, and shortened when sequential (nvb_seq_last()).
 */
static inline __attribute__((always_inline)) uint64_t nvb_next_size(struct nvb_job *job,
								    struct nvb_gen *g,
								    struct nvb_io *io, uint64_t blk,
								    unsigned d, const unsigned mode)
{
	const struct nvb_bsdist *bd = &job->bsd[d];
	uint32_t len, units;
	unsigned i = nvb_bs_pick(bd, nvb_rand(&g->rng), &len, &units);

	if (__builtin_expect(blk + units > job->nblocks, 0)) {
		if (mode & NVB_MODE_RANDOM)
			blk = job->nblocks - units;
		else
			blk = nvb_seq_last(job, bd, blk, &len, &units, &i);
	}
	if (!(mode & NVB_MODE_RANDOM))
		g->seq_next = blk + units == job->nblocks ? 0 : blk + units;
	io->len = len;
	job->bs_issued[d][i]++;
	job->bytes[d] += len;
	g->bytes_left = len < g->bytes_left ? g->bytes_left - len : 0;
	return blk;
}

/*
 * Fill in @io's offset and direction (and with mixed sizes its length) for the next I/O from @g
 * (nvb_gen_load()), and return the offset in blocks of bs from the region's start; @mode is a
 * compile-time constant.
 */
static inline __attribute__((always_inline)) uint64_t
nvb_next_io(struct nvb_job *job, struct nvb_gen *g, struct nvb_io *io, const unsigned mode)
{
	uint64_t blk;

	if (mode & NVB_MODE_NOMAP) {
		blk = (uint64_t)(((unsigned __int128)nvb_rand(&g->rng) * job->nblocks) >> 64);
	} else if (mode & NVB_MODE_RANDOM) {
		blk = nvb_map_next(g, job);
	} else {
		blk = g->seq_next;
		if (!(mode & NVB_MODE_SIZES))
			g->seq_next = blk + 1 == job->nblocks ? 0 : blk + 1;
	}
	if (!(mode & NVB_MODE_SIZES))
		io->offset = job->region_off + blk * job->bs;
	if (mode & NVB_MODE_MIXED) {
		uint8_t d =
		    (uint32_t)(nvb_rand(&g->rng) >> 32) < job->mix_threshold ? NVB_READ : NVB_WRITE;
		io->ddir = d;
		io->hist = &job->lat[d];
	}
	if (mode & NVB_MODE_SIZES) {
		blk = nvb_next_size(job, g, io, blk,
				    mode & NVB_MODE_MIXED ? io->ddir : job->fixed_ddir, mode);
		io->offset = job->region_off + blk * job->bs;
	}
	if (mode & NVB_MODE_FILL)
		nvb_verify_fill(job, io);
	return blk;
}

/*
 * Timestamp the completions an engine is about to deliver: once per reap, not per I/O. A polled
 * engine calls it before it polls (what the poll finds was complete by then); a waiting engine
 * after its wait returns.
 */
static inline void nvb_stamp(struct nvb_job *job)
{
	job->now = nvb_ticks();
}

/* Whether a completion needs nvb_io_done_slow(): a failed I/O, or a block to check. */
static inline bool nvb_io_needs_slow(const struct nvb_job *job, int status)
{
	return __builtin_expect(status != 0 || job->phase == NVB_PHASE_READ, 0);
}

/*
 * Account one successful completion that needs no check (after nvb_stamp()) in @h, and return
 * the slot. It makes no call, so an engine's completion callback built on it needs no stack
 * frame; everything else goes to nvb_io_done_slow(). io->start is a tick early (the job
 * loop stamps it so), so now - start is the latency plus the one the histogram wants.
 */
static inline __attribute__((always_inline)) void
nvb_io_done_in(struct nvb_job *job, struct nvb_io *io, struct nvb_hist *h)
{
	/* No clamp: the clock never runs backwards, across CPUs included (nvb_clock_init() takes
	 * the TSC only where the kernel keeps it as its own clock). */
	nvb_hist_add1(h, job->now - io->start);
	job->free[job->nfree++] = io;
}

/* The same where the direction is fixed for the phase: the histogram is at a known place. */
static inline __attribute__((always_inline)) void nvb_io_done_dir(struct nvb_job *job,
								  struct nvb_io *io, unsigned ddir)
{
	nvb_io_done_in(job, io, &job->lat[ddir]);
}

static inline void nvb_io_done(struct nvb_job *job, struct nvb_io *io)
{
	nvb_io_done_in(job, io, io->hist);
}

#endif /* NVFIO_BENCH_JOB_H */
