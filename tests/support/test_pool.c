/*
 * The test pool's thread: one poll() loop over the listening socket, a
 * wake-up pipe and every client, all non-blocking; with TLS, SSL_read and
 * SSL_write drive the handshake too, so TLS needs no loop of its own.
 * Messages go through a per-client queue so one can be delayed without
 * stalling the others. The test thread only takes the lock: to read the
 * counters, queue a fault, or ask for a job (through the pipe).
 */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "tests/support/test_pool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pow/hex.h"
#include "stratum/job.h"
#include "stratum/line.h"
#include "stratum/message.h"
#include "tests/support/test_pool_share.h"

#define MAX_CLIENTS     64
#define MAX_SEEN_NONCES 4096
#define READ_CHUNK      16384

typedef struct outgoing {
    struct outgoing *next;
    char *data;
    size_t len, sent;
    uint64_t due_ms;
} outgoing_t;

typedef struct client {
    struct client *next;
    int fd;
    SSL *ssl;
    int wants_pollout; /* TLS needs to write before it can go on */
    int closing;
    stratum_line_buffer_t in;
    outgoing_t *out_head, *out_tail;
    int logged_in;
    char session[17];
    int nicehash_byte;   /* -1 without nicehash */
    int ignores_submits; /* TEST_POOL_IGNORE_SUBMITS took this connection */
} client_t;

struct test_pool {
    test_pool_config_t config;
    char algo_name[32];
    const pow_algo_t *algo;
    int listen_fd, wake[2], port;
    SSL_CTX *tls;
    pthread_t thread;

    pthread_mutex_t lock; /* guards the fields up to the pool thread's own */
    pthread_cond_t changed;
    test_pool_stats_t stats;
    unsigned faults[TEST_POOL_FAULT_COUNT];
    unsigned delay_ms;
    unsigned jobs_requested;
    int stopping;

    /* The pool thread's own. */
    client_t *clients;
    unsigned client_count, next_nicehash_byte;
    pool_job_t job; /* the current job */
    uint64_t last_job_number, height;
    uint8_t seed[32];
    pool_verifier_t *verifier;
    uint32_t seen_nonces[MAX_SEEN_NONCES]; /* accepted for the current job */
    size_t seen_count;
    char read_buffer[READ_CHUNK];
};

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* --- counters and faults (under the lock) ---------------------------------- */

static void count(test_pool_t *pool, unsigned *counter)
{
    pthread_mutex_lock(&pool->lock);
    (*counter)++;
    pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
}

/* Uses up one injection of fault; returns whether there was one. */
static int take_fault(test_pool_t *pool, test_pool_fault_t fault, unsigned *delay_ms)
{
    pthread_mutex_lock(&pool->lock);
    int taken = pool->faults[fault] > 0;
    if (taken)
        pool->faults[fault]--;
    if (delay_ms != NULL)
        *delay_ms = pool->delay_ms;
    pthread_mutex_unlock(&pool->lock);
    return taken;
}

/* --- transport: plain TCP or TLS, non-blocking ------------------------------ */

/* Bytes read, 0 when it would block, -1 when the connection is over. */
static ssize_t transport_read(client_t *c, void *buf, size_t len)
{
    if (c->ssl == NULL) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n > 0)
            return n;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    }
    ERR_clear_error();
    int n = SSL_read(c->ssl, buf, (int)len);
    if (n > 0)
        return n;
    switch (SSL_get_error(c->ssl, n)) {
    case SSL_ERROR_WANT_WRITE:
        c->wants_pollout = 1;
        return 0;
    case SSL_ERROR_WANT_READ:
        return 0;
    default:
        return -1;
    }
}

/* Bytes written, 0 when it would block, -1 when the connection is over. */
static ssize_t transport_write(client_t *c, const void *buf, size_t len)
{
    if (c->ssl == NULL) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    }
    ERR_clear_error();
    int n = SSL_write(c->ssl, buf, (int)len);
    if (n > 0)
        return n;
    switch (SSL_get_error(c->ssl, n)) {
    case SSL_ERROR_WANT_WRITE:
        c->wants_pollout = 1;
        return 0;
    case SSL_ERROR_WANT_READ:
        return 0;
    default:
        return -1;
    }
}

