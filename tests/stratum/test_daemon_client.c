/*
 * stratum/daemon_client.c against a scripted daemon on 127.0.0.1: a
 * thread that answers each JSON-RPC call from a per-test script, so that
 * what a real monerod in regtest rarely does (sync, refuse a block, be
 * busy, send garbage) happens on cue. The real monerod is in
 * tests/cli/test_cli_mine_solo.c.
 */
#define _GNU_SOURCE
#include "config.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "stratum/daemon_client.h"

#include "tests/stratum/regtest_template.h"

#define WALLET "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VB"

/* --- the scripted daemon ------------------------------------------------------- */

typedef struct fake fake_t;
/* The JSON body to answer method with (malloc'ed), given how often it was called before. */
typedef char *(*fake_script_fn)(fake_t *f, const char *method, unsigned call);

struct fake {
    int listener;
    unsigned port;
    pthread_t thread;
    atomic_int stop;
    fake_script_fn script;
    pthread_mutex_t lock;
    unsigned calls_info, calls_template, calls_submit;
    char last_block[1024];
    char last_extra_nonce[600];
};

static char *reply_result(const char *result_json)
{
    char *body = NULL;
    cr_assert_geq(asprintf(&body, "{\"jsonrpc\":\"2.0\",\"id\":\"0\",\"result\":%s}", result_json),
                  0);
    return body;
}

static char *reply_error(int code, const char *message)
{
    char *body = NULL;
    cr_assert_geq(asprintf(&body,
                           "{\"jsonrpc\":\"2.0\",\"id\":\"0\",\"error\":{\"code\":%d,"
                           "\"message\":\"%s\"}}",
                           code, message),
                  0);
    return body;
}

static char *info_json(unsigned height, int synchronized, unsigned target_height)
{
    char *body = NULL;
    cr_assert_geq(asprintf(&body,
                           "{\"status\":\"OK\",\"height\":%u,\"top_block_hash\":\"%s\","
                           "\"synchronized\":%s,\"busy_syncing\":false,\"target_height\":%u,"
                           "\"version\":\"0.18.0.0-fake\",\"nettype\":\"fakechain\"}",
                           height, GENESIS, synchronized ? "true" : "false", target_height),
                  0);
    char *r = reply_result(body);
    free(body);
    return r;
}

/* The regtest template at height 1 with a given wide difficulty. */
static char *template_json(const char *wide_difficulty)
{
    char *body = NULL;
    cr_assert_geq(asprintf(&body,
                           "{\"blockhashing_blob\":\"%s\",\"blocktemplate_blob\":\"%s\","
                           "\"difficulty\":200,\"height\":1,\"prev_hash\":\"%s\",\"seed_hash\":"
                           "\"%s\",\"status\":\"OK\",\"wide_difficulty\":\"%s\"}",
                           REGTEST_HASHING_BLOB, REGTEST_BLOCK_BLOB, GENESIS, GENESIS,
                           wide_difficulty),
                  0);
    char *r = reply_result(body);
    free(body);
    return r;
}

/* Reads one HTTP request (headers and a Content-Length body) into buf; 0 when complete. */
static int read_request(int fd, char *buf, size_t cap)
{
    size_t used = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0)
            return -1;
        ssize_t n = read(fd, buf + used, cap - 1 - used);
        if (n <= 0)
            return -1;
        used += (size_t)n;
        buf[used] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        const char *cl = strcasestr(buf, "Content-Length:");
        if (end != NULL && cl != NULL &&
            used >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
            return 0;
        if (used + 1 >= cap)
            return -1;
    }
}

