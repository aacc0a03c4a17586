/*
 * minemeter mine: mine on Stratum pools (stratum+tcp://, stratum+ssl://)
 * or solo against monerod (daemon+http://) until --duration or
 * SIGINT/SIGTERM, printing the connection, each job, each share's or
 * block's verdict and the hash rate, then a summary.
 *
 * Threads: the libuv loop (this thread) does all network work; the miner's
 * workers hash; the job feeder publishes jobs so that a RandomX seed
 * change never stalls the loop. Shares reach the loop through uv_async.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include "arch/clock.h"
#include "arch/topology.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/power_options.h"
#include "cli/rx_options.h"
#include "cli/mine_source.h"
#include "cli/worker_options.h"
#include "miner/hashrate.h"
#include "miner/nonce_resume.h"
#include "miner/job_feeder.h"
#include "miner/miner.h"
#include "miner/placement.h"
#include "miner/rx_dataset_build.h"
#include "pow/hex.h"
#include "pow/rx/group.h"
#include "stratum/client.h"
#include "stratum/daemon_client.h"
#include "stratum/message.h"
#include "stratum/printable.h"
#include "stratum/tls.h"
#include "stratum/url.h"

enum {
    OPT_URL,
    OPT_USER,
    OPT_PASS,
    OPT_RIGID,
    OPT_ALGO,
    OPT_THREADS,
    OPT_AFFINITY,
    OPT_PIN,
    OPT_MODE,
    OPT_DURATION,
    OPT_PRINT_TIME,
    OPT_TLS_FINGERPRINT,
    OPT_TLS_CA,
    OPT_TLS_INSECURE,
    OPT_RETRY_PAUSE,
    OPT_RETRIES,
    OPT_RESPONSE_TIMEOUT,
    OPT_KEEPALIVE,
    OPT_KEEPALIVE_ON,
    OPT_FAILBACK,
    OPT_JOB_TIMEOUT,
    OPT_VERBOSE,
    OPT_JIT,
    OPT_HUGE_PAGES,
    OPT_1GB_PAGES,
    OPT_LOCKSTEP,
    OPT_DAEMON_POLL,
    OPT_POWER_CMD,
    OPT_POWER_MODEL,
    OPT_COUNT
};

static const cli_option_t mine_options[OPT_COUNT] = {
    [OPT_POWER_CMD] = CLI_POWER_OPTION_CMD,
    [OPT_POWER_MODEL] = CLI_POWER_OPTION_MODEL,
    [OPT_URL] = {"url", CLI_OPT_STRING, "URL", 0, 0,
                 "pool: stratum+tcp://HOST:PORT or stratum+ssl://... (repeat for failover); or "
                 "one monerod: daemon+http://HOST:PORT; a bare HOST:PORT is stratum+tcp",
                 'o', NULL},
    [OPT_USER] = {"user", CLI_OPT_STRING, "NAME", 0, 0,
                  "pool login, usually a wallet address; solo: the wallet address mined to", 'u',
                  NULL},
    [OPT_PASS] = {"pass", CLI_OPT_STRING, "TEXT", 0, 0, "pool password (default: x)", 'p', NULL},
    [OPT_RIGID] = {"rigid", CLI_OPT_STRING, "ID", 0, 0, "rig id shown by the pool", 0, "rig-id"},
    [OPT_ALGO] = CLI_WORKER_OPTION_ALGO,
    [OPT_THREADS] = CLI_WORKER_OPTION_THREADS,
    [OPT_AFFINITY] = CLI_WORKER_OPTION_AFFINITY,
    [OPT_PIN] = CLI_WORKER_OPTION_PIN,
    [OPT_MODE] = CLI_WORKER_OPTION_MODE,
    [OPT_DURATION] = {"duration", CLI_OPT_UINT, "SECONDS", 1, 31536000,
                      "stop after this long (default: until SIGINT/SIGTERM)"},
    [OPT_PRINT_TIME] = {"print-time", CLI_OPT_UINT, "SECONDS", 1, 3600,
                        "print the hash rate this often (default 60)"},
    [OPT_TLS_FINGERPRINT] = {"tls-fingerprint", CLI_OPT_STRING, "SHA256", 0, 0,
                             "trust only the pool certificate with this SHA-256 (once for every "
                             "stratum+ssl pool, or once per stratum+ssl --url in order)"},
    [OPT_TLS_CA] = {"tls-ca", CLI_OPT_STRING, "FILE", 0, 0,
                    "verify pools against these CA certificates instead of the system's"},
    [OPT_TLS_INSECURE] = {"tls-insecure", CLI_OPT_FLAG, NULL, 0, 0,
                          "accept any pool certificate (unsafe: for tests only)"},
    [OPT_RETRY_PAUSE] = {"retry-pause", CLI_OPT_UINT, "MS", 10, 600000,
                         "first reconnection delay; doubles up to 60 s (default 1000)"},
    [OPT_RETRIES] = {"retries", CLI_OPT_UINT, "N", 1, 100,
                     "failed attempts before the next pool (default 3)"},
    [OPT_RESPONSE_TIMEOUT] = {"response-timeout", CLI_OPT_UINT, "MS", 100, 600000,
                              "reconnect when a reply, or the connection up to the login, takes "
                              "longer (default 20000)"},
    [OPT_KEEPALIVE] = {"keepalive", CLI_OPT_UINT, "MS", 100, 3600000,
                       "keepalived period, when the pool offers it (default 60000)"},
    [OPT_KEEPALIVE_ON] = {"keepalive-on", CLI_OPT_FLAG, NULL, 0, 0,
                          "XMRig's -k: keepalived pings, which minemeter sends whenever the pool "
                          "offers them anyway",
                          'k', NULL},
    [OPT_FAILBACK] = {"failback", CLI_OPT_UINT, "MS", 100, 3600000,
                      "how often to check whether the first pool is back: it must log in "
                      "(default 30000; doubled after each return that failed, up to 16 times)"},
    [OPT_JOB_TIMEOUT] = {"job-timeout", CLI_OPT_UINT, "MS", 1000, 86400000,
                         "reconnect (and fail over) when the pool sent no job to hash for this "
                         "long (default 600000)"},
    [OPT_JIT] = CLI_RX_OPTION_JIT,
    [OPT_HUGE_PAGES] = CLI_RX_OPTION_HUGE_PAGES,
    [OPT_1GB_PAGES] = CLI_RX_OPTION_1GB_PAGES,
    [OPT_LOCKSTEP] = CLI_RX_OPTION_LOCKSTEP,
    [OPT_VERBOSE] = {"verbose", CLI_OPT_FLAG, NULL, 0, 0,
                     "also print every share as it is sent, and every one held back"},
    [OPT_DAEMON_POLL] = {"daemon-poll-interval", CLI_OPT_UINT, "MS", 100, 3600000,
                         "solo: how often to ask monerod for a new chain tip (default 1000)"},
};

static const cli_command_spec_t mine_spec = {
    "mine",
    "mine on Stratum pools or solo on monerod, with the hash rate and every verdict",
    "--url URL --user NAME [--threads N] [--duration SECONDS]",
    "Connects to the first pool that answers (in --url order), logs in, hashes\n"
    "its jobs on pinned worker threads and submits the shares. It prints each\n"
    "job (height, difficulty, algorithm), each share's verdict with the pool's\n"
    "reason, and the hash rate over 10 s, 60 s and 15 min. It reconnects after\n"
    "errors with a growing, jittered pause, fails over to the next --url after\n"
    "--retries failures and returns to the first pool once it logs in again.\n"
    "It runs in the foreground until --duration or SIGINT/SIGTERM, then prints\n"
    "a summary and exits 0, or 1 when no pool (or monerod) ever answered; bad\n"
    "arguments exit 2 before anything starts.\n"
    "Solo (daemon+http://): asks monerod for block templates paid to --user,\n"
    "fetches a new one whenever the chain tip moves (checked every\n"
    "--daemon-poll-interval), and submits each block found with its PoW hash.\n"
    "An address monerod refuses ends the run with exit code 2.\n"
    "Examples:\n"
    "  minemeter mine --url stratum+tcp://127.0.0.1:3333 --user WALLET --threads 2\n"
    "  minemeter mine --url stratum+ssl://lab-pool:443 --tls-fingerprint AB12... --user lab\n"
    "  minemeter mine --url stratum+tcp://a:3333 --url stratum+tcp://b:3333 --user W --duration "
    "600\n"
    "  minemeter mine --url daemon+http://127.0.0.1:18081 --user WALLET --threads 2",
    mine_options,
    OPT_COUNT,
};

/* Jobs remembered for the switch latency: arrival time by miner job id. */
#define SWITCH_SAMPLES 256

