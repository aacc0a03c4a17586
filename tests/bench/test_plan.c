/*
 * bench/plan.c: the plan, thread and size words of `minemeter bench`,
 * including a one-sentence reason for each refusal.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/plan.h"

Test(bench_plan, randomx_entries_without_a_mode_get_every_asked_mode)
{
    bench_plan_item_t items[BENCH_MAX_ALGOS];
    unsigned n = 0;
    char why[256];
    cr_assert_eq(
        bench_plan_parse("rx/0,cn/r,rx/2:light", "fast,light", items, &n, why, sizeof(why)), 0,
        "%s", why);
    cr_assert_eq(n, 4);
    cr_expect_str_eq(pow_algo_name(items[0].algo), "rx/0");
    cr_expect_eq(items[0].fast, 1);
    cr_expect_eq(items[1].fast, 0);
    cr_expect_str_eq(pow_algo_name(items[2].algo), "cn/r");
    cr_expect_str_eq(pow_algo_name(items[3].algo), "rx/2");
    cr_expect_eq(items[3].fast, 0);
    cr_assert_eq(bench_plan_parse("rx/0", "light", items, &n, why, sizeof(why)), 0);
    cr_expect_eq(n, 1);
    cr_expect_eq(items[0].fast, 0);
    /* "both", which the help offers, is fast and light. */
    cr_assert_eq(bench_plan_parse("rx/0", "both", items, &n, why, sizeof(why)), 0, "%s", why);
    cr_expect_eq(n, 2);
    cr_expect(items[0].fast && !items[1].fast);
    cr_assert_eq(bench_plan_parse("rx/0", "light,fast", items, &n, why, sizeof(why)), 0);
    cr_expect_eq(n, 2);
}

Test(bench_plan, refuses_what_it_cannot_measure)
{
    static const struct {
        const char *list, *modes, *reason;
    } bad[] = {
        {"rx/9", "fast", "unknown algorithm"},
        {"cn/r:fast", "fast", "only RandomX has modes"},
        {"rx/0:turbo", "fast", "only RandomX has modes"},
        {"rx/0", "turbo", "--mode takes"},
        {"rx/0", "fastlight", "--mode takes"},
        {"rx/0", "fast,turbo", "--mode takes"},
        {",", "fast", "at least one"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bench_plan_item_t items[BENCH_MAX_ALGOS];
        unsigned n = 0;
        char why[256] = "";
        cr_expect_eq(bench_plan_parse(bad[i].list, bad[i].modes, items, &n, why, sizeof(why)), -1,
                     "%s", bad[i].list);
        cr_expect_not_null(strstr(why, bad[i].reason), "%s: \"%s\"", bad[i].list, why);
    }
}

Test(bench_plan, thread_lists_and_sizes)
{
    unsigned threads[256], n = 0;
    char why[256] = "";
    cr_assert_eq(bench_threads_parse("1,2,4", threads, &n, why, sizeof(why)), 0);
    cr_expect_eq(n, 3);
    cr_expect_eq(threads[2], 4);
    cr_expect_eq(bench_threads_parse("1,0", threads, &n, why, sizeof(why)), -1);
    cr_expect_not_null(strstr(why, "'0'"), "%s", why);
    cr_expect_eq(bench_threads_parse("2,x", threads, &n, why, sizeof(why)), -1);
    /* Sorted and each count once: "1,1" with --repeat 40 once overflowed a 64-run array. */
    cr_assert_eq(bench_threads_parse("4,1,2,1,4", threads, &n, why, sizeof(why)), 0);
    cr_expect_eq(n, 3);
    cr_expect(threads[0] == 1 && threads[1] == 2 && threads[2] == 4, "%u %u %u", threads[0],
              threads[1], threads[2]);
    cr_assert_eq(bench_threads_parse("1,1", threads, &n, why, sizeof(why)), 0);
    cr_expect_eq(n, 1);
    cr_expect_eq(bench_size_parse("250K", why, sizeof(why)), 250000);
    cr_expect_eq(bench_size_parse("1M", why, sizeof(why)), 1000000);
    cr_expect_eq(bench_size_parse("12345", why, sizeof(why)), 12345);
    cr_expect_eq(bench_size_parse("9999", why, sizeof(why)), 0);
    cr_expect_not_null(strstr(why, "from 10K to"), "%s", why);
    cr_expect_eq(bench_size_parse("-1M", why, sizeof(why)), 0);
    cr_expect_eq(bench_size_parse("1G", why, sizeof(why)), 0);
    /* Nonces are 32 bits: no size past every nonce once. */
    cr_expect_eq(bench_size_parse("4294967296", why, sizeof(why)), (uint64_t)1 << 32);
    cr_expect_eq(bench_size_parse("4294967297", why, sizeof(why)), 0);
    cr_expect_not_null(strstr(why, "32-bit nonce"), "%s", why);
    cr_expect_eq(bench_size_parse("5000M", why, sizeof(why)), 0);
}
