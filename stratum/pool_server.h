/*
 * The lab pool's server side: a Stratum server on the caller's libuv loop
 * that speaks Monero's dialect the way XMRig expects (login, getjob,
 * submit, keepalived; "job" notifications with algo, seed_hash and
 * height), hands every connection its own blob (stratum/pool_template.h),
 * re-hashes every share itself (stratum/share_check.h), steers each
 * connection's difficulty (stratum/vardiff.h), and reports everything it
 * does as events, the ground truth a lab scores its detectors against.
 *
 * Replies, as pools word them: {"status":"OK"} for a good share;
 * "Unauthenticated", "Malformed JSON" (id null; the connection stays open
 * up to max_bad_lines), "Invalid job id", "Invalid nonce", "Invalid
 * result" (a result that is not 64 hex digits or not the hash),
 * "Low difficulty share", "Duplicate share", "Block expired" (a share for
 * a template replaced since: stale, not counted as invalid).
 *
 * TLS listeners serve the same over TLS (stratum/tls.h's server side);
 * the bytes a disconnect reports are those on the wire, and a job's or a
 * share's those of its plaintext line.
 *
 * Limits: max_connections at once (more are closed at accept), a line
 * longer than STRATUM_MAX_LINE or more than FLOOD_RATE lines a second
 * (with a burst of twice that) closes the connection, no login within
 * login_timeout_ms or no message within idle_timeout_ms closes it, a
 * client that stops reading (1 MiB queued) is closed, and max_invalid
 * invalid shares close it and ban its address for ban_seconds.
 */
#ifndef MINEMETER_STRATUM_POOL_SERVER_H
#define MINEMETER_STRATUM_POOL_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pow/algo.h"
#include "stratum/pool_template.h"
#include "stratum/tls.h"

#define STRATUM_POOL_MAX_LISTEN    8
#define STRATUM_POOL_FLOOD_RATE    100 /* lines a second, sustained */
#define STRATUM_POOL_JOB_HISTORY   4   /* jobs per connection a share may name */
#define STRATUM_POOL_MAX_WRITE_KIB 1024

typedef enum {
    STRATUM_POOL_EVENT_LISTEN,      /* address: bound and serving */
    STRATUM_POOL_EVENT_CONNECT,     /* connection, peer, address (the listener) */
    STRATUM_POOL_EVENT_REFUSED,     /* peer, reason: full or banned; closed at once */
    STRATUM_POOL_EVENT_LOGIN,       /* connection, login, agent, rigid (may be NULL) */
    STRATUM_POOL_EVENT_LOGIN_ERROR, /* connection, reason */
    STRATUM_POOL_EVENT_JOB,         /* connection, job_id, height, difficulty, bytes sent */
    STRATUM_POOL_EVENT_SHARE,       /* connection, job_id, nonce, difficulty, accepted, reason,
                                       hash_difficulty (when hashed), bytes received */
    STRATUM_POOL_EVENT_BAD_LINE,    /* connection, reason, bytes received */
    STRATUM_POOL_EVENT_DISCONNECT,  /* connection, reason, bytes in and out */
    STRATUM_POOL_EVENT_TEMPLATE,    /* height, seed_changed */
    STRATUM_POOL_EVENT_BLOCK,       /* the caller's (a daemon's verdict): connection, login,
                                       height, accepted, reason, hash, latency_ms */
} stratum_pool_event_kind_t;

typedef struct {
    stratum_pool_event_kind_t kind;
    uint64_t connection; /* 1, 2, ... in accept order; 0 when none */
    const char *peer;    /* "IP:PORT" */
    const char *address; /* the listener, "IP:PORT" */
    const char *login, *agent, *rigid;
    const char *job_id;
    const char *blob;  /* a job's, in hex */
    const char *hash;  /* a block's proof-of-work hash, in hex */
    double latency_ms; /* a block's submit to its verdict */
    const char *nonce; /* as sent, made printable by the caller */
    uint64_t height, difficulty, hash_difficulty;
    int accepted, seed_changed, tls;
    const char *reason;
    uint64_t bytes, bytes_in, bytes_out;
} stratum_pool_event_t;