/* --- outgoing lines ------------------------------------------------------- */

static void queue_text(client_t *c, char *line, uint64_t due_ms)
{
    outgoing_t *o = calloc(1, sizeof(*o));
    if (o == NULL || line == NULL) {
        free(o);
        free(line);
        c->closing = 1;
        return;
    }
    o->data = line;
    o->len = strlen(line);
    o->due_ms = due_ms;
    if (c->out_tail != NULL)
        c->out_tail->next = o;
    else
        c->out_head = o;
    c->out_tail = o;
}

static char *oversized_line(void)
{
    const char *head = "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"pad\":\"";
    const char *tail = "\"}}";
    size_t total = STRATUM_MAX_LINE + 1;
    char *line = malloc(total + 2);
    if (line == NULL)
        return NULL;
    memset(line, 'x', total);
    memcpy(line, head, strlen(head));
    memcpy(line + total - strlen(tail), tail, strlen(tail));
    line[total] = '\n';
    line[total + 1] = '\0';
    return line;
}

/*
 * Sends message (taking it) to c, after the faults that apply to the next
 * message: a malformed or oversized line first, a disconnect instead, a
 * delay for a reply.
 */
static void send_message(test_pool_t *pool, client_t *c, json_t *message, int is_reply)
{
    unsigned delay = 0;
    if (c->closing || take_fault(pool, TEST_POOL_DISCONNECT, NULL)) {
        c->closing = 1;
        json_decref(message);
        return;
    }
    uint64_t now = now_ms();
    if (take_fault(pool, TEST_POOL_SEND_MALFORMED_JSON, NULL))
        queue_text(c, strdup("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"job_id\":\n"),
                   now);
    if (take_fault(pool, TEST_POOL_SEND_OVERSIZED_LINE, NULL))
        queue_text(c, oversized_line(), now);
    if (take_fault(pool, TEST_POOL_FLOOD_NOTIFICATIONS, NULL)) {
        for (int i = 0; i < 200; i++)
            queue_text(c, strdup("{\"jsonrpc\":\"2.0\",\"method\":\"flood\",\"params\":{}}\n"),
                       now);
    }
    uint64_t due = now;
    if (is_reply && take_fault(pool, TEST_POOL_DELAY_NEXT_REPLY, &delay))
        due += delay;
    queue_text(c, message != NULL ? stratum_json_line(message) : NULL, due);
    json_decref(message);
}

static void reply_result(test_pool_t *pool, client_t *c, int64_t id, json_t *result)
{
    json_t *m = json_pack("{sI s:s s:n s:o}", "id", (json_int_t)id, "jsonrpc", "2.0", "error",
                          "result", result);
    send_message(pool, c, m, 1);
}

static void reply_error(test_pool_t *pool, client_t *c, int64_t id, const char *message)
{
    json_t *m = json_pack("{sI s:s s:{s:i s:s} s:n}", "id", (json_int_t)id, "jsonrpc", "2.0",
                          "error", "code", -1, "message", message, "result");
    send_message(pool, c, m, 1);
}

static json_t *status(const char *text)
{
    return json_pack("{s:s}", "status", text);
}

/* --- jobs ----------------------------------------------------------------- */

/* The next job; it becomes current unless it is the unknown-algorithm fault's. */
static int next_job(test_pool_t *pool, pool_job_t *job, int may_be_current)
{
    int unannounced = take_fault(pool, TEST_POOL_JOB_UNANNOUNCED_ALGO, NULL);
    int unknown = unannounced || take_fault(pool, TEST_POOL_JOB_UNKNOWN_ALGO, NULL);
    if (!may_be_current && !unknown) {
        *job = pool->job;
        return 0;
    }
    if (may_be_current && take_fault(pool, TEST_POOL_NEW_SEED, NULL) &&
        pool_random(pool->seed, sizeof(pool->seed)) != 0)
        return -1;
    const char *algo = unannounced ? "cn-pico" : unknown ? "rx/unknown" : pool->algo_name;
    int rc = pool_job_make(job, ++pool->last_job_number, algo, ++pool->height, pool->seed,
                           pool->config.difficulty);
    if (rc == 0 && !unknown) {
        pool->job = *job;
        pool->seen_count = 0;
    }
    return rc;
}

