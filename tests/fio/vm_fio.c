// SPDX-License-Identifier: BSD-3-Clause
/*
 * In the test VM: Debian's fio with the nvfio engine on the QEMU controller (argv[1]), written with
 * dots as fio needs it. Two random-read jobs sharing the controller, a verified random-write job
 * (crc32c, read back and checked by fio), and a random-read job on interrupts with hugepages; each
 * judged by fio's exit status and by its JSON output (every job without error and with exactly
 * the bytes and I/Os asked for).
 */

#include <errno.h>
#include <link.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test.h"

#ifndef NVFIO_FIO_BIN
#define NVFIO_FIO_BIN "/usr/bin/fio"
#endif
#ifndef NVFIO_FIO_ENGINE
#define NVFIO_FIO_ENGINE ""
#endif
#ifndef NVFIO_FIO_SKIP
#define NVFIO_FIO_SKIP "the fio engine was not built"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define VM_FIO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VM_FIO_ASAN 1
#endif
#endif

extern char **environ;

/* fio's environment: environ, or in a sanitizer build a copy with what fio needs for it. */
static char **fio_env;

#ifdef VM_FIO_ASAN
/*
 * The engine of a sanitizer build (the build of this program) needs AddressSanitizer's runtime as
 * the first library of the process, and fio is not built with it: fio runs with this program's
 * runtime in LD_PRELOAD. Leak checking is off in fio, which leaks memory of its own at exit
 * (sim.fio_* on the host tell the engine's leaks from fio's); any other report ends fio with a
 * failure, UndefinedBehaviorSanitizer's too (halt_on_error).
 */
static char *san_env[256];
static char env_preload[640], env_asan[512], env_ubsan[512];

struct runtime {
	char path[512];
};

static int find_asan(struct dl_phdr_info *info, size_t size, void *data)
{
	struct runtime *rt = data;
	const char *base = strrchr(info->dlpi_name, '/');

	/* GCC's, or clang's with -shared-libasan. */
	if (!base || (strncmp(base + 1, "libasan.so", strlen("libasan.so")) &&
		      strncmp(base + 1, "libclang_rt.asan", strlen("libclang_rt.asan"))))
		return 0;
	snprintf(rt->path, sizeof(rt->path), "%s", info->dlpi_name);
	return 1;
}

/* Points fio_env at san_env; 0, or -1 with the reason in @why. */
static int sanitizer_env(char *why, size_t whylen)
{
	const char *preload = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
	const char *ubsan = getenv("UBSAN_OPTIONS");
	struct runtime rt;
	size_t n = 0;

	if (!dl_iterate_phdr(find_asan, &rt)) {
		snprintf(why, whylen,
			 "no shared AddressSanitizer runtime among this program's libraries to "
			 "preload into fio (with clang, build with -shared-libasan)");
		return -1;
	}
	for (char **e = environ; *e && n < sizeof(san_env) / sizeof(san_env[0]) - 4; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) && strncmp(*e, "ASAN_OPTIONS=", 13) &&
		    strncmp(*e, "UBSAN_OPTIONS=", 14))
			san_env[n++] = *e;
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s%s%s", rt.path, preload ? ":" : "",
		 preload ? preload : "");
	snprintf(env_asan, sizeof(env_asan), "ASAN_OPTIONS=%s%sdetect_leaks=0", asan ? asan : "",
		 asan ? ":" : "");
	snprintf(env_ubsan, sizeof(env_ubsan),
		 "UBSAN_OPTIONS=%s%shalt_on_error=1:print_stacktrace=1", ubsan ? ubsan : "",
		 ubsan ? ":" : "");
	san_env[n++] = env_preload;
	san_env[n++] = env_asan;
	san_env[n++] = env_ubsan;
	san_env[n] = NULL;
	fio_env = san_env;
	return 0;
}
#endif

