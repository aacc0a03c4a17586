/*
 * minemeter load's ground truth, checked against the kernel: while a run
 * goes, the test reads each worker thread's CPU time from
 * /proc/PID/task/TID/schedstat (the scheduler's own count, not
 * minemeter's) a hundred times a second. Every logged sample must then
 *   - follow the one before it, a second long (the last: to the stop);
 *   - say the intensity the profile asked over it (time-weighted across a
 *     phase edge);
 *   - give each thread's CPU share within the bounds the kernel's counts
 *     around its ends allow, and that share within 3 points of the asked
 *     one (less only by the time the kernel kept the thread waiting for a
 *     CPU, schedstat's second field: other work had the core).
 * At 5, 10, 30 and 70% on CryptoNight (whole hashes, stopped mid-hash by
 * the CPU-time timer; cn/double's are the longest) and RandomX light mode
 * (lockstep groups), and across the phase edges of square, ramp and file
 * profiles.
 *
 * This suite is its own test binary, run after the main one, one test at a
 * time: a CPU share can only be checked on a machine that has the cores to
 * give it, not while Criterion runs other tests beside it.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/load_run.h"
#include "tests/support/run_command.h"

#define MAX_THREADS  2
#define MAX_READINGS 4000
#define READ_EVERY_S 0.01

typedef struct {
    double t; /* schedule seconds (the log's t) */
    double cpu_s[MAX_THREADS];
    double wait_s[MAX_THREADS]; /* time spent runnable but waiting for a CPU */
} reading_t;

typedef double (*asked_fn)(double t); /* the profile, as the test knows it */

/*
 * The kernel's CPU time of one thread and the time it waited runnable for
 * a CPU, in seconds; -1 once it is gone.
 */
static double thread_cpu_seconds(pid_t pid, long tid, double *wait_s)
{
    char path[96];
    snprintf(path, sizeof(path), "/proc/%d/task/%ld/schedstat", (int)pid, tid);
    FILE *f = fopen(path, "r");
    unsigned long long ns = 0, wait = 0;
    int ok = f != NULL && fscanf(f, "%llu %llu", &ns, &wait) == 2;
    if (f != NULL)
        fclose(f);
    *wait_s = (double)wait / 1e9;
    return ok ? (double)ns / 1e9 : -1;
}

static unsigned cpus_allowed(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof(set), &set) == 0 ? (unsigned)CPU_COUNT(&set) : 1;
}

/* The first line of the log (the start event), once it is there. */
static json_t *read_start(const char *log)
{
    char line[4096] = "";
    for (int i = 0; i < 6000; i++) { /* a minute at most: RandomX builds its cache first */
        FILE *f = fopen(log, "r");
        int whole = f != NULL && fgets(line, sizeof(line), f) != NULL && strchr(line, '\n');
        if (f != NULL)
            fclose(f);
        if (whole)
            break;
        load_nap(READ_EVERY_S);
    }
    json_t *start = json_loads(line, 0, NULL);
    cr_assert(json_is_object(start), "%s", line);
    return start;
}

/*
 * Bounds on the kernel's CPU seconds of thread k over [from, to] from the
 * readings around each end (a thread uses at most a second a second).
 * Returns 0 when the readings do not reach past to.
 */
static int kernel_cpu_over(const reading_t *r, size_t n, unsigned k, double from, double to,
                           double *low, double *high, double *wait_high)
{
    size_t before_from = n, after_from = n, before_to = n, after_to = n;
    for (size_t i = 0; i < n; i++) {
        if (r[i].t <= from)
            before_from = i;
        if (r[i].t >= from && after_from == n)
            after_from = i;
        if (r[i].t <= to)
            before_to = i;
        if (r[i].t >= to && after_to == n)
            after_to = i;
    }
    if (after_to == n || after_from == n || before_to == n)
        return 0;
    *low = r[before_to].cpu_s[k] - r[after_from].cpu_s[k];
    *wait_high = r[after_to].wait_s[k] - r[before_from != n ? before_from : after_from].wait_s[k];
    *high = before_from != n
                ? r[after_to].cpu_s[k] - r[before_from].cpu_s[k]
                : r[after_to].cpu_s[k] - r[after_from].cpu_s[k] + (r[after_from].t - from);
    return 1;
}

