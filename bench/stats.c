#include "bench/stats.h"

#include <stdlib.h>
#include <string.h>

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_stats_t bench_stats(const double *values, size_t n)
{
    bench_stats_t s = {0, 0, 0, n};
    if (n == 0)
        return s;
    double sorted[64];
    size_t m = n < 64 ? n : 64;
    memcpy(sorted, values, m * sizeof(double));
    qsort(sorted, m, sizeof(double), compare_double);
    s.min = sorted[0];
    s.max = sorted[m - 1];
    s.median = m % 2 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
    s.n = m;
    return s;
}
