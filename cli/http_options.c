/*
 * The HTTP API's side in the commands: option checks, the start line, and
 * the status kept from what the command already has (the miner's
 * counters, the session's events, the energy readings). The rates come
 * from the same sliding windows `mine` prints (miner/hashrate.h), per
 * thread as well as in total.
 */
#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "arch/clock.h"
#include "arch/cpu.h"
#include "arch/pages.h"
#include "cli/http_options.h"
#include "http/server.h"
#include "miner/hashrate.h"
#include "pow/algo.h"
#include "pow/isa.h"

#define PING_SAMPLES 16

struct cli_http {
    http_server_t *server;
    http_status_t status;
    miner_hashrate_t total;
    miner_hashrate_t *per_thread; /* one per worker */
    uint64_t *last_cpu_ns;
    uint64_t last_ns;
    double ping[PING_SAMPLES];
    unsigned pings;
    double last_joules;
    uint64_t last_joules_ns;
    char description[256];
};

static void fill_fixed(http_status_t *s, const cli_http_run_t *run)
{
    snprintf(s->command, sizeof(s->command), "%s", run->command);
    s->start_ns = arch_clock_ns();
    unsigned char random[8] = {0};
    if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random))
        memset(random, 0, sizeof(random)); /* an id of zeros still serves one host */
    for (size_t i = 0; i < sizeof(random); i++)
        snprintf(s->id + 2 * i, 3, "%02x", random[i]);
    if (gethostname(s->worker_id, sizeof(s->worker_id)) != 0)
        snprintf(s->worker_id, sizeof(s->worker_id), "unknown");
    s->worker_id[sizeof(s->worker_id) - 1] = '\0';
    snprintf(s->version, sizeof(s->version), "%s", PACKAGE_VERSION);
    const arch_cpu_t *cpu = arch_cpu();
    snprintf(s->user_agent, sizeof(s->user_agent), "minemeter/%s (Linux %s)", PACKAGE_VERSION,
             cpu->arch);
    snprintf(s->algo, sizeof(s->algo), "%s", pow_algo_name(run->algo));
    if (pow_algo_rx(run->algo) != NULL)
        snprintf(s->mode, sizeof(s->mode), "%s", run->fast ? "fast" : "light");
    snprintf(s->code_path, sizeof(s->code_path), "%s", pow_isa_name(pow_algo_isa_best(run->algo)));
    snprintf(s->cpu_brand, sizeof(s->cpu_brand), "%s", cpu->brand);
    snprintf(s->thp_mode, sizeof(s->thp_mode), "%s", arch_pages_thp_mode());
    s->cpu_aes = arch_cpu_has(ARCH_CPU_AESNI) || arch_cpu_has(ARCH_CPU_ARM_AES);
    s->cpu_avx2 = arch_cpu_has(ARCH_CPU_AVX2);
    s->cpu_x64 = sizeof(void *) == 8;
    s->threads = run->threads < HTTP_STATUS_MAX_THREADS ? run->threads : HTTP_STATUS_MAX_THREADS;
    for (unsigned i = 0; i < s->threads; i++) {
        s->thread[i].pu = run->pus != NULL ? run->pus[i] : -1;
        s->thread[i].cpu_percent = -1;
        for (int w = 0; w < HTTP_STATUS_WINDOWS; w++)
            s->thread[i].rate[w] = -1;
    }
    for (int w = 0; w < HTTP_STATUS_WINDOWS; w++)
        s->rate[w] = -1;
    s->highest = -1;
    s->ping_ms = -1;
    s->watts = -1;
    snprintf(s->energy_reason, sizeof(s->energy_reason), "not read yet");
}