static void serve_one(fake_t *f, int fd)
{
    static char request[1 << 20];
    if (read_request(fd, request, sizeof(request)) != 0)
        return;
    json_t *rpc = json_loads(strstr(request, "\r\n\r\n") + 4, 0, NULL);
    const char *method = json_string_value(json_object_get(rpc, "method"));
    unsigned call = 0;
    pthread_mutex_lock(&f->lock);
    if (method != NULL && strcmp(method, "get_info") == 0)
        call = f->calls_info++;
    else if (method != NULL && strcmp(method, "get_block_template") == 0) {
        call = f->calls_template++;
        const char *extra =
            json_string_value(json_object_get(json_object_get(rpc, "params"), "extra_nonce"));
        snprintf(f->last_extra_nonce, sizeof(f->last_extra_nonce), "%s", extra ? extra : "");
    } else if (method != NULL && strcmp(method, "submit_block") == 0) {
        call = f->calls_submit++;
        const char *block = json_string_value(json_array_get(json_object_get(rpc, "params"), 0));
        snprintf(f->last_block, sizeof(f->last_block), "%s", block ? block : "");
    }
    pthread_mutex_unlock(&f->lock);
    char *body = f->script(f, method != NULL ? method : "", call);
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 200 Ok\r\nContent-Type: application/json\r\nContent-Length: "
                     "%zu\r\nConnection: close\r\n\r\n",
                     strlen(body));
    /* MSG_NOSIGNAL: a client that hangs up on a long reply must not end the test. */
    if (send(fd, head, (size_t)n, MSG_NOSIGNAL) < 0 ||
        send(fd, body, strlen(body), MSG_NOSIGNAL) < 0)
        fprintf(stderr, "fake daemon: cannot write\n");
    free(body);
    json_decref(rpc);
}

static void *fake_main(void *arg)
{
    fake_t *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {f->listener, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(f->listener, NULL, NULL);
        if (fd < 0)
            continue;
        serve_one(f, fd);
        close(fd);
    }
    return NULL;
}

