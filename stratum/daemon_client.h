/*
 * The solo-mining client: monerod's JSON-RPC over HTTP (daemon+http://),
 * on a libuv loop the caller runs, shaped like the Stratum client.
 *
 * It asks get_info every poll interval; when the chain tip moves (or after
 * a block of ours was judged) it fetches a block template for the wallet
 * address, with random extra-nonce bytes so that miners sharing an address
 * hash different blocks, and hands the caller a job: the hashing blob,
 * the algorithm its major version calls for, the seed, and a 64-bit
 * candidate target. The caller submits candidates; the client keeps those
 * that meet the block's full 256-bit difficulty, puts the nonce into the
 * template and calls submit_block.
 *
 * A daemon that cannot be reached is retried after a growing, jittered
 * pause, and hashing pauses meanwhile (on_connection 0): a template is
 * only hashed while the daemon that made it answers. A syncing daemon
 * pauses hashing too, and is polled until it is ready. An address the
 * daemon refuses ends the client (on_address_refused): no retry helps.
 */
#ifndef MINEMETER_STRATUM_DAEMON_CLIENT_H
#define MINEMETER_STRATUM_DAEMON_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "stratum/job.h"
#include "stratum/tls.h"
#include "stratum/url.h"

typedef struct {
    int accepted;
    const char *reason;   /* the daemon's words when refused, else NULL */
    uint64_t height;      /* the block's height */
    const char *pow_hash; /* 64 hex digits: the proof-of-work hash minemeter computed */
    double latency_ms;
} stratum_block_result_t;

typedef struct {
    void *context;
    /* A new template to hash (job->id names it in submits). */
    void (*on_job)(void *context, const stratum_job_t *job);
    /* The daemon's verdict on a block we submitted. */
    void (*on_block_result)(void *context, const stratum_block_result_t *result);
    /* The daemon answers and is ready (1), or is lost or syncing (0): hashing should pause. */
    void (*on_connection)(void *context, int connected);
    /* The daemon refused the wallet address; the client has stopped asking. */
    void (*on_address_refused)(void *context, const char *address, const char *reason);
    /* One line for people: connections, errors, waits. */
    void (*log)(void *context, const char *line);
} stratum_daemon_events_t;

typedef struct {
    stratum_url_t url;           /* a daemon+http:// URL */
    const char *wallet_address;  /* mined to: a main address */
    const char *agent;           /* User-Agent */
    unsigned reserve_size;       /* random extra-nonce bytes per template, 1-255; 0: 8 */
    unsigned poll_interval_ms;   /* get_info period; 0: 1000 */
    unsigned request_timeout_ms; /* 0: 10000 */
    unsigned retry_pause_ms;     /* first back-off; 0: 1000 (doubles to 60 s, with jitter) */
    const pow_algo_t *algo;      /* hash every template with this; NULL: as its version says */
    stratum_tls_options_t tls;   /* daemon+https://: what to trust (stratum/tls.h) */
    const char *zmq_endpoint;    /* monerod's --zmq-pub (tcp://HOST:PORT): new tips at once; NULL */
    stratum_daemon_events_t events;
} stratum_daemon_config_t;

typedef struct {
    uint64_t blocks_found; /* candidates that met the difficulty and were submitted */
    uint64_t accepted, refused;
    uint64_t below_difficulty; /* candidates that did not make a block: dropped */
    uint64_t stale_dropped;    /* for a template already replaced or already won */
    uint64_t templates, bad_templates;
    uint64_t connects, disconnects;
} stratum_daemon_stats_t;

typedef struct stratum_daemon stratum_daemon_t;

/* Creates the client on loop (config's strings must outlive it). NULL on failure. */
stratum_daemon_t *stratum_daemon_create(uv_loop_t *loop, const stratum_daemon_config_t *config);

/* Starts polling the daemon. */
void stratum_daemon_start(stratum_daemon_t *daemon);

/*
 * Offers a candidate for job_id: hash is its proof-of-work hash. Returns 0
 * when it made a block and was submitted, 1 when it is below the block's
 * difficulty (dropped without a word), -1 when the job is not current (or
 * its block was already submitted) or the request could not start.
 */
int stratum_daemon_submit(stratum_daemon_t *daemon, const char *job_id, uint32_t nonce,
                          const uint8_t hash[32]);

void stratum_daemon_stats(const stratum_daemon_t *daemon, stratum_daemon_stats_t *out);

/* Closes everything; on_closed (may be NULL) runs from the loop once all handles are closed. */
void stratum_daemon_close(stratum_daemon_t *daemon, void (*on_closed)(void *arg), void *arg);

#endif
