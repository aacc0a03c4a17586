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
#include <math.h>
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
#include "tests/support/log_doc.h"
#include "tests/support/run_command.h"
#include "tests/support/spawn.h"

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
    expect_usage_error(ARGS("load", "--duration", "1", "--profile", "ramp:10-90"),
                       "needs --duration 2 or more");
    expect_usage_error(
        ARGS("load", "--duration", "60", "--profile", "ramp:10-90", "--intensity", "50"),
        "--intensity does not apply to --profile ramp:10-90");
}

static double number(json_t *line, const char *key)
{
    json_t *v = json_object_get(line, key);
    cr_assert(json_is_number(v), "%s is not a number", key);
    return json_number_value(v);
}

/*
 * The log's contract (docs/load-log.md): samples cover the run from 0 to
 * the stop without gap or overlap, the last one the part second, each
 * labelled with the intensity asked over it, time-weighted across a phase
 * edge; hashes per sample add up to the summary's; numbers are rounded;
 * fields that do not apply are left out; a status line every --print-time.
 */
Test(cli_load, samples_cover_the_run_and_say_what_was_asked_over_each, .timeout = 120)
{
    char log[64];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-contract.jsonl", (int)getpid());
    run_result_t *r = run_minemeter(ARGS("load", "--duration", "4", "--algo", "cn/upx2",
                                         "--threads", "1", "--profile", "square:1.5/1.5",
                                         "--intensity", "60", "--print-time", "1", "--log", log));
    cr_assert_eq(r->exit_code, 0, "%s", r->err);
    cr_expect_not_null(strstr(r->out, "   2 s  asked 0%  measured "), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "   1 s  asked 60%  measured "), "%s", r->out);
    run_result_free(r);

    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    char text[4096];
    while (fgets(text, sizeof(text), f) != NULL)
        for (const char *dot = strchr(text, '.'); dot != NULL; dot = strchr(dot + 1, '.'))
            cr_expect(!(dot[1] >= '0' && dot[1] <= '9' && dot[2] >= '0' && dot[2] <= '9' &&
                        dot[3] >= '0' && dot[3] <= '9' && dot[4] >= '0' && dot[4] <= '9'),
                      "more than 3 decimals in %s", text);
    fclose(f);

    json_t *lines[256];
    size_t n = load_read_log(log, lines, 256);
    unlink(log);
    static const double asked[5] = {60, 30, 0, 60, 0};
    double end = 0, summary_end = -1;
    json_int_t hashes = 0, summary_hashes = -1;
    unsigned samples = 0;
    /* What was asked from when, as the phase events say: an end means idle until a start. */
    double change_t[64];
    double change_v[64];
    unsigned changes = 0;
    for (size_t i = 0; i < n; i++) {
        const char *event = json_string_value(json_object_get(lines[i], "event"));
        int phase_start = strcmp(event, "phase_start") == 0;
        if ((phase_start || strcmp(event, "phase_end") == 0) && changes < 64) {
            change_t[changes] = number(lines[i], "t");
            change_v[changes++] =
                phase_start ? (double)json_integer_value(json_object_get(lines[i], "intensity"))
                            : 0;
        }
        if (strcmp(event, "start") == 0) {
            cr_expect_null(json_object_get(lines[i], "mode"), "CryptoNight has no mode");
            cr_expect_eq(json_integer_value(json_object_get(lines[i], "intensity")), 60);
            cr_expect_gt(json_integer_value(json_array_get(json_object_get(lines[i], "tids"), 0)),
                         0);
        } else if (strcmp(event, "sample") == 0) {
            double from = number(lines[i], "t_start"), to = number(lines[i], "t_end");
            cr_expect_float_eq(from, end, 1e-9, "sample %u starts where the last ended", samples);
            if (samples < 5) {
                /* A second long, give or take what a loaded machine delays a wake-up by. */
                if (samples < 4)
                    cr_expect(to - from > 0.9 && to - from < 1.1, "sample %u: %.3f-%.3f", samples,
                              from, to);
                /* Nominally (the schedule's edges, give or take a late wake-up) ... */
                cr_expect(fabs(number(lines[i], "asked") - asked[samples]) < 3,
                          "sample %u asked %.2f, not %.0f", samples, number(lines[i], "asked"),
                          asked[samples]);
                /* ... and exactly, weighted by when the phase events say each change came. */
                double weighted = 0;
                for (unsigned k = 0; k < changes; k++) {
                    double a = fmax(change_t[k], from);
                    double b = fmin(k + 1 < changes ? change_t[k + 1] : to, to);
                    if (b > a)
                        weighted += change_v[k] * (b - a);
                }
                weighted /= to - from;
                cr_expect(fabs(number(lines[i], "asked") - weighted) < 0.1,
                          "sample %u asked %.2f; its phases say %.2f", samples,
                          number(lines[i], "asked"), weighted);
            }
            hashes += json_integer_value(json_object_get(lines[i], "hashes"));
            cr_expect_eq(json_integer_value(json_object_get(lines[i], "hashes_total")), hashes);
            end = to;
            samples++;
        } else if (strcmp(event, "summary") == 0) {
            summary_end = number(lines[i], "elapsed_s");
            summary_hashes = json_integer_value(json_object_get(lines[i], "hashes"));
        }
        json_decref(lines[i]);
    }
    cr_expect_eq(samples, 5, "four whole seconds and the hash under way at the stop");
    cr_expect(end >= 4 && end < 4.5, "the last sample ends when the workers stopped: %.3f", end);
    cr_expect_float_eq(end, summary_end, 2e-3);
    cr_expect_eq(hashes, summary_hashes, "every hash is in a sample");
    cr_expect_gt(hashes, 0);
}

