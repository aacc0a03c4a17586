/*
 * impact/protocol.c: every round runs every entry exactly once, in orders
 * that differ between rounds and seeds; slowdown reads the same for
 * throughputs and latencies (extra time per unit of work); the statistics
 * are the textbook ones and the bootstrap interval holds the median.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "impact/protocol.h"

Test(impact_protocol, every_round_runs_every_entry_exactly_once)
{
    enum { ENTRIES = 5, ROUNDS = 7 };
    unsigned order[ENTRIES * ROUNDS];
    impact_schedule(ENTRIES, ROUNDS, 42, order);
    for (unsigned r = 0; r < ROUNDS; r++) {
        unsigned seen[ENTRIES] = {0};
        for (unsigned i = 0; i < ENTRIES; i++) {
            cr_assert_lt(order[r * ENTRIES + i], ENTRIES);
            seen[order[r * ENTRIES + i]]++;
        }
        for (unsigned e = 0; e < ENTRIES; e++)
            cr_expect_eq(seen[e], 1, "round %u runs entry %u %u times", r, e, seen[e]);
    }
}

/* Shuffled: the baseline is not always first, rounds differ, and so do seeds. */
Test(impact_protocol, orders_are_shuffled_per_round_and_per_seed)
{
    enum { ENTRIES = 3, ROUNDS = 40 };
    unsigned a[ENTRIES * ROUNDS], b[ENTRIES * ROUNDS];
    impact_schedule(ENTRIES, ROUNDS, 1, a);
    impact_schedule(ENTRIES, ROUNDS, 2, b);
    cr_expect_neq(memcmp(a, b, sizeof(a)), 0, "another seed, another order");
    unsigned first[ENTRIES] = {0}, differs = 0;
    for (unsigned r = 0; r < ROUNDS; r++) {
        first[a[r * ENTRIES]]++;
        differs +=
            r > 0 && memcmp(&a[r * ENTRIES], &a[(r - 1) * ENTRIES], sizeof(unsigned) * ENTRIES);
    }
    for (unsigned e = 0; e < ENTRIES; e++)
        cr_expect_gt(first[e], 4, "entry %u opened %u of %u rounds", e, first[e], ROUNDS);
    cr_expect_gt(differs, ROUNDS / 3);
    unsigned again[ENTRIES * ROUNDS];
    impact_schedule(ENTRIES, ROUNDS, 1, again);
    cr_expect_eq(memcmp(a, again, sizeof(a)), 0, "the same seed, the same order");
}

Test(impact_protocol, slowdown_is_extra_time_per_unit_of_work_either_way)
{
    /* Half the throughput and twice the latency are both 100% slower. */
    cr_expect_float_eq(impact_slowdown_percent(1000, 500, 1), 100.0, 1e-9);
    cr_expect_float_eq(impact_slowdown_percent(80, 160, 0), 100.0, 1e-9);
    cr_expect_float_eq(impact_slowdown_percent(100, 100, 1), 0.0, 1e-9);
    cr_expect_float_eq(impact_slowdown_percent(100, 125, 1), -20.0, 1e-9, "faster is negative");
    cr_expect(isnan(impact_slowdown_percent(0, 5, 1)));
    cr_expect(isnan(impact_slowdown_percent(5, 0, 0)));
    cr_expect(isnan(impact_slowdown_percent(NAN, 5, 0)));
}

Test(impact_protocol, statistics_are_median_min_max_with_an_interval_around_the_median)
{
    const double odd[] = {5, 1, 9, 3, 7};
    impact_stats_t s = impact_stats(odd, 5, 2000, 7);
    cr_expect_eq(s.n, 5);
    cr_expect_float_eq(s.median, 5.0, 1e-12);
    cr_expect_float_eq(s.min, 1.0, 1e-12);
    cr_expect_float_eq(s.max, 9.0, 1e-12);
    cr_expect(s.ci95_low <= s.median && s.median <= s.ci95_high, "[%g, %g]", s.ci95_low,
              s.ci95_high);
    cr_expect(s.ci95_low >= s.min && s.ci95_high <= s.max);
    cr_expect_lt(s.ci95_low, s.ci95_high, "five different values: not a point");
    const double even[] = {4, 2, 8, 6};
    cr_expect_float_eq(impact_stats(even, 4, 100, 1).median, 5.0, 1e-12);
    /* The same seed gives the same interval. */
    impact_stats_t again = impact_stats(odd, 5, 2000, 7);
    cr_expect_eq(again.ci95_low, s.ci95_low);
    cr_expect_eq(again.ci95_high, s.ci95_high);
}

Test(impact_protocol, constant_values_have_a_point_interval_and_nan_is_left_out)
{
    const double same[] = {3, 3, NAN, 3};
    impact_stats_t s = impact_stats(same, 4, 500, 3);
    cr_expect_eq(s.n, 3);
    cr_expect_float_eq(s.ci95_low, 3.0, 1e-12);
    cr_expect_float_eq(s.ci95_high, 3.0, 1e-12);
    const double none[] = {NAN, NAN};
    impact_stats_t empty = impact_stats(none, 2, 500, 3);
    cr_expect_eq(empty.n, 0);
    cr_expect(isnan(empty.median));
}

/* A wide sample has a wider interval than a tight one around the same median. */
Test(impact_protocol, interval_widens_with_the_spread)
{
    const double tight[] = {9.9, 10, 10.1, 10, 9.95, 10.05, 10};
    const double wide[] = {2, 10, 18, 10, 5, 15, 10};
    impact_stats_t t = impact_stats(tight, 7, 2000, 11);
    impact_stats_t w = impact_stats(wide, 7, 2000, 11);
    cr_expect_lt(t.ci95_high - t.ci95_low, w.ci95_high - w.ci95_low);
}
