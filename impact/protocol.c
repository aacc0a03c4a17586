/*
 * Run order, slowdown and bootstrap statistics for `minemeter impact`.
 */
#include "impact/protocol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t impact_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n): the multiply-shift keeps the bias below 2^-32 for any n that fits. */
static unsigned below(uint64_t *state, unsigned n)
{
    return (unsigned)(((impact_random(state) >> 32) * (uint64_t)n) >> 32);
}

void impact_schedule(unsigned entries, unsigned rounds, uint64_t seed, unsigned *order)
{
    uint64_t state = seed;
    for (unsigned r = 0; r < rounds; r++) {
        unsigned *round = order + (size_t)r * entries;
        for (unsigned i = 0; i < entries; i++)
            round[i] = i;
        for (unsigned i = entries; i > 1; i--) { /* Fisher-Yates */
            unsigned j = below(&state, i);
            unsigned t = round[i - 1];
            round[i - 1] = round[j];
            round[j] = t;
        }
    }
}

double impact_slowdown_percent(double baseline, double with_miner, int higher_is_better)
{
    if (!(baseline > 0) || !(with_miner > 0) || !isfinite(baseline) || !isfinite(with_miner))
        return NAN;
    double ratio = higher_is_better ? baseline / with_miner : with_miner / baseline;
    return (ratio - 1) * 100;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n sorted values. */
static double median_sorted(const double *v, unsigned n)
{
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

impact_stats_t impact_stats(const double *values, unsigned n, unsigned resamples, uint64_t seed)
{
    impact_stats_t s = {0, NAN, NAN, NAN, NAN, NAN};
    double *v = malloc(sizeof(double) * (n > 0 ? n : 1));
    double *draw = malloc(sizeof(double) * (n > 0 ? n : 1));
    double *medians = malloc(sizeof(double) * (resamples > 0 ? resamples : 1));
    if (v == NULL || draw == NULL || medians == NULL) {
        free(v);
        free(draw);
        free(medians);
        return s;
    }
    for (unsigned i = 0; i < n; i++)
        if (!isnan(values[i]))
            v[s.n++] = values[i];
    if (s.n > 0) {
        qsort(v, s.n, sizeof(double), compare_double);
        s.median = median_sorted(v, s.n);
        s.min = v[0];
        s.max = v[s.n - 1];
        uint64_t state = seed;
        for (unsigned b = 0; b < resamples; b++) {
            for (unsigned i = 0; i < s.n; i++)
                draw[i] = v[below(&state, s.n)];
            qsort(draw, s.n, sizeof(double), compare_double);
            medians[b] = median_sorted(draw, s.n);
        }
        if (resamples > 0) {
            qsort(medians, resamples, sizeof(double), compare_double);
            /* The 2.5th and 97.5th percentiles, nearest rank. */
            unsigned lo = (unsigned)floor(0.025 * resamples);
            unsigned hi = (unsigned)ceil(0.975 * resamples) - 1;
            s.ci95_low = medians[lo];
            s.ci95_high = medians[hi < resamples ? hi : resamples - 1];
        }
    }
    free(v);
    free(draw);
    free(medians);
    return s;
}
