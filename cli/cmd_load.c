/*
 * minemeter load: real miner load (the same hashing, memory and cache
 * behaviour as `mine`) at a chosen intensity and profile, for a bounded
 * time, with a ground-truth log for labs that score cryptojacking
 * detectors.
 *
 * The log (--log FILE) is JSON lines, each written and flushed as it
 * happens, so a run killed at any moment leaves only whole lines; its
 * events and fields are docs/load-log.md, which the tests hold it to.
 * The schedule starts on a multiple of the duty cycle's 100 ms period, so
 * each sampled second holds ten whole periods.
 *
 * Visible by design: it says what it runs and until when, stops at
 * --duration or on SIGINT/SIGTERM, and never detaches or hides.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "arch/clock.h"
#include "arch/energy.h"
#include "arch/topology.h"
#include "bench/progress.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/http_options.h"
#include "cli/power_options.h"
#include "cli/priority_options.h"
#include "cli/rx_options.h"
#include "cli/worker_options.h"
#include "miner/duty_cycle.h"
#include "miner/load_profile.h"
#include "miner/miner.h"
#include "miner/placement.h"
#include "miner/rx_dataset_build.h"
#include "miner/synthetic_job.h"
#include "stratum/printable.h"
#include "stratum/session.h"
#include "stratum/url.h"

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
    OPT_USER,
    OPT_PASS,
    OPT_TLS_FINGERPRINT,
    OPT_JIT,
    OPT_HUGE_PAGES,
    OPT_1GB_PAGES,
    OPT_LOCKSTEP,
    OPT_POWER_CMD,
    OPT_POWER_MODEL,
    OPT_PRINT_TIME,
    OPT_HTTP,
    OPT_HTTP_TOKEN,
    OPT_NICE,
    OPT_CPU_PRIORITY,
    OPT_CONFIG,
    OPT_DUMP_CONFIG,
    OPT_COUNT
};

static const cli_option_t load_options[OPT_COUNT] = {
    [OPT_CONFIG] = CLI_CONFIG_OPTION_FILE,
    [OPT_DUMP_CONFIG] = CLI_CONFIG_OPTION_DUMP,
    [OPT_HTTP] = CLI_HTTP_OPTION_ADDRESS,
    [OPT_NICE] = CLI_PRIORITY_OPTION_NICE,
    [OPT_CPU_PRIORITY] = CLI_PRIORITY_OPTION_CPU_PRIORITY,
    [OPT_HTTP_TOKEN] = CLI_HTTP_OPTION_TOKEN,
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
    [OPT_PRINT_TIME] = {"print-time", CLI_OPT_UINT, "SECONDS", 1, 3600,
                        "print the asked and measured share this often (default 10)"},
    [OPT_POWER_CMD] = CLI_POWER_OPTION_CMD,
    [OPT_POWER_MODEL] = CLI_POWER_OPTION_MODEL,
    [OPT_URL] = {"url", CLI_OPT_STRING, "URL", 0, 0,
                 "hash a lab pool's jobs and submit the shares: stratum+tcp://HOST:PORT or "
                 "stratum+ssl://... (repeat for failover), as mine does",
                 'o', NULL},
    [OPT_USER] = {"user", CLI_OPT_STRING, "NAME", 0, 0,
                  "with --url: the pool login (default minemeter-load)", 'u', NULL},
    [OPT_PASS] = {"pass", CLI_OPT_STRING, "TEXT", 0, 0, "with --url: the pool password (default x)",
                  'p', NULL},
    [OPT_TLS_FINGERPRINT] = {"tls-fingerprint", CLI_OPT_STRING, "SHA256", 0, 0,
                             "with a stratum+ssl --url: trust only the certificate with this "
                             "SHA-256"},
};

static const cli_command_spec_t load_spec = {
    "load",
    "bounded, labelled miner load for labs, with a ground-truth log",
    "--duration SECONDS [--intensity PERCENT] [--profile PROFILE] [--log FILE]",
    "Hashes like a real miner (same algorithms, memory and cache behaviour) on\n"
    "pinned threads named minemeter-w0, -w1 ..., each using --intensity percent of\n"
    "every 100 ms of its CPU time (a long hash is stopped where its share ends),\n"
    "shaped over time by --profile:\n"
    "  constant       --intensity throughout\n"
    "  square:ON/OFF  ON seconds at --intensity, OFF seconds idle, repeated\n"
    "  ramp:FROM-TO   FROM% in the first second to TO% in the last, in whole steps\n"
    "  sine:PERIOD    between idle and --intensity, PERIOD seconds a cycle\n"
    "  file:PATH      a CSV of seconds,intensity rows in time order (header allowed)\n"
    "--log writes the ground truth as JSON lines, flushed as they happen: the\n"
    "start, each phase's start and end with the asked intensity, a sample per\n"
    "second (its interval, the intensity asked over it, each thread's measured CPU\n"
    "share, hashes, energy and watts with their source, measured or estimated),\n"
    "the part second at the stop,\n"
    "and a summary; docs/load-log.md is its contract. It stops at --duration or\n"
    "on SIGINT/SIGTERM and runs in the foreground under its own name.\n"
    "With --url the workers hash a lab pool's jobs instead of a synthetic one and\n"
    "submit the shares, reconnecting and failing over as mine does; the log then\n"
    "also holds each connection, job and share with the bytes on the wire (see\n"
    "minemeter pool for a pool of your own).\n"
    "Examples:\n"
    "  minemeter load --duration 600 --intensity 30 --log truth.jsonl\n"
    "  minemeter load --duration 300 --profile square:30/30 --threads 2 --log truth.jsonl\n"
    "  minemeter load --duration 600 --intensity 50 --url 127.0.0.1:3333 --log truth.jsonl",
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
    unsigned print_s; /* a status line this often */
    /* With --url: the mining session on its loop, which the schedule's waits run. */
    uv_loop_t *loop;
    uv_timer_t nap_timer;
    stratum_session_t *session;
    const stratum_pool_t *pools;
    json_t *early_events; /* the session's events before the schedule started */
    cli_http_t *http;     /* NULL without --http */
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

