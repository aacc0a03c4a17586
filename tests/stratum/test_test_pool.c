/*
 * tests/support/test_pool.c: the pool the Stratum client is tested
 * against, checked with a tiny blocking client written here: login and
 * jobs as the protocol says, shares found by brute force with our hashing
 * core accepted, wrong or stale ones refused with the right words, every
 * fault visible on the wire, several clients at once, and TLS.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pow/algo.h"
#include "pow/rx/randomx.h"
#include "stratum/job.h"
#include "stratum/line.h"
#include "stratum/message.h"
#include "tests/support/test_pool.h"

#define READ_TIMEOUT_MS 15000

/* --- a tiny blocking client -------------------------------------------------- */

typedef struct {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    stratum_line_buffer_t in;
    char *lines[16];
    size_t count;
    int overflowed, closed;
    int64_t next_id;
} mini_client_t;

static int keep_line(const char *line, size_t len, void *context)
{
    mini_client_t *c = context;
    cr_assert_lt(c->count, 16, "the test reads too slowly");
    c->lines[c->count] = malloc(len + 1);
    memcpy(c->lines[c->count], line, len + 1);
    c->count++;
    return 0;
}

static void mini_connect(mini_client_t *c, const test_pool_t *pool, int tls)
{
    memset(c, 0, sizeof(*c));
    stratum_line_init(&c->in);
    c->next_id = 1;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(c->fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)test_pool_port(pool))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "%s", strerror(errno));
    if (tls) {
        signal(SIGPIPE, SIG_IGN);
        c->ctx = SSL_CTX_new(TLS_client_method());
        c->ssl = SSL_new(c->ctx);
        SSL_set_fd(c->ssl, c->fd);
        cr_assert_eq(SSL_connect(c->ssl), 1, "TLS handshake with the pool failed");
    }
}

static void mini_close(mini_client_t *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->lines[i]);
    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);
    close(c->fd);
    stratum_line_free(&c->in);
}

static void mini_send(mini_client_t *c, char *line)
{
    cr_assert_not_null(line);
    size_t len = strlen(line);
    ssize_t n =
        c->ssl != NULL ? SSL_write(c->ssl, line, (int)len) : send(c->fd, line, len, MSG_NOSIGNAL);
    cr_assert_eq(n, (ssize_t)len, "short write to the pool");
    free(line);
}

/* The next line (malloc'ed), or NULL on end of stream, an overlong line or timeout. */
static char *mini_read_line(mini_client_t *c, int timeout_ms)
{
    while (c->count == 0 && !c->overflowed && !c->closed) {
        if (c->ssl == NULL || SSL_pending(c->ssl) == 0) {
            struct pollfd p = {.fd = c->fd, .events = POLLIN};
            if (poll(&p, 1, timeout_ms) <= 0)
                return NULL;
        }
        char buf[8192];
        ssize_t n =
            c->ssl != NULL ? SSL_read(c->ssl, buf, sizeof(buf)) : recv(c->fd, buf, sizeof(buf), 0);
        if (n <= 0) {
            c->closed = 1;
            break;
        }
        if (stratum_line_feed(&c->in, buf, (size_t)n, keep_line, c) == -E2BIG)
            c->overflowed = 1;
    }
    if (c->count == 0)
        return NULL;
    char *line = c->lines[0];
    memmove(c->lines, c->lines + 1, (c->count - 1) * sizeof(c->lines[0]));
    c->count--;
    return line;
}

static stratum_message_t mini_read_message(mini_client_t *c)
{
    char *line = mini_read_line(c, READ_TIMEOUT_MS);
    cr_assert_not_null(line, "no line from the pool");
    stratum_message_t m;
    char why[160];
    cr_assert_eq(stratum_message_parse(line, strlen(line), &m, why, sizeof(why)), 0, "%s: %s", why,
                 line);
    free(line);
    return m;
}

typedef struct {
    char session[64];
    stratum_job_t job;
    json_t *extensions;
} login_t;

static stratum_message_t mini_login_reply(mini_client_t *c, const char *agent)
{
    const char *algos[] = {"rx/0", "cn/r"};
    stratum_login_t request = {.login = "4wallet", .agent = agent, .algos = algos, .algo_count = 2};
    mini_send(c, stratum_request_login(c->next_id++, &request));
    stratum_message_t m = mini_read_message(c);
    cr_assert_eq(m.kind, STRATUM_MESSAGE_RESPONSE);
    return m;
}

