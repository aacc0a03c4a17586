/*
 * miner/hashrate.c: windowed rates from samples, unknown until a window is
 * covered, and old samples forgotten once the ring wraps.
 */
#include <criterion/criterion.h>

#include "miner/hashrate.h"

#define SECOND 1000000000ull

Test(miner_hashrate, is_unknown_until_the_window_is_covered)
{
    miner_hashrate_t r;
    miner_hashrate_init(&r);
    cr_expect_lt(miner_hashrate_over(&r, 10 * SECOND), 0);
    for (uint64_t s = 0; s <= 5; s++)
        miner_hashrate_add(&r, s * SECOND, s * 100);
    cr_expect_lt(miner_hashrate_over(&r, 10 * SECOND), 0, "5 s of samples for a 10 s window");
    for (uint64_t s = 6; s <= 10; s++)
        miner_hashrate_add(&r, s * SECOND, s * 100);
    cr_expect_float_eq(miner_hashrate_over(&r, 10 * SECOND), 100.0, 1e-9);
}

Test(miner_hashrate, short_windows_see_only_recent_speed)
{
    miner_hashrate_t r;
    miner_hashrate_init(&r);
    uint64_t hashes = 0;
    for (uint64_t s = 0; s <= 120; s++) {
        miner_hashrate_add(&r, s * SECOND, hashes);
        hashes += s < 60 ? 50 : 200; /* the speed changes after a minute */
    }
    cr_expect_float_eq(miner_hashrate_over(&r, 10 * SECOND), 200.0, 1e-9);
    cr_expect_float_eq(miner_hashrate_over(&r, 120 * SECOND), 125.0, 1e-9);
    cr_expect_lt(miner_hashrate_over(&r, 15 * 60 * SECOND), 0);
}

Test(miner_hashrate, a_wrapped_ring_forgets_the_oldest_samples)
{
    miner_hashrate_t r;
    miner_hashrate_init(&r);
    for (uint64_t s = 0; s < 3 * MINER_HASHRATE_SAMPLES; s++)
        miner_hashrate_add(&r, s * SECOND, s * (s < 2 * MINER_HASHRATE_SAMPLES ? 1 : 7));
    /* 900 s fits in the ring and lies entirely in the last third. */
    double rate = miner_hashrate_over(&r, 900 * SECOND);
    cr_expect_gt(rate, 6.9);
    cr_expect_lt(rate, 7.1);
}
