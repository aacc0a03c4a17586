/*
 * The Stratum client: one connection at a time to the first pool that
 * answers, on a libuv loop the caller runs (one thread does all network
 * work). It logs in, hands every valid job to the caller, submits shares,
 * keeps the session alive when the pool asks for it, and on any failure
 * (refused connection, a pool silent past the response timeout, malformed
 * JSON, a line over 64 KiB, a critical pool error) closes the connection
 * and reconnects after an exponential, jittered back-off. After `retries`
 * failed attempts on one pool it fails over to the next; while on a later
 * pool it probes the first now and then and returns to it once the probe
 * has logged in (a first pool that accepts connections but does not log in
 * is probed less and less often). A pool that sends no job the miner can
 * hash for job_timeout_ms is failed like one that does not answer.
 */
#ifndef MINEMETER_STRATUM_CLIENT_H
#define MINEMETER_STRATUM_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pow/algo.h"
#include "stratum/job.h"
#include "stratum/url.h"

#define STRATUM_MAX_POOLS 8

typedef struct {
    stratum_url_t url;
    const char *user;
    const char *pass;            /* NULL: "x" */
    const char *rigid;           /* NULL: none */
    const char *tls_fingerprint; /* stratum+ssl: pin this certificate (SHA-256), or NULL */
} stratum_pool_t;

typedef struct {
    void *context;
    /* A valid job to hash (bad jobs are logged and never get here). */
    void (*on_job)(void *context, const stratum_job_t *job, unsigned pool);
    /* The pool's verdict on a share; reason is NULL when accepted. */
    void (*on_share_result)(void *context, int accepted, const char *reason, double latency_ms);
    /* Logged in (connected 1) or the connection lost (0): hashing should pause. */
    void (*on_connection)(void *context, int connected, unsigned pool);
    /* One line for people: connections, errors, ignored jobs. */
    void (*log)(void *context, const char *line);
    /*
     * Optional: each line sent to (sent 1) or received from the pool, as
     * plaintext bytes with its newline, before the events it causes.
     */
    void (*on_traffic)(void *context, int sent, size_t bytes);
} stratum_client_events_t;

typedef struct {
    const stratum_pool_t *pools;
    size_t pool_count;
    const char *agent;
    const pow_algo_t *default_algo; /* for jobs without "algo" */
    const char *const *algos;       /* announced at login, preferred first */
    size_t algo_count;
    const char *tls_ca_file; /* NULL: the system CAs */
    int tls_insecure;
    unsigned connect_timeout_ms;  /* 0: 20 s */
    unsigned response_timeout_ms; /* 0: 20 s */
    unsigned keepalive_ms;        /* 0: 60 s (only when the pool offers keepalive) */
    unsigned retry_pause_ms;      /* first back-off; 0: 1 s (doubles to 60 s, with jitter) */
    unsigned retries;             /* failed attempts before the next pool; 0: 3 */
    unsigned failback_ms;         /* how often to probe the first pool; 0: 30 s */
    unsigned job_timeout_ms;      /* reconnect when no job to hash came for this long; 0: 10 min */
    stratum_client_events_t events;
} stratum_client_config_t;

typedef struct {
    uint64_t accepted, rejected, stale_dropped, connects, disconnects, jobs, bad_jobs;
    uint64_t held_back; /* shares not sent: the pool left 64 requests unanswered */
} stratum_client_stats_t;

typedef struct stratum_client stratum_client_t;

/* Creates the client on loop (config and the strings in it must outlive it). NULL on failure. */
stratum_client_t *stratum_client_create(uv_loop_t *loop, const stratum_client_config_t *config);

/* Starts connecting to the first pool. */
void stratum_client_start(stratum_client_t *client);

/*
 * Submits a share for job_id (the pool's name for it) unless that is not
 * the current job any more (then it is counted as stale and dropped).
 * result is what the target was tested on (rx/2: the commitment, with the
 * raw hash as commitment); commitment NULL otherwise. Returns 0 when sent.
 */
int stratum_client_submit(stratum_client_t *client, const char *job_id, uint32_t nonce,
                          const uint8_t result[32], const uint8_t *commitment);

void stratum_client_stats(const stratum_client_t *client, stratum_client_stats_t *out);

/* Closes everything; on_closed (may be NULL) runs from the loop once all handles are closed. */
void stratum_client_close(stratum_client_t *client, void (*on_closed)(void *arg), void *arg);

#endif
