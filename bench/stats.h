/* Summary statistics for repeated measurements: median and spread. */
#ifndef MINEMETER_BENCH_STATS_H
#define MINEMETER_BENCH_STATS_H

#include <stddef.h>

typedef struct {
    double median, min, max;
    size_t n;
} bench_stats_t;

/* Summarises n values (n may be 0: all fields zero). The input is not changed. */
bench_stats_t bench_stats(const double *values, size_t n);

#endif
