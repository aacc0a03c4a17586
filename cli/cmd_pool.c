/*
 * minemeter pool: a lab Stratum pool on the addresses --listen names
 * (127.0.0.1:3333 by default), serving synthetic Monero-shaped jobs, every
 * share re-hashed, difficulty fixed or steered per connection, until
 * --duration or SIGINT/SIGTERM. It prints what it serves and every
 * connection, login, rejection and close; --log writes the ground truth as
 * JSON lines (docs/pool.md). The serving itself is stratum/pool_server.c.
 */
#define _GNU_SOURCE
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "arch/clock.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/http_options.h"
#include "cli/say.h"
#include "pow/algo.h"
#include "stratum/pool_server.h"
#include "pow/hex.h"
#include "stratum/daemon_client.h"
#include "stratum/job.h"
#include "stratum/pool_template.h"
#include "stratum/url.h"
#include "stratum/tls.h"

enum {
    OPT_LISTEN,
    OPT_LISTEN_TLS,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_SYNTHETIC,
    OPT_DAEMON,
    OPT_WALLET,
    OPT_ALGO,
    OPT_DIFFICULTY,
    OPT_SHARE_SECONDS,
    OPT_MIN_DIFFICULTY,
    OPT_JOB_SECONDS,
    OPT_SEED_INTERVAL,
    OPT_HEIGHT,
    OPT_LOG,
    OPT_MAX_CONNECTIONS,
    OPT_LOGIN_TIMEOUT,
    OPT_IDLE_TIMEOUT,
    OPT_MAX_INVALID,
    OPT_BAN_SECONDS,
    OPT_MAX_BAD_LINES,
    OPT_DURATION,
    OPT_PRINT_TIME,
    OPT_VERBOSE,
    OPT_HTTP,
    OPT_HTTP_TOKEN,
    OPT_CONFIG,
    OPT_DUMP_CONFIG,
    OPT_COUNT
};

#define DEFAULT_LISTEN        "127.0.0.1:3333"
#define DEFAULT_DIFFICULTY    1000
#define DEFAULT_SHARE_SECONDS 10
#define DEFAULT_HEIGHT        3200000

static const cli_option_t pool_options[OPT_COUNT] = {
    [OPT_CONFIG] = CLI_CONFIG_OPTION_FILE,
    [OPT_DUMP_CONFIG] = CLI_CONFIG_OPTION_DUMP,
    [OPT_HTTP] = CLI_HTTP_OPTION_ADDRESS,
    [OPT_HTTP_TOKEN] = CLI_HTTP_OPTION_TOKEN,
    [OPT_LISTEN] = {"listen", CLI_OPT_STRING, "IP:PORT", 0, 0,
                    "serve here (repeat for more; default " DEFAULT_LISTEN "; port 0: any "
                    "free one); only IP addresses, never names"},
    [OPT_LISTEN_TLS] = {"listen-tls", CLI_OPT_STRING, "IP:PORT", 0, 0,
                        "serve stratum+ssl here (repeatable); its certificate's SHA-256 is "
                        "printed for mine --tls-fingerprint"},
    [OPT_TLS_CERT] = {"tls-cert", CLI_OPT_STRING, "FILE", 0, 0,
                      "PEM certificate (chain) for --listen-tls (default: a self-signed one made "
                      "at start)"},
    [OPT_TLS_KEY] = {"tls-key", CLI_OPT_STRING, "FILE", 0, 0, "PEM key of --tls-cert"},
    [OPT_SYNTHETIC] = {"synthetic", CLI_OPT_FLAG, NULL, 0, 0,
                       "make Monero-shaped jobs offline, no daemon needed (the default)"},
    [OPT_DAEMON] = {"daemon", CLI_OPT_STRING, "URL", 0, 0,
                    "take block templates from monerod (daemon+http://HOST:PORT) and submit the "
                    "blocks miners find; connections split the nonce (NiceHash-style)"},
    [OPT_WALLET] = {"wallet", CLI_OPT_STRING, "ADDRESS", 0, 0,
                    "with --daemon: the address the blocks pay"},
    [OPT_ALGO] = {"algo", CLI_OPT_STRING, "ALGO", 0, 0,
                  "the algorithm served (default rx/0; see minemeter hash --list)", 'a', NULL},
    [OPT_DIFFICULTY] = {"difficulty", CLI_OPT_UINT, "N", 1, 1000000000000ul,
                        "share difficulty: fixed when given alone; with --share-seconds, "
                        "vardiff's start (default 1000)"},
    [OPT_SHARE_SECONDS] = {"share-seconds", CLI_OPT_UINT, "SECONDS", 1, 3600,
                           "vardiff: steer each connection to a share this often (the default, "
                           "at 10 s, unless --difficulty is given alone)"},
    [OPT_MIN_DIFFICULTY] = {"min-difficulty", CLI_OPT_UINT, "N", 1, 1000000000000ul,
                            "vardiff never goes below this (default 1)"},
    [OPT_JOB_SECONDS] = {"job-seconds", CLI_OPT_UINT, "SECONDS", 1, 86400,
                         "a new block template, and a fresh job for everyone, this often "
                         "(default 30)"},
    [OPT_SEED_INTERVAL] = {"seed-interval", CLI_OPT_UINT, "N", 1, 1000000,
                           "RandomX: a new seed every N templates (default 2048, as Monero)"},
    [OPT_HEIGHT] = {"height", CLI_OPT_UINT, "N", 1, 1000000000ul,
                    "the first template's height (default 3200000)"},
    [OPT_LOG] = {"log", CLI_OPT_STRING, "FILE", 0, 0,
                 "ground truth as JSON lines: connections, logins, jobs sent and shares with "
                 "their bytes and verdicts, closes"},
    [OPT_MAX_CONNECTIONS] = {"max-connections", CLI_OPT_UINT, "N", 1, 100000,
                             "connections at once; more are closed at accept (default 1024)"},
    [OPT_LOGIN_TIMEOUT] = {"login-timeout", CLI_OPT_UINT, "SECONDS", 1, 3600,
                           "close a connection that has not logged in by then (default 10)"},
    [OPT_IDLE_TIMEOUT] = {"idle-timeout", CLI_OPT_UINT, "SECONDS", 1, 86400,
                          "close a connection silent this long (default 600)"},
    [OPT_MAX_INVALID] = {"max-invalid", CLI_OPT_UINT, "N", 1, 1000000,
                         "invalid shares before the connection is closed and its address "
                         "banned (default 25)"},
    [OPT_BAN_SECONDS] = {"ban-seconds", CLI_OPT_UINT, "SECONDS", 0, 86400,
                         "how long such an address stays banned (default 600; 0: never)"},
    [OPT_MAX_BAD_LINES] = {"max-bad-lines", CLI_OPT_UINT, "N", 0, 1000,
                           "malformed lines answered before the connection is closed "
                           "(default 3)"},
    [OPT_DURATION] = {"duration", CLI_OPT_UINT, "SECONDS", 1, 31536000,
                      "stop after this long (default: until SIGINT/SIGTERM)"},
    [OPT_PRINT_TIME] = {"print-time", CLI_OPT_UINT, "SECONDS", 1, 3600,
                        "print the counts this often (default 60)"},
    [OPT_VERBOSE] = {"verbose", CLI_OPT_FLAG, NULL, 0, 0,
                     "also print every job sent and every accepted share"},
};

