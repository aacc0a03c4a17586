/*
 * Where `mine` gets its jobs and sends what it finds: a Stratum pool or a
 * monerod daemon, behind one small table of functions so that the mining
 * session does not care which one it has.
 */
#ifndef MINEMETER_STRATUM_SOURCE_H
#define MINEMETER_STRATUM_SOURCE_H

#include <stdint.h>

#include "miner/miner.h"
#include "stratum/client.h"
#include "stratum/daemon_client.h"

typedef struct {
    uint64_t accepted, rejected, stale_dropped; /* shares, or blocks when solo */
    uint64_t jobs, bad_jobs;                    /* jobs, or block templates */
    uint64_t held_back;                         /* shares not sent: the pool did not reply */
    uint64_t connects, disconnects;
    uint64_t blocks_found;     /* solo: candidates that made a block */
    uint64_t below_difficulty; /* solo: candidates that did not */
} stratum_source_stats_t;

typedef struct {
    int solo;                /* a daemon: results are blocks */
    const char *waiting_for; /* "a pool", "monerod": who must answer before hashing resumes */
    void *client;
    void (*start)(void *client);
    /* Sends a result for job_id (the source's name for the job); 0 when sent. */
    int (*submit)(void *client, const char *job_id, const miner_result_t *result);
    void (*stats)(const void *client, stratum_source_stats_t *out);
    void (*close)(void *client, void (*on_closed)(void *arg), void *arg);
} stratum_source_t;

stratum_source_t stratum_source_pool(stratum_client_t *client);
stratum_source_t stratum_source_daemon(stratum_daemon_t *daemon);

#endif