typedef struct {
    uv_loop_t loop;
    mine_source_t source;
    int have_source; /* until it is closed */
    int exit_code;
    miner_t *miner;
    miner_feeder_t *feeder;
    unsigned threads;
    uv_async_t results_async, published_async;
    uv_signal_t sigint, sigterm;
    uv_timer_t sample_timer, print_timer, duration_timer, switch_timer;
    int stopping;
    int verbose;

    /* The job being hashed, as the loop knows it. */
    uint64_t job_counter;
    uint64_t current_job;
    char current_pool_job[STRATUM_MAX_JOB_ID + 1];
    /* The last job as sent, to resume it past its tried nonces when a pool sends it again. */
    uint8_t last_blob[MINER_MAX_BLOB];
    size_t last_blob_len;
    uint32_t last_first_nonce;
    uint64_t hashes_at_job[MINER_MAX_THREADS];
    uint64_t current_difficulty;
    uint64_t arrival_ns;
    int switch_pending;
    double switch_ms[SWITCH_SAMPLES];
    unsigned switch_count;

    /* From the feeder thread, under published_lock. */
    pthread_mutex_t published_lock;
    int published_rc;
    double published_seconds;
    uint64_t published_job;
    int published_new;
    int fast; /* RandomX fast mode: a job's state needs the dataset */

    miner_hashrate_t rate;
    uint64_t start_ns;
    uint64_t stale_local;      /* results for a job already replaced: never sent */
    mine_source_stats_t final; /* the source's counters when it closed */
    arch_energy_t energy; /* the power source; read every second so counters never wrap unseen */
    int energy_ok;
    double energy_start_j;
} session_t;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
    /* Lines carry pool text (errors, job ids, reject reasons): never terminal commands. */
    char line[1024], shown[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    stratum_printable(line, shown, sizeof(shown));
    printf("[%s] %s\n", stamp, shown);
    fflush(stdout);
}