static void broadcast_job(test_pool_t *pool)
{
    pool_job_t job;
    if (next_job(pool, &job, 1) != 0)
        return;
    for (client_t *c = pool->clients; c != NULL; c = c->next) {
        if (!c->logged_in || c->closing)
            continue;
        json_t *m = json_pack("{s:s s:s s:o}", "jsonrpc", "2.0", "method", "job", "params",
                              pool_job_json(&job, c->nicehash_byte));
        send_message(pool, c, m, 0);
        count(pool, &pool->stats.jobs_sent);
    }
}

/* --- requests ------------------------------------------------------------- */

static void handle_login(test_pool_t *pool, client_t *c, const stratum_message_t *m)
{
    const char *login = json_string_value(json_object_get(m->params, "login"));
    if (take_fault(pool, TEST_POOL_LOGIN_ERROR, NULL) || login == NULL || login[0] == '\0') {
        count(pool, &pool->stats.login_errors);
        reply_error(pool, c, m->id, "Invalid payment address provided");
        return;
    }
    const char *agent = json_string_value(json_object_get(m->params, "agent"));
    uint8_t session[8];
    pool_job_t job;
    if (pool_random(session, sizeof(session)) != 0 || next_job(pool, &job, 0) != 0) {
        reply_error(pool, c, m->id, "Internal error");
        return;
    }
    pow_hex_encode(session, sizeof(session), c->session);
    c->logged_in = 1;
    pthread_mutex_lock(&pool->lock);
    pool->stats.logins++;
    snprintf(pool->stats.last_agent, sizeof(pool->stats.last_agent), "%s",
             agent != NULL ? agent : "");
    pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);

    json_t *extensions = json_array();
    if (pool->config.advertise_algo)
        json_array_append_new(extensions, json_string("algo"));
    if (pool->config.advertise_nicehash)
        json_array_append_new(extensions, json_string("nicehash"));
    if (pool->config.advertise_keepalive)
        json_array_append_new(extensions, json_string("keepalive"));
    json_t *result =
        json_pack("{s:s s:o s:s s:o}", "id", c->session, "job",
                  pool_job_json(&job, c->nicehash_byte), "status", "OK", "extensions", extensions);
    reply_result(pool, c, m->id, result);
}

/* Decodes exactly 2 * len hex digits of member key; 0 or -1. */
static int hex_param(const json_t *params, const char *key, uint8_t *out, size_t len)
{
    const char *hex = json_string_value(json_object_get(params, key));
    return hex != NULL && strlen(hex) == 2 * len &&
                   pow_hex_decode(hex, 2 * len, out, len, NULL) == (long)len
               ? 0
               : -1;
}

/* Parses a decimal job id; 0 when it is not one this pool could have sent. */
static uint64_t job_number(const char *id)
{
    char *end = NULL;
    if (id == NULL || id[0] < '1' || id[0] > '9')
        return 0;
    errno = 0;
    unsigned long long n = strtoull(id, &end, 10);
    return errno == 0 && *end == '\0' ? (uint64_t)n : 0;
}

static void reject_share(test_pool_t *pool, client_t *c, int64_t id, const char *why)
{
    count(pool, &pool->stats.shares_rejected_invalid);
    reply_error(pool, c, id, why);
}

/* A share refused on its merits, not by an injected fault: the client did something wrong. */
static void refuse_wrong_share(test_pool_t *pool, client_t *c, int64_t id, const char *why)
{
    count(pool, &pool->stats.shares_wrong);
    reject_share(pool, c, id, why);
}

