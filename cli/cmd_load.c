/*
 * minemeter load: real miner load (the same hashing, memory and cache
 * behaviour as `mine`) at a chosen intensity and profile, for a bounded
 * time, with a ground-truth log for labs that score cryptojacking
 * detectors.
 *
 * The log (--log FILE) is JSON lines, each written and flushed as it
 * happens, so a run killed at any moment leaves only whole lines: "start";
 * "phase_start"/"phase_end" with the asked intensity; once a second a
 * "sample" with each worker's measured CPU share (from its thread CPU
 * clock), hashes, and energy when a counter is readable; a final
 * "summary". Times are "t" (seconds since the schedule started, monotonic)
 * and "unix_ms" (wall clock, to line up with a detector's own logs).
 *
 * Visible by design: it says what it runs and until when, stops at
 * --duration or on SIGINT/SIGTERM, and never detaches or hides.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch/clock.h"
#include "arch/energy.h"
#include "arch/topology.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/rx_options.h"
#include "cli/worker_options.h"
#include "miner/load_profile.h"
#include "miner/miner.h"
#include "miner/placement.h"
#include "miner/rx_dataset_build.h"

enum {
    OPT_DURATION,
    OPT_MAX_DURATION,
    OPT_ALGO,
    OPT_THREADS,
    OPT_AFFINITY,
    OPT_PIN,
    OPT_INTENSITY,
    OPT_PROFILE,
    OPT_LOG,
    OPT_MODE,
    OPT_URL,
    OPT_JIT,
    OPT_HUGE_PAGES,
    OPT_1GB_PAGES,
    OPT_LOCKSTEP,
    OPT_COUNT
};

static const cli_option_t load_options[OPT_COUNT] = {
    [OPT_DURATION] = {"duration", CLI_OPT_UINT, "SECONDS", 1, 31536000,
                      "how long to run (required)"},
    [OPT_MAX_DURATION] = {"max-duration", CLI_OPT_UINT, "SECONDS", 1, 31536000,
                          "refuse a longer --duration (default 3600)"},
    [OPT_ALGO] = CLI_WORKER_OPTION_ALGO,
    [OPT_THREADS] = CLI_WORKER_OPTION_THREADS,
    [OPT_AFFINITY] = CLI_WORKER_OPTION_AFFINITY,
    [OPT_PIN] = CLI_WORKER_OPTION_PIN,
    [OPT_INTENSITY] = {"intensity", CLI_OPT_UINT, "PERCENT", 1, 100,
                       "share of each thread's time spent hashing (default 100)"},
    [OPT_PROFILE] = {"profile", CLI_OPT_STRING, "PROFILE", 0, 0,
                     "constant (default), square:ON/OFF, ramp:FROM-TO, sine:PERIOD, file:PATH"},
    [OPT_LOG] = {"log", CLI_OPT_STRING, "FILE", 0, 0, "ground-truth log, JSON lines"},
    [OPT_MODE] = CLI_WORKER_OPTION_MODE,
    [OPT_JIT] = CLI_RX_OPTION_JIT,
    [OPT_HUGE_PAGES] = CLI_RX_OPTION_HUGE_PAGES,
    [OPT_1GB_PAGES] = CLI_RX_OPTION_1GB_PAGES,
    [OPT_LOCKSTEP] = CLI_RX_OPTION_LOCKSTEP,
    [OPT_URL] = {"url", CLI_OPT_STRING, "URL", 0, 0,
                 "a lab pool for network realism (not built yet: use minemeter mine)"},
};

static const cli_command_spec_t load_spec = {
    "load",
    "bounded, labelled miner load for labs, with a ground-truth log",
    "--duration SECONDS [--intensity PERCENT] [--profile PROFILE] [--log FILE]",
    "Hashes like a real miner (same algorithms, memory and cache behaviour) on\n"
    "pinned threads, each busy --intensity percent of the time in bursts of about\n"
    "a tenth of a second, shaped over time by --profile:\n"
    "  constant       --intensity throughout\n"
    "  square:ON/OFF  ON seconds at --intensity, OFF seconds idle, repeated\n"
    "  ramp:FROM-TO   from FROM% to TO% over the run\n"
    "  sine:PERIOD    between idle and --intensity, PERIOD seconds a cycle\n"
    "  file:PATH      a CSV of seconds,intensity rows\n"
    "--log writes the ground truth as JSON lines, flushed as they happen: the\n"
    "start, each phase's start and end with the asked intensity, each second's\n"
    "measured CPU share per thread, hashes and energy (null with a reason when no\n"
    "counter is readable), and a summary. It stops at --duration or on\n"
    "SIGINT/SIGTERM and runs in the foreground under its own name.\n"
    "Examples:\n"
    "  minemeter load --duration 600 --intensity 30 --log truth.jsonl\n"
    "  minemeter load --duration 300 --profile square:30/30 --threads 2 --log truth.jsonl",
    load_options,
    OPT_COUNT,
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signum)
{
    stop_signal = signum;
}

typedef struct {
    FILE *log;
    uint64_t t0_ns;
    unsigned threads;
    miner_t *miner;
    arch_energy_t energy;
    int energy_ok;
    double energy_start_j;
} load_run_t;

static double seconds_since(const load_run_t *r, uint64_t ns)
{
    return (double)(ns - r->t0_ns) / 1e9;
}

static int64_t unix_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Writes one event as a line and flushes it; takes ownership of event. */
static void log_event(load_run_t *r, const char *name, json_t *event)
{
    if (r->log == NULL) {
        json_decref(event);
        return;
    }
    json_object_set_new(event, "event", json_string(name));
    json_object_set_new(event, "t", json_real(seconds_since(r, arch_clock_ns())));
    json_object_set_new(event, "unix_ms", json_integer(unix_ms()));
    char *text = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(event);
    if (text == NULL)
        return;
    fprintf(r->log, "%s\n", text);
    fflush(r->log);
    free(text);
}