static login_t mini_login(mini_client_t *c)
{
    stratum_message_t m = mini_login_reply(c, "minemeter-test/1");
    cr_assert_not_null(m.result, "login refused: %s", m.error_message);
    login_t login;
    memset(&login, 0, sizeof(login));
    snprintf(login.session, sizeof(login.session), "%s",
             json_string_value(json_object_get(m.result, "id")));
    cr_assert_str_eq(json_string_value(json_object_get(m.result, "status")), "OK");
    char why[160];
    cr_assert_eq(
        stratum_job_parse(json_object_get(m.result, "job"), NULL, &login.job, why, sizeof(why)), 0,
        "%s", why);
    login.extensions = json_incref(json_object_get(m.result, "extensions"));
    stratum_message_free(&m);
    return login;
}

static stratum_job_t mini_read_job(mini_client_t *c)
{
    stratum_message_t m = mini_read_message(c);
    cr_assert_eq(m.kind, STRATUM_MESSAGE_NOTIFICATION);
    cr_assert_str_eq(m.method, "job");
    stratum_job_t job;
    char why[160];
    cr_assert_eq(stratum_job_parse(m.params, NULL, &job, why, sizeof(why)), 0, "%s", why);
    stratum_message_free(&m);
    return job;
}

/* --- shares ---------------------------------------------------------------- */

typedef struct {
    uint32_t nonce;
    uint8_t result[32];     /* what the target is tested on */
    uint8_t commitment[32]; /* rx/2: the raw hash */
    int meets;
} share_t;

static pow_hasher_t *hasher_for(const stratum_job_t *job)
{
    pow_hasher_t *h = NULL;
    cr_assert_eq(pow_hasher_create(&h, job->algo, pow_algo_isa_best(job->algo),
                                   job->seed_len ? job->seed : NULL, job->seed_len),
                 0);
    return h;
}

static share_t hash_nonce(pow_hasher_t *h, const stratum_job_t *job, uint32_t nonce)
{
    share_t s = {.nonce = nonce};
    uint8_t blob[MINER_MAX_BLOB], hash[32];
    memcpy(blob, job->blob, job->blob_len);
    for (int i = 0; i < 4; i++)
        blob[job->nonce_offset + (size_t)i] = (uint8_t)(nonce >> (8 * i));
    cr_assert_eq(pow_hasher_hash(h, blob, job->blob_len, job->height, hash), 0);
    const struct pow_rx_variant *rx = pow_algo_rx(job->algo);
    if (rx != NULL && rx->v2) {
        memcpy(s.commitment, hash, 32);
        pow_rx_commitment(blob, job->blob_len, hash, s.result);
    } else {
        memcpy(s.result, hash, 32);
    }
    s.meets = miner_meets_target(s.result, job->target);
    return s;
}

/* The first nonce from start whose hash meets the target (or, with meets = 0, misses it). */
static share_t find_share(pow_hasher_t *h, const stratum_job_t *job, uint32_t start, int meets)
{
    for (uint32_t nonce = start; nonce < start + 2000; nonce++) {
        share_t s = hash_nonce(h, job, nonce);
        if (s.meets == meets)
            return s;
    }
    cr_assert_fail("no nonce %s the target in 2000 tries", meets ? "meets" : "misses");
    return (share_t){0};
}

/* Submits and returns the pool's error message, or NULL when accepted. */
static char *mini_submit(mini_client_t *c, const char *session, const char *job_id,
                         const share_t *s, const char *algo, int with_commitment)
{
    stratum_submit_t submit = {.session_id = session,
                               .job_id = job_id,
                               .nonce = s->nonce,
                               .result = s->result,
                               .algo = algo,
                               .commitment = with_commitment ? s->commitment : NULL};
    int64_t id = c->next_id++;
    mini_send(c, stratum_request_submit(id, &submit));
    stratum_message_t m = mini_read_message(c);
    cr_assert_eq(m.kind, STRATUM_MESSAGE_RESPONSE);
    cr_assert_eq(m.id, id);
    char *error = NULL;
    if (m.error_message != NULL)
        error = strdup(m.error_message);
    else
        cr_assert_str_eq(json_string_value(json_object_get(m.result, "status")), "OK");
    stratum_message_free(&m);
    return error;
}

