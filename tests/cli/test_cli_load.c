/*
 * minemeter load, end to end: the CPU share the OS sees (read from
 * /proc/PID/stat, outside the process) is the asked intensity within 5
 * points, square phases in the log follow the schedule within 100 ms, a
 * run killed with SIGKILL leaves only whole JSON lines, and a --duration
 * past --max-duration is refused.
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

#include "tests/support/run_command.h"

extern char **environ;

static pid_t spawn_load(const char *const args[])
{
    const char *argv[32] = {MINEMETER_BIN, "load"};
    size_t n = 2;
    for (size_t i = 0; args[i] != NULL && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, MINEMETER_BIN, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static int wait_exit(pid_t pid)
{
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "minemeter load did not exit normally");
    return WEXITSTATUS(status);
}

/* utime + stime of pid in seconds, from /proc. */
static double process_cpu_seconds(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* Fields after the command name, which ends at the last ')'. */
    const char *p = strrchr(buf, ')');
    cr_assert_not_null(p);
    unsigned long utime = 0, stime = 0;
    cr_assert_eq(
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime), 2);
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nap(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&t, NULL);
}

/* Lines of the log that parse as JSON objects; fails the test on any other line. */
static size_t read_log(const char *path, json_t **lines, size_t max)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char buf[4096];
    size_t n = 0;
    while (fgets(buf, sizeof(buf), f) != NULL) {
        json_error_t err;
        json_t *j = json_loads(buf, 0, &err);
        cr_assert(json_is_object(j), "log line %zu is not a JSON object: %s", n + 1, buf);
        if (n < max)
            lines[n++] = j;
        else
            json_decref(j);
    }
    fclose(f);
    return n;
}

static int log_has_event(const char *path, const char *event)
{
    json_t *lines[256];
    size_t n = read_log(path, lines, 256);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        found |= strcmp(json_string_value(json_object_get(lines[i], "event")), event) == 0;
        json_decref(lines[i]);
    }
    return found;
}

static void wait_for_event(const char *path, const char *event)
{
    for (int i = 0; i < 600 && !log_has_event(path, event); i++)
        nap(0.1);
    cr_assert(log_has_event(path, event), "no \"%s\" in %s", event, path);
}

/* Runs load at asked percent for 10 s and returns the CPU share /proc saw over 7 s of it. */
static double share_seen(unsigned asked)
{
    char log[64], intensity[8];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-%u.jsonl", (int)getpid(), asked);
    snprintf(intensity, sizeof(intensity), "%u", asked);
    pid_t pid = spawn_load(ARGS("--duration", "10", "--algo", "cn/r", "--threads", "1",
                                "--intensity", intensity, "--log", log));
    wait_for_event(log, "start");
    nap(1); /* past the first burst */
    double cpu0 = process_cpu_seconds(pid), t0 = now_s();
    nap(7);
    double share = 100 * (process_cpu_seconds(pid) - cpu0) / (now_s() - t0);
    cr_expect_eq(wait_exit(pid), 0);
    cr_expect(log_has_event(log, "summary"));
    unlink(log);
    return share;
}

Test(cli_load, the_os_sees_the_asked_cpu_share, .timeout = 120)
{
    static const unsigned asked[2] = {30, 70};
    for (int i = 0; i < 2; i++) {
        double share = share_seen(asked[i]);
        cr_log_info("asked %u%%: the OS saw %.1f%%", asked[i], share);
        cr_expect(share > asked[i] - 5.0 && share < asked[i] + 5.0, "asked %u%%, the OS saw %.1f%%",
                  asked[i], share);
    }
}

Test(cli_load, square_phases_follow_the_schedule, .timeout = 120)
{
    char log[64];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-square.jsonl", (int)getpid());
    pid_t pid = spawn_load(ARGS("--duration", "5", "--algo", "cn/upx2", "--threads", "1",
                                "--profile", "square:1/1", "--intensity", "60", "--log", log));
    cr_assert_eq(wait_exit(pid), 0);
    json_t *lines[256];
    size_t n = read_log(log, lines, 256);
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
        spawn_load(ARGS("--duration", "60", "--algo", "cn/upx2", "--threads", "1", "--log", log));
    wait_for_event(log, "sample");
    nap(1.5);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFSIGNALED(status));
    json_t *lines[256];
    size_t n = read_log(log, lines, 256); /* fails on any partial line */
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
