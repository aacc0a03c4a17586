/*
 * arch/energy_model.c: the labelled estimate. /proc/stat's busy time is
 * read as the kernel documents it (proc(5)), the model integrates idle and
 * busy watts over a fake /proc/stat, a CPU identity picks its CCF row, and
 * --power-model replaces the row. Every estimate says it is one.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/clock.h"
#include "arch/energy.h"
#include "tests/support/fake_tree.h"

static void write_stat(unsigned long long user, unsigned long long idle)
{
    char text[512];
    /* user nice system idle iowait irq softirq steal guest guest_nice */
    snprintf(text, sizeof(text),
             "cpu  %llu 5 7 %llu 11 2 3 13 0 0\n"
             "cpu0 0 0 0 0 0 0 0 0 0 0\n"
             "cpu1 0 0 0 0 0 0 0 0 0 0\n"
             "intr 12345\nctxt 999\n",
             user, idle);
    fake_tree_write("proc/stat", text);
}

static void nap(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

Test(arch_energy_model, busy_time_is_user_nice_system_irq_softirq_not_idle_iowait_or_steal)
{
    uint64_t busy = 0;
    unsigned cpus = 0;
    cr_assert_eq(arch_energy_model_parse_stat("cpu  100 5 7 1000 11 2 3 13 0 0\n"
                                              "cpu0 50 0 0 0 0 0 0 0 0 0\n"
                                              "cpu1 50 5 7 1000 11 2 3 13 0 0\n"
                                              "intr 1\n",
                                              &busy, &cpus),
                 0);
    cr_expect_eq(busy, 100 + 5 + 7 + 2 + 3);
    cr_expect_eq(cpus, 2);
    cr_expect_eq(arch_energy_model_parse_stat("intr 1\n", &busy, &cpus), -EIO);
    cr_expect_eq(arch_energy_model_parse_stat("cpu  1 2 3\n", &busy, &cpus), -EIO);
    cr_expect_eq(arch_energy_model_parse_stat("cpu  1 2 3 4 5 6 7\n", &busy, &cpus), -EIO,
                 "no cpuN lines: no CPU count");
}

/* Two vCPUs at 1 W idle and 3 W busy: idle watts all along, plus 2 W per busy second. */
Test(arch_energy_model, estimate_is_idle_watts_plus_busy_seconds_times_the_difference,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    long hz = sysconf(_SC_CLK_TCK);
    write_stat(1000, 50000);
    arch_energy_model_t m;
    char reason[256] = "";
    uint64_t before = arch_clock_ns();
    cr_assert_eq(arch_energy_model_open(&m, fake_tree_root, 1.0, 3.0, reason, sizeof(reason)), 0,
                 "%s", reason);
    uint64_t after_open = arch_clock_ns();
    cr_expect_eq(m.cpus, 2);
    nap(0.5);
    write_stat(1000 + (unsigned long long)(hz / 2), 50000); /* half a CPU-second busy */
    uint64_t before_read = arch_clock_ns();
    double j = 0;
    cr_assert_eq(arch_energy_model_read(&m, &j), 0);
    uint64_t after_read = arch_clock_ns();
    double shortest = (double)(before_read - after_open) / 1e9;
    double longest = (double)(after_read - before) / 1e9;
    cr_expect(j >= shortest * 2 * 1.0 + 0.5 * 2.0 - 1e-9 && j <= longest * 2 * 1.0 + 0.5 * 2.0,
              "%.4f J for %.3f-%.3f s", j, shortest, longest);
}

/* Busy time beyond what the CPUs could have had in the interval is capped, then carried. */
Test(arch_energy_model, busy_ticks_ahead_of_the_clock_never_exceed_all_cpus_busy,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    long hz = sysconf(_SC_CLK_TCK);
    write_stat(1000, 50000);
    arch_energy_model_t m;
    char reason[256] = "";
    cr_assert_eq(arch_energy_model_open(&m, fake_tree_root, 1.0, 3.0, reason, sizeof(reason)), 0);
    nap(0.1);
    write_stat(1000 + (unsigned long long)hz, 50000); /* 1 CPU-second in 0.1 s: impossible */
    uint64_t t0 = arch_clock_ns();
    double j = 0;
    cr_assert_eq(arch_energy_model_read(&m, &j), 0);
    double first = j;
    cr_expect_leq(first, 0.2 * 2 * 3.0, "at most both CPUs at full power: %.3f J", first);
    nap(0.6);
    cr_assert_eq(arch_energy_model_read(&m, &j), 0);
    double elapsed = (double)(arch_clock_ns() - t0) / 1e9;
    /* Over both reads the whole CPU-second is counted: nothing was lost to the cap. */
    cr_expect_geq(j, 2 * 1.0 * (0.1 + elapsed) + 1.0 * 2.0 - 0.05, "%.3f J", j);
}

static int open_model(arch_energy_t *e, const arch_cpu_t *cpu, double idle, double max)
{
    setenv("PATH", fake_tree_root, 1); /* no ipmitool */
    arch_energy_config_t cfg = {
        .root = fake_tree_root, .model_idle_watts = idle, .model_max_watts = max, .cpu = cpu};
    return arch_energy_open(e, &cfg);
}

Test(arch_energy_model, a_zen4_machine_without_counters_is_estimated_from_its_ccf_row,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    write_stat(1000, 50000);
    arch_cpu_t zen4 = {.arch = "x86_64", .vendor = "AuthenticAMD", .family = 0x19, .model = 0x11};
    arch_energy_t e;
    cr_assert_eq(open_model(&e, &zen4, -1, -1), 0, "%s", e.reason);
    cr_expect_eq(e.source, ARCH_ENERGY_MODEL);
    cr_expect(arch_energy_is_estimate(&e));
    cr_expect_str_eq(e.label,
                     "estimated: CCF EPYC 4th Gen, 0.739-2.282 W per vCPU x 2 vCPUs, by CPU time");
    cr_expect_neq(strstr(e.reason, "no RAPL package zone"), NULL,
                  "says why nothing was measured: %s", e.reason);
    arch_energy_close(&e);
}

Test(arch_energy_model, power_model_option_replaces_the_table_and_says_so, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    write_stat(1000, 50000);
    arch_cpu_t zen4 = {.arch = "x86_64", .vendor = "AuthenticAMD", .family = 0x19, .model = 0x11};
    arch_energy_t e;
    cr_assert_eq(open_model(&e, &zen4, 5, 15), 0, "%s", e.reason);
    cr_expect_str_eq(e.label, "estimated: --power-model, 5-15 W per vCPU x 2 vCPUs, by CPU time");
    cr_expect_float_eq(e.model.idle_watts, 5.0, 1e-12);
    cr_expect_float_eq(e.model.max_watts, 15.0, 1e-12);
    arch_energy_close(&e);
}

Test(arch_energy_model, a_cpu_not_in_the_table_is_estimated_from_the_average_and_labelled,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    write_stat(1000, 50000);
    arch_cpu_t odd = {.arch = "x86_64", .vendor = "GenuineIntel", .family = 6, .model = 0x01};
    arch_energy_t e;
    cr_assert_eq(open_model(&e, &odd, -1, -1), 0, "%s", e.reason);
    cr_expect_neq(strstr(e.label, "estimated: CCF average of all (CPU not in the table)"), NULL,
                  "%s", e.label);
    arch_energy_close(&e);
}
