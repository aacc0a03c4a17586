/*
 * Report files (bench's and impact's) written safely: under PATH.tmp,
 * then renamed into place, so a reader (or a failed run) never sees half a
 * report. The first error is kept and returned at the end.
 */
#ifndef MINEMETER_BENCH_REPORT_FILE_H
#define MINEMETER_BENCH_REPORT_FILE_H

#include <stdio.h>

typedef struct {
    FILE *f;
    char *tmp;
    int err;      /* first error, as a negative errno */
    unsigned col; /* for writers that count fields in a row */
} bench_out_t;

/* Opens PATH.tmp for writing. Returns 0 or a negative errno. */
int bench_out_open(bench_out_t *o, const char *path);

/* Records an error (a positive errno); only the first one counts. */
void bench_out_fail(bench_out_t *o, int err);

void bench_out_printf(bench_out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Closes and renames into place, or removes the file when anything failed. */
int bench_out_close(bench_out_t *o, const char *path);

#endif