static void expect_error(char *error, const char *expected)
{
    cr_expect_not_null(error, "accepted a share that should get \"%s\"", expected);
    if (error != NULL)
        cr_expect_str_eq(error, expected);
    free(error);
}

static test_pool_t *start_pool(const char *algo, uint64_t difficulty)
{
    test_pool_config_t config = {.algo = algo, .difficulty = difficulty, .advertise_algo = 1};
    test_pool_t *pool = test_pool_start(&config);
    cr_assert_not_null(pool);
    return pool;
}

static test_pool_stats_t stats_of(test_pool_t *pool)
{
    test_pool_stats_t s;
    test_pool_stats(pool, &s);
    return s;
}

static int no_clients(const test_pool_stats_t *s, void *arg)
{
    (void)arg;
    return s->clients == 0;
}

static int never(const test_pool_stats_t *s, void *arg)
{
    (void)s;
    (void)arg;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* --- login and jobs ------------------------------------------------------ */

Test(stratum_pool, logs_in_and_sends_a_job_with_the_configured_fields)
{
    test_pool_config_t config = {.algo = "cn/r",
                                 .difficulty = 1000,
                                 .advertise_algo = 1,
                                 .advertise_keepalive = 1,
                                 .advertise_nicehash = 0};
    test_pool_t *pool = test_pool_start(&config);
    cr_assert_not_null(pool);
    cr_assert_gt(test_pool_port(pool), 0);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    cr_expect_gt(strlen(login.session), 0);
    cr_expect_eq(login.job.algo, pow_algo_find("cn/r"));
    cr_expect_eq(login.job.blob_len, 76);
    cr_expect_eq(login.job.nonce_offset, 39);
    cr_expect_eq(login.job.difficulty, 1000);
    cr_expect_gt(login.job.height, 0);
    cr_expect_eq(login.job.seed_len, 0, "no seed_hash for CryptoNight");
    cr_assert_eq(json_array_size(login.extensions), 2);
    cr_expect_str_eq(json_string_value(json_array_get(login.extensions, 0)), "algo");
    cr_expect_str_eq(json_string_value(json_array_get(login.extensions, 1)), "keepalive");
    test_pool_stats_t s = stats_of(pool);
    cr_expect_eq(s.connections, 1);
    cr_expect_eq(s.logins, 1);
    cr_expect_str_eq(s.last_agent, "minemeter-test/1");

    test_pool_send_job(pool);
    stratum_job_t next = mini_read_job(&c);
    cr_expect_str_neq(next.id, login.job.id);
    cr_expect_eq(next.height, login.job.height + 1);
    cr_expect_neq(memcmp(next.blob, login.job.blob, 76), 0, "a new job has a new blob");
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, randomx_jobs_carry_a_seed_that_changes_only_on_demand)
{
    test_pool_t *pool = start_pool("rx/0", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    cr_expect_eq(login.job.seed_len, 32);
    test_pool_send_job(pool);
    stratum_job_t same = mini_read_job(&c);
    cr_expect_arr_eq(same.seed, login.job.seed, 32);
    test_pool_inject(pool, TEST_POOL_NEW_SEED, 0);
    test_pool_send_job(pool);
    stratum_job_t fresh = mini_read_job(&c);
    cr_expect_arr_neq(fresh.seed, login.job.seed, 32);
    test_pool_send_job(pool);
    stratum_job_t after = mini_read_job(&c);
    cr_expect_arr_eq(after.seed, fresh.seed, 32, "the new seed stays");
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, serves_several_clients_at_once)
{
    test_pool_config_t config = {.algo = "cn/r", .difficulty = 100, .advertise_nicehash = 1};
    test_pool_t *pool = test_pool_start(&config);
    cr_assert_not_null(pool);
    mini_client_t a, b;
    mini_connect(&a, pool, 0);
    mini_connect(&b, pool, 0);
    login_t la = mini_login(&a);
    login_t lb = mini_login(&b);
    cr_expect_str_neq(la.session, lb.session);
    cr_expect_str_eq(la.job.id, lb.job.id);
    cr_expect_neq(la.job.blob[42], lb.job.blob[42], "NiceHash: each miner its own byte 42");
    test_pool_send_job(pool);
    stratum_job_t ja = mini_read_job(&a), jb = mini_read_job(&b);
    cr_expect_str_eq(ja.id, jb.id);
    cr_expect_eq(ja.blob[42], la.job.blob[42], "the byte stays the miner's in new jobs");
    cr_expect_eq(stats_of(pool).connections, 2);
    cr_expect_eq(stats_of(pool).logins, 2);
    cr_expect_eq(stats_of(pool).jobs_sent, 2);
    /* Outside its NiceHash range: refused before any hashing. */
    share_t s = {.nonce = (uint32_t)(ja.blob[42] ^ 1) << 24};
    expect_error(mini_submit(&a, la.session, ja.id, &s, NULL, 0),
                 "Invalid nonce: outside this miner's NiceHash range");
    json_decref(la.extensions);
    json_decref(lb.extensions);
    mini_close(&a);
    mini_close(&b);
    cr_expect_eq(test_pool_wait(pool, no_clients, NULL, 5000), 0);
    test_pool_stop(pool);
}

Test(stratum_pool, answers_keepalived)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    mini_send(&c, stratum_request_keepalived(7, login.session));
    stratum_message_t m = mini_read_message(&c);
    cr_expect_eq(m.id, 7);
    cr_expect_str_eq(json_string_value(json_object_get(m.result, "status")), "KEEPALIVED");
    stratum_message_free(&m);
    cr_expect_eq(stats_of(pool).keepalives, 1);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

/* --- shares ---------------------------------------------------------------- */

Test(stratum_pool, verifies_cn_r_shares_by_recomputing_them)
{
    test_pool_t *pool = start_pool("cn/r", 4);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    pow_hasher_t *h = hasher_for(&login.job);
    share_t good = find_share(h, &login.job, 0, 1);
    share_t low = find_share(h, &login.job, 0, 0);
    cr_expect_null(mini_submit(&c, login.session, login.job.id, &good, "cn/r", 0));
    expect_error(mini_submit(&c, login.session, login.job.id, &good, "cn/r", 0), "Duplicate share");
    expect_error(mini_submit(&c, login.session, login.job.id, &low, "cn/r", 0),
                 "Low difficulty share");
    share_t wrong = find_share(h, &login.job, good.nonce + 1, 1);
    wrong.result[0] ^= 1;
    expect_error(mini_submit(&c, login.session, login.job.id, &wrong, NULL, 0), "Invalid hash");
    test_pool_stats_t s = stats_of(pool);
    cr_expect_eq(s.shares_accepted, 1);
    cr_expect_eq(s.shares_rejected_invalid, 3);
    cr_expect_eq(s.shares_stale, 0);
    pow_hasher_destroy(h);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, counts_a_share_for_a_replaced_job_as_stale)
{
    test_pool_t *pool = start_pool("cn/r", 1);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    pow_hasher_t *h = hasher_for(&login.job);
    share_t old = find_share(h, &login.job, 0, 1);
    test_pool_send_job(pool);
    stratum_job_t next = mini_read_job(&c);
    expect_error(mini_submit(&c, login.session, login.job.id, &old, NULL, 0), "Block expired");
    cr_expect_eq(stats_of(pool).shares_stale, 1);
    cr_expect_eq(stats_of(pool).shares_accepted, 0);
    share_t current = find_share(h, &next, 0, 1);
    cr_expect_null(mini_submit(&c, login.session, next.id, &current, NULL, 0));
    cr_expect_eq(stats_of(pool).shares_accepted, 1);
    pow_hasher_destroy(h);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, refuses_unknown_job_ids_sessions_and_malformed_shares)
{
    test_pool_t *pool = start_pool("cn/r", 1);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    share_t s = {.nonce = 1};
    expect_error(mini_submit(&c, "none", "1", &s, NULL, 0), "Unauthenticated");
    login_t login = mini_login(&c);
    expect_error(mini_submit(&c, "other", login.job.id, &s, NULL, 0), "Unauthenticated");
    expect_error(mini_submit(&c, login.session, "999", &s, NULL, 0), "Invalid job id");
    expect_error(mini_submit(&c, login.session, "abc", &s, NULL, 0), "Invalid job id");
    expect_error(mini_submit(&c, login.session, login.job.id, &s, "rx/0", 0),
                 "Malformed share: not this job's algorithm");
    mini_send(&c, strdup("{\"id\":50,\"method\":\"submit\",\"params\":{\"id\":\"x\"}}\n"));
    stratum_message_t m = mini_read_message(&c);
    cr_expect_str_eq(m.error_message, "Unauthenticated");
    stratum_message_free(&m);
    char line[512];
    snprintf(line, sizeof(line),
             "{\"id\":51,\"method\":\"submit\",\"params\":{\"id\":\"%s\",\"job_id\":\"%s\","
             "\"nonce\":\"123\",\"result\":\"00\"}}\n",
             login.session, login.job.id);
    mini_send(&c, strdup(line));
    m = mini_read_message(&c);
    cr_expect_str_eq(m.error_message, "Malformed share: nonce must be 8 hex digits");
    stratum_message_free(&m);
    cr_expect_eq(stats_of(pool).shares_rejected_invalid, 7);
    cr_expect_eq(stats_of(pool).shares_accepted, 0);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, closes_a_connection_that_sends_garbage)
{
    test_pool_t *pool = start_pool("cn/r", 1);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    mini_send(&c, strdup("this is not json\n"));
    cr_expect_null(mini_read_line(&c, READ_TIMEOUT_MS));
    cr_expect(c.closed);
    cr_expect_eq(test_pool_wait(pool, no_clients, NULL, 5000), 0);
    cr_expect_eq(stats_of(pool).bad_lines, 1);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, verifies_rx0_shares_with_the_jobs_seed, .timeout = 60)
{
    test_pool_t *pool = start_pool("rx/0", 2);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    pow_hasher_t *h = hasher_for(&login.job);
    share_t good = find_share(h, &login.job, 0, 1);
    cr_expect_null(mini_submit(&c, login.session, login.job.id, &good, "rx/0", 0));
    share_t wrong = find_share(h, &login.job, good.nonce + 1, 1);
    wrong.result[31] ^= 0x80;
    expect_error(mini_submit(&c, login.session, login.job.id, &wrong, "rx/0", 0), "Invalid hash");
    cr_expect_eq(stats_of(pool).shares_accepted, 1);
    pow_hasher_destroy(h);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, verifies_rx2_shares_on_the_commitment, .timeout = 60)
{
    test_pool_t *pool = start_pool("rx/2", 2);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    cr_assert_eq(login.job.algo, pow_algo_find("rx/2"));
    pow_hasher_t *h = hasher_for(&login.job);
    share_t good = find_share(h, &login.job, 0, 1);
    expect_error(mini_submit(&c, login.session, login.job.id, &good, "rx/2", 0),
                 "Malformed share: rx/2 needs a commitment");
    share_t swapped = good;
    memcpy(swapped.result, good.commitment, 32);
    memcpy(swapped.commitment, good.result, 32);
    expect_error(mini_submit(&c, login.session, login.job.id, &swapped, "rx/2", 1), "Invalid hash");
    cr_expect_null(mini_submit(&c, login.session, login.job.id, &good, "rx/2", 1));
    cr_expect_eq(stats_of(pool).shares_accepted, 1);
    cr_expect_eq(stats_of(pool).shares_rejected_invalid, 2);
    pow_hasher_destroy(h);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

/* --- faults ---------------------------------------------------------------- */

Test(stratum_pool, sends_malformed_json_before_the_next_message)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    test_pool_inject(pool, TEST_POOL_SEND_MALFORMED_JSON, 0);
    test_pool_send_job(pool);
    char *line = mini_read_line(&c, READ_TIMEOUT_MS);
    cr_assert_not_null(line);
    stratum_message_t m;
    cr_expect_eq(stratum_message_parse(line, strlen(line), &m, NULL, 0), -1, "JSON: %s", line);
    free(line);
    stratum_job_t job = mini_read_job(&c);
    cr_expect_str_neq(job.id, login.job.id, "the job still follows");
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, sends_a_line_one_byte_over_the_limit)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    test_pool_inject(pool, TEST_POOL_SEND_OVERSIZED_LINE, 0);
    test_pool_send_job(pool);
    cr_expect_null(mini_read_line(&c, READ_TIMEOUT_MS));
    cr_expect(c.overflowed, "the framer refuses the line");
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, the_oversized_line_is_exactly_one_byte_too_long)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    test_pool_inject(pool, TEST_POOL_SEND_OVERSIZED_LINE, 0);
    mini_send(&c, stratum_request_keepalived(1, "s"));
    /* Read raw: the whole line and its newline. */
    size_t total = 0, newline_at = 0;
    char buf[8192];
    while (newline_at == 0) {
        struct pollfd p = {.fd = c.fd, .events = POLLIN};
        cr_assert_gt(poll(&p, 1, READ_TIMEOUT_MS), 0);
        ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
        cr_assert_gt(n, 0);
        char *nl = memchr(buf, '\n', (size_t)n);
        if (nl != NULL)
            newline_at = total + (size_t)(nl - buf);
        total += (size_t)n;
    }
    cr_expect_eq(newline_at, STRATUM_MAX_LINE + 1);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, disconnects_instead_of_the_next_message)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    test_pool_inject(pool, TEST_POOL_DISCONNECT, 0);
    test_pool_send_job(pool);
    cr_expect_null(mini_read_line(&c, READ_TIMEOUT_MS));
    cr_expect(c.closed, "the connection ends");
    cr_expect_eq(test_pool_wait(pool, no_clients, NULL, 5000), 0);
    json_decref(login.extensions);
    mini_close(&c);
    mini_connect(&c, pool, 0);
    login = mini_login(&c); /* used up: the next connection is served */
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, delays_the_next_reply)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    test_pool_inject(pool, TEST_POOL_DELAY_NEXT_REPLY, 400);
    uint64_t start = now_ms();
    mini_send(&c, stratum_request_keepalived(2, login.session));
    cr_expect_null(mini_read_line(&c, 200), "the reply came before the delay");
    stratum_message_t m = mini_read_message(&c);
    cr_expect_geq(now_ms() - start, 400);
    cr_expect_eq(m.id, 2);
    stratum_message_free(&m);
    start = now_ms();
    mini_send(&c, stratum_request_keepalived(3, login.session));
    m = mini_read_message(&c);
    cr_expect_lt(now_ms() - start, 400, "only one reply is delayed");
    stratum_message_free(&m);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, sends_a_job_with_an_unknown_algorithm_and_keeps_the_old_one_current)
{
    test_pool_t *pool = start_pool("cn/r", 1);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    test_pool_inject(pool, TEST_POOL_JOB_UNKNOWN_ALGO, 0);
    test_pool_send_job(pool);
    stratum_message_t m = mini_read_message(&c);
    stratum_job_t job;
    char why[160] = "";
    cr_expect_eq(stratum_job_parse(m.params, NULL, &job, why, sizeof(why)), -1);
    cr_expect_str_eq(why, "unknown algorithm \"rx/unknown\"");
    stratum_message_free(&m);
    pow_hasher_t *h = hasher_for(&login.job);
    share_t s = find_share(h, &login.job, 0, 1);
    cr_expect_null(mini_submit(&c, login.session, login.job.id, &s, NULL, 0));
    pow_hasher_destroy(h);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, refuses_the_next_login)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    test_pool_inject(pool, TEST_POOL_LOGIN_ERROR, 0);
    stratum_message_t m = mini_login_reply(&c, "a");
    cr_expect_null(m.result);
    cr_expect_str_eq(m.error_message, "Invalid payment address provided");
    stratum_message_free(&m);
    cr_expect_eq(stats_of(pool).login_errors, 1);
    cr_expect_eq(stats_of(pool).logins, 0);
    login_t login = mini_login(&c);
    cr_expect_eq(stats_of(pool).logins, 1);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

