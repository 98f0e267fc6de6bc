// SPDX-License-Identifier: BSD-3-Clause
/*
 * Option parsing for nvfio-perf: one table drives the command line, job files, validation,
 * --help and the engine-option checks.
 */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

enum opt_type {
	T_STR,	    /* char[] at off, size in max */
	T_SIZE,	    /* uint64_t bytes, range min..max */
	T_SIZE_PCT, /* uint64_t bytes or ppm; the bool after it says which */
	T_INT,	    /* uint64_t, range min..max (size suffixes accepted) */
	T_TIME,	    /* uint64_t ns; min is the unit of a bare number */
	T_BOOL,	    /* bool */
	T_ENUM,	    /* int: index into choices[] mapped through values[] */
	T_CPUS,	    /* cpu_set_t, the bool after it set */
	T_QDLIST,   /* --plot_qd */
	T_RWMIXWRITE,
	T_BS,	   /* uint64_t[NVB_BS_DDIRS]: SIZE[,SIZE][,SIZE], each min..max */
	T_BSRANGE, /* uint64_t[NVB_BS_DDIRS][2]: MIN-MAX[,MIN-MAX][,MIN-MAX] */
	T_BSSPLIT, /* struct nvb_bssplit[NVB_BS_DDIRS]: SIZE/PCT:...[,...][,...] */
};

enum opt_scope {
	S_JOB,	/* struct nvb_opts */
	S_PROG, /* struct nvb_prog */
};

struct optdef {
	const char *name;
	const char *alias;
	enum opt_type type;
	enum opt_scope scope;
	size_t off;
	uint64_t min, max;
	const char *const *choices; /* NULL-terminated */
	const int *values;
	unsigned engines;
	const char *arg;
	const char *help;
};

#define J(field) S_JOB, offsetof(struct nvb_opts, field)
#define P(field) S_PROG, offsetof(struct nvb_prog, field)

#define NS_PER_S 1000000000ull

static const char *const rw_names[] = {"read", "write",	 "randread",  "randwrite",
				       "rw",   "randrw", "readwrite", NULL};
static const int rw_values[] = {NVB_RW_READ, NVB_RW_WRITE,  NVB_RW_RANDREAD, NVB_RW_RANDWRITE,
				NVB_RW_RW,   NVB_RW_RANDRW, NVB_RW_RW};
static const char *const engine_names[] = {"nvfio", "io_uring", "io_uring_cmd", NULL};
static const int engine_values[] = {0, 1, 2};
static const char *const verify_names[] = {"crc32c", "crc32c-intel", "0", "none", NULL};
static const int verify_values[] = {NVB_VERIFY_CRC32C, NVB_VERIFY_CRC32C, NVB_VERIFY_NONE,
				    NVB_VERIFY_NONE};
static const char *const policy_names[] = {"shared", "split", NULL};
static const int policy_values[] = {NVB_CPUS_SHARED, NVB_CPUS_SPLIT};
static const char *const cmd_type_names[] = {"nvme", NULL};
static const int cmd_type_values[] = {NVB_CMD_NVME};
static const char *const format_names[] = {"normal", "json", NULL};
static const int format_values[] = {NVB_OUT_NORMAL, NVB_OUT_JSON};
static const char *const eta_names[] = {"auto", "always", "never", NULL};
static const int eta_values[] = {NVB_ETA_AUTO, NVB_ETA_ALWAYS, NVB_ETA_NEVER};
static const char *const clock_names[] = {"auto", "cpu", "clock_gettime", NULL};
static const int clock_values[] = {NVB_CLOCK_AUTO, NVB_CLOCK_CPU, NVB_CLOCK_GETTIME};

#define URING (NVB_ENG_URING | NVB_ENG_URING_CMD)