static int check(const char *command, const cli_http_values_t *v, http_listen_address_t *address)
{
    if (!v->address->set) {
        if (v->token->set) {
            cli_usage_error(command, "--http-token is for the HTTP API: give --http too");
            return CLI_EXIT_USAGE;
        }
        return CLI_CONTINUE;
    }
    char why[256];
    if (http_listen_address_parse(v->address->text, address, why, sizeof(why)) != 0) {
        cli_usage_error(command, "--http %s", why);
        return CLI_EXIT_USAGE;
    }
    if (v->token->set && v->token->text[0] == '\0') {
        cli_usage_error(command, "--http-token is empty: give a secret that clients will send");
        return CLI_EXIT_USAGE;
    }
    if (!address->loopback && !v->token->set) {
        cli_usage_error(command,
                        "--http %s can be reached from other machines: give --http-token TOKEN "
                        "too, or listen on 127.0.0.1",
                        v->address->text);
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

int cli_http_open(const char *command, const cli_http_values_t *v, const cli_http_run_t *run,
                  cli_http_t **out)
{
    *out = NULL;
    http_listen_address_t address;
    int rc = check(command, v, &address);
    if (rc != CLI_CONTINUE || !v->address->set)
        return rc;
    cli_http_t *h = calloc(1, sizeof(*h));
    if (h != NULL) { /* at least one: `pool` has no workers */
        h->per_thread = calloc(run->threads + 1, sizeof(*h->per_thread));
        h->last_cpu_ns = calloc(run->threads + 1, sizeof(*h->last_cpu_ns));
    }
    if (h == NULL || h->per_thread == NULL || h->last_cpu_ns == NULL) {
        cli_http_close(h);
        cli_error(command, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    fill_fixed(&h->status, run);
    if (run->pools != NULL && run->pool_count > 0) {
        const stratum_url_t *u = &run->pools[0].url;
        h->status.has_pool = 1;
        h->status.solo = stratum_url_is_daemon(u->scheme);
        snprintf(h->status.pool, sizeof(h->status.pool),
                 strchr(u->host, ':') != NULL ? "[%s]:%u" : "%s:%u", u->host, u->port);
    }
    miner_hashrate_init(&h->total);
    for (unsigned i = 0; i < run->threads; i++)
        miner_hashrate_init(&h->per_thread[i]);
    http_server_config_t config = {
        .address = &address,
        .token = v->token->set ? v->token->text : NULL,
    };
    char why[256];
    if (http_server_start(&h->server, &config, why, sizeof(why)) != 0) {
        cli_http_close(h);
        cli_usage_error(command, "--http: %s", why);
        return CLI_EXIT_USAGE;
    }
    char url[128];
    http_listen_address_url(&address, http_server_port(h->server), url, sizeof(url));
    snprintf(h->description, sizeof(h->description),
             "read-only API on %s (/1/summary, /api/summary, /metrics)%s", url,
             !address.loopback ? "; reachable from other machines, every request needs the token"
             : v->token->set   ? "; every request needs the token"
                               : "");
    *out = h;
    return CLI_CONTINUE;
}

const char *cli_http_description(const cli_http_t *h)
{
    return h->description;
}

http_status_t *cli_http_status(cli_http_t *h)
{
    return h != NULL ? &h->status : NULL;
}

void cli_http_session_event(cli_http_t *h, const stratum_session_event_t *ev,
                            const stratum_pool_t *pools)
{
    if (h == NULL)
        return;
    http_status_t *s = &h->status;
    switch (ev->kind) {
    case STRATUM_SESSION_CONNECTED: {
        const stratum_url_t *u = &pools[ev->pool].url;
        int v6 = strchr(u->host, ':') != NULL;
        snprintf(s->pool, sizeof(s->pool), v6 ? "[%s]:%u" : "%s:%u", u->host, u->port);
        s->has_pool = 1;
        s->solo = stratum_url_is_daemon(u->scheme);
        s->connected = 1;
        s->connected_ns = arch_clock_ns();
        break;
    }
    case STRATUM_SESSION_DISCONNECTED:
        if (s->connected)
            s->failures++;
        s->connected = 0;
        break;
    case STRATUM_SESSION_JOB:
        s->jobs++;
        s->difficulty = ev->difficulty;
        if (ev->algo != NULL && ev->algo[0] != '\0')
            snprintf(s->algo, sizeof(s->algo), "%s", ev->algo);
        break;
    case STRATUM_SESSION_SHARE_SENT:
        break;
    case STRATUM_SESSION_SHARE_RESULT: {
        if (ev->accepted)
            s->accepted++;
        else
            s->rejected++;
        h->ping[h->pings++ % PING_SAMPLES] = ev->latency_ms;
        unsigned n = h->pings < PING_SAMPLES ? h->pings : PING_SAMPLES;
        double sum = 0;
        for (unsigned i = 0; i < n; i++)
            sum += h->ping[i];
        s->ping_ms = sum / n;
        break;
    }
    }
}

void cli_http_energy(cli_http_t *h, const arch_energy_t *energy, double joules)
{
    if (h == NULL)
        return;
    http_status_t *s = &h->status;
    uint64_t now = arch_clock_ns();
    if (energy->source == ARCH_ENERGY_NONE || joules < 0) {
        s->has_energy = 0;
        snprintf(s->energy_reason, sizeof(s->energy_reason), "%s",
                 energy->source == ARCH_ENERGY_NONE ? energy->reason
                                                    : "the energy source did not read");
        return;
    }
    s->has_energy = 1;
    s->joules = joules;
    s->energy_estimate = arch_energy_is_estimate(energy);
    snprintf(s->energy_source, sizeof(s->energy_source), "%s", energy->label);
    snprintf(s->energy_reason, sizeof(s->energy_reason), "%s", energy->reason);
    if (h->last_joules_ns != 0 && now > h->last_joules_ns)
        s->watts = (joules - h->last_joules) / ((double)(now - h->last_joules_ns) / 1e9);
    h->last_joules = joules;
    h->last_joules_ns = now;
}

static const uint64_t windows_ns[HTTP_STATUS_WINDOWS] = {10000000000ull, 60000000000ull,
                                                         900000000000ull};

/* Adds count (hashes, or a pool's accepted difficulty) at now_ns to the rates in total. */
static void total_rates(cli_http_t *h, uint64_t now_ns, uint64_t count)
{
    http_status_t *s = &h->status;
    miner_hashrate_add(&h->total, now_ns, count);
    for (int w = 0; w < HTTP_STATUS_WINDOWS; w++)
        s->rate[w] = miner_hashrate_over(&h->total, windows_ns[w]);
    if (s->rate[0] > s->highest)
        s->highest = s->rate[0];
}

void cli_http_sample(cli_http_t *h, const miner_t *miner, uint64_t now_ns)
{
    if (h == NULL)
        return;
    http_status_t *s = &h->status;
    double dt = h->last_ns != 0 && now_ns > h->last_ns ? (double)(now_ns - h->last_ns) / 1e9 : 0;
    s->hashes = miner_hashes(miner);
    total_rates(h, now_ns, s->hashes);
    for (unsigned i = 0; i < s->threads; i++) {
        http_thread_status_t *t = &s->thread[i];
        t->hashes = miner_thread_hashes(miner, i);
        miner_hashrate_add(&h->per_thread[i], now_ns, t->hashes);
        for (int w = 0; w < HTTP_STATUS_WINDOWS; w++)
            t->rate[w] = miner_hashrate_over(&h->per_thread[i], windows_ns[w]);
        uint64_t cpu = miner_thread_cpu_ns(miner, i);
        t->cpu_seconds = (double)cpu / 1e9;
        t->cpu_percent = dt > 0 ? 100.0 * (double)(cpu - h->last_cpu_ns[i]) / 1e9 / dt : -1;
        h->last_cpu_ns[i] = cpu;
    }
    s->has_pages = arch_pages_process_huge(&s->huge_bytes, &s->resident_bytes) == 0;
    h->last_ns = now_ns;
    s->now_ns = now_ns;
    http_server_publish(h->server, s);
}

/* Orders logins by shares sent, most first, so the list keeps the busy ones. */
static int by_activity(const void *a, const void *b)
{
    const http_miner_status_t *x = a, *y = b;
    uint64_t nx = x->accepted + x->rejected + x->stale, ny = y->accepted + y->rejected + y->stale;
    return nx < ny ? 1 : nx > ny ? -1 : strcmp(x->login, y->login);
}

void cli_http_pool_server(cli_http_t *h, const stratum_pool_server_t *server, uint64_t now_ns)
{
    if (h == NULL)
        return;
    http_status_t *s = &h->status;
    stratum_pool_server_stats_t st;
    stratum_pool_server_stats(server, &st);
    s->has_server = 1;
    snprintf(s->energy_reason, sizeof(s->energy_reason),
             "a pool measures no energy: its miners' power is theirs");
    s->server_connected = st.connected;
    s->server_connections = st.connections;
    s->server_logins = st.logins;
    s->server_jobs_sent = st.jobs_sent;
    s->server_bans = st.bans;
    s->server_bad_lines = st.bad_lines;
    s->server_accepted = st.accepted;
    s->server_rejected = st.rejected;
    s->server_stale = st.stale;
    s->server_accepted_difficulty = st.accepted_difficulty;
    s->server_verify_seconds = st.verify_seconds;
    total_rates(h, now_ns, st.accepted_difficulty); /* the miners' rate, estimated */
    size_t n = stratum_pool_server_miner_count(server);
    s->miners_total = (unsigned)n;
    http_miner_status_t *all = calloc(n + 1, sizeof(*all));
    if (all != NULL) {
        for (size_t i = 0; i < n; i++) {
            const stratum_pool_miner_t *m = stratum_pool_server_miner(server, i);
            snprintf(all[i].login, sizeof(all[i].login), "%s", m->login);
            all[i].connections = m->connections;
            all[i].accepted = m->accepted;
            all[i].rejected = m->rejected;
            all[i].stale = m->stale;
            all[i].accepted_difficulty = m->accepted_difficulty;
        }
        qsort(all, n, sizeof(*all), by_activity);
        s->miners = n < HTTP_STATUS_MAX_MINERS ? (unsigned)n : HTTP_STATUS_MAX_MINERS;
        memcpy(s->miner, all, s->miners * sizeof(*all));
        free(all);
    }
    s->now_ns = now_ns;
    http_server_publish(h->server, s);
}

void cli_http_publish(cli_http_t *h)
{
    if (h == NULL)
        return;
    h->status.now_ns = arch_clock_ns();
    http_server_publish(h->server, &h->status);
}

void cli_http_close(cli_http_t *h)
{
    if (h == NULL)
        return;
    http_server_stop(h->server);
    free(h->per_thread);
    free(h->last_cpu_ns);
    free(h);
}
