// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

void cli_progress_bar(const char *what, unsigned int pct)
{
	static const char spin[] = "-\\|/";
	static unsigned int turn;
	char bar[51];
	unsigned int i, full = (pct > 100 ? 100 : pct) / 2;

	if (!isatty(STDERR_FILENO))
		return;
	for (i = 0; i < 50; i++)
		bar[i] = i < full ? '-' : ' ';
	if (full < 50)
		bar[full] = spin[turn++ % 4];
	bar[50] = '\0';
	fprintf(stderr, "\r[%s] %3u%% %s", bar, pct, what);
	if (pct >= 100)
		fputc('\n', stderr);
	fflush(stderr);
}

static void *tick(void *arg)
{
	struct cli_ticker *t = arg;
	struct timespec start, now, until;
	long secs;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		secs = (long)(now.tv_sec - start.tv_sec);
		fprintf(stderr, "\r%s: %ld s", t->what, secs);
		fflush(stderr);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		while (!t->stop &&
		       pthread_cond_timedwait(&t->cond, &t->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&t->lock);
	fputc('\n', stderr);
	return NULL;
}

void cli_ticker_start(struct cli_ticker *t, const char *what)
{
	t->what = what;
	t->stop = false;
	t->running = false;
	if (!isatty(STDERR_FILENO))
		return;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	t->running = pthread_create(&t->thread, NULL, tick, t) == 0;
	if (!t->running) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
	}
}

void cli_ticker_stop(struct cli_ticker *t)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	t->running = false;
}