static void fake_start(fake_t *f, fake_script_fn script)
{
    memset(f, 0, sizeof(*f));
    f->script = script;
    pthread_mutex_init(&f->lock, NULL);
    f->listener = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(f->listener, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(f->listener, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(listen(f->listener, 16), 0);
    socklen_t len = sizeof(a);
    getsockname(f->listener, (struct sockaddr *)&a, &len);
    f->port = ntohs(a.sin_port);
    cr_assert_eq(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(fake_t *f)
{
    atomic_store(&f->stop, 1);
    pthread_join(f->thread, NULL);
    close(f->listener);
    pthread_mutex_destroy(&f->lock);
}

/* --- the client on a loop ------------------------------------------------------------ */

typedef struct {
    uv_loop_t loop;
    uv_timer_t check;
    stratum_daemon_t *client;
    int (*done)(void *run); /* when to stop */
    char log[8192];
    unsigned jobs, connected, disconnected, results, refused_address;
    stratum_job_t job;
    stratum_block_result_t result;
    char result_reason[256], result_hash[65];
    char refused_reason[256];
    double deadline_ms;
} run_t;

static void ev_log(void *context, const char *line)
{
    run_t *r = context;
    size_t used = strlen(r->log);
    snprintf(r->log + used, sizeof(r->log) - used, "%s\n", line);
}

static void ev_job(void *context, const stratum_job_t *job)
{
    run_t *r = context;
    r->jobs++;
    r->job = *job;
}

static void ev_connection(void *context, int connected)
{
    run_t *r = context;
    if (connected)
        r->connected++;
    else
        r->disconnected++;
}

static void ev_block(void *context, const stratum_block_result_t *res)
{
    run_t *r = context;
    r->results++;
    r->result = *res;
    snprintf(r->result_reason, sizeof(r->result_reason), "%s", res->reason ? res->reason : "");
    snprintf(r->result_hash, sizeof(r->result_hash), "%s", res->pow_hash);
}

static void ev_address(void *context, const char *address, const char *reason)
{
    run_t *r = context;
    (void)address;
    r->refused_address++;
    snprintf(r->refused_reason, sizeof(r->refused_reason), "%s", reason);
}

static void on_check(uv_timer_t *t)
{
    run_t *r = t->data;
    if (r->done(r) || (double)uv_now(&r->loop) > r->deadline_ms)
        uv_stop(&r->loop);
}

static void run_start_with(run_t *r, const fake_t *f, unsigned poll_ms, const char *zmq)
{
    memset(r, 0, sizeof(*r));
    cr_assert_eq(uv_loop_init(&r->loop), 0);
    stratum_daemon_config_t config = {
        .wallet_address = WALLET,
        .agent = "minemeter-test",
        .poll_interval_ms = poll_ms,
        .retry_pause_ms = 20,
        .request_timeout_ms = 2000,
        .zmq_endpoint = zmq,
        .events = {.context = r,
                   .on_job = ev_job,
                   .on_block_result = ev_block,
                   .on_connection = ev_connection,
                   .on_address_refused = ev_address,
                   .log = ev_log},
    };
    char url[64], why[256];
    snprintf(url, sizeof(url), "daemon+http://127.0.0.1:%u", f->port);
    cr_assert_eq(stratum_url_parse(url, &config.url, why, sizeof(why)), 0, "%s", why);
    r->client = stratum_daemon_create(&r->loop, &config);
    cr_assert_not_null(r->client);
    uv_timer_init(&r->loop, &r->check);
    r->check.data = r;
    stratum_daemon_start(r->client);
}

static void run_start(run_t *r, const fake_t *f, unsigned poll_ms)
{
    run_start_with(r, f, poll_ms, NULL);
}

/* Runs the loop until done says so or 10 s pass; returns whether done. */
static int run_until(run_t *r, int (*done)(void *run))
{
    r->done = done;
    r->deadline_ms = (double)uv_now(&r->loop) + 10000;
    uv_timer_start(&r->check, on_check, 10, 10);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    uv_timer_stop(&r->check);
    return done(r);
}

static void run_finish(run_t *r)
{
    stratum_daemon_close(r->client, NULL, NULL);
    uv_close((uv_handle_t *)&r->check, NULL);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    cr_expect_eq(uv_loop_close(&r->loop), 0, "handles left open");
}

static int has_job(void *run)
{
    return ((run_t *)run)->jobs > 0;
}

static int has_result(void *run)
{
    return ((run_t *)run)->results > 0;
}

static unsigned count_syncing_lines(const char *log)
{
    unsigned n = 0;
    for (const char *p = strstr(log, "is syncing"); p != NULL; p = strstr(p + 1, "is syncing"))
        n++;
    return n;
}

/* --- scripts and tests ---------------------------------------------------------------- */

static char *script_syncing_then_ready(fake_t *f, const char *method, unsigned call)
{
    (void)f;
    if (strcmp(method, "get_info") == 0)
        return call < 3 ? info_json(1, 0, 900) : info_json(1, 1, 0);
    if (strcmp(method, "get_block_template") == 0)
        return template_json("0xc8");
    return reply_error(-32601, "Method not found");
}

Test(daemon_client, waits_for_a_syncing_daemon_and_says_so)
{
    fake_t f;
    fake_start(&f, script_syncing_then_ready);
    run_t *r = calloc(1, sizeof(*r));
    run_start(r, &f, 30);
    cr_assert(run_until(r, has_job), "no job:\n%s", r->log);
    cr_expect_not_null(strstr(r->log, "is syncing (height 1 of 900); waiting for it"), "%s",
                       r->log);
    cr_expect_eq(count_syncing_lines(r->log), 1, "said once:\n%s", r->log);
    cr_expect_not_null(strstr(r->log, "is synchronized"), "%s", r->log);
    cr_expect_eq(r->connected, 1);
    cr_expect_geq(f.calls_info, 4);
    /* The job: the template's hashing blob, rx/0 from version 16, the candidate target. */
    cr_expect_str_eq(pow_algo_name(r->job.algo), "rx/0");
    cr_expect_eq(r->job.nonce_offset, 39);
    cr_expect_eq(r->job.height, 1);
    cr_expect_eq(r->job.target, UINT64_MAX / 200 + 1);
    cr_expect_str_eq(r->job.id, "1.1");
    cr_expect_eq(strlen(f.last_extra_nonce), 16, "8 random bytes: %s", f.last_extra_nonce);
    run_finish(r);
    fake_stop(&f);
    free(r);
}

/* Difficulty 1: every hash is a block; the daemon refuses the first and accepts the next. */
static char *script_refuses_one_block(fake_t *f, const char *method, unsigned call)
{
    (void)f;
    if (strcmp(method, "get_info") == 0)
        return info_json(1, 1, 0);
    if (strcmp(method, "get_block_template") == 0)
        return template_json("0x1");
    if (strcmp(method, "submit_block") == 0)
        return call == 0 ? reply_error(-7, "Block not accepted")
                         : reply_result("{\"status\":\"OK\"}");
    return reply_error(-32601, "Method not found");
}

static int has_second_job(void *run)
{
    return ((run_t *)run)->jobs > 1;
}

Test(daemon_client, a_refused_block_is_reported_with_the_reason_and_mining_goes_on)
{
    fake_t f;
    fake_start(&f, script_refuses_one_block);
    run_t *r = calloc(1, sizeof(*r));
    run_start(r, &f, 5000); /* polls come from submits here, not from the timer */
    cr_assert(run_until(r, has_job), "no job:\n%s", r->log);
    uint8_t hash[32];
    memset(hash, 0xab, sizeof(hash));
    cr_expect_eq(stratum_daemon_submit(r->client, "nope", 7, hash), -1, "an unknown job is stale");
    char id[sizeof(r->job.id)];
    snprintf(id, sizeof(id), "%s", r->job.id);
    cr_expect_eq(stratum_daemon_submit(r->client, id, 0x11223344u, hash), 0);
    cr_expect_eq(stratum_daemon_submit(r->client, id, 0x11223345u, hash), -1,
                 "one block per template");
    cr_assert(run_until(r, has_result), "no verdict:\n%s", r->log);
    cr_expect_not(r->result.accepted);
    cr_expect_not_null(strstr(r->result_reason, "Block not accepted"), "%s", r->result_reason);
    cr_expect_eq(r->result.height, 1);
    cr_expect_str_eq(r->result_hash,
                     "abababababababababababababababababababababababababababababababab");
    /* The block sent: the template with the nonce, little-endian, at byte 39. */
    char want[sizeof(REGTEST_BLOCK_BLOB)] = REGTEST_BLOCK_BLOB;
    memcpy(want + 78, "44332211", 8);
    cr_expect_str_eq(f.last_block, want);
    /* After a verdict, a fresh template at once; the next block is accepted. */
    cr_assert(run_until(r, has_second_job), "no new template:\n%s", r->log);
    snprintf(id, sizeof(id), "%s", r->job.id);
    cr_expect_str_eq(id, "1.2");
    r->results = 0;
    cr_expect_eq(stratum_daemon_submit(r->client, id, 1, hash), 0);
    cr_assert(run_until(r, has_result), "no verdict:\n%s", r->log);
    cr_expect(r->result.accepted);
    stratum_daemon_stats_t st;
    stratum_daemon_stats(r->client, &st);
    cr_expect_eq(st.blocks_found, 2);
    cr_expect_eq(st.accepted, 1);
    cr_expect_eq(st.refused, 1);
    cr_expect_eq(st.stale_dropped, 2);
    run_finish(r);
    fake_stop(&f);
    free(r);
}

Test(daemon_client, candidates_below_the_block_difficulty_are_dropped)
{
    fake_t f;
    fake_start(&f, script_syncing_then_ready); /* difficulty 200 */
    run_t *r = calloc(1, sizeof(*r));
    run_start(r, &f, 30);
    cr_assert(run_until(r, has_job), "no job:\n%s", r->log);
    uint8_t hash[32];
    memset(hash, 0, sizeof(hash));
    hash[31] = 0x02; /* 2^249: times 200 passes 2^256, so no block */
    cr_expect_eq(stratum_daemon_submit(r->client, r->job.id, 1, hash), 1);
    stratum_daemon_stats_t st;
    stratum_daemon_stats(r->client, &st);
    cr_expect_eq(st.below_difficulty, 1);
    cr_expect_eq(st.blocks_found, 0);
    cr_expect_eq(f.calls_submit, 0);
    run_finish(r);
    fake_stop(&f);
    free(r);
}

static char *script_busy_then_bad_then_good(fake_t *f, const char *method, unsigned call)
{
    (void)f;
    if (strcmp(method, "get_info") == 0)
        return info_json(1, 1, 0);
    if (strcmp(method, "get_block_template") == 0) {
        if (call == 0)
            return reply_error(-9, "Core is busy");
        if (call == 1)
            return reply_result("{\"blockhashing_blob\":\"zz\"}");
        return template_json("0xc8");
    }
    return reply_error(-32601, "Method not found");
}

Test(daemon_client, a_busy_core_and_a_bad_template_are_waited_out)
{
    fake_t f;
    fake_start(&f, script_busy_then_bad_then_good);
    run_t *r = calloc(1, sizeof(*r));
    run_start(r, &f, 30);
    cr_assert(run_until(r, has_job), "no job:\n%s", r->log);
    cr_expect_not_null(strstr(r->log, "is busy syncing; waiting for it"), "%s", r->log);
    cr_expect_not_null(strstr(r->log, "ignoring a block template"), "%s", r->log);
    stratum_daemon_stats_t st;
    stratum_daemon_stats(r->client, &st);
    cr_expect_eq(st.bad_templates, 1);
    cr_expect_eq(st.templates, 1);
    run_finish(r);
    fake_stop(&f);
    free(r);
}

static char *script_refuses_address(fake_t *f, const char *method, unsigned call)
{
    (void)f;
    (void)call;
    if (strcmp(method, "get_info") == 0)
        return info_json(1, 1, 0);
    return reply_error(-4, "Failed to parse wallet address");
}

static int address_refused(void *run)
{
    return ((run_t *)run)->refused_address > 0;
}

Test(daemon_client, a_refused_address_stops_the_client)
{
    fake_t f;
    fake_start(&f, script_refuses_address);
    run_t *r = calloc(1, sizeof(*r));
    run_start(r, &f, 20);
    cr_assert(run_until(r, address_refused), "no refusal:\n%s", r->log);
    cr_expect_str_eq(r->refused_reason, "Failed to parse wallet address");
    cr_expect_eq(r->jobs, 0);
    /* Nothing more is asked: a while later, still one template request. */
    r->deadline_ms = (double)uv_now(&r->loop) + 200;
    uv_timer_start(&r->check, on_check, 10, 10);
    r->done = has_job;
    uv_run(&r->loop, UV_RUN_DEFAULT);
    cr_expect_eq(f.calls_template, 1);
    run_finish(r);
    fake_stop(&f);
    free(r);
}

Test(daemon_client, an_unreachable_daemon_is_retried_with_back_off)
{
    fake_t f;
    fake_start(&f, script_refuses_address);
    unsigned port = f.port;
    fake_stop(&f); /* nobody listens there any more */
    f.port = port;
    run_t *r = calloc(1, sizeof(*r));
    run_start(r, &f, 20);
    r->deadline_ms = (double)uv_now(&r->loop) + 400;
    r->done = has_job;
    uv_timer_start(&r->check, on_check, 10, 10);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    cr_expect_not_null(strstr(r->log, "unreachable"), "%s", r->log);
    cr_expect_eq(r->connected, 0);
    /* 20 ms doubling: a handful of attempts in 400 ms, not one per poll. */
    unsigned attempts = 0;
    for (const char *p = strstr(r->log, "unreachable"); p != NULL; p = strstr(p + 1, "unreachable"))
        attempts++;
    cr_expect(attempts >= 2 && attempts <= 8, "%u attempts:\n%s", attempts, r->log);
    run_finish(r);
    free(r);
}

/* A template padded past 2 MiB on the first call, a plain one after. */
static char *script_oversized_then_good(fake_t *f, const char *method, unsigned call)
{
    (void)f;
    if (strcmp(method, "get_info") == 0)
        return info_json(1, 1, 0);
    if (strcmp(method, "get_block_template") != 0)
        return reply_error(-32601, "Method not found");
    char *good = template_json("0xc8");
    if (call > 0)
        return good;
    size_t pad = 3u << 20, len = strlen(good);
    char *big = malloc(len + pad + 32);
    cr_assert_not_null(big);
    /* {"id":..,"result":{...}} -> {"id":..,"result":{...},"pad":"xxx..."} */
    memcpy(big, good, len - 1);
    size_t at = len - 1;
    at += (size_t)sprintf(big + at, ",\"pad\":\"");
    memset(big + at, 'x', pad);
    at += pad;
    strcpy(big + at, "\"}");
    free(good);
    return big;
}

/*
 * A reply longer than 2 MiB is refused before it is parsed on the loop
 * thread, and the next one is asked for (#23, item 15: the cap was 16 MiB).
 */
Test(daemon_client, a_reply_over_2_mib_is_refused_unparsed)
{
    fake_t f;
    fake_start(&f, script_oversized_then_good);
    run_t *r = calloc(1, sizeof(*r));
    run_start(r, &f, 30);
    cr_assert(run_until(r, has_job), "no job:\n%s", r->log);
    cr_expect_not_null(strstr(r->log, "the reply is longer than 2 MiB"), "%s", r->log);
    stratum_daemon_stats_t st;
    stratum_daemon_stats(r->client, &st);
    cr_expect_eq(st.templates, 1, "the padded template was taken");
    run_finish(r);
    fake_stop(&f);
    free(r);
}

/* --- monerod's ZMQ notifications ------------------------------------------------------- */

#ifdef HAVE_LIBZMQ
#include <zmq.h>

/* The tip is at height 1 until the test publishes a new block; then at 2. */
static atomic_int tip_moved_on;

static char *script_tip_moves_when_told(fake_t *f, const char *method, unsigned call)
{
    (void)f;
    (void)call;
    if (strcmp(method, "get_info") == 0)
        return info_json(atomic_load(&tip_moved_on) ? 2 : 1, 1, 0);
    if (strcmp(method, "get_block_template") == 0)
        return template_json("0xc8");
    return reply_error(-32601, "Method not found");
}

typedef struct {
    run_t *run;
    void *publisher;
} publishing_t;

/* Until the second job: a new block on the publisher every 100 ms (a subscriber may join late). */
static void publish(uv_timer_t *t)
{
    publishing_t *p = t->data;
    if (p->run->jobs == 0)
        return;
    atomic_store(&tip_moved_on, 1);
    static const char message[] = "json-minimal-chain_main:{\"first_height\":2,\"first_prev_id\":"
                                  "\"00\",\"ids\":[\"11\"]}";
    zmq_send(p->publisher, message, sizeof(message) - 1, ZMQ_DONTWAIT);
}

static int has_second_job_now(void *run)
{
    return ((run_t *)run)->jobs >= 2;
}

/*
 * With the poll at 60 s, only a notification can fetch the next template
 * within the test's 10 s: a ZMQ publisher in the test says height 2, and
 * the client asks get_info and takes the new template at once.
 */
Test(daemon_client, a_zmq_new_block_fetches_the_next_template_without_waiting_for_the_poll)
{
    void *context = zmq_ctx_new();
    void *publisher = zmq_socket(context, ZMQ_PUB);
    cr_assert_eq(zmq_bind(publisher, "tcp://127.0.0.1:*"), 0, "%s", zmq_strerror(zmq_errno()));
    char endpoint[64];
    size_t len = sizeof(endpoint);
    cr_assert_eq(zmq_getsockopt(publisher, ZMQ_LAST_ENDPOINT, endpoint, &len), 0);
    fake_t f;
    fake_start(&f, script_tip_moves_when_told);
    run_t r;
    run_start_with(&r, &f, 60000, endpoint);
    publishing_t p = {&r, publisher};
    uv_timer_t timer;
    uv_timer_init(&r.loop, &timer);
    timer.data = &p;
    uv_timer_start(&timer, publish, 100, 100);
    cr_expect(run_until(&r, has_second_job_now), "no second job within 10 s:\n%s", r.log);
    cr_expect_eq(r.job.height, 1, "the fake's template");
    cr_expect_not_null(strstr(r.log, "monerod's ZMQ: a new block at height 2"), "%s", r.log);
    cr_expect_not_null(strstr(r.log, "listening to monerod's ZMQ at tcp://127.0.0.1:"), "%s",
                       r.log);
    uv_close((uv_handle_t *)&timer, NULL);
    run_finish(&r);
    fake_stop(&f);
    zmq_close(publisher);
    zmq_ctx_term(context);
}
#else
Test(daemon_client, a_zmq_new_block_fetches_the_next_template_without_waiting_for_the_poll)
{
    cr_skip_test("built without libzmq (apt-get install libzmq3-dev, then ./configure again)");
}
#endif
