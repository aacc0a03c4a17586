/*
 * The impact protocol's arithmetic: the order runs are made in, the
 * slowdown of one run against its paired baseline, and the statistics over
 * repetitions (median, min-max, a 95% bootstrap interval). No clocks, no
 * threads: `minemeter impact` (cli/cmd_impact.c) makes the runs.
 */
#ifndef MINEMETER_IMPACT_PROTOCOL_H
#define MINEMETER_IMPACT_PROTOCOL_H

#include <stdint.h>

/*
 * The run order: rounds rounds, each running every one of entries entries
 * (entry 0 is the baseline, the victim alone) once, in an order shuffled
 * afresh each round from seed, so neither the baseline nor any
 * configuration always runs first, last or after the same neighbour.
 * order holds entries x rounds indexes, round by round.
 */
void impact_schedule(unsigned entries, unsigned rounds, uint64_t seed, unsigned *order);

/*
 * How much longer the victim took per unit of work beside the miner than
 * alone, in percent: for a throughput (higher_is_better) baseline/with - 1,
 * for a latency or a time with/baseline - 1, times 100. 0 means no loss,
 * 100 means twice the time. NAN when either figure is not positive.
 */
double impact_slowdown_percent(double baseline, double with_miner, int higher_is_better);

typedef struct {
    unsigned n;
    double median, min, max;
    double ci95_low, ci95_high; /* the median's 95% bootstrap interval (percentile method) */
} impact_stats_t;

/*
 * Median (the mean of the middle two for an even n), min, max and the
 * median's 95% interval from resamples bootstrap resamples drawn with seed
 * (the same seed gives the same interval). NAN values are left out; n says
 * how many counted (0: every figure NAN).
 */
impact_stats_t impact_stats(const double *values, unsigned n, unsigned resamples, uint64_t seed);

/* A small deterministic generator for the shuffles and resamples (splitmix64). */
uint64_t impact_random(uint64_t *state);

#endif
