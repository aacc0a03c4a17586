/*
 * minemeter load, end to end: square phases in the log follow the schedule
 * within 100 ms, a run killed with SIGKILL leaves only whole JSON lines,
 * and a --duration past --max-duration is refused. The CPU share test is
 * in tests/alone/ (it needs the machine to itself).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/load_run.h"
#include "tests/support/machine.h"
#include "tests/support/run_command.h"

Test(cli_load, square_phases_follow_the_schedule, .timeout = 120)
{
    char log[64];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-square.jsonl", (int)getpid());
    pid_t pid = load_spawn(ARGS("--duration", "5", "--algo", "cn/upx2", "--threads", "1",
                                "--profile", "square:1/1", "--intensity", "60", "--log", log));
    cr_assert_eq(load_wait_exit(pid), 0);
    json_t *lines[256];
    size_t n = load_read_log(log, lines, 256);
    unlink(log);
    /* Phase starts at 0, 1, 2, 3, 4 s alternating 60% and idle; ends at 1, 2, 3, 4, 5 s. */
    unsigned starts = 0, ends = 0;
    for (size_t i = 0; i < n; i++) {
        const char *event = json_string_value(json_object_get(lines[i], "event"));
        double t = json_real_value(json_object_get(lines[i], "t"));
        json_int_t intensity = json_integer_value(json_object_get(lines[i], "intensity"));
        if (strcmp(event, "phase_start") == 0) {
            cr_expect(t > starts - 0.1 && t < starts + 0.1, "phase %u starts at %.3f s", starts, t);
            cr_expect_eq(intensity, starts % 2 == 0 ? 60 : 0, "phase %u", starts);
            starts++;
        } else if (strcmp(event, "phase_end") == 0) {
            ends++;
            cr_expect(t > ends - 0.1 && t < ends + 0.1, "phase %u ends at %.3f s", ends - 1, t);
        }
        json_decref(lines[i]);
    }
    cr_expect_eq(starts, 5);
    cr_expect_eq(ends, 5);
}

Test(cli_load, a_killed_run_leaves_a_log_of_whole_lines, .timeout = 120)
{
    char log[64];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-killed.jsonl", (int)getpid());
    pid_t pid =
        load_spawn(ARGS("--duration", "60", "--algo", "cn/upx2", "--threads", "1", "--log", log));
    load_wait_for_event(log, "sample");
    load_nap(1.5);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFSIGNALED(status));
    json_t *lines[256];
    size_t n = load_read_log(log, lines, 256); /* fails on any partial line */
    unlink(log);
    cr_expect_geq(n, 4, "start, phase_start and two samples at least");
    for (size_t i = 0; i < n; i++)
        json_decref(lines[i]);
}

Test(cli_load, refuses_runs_without_a_bound)
{
    expect_usage_error(ARGS("load"), "--duration is required");
    expect_usage_error(ARGS("load", "--duration", "7200"), "past --max-duration 3600");
    expect_usage_error(ARGS("load", "--duration", "60", "--max-duration", "30"),
                       "past --max-duration 30");
    expect_usage_error(ARGS("load", "--duration", "60", "--profile", "square:5"), "square:ON/OFF");
    expect_usage_error(ARGS("load", "--duration", "60", "--intensity", "0"), "intensity");
}

/*
 * Fast mode with too little room for its dataset (a made-up machine with
 * 1 GiB available, through the test hook): one sentence that says what is
 * needed and what limits it, exit 1, instead of the kernel's OOM kill.
 */
Test(cli_load, fast_mode_without_room_for_its_dataset_says_so, .timeout = 120)
{
    test_low_memory_begin(1024);
    run_result_t *r = run_minemeter(
        ARGS("load", "--algo", "rx/0", "--mode", "fast", "--duration", "5", "--threads", "1"));
    test_low_memory_end();
    cr_expect_eq(r->exit_code, 1, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->err, "the RandomX dataset needs 2144 MiB, and the kernel has "
                                      "1024 MiB available"),
                       "%s", r->err);
    run_result_free(r);
}