Test(stratum_pool, rejects_the_next_share_even_a_good_one)
{
    test_pool_t *pool = start_pool("cn/r", 1);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    pow_hasher_t *h = hasher_for(&login.job);
    share_t a = find_share(h, &login.job, 0, 1);
    share_t b = find_share(h, &login.job, a.nonce + 1, 1);
    share_t d = find_share(h, &login.job, b.nonce + 1, 1);
    test_pool_inject(pool, TEST_POOL_REJECT_NEXT_SHARE, 0);
    expect_error(mini_submit(&c, login.session, login.job.id, &a, NULL, 0), "Low difficulty share");
    test_pool_inject(pool, TEST_POOL_UNAUTHENTICATED_NEXT_SHARE, 0);
    expect_error(mini_submit(&c, login.session, login.job.id, &b, NULL, 0), "Unauthenticated");
    cr_expect_null(mini_submit(&c, login.session, login.job.id, &d, NULL, 0));
    cr_expect_eq(stats_of(pool).shares_rejected_invalid, 2);
    cr_expect_eq(stats_of(pool).shares_accepted, 1);
    pow_hasher_destroy(h);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}

/* --- the harness itself ------------------------------------------------------ */

Test(stratum_pool, wait_gives_up_after_its_timeout)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    uint64_t start = now_ms();
    cr_expect_eq(test_pool_wait(pool, never, NULL, 150), -1);
    cr_expect_geq(now_ms() - start, 150);
    cr_expect_lt(now_ms() - start, 2000);
    test_pool_stop(pool);
}