/* v to so many decimals, as the log prints it (docs/load-log.md). */
static json_t *json_fixed(double v, int decimals)
{
    double scale = pow(10, decimals);
    return json_real(round(v * scale) / scale);
}

/* Writes line (taken) to the log and flushes it: a run killed at any moment leaves whole lines. */
static void write_line(load_run_t *r, json_t *line)
{
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(line);
    if (text == NULL)
        return;
    fprintf(r->log, "%s\n", text);
    fflush(r->log);
    free(text);
}

/* Writes one event, at t seconds of the schedule, as a line and flushes it; takes ownership. */
static void log_event_at(load_run_t *r, const char *name, double t, json_t *event)
{
    if (r->log == NULL) {
        json_decref(event);
        return;
    }
    json_t *line = json_object();
    if (r->t0_ns == 0) {
        /* Before the schedule (--url: the connection, the first job): kept for after "start". */
        json_object_set_new(line, "event", json_string(name));
        json_object_set_new(line, "mono_ns", json_integer((json_int_t)arch_clock_ns()));
        json_object_set_new(line, "unix_ms", json_integer(unix_ms()));
        json_object_update(line, event);
        json_decref(event);
        json_array_append_new(r->early_events, line);
        return;
    }
    json_object_set_new(line, "event", json_string(name));
    json_object_set_new(line, "t", json_fixed(t, 3));
    json_object_set_new(line, "unix_ms", json_integer(unix_ms()));
    json_object_update(line, event);
    json_decref(event);
    write_line(r, line);
}

static void log_event(load_run_t *r, const char *name, json_t *event)
{
    log_event_at(r, name, seconds_since(r, arch_clock_ns()), event);
}

/* Joules since the start, or -1 with why when there is no counter. */
static double energy_so_far(load_run_t *r, const char **why)
{
    double j = 0;
    if (r->energy_ok && arch_energy_read(&r->energy, &j) == 0)
        return j - r->energy_start_j;
    *why = r->energy_ok ? "the energy source could not be read" : r->energy.reason;
    return -1;
}

/*
 * What the log's samples are measured from: the schedule's running
 * integral of the asked intensity, and the counters at the last sample.
 */
typedef struct {
    unsigned asked;        /* applied now */
    double asked_since;    /* when it was applied (schedule seconds) */
    double asked_integral; /* percent-seconds asked up to asked_since */
    double sample_start;   /* the open interval's start */
    double integral_start; /* asked_integral at sample_start */
    uint64_t *cpu_start;   /* each worker's CPU clock at sample_start */
    uint64_t hashes_start;
    double energy_start;              /* joules at sample_start, -1 without a counter */
    double shares[MINER_MAX_THREADS]; /* the last sample's measured percent per worker */
    double last_rate;
    double last_watts; /* the last sample's, < 0 unknown */
} schedule_state_t;

static void apply_asked(load_run_t *r, schedule_state_t *st, const miner_job_t *job, unsigned want,
                        double now)
{
    st->asked_integral += st->asked * (now - st->asked_since);
    st->asked_since = now;
    if (r->session != NULL) {
        /* The pool's job stays; intensity 0 holds the workers, even through a new job. */
        miner_set_intensity(r->miner, want);
        st->asked = want;
        return;
    }
    if (want == 0)
        miner_pause(r->miner);
    else
        miner_set_intensity(r->miner, want);
    if (want != 0 && st->asked == 0)
        miner_set_job(r->miner, job); /* resume: the state for the seed is kept */
    st->asked = want;
}