/*
 * Runs `minemeter load` for a short cn/upx2 run on one thread with this
 * --profile and --duration, expects exit 0, and reads its log into lines.
 */
static size_t run_logged(const char *profile, const char *duration, json_t **lines, size_t max)
{
    char log[64];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-logged.jsonl", (int)getpid());
    run_result_t *r = run_minemeter(ARGS("load", "--duration", duration, "--algo", "cn/upx2",
                                         "--threads", "1", "--profile", profile, "--log", log));
    cr_assert_eq(r->exit_code, 0, "%s", r->err);
    run_result_free(r);
    size_t n = load_read_log(log, lines, max);
    unlink(log);
    return n;
}

Test(cli_load, a_ramp_or_file_run_logs_no_base_intensity, .timeout = 120)
{
    json_t *lines[64];
    size_t n = run_logged("ramp:20-40", "2", lines, 64);
    unsigned samples = 0;
    for (size_t i = 0; i < n; i++) {
        const char *event = json_string_value(json_object_get(lines[i], "event"));
        if (strcmp(event, "start") == 0)
            cr_expect_null(json_object_get(lines[i], "intensity"));
        if (strcmp(event, "sample") == 0 && samples++ < 2)
            cr_expect(fabs(number(lines[i], "asked") - (samples == 1 ? 20 : 40)) < 1,
                      "second %u asked %.2f", samples - 1, number(lines[i], "asked"));
        json_decref(lines[i]);
    }
    cr_expect_eq(samples, 3, "two whole seconds and the hash under way at the stop");
}

/*
 * With an external meter that says 25 W, every whole sample's watts are 25
 * and their source is the meter, named in the start event too; energy over
 * the run is 25 W x elapsed.
 */
Test(cli_load, samples_carry_the_meter_s_watts_and_its_source, .timeout = 120)
{
    char log[64];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-power.jsonl", (int)getpid());
    run_result_t *r =
        run_minemeter(ARGS("load", "--duration", "3", "--algo", "cn/upx2", "--threads", "1",
                           "--intensity", "50", "--power-cmd", "echo 25", "--log", log));
    cr_assert_eq(r->exit_code, 0, "%s", r->err);
    cr_expect_not_null(strstr(r->out, "power measured: --power-cmd meter"), "%s", r->out);
    run_result_free(r);
    json_t *lines[64];
    size_t n = load_read_log(log, lines, 64);
    unlink(log);
    unsigned samples = 0;
    for (size_t i = 0; i < n; i++) {
        const char *event = json_string_value(json_object_get(lines[i], "event"));
        const char *source = json_string_value(json_object_get(lines[i], "power_source"));
        if (strcmp(event, "start") == 0 || strcmp(event, "sample") == 0 ||
            strcmp(event, "summary") == 0)
            cr_expect(source != NULL && strcmp(source, "measured: --power-cmd meter") == 0,
                      "%s: %s", event, source ? source : "null");
        if (strcmp(event, "sample") == 0 &&
            number(lines[i], "t_end") - number(lines[i], "t_start") > 0.5) {
            samples++;
            /*
             * 1%: a sample's energy and its times are separate clock reads,
             * which a loaded machine (a sanitizer build) can part by a few
             * milliseconds (25.03 W seen); the model's estimate is far off.
             */
            cr_expect(fabs(number(lines[i], "watts") - 25) < 0.25, "sample %u: %.2f W", samples,
                      number(lines[i], "watts"));
        }
        if (strcmp(event, "summary") == 0)
            cr_expect(
                fabs(number(lines[i], "energy_j") / number(lines[i], "elapsed_s") - 25) < 0.05,
                "%.3f J over %.3f s", number(lines[i], "energy_j"), number(lines[i], "elapsed_s"));
        json_decref(lines[i]);
    }
    cr_expect_geq(samples, 3);
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
    cr_expect_not_null(strstr(r->err, "the RandomX dataset (2080 MiB) with a 64 MiB margin needs "
                                      "2144 MiB, and the kernel has "
                                      "1024 MiB available"),
                       "%s", r->err);
    run_result_free(r);
}