static const struct optdef opts[] = {
    {"name", NULL, T_STR, J(name), 0, NVB_NAME_MAX, NULL, NULL, 0, "NAME",
     "start a new job named NAME; later options belong to it"},
    {"filename", NULL, T_STR, J(filename), 0, NVB_PATH_MAX, NULL, NULL, 0, "TARGET",
     "PCI address, sim:[opts], vfio-user:SOCKET, block device or file"},
    {"ioengine", NULL, T_STR, J(ioengine), 0, 32, engine_names, engine_values, 0, "ENGINE",
     "nvfio, io_uring or io_uring_cmd (default: from the target)"},
    {"rw", "readwrite", T_ENUM, J(rw), 0, 0, rw_names, rw_values, 0, "PATTERN",
     "read, write, randread, randwrite, rw, randrw"},
    {"rwmixread", NULL, T_INT, J(rwmixread), 0, 100, NULL, NULL, 0, "PCT",
     "percentage of reads in rw and randrw (50)"},
    {"rwmixwrite", NULL, T_RWMIXWRITE, J(rwmixread), 0, 100, NULL, NULL, 0, "PCT",
     "percentage of writes in rw and randrw (50)"},
    {"bs", "blocksize", T_BS, J(bs), 1, 128ull << 20, NULL, NULL, 0, "SIZE[,SIZE]",
     "bytes per I/O (4k), or READS,WRITES each their own"},
    {"bsrange", "blocksize_range", T_BSRANGE, J(bsrange), 1, 128ull << 20, NULL, NULL, 0,
     "MIN-MAX[,...]", "sizes from MIN to MAX, multiples of MIN, each as likely"},
    {"bssplit", NULL, T_BSSPLIT, J(bssplit), 1, 128ull << 20, NULL, NULL, 0, "SIZE/PCT:...[,...]",
     "sizes in shares of the I/Os, e.g. 4k/75:64k/25"},
    {"iodepth", NULL, T_INT, J(iodepth), 1, 65535, NULL, NULL, 0, "N",
     "I/Os in flight per job (1)"},
    {"iodepth_batch_submit", "iodepth_batch", T_INT, J(iodepth_batch_submit), 0, 65536, NULL, NULL,
     0, "N", "I/Os submitted at once, 0 for iodepth (1)"},
    {"numjobs", NULL, T_INT, J(numjobs), 1, 1024, NULL, NULL, 0, "N",
     "threads running this job, each with its own queue (1)"},
    {"cpus_allowed", NULL, T_CPUS, J(cpus_allowed), 0, 0, NULL, NULL, 0, "LIST",
     "CPUs the job threads run on, e.g. 0-3,6"},
    {"cpus_allowed_policy", NULL, T_ENUM, J(cpus_allowed_policy), 0, 0, policy_names, policy_values,
     0, "POLICY", "shared: every thread on all of them; split: one CPU each"},
    {"runtime", "timeout", T_TIME, J(runtime_ns), NS_PER_S, 0, NULL, NULL, 0, "TIME",
     "stop after TIME (seconds unless suffixed)"},
    {"time_based", NULL, T_BOOL, J(time_based), 0, 0, NULL, NULL, 0, NULL,
     "run for the whole runtime, repeating the region"},
    {"ramp_time", NULL, T_TIME, J(ramp_time_ns), NS_PER_S, 0, NULL, NULL, 0, "TIME",
     "run TIME before counting"},
    {"size", NULL, T_SIZE_PCT, J(size), 1, UINT64_MAX, NULL, NULL, 0, "SIZE|PCT%",
     "bytes of the target to use (all from offset)"},
    {"offset", NULL, T_SIZE_PCT, J(offset), 0, UINT64_MAX, NULL, NULL, 0, "SIZE|PCT%",
     "where the region starts (0)"},
    {"norandommap", NULL, T_BOOL, J(norandommap), 0, 0, NULL, NULL, 0, NULL,
     "random offsets may repeat within a pass"},
    {"number_ios", NULL, T_INT, J(number_ios), 1, UINT64_MAX, NULL, NULL, 0, "N",
     "stop after N I/Os"},
    {"verify", NULL, T_ENUM, J(verify), 0, 0, verify_names, verify_values, 0, "crc32c",
     "write the region, read it back and check every block"},
    {"exec_preverify", NULL, T_STR, J(exec_preverify), 0, NVB_PATH_MAX, NULL, NULL, 0, "CMD",
     "shell command run between a verify job's write and read phases"},
    {"randseed", NULL, T_INT, J(randseed), 0, UINT64_MAX, NULL, NULL, 0, "N",
     "seed of the random offsets"},
    {"direct", NULL, T_BOOL, J(direct), 0, 0, NULL, NULL, 0, "BOOL",
     "O_DIRECT for files and block devices (1)"},
    {"thread", NULL, T_BOOL, 0, 0, 0, 0, NULL, NULL, 0, NULL,
     "accepted for fio job files; jobs always run as threads"},
    {"idle_yield", NULL, T_BOOL, J(idle_yield), 0, 0, NULL, NULL, 0, NULL,
     "sched_yield() when a poll finds nothing (for callgrind)"},
    {"idle_calibrate", NULL, T_INT, J(idle_calibrate), 1, 100000000, NULL, NULL, NVB_ENG_NVFIO, "N",
     "after the job, N idle polls timed and between two callgrind dumps"},
    {"group_reporting", NULL, T_BOOL, J(group_reporting), 0, 0, NULL, NULL, 0, NULL,
     "report all jobs as one"},
    {"hipri", NULL, T_BOOL, J(hipri), 0, 0, NULL, NULL, URING, NULL,
     "polled completions (IORING_SETUP_IOPOLL)"},
    {"sqthread_poll", NULL, T_BOOL, J(sqthread_poll), 0, 0, NULL, NULL, URING, NULL,
     "kernel thread polls the submission queue (IORING_SETUP_SQPOLL)"},
    {"sqthread_poll_cpu", NULL, T_INT, J(sqthread_poll_cpu), 0, CPU_SETSIZE - 1, NULL, NULL, URING,
     "CPU", "pin the SQPOLL thread"},
    {"fixedbufs", NULL, T_BOOL, J(fixedbufs), 0, 0, NULL, NULL, URING, NULL,
     "register the I/O buffers with the ring"},
    {"registerfiles", NULL, T_BOOL, J(registerfiles), 0, 0, NULL, NULL, URING, NULL,
     "register the file with the ring"},
    {"nop", NULL, T_BOOL, J(nop), 0, 0, NULL, NULL, NVB_ENG_URING, NULL,
     "submit IORING_OP_NOP in place of each I/O: the floor of io_uring's own cost"},
    {"cmd_type", NULL, T_ENUM, J(cmd_type), 0, 0, cmd_type_names, cmd_type_values,
     NVB_ENG_URING_CMD, "nvme", "passthrough command set"},
    {"nsid", NULL, T_INT, J(nsid), 1, UINT32_MAX - 1, NULL, NULL, NVB_ENG_NVFIO, "N",
     "namespace (default: the first active one)"},
    {"shadow_doorbells", NULL, T_BOOL, J(shadow_doorbells), 0, 0, NULL, NULL, NVB_ENG_NVFIO, "BOOL",
     "use the controller's shadow doorbells (Doorbell Buffer Config) where it has them "
     "(default 1; 0: doorbell registers only)"},
    {"reset_interval", NULL, T_TIME, J(reset_interval_ns), 1000000, 0, NULL, NULL, NVB_ENG_NVFIO,
     "TIME",
     "reset the controller every TIME (milliseconds without a unit) while the jobs run: "
     "fault injection, with --reset_retries (default 0: never)"},
    {"reset_retries", NULL, T_INT, J(reset_retries), 0, 255, NULL, NULL, NVB_ENG_NVFIO, "N",
     "submit a command outstanding at a controller reset again, up to N times, before it "
     "fails (default 0)"},

    {"output-format", NULL, T_ENUM, P(output_format), 0, 0, format_names, format_values, 0,
     "FORMAT", "normal or json"},
    {"output", NULL, T_STR, P(output), 0, NVB_PATH_MAX, NULL, NULL, 0, "FILE",
     "write the report to FILE"},
    {"compare", NULL, T_STR, P(compare), 0, NVB_PATH_MAX, NULL, NULL, 0, "TARGET",
     "run every job on --filename and TARGET alternately"},
    {"compare_ioengine", NULL, T_STR, P(compare_ioengine), 0, 32, engine_names, engine_values, 0,
     "ENGINE", "engine for the --compare target (default: from it)"},
    {"rounds", NULL, T_INT, P(rounds), 1, 1000, NULL, NULL, 0, "N", "rounds of --compare (3)"},
    {"plot", NULL, T_STR, P(plot), 0, NVB_PATH_MAX, NULL, NULL, 0, "FILE.svg",
     "sweep queue depths and draw IOPS and latency percentiles"},
    {"plot_qd", NULL, T_QDLIST, P(plot_qd), 1, 65536, NULL, NULL, 0, "LIST",
     "queue depths of --plot (1,2,4,8,16,32,64,128)"},
    {"eta", NULL, T_ENUM, P(eta), 0, 0, eta_names, eta_values, 0, "WHEN",
     "live status line: auto (on a terminal), always, never"},
    {"clocksource", NULL, T_ENUM, P(clocksource), 0, 0, clock_names, clock_values, 0, "SOURCE",
     "timestamps: auto (the TSC where the kernel uses it), cpu (the TSC), clock_gettime"},
    {"help", NULL, T_BOOL, P(help), 0, 0, NULL, NULL, 0, NULL, "this summary"},
    {"version", NULL, T_BOOL, P(version), 0, 0, NULL, NULL, 0, NULL, "print the version"},
};