static const cli_command_spec_t pool_spec = {
    "pool",
    "a lab Stratum pool: synthetic jobs, every share re-hashed, vardiff, ground-truth log",
    "[--listen IP:PORT] [--algo ALGO] [--difficulty N | --share-seconds S] [--log FILE]",
    "Serves Stratum the way XMRig and other Monero miners expect (login,\n"
    "getjob, submit, keepalived, job notifications with algo, seed_hash and\n"
    "height) on the addresses --listen names and nothing else, for a lab's own\n"
    "network. Each connection gets its own blob, so no two miners hash the\n"
    "same work; every share is hashed again here and judged with the replies\n"
    "pools send (\"Low difficulty share\", \"Duplicate share\", \"Invalid job\n"
    "id\", ...). Misbehaving clients are closed, and banned after --max-invalid\n"
    "invalid shares, while the others go on being served.\n"
    "\n"
    "Point a miner at it:\n"
    "  minemeter pool --algo rx/0 --log pool.jsonl\n"
    "  minemeter mine --url stratum+tcp://127.0.0.1:3333 --user lab-miner-1\n"
    "\n"
    "With --daemon, jobs are monerod's block templates, shares are capped at the\n"
    "block's difficulty, and every share that makes a block is submitted:\n"
    "  minemeter pool --daemon daemon+http://127.0.0.1:18081 --wallet ADDRESS\n"
    "\n"
    "It runs in the foreground until --duration or Ctrl-C, and prints a count\n"
    "per login at the end. docs/pool.md describes the log's events.",
    pool_options,
    OPT_COUNT,
};

typedef struct {
    uv_loop_t loop;
    stratum_pool_server_t *server;
    stratum_tls_context_t *tls;
    stratum_pool_synthetic_t chain;
    stratum_daemon_t *daemon;
    stratum_url_t daemon_url;
    const char *wallet;
    int serving, exit_code;
    unsigned max_connections;
    char start_line[640], fingerprint[65], cert_label[300];
    uint64_t generation;
    /* Blocks submitted and not yet judged: which connection found them. */
    struct {
        char hash[65];
        uint64_t connection;
        char login[64];
    } found[16];
    unsigned found_next;
    uv_signal_t sigint, sigterm;
    uv_timer_t job_timer, print_timer, duration_timer, http_timer;
    cli_http_t *http; /* NULL without --http */
    int stopping, verbose;
    FILE *log;
    uint64_t start_ns;
} pool_t;

/* --- the ground-truth log ----------------------------------------------------- */