static int nonce_seen(test_pool_t *pool, uint32_t nonce)
{
    for (size_t i = 0; i < pool->seen_count; i++) {
        if (pool->seen_nonces[i] == nonce)
            return 1;
    }
    return 0;
}

static void handle_submit(test_pool_t *pool, client_t *c, const stratum_message_t *m)
{
    const json_t *p = m->params;
    const char *session = json_string_value(json_object_get(p, "id"));
    if (!c->logged_in || session == NULL || strcmp(session, c->session) != 0) {
        refuse_wrong_share(pool, c, m->id, "Unauthenticated");
        return;
    }
    if (take_fault(pool, TEST_POOL_UNAUTHENTICATED_NEXT_SHARE, NULL)) {
        reject_share(pool, c, m->id, "Unauthenticated");
        return;
    }
    if (c->ignores_submits || take_fault(pool, TEST_POOL_IGNORE_SUBMITS, NULL)) {
        c->ignores_submits = 1;
        count(pool, &pool->stats.submits_ignored);
        return;
    }
    if (take_fault(pool, TEST_POOL_REJECT_WITH_ESCAPES, NULL)) {
        /* A window-title change and a forged log line, as a hostile pool would send them. */
        reject_share(pool, c, m->id, "\x1b]0;pwned\x07\r\n[2026-01-01 00:00:00] accepted");
        return;
    }
    if (take_fault(pool, TEST_POOL_REJECT_NEXT_SHARE, NULL)) {
        reject_share(pool, c, m->id, "Low difficulty share");
        return;
    }
    uint64_t number = job_number(json_string_value(json_object_get(p, "job_id")));
    if (number == 0 || number > pool->last_job_number) {
        refuse_wrong_share(pool, c, m->id, "Invalid job id");
        return;
    }
    if (number != pool->job.number) {
        count(pool, &pool->stats.shares_stale);
        reply_error(pool, c, m->id, "Block expired");
        return;
    }
    const char *nonce_hex = json_string_value(json_object_get(p, "nonce"));
    const char *algo = json_string_value(json_object_get(p, "algo"));
    uint32_t nonce;
    uint8_t result[32], commitment[32];
    int has_commitment = json_object_get(p, "commitment") != NULL;
    if (nonce_hex == NULL || stratum_nonce_from_hex(nonce_hex, &nonce) != 0) {
        refuse_wrong_share(pool, c, m->id, "Malformed share: nonce must be 8 hex digits");
        return;
    }
    if (hex_param(p, "result", result, sizeof(result)) != 0 ||
        (has_commitment && hex_param(p, "commitment", commitment, sizeof(commitment)) != 0)) {
        refuse_wrong_share(pool, c, m->id,
                           "Malformed share: result and commitment are 64 hex digits");
        return;
    }
    if (algo != NULL && strcmp(algo, pool->job.algo_name) != 0) {
        refuse_wrong_share(pool, c, m->id, "Malformed share: not this job's algorithm");
        return;
    }
    if (c->nicehash_byte >= 0 && (int)(nonce >> 24) != c->nicehash_byte) {
        refuse_wrong_share(pool, c, m->id, "Invalid nonce: outside this miner's NiceHash range");
        return;
    }
    if (nonce_seen(pool, nonce)) {
        refuse_wrong_share(pool, c, m->id, "Duplicate share");
        return;
    }
    const char *why = pool_verify_share(pool->verifier, &pool->job, nonce, result,
                                        has_commitment ? commitment : NULL);
    if (why != NULL) {
        refuse_wrong_share(pool, c, m->id, why);
        return;
    }
    if (pool->seen_count < MAX_SEEN_NONCES)
        pool->seen_nonces[pool->seen_count++] = nonce;
    pthread_mutex_lock(&pool->lock);
    snprintf(pool->stats.last_accepted_nonce, sizeof(pool->stats.last_accepted_nonce), "%s",
             nonce_hex);
    pthread_mutex_unlock(&pool->lock);
    count(pool, &pool->stats.shares_accepted);
    reply_result(pool, c, m->id, status("OK"));
}

