/*
 * The Stratum client's connection life cycle, all on the caller's libuv
 * loop: resolve, connect (with a timeout), TLS handshake when asked, login,
 * then lines in and requests out until something fails; then close and
 * reconnect after a back-off, failing over between pools.
 *
 * A connection_t lives from resolution to the close of its TCP handle; a
 * failure marks it abandoned, closes what is open and frees it when the
 * last outstanding libuv callback has run.
 */
#include "config.h"
#include "stratum/client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pow/hex.h"
#include "stratum/backoff.h"
#include "stratum/line.h"
#include "stratum/log_line.h"
#include "stratum/message.h"
#include "stratum/tls.h"

#define MAX_PENDING              64 /* requests in flight; more shares wait for replies (#23, 8) */
#define MAX_QUEUED_BYTES         (1u << 20) /* unsent bytes before the pool counts as not reading */
#define TIMEOUT_CHECK_MS         250u
#define LOGIN_REQUEST_ID         1
#define DEFAULT_TIMEOUT_MS       20000u
#define DEFAULT_JOB_TIMEOUT_MS   600000u
#define KEEPALIVE_IDLE_S         60  /* TCP keepalive: a half-open connection is found in minutes */
#define MAX_FAILBACK_SHIFT       4   /* a first pool that fails its return waits up to 16 periods */
#define POOL_NAME_LEN            300 /* scheme, bracketed host, port */
#define IGNORED_LINES_PER_MINUTE 10  /* "ignoring ..." lines shown; the rest are counted */

typedef enum { REQUEST_LOGIN, REQUEST_SUBMIT, REQUEST_KEEPALIVE } request_kind_t;

typedef struct {
    int64_t id;
    request_kind_t kind;
    uint64_t sent_ms;
} pending_t;

typedef struct connection {
    stratum_client_t *client;
    unsigned pool;
    int probe; /* a connection to the first pool that replaces the main one once it logs in */
    uv_getaddrinfo_t resolve;
    struct addrinfo *addresses, *next_address; /* every one is tried in turn (#23, 9) */
    const struct addrinfo *address;            /* the one being tried */
    uv_connect_t connect;
    uv_tcp_t tcp;
    int resolving, tcp_open, abandoned;
    int last_connect_error;
    unsigned addresses_tried;
    int tcp_connected;
    int holding_back; /* shares wait: MAX_PENDING requests are unanswered */
    stratum_tls_t *tls;
    int tls_ready;
    stratum_line_buffer_t lines;
    int logged_in;
    char session_id[128];
    int ext_algo, ext_keepalive, ext_nicehash;
    pending_t pending[MAX_PENDING];
    unsigned pending_count;
    int64_t next_id;
} connection_t;

struct stratum_client {
    uv_loop_t *loop;
    stratum_client_config_t config;
    connection_t *conn;
    connection_t *probe;
    uv_timer_t connect_timer, check_timer, keepalive_timer, retry_timer, failback_timer,
        probe_timer, job_timer;
    unsigned pool;
    unsigned failures_here;     /* failed attempts on this pool in a row */
    unsigned failures;          /* since the last successful login */
    unsigned failback_failures; /* returns to the first pool that failed, in a row */
    int returned;               /* the main connection is a return to the first pool */
    uint64_t returned_ms;
    int closing;
    unsigned handles_open;
    void (*on_closed)(void *);
    void *on_closed_arg;
    char job_id[STRATUM_MAX_JOB_ID + 1];
    char job_algo[32];
    stratum_client_stats_t stats;
    stratum_tls_context_t *tls[STRATUM_MAX_POOLS]; /* each stratum+ssl pool's trust, built once */
    uint64_t ignored_since_ms; /* the minute the "ignoring" lines are counted in */
    unsigned ignored_shown, ignored_hidden;
};

static void connect_to(stratum_client_t *c, unsigned pool);

