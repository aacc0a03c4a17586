/*
 * stratum/backoff.c: the wait doubles per failure up to a minute with
 * +-25% jitter, and two processes draw different jitter (an unseeded
 * rand() gave every miner the same "random" delays, so miners that lost a
 * pool together came back together).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stratum/backoff.h"

Test(stratum_backoff, the_wait_doubles_per_failure_within_25_percent_up_to_a_minute)
{
    unsigned lo = UINT32_MAX, hi = 0;
    for (int i = 0; i < 2000; i++) {
        unsigned w = stratum_backoff_ms(1000, 1);
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    cr_expect_geq(lo, 750);
    cr_expect_leq(hi, 1250);
    cr_expect_lt(lo, 800, "the jitter reaches down: %u", lo);
    cr_expect_gt(hi, 1200, "and up: %u", hi);
    for (int i = 0; i < 100; i++) {
        unsigned w = stratum_backoff_ms(1000, 3);
        cr_expect(w >= 3000 && w <= 5000, "third failure: %u", w);
        w = stratum_backoff_ms(1000, 40);
        cr_expect(w >= 45000 && w <= 75000, "capped at a minute: %u", w);
    }
}

/* The first draws of a fresh process, as a child reports them. */
static void first_draws(uint64_t out[4])
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        uint64_t v[4];
        for (int i = 0; i < 4; i++)
            v[i] = stratum_random();
        ssize_t n = write(fds[1], v, sizeof(v));
        _exit(n == (ssize_t)sizeof(v) ? 0 : 1);
    }
    close(fds[1]);
    cr_assert_eq(read(fds[0], out, sizeof(uint64_t) * 4), (ssize_t)(sizeof(uint64_t) * 4));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
}

Test(stratum_backoff, two_processes_draw_different_jitter)
{
    uint64_t a[4], b[4];
    first_draws(a);
    first_draws(b);
    int same = 1;
    for (int i = 0; i < 4; i++)
        same = same && a[i] == b[i];
    cr_expect(!same, "two miners would come back in step");
}
