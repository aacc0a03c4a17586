/*
 * stratum/session.c driven in-process against the test pool: shares for
 * the pool's jobs are accepted, a lost pool pauses the workers and a new
 * connection resumes them, and the stop leaves the loop with nothing
 * running. Waits have generous limits that only catch hangs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "stratum/session.h"
#include "tests/support/test_pool.h"

#define LIMIT_MS 120000

typedef struct {
    uv_loop_t loop;
    uv_timer_t check;
    stratum_session_t *session;
    test_pool_t *pool;
    unsigned want_accepted;
    unsigned drop_at; /* accepted shares at which the pool drops the connection; 0: never */
    int dropped, stopped, timed_out;
    unsigned accepted_at_drop; /* the session's count when the drop was asked */
    uint64_t started_ms;
    char log[8192];
    size_t log_len;
} run_t;

static void keep_log(void *context, const char *line)
{
    run_t *r = context;
    int n = snprintf(r->log + r->log_len, sizeof(r->log) - r->log_len, "%s\n", line);
    if (n > 0 && r->log_len + (size_t)n < sizeof(r->log))
        r->log_len += (size_t)n;
}

static void on_check_closed(uv_handle_t *handle)
{
    (void)handle;
}

/* Every 50 ms: has the session seen enough accepted? Then (or at the limit) it stops. */
static void on_check(uv_timer_t *timer)
{
    run_t *r = timer->data;
    /* The session's own count: a share counts once its reply has reached the session. */
    stratum_session_stats_t s;
    stratum_session_stats(r->session, &s);
    r->timed_out = uv_now(&r->loop) - r->started_ms > LIMIT_MS;
    if (r->drop_at > 0 && !r->dropped && s.source.accepted >= r->drop_at) {
        test_pool_inject(r->pool, TEST_POOL_DISCONNECT, 0);
        test_pool_send_job(r->pool); /* the message it drops the connection at */
        r->dropped = 1;
        r->accepted_at_drop = (unsigned)s.source.accepted;
    }
    /*
     * With a drop, the shares past drop_at must come after the new login: on a busy
     * machine more replies than drop_at can arrive before this timer looks.
     */
    unsigned want = r->want_accepted;
    if (r->drop_at > 0)
        want = r->dropped && s.source.connects >= 2
                   ? r->accepted_at_drop + (r->want_accepted - r->drop_at)
                   : UINT32_MAX;
    if (s.source.accepted < want && !r->timed_out)
        return;
    stratum_session_stop(r->session);
    r->stopped = 1;
    uv_close((uv_handle_t *)&r->check, on_check_closed);
}

/* Runs a session on pool until it has want shares accepted (dropped at drop_at), then stops it. */
static void run_session(run_t *r, test_pool_t *pool, unsigned want, unsigned drop_at)
{
    memset(r, 0, sizeof(*r));
    r->pool = pool;
    r->want_accepted = want;
    r->drop_at = drop_at;
    cr_assert_eq(uv_loop_init(&r->loop), 0);
    stratum_pool_t p = {.user = "w", .pass = "x"};
    char why[256];
    char url[64];
    snprintf(url, sizeof(url), "stratum+tcp://127.0.0.1:%d", test_pool_port(pool));
    cr_assert_eq(stratum_url_parse(url, &p.url, why, sizeof(why)), 0, "%s", why);
    stratum_session_config_t config = {
        .pools = &p,
        .pool_count = 1,
        .algo = pow_algo_find("cn/r"),
        .agent = "minemeter-test",
        .retry_pause_ms = 100,
        .miner = {.threads = 1, .isa = POW_ISA_COUNT},
        .context = r,
        .log = keep_log,
    };
    cr_assert_eq(stratum_session_create(&r->session, &r->loop, &config, why, sizeof(why)), 0, "%s",
                 why);
    uv_timer_init(&r->loop, &r->check);
    r->check.data = r;
    r->started_ms = uv_now(&r->loop);
    uv_timer_start(&r->check, on_check, 50, 50);
    stratum_session_start(r->session);
    uv_run(&r->loop, UV_RUN_DEFAULT);
}

static void finish(run_t *r)
{
    stratum_session_destroy(r->session);
    cr_expect_eq(uv_loop_close(&r->loop), 0, "a handle was left open");
}

Test(stratum_session, mines_the_pools_jobs_and_stops_with_nothing_left_running, .timeout = 240)
{
    test_pool_config_t pc = {.algo = "cn/r", .difficulty = 4, .advertise_algo = 1};
    test_pool_t *pool = test_pool_start(&pc);
    cr_assert_not_null(pool);
    run_t *r = calloc(1, sizeof(*r));
    run_session(r, pool, 3, 0);
    cr_expect(!r->timed_out, "3 shares were not accepted in time:\n%s", r->log);
    stratum_session_stats_t st;
    stratum_session_stats(r->session, &st);
    cr_expect_geq(st.source.accepted, 3, "%s", r->log);
    test_pool_stats_t ps;
    test_pool_stats(pool, &ps);
    cr_expect_geq(ps.shares_accepted, st.source.accepted, "the pool saw fewer than the session");
    cr_expect_eq(st.source.rejected, 0, "%s", r->log);
    cr_expect_eq(st.source.connects, 1);
    cr_expect_geq(st.switch_count, 1, "no job switch was measured");
    cr_expect_not_null(strstr(r->log, "new job 1: algo cn/r"), "%s", r->log);
    finish(r);
    free(r);
    test_pool_stop(pool);
}

Test(stratum_session, a_lost_pool_pauses_and_a_new_login_resumes, .timeout = 240)
{
    test_pool_config_t pc = {.algo = "cn/r", .difficulty = 4, .advertise_algo = 1};
    test_pool_t *pool = test_pool_start(&pc);
    cr_assert_not_null(pool);
    run_t *r = calloc(1, sizeof(*r));
    run_session(r, pool, 4, 2);
    cr_expect(!r->timed_out, "no shares after the reconnect:\n%s", r->log);
    stratum_session_stats_t st;
    stratum_session_stats(r->session, &st);
    cr_expect_eq(st.source.connects, 2, "%s", r->log);
    cr_expect_eq(st.source.disconnects, 1, "%s", r->log);
    cr_expect_not_null(strstr(r->log, "hashing paused until a pool answers"), "%s", r->log);
    cr_expect_not_null(strstr(r->log, "closed the connection"), "%s", r->log);
    finish(r);
    free(r);
    test_pool_stop(pool);
}