/* The mean of asked over [from, to], in 1 ms steps. */
static double asked_over(asked_fn asked, double from, double to)
{
    double sum = 0;
    unsigned steps = 0;
    for (double t = from + 0.0005; t < to; t += 0.001, steps++)
        sum += asked(t);
    return steps > 0 ? sum / steps : 0;
}

/*
 * Runs load with args (and a log) for seconds, reading the kernel's CPU
 * times meanwhile, and checks every sample against them and asked.
 */
static void check_against_the_kernel(const char *label, const char *const args[], unsigned seconds,
                                     asked_fn asked)
{
    char log[96];
    snprintf(log, sizeof(log), "/tmp/minemeter-load-%d-truth.jsonl", (int)getpid());
    unlink(log);
    const char *full[32];
    size_t a = 0;
    for (; args[a] != NULL && a < 24; a++)
        full[a] = args[a];
    full[a++] = "--log";
    full[a++] = log;
    full[a] = NULL;
    pid_t pid = load_spawn(full);
    json_t *start = read_start(log);
    json_t *tids = json_object_get(start, "tids");
    unsigned threads = (unsigned)json_array_size(tids);
    cr_assert(threads >= 1 && threads <= MAX_THREADS);
    double t0 = (double)json_integer_value(json_object_get(start, "t0_monotonic_ns")) / 1e9;

    static reading_t readings[MAX_READINGS];
    size_t n = 0;
    for (int alive = 1; alive && n < MAX_READINGS;) {
        reading_t r;
        r.t = load_now_s() - t0;
        for (unsigned k = 0; k < threads; k++) {
            r.cpu_s[k] = thread_cpu_seconds(pid, (long)json_integer_value(json_array_get(tids, k)),
                                            &r.wait_s[k]);
            alive &= r.cpu_s[k] >= 0;
        }
        if (alive)
            readings[n++] = r;
        load_nap(READ_EVERY_S);
    }
    cr_assert_eq(load_wait_exit(pid), 0);
    json_decref(start);
    cr_assert_geq(n, 50u * seconds, "%s: %zu readings", label, n);

    json_t *lines[256], *sample_lines[256];
    size_t count = load_read_log(log, lines, 256), sample_count = 0;
    unlink(log);
    for (size_t i = 0; i < count; i++)
        if (strcmp(json_string_value(json_object_get(lines[i], "event")), "sample") == 0)
            sample_lines[sample_count++] = lines[i];
    double end = 0, worst_logged = 0, worst_bracket = 0, worst_agreement = 0, worst_wait = 0;
    unsigned samples = 0;
    for (size_t i = 0; i < sample_count; i++) {
        json_t *e = sample_lines[i];
        double from = json_number_value(json_object_get(e, "t_start"));
        double to = json_number_value(json_object_get(e, "t_end"));
        cr_expect_float_eq(from, end, 1e-9, "%s: sample %u follows the last", label, samples);
        end = to;
        int last = samples == seconds;
        samples++;
        if (last)
            break; /* the hashes under way at the stop: asked 0, whatever they took */
        cr_expect(to - from > 0.99 && to - from < 1.01, "%s: sample %.3f-%.3f", label, from, to);
        double want = asked_over(asked, from, to);
        double logged_asked = json_number_value(json_object_get(e, "asked"));
        cr_expect(fabs(logged_asked - want) < 0.5, "%s: %.3f-%.3f asked %.2f, the profile %.2f",
                  label, from, to, logged_asked, want);
        for (unsigned k = 0; k < threads; k++) {
            double logged = json_number_value(json_array_get(json_object_get(e, "cpu_percent"), k));
            double low, high, waited;
            if (!kernel_cpu_over(readings, n, k, from, to, &low, &high, &waited))
                continue; /* past the last reading */
            /* A thread the kernel kept waiting for a CPU could not have its share. */
            double excused = 100 * waited / (to - from);
            worst_logged = fmax(worst_logged, fabs(logged - want));
            worst_wait = fmax(worst_wait, excused);
            cr_expect(logged <= want + 3 && logged >= want - 3 - excused,
                      "%s: %.0f-%.0f s thread %u had %.2f%%, asked %.2f%% (it waited for a CPU "
                      "%.2f%% of the time)",
                      label, from, to, k, logged, want, excused);
            low *= 100 / (to - from);
            high *= 100 / (to - from);
            worst_bracket = fmax(worst_bracket, high - low);
            double off = logged < low ? low - logged : logged > high ? logged - high : 0;
            worst_agreement = fmax(worst_agreement, off);
            cr_expect(off < 0.25,
                      "%s: %.0f-%.0f s thread %u logged %.2f%%, the kernel counted %.2f-%.2f%%",
                      label, from, to, k, logged, low, high);
        }
    }
    for (size_t i = 0; i < count; i++)
        json_decref(lines[i]);
    cr_expect_eq(samples, seconds + 1, "%s: a sample a second and one to the stop", label);
    cr_log_info("%s: worst of %u samples %.2f points from asked; outside the kernel's count by "
                "%.2f (its bounds %.2f points wide at most); waited for a CPU up to %.2f%%",
                label, samples - 1, worst_logged, worst_agreement, worst_bracket, worst_wait);
}