static const char *event_name(stratum_pool_event_kind_t kind)
{
    static const char *const names[] = {
        [STRATUM_POOL_EVENT_LISTEN] = "listen",
        [STRATUM_POOL_EVENT_CONNECT] = "connect",
        [STRATUM_POOL_EVENT_REFUSED] = "refused",
        [STRATUM_POOL_EVENT_LOGIN] = "login",
        [STRATUM_POOL_EVENT_LOGIN_ERROR] = "login_error",
        [STRATUM_POOL_EVENT_JOB] = "job",
        [STRATUM_POOL_EVENT_SHARE] = "share",
        [STRATUM_POOL_EVENT_BAD_LINE] = "bad_line",
        [STRATUM_POOL_EVENT_DISCONNECT] = "disconnect",
        [STRATUM_POOL_EVENT_TEMPLATE] = "template",
        [STRATUM_POOL_EVENT_BLOCK] = "block",
    };
    return names[kind];
}

static void set_text(json_t *o, const char *key, const char *value)
{
    if (value != NULL)
        json_object_set_new(o, key, json_string(value));
}

static void set_count(json_t *o, const char *key, uint64_t value)
{
    json_object_set_new(o, key, json_integer((json_int_t)value));
}

/* One event as one JSON line (docs/pool.md), flushed at once. */
/* Writes o (taken) as one line and flushes it: a pool stopped at any moment leaves whole lines. */
static void write_line(pool_t *p, json_t *o)
{
    char *text = o != NULL
                     ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
                     : NULL;
    json_decref(o);
    if (text != NULL) {
        fprintf(p->log, "%s\n", text);
        fflush(p->log);
    }
    free(text);
}

