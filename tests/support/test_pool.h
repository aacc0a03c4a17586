/*
 * A Stratum pool for tests, run in-process on its own thread: it listens
 * on 127.0.0.1 (a port the OS picks), speaks the Monero-style protocol
 * XMRig speaks (login, job, submit, keepalived) over TCP or TLS, verifies every
 * share with our own hashing core, counts what it saw, and misbehaves on
 * demand. Tests run real clients (a tiny one in the test, or the minemeter
 * binary as a subprocess) against it; nothing here blocks the test thread
 * except test_pool_wait, and that only for as long as asked.
 *
 * Replies, as a real pool words them:
 *   accepted share            {"status":"OK"}
 *   hash does not match       "Invalid hash"
 *   hash above the target     "Low difficulty share"
 *   job replaced since        "Block expired" (counted stale; not a critical
 *                             error, so a client keeps its connection)
 *   job id never sent         "Invalid job id" (a critical error)
 *   nonce already accepted    "Duplicate share"
 *   no login / wrong session  "Unauthenticated" (critical)
 *   bad fields                "Malformed share: ..."
 *   keepalived                {"status":"KEEPALIVED"}
 * Jobs: 76-byte Monero-like blobs (random), nonce at 39, job ids "1", "2",
 * ... in order, a height that grows by one per job, the configured "algo",
 * the target as 8 hex digits (0xFFFFFFFF / difficulty, little-endian) and,
 * for RandomX, a seed_hash that stays the same until TEST_POOL_NEW_SEED.
 * With advertise_nicehash every client gets its own blob byte 42 and must
 * keep it in its nonces.
 */
#ifndef MINEMETER_TESTS_TEST_POOL_H
#define MINEMETER_TESTS_TEST_POOL_H

#include <stdint.h>

typedef struct test_pool test_pool_t;

typedef struct {
    const char *algo;    /* "rx/0", "cn/r", ... sent in every job's "algo" */
    uint64_t difficulty; /* share difficulty, 1 .. 0xFFFFFFFF: keep it small in tests */
    int advertise_keepalive, advertise_algo, advertise_nicehash; /* login "extensions" */
    const char *tls_cert_file, *tls_key_file; /* both set: serve TLS instead of plain TCP */
    uint16_t port; /* 0: one the OS picks; else this one (to bring a stopped pool back) */
} test_pool_config_t;

/* Starts the pool thread; NULL (and a line on stderr) when it cannot. */
test_pool_t *test_pool_start(const test_pool_config_t *config);

/* The TCP port on 127.0.0.1. */
int test_pool_port(const test_pool_t *pool);

/* Stops the thread, drops every connection, frees everything. NULL is a no-op. */
void test_pool_stop(test_pool_t *pool);

/*
 * Misbehaviour on demand. Each injection is used up by one occasion:
 *   MALFORMED_JSON     a line that is not JSON goes out before the next message (reply or job)
 *   OVERSIZED_LINE     a valid JSON line of STRATUM_MAX_LINE + 1 bytes goes out before the
 *                      next message
 *   DISCONNECT         instead of the next message, its connection is closed
 *   DELAY_NEXT_REPLY   the next reply to a request leaves delay_ms late (later messages to
 *                      that client queue behind it)
 *   JOB_UNKNOWN_ALGO   the next job sent (login result or test_pool_send_job) says
 *                      "algo":"rx/unknown"; the job before it stays current, so shares for
 *                      it are still accepted
 *   NEW_SEED           the next test_pool_send_job job, and every later one, has a new seed
 *   LOGIN_ERROR        the next login gets error -1 "Invalid payment address provided"
 *   REJECT_NEXT_SHARE  the next submit, even a good one, gets "Low difficulty share"
 *   UNAUTHENTICATED_NEXT_SHARE  the next submit gets "Unauthenticated"
 *   JOB_UNANNOUNCED_ALGO  like JOB_UNKNOWN_ALGO, with "cn-pico": an algorithm minemeter
 *                      has but did not announce at login
 *   REJECT_WITH_ESCAPES  the next submit is refused with terminal escape sequences and a
 *                      forged log line in its message
 *   IGNORE_SUBMITS     the next submit, and every later one on its connection, gets no
 *                      reply at all (counted in submits_ignored)
 *   FLOOD_NOTIFICATIONS  200 notifications of an unknown method ("flood") go out before
 *                      the next message
 * Rejected shares count in shares_rejected_invalid.
 */
typedef enum {
    TEST_POOL_SEND_MALFORMED_JSON,
    TEST_POOL_SEND_OVERSIZED_LINE,
    TEST_POOL_DISCONNECT,
    TEST_POOL_DELAY_NEXT_REPLY,
    TEST_POOL_JOB_UNKNOWN_ALGO,
    TEST_POOL_NEW_SEED,
    TEST_POOL_LOGIN_ERROR,
    TEST_POOL_REJECT_NEXT_SHARE,
    TEST_POOL_UNAUTHENTICATED_NEXT_SHARE,
    TEST_POOL_REJECT_WITH_ESCAPES,
    TEST_POOL_JOB_UNANNOUNCED_ALGO,
    TEST_POOL_IGNORE_SUBMITS,
    TEST_POOL_FLOOD_NOTIFICATIONS,
    TEST_POOL_FAULT_COUNT,
} test_pool_fault_t;

void test_pool_inject(test_pool_t *pool, test_pool_fault_t fault, unsigned delay_ms);

/* Takes back every injection of fault not used up yet. */
void test_pool_withdraw(test_pool_t *pool, test_pool_fault_t fault);

/* Sends a fresh job (new blob, next height, same seed) to every logged-in client. */
void test_pool_send_job(test_pool_t *pool);

typedef struct {
    unsigned connections; /* accepted since start */
    unsigned clients;     /* connected now */
    unsigned logins, login_errors;
    unsigned shares_accepted, shares_rejected_invalid, shares_stale;
    unsigned shares_wrong; /* rejected on their merits (not by a fault): wrong hash, nonce, id */
    unsigned keepalives;
    unsigned submits_ignored; /* TEST_POOL_IGNORE_SUBMITS */
    unsigned bad_lines; /* lines from clients that were not a request (the connection is closed) */
    unsigned jobs_sent; /* job notifications, not counting login results */
    char last_agent[128];
    char last_accepted_nonce[9]; /* the last accepted share's nonce, as it came on the wire */
} test_pool_stats_t;

/* A copy of the counters, safe from any thread. */
void test_pool_stats(test_pool_t *pool, test_pool_stats_t *out);

/*
 * Waits until done(stats, arg) is true, checking on every change. Returns 0
 * then, or -1 after timeout_ms.
 */
int test_pool_wait(test_pool_t *pool, int (*done)(const test_pool_stats_t *, void *), void *arg,
                   unsigned timeout_ms);

#endif