/* Logs the interval from the last sample to now_ns and opens the next one. */
static void log_sample(load_run_t *r, schedule_state_t *st, uint64_t now_ns)
{
    double now = seconds_since(r, now_ns), span = now - st->sample_start;
    double integral = st->asked_integral + st->asked * (now - st->asked_since);
    json_t *e = json_object();
    json_object_set_new(e, "t_start", json_fixed(st->sample_start, 3));
    json_object_set_new(e, "t_end", json_fixed(now, 3));
    json_object_set_new(e, "asked",
                        json_fixed(span > 0 ? (integral - st->integral_start) / span : 0, 2));
    json_t *shares = json_array();
    for (unsigned i = 0; i < r->threads; i++) {
        uint64_t cpu = miner_thread_cpu_ns(r->miner, i);
        st->shares[i] = span > 0 ? 100 * (double)(cpu - st->cpu_start[i]) / 1e9 / span : 0;
        json_array_append_new(shares, json_fixed(st->shares[i], 2));
        st->cpu_start[i] = cpu;
    }
    json_object_set_new(e, "cpu_percent", shares);
    uint64_t hashes = miner_hashes(r->miner);
    st->last_rate = span > 0 ? (double)(hashes - st->hashes_start) / span : 0;
    json_object_set_new(e, "hashes", json_integer((json_int_t)(hashes - st->hashes_start)));
    json_object_set_new(e, "hashes_total", json_integer((json_int_t)hashes));
    json_object_set_new(e, "hashes_per_s", json_fixed(st->last_rate, 2));
    const char *why = NULL;
    double joules = energy_so_far(r, &why);
    if (joules >= 0 && st->energy_start >= 0) {
        json_object_set_new(e, "energy_j", json_fixed(joules - st->energy_start, 3));
        json_object_set_new(e, "energy_total_j", json_fixed(joules, 3));
        st->last_watts = span > 0 ? (joules - st->energy_start) / span : -1;
        json_object_set_new(e, "watts",
                            st->last_watts >= 0 ? json_fixed(st->last_watts, 2) : json_null());
        json_object_set_new(e, "power_source", json_string(r->energy.label));
    } else {
        st->last_watts = -1;
        json_object_set_new(e, "energy_j", json_null());
        json_object_set_new(e, "energy_total_j", json_null());
        json_object_set_new(e, "watts", json_null());
        json_object_set_new(e, "power_source", json_null());
        json_object_set_new(e, "energy_reason", json_string(why != NULL ? why : "no reading"));
    }
    log_event_at(r, "sample", now, e);
    http_status_t *status = cli_http_status(r->http);
    if (status != NULL) {
        status->intensity = st->asked;
        status->elapsed_s = now;
        cli_http_energy(r->http, &r->energy, joules);
        cli_http_sample(r->http, r->miner, now_ns);
    }
    st->sample_start = now;
    st->integral_start = integral;
    st->hashes_start = hashes;
    st->energy_start = joules;
}

static void print_status(const load_run_t *r, const schedule_state_t *st, double now)
{
    char shares[512] = "";
    size_t used = 0;
    for (unsigned i = 0; i < r->threads && used < sizeof(shares) - 16; i++)
        used += (size_t)snprintf(shares + used, sizeof(shares) - used, "%s%.1f%%", i ? " " : "",
                                 st->shares[i]);
    char watts[32] = "";
    if (st->last_watts >= 0)
        snprintf(watts, sizeof(watts), "  %s%.1f W", cli_power_mark(&r->energy), st->last_watts);
    printf("minemeter load: %4.0f s  asked %u%%  measured %s  %.1f H/s  %" PRIu64 " hashes%s\n",
           now, st->asked, shares, st->last_rate, miner_hashes(r->miner), watts);
    fflush(stdout);
}

static void on_nap(uv_timer_t *timer)
{
    (void)timer;
}

/* Waits d seconds, running the session's loop meanwhile when there is one. */
static void nap(load_run_t *r, double d)
{
    if (r->loop != NULL) {
        uv_timer_start(&r->nap_timer, on_nap, (uint64_t)ceil(d * 1000), 0);
        uv_run(r->loop, UV_RUN_ONCE);
        return;
    }
    struct timespec ts = {0, (long)(d * 1e9)};
    nanosleep(&ts, NULL);
}

