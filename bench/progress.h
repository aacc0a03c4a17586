/*
 * Progress of long benchmark steps as one status line on stderr, rewritten
 * in place, and only when stderr is a terminal (logs and pipes stay clean).
 */
#ifndef MINEMETER_BENCH_PROGRESS_H
#define MINEMETER_BENCH_PROGRESS_H

/* Replaces the status line with this text. */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Clears the status line before ordinary output. */
void bench_progress_done(void);

#endif