static json_int_t unix_ms(void)
{
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    return (json_int_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
}

static void log_event(pool_t *p, const stratum_pool_event_t *e)
{
    if (p->log == NULL)
        return;
    json_t *o = json_object();
    if (o == NULL)
        return;
    set_text(o, "event", event_name(e->kind));
    json_object_set_new(o, "t",
                        json_real(round((double)(arch_clock_ns() - p->start_ns) / 1e6) / 1e3));
    json_object_set_new(o, "unix_ms", json_integer(unix_ms()));
    if (e->connection != 0)
        set_count(o, "connection", e->connection);
    set_text(o, "peer", e->peer);
    set_text(o, "address", e->address);
    set_text(o, "login", e->login);
    switch (e->kind) {
    case STRATUM_POOL_EVENT_LOGIN:
        set_text(o, "agent", e->agent);
        set_text(o, "rigid", e->rigid);
        break;
    case STRATUM_POOL_EVENT_JOB:
        set_text(o, "job_id", e->job_id);
        set_text(o, "blob", e->blob);
        set_count(o, "height", e->height);
        set_count(o, "difficulty", e->difficulty);
        set_count(o, "bytes", e->bytes);
        break;
    case STRATUM_POOL_EVENT_SHARE:
        set_text(o, "job_id", e->job_id);
        set_text(o, "nonce", e->nonce);
        set_count(o, "difficulty", e->difficulty);
        json_object_set_new(o, "accepted", json_boolean(e->accepted));
        set_text(o, "reason", e->reason);
        if (e->hash_difficulty != 0)
            set_count(o, "hash_difficulty", e->hash_difficulty);
        set_count(o, "bytes", e->bytes);
        break;
    case STRATUM_POOL_EVENT_BAD_LINE:
        set_text(o, "reason", e->reason);
        set_count(o, "bytes", e->bytes);
        break;
    case STRATUM_POOL_EVENT_DISCONNECT:
        set_text(o, "reason", e->reason);
        set_count(o, "bytes_in", e->bytes_in);
        set_count(o, "bytes_out", e->bytes_out);
        break;
    case STRATUM_POOL_EVENT_REFUSED:
    case STRATUM_POOL_EVENT_LOGIN_ERROR:
        set_text(o, "reason", e->reason);
        break;
    case STRATUM_POOL_EVENT_TEMPLATE:
        set_count(o, "height", e->height);
        json_object_set_new(o, "seed_changed", json_boolean(e->seed_changed));
        break;
    case STRATUM_POOL_EVENT_LISTEN:
    case STRATUM_POOL_EVENT_CONNECT:
        json_object_set_new(o, "tls", json_boolean(e->tls));
        break;
    case STRATUM_POOL_EVENT_BLOCK:
        set_count(o, "height", e->height);
        json_object_set_new(o, "accepted", json_boolean(e->accepted));
        set_text(o, "reason", e->reason);
        set_text(o, "pow_hash", e->hash);
        json_object_set_new(o, "latency_ms", json_real(round(e->latency_ms * 1000) / 1000));
        break;
    }
    write_line(p, o);
}

/* The first line: what is served, and the clock every later t is on. */
static void log_start(pool_t *p, const pow_algo_t *algo, uint64_t difficulty, double share_seconds,
                      unsigned job_seconds)
{
    if (p->log == NULL)
        return;
    json_t *o =
        json_pack("{s:s s:f s:I s:I s:i s:s s:I s:s s:s s:I s:f s:i}", "event", "start", "t", 0.0,
                  "unix_ms", unix_ms(), "t0_monotonic_ns", (json_int_t)p->start_ns, "log_version",
                  1, "version", PACKAGE_VERSION, "pid", (json_int_t)getpid(), "algo",
                  algo != NULL ? pow_algo_name(algo) : "the daemon's", "jobs",
                  algo != NULL ? "synthetic" : "daemon", "difficulty", (json_int_t)difficulty,
                  "share_seconds", share_seconds, "job_seconds", (int)job_seconds);
    write_line(p, o);
}

/* --- what the server says -------------------------------------------------------- */

static void on_event(void *context, const stratum_pool_event_t *e)
{
    pool_t *p = context;
    log_event(p, e);
    unsigned long long id = (unsigned long long)e->connection;
    switch (e->kind) {
    case STRATUM_POOL_EVENT_LISTEN:
        break; /* said with the start line */
    case STRATUM_POOL_EVENT_CONNECT:
        cli_say("connection %llu from %s%s", id, e->peer, e->tls ? " (TLS)" : "");
        break;
    case STRATUM_POOL_EVENT_REFUSED:
        cli_say("refused %s: %s", e->peer, e->reason);
        break;
    case STRATUM_POOL_EVENT_LOGIN:
        cli_say("connection %llu logged in as %s (%s)", id, e->login,
                e->agent != NULL ? e->agent : "no agent given");
        break;
    case STRATUM_POOL_EVENT_LOGIN_ERROR:
        cli_say("connection %llu: login refused: %s", id, e->reason);
        break;
    case STRATUM_POOL_EVENT_JOB:
        if (p->verbose)
            cli_say("connection %llu: job %s, height %" PRIu64 ", difficulty %" PRIu64, id,
                    e->job_id, e->height, e->difficulty);
        break;
    case STRATUM_POOL_EVENT_SHARE:
        if (!e->accepted)
            cli_say("connection %llu: share rejected: %s (job %s, nonce %s)", id, e->reason,
                    e->job_id != NULL ? e->job_id : "none", e->nonce != NULL ? e->nonce : "none");
        else if (p->verbose)
            cli_say("connection %llu: share accepted (difficulty %" PRIu64 ")", id, e->difficulty);
        break;
    case STRATUM_POOL_EVENT_BAD_LINE:
        cli_say("connection %llu: malformed line: %s", id, e->reason);
        break;
    case STRATUM_POOL_EVENT_DISCONNECT:
        cli_say("connection %llu closed: %s (%" PRIu64 " bytes in, %" PRIu64 " out)", id, e->reason,
                e->bytes_in, e->bytes_out);
        break;
    case STRATUM_POOL_EVENT_BLOCK:
        if (e->accepted)
            cli_say("block at height %" PRIu64 " accepted by monerod (connection %llu, %s; pow "
                    "hash %s)",
                    e->height, id, e->login != NULL ? e->login : "?", e->hash);
        else
            cli_say("block at height %" PRIu64 " refused by monerod: %s (connection %llu)",
                    e->height, e->reason, id);
        break;
    case STRATUM_POOL_EVENT_TEMPLATE:
        if (p->verbose || e->seed_changed)
            cli_say("new template at height %" PRIu64 "%s", e->height,
                    e->seed_changed ? ", with a new RandomX seed" : "");
        break;
    }
}

/* --- timers and signals ----------------------------------------------------------- */

static void on_handle_closed(uv_handle_t *handle)
{
    (void)handle;
}

static void stop(pool_t *p, const char *why)
{
    if (p->stopping)
        return;
    p->stopping = 1;
    if (why != NULL) /* NULL: quietly, nothing was served */
        cli_say("stopping: %s", why);
    stratum_pool_server_stop(p->server);
    if (p->daemon != NULL)
        stratum_daemon_close(p->daemon, NULL, NULL);
    uv_handle_t *handles[] = {
        (uv_handle_t *)&p->sigint,         (uv_handle_t *)&p->sigterm,
        (uv_handle_t *)&p->job_timer,      (uv_handle_t *)&p->print_timer,
        (uv_handle_t *)&p->duration_timer, (uv_handle_t *)&p->http_timer,
    };
    for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++)
        uv_close(handles[i], on_handle_closed);
}

static void on_signal(uv_signal_t *handle, int signum)
{
    stop(handle->data, signum == SIGINT ? "interrupted" : "terminated");
}

static void on_duration(uv_timer_t *timer)
{
    stop(timer->data, "--duration reached");
}

static void on_job_timer(uv_timer_t *timer)
{
    pool_t *p = timer->data;
    stratum_pool_template_t tpl;
    if (stratum_pool_synthetic_next(&p->chain, &tpl) != 0) {
        cli_say("no randomness for a new template: keeping the current one");
        return;
    }
    stratum_pool_server_set_template(p->server, &tpl);
}

static void print_counts(pool_t *p)
{
    stratum_pool_server_stats_t s;
    stratum_pool_server_stats(p->server, &s);
    double seconds = (double)(arch_clock_ns() - p->start_ns) / 1e9;
    cli_say("%u connected; shares %" PRIu64 " accepted, %" PRIu64 " rejected, %" PRIu64
            " stale; about %.1f H/s from the accepted difficulty; %" PRIu64
            " shares verified in %.3f s",
            s.connected, s.accepted, s.rejected, s.stale,
            seconds > 0 ? (double)s.accepted_difficulty / seconds : 0.0, s.verified,
            s.verify_seconds);
}