Test(stratum_pool, refuses_to_start_with_a_bad_configuration)
{
    test_pool_config_t unknown = {.algo = "rx/graft", .difficulty = 100};
    cr_expect_null(test_pool_start(&unknown));
    test_pool_config_t zero = {.algo = "cn/r", .difficulty = 0};
    cr_expect_null(test_pool_start(&zero));
    test_pool_config_t no_key = {
        .algo = "cn/r", .difficulty = 100, .tls_cert_file = "/nonexistent/cert.pem"};
    cr_expect_null(test_pool_start(&no_key));
}

Test(stratum_pool, stops_with_clients_still_connected)
{
    test_pool_t *pool = start_pool("cn/r", 100);
    mini_client_t c;
    mini_connect(&c, pool, 0);
    login_t login = mini_login(&c);
    test_pool_inject(pool, TEST_POOL_DELAY_NEXT_REPLY, 10000);
    mini_send(&c, stratum_request_keepalived(2, login.session));
    test_pool_stop(pool); /* with a reply queued: ASan checks nothing is left */
    cr_expect_null(mini_read_line(&c, READ_TIMEOUT_MS));
    cr_expect(c.closed);
    json_decref(login.extensions);
    mini_close(&c);
}

/* --- TLS ------------------------------------------------------------------ */