/* --- events from the client -------------------------------------------- */

static void on_log(void *context, const char *line)
{
    (void)context;
    say("%s", line);
}

/* Every millisecond after a job arrives: are all workers on it yet? */
static void on_switch_check(uv_timer_t *timer)
{
    session_t *s = timer->data;
    uint64_t started;
    if (!s->switch_pending) {
        uv_timer_stop(timer);
        return;
    }
    if (miner_job_started(s->miner, s->current_job, &started) != 0)
        return;
    s->switch_pending = 0;
    uv_timer_stop(timer);
    if (s->switch_count < SWITCH_SAMPLES && started >= s->arrival_ns)
        s->switch_ms[s->switch_count++] = (double)(started - s->arrival_ns) / 1e6;
}

/*
 * Where workers start on job: at 0, or, when it is the job just hashed sent
 * again (a reconnect), past every nonce any worker tried, so that no share
 * is sent twice.
 */
static uint32_t first_nonce_for(session_t *s, const stratum_job_t *job, uint32_t fixed_bits)
{
    int again =
        job->blob_len == s->last_blob_len && memcmp(job->blob, s->last_blob, job->blob_len) == 0;
    uint64_t most = 0;
    for (unsigned i = 0; again && i < s->threads; i++) {
        uint64_t done = miner_thread_hashes(s->miner, i) - s->hashes_at_job[i];
        most = done > most ? done : most;
    }
    /* Within the bits the pool left free: 24 under nicehash (#23, item 12). */
    uint64_t first =
        again ? miner_resume_nonce(s->last_first_nonce, most, s->threads, fixed_bits) : 0;
    memcpy(s->last_blob, job->blob, job->blob_len);
    s->last_blob_len = job->blob_len;
    s->last_first_nonce = (uint32_t)first;
    for (unsigned i = 0; i < s->threads; i++)
        s->hashes_at_job[i] = miner_thread_hashes(s->miner, i);
    if (again && first > 0)
        say("job %s again: resuming at nonce %" PRIu64, job->id, first);
    return (uint32_t)first;
}

static void take_job(session_t *s, const stratum_job_t *job)
{
    miner_job_t mj;
    stratum_job_to_miner(job, ++s->job_counter, &mj);
    mj.first_nonce = first_nonce_for(s, job, mj.nonce_fixed_bits);
    s->current_job = mj.job_id;
    snprintf(s->current_pool_job, sizeof(s->current_pool_job), "%s", job->id);
    s->current_difficulty = job->difficulty;
    s->arrival_ns = arch_clock_ns();
    s->switch_pending = 1;
    uv_timer_start(&s->switch_timer, on_switch_check, 1, 1);
    say("new job %s: algo %s, height %" PRIu64 ", difficulty %" PRIu64, job->id,
        pow_algo_name(job->algo), job->height, job->difficulty);
    miner_feeder_offer(s->feeder, &mj);
}

/* No job switch to wait for any more: the 1 ms check stops (#23, item 6). */
static void forget_switch(session_t *s)
{
    s->switch_pending = 0;
    uv_timer_stop(&s->switch_timer);
}

static void lose_source(session_t *s)
{
    forget_switch(s);
    s->current_job = 0;
    s->current_pool_job[0] = '\0';
    miner_feeder_pause(s->feeder);
    if (!s->stopping) /* closing the connection at the stop is no news */
        say("hashing paused until %s answers", s->source.waiting_for);
}

static void on_job(void *context, const stratum_job_t *job, unsigned pool)
{
    (void)pool;
    take_job(context, job);
}

static void on_connection(void *context, int connected, unsigned pool)
{
    (void)pool;
    if (!connected)
        lose_source(context);
}

static void on_daemon_job(void *context, const stratum_job_t *job)
{
    take_job(context, job);
}

static void on_daemon_connection(void *context, int connected)
{
    if (!connected)
        lose_source(context);
}