static void on_http_timer(uv_timer_t *timer)
{
    pool_t *p = timer->data;
    cli_http_pool_server(p->http, p->server, arch_clock_ns());
}

static void on_print(uv_timer_t *timer)
{
    print_counts(timer->data);
}

static void print_summary(pool_t *p)
{
    print_counts(p);
    size_t n = stratum_pool_server_miner_count(p->server), shown = n <= 64 ? n : 50;
    for (size_t i = 0; i < shown; i++) {
        const stratum_pool_miner_t *m = stratum_pool_server_miner(p->server, i);
        char reasons[512] = "";
        size_t used = 0;
        for (size_t r = 0; r < STRATUM_POOL_MINER_REASONS && m->reasons[r].reason != NULL &&
                           used < sizeof(reasons) - 1;
             r++)
            used += (size_t)snprintf(reasons + used, sizeof(reasons) - used, "%s%s %" PRIu64,
                                     used == 0 ? " (" : ", ", m->reasons[r].reason,
                                     m->reasons[r].count);
        if (m->other_reasons != 0 && used < sizeof(reasons) - 1)
            used += (size_t)snprintf(reasons + used, sizeof(reasons) - used, ", other %" PRIu64,
                                     m->other_reasons);
        if (used != 0 && used < sizeof(reasons) - 1)
            snprintf(reasons + used, sizeof(reasons) - used, ")");
        cli_say("miner %s: %u connection(s), %" PRIu64 " accepted (difficulty %" PRIu64
                "), %" PRIu64 " rejected, %" PRIu64 " stale%s",
                m->login, m->connections, m->accepted, m->accepted_difficulty, m->rejected,
                m->stale, reasons);
    }
    if (shown < n)
        cli_say("... and %zu more logins (the log has every share with its login)", n - shown);
}

/* --- serving ------------------------------------------------------------------------------ */

/*
 * Each connection is a file descriptor: the soft limit is raised to the
 * hard one, and when --max-connections is past even that, the start says
 * so rather than leaving the pool to refuse connections unexplained.
 */
static void raise_open_files(unsigned max_connections)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return;
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
        getrlimit(RLIMIT_NOFILE, &lim);
    }
    /* Some descriptors are the process's own: the loop, listeners, the log, stdio. */
    if (lim.rlim_cur != RLIM_INFINITY && (rlim_t)max_connections + 32 > lim.rlim_cur)
        cli_say("note: the open-file limit (ulimit -n) is %llu, so about %llu connections can be "
                "held at once, not --max-connections %u",
                (unsigned long long)lim.rlim_cur, (unsigned long long)lim.rlim_cur - 32,
                max_connections);
}

/* Binds and starts serving tpl, then says so. Returns 0, or -1 (said on stderr). */
static int begin_serving(pool_t *p, const stratum_pool_template_t *tpl)
{
    char why[512];
    if (stratum_pool_server_start(p->server, tpl, why, sizeof(why)) != 0) {
        cli_error("pool", "%s", why);
        return -1;
    }
    p->serving = 1;
    cli_say("%s", p->start_line);
    for (size_t i = 0;; i++) {
        int tls;
        const char *address = stratum_pool_server_address(p->server, i, &tls);
        if (address == NULL)
            break;
        cli_say("listening on %s://%s%s", tls ? "stratum+ssl" : "stratum+tcp", address,
                strncmp(address, "127.", 4) == 0 || strncmp(address, "[::1]", 5) == 0
                    ? ""
                    : " (not loopback: anyone who can reach it can mine here)");
    }
    if (p->tls != NULL)
        cli_say("TLS certificate SHA-256 %s (%s): miners pin it with --tls-fingerprint %s",
                p->fingerprint, p->cert_label, p->fingerprint);
    raise_open_files(p->max_connections);
    return 0;
}

/* --- with --daemon: monerod's templates and verdicts -------------------------------------- */

static void on_daemon_job(void *context, const stratum_job_t *job)
{
    pool_t *p = context;
    if (job->nonce_offset != STRATUM_NONCE_OFFSET || job->blob_len > STRATUM_POOL_MAX_BLOB) {
        cli_say("ignoring monerod's template at height %" PRIu64
                ": its nonce is not at byte 39 or its blob is over %d bytes, which miners "
                "cannot take",
                job->height, STRATUM_POOL_MAX_BLOB);
        return;
    }
    stratum_pool_template_t tpl;
    memset(&tpl, 0, sizeof(tpl));
    tpl.generation = ++p->generation;
    tpl.algo = job->algo;
    tpl.height = job->height;
    if (job->seed_len == 32)
        memcpy(tpl.seed, job->seed, 32);
    memcpy(tpl.blob, job->blob, job->blob_len);
    tpl.blob_len = job->blob_len;
    tpl.nicehash = 1;
    tpl.block_difficulty = stratum_difficulty_from_target(job->target);
    if (tpl.block_difficulty == 0)
        tpl.block_difficulty = 1;
    snprintf(tpl.source_job_id, sizeof(tpl.source_job_id), "%s", job->id);
    if (p->serving) {
        stratum_pool_server_set_template(p->server, &tpl);
        return;
    }
    if (p->stopping)
        return;
    if (begin_serving(p, &tpl) != 0) {
        p->exit_code = CLI_EXIT_USAGE;
        stop(p, "an address could not be bound");
    }
}

