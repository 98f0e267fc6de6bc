// SPDX-License-Identifier: BSD-3-Clause
/*
 * Running the job threads: set up, start together, pin, verify phases, the live status line.
 */

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "options.h"
#include "run.h"

_Atomic int nvb_stop;

struct run_state {
	struct nvb_run *run;
	pthread_barrier_t start;
	pthread_barrier_t verify;
	int setup_failed;
	unsigned done;
};

struct thread_arg {
	struct run_state *rs;
	struct nvb_job *job;
};

static int pin(struct nvb_job *job, char *err, size_t errlen)
{
	const struct nvb_opts *o = job->o;
	cpu_set_t set;
	int n, r;

	if (!o->cpus_allowed_set)
		return 0;
	if (o->cpus_allowed_policy == NVB_CPUS_SPLIT) {
		unsigned want, seen = 0;
		n = CPU_COUNT(&o->cpus_allowed);
		want = job->sub % (unsigned)n;
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (!CPU_ISSET(c, &o->cpus_allowed))
				continue;
			if (seen++ == want) {
				job->cpu = c;
				break;
			}
		}
		CPU_ZERO(&set);
		CPU_SET(job->cpu, &set);
	} else {
		set = o->cpus_allowed;
	}
	r = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (r) {
		snprintf(err, errlen,
			 "--cpus_allowed: cannot run on those CPUs (%s); see which exist and are "
			 "allowed with `taskset -cp $$`",
			 strerror(r));
		return -r;
	}
	return 0;
}

static void run_phase(struct nvb_job *job)
{
	int r = job->engine->run(job);

	if (r && !job->error)
		nvb_job_fail(job, r, "the job loop failed: %s", strerror(-r));
	nvb_job_publish(job);
}

/*
 * A verify job: write, let --exec_preverify run, read back what was written and check it. With
 * --time_based the writes go on, pass after pass over the region, until the runtime ends; since
 * a block's content depends only on the run and its offset, a block written twice holds what it
 * held the first time, and the written set is the first min(writes, blocks) offsets of the
 * generator's order, which the read phase, restarted in that order, reads back whole. With mixed
 * sizes the reads draw the writes' sizes in the same order too.
 */
static void verify_job(struct run_state *rs, struct nvb_job *job)
{
	const struct nvb_opts *o = job->o;
	uint64_t written;

	__atomic_store_n(&job->progress.state, NVB_JOB_VERIFYING, __ATOMIC_RELAXED);
	nvb_job_start_phase(job, (uint8_t)((o->rw & NVB_RW_RANDOM) | NVB_RW_WRITES),
			    NVB_PHASE_WRITE);
	nvb_job_arm(job);
	nvb_job_begin_counting(job, nvb_ticks());
	run_phase(job);
	/* A failed write fails the job, so those completed are those issued. */
	written = nvb_hist_count(&job->lat[NVB_WRITE]);

	/* Every verify job has written its blocks before any changes them behind our back. */
	pthread_barrier_wait(&rs->verify);
	if (job->sub == 0 && o->exec_preverify[0] && !job->error) {
		int st = system(o->exec_preverify);
		if (st != 0)
			nvb_job_fail(job, -ECHILD, "--exec_preverify command failed (%s %d): %s",
				     WIFEXITED(st) ? "exit status" : "wait status",
				     WIFEXITED(st) ? WEXITSTATUS(st) : st, o->exec_preverify);
	}
	pthread_barrier_wait(&rs->verify);

	if (job->error || nvb_stop || job->abandon)
		return;
	nvb_job_start_phase(job, (uint8_t)((o->rw & NVB_RW_RANDOM) | NVB_RW_READS), NVB_PHASE_READ);
	job->to_issue = written < job->nblocks ? written : job->nblocks;
	job->bytes_left = UINT64_MAX; /* the sizes follow the writes' */
	job->deadline = 0;
	job->drain_deadline = 0;
	run_phase(job);
}

