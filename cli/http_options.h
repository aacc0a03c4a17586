/*
 * --http and --http-token, shared by the commands that run for a while
 * (mine, load, pool, impact): check them before anything starts, start the API
 * server (http/server.h) and keep its status fresh from the miner, the
 * session's events, the lab pool's counts and the energy source, once a
 * second.
 */
#ifndef MINEMETER_CLI_HTTP_OPTIONS_H
#define MINEMETER_CLI_HTTP_OPTIONS_H

#include <stdint.h>

#include "arch/energy.h"
#include "cli/args.h"
#include "http/status.h"
#include "miner/miner.h"
#include "stratum/pool_server.h"
#include "stratum/session.h"

#define CLI_HTTP_OPTION_ADDRESS                                                                    \
    {                                                                                              \
        "http", CLI_OPT_STRING, "[HOST:]PORT", 0, 0,                                               \
            "serve a read-only HTTP API (/1/summary as XMRig, /api/summary, Prometheus /metrics) " \
            "on this address; HOST defaults to 127.0.0.1, port 0 takes any free one"               \
    }
#define CLI_HTTP_OPTION_TOKEN                                                                      \
    {                                                                                              \
        "http-token", CLI_OPT_STRING, "TOKEN", 0, 0,                                               \
            "require \"Authorization: Bearer TOKEN\" on every API request (needed to listen "      \
            "beyond loopback)"                                                                     \
    }

typedef struct {
    const cli_value_t *address, *token;
} cli_http_values_t;

/* What the status says of the run from the start. */
typedef struct {
    const char *command; /* "mine", "load", "pool", "impact" */
    const pow_algo_t *algo;
    int fast;
    unsigned threads;
    const int *pus;              /* per thread, -1 unpinned */
    const stratum_pool_t *pools; /* mine, load --url: the first is shown until a login */
    size_t pool_count;
} cli_http_run_t;

typedef struct cli_http cli_http_t;

/*
 * Checks the values and, with --http, starts the server (*out stays NULL
 * without --http, and every call below but the description is then a no-op).
 * Returns CLI_CONTINUE, or CLI_EXIT_USAGE after one sentence: a bad
 * address, a non-loopback address without --http-token, a --http-token
 * without --http, or an address that cannot be bound.
 */
int cli_http_open(const char *command, const cli_http_values_t *values, const cli_http_run_t *run,
                  cli_http_t **out);

/* What is served where, for the command's start line: "read-only API on http://...". */
const char *cli_http_description(const cli_http_t *h);

/* The status the command may fill (load's schedule, say) before the next cli_http_sample. */
http_status_t *cli_http_status(cli_http_t *h);

/* Takes a session event into the pool's part of the status (pools: the session's). */
void cli_http_session_event(cli_http_t *h, const stratum_session_event_t *event,
                            const stratum_pool_t *pools);

/* The energy so far: joules < 0 when the source did not read. */
void cli_http_energy(cli_http_t *h, const arch_energy_t *energy, double joules);

/* Samples the miner's counters at now_ns (about once a second) and publishes the status. */
void cli_http_sample(cli_http_t *h, const miner_t *miner, uint64_t now_ns);

/* `pool`: its counts and logins at now_ns (about once a second), then publishes the status. */
void cli_http_pool_server(cli_http_t *h, const stratum_pool_server_t *server, uint64_t now_ns);

/* Publishes the status as the command has filled it (impact, between windows). */
void cli_http_publish(cli_http_t *h);

/* Stops the server; NULL is a no-op. */
void cli_http_close(cli_http_t *h);

#endif