static void sleep_until(load_run_t *r, double t)
{
    double now = seconds_since(r, arch_clock_ns());
    if (t <= now)
        return;
    nap(r, t - now > 0.05 ? 0.05 : t - now); /* short naps keep signals prompt */
}

/*
 * Runs the schedule: a sample every whole second from the start, and a
 * last one from there to when the workers stopped (a part second after a
 * signal; after --duration, just the hashes under way at the stop), so
 * the samples hold every hash and CPU second. Returns why it ended.
 */
static const char *run_schedule(load_run_t *r, const miner_job_t *job,
                                const load_profile_t *profile, unsigned base, double duration)
{
    schedule_state_t st;
    memset(&st, 0, sizeof(st));
    st.cpu_start = calloc(r->threads, sizeof(uint64_t));
    if (st.cpu_start == NULL)
        return "out of memory";
    const char *why = NULL;
    st.energy_start = energy_so_far(r, &why) >= 0 ? 0 : -1;
    for (unsigned i = 0; i < r->threads; i++)
        st.cpu_start[i] = miner_thread_cpu_ns(r->miner, i);
    unsigned first = load_profile_intensity(profile, base, 0, duration);
    json_t *e = json_object();
    json_object_set_new(e, "intensity", json_integer(first));
    log_event_at(r, "phase_start", 0, e);
    apply_asked(r, &st, job, first, 0);
    double next_sample = 1, next_print = r->print_s;
    const char *reason = "duration";
    double now = 0;
    for (;;) {
        uint64_t now_ns = arch_clock_ns();
        now = seconds_since(r, now_ns);
        if (now >= next_sample && stop_signal == 0) {
            log_sample(r, &st, now_ns);
            while (next_sample <= now)
                next_sample += 1;
        }
        if (stop_signal != 0 || now >= duration) {
            if (stop_signal != 0)
                reason = stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
            break;
        }
        unsigned want = load_profile_intensity(profile, base, now, duration);
        if (want != st.asked) {
            e = json_object();
            json_object_set_new(e, "intensity", json_integer(st.asked));
            log_event_at(r, "phase_end", now, e);
            e = json_object();
            json_object_set_new(e, "intensity", json_integer(want));
            log_event_at(r, "phase_start", now, e);
            apply_asked(r, &st, job, want, now);
        }
        if (r->print_s != 0 && now >= next_print) {
            print_status(r, &st, now);
            while (next_print <= now)
                next_print += r->print_s;
        }
        double next = load_profile_next_change(profile, now, duration);
        sleep_until(r, next < next_sample ? next : next_sample);
    }
    double stop = now; /* the schedule ends when the loop saw it end */
    e = json_object();
    json_object_set_new(e, "intensity", json_integer(st.asked));
    log_event_at(r, "phase_end", stop, e);
    apply_asked(r, &st, job, 0, stop);
    if (r->session != NULL)
        miner_pause(r->miner); /* so that miner_idle can say the hashes under way ended */
    /* The last sample holds the hashes under way at the stop: wait for them (a second at most). */
    for (int i = 0; i < 200 && !miner_idle(r->miner); i++) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    log_sample(r, &st, arch_clock_ns());
    free(st.cpu_start);
    return reason;
}

/* --- with --url: the mining session's lines and events ------------------------- */

static void on_session_log(void *context, const char *line)
{
    (void)context;
    char shown[4096];
    stratum_printable(line, shown, sizeof(shown)); /* pool text: never terminal commands */
    printf("minemeter load: pool: %s\n", shown);
    fflush(stdout);
}

static void on_session_fatal(void *context, int exit_code, const char *why)
{
    (void)context;
    (void)exit_code;
    fprintf(stderr, "minemeter load: %s\n", why);
    stop_signal = SIGTERM; /* the schedule ends at its next look */
}