static json_t *energy_fields(load_run_t *r, json_t *event)
{
    double j = 0;
    if (r->energy_ok && arch_energy_read(&r->energy, &j) == 0) {
        json_object_set_new(event, "energy_j", json_real(j - r->energy_start_j));
    } else {
        json_object_set_new(event, "energy_j", json_null());
        json_object_set_new(
            event, "energy_reason",
            json_string(r->energy_ok ? "the counter could not be read" : r->energy.reason));
    }
    return event;
}

/* A job no pool sent: random bytes in Monero's blob shape, and a target nothing meets. */
static void synthetic_job(const pow_algo_t *algo, miner_job_t *job)
{
    memset(job, 0, sizeof(*job));
    job->job_id = 1;
    job->algo = algo;
    job->blob_len = 76;
    uint64_t x = arch_clock_ns() | 1;
    for (size_t i = 0; i < job->blob_len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        job->blob[i] = (uint8_t)x;
    }
    job->nonce_offset = 39;
    job->target = 0;
    job->height = 3000000;
    memcpy(job->seed, "minemeter load", 14);
    job->seed_len = 14;
}

static void set_asked(load_run_t *r, const miner_job_t *job, unsigned asked, unsigned before)
{
    if (asked == 0) {
        miner_pause(r->miner);
        return;
    }
    miner_set_intensity(r->miner, asked);
    if (before == 0)
        miner_set_job(r->miner, job); /* resume: the state for the seed is kept */
}

static void sleep_until(const load_run_t *r, double t)
{
    double now = seconds_since(r, arch_clock_ns());
    if (t <= now)
        return;
    double d = t - now > 0.05 ? 0.05 : t - now; /* short naps keep signals prompt */
    struct timespec ts = {0, (long)(d * 1e9)};
    nanosleep(&ts, NULL);
}

