/*
 * arch/energy_sampled.c: meters that print watts. What the parsers take
 * from ipmitool's and a command's output, that the integral of a constant
 * meter is watts x seconds, that a fake ipmitool on PATH is found and
 * labelled as the whole machine, and that a meter that fails, goes wrong
 * later, or hangs is reported, never guessed, and leaves nothing running.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arch/clock.h"
#include "arch/energy.h"
#include "tests/support/fake_tree.h"

/* ipmitool dcmi power reading's output, as a BMC with readings activated prints it. */
static const char IPMI_OUTPUT[] =
    "\n"
    "    Instantaneous power reading:                   220 Watts\n"
    "    Minimum during sampling period:                 72 Watts\n"
    "    Maximum during sampling period:                450 Watts\n"
    "    Average power reading over sample period:      201 Watts\n"
    "    IPMI timestamp:                           Sat Dec  5 10:12:01 2026\n"
    "    Sampling period:                          00000001 Seconds.\n"
    "    Power reading state is:                   activated\n\n";

static void nap(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

Test(arch_energy_meter, ipmitool_output_gives_the_instantaneous_reading)
{
    double w = 0;
    cr_expect_eq(arch_meter_parse(ARCH_METER_IPMI, IPMI_OUTPUT, &w), 0);
    cr_expect_float_eq(w, 220.0, 1e-9);
    /* Readings deactivated: the BMC prints 0 W, which is no measurement. */
    cr_expect_eq(arch_meter_parse(ARCH_METER_IPMI,
                                  "    Instantaneous power reading:                     0 Watts\n"
                                  "    Power reading state is:                   deactivated\n",
                                  &w),
                 -EIO);
    /* The field's number only: not a number from another line. */
    cr_expect_eq(arch_meter_parse(ARCH_METER_IPMI,
                                  "    Instantaneous power reading:   n/a\n    Minimum: 72 Watts\n",
                                  &w),
                 -EIO);
    cr_expect_eq(arch_meter_parse(ARCH_METER_IPMI, "Could not open device\n", &w), -EIO);
}

Test(arch_energy_meter, a_command_s_first_number_is_its_watts)
{
    double w = 0;
    cr_expect_eq(arch_meter_parse(ARCH_METER_COMMAND, "123.5\n", &w), 0);
    cr_expect_float_eq(w, 123.5, 1e-9);
    cr_expect_eq(arch_meter_parse(ARCH_METER_COMMAND, "power: 42 W\n", &w), 0);
    cr_expect_float_eq(w, 42.0, 1e-9);
    cr_expect_eq(arch_meter_parse(ARCH_METER_COMMAND, ".5", &w), 0);
    cr_expect_float_eq(w, 0.5, 1e-9);
    static const char *const bad[] = {"", "\n", "watts unknown", "-5 W", "nan", "inf W"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(arch_meter_parse(ARCH_METER_COMMAND, bad[i], &w), -EIO, "'%s'", bad[i]);
}

Test(arch_energy_meter, a_constant_meter_integrates_to_watts_times_seconds)
{
    arch_meter_t m;
    char reason[256] = "";
    cr_assert_eq(arch_meter_open(&m, ARCH_METER_COMMAND, "echo 50", reason, sizeof(reason)), 0,
                 "%s", reason);
    uint64_t t0 = arch_clock_ns();
    double j0 = 0, j1 = 0;
    cr_assert_eq(arch_meter_read(&m, &j0), 0);
    nap(1.5); /* across one of the sampler's readings */
    cr_assert_eq(arch_meter_read(&m, &j1), 0);
    double elapsed = (double)(arch_clock_ns() - t0) / 1e9;
    cr_expect_geq(m.readings, 2, "the sampler read the meter again");
    cr_expect_float_eq((j1 - j0) / elapsed, 50.0, 0.5, "%.3f J over %.3f s", j1 - j0, elapsed);
    arch_meter_close(&m);
}

/* The facade on a machine with no counter and ipmitool on PATH: IPMI, named as the whole machine.
 */
Test(arch_energy_meter, ipmitool_on_path_is_the_source_after_the_counters, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    char script[1024];
    snprintf(script, sizeof(script), "#!/bin/sh\ncat <<'EOF'\n%sEOF\n", IPMI_OUTPUT);
    fake_tree_write("bin/ipmitool", script);
    char path[256];
    snprintf(path, sizeof(path), "%s/bin/ipmitool", fake_tree_root);
    cr_assert_eq(chmod(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/bin:/usr/bin:/bin", fake_tree_root);
    setenv("PATH", path, 1);
    arch_energy_t e;
    arch_energy_config_t cfg = {
        .root = fake_tree_root, .model_idle_watts = -1, .model_max_watts = -1};
    cr_assert_eq(arch_energy_open(&e, &cfg), 0, "%s", e.reason);
    cr_expect_eq(e.source, ARCH_ENERGY_IPMI);
    cr_expect_str_eq(e.label, "measured: IPMI DCMI system power (whole machine)");
    cr_expect(!arch_energy_is_estimate(&e));
    double j0 = 0, j1 = 0;
    cr_assert_eq(arch_energy_read(&e, &j0), 0);
    nap(0.2);
    cr_assert_eq(arch_energy_read(&e, &j1), 0);
    cr_expect_gt(j1 - j0, 220 * 0.19);
    arch_energy_close(&e);
}

Test(arch_energy_meter, a_meter_that_fails_is_refused_at_once_with_its_words)
{
    arch_meter_t m;
    char reason[256] = "";
    uint64_t t0 = arch_clock_ns();
    cr_expect_eq(arch_meter_open(&m, ARCH_METER_COMMAND, "echo 'plug offline' >&2; exit 3", reason,
                                 sizeof(reason)),
                 -EIO);
    cr_expect_lt((double)(arch_clock_ns() - t0) / 1e9, 2.0, "refused within seconds");
    cr_expect_neq(strstr(reason, "status 3"), NULL, "%s", reason);
    cr_expect_neq(strstr(reason, "plug offline"), NULL, "quotes the meter: %s", reason);
    cr_expect_eq(
        arch_meter_open(&m, ARCH_METER_COMMAND, "echo watts unknown", reason, sizeof(reason)),
        -EIO);
    cr_expect_neq(strstr(reason, "no number of watts"), NULL, "%s", reason);
    cr_expect_eq(arch_meter_open(&m, ARCH_METER_COMMAND, "", reason, sizeof(reason)), -EINVAL);
}

Test(arch_energy_meter, a_meter_that_hangs_times_out)
{
    arch_meter_t m;
    char reason[256] = "";
    uint64_t t0 = arch_clock_ns();
    cr_expect_eq(
        arch_meter_open(&m, ARCH_METER_COMMAND, "sleep 30; echo 5", reason, sizeof(reason)),
        -ETIMEDOUT);
    double took = (double)(arch_clock_ns() - t0) / 1e9;
    cr_expect(took > 4.5 && took < 8, "%.1f s", took);
    cr_expect_neq(strstr(reason, "no answer within"), NULL, "%s", reason);
}

/* A reading that fails later makes the energy unknown until one works again. */
Test(arch_energy_meter, a_failed_later_reading_is_an_error_until_the_meter_recovers,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    fake_tree_write("watts", "100\n");
    char command[256];
    snprintf(command, sizeof(command), "cat %s/watts", fake_tree_root);
    arch_meter_t m;
    char reason[256] = "";
    cr_assert_eq(arch_meter_open(&m, ARCH_METER_COMMAND, command, reason, sizeof(reason)), 0, "%s",
                 reason);
    fake_tree_write("watts", "meter offline\n");
    nap(1.4);
    double j = -1;
    cr_expect_eq(arch_meter_read(&m, &j), -EIO);
    cr_expect_geq(m.failures, 1);
    cr_expect_neq(strstr(m.error, "meter offline"), NULL, "%s", m.error);
    fake_tree_write("watts", "100\n");
    nap(1.1);
    cr_expect_eq(arch_meter_read(&m, &j), 0);
    cr_expect_gt(j, 0);
    arch_meter_close(&m);
}

/* The sampler's readings take only what the miners leave: SCHED_IDLE. */
Test(arch_energy_meter, readings_run_at_idle_priority_so_they_never_preempt_miners,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    char command[256];
    snprintf(command, sizeof(command), "chrt -p $$ > %s/policy; echo 5", fake_tree_root);
    arch_meter_t m;
    char reason[256] = "";
    cr_assert_eq(arch_meter_open(&m, ARCH_METER_COMMAND, command, reason, sizeof(reason)), 0, "%s",
                 reason);
    nap(1.4); /* the sampler's first reading */
    arch_meter_close(&m);
    char path[128], text[256] = "";
    snprintf(path, sizeof(path), "%s/policy", fake_tree_root);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    cr_expect_not_null(strstr(text, "SCHED_IDLE"), "%s", text);
}

/* Processes of process group pgid that are not zombies, from /proc/PID/stat. */
static unsigned live_processes_in_group(pid_t pgid)
{
    DIR *d = opendir("/proc");
    cr_assert_not_null(d);
    unsigned live = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] < '0' || ent->d_name[0] > '9')
            continue;
        char path[300], text[512];
        snprintf(path, sizeof(path), "/proc/%s/stat", ent->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = '\0';
        const char *after = strrchr(text, ')');
        char state = 0;
        int ppid = 0, group = 0;
        if (after != NULL && sscanf(after + 1, " %c %d %d", &state, &ppid, &group) == 3 &&
            group == pgid && state != 'Z')
            live++;
    }
    closedir(d);
    return live;
}

/* Close during a reading that would take half a minute: returns at once, its process gone. */
Test(arch_energy_meter, close_stops_a_reading_under_way_and_leaves_nothing_running,
     .init = fake_tree_make, .fini = fake_tree_remove)
{
    char command[256];
    snprintf(command, sizeof(command), "if [ -e %s/slow ]; then sleep 30; fi; echo 5",
             fake_tree_root);
    arch_meter_t m;
    char reason[256] = "";
    cr_assert_eq(arch_meter_open(&m, ARCH_METER_COMMAND, command, reason, sizeof(reason)), 0, "%s",
                 reason);
    fake_tree_write("slow", "");
    nap(1.3);
    pthread_mutex_lock(&m.lock);
    pid_t child = m.child;
    pthread_mutex_unlock(&m.lock);
    cr_assert_gt(child, 0, "a reading is under way");
    uint64_t t0 = arch_clock_ns();
    arch_meter_close(&m);
    cr_expect_lt((double)(arch_clock_ns() - t0) / 1e9, 1.0);
    /* Its orphans may wait as zombies for an init that reaps late: dead is what counts. */
    nap(0.1);
    cr_expect_eq(live_processes_in_group(child), 0, "the reading's processes are gone");
}