static double constant_percent;
static double constant(double t)
{
    (void)t;
    return constant_percent;
}

static const char *threads_arg(void)
{
    return cpus_allowed() >= 2 ? "2" : "1";
}

Test(load_truth, constant_intensities_on_cryptonight_and_light_randomx, .timeout = 300)
{
    static const unsigned percents[] = {5, 10, 30, 70};
    static const char *const algos[] = {"cn/r", "cn/double", "rx/0:light"};
    for (size_t g = 0; g < sizeof(algos) / sizeof(algos[0]); g++) {
        for (size_t k = 0; k < sizeof(percents) / sizeof(percents[0]); k++) {
            if (strcmp(algos[g], "cn/double") == 0 && percents[k] > 10)
                continue; /* the longest hash matters most where the budget is short */
            char intensity[8], label[48];
            snprintf(intensity, sizeof(intensity), "%u", percents[k]);
            snprintf(label, sizeof(label), "%s at %u%%", algos[g], percents[k]);
            constant_percent = percents[k];
            check_against_the_kernel(label,
                                     ARGS("--duration", "5", "--algo", algos[g], "--threads",
                                          threads_arg(), "--intensity", intensity),
                                     5, constant);
        }
    }
}

static double square_2_2_at_60(double t)
{
    return fmod(t, 4) < 2 ? 60 : 0;
}

static double ramp_10_70_over_7(double t)
{
    return 10 + 10 * floor(t);
}

static double file_steps(double t)
{
    return t < 1.5 ? 5 : t < 3.25 ? 40 : 15;
}

Test(load_truth, phase_edges_of_square_ramp_and_file_profiles, .timeout = 300)
{
    check_against_the_kernel("square:2/2 at 60%",
                             ARGS("--duration", "6", "--algo", "rx/0:light", "--threads",
                                  threads_arg(), "--profile", "square:2/2", "--intensity", "60"),
                             6, square_2_2_at_60);
    check_against_the_kernel("ramp:10-70",
                             ARGS("--duration", "7", "--algo", "cn/r", "--threads", threads_arg(),
                                  "--profile", "ramp:10-70"),
                             7, ramp_10_70_over_7);
    char path[] = "/tmp/minemeter-profile-XXXXXX", profile[64];
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("seconds,intensity\n0,5\n1.5,40\n3.25,15\n", f);
    fclose(f);
    snprintf(profile, sizeof(profile), "file:%s", path);
    check_against_the_kernel("a file of steps at 1.5 and 3.25 s",
                             ARGS("--duration", "5", "--algo", "rx/0:light", "--threads",
                                  threads_arg(), "--profile", profile),
                             5, file_steps);
    unlink(path);
}

/* One test at a time, whatever the machine's core count: each needs the cores to itself. */
int main(int argc, char *argv[])
{
    struct criterion_test_set *tests = criterion_initialize();
    criterion_options.jobs = 1;
    int result = 0;
    if (criterion_handle_args(argc, argv, true))
        result = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    return result;
}