static void on_share_result(void *context, int accepted, const char *reason, double latency_ms)
{
    session_t *s = context;
    if (!s->have_source)
        return;
    mine_source_stats_t st;
    s->source.stats(s->source.client, &st);
    /* (accepted/rejected), as XMRig counts */
    if (accepted)
        say("share accepted (%" PRIu64 "/%" PRIu64 ") difficulty %" PRIu64 " (%.0f ms)",
            st.accepted, st.rejected, s->current_difficulty, latency_ms);
    else
        say("share rejected (%" PRIu64 "/%" PRIu64 "): %s", st.accepted, st.rejected, reason);
}

static void on_block_result(void *context, const stratum_block_result_t *r)
{
    session_t *s = context;
    if (!s->have_source)
        return;
    mine_source_stats_t st;
    s->source.stats(s->source.client, &st);
    if (r->accepted)
        say("block accepted (%" PRIu64 "/%" PRIu64 ") at height %" PRIu64 ", pow hash %s (%.0f ms)",
            st.accepted, st.accepted + st.rejected, r->height, r->pow_hash, r->latency_ms);
    else
        say("block refused (%" PRIu64 "/%" PRIu64 ") at height %" PRIu64 ": %s (pow hash %s)",
            st.rejected, st.accepted + st.rejected, r->height, r->reason, r->pow_hash);
}

static void stop(session_t *s, const char *why);

static void on_address_refused(void *context, const char *address, const char *reason)
{
    session_t *s = context;
    cli_error("mine", "monerod refused the address %s: %s", address, reason);
    s->exit_code = CLI_EXIT_USAGE;
    stop(s, "the wallet address was refused");
}

/* --- events from the workers and the feeder -------------------------------- */

static void on_result(void *context)
{
    session_t *s = context;
    uv_async_send(&s->results_async);
}

static void drain_results(uv_async_t *async)
{
    session_t *s = async->data;
    miner_result_t r[16];
    size_t n;
    while ((n = miner_take_results(s->miner, r, 16)) > 0) {
        for (size_t i = 0; i < n; i++) {
            char wire[9]; /* the nonce as the submit carries it: little-endian hex */
            stratum_nonce_to_hex(r[i].nonce, wire);
            /* A share for a job the pool has replaced is never sent. */
            if (r[i].job_id != s->current_job) {
                s->stale_local++;
                if (s->verbose)
                    say("not sending a share for a replaced job (nonce %s)", wire);
                continue;
            }
            if (s->verbose)
                say("sending a share for job %s, nonce %s", s->current_pool_job, wire);
            if (s->have_source)
                s->source.submit(s->source.client, s->current_pool_job, &r[i]);
        }
    }
}

static void on_published(void *context, const miner_job_t *job, int rc, double seconds)
{
    session_t *s = context;
    pthread_mutex_lock(&s->published_lock);
    s->published_rc = rc;
    s->published_seconds = seconds;
    s->published_job = job->job_id;
    s->published_new = 1;
    pthread_mutex_unlock(&s->published_lock);
    uv_async_send(&s->published_async);
}

static void report_published(uv_async_t *async)
{
    session_t *s = async->data;
    pthread_mutex_lock(&s->published_lock);
    int fresh = s->published_new, rc = s->published_rc;
    double seconds = s->published_seconds;
    uint64_t job = s->published_job;
    s->published_new = 0;
    pthread_mutex_unlock(&s->published_lock);
    if (!fresh)
        return;
    if (rc != 0 && job == s->current_job)
        forget_switch(s); /* the workers will never start it */
    char room[256];
    /* The miner has paused its workers: no result for a job gone by is worth hashing. */
    if (rc == -ENOMEM && s->fast && !miner_dataset_fits(room, sizeof(room)))
        say("cannot hash this job: %s (light mode, --mode light, needs 256 MiB); hashing paused "
            "until the next job",
            room);
    else if (rc != 0)
        say("cannot hash this job: %s; hashing paused until the next job",
            rc == -ENOMEM ? "out of memory" : "it is not hashable");
    else if (seconds > 0.5 && miner_rx_datasets(s->miner) > 1)
        say("RandomX state for the new seed ready in %.1f s (%u datasets, one per NUMA node)",
            seconds, miner_rx_datasets(s->miner));
    else if (seconds > 0.5)
        say("RandomX state for the new seed ready in %.1f s", seconds);
}

/* --- timers and signals ------------------------------------------------------ */

/* " 10s 812.3" or " 10s n/a" (a window not yet 90% covered). */
static void format_rate(char *out, size_t len, const char *label, double rate)
{
    if (rate < 0)
        snprintf(out, len, " %s n/a", label);
    else
        snprintf(out, len, " %s %.1f", label, rate);
}

static void on_print(uv_timer_t *timer)
{
    session_t *s = timer->data;
    const uint64_t second = 1000000000ull;
    char r10[48], r60[48], r900[48];
    format_rate(r10, sizeof(r10), "10s", miner_hashrate_over(&s->rate, 10 * second));
    format_rate(r60, sizeof(r60), "60s", miner_hashrate_over(&s->rate, 60 * second));
    format_rate(r900, sizeof(r900), "15m", miner_hashrate_over(&s->rate, 900 * second));
    say("speed%s%s%s H/s", r10, r60, r900);
}