static void *job_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct run_state *rs = ta->rs;
	struct nvb_job *job = ta->job;
	const struct nvb_opts *o = job->o;
	bool opened = false;
	char err[NVB_ERR_MAX] = "";
	int r;

	job->tid = gettid();
	r = pin(job, err, sizeof(err));
	if (!r) {
		job->ios = calloc(job->depth, sizeof(*job->ios));
		if (!job->ios) {
			r = -ENOMEM;
			snprintf(err, sizeof(err), "out of memory for %u I/O slots", job->depth);
		}
	}
	if (!r) {
		for (unsigned i = 0; i < job->depth; i++) {
			job->ios[i].index = (uint16_t)i;
			job->ios[i].len = job->max_bs;
			job->ios[i].ddir = job->fixed_ddir;
			job->ios[i].hist = &job->lat[job->fixed_ddir];
		}
		r = job->engine->job_open(job, err, sizeof(err));
		opened = r == 0;
	}
	if (r) {
		job->error = r;
		snprintf(job->errmsg, sizeof(job->errmsg), "%s", err);
		__atomic_store_n(&rs->setup_failed, 1, __ATOMIC_RELAXED);
	}
	for (unsigned i = 0; opened && i < job->depth; i++)
		job->free[job->nfree++] = &job->ios[job->depth - 1 - i];

	pthread_barrier_wait(&rs->start);
	/* When any job failed to set up, none runs (and none reaches the verify barrier). */
	if (__atomic_load_n(&rs->setup_failed, __ATOMIC_RELAXED))
		goto out;

	__atomic_store_n(&job->progress.state, NVB_JOB_RUNNING, __ATOMIC_RELAXED);
	job->next_event = nvb_ticks() + job->event_ticks;
	if (o->verify) {
		verify_job(rs, job);
	} else {
		uint64_t now = nvb_ticks();
		nvb_job_arm(job);
		nvb_job_begin_counting(job, now);
		if (o->ramp_time_ns) {
			/* Until the ramp ends nothing counts and nothing limits the I/Os. */
			job->ramp_end = now + nvb_ns_to_ticks(o->ramp_time_ns);
			job->deadline = 0;
			job->to_issue = UINT64_MAX;
			job->bytes_left = UINT64_MAX;
			__atomic_store_n(&job->progress.ramping, 1, __ATOMIC_RELAXED);
		}
		run_phase(job);
		if (job->ramp_end) {
			/* Stopped during the ramp: nothing was counted. */
			nvb_job_begin_counting(job, nvb_ticks());
		}
	}
	nvb_job_end_counting(job);
	if (o->idle_calibrate && !job->error && !job->abandon)
		nvb_idle_calibrate(job);