/* ---- the log against docs/load-log.md ------------------------------------------------------ */

Test(cli_load, the_log_has_exactly_the_fields_docs_load_log_md_documents, .timeout = 120)
{
    log_doc_t doc;
    log_doc_read(MINEMETER_SRCDIR "/docs/load-log.md", &doc);
    /* The schedule's five, then the wire's five (--url: lab_pool checks those). */
    cr_assert_eq(doc.count, 10, "start, phase_start, phase_end, sample, summary; 5 for --url");
    json_t *lines[64];
    size_t n = run_logged("square:1/1", "2", lines, 64);
    unsigned seen[LOG_DOC_MAX_EVENTS] = {0};
    for (size_t i = 0; i < n; i++) {
        seen[log_doc_check(&doc, lines[i])]++;
        json_decref(lines[i]);
    }
    for (size_t e = 0; e < 5; e++)
        cr_expect_gt(seen[e], 0, "no %s event in the log", doc.events[e].event);
}

/* Field k (1-based, as proc(5) counts) of /proc/PID/task/TID/stat, or -1000. */
static long task_stat_field(pid_t pid, int tid, int k)
{
    char path[96], line[1024];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1000;
    size_t n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *p = strrchr(line, ')'); /* the name may hold spaces: fields count from after it */
    if (p == NULL)
        return -1000;
    p += 2;
    for (int field = 3; field < k && p != NULL; field++) {
        p = strchr(p, ' ');
        if (p != NULL)
            p++;
    }
    return p != NULL ? strtol(p, NULL, 10) : -1000;
}

/* Runs load with extra, finds minemeter-w0 and the main thread, and checks their nice and policy.
 */
static void workers_run_at(const char *option, const char *value, long nice, long policy)
{
    spawned_t m;
    spawn_minemeter(
        &m, ARGS("load", "--duration", "30", "--algo", "cn/2", "--threads", "1", option, value));
    cr_assert_eq(spawn_wait_output(&m, "minemeter load: cn/2 on 1 thread(s)", 60), 0, "%s",
                 spawn_output(&m));
    char *out = spawn_output(&m);
    cr_expect(strstr(out, nice == 19 && policy == 5 ? " at idle priority" : " at nice ") != NULL,
              "the start line says the priority: %s", out);
    free(out);
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%d/task", (int)m.pid);
    int worker = 0;
    for (int tries = 0; tries < 100 && worker == 0; tries++) {
        FILE *ls = NULL;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "grep -l '^minemeter-w0$' %s/*/comm 2>/dev/null", dir);
        ls = popen(cmd, "r");
        char line[160] = "";
        if (ls != NULL && fgets(line, sizeof(line), ls) != NULL)
            worker = atoi(line + strlen(dir) + 1);
        if (ls != NULL)
            pclose(ls);
        if (worker == 0)
            usleep(50000);
    }
    cr_assert_neq(worker, 0, "no thread named minemeter-w0");
    cr_expect_eq(task_stat_field(m.pid, worker, 19), nice, "the worker's nice");
    cr_expect_eq(task_stat_field(m.pid, worker, 41), policy, "the worker's policy");
    cr_expect_eq(task_stat_field(m.pid, (int)m.pid, 19), 0, "the main thread keeps nice 0");
    cr_assert_eq(spawn_stop(&m, SIGINT, 30), 0);
    spawn_cleanup(&m);
}

Test(cli_load, nice_lowers_the_workers_and_only_them, .timeout = 120)
{
    workers_run_at("--nice", "10", 10, 0 /* SCHED_OTHER */);
}

Test(cli_load, cpu_priority_0_is_xmrig_s_idle_priority, .timeout = 120)
{
    workers_run_at("--cpu-priority", "0", 19, 5 /* SCHED_IDLE */);
}

Test(cli_load, priority_is_never_raised_and_said_once)
{
    run_result_t *r = run_minemeter(ARGS("load", "--duration", "5", "--cpu-priority", "3"));
    cr_expect(r->exited && r->exit_code == 2, "%s", r->err);
    cr_expect(strstr(r->err, "never does") != NULL, "%s", r->err);
    run_result_free(r);
    r = run_minemeter(
        ARGS("mine", "--url", "127.0.0.1:1", "--user", "w", "--nice", "5", "--cpu-priority", "1"));
    cr_expect(r->exited && r->exit_code == 2, "%s", r->err);
    cr_expect(strstr(r->err, "give one") != NULL, "%s", r->err);
    run_result_free(r);
}
