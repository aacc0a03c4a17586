/* bench/stats.c: medians of odd and even counts, spread, and the empty case. */
#include <criterion/criterion.h>

#include "bench/stats.h"

Test(bench_stats, median_min_max_of_odd_and_even_counts)
{
    const double odd[] = {5, 1, 3};
    bench_stats_t s = bench_stats(odd, 3);
    cr_expect_float_eq(s.median, 3, 1e-12);
    cr_expect_float_eq(s.min, 1, 1e-12);
    cr_expect_float_eq(s.max, 5, 1e-12);
    cr_expect_eq(s.n, 3);
    const double even[] = {4, 1, 3, 2};
    s = bench_stats(even, 4);
    cr_expect_float_eq(s.median, 2.5, 1e-12);
    cr_expect_eq(even[0], 4, "the input must not be reordered");
}

Test(bench_stats, empty_input_gives_zeros)
{
    bench_stats_t s = bench_stats(NULL, 0);
    cr_expect_eq(s.n, 0);
    cr_expect_float_eq(s.median, 0, 1e-12);
}