static void on_session_event(void *context, const stratum_session_event_t *ev)
{
    load_run_t *r = context;
    cli_http_session_event(r->http, ev, r->pools);
    json_t *e = json_object();
    const char *name = "pool_disconnect";
    switch (ev->kind) {
    case STRATUM_SESSION_CONNECTED: {
        const stratum_url_t *url = &r->pools[ev->pool].url;
        char where[300];
        snprintf(where, sizeof(where), "%s://%s:%u", stratum_url_scheme_name(url->scheme),
                 url->host, (unsigned)url->port);
        name = "pool_connect";
        json_object_set_new(e, "url", json_string(where));
        break;
    }
    case STRATUM_SESSION_DISCONNECTED:
        break;
    case STRATUM_SESSION_JOB:
        name = "pool_job";
        json_object_set_new(e, "job_id", json_string(ev->job_id));
        json_object_set_new(e, "algo", json_string(ev->algo));
        json_object_set_new(e, "height", json_integer((json_int_t)ev->height));
        json_object_set_new(e, "difficulty", json_integer((json_int_t)ev->difficulty));
        json_object_set_new(e, "bytes", json_integer((json_int_t)ev->bytes));
        break;
    case STRATUM_SESSION_SHARE_SENT:
        name = "share_sent";
        json_object_set_new(e, "job_id", json_string(ev->job_id));
        json_object_set_new(e, "nonce", json_string(ev->nonce));
        json_object_set_new(e, "bytes", json_integer((json_int_t)ev->bytes));
        break;
    case STRATUM_SESSION_SHARE_RESULT:
        name = "share_result";
        json_object_set_new(e, "accepted", json_boolean(ev->accepted));
        if (ev->reason != NULL)
            json_object_set_new(e, "reason", json_string(ev->reason));
        json_object_set_new(e, "latency_ms", json_fixed(ev->latency_ms, 3));
        json_object_set_new(e, "bytes", json_integer((json_int_t)ev->bytes));
        break;
    }
    log_event(r, name, e);
}

/* The session's events from before the schedule, after "start", with their (negative) t. */
static void log_early_events(load_run_t *r)
{
    size_t i;
    json_t *early;
    json_array_foreach(r->early_events, i, early)
    {
        json_int_t mono = json_integer_value(json_object_get(early, "mono_ns"));
        json_t *line = json_object();
        json_object_set(line, "event", json_object_get(early, "event"));
        json_object_set_new(line, "t", json_fixed((double)(mono - (json_int_t)r->t0_ns) / 1e9, 3));
        json_object_set(line, "unix_ms", json_object_get(early, "unix_ms"));
        json_object_del(early, "mono_ns");
        json_object_update_missing(line, early);
        write_line(r, line); /* only buffered when there is a log */
    }
    json_array_clear(r->early_events);
}

/* Parses the --url values into pools; returns CLI_CONTINUE or the exit code. */
static int read_pools(const cli_value_t *v, stratum_pool_t *pools, size_t *count)
{
    *count = 0;
    if (v[OPT_URL].count > STRATUM_MAX_POOLS) {
        cli_usage_error("load", "--url: at most %d pools", STRATUM_MAX_POOLS);
        return CLI_EXIT_USAGE;
    }
    for (unsigned i = 0; i < v[OPT_URL].count; i++) {
        stratum_pool_t *p = &pools[(*count)++];
        char why[512];
        if (stratum_url_parse(v[OPT_URL].texts[i], &p->url, why, sizeof(why)) != 0) {
            cli_usage_error("load", "--url %s", why);
            return CLI_EXIT_USAGE;
        }
        if (stratum_url_is_daemon(p->url.scheme)) {
            cli_usage_error("load",
                            "--url %s: load talks to Stratum pools; for monerod, run minemeter "
                            "pool --daemon ... and point load at it, or use minemeter mine",
                            v[OPT_URL].texts[i]);
            return CLI_EXIT_USAGE;
        }
        p->user = v[OPT_USER].set ? v[OPT_USER].text : "minemeter-load";
        p->pass = v[OPT_PASS].set ? v[OPT_PASS].text : "x";
        if (p->url.scheme == STRATUM_URL_TLS && v[OPT_TLS_FINGERPRINT].set)
            p->tls_fingerprint = v[OPT_TLS_FINGERPRINT].text;
    }
    return CLI_CONTINUE;
}