typedef struct {
    test_pool_t *pool;
    client_t *client;
} line_context_t;

static int handle_line(const char *line, size_t len, void *context)
{
    line_context_t *lc = context;
    test_pool_t *pool = lc->pool;
    client_t *c = lc->client;
    stratum_message_t m;
    if (stratum_message_parse(line, len, &m, NULL, 0) != 0 || m.kind != STRATUM_MESSAGE_REQUEST ||
        (m.params != NULL && !json_is_object(m.params))) {
        if (m.root != NULL)
            stratum_message_free(&m);
        count(pool, &pool->stats.bad_lines);
        c->closing = 1;
        return 1;
    }
    if (strcmp(m.method, "login") == 0) {
        handle_login(pool, c, &m);
    } else if (strcmp(m.method, "submit") == 0) {
        handle_submit(pool, c, &m);
    } else if (strcmp(m.method, "keepalived") == 0) {
        count(pool, &pool->stats.keepalives);
        reply_result(pool, c, m.id, status("KEEPALIVED"));
    } else {
        reply_error(pool, c, m.id, "Unknown method");
    }
    stratum_message_free(&m);
    return c->closing;
}

/* --- connections ---------------------------------------------------------- */

static void accept_client(test_pool_t *pool)
{
    int fd = accept4(pool->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    client_t *c = calloc(1, sizeof(*c));
    if (c == NULL || pool->client_count >= MAX_CLIENTS) {
        free(c);
        close(fd);
        return;
    }
    c->fd = fd;
    c->nicehash_byte =
        pool->config.advertise_nicehash ? (int)(pool->next_nicehash_byte++ & 0xff) : -1;
    stratum_line_init(&c->in);
    if (pool->tls != NULL) {
        c->ssl = SSL_new(pool->tls);
        if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1)
            c->closing = 1;
        else
            SSL_set_accept_state(c->ssl);
    }
    c->next = pool->clients;
    pool->clients = c;
    pool->client_count++;
    pthread_mutex_lock(&pool->lock);
    pool->stats.connections++;
    pool->stats.clients++;
    pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
}

static void free_client(client_t *c)
{
    while (c->out_head != NULL) {
        outgoing_t *o = c->out_head;
        c->out_head = o->next;
        free(o->data);
        free(o);
    }
    SSL_free(c->ssl);
    close(c->fd);
    stratum_line_free(&c->in);
    free(c);
}

static void flush_client(client_t *c, uint64_t now)
{
    while (!c->closing && c->out_head != NULL && c->out_head->due_ms <= now) {
        outgoing_t *o = c->out_head;
        ssize_t n = transport_write(c, o->data + o->sent, o->len - o->sent);
        if (n < 0)
            c->closing = 1;
        if (n <= 0)
            return;
        o->sent += (size_t)n;
        if (o->sent < o->len)
            continue;
        c->out_head = o->next;
        if (c->out_head == NULL)
            c->out_tail = NULL;
        free(o->data);
        free(o);
    }
}

static void read_client(test_pool_t *pool, client_t *c)
{
    char *buf = pool->read_buffer;
    line_context_t lc = {pool, c};
    while (!c->closing) {
        ssize_t n = transport_read(c, buf, sizeof(pool->read_buffer));
        if (n < 0)
            c->closing = 1;
        if (n <= 0)
            return;
        if (stratum_line_feed(&c->in, buf, (size_t)n, handle_line, &lc) < 0) {
            count(pool, &pool->stats.bad_lines);
            c->closing = 1;
        }
    }
}

