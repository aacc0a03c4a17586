/*
 * stratum/vardiff.c: a simulated miner of fixed hash rate finds shares at
 * exponential intervals (a Poisson process, as hashing does); the
 * difficulty must bring its share interval near the aim from a start far
 * too low and far too high, and each step stays within 4x.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "stratum/vardiff.h"

/* A reproducible uniform number in (0, 1). */
static double uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return ((double)(*state >> 11) + 0.5) / 9007199254740992.0;
}

/*
 * Runs a miner of rate H/s for seconds from difficulty start, aiming at
 * aim_s; returns the mean interval of the shares in the last third.
 */
static double simulate(double rate, uint64_t start, double aim_s, double seconds,
                       unsigned *max_step_violations)
{
    stratum_vardiff_config_t config = {aim_s, 1, UINT64_MAX / 2};
    stratum_vardiff_t v;
    stratum_vardiff_init(&v, start, 0);
    uint64_t rng = 42;
    double t = 0, late_from = seconds * 2 / 3;
    unsigned late_shares = 0;
    while (t < seconds) {
        /* The next share at this difficulty, or the next periodic check each second. */
        double wait = -log(uniform(&rng)) * (double)v.difficulty / rate;
        double next_check = floor(t) + 1;
        uint64_t before = v.difficulty, changed;
        if (t + wait < next_check) {
            t += wait;
            if (t >= late_from)
                late_shares++;
            changed = stratum_vardiff_update(&v, &config, (uint64_t)(t * 1000), 1);
        } else {
            t = next_check;
            changed = stratum_vardiff_update(&v, &config, (uint64_t)(t * 1000), 0);
        }
        if (changed != 0 &&
            ((double)changed > 4.0 * (double)before || (double)changed < (double)before / 4.0 - 1))
            (*max_step_violations)++;
    }
    return late_shares > 0 ? (seconds - late_from) / late_shares : INFINITY;
}

Test(stratum_vardiff, brings_a_fast_miner_from_a_low_start_to_the_aimed_interval)
{
    unsigned violations = 0;
    double interval = simulate(50000, 100, 10, 4 * 3600, &violations);
    cr_assert(interval > 5 && interval < 20, "mean interval %.1f s, aim 10 s", interval);
    cr_assert_eq(violations, 0);
}

Test(stratum_vardiff, brings_a_slow_miner_from_a_high_start_to_the_aimed_interval)
{
    unsigned violations = 0;
    double interval = simulate(40, 1000000, 5, 4 * 3600, &violations);
    cr_assert(interval > 2.5 && interval < 10, "mean interval %.1f s, aim 5 s", interval);
    cr_assert_eq(violations, 0);
}

Test(stratum_vardiff, leaves_a_well_set_difficulty_mostly_alone)
{
    stratum_vardiff_config_t config = {10, 1, 1000000};
    stratum_vardiff_t v;
    stratum_vardiff_init(&v, 1000, 0);
    /* Exactly on the aim: six shares in sixty seconds changes nothing. */
    for (int i = 1; i <= 6; i++)
        cr_assert_eq(stratum_vardiff_update(&v, &config, (uint64_t)i * 10000, 1), 0);
    cr_assert_eq(v.difficulty, 1000);
}

Test(stratum_vardiff, keeps_within_its_bounds)
{
    stratum_vardiff_config_t config = {10, 500, 2000};
    stratum_vardiff_t v;
    stratum_vardiff_init(&v, 1000, 0);
    /* No share for four periods: at most a quarter, and never under min. */
    cr_assert_eq(stratum_vardiff_update(&v, &config, 40000, 0), 500);
    /* Six shares in a millisecond: at most 4x, and never over max. */
    for (int i = 0; i < 5; i++)
        stratum_vardiff_update(&v, &config, 40001, 1);
    cr_assert_eq(stratum_vardiff_update(&v, &config, 40001, 1), 2000);
}
