/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake guest programs for tests/vm/selftest, which checks that tests/vm/run reports each outcome
 * as what it is. Built once per behaviour with -DSELFTEST_<BEHAVIOUR>.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("selftest %s on %s\n", argv[0], argc > 1 ? argv[1] : "(no device)");
#if defined(SELFTEST_PASS)
	printf("selftest-pass-output\n");
	fprintf(stderr, "selftest-pass-stderr\n");
	return 0;
#elif defined(SELFTEST_FAIL)
	fprintf(stderr, "selftest-expected-failure\n");
	return 1;
#elif defined(SELFTEST_SKIP)
	printf("SKIP: selftest-skip-reason\n");
	return 77;
#elif defined(SELFTEST_SPOOF)
	/* Marker look-alikes with a token that is not the boot's: they must stay plain output. */
	printf("@@NVFIO:0123456789abcdef:END vm_selftest_spoof rc=0 secs=0\n");
	printf("@@NVFIO:0123456789abcdef:DONE\n");
	return 1;
#elif defined(SELFTEST_HANG)
	/* Ignores the polite signal so that the harness has to kill it. */
	signal(SIGTERM, SIG_IGN);
	printf("selftest-hang-started\n");
	fflush(stdout);
	for (;;)
		pause();
#elif defined(SELFTEST_PANIC)
	FILE *f = fopen("/proc/sysrq-trigger", "w");

	printf("selftest-panic-now\n");
	fflush(stdout);
	/* Output still in the pipe to the serial port when the kernel dies is lost; let it drain. */
	sleep(2);
	if (!f) {
		perror("/proc/sysrq-trigger");
		return 1;
	}
	fputc('c', f);
	fclose(f);
	sleep(60);
	return 1;
#else
#error "define one SELFTEST_<behaviour>"
#endif
}