static void service_clients(test_pool_t *pool)
{
    for (client_t *c = pool->clients; c != NULL; c = c->next) {
        c->wants_pollout = 0;
        flush_client(c, now_ms());
        read_client(pool, c);
        flush_client(c, now_ms());
    }
    for (client_t **link = &pool->clients; *link != NULL;) {
        client_t *c = *link;
        if (!c->closing) {
            link = &c->next;
            continue;
        }
        *link = c->next;
        free_client(c);
        pool->client_count--;
        pthread_mutex_lock(&pool->lock);
        pool->stats.clients--;
        pthread_cond_broadcast(&pool->changed);
        pthread_mutex_unlock(&pool->lock);
    }
}

/* --- the thread ----------------------------------------------------------- */

static void *pool_thread(void *arg)
{
    test_pool_t *pool = arg;
    struct pollfd fds[2 + MAX_CLIENTS];
    for (;;) {
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = pool->wake[0], .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = pool->listen_fd, .events = POLLIN};
        uint64_t now = now_ms(), next_due = now + 1000;
        for (client_t *c = pool->clients; c != NULL; c = c->next) {
            short events = POLLIN;
            if (c->wants_pollout || (c->out_head != NULL && c->out_head->due_ms <= now))
                events |= POLLOUT;
            if (c->out_head != NULL && c->out_head->due_ms > now && c->out_head->due_ms < next_due)
                next_due = c->out_head->due_ms;
            fds[n++] = (struct pollfd){.fd = c->fd, .events = events};
        }
        poll(fds, n, (int)(next_due - now));
        if (fds[0].revents & POLLIN) {
            char drain[64];
            while (read(pool->wake[0], drain, sizeof(drain)) > 0)
                ;
        }
        pthread_mutex_lock(&pool->lock);
        int stopping = pool->stopping;
        unsigned jobs = pool->jobs_requested;
        pool->jobs_requested = 0;
        pthread_mutex_unlock(&pool->lock);
        if (stopping)
            break;
        if (fds[1].revents & POLLIN)
            accept_client(pool);
        while (jobs-- > 0)
            broadcast_job(pool);
        service_clients(pool);
    }
    return NULL;
}

static void wake(test_pool_t *pool)
{
    ssize_t n = write(pool->wake[1], "w", 1);
    (void)n; /* a full pipe already wakes the thread */
}

/* --- the test thread's API ------------------------------------------------ */