/* Runs the loop until the session has a job ready to hash; 0, or -1 (a signal, or no job). */
static int wait_first_job(load_run_t *r, unsigned timeout_s)
{
    uint64_t until = arch_clock_ns() + (uint64_t)timeout_s * 1000000000ull;
    for (;;) {
        stratum_session_stats_t st;
        stratum_session_stats(r->session, &st);
        if (st.jobs_published > 0)
            return 0;
        if (stop_signal != 0 || arch_clock_ns() >= until)
            return -1;
        nap(r, 0.05);
    }
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
    stratum_pool_t pools[STRATUM_MAX_POOLS];
    memset(pools, 0, sizeof(pools));
    size_t pool_count = 0;
    if (!v[OPT_URL].set && (v[OPT_USER].set || v[OPT_PASS].set || v[OPT_TLS_FINGERPRINT].set)) {
        cli_usage_error(spec->name, "--user, --pass and --tls-fingerprint go with --url");
        return CLI_EXIT_USAGE;
    }
    if (v[OPT_URL].set && read_pools(v, pools, &pool_count) != CLI_CONTINUE)
        return CLI_EXIT_USAGE;
    signal(SIGPIPE, SIG_IGN); /* a pool gone between read and write: EPIPE, handled */
    cli_priority_t priority;
    if (cli_priority_parse(spec->name, &v[OPT_NICE], &v[OPT_CPU_PRIORITY], &priority) !=
        CLI_CONTINUE)
        return CLI_EXIT_USAGE;
    load_profile_t profile;
    char why[512];
    if (load_profile_parse(v[OPT_PROFILE].set ? v[OPT_PROFILE].text : "constant", &profile, why,
                           sizeof(why)) != 0) {
        cli_usage_error(spec->name, "%s", why);
        return CLI_EXIT_USAGE;
    }
    unsigned base = v[OPT_INTENSITY].set ? (unsigned)v[OPT_INTENSITY].number : 100;
    double duration = (double)v[OPT_DURATION].number;
    if (v[OPT_INTENSITY].set && !load_profile_uses_base(&profile)) {
        cli_usage_error(spec->name,
                        "--intensity does not apply to --profile %s, which names its own "
                        "intensities",
                        profile.text);
        load_profile_free(&profile);
        return CLI_EXIT_USAGE;
    }
    if (profile.kind == LOAD_PROFILE_RAMP && duration < 2) {
        cli_usage_error(spec->name,
                        "--profile %s needs --duration 2 or more (a first and a "
                        "last second)",
                        profile.text);
        load_profile_free(&profile);
        return CLI_EXIT_USAGE;
    }
    char asked_text[300];
    if (profile.kind == LOAD_PROFILE_CONSTANT)
        snprintf(asked_text, sizeof(asked_text), "%u%%", base);
    else if (load_profile_uses_base(&profile))
        snprintf(asked_text, sizeof(asked_text), "%u%% shaped by --profile %s", base, profile.text);
    else
        snprintf(asked_text, sizeof(asked_text), "--profile %s", profile.text);

    load_run_t r;
    memset(&r, 0, sizeof(r));
    r.print_s = v[OPT_PRINT_TIME].set ? (unsigned)v[OPT_PRINT_TIME].number : 10;
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
    /* Before anything is prepared: a --power-cmd that does not work stops the run here. */
    const cli_power_values_t power = {&v[OPT_POWER_CMD], &v[OPT_POWER_MODEL]};
    rc = cli_power_open(spec->name, &power, &r.energy);
    if (rc != CLI_CONTINUE) {
        exit_code = rc;
        goto out;
    }
    r.energy_ok = r.energy.source != ARCH_ENERGY_NONE;
    const pow_algo_t *algo = w->algo;
    const int fast = w->fast;
    r.threads = w->threads;
    const cli_http_values_t http_values = {&v[OPT_HTTP], &v[OPT_HTTP_TOKEN]};
    const cli_http_run_t http_run = {"load", algo, fast, w->threads, w->pus, pools, pool_count};
    rc = cli_http_open(spec->name, &http_values, &http_run, &r.http);
    if (rc != CLI_CONTINUE) {
        exit_code = rc;
        goto out;
    }
    if (r.http != NULL) {
        http_status_t *status = cli_http_status(r.http);
        status->has_load = 1;
        status->duration_s = duration;
        snprintf(status->profile, sizeof(status->profile), "%s", profile.text);
    }
    miner_config_t mc = cli_workers_miner_config(w);
    /* Without a pool the one build happens below, in this thread: a meter shows it. */
    bench_meter_t dataset_meter;
    if (pool_count == 0)
        mc.dataset_progress = (miner_build_progress_t){bench_meter_report, &dataset_meter};
    char agent[64];
    snprintf(agent, sizeof(agent), "minemeter-load/%s", PACKAGE_VERSION);
    uv_loop_t loop;
    r.early_events = json_array();
    if (pool_count > 0) {
        stratum_session_config_t sc = {
            .pools = pools,
            .pool_count = pool_count,
            .algo = algo,
            .agent = agent,
            .miner = mc,
            .fast = fast,
            .context = &r,
            .log = on_session_log,
            .fatal = on_session_fatal,
            .event = on_session_event,
        };
        r.pools = pools;
        uv_loop_init(&loop);
        if (stratum_session_create(&r.session, &loop, &sc, why, sizeof(why)) != 0) {
            cli_error(spec->name, "%s", why);
            uv_loop_close(&loop);
            goto out;
        }
        r.loop = &loop;
        uv_timer_init(r.loop, &r.nap_timer);
        r.miner = stratum_session_miner(r.session);
        miner_set_intensity(r.miner, 0); /* held until the schedule starts */
    } else if (miner_create(&r.miner, &mc) != 0) {
        cli_error(spec->name, "cannot start %u worker threads", r.threads);
        goto out;
    }
    cli_priority_apply(spec->name, &priority, r.miner, r.threads);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    miner_job_t job;
    miner_synthetic_job(algo, "minemeter load", &job);
    if (r.session != NULL) {
        char rx_mode[400] = "";
        if (w->mode_reason[0] != '\0')
            snprintf(rx_mode, sizeof(rx_mode), " (RandomX in %s mode: %s)", fast ? "fast" : "light",
                     w->mode_reason);
        fprintf(stderr,
                "minemeter load: connecting to %s and waiting for a first job to hash%s...\n",
                v[OPT_URL].texts[0], rx_mode);
        stratum_session_start(r.session);
        if (wait_first_job(&r, 120) != 0) {
            if (stop_signal == 0)
                cli_error(spec->name, "no job to hash from the pool in 120 s: is it running?");
            goto out;
        }
    } else {
        if (pow_algo_rx(algo) != NULL)
            fprintf(stderr, "minemeter load: preparing %s in %s mode (%s), building the %s...\n",
                    pow_algo_name(algo), fast ? "fast" : "light", w->mode_reason,
                    fast ? "2080 MiB dataset" : "256 MiB cache");
        else
            fprintf(stderr, "minemeter load: preparing %s...\n", pow_algo_name(algo));
        miner_pause(r.miner);
    }
    int set_rc = 0;
    if (r.session == NULL) {
        if (fast && pow_algo_rx(algo) != NULL)
            bench_meter_begin(&dataset_meter, "minemeter load: the RandomX dataset",
                              pow_rx_dataset_item_count());
        set_rc = miner_set_job(r.miner, &job);
        if (fast && pow_algo_rx(algo) != NULL)
            bench_meter_end(&dataset_meter);
    }
    if (r.session == NULL && set_rc != 0) {
        char room[256];
        if (pow_algo_rx(algo) != NULL && fast && !miner_dataset_fits(room, sizeof(room)))
            cli_error(spec->name, "cannot prepare %s: %s (--mode light needs 256 MiB)",
                      pow_algo_name(algo), room);
        else
            cli_error(spec->name, "cannot prepare %s: out of memory?", pow_algo_name(algo));
        goto out;
    }
    if (r.session == NULL)
        miner_pause(r.miner); /* the schedule starts it */
    /* Start on a multiple of the duty cycle's 100 ms: each sampled second holds whole periods. */
    uint64_t now_ns = arch_clock_ns();
    r.t0_ns = (now_ns / MINER_DUTY_PERIOD_NS + 1) * MINER_DUTY_PERIOD_NS;
    struct timespec nap = {0, (long)(r.t0_ns - now_ns)};
    nanosleep(&nap, NULL);
    if (r.energy_ok && arch_energy_read(&r.energy, &r.energy_start_j) != 0)
        r.energy_ok = 0;
    time_t end = time(NULL) + (time_t)duration;
    struct tm tm;
    char until[32];
    strftime(until, sizeof(until), "%H:%M:%S", localtime_r(&end, &tm));
    char source_text[320];
    if (r.session != NULL)
        snprintf(source_text, sizeof(source_text), "the jobs of %s", v[OPT_URL].texts[0]);
    else
        snprintf(source_text, sizeof(source_text), "%s", pow_algo_name(algo));
    printf("minemeter load: %s on %u thread(s) (%s; named minemeter-w0...)%s at %s for %.0f s, "
           "until %s; pid %ld; stop with Ctrl-C\n",
           source_text, r.threads, w->threads_reason, cli_priority_describe(&priority), asked_text,
           duration, until, (long)getpid());
    if (r.http != NULL)
        printf("minemeter load: http: %s\n", cli_http_description(r.http));
    if (r.energy_ok)
        printf("minemeter load: power %s\n", r.energy.label);
    else
        printf("minemeter load: power n/a: %s\n", r.energy.reason);
    fflush(stdout);
    json_t *e = json_object();
    json_object_set_new(e, "log_version", json_integer(2));
    json_object_set_new(e, "pid", json_integer(getpid()));
    json_object_set_new(e, "algo", json_string(pow_algo_name(algo)));
    json_object_set_new(e, "jobs", json_string(r.session != NULL ? "pool" : "synthetic"));
    if (r.session != NULL) {
        json_t *urls = json_array();
        for (unsigned i = 0; i < v[OPT_URL].count; i++)
            json_array_append_new(urls, json_string(v[OPT_URL].texts[i]));
        json_object_set_new(e, "urls", urls);
    }
    if (pow_algo_rx(algo) != NULL)
        json_object_set_new(e, "mode", json_string(fast ? "fast" : "light"));
    json_object_set_new(e, "threads", json_integer(r.threads));
    json_t *placed = json_array(), *tids = json_array();
    for (unsigned i = 0; i < r.threads; i++) {
        json_array_append_new(placed, json_integer(w->pus[i]));
        json_array_append_new(tids, json_integer(miner_thread_tid(r.miner, i)));
    }
    json_object_set_new(e, "pus", placed);
    json_object_set_new(e, "tids", tids);
    json_object_set_new(e, "profile", json_string(profile.text));
    if (load_profile_uses_base(&profile))
        json_object_set_new(e, "intensity", json_integer(base));
    json_object_set_new(e, "duration_s", json_fixed(duration, 3));
    json_object_set_new(e, "duty_period_ms", json_integer(MINER_DUTY_PERIOD_NS / 1000000));
    int mid_hash = miner_duty_timers(r.miner) == r.threads;
    json_object_set_new(e, "duty_stops_mid_hash", json_boolean(mid_hash));
    if (!mid_hash && pow_algo_rx(algo) == NULL)
        printf("minemeter load: note: no CPU-time timer here (timer_create failed), so a hash is "
               "the unit of --intensity: a second's share may be off by one hash's CPU time\n");
    json_object_set_new(e, "t0_monotonic_ns", json_integer((json_int_t)r.t0_ns));
    json_object_set_new(e, "power_source", r.energy_ok ? json_string(r.energy.label) : json_null());
    if (!r.energy_ok || arch_energy_is_estimate(&r.energy))
        json_object_set_new(e, "power_unmeasured_reason", json_string(r.energy.reason));
    log_event_at(&r, "start", 0, e);
    log_early_events(&r);

    const char *reason = run_schedule(&r, &job, &profile, base, duration);
    double elapsed = seconds_since(&r, arch_clock_ns());
    uint64_t hashes = miner_hashes(r.miner);
    e = json_object();
    json_object_set_new(e, "reason", json_string(reason));
    json_object_set_new(e, "elapsed_s", json_fixed(elapsed, 3));
    json_object_set_new(e, "hashes", json_integer((json_int_t)hashes));
    json_t *cpu = json_array();
    double cpu_total = 0;
    for (unsigned i = 0; i < r.threads; i++) {
        double s = (double)miner_thread_cpu_ns(r.miner, i) / 1e9;
        cpu_total += s;
        json_array_append_new(cpu, json_fixed(s, 3));
    }
    json_object_set_new(e, "cpu_s", cpu);
    const char *no_energy = NULL;
    double joules = energy_so_far(&r, &no_energy);
    json_object_set_new(e, "energy_j", joules >= 0 ? json_fixed(joules, 3) : json_null());
    json_object_set_new(e, "watts",
                        joules >= 0 && elapsed > 0 ? json_fixed(joules / elapsed, 2) : json_null());
    json_object_set_new(e, "power_source", joules >= 0 ? json_string(r.energy.label) : json_null());
    if (joules < 0)
        json_object_set_new(e, "energy_reason", json_string(no_energy));
    stratum_session_stats_t ss;
    if (r.session != NULL) {
        stratum_session_stats(r.session, &ss);
        json_object_set_new(e, "shares_accepted", json_integer((json_int_t)ss.source.accepted));
        json_object_set_new(e, "shares_rejected", json_integer((json_int_t)ss.source.rejected));
        json_object_set_new(e, "connects", json_integer((json_int_t)ss.source.connects));
    }
    log_event(&r, "summary", e);
    char energy_text[64] = "";
    if (joules >= 0 && elapsed > 0)
        snprintf(energy_text, sizeof(energy_text), ", %s%.1f J (%s%.2f W)",
                 cli_power_mark(&r.energy), joules, cli_power_mark(&r.energy), joules / elapsed);
    char shares_text[96] = "";
    if (r.session != NULL)
        snprintf(shares_text, sizeof(shares_text),
                 "; shares %" PRIu64 " accepted, %" PRIu64 " rejected", ss.source.accepted,
                 ss.source.rejected);
    printf("minemeter load: stopped (%s) after %.1f s: %" PRIu64
           " hashes, %.1f CPU seconds on %u thread(s)%s%s\n",
           reason, elapsed, hashes, cpu_total, r.threads, energy_text, shares_text);
    exit_code = CLI_EXIT_OK;
out:
    if (r.session != NULL) {
        stratum_session_stop(r.session);
        uv_close((uv_handle_t *)&r.nap_timer, NULL);
        uv_run(r.loop, UV_RUN_DEFAULT);
        uv_loop_close(r.loop);
        stratum_session_destroy(r.session); /* and its miner */
        r.miner = NULL;
    }
    cli_http_close(r.http);
    json_decref(r.early_events);
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
