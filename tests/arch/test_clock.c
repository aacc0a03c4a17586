/*
 * arch/clock.c: clocks move forward, thread CPU time follows work, and a
 * cycle counter is always available on x86-64 (perf or TSC).
 */
#include <criterion/criterion.h>

#include "arch/clock.h"

static volatile uint64_t sink;

static void spin(uint64_t ns)
{
    uint64_t end = arch_clock_ns() + ns;
    uint64_t x = 1;
    while (arch_clock_ns() < end) {
        for (int i = 0; i < 1000; i++)
            x = x * 6364136223846793005u + 1442695040888963407u;
    }
    sink = x;
}

Test(arch_clock, monotonic_and_thread_cpu_time_advance_with_work)
{
    uint64_t wall0 = arch_clock_ns();
    uint64_t cpu0 = arch_clock_thread_cpu_ns();
    spin(30 * 1000 * 1000);
    uint64_t wall = arch_clock_ns() - wall0;
    uint64_t cpu = arch_clock_thread_cpu_ns() - cpu0;
    cr_expect_geq(wall, 30 * 1000 * 1000);
    cr_expect_gt(cpu, 0);
    cr_expect_leq(cpu, wall + 5 * 1000 * 1000, "thread cpu %llu > wall %llu",
                  (unsigned long long)cpu, (unsigned long long)wall);
    cr_expect_geq(arch_clock_process_cpu_ns(), cpu);
}

Test(arch_clock, cycle_counter_counts_work)
{
    arch_cycles_t c;
    int rc = arch_cycles_open(&c);
#if defined(__x86_64__)
    cr_assert_eq(rc, 0, "x86-64 always has a TSC");
#endif
    if (rc != 0)
        cr_skip_test("no cycle counter on this machine");
    uint64_t c0 = arch_cycles_read(&c);
    spin(10 * 1000 * 1000);
    uint64_t c1 = arch_cycles_read(&c);
    cr_expect_gt(c1, c0, "%s did not advance", arch_cycles_source_name(c.source));
    arch_cycles_close(&c);
    cr_expect_eq(c.source, ARCH_CYCLES_NONE);
}

Test(arch_clock, tsc_frequency_is_plausible)
{
#if defined(__x86_64__)
    double hz = arch_tsc_hz();
    cr_expect(hz > 1e8 && hz < 1e10, "TSC measured at %.0f Hz", hz);
#else
    cr_expect_eq(arch_tsc_hz(), 0.0);
#endif
}