static void on_sample(uv_timer_t *timer)
{
    session_t *s = timer->data;
    miner_hashrate_add(&s->rate, arch_clock_ns(), miner_hashes(s->miner));
    double joules = 0;
    if (s->energy_ok)
        arch_energy_read(&s->energy, &joules);
}

static void on_handle_closed(uv_handle_t *handle)
{
    (void)handle;
}

static void close_handles(session_t *s)
{
    uv_handle_t *handles[] = {
        (uv_handle_t *)&s->results_async,  (uv_handle_t *)&s->published_async,
        (uv_handle_t *)&s->sigint,         (uv_handle_t *)&s->sigterm,
        (uv_handle_t *)&s->sample_timer,   (uv_handle_t *)&s->print_timer,
        (uv_handle_t *)&s->duration_timer, (uv_handle_t *)&s->switch_timer,
    };
    for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++)
        uv_close(handles[i], on_handle_closed);
}

static void stop(session_t *s, const char *why)
{
    if (s->stopping)
        return;
    s->stopping = 1;
    say("stopping: %s", why);
    miner_feeder_pause(s->feeder);
    s->source.stats(s->source.client, &s->final);
    s->source.close(s->source.client, NULL, NULL);
    s->have_source = 0;
    close_handles(s);
}

static void on_signal(uv_signal_t *handle, int signum)
{
    stop(handle->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void on_duration(uv_timer_t *timer)
{
    stop(timer->data, "--duration reached");
}

/* --- setup ---------------------------------------------------------------- */

/*
 * The TLS options, checked before anything starts rather than at the first
 * connection: they apply to a stratum+ssl:// pool, the fingerprint has 64
 * hex digits and the CA file loads. Returns 0, or -1 after saying why.
 */
static int check_tls_options(const char *command, const cli_value_t *v, const stratum_pool_t *pools,
                             size_t pool_count)
{
    static const int tls_options[] = {OPT_TLS_FINGERPRINT, OPT_TLS_CA, OPT_TLS_INSECURE};
    int tls_pools = 0;
    for (size_t i = 0; i < pool_count; i++)
        tls_pools += pools[i].url.scheme == STRATUM_URL_TLS;
    for (size_t k = 0; k < sizeof(tls_options) / sizeof(tls_options[0]); k++) {
        if (v[tls_options[k]].set && tls_pools == 0) {
            cli_usage_error(command,
                            "--%s is for stratum+ssl:// pools, and no --url is one (a plain "
                            "stratum+tcp:// connection has no certificate)",
                            mine_options[tls_options[k]].name);
            return -1;
        }
    }
    if (tls_pools == 0)
        return 0;
    unsigned pins = v[OPT_TLS_FINGERPRINT].count;
    if (pins > 1 && pins != (unsigned)tls_pools) {
        cli_usage_error(command,
                        "--tls-fingerprint was given %u times for %d stratum+ssl:// pools: give "
                        "it once for all of them, or once per stratum+ssl:// --url in order",
                        pins, tls_pools);
        return -1;
    }
    for (size_t i = 0; i < pool_count; i++) {
        if (pools[i].url.scheme != STRATUM_URL_TLS)
            continue;
        stratum_tls_options_t options = {
            .fingerprint = pools[i].tls_fingerprint,
            .ca_file = v[OPT_TLS_CA].set ? v[OPT_TLS_CA].text : NULL,
            .insecure = v[OPT_TLS_INSECURE].set,
        };
        char why[512];
        stratum_tls_context_t *tls = stratum_tls_context_create(&options, why, sizeof(why));
        if (tls == NULL) {
            cli_usage_error(command, "%s", why);
            return -1;
        }
        stratum_tls_context_free(tls);
    }
    return 0;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* joules: used while mining, from s->energy; < 0 when it did not read. */
static void print_summary(const session_t *s, double seconds, uint64_t hashes, double loop_cpu_s,
                          double joules)
{
    const mine_source_stats_t *st = &s->final;
    say("summary: %.1f s, %" PRIu64 " hashes, %.1f H/s on %u thread(s)", seconds, hashes,
        seconds > 0 ? (double)hashes / seconds : 0.0, s->threads);
    const char *mark = cli_power_mark(&s->energy);
    if (joules >= 0 && seconds > 0) {
        char per_hash[48] = "";
        if (hashes > 0)
            snprintf(per_hash, sizeof(per_hash), ", %s%.4g J/hash", mark, joules / (double)hashes);
        say("energy: %s%.1f J, %s%.2f W mean%s (%s)", mark, joules, mark, joules / seconds,
            per_hash, s->energy.label);
    } else {
        say("energy: n/a (%s)", s->energy_ok ? "the energy source did not read" : s->energy.reason);
    }
    if (s->source.solo) {
        say("blocks: %" PRIu64 " found, %" PRIu64 " accepted, %" PRIu64 " refused; %" PRIu64
            " candidates below the block difficulty, %" PRIu64 " for replaced templates",
            st->blocks_found, st->accepted, st->rejected, st->below_difficulty,
            s->stale_local + st->stale_dropped);
        say("templates: %" PRIu64 ", %" PRIu64 " refused as invalid; monerod: %" PRIu64
            " connections, %" PRIu64 " lost",
            st->jobs, st->bad_jobs, st->connects, st->disconnects);
    } else {
        say("shares: %" PRIu64 " accepted, %" PRIu64 " rejected, %" PRIu64
            " for replaced jobs not sent, %" PRIu64
            " held back while the pool did not reply; %" PRIu64 " jobs, %" PRIu64
            " ignored as invalid",
            st->accepted, st->rejected, s->stale_local + st->stale_dropped, st->held_back, st->jobs,
            st->bad_jobs);
        say("connections: %" PRIu64 " logins, %" PRIu64 " lost", st->connects, st->disconnects);
    }
    if (s->switch_count > 0) {
        double sorted[SWITCH_SAMPLES];
        memcpy(sorted, s->switch_ms, s->switch_count * sizeof(double));
        qsort(sorted, s->switch_count, sizeof(double), compare_double);
        say("job switch (arrival to every worker hashing): median %.1f ms over %u jobs",
            sorted[s->switch_count / 2], s->switch_count);
    }
    say("network thread CPU: %.3f s (%.2f%% of one core)", loop_cpu_s,
        seconds > 0 ? 100.0 * loop_cpu_s / seconds : 0.0);
}

static double thread_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

/* Checks the options and fills pools; returns CLI_CONTINUE or an exit code. */
static int read_pools(const cli_value_t *v, stratum_pool_t *pools, size_t *count)
{
    if (!v[OPT_URL].set) {
        cli_usage_error("mine", "--url is required (for example stratum+tcp://127.0.0.1:3333)");
        return CLI_EXIT_USAGE;
    }
    if (!v[OPT_USER].set) {
        cli_usage_error("mine", "--user is required: the pool login, usually a wallet address");
        return CLI_EXIT_USAGE;
    }
    *count = 0;
    for (unsigned i = 0; i < v[OPT_URL].count && i < STRATUM_MAX_POOLS; i++) {
        stratum_pool_t *p = &pools[(*count)++];
        char why[512];
        if (stratum_url_parse(v[OPT_URL].texts[i], &p->url, why, sizeof(why)) != 0) {
            cli_usage_error("mine", "--url %s", why);
            return CLI_EXIT_USAGE;
        }
        if (p->url.scheme == STRATUM_URL_DAEMON_HTTP && v[OPT_URL].count > 1) {
            cli_usage_error("mine",
                            "--url %s: solo mining uses one monerod, not mixed with "
                            "pools or other daemons",
                            v[OPT_URL].texts[i]);
            return CLI_EXIT_USAGE;
        }
        p->user = v[OPT_USER].text;
        p->pass = v[OPT_PASS].set ? v[OPT_PASS].text : "x";
        p->rigid = v[OPT_RIGID].set ? v[OPT_RIGID].text : NULL;
    }
    /* One pin for every stratum+ssl pool, or one per stratum+ssl pool in order (#23, 13). */
    unsigned pins = v[OPT_TLS_FINGERPRINT].count, tls_seen = 0;
    for (size_t i = 0; i < *count && pins > 0; i++) {
        if (pools[i].url.scheme != STRATUM_URL_TLS)
            continue;
        unsigned which = pins == 1 ? 0 : tls_seen;
        pools[i].tls_fingerprint = which < pins ? v[OPT_TLS_FINGERPRINT].texts[which] : NULL;
        tls_seen++;
    }
    return CLI_CONTINUE;
}

/* The Stratum client for pools, or the daemon client for one daemon+http:// URL. */
static int create_source(session_t *s, const cli_value_t *v, const stratum_pool_t *pools,
                         size_t pool_count, const pow_algo_t *algo, const char *agent)
{
    if (pools[0].url.scheme == STRATUM_URL_DAEMON_HTTP) {
        stratum_daemon_config_t dc = {
            .url = pools[0].url,
            .wallet_address = pools[0].user,
            .agent = agent,
            .poll_interval_ms = (unsigned)v[OPT_DAEMON_POLL].number,
            .request_timeout_ms = (unsigned)v[OPT_RESPONSE_TIMEOUT].number,
            .retry_pause_ms = (unsigned)v[OPT_RETRY_PAUSE].number,
            .events = {.context = s,
                       .on_job = on_daemon_job,
                       .on_block_result = on_block_result,
                       .on_connection = on_daemon_connection,
                       .on_address_refused = on_address_refused,
                       .log = on_log},
        };
        stratum_daemon_t *d = stratum_daemon_create(&s->loop, &dc);
        if (d == NULL)
            return -1;
        s->source = mine_source_daemon(d);
        s->have_source = 1;
        return 0;
    }
    static const char *const announced[] = {"rx/0", "rx/2", "cn/r", "cn/2", "cn/1", "cn/0"};
    stratum_client_config_t cc = {
        .pools = pools,
        .pool_count = pool_count,
        .agent = agent,
        .default_algo = algo,
        .algos = announced,
        .algo_count = sizeof(announced) / sizeof(announced[0]),
        .tls_ca_file = v[OPT_TLS_CA].set ? v[OPT_TLS_CA].text : NULL,
        .tls_insecure = v[OPT_TLS_INSECURE].set,
        .response_timeout_ms = (unsigned)v[OPT_RESPONSE_TIMEOUT].number,
        /* One bound for any wait on the pool, the connection up to the login included. */
        .connect_timeout_ms = (unsigned)v[OPT_RESPONSE_TIMEOUT].number,
        .keepalive_ms = (unsigned)v[OPT_KEEPALIVE].number,
        .retry_pause_ms = (unsigned)v[OPT_RETRY_PAUSE].number,
        .retries = (unsigned)v[OPT_RETRIES].number,
        .failback_ms = (unsigned)v[OPT_FAILBACK].number,
        .job_timeout_ms = (unsigned)v[OPT_JOB_TIMEOUT].number,
        .events = {.context = s,
                   .on_job = on_job,
                   .on_share_result = on_share_result,
                   .on_connection = on_connection,
                   .log = on_log},
    };
    stratum_client_t *c = stratum_client_create(&s->loop, &cc);
    if (c == NULL)
        return -1;
    s->source = mine_source_stratum(c);
    s->have_source = 1;
    return 0;
}

static int run_mine(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    /*
     * libuv writes without MSG_NOSIGNAL: a pool that resets the connection
     * between a read and a share's write would end the process with SIGPIPE,
     * with no reconnect and no summary. The write's EPIPE is handled instead.
     * (Children minemeter starts get the default back: arch/child_process.h.)
     */
    signal(SIGPIPE, SIG_IGN);
    stratum_pool_t pools[STRATUM_MAX_POOLS] = {0};
    size_t pool_count = 0;
    int rc = read_pools(v, pools, &pool_count);
    if (rc != CLI_CONTINUE)
        return rc;
    if (v[OPT_TLS_INSECURE].set && v[OPT_TLS_FINGERPRINT].set) {
        cli_usage_error(spec->name, "--tls-insecure and --tls-fingerprint contradict each other");
        return CLI_EXIT_USAGE;
    }
    if (check_tls_options(spec->name, v, pools, pool_count) != 0)
        return CLI_EXIT_USAGE;
    cli_rx_values_t rxv = {&v[OPT_JIT], &v[OPT_HUGE_PAGES], &v[OPT_1GB_PAGES], &v[OPT_LOCKSTEP]};
    if (cli_rx_options_apply(spec->name, &rxv) != CLI_CONTINUE)
        return CLI_EXIT_USAGE;

    cli_workers_t *w = calloc(1, sizeof(*w));
    session_t *s = calloc(1, sizeof(*s));
    if (s == NULL || w == NULL) {
        free(s);
        free(w);
        cli_error(spec->name, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    cli_worker_values_t wv = {&v[OPT_ALGO], &v[OPT_MODE], &v[OPT_THREADS], &v[OPT_AFFINITY],
                              &v[OPT_PIN]};
    rc = cli_workers_setup(spec->name, &wv, w);
    if (rc != CLI_CONTINUE) {
        free(s);
        free(w);
        return rc;
    }
    const cli_power_values_t power = {&v[OPT_POWER_CMD], &v[OPT_POWER_MODEL]};
    rc = cli_power_open(spec->name, &power, &s->energy);
    if (rc != CLI_CONTINUE) {
        free(s);
        cli_workers_release(w);
        free(w);
        return rc;
    }
    s->energy_ok = s->energy.source != ARCH_ENERGY_NONE;
    const pow_algo_t *algo = w->algo;
    const int fast = w->fast;
    s->fast = fast;
    s->threads = w->threads;
    s->verbose = v[OPT_VERBOSE].set;
    miner_config_t mc = cli_workers_miner_config(w);
    mc.on_result = on_result;
    mc.context = s;
    if (miner_create(&s->miner, &mc) != 0 ||
        miner_feeder_create(&s->feeder, s->miner, on_published, s) != 0) {
        cli_error(spec->name, "cannot start %u worker threads", s->threads);
        miner_destroy(s->miner);
        arch_energy_close(&s->energy);
        free(s);
        cli_workers_release(w);
        free(w);
        return CLI_EXIT_FAILURE;
    }
    pthread_mutex_init(&s->published_lock, NULL);
    miner_hashrate_init(&s->rate);
    uv_loop_init(&s->loop);

    char agent[64];
    snprintf(agent, sizeof(agent), "minemeter/%s", PACKAGE_VERSION);
    if (create_source(s, v, pools, pool_count, algo, agent) != 0) {
        cli_error(spec->name, "cannot start the %s client",
                  pools[0].url.scheme == STRATUM_URL_DAEMON_HTTP ? "monerod" : "Stratum");
        miner_feeder_destroy(s->feeder);
        miner_destroy(s->miner);
        uv_loop_close(&s->loop);
        arch_energy_close(&s->energy);
        free(s);
        cli_workers_release(w);
        free(w);
        return CLI_EXIT_FAILURE;
    }
    if (v[OPT_TLS_INSECURE].set)
        say("warning: --tls-insecure: any certificate is accepted, so anyone on the path can "
            "pose as the pool");

    uv_async_init(&s->loop, &s->results_async, drain_results);
    uv_async_init(&s->loop, &s->published_async, report_published);
    uv_signal_init(&s->loop, &s->sigint);
    uv_signal_init(&s->loop, &s->sigterm);
    uv_timer_init(&s->loop, &s->sample_timer);
    uv_timer_init(&s->loop, &s->print_timer);
    uv_timer_init(&s->loop, &s->duration_timer);
    uv_timer_init(&s->loop, &s->switch_timer);
    uv_handle_t *with_session[] = {
        (uv_handle_t *)&s->results_async,  (uv_handle_t *)&s->published_async,
        (uv_handle_t *)&s->sigint,         (uv_handle_t *)&s->sigterm,
        (uv_handle_t *)&s->sample_timer,   (uv_handle_t *)&s->print_timer,
        (uv_handle_t *)&s->duration_timer, (uv_handle_t *)&s->switch_timer,
    };
    for (size_t i = 0; i < sizeof(with_session) / sizeof(with_session[0]); i++)
        with_session[i]->data = s;
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    uv_timer_start(&s->sample_timer, on_sample, 1000, 1000);
    uint64_t print_ms = v[OPT_PRINT_TIME].set ? v[OPT_PRINT_TIME].number * 1000 : 60000;
    uv_timer_start(&s->print_timer, on_print, print_ms, print_ms);
    if (v[OPT_DURATION].set)
        uv_timer_start(&s->duration_timer, on_duration, v[OPT_DURATION].number * 1000, 0);

    char lockstep[48] = "";
    if (!fast && pow_rx_group_lockstep_for(pow_rx_isa_best()))
        snprintf(lockstep, sizeof(lockstep), ", %u hashes per thread in lockstep",
                 (unsigned)POW_RX_GROUP_LANES);
    char rx_mode[96] = "";
    if (pow_algo_rx(algo) != NULL)
        snprintf(rx_mode, sizeof(rx_mode), "; RandomX in %s mode%s", fast ? "fast" : "light",
                 lockstep);
    say("minemeter %s mining with %u thread(s), the algorithm the %s names (%s until it "
        "does%s); pid %ld; stop with Ctrl-C",
        PACKAGE_VERSION, s->threads, s->source.solo ? "daemon's template" : "pool's job",
        pow_algo_name(algo), rx_mode, (long)getpid());
    if (s->energy_ok)
        say("power: %s", s->energy.label);
    else
        say("power: n/a (%s)", s->energy.reason);
    if (s->energy_ok && arch_energy_read(&s->energy, &s->energy_start_j) != 0)
        s->energy_ok = 0;
    s->start_ns = arch_clock_ns();
    miner_hashrate_add(&s->rate, s->start_ns, 0);
    double cpu_before = thread_cpu_seconds();
    s->source.start(s->source.client);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    double loop_cpu = thread_cpu_seconds() - cpu_before;
    double seconds = (double)(arch_clock_ns() - s->start_ns) / 1e9;
    double joules = -1;
    if (s->energy_ok && arch_energy_read(&s->energy, &joules) == 0)
        joules -= s->energy_start_j;
    else
        joules = -1;

    miner_feeder_destroy(s->feeder);
    uint64_t hashes = miner_hashes(s->miner);
    miner_destroy(s->miner);
    int exit_code = s->exit_code;
    if (exit_code == CLI_EXIT_OK)
        print_summary(s, seconds, hashes, loop_cpu, joules);
    if (exit_code == CLI_EXIT_OK && s->final.connects == 0) {
        say("no %s ever answered in %.0f s: nothing was mined (exit status 1)",
            s->source.solo ? "monerod" : "pool", seconds);
        exit_code = CLI_EXIT_FAILURE;
    }
    uv_loop_close(&s->loop);
    pthread_mutex_destroy(&s->published_lock);
    arch_energy_close(&s->energy);
    free(s);
    cli_workers_release(w);
    free(w);
    return exit_code;
}

const cli_command_t cli_command_mine = {&mine_spec, run_mine};
