/*
 * impact/victim_cmd.c: a victim command's exit status, wall and CPU time,
 * its pinning, the tail of its stderr, and a timeout that kills it and all
 * it started.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "impact/victim_cmd.h"

Test(impact_victim_cmd, exit_status_and_times_are_reported)
{
    impact_victim_result_t r;
    cr_assert_eq(impact_victim_run("exit 3", -1, 10, NULL, &r), 0);
    cr_expect_eq(r.exit_status, 3);
    cr_expect(!r.timed_out);
    cr_assert_eq(
        impact_victim_run("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done", -1, 30, NULL, &r),
        0);
    cr_expect_eq(r.exit_status, 0);
    cr_expect_gt(r.cpu_seconds, 0.02, "a busy shell loop uses CPU: %.3f s", r.cpu_seconds);
    cr_expect_leq(r.cpu_seconds, r.wall_seconds * 1.05 + 0.02, "one thread: CPU <= wall");
}

Test(impact_victim_cmd, the_command_runs_on_the_victim_s_pu)
{
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    int pu = -1;
    for (int i = CPU_SETSIZE - 1; i >= 0 && pu < 0; i--)
        if (CPU_ISSET((size_t)i, &allowed))
            pu = i;
    impact_victim_result_t r;
    cr_assert_eq(
        impact_victim_run("grep Cpus_allowed_list /proc/self/status >&2", pu, 10, NULL, &r), 0);
    char want[64];
    snprintf(want, sizeof(want), "Cpus_allowed_list:\t%d\n", pu);
    cr_expect_str_eq(r.stderr_tail, want);
    /* The caller's own affinity is back as it was. */
    cpu_set_t after;
    cr_assert_eq(sched_getaffinity(0, sizeof(after), &after), 0);
    cr_expect(CPU_EQUAL(&allowed, &after));
}

Test(impact_victim_cmd, the_tail_of_stderr_is_kept)
{
    impact_victim_result_t r;
    cr_assert_eq(impact_victim_run("head -c 3000 /dev/zero | tr '\\0' x >&2; echo END >&2; exit 1",
                                   -1, 10, NULL, &r),
                 0);
    cr_expect_eq(r.exit_status, 1);
    size_t len = strlen(r.stderr_tail);
    cr_expect_eq(len, sizeof(r.stderr_tail) - 1);
    cr_expect_str_eq(r.stderr_tail + len - 4, "END\n");
}

Test(impact_victim_cmd, a_command_past_its_timeout_is_killed_with_its_children)
{
    impact_victim_result_t r;
    char pidfile[] = "/tmp/minemeter-victim-XXXXXX";
    int fd = mkstemp(pidfile);
    cr_assert_geq(fd, 0);
    close(fd);
    char command[128];
    snprintf(command, sizeof(command), "sleep 30 & echo $! > %s; wait", pidfile);
    cr_assert_eq(impact_victim_run(command, -1, 0.3, NULL, &r), 0);
    cr_expect(r.timed_out);
    cr_expect_lt(r.wall_seconds, 2.0);
    FILE *f = fopen(pidfile, "r");
    cr_assert_not_null(f);
    int child = 0;
    cr_expect_eq(fscanf(f, "%d", &child), 1);
    fclose(f);
    unlink(pidfile);
    /* Dead: gone, or a zombie waiting for a late reaper. */
    char path[64], stat[256] = "";
    snprintf(path, sizeof(path), "/proc/%d/stat", child);
    f = fopen(path, "r");
    if (f != NULL) {
        size_t n = fread(stat, 1, sizeof(stat) - 1, f);
        stat[n] = '\0';
        fclose(f);
        const char *after = strrchr(stat, ')');
        cr_expect(after != NULL && after[2] == 'Z', "the background sleep still runs: %s", stat);
    }
}

Test(impact_victim_cmd, a_stop_request_ends_the_command_at_once)
{
    volatile sig_atomic_t stop = 1;
    impact_victim_result_t r;
    cr_assert_eq(impact_victim_run("sleep 30", -1, 60, &stop, &r), 0);
    cr_expect(r.stopped);
    cr_expect_lt(r.wall_seconds, 1.0);
}