typedef struct {
    const char *const *listen; /* "IP:PORT" or "[IPv6]:PORT"; port 0 picks one */
    size_t listen_count;
    const char *const *listen_tls; /* the same, serving TLS with tls */
    size_t listen_tls_count;
    const stratum_tls_context_t *tls; /* stratum_tls_server_context_create; outlives the server */
    const pow_algo_t *algo;
    uint64_t difficulty;     /* fixed, or the start of vardiff */
    double share_seconds;    /* vardiff's aim; 0: the difficulty stays fixed */
    uint64_t min_difficulty; /* vardiff's floor (at least 1) */
    unsigned max_connections, login_timeout_ms, idle_timeout_ms;
    unsigned max_invalid, ban_seconds, max_bad_lines;
    void *context;
    void (*event)(void *context, const stratum_pool_event_t *event);
    /*
     * Optional, for a daemon's templates: each accepted share, with the
     * hash the pool computed, the connection and its login, to be offered
     * to the daemon as a block.
     */
    void (*candidate)(void *context, const stratum_pool_template_t *tpl, uint32_t nonce,
                      const uint8_t hash[32], uint64_t connection, const char *login);
} stratum_pool_server_config_t;

#define STRATUM_POOL_MINER_REASONS 8

/* One login's counts, kept after its connections end. */
typedef struct {
    const char *login;
    unsigned connections;
    uint64_t accepted, rejected, stale;
    uint64_t accepted_difficulty; /* sum over accepted shares: hashes the miner did, expected */
    /* Rejections by reply, the first STRATUM_POOL_MINER_REASONS kinds (the rest: "other"). */
    struct {
        const char *reason; /* the reply's words; NULL: unused */
        uint64_t count;
    } reasons[STRATUM_POOL_MINER_REASONS];
    uint64_t other_reasons;
} stratum_pool_miner_t;

typedef struct {
    uint64_t connections, refused, logins, jobs_sent;
    uint64_t accepted, rejected, stale, bad_lines, bans;
    uint64_t accepted_difficulty;
    unsigned connected;    /* now */
    double verify_seconds; /* spent re-hashing shares, on the loop's thread */
    uint64_t verified;     /* shares re-hashed */
} stratum_pool_server_stats_t;

typedef struct stratum_pool_server stratum_pool_server_t;

/* Checks config and copies what it needs. Returns 0, or -1 with one sentence in why. */
int stratum_pool_server_create(stratum_pool_server_t **out, uv_loop_t *loop,
                               const stratum_pool_server_config_t *config, char *why,
                               size_t why_len);

/*
 * Binds every listener and starts serving tpl (copied). Returns 0, or -1
 * with one sentence in why (an address in use, not local ...).
 */
int stratum_pool_server_start(stratum_pool_server_t *server, const stratum_pool_template_t *tpl,
                              char *why, size_t why_len);

/*
 * The bound address of listener i ("127.0.0.1:3333"), after the start: the
 * plain ones in order, then the TLS ones; tls (may be NULL) says which.
 */
const char *stratum_pool_server_address(const stratum_pool_server_t *server, size_t i, int *tls);

/* A new template: every logged-in connection gets a job for it at once. */
void stratum_pool_server_set_template(stratum_pool_server_t *server,
                                      const stratum_pool_template_t *tpl);

/* Closes every listener and connection (none if never started); the loop ends once their closes
 * ran. */
void stratum_pool_server_stop(stratum_pool_server_t *server);

void stratum_pool_server_stats(const stratum_pool_server_t *server,
                               stratum_pool_server_stats_t *out);

/* The logins seen, in first-seen order: how many, and each (valid until destroy). */
size_t stratum_pool_server_miner_count(const stratum_pool_server_t *server);
const stratum_pool_miner_t *stratum_pool_server_miner(const stratum_pool_server_t *server,
                                                      size_t i);

/* After the stop and the loop's end. NULL is a no-op. */
void stratum_pool_server_destroy(stratum_pool_server_t *server);

#endif