/* Runs the schedule; returns why it ended. */
static const char *run_schedule(load_run_t *r, const miner_job_t *job,
                                const load_profile_t *profile, unsigned base, double duration)
{
    uint64_t *cpu_before = calloc(r->threads, sizeof(uint64_t));
    unsigned asked = load_profile_intensity(profile, base, 0, duration);
    json_t *e = json_object();
    json_object_set_new(e, "intensity", json_integer(asked));
    log_event(r, "phase_start", e);
    set_asked(r, job, asked, 0);
    for (unsigned i = 0; cpu_before != NULL && i < r->threads; i++)
        cpu_before[i] = miner_thread_cpu_ns(r->miner, i);
    double next_sample = 1;
    uint64_t sample_ns = arch_clock_ns(), hashes_before = 0;
    const char *why = "duration";
    for (;;) {
        if (stop_signal != 0) {
            why = stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
            break;
        }
        uint64_t now_ns = arch_clock_ns();
        double now = seconds_since(r, now_ns);
        if (now >= duration)
            break;
        unsigned want = load_profile_intensity(profile, base, now, duration);
        if (want != asked) {
            e = json_object();
            json_object_set_new(e, "intensity", json_integer(asked));
            log_event(r, "phase_end", e);
            e = json_object();
            json_object_set_new(e, "intensity", json_integer(want));
            log_event(r, "phase_start", e);
            set_asked(r, job, want, asked);
            asked = want;
        }
        if (now >= next_sample) {
            double span = (double)(now_ns - sample_ns) / 1e9;
            e = json_object();
            json_object_set_new(e, "asked", json_integer(asked));
            json_t *shares = json_array();
            for (unsigned i = 0; cpu_before != NULL && i < r->threads; i++) {
                uint64_t cpu = miner_thread_cpu_ns(r->miner, i);
                json_array_append_new(
                    shares, json_real(span > 0 ? (double)(cpu - cpu_before[i]) / 1e9 / span : 0));
                cpu_before[i] = cpu;
            }
            json_object_set_new(e, "cpu_share", shares);
            uint64_t hashes = miner_hashes(r->miner);
            json_object_set_new(e, "hashes", json_integer((json_int_t)hashes));
            json_object_set_new(e, "hashes_per_s",
                                json_real(span > 0 ? (double)(hashes - hashes_before) / span : 0));
            log_event(r, "sample", energy_fields(r, e));
            hashes_before = hashes;
            sample_ns = now_ns;
            while (next_sample <= now)
                next_sample += 1;
        }
        double next = load_profile_next_change(profile, now, duration);
        sleep_until(r, next < next_sample ? next : next_sample);
    }
    e = json_object();
    json_object_set_new(e, "intensity", json_integer(asked));
    log_event(r, "phase_end", e);
    free(cpu_before);
    return why;
}

