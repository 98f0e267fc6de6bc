/* SPDX-License-Identifier: BSD-3-Clause */
#include <sched.h>
#include <time.h>

#include "support/time.h"

uint64_t nvf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void nvf_backoff(unsigned int *us)
{
	struct timespec ts;

	if (*us == 0) {
		sched_yield();
		*us = 5;
		return;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)*us * 1000;
	nanosleep(&ts, NULL);
	*us = *us < 500 ? *us * 2 : 1000;
}