out:
	if (opened)
		job->engine->job_close(job);
	__atomic_store_n(&job->progress.state, NVB_JOB_DONE, __ATOMIC_RELAXED);
	__atomic_add_fetch(&rs->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static char job_char(const struct nvb_job *job)
{
	uint32_t st = __atomic_load_n(&job->progress.state, __ATOMIC_RELAXED);
	bool rnd = job->o->rw & NVB_RW_RANDOM;

	switch (st) {
	case NVB_JOB_SETUP:
		return 'P';
	case NVB_JOB_DONE:
		return '_';
	case NVB_JOB_VERIFYING:
		return 'V';
	default:
		break;
	}
	if (__atomic_load_n(&job->progress.ramping, __ATOMIC_RELAXED))
		return '/';
	switch (job->o->rw & (NVB_RW_READS | NVB_RW_WRITES)) {
	case NVB_RW_READS:
		return rnd ? 'r' : 'R';
	case NVB_RW_WRITES:
		return rnd ? 'w' : 'W';
	default:
		return rnd ? 'm' : 'M';
	}
}

static void fmt_rate(char *buf, size_t len, double v, const char *unit, double base)
{
	static const char *const pfx[] = {"", "k", "M", "G", "T"};
	unsigned i = 0;

	while (v >= 1000.0 && i < 4) {
		v /= base;
		i++;
	}
	snprintf(buf, len,
		 v < 10.0 && i	  ? "%.2f%s%s"
		 : v < 100.0 && i ? "%.1f%s%s"
				  : "%.0f%s%s",
		 v,
		 base == 1024.0 && i ? (i == 1	 ? "Ki"
					: i == 2 ? "Mi"
					: i == 3 ? "Gi"
						 : "Ti")
				     : pfx[i],
		 unit);
}

struct status {
	uint64_t last_ns;
	uint64_t last_rw[NVB_DDIRS];
	uint64_t last_bytes[NVB_DDIRS];
	size_t last_len;
};

static void status_line(struct nvb_run *run, struct status *s, uint64_t start_ns, bool final)
{
	uint64_t now = nvb_now_ns(), rw[NVB_DDIRS] = {0, 0}, bytes[NVB_DDIRS] = {0, 0};
	double elapsed = (double)(now - start_ns) / 1e9, pct_sum = 0.0, eta = 0.0, dt;
	char states[128], rate[2][32], iops[2][32], line[400];
	size_t n = 0;
	unsigned running = 0;

	if (final) {
		printf("\r%*s\r", (int)s->last_len, "");
		fflush(stdout);
		return;
	}
	for (unsigned i = 0; i < run->njobs; i++) {
		struct nvb_job *job = run->jobs[i];
		const struct nvb_opts *o = job->o;
		char c = job_char(job);
		double pct, total_s = (double)(o->ramp_time_ns + o->runtime_ns) / 1e9, rem = 0.0;
		uint64_t counted = __atomic_load_n(&job->progress.counted, __ATOMIC_RELAXED);
		uint64_t total = job->initial_to_issue;

		/* With mixed sizes the job's amount is in bytes, where it has one. */
		if (job->sized && job->initial_bytes != UINT64_MAX) {
			counted = __atomic_load_n(&job->progress.counted_bytes, __ATOMIC_RELAXED);
			total = job->initial_bytes;
		}
		if (o->verify && total != UINT64_MAX)
			total *= 2;
		for (int d = 0; d < NVB_DDIRS; d++) {
			rw[d] += __atomic_load_n(&job->progress.ios_rw[d], __ATOMIC_RELAXED);
			bytes[d] += __atomic_load_n(&job->progress.bytes_rw[d], __ATOMIC_RELAXED);
		}
		/* Ask for fresh counts for the next line. */
		__atomic_store_n(&job->progress.want, 1, __ATOMIC_RELEASE);
		if (c != '_' && c != 'P')
			running++;
		if (c == '_') {
			pct = 1.0;
		} else if (o->time_based && total_s > 0) {
			pct = elapsed / total_s;
		} else {
			pct = total && total != UINT64_MAX ? (double)counted / (double)total : 0.0;
			if (!o->verify && o->runtime_ns && total_s > 0 && elapsed / total_s > pct)
				pct = elapsed / total_s;
		}
		if (pct > 1.0)
			pct = 1.0;
		if (pct > 0.0)
			rem = elapsed * (1.0 - pct) / pct;
		else if (total_s > 0)
			rem = total_s - elapsed;
		if (rem > eta)
			eta = rem;
		pct_sum += pct;
	}
	/* One letter per job, runs of the same letter as fio writes them: r(4). */
	states[0] = '\0';
	for (unsigned i = 0; i < run->njobs;) {
		char c = job_char(run->jobs[i]);
		unsigned same = 1;

		while (i + same < run->njobs && job_char(run->jobs[i + same]) == c)
			same++;
		if (n < sizeof(states) - 16)
			n += (size_t)snprintf(states + n, sizeof(states) - n,
					      same > 1 ? "%c(%u)" : "%c", c, same);
		i += same;
	}
	dt = s->last_ns ? (double)(now - s->last_ns) / 1e9 : elapsed;
	if (dt <= 0)
		dt = 1e-9;
	for (int d = 0; d < NVB_DDIRS; d++) {
		double ios = (double)(rw[d] - s->last_rw[d]) / dt;
		fmt_rate(rate[d], sizeof(rate[d]), (double)(bytes[d] - s->last_bytes[d]) / dt,
			 "B/s", 1024.0);
		fmt_rate(iops[d], sizeof(iops[d]), ios, "", 1000.0);
		s->last_rw[d] = rw[d];
		s->last_bytes[d] = bytes[d];
	}
	s->last_ns = now;
	n = (size_t)snprintf(
	    line, sizeof(line),
	    "Jobs: %u (f=%u): [%s][%.1f%%][r=%s,w=%s][r=%s,w=%s IOPS][eta %02um:%02us]", running,
	    running, states, 100.0 * pct_sum / run->njobs, rate[NVB_READ], rate[NVB_WRITE],
	    iops[NVB_READ], iops[NVB_WRITE], (unsigned)ceil(eta) / 60, (unsigned)ceil(eta) % 60);
	printf("\r%s%*s", line, s->last_len > n ? (int)(s->last_len - n) : 0, "");
	fflush(stdout);
	s->last_len = n;
}

int nvb_run(struct nvb_run *run, char *err, size_t errlen)
{
	struct run_state rs = {.run = run};
	struct thread_arg *args = NULL;
	pthread_t *threads = NULL;
	unsigned n = 0, nverify = 0, started = 0;
	uint64_t t0;
	int r = 0;

	nvb_clock_init();
	run->jobs = NULL;
	run->njobs = 0;
	for (unsigned s = 0; s < run->nsections; s++) {
		n += (unsigned)run->sections[s].numjobs;
		if (run->sections[s].verify)
			nverify += (unsigned)run->sections[s].numjobs;
	}
	run->jobs = calloc(n, sizeof(*run->jobs));
	args = calloc(n, sizeof(*args));
	threads = calloc(n, sizeof(*threads));
	if (!run->jobs || !args || !threads) {
		snprintf(err, errlen, "out of memory for %u jobs", n);
		r = -ENOMEM;
		goto out;
	}
	for (unsigned s = 0, k = 0; s < run->nsections; s++) {
		const struct nvb_opts *o = &run->sections[s];
		for (unsigned j = 0; j < o->numjobs; j++, k++) {
			size_t size = sizeof(struct nvb_job) + o->iodepth * sizeof(struct nvb_io *);
			struct nvb_job *job =
			    aligned_alloc(NVB_CACHELINE, (size + NVB_CACHELINE - 1) &
							     ~(size_t)(NVB_CACHELINE - 1));
			if (!job) {
				snprintf(err, errlen, "out of memory for job %s", o->name);
				r = -ENOMEM;
				goto out;
			}
			run->jobs[k] = job;
			run->njobs = k + 1;
			r = nvb_job_setup(job, o, run->targets[s], k, j, &nvb_stop, run->run_id,
					  err, errlen);
			if (r)
				goto out;
		}
	}

	pthread_barrier_init(&rs.start, NULL, n);
	if (nverify)
		pthread_barrier_init(&rs.verify, NULL, nverify);
	run->started = time(NULL);
	t0 = nvb_now_ns();
	for (unsigned i = 0; i < n; i++) {
		args[i].rs = &rs;
		args[i].job = run->jobs[i];
		r = pthread_create(&threads[i], NULL, job_thread, &args[i]);
		if (r) {
			snprintf(err, errlen, "cannot start job thread %u: %s", i, strerror(r));
			r = -r;
			break;
		}
		started++;
	}
	if (started < n) {
		/* The started threads wait at the start barrier for threads that never came;
		 * nothing can release them but ending the process. */
		fprintf(stderr, "nvfio-perf: %s\n", err);
		exit(1);
	}
	if (run->status) {
		struct status st = {0};
		uint64_t next = t0 + 1000000000ull;
		while (__atomic_load_n(&rs.done, __ATOMIC_ACQUIRE) < n) {
			struct timespec nap = {0, 50 * 1000 * 1000};
			nanosleep(&nap, NULL);
			if (nvb_now_ns() >= next) {
				status_line(run, &st, t0, false);
				next += 1000000000ull;
			}
		}
		status_line(run, &st, t0, true);
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	run->elapsed_ns = nvb_now_ns() - t0;
	pthread_barrier_destroy(&rs.start);
	if (nverify)
		pthread_barrier_destroy(&rs.verify);
	if (rs.setup_failed) {
		for (unsigned i = 0; i < n; i++) {
			if (run->jobs[i]->error) {
				snprintf(err, errlen, "%s%s", run->jobs[i]->o->label,
					 run->jobs[i]->errmsg);
				r = run->jobs[i]->error;
				break;
			}
		}
	}
out:
	free(args);
	free(threads);
	return r;
}

void nvb_run_free(struct nvb_run *run)
{
	for (unsigned i = 0; i < run->njobs; i++) {
		if (!run->jobs[i])
			continue;
		free(run->jobs[i]->ios);
		free(run->jobs[i]);
	}
	free(run->jobs);
	run->jobs = NULL;
	run->njobs = 0;
}

int nvb_targets_open(struct nvb_opts *sections, unsigned n, struct nvb_target **targets, char *err,
		     size_t errlen)
{
	const struct nvb_opts **users = calloc(n, sizeof(*users));
	int r = 0;

	if (!users)
		return -ENOMEM;
	memset(targets, 0, n * sizeof(*targets));
	for (unsigned s = 0; s < n && !r; s++) {
		r = nvb_resolve_engine(&sections[s], err, errlen);
		if (r)
			break;
		if (!sections[s].filename[0]) {
			snprintf(err, errlen,
				 "%sno --filename; give a PCI address, sim:, a block device or a "
				 "file",
				 sections[s].label);
			r = -EINVAL;
		}
	}
	for (unsigned s = 0; s < n && !r; s++) {
		const struct nvb_engine *e = nvb_engine_find(sections[s].ioengine);
		struct nvb_target *t;
		unsigned nu = 0;

		for (unsigned p = 0; p < s; p++) {
			if (targets[p] && targets[p]->engine == e &&
			    sections[p].nsid == sections[s].nsid &&
			    strcmp(targets[p]->filename, sections[s].filename) == 0) {
				targets[s] = targets[p];
				break;
			}
		}
		if (targets[s])
			continue;
		for (unsigned p = s; p < n; p++)
			if (strcmp(sections[p].filename, sections[s].filename) == 0 &&
			    strcmp(sections[p].ioengine, sections[s].ioengine) == 0 &&
			    sections[p].nsid == sections[s].nsid)
				users[nu++] = &sections[p];
		t = calloc(1, sizeof(*t));
		if (!t) {
			r = -ENOMEM;
			break;
		}
		t->engine = e;
		snprintf(t->filename, sizeof(t->filename), "%s", sections[s].filename);
		r = e->target_open(t, users, nu, err, errlen);
		if (r) {
			free(t);
			break;
		}
		if (!t->block_size)
			t->block_size = 512;
		targets[s] = t;
	}
	for (unsigned s = 0; s < n && !r; s++) {
		uint64_t off, size;

		r = nvb_job_region(&sections[s], targets[s], &off, &size, err, errlen);
	}
	free(users);
	if (r)
		nvb_targets_close(targets, n);
	return r;
}

void nvb_targets_close(struct nvb_target **targets, unsigned n)
{
	for (unsigned s = 0; s < n; s++) {
		struct nvb_target *t = targets[s];
		if (!t)
			continue;
		for (unsigned p = s; p < n; p++)
			if (targets[p] == t)
				targets[p] = NULL;
		t->engine->target_close(t);
		free(t);
	}
}