static int run_load(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    if (!v[OPT_DURATION].set) {
        cli_usage_error(spec->name, "--duration is required: load always ends on its own");
        return CLI_EXIT_USAGE;
    }
    unsigned long max = v[OPT_MAX_DURATION].set ? v[OPT_MAX_DURATION].number : 3600;
    if (v[OPT_DURATION].number > max) {
        cli_usage_error(spec->name,
                        "--duration %lu is past --max-duration %lu; raise --max-duration to run "
                        "longer",
                        v[OPT_DURATION].number, max);
        return CLI_EXIT_USAGE;
    }
    if (v[OPT_URL].set) {
        cli_error(spec->name,
                  "--url (pool traffic during load) is not built yet in minemeter %s; "
                  "minemeter mine gives the traffic",
                  PACKAGE_VERSION);
        return CLI_EXIT_USAGE;
    }
    load_profile_t profile;
    char why[512];
    if (load_profile_parse(v[OPT_PROFILE].set ? v[OPT_PROFILE].text : "constant", &profile, why,
                           sizeof(why)) != 0) {
        cli_usage_error(spec->name, "%s", why);
        return CLI_EXIT_USAGE;
    }
    unsigned base = v[OPT_INTENSITY].set ? (unsigned)v[OPT_INTENSITY].number : 100;
    double duration = (double)v[OPT_DURATION].number;

    load_run_t r;
    memset(&r, 0, sizeof(r));
    cli_rx_values_t rxv = {&v[OPT_JIT], &v[OPT_HUGE_PAGES], &v[OPT_1GB_PAGES], &v[OPT_LOCKSTEP]};
    if (cli_rx_options_apply(spec->name, &rxv) != CLI_CONTINUE) {
        load_profile_free(&profile);
        return CLI_EXIT_USAGE;
    }
    int exit_code = CLI_EXIT_FAILURE;
    cli_worker_values_t wv = {&v[OPT_ALGO], &v[OPT_MODE], &v[OPT_THREADS], &v[OPT_AFFINITY],
                              &v[OPT_PIN]};
    cli_workers_t *w = calloc(1, sizeof(*w));
    int rc = w == NULL ? CLI_EXIT_FAILURE : cli_workers_setup(spec->name, &wv, w);
    if (rc != CLI_CONTINUE) {
        exit_code = rc;
        free(w);
        w = NULL;
        goto out;
    }
    if (v[OPT_LOG].set) {
        r.log = fopen(v[OPT_LOG].text, "w");
        if (r.log == NULL) {
            cli_error(spec->name, "cannot write the log %s: %s", v[OPT_LOG].text, strerror(errno));
            exit_code = CLI_EXIT_USAGE;
            goto out;
        }
    }
    const pow_algo_t *algo = w->algo;
    const int fast = w->fast;
    r.threads = w->threads;
    miner_config_t mc = cli_workers_miner_config(w);
    if (miner_create(&r.miner, &mc) != 0) {
        cli_error(spec->name, "cannot start %u worker threads", r.threads);
        goto out;
    }
    r.energy_ok = arch_energy_open(&r.energy) == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    miner_job_t job;
    synthetic_job(algo, &job);
    fprintf(stderr, "minemeter load: preparing %s%s...\n", pow_algo_name(algo),
            pow_algo_rx(algo) != NULL
                ? (fast ? " (building the 2080 MiB dataset)" : " (building the 256 MiB cache)")
                : "");
    miner_pause(r.miner);
    if (miner_set_job(r.miner, &job) != 0) {
        char room[256];
        if (pow_algo_rx(algo) != NULL && fast && !miner_dataset_fits(room, sizeof(room)))
            cli_error(spec->name, "cannot prepare %s: %s (--mode light needs 256 MiB)",
                      pow_algo_name(algo), room);
        else
            cli_error(spec->name, "cannot prepare %s: out of memory?", pow_algo_name(algo));
        goto out;
    }
    miner_pause(r.miner); /* the schedule starts it */
    r.t0_ns = arch_clock_ns();
    if (r.energy_ok && arch_energy_read(&r.energy, &r.energy_start_j) != 0)
        r.energy_ok = 0;
    time_t end = time(NULL) + (time_t)duration;
    struct tm tm;
    char until[32];
    strftime(until, sizeof(until), "%H:%M:%S", localtime_r(&end, &tm));
    printf("minemeter load: %s on %u thread(s) at %u%% (profile %s) for %.0f s, until %s; "
           "pid %ld; stop with Ctrl-C\n",
           pow_algo_name(algo), r.threads, base, profile.text, duration, until, (long)getpid());
    fflush(stdout);
    json_t *e = json_object();
    json_object_set_new(e, "pid", json_integer(getpid()));
    json_object_set_new(e, "algo", json_string(pow_algo_name(algo)));
    json_object_set_new(e, "mode", json_string(fast ? "fast" : "light"));
    json_object_set_new(e, "threads", json_integer(r.threads));
    json_t *placed = json_array();
    for (unsigned i = 0; i < r.threads; i++)
        json_array_append_new(placed, json_integer(w->pus[i]));
    json_object_set_new(e, "pus", placed);
    json_object_set_new(e, "intensity", json_integer(base));
    json_object_set_new(e, "profile", json_string(profile.text));
    json_object_set_new(e, "duration_s", json_real(duration));
    log_event(&r, "start", e);

    const char *reason = run_schedule(&r, &job, &profile, base, duration);
    miner_pause(r.miner);
    double elapsed = seconds_since(&r, arch_clock_ns());
    uint64_t hashes = miner_hashes(r.miner);
    e = json_object();
    json_object_set_new(e, "reason", json_string(reason));
    json_object_set_new(e, "elapsed_s", json_real(elapsed));
    json_object_set_new(e, "hashes", json_integer((json_int_t)hashes));
    json_t *cpu = json_array();
    double cpu_total = 0;
    for (unsigned i = 0; i < r.threads; i++) {
        double s = (double)miner_thread_cpu_ns(r.miner, i) / 1e9;
        cpu_total += s;
        json_array_append_new(cpu, json_real(s));
    }
    json_object_set_new(e, "cpu_seconds", cpu);
    log_event(&r, "summary", energy_fields(&r, e));
    printf("minemeter load: stopped (%s) after %.1f s: %" PRIu64
           " hashes, %.1f CPU seconds on %u thread(s)\n",
           reason, elapsed, hashes, cpu_total, r.threads);
    exit_code = CLI_EXIT_OK;
out:
    miner_destroy(r.miner);
    if (r.energy_ok)
        arch_energy_close(&r.energy);
    if (w != NULL)
        cli_workers_release(w);
    free(w);
    load_profile_free(&profile);
    if (r.log != NULL)
        fclose(r.log);
    return exit_code;
}

const cli_command_t cli_command_load = {&load_spec, run_load};