static void on_daemon_candidate(void *context, const stratum_pool_template_t *tpl, uint32_t nonce,
                                const uint8_t hash[32], uint64_t connection, const char *login)
{
    pool_t *p = context;
    if (stratum_daemon_submit(p->daemon, tpl->source_job_id, nonce, hash) != 0)
        return; /* below the block's difficulty, or its block was already sent */
    unsigned slot = p->found_next++ % (sizeof(p->found) / sizeof(p->found[0]));
    pow_hex_encode(hash, 32, p->found[slot].hash);
    p->found[slot].connection = connection;
    snprintf(p->found[slot].login, sizeof(p->found[slot].login), "%s", login);
}

static void on_block_result(void *context, const stratum_block_result_t *r)
{
    pool_t *p = context;
    stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_BLOCK,
                              .height = r->height,
                              .accepted = r->accepted,
                              .reason = r->reason,
                              .hash = r->pow_hash,
                              .latency_ms = r->latency_ms};
    for (size_t i = 0; i < sizeof(p->found) / sizeof(p->found[0]); i++) {
        if (strcmp(p->found[i].hash, r->pow_hash) == 0) {
            e.connection = p->found[i].connection;
            e.login = p->found[i].login;
        }
    }
    on_event(p, &e);
}

static void on_daemon_connection(void *context, int connected)
{
    pool_t *p = context;
    if (!connected && p->serving)
        cli_say("monerod is not answering: miners keep the last template meanwhile");
}

static void on_address_refused(void *context, const char *address, const char *reason)
{
    pool_t *p = context;
    cli_error("pool", "monerod refused the wallet address %s: %s", address, reason);
    p->exit_code = CLI_EXIT_USAGE;
    stop(p, "the wallet address was refused");
}

static void on_daemon_log(void *context, const char *line)
{
    (void)context;
    cli_say("%s", line);
}

/* --- the command ---------------------------------------------------------------------- */