_Static_assert(sizeof(opts) / sizeof(opts[0]) <= 64, "given_mask has 64 bits");

#define NOPTS ((int)(sizeof(opts) / sizeof(opts[0])))

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* '-' and '_' are the same in option names, as fio's "output-format" vs "iodepth_batch". */
static bool name_eq(const char *a, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < blen && a[i]; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return i == blen && a[i] == '\0';
}

static int find_opt(const char *name, size_t len)
{
	for (int i = 0; i < NOPTS; i++)
		if (name_eq(opts[i].name, name, len) ||
		    (opts[i].alias && name_eq(opts[i].alias, name, len)))
			return i;
	return -1;
}

int nvb_opt_index(const char *name)
{
	return find_opt(name, strlen(name));
}

unsigned nvb_opt_engines(int index)
{
	return index >= 0 && index < NOPTS ? opts[index].engines : 0;
}

const char *nvb_opt_name(int index)
{
	return index >= 0 && index < NOPTS ? opts[index].name : "?";
}

int nvb_opt_count(void)
{
	return NOPTS;
}

/* Edit distance, to suggest the option a typo meant. */
static unsigned distance(const char *a, const char *b, size_t blen)
{
	unsigned row[64], i, j;
	size_t alen = strlen(a);

	if (alen >= 63 || blen >= 63)
		return 99;
	for (j = 0; j <= blen; j++)
		row[j] = j;
	for (i = 1; i <= alen; i++) {
		unsigned prev = row[0];
		row[0] = i;
		for (j = 1; j <= blen; j++) {
			unsigned cur = row[j];
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[blen];
}

static const char *suggest(const char *name, size_t len)
{
	unsigned best = 3;
	const char *what = NULL;

	for (int i = 0; i < NOPTS; i++) {
		unsigned d = distance(opts[i].name, name, len);
		if (d < best) {
			best = d;
			what = opts[i].name;
		}
		if (opts[i].alias && (d = distance(opts[i].alias, name, len)) < best) {
			best = d;
			what = opts[i].alias;
		}
	}
	return what;
}

/* Number with fio's integer suffixes; returns the multiplier's position in @s in @rest. */
static int parse_number(const char *s, uint64_t *out, const char **rest)
{
	const char *p = s;
	uint64_t v = 0;
	int base = 10;

	while (isspace((unsigned char)*p))
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
		return -EINVAL;
	for (;; p++) {
		unsigned d;
		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -ERANGE;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	*rest = p;
	return 0;
}

static bool suffix_is(const char *s, const char *suffix)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return n == strlen(suffix) && strncasecmp(s, suffix, n) == 0;
}

int nvb_parse_size(const char *s, uint64_t *out)
{
	static const char prefixes[] = "kmgtp";
	const char *rest;
	uint64_t v, mult = 1;
	int r;

	r = parse_number(s, &v, &rest);
	if (r)
		return r;
	if (*rest && !suffix_is(rest, "b") && !suffix_is(rest, "")) {
		const char *p = strchr(prefixes, tolower((unsigned char)*rest));
		bool decimal;
		if (!p || !*rest)
			return -EINVAL;
		/* kb_base=1024: k, kb mean 1024; ki, kib mean 1000 (fio's compatibility mode). */
		decimal = tolower((unsigned char)rest[1]) == 'i';
		if (!suffix_is(rest + 1, "") && !suffix_is(rest + 1, "b") &&
		    !(decimal && (suffix_is(rest + 2, "") || suffix_is(rest + 2, "b"))))
			return -EINVAL;
		for (long i = 0; i <= p - prefixes; i++) {
			uint64_t m = decimal ? 1000 : 1024;
			if (mult > UINT64_MAX / m)
				return -ERANGE;
			mult *= m;
		}
	}
	if (v && mult > UINT64_MAX / v)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int nvb_parse_time(const char *s, uint64_t unit_ns, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {
	    {"us", 1000ull},	     {"usec", 1000ull},	     {"ms", 1000000ull},
	    {"msec", 1000000ull},    {"s", NS_PER_S},	     {"sec", NS_PER_S},
	    {"m", 60 * NS_PER_S},    {"min", 60 * NS_PER_S}, {"h", 3600 * NS_PER_S},
	    {"d", 86400 * NS_PER_S},
	};
	const char *rest;
	uint64_t v, mult = unit_ns;
	int r;

	r = parse_number(s, &v, &rest);
	if (r)
		return r;
	if (!suffix_is(rest, "")) {
		size_t i;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (suffix_is(rest, units[i].suffix))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		mult = units[i].ns;
	}
	if (v && mult > UINT64_MAX / v)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int nvb_parse_cpus(const char *s, cpu_set_t *set)
{
	const char *p = s;

	CPU_ZERO(set);
	if (!*p)
		return -EINVAL;
	for (;;) {
		char *end;
		unsigned long lo, hi;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			hi = strtoul(p, &end, 10);
			p = end;
		}
		if (lo > hi || hi >= CPU_SETSIZE)
			return -EINVAL;
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, set);
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static void choices_list(const struct optdef *d, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; d->choices[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", d->choices[i]);
}

static void record_given(struct nvb_opts *o, int idx, const char *val)
{
	size_t need;
	char kv[NVB_PATH_MAX + 64];

	o->given_mask |= 1ull << idx;
	snprintf(kv, sizeof(kv), "%s=%s", opts[idx].name, val ? val : "1");
	/* A later value replaces an earlier one for the same key. */
	for (size_t at = 0; at < o->given_len;) {
		size_t l = strlen(o->given + at) + 1;
		size_t klen = strlen(opts[idx].name);
		if (strncmp(o->given + at, opts[idx].name, klen) == 0 &&
		    o->given[at + klen] == '=') {
			memmove(o->given + at, o->given + at + l, o->given_len - at - l);
			o->given_len -= l;
			continue;
		}
		at += l;
	}
	need = strlen(kv) + 1;
	if (o->given_len + need <= sizeof(o->given)) {
		memcpy(o->given + o->given_len, kv, need);
		o->given_len += need;
	}
}

/*
 * fio's per-direction values, "READS[,WRITES][,TRIMS]": a direction with no field of its own takes
 * the last one given, unless the value ends with a comma (then it keeps its default); an empty
 * field is the default too. @val is cut up in place; @part[d] is direction d's text, or NULL for
 * its default. 0, or -EINVAL for more than NVB_BS_DDIRS fields.
 */
static int split_ddirs(char *val, char *part[NVB_BS_DDIRS])
{
	char *field[NVB_BS_DDIRS], *p = val;
	unsigned n = 0;

	for (;;) {
		if (n == NVB_BS_DDIRS)
			return -EINVAL;
		field[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	for (unsigned d = 0; d < NVB_BS_DDIRS; d++) {
		char *f = d < n ? field[d] : field[n - 1];

		while (isspace((unsigned char)*f))
			f++;
		part[d] = *f ? f : NULL;
	}
	return 0;
}

/* One I/O size of option @d's value @val: @s, a part of it. 0, or -EINVAL with the message. */
static int parse_io_size(const struct optdef *d, const char *val, const char *s, const char *where,
			 uint64_t *out, char *err, size_t errlen)
{
	int r = nvb_parse_size(s, out);
	char what[80] = "";

	/* The part is named where the value has more than it. */
	if (strcmp(s, val) != 0)
		snprintf(what, sizeof(what), " '%s' is", s);
	if (r == -ERANGE)
		return fail(err, errlen, "%s%s=%s:%s too large", where, d->name, val, what);
	if (r)
		return fail(err, errlen,
			    "%s%s=%s:%s not a size; give bytes with an optional suffix k, m, g, t "
			    "(powers of 1024, e.g. 4k, 128k, 1m)",
			    where, d->name, val, what);
	if (*out < d->min || *out > d->max)
		return fail(err, errlen, "%s%s=%s:%s out of range; accepted: %llu to %llu", where,
			    d->name, val, what, (unsigned long long)d->min,
			    (unsigned long long)d->max);
	return 0;
}

/* --bsrange for one direction: "MIN-MAX" (or fio's "MIN:MAX"). */
static int parse_bsrange(const struct optdef *d, const char *val, char *s, const char *where,
			 uint64_t range[2], char *err, size_t errlen)
{
	char *sep = strpbrk(s, "-:");
	int r;

	if (!sep)
		return fail(err, errlen,
			    "%s%s=%s: '%s' is not a range; give MIN-MAX, e.g. 4k-64k (--bs for one "
			    "size)",
			    where, d->name, val, s);
	*sep = '\0';
	r = parse_io_size(d, val, s, where, &range[0], err, errlen);
	if (!r)
		r = parse_io_size(d, val, sep + 1, where, &range[1], err, errlen);
	if (r)
		return r;
	if (range[0] > range[1])
		return fail(err, errlen, "%s%s=%s: the smallest size comes first (%s-%s)", where,
			    d->name, val, sep + 1, s);
	if (range[1] % range[0])
		return fail(err, errlen,
			    "%s%s=%s: %llu is not a multiple of %llu: the sizes are multiples of "
			    "the smallest; give a largest size that is one",
			    where, d->name, val, (unsigned long long)range[1],
			    (unsigned long long)range[0]);
	return 0;
}

/* A --bssplit share: a percentage above 0 and at most 100, in parts per million. */
static int parse_share(const char *s, uint32_t *ppm)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtod(s, &end);
	if (*end || !(v > 0.0 && v <= 100.0))
		return -EINVAL;
	*ppm = (uint32_t)(v * 10000.0 + 0.5);
	return *ppm ? 0 : -EINVAL;
}

/*
 * --bssplit for one direction: "SIZE/PCT:SIZE/PCT..."; sizes whose share is left blank ("SIZE/"
 * or "SIZE") share what the others leave, equally.
 */
static int parse_bssplit(const struct optdef *d, const char *val, char *s, const char *where,
			 struct nvb_bssplit *sp, char *err, size_t errlen)
{
	uint64_t given = 0, smallest = UINT64_MAX;
	unsigned blank = 0;

	sp->n = 0;
	for (char *e = s, *next; e; e = next) {
		char *slash;
		uint64_t bs;
		int r;

		next = strchr(e, ':');
		if (next)
			*next++ = '\0';
		if (!*e)
			return fail(err, errlen,
				    "%s%s=%s: an empty entry; write SIZE/PCT:SIZE/PCT, e.g. "
				    "4k/75:64k/25",
				    where, d->name, val);
		if (sp->n == NVB_BSSPLIT_MAX)
			return fail(err, errlen, "%s%s=%s: more than %d sizes for one direction",
				    where, d->name, val, NVB_BSSPLIT_MAX);
		slash = strchr(e, '/');
		if (slash)
			*slash = '\0';
		r = parse_io_size(d, val, e, where, &bs, err, errlen);
		if (r)
			return r;
		for (unsigned i = 0; i < sp->n; i++)
			if (sp->bs[i] == bs)
				return fail(err, errlen,
					    "%s%s=%s: %s is given twice; give each size once",
					    where, d->name, val, e);
		sp->bs[sp->n] = (uint32_t)bs;
		sp->ppm[sp->n] = 0;
		if (slash && slash[1]) {
			if (parse_share(slash + 1, &sp->ppm[sp->n]))
				return fail(
				    err, errlen,
				    "%s%s=%s: %s/%s: the share is a percentage above 0 and at "
				    "most 100 (leave it blank, %s/, to share what the others "
				    "leave)",
				    where, d->name, val, e, slash + 1, e);
			given += sp->ppm[sp->n];
		} else {
			blank++;
		}
		smallest = bs < smallest ? bs : smallest;
		sp->n++;
	}
	if (given > 1000000)
		return fail(err, errlen,
			    "%s%s=%s: the shares add up to %.4g%%, more than 100%%: lower them",
			    where, d->name, val, (double)given / 10000.0);
	if (!blank && given != 1000000)
		return fail(err, errlen,
			    "%s%s=%s: the shares add up to %.4g%%, not 100%%: raise them, or leave "
			    "one blank (SIZE/) to give it the rest",
			    where, d->name, val, (double)given / 10000.0);
	if (blank && given == 1000000)
		return fail(err, errlen,
			    "%s%s=%s: the shares given add up to 100%%, leaving nothing for those "
			    "left blank: lower them, or drop the sizes left blank",
			    where, d->name, val);
	for (unsigned i = 0, k = 0; i < sp->n; i++) {
		if (sp->bs[i] % smallest)
			return fail(
			    err, errlen,
			    "%s%s=%s: %u is not a multiple of %llu, the smallest size (the "
			    "offsets are aligned to it, as fio's blockalign): give multiples "
			    "of it",
			    where, d->name, val, sp->bs[i], (unsigned long long)smallest);
		/* What is left, equally; the millionths that do not divide go to the first. */
		if (!sp->ppm[i]) {
			uint64_t rest = 1000000 - given;
			sp->ppm[i] = (uint32_t)(rest / blank + (k++ < rest % blank));
		}
	}
	return 0;
}

/* bs, bsrange, bssplit: a value for each direction as fio writes them. */
static int apply_bs(const struct optdef *d, const char *val, const char *where, struct nvb_opts *o,
		    char *err, size_t errlen)
{
	char copy[NVB_GIVEN_MAX], *part[NVB_BS_DDIRS];
	/* Parsed aside, so that a refused value leaves the job as it was. */
	uint64_t bs[NVB_BS_DDIRS], range[NVB_BS_DDIRS][2];
	struct nvb_bssplit split[NVB_BS_DDIRS];
	int r = 0;

	if (!*val)
		return fail(err, errlen, "%s%s=: empty; give %s", where, d->name, d->arg);
	if (strlen(val) >= sizeof(copy))
		return fail(err, errlen, "%s%s: longer than %zu characters", where, d->name,
			    sizeof(copy) - 1);
	strcpy(copy, val);
	if (split_ddirs(copy, part))
		return fail(err, errlen,
			    "%s%s=%s: more than three values; give READS[,WRITES[,TRIMS]], e.g. "
			    "%s",
			    where, d->name, val,
			    d->type == T_BS	   ? "4k,64k"
			    : d->type == T_BSRANGE ? "4k-16k,64k-256k"
						   : "4k/50:8k/50,64k/100");
	for (unsigned i = 0; i < NVB_BS_DDIRS && !r; i++) {
		char one[NVB_GIVEN_MAX]; /* cut up by the parse: a part may serve two directions */

		bs[i] = 4096;
		range[i][0] = range[i][1] = 0;
		split[i].n = 0;
		if (!part[i])
			continue;
		strcpy(one, part[i]);
		if (d->type == T_BS)
			r = parse_io_size(d, val, one, where, &bs[i], err, errlen);
		else if (d->type == T_BSRANGE)
			r = parse_bsrange(d, val, one, where, range[i], err, errlen);
		else
			r = parse_bssplit(d, val, one, where, &split[i], err, errlen);
	}
	if (r)
		return r;
	if (d->type == T_BS)
		memcpy(o->bs, bs, sizeof(bs));
	else if (d->type == T_BSRANGE)
		memcpy(o->bsrange, range, sizeof(range));
	else
		memcpy(o->bssplit, split, sizeof(split));
	return 0;
}

/*
 * Apply one option to a job or to the program. @where prefixes messages ("--" on the command
 * line, "FILE:LINE: " in job files); @val is NULL for a bare name.
 */
static int apply(int idx, const char *val, const char *where, struct nvb_opts *o,
		 struct nvb_prog *prog, char *err, size_t errlen)
{
	const struct optdef *d = &opts[idx];
	void *base = d->scope == S_JOB ? (void *)o : (void *)prog;
	char *field = (char *)base + d->off;
	const char *shown = val ? val : "";
	char list[256];
	uint64_t v;
	int r;

	if (d->scope == S_JOB && !o)
		return fail(err, errlen, "%s%s: a job option, given where only program options go",
			    where, d->name);
	if (!val && d->type != T_BOOL)
		return fail(err, errlen, "%s%s needs a value (%s=%s)", where, d->name, d->name,
			    d->arg ? d->arg : "VALUE");

	switch (d->type) {
	case T_STR:
		if (!*val && idx != nvb_opt_index("exec_preverify"))
			return fail(err, errlen, "%s%s=: empty; give %s", where, d->name, d->arg);
		if (strlen(val) >= d->max)
			return fail(err, errlen, "%s%s: longer than %llu characters", where,
				    d->name, (unsigned long long)d->max - 1);
		if (d->choices) {
			size_t i;
			for (i = 0; d->choices[i]; i++)
				if (strcmp(d->choices[i], val) == 0)
					break;
			if (!d->choices[i]) {
				choices_list(d, list, sizeof(list));
				return fail(err, errlen, "%s%s=%s: unknown; accepted: %s", where,
					    d->name, val, list);
			}
		}
		strcpy(field, val);
		break;
	case T_ENUM: {
		size_t i;
		for (i = 0; d->choices[i]; i++)
			if (strcasecmp(d->choices[i], val) == 0)
				break;
		if (!d->choices[i]) {
			choices_list(d, list, sizeof(list));
			return fail(err, errlen, "%s%s=%s: unknown; accepted: %s", where, d->name,
				    val, list);
		}
		*(int *)field = d->values[i];
		break;
	}
	case T_BOOL: {
		bool b = true;
		if (val && parse_bool(val, &b))
			return fail(err, errlen,
				    "%s%s=%s: not a boolean; accepted: 1, 0, true, false, yes, no, "
				    "on, off",
				    where, d->name, val);
		if (d->off || d->scope == S_PROG)
			*(bool *)field = b;
		break;
	}
	case T_SIZE:
	case T_INT:
	case T_RWMIXWRITE:
		r = nvb_parse_size(val, &v);
		if (r == -ERANGE)
			return fail(err, errlen, "%s%s=%s: too large", where, d->name, val);
		if (r)
			return fail(err, errlen,
				    d->type == T_SIZE
					? "%s%s=%s: not a size; give bytes with an optional "
					  "suffix k, m, g, t (powers of 1024, e.g. 4k, 128k, 1m)"
					: "%s%s=%s: not a whole number",
				    where, d->name, shown);
		if (v < d->min || v > d->max)
			return fail(err, errlen, "%s%s=%s: out of range; accepted: %llu to %llu",
				    where, d->name, val, (unsigned long long)d->min,
				    (unsigned long long)d->max);
		if (d->type == T_RWMIXWRITE)
			v = 100 - v;
		*(uint64_t *)field = v;
		break;
	case T_SIZE_PCT: {
		bool *pct = (bool *)(field == (char *)&o->size ? &o->size_pct : &o->offset_pct);
		size_t n = strlen(val);
		if (n && val[n - 1] == '%') {
			char num[32];
			char *end;
			double f;
			if (n >= sizeof(num))
				return fail(err, errlen, "%s%s=%s: not a percentage", where,
					    d->name, val);
			memcpy(num, val, n - 1);
			num[n - 1] = '\0';
			f = strtod(num, &end);
			if (end == num || *end || !(f >= 0.0 && f <= 100.0) || (d->min && f <= 0.0))
				return fail(err, errlen,
					    "%s%s=%s: not a percentage; accepted: %s0 to 100%%",
					    where, d->name, val, d->min ? "above " : "");
			*(uint64_t *)field = (uint64_t)(f * 10000.0 + 0.5);
			*pct = true;
			break;
		}
		r = nvb_parse_size(val, &v);
		if (r == -ERANGE)
			return fail(err, errlen, "%s%s=%s: too large", where, d->name, val);
		if (r)
			return fail(err, errlen,
				    "%s%s=%s: not a size; give bytes with an optional suffix k, m, "
				    "g, t (e.g. 1g), or a percentage of the target (e.g. 50%%)",
				    where, d->name, val);
		if (v < d->min)
			return fail(err, errlen, "%s%s=%s: must be at least %llu", where, d->name,
				    val, (unsigned long long)d->min);
		*(uint64_t *)field = v;
		*pct = false;
		break;
	}
	case T_TIME:
		r = nvb_parse_time(val, d->min, &v);
		if (r == -ERANGE)
			return fail(err, errlen, "%s%s=%s: too long", where, d->name, val);
		if (r)
			return fail(err, errlen,
				    "%s%s=%s: not a time; give a number with an optional unit us, "
				    "ms, s, m, h, d (seconds without one, e.g. 30, 500ms, 2m)",
				    where, d->name, val);
		*(uint64_t *)field = v;
		break;
	case T_CPUS:
		if (nvb_parse_cpus(val, &o->cpus_allowed))
			return fail(
			    err, errlen,
			    "%s%s=%s: not a CPU list; give CPU numbers and ranges below %d, "
			    "e.g. 0-3,6",
			    where, d->name, val, CPU_SETSIZE);
		o->cpus_allowed_set = true;
		break;
	case T_BS:
	case T_BSRANGE:
	case T_BSSPLIT:
		r = apply_bs(d, val, where, o, err, errlen);
		if (r)
			return r;
		break;
	case T_QDLIST: {
		const char *p = val;
		prog->plot_nqd = 0;
		for (;;) {
			char num[32];
			size_t n = strcspn(p, ",:");
			if (n == 0 || n >= sizeof(num))
				return fail(err, errlen,
					    "%s%s=%s: not a list of queue depths; e.g. 1,4,16,64",
					    where, d->name, val);
			memcpy(num, p, n);
			num[n] = '\0';
			if (nvb_parse_size(num, &v) || v < d->min || v > d->max)
				return fail(err, errlen,
					    "%s%s=%s: '%s' is not a queue depth from %llu to %llu",
					    where, d->name, val, num, (unsigned long long)d->min,
					    (unsigned long long)d->max);
			if (prog->plot_nqd == NVB_PLOT_QD_MAX)
				return fail(err, errlen, "%s%s=%s: at most %d queue depths", where,
					    d->name, val, NVB_PLOT_QD_MAX);
			prog->plot_qd[prog->plot_nqd++] = v;
			p += n;
			if (!*p)
				break;
			p++;
		}
		break;
	}
	}
	if (d->scope == S_JOB)
		record_given(o, idx, val);
	return 0;
}

void nvb_opts_defaults(struct nvb_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rw = NVB_RW_READ;
	o->rwmixread = 50;
	for (unsigned d = 0; d < NVB_BS_DDIRS; d++)
		o->bs[d] = 4096;
	o->iodepth = 1;
	o->iodepth_batch_submit = 1;
	o->numjobs = 1;
	o->randseed = 0x6e7666696f; /* fixed, so runs repeat their offsets (fio's randrepeat) */
	o->direct = true;
	o->shadow_doorbells = true;
	o->sqthread_poll_cpu = UINT64_MAX;
}

static void prog_defaults(struct nvb_prog *p)
{
	static const uint64_t qd[] = {1, 2, 4, 8, 16, 32, 64, 128};

	memset(p, 0, sizeof(*p));
	p->rounds = 3;
	for (unsigned i = 0; i < sizeof(qd) / sizeof(qd[0]); i++)
		p->plot_qd[i] = qd[i];
	p->plot_nqd = sizeof(qd) / sizeof(qd[0]);
}

void nvb_config_init(struct nvb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	prog_defaults(&cfg->prog);
}

void nvb_config_free(struct nvb_config *cfg)
{
	free(cfg->jobs);
	cfg->jobs = NULL;
	cfg->njobs = 0;
}

/* An option as written: index, value (NULL for a bare name) and where it came from. */
struct kv {
	int idx;
	char *val;
	char where[160];
};

struct kvlist {
	struct kv *v;
	size_t n, cap;
};

static int kv_add(struct kvlist *l, int idx, const char *val, size_t vlen, const char *where)
{
	struct kv *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct kv *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	e = &l->v[l->n];
	e->idx = idx;
	e->val = NULL;
	if (val) {
		e->val = strndup(val, vlen);
		if (!e->val)
			return -ENOMEM;
	}
	snprintf(e->where, sizeof(e->where), "%s", where);
	l->n++;
	return 0;
}

static void kv_free(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].val);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int apply_list(const struct kvlist *l, struct nvb_opts *o, struct nvb_prog *prog, char *err,
		      size_t errlen)
{
	for (size_t i = 0; i < l->n; i++) {
		int r = apply(l->v[i].idx, l->v[i].val, l->v[i].where, o, prog, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

static int add_job(struct nvb_config *cfg, const struct nvb_opts *o)
{
	struct nvb_opts *nj = realloc(cfg->jobs, (cfg->njobs + 1) * sizeof(*nj));

	if (!nj)
		return -ENOMEM;
	cfg->jobs = nj;
	cfg->jobs[cfg->njobs++] = *o;
	return 0;
}

/* The job the command line's options make when no --name and no job file gives one. */
#define IMPLICIT_JOB "nvfio-perf"

/*
 * Build one job: defaults, then each list in order. The job's name comes from @name unless a
 * list sets it.
 */
static int build_job(struct nvb_config *cfg, const char *name, const struct kvlist *const *lists,
		     unsigned nlists, char *err, size_t errlen)
{
	struct nvb_opts *o = malloc(sizeof(*o));
	int r = 0;

	if (!o)
		return -ENOMEM;
	nvb_opts_defaults(o);
	snprintf(o->name, sizeof(o->name), "%s", name);
	record_given(o, nvb_opt_index("name"), name);
	for (unsigned i = 0; i < nlists && !r; i++)
		r = apply_list(lists[i], o, &cfg->prog, err, errlen);
	/* A job of the program's name is not named again in its messages. */
	if (strcmp(o->name, IMPLICIT_JOB) != 0)
		snprintf(o->label, sizeof(o->label), "%s: ", o->name);
	if (!r)
		r = add_job(cfg, o);
	free(o);
	return r;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Resolve a name to an option, or fail with a suggestion. */
static int lookup(const char *name, size_t len, const char *where, char *err, size_t errlen)
{
	int idx = find_opt(name, len);
	const char *near;

	if (idx >= 0)
		return idx;
	near = suggest(name, len);
	if (near)
		return fail(err, errlen, "%sunknown option '%.*s'; did you mean '%s'? (see --help)",
			    where, (int)len, name, near);
	return fail(err, errlen, "%sunknown option '%.*s' (see --help for the accepted ones)",
		    where, (int)len, name);
}

/* Job files: larger ones are refused (a job file is a page or two; /dev/zero never ends). */
#define JOBFILE_MAX (1u << 20)
/* include directives in a chain at most (a file that includes itself stops here). */
#define INCLUDE_DEPTH 8

/*
 * Read job file @path whole, as text: 0, or -EINVAL with a sentence in @err (it cannot be read,
 * is larger than JOBFILE_MAX, or holds a NUL byte, named with its line).
 */
static int read_file(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf, *nul;
	size_t len = 0;

	if (!f)
		return fail(err, errlen, "job file %s: %s", path, strerror(errno));
	buf = malloc(JOBFILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	/* One byte past the limit tells a file at the limit from a larger one. */
	while (len <= JOBFILE_MAX) {
		size_t n = fread(buf + len, 1, JOBFILE_MAX + 1 - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return fail(err, errlen, "job file %s: read error", path);
	}
	fclose(f);
	if (len > JOBFILE_MAX) {
		free(buf);
		return fail(err, errlen,
			    "job file %s: larger than %u KiB: not a job file (name a fio job file, "
			    "not a device or a data file)",
			    path, JOBFILE_MAX >> 10);
	}
	nul = memchr(buf, '\0', len);
	if (nul) {
		unsigned line = 1;

		for (const char *p = buf; p < nul; p++)
			line += *p == '\n';
		free(buf);
		return fail(err, errlen, "%s:%u: a NUL byte: a job file is text", path, line);
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* What a job file's lines build up, across the files it includes. */
struct jobfile {
	struct nvb_config *cfg;
	const struct kvlist *cli_global;
	struct kvlist global, job;
	char section[NVB_NAME_MAX];
	bool in_job, in_global;
};

/* The job of the section that ends here, if there is one. */
static int end_section(struct jobfile *jf, char *err, size_t errlen)
{
	const struct kvlist *lists[] = {&jf->global, &jf->job, jf->cli_global};
	int r;

	if (!jf->in_job)
		return 0;
	r = build_job(jf->cfg, jf->section, lists, 3, err, errlen);
	kv_free(&jf->job);
	return r;
}

/*
 * fio's ${VAR}: the environment's value in place. An unset variable is an error naming it, not
 * an empty value that would fail later as one nobody wrote. Returns the line, @line itself when it
 * has none, or NULL with the error in @err.
 */
static char *expand_env(char *line, const char *where, char **owned, char *err, size_t errlen,
			int *r)
{
	size_t cap = 0, len = 0;
	char *out = NULL;

	*owned = NULL;
	if (!strstr(line, "${"))
		return line;
	for (const char *p = line; *p;) {
		const char *add = p, *close;
		size_t n = 1;
		char name[128];

		if (p[0] == '$' && p[1] == '{') {
			close = strchr(p + 2, '}');
			if (!close || close == p + 2 || (size_t)(close - p - 2) >= sizeof(name)) {
				*r = fail(err, errlen,
					  "%s'%s': write an environment variable as ${NAME}", where,
					  p);
				break;
			}
			memcpy(name, p + 2, (size_t)(close - p - 2));
			name[close - p - 2] = '\0';
			add = getenv(name);
			if (!add) {
				*r = fail(err, errlen,
					  "%s${%s}: the environment variable %s is not set", where,
					  name, name);
				break;
			}
			n = strlen(add);
			p = close + 1;
		} else {
			p++;
		}
		if (len + n + 1 > cap) {
			char *nb;
			cap = (len + n + 1) * 2;
			nb = realloc(out, cap);
			if (!nb) {
				*r = -ENOMEM;
				break;
			}
			out = nb;
		}
		memcpy(out + len, add, n);
		len += n;
		out[len] = '\0';
	}
	if (*r) {
		free(out);
		return NULL;
	}
	*owned = out;
	return out;
}

static int parse_text(struct jobfile *jf, const char *text, const char *fname, unsigned depth,
		      char *err, size_t errlen);

/* include FILE: FILE's lines as if they stood here; a relative FILE is the including file's
 * directory's. */
static int include_file(struct jobfile *jf, const char *file, const char *fname, unsigned depth,
			const char *where, char *err, size_t errlen)
{
	const char *slash = strrchr(fname, '/');
	char path[NVB_PATH_MAX];
	char *text = NULL;
	int r;

	if (!*file)
		return fail(err, errlen, "%sinclude needs a file name", where);
	if (depth >= INCLUDE_DEPTH)
		return fail(err, errlen,
			    "%sinclude %s: more than %u job files deep (does one include itself?)",
			    where, file, INCLUDE_DEPTH);
	if ((size_t)snprintf(path, sizeof(path), "%.*s%s",
			     file[0] == '/' || !slash ? 0 : (int)(slash - fname + 1), fname,
			     file) >= sizeof(path))
		return fail(err, errlen, "%sinclude %s: path too long", where, file);
	r = read_file(path, &text, err, errlen);
	if (r) {
		/* Say where the include was, before what is wrong with the file. */
		char why[NVB_ERR_MAX];

		snprintf(why, sizeof(why), "%s", err);
		return r == -EINVAL ? fail(err, errlen, "%sinclude: %s", where, why) : r;
	}
	r = parse_text(jf, text, path, depth + 1, err, errlen);
	free(text);
	return r;
}

/*
 * Job file: fio's ini format. [global] sections set defaults for the jobs after them; every
 * other section is a job named after it. Lines are "key=value", a bare "key", or
 * "include FILE"; ${VAR} is the environment's VAR; ';' and '#' start comments.
 */
static int parse_text(struct jobfile *jf, const char *text, const char *fname, unsigned depth,
		      char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	unsigned lineno = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	/* strtok_r would merge empty lines and lose line numbers; split by hand. */
	for (line = copy; line && !r; line = save) {
		char *nl = strchr(line, '\n'), *s, *eq, *owned;
		char where[192];

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		s = trim(line);
		if (!*s || *s == ';' || *s == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%u: ", fname, lineno);
		s = expand_env(s, where, &owned, err, errlen, &r);
		if (!s)
			break;
		if (strncmp(s, "include", 7) == 0 && isspace((unsigned char)s[7])) {
			r = include_file(jf, trim(s + 8), fname, depth, where, err, errlen);
			free(owned);
			continue;
		}
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || end == s + 1 || *trim(end + 1))
				r = fail(err, errlen, "%sbad section header '%s'; write [name]",
					 where, s);
			else if ((size_t)(end - s - 1) >= sizeof(jf->section))
				r = fail(err, errlen, "%ssection name longer than %zu characters",
					 where, sizeof(jf->section) - 1);
			if (!r)
				r = end_section(jf, err, errlen);
			if (!r) {
				*end = '\0';
				snprintf(jf->section, sizeof(jf->section), "%s", s + 1);
				jf->in_global = strcmp(jf->section, "global") == 0;
				jf->in_job = !jf->in_global;
			}
			free(owned);
			continue;
		}
		if (!jf->in_job && !jf->in_global) {
			r = fail(err, errlen,
				 "%soption outside a section; start with [global] or [jobname]",
				 where);
			free(owned);
			break;
		}
		eq = strchr(s, '=');
		{
			char *key = s, *val = NULL;
			int idx;
			if (eq) {
				*eq = '\0';
				val = trim(eq + 1);
				key = trim(s);
			}
			idx = lookup(key, strlen(key), where, err, errlen);
			if (idx < 0) {
				r = idx;
			} else if (idx == nvb_opt_index("name")) {
				if (!val || !*val)
					r = fail(err, errlen, "%sname needs a value", where);
				else if (jf->in_job)
					snprintf(jf->section, sizeof(jf->section), "%s", val);
			} else {
				r = kv_add(jf->in_global ? &jf->global : &jf->job, idx, val,
					   val ? strlen(val) : 0, where);
			}
		}
		free(owned);
	}
	free(copy);
	return r;
}

static int parse_jobfile(const char *text, const char *fname, struct nvb_config *cfg,
			 const struct kvlist *cli_global, char *err, size_t errlen)
{
	struct jobfile jf = {.cfg = cfg, .cli_global = cli_global};
	int r;

	r = parse_text(&jf, text, fname, 0, err, errlen);
	if (!r)
		r = end_section(&jf, err, errlen);
	kv_free(&jf.global);
	kv_free(&jf.job);
	return r;
}

int nvb_parse_jobfile_text(const char *text, const char *where, struct nvb_config *cfg, char *err,
			   size_t errlen)
{
	struct kvlist none = {0};

	return parse_jobfile(text, where, cfg, &none, err, errlen);
}

int nvb_parse_jobfile(const char *path, struct nvb_config *cfg, char *err, size_t errlen)
{
	struct kvlist none = {0};
	char *text = NULL;
	int r = read_file(path, &text, err, errlen);

	if (!r)
		r = parse_jobfile(text, path, cfg, &none, err, errlen);
	free(text);
	return r;
}

int nvb_parse_args(int argc, char **argv, struct nvb_config *cfg, char *err, size_t errlen)
{
	struct kvlist global = {0};
	struct kvlist *jobs = NULL; /* one list per --name */
	char **files = NULL;
	size_t njobs = 0, nfiles = 0;
	int r = 0;

	nvb_config_init(cfg);
	err[0] = '\0';

	for (int i = 1; i < argc && !r; i++) {
		const char *a = argv[i], *name, *eq, *val = NULL;
		size_t nlen, vlen = 0;
		int idx;

		if (a[0] != '-' || a[1] == '\0') {
			char **nf = realloc(files, (nfiles + 1) * sizeof(*nf));
			if (!nf) {
				r = -ENOMEM;
				break;
			}
			files = nf;
			files[nfiles++] = argv[i];
			continue;
		}
		name = a + (a[1] == '-' ? 2 : 1);
		if (strcmp(a, "-h") == 0)
			name = "help";
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		idx = lookup(name, nlen, "", err, errlen);
		if (idx < 0) {
			r = idx;
			break;
		}
		if (eq) {
			val = eq + 1;
			vlen = strlen(val);
		} else if (opts[idx].type != T_BOOL) {
			/* "--bs 4k", as getopt_long allows in fio. */
			if (i + 1 >= argc) {
				r = fail(err, errlen, "--%s needs a value (--%s=%s)",
					 opts[idx].name, opts[idx].name,
					 opts[idx].arg ? opts[idx].arg : "VALUE");
				break;
			}
			val = argv[++i];
			vlen = strlen(val);
		}
		if (opts[idx].scope == S_PROG) {
			char v[NVB_PATH_MAX];
			snprintf(v, sizeof(v), "%.*s", (int)vlen, val ? val : "");
			r = apply(idx, val ? v : NULL, "--", NULL, &cfg->prog, err, errlen);
			continue;
		}
		if (idx == nvb_opt_index("name")) {
			struct kvlist *nl = realloc(jobs, (njobs + 1) * sizeof(*nl));
			if (!nl) {
				r = -ENOMEM;
				break;
			}
			jobs = nl;
			memset(&jobs[njobs], 0, sizeof(jobs[njobs]));
			njobs++;
		}
		r = kv_add(njobs ? &jobs[njobs - 1] : &global, idx, val, vlen, "--");
	}

	if (!r && (cfg->prog.help || cfg->prog.version))
		goto out;

	for (size_t f = 0; f < nfiles && !r; f++) {
		char *text = NULL;
		r = read_file(files[f], &text, err, errlen);
		if (r)
			break;
		r = parse_jobfile(text, files[f], cfg, &global, err, errlen);
		free(text);
	}
	for (size_t j = 0; j < njobs && !r; j++) {
		const struct kvlist *lists[] = {&global, &jobs[j]};
		r = build_job(cfg, "", lists, 2, err, errlen);
	}
	/* Options alone on the command line make one job, as if --name=nvfio-perf came first. */
	if (!r && cfg->njobs == 0) {
		if (nfiles)
			r = fail(err, errlen, "no jobs in %s%s: add a [jobname] section", files[0],
				 nfiles > 1 ? " and the other job files" : "");
		else {
			const struct kvlist *lists[] = {&global};
			r = build_job(cfg, IMPLICIT_JOB, lists, 1, err, errlen);
		}
	}
out:
	kv_free(&global);
	for (size_t j = 0; j < njobs; j++)
		kv_free(&jobs[j]);
	free(jobs);
	free(files);
	if (r == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory while parsing the options");
	if (r)
		nvb_config_free(cfg);
	return r;
}

void nvb_usage(FILE *f)
{
	fprintf(f, "usage: nvfio-perf [--option=value ...] [jobfile ...]\n\n"
		   "A fio-style benchmark for nvfio and the kernel's io_uring. Options have fio's\n"
		   "names and meanings; job files use fio's ini format. Options before the first\n"
		   "--name apply to every job and override job files.\n\n");
	for (int i = 0; i < NOPTS; i++) {
		char left[64];
		if (i == nvb_opt_index("output-format"))
			fprintf(f, "\nprogram options:\n");
		if (opts[i].arg)
			snprintf(left, sizeof(left), "--%s=%s", opts[i].name, opts[i].arg);
		else
			snprintf(left, sizeof(left), "--%s", opts[i].name);
		fprintf(f, "  %-34s %s%s\n", left, opts[i].help,
			opts[i].engines == URING	       ? " [io_uring engines]"
			: opts[i].engines == NVB_ENG_URING_CMD ? " [io_uring_cmd]"
			: opts[i].engines == NVB_ENG_NVFIO     ? " [nvfio]"
							       : "");
	}
	fprintf(
	    f, "\nSizes take k, m, g, t suffixes (powers of 1024); times take us, ms, s, m, h.\n"
	       "The engine follows from --filename: nvfio for PCI addresses, sim: and vfio-user:,\n"
	       "io_uring for block devices and files.\n");
}
