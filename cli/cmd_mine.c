/*
 * minemeter mine: mine on Stratum pools (stratum+tcp://, stratum+ssl://)
 * or solo against monerod (daemon+http://) until --duration or
 * SIGINT/SIGTERM, printing the connection, each job, each share's or
 * block's verdict and the hash rate, then a summary.
 *
 * The mining itself is the session's (stratum/session.c): source, jobs,
 * shares, reconnects. This command parses the options, prints what the
 * session says with a timestamp and with pool text made printable, runs
 * the loop (this thread) with the signals, the rate and power timers and
 * --duration, and prints the summary.
 */
#define _GNU_SOURCE
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

#include "arch/clock.h"
#include "arch/topology.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/http_options.h"
#include "cli/say.h"
#include "cli/power_options.h"
#include "cli/priority_options.h"
#include "cli/rx_options.h"
#include "cli/worker_options.h"
#include "miner/hashrate.h"
#include "miner/miner.h"
#include "pow/rx/group.h"
#include "stratum/session.h"
#include "stratum/zmq_sub.h"
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
    OPT_ZMQ,
    OPT_POWER_CMD,
    OPT_POWER_MODEL,
    OPT_HTTP,
    OPT_HTTP_TOKEN,
    OPT_NICE,
    OPT_CPU_PRIORITY,
    OPT_CONFIG,
    OPT_DUMP_CONFIG,
    OPT_COUNT
};

static const cli_option_t mine_options[OPT_COUNT] = {
    [OPT_CONFIG] = CLI_CONFIG_OPTION_FILE,
    [OPT_DUMP_CONFIG] = CLI_CONFIG_OPTION_DUMP,
    [OPT_POWER_CMD] = CLI_POWER_OPTION_CMD,
    [OPT_POWER_MODEL] = CLI_POWER_OPTION_MODEL,
    [OPT_HTTP] = CLI_HTTP_OPTION_ADDRESS,
    [OPT_NICE] = CLI_PRIORITY_OPTION_NICE,
    [OPT_CPU_PRIORITY] = CLI_PRIORITY_OPTION_CPU_PRIORITY,
    [OPT_HTTP_TOKEN] = CLI_HTTP_OPTION_TOKEN,
    [OPT_URL] = {"url", CLI_OPT_STRING, "URL", 0, 0,
                 "pool: stratum+tcp://HOST:PORT or stratum+ssl://... (repeat for failover); or "
                 "one monerod: daemon+http://HOST:PORT or daemon+https://; a bare HOST:PORT is "
                 "stratum+tcp",
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
                             "trust only the certificate with this SHA-256 (once for every "
                             "stratum+ssl or daemon+https --url, or once for each in order)"},
    [OPT_TLS_CA] = {"tls-ca", CLI_OPT_STRING, "FILE", 0, 0,
                    "verify pools and daemon+https against these CA certificates instead of "
                    "the system's"},
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
    [OPT_ZMQ] = {"zmq", CLI_OPT_STRING, "tcp://HOST:PORT", 0, 0,
                 "solo: monerod's --zmq-pub address; each new block is fetched at once, and the "
                 "poll slows to every 30 s unless --daemon-poll-interval says"},
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

/* The command around the session: its loop, signals, timers and power. */
typedef struct {
    uv_loop_t loop;
    stratum_session_t *session;
    miner_t *miner;
    unsigned threads;
    int exit_code;
    uv_signal_t sigint, sigterm;
    uv_timer_t sample_timer, print_timer, duration_timer;
    int stopping;
    miner_hashrate_t rate;
    uint64_t start_ns;
    arch_energy_t energy; /* the power source; read every second so counters never wrap unseen */
    int energy_ok;
    double energy_start_j;
    cli_http_t *http; /* NULL without --http */
    const stratum_pool_t *pools;
} mine_t;

/* --- events from the session ------------------------------------------------- */

static void on_log(void *context, const char *line)
{
    (void)context;
    cli_say("%s", line);
}

static void stop(mine_t *m, const char *why);

static void on_fatal(void *context, int exit_code, const char *why)
{
    mine_t *m = context;
    cli_error("mine", "%s", why);
    m->exit_code = exit_code;
    stop(m, exit_code == CLI_EXIT_USAGE ? "the wallet address was refused" : why);
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
    mine_t *m = timer->data;
    const uint64_t second = 1000000000ull;
    char r10[48], r60[48], r900[48];
    format_rate(r10, sizeof(r10), "10s", miner_hashrate_over(&m->rate, 10 * second));
    format_rate(r60, sizeof(r60), "60s", miner_hashrate_over(&m->rate, 60 * second));
    format_rate(r900, sizeof(r900), "15m", miner_hashrate_over(&m->rate, 900 * second));
    cli_say("speed%s%s%s H/s", r10, r60, r900);
}

static void on_sample(uv_timer_t *timer)
{
    mine_t *m = timer->data;
    uint64_t now = arch_clock_ns();
    miner_hashrate_add(&m->rate, now, miner_hashes(m->miner));
    double joules = 0;
    if (m->energy_ok && arch_energy_read(&m->energy, &joules) == 0)
        cli_http_energy(m->http, &m->energy, joules - m->energy_start_j);
    else
        cli_http_energy(m->http, &m->energy, -1);
    cli_http_sample(m->http, m->miner, now);
}

static void on_event(void *context, const stratum_session_event_t *event)
{
    mine_t *m = context;
    cli_http_session_event(m->http, event, m->pools);
}

static void on_handle_closed(uv_handle_t *handle)
{
    (void)handle;
}

static void stop(mine_t *m, const char *why)
{
    if (m->stopping)
        return;
    m->stopping = 1;
    cli_say("stopping: %s", why);
    stratum_session_stop(m->session);
    uv_handle_t *handles[] = {
        (uv_handle_t *)&m->sigint,         (uv_handle_t *)&m->sigterm,
        (uv_handle_t *)&m->sample_timer,   (uv_handle_t *)&m->print_timer,
        (uv_handle_t *)&m->duration_timer,
    };
    for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++)
        uv_close(handles[i], on_handle_closed);
}

