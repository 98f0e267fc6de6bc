/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NVFIO_CLI_PROGRESS_H
#define NVFIO_CLI_PROGRESS_H

/*
 * Progress of long operations, drawn on standard error when it is a terminal (nothing is
 * drawn otherwise, so that scripts see only the result).
 */

#include <pthread.h>
#include <stdbool.h>

/* cli_progress_bar() - "\r[-----\    ]  42% WHAT"; a newline follows at 100. */
void cli_progress_bar(const char *what, unsigned int pct);

/* A line that counts seconds while a command the controller reports nothing of runs. */
struct cli_ticker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const char *what;
	bool stop, running;
};

void cli_ticker_start(struct cli_ticker *t, const char *what);
void cli_ticker_stop(struct cli_ticker *t);

#endif /* NVFIO_CLI_PROGRESS_H */
