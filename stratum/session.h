/*
 * A mining session: a source of jobs (Stratum pools with failover, or one
 * monerod) feeding a miner, and the miner's results going back as shares
 * or blocks, on the caller's libuv loop. It hands each job to the workers
 * through the job feeder (a RandomX seed change never stalls the loop),
 * resumes a job sent again past the nonces already tried, never sends a
 * result for a replaced job, pauses the workers while the source is lost
 * or a job cannot be hashed, and measures how long each job switch takes.
 * `mine` is a thin command around it (`load --url` is to be one, #17), and
 * tests/stratum/test_session.c drives it in-process.
 *
 * It speaks through lines for people (log) and says when its source ended
 * the run for good (fatal, e.g. monerod refusing the wallet address).
 */
#ifndef MINEMETER_STRATUM_SESSION_H
#define MINEMETER_STRATUM_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "miner/miner.h"
#include "stratum/client.h"
#include "stratum/source.h"

#define STRATUM_SESSION_SWITCH_SAMPLES 256

/* What happened on the wire, for a ground-truth log (load --url). */
typedef enum {
    STRATUM_SESSION_CONNECTED,    /* pool: logged in to pools[pool] */
    STRATUM_SESSION_DISCONNECTED, /* the source was lost */
    STRATUM_SESSION_JOB,          /* job_id, algo, height, difficulty, bytes received */
    STRATUM_SESSION_SHARE_SENT,   /* job_id, nonce, bytes sent */
    STRATUM_SESSION_SHARE_RESULT, /* accepted, reason (refused), latency_ms, bytes received */
} stratum_session_event_kind_t;

typedef struct {
    stratum_session_event_kind_t kind;
    unsigned pool;      /* index into the config's pools */
    const char *job_id; /* the source's name for the job */
    const char *algo;
    uint64_t height, difficulty;
    char nonce[9]; /* as the submit carries it */
    int accepted;
    const char *reason; /* the pool's words; NULL when accepted */
    double latency_ms;
    size_t bytes; /* of the line that carried it (Stratum only; 0 for monerod) */
} stratum_session_event_t;

typedef struct {
    /* Pools, in failover order, or one daemon+http:// URL (solo). */
    const stratum_pool_t *pools;
    size_t pool_count;
    const pow_algo_t *algo; /* until a job names one; announced with the usual ones */
    int algo_given;         /* --algo was given: a daemon's templates are hashed with it */
    const char *agent;
    /* Stratum: see stratum_client_config_t. */
    const char *tls_ca_file;
    int tls_insecure;
    unsigned response_timeout_ms, keepalive_ms, retry_pause_ms, retries, failback_ms;
    unsigned job_timeout_ms;
    unsigned daemon_poll_ms;  /* solo: how often the chain tip is checked */
    const char *zmq_endpoint; /* solo: monerod's --zmq-pub, for new tips at once; NULL */
    /* The workers (on_result and its context are the session's own). */
    miner_config_t miner;
    int fast;    /* RandomX fast mode: for the advice when a dataset does not fit */
    int verbose; /* also a line for every share sent and every one held back */
    void *context;
    void (*log)(void *context, const char *line);
    /* The source ended the run (exit_code and a reason); the caller stops the session. */
    void (*fatal)(void *context, int exit_code, const char *why);
    /* Optional: each connection, job and share as it happens. */
    void (*event)(void *context, const stratum_session_event_t *event);
} stratum_session_config_t;

typedef struct {
    stratum_source_stats_t source; /* the source's counters (at the stop, once stopped) */
    uint64_t stale_local;          /* results for a job already replaced: never sent */
    uint64_t jobs_published;       /* jobs handed to the workers (RandomX state built) */
    unsigned switch_count;         /* job switches measured ... */
    double switch_median_ms;       /* ... arrival to every worker hashing */
} stratum_session_stats_t;

typedef struct stratum_session stratum_session_t;

/*
 * Creates the miner, the feeder and the source on loop (config and its
 * strings must outlive the session). 0, or a negative errno with a reason
 * in why (nothing is left running).
 */
int stratum_session_create(stratum_session_t **out, uv_loop_t *loop,
                           const stratum_session_config_t *config, char *why, size_t why_len);

/* Connects to the source; jobs flow from then on. */
void stratum_session_start(stratum_session_t *session);

/* Pauses the workers and closes the source and the session's handles (the loop then ends). */
void stratum_session_stop(stratum_session_t *session);

/* Whether the source is monerod (results are blocks), and who must answer ("a pool"). */
int stratum_session_solo(const stratum_session_t *session);

miner_t *stratum_session_miner(stratum_session_t *session);

void stratum_session_stats(const stratum_session_t *session, stratum_session_stats_t *out);

/* Stops the workers and frees everything, after the loop has run out. NULL is a no-op. */
void stratum_session_destroy(stratum_session_t *session);

#endif