static void on_signal(uv_signal_t *handle, int signum)
{
    stop(handle->data, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static void on_duration(uv_timer_t *timer)
{
    stop(timer->data, "--duration reached");
}

/* --- setup and summary ------------------------------------------------------ */

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
        tls_pools += stratum_url_is_tls(pools[i].url.scheme);
    for (size_t k = 0; k < sizeof(tls_options) / sizeof(tls_options[0]); k++) {
        if (v[tls_options[k]].set && tls_pools == 0) {
            cli_usage_error(command,
                            "--%s is for stratum+ssl:// pools and daemon+https://, and no --url "
                            "is one (a plain connection has no certificate)",
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
        if (!stratum_url_is_tls(pools[i].url.scheme))
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

/* joules: used while mining, from m->energy; < 0 when it did not read. */
static void print_summary(const mine_t *m, double seconds, uint64_t hashes, double loop_cpu_s,
                          double joules)
{
    stratum_session_stats_t ss;
    stratum_session_stats(m->session, &ss);
    const stratum_source_stats_t *st = &ss.source;
    cli_say("summary: %.1f s, %" PRIu64 " hashes, %.1f H/s on %u thread(s)", seconds, hashes,
            seconds > 0 ? (double)hashes / seconds : 0.0, m->threads);
    const char *mark = cli_power_mark(&m->energy);
    if (joules >= 0 && seconds > 0) {
        char per_hash[48] = "";
        if (hashes > 0)
            snprintf(per_hash, sizeof(per_hash), ", %s%.4g J/hash", mark, joules / (double)hashes);
        cli_say("energy: %s%.1f J, %s%.2f W mean%s (%s)", mark, joules, mark, joules / seconds,
                per_hash, m->energy.label);
    } else {
        cli_say("energy: n/a (%s)",
                m->energy_ok ? "the energy source did not read" : m->energy.reason);
    }
    if (stratum_session_solo(m->session)) {
        cli_say("blocks: %" PRIu64 " found, %" PRIu64 " accepted, %" PRIu64 " refused; %" PRIu64
                " candidates below the block difficulty, %" PRIu64 " for replaced templates",
                st->blocks_found, st->accepted, st->rejected, st->below_difficulty,
                ss.stale_local + st->stale_dropped);
        cli_say("templates: %" PRIu64 ", %" PRIu64 " refused as invalid; monerod: %" PRIu64
                " connections, %" PRIu64 " lost",
                st->jobs, st->bad_jobs, st->connects, st->disconnects);
    } else {
        cli_say("shares: %" PRIu64 " accepted, %" PRIu64 " rejected, %" PRIu64
                " for replaced jobs not sent, %" PRIu64
                " held back while the pool did not reply; %" PRIu64 " jobs, %" PRIu64
                " ignored as invalid",
                st->accepted, st->rejected, ss.stale_local + st->stale_dropped, st->held_back,
                st->jobs, st->bad_jobs);
        cli_say("connections: %" PRIu64 " logins, %" PRIu64 " lost", st->connects, st->disconnects);
    }
    if (ss.switch_count > 0)
        cli_say("job switch (arrival to every worker hashing): median %.1f ms over %u jobs",
                ss.switch_median_ms, ss.switch_count);
    cli_say("network thread CPU: %.3f s (%.2f%% of one core)", loop_cpu_s,
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
        if (stratum_url_is_daemon(p->url.scheme) && v[OPT_URL].count > 1) {
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
        if (!stratum_url_is_tls(pools[i].url.scheme))
            continue;
        unsigned which = pins == 1 ? 0 : tls_seen;
        pools[i].tls_fingerprint = which < pins ? v[OPT_TLS_FINGERPRINT].texts[which] : NULL;
        tls_seen++;
    }
    return CLI_CONTINUE;
}

/* --zmq: for solo mining, a tcp:// address, and a build with libzmq. 0, or -1 after a sentence. */
static int check_zmq_option(const char *command, const char *endpoint, const stratum_pool_t *pool)
{
    char why[256];
    stratum_url_t url;
    if (!stratum_url_is_daemon(pool->url.scheme)) {
        cli_usage_error(command, "--zmq is for solo mining: it needs a daemon+http:// --url");
        return -1;
    }
    if (strncmp(endpoint, "tcp://", 6) != 0 ||
        stratum_url_parse(endpoint + 6, &url, why, sizeof(why)) != 0 ||
        strchr(endpoint + 6, ':') == NULL) {
        cli_usage_error(command,
                        "--zmq %s: give monerod's --zmq-pub address as tcp://HOST:PORT (for "
                        "example tcp://127.0.0.1:18083)",
                        endpoint);
        return -1;
    }
    if (!stratum_zmq_available()) {
        stratum_zmq_open(NULL, endpoint, NULL, NULL, why, sizeof(why));
        cli_usage_error(command, "%s", why);
        return -1;
    }
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
    if (v[OPT_ZMQ].set && check_zmq_option(spec->name, v[OPT_ZMQ].text, &pools[0]) != 0)
        return CLI_EXIT_USAGE;
    cli_rx_values_t rxv = {&v[OPT_JIT], &v[OPT_HUGE_PAGES], &v[OPT_1GB_PAGES], &v[OPT_LOCKSTEP]};
    if (cli_rx_options_apply(spec->name, &rxv) != CLI_CONTINUE)
        return CLI_EXIT_USAGE;
    cli_priority_t priority;
    if (cli_priority_parse(spec->name, &v[OPT_NICE], &v[OPT_CPU_PRIORITY], &priority) !=
        CLI_CONTINUE)
        return CLI_EXIT_USAGE;

    cli_workers_t *w = calloc(1, sizeof(*w));
    mine_t *m = calloc(1, sizeof(*m));
    if (m == NULL || w == NULL) {
        free(m);
        free(w);
        cli_error(spec->name, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    cli_worker_values_t wv = {&v[OPT_ALGO], &v[OPT_MODE], &v[OPT_THREADS], &v[OPT_AFFINITY],
                              &v[OPT_PIN]};
    rc = cli_workers_setup(spec->name, &wv, w);
    if (rc != CLI_CONTINUE) {
        free(m);
        free(w);
        return rc;
    }
    const cli_power_values_t power = {&v[OPT_POWER_CMD], &v[OPT_POWER_MODEL]};
    rc = cli_power_open(spec->name, &power, &m->energy);
    if (rc != CLI_CONTINUE) {
        free(m);
        cli_workers_release(w);
        free(w);
        return rc;
    }
    m->energy_ok = m->energy.source != ARCH_ENERGY_NONE;
    const pow_algo_t *algo = w->algo;
    const int fast = w->fast;
    m->threads = w->threads;
    char agent[64];
    snprintf(agent, sizeof(agent), "minemeter/%s", PACKAGE_VERSION);
    stratum_session_config_t sc = {
        .pools = pools,
        .pool_count = pool_count,
        .algo = algo,
        .algo_given = v[OPT_ALGO].set,
        .agent = agent,
        .tls_ca_file = v[OPT_TLS_CA].set ? v[OPT_TLS_CA].text : NULL,
        .tls_insecure = v[OPT_TLS_INSECURE].set,
        .response_timeout_ms = (unsigned)v[OPT_RESPONSE_TIMEOUT].number,
        .keepalive_ms = (unsigned)v[OPT_KEEPALIVE].number,
        .retry_pause_ms = (unsigned)v[OPT_RETRY_PAUSE].number,
        .retries = (unsigned)v[OPT_RETRIES].number,
        .failback_ms = (unsigned)v[OPT_FAILBACK].number,
        .job_timeout_ms = (unsigned)v[OPT_JOB_TIMEOUT].number,
        .daemon_poll_ms = v[OPT_DAEMON_POLL].set ? (unsigned)v[OPT_DAEMON_POLL].number
                          : v[OPT_ZMQ].set       ? 30000u
                                                 : 0u,
        .zmq_endpoint = v[OPT_ZMQ].set ? v[OPT_ZMQ].text : NULL,
        .miner = cli_workers_miner_config(w),
        .fast = fast,
        .verbose = v[OPT_VERBOSE].set,
        .context = m,
        .log = on_log,
        .fatal = on_fatal,
        .event = on_event,
    };
    m->pools = pools;
    const cli_http_values_t http_values = {&v[OPT_HTTP], &v[OPT_HTTP_TOKEN]};
    const cli_http_run_t http_run = {"mine", algo, fast, w->threads, w->pus, pools, pool_count};
    rc = cli_http_open(spec->name, &http_values, &http_run, &m->http);
    if (rc != CLI_CONTINUE) {
        arch_energy_close(&m->energy);
        free(m);
        cli_workers_release(w);
        free(w);
        return rc;
    }
    uv_loop_init(&m->loop);
    char why[256];
    if (stratum_session_create(&m->session, &m->loop, &sc, why, sizeof(why)) != 0) {
        cli_error(spec->name, "%s", why);
        uv_loop_close(&m->loop);
        cli_http_close(m->http);
        arch_energy_close(&m->energy);
        free(m);
        cli_workers_release(w);
        free(w);
        return CLI_EXIT_FAILURE;
    }
    m->miner = stratum_session_miner(m->session);
    cli_priority_apply(spec->name, &priority, m->miner, m->threads);
    miner_hashrate_init(&m->rate);
    if (v[OPT_TLS_INSECURE].set)
        cli_say("warning: --tls-insecure: any certificate is accepted, so anyone on the path can "
                "pose as the pool");

    uv_signal_init(&m->loop, &m->sigint);
    uv_signal_init(&m->loop, &m->sigterm);
    uv_timer_init(&m->loop, &m->sample_timer);
    uv_timer_init(&m->loop, &m->print_timer);
    uv_timer_init(&m->loop, &m->duration_timer);
    m->sigint.data = m->sigterm.data = m;
    m->sample_timer.data = m->print_timer.data = m->duration_timer.data = m;
    uv_signal_start(&m->sigint, on_signal, SIGINT);
    uv_signal_start(&m->sigterm, on_signal, SIGTERM);
    uv_timer_start(&m->sample_timer, on_sample, 1000, 1000);
    uint64_t print_ms = v[OPT_PRINT_TIME].set ? v[OPT_PRINT_TIME].number * 1000 : 60000;
    uv_timer_start(&m->print_timer, on_print, print_ms, print_ms);
    if (v[OPT_DURATION].set)
        uv_timer_start(&m->duration_timer, on_duration, v[OPT_DURATION].number * 1000, 0);

    int solo = stratum_session_solo(m->session);
    char which[96];
    if (solo && v[OPT_ALGO].set)
        snprintf(which, sizeof(which), "%s, as --algo says, whatever the block version",
                 pow_algo_name(algo));
    else
        snprintf(which, sizeof(which), "the algorithm the %s names (%s until it does)",
                 solo ? "daemon's template" : "pool's job", pow_algo_name(algo));
    cli_say("minemeter %s mining with %u thread(s) (%s)%s, %s; pid %ld; stop with Ctrl-C",
            PACKAGE_VERSION, m->threads, w->threads_reason, cli_priority_describe(&priority), which,
            (long)getpid());
    if (pow_algo_rx(algo) != NULL) {
        char lockstep[48] = "";
        if (!fast && pow_rx_group_lockstep_for(pow_rx_isa_best()))
            snprintf(lockstep, sizeof(lockstep), ", %u hashes per thread in lockstep",
                     (unsigned)POW_RX_GROUP_LANES);
        cli_say("randomx: %s mode%s (%s)", fast ? "fast" : "light", lockstep, w->mode_reason);
    }
    if (m->http != NULL)
        cli_say("http: %s", cli_http_description(m->http));
    if (m->energy_ok)
        cli_say("power: %s", m->energy.label);
    else
        cli_say("power: n/a (%s)", m->energy.reason);
    if (m->energy_ok && arch_energy_read(&m->energy, &m->energy_start_j) != 0)
        m->energy_ok = 0;
    m->start_ns = arch_clock_ns();
    miner_hashrate_add(&m->rate, m->start_ns, 0);
    double cpu_before = thread_cpu_seconds();
    stratum_session_start(m->session);
    uv_run(&m->loop, UV_RUN_DEFAULT);
    double loop_cpu = thread_cpu_seconds() - cpu_before;
    double seconds = (double)(arch_clock_ns() - m->start_ns) / 1e9;
    double joules = -1;
    if (m->energy_ok && arch_energy_read(&m->energy, &joules) == 0)
        joules -= m->energy_start_j;
    else
        joules = -1;

    uint64_t hashes = miner_hashes(m->miner);
    int exit_code = m->exit_code;
    if (exit_code == CLI_EXIT_OK)
        print_summary(m, seconds, hashes, loop_cpu, joules);
    stratum_session_stats_t ss;
    stratum_session_stats(m->session, &ss);
    if (exit_code == CLI_EXIT_OK && ss.source.connects == 0) {
        cli_say("no %s ever answered in %.0f s: nothing was mined (exit status 1)",
                solo ? "monerod" : "pool", seconds);
        exit_code = CLI_EXIT_FAILURE;
    }
    cli_http_close(m->http);
    stratum_session_destroy(m->session);
    uv_loop_close(&m->loop);
    arch_energy_close(&m->energy);
    free(m);
    cli_workers_release(w);
    free(w);
    return exit_code;
}

const cli_command_t cli_command_mine = {&mine_spec, run_mine};
