/*
 * bench/monero_reference.c against the real tool (Debian monero-tests):
 * a hash costs the difference between the run over the vector file
 * repeated and the run over it once, so process start is not in it; a tool
 * that dies says how. Nothing here asserts a speed.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "bench/monero_reference.h"

static void skip_without_tool(void)
{
    if (access(BENCH_MONERO_HASH_TESTS, X_OK) != 0)
        cr_skip_test("Monero's hash-tests is not installed (apt-get install monero-tests)");
}

Test(bench_monero_reference, a_hash_costs_the_repeated_run_less_the_single_run_per_extra_line,
     .timeout = 120)
{
    skip_without_tool();
    bench_reference_t ref;
    char why[256] = "";
    cr_assert_eq(bench_monero_reference("cn/0", -1, 0, &ref, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(ref.lines, 4, "tests-slow.txt has 4 vectors");
    cr_expect_gt(ref.repeated_seconds, ref.seconds);
    double expected =
        (ref.repeated_seconds - ref.seconds) / ((BENCH_MONERO_REPEAT - 1) * (double)ref.lines);
    cr_expect_float_eq(ref.seconds_per_hash, expected, 1e-12);
    cr_expect_gt(ref.seconds_per_hash, 0);
}

Test(bench_monero_reference, an_algorithm_the_tool_lacks_is_refused_with_the_reason)
{
    bench_reference_t ref;
    char why[256] = "";
    cr_expect_lt(bench_monero_reference("cn-pico", -1, 0, &ref, why, sizeof(why)), 0);
    cr_expect_not_null(strstr(why, "has no cn-pico"), "%s", why);
}