static int run_fio(const char *json, char *const args[])
{
	char *argv[40];
	char engine[512], output[256];
	size_t n = 0;
	pid_t pid;
	int st, r;

	snprintf(engine, sizeof(engine), "--ioengine=external:%s", NVFIO_FIO_ENGINE);
	snprintf(output, sizeof(output), "--output=%s", json);
	argv[n++] = (char *)NVFIO_FIO_BIN;
	argv[n++] = engine;
	argv[n++] = (char *)"--output-format=json";
	argv[n++] = output;
	argv[n++] = (char *)"--thread=1";
	for (; *args && n < sizeof(argv) / sizeof(argv[0]) - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;

	printf("$");
	for (size_t i = 0; i < n; i++)
		printf(" %s", argv[i]);
	printf("\n");
	fflush(stdout);
	r = posix_spawn(&pid, NVFIO_FIO_BIN, NULL, NULL, argv, fio_env);
	if (r) {
		fprintf(stderr, "cannot run %s: %s\n", NVFIO_FIO_BIN, strerror(r));
		return -1;
	}
	if (waitpid(pid, &st, 0) < 0) {
		perror("waitpid");
		return -1;
	}
	if (!WIFEXITED(st)) {
		fprintf(stderr, "fio died of signal %d\n", WTERMSIG(st));
		return -1;
	}
	return WEXITSTATUS(st);
}

/* The number after "key" : in [from, end), or -1. fio writes `"key" : value`. */
static long long number(const char *from, const char *end, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\" : ", key);
	p = strstr(from, pat);
	return p && p < end ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* Where "key" : { starts in [from, end), or end. */
static const char *object(const char *from, const char *end, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\" : {", key);
	p = strstr(from, pat);
	return p && p < end ? p : end;
}

struct want {
	long long read_bytes, read_ios, write_bytes, write_ios;
};

/*
 * Checks fio's JSON document: @njobs jobs, each with error 0 and the bytes and I/Os of @w. fio
 * prints error lines ahead of the document, so it starts at the first line that opens an object.
 */
static int check_json(const char *path, int njobs, const struct want *w)
{
	char *text = t_read_file(path), *doc, *end;
	const char *job;
	int jobs = 0, bad = 0;

	if (!text) {
		fprintf(stderr, "no JSON output in %s\n", path);
		return -1;
	}
	doc = text[0] == '{' ? text : strstr(text, "\n{");
	if (!doc || !(end = strrchr(doc, '}')) || !strstr(doc, "\"fio version\"")) {
		fprintf(stderr, "%s is not fio's JSON document:\n%s\n", path, text);
		free(text);
		return -1;
	}
	for (job = strstr(doc, "\"jobname\" : "); job; job = strstr(job + 1, "\"jobname\" : ")) {
		const char *next = strstr(job + 1, "\"jobname\" : ");
		const char *jend = next ? next : end;
		const char *rd = object(job, jend, "read"), *wr = object(job, jend, "write");
		const char *tr = object(job, jend, "trim");
		long long got[4] = {
		    number(rd, wr, "io_bytes"),
		    number(rd, wr, "total_ios"),
		    number(wr, tr, "io_bytes"),
		    number(wr, tr, "total_ios"),
		};
		long long err = number(job, rd, "error");

		jobs++;
		printf("job %d: error %lld, read %lld bytes in %lld I/Os, write %lld bytes in %lld "
		       "I/Os, read IOPS %lld\n",
		       jobs, err, got[0], got[1], got[2], got[3], number(rd, wr, "iops"));
		if (err != 0 || got[0] != w->read_bytes || got[1] != w->read_ios ||
		    got[2] != w->write_bytes || got[3] != w->write_ios) {
			fprintf(
			    stderr,
			    "job %d: expected error 0, read %lld bytes in %lld I/Os, write %lld "
			    "bytes in %lld I/Os\n",
			    jobs, w->read_bytes, w->read_ios, w->write_bytes, w->write_ios);
			bad = 1;
		}
	}
	if (jobs != njobs) {
		fprintf(stderr, "%d jobs in %s, expected %d\n", jobs, path, njobs);
		bad = 1;
	}
	if (bad)
		fprintf(stderr, "--- %s ---\n%s\n", path, text);
	free(text);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	char filename[64];
	const long long mib = 1 << 20;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PCI-ADDRESS\n", argv[0]);
		return T_EXIT_FAIL;
	}
	if (!NVFIO_FIO_ENGINE[0])
		SKIP("%s", NVFIO_FIO_SKIP);
	if (access(NVFIO_FIO_BIN, X_OK))
		SKIP("no %s in the guest (apt-get install fio on the host)", NVFIO_FIO_BIN);
	fio_env = environ;
#ifdef VM_FIO_ASAN
	{
		char why[256];

		if (sanitizer_env(why, sizeof(why)))
			SKIP("%s", why);
	}
#endif
	/* fio splits filenames at colons: 0000:00:04.0 is written 0000.00.04.0. */
	snprintf(filename, sizeof(filename), "--filename=%s", argv[1]);
	for (char *p = filename; *p; p++)
		if (*p == ':')
			*p = '.';

	{
		char *args[] = {filename,    "--name=randread", "--rw=randread",
				"--bs=4k",   "--iodepth=16",	"--iodepth_batch_submit=4",
				"--size=8M", "--numjobs=2",	NULL};
		struct want w = {8 * mib, 2048, 0, 0};

		rc = run_fio("randread.json", args);
		if (rc != 0) {
			fprintf(stderr, "FAIL: the random-read jobs: fio exited with %d\n", rc);
			check_json("randread.json", 2, &w);
			return T_EXIT_FAIL;
		}
		if (check_json("randread.json", 2, &w))
			return T_EXIT_FAIL;
	}
	{
		char *args[] = {filename,	    "--name=verify",
				"--rw=randwrite",   "--bs=4k",
				"--iodepth=16",	    "--size=16M",
				"--verify=crc32c",  "--do_verify=1",
				"--verify_fatal=1", NULL};
		struct want w = {16 * mib, 4096, 16 * mib, 4096};

		rc = run_fio("verify.json", args);
		if (rc != 0) {
			fprintf(stderr, "FAIL: the verified random-write job: fio exited with %d\n",
				rc);
			check_json("verify.json", 1, &w);
			return T_EXIT_FAIL;
		}
		if (check_json("verify.json", 1, &w))
			return T_EXIT_FAIL;
	}
	{
		/* The same controller on interrupts (an MSI-X vector per queue pair, slept on)
		 * with hugepage-backed queues and buffers. */
		char *args[] = {filename,	  "--name=interrupts", "--rw=randread",
				"--bs=16k",	  "--iodepth=4",       "--size=4M",
				"--interrupts=1", "--hugepages=1",     NULL};
		struct want w = {4 * mib, 256, 0, 0};

		rc = run_fio("interrupts.json", args);
		if (rc != 0) {
			fprintf(stderr, "FAIL: the job on interrupts: fio exited with %d\n", rc);
			check_json("interrupts.json", 1, &w);
			return T_EXIT_FAIL;
		}
		if (check_json("interrupts.json", 1, &w))
			return T_EXIT_FAIL;
	}
	printf("PASS\n");
	return T_EXIT_PASS;
}
