/*
 * The --intensity duty cycle on made-up clocks: a simulated worker hashes
 * and naps as miner_duty_idle says, and every whole second's CPU
 * share is checked against the asked one.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "miner/duty_cycle.h"

#define MS      1000000ull
#define SECOND  1000000000ull
#define NAP     (10 * MS) /* as the worker naps */
#define SECONDS 12

typedef struct {
    uint64_t now, cpu;
    double core;                  /* the share of wall time the core gives the thread */
    uint64_t cpu_in[SECONDS + 2]; /* CPU used in each whole second */
    miner_duty_t duty;
} sim_t;

typedef unsigned (*asked_fn)(uint64_t now);

static unsigned asked_percent;
static unsigned asked_constant(uint64_t now)
{
    (void)now;
    return asked_percent;
}

/* Runs for wall ns: the CPU it gets goes into the seconds it falls in. */
static void run(sim_t *s, uint64_t wall)
{
    for (uint64_t done = 0; done < wall;) {
        uint64_t second = s->now / SECOND, to_edge = (second + 1) * SECOND - s->now;
        uint64_t step = wall - done < to_edge ? wall - done : to_edge;
        uint64_t cpu = (uint64_t)((double)step * s->core);
        if (second < SECONDS + 2)
            s->cpu_in[second] += cpu;
        s->cpu += cpu;
        s->now += step;
        done += step;
    }
}

static void nap(sim_t *s, uint64_t idle)
{
    s->now += idle < NAP ? idle : NAP;
}

/* A worker whose hashes each take unit ns of CPU and cannot stop part way. */
static void simulate_whole(sim_t *s, asked_fn asked, uint64_t unit)
{
    while (s->now < SECONDS * SECOND) {
        uint64_t idle = miner_duty_idle(&s->duty, asked(s->now), s->now, s->cpu);
        if (idle != 0) {
            nap(s, idle);
            continue;
        }
        run(s, (uint64_t)((double)unit / s->core));
    }
}

/* A worker whose groups take group ns of CPU and ask to stop every 5 microseconds. */
static void simulate_granular(sim_t *s, asked_fn asked, uint64_t group)
{
    while (s->now < SECONDS * SECOND) {
        uint64_t idle = miner_duty_idle(&s->duty, asked(s->now), s->now, s->cpu);
        if (idle != 0) {
            nap(s, idle);
            continue;
        }
        for (uint64_t used = 0; used < group && s->now < SECONDS * SECOND;) {
            uint64_t cpu0 = s->cpu;
            run(s, 5000);
            used += s->cpu - cpu0;
            unsigned percent = asked(s->now);
            while (miner_duty_poll_due(&s->duty, percent, s->now) &&
                   (idle = miner_duty_idle(&s->duty, percent, s->now, s->cpu)) != 0)
                nap(s, idle);
        }
    }
}

static double share_in(const sim_t *s, unsigned second)
{
    return 100.0 * (double)s->cpu_in[second] / (double)SECOND;
}

static const unsigned percents[] = {5, 10, 30, 70, 95};

Test(duty_cycle, whole_hashes_give_each_second_its_share_within_one_hash)
{
    static const uint64_t units[] = {2 * MS, 17 * MS, 39 * MS};
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        for (size_t k = 0; k < sizeof(percents) / sizeof(percents[0]); k++) {
            sim_t s = {.now = 37 * MS + 12345, .core = 1};
            asked_percent = percents[k];
            simulate_whole(&s, asked_constant, units[u]);
            double bound = 100.0 * (double)units[u] / SECOND, total = 0;
            for (unsigned t = 1; t < SECONDS; t++) {
                double share = share_in(&s, t);
                total += share;
                cr_expect(share > percents[k] - bound - 0.01 && share < percents[k] + bound + 0.01,
                          "%u%% in %llu ms hashes: second %u had %.2f%%", percents[k],
                          (unsigned long long)(units[u] / MS), t, share);
            }
            double mean = total / (SECONDS - 1);
            cr_expect(mean > percents[k] - bound / 4 && mean < percents[k] + bound / 4,
                      "%u%% in %llu ms hashes: %.2f%% on average", percents[k],
                      (unsigned long long)(units[u] / MS), mean);
        }
    }
}

Test(duty_cycle, work_that_stops_anywhere_gives_each_second_its_exact_share)
{
    for (size_t k = 0; k < sizeof(percents) / sizeof(percents[0]); k++) {
        sim_t s = {.now = 61 * MS + 777, .core = 1};
        asked_percent = percents[k];
        simulate_granular(&s, asked_constant, 62 * MS);
        for (unsigned t = 1; t < SECONDS; t++)
            cr_expect(share_in(&s, t) > percents[k] - 0.1 && share_in(&s, t) < percents[k] + 0.1,
                      "%u%%: second %u had %.3f%%", percents[k], t, share_in(&s, t));
    }
}

static unsigned seventy_then_ten(uint64_t now)
{
    return now < 3 * SECOND + 50 * MS ? 70 : 10;
}

Test(duty_cycle, a_new_intensity_holds_from_the_moment_it_is_asked)
{
    sim_t s = {.now = 0, .core = 1};
    simulate_granular(&s, seventy_then_ten, 62 * MS);
    /* Second 3 is 50 ms at 70% and 950 ms at 10%. */
    cr_expect(share_in(&s, 2) > 69.9 && share_in(&s, 2) < 70.1, "%.3f%%", share_in(&s, 2));
    cr_expect(share_in(&s, 3) > 12.9 && share_in(&s, 3) < 13.1, "%.3f%%", share_in(&s, 3));
    cr_expect(share_in(&s, 4) > 9.9 && share_in(&s, 4) < 10.1, "%.3f%%", share_in(&s, 4));
}

Test(duty_cycle, a_thread_the_core_could_not_serve_does_not_catch_up_later)
{
    sim_t s = {.now = 0, .core = 0.5};
    asked_percent = 70;
    /* Half a core for 4 s: the thread gets what there is, then the core is free. */
    while (s.now < 4 * SECOND) {
        uint64_t idle = miner_duty_idle(&s.duty, 70, s.now, s.cpu);
        if (idle != 0)
            nap(&s, idle);
        else
            run(&s, 2 * MS * 2);
    }
    s.core = 1;
    simulate_whole(&s, asked_constant, 2 * MS);
    cr_expect(share_in(&s, 2) > 49 && share_in(&s, 2) < 51, "starved: %.2f%%", share_in(&s, 2));
    for (unsigned t = 5; t < SECONDS; t++)
        cr_expect(share_in(&s, t) < 70.2 + 7.2, "second %u after: %.2f%%", t, share_in(&s, t));
    cr_expect(share_in(&s, 5) < 70.5, "no catching up: %.2f%%", share_in(&s, 5));
}

Test(duty_cycle, full_intensity_never_idles)
{
    miner_duty_t d;
    miner_duty_restart(&d);
    for (uint64_t t = 0; t < 10 * SECOND; t += 7 * MS)
        cr_assert_eq(miner_duty_idle(&d, 100, t, t), 0);
    cr_expect(!miner_duty_poll_due(&d, 100, 10 * SECOND));
}