static void logf_(stratum_client_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(stratum_client_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stratum_log_line(c->config.events.log, c->config.events.context, fmt, ap);
    va_end(ap);
}

/* Says how many "ignoring" lines were held back once their minute is over. */
static void flush_ignored(stratum_client_t *c)
{
    if (uv_now(c->loop) - c->ignored_since_ms < 60000)
        return;
    if (c->ignored_hidden > 0)
        logf_(c, "... and %u more messages from the pool ignored in the last minute, not shown",
              c->ignored_hidden);
    c->ignored_since_ms = uv_now(c->loop);
    c->ignored_shown = c->ignored_hidden = 0;
}

/* An "ignoring ..." line: a pool that floods them gets IGNORED_LINES_PER_MINUTE (#23, 5). */
static void log_ignored(stratum_client_t *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_ignored(stratum_client_t *c, const char *fmt, ...)
{
    flush_ignored(c);
    if (c->ignored_shown >= IGNORED_LINES_PER_MINUTE) {
        c->ignored_hidden++;
        return;
    }
    c->ignored_shown++;
    va_list ap;
    va_start(ap, fmt);
    stratum_log_line(c->config.events.log, c->config.events.context, fmt, ap);
    va_end(ap);
}

static const char *pool_name(const stratum_client_t *c, unsigned pool, char *buf, size_t len)
{
    const stratum_url_t *u = &c->config.pools[pool].url;
    snprintf(buf, len, "%s://%s%s%s:%u", stratum_url_scheme_name(u->scheme),
             strchr(u->host, ':') ? "[" : "", u->host, strchr(u->host, ':') ? "]" : "", u->port);
    return buf;
}

static uint64_t now_ms(const stratum_client_t *c)
{
    return uv_now(c->loop);
}

static unsigned timeout_or_default(unsigned ms)
{
    return ms != 0 ? ms : DEFAULT_TIMEOUT_MS;
}

/* --- connection teardown ---------------------------------------------------- */

static void connection_maybe_free(connection_t *conn)
{
    if (conn->resolving || conn->tcp_open)
        return;
    if (conn->addresses != NULL)
        uv_freeaddrinfo(conn->addresses);
    stratum_tls_free(conn->tls);
    stratum_line_free(&conn->lines);
    free(conn);
}

static void on_tcp_closed(uv_handle_t *handle)
{
    connection_t *conn = handle->data;
    conn->tcp_open = 0;
    connection_maybe_free(conn);
}

static void connection_abandon(connection_t *conn)
{
    if (conn->abandoned)
        return;
    conn->abandoned = 1;
    if (conn->resolving)
        uv_cancel((uv_req_t *)&conn->resolve);
    if (conn->tcp_open && !uv_is_closing((uv_handle_t *)&conn->tcp))
        uv_close((uv_handle_t *)&conn->tcp, on_tcp_closed);
    connection_maybe_free(conn);
}

/* Whether conn is still the client's: the main connection or the probe. */
static int connection_is_live(const connection_t *conn)
{
    const stratum_client_t *c = conn->client;
    return !conn->abandoned && (conn == c->conn || conn == c->probe);
}

static unsigned failback_delay_ms(const stratum_client_t *c)
{
    unsigned base = c->config.failback_ms != 0 ? c->config.failback_ms : 30000;
    unsigned shift =
        c->failback_failures < MAX_FAILBACK_SHIFT ? c->failback_failures : MAX_FAILBACK_SHIFT;
    return base << shift;
}

static void on_failback(uv_timer_t *timer);
static void on_response_check(uv_timer_t *timer);

/* The probe of the first pool failed: the session on the later pool stays. */
static void probe_fail(stratum_client_t *c, const char *reason)
{
    connection_t *probe = c->probe;
    if (probe == NULL)
        return;
    c->probe = NULL;
    uv_timer_stop(&c->probe_timer);
    int reached = probe->tcp_connected;
    connection_abandon(probe);
    /* One that accepts connections but does not log in is held back (#23, item 3). */
    if (reached && c->failback_failures < MAX_FAILBACK_SHIFT)
        c->failback_failures++;
    if (c->conn == NULL || c->closing)
        return;
    unsigned delay = failback_delay_ms(c);
    if (reached) {
        char name[POOL_NAME_LEN];
        logf_(c, "%s accepts connections but did not log in (%s); checking it again in %.1f s",
              pool_name(c, 0, name, sizeof(name)), reason, delay / 1000.0);
    }
    uv_timer_start(&c->failback_timer, on_failback, delay, 0);
}

static void fail(stratum_client_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* conn failed: the main connection reconnects, the probe gives up until later. */
static void connection_fail(connection_t *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void connection_fail(connection_t *conn, const char *fmt, ...)
{
    stratum_client_t *c = conn->client;
    if (!connection_is_live(conn))
        return;
    char reason[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (conn == c->probe)
        probe_fail(c, reason);
    else
        fail(c, "%s", reason);
}

/* Ends the main connection (and any probe); the caller decides what happens next. */
static void drop_connection(stratum_client_t *c)
{
    if (c->probe != NULL) {
        connection_abandon(c->probe);
        c->probe = NULL;
        uv_timer_stop(&c->probe_timer);
    }
    connection_t *conn = c->conn;
    if (conn == NULL)
        return;
    c->conn = NULL;
    uv_timer_stop(&c->connect_timer);
    uv_timer_stop(&c->check_timer);
    uv_timer_stop(&c->keepalive_timer);
    uv_timer_stop(&c->failback_timer);
    uv_timer_stop(&c->job_timer);
    c->job_id[0] = '\0';
    int was_logged_in = conn->logged_in;
    unsigned pool = conn->pool;
    connection_abandon(conn); /* may free conn */
    c->stats.disconnects += (uint64_t)was_logged_in;
    if (was_logged_in && c->config.events.on_connection != NULL)
        c->config.events.on_connection(c->config.events.context, 0, pool);
}

static unsigned backoff_ms(const stratum_client_t *c)
{
    return stratum_backoff_ms(c->config.retry_pause_ms != 0 ? c->config.retry_pause_ms : 1000,
                              c->failures);
}

static void on_retry(uv_timer_t *timer)
{
    stratum_client_t *c = timer->data;
    connect_to(c, c->pool);
}

/* The main connection failed: close it, maybe move to the next pool, retry later. */
static void fail(stratum_client_t *c, const char *fmt, ...)
{
    char reason[320], name[2 * POOL_NAME_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    unsigned pool = c->conn != NULL ? c->conn->pool : c->pool;
    if (c->returned) {
        /* A return to the first pool that did not last holds the next one back. */
        int short_lived = now_ms(c) - c->returned_ms < failback_delay_ms(c);
        if (!short_lived)
            c->failback_failures = 0;
        else if (c->failback_failures < MAX_FAILBACK_SHIFT)
            c->failback_failures++;
        c->returned = 0;
    }
    drop_connection(c);
    c->failures++;
    c->failures_here++;
    unsigned retries = c->config.retries != 0 ? c->config.retries : 3;
    if (c->config.pool_count > 1 && c->failures_here >= retries) {
        c->pool = (pool + 1) % (unsigned)c->config.pool_count;
        c->failures_here = 0;
    }
    unsigned delay = backoff_ms(c);
    logf_(c, "%s: %s; connecting to %s in %.1f s", pool_name(c, pool, name, POOL_NAME_LEN), reason,
          pool_name(c, c->pool, name + POOL_NAME_LEN, POOL_NAME_LEN), delay / 1000.0);
    if (!c->closing)
        uv_timer_start(&c->retry_timer, on_retry, delay, 0);
}

/* --- sending ----------------------------------------------------------------- */

typedef struct {
    uv_write_t req;
    size_t len;
    char data[];
} write_t;

static void on_written(uv_write_t *req, int status)
{
    connection_t *conn = req->data;
    free(req);
    if (status < 0 && status != UV_ECANCELED && connection_is_live(conn)) {
        /* A pool that hung up is found out by a write as often as by a read: say it the same. */
        if (status == UV_EPIPE || status == UV_ECONNRESET)
            connection_fail(conn, "the pool closed the connection (%s while sending)",
                            uv_strerror(status));
        else
            connection_fail(conn, "cannot send: %s", uv_strerror(status));
    }
}

static int write_raw(connection_t *conn, const void *data, size_t len)
{
    write_t *w = malloc(sizeof(*w) + len);
    if (w == NULL)
        return -1;
    memcpy(w->data, data, len);
    w->len = len;
    w->req.data = conn;
    uv_buf_t buf = uv_buf_init(w->data, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&conn->tcp, &buf, 1, on_written) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

static int flush_tls(connection_t *conn)
{
    uint8_t out[16384];
    size_t n;
    while ((n = stratum_tls_take_output(conn->tls, out, sizeof(out))) > 0) {
        if (write_raw(conn, out, n) != 0)
            return -1;
    }
    return 0;
}

static const char *const request_names[] = {[REQUEST_LOGIN] = "the login",
                                            [REQUEST_SUBMIT] = "a share",
                                            [REQUEST_KEEPALIVE] = "keepalived"};

/*
 * Sends one request line (malloc'ed, freed here) and remembers what it was.
 * Returns 0 when sent, 1 when held back (MAX_PENDING requests unanswered),
 * -1 when the connection failed (already handled).
 */
static int send_request(connection_t *conn, int64_t id, request_kind_t kind, char *line)
{
    if (line == NULL) {
        connection_fail(conn, "cannot build %s", request_names[kind]);
        return -1;
    }
    if (conn->pending_count >= MAX_PENDING) {
        free(line);
        return 1;
    }
    /* A pool that stops reading must not make the miner queue without end (#23, item 8). */
    size_t queued = uv_stream_get_write_queue_size((uv_stream_t *)&conn->tcp);
    if (queued > MAX_QUEUED_BYTES) {
        free(line);
        connection_fail(conn, "the pool is not reading what is sent (%zu KiB waiting)",
                        queued / 1024);
        return -1;
    }
    int rc;
    size_t len = strlen(line);
    if (conn->tls != NULL)
        rc = stratum_tls_write(conn->tls, line, len) == 0 ? flush_tls(conn) : -1;
    else
        rc = write_raw(conn, line, len);
    free(line);
    if (rc != 0) {
        connection_fail(conn, "cannot send %s", request_names[kind]);
        return -1;
    }
    conn->pending[conn->pending_count++] = (pending_t){id, kind, now_ms(conn->client)};
    const stratum_client_events_t *ev = &conn->client->config.events;
    if (ev->on_traffic != NULL)
        ev->on_traffic(ev->context, 1, len);
    return 0;
}

static void send_login(connection_t *conn)
{
    stratum_client_t *c = conn->client;
    const stratum_pool_t *p = &c->config.pools[conn->pool];
    stratum_login_t login = {
        .login = p->user,
        .pass = p->pass,
        .agent = c->config.agent,
        .rigid = p->rigid,
        .algos = c->config.algos,
        .algo_count = c->config.algo_count,
    };
    conn->next_id = LOGIN_REQUEST_ID + 1;
    send_request(conn, LOGIN_REQUEST_ID, REQUEST_LOGIN,
                 stratum_request_login(LOGIN_REQUEST_ID, &login));
}

/* --- receiving --------------------------------------------------------------- */

static int take_pending(connection_t *conn, int64_t id, pending_t *out)
{
    for (unsigned i = 0; i < conn->pending_count; i++) {
        if (conn->pending[i].id == id) {
            *out = conn->pending[i];
            conn->pending[i] = conn->pending[--conn->pending_count];
            return 0;
        }
    }
    return -1;
}

static unsigned job_timeout_ms(const stratum_client_t *c)
{
    return c->config.job_timeout_ms != 0 ? c->config.job_timeout_ms : DEFAULT_JOB_TIMEOUT_MS;
}

static void on_job_timeout(uv_timer_t *timer)
{
    stratum_client_t *c = timer->data;
    fail(c, "no job to hash in %.1f s", (double)job_timeout_ms(c) / 1000.0);
}

/* A pool that sends no job the miner can hash is left after job_timeout_ms (#23, 10, 14). */
static void restart_job_timer(stratum_client_t *c)
{
    uv_timer_start(&c->job_timer, on_job_timeout, job_timeout_ms(c), 0);
}

static void take_job(stratum_client_t *c, connection_t *conn, const json_t *params)
{
    stratum_job_t job;
    char why[256];
    if (stratum_job_parse(params, c->config.default_algo, &job, why, sizeof(why)) != 0) {
        c->stats.bad_jobs++;
        log_ignored(c, "ignoring a job from the pool: %s", why);
        return;
    }
    /* A pool may only switch the miner to what it was offered at login (#23, item 11). */
    int offered = c->config.algo_count == 0 || job.algo == c->config.default_algo;
    for (size_t i = 0; i < c->config.algo_count && !offered; i++)
        offered = pow_algo_find(c->config.algos[i]) == job.algo;
    if (!offered) {
        c->stats.bad_jobs++;
        log_ignored(
            c, "ignoring a job from the pool: it asks for %s, which was not announced at login",
            pow_algo_name(job.algo));
        return;
    }
    c->stats.jobs++;
    restart_job_timer(c);
    job.nicehash = conn->ext_nicehash;
    snprintf(c->job_id, sizeof(c->job_id), "%s", job.id);
    snprintf(c->job_algo, sizeof(c->job_algo), "%s", pow_algo_name(job.algo));
    if (c->config.events.on_job != NULL)
        c->config.events.on_job(c->config.events.context, &job, conn->pool);
}

static void on_keepalive(uv_timer_t *timer)
{
    stratum_client_t *c = timer->data;
    connection_t *conn = c->conn;
    if (conn == NULL || !conn->logged_in)
        return;
    int64_t id = conn->next_id++;
    /* Held back with the shares when the pool is not replying: nothing to add to the queue. */
    send_request(conn, id, REQUEST_KEEPALIVE, stratum_request_keepalived(id, conn->session_id));
}

/* The probe logged in to the first pool: it becomes the main connection. */
static void promote_probe(stratum_client_t *c, connection_t *probe)
{
    char name[POOL_NAME_LEN];
    c->probe = NULL;
    uv_timer_stop(&c->probe_timer);
    logf_(c, "%s is back (logged in): returning to it", pool_name(c, 0, name, sizeof(name)));
    drop_connection(c);
    probe->probe = 0;
    c->conn = probe;
    c->pool = 0;
    c->returned = 1;
    c->returned_ms = now_ms(c);
}

static void login_succeeded(stratum_client_t *c, connection_t *conn, const json_t *result)
{
    const char *id = json_string_value(json_object_get(result, "id"));
    if (id == NULL || id[0] == '\0' || strlen(id) >= sizeof(conn->session_id)) {
        connection_fail(conn, "the login result has no session id");
        return;
    }
    if (conn == c->probe)
        promote_probe(c, conn);
    snprintf(conn->session_id, sizeof(conn->session_id), "%s", id);
    const json_t *ext = json_object_get(result, "extensions");
    size_t i;
    const json_t *e;
    json_array_foreach(ext, i, e)
    {
        const char *name = json_string_value(e);
        if (name == NULL)
            continue;
        conn->ext_algo |= strcmp(name, "algo") == 0;
        conn->ext_keepalive |= strcmp(name, "keepalive") == 0;
        conn->ext_nicehash |= strcmp(name, "nicehash") == 0;
    }
    conn->logged_in = 1;
    uv_timer_stop(&c->connect_timer);
    uv_timer_start(&c->check_timer, on_response_check, TIMEOUT_CHECK_MS, TIMEOUT_CHECK_MS);
    restart_job_timer(c);
    c->failures = 0;
    c->failures_here = 0;
    c->stats.connects++;
    char name[POOL_NAME_LEN];
    logf_(c, "logged in to %s%s%s", pool_name(c, conn->pool, name, sizeof(name)),
          conn->ext_keepalive ? " (keepalive)" : "", conn->ext_algo ? " (algo)" : "");
    if (c->config.events.on_connection != NULL)
        c->config.events.on_connection(c->config.events.context, 1, conn->pool);
    if (conn->ext_keepalive) {
        unsigned every = c->config.keepalive_ms != 0 ? c->config.keepalive_ms : 60000;
        uv_timer_start(&c->keepalive_timer, on_keepalive, every, every);
    }
    if (conn->pool != 0)
        uv_timer_start(&c->failback_timer, on_failback, failback_delay_ms(c), 0);
    const json_t *job = json_object_get(result, "job");
    if (job != NULL)
        take_job(c, conn, job);
    else
        logf_(c, "the login result carries no job; waiting for one");
}

static void handle_response(stratum_client_t *c, connection_t *conn, const stratum_message_t *m)
{
    pending_t req;
    if (take_pending(conn, m->id, &req) != 0) {
        log_ignored(c, "ignoring a reply to unknown request %lld", (long long)m->id);
        return;
    }
    switch (req.kind) {
    case REQUEST_LOGIN:
        if (m->error_message != NULL) {
            connection_fail(conn, "login refused: %s", m->error_message);
            return;
        }
        login_succeeded(c, conn, m->result);
        return;
    case REQUEST_SUBMIT: {
        if (conn->holding_back && conn->pending_count < MAX_PENDING) {
            conn->holding_back = 0;
            logf_(c, "the pool replies again: sending shares");
        }
        double latency = (double)(now_ms(c) - req.sent_ms);
        int accepted = m->error_message == NULL;
        if (accepted)
            c->stats.accepted++;
        else
            c->stats.rejected++;
        if (c->config.events.on_share_result != NULL)
            c->config.events.on_share_result(c->config.events.context, accepted, m->error_message,
                                             latency);
        if (!accepted && stratum_error_is_critical(m->error_message))
            fail(c, "the pool said \"%s\"", m->error_message);
        return;
    }
    case REQUEST_KEEPALIVE:
        return;
    }
}

static int on_line(const char *line, size_t len, void *context)
{
    connection_t *conn = context;
    stratum_client_t *c = conn->client;
    if (c->config.events.on_traffic != NULL)
        c->config.events.on_traffic(c->config.events.context, 0, len + 1);
    stratum_message_t m;
    char why[256];
    if (stratum_message_parse(line, len, &m, why, sizeof(why)) != 0) {
        connection_fail(conn, "the pool sent a malformed line (%s)", why);
        return -1;
    }
    if (m.kind == STRATUM_MESSAGE_RESPONSE) {
        handle_response(c, conn, &m);
    } else if (m.kind == STRATUM_MESSAGE_NOTIFICATION && strcmp(m.method, "job") == 0) {
        if (conn->logged_in)
            take_job(c, conn, m.params);
    } else {
        log_ignored(c, "ignoring \"%s\" from the pool", m.method != NULL ? m.method : "?");
    }
    stratum_message_free(&m);
    /* Stop reading this buffer when the line closed the connection. */
    return connection_is_live(conn) ? 0 : -1;
}

static void take_plaintext(connection_t *conn, const char *data, size_t len)
{
    int rc = stratum_line_feed(&conn->lines, data, len, on_line, conn);
    if (rc != 0 && connection_is_live(conn))
        connection_fail(conn, "the pool sent a line longer than %d bytes", STRATUM_MAX_LINE);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    (void)suggested;
    static char scratch[65536]; /* one loop thread: reads are handled before the next alloc */
    *buf = uv_buf_init(scratch, sizeof(scratch));
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    connection_t *conn = stream->data;
    if (!connection_is_live(conn) || nread == 0)
        return;
    if (nread < 0) {
        connection_fail(conn, "%s",
                        nread == UV_EOF          ? "the pool closed the connection"
                        : nread == UV_ECONNRESET ? "the pool closed the connection (reset)"
                                                 : uv_strerror((int)nread));
        return;
    }
    if (conn->tls == NULL) {
        take_plaintext(conn, buf->base, (size_t)nread);
        return;
    }
    if (stratum_tls_feed(conn->tls, buf->base, (size_t)nread) != 0) {
        connection_fail(conn, "%s", stratum_tls_error(conn->tls));
        return;
    }
    if (!conn->tls_ready) {
        int rc = stratum_tls_handshake(conn->tls);
        if (rc < 0 || flush_tls(conn) != 0) {
            connection_fail(conn, "%s", stratum_tls_error(conn->tls));
            return;
        }
        if (rc == 0)
            return;
        conn->tls_ready = 1;
        send_login(conn);
        if (!connection_is_live(conn))
            return;
    }
    char plain[16384];
    for (;;) {
        ssize_t n = stratum_tls_read(conn->tls, plain, sizeof(plain));
        /* What OpenSSL wrote while reading (a KeyUpdate reply, an alert) leaves now (#23, 13). */
        if (n < 0 || flush_tls(conn) != 0) {
            connection_fail(conn, "%s", stratum_tls_error(conn->tls));
            return;
        }
        if (n == 0)
            return;
        take_plaintext(conn, plain, (size_t)n);
        if (!connection_is_live(conn))
            return;
    }
}

/* --- connecting --------------------------------------------------------------- */

static void on_response_check(uv_timer_t *timer)
{
    stratum_client_t *c = timer->data;
    flush_ignored(c);
    connection_t *conn = c->conn;
    if (conn == NULL)
        return;
    uint64_t limit = timeout_or_default(c->config.response_timeout_ms);
    for (unsigned i = 0; i < conn->pending_count; i++) {
        if (now_ms(c) - conn->pending[i].sent_ms > limit) {
            fail(c, "no reply from the pool in %.1f s", (double)limit / 1000.0);
            return;
        }
    }
}

static void start_tls(connection_t *conn)
{
    stratum_client_t *c = conn->client;
    char why[256];
    conn->tls = stratum_tls_create(c->tls[conn->pool], c->config.pools[conn->pool].url.host, why,
                                   sizeof(why));
    if (conn->tls == NULL) {
        connection_fail(conn, "%s", why);
        return;
    }
    /* The first flight of the handshake; the rest is driven by what arrives. */
    if (stratum_tls_handshake(conn->tls) < 0 || flush_tls(conn) != 0)
        connection_fail(conn, "%s", stratum_tls_error(conn->tls));
}

static void connect_next_address(connection_t *conn);

static void on_tcp_closed_for_next(uv_handle_t *handle)
{
    connection_t *conn = handle->data;
    conn->tcp_open = 0;
    if (conn->abandoned)
        connection_maybe_free(conn);
    else
        connect_next_address(conn);
}

/* The address just tried failed with error: the next one, or the connection fails. */
static void try_next_address(connection_t *conn, int error)
{
    conn->last_connect_error = error;
    if (conn->next_address != NULL) {
        char tried[INET6_ADDRSTRLEN] = "?", next[INET6_ADDRSTRLEN] = "?";
        uv_ip_name(conn->address->ai_addr, tried, sizeof(tried));
        uv_ip_name(conn->next_address->ai_addr, next, sizeof(next));
        if (!conn->probe)
            logf_(conn->client, "cannot connect to %s (%s); trying %s", tried, uv_strerror(error),
                  next);
        uv_close((uv_handle_t *)&conn->tcp, on_tcp_closed_for_next);
        return;
    }
    if (conn->addresses_tried > 1)
        connection_fail(conn, "cannot connect: %s (all %u addresses)", uv_strerror(error),
                        conn->addresses_tried);
    else
        connection_fail(conn, "cannot connect: %s", uv_strerror(error));
}

static void on_connected(uv_connect_t *req, int status)
{
    connection_t *conn = req->data;
    stratum_client_t *c = conn->client;
    if (conn->abandoned || status == UV_ECANCELED)
        return;
    if (status < 0) {
        try_next_address(conn, status);
        return;
    }
    conn->tcp_connected = 1;
    /* A half-open connection (a NAT that dropped it) is found without a share timing out. */
    uv_tcp_keepalive(&conn->tcp, 1, KEEPALIVE_IDLE_S);
    /* connect_timer (or the probe's) runs on to the login: a silent TLS endpoint fails too. */
    if (uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read) != 0) {
        connection_fail(conn, "cannot read from the connection");
        return;
    }
    if (!conn->probe)
        uv_timer_start(&c->check_timer, on_response_check, TIMEOUT_CHECK_MS, TIMEOUT_CHECK_MS);
    if (c->config.pools[conn->pool].url.scheme == STRATUM_URL_TLS)
        start_tls(conn);
    else
        send_login(conn);
}

static void connect_next_address(connection_t *conn)
{
    stratum_client_t *c = conn->client;
    struct addrinfo *a = conn->next_address;
    conn->next_address = a->ai_next;
    conn->address = a;
    conn->addresses_tried++;
    uv_tcp_init(c->loop, &conn->tcp);
    conn->tcp.data = conn;
    conn->tcp_open = 1;
    uv_tcp_nodelay(&conn->tcp, 1);
    conn->connect.data = conn;
    int rc = uv_tcp_connect(&conn->connect, &conn->tcp, a->ai_addr, on_connected);
    if (rc != 0)
        try_next_address(conn, rc);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    connection_t *conn = req->data;
    stratum_client_t *c = conn->client;
    conn->resolving = 0;
    if (conn->abandoned || status == UV_ECANCELED) {
        uv_freeaddrinfo(res);
        connection_maybe_free(conn);
        return;
    }
    if (status < 0 || res == NULL) {
        uv_freeaddrinfo(res);
        connection_fail(conn, "cannot resolve %s: %s", c->config.pools[conn->pool].url.host,
                        uv_strerror(status < 0 ? status : UV_EAI_NONAME));
        return;
    }
    /* Every address in the resolver's order, IPv6 and IPv4, before one failure counts (#23, 9). */
    conn->addresses = res;
    conn->next_address = res;
    connect_next_address(conn);
}

static connection_t *start_connection(stratum_client_t *c, unsigned pool, int probe)
{
    connection_t *conn = calloc(1, sizeof(*conn));
    if (conn == NULL)
        return NULL;
    conn->client = c;
    conn->pool = pool;
    conn->probe = probe;
    stratum_line_init(&conn->lines);
    conn->resolve.data = conn;
    char port[8];
    snprintf(port, sizeof(port), "%u", c->config.pools[pool].url.port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    conn->resolving = 1;
    if (uv_getaddrinfo(c->loop, &conn->resolve, on_resolved, c->config.pools[pool].url.host, port,
                       &hints) != 0) {
        conn->resolving = 0;
        connection_maybe_free(conn);
        return NULL;
    }
    return conn;
}

static void on_connect_timeout(uv_timer_t *timer)
{
    stratum_client_t *c = timer->data;
    fail(c, "no login in %.1f s (connection, TLS handshake and login)",
         (double)timeout_or_default(c->config.connect_timeout_ms) / 1000.0);
}

static void connect_to(stratum_client_t *c, unsigned pool)
{
    if (c->closing)
        return;
    char name[POOL_NAME_LEN];
    c->pool = pool;
    logf_(c, "connecting to %s", pool_name(c, pool, name, sizeof(name)));
    c->conn = start_connection(c, pool, 0);
    if (c->conn == NULL) {
        fail(c, "cannot start a connection");
        return;
    }
    uv_timer_start(&c->connect_timer, on_connect_timeout,
                   timeout_or_default(c->config.connect_timeout_ms), 0);
}

static void on_probe_timeout(uv_timer_t *timer)
{
    stratum_client_t *c = timer->data;
    char reason[64];
    snprintf(reason, sizeof(reason), "no login in %.1f s",
             (double)timeout_or_default(c->config.connect_timeout_ms) / 1000.0);
    probe_fail(c, reason);
}

/*
 * While on a later pool: is the first one back? The probe connects and logs
 * in like the main connection, and only a login takes the session back
 * (#23, item 3): a pool that merely accepts TCP does not.
 */
static void on_failback(uv_timer_t *timer)
{
    stratum_client_t *c = timer->data;
    if (c->closing || c->probe != NULL || c->conn == NULL || c->conn->pool == 0)
        return;
    c->probe = start_connection(c, 0, 1);
    if (c->probe == NULL) {
        uv_timer_start(&c->failback_timer, on_failback, failback_delay_ms(c), 0);
        return;
    }
    uv_timer_start(&c->probe_timer, on_probe_timeout,
                   timeout_or_default(c->config.connect_timeout_ms), 0);
}

/* --- the public side ------------------------------------------------------- */

static void free_tls_contexts(stratum_client_t *c)
{
    for (size_t i = 0; i < STRATUM_MAX_POOLS; i++)
        stratum_tls_context_free(c->tls[i]);
}

stratum_client_t *stratum_client_create(uv_loop_t *loop, const stratum_client_config_t *config)
{
    if (config->pool_count == 0 || config->pool_count > STRATUM_MAX_POOLS)
        return NULL;
    stratum_client_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->loop = loop;
    c->config = *config;
    for (size_t i = 0; i < config->pool_count; i++) {
        if (config->pools[i].url.scheme != STRATUM_URL_TLS)
            continue;
        stratum_tls_options_t o = {
            .fingerprint = config->pools[i].tls_fingerprint,
            .ca_file = config->tls_ca_file,
            .insecure = config->tls_insecure,
        };
        char why[256];
        c->tls[i] = stratum_tls_context_create(&o, why, sizeof(why));
        if (c->tls[i] == NULL) {
            free_tls_contexts(c);
            free(c);
            return NULL;
        }
    }
    uv_timer_t *timers[] = {&c->connect_timer, &c->check_timer,    &c->keepalive_timer,
                            &c->retry_timer,   &c->failback_timer, &c->probe_timer,
                            &c->job_timer};
    for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
        uv_timer_init(loop, timers[i]);
        timers[i]->data = c;
        c->handles_open++;
    }
    return c;
}

void stratum_client_start(stratum_client_t *c)
{
    connect_to(c, 0);
}

int stratum_client_submit(stratum_client_t *c, const char *job_id, uint32_t nonce,
                          const uint8_t result[32], const uint8_t *commitment)
{
    connection_t *conn = c->conn;
    if (conn == NULL || !conn->logged_in || strcmp(job_id, c->job_id) != 0) {
        c->stats.stale_dropped++;
        return -1;
    }
    stratum_submit_t s = {
        .session_id = conn->session_id,
        .job_id = job_id,
        .nonce = nonce,
        .result = result,
        .algo = conn->ext_algo ? c->job_algo : NULL,
        .commitment = commitment,
    };
    int64_t id = conn->next_id++;
    int rc = send_request(conn, id, REQUEST_SUBMIT, stratum_request_submit(id, &s));
    if (rc == 1) {
        c->stats.held_back++;
        if (!conn->holding_back)
            logf_(c, "%d requests unanswered: holding shares back until the pool replies",
                  MAX_PENDING);
        conn->holding_back = 1;
    }
    return rc == 0 ? 0 : -1;
}

void stratum_client_stats(const stratum_client_t *c, stratum_client_stats_t *out)
{
    *out = c->stats;
}

static void on_timer_closed(uv_handle_t *handle)
{
    stratum_client_t *c = handle->data;
    if (--c->handles_open > 0)
        return;
    void (*done)(void *) = c->on_closed;
    void *arg = c->on_closed_arg;
    free_tls_contexts(c); /* connections still closing hold their sessions' own references */
    free(c);
    if (done != NULL)
        done(arg);
}

void stratum_client_close(stratum_client_t *c, void (*on_closed)(void *arg), void *arg)
{
    c->closing = 1;
    c->on_closed = on_closed;
    c->on_closed_arg = arg;
    drop_connection(c);
    if (c->probe != NULL) {
        connection_abandon(c->probe);
        c->probe = NULL;
    }
    uv_timer_t *timers[] = {&c->connect_timer, &c->check_timer,    &c->keepalive_timer,
                            &c->retry_timer,   &c->failback_timer, &c->probe_timer,
                            &c->job_timer};
    for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
        uv_close((uv_handle_t *)timers[i], on_timer_closed);
}