static char tls_dir[64];
static char cert_file[128], key_file[128];

static void make_certificate(void)
{
    snprintf(tls_dir, sizeof(tls_dir), "/tmp/minemeter-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(tls_dir));
    snprintf(cert_file, sizeof(cert_file), "%s/cert.pem", tls_dir);
    snprintf(key_file, sizeof(key_file), "%s/key.pem", tls_dir);
    char command[512];
    snprintf(command, sizeof(command),
             "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
             "-keyout %s -out %s >/dev/null 2>&1",
             key_file, cert_file);
    cr_assert_eq(system(command), 0, "openssl could not make a certificate");
}

static void remove_certificate(void)
{
    unlink(cert_file);
    unlink(key_file);
    rmdir(tls_dir);
}

Test(stratum_pool, logs_in_over_tls, .init = make_certificate, .fini = remove_certificate)
{
    test_pool_config_t config = {
        .algo = "cn/r", .difficulty = 1, .tls_cert_file = cert_file, .tls_key_file = key_file};
    test_pool_t *pool = test_pool_start(&config);
    cr_assert_not_null(pool);

    /* A plain client gets nowhere, and the pool goes on. */
    mini_client_t plain;
    mini_connect(&plain, pool, 0);
    const char *algos[] = {"cn/r"};
    stratum_login_t request = {.login = "w", .agent = "plain", .algos = algos, .algo_count = 1};
    mini_send(&plain, stratum_request_login(1, &request));
    cr_expect_null(mini_read_line(&plain, READ_TIMEOUT_MS));
    mini_close(&plain);

    mini_client_t c;
    mini_connect(&c, pool, 1);
    login_t login = mini_login(&c);
    cr_expect_eq(stats_of(pool).logins, 1);
    cr_expect_str_eq(stats_of(pool).last_agent, "minemeter-test/1");
    pow_hasher_t *h = hasher_for(&login.job);
    share_t s = find_share(h, &login.job, 0, 1);
    cr_expect_null(mini_submit(&c, login.session, login.job.id, &s, NULL, 0));
    test_pool_send_job(pool);
    mini_read_job(&c);
    pow_hasher_destroy(h);
    json_decref(login.extensions);
    mini_close(&c);
    test_pool_stop(pool);
}