static int listen_on_loopback(test_pool_t *pool)
{
    pool->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (pool->listen_fd < 0)
        return -1;
    /* A pool restarted on its old port must not wait for the old sockets' TIME_WAIT. */
    int on = 1;
    setsockopt(pool->listen_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(pool->config.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(pool->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(pool->listen_fd, 16) != 0 ||
        getsockname(pool->listen_fd, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    pool->port = ntohs(addr.sin_port);
    return 0;
}

static int setup_tls(test_pool_t *pool)
{
    pool->tls = SSL_CTX_new(TLS_server_method());
    if (pool->tls == NULL ||
        SSL_CTX_use_certificate_chain_file(pool->tls, pool->config.tls_cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(pool->tls, pool->config.tls_key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(pool->tls) != 1)
        return -1;
    SSL_CTX_set_mode(pool->tls,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return 0;
}

static void release(test_pool_t *pool)
{
    while (pool->clients != NULL) {
        client_t *c = pool->clients;
        pool->clients = c->next;
        free_client(c);
    }
    if (pool->listen_fd >= 0)
        close(pool->listen_fd);
    for (int i = 0; i < 2; i++) {
        if (pool->wake[i] >= 0)
            close(pool->wake[i]);
    }
    SSL_CTX_free(pool->tls);
    pool_verifier_destroy(pool->verifier);
    pthread_cond_destroy(&pool->changed);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

static test_pool_t *start_failed(test_pool_t *pool, const char *what)
{
    fprintf(stderr, "test pool: %s\n", what);
    ERR_print_errors_fp(stderr);
    release(pool);
    return NULL;
}

test_pool_t *test_pool_start(const test_pool_config_t *config)
{
    test_pool_t *pool = calloc(1, sizeof(*pool));
    if (pool == NULL)
        return NULL;
    pool->config = *config;
    pool->listen_fd = pool->wake[0] = pool->wake[1] = -1;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->changed, &attr);
    pthread_condattr_destroy(&attr);
    if (config->algo == NULL || strlen(config->algo) >= sizeof(pool->algo_name) ||
        (pool->algo = pow_algo_find(config->algo)) == NULL)
        return start_failed(pool, "unknown algorithm");
    snprintf(pool->algo_name, sizeof(pool->algo_name), "%s", config->algo);
    pool->config.algo = pool->algo_name;
    if (pool->config.difficulty == 0 || pool->config.difficulty > UINT32_MAX)
        return start_failed(pool, "difficulty must be 1 .. 0xFFFFFFFF");
    pool->height = 3000000;
    pool->verifier = pool_verifier_create();
    if (pool->verifier == NULL || pool_random(pool->seed, sizeof(pool->seed)) != 0)
        return start_failed(pool, "out of memory or randomness");
    pool_job_t first;
    if (next_job(pool, &first, 1) != 0)
        return start_failed(pool, "cannot make a job");
    if (pipe2(pool->wake, O_NONBLOCK | O_CLOEXEC) != 0 || listen_on_loopback(pool) != 0)
        return start_failed(pool, strerror(errno));
    /* The certificate files are read here, and not kept. */
    if (config->tls_cert_file != NULL || config->tls_key_file != NULL) {
        if (config->tls_cert_file == NULL || config->tls_key_file == NULL || setup_tls(pool) != 0)
            return start_failed(pool, "cannot load the TLS certificate and key");
    }
    /* A write to a closed TLS peer must fail with EPIPE, not kill the tests. */
    sigset_t pipe_only, previous;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
    int rc = pthread_create(&pool->thread, NULL, pool_thread, pool);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0)
        return start_failed(pool, "cannot start the thread");
    return pool;
}

int test_pool_port(const test_pool_t *pool)
{
    return pool->port;
}

void test_pool_stop(test_pool_t *pool)
{
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_mutex_unlock(&pool->lock);
    wake(pool);
    pthread_join(pool->thread, NULL);
    release(pool);
}

void test_pool_inject(test_pool_t *pool, test_pool_fault_t fault, unsigned delay_ms)
{
    if ((unsigned)fault >= TEST_POOL_FAULT_COUNT)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->faults[fault]++;
    if (fault == TEST_POOL_DELAY_NEXT_REPLY)
        pool->delay_ms = delay_ms;
    pthread_mutex_unlock(&pool->lock);
    wake(pool);
}

void test_pool_withdraw(test_pool_t *pool, test_pool_fault_t fault)
{
    if ((unsigned)fault >= TEST_POOL_FAULT_COUNT)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->faults[fault] = 0;
    pthread_mutex_unlock(&pool->lock);
}

void test_pool_send_job(test_pool_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->jobs_requested++;
    pthread_mutex_unlock(&pool->lock);
    wake(pool);
}

void test_pool_stats(test_pool_t *pool, test_pool_stats_t *out)
{
    pthread_mutex_lock(&pool->lock);
    *out = pool->stats;
    pthread_mutex_unlock(&pool->lock);
}

int test_pool_wait(test_pool_t *pool, int (*done)(const test_pool_stats_t *, void *), void *arg,
                   unsigned timeout_ms)
{
    uint64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        test_pool_stats_t stats;
        test_pool_stats(pool, &stats);
        if (done(&stats, arg))
            return 0;
        uint64_t now = now_ms();
        if (now >= deadline)
            return -1;
        /* Woken by every change; the 50 ms cap covers one that came before the wait. */
        uint64_t until = now + 50 < deadline ? now + 50 : deadline;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        uint64_t ns = (uint64_t)t.tv_nsec + (until - now) * 1000000;
        t.tv_sec += (time_t)(ns / 1000000000);
        t.tv_nsec = (long)(ns % 1000000000);
        pthread_mutex_lock(&pool->lock);
        pthread_cond_timedwait(&pool->changed, &pool->lock, &t);
        pthread_mutex_unlock(&pool->lock);
    }
}