static int run_pool(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    signal(SIGPIPE, SIG_IGN); /* a miner gone between read and write: EPIPE, handled */
    int daemon_mode = v[OPT_DAEMON].set;
    stratum_url_t daemon_url;
    if (daemon_mode) {
        char url_why[512];
        if (v[OPT_SYNTHETIC].set || v[OPT_ALGO].set || v[OPT_SEED_INTERVAL].set ||
            v[OPT_HEIGHT].set || v[OPT_JOB_SECONDS].set) {
            cli_usage_error(spec->name,
                            "--daemon takes the jobs from monerod: --synthetic, --algo, --height, "
                            "--seed-interval and --job-seconds are for synthetic jobs");
            return CLI_EXIT_USAGE;
        }
        if (stratum_url_parse(v[OPT_DAEMON].text, &daemon_url, url_why, sizeof(url_why)) != 0 ||
            daemon_url.scheme != STRATUM_URL_DAEMON_HTTP) {
            cli_usage_error(spec->name, "--daemon %s: give daemon+http://HOST:PORT",
                            v[OPT_DAEMON].text);
            return CLI_EXIT_USAGE;
        }
        if (!v[OPT_WALLET].set) {
            cli_usage_error(spec->name, "--daemon needs --wallet ADDRESS, the address blocks pay");
            return CLI_EXIT_USAGE;
        }
    } else if (v[OPT_WALLET].set) {
        cli_usage_error(spec->name, "--wallet goes with --daemon");
        return CLI_EXIT_USAGE;
    }
    const char *algo_name = v[OPT_ALGO].set ? v[OPT_ALGO].text : "rx/0";
    const pow_algo_t *algo = pow_algo_find(algo_name);
    if (algo == NULL) {
        char why[512];
        pow_algo_unknown(algo_name, why, sizeof(why));
        cli_usage_error(spec->name, "--algo %s", why);
        return CLI_EXIT_USAGE;
    }
    if (pow_algo_needs_height(algo) == 0 && pow_algo_min_input(algo) > STRATUM_POOL_BLOB_LEN) {
        cli_usage_error(spec->name, "--algo %s needs longer blobs than Monero's", algo_name);
        return CLI_EXIT_USAGE;
    }
    if (v[OPT_MIN_DIFFICULTY].set && !v[OPT_SHARE_SECONDS].set && v[OPT_DIFFICULTY].set) {
        cli_usage_error(spec->name,
                        "--min-difficulty bounds vardiff, and --difficulty alone fixes the "
                        "difficulty: add --share-seconds or drop one");
        return CLI_EXIT_USAGE;
    }
    const char *listen_default[] = {DEFAULT_LISTEN};
    const char *const *listen = v[OPT_LISTEN].set ? v[OPT_LISTEN].texts : listen_default;
    size_t listen_count = v[OPT_LISTEN].set ? v[OPT_LISTEN].count : v[OPT_LISTEN_TLS].set ? 0 : 1;
    if ((v[OPT_TLS_CERT].set || v[OPT_TLS_KEY].set) && !v[OPT_LISTEN_TLS].set) {
        cli_usage_error(spec->name, "--tls-cert and --tls-key are for --listen-tls");
        return CLI_EXIT_USAGE;
    }
    int vardiff = v[OPT_SHARE_SECONDS].set || !v[OPT_DIFFICULTY].set;
    double share_seconds = !vardiff                   ? 0
                           : v[OPT_SHARE_SECONDS].set ? (double)v[OPT_SHARE_SECONDS].number
                                                      : DEFAULT_SHARE_SECONDS;
    uint64_t difficulty = v[OPT_DIFFICULTY].set ? v[OPT_DIFFICULTY].number : DEFAULT_DIFFICULTY;

    pool_t *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        cli_error(spec->name, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    p->verbose = v[OPT_VERBOSE].set;
    if (v[OPT_LOG].set && (p->log = fopen(v[OPT_LOG].text, "w")) == NULL) {
        cli_usage_error(spec->name, "--log %s: cannot write there", v[OPT_LOG].text);
        free(p);
        return CLI_EXIT_USAGE;
    }
    char fingerprint[65] = "";
    if (v[OPT_LISTEN_TLS].set) {
        char tls_why[512];
        p->tls = stratum_tls_server_context_create(
            v[OPT_TLS_CERT].set ? v[OPT_TLS_CERT].text : NULL,
            v[OPT_TLS_KEY].set ? v[OPT_TLS_KEY].text : NULL, fingerprint, tls_why, sizeof(tls_why));
        if (p->tls == NULL) {
            cli_usage_error(spec->name, "%s", tls_why);
            if (p->log != NULL)
                fclose(p->log);
            free(p);
            return CLI_EXIT_USAGE;
        }
    }
    stratum_pool_server_config_t config = {
        .listen = listen,
        .listen_count = listen_count,
        .listen_tls = v[OPT_LISTEN_TLS].texts,
        .listen_tls_count = v[OPT_LISTEN_TLS].set ? v[OPT_LISTEN_TLS].count : 0,
        .tls = p->tls,
        .algo = algo,
        .difficulty = difficulty,
        .share_seconds = share_seconds,
        .min_difficulty = v[OPT_MIN_DIFFICULTY].set ? v[OPT_MIN_DIFFICULTY].number : 1,
        .max_connections =
            v[OPT_MAX_CONNECTIONS].set ? (unsigned)v[OPT_MAX_CONNECTIONS].number : 1024,
        .login_timeout_ms =
            1000u * (v[OPT_LOGIN_TIMEOUT].set ? (unsigned)v[OPT_LOGIN_TIMEOUT].number : 10),
        .idle_timeout_ms =
            1000u * (v[OPT_IDLE_TIMEOUT].set ? (unsigned)v[OPT_IDLE_TIMEOUT].number : 600),
        .max_invalid = v[OPT_MAX_INVALID].set ? (unsigned)v[OPT_MAX_INVALID].number : 25,
        .ban_seconds = v[OPT_BAN_SECONDS].set ? (unsigned)v[OPT_BAN_SECONDS].number : 600,
        .max_bad_lines = v[OPT_MAX_BAD_LINES].set ? (unsigned)v[OPT_MAX_BAD_LINES].number : 3,
        .context = p,
        .event = on_event,
        .candidate = on_daemon_candidate,
    };
    const cli_http_values_t http_values = {&v[OPT_HTTP], &v[OPT_HTTP_TOKEN]};
    const cli_http_run_t http_run = {.command = "pool", .algo = algo};
    int rc = cli_http_open(spec->name, &http_values, &http_run, &p->http);
    if (rc != CLI_CONTINUE) {
        stratum_tls_context_free(p->tls);
        if (p->log != NULL)
            fclose(p->log);
        free(p);
        return rc;
    }
    uv_loop_init(&p->loop);
    char why[512];
    if (stratum_pool_server_create(&p->server, &p->loop, &config, why, sizeof(why)) != 0) {
        cli_usage_error(spec->name, "%s", why);
        cli_http_close(p->http);
        uv_loop_close(&p->loop);
        stratum_tls_context_free(p->tls);
        if (p->log != NULL)
            fclose(p->log);
        free(p);
        return CLI_EXIT_USAGE;
    }
    unsigned seed_interval =
        v[OPT_SEED_INTERVAL].set ? (unsigned)v[OPT_SEED_INTERVAL].number : 2048;
    uint64_t height = v[OPT_HEIGHT].set ? v[OPT_HEIGHT].number : DEFAULT_HEIGHT;
    unsigned job_seconds = v[OPT_JOB_SECONDS].set ? (unsigned)v[OPT_JOB_SECONDS].number : 30;
    p->start_ns = arch_clock_ns();
    p->exit_code = CLI_EXIT_OK;
    p->max_connections = config.max_connections;
    snprintf(p->fingerprint, sizeof(p->fingerprint), "%s", fingerprint);
    snprintf(p->cert_label, sizeof(p->cert_label), "%s",
             v[OPT_TLS_CERT].set ? v[OPT_TLS_CERT].text : "self-signed, made now");
    char steering[160];
    if (vardiff)
        snprintf(steering, sizeof(steering),
                 "vardiff aiming at a share every %.0f s per connection, from difficulty %" PRIu64,
                 share_seconds, difficulty);
    else
        snprintf(steering, sizeof(steering), "fixed difficulty %" PRIu64, difficulty);
    if (daemon_mode)
        snprintf(p->start_line, sizeof(p->start_line),
                 "minemeter %s pool serving monerod's block templates from %s (connections split "
                 "the nonce; shares capped at the block's difficulty; blocks submitted); %s; every "
                 "share hashed again here; pid %ld; stop with Ctrl-C",
                 PACKAGE_VERSION, v[OPT_DAEMON].text, steering, (long)getpid());
    else
        snprintf(p->start_line, sizeof(p->start_line),
                 "minemeter %s pool serving synthetic %s jobs from height %" PRIu64
                 " (a new template every %u s%s); %s; every share hashed again here; pid %ld; "
                 "stop with Ctrl-C",
                 PACKAGE_VERSION, pow_algo_name(algo), height, job_seconds,
                 pow_algo_needs_key(algo) ? ", a new seed every --seed-interval templates" : "",
                 steering, (long)getpid());
    log_start(p, daemon_mode ? NULL : algo, difficulty, share_seconds,
              daemon_mode ? 0 : job_seconds);

    uv_signal_init(&p->loop, &p->sigint);
    uv_signal_init(&p->loop, &p->sigterm);
    uv_timer_init(&p->loop, &p->job_timer);
    uv_timer_init(&p->loop, &p->print_timer);
    uv_timer_init(&p->loop, &p->duration_timer);
    uv_timer_init(&p->loop, &p->http_timer);
    p->sigint.data = p->sigterm.data = p;
    p->job_timer.data = p->print_timer.data = p->duration_timer.data = p->http_timer.data = p;
    if (p->http != NULL) {
        uv_timer_start(&p->http_timer, on_http_timer, 1000, 1000);
        cli_say("http: %s", cli_http_description(p->http));
    }
    uv_signal_start(&p->sigint, on_signal, SIGINT);
    uv_signal_start(&p->sigterm, on_signal, SIGTERM);
    uint64_t print_ms = v[OPT_PRINT_TIME].set ? v[OPT_PRINT_TIME].number * 1000 : 60000;
    uv_timer_start(&p->print_timer, on_print, print_ms, print_ms);
    if (v[OPT_DURATION].set)
        uv_timer_start(&p->duration_timer, on_duration, v[OPT_DURATION].number * 1000, 0);

    char agent[64];
    snprintf(agent, sizeof(agent), "minemeter-pool/%s", PACKAGE_VERSION);
    if (daemon_mode) {
        p->daemon_url = daemon_url;
        stratum_daemon_config_t dc = {
            .url = p->daemon_url,
            .wallet_address = v[OPT_WALLET].text,
            .agent = agent,
            .events = {.context = p,
                       .on_job = on_daemon_job,
                       .on_block_result = on_block_result,
                       .on_connection = on_daemon_connection,
                       .on_address_refused = on_address_refused,
                       .log = on_daemon_log},
        };
        p->daemon = stratum_daemon_create(&p->loop, &dc);
        if (p->daemon == NULL) {
            cli_error(spec->name, "cannot start the monerod client");
            p->exit_code = CLI_EXIT_FAILURE;
            stop(p, "no monerod client");
        } else {
            cli_say("asking %s for a block template paid to %s before serving", v[OPT_DAEMON].text,
                    v[OPT_WALLET].text);
            stratum_daemon_start(p->daemon);
        }
    } else {
        stratum_pool_template_t tpl;
        if (stratum_pool_synthetic_init(&p->chain, algo, height, seed_interval) != 0 ||
            stratum_pool_synthetic_next(&p->chain, &tpl) != 0) {
            cli_error(spec->name, "no randomness for the synthetic jobs (getrandom failed)");
            p->exit_code = CLI_EXIT_FAILURE;
        } else if (begin_serving(p, &tpl) != 0) {
            p->exit_code = CLI_EXIT_USAGE;
        }
        if (p->exit_code != CLI_EXIT_OK) {
            stop(p, NULL);
        } else {
            uv_timer_start(&p->job_timer, on_job_timer, job_seconds * 1000ull,
                           job_seconds * 1000ull);
        }
    }
    uv_run(&p->loop, UV_RUN_DEFAULT);
    int exit_code = p->exit_code;
    if (exit_code == CLI_EXIT_OK && p->serving)
        print_summary(p);
    if (exit_code == CLI_EXIT_OK && !p->serving) {
        cli_say("monerod never gave a template: nothing was served (exit status 1)");
        exit_code = CLI_EXIT_FAILURE;
    }
    cli_http_close(p->http);
    stratum_pool_server_destroy(p->server);
    uv_loop_close(&p->loop);
    stratum_tls_context_free(p->tls);
    if (p->log != NULL)
        fclose(p->log);
    free(p);
    return exit_code;
}

const cli_command_t cli_command_pool = {&pool_spec, run_pool};
